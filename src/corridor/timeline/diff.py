"""What changed between two snapshots: ground, settlements, hazards, and the corridors on them.

Areas are measured on a Lambert equal-area plane centred on the changed ground, after the
lon/lat outlines are densified, so a square degree counts what it covers on the ellipsoid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import shapely
from shapely.geometry import Polygon

from corridor.geo import feature_collection
from corridor.geodesy import LocalProjection
from corridor.negotiation.search import JudgedRoute, Negotiation, negotiate
from corridor.situation import ControlMap, HazardZone, Settlement
from corridor.situation.planar import Area, polygonal
from corridor.sources import read_sources
from corridor.world import World

#: Slivers below this many km² are round-off between two overlays of the same boundary.
MIN_KM2 = 0.001
#: Outlines are densified to this many degrees before projection (about 1 km).
_SIDE_DEG = 0.01


@dataclass(frozen=True)
class Picture:
    """The world as of one snapshot: its ground and what the talks made of it."""

    day: date | None
    control: ControlMap
    hazards: tuple[HazardZone, ...]
    settlements: tuple[Settlement, ...]
    negotiation: Negotiation


def picture(world: World, day: date | None) -> Picture:
    """Move ``world`` to the snapshot valid on ``day`` and negotiate there."""
    world.move_to(day)
    neg = negotiate(world, at=day)
    return Picture(world.day, world.control, tuple(world.hazards),
                   tuple(read_sources(world.scenario).settlements or ()), neg)


@dataclass(frozen=True)
class AreaChange:
    """Ground held by ``before`` on the first date and by ``after`` on the second.

    ``None`` is ground nobody holds (outside every area).
    """

    before: str | None
    after: str | None
    km2: float
    geometry: Area


def area_changes(before: ControlMap, after: ControlMap) -> list[AreaChange]:
    """Every holder pair's ground that changed hands, largest first."""
    labels = list(dict.fromkeys([*before.areas, *after.areas]))
    moved = polygonal(shapely.union_all(
        [shapely.symmetric_difference(before.areas.get(k, Polygon()),
                                      after.areas.get(k, Polygon())) for k in labels]))
    if moved.is_empty:
        return []
    projection = LocalProjection.for_bounds(moved.bounds)
    old, new = _within(before, moved), _within(after, moved)
    out = []
    for a, lost in old.items():
        for b, gained in new.items():
            if a == b:
                continue
            part = polygonal(shapely.intersection(lost, gained))
            km2 = _km2(projection, part)
            if km2 >= MIN_KM2:
                out.append(AreaChange(a, b, km2, part))
    return sorted(out, key=lambda c: -c.km2)


def _within(control: ControlMap, region: Area) -> dict[str | None, Area]:
    """Each holder's share of ``region``, and (key ``None``) the share nobody holds."""
    held = {label: polygonal(shapely.intersection(geom, region))
            for label, geom in control.areas.items()}
    nobody = shapely.difference(region, shapely.union_all(list(control.areas.values())))
    return {**{k: g for k, g in held.items() if not g.is_empty}, None: polygonal(nobody)}


def _km2(projection: LocalProjection, area: Area) -> float:
    if area.is_empty:
        return 0.0
    return float(projection.to_metric(shapely.segmentize(area, _SIDE_DEG)).area) / 1e6


def settlement_changes(before: Sequence[Settlement],
                       after: Sequence[Settlement]) -> list[dict[str, Any]]:
    """Settlements whose status differs, appeared (``from: null``) or went (``to: null``)."""
    old = {(s.name, s.lon, s.lat): s.status for s in before}
    new = {(s.name, s.lon, s.lat): s.status for s in after}
    return [{"name": name, "lon": lon, "lat": lat, "from": old.get(key), "to": new.get(key)}
            for key in dict.fromkeys([*old, *new]) if old.get(key) != new.get(key)
            for name, lon, lat in [key]]


def hazard_changes(before: Sequence[HazardZone],
                   after: Sequence[HazardZone]) -> dict[str, list[dict[str, Any]]]:
    """Zones added, removed, or (same name and risk, other outline) changed, with km²."""
    old = {(z.name, z.risk): z.geometry for z in before}
    new = {(z.name, z.risk): z.geometry for z in after}
    every = [g for g in (*old.values(), *new.values()) if not g.is_empty]
    if not every:
        return {"added": [], "removed": [], "changed": []}
    projection = LocalProjection.for_bounds(shapely.total_bounds(every))

    def zone(key: tuple[str, str], geometry: Area) -> dict[str, Any]:
        return {"name": key[0], "risk": key[1], "km2": round(_km2(projection, geometry), 1)}

    changed = []
    for key in old.keys() & new.keys():
        gained = _km2(projection, polygonal(shapely.difference(new[key], old[key])))
        lost = _km2(projection, polygonal(shapely.difference(old[key], new[key])))
        if gained >= MIN_KM2 or lost >= MIN_KM2:
            changed.append({"name": key[0], "risk": key[1], "km2_gained": round(gained, 1),
                            "km2_lost": round(lost, 1)})
    return {"added": [zone(k, g) for k, g in new.items() if k not in old],
            "removed": [zone(k, g) for k, g in old.items() if k not in new],
            "changed": sorted(changed, key=lambda c: (c["name"], c["risk"]))}


