"""What an OSM way's tags mean for a motor vehicle: road class, direction, speed, capacity.

Kept apart from the file reader so the rules can be read, tested and argued about on their own.
The tables are planning defaults for convoys and buses, not a legal reference.

Capacity table (vehicles per hour per lane, free-flow planning values after the HCM's
order of magnitude: grade-separated roads carry most, access roads least):

============== ========== ====================== ===========
class          veh/h/lane default lanes/direction default km/h
============== ========== ====================== ===========
motorway       2000       2                      110
trunk          1800       1                      90
primary        1600       1                      70
secondary      1200       1                      60
tertiary       1000       1                      50
unclassified   800        1                      40
residential    600        1                      30
living_street  300        1                      10
service        400        1                      20
============== ========== ====================== ===========

``*_link`` ramps take their parent's class and per-lane capacity but one lane per direction
and at most 60 km/h, because a ramp is where traffic slows to merge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from corridor.network.graph import ROAD_CLASSES

#: Every ``highway`` value that a car may use, mapped to the class it is routed as.
HIGHWAY_CLASS: dict[str, str] = {
    **{c: c for c in ROAD_CLASSES},
    **{f"{c}_link": c for c in ("motorway", "trunk", "primary", "secondary", "tertiary")},
}

DEFAULT_SPEED_KMH: dict[str, float] = {
    "motorway": 110.0, "trunk": 90.0, "primary": 70.0, "secondary": 60.0, "tertiary": 50.0,
    "unclassified": 40.0, "residential": 30.0, "living_street": 10.0, "service": 20.0,
}
LANE_CAPACITY_VPH: dict[str, float] = {
    "motorway": 2000.0, "trunk": 1800.0, "primary": 1600.0, "secondary": 1200.0,
    "tertiary": 1000.0, "unclassified": 800.0, "residential": 600.0, "living_street": 300.0,
    "service": 400.0,
}
DEFAULT_LANES: dict[str, float] = {"motorway": 2.0}
LINK_SPEED_KMH = 60.0

#: ``maxspeed=walk``: walking pace, as living streets in several countries demand.
WALK_KMH = 7.0
MPH_KMH = 1.609344

#: Implicit limits by country and zone (``DE:urban``); ``None`` means "no limit" (class default).
ZONE_SPEED_KMH: dict[str, dict[str, float | None]] = {
    "DE": {"urban": 50, "rural": 100, "motorway": None, "living_street": WALK_KMH,
           "bicycle_road": 30, "trunk": 100},
    "AT": {"urban": 50, "rural": 100, "motorway": 130, "trunk": 100, "living_street": WALK_KMH},
    "CH": {"urban": 50, "rural": 80, "motorway": 120, "trunk": 100, "living_street": 20},
    "FR": {"urban": 50, "rural": 80, "motorway": 130, "trunk": 110, "living_street": 20},
    "IT": {"urban": 50, "rural": 90, "motorway": 130, "trunk": 110, "living_street": 10},
    "ES": {"urban": 50, "rural": 90, "motorway": 120, "trunk": 100, "living_street": 20},
    "PL": {"urban": 50, "rural": 90, "motorway": 140, "expressway": 120, "living_street": 20},
    "RU": {"urban": 60, "rural": 90, "motorway": 110, "living_street": 20},
    "UA": {"urban": 50, "rural": 90, "motorway": 130, "trunk": 110, "living_street": 20},
    "BY": {"urban": 60, "rural": 90, "motorway": 120, "living_street": 20},
    "GB": {"nsl_single": 60 * MPH_KMH, "nsl_dual": 70 * MPH_KMH, "motorway": 70 * MPH_KMH},
}
#: Zones of countries not listed above; typical European values.
GENERIC_ZONE_SPEED_KMH: dict[str, float | None] = {
    "urban": 50, "rural": 90, "motorway": 120, "trunk": 100, "living_street": 20,
    "walk": WALK_KMH,
}

#: Access values that shut a way to general motor traffic (buses, ``psv``, stay allowed).
BLOCKED_ACCESS = frozenset({"no", "private", "agricultural", "forestry"})
#: Most specific key first: ``access=no`` + ``motor_vehicle=yes`` is open to cars.
ACCESS_KEYS = ("motorcar", "motor_vehicle", "vehicle", "access")

_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$")
_ZONE_NUMBER = re.compile(r"^(?:zone|zone:)?(\d+)$")


class TagSource(Protocol):
    """Anything with ``get`` like a dict: an ``osmium`` tag list or a plain mapping."""

    def get(self, key: str, /) -> str | None:
        """The tag's value, ``None`` when the element does not carry it."""


@dataclass(frozen=True, slots=True)
class WayAttributes:
    """A drivable way's routing attributes, per direction of travel.

    ``direction`` is ``1`` for travel along the node order only, ``-1`` against it only and
    ``0`` for both ways.
    """

    road_class: int
    direction: int
    speed_forward_kmh: float
    speed_backward_kmh: float
    capacity_forward_vph: float
    capacity_backward_vph: float
    label: str


