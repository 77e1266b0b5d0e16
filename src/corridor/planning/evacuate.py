"""Evacuate a scenario's origins over the whole road network, as fast as the roads allow.

The window planner moves people along one agreed corridor; this asks the question before any
agreement: if everyone at the scenario's origins left by car at once, by any open road to the
nearest destination with room on the roads, when would the last of them be safe? CCRP answers
it on the scenario's network (closed roads carry nobody); the exact quickest flow says how far
that answer is from the optimum, and a SUMO run checks it against simulated traffic.

Party rules and hazards do not restrict this plan, and destinations' capacities are reported
beside the people each would receive rather than enforced: it measures the roads, so that the
cost of the negotiated corridors can be set against it.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from corridor.errors import PlanningError
from corridor.i18n import _
from corridor.planning.ccrp import NetworkPlan, Route, SourcePlan, plan_ccrp
from corridor.planning.evacuation import EvacuationProblem, Source
from corridor.planning.optimal import QuickestFlow, quickest_flow
from corridor.planning.sumo import SumoCheck, simulate
from corridor.progress import Progress, silent
from corridor.world import World


@dataclass(frozen=True)
class Evacuation:
    """A CCRP plan of a scenario's origins, optionally measured against the optimum and SUMO."""

    world: World
    problem: EvacuationProblem
    plan: NetworkPlan
    origin_names: dict[int, list[str]]
    exit_names: dict[int, list[str]]
    exact: QuickestFlow | None = None
    simulated: SumoCheck | None = None

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON of ``corridor evacuate`` (documented in the README)."""
        received: dict[int, float] = defaultdict(float)
        origins = [self._origin(s, received) for s in self.plan.sources]
        sc = self.world.scenario
        capacity = {d.name: d.capacity for d in sc.places.destinations}
        return {
            "scenario": sc.name,
            "schematic": self.world.schematic,
            "data_note": self.world.data_note,
            "step_s": self.problem.step_s,
            "persons_per_vehicle": self.problem.persons_per_vehicle,
            "egress_hours": round(self.plan.egress_time_s / 3600.0, 3),
            "people_routed": round(self.plan.people_routed),
            "origins": origins,
            "destinations": [{"names": names, "capacity": sum(capacity[n] for n in names),
                              "people": round(received[node])}
                             for node, names in self.exit_names.items()],
            "exact": None if self.exact is None else {
                "egress_hours": round(self.exact.egress_time_s / 3600.0, 3),
                "ratio": _ratio(self.plan.egress_time_s, self.exact.egress_time_s)},
            "simulation": None if self.simulated is None else {
                "clearance_hours": round(self.simulated.simulated_s / 3600.0, 3),
                "difference_s": round(self.simulated.difference_s, 1),
                "tolerance_s": round(self.simulated.tolerance_s, 1),
                "within_tolerance": self.simulated.within_tolerance,
                "vehicles": self.simulated.vehicles, "arrived": self.simulated.arrived},
        }

    def _origin(self, source: SourcePlan, received: dict[int, float]) -> dict[str, Any]:
        by_exit: dict[int, list[Route]] = defaultdict(list)
        for route in source.routes:
            by_exit[route.nodes[-1]].append(route)
        arrivals = [d.arrive_s for r in source.routes for d in r.departures]
        out = []
        for node, routes in by_exit.items():
            people = sum(r.people for r in routes)
            received[node] += people
            out.append({"names": self.exit_names[node], "people": round(people),
                        "routes": len(routes), "km": round(min(self._km(r) for r in routes), 1),
                        "last_arrival_min": round(max(r.departures[-1].arrive_s
                                                      for r in routes) / 60.0, 1)})
        return {"names": self.origin_names[source.node], "people": source.people,
                "unrouted": source.unrouted, "reason": source.reason,
                "last_arrival_hours": round(max(arrivals, default=0.0) / 3600.0, 3),
                "destinations": out}

    def _km(self, route: Route) -> float:
        return float(self.problem.network.length_m[list(route.edges)].sum()) / 1000.0


def _ratio(planned_s: float, optimum_s: float) -> float | None:
    return round(planned_s / optimum_s, 4) if optimum_s > 0 else None


def evacuation_problem(world: World, *, step_s: float, persons_per_vehicle: float,
                       ) -> tuple[EvacuationProblem, dict[int, list[str]], dict[int, list[str]]]:
    """The scenario's origins and destinations as a network evacuation, and who is on which node.

    Origins and destinations are pinned to the network as the negotiation pins them; closed
    roads get no capacity. Raises :class:`PlanningError` when there is nobody to move or
    nowhere to go.
    """
    places = world.scenario.places
    origins: dict[int, list[str]] = defaultdict(list)
    sources = []
    for i, origin in enumerate(places.origins):
        if origin.people > 0:
            node = world.locate(origin.name, field=f"places.origins[{i}].name").node
            origins[node].append(origin.name)
            sources.append(Source(node, origin.people))
    if not sources:
        raise PlanningError(_("no origin under places.origins has people to move"),
                            field="places.origins")
    exits: dict[int, list[str]] = defaultdict(list)
    for i, destination in enumerate(places.destinations):
        exits[world.locate(destination.name, field=f"places.destinations[{i}].name").node].append(
            destination.name)
    if not exits:
        raise PlanningError(_("no destination under places.destinations to evacuate to"),
                            field="places.destinations")
    network = world.network
    open_roads = dataclasses.replace(
        network, capacity_vph=np.where(world.situation.closed, 0.0, network.capacity_vph))
    problem = EvacuationProblem(open_roads, tuple(sources), tuple(exits), step_s=step_s,
                                persons_per_vehicle=persons_per_vehicle)
    return problem, dict(origins), dict(exits)


def evacuate(world: World, *, step_s: float = 60.0, persons_per_vehicle: float = 3.0,
             exact: bool = False, simulate_in: Path | None = None,
             progress: Progress | None = None) -> Evacuation:
    """Plan the scenario's evacuation with CCRP; with ``exact``, also find the optimum.

    ``simulate_in`` names a directory for a SUMO check of the plan (its inputs and outputs are
    kept there); ``None`` skips the check. The optimum solves a max flow per probed horizon on
    the time-expanded network, so it costs far more than the plan: seconds on a small country
    at one-minute steps, much more at finer steps.
    """
    report = progress or silent
    problem, origins, exits = evacuation_problem(world, step_s=step_s,
                                                 persons_per_vehicle=persons_per_vehicle)
    report("routing evacuees (CCRP)", 0.0)
    plan = plan_ccrp(problem, progress=report)
    best = None
    if exact:
        report("exact quickest flow", 0.5)
        best = quickest_flow(problem, upper_steps=plan.egress_steps, progress=report)
    check = None
    if simulate_in is not None:
        report("simulating in SUMO", 0.9)
        simulate_in.mkdir(parents=True, exist_ok=True)
        check = simulate(problem, plan, simulate_in)
    return Evacuation(world, problem, plan, origins, exits, best, check)
