"""The shape of a road network as a graph: strongly connected parts, sub-networks, twin edges.

A router needs every node reachable from every other, so imports keep the largest strongly
connected component; snapping and reports need to know which edge is the other carriageway.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from corridor.errors import NetworkError
from corridor.i18n import _
from corridor.network.graph import IntArray, RoadNetwork
from corridor.network.ragged import gather_ragged, ragged_index


def restrict_nodes(network: RoadNetwork, keep: npt.NDArray[np.bool_]) -> RoadNetwork:
    """The subnetwork on the nodes where ``keep`` is true, and the edges between them.

    Parameters
    ----------
    network
        The network to cut down.
    keep
        One flag per node.

    Returns
    -------
    RoadNetwork
        Nodes and edges keep their relative order, so CSR order survives and node ``i`` of the
        result is the ``i``-th kept node; ``names`` and ``meta`` are carried over unchanged.
    """
    keep = np.asarray(keep, dtype=bool)
    if keep.shape != (network.n_nodes,):
        raise NetworkError(_("keep mask has {n_keep} entries, expected {n_nodes}").format(
                               n_keep=len(keep), n_nodes=network.n_nodes))
    new_index = np.cumsum(keep, dtype=np.int64) - 1
    edges = np.flatnonzero(keep[network.tail] & keep[network.head])
    index, offsets = gather_ragged(network.geom_offsets, edges)
    return RoadNetwork(
        node_lon=network.node_lon[keep],
        node_lat=network.node_lat[keep],
        node_osm_id=network.node_osm_id[keep],
        tail=new_index[network.tail[edges]].astype(np.int32),
        head=new_index[network.head[edges]].astype(np.int32),
        length_m=network.length_m[edges],
        speed_kmh=network.speed_kmh[edges],
        capacity_vph=network.capacity_vph[edges],
        road_class=network.road_class[edges],
        way_id=network.way_id[edges],
        name_idx=network.name_idx[edges],
        geom_offsets=offsets,
        geom_lon=network.geom_lon[index],
        geom_lat=network.geom_lat[index],
        names=network.names,
        meta=dict(network.meta),
    )


def distinct(values: npt.ArrayLike) -> npt.NDArray[Any]:
    """The sorted distinct values of an array, like ``np.unique`` without options.

    numpy 2.4's ``np.unique`` hashes plain integer arrays, which on a country's millions of
    node ids or node pairs took 1.2 s where sorting takes 0.02 s; the import and the situation
    update call it on arrays of that size.
    """
    ordered = np.sort(np.asarray(values), axis=None)
    if len(ordered) < 2:
        return ordered
    first = np.empty(len(ordered), dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


def strong_components(indptr: npt.ArrayLike, head: npt.ArrayLike) -> tuple[int, IntArray]:
    """Strongly connected components of a CSR graph (scipy's csgraph).

    Parallel edges (two ways between the same junctions) are merged first: scipy's search
    expects canonical CSR, and on input with duplicate entries it was seen not to terminate.

    Parameters
    ----------
    indptr
        ``n + 1`` row pointers; the out-neighbours of ``v`` are ``head[indptr[v]:indptr[v+1]]``.
    head
        Target node of every edge.

    Returns
    -------
    tuple
        ``(n_components, labels)`` with one component label per node.
    """
    ptr = np.asarray(indptr, dtype=np.int64)
    heads = np.asarray(head, dtype=np.int64)
    n = len(ptr) - 1
    graph = csr_matrix((np.ones(len(heads), dtype=np.int32), heads, ptr), shape=(n, n))
    graph.sum_duplicates()
    n_components, labels = connected_components(graph, directed=True, connection="strong")
    return int(n_components), labels.astype(np.int64)


def largest_strong_component(network: RoadNetwork) -> tuple[npt.NDArray[np.bool_], int]:
    """Which nodes lie in the largest strongly connected component, and how many there are.

    Anything outside it cannot both be reached and be left, so a route or an evacuation plan
    through it would be a dead end.

    Parameters
    ----------
    network
        Any network.

    Returns
    -------
    tuple
        ``(mask, n_components)``: one flag per node, and the number of strong components in the
        whole network (isolated nodes count as components of their own).
    """
    if network.n_nodes == 0:
        return np.zeros(0, dtype=bool), 0
    n_components, labels = strong_components(network.indptr, network.head)
    largest = int(np.argmax(np.bincount(labels)))
    return labels == largest, n_components


def reverse_twins(network: RoadNetwork) -> IntArray:
    """For every edge, the edge that runs the opposite way along the same polyline, or ``-1``.

    A two-way road is stored as two directed edges; consumers that work on roads rather than
    directions (snapping, closures, drawing) need to know which edges belong together.
    Parallel edges between the same nodes with a different geometry are not twins.

    Parameters
    ----------
    network
        Any network.

    Returns
    -------
    numpy.ndarray
        One edge id or ``-1`` per edge.
    """
    n = np.int64(max(network.n_nodes, 1))
    tail = network.tail.astype(np.int64)
    head = network.head.astype(np.int64)
    keys = tail * n + head
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    wanted = head * n + tail
    first = np.searchsorted(sorted_keys, wanted, side="left")
    stop = np.searchsorted(sorted_keys, wanted, side="right")
    off = network.geom_offsets
    points = np.diff(off)
    twin = np.full(network.n_edges, -1, dtype=np.int64)
    # Try the k-th parallel candidate for all unresolved edges at once; k rarely exceeds 1.
    pending = np.flatnonzero(first < stop)
    k = 0
    while len(pending):
        cand = order[first[pending] + k]
        same = points[cand] == points[pending]
        edges, cand = pending[same], cand[same]
        fwd, _ = ragged_index(off[cand], points[cand])
        own, _ = ragged_index(off[edges], points[edges])
        # Mirror each point of the edge within its own range: first <-> last.
        rev = np.repeat(off[edges] + off[edges + 1] - 1, points[edges]) - own
        equal = (network.geom_lon[fwd] == network.geom_lon[rev]) & (
            network.geom_lat[fwd] == network.geom_lat[rev])
        owner = np.repeat(np.arange(len(edges)), points[edges])
        matched = np.bincount(owner, weights=~equal, minlength=len(edges)) == 0
        twin[edges[matched]] = cand[matched]
        k += 1
        pending = pending[(twin[pending] < 0) & (first[pending] + k < stop[pending])]
    return twin
