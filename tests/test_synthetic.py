"""The synthetic road-like network: connected, hierarchical, reproducible."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from corridor.errors import NetworkError
from corridor.geodesy import haversine_m
from corridor.network.graph import ROAD_CLASSES, RoadNetwork
from corridor.network.synthetic import road_like_grid


@pytest.fixture(scope="module")
def net() -> RoadNetwork:
    return road_like_grid(4321, seed=7, centre=(36.2, 49.99), spacing_m=200.0)


def test_exact_size_and_strongly_connected(net: RoadNetwork) -> None:
    assert net.n_nodes == 4321
    graph = csr_matrix((np.ones(net.n_edges), (net.tail, net.head)),
                       shape=(net.n_nodes, net.n_nodes))
    n_components, _ = connected_components(graph, directed=True, connection="strong")
    assert n_components == 1
    assert np.all(np.diff(net.tail) >= 0)
    assert not np.any(net.tail == net.head)


def test_laid_out_around_the_centre_at_the_spacing(net: RoadNetwork) -> None:
    assert np.mean(net.node_lon) == pytest.approx(36.2, abs=0.01)
    assert np.mean(net.node_lat) == pytest.approx(49.99, abs=0.01)
    measured = haversine_m(net.node_lon[net.tail], net.node_lat[net.tail],
                           net.node_lon[net.head], net.node_lat[net.head])
    np.testing.assert_allclose(net.length_m, measured, rtol=1e-9)
    assert 100 < np.median(net.length_m) < 300


def test_hierarchy_of_faster_named_main_roads(net: RoadNetwork) -> None:
    classes = {ROAD_CLASSES[c] for c in np.unique(net.road_class)}
    assert classes == {"primary", "secondary", "residential"}
    primary = net.road_class == ROAD_CLASSES.index("primary")
    residential = net.road_class == ROAD_CLASSES.index("residential")
    assert net.speed_kmh[primary].min() > net.speed_kmh[residential].max()
    assert np.all(net.name_idx[residential] == -1)
    assert {net.names[i][0] for i in np.unique(net.name_idx[primary])} == {"M"}


def test_some_minor_links_are_one_way(net: RoadNetwork) -> None:
    forward = set(zip(net.tail.tolist(), net.head.tolist(), strict=True))
    one_way = [(u, v) for u, v in forward if (v, u) not in forward]
    assert one_way
    minor = {ROAD_CLASSES.index("residential")}
    edge_class = dict(zip(zip(net.tail.tolist(), net.head.tolist(), strict=True),
                          net.road_class.tolist(), strict=True))
    assert {edge_class[uv] for uv in one_way} <= minor


def test_same_seed_same_network() -> None:
    a, b, c = road_like_grid(500, 3), road_like_grid(500, 3), road_like_grid(500, 4)
    np.testing.assert_array_equal(a.node_lon, b.node_lon)
    np.testing.assert_array_equal(a.head, b.head)
    assert a.n_edges != c.n_edges or not np.array_equal(a.head, c.head)


def test_too_small_is_rejected() -> None:
    with pytest.raises(NetworkError, match="at least 2 nodes"):
        road_like_grid(1, 0)
