"""Routes under named weightings: shortest paths, waypoints and distinct alternatives.

A :class:`Router` builds its engine once per network and keeps one metric per weighting
(``fastest``, ``safest/UA``, ...). A situation change re-customises the metrics it affects —
partially when only a few edges changed — and never rebuilds the engine.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from corridor.errors import RoutingError
from corridor.i18n import N_, _
from corridor.network.graph import FloatArray, IntArray, RoadNetwork
from corridor.routing.engine import (
    ENGINES,
    HEADROOM,
    CCHEngine,
    EngineMetric,
    UIntArray,
    cost_step,
    fits,
    quantize,
)

#: Re-customising arc by arc pays when the changed arcs are few or close together. Measured on
#: 1M nodes (``bench/bench_routing.py``): a full customisation takes 1.2 s; 300 arcs scattered
#: over the whole network 0.37 s, 1,000 scattered ones already 1.4 s; but 25,000 arcs inside one
#: square covering 1 % of the network's area only 0.32 s, since their changes meet low in the
#: hierarchy. Hence two limits: any change of at most ``PARTIAL_UPDATE_MAX_ARCS`` arcs, or a
#: change whose arcs lie in a box of at most ``PARTIAL_UPDATE_MAX_AREA`` of the network's area.
PARTIAL_UPDATE_MAX_ARCS = 500
PARTIAL_UPDATE_MAX_AREA = 0.02


@dataclass(frozen=True, eq=False)
class Path:
    """One route through the network.

    ``nodes`` has one entry more than ``edges``; ``edges[i]`` runs from ``nodes[i]`` to
    ``nodes[i + 1]``. ``cost`` is the sum of the metric's float weights along ``edges``, in the
    metric's unit (generalised seconds for the built-in modes).
    """

    nodes: IntArray
    edges: IntArray
    cost: float
    metric: str

    @property
    def source(self) -> int:
        return int(self.nodes[0])

    @property
    def target(self) -> int:
        return int(self.nodes[-1])


#: What a weighting's impassable edges are called when its maker does not say.
_EXCLUDED_ROADS = N_("excluded roads")


@dataclass
class _Metric:
    weights: FloatArray
    step: float
    units: UIntArray
    engine: EngineMetric
    excluded: str | Callable[[], str]
    version: int = 0


class Router:
    """Shortest paths on one network under any number of named weightings.

    Parameters
    ----------
    network
        The road network; its topology is fixed for the router's lifetime.
    engine
        ``"cch"`` (customizable contraction hierarchies: seconds of preprocessing, sub-ms
        queries) or ``"dijkstra"`` (no preprocessing, one full search per query).
    cache_dir
        Where the CCH engine keeps built topologies, so the same network is ordered only once
        across runs; ``None`` builds every time.

    Attributes
    ----------
    partial_update_max_arcs, partial_update_max_area
        When a re-customisation updates only the changed arcs (see
        :data:`PARTIAL_UPDATE_MAX_ARCS`); tunable per router.
    """

    def __init__(self, network: RoadNetwork, engine: str = "cch", *,
                 cache_dir: pathlib.Path | None = None) -> None:
        if engine not in ENGINES:
            raise RoutingError(_("unknown routing engine {engine!r}; choose one of {engines}")
                               .format(engine=engine, engines=", ".join(ENGINES)), field="engine")
        if network.n_edges == 0:
            raise RoutingError(_("the road network has no edges to route on"))
        self.network = network
        self.partial_update_max_arcs = PARTIAL_UPDATE_MAX_ARCS
        self.partial_update_max_area = PARTIAL_UPDATE_MAX_AREA
        self._engine = (CCHEngine(network, cache_dir) if engine == "cch"
                        else ENGINES[engine](network))
        self._metrics: dict[str, _Metric] = {}
        self._scratch: EngineMetric | None = None
        self._scratch_of: tuple[str, int] | None = None
        self._all_roads: csr_matrix | None = None
        self._area = float(np.ptp(network.node_lon) * np.ptp(network.node_lat))

    # -- metrics --------------------------------------------------------------------------------
    @property
    def metrics(self) -> tuple[str, ...]:
        """Names of the weightings customised so far."""
        return tuple(self._metrics)

    def customize(self, name: str, weights: FloatArray, *,
                  excluded: str | Callable[[], str] = _EXCLUDED_ROADS) -> None:
        """Set (or replace) the weighting ``name``.

        Parameters
        ----------
        name
            Key later queries use, e.g. ``"balanced"`` or ``"fastest/UA"``.
        weights
            One non-negative cost per edge, ``+inf`` for edges the route may not use (see
            :func:`corridor.routing.weights.edge_weights`).
        excluded
            What the ``+inf`` edges stand for, e.g. the text of
            :func:`~corridor.routing.weights.describe_exclusions`; "no route" messages quote it.
            A function giving the text is called when a message needs it, so the weighting,
            kept across requests, is described in the language of the one that fails.

        Replacing an existing weighting re-customises its metric: only the changed arcs when
        they are few or close together (see :data:`PARTIAL_UPDATE_MAX_ARCS`), otherwise all.
        The cost step is kept while the new weights fit it, so partial updates stay possible.
        """
        w = self._checked(name, weights)
        metric = self._metrics.get(name)
        if metric is not None and fits(w, metric.step):
            units = quantize(w, metric.step)
            changed = np.flatnonzero(units != metric.units)
            if self._prefers_partial(changed):
                metric.engine.update(changed, units[changed])
            else:
                metric.engine.customize(units)
            metric.weights, metric.units, metric.excluded = w, units, excluded
            metric.version += 1
            return
        step = cost_step(w)
        units = quantize(w, step)
        engine_metric = self._engine.new_metric() if metric is None else metric.engine
        engine_metric.customize(units)
        version = 0 if metric is None else metric.version + 1
        self._metrics[name] = _Metric(w, step, units, engine_metric, excluded, version)

    def weights(self, name: str) -> FloatArray:
        """The float weights of ``name`` as last customised (read-only)."""
        return self._metric(name).weights

    def cost_step(self, name: str) -> float:
        """The cost one engine integer stands for: routes closer than this may tie."""
        return self._metric(name).step

    # -- queries --------------------------------------------------------------------------------
    def path(self, source: int, target: int, metric: str) -> Path | None:
        """The cheapest path from ``source`` to ``target`` node, ``None`` if there is none."""
        m = self._metric(metric)
        self._check_node(source)
        self._check_node(target)
        found = m.engine.query(source, target)
        return None if found is None else self._path(source, found[1], m.weights, metric)

    def path_via(self, waypoints: Sequence[int], metric: str) -> Path | None:
        """The cheapest path visiting ``waypoints`` in order, ``None`` if a leg is impossible.

        Each leg is an independent shortest path, so the result may revisit a node between legs
        (a convoy that drops aid in a town and drives back out the same road).
        """
        legs = self._legs(waypoints, metric)
        return None if isinstance(legs, tuple) else self._joined(legs, metric)

    def route(self, waypoints: Sequence[int], metric: str) -> Path:
        """Like :meth:`path_via`, but a missing leg raises an error that explains itself.

        Raises
        ------
        RoutingError
            Naming the leg's end nodes and why no path joins them.
        """
        legs = self._legs(waypoints, metric)
        if isinstance(legs, tuple):
            raise RoutingError(self.why_no_path(*legs, metric))
        return self._joined(legs, metric)

    def why_no_path(self, source: int, target: int, metric: str) -> str:
        """Why ``metric`` has no path between two nodes: no road at all, or the exclusions."""
        m = self._metric(metric)
        ends = {"source": self._describe(source), "target": self._describe(target)}
        if target not in self._reachable_by_road(source):
            return _("no road leads from {source} to {target}, whatever is excluded").format(
                **ends)
        excluded = m.excluded() if callable(m.excluded) else _(m.excluded)
        return _("every path from {source} to {target} under {metric!r} crosses {excluded}"
                 ).format(metric=metric, excluded=excluded, **ends)

    def alternatives(
        self,
        source: int,
        target: int,
        metric: str,
        k: int = 3,
        *,
        max_shared: float = 0.7,
        max_stretch: float = 1.5,
        penalty: float = 1.4,
    ) -> list[Path]:
        """Up to ``k`` routes that share little road, cheapest first (penalty method).

        After each route found, its edges get dearer and the search runs again; a candidate is
        kept when it shares at most ``max_shared`` of the shorter route's length with every kept
        route and costs at most ``max_stretch`` times the best. The search stops after ``4 * k``
        rounds, so fewer than ``k`` routes come back when the network offers no more distinct
        ones. Penalties go to a second engine metric, restored afterwards; mirroring a weighting
        there costs one full customisation, once per re-customisation of that weighting.

        Parameters
        ----------
        max_shared
            Largest shared share of length (0..1) for two routes to count as distinct.
        max_stretch
            Largest cost of an alternative relative to the cheapest route.
        penalty
            Factor an edge's cost grows by each time a found route uses it; capped at the
            engine's integer headroom so penalised costs can never overflow.

        Raises
        ------
        RoutingError
            If there is no route at all (the message says why).
        """
        m = self._metric(metric)
        best = self.path(source, target, metric)
        if best is None:
            raise RoutingError(self.why_no_path(source, target, metric))
        kept = [best]
        scratch = self._scratch_for(metric, m)
        uses = np.zeros(len(m.weights), dtype=np.int64)
        found = best
        for _round in range(4 * k):
            if len(kept) == k or len(found.edges) == 0:
                break
            uses[found.edges] += 1
            factor = np.minimum(penalty ** uses[found.edges], HEADROOM)
            scratch.update(found.edges, quantize(m.weights[found.edges] * factor, m.step))
            hit = scratch.query(source, target)
            if hit is None:
                break
            found = self._path(source, hit[1], m.weights, metric)
            if (found.cost <= max_stretch * best.cost
                    and all(self._shared(found, p) <= max_shared for p in kept)):
                kept.append(found)
        touched = np.flatnonzero(uses)
        scratch.update(touched, m.units[touched])
        return sorted(kept, key=lambda p: p.cost)

    # -- internals ------------------------------------------------------------------------------
    def _metric(self, name: str) -> _Metric:
        try:
            return self._metrics[name]
        except KeyError:
            known = ", ".join(self._metrics) or "none yet"
            raise RoutingError(_("no weighting named {name!r} (customised: {known})").format(
                                   name=name, known=known)) from None

    def _prefers_partial(self, changed: IntArray) -> bool:
        if len(changed) <= self.partial_update_max_arcs:
            return True
        ends = self.network.tail[changed]
        box = np.ptp(self.network.node_lon[ends]) * np.ptp(self.network.node_lat[ends])
        return bool(box <= self.partial_update_max_area * self._area)

    def _checked(self, name: str, weights: FloatArray) -> FloatArray:
        w = np.array(weights, dtype=np.float64)
        if w.shape != (self.network.n_edges,):
            raise RoutingError(_("weighting {name!r} has {size} weights for {n_edges} edges")
                               .format(name=name, size=w.size, n_edges=self.network.n_edges))
        if np.any(np.isnan(w)) or np.any(w < 0):
            raise RoutingError(_("weighting {name!r} has negative or NaN weights").format(
                                   name=name))
        w.setflags(write=False)
        return w

    def _check_node(self, node: int) -> None:
        if not 0 <= node < self.network.n_nodes:
            raise RoutingError(_("node {node} is not in the network (nodes 0..{last})").format(
                                   node=node, last=self.network.n_nodes - 1))

    def _describe(self, node: int) -> str:
        return _("node {node} ({lon:.5f}, {lat:.5f})").format(
            node=node, lon=self.network.node_lon[node], lat=self.network.node_lat[node])

    def _path(self, source: int, edges: IntArray, weights: FloatArray, metric: str) -> Path:
        nodes = np.concatenate([[source], self.network.head[edges]]).astype(np.int64)
        return Path(nodes, edges, float(weights[edges].sum()), metric)

    def _legs(self, waypoints: Sequence[int], metric: str) -> list[Path] | tuple[int, int]:
        """Every leg's path, or the end nodes of the first leg that has none."""
        if len(waypoints) < 2:
            raise RoutingError(_("a route needs at least 2 waypoints, got {count}").format(
                                   count=len(waypoints)))
        legs = []
        for a, b in pairwise(int(w) for w in waypoints):
            leg = self.path(a, b, metric)
            if leg is None:
                return a, b
            legs.append(leg)
        return legs

    @staticmethod
    def _joined(legs: list[Path], metric: str) -> Path:
        nodes = np.concatenate([legs[0].nodes[:1], *(leg.nodes[1:] for leg in legs)])
        edges = np.concatenate([leg.edges for leg in legs])
        return Path(nodes, edges, sum(leg.cost for leg in legs), metric)

    def _shared(self, a: Path, b: Path) -> float:
        """Length the two routes share, as a share of the shorter one's length."""
        length = self.network.length_m
        shared = length[np.intersect1d(a.edges, b.edges)].sum()
        shorter = min(length[a.edges].sum(), length[b.edges].sum())
        return float(shared / shorter) if shorter > 0 else 1.0

    def _scratch_for(self, name: str, metric: _Metric) -> EngineMetric:
        """A second metric mirroring ``name`` that alternatives may penalise and then restore."""
        if self._scratch is None:
            self._scratch = self._engine.new_metric()
        if self._scratch_of != (name, metric.version):
            self._scratch.customize(metric.units)
            self._scratch_of = (name, metric.version)
        return self._scratch

    def _reachable_by_road(self, source: int) -> IntArray:
        if self._all_roads is None:
            net = self.network
            self._all_roads = csr_matrix((np.ones(net.n_edges), net.head, net.indptr),
                                         shape=(net.n_nodes, net.n_nodes))
        return np.asarray(breadth_first_order(self._all_roads, source, return_predecessors=False))
