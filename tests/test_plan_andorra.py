"""The plan's model and output on the Andorra example: who is counted, whole cars and minutes,
bus names, boarding on every day, stale verdicts, the route's checkpoints and hazards, the zone."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from corridor.errors import ScenarioError
from corridor.i18n import use_language
from corridor.planning.agreed import agreed_spec
from corridor.planning.corridor import plan_corridor
from corridor.planning.plot import timeline_figure
from corridor.scenario import load_scenario
from corridor.world import build_world
from tests.conftest import ANDORRA

ANDORRA_ZONE = ZoneInfo("Europe/Andorra")


def _plan_json(path: Path, *extra: str) -> dict[str, Any]:
    run = subprocess.run([sys.executable, "-m", "corridor", "plan", str(path), "--json", *extra],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    (corridor,) = json.loads(run.stdout)["corridors"]
    return dict(corridor)


@pytest.fixture(scope="module")
def plan() -> dict[str, Any]:
    return _plan_json(ANDORRA)


def test_car_occupants_are_part_of_people(plan: dict[str, Any]) -> None:
    # Encamp: 4,000 people, of whom 400 cars x 2.5 = 1,000 leave by car; 3,000 wait for buses
    origin = load_scenario(ANDORRA).places.origins[0]
    assert (origin.people, origin.car_occupants, origin.bus_riders) == (4000, 1000, 3000)
    assert plan["people_moved"] == origin.people
    assert sum(t["people"] for b in plan["buses"] for t in b["trips"]) == origin.bus_riders
    assert plan["unmoved"]["people"] == 0


def test_without_assembly_points_the_bus_riders_wait_at_the_origin(andorra_variant: Any,
                                                                   ) -> None:
    def change(d: dict[str, Any]) -> None:
        del d["places"]["origins"][0]["assembly_points"]

    plan = _plan_json(andorra_variant(change))
    assert plan["people_moved"] == 4000
    assert plan["unmoved"]["assembly_points"] == {"Encamp": 0}
    assert sum(t["people"] for b in plan["buses"] for t in b["trips"]) == 3000


def test_assembly_points_holding_the_car_occupants_too_are_bad_input(andorra_variant: Any,
                                                                     ) -> None:
    def change(d: dict[str, Any]) -> None:
        d["places"]["origins"][0]["assembly_points"][0]["people"] = 2800

    with pytest.raises(ScenarioError) as info:
        load_scenario(andorra_variant(change))
    assert info.value.field == "places.origins[0]"
    assert ("the assembly points hold 4,000 people but only 3,000 of the 4,000 have no car "
            "(1,000 leave in cars)") in info.value.message


def test_times_are_whole_minutes_and_buses_carry_their_fleet_id(plan: dict[str, Any]) -> None:
    ids = [b["id"] for b in plan["buses"]]
    assert ids == [f"encamp-coaches-{k:02d}" for k in range(1, 13)]
    stamps = [t[key] for b in plan["buses"] for t in b["trips"] for key in ("depart", "arrive")]
    assert stamps and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00\+02:00", s) for s in stamps)


def test_plan_reports_where_checkpoints_and_hazards_lie(plan: dict[str, Any]) -> None:
    (checkpoint,) = plan["checkpoints"]
    assert checkpoint["id"] == "Engordany checkpoint"
    # Engordany lies between Encamp and Andorra la Vella, on the first half of the route
    assert 0 < checkpoint["km"] < plan["route"]["km"] / 2
    assert 0 < checkpoint["minutes"] < plan["route"]["hours"] * 60
    stretches = plan["hazard_stretches"]
    assert stretches and stretches[0]["from_km"] == 0.0  # Encamp itself is contested ground
    assert all(s["from_km"] < s["to_km"] <= plan["route"]["km"] + 0.1 for s in stretches)
    assert sum(s["to_km"] - s["from_km"] for s in stretches) >= plan["route"]["exposure_km"] - 0.2


def test_plan_text_says_where_the_checkpoint_is() -> None:
    run = subprocess.run([sys.executable, "-m", "corridor", "plan", str(ANDORRA)],
                         capture_output=True, text=True, check=False,
                         env={**os.environ, "COLUMNS": "200"})
    assert run.returncode == 0, run.stderr
    assert re.search(r"checkpoint Engordany checkpoint at km \d+\.\d \(\d+ min\)", run.stdout)
    assert "hazard stretch km 0.0-" in run.stdout
    assert ("note: closure 'Engolasters road blocked by rockfall': closed OSM way 122395985 "
            "(CS-200), both directions") in run.stdout


def test_corridor_whose_route_now_fails_a_rule_is_planned_with_a_warning(
        andorra_variant: Any) -> None:
    def change(d: dict[str, Any]) -> None:
        d["parties"][2]["rules"] = [{"type": "max_duration", "hours": 0.2}]

    plan = _plan_json(andorra_variant(change))
    assert plan["acceptable_to_all"] is False
    assert plan["verdicts"]["NORTH"]["acceptable"] is False
    (warning,) = plan["warnings"]
    assert warning.startswith("corridor encamp-santjulia: NORTH no longer accepts its route: ")
    assert "NORTH accepts at most 0.2 h" in warning
    assert plan["people_moved"] > 0


def test_day_two_buses_board_inside_the_window(andorra_variant: Any) -> None:
    # the coaches reach Encamp two hours after the first (short) window opened, too late for
    # it; they wait overnight, and on the second day still board for their 40 minutes once
    # the window opens
    def change(d: dict[str, Any]) -> None:
        d["windows"][0]["end"] = "2026-05-16T10:30"
        d["windows"][2]["end"] = "2026-05-17T10:30"
        d["places"]["origins"][0]["buses"][0].update(count=2, start_minutes=120,
                                                     load_minutes=40)

    world = build_world(load_scenario(andorra_variant(change)))
    spec, _ = agreed_spec(world, world.scenario.corridors[0])
    result = plan_corridor(spec)
    second_day = spec.windows[1].start
    departures = [t.depart for b in result.buses for t in b.trips]
    assert departures and {d.date() for d in departures} == {second_day.date()}
    assert min(departures) == second_day + timedelta(minutes=40)


def test_cars_leave_whole_at_an_uneven_rate(andorra_variant: Any) -> None:
    def change(d: dict[str, Any]) -> None:
        d["places"]["origins"][0]["cars"]["per_hour"] = 50  # 4.17 cars per 5-minute step

    world = build_world(load_scenario(andorra_variant(change)))
    spec, _ = agreed_spec(world, world.scenario.corridors[0])
    result = plan_corridor(spec)
    assert all(float(c).is_integer() for c in result.timeline.cars_on_road)
    assert max(result.timeline.cars_on_road) > 0
    assert result.unmoved.private_cars == 0 and result.people_moved == 4000


def test_timeline_axis_shows_clock_time_in_the_scenarios_zone(plan: dict[str, Any]) -> None:
    world = build_world(load_scenario(ANDORRA))
    spec, _ = agreed_spec(world, world.scenario.corridors[0])
    figure = timeline_figure(plan_corridor(spec), zone=ANDORRA_ZONE)
    figure.canvas.draw()
    axis = figure.axes[0]
    assert "Europe/Andorra" in axis.get_xlabel()
    labels = [t.get_text() for t in axis.get_xticklabels()]
    formatter = axis.xaxis.get_major_formatter()
    # the 09:00 CEST opening (07:00 UTC) is read in local time
    assert formatter(float(axis.convert_xunits(spec.windows[0].start))).startswith("09:00")
    assert labels and all(re.fullmatch(r"\d\d:\d\d\n\d\d \w{3}", text) for text in labels)


def test_a_fleet_of_another_bus_size_is_named_as_not_planned(andorra_variant: Any) -> None:
    def change(d: dict[str, Any]) -> None:
        d["places"]["origins"][0]["buses"].append({"id": "encamp-vans", "count": 4, "seats": 30})

    path = andorra_variant(change)
    plan = _plan_json(path)
    (left_out,) = plan["unplanned_fleets"]
    assert (left_out["id"], left_out["buses"], left_out["seats"]) == ("encamp-vans", 4, 30)
    assert "'encamp-coaches'" in left_out["reason"] and "50" in left_out["reason"]
    assert not any(b["id"].startswith("encamp-vans") for b in plan["buses"])
    text = subprocess.run([sys.executable, "-m", "corridor", "plan", str(path)],
                          capture_output=True, text=True, check=True).stdout
    assert "not planned: fleet encamp-vans (4 buses, 30 seats)" in " ".join(text.split())
    checked = subprocess.run([sys.executable, "-m", "corridor", "validate", str(path), "--json"],
                             capture_output=True, text=True, check=True).stdout
    assert ("origin 'Encamp': fleet 'encamp-vans' (4 buses, 30 seats) is not planned: "
            + left_out["reason"]) in json.loads(checked)["notes"]


@pytest.mark.parametrize(("language", "month"), [("uk", "трав"), ("ru", "мая")])
def test_timeline_speaks_the_active_language(language: str, month: str) -> None:
    world = build_world(load_scenario(ANDORRA))
    spec, _ = agreed_spec(world, world.scenario.corridors[0])
    plan = plan_corridor(spec)
    with use_language(language):
        figure = timeline_figure(plan, zone=ANDORRA_ZONE)
        figure.canvas.draw()
        labels = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    road, moved = figure.axes
    texts = [road.get_title(), road.get_xlabel(), road.get_ylabel(), moved.get_ylabel(),
             *(t.get_text() for t in road.get_legend().get_texts())]
    # Every word on the figure is Cyrillic but codes and the zone's name.
    assert not [t for t in texts if re.search(r"\b(people|vehicles|road|windows|local)\b", t)]
    assert all(re.search("[\u0400-\u04ff]", t) for t in texts), texts
    assert labels and all(month in text for text in labels), labels
