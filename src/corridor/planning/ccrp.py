"""Capacity-constrained route planning (CCRP, Lu, George & Shekhar 2005) on a road network.

CCRP repeats one step until everyone is routed: find, over all sources that still have people,
the path that reaches an exit *earliest* given the capacity already reserved, and reserve as
many people on it as its tightest edge-time slot (or the source) allows. Each search is a
time-aware Dijkstra: leaving a node at time ``t`` over edge ``e`` means waiting for the first
step ``>= t`` in which ``e`` has capacity left, so labels are earliest arrival times and the
FIFO property keeps Dijkstra exact. Searches stop at the first exit they settle.

Reservations are kept sparse (only edges and steps actually used) with a per-edge "full up to"
pointer, so the search never rescans slots known to be full. The result can be compared with
the exact quickest flow of :mod:`corridor.planning.optimal`, since both read the same
:class:`~corridor.planning.evacuation.TimeModel`.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from corridor.planning.evacuation import EvacuationProblem, TimeModel
from corridor.progress import Progress

#: Amounts of people below this are treated as zero (capacities are multiples of 1/1000).
_EPS = 1e-6


@dataclass(frozen=True)
class Departure:
    """A group leaving its source at ``depart_s`` and reaching the exit at ``arrive_s``."""

    depart_s: float
    arrive_s: float
    people: float


@dataclass(frozen=True)
class Route:
    """One path from a source to an exit and every group sent along it, earliest first."""

    nodes: tuple[int, ...]
    edges: tuple[int, ...]
    departures: tuple[Departure, ...]

    @property
    def people(self) -> float:
        return sum(d.people for d in self.departures)


@dataclass(frozen=True)
class SourcePlan:
    """Routes of one source node; ``unrouted`` people have no way out (see ``reason``)."""

    node: int
    people: int
    routes: tuple[Route, ...]
    unrouted: int
    reason: str | None

    def schedule(self) -> tuple[tuple[float, float], ...]:
        """Departure schedule: ``(depart_s, people)`` summed over routes, in time order."""
        total: dict[float, float] = defaultdict(float)
        for route in self.routes:
            for d in route.departures:
                total[d.depart_s] += d.people
        return tuple(sorted(total.items()))


@dataclass(frozen=True)
class NetworkPlan:
    """A complete evacuation plan; ``egress_time_s`` is when the last evacuee is safe."""

    egress_steps: int
    step_s: float
    sources: tuple[SourcePlan, ...]
    searches: int

    @property
    def egress_time_s(self) -> float:
        return self.egress_steps * self.step_s

    @property
    def people_routed(self) -> float:
        return sum(r.people for s in self.sources for r in s.routes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: egress time, then per source its routes and departures."""
        return {
            "egress_time_s": self.egress_time_s,
            "step_s": self.step_s,
            "people_routed": round(self.people_routed, 3),
            "searches": self.searches,
            "sources": [{
                "node": s.node, "people": s.people, "unrouted": s.unrouted, "reason": s.reason,
                "routes": [{"nodes": list(r.nodes), "people": round(r.people, 3),
                            "departures": [{"depart_s": d.depart_s, "arrive_s": d.arrive_s,
                                            "people": round(d.people, 3)}
                                           for d in r.departures]}
                           for r in s.routes],
            } for s in self.sources],
        }


class _Slots:
    """Capacity left per time step for a set of resources (edges or nodes), stored sparsely.

    A resource never reserved has its full capacity in every step; once reserved, it gets a
    list of what is left per step, grown on demand. ``full[r]`` is a step before which every
    slot of ``r`` is known to be exhausted, so searches start there.
    """

    def __init__(self, capacity: list[float]) -> None:
        self.capacity = capacity
        self.left: dict[int, list[float]] = {}
        self.full = [0] * len(capacity)

    def first_free(self, r: int, t: int) -> int:
        """Earliest step ``>= t`` in which ``r`` has capacity left."""
        t = max(t, self.full[r])
        slots = self.left.get(r)
        if slots is None:
            return t
        while t < len(slots) and slots[t] <= _EPS:
            t += 1
        return t

    def available(self, r: int, t: int) -> float:
        slots = self.left.get(r)
        return slots[t] if slots is not None and t < len(slots) else self.capacity[r]

    def take(self, r: int, t: int, amount: float) -> None:
        slots = self.left.setdefault(r, [])
        if t >= len(slots):
            slots.extend([self.capacity[r]] * (t + 1 - len(slots)))
        slots[t] -= amount
        full = self.full[r]
        while full < len(slots) and slots[full] <= _EPS:
            full += 1
        self.full[r] = full


