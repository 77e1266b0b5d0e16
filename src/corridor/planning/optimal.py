"""Exact optima of a network evacuation, on the time-expanded network.

How many people can be at an exit by step ``T`` is a maximum flow on the network copied once per
step (edge arcs jump ``tau`` steps ahead, holdover arcs let people wait at a node). The quickest
evacuation is the smallest ``T`` whose max flow carries everyone; since that flow only grows with
``T``, a galloping then binary search finds it with a handful of OR-Tools max-flow solves. This
is what the CCRP heuristic is measured against, so its gap is a number, not a guess.

Capacities are the :class:`~corridor.planning.evacuation.TimeModel`'s, scaled by
:data:`~corridor.planning.evacuation.CAPACITY_SCALE` to integers without rounding (they were
rounded to that grain when the model was built), so both planners see the same problem.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import max_flow, min_cost_flow

from corridor.errors import PlanningError
from corridor.i18n import _
from corridor.planning.evacuation import CAPACITY_SCALE, EvacuationProblem, TimeModel
from corridor.progress import Progress, silent

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class _Expanded:
    """Arcs of the time-expanded network over ``horizon`` steps."""

    tails: IntArray
    heads: IntArray
    caps: IntArray
    costs: IntArray
    source: int
    sink: int
    n_nodes: int


def _expand(model: TimeModel, supplies: dict[int, int], horizon: int) -> _Expanded:
    """Build the time-expanded arcs: node ``v`` at step ``t`` is ``t * n + v``.

    With junction capacities each node also gets an entry copy (``offset + t * n + v``) that
    edge arcs enter and one capacity-limited arc leaves. Exits feed the sink only at the horizon;
    earlier arrivals wait there at no cost, so the min-cost objective is the sum of arrival
    steps and the max flow is "people safe by ``horizon``".
    """
    net = model.network
    n, steps = net.n_nodes, horizon + 1
    total = sum(supplies.values()) * CAPACITY_SCALE
    offset = n * steps
    source = offset * (2 if model.node_cap is not None else 1)
    sink = source + 1
    usable = np.flatnonzero((model.cap > 0) & (model.tau <= horizon))
    per_edge = steps - model.tau[usable]  # departures 0 .. horizon - tau
    edge_of = np.repeat(usable, per_edge)
    starts = np.repeat(np.cumsum(per_edge) - per_edge, per_edge)
    t_all = np.arange(len(edge_of), dtype=np.int64) - starts
    entry = offset if model.node_cap is not None else 0
    parts_t = [t_all * n + net.tail[edge_of]]
    parts_h = [entry + (t_all + model.tau[edge_of]) * n + net.head[edge_of]]
    parts_c = [np.rint(model.cap[edge_of] * CAPACITY_SCALE).astype(np.int64)]
    parts_k = [model.tau[edge_of]]
    wait_t = np.arange(horizon, dtype=np.int64)
    waits = (wait_t[:, None] * n + np.arange(n)[None, :]).ravel()
    exit_nodes = np.tile(model.is_exit, horizon)
    parts_t.append(waits)
    parts_h.append(waits + n)
    parts_c.append(np.full(len(waits), total, dtype=np.int64))
    parts_k.append(np.where(exit_nodes, 0, 1).astype(np.int64))
    if model.node_cap is not None:
        grid = np.arange(offset, dtype=np.int64)
        parts_t.append(offset + grid)
        parts_h.append(grid)
        unlimited = np.minimum(model.node_cap * CAPACITY_SCALE, total)  # inf -> everyone
        parts_c.append(np.tile(np.rint(unlimited).astype(np.int64), steps))
        parts_k.append(np.zeros(offset, dtype=np.int64))
    exits = np.flatnonzero(model.is_exit)
    nodes = np.array(list(supplies), dtype=np.int64)
    parts_t += [np.full(len(nodes), source), horizon * n + exits]
    parts_h += [nodes, np.full(len(exits), sink)]
    parts_c += [np.array([supplies[v] * CAPACITY_SCALE for v in supplies], dtype=np.int64),
                np.full(len(exits), total, dtype=np.int64)]
    parts_k += [np.zeros(len(nodes), dtype=np.int64), np.zeros(len(exits), dtype=np.int64)]
    return _Expanded(np.concatenate(parts_t), np.concatenate(parts_h),
                     np.concatenate(parts_c), np.concatenate(parts_k), source, sink, sink + 1)


def _supplies(problem: EvacuationProblem) -> dict[int, int]:
    """People per source node, leaving out nodes that are exits already."""
    model = problem.time_model
    out: dict[int, int] = {}
    for src in problem.sources:
        if src.people and not model.is_exit[src.node]:
            out[src.node] = out.get(src.node, 0) + src.people
    return out


def people_safe_by(problem: EvacuationProblem, horizon: int) -> float:
    """Most people that can be at an exit by step ``horizon`` (an exact max flow).

    Parameters
    ----------
    problem
        The evacuation (validated here).
    horizon
        Number of time steps of ``problem.step_s``.
    """
    supplies = _supplies(problem)
    if not supplies or horizon <= 0:
        return 0.0
    ten = _expand(problem.time_model, supplies, horizon)
    solver = max_flow.SimpleMaxFlow()
    solver.add_arcs_with_capacity(ten.tails, ten.heads, ten.caps)
    status = solver.solve(ten.source, ten.sink)
    if status != solver.OPTIMAL:
        raise PlanningError(_("max flow on the time-expanded network failed ({status})")
                            .format(status=status))
    return float(solver.optimal_flow()) / CAPACITY_SCALE


@dataclass(frozen=True)
class QuickestFlow:
    """The minimum evacuation time and the max flows that prove it.

    ``safe_by`` maps every horizon probed to the people safe by then: the entry at
    ``egress_steps`` carries everyone, the one at ``egress_steps - 1`` (when probed) does not.
    """

    egress_steps: int
    step_s: float
    people: int
    safe_by: dict[int, float]

    @property
    def egress_time_s(self) -> float:
        return self.egress_steps * self.step_s


def quickest_flow(problem: EvacuationProblem, *, upper_steps: int | None = None,
                  progress: Progress | None = None) -> QuickestFlow:
    """The minimum number of steps in which everyone who can escape reaches an exit.

    Parameters
    ----------
    problem
        The evacuation (validated here). People with no way out are left out, as in CCRP.
    upper_steps
        A horizon known to suffice (for instance a CCRP egress time); otherwise found by
        doubling from the shortest-path lower bound.
    progress
        Called as ``progress("optimum: T=..", fraction)`` before each max-flow solve.
    """
    model = problem.time_model
    supplies = {v: p for v, p in _supplies(problem).items() if model.can_escape[v]}
    people = sum(supplies.values())
    if people == 0:
        return QuickestFlow(0, model.step_s, 0, {})
    report = progress or silent
    escaping = EvacuationProblem(problem.network, tuple(
        s for s in problem.sources if s.node in supplies), problem.exits, problem.step_s,
        problem.persons_per_vehicle, problem.max_speed_kmh, problem.node_capacity)
    safe_by: dict[int, float] = {}

    def enough(horizon: int) -> bool:
        report(f"optimum: T={horizon}", len(safe_by) / 20.0)
        safe_by[horizon] = people_safe_by(escaping, horizon)
        return safe_by[horizon] >= people - 1e-9

    lower = int(model.shortest_steps()[list(supplies)].max()) - 1  # known infeasible
    if upper_steps is None:
        upper = max(1, 2 * (lower + 1))
        while not enough(upper):
            lower, upper = upper, 2 * upper
    else:
        upper = upper_steps
        if not enough(upper):
            raise PlanningError(_("{steps} steps do not suffice to evacuate everyone").format(
                                    steps=upper),
                                field="upper_steps")
        # A good heuristic lands close above the optimum: gallop down from it.
        gap = 1
        while upper - gap > lower:
            if not enough(upper - gap):
                lower = upper - gap
                break
            upper, gap = upper - gap, 2 * gap
    while upper - lower > 1:
        mid = (lower + upper) // 2
        if enough(mid):
            upper = mid
        else:
            lower = mid
    return QuickestFlow(upper, model.step_s, people, safe_by)


def min_total_time(problem: EvacuationProblem, horizon: int) -> float:
    """Least sum over evacuees of their arrival step, if everyone is safe by ``horizon``.

    This min-cost flow is far dearer than the max flows above (see the library notes), so it is
    meant for small instances, to judge how well a plan treats *everyone*, not just the last.

    Raises
    ------
    PlanningError
        If not everyone can be safe by ``horizon``.
    """
    model = problem.time_model
    supplies = {v: p for v, p in _supplies(problem).items() if model.can_escape[v]}
    if not supplies:
        return 0.0
    ten = _expand(model, supplies, horizon)
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(ten.tails, ten.heads, ten.caps, ten.costs)
    supply = np.zeros(ten.n_nodes, dtype=np.int64)
    total = sum(supplies.values()) * CAPACITY_SCALE
    supply[ten.source], supply[ten.sink] = total, -total
    solver.set_nodes_supplies(np.arange(ten.n_nodes, dtype=np.int64), supply)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise PlanningError(_("not everyone can be safe within {horizon} steps ({status})")
                            .format(horizon=horizon, status=status),
                            field="horizon")
    # Edge arcs cost tau, waiting off an exit costs 1: the sum of arrival steps of everyone.
    return float(solver.optimal_cost()) / CAPACITY_SCALE
