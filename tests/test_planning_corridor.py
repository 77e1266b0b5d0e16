"""The corridor window plan against instances whose answer can be worked out by hand."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from corridor.errors import PlanningError
from corridor.planning.corridor import RELAXATION_FACTOR, plan_corridor
from corridor.planning.model import (
    BoardingPoint,
    BusShuttle,
    CorridorPlan,
    CorridorSpec,
    HazardStretch,
    PrivateCars,
    RouteCheckpoint,
    RouteProfile,
    TimeWindow,
)
from corridor.planning.plot import plot_timeline

KYIV = ZoneInfo("Europe/Kyiv")


def _window(hours: float, day: int = 8, start_hour: int = 9) -> TimeWindow:
    start = datetime(2022, 3, day, start_hour, tzinfo=KYIV)
    return TimeWindow(start, start + timedelta(hours=hours))


def _one_bus(people: int = 1000, hours: float = 6.0, max_days: int = 3,
             **corridor: object) -> CorridorSpec:
    """One 50-seat bus on a 60-minute route: a 2-hour round trip."""
    route = replace(RouteProfile("test", 60.0, 60.0, 600.0), **corridor)  # type: ignore[arg-type]
    return CorridorSpec(route, (BoardingPoint("school", people),), (_window(hours),),
                        buses=BusShuttle(count=1, seats=50), max_days=max_days)


def _cars_only(cars: int, per_hour: float, hours: float = 6.0,
               checkpoints: tuple[RouteCheckpoint, ...] = (), capacity_vph: float = 600.0,
               reception: int | None = None) -> CorridorSpec:
    return CorridorSpec(RouteProfile("cars", 30.0, 30.0, capacity_vph), (), (_window(hours),),
                        cars=PrivateCars(count=cars, occupancy=2.0, departures_per_hour=per_hour),
                        checkpoints=checkpoints, reception_capacity=reception)


def _bus_people(plan: CorridorPlan) -> int:
    return sum(trip.people for bus in plan.buses for trip in bus.trips)


def test_one_bus_in_a_six_hour_window_makes_three_round_trips() -> None:
    plan = plan_corridor(_one_bus())
    # Departures at 0 h, 2 h and 4 h; a fourth would leave as the window closes.
    assert plan.people_moved == 3 * 50
    (bus,) = plan.buses
    assert [t.depart.hour for t in bus.trips] == [9, 11, 13]
    assert [t.arrive.hour for t in bus.trips] == [10, 12, 14]
    assert plan.binding == "buses"
    assert plan.unmoved.people == 1000 - 150
    assert plan.unmoved.assembly_points == {"school": 850}


@pytest.mark.parametrize(("hazard", "exit_min"), [((), 0.0), ((0.0, 30.0), 30.0),
                                                  ((0.0, 60.0), 60.0), ((20.0, 45.0), 45.0)])
def test_no_departure_that_would_still_be_in_the_hazard_zone_at_closing(
        hazard: tuple[float, ...], exit_min: float) -> None:
    stretches = (HazardStretch(*hazard),) if hazard else ()
    window_min = 270.0
    spec = _one_bus(hours=window_min / 60.0, hazards=stretches)
    plan = plan_corridor(spec)
    # Departures every 120 min from the opening, while depart + exit <= close and depart < close.
    expected_trips = sum(1 for k in range(10) if k * 120 + exit_min <= window_min
                         and k * 120 < window_min)
    assert plan.people_moved == 50 * expected_trips
    for trip in plan.buses[0].trips:
        assert trip.depart + timedelta(minutes=exit_min) <= spec.windows[0].end


def test_checkpoint_of_one_lane_at_six_minutes_caps_cars_at_ten_an_hour() -> None:
    lane = RouteCheckpoint("cp", position_min=10.0, min_per_vehicle=6.0, lanes=1)
    plan = plan_corridor(_cars_only(cars=1000, per_hour=100.0, checkpoints=(lane,)))
    assert lane.capacity_vph == pytest.approx(10.0)
    assert plan.people_moved == 10 * 6 * 2  # 10 cars/h for 6 h, 2 people per car
    assert plan.binding == "checkpoint"
    assert plan.unmoved.private_cars == 1000 - 60


def test_cars_leave_at_their_departure_rate_and_the_window_binds() -> None:
    plan = plan_corridor(_cars_only(cars=1000, per_hour=60.0))
    assert plan.people_moved == 60 * 6 * 2
    assert plan.binding == "window"
    # Half as much window again lets half as many cars again leave.
    assert plan.relaxation_gain["window"] == math.floor(60 * 6 * 2 * (RELAXATION_FACTOR - 1))


def test_road_capacity_binds_when_it_is_the_narrowest_rate() -> None:
    plan = plan_corridor(_cars_only(cars=1000, per_hour=100.0, capacity_vph=20.0))
    assert plan.people_moved == 20 * 6 * 2
    assert plan.binding == "road"


def test_reception_binds_and_the_rest_are_explained() -> None:
    plan = plan_corridor(_cars_only(cars=100, per_hour=60.0, reception=90))
    assert plan.people_moved == 90
    assert plan.binding == "reception"
    assert plan.unmoved.people == 200 - 90
    assert any("receive 90" in r for r in plan.unmoved.reasons)
    assert plan.days_to_clear is None


def test_everyone_moved_means_nothing_binds() -> None:
    plan = plan_corridor(_one_bus(people=120))
    assert plan.people_moved == 120
    assert plan.binding == "none"
    assert plan.unmoved.people == 0
    assert plan.unmoved.reasons == ()
    assert plan.days_to_clear == 1
    assert _bus_people(plan) == 120


def test_sumy_poltava_8_march_2022_lands_near_five_thousand() -> None:
    """61 buses of 50 seats, 4 h drive, 09:00-21:00: too short for a second bus trip.

    Loading takes 1 h, so the first buses leave at 10:00; back at the origin no earlier than
    10:00 + 4 h + 30 min + 4 h + 1 h = 19:30, after the last safe departure (21:00 minus the 2 h
    hazard stretch = 19:00). Private cars leave at 60 an hour from 09:00 to 19:00 inclusive.
    """
    spec = CorridorSpec(
        RouteProfile("sumy-poltava", 175.0, 240.0, 600.0, (HazardStretch(0.0, 120.0),)),
        (BoardingPoint("sumy-centre", 4000), BoardingPoint("students", 2000)),
        (TimeWindow(datetime(2022, 3, 8, 9, tzinfo=KYIV), datetime(2022, 3, 8, 21, tzinfo=KYIV)),),
        buses=BusShuttle(count=61, seats=50, load_min=60.0, unload_min=30.0),
        cars=PrivateCars(count=650, occupancy=3.0, departures_per_hour=60.0),
    )
    plan = plan_corridor(spec)
    last_safe_min = 12 * 60 - 120
    car_slots = last_safe_min // spec.resolution_min + 1
    cars = min(650, car_slots * 60 * spec.resolution_min // 60)
    expected = 61 * 50 + cars * 3
    assert plan.people_moved == expected
    assert 4000 <= plan.people_moved <= 6000
    assert all(len(bus.trips) == 1 for bus in plan.buses)
    assert _bus_people(plan) == 61 * 50
    assert plan.unmoved.assembly_points == {"sumy-centre": 950, "students": 2000}


def test_bus_timetables_respect_the_cycle() -> None:
    fleet = BusShuttle(count=3, seats=40, load_min=12.0, unload_min=8.0)
    spec = CorridorSpec(RouteProfile("cycle", 40.0, 50.0, 600.0), (BoardingPoint("a", 10_000),),
                        (_window(10.0),), buses=fleet)
    plan = plan_corridor(spec)
    # Loading rounds up to 15 min and unloading to 10, so one cycle is 50+10+50+15 = 125 min,
    # the first departure 15 min after opening: 15, 140, 265, 390, 515 < 600.
    assert plan.people_moved == 3 * 5 * 40
    for bus in plan.buses:
        for a, b in zip(bus.trips, bus.trips[1:], strict=False):
            assert b.depart - a.depart >= timedelta(minutes=50 + 8 + 50 + 12)


def test_days_to_clear_repeats_the_daily_window() -> None:
    plan = plan_corridor(_one_bus(people=400))
    assert plan.people_moved == 150
    assert plan.days_to_clear == math.ceil(400 / 150)


def test_not_cleared_within_the_day_limit_says_so() -> None:
    plan = plan_corridor(replace(_one_bus(people=1000), max_days=3))
    assert plan.days_to_clear is None
    assert any("not cleared within 3 days" in r for r in plan.unmoved.reasons)


def test_several_windows_over_several_days_are_reported_separately() -> None:
    spec = replace(_one_bus(people=1000),
                   windows=(_window(6.0, day=8), _window(4.0, day=9)))
    plan = plan_corridor(spec)
    # The bus drives back before the first window closes (leaving at 14:00 < 15:00), so the
    # 4-hour window of day 2 has departures at 0 h and 2 h.
    assert [w.people_moved for w in plan.windows] == [150, 100]
    assert [(d.day, n) for d, n in plan.days] == [(8, 150), (9, 100)]


def test_json_shape_and_offsets() -> None:
    plan = plan_corridor(_one_bus())
    data = json.loads(json.dumps(plan.to_dict()))
    assert set(data) >= {"id", "people_moved", "windows", "binding", "days_to_clear", "buses",
                         "unmoved"}
    assert data["windows"][0]["start"] == "2022-03-08T09:00:00+02:00"
    assert data["buses"][0]["trips"][0] == {"depart": "2022-03-08T09:00:00+02:00",
                                            "arrive": "2022-03-08T10:00:00+02:00",
                                            "people": 50}
    assert data["unmoved"]["people"] == 850


def test_windows_keep_their_own_zone_and_dst() -> None:
    """Kyiv moved to summer time on 27 March 2022; 09:00 stays 09:00 local either side."""
    spec = replace(_one_bus(people=1000),
                   windows=(_window(6.0, day=26), _window(6.0, day=27)), max_days=2)
    plan = plan_corridor(spec)
    offsets = [t.depart.isoformat()[-6:] for t in plan.buses[0].trips]
    assert offsets[:3] == ["+02:00"] * 3 and offsets[-1] == "+03:00"
    assert all(t.depart.hour in (9, 10, 11, 12, 13, 14) for t in plan.buses[0].trips)


def test_progress_is_reported_from_start_to_finish() -> None:
    seen: list[float] = []
    plan_corridor(_one_bus(people=100), progress=lambda stage, f: seen.append(f))
    assert seen[0] == 0.0 and seen[-1] == 1.0
    assert seen == sorted(seen)


def test_timeline_plot_writes_png_and_svg(tmp_path: Path) -> None:
    plan = plan_corridor(_one_bus())
    png, svg = plot_timeline(plan, tmp_path / "timeline")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in svg.read_text()
    assert max(plan.timeline.buses_on_road) == 1
    assert plan.timeline.people_moved[-1] == pytest.approx(150)


# -- malformed input raises, infeasible input is explained ---------------------------------

@pytest.mark.parametrize(("change", "field"), [
    (lambda s: replace(s, assembly_points=(BoardingPoint("a", -5),)), "assembly_points[0].people"),
    (lambda s: replace(s, buses=BusShuttle(count=2, seats=-1)), "buses.seats"),
    (lambda s: replace(s, windows=(TimeWindow(s.windows[0].end, s.windows[0].start),)),
     "windows[0].end"),
    (lambda s: replace(s, windows=(TimeWindow(datetime(2022, 3, 8, 9), datetime(2022, 3, 8, 15)),)),
     "windows[0].start"),
    (lambda s: replace(s, corridor=replace(s.corridor, capacity_vph=-1.0)),
     "corridor.capacity_vph"),
    (lambda s: replace(s, windows=(_window(6.0), _window(6.0, start_hour=12))), "windows[1]"),
])
def test_malformed_input_names_the_field(change: object, field: str) -> None:
    spec = change(_one_bus())  # type: ignore[operator]
    with pytest.raises(PlanningError) as err:
        plan_corridor(spec)
    assert err.value.field == field


def test_closed_road_is_explained_not_raised() -> None:
    plan = plan_corridor(_one_bus(capacity_vph=0.0))
    assert plan.people_moved == 0
    assert plan.binding == "road"
    assert plan.unmoved.people == 1000
    assert any("closed" in r for r in plan.unmoved.reasons)
    assert plan.days_to_clear is None


def test_fleet_that_cannot_reach_the_origin_in_time_is_explained() -> None:
    # 700 min away: even a window half as long again (540 min) would not let it arrive.
    spec = replace(_one_bus(), buses=BusShuttle(count=5, seats=50, approach_min=700.0))
    plan = plan_corridor(spec)
    assert plan.people_moved == 0
    assert plan.unmoved.assembly_points == {"school": 1000}
    assert any("reaches the origin" in r for r in plan.unmoved.reasons)
    assert plan.binding == "buses"
