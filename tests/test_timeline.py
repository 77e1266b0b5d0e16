"""Dated situations: choosing the snapshot for a date, and moving a built world between them."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from corridor.errors import ScenarioError, SituationError
from corridor.scenario import load_scenario
from corridor.situation import read_settlements
from corridor.world import build_world

#: A shelled square on the road from Encamp down to les Escaldes.
SHELLED = [[1.545, 42.515], [1.560, 42.515], [1.560, 42.525], [1.545, 42.525], [1.545, 42.515]]


def _timeline(data: dict[str, Any]) -> None:
    """Three dates: as drawn; the highland takes half the contested strip; a new zone, no closures.

    The labels stay the same, so the world re-measures only the edges on the ground that
    changed hands.
    """
    west = [[1.565, 42.50], [1.59, 42.50], [1.59, 42.66], [1.565, 42.66], [1.565, 42.50]]
    east = [[1.59, 42.50], [1.80, 42.50], [1.80, 42.66], [1.59, 42.66], [1.59, 42.50]]
    moved = {"contested": west, "highland": east}
    taken = [dict(p, coordinates=moved.get(p["holder"], p["coordinates"]))
             for p in data["control"]["polygons"]]
    data["timeline"] = [
        {"date": "2026-05-15", "note": "as drawn"},
        {"date": "2026-05-16", "control": {"polygons": taken}},
        {"date": "2026-05-18", "control": {"polygons": taken},
         "hazards": {**data["hazards"], "zones": [*data["hazards"]["zones"],
                                                  {"name": "обстріл", "risk": "high",
                                                   "coordinates": SHELLED}]},
         "closures": []},
    ]


def test_the_snapshot_valid_on_a_date_is_the_latest_not_after_it(andorra_variant: Any) -> None:
    sc = load_scenario(andorra_variant(_timeline))
    assert sc.dates == [date(2026, 5, 15), date(2026, 5, 16), date(2026, 5, 18)]
    assert sc.snapshot_date(date(2026, 5, 15)) == date(2026, 5, 15)
    assert sc.snapshot_date(date(2026, 5, 17)) == date(2026, 5, 16)
    assert sc.snapshot_date(date(2027, 1, 1)) == date(2026, 5, 18)
    with pytest.raises(SituationError, match="starts on 2026-05-15") as info:
        sc.snapshot_date(date(2026, 5, 14))
    assert info.value.field == "at"
    # a proposal's own window picks its date; none, or one before the timeline, the latest
    assert sc.default_date(["sat-day"]) == date(2026, 5, 16)
    assert sc.default_date(["sun-day", "sat-night"]) == date(2026, 5, 16)
    assert sc.default_date([]) == date(2026, 5, 18)
    without = load_scenario(andorra_variant(lambda d: None, name="plain.yaml"))
    assert without.default_date(["sat-day"]) is None
    with pytest.raises(SituationError, match="no timeline"):
        without.snapshot_date(date(2026, 5, 16))


def test_a_snapshot_replaces_only_the_sections_it_gives(andorra_variant: Any) -> None:
    sc = load_scenario(andorra_variant(_timeline))
    first, second, third = (sc.at(d) for d in sc.dates)
    assert first.control == sc.control and first.closures == sc.closures
    assert second.control.polygons != sc.control.polygons
    assert second.control.states == sc.control.states
    assert second.hazards == sc.hazards and second.closures == sc.closures
    assert third.closures == [] and len(third.hazards.zones) == 3
    # a dated copy moves on from the undated scenario, not from its own replaced sections
    assert third.at(date(2026, 5, 15)).control == sc.control
    assert third.at(None) == sc and sc.as_of is None and second.as_of == date(2026, 5, 16)
    # a dated copy edited (a rule relaxed) keeps the edit when it moves to another date
    relaxed = second.model_copy(update={"parties": sc.parties[:1] + sc.parties[2:]})
    assert relaxed.at(date(2026, 5, 18)).parties == relaxed.parties != sc.parties
    assert relaxed.at(date(2026, 5, 15)).control == sc.control
    # labels of every date count, so rules may name ground only a later snapshot draws
    assert "lowland" in sc.territory_labels


@pytest.mark.parametrize(("dates", "index", "expected"), [
    (["2026-05-15", "2026-05-15"], 1, "duplicate date 2026-05-15"),
    (["2026-05-16", "2026-05-15"], 1, "dates out of order"),
    (["2026-05-15", "2026-05-18", "2026-05-16"], 2, "dates out of order"),
])
def test_timeline_dates_are_strictly_increasing(andorra_variant: Any, dates: list[str],
                                                index: int, expected: str) -> None:
    def change(data: dict[str, Any]) -> None:
        data["timeline"] = [{"date": d} for d in dates]

    path = andorra_variant(change)
    with pytest.raises(ScenarioError, match=expected) as info:
        load_scenario(path)
    assert info.value.field == f"timeline[{index}].date"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert info.value.line is not None and dates[index] in lines[info.value.line - 1]


def test_a_bad_snapshot_date_names_its_field(andorra_variant: Any) -> None:
    def change(data: dict[str, Any]) -> None:
        data["timeline"] = [{"date": "2026-05-15"}, {"date": "16 May"}]

    with pytest.raises(ScenarioError) as info:
        load_scenario(andorra_variant(change))
    assert info.value.field == "timeline[1].date"


def _csv(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "towns.csv"
    path.write_text("name,lat,lon,status,date\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_dated_settlement_file_is_read_as_of_a_date(tmp_path: Path) -> None:
    path = _csv(tmp_path, ["Енакиево,48.23,38.21,ru,",
                           "Ізюм,49.21,37.26,ua,2022-02-24",
                           "Ізюм,49.21,37.26,contested,2022-03-03",
                           "Ізюм,49.21,37.26,ru,2022-04-01",
                           "Херсон,46.64,32.61,ru,2022-03-02"])

    def statuses(as_of: date | None) -> dict[str, str]:
        return {s.name: s.status for s in read_settlements(path, as_of=as_of)}

    assert statuses(date(2022, 2, 28)) == {"Енакиево": "ru", "Ізюм": "ua"}
    assert statuses(date(2022, 3, 3)) == {"Енакиево": "ru", "Ізюм": "contested", "Херсон": "ru"}
    assert statuses(None) == {"Енакиево": "ru", "Ізюм": "ru", "Херсон": "ru"}
    assert statuses(date(2022, 1, 1)) == {"Енакиево": "ru"}


@pytest.mark.parametrize(("rows", "line", "expected"), [
    (["Ізюм,49.21,37.26,ua,2022-02-24", "Ізюм,49.21,37.26,ru,24.02.2022"], 3,
     "expected a date as YYYY-MM-DD, got '24.02.2022'"),
    (["Ізюм,49.21,37.26,ua,2022-02-24", "Ізюм,49.21,37.26,ru,2022-02-24"], 3,
     "two rows for 2022-02-24 (first at line 2)"),
])
def test_bad_dated_rows_name_their_line(tmp_path: Path, rows: list[str], line: int,
                                        expected: str) -> None:
    path = _csv(tmp_path, rows)
    with pytest.raises(SituationError) as info:
        read_settlements(path)
    assert info.value.line == line and info.value.field == "date"
    assert expected in info.value.message and info.value.source == str(path)


def _same_situation(a: Any, b: Any) -> None:
    """Equal arrays; lengths to 1 mm, as tiles cut around re-measured edges differ."""
    assert a.territories == b.territories
    np.testing.assert_array_equal(a.edge_territory, b.edge_territory)
    np.testing.assert_allclose(a.territory_km, b.territory_km, atol=1e-6)
    np.testing.assert_array_equal(a.border_crossing, b.border_crossing)
    np.testing.assert_allclose(a.exposure_km, b.exposure_km, atol=1e-6)
    np.testing.assert_array_equal(a.closed, b.closed)


def test_moving_a_world_reweights_the_router_and_matches_a_fresh_build(
        andorra_variant: Any) -> None:
    sc = load_scenario(andorra_variant(_timeline))
    world = build_world(sc.at(date(2026, 5, 15)))
    engine = world.router._engine
    fastest = world.metric("fastest")
    encamp = world.locate("Encamp", field="origin").node
    escaldes = world.locate("les Escaldes", field="waypoint").node
    before = world.router.path(encamp, escaldes, fastest)
    assert before is not None and world.day == date(2026, 5, 15)
    strip = world.situation.territory_index("contested")
    contested_km = world.situation.territory_km[:, strip].sum()
    assert contested_km > 0

    for day in (date(2026, 5, 17), date(2026, 5, 19), date(2026, 5, 15)):
        world.move_to(day)
        fresh = build_world(sc.at(day))
        assert world.day == fresh.day == sc.snapshot_date(day)
        _same_situation(world.situation, fresh.situation)
        assert world.router._engine is engine  # re-weighted, never rebuilt
        np.testing.assert_array_equal(world.router.weights(fastest),
                                      fresh.router.weights(fresh.metric("fastest")))
        if day == date(2026, 5, 17):  # the eastern half of the strip changed hands
            assert world.situation.territory_km[:, strip].sum() < contested_km
        if day == date(2026, 5, 19):  # the closures are lifted: the Erts bridge is open
            assert not world.situation.closed.any()
            assert world.situation.exposure_km.sum() > fresh.situation.exposure_km.sum() - 1e-9
    with pytest.raises(SituationError):
        world.move_to(date(2026, 5, 1))
    assert world.day == date(2026, 5, 15)
