"""Attach points given as coordinates (towns, waypoints, shelters) to the nearest road.

Nearest-edge search runs in a local azimuthal equidistant projection centred on the network, so
distances are in metres and true to well under a metre per kilometre across a regional network.
The projected edge lines and their STRtree are built once per network and kept as long as the
network lives. Distances reported to the caller are measured geodesically between the point and
its snapped position.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from corridor.errors import NetworkError
from corridor.geodesy import LocalProjection, haversine_m
from corridor.i18n import _, ngettext
from corridor.network.graph import FloatArray, IntArray, RoadNetwork
from corridor.network.topology import reverse_twins


@dataclass(frozen=True)
class Snap:
    """Where one point meets the road network.

    Attributes
    ----------
    edge
        The nearest directed edge. A two-way road is two edges with the same geometry; the one
        with the lower id is reported and the other is ``reverse_edge``.
    reverse_edge
        The edge running the other way along the same line, or ``-1`` on a one-way road.
    node
        The end of ``edge`` nearer along the road to the snapped point: where a route starts.
    fraction
        Position of the snapped point along ``edge``, 0 at its tail, 1 at its head.
    offset_m
        The same position in metres from the tail.
    lon, lat
        The snapped point on the edge.
    distance_m
        Distance from the given point to the snapped point.
    """

    edge: int
    reverse_edge: int
    node: int
    fraction: float
    offset_m: float
    lon: float
    lat: float
    distance_m: float


@dataclass(frozen=True)
class Snaps:
    """Snaps of many points at once, one array entry per point (fields as in :class:`Snap`)."""

    edge: IntArray
    reverse_edge: IntArray
    node: IntArray
    fraction: FloatArray
    offset_m: FloatArray
    lon: FloatArray
    lat: FloatArray
    distance_m: FloatArray

    def __len__(self) -> int:
        return len(self.edge)

    def __getitem__(self, i: int) -> Snap:
        return Snap(int(self.edge[i]), int(self.reverse_edge[i]), int(self.node[i]),
                    float(self.fraction[i]), float(self.offset_m[i]), float(self.lon[i]),
                    float(self.lat[i]), float(self.distance_m[i]))


@dataclass(frozen=True)
class _EdgeIndex:
    to_local: LocalProjection
    lines: npt.NDArray[np.object_]
    tree: shapely.STRtree
    twins: IntArray


_INDEXES: weakref.WeakKeyDictionary[RoadNetwork, _EdgeIndex] = weakref.WeakKeyDictionary()


def snap(network: RoadNetwork, lon: float, lat: float, *, max_distance_m: float | None = None,
         name: str | None = None) -> Snap:
    """Snap one point to the nearest edge.

    Parameters
    ----------
    network
        The road network.
    lon, lat
        The point, in degrees (WGS84).
    max_distance_m
        Farthest acceptable distance to a road; beyond it the point is an error rather than
        a silently distant snap.
    name
        What the point is (a waypoint or town name), used in error messages.

    Returns
    -------
    Snap
        The nearest edge and position on it.

    Raises
    ------
    NetworkError
        If the coordinates are not valid WGS84 degrees, the network has no edges, or the
        point is farther than ``max_distance_m`` from every road.
    """
    names = None if name is None else [name]
    return snap_many(network, [lon], [lat], max_distance_m=max_distance_m, names=names)[0]


def snap_many(network: RoadNetwork, lon: npt.ArrayLike, lat: npt.ArrayLike, *,
              max_distance_m: float | None = None,
              names: Sequence[str] | None = None) -> Snaps:
    """Snap many points in one vectorised query.

    Parameters
    ----------
    network
        The road network.
    lon, lat
        Equal-length sequences of coordinates in degrees (WGS84).
    max_distance_m
        Farthest acceptable distance to a road for every point.
    names
        One label per point for error messages; points are otherwise named by index.

    Returns
    -------
    Snaps
        One entry per point, in input order.

    Raises
    ------
    NetworkError
        As :func:`snap`; the message names the first offending point.
    """
    lons = np.atleast_1d(np.asarray(lon, dtype=np.float64))
    lats = np.atleast_1d(np.asarray(lat, dtype=np.float64))
    if lons.shape != lats.shape or lons.ndim != 1:
        raise NetworkError(_("lon and lat must be equal-length sequences, got {lon_shape} and "
                             "{lat_shape}").format(lon_shape=lons.shape, lat_shape=lats.shape))
    if names is not None and len(names) != len(lons):
        raise NetworkError(_("{n_names} names given for {n_points} points").format(
            n_names=len(names), n_points=len(lons)))
    _check_coordinates(lons, lats, names)
    if network.n_edges == 0:
        raise NetworkError(_("the network has no edges to snap to"),
                           source=network.meta.get("source"))

    index = _edge_index(network)
    x, y = index.to_local.forward(lons, lats)
    points = shapely.points(x, y)
    edge, reverse = _nearest_edges(index, points)
    lines = index.lines[edge]
    along = shapely.line_locate_point(lines, points)
    line_length = shapely.length(lines)
    fraction = np.divide(along, line_length, out=np.zeros_like(along), where=line_length > 0)
    snapped = shapely.line_interpolate_point(lines, along)
    snap_lon, snap_lat = index.to_local.inverse(shapely.get_x(snapped), shapely.get_y(snapped))
    result = Snaps(
        edge=edge,
        reverse_edge=reverse,
        node=np.where(fraction <= 0.5, network.tail[edge], network.head[edge]).astype(np.int64),
        fraction=fraction,
        offset_m=fraction * network.length_m[edge],
        lon=np.asarray(snap_lon, dtype=np.float64),
        lat=np.asarray(snap_lat, dtype=np.float64),
        distance_m=haversine_m(lons, lats, snap_lon, snap_lat),
    )
    if max_distance_m is not None:
        _check_distance(result, lons, lats, max_distance_m, names)
    return result


def _label(i: int, lon: float, lat: float, names: Sequence[str] | None) -> str:
    if names is not None:
        return _("point {name!r} (lon {lon:g}, lat {lat:g})").format(name=names[i], lon=lon,
                                                                      lat=lat)
    return _("point {index} (lon {lon:g}, lat {lat:g})").format(index=i, lon=lon, lat=lat)


def _check_coordinates(lons: FloatArray, lats: FloatArray, names: Sequence[str] | None) -> None:
    bad = ~(np.isfinite(lons) & np.isfinite(lats) & (np.abs(lats) <= 90.0)
            & (np.abs(lons) <= 180.0))
    if bad.any():
        i = int(np.argmax(bad))
        raise NetworkError(_("{point} is not a valid position, expected longitude in "
                             "[-180, 180] and latitude in [-90, 90]").format(
            point=_label(i, lons[i], lats[i], names)))


def _check_distance(result: Snaps, lons: FloatArray, lats: FloatArray, max_distance_m: float,
                    names: Sequence[str] | None) -> None:
    too_far = result.distance_m > max_distance_m
    if too_far.any():
        i = int(np.argmax(too_far))
        others = int(too_far.sum()) - 1
        message = _("{point} is {distance_km:.1f} km from the nearest road, expected at most "
                    "{limit_km:g} km").format(point=_label(i, lons[i], lats[i], names),
                                              distance_km=result.distance_m[i] / 1000,
                                              limit_km=max_distance_m / 1000)
        if others:
            message = ngettext("{message} ({count} more point too far)",
                               "{message} ({count} more points too far)", others).format(
                message=message, count=others)
        raise NetworkError(message)


def _edge_index(network: RoadNetwork) -> _EdgeIndex:
    """The projected edge lines and their STRtree, built on first use."""
    cached = _INDEXES.get(network)
    if cached is not None:
        return cached
    to_local = LocalProjection.for_bounds(network.bbox, equidistant=True)
    x, y = to_local.forward(network.geom_lon, network.geom_lat)
    owner = np.repeat(np.arange(network.n_edges), np.diff(network.geom_offsets))
    lines = shapely.linestrings(x, y, indices=owner)
    index = _EdgeIndex(to_local, lines, shapely.STRtree(lines), reverse_twins(network))
    _INDEXES[network] = index
    return index


def _nearest_edges(index: _EdgeIndex, points: npt.NDArray[np.object_]) -> tuple[IntArray, IntArray]:
    """Lowest-id nearest edge per point, and its reverse twin.

    Twins share one line, but the distance to it can differ in the last bit with the direction
    it is drawn in, so the lower id of the pair is chosen explicitly rather than by tie.
    """
    point_idx, edge_idx = index.tree.query_nearest(points, all_matches=True)
    nearest = np.full(len(points), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(nearest, point_idx, edge_idx)
    twin = index.twins[nearest]
    chosen = np.where(twin >= 0, np.minimum(nearest, twin), nearest)
    return chosen, index.twins[chosen]
