"""``corridor evacuate`` on the Andorra example: everyone accounted for, closed roads unused,
the plan measured against the exact optimum and against SUMO's traffic."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from corridor.geodesy import haversine_m
from corridor.planning.evacuate import Evacuation, evacuate
from corridor.scenario import load_scenario
from corridor.world import build_world
from tests.conftest import ANDORRA


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "corridor", "evacuate", *args],
                          capture_output=True, text=True, check=False)


def _plan(path: Path) -> Evacuation:
    return evacuate(build_world(load_scenario(path)), step_s=120.0)


def test_json_accounts_for_everyone_and_is_no_better_than_the_optimum() -> None:
    run = _run(str(ANDORRA), "--json", "--exact", "--step", "120")
    assert run.returncode == 0, run.stderr
    data: dict[str, Any] = json.loads(run.stdout)
    people = sum(o["people"] for o in data["origins"])
    assert people == 4000 + 1200
    unrouted = sum(o["unrouted"] for o in data["origins"])
    assert data["people_routed"] + unrouted == people
    for origin in data["origins"]:
        sent = sum(d["people"] for d in origin["destinations"])
        assert abs(sent - (origin["people"] - origin["unrouted"])) <= len(origin["destinations"])
        assert origin["last_arrival_hours"] <= data["egress_hours"]
    received = sum(d["people"] for d in data["destinations"])
    assert abs(received - data["people_routed"]) <= len(data["destinations"])
    assert {n for d in data["destinations"] for n in d["names"]} == {
        "Sant Julià de Lòria", "Ordino", "Pas de la Casa"}
    exact = data["exact"]
    assert 0 < exact["egress_hours"] <= data["egress_hours"]
    assert exact["ratio"] == pytest.approx(data["egress_hours"] / exact["egress_hours"], rel=1e-3)
    assert data["simulation"] is None


def test_routes_are_no_shorter_than_the_straight_line() -> None:
    result = _plan(ANDORRA)
    world = result.world
    for origin in result.to_dict()["origins"]:
        start = world.locate(origin["names"][0], field="origin")
        for to in origin["destinations"]:
            end = world.locate(to["names"][0], field="destination")
            straight_km = float(haversine_m(start.place.lon, start.place.lat,
                                            end.place.lon, end.place.lat)) / 1000.0
            assert to["km"] >= straight_km - start.snap_km - end.snap_km


def test_a_closed_road_carries_nobody(andorra_variant: Any) -> None:
    open_plan = _plan(andorra_variant(lambda d: d.update(closures=[]), "open.yaml"))
    net = open_plan.problem.network
    use = Counter(e for s in open_plan.plan.sources for r in s.routes for e in r.edges)
    busiest = max(use, key=lambda e: use[e])
    mid = len(net.edge_coords(busiest)) // 2
    lon, lat = (float(v) for v in net.edge_coords(busiest)[mid])

    def close(data: dict[str, Any]) -> None:
        data["closures"] = [{"name": "Ш blocked", "at": {"point": [lon, lat]}, "radius_m": 5}]

    closed_plan = _plan(andorra_variant(close, "closed.yaml"))
    closed = closed_plan.world.situation.closed
    assert closed[busiest]
    used = [e for s in closed_plan.plan.sources for r in s.routes for e in r.edges]
    assert not np.any(closed[used])
    assert closed_plan.plan.people_routed == pytest.approx(open_plan.plan.people_routed)


def test_the_plan_holds_in_sumo(tmp_path: Path) -> None:
    run = _run(str(ANDORRA), "--json", "--simulate", str(tmp_path))
    assert run.returncode == 0, run.stderr
    sim = json.loads(run.stdout)["simulation"]
    assert sim["arrived"] == sim["vehicles"] > 1000
    assert sim["within_tolerance"], sim
    assert (tmp_path / "tripinfo.xml").stat().st_size > 0


def test_nobody_to_move_is_bad_input(andorra_variant: Any) -> None:
    def empty(data: dict[str, Any]) -> None:
        for origin in data["places"]["origins"]:
            origin["people"] = 0
            origin.pop("assembly_points", None)

    run = _run(str(andorra_variant(empty)), "--json")
    assert run.returncode == 2
    assert "places.origins" in run.stderr and run.stdout == ""
