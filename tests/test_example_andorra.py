"""The Andorra example end to end: another place, other parties, another zone and script."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from corridor.negotiation.search import Negotiation, negotiate
from corridor.planning.agreed import agreed_spec
from corridor.scenario import load_scenario
from corridor.world import World, build_world
from tests.conftest import ANDORRA


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(load_scenario(ANDORRA))


@pytest.fixture(scope="module")
def result(world: World) -> Negotiation:
    return negotiate(world)


def _verdicts(result: Negotiation, pid: str) -> dict[str, Any]:
    (found,) = [r for r in result.proposals if r.proposal.id == pid]
    assert found.corridor is not None, found.error
    return found.corridor.verdicts


def test_cyrillic_names_resolve_to_the_extracts_place_nodes(world: World) -> None:
    # "Энгордань" is the name:ru of OSM node 64954477 (Engordany); the scenario has no
    # gazetteer file, so only the extract's own place nodes can know it
    assert not world.scenario.gazetteer.geonames and not world.scenario.gazetteer.supplements
    cyrillic = world.locate("Энгордань", field="checkpoints[0].at.place")
    latin = world.locate("Engordany", field="test")
    assert cyrillic.place.osm_id == latin.place.osm_id == 64954477
    assert cyrillic.lonlat == latin.lonlat == pytest.approx((1.53821, 42.51354), abs=1e-5)
    assert cyrillic.node == latin.node


def test_each_proposal_is_judged_by_the_fictional_parties_rules(result: Negotiation) -> None:
    agreed = _verdicts(result, "low-1")
    assert all(v.acceptable for v in agreed.values())
    to_highlands = _verdicts(result, "high-1")["LOW"]
    assert not to_highlands.acceptable
    assert to_highlands.violated[0].code == "destination_in.violated"
    at_night = _verdicts(result, "north-1")["HIGH"]
    assert [r.code for r in at_night.violated] == ["allowed_hours.violated"]
    assert "Europe/Andorra" in at_night.violated[0].message


def test_the_agreed_corridor_plans_over_its_windows(world: World) -> None:
    spec, routed = agreed_spec(world, world.scenario.corridors[0])
    (checkpoint,) = spec.checkpoints
    assert 0 < checkpoint.position_min < spec.corridor.travel_min
    run = subprocess.run([sys.executable, "-m", "corridor", "plan", str(ANDORRA), "--json"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    (plan,) = json.loads(run.stdout)["corridors"]
    assert plan["id"] == "encamp-santjulia"
    assert plan["people_moved"] > 0
    assert [w["start"][-6:] for w in plan["windows"]] == ["+02:00", "+02:00"]  # CEST
    assert routed.summary.km == pytest.approx(plan["route"]["km"], abs=0.1)


def test_search_judges_candidates_over_the_windows_offered(result: Negotiation) -> None:
    # HIGH allows daylight only: the night window proposed from Encamp opens nothing, the
    # two day windows do, and each corridor says which windows make it acceptable
    assert "Encamp" not in result.conflicts
    encamp = result.suggestions["Encamp"]
    assert encamp and all(c.windows == ("sat-day", "sun-day") for c in encamp)
    assert all(c.acceptable_to_all for c in encamp)
    assert {c.destination for c in encamp} <= {"Sant Julià de Lòria", "Ordino"}
    # nothing is proposed from Canillo, so every window of the scenario is tried
    assert all(c.windows == ("sat-day", "sun-day") for c in result.suggestions["Canillo"])


def test_conflict_says_only_what_relaxing_a_rule_was_found_to_open(andorra_variant: Any) -> None:
    def high_wants_its_own_ground(d: dict[str, Any]) -> None:
        d["parties"][0]["rules"].append({"type": "destination_in", "territories": ["highland"]})

    result = negotiate(build_world(load_scenario(andorra_variant(high_wants_its_own_ground))))
    conflict = result.conflicts["Encamp"]
    assert [(p, c) for p, c, _ in conflict.messages] == [("HIGH", "destination_in"),
                                                         ("LOW", "destination_in")]
    # relaxing LOW's destination rule alone leaves its transit ban, which every route to the
    # highlands breaks: the explanation must not promise a corridor there
    opened_by_high, opened_by_low = conflict.opened_by_relaxing
    assert opened_by_high > 0 and opened_by_low == 0
    assert "any one of them" not in conflict.explanation
    assert "relaxing LOW destination_in alone opens none" in conflict.explanation
    assert f"relaxing HIGH destination_in alone opens {opened_by_high} corridors" in (
        conflict.explanation)

    def both_relaxed(d: dict[str, Any]) -> None:
        high_wants_its_own_ground(d)
        d["parties"][1]["rules"].pop(0)

    relaxed = negotiate(build_world(load_scenario(andorra_variant(both_relaxed, "b.yaml"))))
    assert "Encamp" not in relaxed.suggestions


def test_waypoint_notes_say_only_what_matters(result: Negotiation) -> None:
    (soldeu,) = next(r for r in result.proposals if r.proposal.id == "high-1").waypoints[1:-1]
    # one place of that name (the OSM node, also found as Сольдеу), 20 m from a road: no
    # choice to explain, no distance to report
    assert soldeu.snap_km < 0.05
    assert soldeu.place.osm_id is not None and soldeu.note == ""
    vella = next(r for r in result.proposals if r.proposal.id == "low-1").waypoints[2]
    assert vella.snap_km >= 0.05 and f"({vella.snap_km:.1f} km away)" in vella.note


def test_placeholder_refs_are_not_road_names(world: World) -> None:
    # ways of Avinguda de François Mitterrand carry ref=FIXME in this extract
    assert "FIXME" not in world.network.names
    assert "Avinguda de François Mitterrand" in world.network.names
