"""Named places an OSM extract carries, read on import and cached with its road network.

Every extract names its own towns and villages, usually in the local spelling and in several
others (``name:uk``, ``name:ru``, ``name:en``, ``old_name`` ...). Keeping them with the network
lets a scenario on any extract name its places without a separate gazetteer file, in whichever
spelling the people writing it use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from corridor.errors import NetworkError
from corridor.i18n import LANGUAGES, _

#: ``place=*`` values kept: settlements people live in and are evacuated from. ``locality``
#: (a named field or pass, often uninhabited) and ``isolated_dwelling`` (one farm) are left out:
#: they multiply namesakes without naming anywhere a corridor starts or ends.
PLACE_KINDS: tuple[str, ...] = ("city", "town", "village", "hamlet", "suburb")

#: Keys holding a further name besides ``name``; their values may list several, split by ``;``.
_NAME_KEY = re.compile(r"^(name:[A-Za-z_-]+|(alt|old|int|official|short|loc)_name(:[A-Za-z_-]+)?)$")
_DIGITS = re.compile(r"\d+")
#: Tags that may hold the node's ISO 3166-1 alpha-2 country code (``is_in:country`` usually
#: spells the name out, which is then ignored).
_COUNTRY_KEYS = ("is_in:country_code", "addr:country", "is_in:country")


@dataclass(frozen=True, slots=True)
class OsmPlace:
    """One OSM place node.

    Attributes
    ----------
    osm_id
        The node id.
    kind
        Its ``place`` value, one of :data:`PLACE_KINDS`.
    lon, lat
        WGS84 degrees.
    name
        The ``name`` tag: the spelling used on the spot.
    names
        Every other name the node carries (``name:xx``, ``alt_name``, ``old_name``,
        ``int_name`` and their language variants), each once, in tag order.
    population
        The ``population`` tag as a whole number; 0 when missing or not a number.
    country
        ISO 3166-1 alpha-2 code from ``is_in:country_code``, ``addr:country`` or
        ``is_in:country``, if one of them holds one.
    localized
        The names whose language a tag states, as (language, name) pairs for the languages
        the system speaks (``name:en``, ``name:uk``, ``name:ru``).
    """

    osm_id: int
    kind: str
    lon: float
    lat: float
    name: str
    names: tuple[str, ...] = ()
    population: int = 0
    country: str | None = None
    localized: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready record, read back by :meth:`from_json`."""
        return asdict(self)

    @classmethod
    def from_json(cls, record: Mapping[str, Any]) -> OsmPlace:
        """The place written by :meth:`to_json`.

        Raises
        ------
        NetworkError
            The record lacks a field or has one of the wrong type (a damaged cache entry).
        """
        try:
            return cls(osm_id=int(record["osm_id"]), kind=str(record["kind"]),
                       lon=float(record["lon"]), lat=float(record["lat"]),
                       name=str(record["name"]), names=tuple(map(str, record["names"])),
                       population=int(record["population"]),
                       country=None if record["country"] is None else str(record["country"]),
                       localized=tuple((str(lang), str(name))
                                       for lang, name in record.get("localized", ())))
        except (KeyError, TypeError, ValueError) as exc:
            raise NetworkError(_("malformed cached place record {record!r}: {error}").format(
                                   record=record, error=exc)) from exc


def place_from_tags(osm_id: int, lon: float, lat: float,
                    tags: Mapping[str, str]) -> OsmPlace | None:
    """The place a node's tags describe, or ``None`` if it is not a named settlement."""
    kind = tags.get("place")
    if kind not in PLACE_KINDS:
        return None
    others = [part.strip() for key, value in tags.items() if _NAME_KEY.match(key)
              for part in value.split(";")]
    name = (tags.get("name") or "").strip() or next((n for n in others if n), "")
    if not name:
        return None
    names = tuple(dict.fromkeys(n for n in others if n and n != name))
    country = next((tags[k] for k in _COUNTRY_KEYS if k in tags), "").strip().upper()
    localized = tuple((lang, tags[f"name:{lang}"].split(";")[0].strip()) for lang in LANGUAGES
                      if tags.get(f"name:{lang}", "").strip())
    return OsmPlace(osm_id=osm_id, kind=kind, lon=lon, lat=lat, name=name, names=names,
                    population=_population(tags.get("population")),
                    country=country if re.fullmatch(r"[A-Z]{2}", country) else None,
                    localized=localized)


def _population(value: str | None) -> int:
    """``population`` as mappers write it (``12345``, ``12 345``, ``12,345``, ``ca. 500``).

    A value with a decimal part or several numbers (``1200-1500``) is read as its first group
    of digits; anything without digits counts as unknown (0).
    """
    if not value:
        return 0
    compact = re.sub(r"(?<=\d)[\s,.'\u202f\u00a0](?=\d{3}\b)", "", value)
    match = _DIGITS.search(compact)
    return int(match.group()) if match else 0
