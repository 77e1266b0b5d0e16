"""Simplification changes the shape of the graph, never the distances or attributes in it."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from corridor.geodesy import polyline_lengths_m
from corridor.network.build import network_from_edges
from corridor.network.graph import RoadNetwork
from corridor.network.osm import NetworkSettings, build_network
from corridor.network.simplify import simplify_network
from tests.conftest import DATA_DIR


@pytest.fixture(scope="module")
def monaco_raw() -> RoadNetwork:
    return build_network(DATA_DIR / "osm" / "monaco.osm.pbf",
                         settings=NetworkSettings(simplify=False))


def _distance_matrix(net: RoadNetwork) -> csr_matrix:
    """Shortest-length adjacency: of parallel edges only the shortest counts."""
    order = np.lexsort((net.length_m, net.head, net.tail))
    tail, head, length = net.tail[order], net.head[order], net.length_m[order]
    first = np.ones(len(tail), dtype=bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    return csr_matrix((length[first], (tail[first], head[first])), shape=(net.n_nodes,) * 2)


def test_shortest_distances_between_kept_nodes_are_unchanged(monaco_raw: RoadNetwork) -> None:
    net = simplify_network(monaco_raw)
    assert net.n_nodes < monaco_raw.n_nodes / 4
    raw_index = np.searchsorted(monaco_raw.node_osm_id, net.node_osm_id)
    assert (monaco_raw.node_osm_id[raw_index] == net.node_osm_id).all()
    sources = np.random.default_rng(7).choice(net.n_nodes, 25, replace=False)
    expected = dijkstra(_distance_matrix(monaco_raw), indices=raw_index[sources])[:, raw_index]
    got = dijkstra(_distance_matrix(net), indices=sources)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-6)


def test_attributes_and_geometry_stay_exact(monaco_raw: RoadNetwork) -> None:
    net = simplify_network(monaco_raw)
    assert net.km_by_class() == monaco_raw.km_by_class()
    np.testing.assert_allclose(polyline_lengths_m(net.geom_offsets, net.geom_lon, net.geom_lat),
                               net.length_m, rtol=1e-9, atol=1e-6)
    starts, ends = net.geom_offsets[:-1], net.geom_offsets[1:] - 1
    assert (net.geom_lon[starts] == net.node_lon[net.tail]).all()
    assert (net.geom_lat[ends] == net.node_lat[net.head]).all()
    raw_combos = set(zip(monaco_raw.road_class.tolist(), monaco_raw.speed_kmh.tolist(),
                         monaco_raw.capacity_vph.tolist(), monaco_raw.name_idx.tolist(),
                         strict=True))
    combos = set(zip(net.road_class.tolist(), net.speed_kmh.tolist(), net.capacity_vph.tolist(),
                     net.name_idx.tolist(), strict=True))
    assert combos <= raw_combos
    assert net.geom_lon.size < monaco_raw.geom_lon.size


def test_simplifying_twice_changes_nothing(monaco_raw: RoadNetwork) -> None:
    once = simplify_network(monaco_raw)
    twice = simplify_network(once)
    for name, array in once._arrays().items():
        np.testing.assert_array_equal(getattr(twice, name), array, err_msg=name)


def _ring(n: int, two_way: bool) -> RoadNetwork:
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    tail = np.arange(n)
    head = (tail + 1) % n
    if two_way:
        tail, head = np.concatenate([tail, head]), np.concatenate([head, tail])
    return network_from_edges(0.01 * np.cos(angles), 0.01 * np.sin(angles), tail, head,
                              speed_kmh=30, capacity_vph=600, road_class=6)


@pytest.mark.parametrize("two_way", [False, True])
def test_isolated_ring_keeps_one_node(two_way: bool) -> None:
    ring = _ring(12, two_way)
    net = simplify_network(ring)
    assert net.n_nodes == 1
    assert net.n_edges == (2 if two_way else 1)
    assert (net.tail == net.head).all()
    np.testing.assert_allclose(net.length_m, ring.length_m.sum() / net.n_edges)
    assert len(net.edge_coords(0)) == 13


def test_one_way_meeting_two_way_is_a_junction() -> None:
    # 0 -> 1 one-way, then 1 <-> 2 <-> 3 two-way: node 1 is where the direction rule changes.
    net = network_from_edges([0.0, 0.001, 0.002, 0.003], [0.0] * 4, [0, 1, 2, 2, 3],
                             [1, 2, 1, 3, 2], speed_kmh=50, capacity_vph=600, road_class=6)
    simple = simplify_network(net)
    assert simple.n_nodes == 3
    assert set(simple.node_lon.tolist()) == {0.0, 0.001, 0.003}


def test_protected_node_is_kept() -> None:
    net = network_from_edges([0.0, 0.001, 0.002], [0.0] * 3, [0, 1, 1, 2], [1, 0, 2, 1],
                             speed_kmh=50, capacity_vph=600, road_class=6)
    assert simplify_network(net).n_nodes == 2
    assert simplify_network(net, np.array([False, True, False])).n_nodes == 3
