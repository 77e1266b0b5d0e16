"""Turn flat edge lists into a :class:`RoadNetwork`, with nothing but numpy.

Every producer of networks (the OSM import, synthetic generators, tests) ends here, so the
invariants the rest of the system relies on — CSR order, geometry that runs from tail to head,
lengths measured the same way everywhere — are established in one place.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from corridor.errors import NetworkError
from corridor.network.graph import ROAD_CLASSES, FloatArray, IntArray, RoadNetwork

#: Mean Earth radius (IUGG), the usual choice for haversine distances on road-network scales.
EARTH_RADIUS_M = 6_371_008.8
#: Metres per degree of latitude (and of longitude at the equator) on that sphere.
M_PER_DEG = float(np.radians(1.0)) * EARTH_RADIUS_M


def haversine_m(lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike,
                lat2: npt.ArrayLike) -> FloatArray:
    """Great-circle distance in metres between paired points, vectorised.

    Parameters
    ----------
    lon1, lat1, lon2, lat2
        Degrees; broadcast against each other like any numpy operands.

    Returns
    -------
    numpy.ndarray
        Distances in metres. On a sphere the error against the WGS84 ellipsoid stays under
        0.5 %, far below the uncertainty of OSM geometry itself.
    """
    lam1, phi1, lam2, phi2 = (np.radians(np.asarray(a, dtype=np.float64))
                              for a in (lon1, lat1, lon2, lat2))
    h = (np.sin((phi2 - phi1) / 2.0) ** 2
         + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2.0) ** 2)
    return np.asarray(2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))),
                      dtype=np.float64)


def polyline_lengths_m(geom_offsets: npt.ArrayLike, geom_lon: npt.ArrayLike,
                       geom_lat: npt.ArrayLike) -> FloatArray:
    """Length in metres of each polyline stored as offsets into flat coordinate arrays.

    Parameters
    ----------
    geom_offsets
        ``n + 1`` non-decreasing offsets; polyline ``i`` is ``[offsets[i], offsets[i + 1])``.
    geom_lon, geom_lat
        Flat coordinates in degrees.

    Returns
    -------
    numpy.ndarray
        One length per polyline; a polyline of fewer than two points has length 0.
    """
    off = np.asarray(geom_offsets, dtype=np.int64)
    lon = np.asarray(geom_lon, dtype=np.float64)
    lat = np.asarray(geom_lat, dtype=np.float64)
    seg = haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:])
    # Running sum over all consecutive pairs; the pair that straddles two polylines is never
    # inside any polyline's [first, last] range, so it drops out of the difference.
    running = np.zeros(len(lon), dtype=np.float64)
    if len(seg):
        np.cumsum(seg, out=running[1:])
    starts, ends = off[:-1], off[1:]
    nonempty = ends > starts
    out = np.zeros(len(starts), dtype=np.float64)
    out[nonempty] = running[ends[nonempty] - 1] - running[starts[nonempty]]
    return out


def ragged_index(starts: IntArray, counts: IntArray) -> tuple[IntArray, IntArray]:
    """Flat indices of consecutive runs ``[starts[i], starts[i] + counts[i])``, back to back.

    Parameters
    ----------
    starts, counts
        First flat index and length of each run.

    Returns
    -------
    tuple
        ``(index, offsets)``: ``flat[index]`` holds the runs in order, ``offsets`` (one longer
        than ``starts``) delimits them.
    """
    offsets = np.zeros(len(starts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    shift = np.repeat(np.asarray(starts, dtype=np.int64) - offsets[:-1], counts)
    return np.arange(offsets[-1], dtype=np.int64) + shift, offsets


def gather_ragged(offsets: IntArray, order: IntArray) -> tuple[IntArray, IntArray]:
    """Reorder ragged rows: the flat index of each kept item and the new row offsets.

    Parameters
    ----------
    offsets
        ``n + 1`` row offsets into some flat array.
    order
        Row indices to keep, in their new order (may repeat or omit rows).

    Returns
    -------
    tuple
        ``(index, new_offsets)`` such that ``flat[index]`` holds the selected rows back to back
        and ``new_offsets`` delimits them.
    """
    return ragged_index(offsets[:-1][order], (offsets[1:] - offsets[:-1])[order])


def _edge_array(values: npt.ArrayLike | None, n: int, name: str, dtype: Any,
                default: float | int) -> npt.NDArray[Any]:
    if values is None:
        return np.full(n, default, dtype=dtype)
    arr = np.asarray(values)
    if arr.ndim == 0:
        return np.full(n, arr, dtype=dtype)
    if arr.shape != (n,):
        raise NetworkError(f"edge array {name!r} has shape {arr.shape}, expected ({n},)")
    return arr.astype(dtype, copy=False)


def _straight_geometry(node_lon: FloatArray, node_lat: FloatArray, tail: IntArray,
                       head: IntArray) -> tuple[IntArray, FloatArray, FloatArray]:
    n = len(tail)
    offsets = np.arange(0, 2 * n + 1, 2, dtype=np.int64)
    lon = np.column_stack([node_lon[tail], node_lon[head]]).ravel()
    lat = np.column_stack([node_lat[tail], node_lat[head]]).ravel()
    return offsets, lon, lat


def _check_geometry(offsets: IntArray, lon: FloatArray, lat: FloatArray, n_edges: int) -> None:
    if offsets.shape != (n_edges + 1,):
        raise NetworkError(f"geom_offsets has {len(offsets)} entries, expected {n_edges + 1}")
    if len(lon) != len(lat):
        raise NetworkError(f"geom_lon has {len(lon)} points but geom_lat has {len(lat)}")
    if offsets[0] != 0 or offsets[-1] != len(lon):
        raise NetworkError(f"geom_offsets must run from 0 to {len(lon)}")
    if np.any(np.diff(offsets) < 2):
        raise NetworkError("every edge geometry needs at least two points (tail and head)")


def network_from_edges(
    node_lon: npt.ArrayLike,
    node_lat: npt.ArrayLike,
    tail: npt.ArrayLike,
    head: npt.ArrayLike,
    *,
    speed_kmh: npt.ArrayLike,
    capacity_vph: npt.ArrayLike,
    road_class: npt.ArrayLike,
    node_osm_id: npt.ArrayLike | None = None,
    length_m: npt.ArrayLike | None = None,
    way_id: npt.ArrayLike | None = None,
    name_idx: npt.ArrayLike | None = None,
    names: tuple[str, ...] = (),
    geom_offsets: npt.ArrayLike | None = None,
    geom_lon: npt.ArrayLike | None = None,
    geom_lat: npt.ArrayLike | None = None,
    meta: dict[str, Any] | None = None,
) -> RoadNetwork:
    """Assemble a CSR-ordered :class:`RoadNetwork` from unsorted directed edges.

    Parameters
    ----------
    node_lon, node_lat
        Node coordinates in degrees (WGS84), one entry per node.
    tail, head
        Node indices of each directed edge, in any order.
    speed_kmh, capacity_vph
        Free-flow speed and capacity per edge (or one scalar for all edges).
    road_class
        Index into :data:`~corridor.network.graph.ROAD_CLASSES` per edge (or a scalar).
    node_osm_id
        OSM node ids; defaults to ``-1`` (not from OSM).
    length_m
        Edge lengths; by default measured geodesically along the geometry, so callers that
        have no lengths of their own get the same measure as the OSM import.
    way_id
        Source OSM way per edge; defaults to ``-1``.
    name_idx, names
        Edge label as an index into the ``names`` string table; ``-1`` (default) is unnamed.
    geom_offsets, geom_lon, geom_lat
        Edge polylines from tail to head inclusive, as offsets into flat coordinate arrays.
        Omitted, each edge is the straight segment between its end nodes.
    meta
        Free-form provenance stored with the network.

    Returns
    -------
    RoadNetwork
        Edges stably sorted by ``(tail, head)``, geometry reordered to match.

    Raises
    ------
    NetworkError
        If array lengths disagree, a node index is out of range, a class index is unknown or
        a geometry has fewer than two points.
    """
    lon = np.asarray(node_lon, dtype=np.float64)
    lat = np.asarray(node_lat, dtype=np.float64)
    n_nodes = len(lon)
    if lat.shape != lon.shape:
        raise NetworkError(f"node_lat has {len(lat)} entries, expected {n_nodes}")
    t = np.asarray(tail, dtype=np.int64)
    h = np.asarray(head, dtype=np.int64)
    n_edges = len(t)
    if h.shape != t.shape:
        raise NetworkError(f"head has {len(h)} entries, expected {n_edges}")
    if n_edges and (min(t.min(), h.min()) < 0 or max(t.max(), h.max()) >= n_nodes):
        raise NetworkError(f"edge endpoints must be node indices in [0, {n_nodes})")

    cls = _edge_array(road_class, n_edges, "road_class", np.int8, 0)
    if n_edges and (cls.min() < 0 or cls.max() >= len(ROAD_CLASSES)):
        raise NetworkError(f"road_class must be in [0, {len(ROAD_CLASSES)})")
    labels = _edge_array(name_idx, n_edges, "name_idx", np.int32, -1)
    if n_edges and (labels.min() < -1 or labels.max() >= len(names)):
        raise NetworkError(f"name_idx must be -1 or an index into {len(names)} names")

    if geom_offsets is None:
        g_off, g_lon, g_lat = _straight_geometry(lon, lat, t, h)
    else:
        if geom_lon is None or geom_lat is None:
            raise NetworkError("geom_offsets given without geom_lon and geom_lat")
        g_off = np.asarray(geom_offsets, dtype=np.int64)
        g_lon = np.asarray(geom_lon, dtype=np.float64)
        g_lat = np.asarray(geom_lat, dtype=np.float64)
        _check_geometry(g_off, g_lon, g_lat, n_edges)

    lengths = (polyline_lengths_m(g_off, g_lon, g_lat) if length_m is None
               else _edge_array(length_m, n_edges, "length_m", np.float64, 0.0))

    order = np.lexsort((h, t))
    index, new_off = gather_ragged(g_off, order)
    osm_ids = (np.full(n_nodes, -1, dtype=np.int64) if node_osm_id is None
               else np.asarray(node_osm_id, dtype=np.int64))
    if osm_ids.shape != (n_nodes,):
        raise NetworkError(f"node_osm_id has {len(osm_ids)} entries, expected {n_nodes}")
    return RoadNetwork(
        node_lon=lon,
        node_lat=lat,
        node_osm_id=osm_ids,
        tail=t[order].astype(np.int32),
        head=h[order].astype(np.int32),
        length_m=lengths[order],
        speed_kmh=_edge_array(speed_kmh, n_edges, "speed_kmh", np.float64, 0.0)[order],
        capacity_vph=_edge_array(capacity_vph, n_edges, "capacity_vph", np.float64, 0.0)[order],
        road_class=cls[order],
        way_id=_edge_array(way_id, n_edges, "way_id", np.int64, -1)[order],
        name_idx=labels[order],
        geom_offsets=new_off,
        geom_lon=g_lon[index],
        geom_lat=g_lat[index],
        names=tuple(names),
        meta=dict(meta or {}),
    )


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
        raise NetworkError(f"keep mask has {len(keep)} entries, expected {network.n_nodes}")
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
