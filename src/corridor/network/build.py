"""Turn flat edge lists into a :class:`RoadNetwork`, with nothing but numpy.

Every producer of networks (the OSM import, synthetic generators, tests) ends here, so the
invariants the rest of the system relies on — CSR order, geometry that runs from tail to head,
lengths measured the same way everywhere — are established in one place.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from corridor.errors import NetworkError
from corridor.geodesy import polyline_lengths_m
from corridor.i18n import _
from corridor.network.graph import ROAD_CLASSES, FloatArray, IntArray, RoadNetwork
from corridor.network.ragged import gather_ragged


def _edge_array(values: npt.ArrayLike | None, n: int, name: str, dtype: Any,
                default: float | int) -> npt.NDArray[Any]:
    if values is None:
        return np.full(n, default, dtype=dtype)
    arr = np.asarray(values)
    if arr.ndim == 0:
        return np.full(n, arr, dtype=dtype)
    if arr.shape != (n,):
        raise NetworkError(_("edge array {name!r} has shape {shape}, expected ({n},)").format(
                               name=name, shape=arr.shape, n=n))
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
        raise NetworkError(_("geom_offsets has {n_offsets} entries, expected {n_expected}")
                           .format(n_offsets=len(offsets), n_expected=n_edges + 1))
    if len(lon) != len(lat):
        raise NetworkError(_("geom_lon has {n_lon} points but geom_lat has {n_lat}").format(
                               n_lon=len(lon), n_lat=len(lat)))
    if offsets[0] != 0 or offsets[-1] != len(lon):
        raise NetworkError(_("geom_offsets must run from 0 to {n_lon}").format(n_lon=len(lon)))
    if np.any(np.diff(offsets) < 2):
        raise NetworkError(_("every edge geometry needs at least two points (tail and head)"))


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
        raise NetworkError(_("node_lat has {n_lat} entries, expected {n_nodes}").format(
                               n_lat=len(lat), n_nodes=n_nodes))
    t = np.asarray(tail, dtype=np.int64)
    h = np.asarray(head, dtype=np.int64)
    n_edges = len(t)
    if h.shape != t.shape:
        raise NetworkError(_("head has {n_head} entries, expected {n_edges}").format(
            n_head=len(h), n_edges=n_edges))
    if n_edges and (min(t.min(), h.min()) < 0 or max(t.max(), h.max()) >= n_nodes):
        raise NetworkError(_("edge endpoints must be node indices in [0, {n_nodes})").format(
                               n_nodes=n_nodes))

    cls = _edge_array(road_class, n_edges, "road_class", np.int8, 0)
    if n_edges and (cls.min() < 0 or cls.max() >= len(ROAD_CLASSES)):
        raise NetworkError(_("road_class must be in [0, {n_classes})").format(
            n_classes=len(ROAD_CLASSES)))
    labels = _edge_array(name_idx, n_edges, "name_idx", np.int32, -1)
    if n_edges and (labels.min() < -1 or labels.max() >= len(names)):
        raise NetworkError(_("name_idx must be -1 or an index into {n_names} names").format(
                               n_names=len(names)))

    if geom_offsets is None:
        g_off, g_lon, g_lat = _straight_geometry(lon, lat, t, h)
    else:
        if geom_lon is None or geom_lat is None:
            raise NetworkError(_("geom_offsets given without geom_lon and geom_lat"))
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
        raise NetworkError(_("node_osm_id has {n_osm_ids} entries, expected {n_nodes}").format(
                               n_osm_ids=len(osm_ids), n_nodes=n_nodes))
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
