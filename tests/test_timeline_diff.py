"""Diff and replay: figures checked against shapes computed by hand, and the 2022 talks replayed."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pytest

from corridor.negotiation.output import negotiation_json
from corridor.negotiation.search import negotiate
from corridor.scenario import load_scenario
from corridor.timeline.diff import situation_diff
from corridor.timeline.plot import plot_replay
from corridor.timeline.replay import replay, replay_json
from corridor.world import World, build_world
from tests.conftest import SCENARIO_DIR

#: The WGS84 ellipsoid: semi-major axis (km) and first eccentricity.
A_KM = 6378.137
E = math.sqrt(2 / 298.257223563 - (1 / 298.257223563) ** 2)
SHELLED = [[1.545, 42.515], [1.560, 42.515], [1.560, 42.525], [1.545, 42.525], [1.545, 42.515]]


def _box_km2(lon0: float, lat0: float, lon1: float, lat1: float) -> float:
    """Area of a lon/lat box on the ellipsoid, in closed form: a² Δλ (q(φ1) - q(φ0)) / 2."""
    def q(lat: float) -> float:
        s = math.sin(math.radians(lat))
        return (1 - E * E) * (s / (1 - (E * s) ** 2)
                              - math.log((1 - E * s) / (1 + E * s)) / (2 * E))

    return A_KM ** 2 * math.radians(lon1 - lon0) * (q(lat1) - q(lat0)) / 2


def _timeline(data: dict[str, Any]) -> None:
    """The highland takes the eastern half of the contested strip; a day later a zone is shelled."""
    moved = {"contested": [[1.565, 42.50], [1.59, 42.50], [1.59, 42.66], [1.565, 42.66],
                           [1.565, 42.50]],
             "highland": [[1.59, 42.50], [1.80, 42.50], [1.80, 42.66], [1.59, 42.66],
                          [1.59, 42.50]]}
    taken = [dict(p, coordinates=moved.get(p["holder"], p["coordinates"]))
             for p in data["control"]["polygons"]]
    zones = [*data["hazards"]["zones"], {"name": "обстріл", "risk": "high", "coordinates": SHELLED}]
    data["timeline"] = [{"date": "2026-05-15"},
                        {"date": "2026-05-16", "control": {"polygons": taken}},
                        {"date": "2026-05-17", "control": {"polygons": taken},
                         "hazards": {**data["hazards"], "zones": zones}}]


def test_ground_that_changed_hands_is_the_box_that_moved(andorra_variant: Any) -> None:
    world = build_world(load_scenario(andorra_variant(_timeline)))
    doc, features = situation_diff(world, date(2026, 5, 15), date(2026, 5, 16))
    assert doc["snapshots"] == {"from": "2026-05-15", "to": "2026-05-16"}
    expected = _box_km2(1.59, 42.50, 1.615, 42.66)
    assert [(a["from"], a["to"]) for a in doc["areas"]] == [("contested", "highland")]
    assert doc["areas"][0]["km2"] == pytest.approx(expected, rel=2e-3)
    assert doc["settlements"] == []
    # the road east from Encamp now runs through ground the highland took
    held = {p["id"]: p["held_km"] for p in doc["proposals"]}
    assert held["high-1"]["to"] > held["high-1"]["from"]
    assert held["low-1"]["to"] == held["low-1"]["from"]
    # the contested zone shrank by the same box; the front-line band moved with the line
    changed = {z["name"]: z for z in doc["hazards"]["changed"]}
    assert changed["contested ground"]["km2_lost"] == pytest.approx(expected, rel=2e-3)
    assert changed["contested ground"]["km2_gained"] == 0
    assert {"front line", "contested ground"} == set(changed)
    assert doc["hazards"]["added"] == doc["hazards"]["removed"] == []
    moved = [f for f in features["features"] if f["properties"]["kind"] == "area_changed"]
    assert len(moved) == 1 and moved[0]["properties"]["to"] == "highland"


def test_a_new_zone_is_added_and_exposes_the_road_through_it(andorra_variant: Any) -> None:
    world = build_world(load_scenario(andorra_variant(_timeline)))
    engine = world.router._engine
    doc, features = situation_diff(world, date(2026, 5, 16), date(2026, 5, 17))
    assert doc["areas"] == [] and doc["hazards"]["changed"] == []
    [added] = doc["hazards"]["added"]
    assert added["name"] == "обстріл" and added["risk"] == "high"
    assert added["km2"] == pytest.approx(_box_km2(1.545, 42.515, 1.560, 42.525), abs=0.05)
    # low-1 runs from Encamp down to les Escaldes, through the shelled square
    low = next(p for p in doc["proposals"] if p["id"] == "low-1")
    assert low["exposure_km"]["to"] > low["exposure_km"]["from"]
    untouched = next(p for p in doc["proposals"] if p["id"] == "high-1")
    assert untouched["exposure_km"]["to"] == untouched["exposure_km"]["from"]
    assert not untouched["verdicts_changed"] and not untouched["route_changed"]
    kinds = [f["properties"]["kind"] for f in features["features"]]
    assert kinds.count("hazard_added") == 1 and "hazard_removed" not in kinds
    assert world.router._engine is engine


@pytest.fixture(scope="module")
def world_2022() -> World:
    return build_world(load_scenario(SCENARIO_DIR / "ukraine-2022-03-07.yaml"))


def test_replay_reproduces_the_7_march_verdicts(world_2022: World, tmp_path_factory: Any,
                                                ) -> None:
    undated = world_2022.scenario.model_copy(update={"timeline": []})
    alone = build_world(undated)
    expected = negotiation_json(negotiate(alone), alone)["proposals"]
    engine = world_2022.router._engine
    pictures = replay(world_2022)
    doc = replay_json(world_2022, pictures)
    assert [d["date"] for d in doc["dates"]] == ["2022-02-28", "2022-03-03", "2022-03-07",
                                                 "2022-03-09"]
    march_7 = doc["dates"][2]
    assert [p["id"] for p in march_7["proposals"]] == [p["id"] for p in expected]
    for got, want in zip(march_7["proposals"], expected, strict=True):
        assert got["verdicts"] == want["verdicts"]
    # Ukraine rejected the four corridors to Russia or Belarus, for their destination
    accepted = {p["id"] for p in march_7["proposals"] if p["acceptable_to_all"]}
    assert accepted == {"ru-3", "ru-6"}
    for p in march_7["proposals"]:
        if p["id"] not in accepted:
            codes = {r["code"] for r in p["verdicts"]["UA"]["reasons"]}
            assert "destination_in.violated" in codes
    assert set(march_7["suggestions"]) == {"Sumy", "Mariupol"}
    assert world_2022.router._engine is engine  # every date re-weighted the same engine
    png, svg = plot_replay(world_2022, pictures, tmp_path_factory.mktemp("plots") / "replay")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    drawn = svg.read_text(encoding="utf-8")
    assert drawn.count("2022-03-0") >= 3 and "proposal every party accepts" in drawn


def test_the_2022_diff_names_the_settlements_the_sources_date(world_2022: World) -> None:
    doc, _ = situation_diff(world_2022, date(2022, 3, 7), date(2022, 3, 10))
    assert doc["snapshots"] == {"from": "2022-03-07", "to": "2022-03-09"}
    changes = {s["name"]: (s["from"], s["to"]) for s in doc["settlements"]}
    assert changes == {"Kipti": ("contested", "ru"), "Svatove": ("contested", "ru"),
                       "Hremiach": ("ua", "contested"), "Kozelets": ("ua", "contested"),
                       "Nova Karakuba": ("ua", "contested"),
                       "Snihurivka": ("ua", "contested")}
    pairs = {(a["from"], a["to"]) for a in doc["areas"]}
    assert pairs <= {("UA", "contested"), ("contested", "RU-held"), ("UA", "RU-held")}
    assert all(a["km2"] > 0 for a in doc["areas"])
