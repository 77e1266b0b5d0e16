"""A CCRP plan of Monaco driven through SUMO's mesoscopic simulation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corridor.network.osm import build_network
from corridor.planning.ccrp import plan_ccrp
from corridor.planning.evacuation import EvacuationProblem, Source
from corridor.planning.sumo import simulate

MONACO = Path(__file__).resolve().parent.parent / "data" / "osm" / "monaco.osm.pbf"

pytest.importorskip("sumo")


@pytest.mark.skipif(not MONACO.exists(), reason="Monaco extract not in data/osm")
def test_monaco_simulated_clearance_matches_the_plan(tmp_path: Path) -> None:
    net = build_network(MONACO)
    west, south, east, north = net.bbox
    lon, lat = net.node_lon, net.node_lat
    edge_dist = np.minimum.reduce([lon - west, east - lon, lat - south, north - lat])
    exits = tuple(int(v) for v in np.argsort(edge_dist)[:6])
    rng = np.random.default_rng(0)
    nodes = rng.choice(np.setdiff1d(np.arange(net.n_nodes), exits), 20, replace=False)
    problem = EvacuationProblem(net, tuple(Source(int(v), 25) for v in nodes), exits,
                                step_s=5.0, persons_per_vehicle=2.0)
    plan = plan_ccrp(problem, reuse_slack_steps=2)
    check = simulate(problem, plan, tmp_path)
    assert check.arrived == check.vehicles
    # Every planned evacuee has a seat: counts round up per route, by less than one a route.
    assert problem.total_people / 2 <= check.vehicles < problem.total_people / 2 + sum(
        len(s.routes) for s in plan.sources)
    assert check.planned_s == plan.egress_time_s
    # Tolerance from the resolution: the worst route's rounding error plus one step.
    assert check.tolerance_s >= problem.step_s
    assert check.within_tolerance, check
    assert (tmp_path / "net.net.xml").exists() and (tmp_path / "tripinfo.xml").exists()
