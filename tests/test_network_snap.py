"""Snapping points to the road network, checked against a brute-force nearest-segment search."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from corridor.errors import NetworkError
from corridor.geodesy import haversine_m
from corridor.network.cache import load_network
from corridor.network.graph import RoadNetwork
from corridor.network.snap import _edge_index, snap, snap_many
from tests.conftest import DATA_DIR


@pytest.fixture(scope="module")
def monaco() -> RoadNetwork:
    return load_network(DATA_DIR / "osm" / "monaco.osm.pbf")


def _random_points(net: RoadNetwork, n: int, seed: int) -> tuple[npt.NDArray[np.float64], ...]:
    min_lon, min_lat, max_lon, max_lat = net.bbox
    rng = np.random.default_rng(seed)
    return rng.uniform(min_lon, max_lon, n), rng.uniform(min_lat, max_lat, n)


def _brute_force_distance_m(net: RoadNetwork, lon: float, lat: float) -> float:
    """Distance to the nearest segment of any edge, in a plane tangent at the point."""
    scale = np.cos(np.radians(lat))
    x = (net.geom_lon - lon) * scale
    y = net.geom_lat - lat
    same_edge = np.ones(len(x) - 1, dtype=bool)
    same_edge[net.geom_offsets[1:-1] - 1] = False
    ax, ay, bx, by = x[:-1][same_edge], y[:-1][same_edge], x[1:][same_edge], y[1:][same_edge]
    dx, dy = bx - ax, by - ay
    norm = dx * dx + dy * dy
    t = np.clip(np.divide(-(ax * dx + ay * dy), norm, out=np.zeros_like(norm), where=norm > 0),
                0.0, 1.0)
    px, py = ax + t * dx, ay + t * dy
    i = int(np.argmin(px * px + py * py))
    return float(haversine_m(lon, lat, lon + px[i] / scale, lat + py[i]))


def test_nearest_edge_matches_brute_force(monaco: RoadNetwork) -> None:
    lons, lats = _random_points(monaco, 60, seed=3)
    snaps = snap_many(monaco, lons, lats)
    for i in range(len(lons)):
        expected = _brute_force_distance_m(monaco, lons[i], lats[i])
        assert snaps.distance_m[i] == pytest.approx(expected, rel=2e-3, abs=0.5)
        # The snapped point lies on the reported edge.
        coords = monaco.edge_coords(int(snaps.edge[i]))
        lo, hi = coords.min(axis=0) - 1e-9, coords.max(axis=0) + 1e-9
        assert (lo <= [snaps.lon[i], snaps.lat[i]]).all()
        assert ([snaps.lon[i], snaps.lat[i]] <= hi).all()


def test_point_on_a_vertex_snaps_onto_it(monaco: RoadNetwork) -> None:
    edge = int(np.argmax(np.diff(monaco.geom_offsets)))
    coords = monaco.edge_coords(edge)
    vertex = coords[len(coords) // 2]
    result = snap(monaco, float(vertex[0]), float(vertex[1]))
    assert result.distance_m < 0.01
    assert (result.lon, result.lat) == pytest.approx((vertex[0], vertex[1]), abs=1e-7)
    assert result.edge in (edge, result.reverse_edge) or np.allclose(
        monaco.edge_coords(result.edge), coords[::-1])


def test_position_node_and_reverse_edge_are_consistent(monaco: RoadNetwork) -> None:
    lons, lats = _random_points(monaco, 200, seed=5)
    snaps = snap_many(monaco, lons, lats)
    assert ((snaps.fraction >= 0) & (snaps.fraction <= 1)).all()
    np.testing.assert_allclose(snaps.offset_m, snaps.fraction * monaco.length_m[snaps.edge])
    ends = np.where(snaps.fraction <= 0.5, monaco.tail[snaps.edge], monaco.head[snaps.edge])
    np.testing.assert_array_equal(snaps.node, ends)
    twins = snaps.reverse_edge >= 0
    assert twins.any() and not twins.all()
    for e, r in zip(snaps.edge[twins], snaps.reverse_edge[twins], strict=True):
        assert (monaco.tail[r], monaco.head[r]) == (monaco.head[e], monaco.tail[e])
        np.testing.assert_array_equal(monaco.edge_coords(int(r)), monaco.edge_coords(int(e))[::-1])
        assert e < r


def test_many_equals_one_by_one(monaco: RoadNetwork) -> None:
    lons, lats = _random_points(monaco, 15, seed=11)
    snaps = snap_many(monaco, lons, lats)
    assert len(snaps) == 15
    for i in range(15):
        assert snap(monaco, float(lons[i]), float(lats[i])) == snaps[i]


def test_index_is_built_once(monaco: RoadNetwork) -> None:
    assert _edge_index(monaco) is _edge_index(monaco)


def test_point_far_from_any_road_is_an_error(monaco: RoadNetwork) -> None:
    # About 300 km south of Monaco, in the Ligurian Sea.
    lon, lat = 7.42, 41.0
    with pytest.raises(NetworkError, match=r"point 'Rescue ship' \(lon 7\.42, lat 41\) is "
                                           r"([\d.]+) km from the nearest road, expected at "
                                           r"most 5 km") as err:
        snap(monaco, lon, lat, max_distance_m=5000, name="Rescue ship")
    reported_km = float(str(err.value).split(" is ")[1].split(" km")[0])
    assert reported_km == pytest.approx(_brute_force_distance_m(monaco, lon, lat) / 1000,
                                        abs=0.1)
    near = snap(monaco, 7.42, 43.735)
    with pytest.raises(NetworkError, match=r"^point 1 \(lon 7\.42, lat 41\)"):
        snap_many(monaco, [7.42, lon], [43.735, lat], max_distance_m=near.distance_m + 1)


@pytest.mark.parametrize(("lon", "lat"), [(7.4, 95.0), (7.4, -90.5), (190.0, 43.7),
                                          (float("nan"), 43.7)])
def test_invalid_coordinates(monaco: RoadNetwork, lon: float, lat: float) -> None:
    with pytest.raises(NetworkError, match="not a valid position, expected longitude in "
                                           r"\[-180, 180\] and latitude in \[-90, 90\]"):
        snap(monaco, lon, lat)


def test_mismatched_inputs(monaco: RoadNetwork) -> None:
    with pytest.raises(NetworkError, match="equal-length"):
        snap_many(monaco, [7.4, 7.41], [43.7])
    with pytest.raises(NetworkError, match="1 names given for 2 points"):
        snap_many(monaco, [7.4, 7.41], [43.7, 43.71], names=["a"])
