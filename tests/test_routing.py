"""The router against independent references: scipy Dijkstra and networkx."""

from __future__ import annotations

import pathlib
from itertools import pairwise

import networkx as nx
import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from corridor.errors import RoutingError
from corridor.network.build import network_from_edges
from corridor.network.graph import RoadNetwork
from corridor.network.synthetic import road_like_grid
from corridor.routing import Mode, Path, Router, describe_exclusions, edge_weights
from corridor.routing.router import PARTIAL_UPDATE_MAX_ARCS
from corridor.situation import RISK_LEVELS, Situation

N_PAIRS = 200
TERRITORIES = ("UA", "RU", "contested")


def _situation(net: RoadNetwork, seed: int) -> Situation:
    """Three vertical bands of territory, three hazard discs and 1 % closed edges.

    Edges whose ends lie in different bands are split half and half and flagged as crossings.
    """
    rng = np.random.default_rng(seed)
    cuts = np.quantile(net.node_lon, [0.45, 0.6])
    band = np.array([0, 2, 1])[np.searchsorted(cuts, net.node_lon)]
    km = net.length_m / 1000.0
    territory_km = np.zeros((net.n_edges, len(TERRITORIES)))
    rows = np.arange(net.n_edges)
    np.add.at(territory_km, (rows, band[net.tail]), km / 2)
    np.add.at(territory_km, (rows, band[net.head]), km / 2)
    mid_lon = (net.node_lon[net.tail] + net.node_lon[net.head]) / 2
    mid_lat = (net.node_lat[net.tail] + net.node_lat[net.head]) / 2
    exposure = np.zeros((net.n_edges, len(RISK_LEVELS)))
    span = max(np.ptp(net.node_lon), np.ptp(net.node_lat))
    for level in range(len(RISK_LEVELS)):
        centre = rng.integers(net.n_nodes)
        hit = np.hypot(mid_lon - net.node_lon[centre], mid_lat - net.node_lat[centre]) < span / 8
        exposure[hit, level] = km[hit]
    return Situation(
        network=net,
        territories=TERRITORIES,
        edge_territory=band[net.tail].astype(np.int16),
        territory_km=territory_km,
        exposure_km=exposure,
        closed=rng.random(net.n_edges) < 0.01,
        border_crossing=band[net.tail] != band[net.head],
    )


@pytest.fixture(scope="module")
def net() -> RoadNetwork:
    return road_like_grid(5000, seed=11)


@pytest.fixture(scope="module")
def situation(net: RoadNetwork) -> Situation:
    return _situation(net, seed=5)


@pytest.fixture(scope="module")
def router(net: RoadNetwork) -> Router:
    return Router(net)


@pytest.fixture(scope="module")
def pairs(net: RoadNetwork) -> np.ndarray:
    return np.random.default_rng(2).integers(0, net.n_nodes, size=(N_PAIRS, 2))


def _scipy_distances(net: RoadNetwork, weights: np.ndarray, sources: np.ndarray) -> np.ndarray:
    """All distances from ``sources`` on a graph without parallel edges (checked)."""
    keys = net.tail.astype(np.int64) * net.n_nodes + net.head
    assert len(np.unique(keys)) == net.n_edges
    ok = np.isfinite(weights)
    graph = csr_matrix((weights[ok], (net.tail[ok], net.head[ok])),
                       shape=(net.n_nodes, net.n_nodes))
    return np.asarray(dijkstra(graph, indices=sources))


def _assert_valid_path(net: RoadNetwork, path: Path, source: int, target: int) -> None:
    assert path.source == source and path.target == target
    assert len(path.nodes) == len(path.edges) + 1
    np.testing.assert_array_equal(net.tail[path.edges], path.nodes[:-1])
    np.testing.assert_array_equal(net.head[path.edges], path.nodes[1:])