class _Planner:
    """State of one CCRP run: adjacency, reservations and the people still to route."""

    def __init__(self, model: TimeModel) -> None:
        net = model.network
        self.model = model
        indptr, head, tau = net.indptr.tolist(), net.head.tolist(), model.tau.tolist()
        usable = (model.cap > _EPS).tolist()
        self.out = [[(e, head[e], tau[e]) for e in range(indptr[u], indptr[u + 1]) if usable[e]]
                    for u in range(net.n_nodes)]
        self.edges = _Slots(model.cap.tolist())
        self.nodes = None if model.node_cap is None else _Slots(model.node_cap.tolist())
        self.is_exit = model.is_exit.tolist()

    def _depart(self, e: int, v: int, tau: int, t: int) -> int:
        """Earliest step ``>= t`` to enter edge ``e`` with room on it and at its head ``v``."""
        dep = self.edges.first_free(e, t)
        if self.nodes is None:
            return dep
        while True:
            arrive = self.nodes.first_free(v, dep + tau)
            if arrive == dep + tau:
                return dep
            dep = self.edges.first_free(e, arrive - tau)

    def earliest_path(self, starts: list[int]) -> list[tuple[int, int, int]]:
        """``(edge, head, depart step)`` of the earliest-arriving path from any start node."""
        inf = 1 << 62
        best = [inf] * len(self.out)
        pred: dict[int, tuple[int, int, int]] = {}
        heap = [(0, s) for s in starts]
        for s in starts:
            best[s] = 0
        heapq.heapify(heap)
        while heap:
            t, u = heapq.heappop(heap)
            if t > best[u]:
                continue
            if self.is_exit[u]:
                return _walk_back(pred, u)
            for e, v, tau in self.out[u]:
                dep = self._depart(e, v, tau, t)
                arrive = dep + tau
                if arrive < best[v]:
                    best[v] = arrive
                    pred[v] = (e, u, dep)
                    heapq.heappush(heap, (arrive, v))
        return []

    def retime(self, path: list[tuple[int, int, int]], t: int) -> list[tuple[int, int, int]]:
        """The same edges, leaving the source at step ``t`` or later, each as early as it can."""
        out: list[tuple[int, int, int]] = []
        tau = self.model.tau
        for e, v, _ in path:
            dep = self._depart(e, v, int(tau[e]), t)
            out.append((e, v, dep))
            t = dep + int(tau[e])
        return out

    def reserve(self, path: list[tuple[int, int, int]], limit: float) -> float:
        """Reserve up to ``limit`` people along ``path``; return how many fitted."""
        flow = limit
        for e, v, dep in path:
            flow = min(flow, self.edges.available(e, dep))
            if self.nodes is not None:
                flow = min(flow, self.nodes.available(v, dep + self.model.tau[e]))
        for e, v, dep in path:
            self.edges.take(e, dep, flow)
            if self.nodes is not None:
                self.nodes.take(v, dep + int(self.model.tau[e]), flow)
        return flow


def _walk_back(pred: dict[int, tuple[int, int, int]], node: int) -> list[tuple[int, int, int]]:
    path: list[tuple[int, int, int]] = []
    while node in pred:
        e, tail, dep = pred[node]
        path.append((e, node, dep))
        node = tail
    path.reverse()
    return path


def plan_ccrp(problem: EvacuationProblem, *, reuse_slack_steps: int = 0,
              progress: Progress | None = None) -> NetworkPlan:
    """Route every evacuee with CCRP.

    Parameters
    ----------
    problem
        Network, sources, exits and resolution (validated here).
    reuse_slack_steps
        ``0`` is CCRP as published: one search per reservation. Above zero, a path just found is
        reused for later departures while it still arrives within this many steps of its first
        arrival, before searching again. Every reuse saves a whole-network search at the price
        of letting a group arrive up to that many steps later than CCRP's order would; the
        benchmark measures what this costs against the exact optimum.
    progress
        Called as ``progress("ccrp", fraction_routed)`` every 500 searches.

    Returns
    -------
    NetworkPlan
        Egress time, and per source node (sources on the same node are merged) its routes with
        their departure schedules. People at an exit are safe at once (no route); people at a
        node with no way to any exit are reported unrouted with the reason, never dropped.

    Raises
    ------
    PlanningError
        If the problem is malformed.
    """
    model = problem.time_model
    people: dict[int, int] = defaultdict(int)
    for src in problem.sources:
        people[src.node] += src.people
    remaining = {node: float(n) for node, n in people.items()
                 if n > 0 and model.can_escape[node] and not model.is_exit[node]}
    planner = _Planner(model)
    routes: dict[int, dict[tuple[int, ...], list[Departure]]] = defaultdict(dict)
    total = max(1.0, sum(remaining.values()))
    searches, egress = 0, 0
    while remaining:
        path = planner.earliest_path(list(remaining))
        searches += 1
        start = int(problem.network.tail[path[0][0]])
        edges = tuple(e for e, _, _ in path)
        latest = _arrival(model, path) + reuse_slack_steps
        while path and _arrival(model, path) <= latest and remaining.get(start, 0.0) > _EPS:
            flow = planner.reserve(path, remaining[start])
            arrive = _arrival(model, path)
            egress = max(egress, arrive)
            routes[start].setdefault(edges, []).append(
                Departure(path[0][2] * model.step_s, arrive * model.step_s, flow))
            remaining[start] -= flow
            path = planner.retime(path, path[0][2] + 1) if reuse_slack_steps else []
        if remaining[start] <= _EPS:
            del remaining[start]
        if progress is not None and searches % 500 == 0:
            progress("ccrp", 1.0 - sum(remaining.values()) / total)
    return NetworkPlan(egress, model.step_s,
                       tuple(_source_plan(problem, model, node, n, routes.get(node, {}))
                             for node, n in people.items()), searches)


def _arrival(model: TimeModel, path: list[tuple[int, int, int]]) -> int:
    """Step at which a timed path reaches its last node."""
    e, _, dep = path[-1]
    return dep + int(model.tau[e])


def _source_plan(problem: EvacuationProblem, model: TimeModel, node: int, people: int,
                 found: dict[tuple[int, ...], list[Departure]]) -> SourcePlan:
    """Collect one source's routes; explain anyone left behind."""
    head = problem.network.head
    routes = tuple(Route((node, *(int(head[e]) for e in edges)), edges, tuple(deps))
                   for edges, deps in found.items())
    if model.is_exit[node] or people == 0:
        return SourcePlan(node, people, routes, 0, None)
    if not model.can_escape[node]:
        return SourcePlan(node, people, routes, people,
                          "no exit can be reached from this node over roads with capacity")
    return SourcePlan(node, people, routes, 0, None)

