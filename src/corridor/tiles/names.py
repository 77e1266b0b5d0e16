"""Which language a place name is in, for the map's ``name:en``, ``name:uk`` and ``name:ru``.

OSM nodes say it with their ``name:xx`` keys. GeoNames alternate names carry no language code,
so for them the script decides: Latin letters give the English label (GeoNames' own ``name`` is
the English exonym), and of the Cyrillic spellings the one with letters only Ukrainian has
(the dotted i, yi, ye and ge with upturn) is Ukrainian, the one with letters only Russian has
(ы э ъ ё) Russian. A Cyrillic spelling with neither (Полтава, Суми) is taken for a language that
lacks its own spelling, as it is usually the same in both. Belarusian, Serbian and Macedonian
letters rule a spelling out. The test is crude; a wrong guess only shows the other language's
spelling.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

#: The label languages of the dashboard, besides the local ``name``.
LANGUAGES: tuple[str, ...] = ("en", "uk", "ru")

#: A spelling in Cyrillic letters only (apostrophes, as in Ukrainian, allowed).
_CYRILLIC = re.compile("^[\u0400-\u04ff\\s'\u2019\u02bc.\\-]+$")
_UKRAINIAN_ONLY = set("\u0456\u0457\u0454\u0491\u0406\u0407\u0404\u0490")
_RUSSIAN_ONLY = set("ыэъёЫЭЪЁ")
#: Letters of other Cyrillic alphabets (Belarusian short u, Serbian and Macedonian letters).
_OTHER_CYRILLIC = set("\u045e\u040e\u0458\u0408\u0459\u0409\u045a\u040a\u045b\u040b"
                      "\u0452\u0402\u045f\u040f\u0453\u0403\u045c\u040c\u0455\u0405")


def names_by_language(name: str, alternates: Iterable[str]) -> dict[str, str]:
    """``name:xx`` labels guessed by script from a GeoNames record (see the module docstring).

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
    cyrillic = [a for a in dict.fromkeys(alternates)
                if _CYRILLIC.match(a) and not _OTHER_CYRILLIC.intersection(a)]
    ukrainian = [a for a in cyrillic if _UKRAINIAN_ONLY.intersection(a)
                 and not _RUSSIAN_ONLY.intersection(a)]
    russian = [a for a in cyrillic if _RUSSIAN_ONLY.intersection(a)
               and not _UKRAINIAN_ONLY.intersection(a)]
    shared = [a for a in cyrillic if not (_UKRAINIAN_ONLY | _RUSSIAN_ONLY).intersection(a)]
    labels = {"name:en": name}
    uk = ukrainian[0] if ukrainian else _other_than(shared, russian)
    ru = russian[0] if russian else _other_than(shared, ukrainian)
    if uk:
        labels["name:uk"] = uk
    if ru:
        labels["name:ru"] = ru
    return labels


def _other_than(shared: list[str], taken: list[str]) -> str | None:
    """The first shared spelling, preferring one the other language has not taken."""
    free = [s for s in shared if s not in taken]
    return next(iter(free or shared), None)


def names_from_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """``name`` and the dashboard's ``name:xx`` labels an OSM object's tags give."""
    labels = {"name": tags["name"]} if tags.get("name") else {}
    for lang in LANGUAGES:
        value = tags.get(f"name:{lang}")
        if value:
            labels[f"name:{lang}"] = value
    return labels