@pytest.mark.parametrize("mode", list(Mode))
def test_cch_matches_scipy_on_random_pairs(net: RoadNetwork, situation: Situation,
                                           router: Router, pairs: np.ndarray, mode: Mode) -> None:
    weights = edge_weights(net, situation, mode=mode, convoy_speed_kmh=70)
    router.customize(mode.value, weights)
    step = router.cost_step(mode.value)
    exact = _scipy_distances(net, weights, pairs[:, 0])
    units = np.where(np.isfinite(weights), np.rint(weights / step), np.inf)
    rounded = _scipy_distances(net, units, pairs[:, 0])
    reachable = 0
    for i, (s, t) in enumerate(pairs.tolist()):
        path = router.path(s, t, mode.value)
        if path is None:
            assert np.isinf(exact[i, t])
            continue
        reachable += 1
        _assert_valid_path(net, path, s, t)
        assert path.cost == pytest.approx(weights[path.edges].sum(), rel=1e-12)
        assert units[path.edges].sum() == rounded[i, t]
        # The float cost may exceed the float optimum only by rounding each edge to ``step``.
        assert exact[i, t] - 1e-9 <= path.cost <= exact[i, t] + len(path.edges) * step
    assert reachable > N_PAIRS * 0.8


def test_dijkstra_engine_gives_the_same_costs(net: RoadNetwork, situation: Situation,
                                              router: Router, pairs: np.ndarray) -> None:
    weights = edge_weights(net, situation, mode=Mode.BALANCED)
    router.customize("balanced", weights)
    reference = Router(net, engine="dijkstra")
    reference.customize("balanced", weights)
    assert router.cost_step("balanced") == reference.cost_step("balanced")
    units = np.rint(weights / router.cost_step("balanced"))
    for s, t in pairs[:40].tolist():
        a, b = router.path(s, t, "balanced"), reference.path(s, t, "balanced")
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            _assert_valid_path(net, b, s, t)
            assert units[a.edges].sum() == units[b.edges].sum()


@pytest.fixture(scope="module")
def multigraph() -> RoadNetwork:
    """Six nodes with parallel edges of different speeds, one-way arcs and an island (5)."""
    lon = np.array([0.0, 0.01, 0.02, 0.01, 0.03, 0.5])
    lat = np.array([0.0, 0.0, 0.0, 0.01, 0.01, 0.5])
    tail = [0, 0, 1, 1, 2, 3, 3, 2, 1, 4, 2]
    head = [1, 1, 2, 2, 1, 1, 0, 4, 3, 2, 3]
    speed = [30, 90, 50, 50, 20, 40, 40, 60, 60, 60, 10]
    return network_from_edges(lon, lat, tail, head, speed_kmh=speed, capacity_vph=1000,
                              road_class=5)


@pytest.mark.parametrize("engine", ["cch", "dijkstra"])
def test_parallel_edges_and_exclusions_match_networkx(multigraph: RoadNetwork,
                                                      engine: str) -> None:
    net = multigraph
    router = Router(net, engine=engine)
    weights = np.array(net.travel_time_s)
    weights[np.flatnonzero((net.tail == 1) & (net.head == 2))[0]] = np.inf
    router.customize("w", weights)
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(range(net.n_nodes))
    for e in np.flatnonzero(np.isfinite(weights)):
        graph.add_edge(int(net.tail[e]), int(net.head[e]), key=int(e), w=weights[e])
    for s in range(net.n_nodes):
        expected = nx.single_source_dijkstra_path_length(graph, s, weight="w")
        for t in range(net.n_nodes):
            path = router.path(s, t, "w")
            if t not in expected:
                assert path is None
                continue
            assert path is not None
            _assert_valid_path(net, path, s, t)
            assert path.cost == pytest.approx(expected[t], abs=len(path.edges) * 1e-3)
    fast = router.path(0, 1, "w")
    assert fast is not None and net.speed_kmh[fast.edges[0]] == 90


def test_excluded_territory_is_never_entered(net: RoadNetwork, situation: Situation,
                                             router: Router, pairs: np.ndarray) -> None:
    ru = situation.territory_index("RU")
    weights = edge_weights(net, situation, mode=Mode.FASTEST, exclude_territories=["RU"])
    router.customize("fastest/UA", weights, excluded=describe_exclusions(["RU"]))
    found = blocked = 0
    for s, t in pairs.tolist():
        path = router.path(s, t, "fastest/UA")
        if path is None:
            blocked += 1
            continue
        found += 1
        assert not np.any(situation.territory_km[path.edges, ru] > 0)
        assert not np.any(situation.closed[path.edges])
    assert found > 0 and blocked > 0


