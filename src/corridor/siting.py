"""Where a scenario puts closures, checkpoints and hazard zones, checked against its roads.

Everything placed on the map acts only through the roads near it: a closure closes the edges
within its radius, a checkpoint slows the corridor that passes it, a hazard zone exposes the
edges inside. Placed where no road is — latitude and longitude swapped, a point in another
country — it would do nothing and say nothing, and a plan would use a "destroyed" bridge. So
anything farther than the snap limit from every road is an error naming its field, with a hint
when the swapped pair would have landed near the roads.

Closing an OSM way closes one carriageway of a dual carriageway; the road is still open in the
other direction a few metres away. :func:`way_closures` closes the opposite carriageway too (the
one-way edges with the same ref or name, running the other way, alongside) and says what it
closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from corridor.errors import ScenarioError
from corridor.geodesy import LocalProjection, haversine_m
from corridor.i18n import _
from corridor.network.graph import IntArray, RoadNetwork
from corridor.network.snap import snap_many
from corridor.network.topology import reverse_twins

#: Farthest apart the two carriageways of one road are taken to lie (centre lines).
DUAL_CARRIAGEWAY_M = 60.0
#: Carriageways run opposite when their directions differ by more than about 135 degrees.
OPPOSITE_COSINE = 0.7


def road_distance_m(network: RoadNetwork, lonlat: tuple[float, float]) -> float:
    """Metres from a point to the nearest road of the network."""
    return float(snap_many(network, [lonlat[0]], [lonlat[1]]).distance_m[0])


def check_point(network: RoadNetwork, lonlat: tuple[float, float], *, limit_m: float,
                field: str, what: str) -> float:
    """The point's distance to the nearest road; an error naming ``field`` beyond ``limit_m``."""
    distance = road_distance_m(network, lonlat)
    if distance > limit_m:
        lon, lat = lonlat
        raise ScenarioError(
            _("{what} at [{lon:g}, {lat:g}] (lon, lat) is {distance_km:.1f} km from the nearest "
              "road, expected at most {limit_km:g} km (the roads span {span})").format(
                what=what, lon=lon, lat=lat, distance_km=distance / 1000,
                limit_km=limit_m / 1000, span=_span(network))
            + _outside(network, lonlat) + _swap_hint(network, [lonlat], limit_m), field=field)
    return distance


def check_area(network: RoadNetwork, ring: Sequence[tuple[float, float]], *, limit_m: float,
               field: str, what: str) -> None:
    """An error naming ``field`` when no road lies within ``limit_m`` of the polygon ``ring``."""
    if _area_distance_m(network, ring) > limit_m:
        raise ScenarioError(
            _("{what} lies more than {limit_km:g} km from every road (the roads span "
              "{span})").format(what=what, limit_km=limit_m / 1000, span=_span(network))
            + _swap_hint(network, ring, limit_m), field=field)


@dataclass(frozen=True)
class WayClosure:
    """The OSM ways closed for one ``way_id`` closure, and a sentence saying which."""

    way_ids: tuple[int, ...]
    note: str


def way_closures(network: RoadNetwork, way_id: int, *, field: str) -> WayClosure:
    """The way, plus the opposite carriageway alongside when the way is one-way.

    Raises
    ------
        ScenarioError: No edge of the network belongs to the way.
    """
    edges = np.flatnonzero(network.way_id == way_id)
    if not len(edges):
        raise ScenarioError(_("no road of the network is OSM way {way_id}; it is not a "
                              "drivable road of the extract or was dropped from the network "
                              "(see {command})").format(way_id=way_id,
                                                        command="`corridor network info`"),
                            field=field)
    label = _label(network, edges)
    twins = reverse_twins(network)
    if (twins[edges] >= 0).all():
        return WayClosure((way_id,), f"closed OSM way {way_id}{label}, both directions")
    opposite = _opposite_carriageway(network, edges, twins)
    if not opposite:
        return WayClosure((way_id,), f"closed OSM way {way_id}{label}, one way only: no "
                                     "opposite carriageway with the same ref or name alongside")
    ways = ", ".join(str(w) for w in opposite)
    return WayClosure((way_id, *opposite),
                      f"closed OSM way {way_id}{label}, one carriageway, and the opposite "
                      f"carriageway alongside: OSM way{'s' if len(opposite) > 1 else ''} {ways}")


