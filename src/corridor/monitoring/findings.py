"""What holds for one watched route under the world's current situation.

The route is found again through the subject's stops on the re-weighted router and judged as
``negotiate`` judges it. The conditions an alert can be about are listed with where along the
route they begin: each hazard zone it enters, the front line if it crosses it, each territory of
a holder other than the origin's, each party rule that fails, and the route itself when it no
longer exists or no longer runs as judged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from corridor.errors import CorridorError, RoutingError
from corridor.geodesy import LocalProjection, haversine_m
from corridor.i18n import _, format_decimal, use_language
from corridor.negotiation.search import JudgedRoute, judge, locate_along
from corridor.routing.weights import Mode
from corridor.rules import reason_text
from corridor.situation import HazardZone
from corridor.store.engine import OPEN_ENDED
from corridor.store.situations import Finding
from corridor.wording import risk
from corridor.world import World

from .subjects import Watched

LonLat = tuple[float, float]


@dataclass(frozen=True)
class _Ground:
    """The world's hazards and front line on one metric plane over the whole network.

    Made once per situation and shared by every route judged under it: projecting the zones
    per route would cost more than judging it.
    """

    key: tuple[object, ...]
    projection: LocalProjection
    hazards: tuple[tuple[HazardZone, shapely.Geometry], ...]
    front: shapely.Geometry


_GROUND: list[_Ground] = []


def _ground(world: World) -> _Ground:
    key = (world.situation, world.hazards, world.front_line)
    if _GROUND and all(a is b for a, b in zip(_GROUND[0].key, key, strict=True)):
        return _GROUND[0]
    projection = LocalProjection.for_bounds(world.network.bbox, equidistant=True)
    zones = tuple((z, projection.to_metric(z.geometry)) for z in world.hazards
                  if not z.geometry.is_empty)
    for zone, _metric in zones:
        shapely.prepare(zone.geometry)
    front = projection.to_metric(world.front_line)
    _GROUND[:] = [_Ground(key, projection, zones, front)]
    return _GROUND[0]


class _Line:
    """The route on a metric plane: how far along it a point lies, and what lies nearest."""

    def __init__(self, world: World, geometry: Sequence[LonLat]) -> None:
        self.world = world
        self.ground = _ground(world)
        self.projection = self.ground.projection
        self.lonlat = shapely.LineString(geometry) if len(geometry) > 1 else shapely.Point(
            geometry[0])
        self.metric = self.projection.to_metric(self.lonlat)

    def first_meeting(self, area: shapely.Geometry,
                      metric: shapely.Geometry) -> tuple[float, LonLat] | None:
        """Km from the origin where the route first meets ``area`` (``metric`` on the plane)."""
        if not shapely.intersects(self.lonlat, area):
            return None
        meeting = shapely.intersection(self.metric, metric)
        points = shapely.points(shapely.get_coordinates(meeting))
        if len(points) == 0:
            return None
        along = float(np.min(shapely.line_locate_point(self.metric, points)))
        return along / 1000.0, self.point_at(along)

    def point_at(self, metres: float) -> LonLat:
        """The lon/lat of the point ``metres`` along the route."""
        point = self.projection.to_lonlat(shapely.line_interpolate_point(self.metric, metres))
        return float(point.x), float(point.y)

    def nearest_settlement(self, lonlat: LonLat) -> str | None:
        """The settlement nearest to a point on the route, of those the world names."""
        towns = self.world.settlements
        if not len(towns.names):
            return None
        distance = haversine_m(lonlat[0], lonlat[1], np.asarray(towns.lon),
                               np.asarray(towns.lat))
        return str(towns.names[int(np.argmin(distance))])


def finding_text(code: str, p: Mapping[str, Any]) -> str:
    """A finding (its ``code`` and ``params``) in words, in the active language.

    Codes: ``finding.hazard``, ``finding.front_line``, ``finding.territory``,
    ``finding.rule``, ``finding.route_changed`` and ``finding.unreachable``; a finding located
    on the route ends with where (``at km 12.3, near Orikhiv``).

    Raises
    ------
    KeyError
        If ``code`` is none of these.
    """
    subject = p["subject"]
    match code:
        case "finding.hazard":
            text = _("{subject} enters hazard zone {zone} ({risk} risk)").format(
                subject=subject, zone=f"'{p['zone']}'", risk=risk(p["risk"]))
        case "finding.front_line":
            text = _("{subject} crosses the front line").format(subject=subject)
        case "finding.territory":
            text = _("{subject} enters {territory} (held by {holder}; its origin is held by "
                     "{origin_holder})").format(subject=subject, territory=p["territory"],
                                                holder=p["holder"],
                                                origin_holder=p["origin_holder"])
        case "finding.rule":
            return _("{subject}: a rule of {party} fails: {reason}").format(
                subject=subject, party=p["party"],
                reason=reason_text(p["reason"]["code"], p["reason"]["params"]))
        case "finding.route_changed":
            text = _("{subject} no longer runs as judged: the road leaves it").format(
                subject=subject)
        case "finding.unreachable":
            return _("{subject} can no longer be driven: {error}").format(subject=subject,
                                                                        error=p["error"])
        case _other:
            raise KeyError(code)
    where = _("at km {km}").format(km=format_decimal(p["km"], 1))
    if p.get("near"):
        where = _("{where}, near {place}").format(where=where, place=p["near"])
    return f"{text} {where}"


def _finding(kind: str, key: str, what: str, code: str, params: dict[str, Any],
             party: str | None = None, km: float | None = None, near: str | None = None,
             lonlat: LonLat | None = None) -> Finding:
    """A finding with its English record worded from its code and parameters.

    The record stays English whatever language the request that ran the monitor spoke, so that
    every stored alert reads alike; it is worded anew for each reader from ``code``/``params``.
    """
    with use_language("en"):
        message = finding_text(code, params)
    return Finding(kind, key, what, message, party, km, near, lonlat, code, params)


def _located(line: _Line, kind: str, key: str, what: str, code: str, params: dict[str, Any],
             km: float, lonlat: LonLat, party: str | None = None) -> Finding:
    near = line.nearest_settlement(lonlat)
    return _finding(kind, key, what, code, {**params, "km": round(km, 3), "near": near}, party,
                    km, near, lonlat)


def _hazards(world: World, w: Watched, line: _Line) -> list[Finding]:
    out = []
    for zone, metric in line.ground.hazards:
        if (met := line.first_meeting(zone.geometry, metric)) is None:
            continue
        out.append(_located(line, "hazard", f"{zone.name}|{zone.risk}", zone.name,
                            "finding.hazard", {"subject": w.label, "zone": zone.name,
                                               "risk": zone.risk}, *met))
    return out


def _front(world: World, w: Watched, line: _Line) -> list[Finding]:
    if world.front_line.is_empty or (
            met := line.first_meeting(world.front_line, line.ground.front)) is None:
        return []
    return [_located(line, "front_line", "front line", "front line", "finding.front_line",
                     {"subject": w.label}, *met)]


def _holder(world: World, label: str) -> str:
    """Who holds ``label``: the party claiming it, else the label itself."""
    return next((p.id for p in world.scenario.parties if label in p.holds), label)


def _territories(world: World, w: Watched, judged: JudgedRoute, line: _Line) -> list[Finding]:
    origin = _holder(world, judged.facts.origin_territory)
    out: dict[str, Finding] = {}
    km = 0.0
    for run in judged.summary.territories:
        label = run.label or ""
        if label and label not in out and _holder(world, label) != origin:
            out[label] = _located(line, "territory", label, label, "finding.territory",
                                  {"subject": w.label, "territory": label,
                                   "holder": _holder(world, label), "origin_holder": origin},
                                  km, line.point_at(km * 1000.0))
        km += run.km
    return list(out.values())


def _rules(w: Watched, judged: JudgedRoute) -> list[Finding]:
    return [_finding("rule", f"{party}:{reason.rule_index}:{reason.code}", reason.code,
                     "finding.rule", {"subject": w.label, "party": party,
                                      "reason": {"code": reason.code,
                                                 "params": dict(reason.params)}}, party)
            for party, verdict in judged.verdicts.items() for reason in verdict.violated]


def _rounded(line: Sequence[LonLat]) -> list[LonLat]:
    return [(round(x, 5), round(y, 5)) for x, y in line]


def _changed(w: Watched, judged: JudgedRoute, line: _Line) -> list[Finding]:
    """The route no longer runs where it was judged (a road on it closed, say)."""
    if w.route is None:
        return []
    now, then = _rounded(judged.summary.geometry), _rounded(w.route)
    if now == then:
        return []
    split = next((i for i, (a, b) in enumerate(zip(now, then, strict=False)) if a != b),
                 min(len(now), len(then)) - 1)
    point = shapely.points(*line.projection.forward(*now[max(split - 1, 0)]))
    km = float(shapely.line_locate_point(line.metric, point)) / 1000.0
    return [_located(line, "route", "changed", "route changed", "finding.route_changed",
                     {"subject": w.label}, km, line.point_at(km * 1000.0))]


def findings(world: World, w: Watched) -> list[Finding]:
    """Every condition that holds for ``w`` under the world's current situation.

    A stop the gazetteer no longer knows leaves the subject unjudged (no findings): that is a
    change of data, not of the ground.
    """
    try:
        located = locate_along(world, w.stops, w.fields)
    except CorridorError:
        return []
    try:
        path = world.router.route([loc.node for loc in located], world.metric(Mode.FASTEST))
    except RoutingError as exc:
        return [_finding("route", "unreachable", "no route", "finding.unreachable",
                         {"subject": w.label, "error": exc.message})]
    judged = judge(world, located[0], located[-1], path, "as judged",
                   [(start, end or start + OPEN_ENDED) for start, end in w.windows])
    line = _Line(world, judged.summary.geometry)
    return [*_hazards(world, w, line), *_front(world, w, line),
            *_territories(world, w, judged, line), *_rules(w, judged), *_changed(w, judged, line)]
