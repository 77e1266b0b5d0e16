"""The numpy network builder: CSR order, geometry bookkeeping, lengths, subsetting."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from corridor.errors import NetworkError
from corridor.geodesy import haversine_m, polyline_lengths_m
from corridor.network.build import network_from_edges
from corridor.network.ragged import gather_ragged
from corridor.network.topology import (
    largest_strong_component,
    restrict_nodes,
    reverse_twins,
    strong_components,
)

#: One degree of latitude on the mean-radius sphere.
DEG_M = 6_371_008.8 * np.pi / 180


def _triangle_with_tail() -> dict[str, Any]:
    """Nodes 0-1-2 form a two-way triangle; node 3 hangs off 2 by a one-way edge 2 -> 3."""
    return {
        "node_lon": [0.0, 0.01, 0.0, 0.02],
        "node_lat": [0.0, 0.0, 0.01, 0.02],
        "tail": [2, 0, 1, 1, 2, 0, 2],
        "head": [0, 1, 0, 2, 1, 2, 3],
        "speed_kmh": 50.0,
        "capacity_vph": 600.0,
        "road_class": 6,
    }


def test_haversine_matches_spherical_geometry() -> None:
    assert haversine_m(0, 0, 0, 1) == pytest.approx(DEG_M)
    assert haversine_m(0, 0, 1, 0) == pytest.approx(DEG_M)
    # At 60 degrees north, meridians are half as far apart.
    assert haversine_m(0, 60, 1, 60) == pytest.approx(DEG_M / 2, rel=1e-4)
    assert haversine_m(10, 20, 10, 20) == 0.0


def test_polyline_lengths_ignore_the_jump_between_polylines() -> None:
    lon = [0.0, 0.0, 0.0, 5.0, 5.0]
    lat = [0.0, 1.0, 2.0, 0.0, 3.0]
    lengths = polyline_lengths_m([0, 3, 5], lon, lat)
    assert lengths == pytest.approx([2 * DEG_M, 3 * DEG_M])


def test_gather_ragged_reorders_rows() -> None:
    flat = np.array([10, 11, 20, 21, 22, 30])
    offsets = np.array([0, 2, 5, 6])
    index, new_offsets = gather_ragged(offsets, np.array([2, 0, 1]))
    assert flat[index].tolist() == [30, 10, 11, 20, 21, 22]
    assert new_offsets.tolist() == [0, 1, 3, 6]


def test_edges_are_sorted_and_attributes_follow() -> None:
    spec = _triangle_with_tail()
    n_edges = len(spec["tail"])
    spec["speed_kmh"] = np.arange(n_edges) + 10.0
    net = network_from_edges(**spec, way_id=np.arange(n_edges) + 100)
    assert np.all(np.diff(net.tail) >= 0)
    original = {pair: i for i, pair in enumerate(zip(spec["tail"], spec["head"], strict=True))}
    for e in range(net.n_edges):
        i = original[(int(net.tail[e]), int(net.head[e]))]
        assert net.speed_kmh[e] == i + 10.0
        assert net.way_id[e] == i + 100
        coords = net.edge_coords(e)
        assert coords[0].tolist() == [net.node_lon[net.tail[e]], net.node_lat[net.tail[e]]]
        assert coords[-1].tolist() == [net.node_lon[net.head[e]], net.node_lat[net.head[e]]]
    assert net.indptr.tolist() == [0, 2, 4, 7, 7]
    assert net.name_idx.tolist() == [-1] * n_edges


def test_geometry_is_carried_with_its_edge_and_measured() -> None:
    # Edge 0 (1 -> 0) bends through a third point; edge 1 (0 -> 1) is straight.
    net = network_from_edges(
        [0.0, 0.0], [0.0, 1.0], [1, 0], [0, 1], speed_kmh=50, capacity_vph=600, road_class=0,
        geom_offsets=[0, 3, 5], geom_lon=[0.0, 1.0, 0.0, 0.0, 0.0],
        geom_lat=[1.0, 0.5, 0.0, 0.0, 1.0])
    assert net.tail.tolist() == [0, 1]
    assert net.edge_coords(0).tolist() == [[0.0, 0.0], [0.0, 1.0]]
    assert net.edge_coords(1).tolist() == [[0.0, 1.0], [1.0, 0.5], [0.0, 0.0]]
    assert net.length_m[0] == pytest.approx(DEG_M)
    bent = float(haversine_m(0.0, 1.0, 1.0, 0.5) + haversine_m(1.0, 0.5, 0.0, 0.0))
    assert net.length_m[1] == pytest.approx(bent)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"head": [0, 1, 0, 2, 1, 2, 9]}, "node indices"),
        ({"head": [0, 1]}, "head has 2 entries"),
        ({"road_class": 42}, "road_class"),
        ({"name_idx": 0}, "name_idx"),
        ({"speed_kmh": [1.0, 2.0]}, "speed_kmh"),
        ({"geom_offsets": [0, 2], "geom_lon": [0, 1], "geom_lat": [0, 1]}, "geom_offsets"),
    ],
)
def test_inconsistent_input_is_rejected(change: dict[str, Any], message: str) -> None:
    with pytest.raises(NetworkError, match=message):
        network_from_edges(**{**_triangle_with_tail(), **change})


def test_restrict_nodes_renumbers_and_keeps_geometry() -> None:
    net = network_from_edges(**_triangle_with_tail())
    keep = np.array([True, False, True, True])
    sub = restrict_nodes(net, keep)
    assert sub.n_nodes == 3
    assert sorted(zip(sub.tail.tolist(), sub.head.tolist(), strict=True)) == [
        (0, 1), (1, 0), (1, 2)]
    for e in range(sub.n_edges):
        assert sub.edge_coords(e)[0].tolist() == [sub.node_lon[sub.tail[e]],
                                                  sub.node_lat[sub.tail[e]]]


def test_largest_strong_component_drops_one_way_dead_end() -> None:
    net = network_from_edges(**_triangle_with_tail())
    mask, n_components = largest_strong_component(net)
    assert mask.tolist() == [True, True, True, False]
    assert n_components == 2


def test_reverse_twins_need_the_same_line() -> None:
    # 0 <-> 1 straight both ways; 1 -> 2 straight, 2 -> 1 through a detour point.
    net = network_from_edges(
        [0.0, 0.01, 0.02], [0.0, 0.0, 0.0], [0, 1, 1, 2], [1, 0, 2, 1], speed_kmh=50,
        capacity_vph=600, road_class=6, geom_offsets=[0, 2, 4, 6, 9],
        geom_lon=[0.0, 0.01, 0.01, 0.0, 0.01, 0.02, 0.02, 0.015, 0.01],
        geom_lat=[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.005, 0.0])
    pairs = {(int(t), int(h)): e for e, (t, h) in enumerate(zip(net.tail, net.head, strict=True))}
    twins = reverse_twins(net)
    assert twins[pairs[(0, 1)]] == pairs[(1, 0)]
    assert twins[pairs[(1, 0)]] == pairs[(0, 1)]
    assert twins[pairs[(1, 2)]] == -1
    assert twins[pairs[(2, 1)]] == -1


def test_strong_components_with_parallel_edges() -> None:
    # 0 <-> 1 (twice, as two parallel ways), 1 -> 2, 2 <-> 3, 4 alone
    indptr = np.array([0, 2, 5, 6, 7, 7])
    head = np.array([1, 1, 0, 0, 2, 3, 2])
    n_components, labels = strong_components(indptr, head)
    assert n_components == 3
    assert labels[0] == labels[1] != labels[2]
    assert labels[2] == labels[3] != labels[4]


def test_largest_component_of_monaco_is_closed_under_edges() -> None:
    from corridor.network.osm import NetworkSettings, build_network
    from tests.conftest import DATA_DIR

    net = build_network(DATA_DIR / "osm" / "monaco.osm.pbf",
                        settings=NetworkSettings(simplify=False, largest_component=False))
    n_components, labels = strong_components(net.indptr, net.head)
    assert n_components > 1
    # every edge inside a component has a way back: checked by a plain BFS both ways
    big = np.bincount(labels).argmax()
    inside = np.flatnonzero(labels == big)
    start = int(inside[0])
    for tail, head in ((net.tail, net.head), (net.head, net.tail)):
        seen = {start}
        frontier = [start]
        adjacency: dict[int, list[int]] = {}
        for t, h in zip(tail.tolist(), head.tolist(), strict=True):
            adjacency.setdefault(t, []).append(h)
        while frontier:
            nxt = [w for v in frontier for w in adjacency.get(v, []) if w not in seen]
            seen.update(nxt)
            frontier = nxt
        assert set(inside.tolist()) <= seen