def _opposite_carriageway(network: RoadNetwork, edges: IntArray, twins: IntArray) -> list[int]:
    """Ways of one-way edges with the way's ref/name that run the other way within reach."""
    labels = np.unique(network.name_idx[edges])
    labels = labels[labels >= 0]
    candidates = np.flatnonzero(np.isin(network.name_idx, labels) & (twins < 0)
                                & ~np.isin(network.way_id, network.way_id[edges]))
    if not len(candidates):
        return []
    projection = LocalProjection(float(network.node_lon[network.tail[edges[0]]]),
                                 float(network.node_lat[network.tail[edges[0]]]))
    closed, near = _lines(network, projection, edges), _lines(network, projection, candidates)
    closed_union = shapely.union_all(closed)
    alongside = ((shapely.distance(shapely.line_interpolate_point(near, 0.5, normalized=True),
                                   closed_union) <= DUAL_CARRIAGEWAY_M)
                 | (shapely.distance(near, shapely.union_all(shapely.line_interpolate_point(
                     closed, 0.5, normalized=True))) <= DUAL_CARRIAGEWAY_M))
    found: list[int] = []
    for k in np.flatnonzero(alongside):
        nearest = closed[int(np.argmin(shapely.distance(closed, near[k])))]
        if _cosine(near[k], nearest) < -OPPOSITE_COSINE and (
                way := int(network.way_id[candidates[k]])) not in found:
            found.append(way)
    return found


def _lines(network: RoadNetwork, projection: LocalProjection,
           edges: IntArray) -> np.ndarray[tuple[int], np.dtype[np.object_]]:
    """Edge polylines in metres on ``projection``."""
    off = network.geom_offsets
    index = np.concatenate([np.arange(off[e], off[e + 1]) for e in edges])
    owner = np.repeat(np.arange(len(edges)), off[edges + 1] - off[edges])
    x, y = projection.forward(network.geom_lon[index], network.geom_lat[index])
    return np.asarray(shapely.linestrings(x, y, indices=owner))


def _cosine(a: shapely.LineString, b: shapely.LineString) -> float:
    """Cosine of the angle between two lines' start-to-end directions (0 for a closed loop)."""
    da, db = (np.diff(shapely.get_coordinates(line)[[0, -1]], axis=0)[0] for line in (a, b))
    norm = float(np.hypot(*da) * np.hypot(*db))
    return float(da @ db) / norm if norm > 0 else 0.0


def _label(network: RoadNetwork, edges: IntArray) -> str:
    names = sorted({network.names[i] for i in network.name_idx[edges] if i >= 0})
    return f" ({', '.join(names)})" if names else ""


def _area_distance_m(network: RoadNetwork, ring: Sequence[tuple[float, float]]) -> float:
    """Metres from a polygon to the nearest road node (0 when one lies inside)."""
    lons, lats = np.array([p[0] for p in ring]), np.array([p[1] for p in ring])
    projection = LocalProjection((lons.min() + lons.max()) / 2, (lats.min() + lats.max()) / 2)
    polygon = shapely.Polygon(np.column_stack(projection.forward(lons, lats)))
    x, y = projection.forward(network.node_lon, network.node_lat)
    return float(shapely.distance(polygon, shapely.multipoints(np.column_stack([x, y]))))


def _span(network: RoadNetwork) -> str:
    lon0, lat0, lon1, lat1 = network.bbox
    return f"lon {lon0:.2f}..{lon1:.2f}, lat {lat0:.2f}..{lat1:.2f}"


def _outside(network: RoadNetwork, lonlat: tuple[float, float]) -> str:
    """How far outside the extract's bounds a point lies, when it does."""
    lon0, lat0, lon1, lat1 = network.bbox
    lon, lat = lonlat
    inside = (min(max(lon, lon0), lon1), min(max(lat, lat0), lat1))
    if inside == (lon, lat):
        return ""
    km = float(haversine_m(lon, lat, *inside)) / 1000.0
    return _("; it lies {distance_km:.1f} km outside the extract's bounds").format(distance_km=km)


def _swap_hint(network: RoadNetwork, points: Sequence[tuple[float, float]],
               limit_m: float) -> str:
    """A hint when the same coordinates read as ``[lat, lon]`` lie near the roads."""
    swapped = [(lat, lon) for lon, lat in points]
    if any(abs(lat) > 90.0 for _lon, lat in swapped):
        return ""
    if len(points) == 1:
        near = road_distance_m(network, swapped[0]) <= limit_m
    else:
        near = _area_distance_m(network, swapped) <= limit_m
    return (_("; with longitude and latitude swapped it would lie among the roads: write "
              "[longitude, latitude]") if near else "")
