"""Which language a place name is in, for the map's ``name:en``, ``name:uk`` and ``name:ru``.

OSM nodes say it with their ``name:xx`` keys. GeoNames alternate names carry no language code,
so for them it is guessed: GeoNames' own ``name`` is the English exonym, and of the Cyrillic
alternates, the languages are told as everywhere else in the system, by
:func:`corridor.naming.localized_names` (a dictionary that knows the name, else the letters
only one language writes).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from corridor.naming import localized_names

#: The label languages of the dashboard, besides the local ``name``.
LANGUAGES: tuple[str, ...] = ("en", "uk", "ru")


def names_by_language(name: str, alternates: Iterable[str]) -> dict[str, str]:
    """``name:xx`` labels guessed from a GeoNames record (see the module docstring).

    Parameters
    ----------
    name
        GeoNames' primary name, in Latin letters: the English label.
    alternates
        Its alternate names, in any script, without language codes.

    Returns
    -------
    dict[str, str]
        ``{"name:en": ..., "name:uk": ..., "name:ru": ...}`` with the keys it could fill.
    """
    labels = {"name:en": name}
    labels.update({f"name:{lang}": label
                   for lang, label in localized_names(alternates, name).items()})
    return labels


def names_from_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """``name`` and the dashboard's ``name:xx`` labels an OSM object's tags give."""
    labels = {"name": tags["name"]} if tags.get("name") else {}
    for lang in LANGUAGES:
        value = tags.get(f"name:{lang}")
        if value:
            labels[f"name:{lang}"] = value
    return labels
