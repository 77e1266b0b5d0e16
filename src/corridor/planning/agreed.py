"""Plan inputs for a scenario's agreed corridors, read off the routed proposal.

The window planner knows nothing of maps: it needs minutes, vehicles per hour and where along
the route the hazards and checkpoints are. This module measures those on the route the
negotiation engine produced, so the plan and the verdicts describe the same road.
"""

from __future__ import annotations

import numpy as np
import shapely

from corridor.errors import PlanningError
from corridor.geodesy import LocalProjection
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
from corridor.scenario.schema import AgreedCorridor
from corridor.world import World, point_of


def agreed_spec(world: World, agreed: AgreedCorridor, *, resolution_min: int = 5,
                ) -> tuple[CorridorSpec, JudgedRoute]:
    """The planner's input for one agreed corridor, and the routed corridor it came from."""
    sc = world.scenario
    index = next(i for i, p in enumerate(sc.proposals) if p.id == agreed.proposal)
    proposal = sc.proposals[index]
    routed = evaluate_proposal(world, proposal, index)
    if routed.corridor is None:
        raise PlanningError(routed.error or "the proposal cannot be routed",
                            field=f"corridors[{agreed.id}].proposal")
    corridor = routed.corridor
    origin = next((o for o in sc.places.origins if o.name == proposal.origin), None)
    if origin is None:
        raise PlanningError(f"no origin {proposal.origin!r} under places.origins gives the "
                            "people to move", field=f"corridors[{agreed.id}]")
    travel_min = corridor.summary.hours * 60.0
    points = (tuple(BoardingPoint(a.name, a.people) for a in origin.assembly_points)
              or (BoardingPoint(origin.name, origin.people),))
    bus = origin.buses[0] if origin.buses else None
    buses = None if bus is None else BusShuttle(
        count=sum(b.count for b in origin.buses if b.seats == bus.seats), seats=bus.seats,
        approach_min=bus.start_minutes, load_min=bus.load_minutes,
        unload_min=bus.unload_minutes, speed_kmh=bus.speed_kmh)
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


def hazard_stretches(world: World, corridor: JudgedRoute, travel_min: float,
                     ) -> tuple[HazardStretch, ...]:
    """Runs of consecutive exposed edges, as minutes from the origin.

    A whole edge counts as exposed when any of it is: on a schematic network an edge is a
    town-to-town segment, and erring towards a longer stretch only makes departures earlier.
    """
    edges = corridor.path.edges
    if not len(edges):
        return ()
    times = world.network.travel_time_capped_s(world.scenario.convoy_speed_kmh)[edges]
    scale = travel_min * 60.0 / float(times.sum())
    ends = np.cumsum(times) * scale / 60.0
    starts = ends - times * scale / 60.0
    exposed = world.situation.total_exposure_km[edges] > 0
    stretches: list[HazardStretch] = []
    for i in np.flatnonzero(exposed):
        start, end = float(starts[i]), min(float(ends[i]), travel_min)
        if stretches and abs(stretches[-1].end_min - start) < 1e-9:
            stretches[-1] = HazardStretch(stretches[-1].start_min, end)
        else:
            stretches.append(HazardStretch(start, end))
    return tuple(stretches)


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
        lonlat = point_of(sc, world.gazetteer, spec.at, f"checkpoints[{k}].at")
        point = projection.to_metric(shapely.Point(lonlat))
        off_route_km = line.distance(point) / 1000.0
        if off_route_km > sc.network.max_snap_km:
            raise PlanningError(f"checkpoint {name!r} lies {off_route_km:.1f} km from the route "
                                f"of corridor {agreed.id!r}, expected at most "
                                f"{sc.network.max_snap_km:g} km (network.max_snap_km): a "
                                "checkpoint slows only the corridors that pass it",
                                field=f"checkpoints[{k}].at")
        fraction = line.project(point, normalized=True)
        out.append(RouteCheckpoint(name, float(fraction) * travel_min, spec.minutes_per_vehicle,
                              spec.lanes))
    return out