def _pair(a: Any, b: Any) -> dict[str, Any]:
    return {"from": a, "to": b}


def _route_facts(c: JudgedRoute | None) -> tuple[float | None, float | None, float | None,
                                                 bytes | None]:
    """Km, km in hazard zones, km through the other side's ground, and the edges."""
    if c is None:
        return None, None, None, None
    held = round(c.summary.held.km, 1) if c.summary.held is not None else 0.0
    return (round(c.summary.km, 1), round(c.summary.exposure_km["total"], 1), held,
            c.path.edges.tobytes())


def proposal_changes(before: Negotiation, after: Negotiation) -> list[dict[str, Any]]:
    """Per proposal: each party's verdict, the route and its exposure, on both dates."""
    old = {r.proposal.id: r.corridor for r in before.proposals}
    out = []
    for r in after.proposals:
        a, b = old.get(r.proposal.id), r.corridor
        parties = list(dict.fromkeys([*(a.verdicts if a else {}), *(b.verdicts if b else {})]))
        verdicts = {p: _pair(a.verdicts[p].acceptable if a and p in a.verdicts else None,
                             b.verdicts[p].acceptable if b and p in b.verdicts else None)
                    for p in parties}
        (km_a, exp_a, held_a, edges_a), (km_b, exp_b, held_b, edges_b) = (_route_facts(a),
                                                                          _route_facts(b))
        out.append({"id": r.proposal.id, "verdicts": verdicts,
                    "verdicts_changed": any(v["from"] != v["to"] for v in verdicts.values()),
                    "route_changed": edges_a != edges_b, "km": _pair(km_a, km_b),
                    "exposure_km": _pair(exp_a, exp_b), "held_km": _pair(held_a, held_b)})
    return out


def suggestion_changes(before: Negotiation, after: Negotiation,
                       ) -> dict[str, list[dict[str, Any]]]:
    """Per origin, each corridor suggested on either date: offered then and now, route, exposure.

    A suggestion is known by its destination and how it was found (mode, alternative,
    avoidance); ``offered`` is whether every party accepted it on that date.
    """
    out: dict[str, list[dict[str, Any]]] = {}
    for origin in dict.fromkeys([*before.search_days, *after.search_days]):
        old = _suggested(before.suggestions, origin)
        new = _suggested(after.suggestions, origin)
        rows = []
        for key in dict.fromkeys([*old, *new]):
            (km_a, exp_a, held_a, edges_a), (km_b, exp_b, held_b, edges_b) = (
                _route_facts(old.get(key)), _route_facts(new.get(key)))
            rows.append({"destination": key[0], "mode": key[1],
                         "offered": _pair(key in old, key in new),
                         "route_changed": key in old and key in new and edges_a != edges_b,
                         "km": _pair(km_a, km_b), "exposure_km": _pair(exp_a, exp_b),
                         "held_km": _pair(held_a, held_b)})
        out[origin] = rows
    return out


def _suggested(suggestions: Mapping[str, list[JudgedRoute]],
               origin: str) -> dict[tuple[str, str], JudgedRoute]:
    return {(c.destination, c.mode): c for c in suggestions.get(origin, [])}


def situation_diff(world: World, first: date, second: date) -> tuple[dict[str, Any],
                                                                      dict[str, Any]]:
    """The diff between the snapshots valid on ``first`` and ``second``: JSON and GeoJSON."""
    a, b = picture(world, first), picture(world, second)
    areas = area_changes(a.control, b.control)
    settlements = settlement_changes(a.settlements, b.settlements)
    hazards = hazard_changes(a.hazards, b.hazards)
    doc = {"scenario": world.scenario.name, "from": first.isoformat(), "to": second.isoformat(),
           "snapshots": _pair(_iso(a.day), _iso(b.day)),
           "areas": [{"from": c.before, "to": c.after, "km2": round(c.km2, 1)} for c in areas],
           "settlements": settlements, "hazards": hazards,
           "proposals": proposal_changes(a.negotiation, b.negotiation),
           "suggestions": suggestion_changes(a.negotiation, b.negotiation)}
    return doc, _geojson(areas, settlements, a.hazards, b.hazards)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _geojson(areas: Sequence[AreaChange], settlements: Sequence[dict[str, Any]],
             before: Sequence[HazardZone], after: Sequence[HazardZone]) -> dict[str, Any]:
    """Changed ground, settlements and zones as features with a ``kind``."""
    features: list[tuple[Any, dict[str, Any]]] = [
        (c.geometry, {"kind": "area_changed", "from": c.before, "to": c.after,
                      "km2": round(c.km2, 1)}) for c in areas]
    features += [(shapely.Point(s["lon"], s["lat"]), {"kind": "settlement_changed", **s})
                 for s in settlements]
    old = {(z.name, z.risk, z.geometry.wkb) for z in before}
    new = {(z.name, z.risk, z.geometry.wkb) for z in after}
    for kind, zones, other in (("hazard_added", after, old), ("hazard_removed", before, new)):
        features += [(z.geometry, {"kind": kind, "name": z.name, "risk": z.risk})
                     for z in zones if (z.name, z.risk, z.geometry.wkb) not in other]
    return feature_collection(features)
