"""CCRP and the exact quickest flow on networks whose answers can be worked out by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from corridor.errors import PlanningError
from corridor.network.build import network_from_edges
from corridor.network.graph import RoadNetwork
from corridor.network.osm import build_network
from corridor.network.synthetic import road_like_grid
from corridor.planning.ccrp import plan_ccrp
from corridor.planning.evacuation import EvacuationProblem, Source
from corridor.planning.optimal import min_total_time, people_safe_by, quickest_flow

MONACO = Path(__file__).resolve().parent.parent / "data" / "osm" / "monaco.osm.pbf"

#: 36 km/h is 10 m/s: with 10-second steps an edge of ``100 * k`` metres takes ``k`` steps, and
#: 360 vehicles an hour are one vehicle per step.
SPEED, STEP, ONE_PER_STEP = 36.0, 10.0, 360.0


def _network(edges: list[tuple[int, int, int, float]], n_nodes: int) -> RoadNetwork:
    """Edges ``(tail, head, steps, vehicles per step)`` on nodes laid out along a line."""
    tail, head, steps, per_step = (list(col) for col in zip(*edges, strict=True))
    return network_from_edges(
        np.linspace(30.0, 30.1, n_nodes), np.full(n_nodes, 50.0), tail, head,
        speed_kmh=SPEED, capacity_vph=np.asarray(per_step) * ONE_PER_STEP, road_class=6,
        length_m=np.asarray(steps, dtype=np.float64) * 100.0)


def _problem(net: RoadNetwork, sources: list[tuple[int, int]], exits: tuple[int, ...],
             **kw: object) -> EvacuationProblem:
    return EvacuationProblem(net, tuple(Source(n, p) for n, p in sources), exits,
                             step_s=STEP, **kw)  # type: ignore[arg-type]


def test_single_road_is_a_pipeline() -> None:
    # 0 -> 1 -> 2 (exit), 1 + 2 steps, 2 people per step: the first arrive at step 3, then
    # 2 more every step, so 9 people need 3 + ceil(9 / 2) - 1 = 7 steps.
    net = _network([(0, 1, 1, 2.0), (1, 2, 2, 2.0)], 3)
    problem = _problem(net, [(0, 9)], (2,))
    expected = 3 + math.ceil(9 / 2) - 1
    assert plan_ccrp(problem).egress_steps == expected
    best = quickest_flow(problem)
    assert best.egress_steps == expected
    assert best.egress_time_s == expected * STEP
    assert people_safe_by(problem, expected - 1) == pytest.approx(8.0)


def test_two_routes_of_different_length() -> None:
    # Route A: 2 steps, route B: 4 steps, one person per step each. By step T, A delivers T - 1
    # and B T - 3, so P people need the least T with 2T - 4 >= P.
    net = _network([(0, 1, 1, 1.0), (1, 3, 1, 1.0), (0, 2, 2, 1.0), (2, 3, 2, 1.0)], 4)
    people = 10
    problem = _problem(net, [(0, people)], (3,))
    expected = math.ceil((people + 4) / 2)
    assert quickest_flow(problem).egress_steps == expected
    plan = plan_ccrp(problem)
    assert plan.egress_steps == expected
    (source,) = plan.sources
    assert {r.nodes for r in source.routes} == {(0, 1, 3), (0, 2, 3)}
    assert sum(p for _, p in source.schedule()) == pytest.approx(people)


def test_junction_capacity_limits_the_flow() -> None:
    # Half a person per step may enter node 1: 5 people reach it by step 10, the exit at 11.
    net = _network([(0, 1, 1, 1.0), (1, 2, 1, 1.0)], 3)
    problem = _problem(net, [(0, 5)], (2,), node_capacity=np.array([np.inf, 0.5, np.inf]))
    assert quickest_flow(problem).egress_steps == 11
    assert plan_ccrp(problem).egress_steps == 11


def test_short_edges_add_up_along_the_path() -> None:
    # Ten edges of 0.4 steps each are 4 steps end to end, not ten (one per edge).
    net = network_from_edges(
        np.linspace(30.0, 30.1, 11), np.full(11, 50.0), list(range(10)), list(range(1, 11)),
        speed_kmh=SPEED, capacity_vph=np.full(10, ONE_PER_STEP), road_class=6,
        length_m=np.full(10, 40.0))
    problem = _problem(net, [(0, 3)], (10,))
    assert int(problem.time_model.tau.sum()) == 4
    # One person per step: arrivals at steps 4, 5 and 6.
    assert plan_ccrp(problem).egress_steps == 6
    assert quickest_flow(problem).egress_steps == 6


def test_whole_step_routes_keep_their_true_time() -> None:
    # Quickest routes to an exit take their true time rounded to the nearest step (at least
    # one), whatever their number of edges: no route is rounded into a shortcut.
    net = road_like_grid(150, 5)
    exits = (0, net.n_nodes - 1)
    problem = EvacuationProblem(net, (Source(1, 1),), exits, step_s=15.0)
    model = problem.time_model
    assert model.tau.min() >= 0 and np.any(model.tau == 0)
    reverse = csr_matrix((net.travel_time_s, (net.head, net.tail)),
                         shape=(net.n_nodes, net.n_nodes))  # grid: no parallel edges
    seconds = dijkstra(reverse, indices=list(exits), min_only=True)
    whole = model.shortest_steps()
    reached = whole >= 0
    assert np.array_equal(reached, np.isfinite(seconds)) and reached.sum() > 100
    nearest = np.maximum(1, np.rint(seconds[reached] / 15.0))
    expected = np.where(np.isin(np.flatnonzero(reached), exits), 0, nearest)
    assert np.array_equal(whole[reached], expected)


def test_min_total_time_sums_arrival_steps() -> None:
    # Arrivals at steps 2, 3, 4 on a one-person-per-step road of two steps.
    net = _network([(0, 1, 1, 1.0), (1, 2, 1, 1.0)], 3)
    problem = _problem(net, [(0, 3)], (2,))
    assert min_total_time(problem, 4) == pytest.approx(2 + 3 + 4)
    with pytest.raises(PlanningError):
        min_total_time(problem, 3)


def test_ccrp_is_never_better_than_the_optimum_on_random_grids() -> None:
    ratios = []
    for seed in range(4):
        net = road_like_grid(120, seed)
        rng = np.random.default_rng(seed)
        exits = (0, net.n_nodes - 1)
        nodes = rng.choice(np.arange(1, net.n_nodes - 1), 10, replace=False)
        problem = EvacuationProblem(net, tuple(Source(int(v), int(rng.integers(20, 200)))
                                              for v in nodes), exits, step_s=15.0)
        plan = plan_ccrp(problem)
        best = quickest_flow(problem, upper_steps=plan.egress_steps)
        # The optimum is proven by max flow: everyone by T*, not everyone by T* - 1.
        assert best.safe_by[best.egress_steps] >= problem.total_people - 1e-6
        assert people_safe_by(problem, best.egress_steps - 1) < problem.total_people
        assert plan.egress_steps >= best.egress_steps
        assert plan.people_routed == pytest.approx(problem.total_people)
        ratios.append(plan.egress_steps / best.egress_steps)
    assert max(ratios) <= 1.25, ratios


def test_path_reuse_stays_close_to_the_optimum() -> None:
    net = road_like_grid(150, 7)
    rng = np.random.default_rng(7)
    nodes = rng.choice(np.arange(1, net.n_nodes - 1), 12, replace=False)
    problem = EvacuationProblem(net, tuple(Source(int(v), 150) for v in nodes),
                                (0, net.n_nodes - 1), step_s=15.0)
    exact = plan_ccrp(problem)
    reused = plan_ccrp(problem, reuse_slack_steps=3)
    best = quickest_flow(problem, upper_steps=exact.egress_steps)
    assert reused.searches < exact.searches
    assert best.egress_steps <= reused.egress_steps <= best.egress_steps * 1.25
    assert reused.people_routed == pytest.approx(problem.total_people)


def test_routes_take_at_least_their_travel_time() -> None:
    net = road_like_grid(100, 3)
    problem = EvacuationProblem(net, (Source(50, 300), Source(20, 100)), (0, 99), step_s=15.0)
    plan = plan_ccrp(problem)
    tau = problem.time_model.tau
    for source in plan.sources:
        for route in source.routes:
            assert route.nodes[0] == source.node and route.nodes[-1] in (0, 99)
            for d in route.departures:
                assert d.arrive_s - d.depart_s >= tau[list(route.edges)].sum() * 15.0
                assert d.arrive_s <= plan.egress_time_s
    assert plan.to_dict()["egress_time_s"] == plan.egress_time_s


@pytest.mark.skipif(not MONACO.exists(), reason="Monaco extract not in data/osm")
def test_monaco_ccrp_against_the_optimum() -> None:
    net = build_network(MONACO)
    lon, lat = net.node_lon, net.node_lat
    west, south, east, north = net.bbox
    edge_dist = np.minimum.reduce([lon - west, east - lon, lat - south, north - lat])
    exits = tuple(int(v) for v in np.argsort(edge_dist)[:6])
    rng = np.random.default_rng(0)
    nodes = rng.choice(np.setdiff1d(np.arange(net.n_nodes), exits), 20, replace=False)
    problem = EvacuationProblem(net, tuple(Source(int(v), 25) for v in nodes), exits,
                                step_s=15.0, persons_per_vehicle=2.0)
    plan = plan_ccrp(problem, reuse_slack_steps=2)
    best = quickest_flow(problem, upper_steps=plan.egress_steps)
    assert best.egress_steps <= plan.egress_steps <= 1.10 * best.egress_steps
    assert people_safe_by(problem, best.egress_steps - 1) < problem.total_people


def test_unreachable_source_is_explained() -> None:
    # Node 3 only has a road *into* it: nobody there can leave.
    net = _network([(0, 1, 1, 1.0), (1, 2, 1, 1.0), (1, 3, 1, 1.0)], 4)
    plan = plan_ccrp(_problem(net, [(0, 4), (3, 7)], (2,)))
    stuck = next(s for s in plan.sources if s.node == 3)
    assert stuck.unrouted == 7 and stuck.reason is not None and "no exit" in stuck.reason
    assert plan.people_routed == pytest.approx(4)
    assert quickest_flow(_problem(net, [(0, 4), (3, 7)], (2,))).people == 4


@pytest.mark.parametrize(("sources", "exits", "field"), [
    ([(0, -1)], (2,), "sources[0].people"),
    ([(9, 1)], (2,), "sources[0].node"),
    ([(0, 1)], (), "exits"),
    ([(0, 1)], (5,), "exits[0]"),
])
def test_malformed_network_problem_names_the_field(sources: list[tuple[int, int]],
                                                   exits: tuple[int, ...], field: str) -> None:
    net = _network([(0, 1, 1, 1.0), (1, 2, 1, 1.0)], 3)
    with pytest.raises(PlanningError) as err:
        plan_ccrp(_problem(net, sources, exits))
    assert err.value.field == field
