"""A network evacuation problem and its discrete-time form, shared by CCRP and the optimum.

The heuristic (:mod:`corridor.planning.ccrp`) and the exact quickest flow
(:mod:`corridor.planning.optimal`) must solve *the same* discrete problem, or the gap between
them would measure rounding rather than the heuristic. So both read one :class:`TimeModel`:
whole-step travel times and per-step capacities, rounded once, here.

Travel times are rounded along paths, not edge by edge. City networks are full of edges far
shorter than a step (on Monaco a fifth take under 2.5 s); rounding each one on its own to at
least a step adds up to a step per edge, which at 5-second steps would plan a route of 60
edges some two minutes slower than it drives. Instead each node's quickest time to an exit is
rounded once, and an edge's whole-step time is the drop in that rounded time plus its own
detour (its time beyond that drop), rounded: along any quickest route the steps then add up
to its true time within half a step, however many edges it has.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, dijkstra

from corridor.errors import PlanningError
from corridor.i18n import _
from corridor.network.graph import RoadNetwork

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: Capacities are rounded down to this fraction of a person per step, so that the optimum can
#: run on integers (scaled by :data:`CAPACITY_SCALE`) and still see exactly what CCRP sees.
CAPACITY_SCALE = 1000


@dataclass(frozen=True)
class Source:
    """People leaving from one network node."""

    node: int
    people: int


@dataclass(frozen=True, eq=False)
class EvacuationProblem:
    """Who leaves from where, where safety lies, and at what resolution time is counted.

    Parameters
    ----------
    network
        The road network; edge capacities come from ``capacity_vph``.
    sources
        Nodes and the people leaving from each.
    exits
        Nodes that count as safe once reached.
    step_s
        Length of one time step. Travel times round to whole steps along each path (see the
        module notes), so the resolution bounds how far the discrete plan can be from continuous
        time.
    persons_per_vehicle
        Evacuees per vehicle: road capacities are in vehicles, plans in people.
    max_speed_kmh
        Speed cap for all vehicles (a convoy's speed); ``None`` uses the road speeds.
    node_capacity
        Optional people per step that may *enter* each node (one entry per node; ``inf`` for no
        limit), modelling junctions narrower than the roads meeting there.
    """

    network: RoadNetwork
    sources: tuple[Source, ...]
    exits: tuple[int, ...]
    step_s: float = 10.0
    persons_per_vehicle: float = 1.0
    max_speed_kmh: float | None = None
    node_capacity: FloatArray | None = None

    def validate(self) -> None:
        """Raise :class:`PlanningError` naming the first malformed field."""
        n = self.network.n_nodes
        for i, src in enumerate(self.sources):
            _check_node(src.node, n, f"sources[{i}].node")
            if src.people < 0:
                raise PlanningError(_("must be >= 0, got {value}").format(value=src.people),
                                    field=f"sources[{i}].people")
        if not self.exits:
            raise PlanningError(_("at least one exit node is needed"), field="exits")
        for i, node in enumerate(self.exits):
            _check_node(node, n, f"exits[{i}]")
        for name in ("step_s", "persons_per_vehicle"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise PlanningError(_("must be a finite number > 0, got {value!r}").format(
                                        value=value), field=name)
        if self.max_speed_kmh is not None and not self.max_speed_kmh > 0:
            raise PlanningError(_("must be > 0, got {value!r}").format(
                                    value=self.max_speed_kmh), field="max_speed_kmh")
        if self.node_capacity is not None and (
                self.node_capacity.shape != (n,) or np.any(self.node_capacity < 0)):
            raise PlanningError(_("must hold {n} values >= 0").format(n=n), field="node_capacity")

    @property
    def total_people(self) -> int:
        return sum(s.people for s in self.sources)

    @cached_property
    def time_model(self) -> TimeModel:
        """The discrete form both planners solve (validates first)."""
        self.validate()
        net = self.network
        seconds = (net.travel_time_s if self.max_speed_kmh is None
                   else net.travel_time_capped_s(self.max_speed_kmh))
        is_exit = np.zeros(net.n_nodes, dtype=bool)
        is_exit[list(self.exits)] = True
        tau = _path_rounded_steps(net, seconds / self.step_s, is_exit)
        per_step = net.capacity_vph * self.persons_per_vehicle * self.step_s / 3600.0
        cap = np.floor(per_step * CAPACITY_SCALE) / CAPACITY_SCALE
        node_cap = (None if self.node_capacity is None
                    else np.floor(self.node_capacity * CAPACITY_SCALE) / CAPACITY_SCALE)
        return TimeModel(net, tau, cap, node_cap, is_exit, self.step_s)


def _check_node(node: int, n_nodes: int, field: str) -> None:
    if not 0 <= node < n_nodes:
        raise PlanningError(_("must be a node index in [0, {n_nodes}), got {node}").format(
                                n_nodes=n_nodes, node=node), field=field)


def _steps_to_exits(net: RoadNetwork, steps: FloatArray, edges: IntArray,
                    is_exit: npt.NDArray[np.bool_]) -> FloatArray:
    """Least sum of ``steps`` over ``edges`` from every node to an exit (``inf``: none)."""
    # scipy sums parallel edges when building a matrix: keep the quickest of each pair.
    order = edges[np.lexsort((steps[edges], net.tail[edges], net.head[edges]))]
    pairs = np.column_stack([net.head[order], net.tail[order]])
    first = np.ones(len(order), dtype=bool)
    first[1:] = np.any(pairs[1:] != pairs[:-1], axis=1)
    keep = order[first]
    # Explicit zeros stay in the matrix and scipy takes them as edges of no length.
    graph = csr_matrix((steps[keep].astype(np.float64), (net.head[keep], net.tail[keep])),
                       shape=(net.n_nodes, net.n_nodes))
    dist: FloatArray = dijkstra(graph, directed=True, indices=np.flatnonzero(is_exit),
                                min_only=True)
    return dist


def _path_rounded_steps(net: RoadNetwork, steps: FloatArray,
                        is_exit: npt.NDArray[np.bool_]) -> IntArray:
    """Whole-step edge times whose sums along paths, not each edge, track the true times.

    With ``d`` a node's quickest (fractional) steps to an exit and ``p`` that rounded to the
    nearest step, an edge ``u -> v`` of ``x`` steps takes ``p(u) - p(v) + rint(x - d(u) + d(v))``.
    The last term, the edge's detour, is never negative, so every path takes at least
    ``p(start)`` steps: no rounding makes any exit nearer than it is. On quickest routes detours
    are zero and the steps telescope to ``p(start)``, within half a step of the truth. ``p`` is
    at least one step off the exits, so nobody is safe before the first step (the optimum
    counts arrivals from there); this costs at most half a step, only within half a step of an
    exit. Edges shorter than half a step may take no step at all, which is what keeps the sums
    honest; their capacities still bind in the step they are crossed. An edge that leaves every
    exit behind (its head reaches none) is off every evacuation route and keeps plain rounding.
    """
    dist = _steps_to_exits(net, steps, np.arange(net.n_edges), is_exit)
    potential = np.where(is_exit, 0.0, np.maximum(1.0, np.rint(dist)))
    leads_out = np.isfinite(dist[net.head])
    near = np.where(leads_out, dist[net.head], 0.0)
    from_tail = np.where(leads_out, dist[net.tail], 0.0)
    detour = np.maximum(0.0, steps - from_tail + near)
    tau = potential[net.tail] - potential[net.head] + np.rint(detour)
    # Rounding both ends can leave an edge that heads away from the exits one step below zero.
    tau = np.where(leads_out, np.maximum(0.0, tau), np.maximum(1.0, np.rint(steps)))
    return tau.astype(np.int64)


@dataclass(frozen=True, eq=False)
class TimeModel:
    """Whole-step travel time ``tau`` and people per step ``cap`` of every edge.

    ``node_cap`` (people entering a node per step) is ``None`` when junctions are unlimited.
    Edges of zero capacity are unusable. ``tau`` may be zero for edges much shorter than a step
    (rounded along paths, see the module notes); no path to an exit is ever zero steps long.
    """

    network: RoadNetwork
    tau: IntArray
    cap: FloatArray
    node_cap: FloatArray | None
    is_exit: npt.NDArray[np.bool_]
    step_s: float

    @cached_property
    def can_escape(self) -> npt.NDArray[np.bool_]:
        """Nodes from which some exit is reachable over usable edges."""
        net = self.network
        usable = self.cap > 0
        if self.node_cap is not None:
            usable &= self.node_cap[net.head] > 0
        reverse = csr_matrix((np.ones(int(usable.sum())), (net.head[usable], net.tail[usable])),
                             shape=(net.n_nodes + 1, net.n_nodes + 1))
        exits = np.flatnonzero(self.is_exit)
        hub = net.n_nodes  # one extra node linked to every exit: a single search finds all
        reverse = reverse + csr_matrix((np.ones(len(exits)), (np.full(len(exits), hub), exits)),
                                       shape=reverse.shape)
        reached = breadth_first_order(reverse, hub, directed=True, return_predecessors=False)
        out = np.zeros(net.n_nodes + 1, dtype=bool)
        out[reached] = True
        return out[:-1]

    def shortest_steps(self) -> IntArray:
        """Fewest steps from every node to its nearest exit (``-1``: none reachable)."""
        dist = _steps_to_exits(self.network, self.tau.astype(np.float64),
                               np.flatnonzero(self.cap > 0), self.is_exit)
        return np.where(np.isfinite(dist), dist, -1).astype(np.int64)
