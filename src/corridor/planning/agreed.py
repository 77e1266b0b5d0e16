"""Plan inputs for a scenario's agreed corridors, read off the routed proposal.

The window planner knows nothing of maps: it needs minutes, vehicles per hour and where along
the route the hazards and checkpoints are. This module measures those on the route the
negotiation engine produced, so the plan and the verdicts describe the same road.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from corridor.errors import PlanningError
from corridor.geodesy import LocalProjection
from corridor.i18n import _
from corridor.negotiation.search import JudgedRoute, evaluate_proposal
from corridor.planning.model import (
    BoardingPoint,
    BusShuttle,
    CorridorSpec,
    HazardStretch,
    PrivateCars,
    RouteCheckpoint,
    RouteProfile,
    TimeWindow,
)
from corridor.rules import evaluate
from corridor.scenario.schema import AgreedCorridor, Origin, Scenario
from corridor.world import World


def agreed_spec(world: World, agreed: AgreedCorridor, *, resolution_min: int = 5,
                ) -> tuple[CorridorSpec, JudgedRoute]:
    """The planner's input for one agreed corridor, and the routed corridor it came from."""
    sc = world.scenario
    index = next(i for i, p in enumerate(sc.proposals) if p.id == agreed.proposal)
    proposal = sc.proposals[index]
    routed = evaluate_proposal(world, proposal, index)
    if routed.corridor is None:
        raise PlanningError(routed.error or _("the proposal cannot be routed"),
                            field=f"corridors[{agreed.id}].proposal")
    corridor = _judged_in(world, routed.corridor, agreed)
    origin = _origin(sc, proposal.origin)
    if origin is None:
        raise PlanningError(_("no origin {origin!r} under places.origins gives the people to "
                              "move").format(origin=proposal.origin),
                            field=f"corridors[{agreed.id}]")
    travel_min = corridor.summary.hours * 60.0
    points = _boarding_points(origin)
    buses = _shuttle(origin)
    cars = None if origin.cars is None else PrivateCars(
        origin.cars.count, origin.cars.occupancy, origin.cars.per_hour)
    windows = tuple(TimeWindow(w.start, w.end) for w in sc.windows if w.id in agreed.windows)
    destination = next((d for d in sc.places.destinations if d.name == proposal.destination),
                       None)
    edges = corridor.path.edges
    spec = CorridorSpec(
        corridor=RouteProfile(
            id=agreed.id,
            length_km=corridor.summary.km,
            travel_min=travel_min,
            capacity_vph=float(world.network.capacity_vph[edges].min()) if len(edges) else 0.0,
            hazards=hazard_stretches(world, corridor, travel_min),
        ),
        assembly_points=points,
        windows=windows,
        buses=buses,
        cars=cars,
        checkpoints=tuple(_checkpoints(world, agreed, corridor, travel_min)),
        reception_capacity=None if destination is None else destination.capacity,
        resolution_min=resolution_min,
    )
    return spec, corridor


def _judged_in(world: World, corridor: JudgedRoute, agreed: AgreedCorridor) -> JudgedRoute:
    """The routed proposal judged again over the corridor's agreed windows.

    The verdicts given on the proposal may be stale: the situation or a party's rules have
    changed since, or the corridor runs in windows the proposal did not name.
    """
    windows = [(w.start, w.end) for w in world.scenario.windows if w.id in agreed.windows]
    facts = replace(corridor.facts, windows=windows)
    return replace(corridor, facts=facts, verdicts=evaluate(world.scenario, facts),
                   windows=tuple(agreed.windows))


def _boarding_points(origin: Origin) -> tuple[BoardingPoint, ...]:
    """Where the people without a car wait.

    At the assembly points, and at the origin itself for whoever they do not list.
    """
    points = [BoardingPoint(a.name, a.people) for a in origin.assembly_points]
    rest = origin.bus_riders - sum(a.people for a in origin.assembly_points)
    if rest > 0 or not points:
        points.append(BoardingPoint(origin.name, rest))
    return tuple(points)


def _origin(sc: Scenario, name: str) -> Origin | None:
    return next((o for o in sc.places.origins if o.name == name), None)


def _shuttle(origin: Origin) -> BusShuttle | None:
    """The origin's fleets as one shuttle with the first fleet's seats; buses keep fleet names.

    The planner runs one bus size per origin: fleets of another size are named by
    :func:`unplanned_fleets` rather than counted with the wrong seats.
    """
    if not origin.buses:
        return None
    bus = origin.buses[0]
    fleets = tuple((b.id, b.count) for b in origin.buses if b.seats == bus.seats)
    return BusShuttle(count=sum(n for _, n in fleets), seats=bus.seats,
                      approach_min=bus.start_minutes, load_min=bus.load_minutes,
                      unload_min=bus.unload_minutes, speed_kmh=bus.speed_kmh, fleets=fleets)


def unplanned_fleets(sc: Scenario, agreed: AgreedCorridor) -> list[dict[str, Any]]:
    """The corridor origin's fleets the plan leaves out: ``id``, ``buses``, ``seats``, ``reason``.

    The window planner moves identical buses, so only fleets with the first fleet's seats are
    planned; the others are reported, never silently dropped.
    """
    proposal = next(p for p in sc.proposals if p.id == agreed.proposal)
    origin = _origin(sc, proposal.origin)
    return [] if origin is None else _left_out(origin)


