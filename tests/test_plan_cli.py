"""``corridor plan`` on the seed scenario: the agreed corridors planned from their routes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from corridor.planning.agreed import agreed_spec
from corridor.scenario import load_scenario
from corridor.world import build_world
from tests.conftest import SCENARIO_DIR

SEED = SCENARIO_DIR / "ukraine-2022-03-07.yaml"


def test_spec_is_measured_on_the_routed_proposal() -> None:
    world = build_world(load_scenario(SEED))
    agreed = world.scenario.corridors[0]
    spec, routed = agreed_spec(world, agreed)
    assert spec.corridor.length_km == pytest.approx(routed.summary.km)
    assert spec.corridor.travel_min == pytest.approx(routed.summary.hours * 60)
    assert spec.corridor.capacity_vph == world.network.capacity_vph[routed.path.edges].min()
    # hazard stretches lie within the trip and cover at least the exposed share of the time
    exposed = sum(h.end_min - h.start_min for h in spec.corridor.hazards)
    assert 0 < exposed <= spec.corridor.travel_min
    assert all(0 <= h.start_min < h.end_min <= spec.corridor.travel_min
               for h in spec.corridor.hazards)
    # the Romny checkpoint sits between Sumy and Poltava, nearer Sumy
    (checkpoint,) = spec.checkpoints
    assert 0 < checkpoint.position_min < spec.corridor.travel_min / 2
    assert spec.buses is not None and spec.buses.count == 61
    assert spec.reception_capacity == 30000


def test_plan_json_for_one_corridor(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "corridor", "plan", str(SEED), "--corridor",
                          "sumy-poltava", "--json", "--plots", str(tmp_path)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    (plan,) = json.loads(run.stdout)["corridors"]
    assert plan["id"] == "sumy-poltava"
    # the agreed route keeps to Ukrainian-held ground: none through the other side's
    assert plan["route"]["held_exposure"] == {"origin_holder": "UA", "risk": "medium",
                                              "km": 0.0, "by_territory": {}}
    # per-window figures are rounded separately (cars carry 2.5 people on average)
    by_window = sum(w["people_moved"] for w in plan["windows"])
    assert abs(plan["people_moved"] - by_window) <= len(plan["windows"])
    bus_people = sum(t["people"] for b in plan["buses"] for t in b["trips"])
    assert bus_people <= plan["people_moved"]
    # every bus trip departs and arrives inside the day's window
    for bus in plan["buses"]:
        for trip in bus["trips"]:
            assert trip["depart"] < trip["arrive"]
    assert {Path(p).suffix for p in plan["plots"]} == {".png", ".svg"}
    assert all(Path(p).stat().st_size > 0 for p in plan["plots"])


def test_unknown_corridor_is_bad_input() -> None:
    run = subprocess.run([sys.executable, "-m", "corridor", "plan", str(SEED), "--corridor",
                          "nowhere"], capture_output=True, text=True, check=False)
    assert run.returncode == 2
    assert "no agreed corridor 'nowhere'" in run.stderr
