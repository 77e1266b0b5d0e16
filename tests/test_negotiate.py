"""Negotiation on the 7 March 2022 scenario, end to end, and its failure modes."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from corridor.errors import ScenarioError
from corridor.i18n import format_date, use_language
from corridor.negotiation.conflicts import explanation_text
from corridor.negotiation.output import negotiation_geojson, negotiation_json
from corridor.negotiation.search import Negotiation, negotiate
from corridor.report.negotiation import render_html
from corridor.rules import reason_text, rule_text
from corridor.scenario import load_scenario
from corridor.world import World, build_world
from tests.conftest import SCENARIO_DIR

SEED = SCENARIO_DIR / "ukraine-2022-03-07.yaml"


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(load_scenario(SEED))


@pytest.fixture(scope="module")
def result(world: World) -> Negotiation:
    return negotiate(world)


def _by_id(result: Negotiation) -> dict[str, Any]:
    return {r.proposal.id: r for r in result.proposals}


@pytest.mark.parametrize("pid", ["ru-1", "ru-2", "ru-4", "ru-5"])
def test_proposals_to_russia_or_belarus_fail_ukraine_destination_rule(
        result: Negotiation, world: World, pid: str) -> None:
    corridor = _by_id(result)[pid].corridor
    assert corridor is not None
    ua = corridor.verdicts["UA"]
    assert not ua.acceptable
    first = ua.violated[0]
    assert first.code == "destination_in.violated"
    dest = corridor.facts.destination_territory
    assert dest in {"RU", "BY"}
    assert first.message == (f"destination {corridor.destination} lies in {dest}; UA requires "
                             "a destination held by UA")
    # Russia proposed it, and its own rules accept it
    assert corridor.verdicts["RU"].acceptable


@pytest.mark.parametrize("pid", ["ru-3", "ru-6"])
def test_mariupol_zaporizhzhia_and_sumy_poltava_pass_both(result: Negotiation, pid: str) -> None:
    corridor = _by_id(result)[pid].corridor
    assert corridor is not None
    assert corridor.verdicts["UA"].acceptable and corridor.verdicts["RU"].acceptable
    assert corridor.facts.destination_territory == "UA"


def test_proposal_route_follows_the_waypoints(result: Negotiation, world: World) -> None:
    r = _by_id(result)["ru-6"]
    nodes = list(r.corridor.path.nodes)
    positions = [nodes.index(loc.node) for loc in r.waypoints]
    assert positions == sorted(positions)
    names = [s.name for s in r.corridor.summary.settlements]
    for town in ("Romny", "Lubny", "Poltava"):
        assert any(n.startswith(town[:5]) for n in names)


def test_missing_waypoint_resolved_to_nearest_settlement_and_reported(
        result: Negotiation, world: World) -> None:
    orane = next(w for w in _by_id(result)["ru-1"].waypoints if w.name == "Orane")
    assert orane.snap_km > 0
    assert f"routed via {world.node_name(orane.node)}" in orane.note
    # the chosen node really is the nearest end of the nearest road: no network node is closer
    # to Orane than it by more than the snap tolerance of one segment
    d = np.hypot(world.network.node_lon - orane.place.lon, world.network.node_lat - orane.place.lat)
    assert d[orane.node] <= np.sort(d)[2]


@pytest.mark.parametrize("origin", ["Kyiv", "Kharkiv"])
def test_kyiv_and_kharkiv_have_no_corridor_and_the_conflict_is_named(
        result: Negotiation, origin: str) -> None:
    assert origin not in result.suggestions
    conflict = result.conflicts[origin]
    assert [(party, code) for party, code, _ in conflict.messages] == [
        ("UA", "destination_in"), ("RU", "destination_in")]
    assert conflict.candidates > 0


@pytest.mark.parametrize("origin", ["Sumy", "Mariupol"])
def test_sumy_and_mariupol_get_corridors_every_party_accepts(
        result: Negotiation, world: World, origin: str) -> None:
    corridors = result.suggestions[origin]
    assert corridors and origin not in result.conflicts
    forbidden = [world.situation.territory_index(t) for t in ("RU", "BY")]
    for c in corridors:
        assert all(v.acceptable for v in c.verdicts.values())
        # checked on the raw per-edge arrays, not on the summary the rules saw
        assert world.situation.territory_km[c.path.edges][:, forbidden].sum() == 0.0
        assert world.territory_at(world.locate(c.destination, field="x").lonlat) == "UA"
    front = [c for c in corridors if c.pareto]
    assert front and corridors[: len(front)] == front
    for a in front:
        for b in corridors:
            assert not (b.summary.hours < a.summary.hours
                        and b.summary.exposure_km["total"] < a.summary.exposure_km["total"])


def test_json_shape(result: Negotiation, world: World) -> None:
    data = json.loads(json.dumps(negotiation_json(result, world)))
    assert data["schematic"] is True and "SCHEMATIC" in data["data_note"]
    p = data["proposals"][0]
    assert {"id", "proposer", "origin", "destination", "route", "verdicts"} <= set(p)
    assert {"km", "hours", "exposure_km", "settlements"} <= set(p["route"])
    assert set(p["verdicts"]) == {"UA", "RU", "ICRC"}
    assert set(p["verdicts"]["UA"]) == {"acceptable", "reasons"}
    # each reason keeps its code and parameters next to the words they are rendered into
    reasons = p["verdicts"]["UA"]["reasons"]
    assert reasons and all(set(r) == {"code", "params", "message"} for r in reasons)
    assert all(reason_text(r["code"], r["params"]) == r["message"] for r in reasons)
    assert set(data["suggestions"]) == {"Sumy", "Mariupol"}
    assert set(data["conflicts"]) == {"Kyiv", "Kharkiv"}
    kyiv = data["conflicts"]["Kyiv"]
    assert all(set(r) == {"party", "code", "params", "message", "relaxing_alone_opens"}
               for r in kyiv["rules"])
    assert all(rule_text(r["code"], r["params"]) == r["message"] for r in kyiv["rules"])
    assert kyiv["explanation_code"] == "conflict.rules"
    assert explanation_text(kyiv["explanation_code"], kyiv["explanation_params"]) == (
        kyiv["explanation"])
    # UA's destination rule alone is not what blocks Kyiv: its transit ban still rules out
    # every destination RU accepts
    assert [r["relaxing_alone_opens"] > 0 for r in data["conflicts"]["Kyiv"]["rules"]] == [
        False, True]
    assert all(s["windows"] == ["mar08"] for s in data["suggestions"]["Sumy"])
    features = negotiation_geojson(result)["features"]
    assert len(features) == 6 + sum(len(v) for v in result.suggestions.values())
    assert all(len(f["geometry"]["coordinates"]) >= 2 for f in features)


def _variant(tmp_path: Path, change: Any) -> Path:
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    change(data)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    path = SCENARIO_DIR.parent / "scenarios" / f".test-{tmp_path.name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def variant(tmp_path: Path) -> Any:
    made: list[Path] = []

    def make(change: Any) -> Path:
        made.append(_variant(tmp_path, change))
        return made[-1]

    yield make
    for path in made:
        path.unlink(missing_ok=True)


def test_waypoint_off_every_road_names_the_waypoint(variant: Any, tmp_path: Path) -> None:
    extra = tmp_path / "sea.csv"
    extra.write_text("name,country,lat,lon,confidence,basis\n"
                     "Mid-sea buoy,UA,43.6,34.0,high,a point in the Black Sea\n", encoding="utf-8")

    def change(d: dict[str, Any]) -> None:
        d["gazetteer"]["supplements"].append(str(extra))
        d["proposals"][2]["waypoints"].insert(1, "Mid-sea buoy")

    world = build_world(load_scenario(variant(change)))
    with pytest.raises(ScenarioError) as info:
        negotiate(world)
    assert info.value.field == "proposals[2].waypoints[1]"
    assert "'Mid-sea buoy' at [34, 43.6]" in info.value.message
    assert "km from the nearest road" in info.value.message


def test_origin_inside_closed_area_gives_reasons_not_a_crash(variant: Any) -> None:
    def change(d: dict[str, Any]) -> None:
        d["closures"] = [{"name": "Sumy ring road destroyed", "at": {"place": "Sumy"},
                          "radius_m": 5000}]

    world = build_world(load_scenario(variant(change)))
    result = negotiate(world)
    blocked = _by_id(result)["ru-6"]
    assert blocked.corridor is None
    assert blocked.error is not None and "closed roads" in blocked.error
    assert "Sumy" not in result.suggestions
    assert result.conflicts["Sumy"].candidates == 0
    assert "no destination can be reached from Sumy" in result.conflicts["Sumy"].explanation


def test_rule_excluding_all_ground_is_the_named_conflict(variant: Any) -> None:
    def change(d: dict[str, Any]) -> None:
        d["parties"][2]["rules"] = [{"type": "no_transit", "territories": ["UA", "RU-held",
                                                                          "contested", "RU"]}]

    result = negotiate(build_world(load_scenario(variant(change))))
    # the facilitator's rule blocks everything: each origin gets an explained conflict that
    # names that one rule alone, since relaxing it is necessary and (for Sumy) sufficient
    assert set(result.conflicts) == {"Kyiv", "Kharkiv", "Sumy", "Mariupol"}
    sumy = result.conflicts["Sumy"]
    assert [(p, c) for p, c, _ in sumy.messages] == [("ICRC", "no_transit")]
    assert sumy.candidates > 0


def test_cli_json_and_reports(tmp_path: Path) -> None:
    html, geo = tmp_path / "r.html", tmp_path / "r.geojson"
    run = subprocess.run([sys.executable, "-m", "corridor", "negotiate", str(SEED), "--json",
                          "--html", str(html), "--geojson", str(geo)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert [p["id"] for p in data["proposals"]] == [f"ru-{i}" for i in range(1, 7)]
    page = html.read_text(encoding="utf-8")
    assert "<svg" in page and "SCHEMATIC" in page and "http" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    assert json.loads(geo.read_text(encoding="utf-8"))["type"] == "FeatureCollection"
    # Kyiv -> Gomel runs through Russian-held ground north of Kyiv: the report says how far
    held = data["proposals"][0]["route"]["held_exposure"]
    assert held["origin_holder"] == "UA" and list(held["by_territory"]) == ["RU-held"]
    assert (f"{held['km']:.0f} km through the other side&#39;s ground (RU-held, medium risk)"
            in page)


def test_unknown_place_names_the_field_and_suggests_spellings(variant: Any) -> None:
    def change(d: dict[str, Any]) -> None:
        d["proposals"][5]["waypoints"][2] = "Lokhvitsya-on-Sea"

    world = build_world(load_scenario(variant(change)))
    with pytest.raises(ScenarioError) as info:
        negotiate(world)
    assert info.value.field == "proposals[5].waypoints[2]"
    assert "Lokhvitsya-on-Sea" in info.value.message
    assert "Lokhvytsya" in info.value.message  # the closest known spelling is offered


@pytest.mark.parametrize(("language", "heading", "english"), [
    ("en", "Proposals", None), ("uk", "Пропозиції", "Proposals"),
    ("ru", "Предложения", "Proposals")])
def test_html_report_speaks_the_language_and_names_the_date_judged_on(
        world: World, result: Negotiation, language: str, heading: str,
        english: str | None) -> None:
    days = {p["as_of"] for p in negotiation_json(result, world)["proposals"]}
    assert len(days) == 1 and None not in days  # the 2022 scenario's one dated snapshot
    (day,) = days
    with use_language(language):
        page = render_html(world, result)
        judged = format_date(dt.date.fromisoformat(day), "long")
    assert f'<html lang="{language}">' in page
    headings = re.findall(r"<h2>(.*?)</h2>", page)
    assert heading in headings and (english is None or english not in headings)
    (line,) = re.findall(r'<p class="judged-on">(.*?)</p>', page)
    assert judged in line
