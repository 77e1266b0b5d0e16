"""Ad-hoc routes: from A to B on the current situation, judged as a proposal would be.

A logistician asks "how do I get from here to there now, avoiding this?" without writing a
proposal. The answer is routed on the scenario's situation and described and judged by the same
code as the scenario's proposals (:func:`~corridor.negotiation.search.judge`), so an ad-hoc
route and a proposal along the same roads never read differently. The command line, the service
and the dashboard all go through :func:`route_adhoc` and :func:`adhoc_json`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from corridor.errors import RoutingError, ScenarioError
from corridor.i18n import _
from corridor.negotiation.output import route_line, verdicts_json
from corridor.negotiation.search import JudgedRoute, judge, locate_along
from corridor.routing.route import PassedSettlement, Settlements, settlements_along
from corridor.routing.weights import Mode, describe_exclusions
from corridor.situation import edges_touching
from corridor.situation.layers import read_layer
from corridor.situation.planar import Area
from corridor.world import Located, PlaceArg, World

#: A checkpoint this close to a route stands on it: the route passes through its control.
CHECKPOINT_ON_ROUTE_KM = 0.3
#: Most alternatives one request may ask for: each costs a search on the whole network.
MAX_ALTERNATIVES = 5

_LONLAT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


def parse_place(text: str) -> PlaceArg:
    """A place as typed: ``LON,LAT`` (decimal degrees) becomes a point, anything else a name."""
    match = _LONLAT.match(text)
    if match is None:
        return text.strip()
    return float(match.group(1)), float(match.group(2))


@dataclass(frozen=True)
class AvoidArea:
    """An area the route must not touch, and what to call it in messages."""

    name: str
    area: Area


def read_avoid_area(path: Path, *, field: str) -> AvoidArea:
    """Every polygon of a GIS file (any format the scenario's layers take) as one area."""
    layer = read_layer(path, kind="polygon", field=field)
    if not len(layer.geometries):
        raise ScenarioError(_("expected at least one polygon, found none"), source=path,
                            field=field)
    return AvoidArea(path.name, shapely.union_all(layer.geometries))


@dataclass(frozen=True)
class RouteQuery:
    """What to route: places in order (a name or ``(lon, lat)`` each) and how.

    ``prefix`` goes before every field name in errors: ``--`` on the command line (``--from``),
    nothing on the service (``from``).
    """

    origin: PlaceArg
    destination: PlaceArg
    via: tuple[PlaceArg, ...] = ()
    mode: Mode = Mode.FASTEST
    exclude: tuple[str, ...] = ()
    avoid: AvoidArea | None = None
    alternatives: int = 0
    window: str | None = None
    prefix: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.alternatives <= MAX_ALTERNATIVES:
            raise RoutingError(_("expected 0 to {limit} alternatives, got {value}").format(
                limit=MAX_ALTERNATIVES, value=self.alternatives),
                field=f"{self.prefix}alternatives")
        if self.alternatives and self.via:
            raise RoutingError(_("alternatives are searched between two places only; leave out "
                                 "the via places or ask for no alternatives"),
                               field=f"{self.prefix}alternatives")

    @property
    def places(self) -> list[PlaceArg]:
        return [self.origin, *self.via, self.destination]

    @property
    def fields(self) -> list[str]:
        p = self.prefix
        return [f"{p}from", *(f"{p}via[{k}]" for k in range(len(self.via))), f"{p}to"]


@dataclass(frozen=True)
class AdHocRoutes:
    """The places as pinned to the roads, the route and its alternatives, each judged."""

    query: RouteQuery
    places: list[Located]
    routes: list[JudgedRoute]


def route_adhoc(world: World, query: RouteQuery) -> AdHocRoutes:
    """Route ``query`` on the world's situation and judge every route found.

    Raises :class:`~corridor.errors.ScenarioError` for a place that cannot be resolved or lies
    off every road, and :class:`~corridor.errors.RoutingError` when no route exists (the
    message says whether it is the roads or the exclusions).
    """
    for k, label in enumerate(query.exclude):
        if world.situation.territory_index(label) < 0:
            known = ", ".join(world.situation.territories) or _("none")
            raise RoutingError(_("unknown territory {label!r}; the scenario knows {known}")
                               .format(label=label, known=known),
                               field=f"{query.prefix}exclude[{k}]")
    windows = _windows(world, query)
    located = locate_along(world, query.places, query.fields)
    metric = _metric(world, query, world.held_from(located[0].lonlat).origin_holder)
    if query.alternatives:
        paths = world.router.alternatives(located[0].node, located[-1].node, metric,
                                          k=query.alternatives + 1)
    else:
        paths = [world.router.route([loc.node for loc in located], metric)]
    label = query.mode.value + (f", avoiding {', '.join(query.exclude)}" if query.exclude
                                else "") + (f", avoiding {query.avoid.name}" if query.avoid
                                            else "")
    routes = [judge(world, located[0], located[-1], path,
                    label + (f" alternative {k}" if k else ""), windows)
              for k, path in enumerate(paths)]
    return AdHocRoutes(query, located, routes)


def _windows(world: World, query: RouteQuery) -> list[tuple[datetime, datetime]]:
    """The scenario window the route is judged in; none without ``window``."""
    if query.window is None:
        return []
    for w in world.scenario.windows:
        if w.id == query.window:
            return [(w.start, w.end)]
    known = ", ".join(w.id for w in world.scenario.windows) or _("none")
    raise ScenarioError(_("unknown window {window!r}; the scenario has {known}").format(
                            window=query.window, known=known),
                        field=f"{query.prefix}window")


def _metric(world: World, query: RouteQuery, origin_holder: str) -> str:
    """The router metric for the query: its mode and exclusions, and the avoided area closed.

    ``safest`` and ``balanced`` weigh the ground of every party but ``origin_holder``.
    """
    base = world.metric(query.mode, query.exclude, origin_holder)
    if query.avoid is None:
        return base
    edges = edges_touching(world.network, query.avoid.area)
    name = f"{base}|avoid:{hashlib.sha256(edges.tobytes()).hexdigest()[:16]}"
    if name not in world.router.metrics:
        weights = world.router.weights(base).copy()
        weights[edges] = np.inf
        area, exclude = query.avoid.name, tuple(query.exclude)
        world.router.customize(name, weights, excluded=lambda: _(
            "{excluded} and the area {name}").format(
                excluded=describe_exclusions(exclude, True), name=area))
    return name


def checkpoints_along(world: World, line: Sequence[tuple[float, float]],
                      ) -> list[PassedSettlement]:
    """The scenario's checkpoints a route ``line`` (lon, lat) passes, in order, with their km."""
    sc = world.scenario
    if not sc.checkpoints or len(line) < 2:
        return []
    points = [world.point(cp.at, f"checkpoints[{k}].at") for k, cp in enumerate(sc.checkpoints)]
    coords = np.asarray(line)
    return settlements_along(coords[:, 0], coords[:, 1], Settlements(
        [cp.name for cp in sc.checkpoints], [p[0] for p in points], [p[1] for p in points]),
        radius_km=CHECKPOINT_ON_ROUTE_KM)


def place_json(world: World, loc: Located, role: str) -> dict[str, Any]:
    """A place as asked for and where it met the roads (``snap_km`` from the place to its node)."""
    net = world.network
    return {"role": role, "name": loc.name, "resolved": loc.place.name,
            "lon": round(loc.place.lon, 5), "lat": round(loc.place.lat, 5),
            "snapped_to": [round(float(net.node_lon[loc.node]), 5),
                           round(float(net.node_lat[loc.node]), 5)],
            "snap_km": round(loc.snap_km, 3), "note": loc.note}


def roles(count: int) -> list[str]:
    """``origin``, ``via`` for each place between, ``destination``."""
    return ["origin", *["via"] * (count - 2), "destination"]


def route_json(world: World, route: JudgedRoute) -> dict[str, Any]:
    """One judged route: the summary a proposal gets, verdicts, checkpoints, its line."""
    return {"mode": route.mode, **route.route_dict(),
            "checkpoints": [{"name": c.name, "km": round(c.km, 1)}
                            for c in checkpoints_along(world, route.summary.geometry)],
            "verdicts": verdicts_json(route), "acceptable_to_all": route.acceptable_to_all,
            "line": route_line(route)}


def adhoc_json(world: World, result: AdHocRoutes) -> dict[str, Any]:
    """The stable JSON of ``corridor route --json`` and ``GET /api/route`` (README documents it).

    ``{"scenario", "data_note", "as_of", "mode", "window", "exclude", "avoid", "places",
    "route", "alternatives"}``; ``as_of`` is the date of the situation snapshot routed on.
    """
    query = result.query
    first, *others = [route_json(world, r) for r in result.routes]
    return {"scenario": world.scenario.name, "data_note": world.data_note,
            "as_of": None if world.day is None else world.day.isoformat(),
            "mode": query.mode.value, "window": query.window, "exclude": list(query.exclude),
            "avoid": None if query.avoid is None else query.avoid.name,
            "places": [place_json(world, loc, role) for loc, role in
                       zip(result.places, roles(len(result.places)), strict=True)],
            "route": first, "alternatives": others}