def _left_out(origin: Origin) -> list[dict[str, Any]]:
    if not origin.buses:
        return []
    first = origin.buses[0]
    return [{"id": b.id, "buses": b.count, "seats": b.seats,
             "reason": f"{b.seats} seats a bus, unlike the {first.seats} of the origin's first "
                       f"fleet {first.id!r}: the planner runs one bus size per origin"}
            for b in origin.buses if b.seats != first.seats]


def fleet_notes(sc: Scenario) -> list[str]:
    """One line per fleet ``corridor plan`` leaves out, for ``corridor validate``."""
    return [f"origin {o.name!r}: fleet {f['id']!r} ({f['buses']} buses, {f['seats']} seats) is "
            f"not planned: {f['reason']}"
            for o in sc.places.origins for f in _left_out(o)]


def hazard_stretches(world: World, corridor: JudgedRoute, travel_min: float,
                     ) -> tuple[HazardStretch, ...]:
    """Runs of consecutive exposed edges, as minutes from the origin.

    A whole edge counts as exposed when any of it is: on a schematic network an edge is a
    town-to-town segment, and erring towards a longer stretch only makes departures earlier.
    """
    edges = corridor.path.edges
    if not len(edges):
        return ()
    ends = _minutes_along(world, corridor, travel_min)
    starts, ends = ends[:-1], ends[1:]
    exposed = world.situation.total_exposure_km[edges] > 0
    stretches: list[HazardStretch] = []
    for i in np.flatnonzero(exposed):
        start, end = float(starts[i]), min(float(ends[i]), travel_min)
        if stretches and abs(stretches[-1].end_min - start) < 1e-9:
            stretches[-1] = HazardStretch(stretches[-1].start_min, end)
        else:
            stretches.append(HazardStretch(start, end))
    return tuple(stretches)


def _minutes_along(world: World, corridor: JudgedRoute, travel_min: float,
                   ) -> npt.NDArray[np.float64]:
    """Minutes from the origin at the start of each edge of the route, and at its end."""
    times = world.network.travel_time_capped_s(world.scenario.convoy_speed_kmh)[
        corridor.path.edges]
    scale = travel_min / float(times.sum()) if times.sum() > 0 else 0.0
    return np.concatenate([[0.0], np.cumsum(times) * scale])


def along_route(world: World, spec: CorridorSpec, corridor: JudgedRoute) -> dict[str, Any]:
    """Where the checkpoints and hazard stretches lie on the route.

    In km and minutes from the origin at convoy speed: the plan's JSON ``checkpoints`` and
    ``hazard_stretches``.
    """
    route = spec.corridor
    minutes = _minutes_along(world, corridor, route.travel_min)
    km = np.concatenate([[0.0], np.cumsum(world.network.length_m[corridor.path.edges])]) / 1000

    def km_at(minute: float) -> float:
        return round(float(np.interp(minute, minutes, km)), 1)

    return {
        "checkpoints": [{"id": c.id, "km": km_at(c.position_min),
                         "minutes": round(c.position_min, 1)} for c in spec.checkpoints],
        "hazard_stretches": [{"from_km": km_at(h.start_min), "to_km": km_at(h.end_min),
                              "from_minutes": round(h.start_min, 1),
                              "to_minutes": round(h.end_min, 1)} for h in route.hazards],
    }


def _checkpoints(world: World, agreed: AgreedCorridor, corridor: JudgedRoute,
                 travel_min: float) -> list[RouteCheckpoint]:
    """Each named checkpoint placed at its nearest point along the route."""
    sc = world.scenario
    geometry = corridor.summary.geometry
    lons, lats = zip(*geometry, strict=True)
    projection = LocalProjection.for_bounds((min(lons), min(lats), max(lons), max(lats)))
    line = projection.to_metric(shapely.LineString(geometry))
    out = []
    for name in agreed.checkpoints:
        k = next(i for i, c in enumerate(sc.checkpoints) if c.name == name)
        spec = sc.checkpoints[k]
        lonlat = world.point(spec.at, f"checkpoints[{k}].at")
        point = projection.to_metric(shapely.Point(lonlat))
        off_route_km = line.distance(point) / 1000.0
        if off_route_km > sc.network.max_snap_km:
            raise PlanningError(_("checkpoint {name!r} lies {off_route_km:.1f} km from the "
                                  "route of corridor {corridor!r}, expected at most "
                                  "{limit_km:g} km ({key}): a checkpoint slows only the "
                                  "corridors that pass it").format(
                name=name, off_route_km=off_route_km, corridor=agreed.id,
                limit_km=sc.network.max_snap_km, key="network.max_snap_km"),
                                field=f"checkpoints[{k}].at")
        fraction = line.project(point, normalized=True)
        out.append(RouteCheckpoint(name, float(fraction) * travel_min, spec.minutes_per_vehicle,
                              spec.lanes))
    return out