def test_no_route_explains_the_exclusion(net: RoadNetwork, situation: Situation,
                                         router: Router) -> None:
    weights = edge_weights(net, situation, exclude_territories=["RU"])
    router.customize("fastest/UA", weights, excluded=describe_exclusions(["RU"]))
    west, east = int(np.argmin(net.node_lon)), int(np.argmax(net.node_lon))
    assert router.path(west, east, "fastest/UA") is None
    with pytest.raises(RoutingError, match=rf"node {west} .* node {east} .*territory RU"):
        router.route([west, east], "fastest/UA")
    with pytest.raises(RoutingError, match="territory RU"):
        router.alternatives(west, east, "fastest/UA")


def test_no_route_without_any_road_says_so(multigraph: RoadNetwork) -> None:
    router = Router(multigraph)
    router.customize("w", multigraph.travel_time_s)
    assert router.path(0, 5, "w") is None
    with pytest.raises(RoutingError, match=r"no road leads from node 0 .* to node 5"):
        router.route([0, 5], "w")


def test_excluding_everything_names_the_exclusion(net: RoadNetwork,
                                                  situation: Situation) -> None:
    with pytest.raises(RoutingError, match="territories UA, RU, contested"):
        edge_weights(net, situation, exclude_territories=TERRITORIES)


def test_path_via_visits_waypoints_in_order(net: RoadNetwork, router: Router) -> None:
    weights = edge_weights(net, None)
    router.customize("fastest", weights)
    waypoints = np.random.default_rng(8).integers(0, net.n_nodes, size=5).tolist()
    via = router.path_via(waypoints, "fastest")
    assert via is not None
    legs = [router.path(a, b, "fastest") for a, b in pairwise(waypoints)]
    assert all(leg is not None for leg in legs)
    np.testing.assert_array_equal(via.edges, np.concatenate([leg.edges for leg in legs if leg]))
    boundaries = np.cumsum([0] + [len(leg.edges) for leg in legs if leg])
    np.testing.assert_array_equal(via.nodes[boundaries], waypoints)
    assert via.cost == pytest.approx(sum(leg.cost for leg in legs if leg))
    dist = _scipy_distances(net, weights, np.array(waypoints[:-1]))
    reference = sum(dist[i, b] for i, b in enumerate(waypoints[1:]))
    assert reference - 1e-9 <= via.cost <= reference + len(via.edges) * router.cost_step("fastest")
    assert router.route(waypoints, "fastest").cost == via.cost


def _shared(net: RoadNetwork, a: Path, b: Path) -> float:
    common = set(a.edges.tolist()) & set(b.edges.tolist())
    shorter = min(net.length_m[a.edges].sum(), net.length_m[b.edges].sum())
    return float(sum(net.length_m[e] for e in common) / shorter)


def test_alternatives_are_distinct_and_sorted(net: RoadNetwork, router: Router) -> None:
    router.customize("fastest", edge_weights(net, None))
    rng = np.random.default_rng(4)
    for s, t in rng.integers(0, net.n_nodes, size=(10, 2)).tolist():
        best = router.path(s, t, "fastest")
        routes = router.alternatives(s, t, "fastest", k=3, max_shared=0.7, max_stretch=1.5)
        assert best is not None and 1 <= len(routes) <= 3
        assert routes[0].cost == pytest.approx(best.cost)
        assert [r.cost for r in routes] == sorted(r.cost for r in routes)
        for i, a in enumerate(routes):
            _assert_valid_path(net, a, s, t)
            assert a.cost <= 1.5 * best.cost + 1e-9
            assert all(_shared(net, a, b) <= 0.7 for b in routes[i + 1:])
        # Penalties must be undone: asking again gives the same routes.
        again = router.alternatives(s, t, "fastest", k=3, max_shared=0.7, max_stretch=1.5)
        assert [r.cost for r in again] == [r.cost for r in routes]