def parse_maxspeed(value: str | None, default_kmh: float) -> float:
    """A ``maxspeed`` value in km/h, or ``default_kmh`` when it states no usable number.

    Parameters
    ----------
    value
        Raw tag: ``"50"``, ``"30 mph"``, ``"none"``, ``"walk"``, ``"DE:urban"``,
        ``"RU:zone20"``; for a list (``"50;30"``) the first entry counts, since it is the
        limit that applies most of the time.
    default_kmh
        The class default, used for ``none``, ``signals``, ``variable`` and anything
        unreadable.
    """
    if value is None:
        return default_kmh
    parsed = _parse_maxspeed(value.split(";", 1)[0].strip().lower())
    return default_kmh if parsed is None or parsed <= 0 else parsed


@lru_cache(maxsize=1024)
def _parse_maxspeed(value: str) -> float | None:
    if value == "walk":
        return WALK_KMH
    number = _NUMBER.match(value)
    if number:
        speed = float(number.group(1))
        return speed * MPH_KMH if number.group(2) == "mph" else speed
    if ":" not in value:
        return None
    country, zone = value.split(":", 1)
    zone_number = _ZONE_NUMBER.match(zone)
    if zone_number:
        return float(zone_number.group(1))
    table = ZONE_SPEED_KMH.get(country.upper(), GENERIC_ZONE_SPEED_KMH)
    zone_speed = table.get(zone, GENERIC_ZONE_SPEED_KMH.get(zone))
    return None if zone_speed is None else float(zone_speed)


def parse_lanes(value: str | None) -> float | None:
    """A lane count from a ``lanes*`` tag, ``None`` if absent or not a positive number."""
    if value is None:
        return None
    try:
        lanes = float(value.split(";", 1)[0].strip())
    except ValueError:
        return None
    return lanes if lanes > 0 else None


def travel_direction(tags: TagSource, highway: str) -> int:
    """``1`` forward only, ``-1`` backward only, ``0`` both, from ``oneway`` and its implications.

    Roundabouts and motorways (with their ramps) are one-way unless tagged ``oneway=no``.
    ``reversible``/``alternating`` ways count as two-way: they do carry traffic both ways,
    just not at once.
    """
    oneway = (tags.get("oneway") or "").strip().lower()
    if oneway in ("yes", "true", "1"):
        return 1
    if oneway in ("-1", "reverse"):
        return -1
    if oneway in ("no", "false", "0", "reversible", "alternating"):
        return 0
    implied = (tags.get("junction") in ("roundabout", "circular")
               or highway in ("motorway", "motorway_link"))
    return 1 if implied else 0


def is_open_to_cars(tags: TagSource) -> bool:
    """Whether the most specific access tag present lets general motor traffic in."""
    for key in ACCESS_KEYS:
        value = tags.get(key)
        if value is not None:
            return not all(v.strip() in BLOCKED_ACCESS for v in value.split(";"))
    return True


def way_attributes(tags: TagSource) -> WayAttributes | None:
    """Routing attributes of a way, or ``None`` if a car cannot use it.

    Parameters
    ----------
    tags
        The way's tags.

    Returns
    -------
    WayAttributes or None
        ``None`` for non-road highways (footway, cycleway, path, track, …), areas
        (``area=yes``) and ways closed to motor traffic.
    """
    highway = tags.get("highway")
    cls = HIGHWAY_CLASS.get(highway or "")
    if highway is None or cls is None or tags.get("area") == "yes" or not is_open_to_cars(tags):
        return None
    is_link = highway.endswith("_link")
    default_speed = DEFAULT_SPEED_KMH[cls]
    if is_link:
        default_speed = min(default_speed, LINK_SPEED_KMH)
    maxspeed = tags.get("maxspeed")
    speed_fwd = parse_maxspeed(tags.get("maxspeed:forward") or maxspeed, default_speed)
    speed_bwd = parse_maxspeed(tags.get("maxspeed:backward") or maxspeed, default_speed)

    direction = travel_direction(tags, highway)
    default_lanes = 1.0 if is_link else DEFAULT_LANES.get(cls, 1.0)
    total = parse_lanes(tags.get("lanes"))
    if direction == 0:
        half = max(total / 2.0, 1.0) if total is not None else default_lanes
        lanes_fwd = parse_lanes(tags.get("lanes:forward")) or half
        lanes_bwd = parse_lanes(tags.get("lanes:backward")) or half
    else:
        lanes_fwd = lanes_bwd = total or default_lanes
    per_lane = LANE_CAPACITY_VPH[cls]
    return WayAttributes(
        road_class=ROAD_CLASSES.index(cls),
        direction=direction,
        speed_forward_kmh=speed_fwd,
        speed_backward_kmh=speed_bwd,
        capacity_forward_vph=per_lane * lanes_fwd,
        capacity_backward_vph=per_lane * lanes_bwd,
        label=_road_label(tags),
    )


#: Tag values mappers leave where the real value is unknown; never shown as a road's name.
PLACEHOLDER_VALUES = frozenset({"fixme", "todo", "unknown", "none", "no", "yes", "?", "-",
                                "n/a", "noref", "noname"})


def _road_label(tags: TagSource) -> str:
    """The way's ``ref``, else its ``name``, skipping placeholders such as ``ref=FIXME``."""
    for key in ("ref", "name"):
        value = (tags.get(key) or "").strip()
        folded = value.casefold()
        if value and folded not in PLACEHOLDER_VALUES and not folded.startswith("fixme"):
            return value
    return ""
