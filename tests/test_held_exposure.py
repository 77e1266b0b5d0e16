"""Exposure through ground held by another party than the origin's holder.

A hand-made east-west road crosses the other side's strip between two separate areas of the
origin's holder, so every km figure is known in advance; the rules are judged on plain facts;
the 7 March 2022 scenario shows a Sumy corridor kept out of occupied Trostianets.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from shapely.geometry import MultiPolygon, box

from corridor.geodesy import haversine_m
from corridor.negotiation.search import judge, search_origin
from corridor.network.build import network_from_edges
from corridor.network.graph import RoadNetwork
from corridor.routing import Router
from corridor.routing.weights import SAFEST_S_PER_KM, Mode, edge_weights
from corridor.rules import CorridorFacts, evaluate_rule
from corridor.scenario import load_scenario
from corridor.scenario.schema import ExposureCount, MaxExposure, PartySpec, Scenario
from corridor.situation import ControlMap, HeldTerritory, annotate, km_in_own_area, own_area
from corridor.world import World, build_world, place_distances_km
from tests.conftest import SCENARIO_DIR

SEED = SCENARIO_DIR / "ukraine-2022-03-07.yaml"
LAT = 50.0
LON = 30.0 + 0.014 * np.arange(7)  # six edges of about 1 km
#: The other side's strip and the origin holder's second area, in degrees of longitude.
STRIP = (30.035, 30.063)


def _km(lon0: float, lon1: float) -> float:
    return float(haversine_m(lon0, LAT, lon1, LAT)) / 1000.0


@pytest.fixture(scope="module")
def road() -> RoadNetwork:
    tail = [*range(6), *range(1, 7)]
    head = [*range(1, 7), *range(6)]
    return network_from_edges(LON, np.full(7, LAT), tail, head, speed_kmh=60.0,
                              capacity_vph=1000, road_class=2)


@pytest.fixture(scope="module")
def control() -> ControlMap:
    """UA west of the strip and again east of it; RU-held on the strip."""
    west = box(29.9, 49.9, STRIP[0], 50.1)
    east = box(STRIP[1], 49.9, 30.2, 50.1)
    return ControlMap.from_areas({"UA": MultiPolygon([west, east]),
                                  "RU-held": box(STRIP[0], 49.9, STRIP[1], 50.1)},
                                 field="control")


HOLDERS = {"UA": "UA", "RU-held": "RU"}


def _eastbound(net: RoadNetwork) -> np.ndarray:
    return np.array([np.flatnonzero((net.tail == i) & (net.head == i + 1))[0] for i in range(6)])


def test_km_through_the_other_side_match_the_strip(road: RoadNetwork,
                                                   control: ControlMap) -> None:
    situation = annotate(road, control)
    from_ua = HeldTerritory.seen_from("UA", HOLDERS, "medium")
    assert from_ua.origin_holder == "UA" and from_ua.labels == ("RU-held",)
    per_edge = from_ua.edge_km(situation)
    east = _eastbound(road)
    assert per_edge[east].sum() == pytest.approx(_km(*STRIP), rel=1e-3)
    # the edge from node 2 (30.028) to 3 (30.042) has 30.035..30.042 in the strip
    assert per_edge[east[2]] == pytest.approx(_km(STRIP[0], LON[3]), rel=1e-3)
    assert per_edge[east[0]] == 0.0
    held = from_ua.along(situation, east)
    assert held.by_territory == pytest.approx({"RU-held": _km(*STRIP)}, rel=1e-3)
    # seen from the strip, both UA areas are the other side's
    from_ru = HeldTerritory.seen_from("RU-held", HOLDERS, "medium").along(situation, east)
    assert from_ru.km == pytest.approx(_km(LON[0], LON[6]) - _km(*STRIP), rel=1e-3)


def test_own_area_is_the_connected_part_holding_the_origin(road: RoadNetwork,
                                                           control: ControlMap) -> None:
    situation = annotate(road, control)
    area = own_area(control, ["UA"], float(LON[0]), LAT)
    assert area.bounds[2] == pytest.approx(STRIP[0])
    inside = km_in_own_area(situation, control, area, _eastbound(road))
    assert inside == pytest.approx({"UA": _km(LON[0], STRIP[0])}, rel=1e-3)
    assert own_area(control, ["UA"], 31.0, LAT).is_empty


def test_safest_weighs_the_other_sides_ground_at_its_risk(road: RoadNetwork,
                                                         control: ControlMap) -> None:
    situation = annotate(road, control)
    held = HeldTerritory.seen_from("UA", HOLDERS, "high")
    plain = edge_weights(road, situation, mode=Mode.SAFEST)
    weighed = edge_weights(road, situation, mode=Mode.SAFEST, held=held)
    east = _eastbound(road)
    extra = (weighed - plain)[east].sum()
    assert extra == pytest.approx(SAFEST_S_PER_KM * 10.0 * _km(*STRIP), rel=1e-3)
    assert np.array_equal(edge_weights(road, situation, mode=Mode.FASTEST, held=held),
                          edge_weights(road, situation, mode=Mode.FASTEST))
    router = Router(road, engine="dijkstra")
    router.customize("safest", weighed)
    assert router.path(0, 6, "safest") is not None  # the strip is a price, not a barrier


def test_safest_goes_round_the_other_sides_strip_and_fastest_through_it(
        control: ControlMap) -> None:
    """Two roads from west to east: straight through the strip, or north round it."""
    lon = [30.0, 30.084, 30.0, 30.042, 30.084]
    lat = [LAT, LAT, 50.15, 50.15, 50.15]
    # 0 -> 1 straight; 0 -> 2 -> 3 -> 4 -> 1 round the north, outside every area
    ends = [(0, 1), (0, 2), (2, 3), (3, 4), (4, 1)]
    tail = [a for a, _ in ends] + [b for _, b in ends]
    head = [b for _, b in ends] + [a for a, _ in ends]
    net = network_from_edges(np.array(lon), np.array(lat), tail, head, speed_kmh=60.0,
                             capacity_vph=1000, road_class=2)
    situation = annotate(net, control)
    held = HeldTerritory.seen_from("UA", HOLDERS, "medium")
    router = Router(net, engine="dijkstra")
    for name, mode, weighed in (("fastest", Mode.FASTEST, held), ("plain", Mode.SAFEST, None),
                                ("safest", Mode.SAFEST, held)):
        router.customize(name, edge_weights(net, situation, mode=mode, held=weighed))
    routes = {name: router.path(0, 1, name) for name in ("fastest", "plain", "safest")}
    assert [len(r.edges) for r in routes.values() if r is not None] == [1, 1, 4]
    safest = routes["safest"]
    assert safest is not None and held.along(situation, safest.edges).km == 0.0


# -- rules on plain facts ------------------------------------------------------------------
def _scenario(rule: dict[str, Any]) -> Scenario:
    base = load_scenario(SEED)
    party = PartySpec.model_validate({"id": "UA", "name": "Ukraine", "holds": ["UA"],
                                      "rules": [rule]})
    return base.model_copy(update={"parties": [party, *base.parties[1:]]})


def _facts(**changes: Any) -> CorridorFacts:
    facts: dict[str, Any] = {
        "origin": "Sumy", "destination": "Poltava", "origin_territory": "UA",
        "destination_territory": "UA",
        "territories": [("UA", 20.0), ("RU-held", 12.0), ("UA", 100.0)],
        "exposure_km": {"low": 0.0, "medium": 1.0, "high": 2.0}, "hours": 3.0,
        "held_km": {"RU-held": 12.0}, "held_risk": "medium",
        "outside_origin_area_km": {"UA": 120.0, "RU-held": 12.0}}
    facts.update(changes)
    return CorridorFacts(**facts)


def _judge(rule: dict[str, Any], facts: CorridorFacts) -> tuple[str, str]:
    sc = _scenario(rule)
    reason = evaluate_rule(sc, sc.parties[0], 0, facts)
    return reason.code, reason.message


def test_max_exposure_counts_held_ground_only_when_asked() -> None:
    code, message = _judge({"type": "max_exposure", "km": 5}, _facts())
    assert code == "max_exposure.ok"
    assert message == "3.0 km in hazard zones of low risk or above, within UA's 5 km"
    code, message = _judge({"type": "max_exposure", "km": 5, "count": "held"}, _facts())
    assert code == "max_exposure.violated"
    assert message == ("12.0 km through the other side's ground (RU-held 12.0 km, medium risk);"
                       " UA accepts at most 5 km")
    code, message = _judge({"type": "max_exposure", "km": 14, "count": "all"}, _facts())
    assert code == "max_exposure.violated"
    assert message.startswith("3.0 km in hazard zones of low risk or above + 12.0 km through")
    code, message = _judge({"type": "max_exposure", "km": 1, "count": "held", "risk": "high"},
                           _facts())
    assert code == "max_exposure.ok"
    assert "not counted (their risk level, medium, is below high risk)" in message


def test_no_transit_except_origin_area_counts_only_ground_beyond_it() -> None:
    rule = {"type": "no_transit", "territories": ["RU-held"]}
    enclave = _facts(territories=[("RU-held", 30.0), ("UA", 90.0)],
                     outside_origin_area_km={"RU-held": 0.0, "UA": 90.0})
    assert _judge(rule, enclave)[0] == "no_transit.violated"
    code, message = _judge({**rule, "except_origin_area": True}, enclave)
    assert code == "no_transit.ok"
    assert message == "route stays out of RU-held outside the origin's own area"
    code, message = _judge({**rule, "except_origin_area": True}, _facts())
    assert code == "no_transit.violated"
    assert message == ("route runs through RU-held for 12 km outside the origin's own area; "
                       "UA forbids transit through RU-held outside the origin's own area")


# -- the 7 March 2022 scenario --------------------------------------------------------------
def _trostianets() -> tuple[float, float]:
    """Trostianets as the control file reports it: Russian-held since 1 March 2022."""
    with open(SEED.parent.parent / "data" / "ukraine-2022" / "control-2022-03-07.csv",
              encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh) if r["name"] == "Trostianets")
    assert row["status"] == "ru"
    return float(row["lon"]), float(row["lat"])


TROSTIANETS = _trostianets()


def _off_route_km(geometry: list[tuple[float, float]]) -> float:
    return place_distances_km(geometry, {"Trostianets": TROSTIANETS})["Trostianets"]


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(load_scenario(SEED))


def test_sumy_fastest_road_runs_through_occupied_trostianets(world: World) -> None:
    sumy = world.locate("Sumy", field="origin")
    poltava = world.locate("Poltava", field="destination")
    assert world.territory_at(TROSTIANETS) == "RU-held"
    path = world.router.path(sumy.node, poltava.node, world.metric(Mode.FASTEST))
    assert path is not None
    fastest = judge(world, sumy, poltava, path, "fastest")
    assert _off_route_km(fastest.summary.geometry) < 1.0
    assert fastest.crosses_other_side
    assert fastest.summary.held is not None and fastest.summary.held.km > 5.0
    # every party's rules accept it: only the rule on the other side's ground keeps it out
    assert fastest.acceptable_to_all


def test_sumy_suggestions_keep_out_of_occupied_towns(world: World) -> None:
    found, options, _ = search_origin(world, "Sumy")
    # safest and balanced were weighed for Sumy's holder, on the one contraction hierarchy
    assert {"safest||held:UA", "balanced||held:UA"} <= set(world.router.metrics)
    to_poltava = [c for c in found if c.destination == "Poltava"]
    assert to_poltava, "Sumy still gets a corridor to Poltava"
    assert any(o.crosses_other_side and o.acceptable_to_all for o in options)
    for c in found:
        assert not c.crosses_other_side
        assert _off_route_km(c.summary.geometry) > 5.0
    best = min(to_poltava, key=lambda c: c.summary.hours)
    assert best.summary.held is not None and best.summary.held.origin_holder == "UA"
    assert best.route_dict()["held_exposure"]["km"] < 5.0


def test_every_party_allowing_it_lets_a_suggestion_through(world: World) -> None:
    allow = MaxExposure(type="max_exposure", km=1000, count=ExposureCount.HELD)
    parties = [p.model_copy(update={"rules": [*p.rules, allow]}) if p.role == "party" else p
               for p in world.scenario.parties]
    sc = world.scenario.model_copy(update={"parties": parties})
    old = world.scenario
    world.scenario = sc
    try:
        found, _, _ = search_origin(world, "Sumy")
    finally:
        world.scenario = old
    assert any(c.crosses_other_side for c in found)
    assert any("through the other side's ground" in r.message
               for c in found for v in c.verdicts.values() for r in v.reasons)


def test_except_origin_area_lets_a_convoy_leave_an_occupied_town(world: World) -> None:
    melitopol = world.locate("Melitopol", field="origin")
    zaporizhzhia = world.locate("Zaporizhzhia", field="destination")
    assert world.territory_at(melitopol.lonlat) == "RU-held"
    path = world.router.path(melitopol.node, zaporizhzhia.node, world.metric(Mode.FASTEST))
    assert path is not None
    ban = {"type": "no_transit", "territories": ["RU-held"]}
    old = world.scenario
    verdicts = {}
    for label, rule in (("plain", ban), ("except", {**ban, "except_origin_area": True})):
        ua = PartySpec.model_validate({"id": "UA", "name": "Ukraine", "holds": ["UA"],
                                       "rules": [rule]})
        world.scenario = old.model_copy(update={"parties": [ua, *old.parties[1:]]})
        try:
            verdicts[label] = judge(world, melitopol, zaporizhzhia, path, "fastest")
        finally:
            world.scenario = old
    assert verdicts["plain"].verdicts["UA"].violated[0].code == "no_transit.violated"
    assert verdicts["except"].verdicts["UA"].acceptable
    # the convoy drives out of Melitopol's own area only: the held km are all in it
    held = verdicts["except"].summary.held
    assert held is not None and held.origin_holder == "RU" and held.km > 0


@pytest.mark.parametrize(("where", "value", "field"), [
    ("rule", {"type": "max_exposure", "km": 5, "count": "occupied"}, "count"),
    ("rule", {"type": "no_transit", "territories": ["RU"], "except_origin_area": "maybe"},
     "except_origin_area"),
    ("hazards", "extreme", "held_territory_risk"),
])
def test_unknown_option_values_exit_2_naming_the_field(tmp_path: Path, where: str, value: Any,
                                                       field: str) -> None:
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    if where == "rule":
        data["parties"][0]["rules"].append(value)
    else:
        data["hazards"]["held_territory_risk"] = value
    path = SCENARIO_DIR / f".test-held-{tmp_path.name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    try:
        run = subprocess.run([sys.executable, "-m", "corridor", "negotiate", str(path)],
                             capture_output=True, text=True, check=False)
    finally:
        path.unlink()
    assert run.returncode == 2
    assert field in run.stderr