def test_alternatives_stop_early_on_a_single_road() -> None:
    lon = np.linspace(0.0, 0.05, 6)
    line = network_from_edges(lon, np.zeros(6), [0, 1, 2, 3, 4, 1, 2, 3, 4, 5],
                              [1, 2, 3, 4, 5, 0, 1, 2, 3, 4], speed_kmh=50, capacity_vph=800,
                              road_class=4)
    router = Router(line)
    router.customize("fastest", line.travel_time_s)
    routes = router.alternatives(0, 5, "fastest", k=3)
    assert len(routes) == 1 and routes[0].nodes.tolist() == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize("max_arcs", [PARTIAL_UPDATE_MAX_ARCS, 0], ids=["partial", "full"])
def test_recustomising_equals_a_fresh_customisation(net: RoadNetwork, situation: Situation,
                                                    pairs: np.ndarray, max_arcs: int) -> None:
    base = edge_weights(net, situation, mode=Mode.BALANCED)
    live = Router(net)
    live.partial_update_max_arcs = max_arcs
    live.customize("balanced", base)
    before = {(s, t): p for s, t in pairs.tolist() if (p := live.path(s, t, "balanced"))}
    # Close one edge on each of a few routes: few enough arcs for a partial update.
    closed = np.unique([p.edges[len(p.edges) // 2] for p in list(before.values())[:40]
                        if len(p.edges)])
    assert len(closed) <= PARTIAL_UPDATE_MAX_ARCS
    changed = base.copy()
    changed[closed] = np.inf
    live.customize("balanced", changed)
    fresh = Router(net)
    fresh.customize("balanced", changed)
    assert live.cost_step("balanced") == fresh.cost_step("balanced")
    units = np.rint(changed / fresh.cost_step("balanced"))
    rerouted = 0
    for s, t in pairs.tolist():
        a, b = live.path(s, t, "balanced"), fresh.path(s, t, "balanced")
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            assert not np.isin(a.edges, closed).any()
            assert units[a.edges].sum() == units[b.edges].sum()
            rerouted += int(a.cost > before[s, t].cost)
    assert rerouted >= 40
    live.customize("balanced", base)  # reopened: back to the base weights, arc by arc
    np.testing.assert_array_equal(live.weights("balanced"), base)
    s0, t0 = pairs[0].tolist()
    first = live.path(s0, t0, "balanced")
    assert first is not None and first.cost == pytest.approx(
        _scipy_distances(net, base, pairs[:1, 0])[0, t0],
        abs=len(first.edges) * live.cost_step("balanced"))


def test_bad_requests_raise_routing_errors(net: RoadNetwork, router: Router) -> None:
    router.customize("fastest", edge_weights(net, None))
    with pytest.raises(RoutingError, match="no weighting named 'nope'"):
        router.path(0, 1, "nope")
    with pytest.raises(RoutingError, match=f"node {net.n_nodes} is not in the network"):
        router.path(0, net.n_nodes, "fastest")
    with pytest.raises(RoutingError, match="3 weights"):
        router.customize("short", np.ones(3))
    with pytest.raises(RoutingError, match="negative or NaN"):
        router.customize("neg", -np.ones(net.n_edges))
    with pytest.raises(RoutingError, match="unknown routing engine"):
        Router(net, engine="osrm")


def test_cch_topology_is_cached_and_reused(tmp_path: pathlib.Path) -> None:
    net = road_like_grid(900, seed=3)
    first = Router(net, cache_dir=tmp_path)
    (entry,) = list(tmp_path.iterdir())
    assert entry.is_dir() and not entry.name.startswith(".tmp")
    stamp = entry.stat().st_mtime_ns
    second = Router(net, cache_dir=tmp_path)
    assert [p.stat().st_mtime_ns for p in tmp_path.iterdir()] == [stamp]  # reused, not rewritten
    weights = edge_weights(net, None)
    first.customize("t", weights)
    second.customize("t", weights)
    rng = np.random.default_rng(0)
    for s, t in rng.integers(0, net.n_nodes, size=(50, 2)):
        a, b = first.path(int(s), int(t), "t"), second.path(int(s), int(t), "t")
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            assert a.cost == pytest.approx(b.cost)
    # a different topology gets its own entry
    Router(road_like_grid(900, seed=4), cache_dir=tmp_path)
    assert len(list(tmp_path.iterdir())) == 2
