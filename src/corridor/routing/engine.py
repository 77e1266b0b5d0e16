"""Shortest-path engines behind one small interface: a CCH engine and a Dijkstra reference.

The router only ever talks to :class:`Engine` and :class:`EngineMetric`, so the CCH library
(pyroutingkit today; routingkit-cch offers the same operations) can be swapped without touching
routing logic. Both engines work on the same unsigned integer weights, which makes their answers
comparable exactly rather than up to floating-point noise.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from itertools import pairwise
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pyroutingkit as pk
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from corridor.network.graph import FloatArray, IntArray, RoadNetwork

UIntArray = npt.NDArray[np.uint32]

#: The engines' "no way through" weight; any path cost must stay below it.
INF_WEIGHT: int = int(pk.INF_WEIGHT)

#: Headroom between the worst possible path cost and :data:`INF_WEIGHT` when a resolution is
#: chosen. Penalised weights (alternative routes) and later partial updates may raise costs by up
#: to this factor without overflowing the engine's integers.
HEADROOM = 4.0

#: The finest cost step ever used (a microsecond): finer steps would only resolve rounding noise.
_FINEST_STEP = 1e-6


class EngineMetric(Protocol):
    """One weighting of the network inside an engine."""

    def customize(self, weights: UIntArray) -> None:
        """Replace every arc weight."""

    def update(self, arcs: IntArray, weights: UIntArray) -> None:
        """Replace the weights of a few arcs, cheaper than a full customisation."""

    def query(self, source: int, target: int) -> tuple[int, IntArray] | None:
        """Integer cost and edge ids of a shortest path, or ``None`` when there is none."""


class Engine(Protocol):
    """The per-network part of an engine, shared by all its metrics."""

    def new_metric(self) -> EngineMetric:
        """An empty metric over this network; :meth:`EngineMetric.customize` must come first."""


class CCHEngine:
    """Customizable contraction hierarchies: costly ordering once, cheap re-weighting after.

    The nested-dissection ordering depends on topology only, so one build serves every weighting
    and every situation change for the lifetime of the network.
    """

    def __init__(self, network: RoadNetwork, cache_dir: Path | None = None) -> None:
        """Build the topology, or load it from ``cache_dir`` when this topology was built before.

        The ordering takes minutes on a million-node network and depends only on the arcs and
        node coordinates, so it is cached under a digest of exactly those arrays.
        """
        tail, head = network.tail.astype(np.uint32), network.head.astype(np.uint32)
        lat, lon = network.node_lat.astype(np.float32), network.node_lon.astype(np.float32)
        self._topology = pk.CCHTopology()
        cached = None if cache_dir is None else cache_dir / _topology_key(tail, head, lat, lon)
        if cached is not None and cached.is_dir():
            self._topology.load(str(cached))
            return
        self._topology.build(tail, head, lat, lon, network.n_nodes)
        if cached is not None:
            _save_atomically(self._topology, cached)

    def new_metric(self) -> EngineMetric:
        """A fresh metric over the shared topology; customise it with weights before querying."""
        return _CCHMetric(pk.CCHMetric(self._topology))


def _topology_key(*arrays: npt.NDArray[np.generic]) -> str:
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
    return f"cch-{digest.hexdigest()[:32]}"


def _save_atomically(topology: pk.CCHTopology, target: Path) -> None:
    """Save into a scratch directory and rename it, so a reader never sees half a topology."""
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
    try:
        topology.save(str(scratch))
        scratch.rename(target)
    except OSError:
        if not target.is_dir():  # another process may have saved the same topology first
            raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


class _CCHMetric:
    def __init__(self, metric: pk.CCHMetric) -> None:
        self._metric = metric

    def customize(self, weights: UIntArray) -> None:
        self._metric.customize(weights)

    def update(self, arcs: IntArray, weights: UIntArray) -> None:
        self._metric.update_weights(arcs.astype(np.uint32), weights)

    def query(self, source: int, target: int) -> tuple[int, IntArray] | None:
        # The engine reports the input arc of every step, so parallel edges map back exactly.
        distance, _, arcs = self._metric.query(source, target)
        if distance >= INF_WEIGHT:
            return None
        return int(distance), np.asarray(arcs, dtype=np.int64)


class DijkstraEngine:
    """scipy's Dijkstra on a CSR matrix: no preprocessing, one full search per query.

    Kept as the oracle the CCH engine is tested against and as a fallback needing nothing but
    scipy.
    """

    def __init__(self, network: RoadNetwork) -> None:
        self._network = network

    def new_metric(self) -> EngineMetric:
        """A fresh metric; Dijkstra needs no preparation, so weights apply at once."""
        return _DijkstraMetric(self._network)


class _DijkstraMetric:
    def __init__(self, network: RoadNetwork) -> None:
        self._tail = network.tail.astype(np.int64)
        self._head = network.head.astype(np.int64)
        self._n = network.n_nodes
        self._weights = np.full(network.n_edges, INF_WEIGHT, dtype=np.uint32)
        self._graph = csr_matrix((self._n, self._n))
        self._arc = np.zeros(0, dtype=np.int64)

    def customize(self, weights: UIntArray) -> None:
        self._weights = np.array(weights, dtype=np.uint32)
        self._rebuild()

    def update(self, arcs: IntArray, weights: UIntArray) -> None:
        self._weights[arcs] = weights
        self._rebuild()

    def _rebuild(self) -> None:
        """CSR of the usable arcs, keeping the cheapest of parallel arcs.

        A matrix has one cell per node pair; ``_arc`` remembers which edge each cell stands for.
        """
        usable = np.flatnonzero((self._weights < INF_WEIGHT) & (self._tail != self._head))
        order = usable[np.lexsort((usable, self._weights[usable], self._head[usable],
                                   self._tail[usable]))]
        tail, head = self._tail[order], self._head[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
        self._arc = order[first]
        indptr = np.zeros(self._n + 1, dtype=np.int64)
        np.cumsum(np.bincount(tail[first], minlength=self._n), out=indptr[1:])
        data = self._weights[self._arc].astype(np.float64)
        self._graph = csr_matrix((data, head[first], indptr), shape=(self._n, self._n))

    def query(self, source: int, target: int) -> tuple[int, IntArray] | None:
        dist, pred = dijkstra(self._graph, indices=source, return_predecessors=True)
        if not np.isfinite(dist[target]):
            return None
        nodes = [target]
        while nodes[-1] != source:
            nodes.append(int(pred[nodes[-1]]))
        nodes.reverse()
        return round(dist[target]), self._cells(np.asarray(nodes, dtype=np.int64))

    def _cells(self, nodes: IntArray) -> IntArray:
        """Edge ids of consecutive node pairs, found by binary search in each CSR row."""
        indptr, indices = self._graph.indptr, self._graph.indices
        edges = np.empty(len(nodes) - 1, dtype=np.int64)
        for i, (u, v) in enumerate(pairwise(nodes)):
            lo = indptr[u]
            edges[i] = self._arc[lo + np.searchsorted(indices[lo:indptr[u + 1]], v)]
        return edges


#: Engines by the name users pick them with.
ENGINES: dict[str, type[CCHEngine] | type[DijkstraEngine]] = {
    "cch": CCHEngine,
    "dijkstra": DijkstraEngine,
}


def cost_step(weights: FloatArray) -> float:
    """The cost one integer unit stands for, as fine as the engine's integer range allows.

    A simple path uses each edge at most once, so its cost never exceeds the sum of all finite
    weights; with :data:`HEADROOM` on top that sum must stay below :data:`INF_WEIGHT`. Steps are
    powers of ten so costs stay readable (0.1 s, 0.01 s, ...).
    """
    total = float(weights[np.isfinite(weights)].sum())
    if total <= 0.0:
        return _FINEST_STEP
    exact = total * HEADROOM / (INF_WEIGHT - 1)
    return max(_FINEST_STEP, float(10.0 ** np.ceil(np.log10(exact))))


def fits(weights: FloatArray, step: float) -> bool:
    """Whether ``step`` still leaves :data:`HEADROOM` below the engine's infinity."""
    total = float(weights[np.isfinite(weights)].sum())
    return total * HEADROOM / step <= INF_WEIGHT - 1


def quantize(weights: FloatArray, step: float) -> UIntArray:
    """Integer engine weights: costs rounded to ``step``, ``+inf`` to :data:`INF_WEIGHT`."""
    out = np.full(len(weights), INF_WEIGHT, dtype=np.uint32)
    finite = np.isfinite(weights)
    out[finite] = np.minimum(np.rint(weights[finite] / step), INF_WEIGHT - 1)
    return out
