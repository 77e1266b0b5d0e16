"""Rules judged on hand-written corridor facts: every rule type, both outcomes, exact citations."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from corridor.rules import CorridorFacts, describe_rule, evaluate, rule_text
from corridor.scenario import Scenario, load_scenario
from tests.conftest import SCENARIO_DIR

KYIV = ZoneInfo("Europe/Kyiv")


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(SCENARIO_DIR / "ukraine-2022-03-07.yaml")


def _facts(**changes: object) -> CorridorFacts:
    base: dict[str, object] = {
        "origin": "Sumy",
        "destination": "Belgorod",
        "origin_territory": "UA",
        "destination_territory": "RU",
        "territories": [("UA", 40.0), ("contested", 5.0), ("RU", 70.0)],
        "exposure_km": {"low": 0.0, "medium": 0.0, "high": 12.5},
        "hours": 2.5,
    }
    base.update(changes)
    return CorridorFacts(**base)  # type: ignore[arg-type]


def test_destination_in_russia_fails_ukraine_with_citation(scenario: Scenario) -> None:
    verdicts = evaluate(scenario, _facts())
    ua = verdicts["UA"]
    assert not ua.acceptable
    codes = [r.code for r in ua.violated]
    assert codes == ["destination_in.violated", "no_transit.violated"]
    assert ua.violated[0].message == ("destination Belgorod lies in RU; UA requires a "
                                      "destination held by UA")
    assert "RU for 70 km" in ua.violated[1].message
    # Russia allows Sumy corridors to Russia, Belarus or Ukraine
    assert verdicts["RU"].acceptable
    # a facilitator with no rules never blocks
    assert verdicts["ICRC"].acceptable and verdicts["ICRC"].reasons == ()


def test_rules_scoped_by_origin(scenario: Scenario) -> None:
    kyiv_to_ua = _facts(origin="Kyiv", destination="Vinnytsia", destination_territory="UA",
                        territories=[("UA", 260.0)])
    verdicts = evaluate(scenario, kyiv_to_ua)
    assert verdicts["UA"].acceptable
    assert [r.code for r in verdicts["RU"].violated] == ["destination_in.violated"]
    # RU's Sumy/Mariupol rule does not apply to Kyiv, so only one RU reason is given
    assert len(verdicts["RU"].reasons) == 1


def test_state_label_is_not_occupied_ground(scenario: Scenario) -> None:
    # "RU" in a rule is the Russian state: an occupied town does not satisfy it
    f = _facts(origin="Kharkiv", destination="Kupiansk", destination_territory="RU-held",
               territories=[("UA", 50.0), ("RU-held", 30.0)])
    verdicts = evaluate(scenario, f)
    assert not verdicts["RU"].acceptable
    # and UA's ban on transit through Russia does not cover occupied Ukrainian ground
    assert [r.code for r in verdicts["UA"].violated] == ["destination_in.violated"]


def test_to_dict_shows_violations_or_passes(scenario: Scenario) -> None:
    verdicts = evaluate(scenario, _facts())
    out = verdicts["UA"].to_dict()
    assert out["acceptable"] is False
    assert [r["code"] for r in out["reasons"]] == ["destination_in.violated",  # type: ignore[index, union-attr]
                                                   "no_transit.violated"]
    ok = verdicts["RU"].to_dict()
    assert ok["acceptable"] is True
    assert all(r["code"].endswith(".ok") for r in ok["reasons"])  # type: ignore[index, union-attr]


def _with_rules(scenario: Scenario, rules: list[dict[str, object]]) -> Scenario:
    data = scenario.model_dump()
    data["parties"][2]["rules"] = rules
    data["base_dir"] = scenario.base_dir
    return Scenario.model_validate(data)


def test_exposure_duration_and_places(scenario: Scenario) -> None:
    sc = _with_rules(scenario, [
        {"type": "max_exposure", "km": 10, "risk": "medium"},
        {"type": "max_duration", "hours": 3},
        {"type": "must_pass", "places": ["Romny"], "radius_km": 5},
        {"type": "must_avoid", "places": ["Sudzha"], "radius_km": 10},
    ])
    f = _facts(place_distance_km={"Romny": 40.0, "Sudzha": 0.5})
    reasons = evaluate(sc, f)["ICRC"].reasons
    assert [r.code for r in reasons] == ["max_exposure.violated", "max_duration.ok",
                                         "must_pass.violated", "must_avoid.violated"]
    assert "12.5 km in hazard zones of medium risk or above" in reasons[0].message
    assert "Romny (40 km away)" in reasons[2].message
    good = _facts(exposure_km={"high": 2.0, "medium": 3.0, "low": 50.0},
                  place_distance_km={"Romny": 1.0, "Sudzha": 80.0})
    assert evaluate(sc, good)["ICRC"].acceptable


def test_allowed_hours_across_zones(scenario: Scenario) -> None:
    sc = _with_rules(scenario, [{"type": "allowed_hours", "earliest": "08:00",
                                 "latest": "20:00", "timezone": "Europe/Kyiv"}])
    inside = [(datetime(2022, 3, 8, 9, tzinfo=KYIV), datetime(2022, 3, 8, 19, tzinfo=KYIV))]
    assert evaluate(sc, _facts(windows=inside))["ICRC"].acceptable
    # 10:00-22:00 Moscow is 09:00-21:00 Kyiv: closes after 20:00 Kyiv
    msk = ZoneInfo("Europe/Moscow")
    late = [(datetime(2022, 3, 8, 10, tzinfo=msk), datetime(2022, 3, 8, 22, tzinfo=msk))]
    reason = evaluate(sc, _facts(windows=late))["ICRC"].reasons[0]
    assert reason.code == "allowed_hours.violated"
    assert "09:00-21:00 Europe/Kyiv" in reason.message
    assert evaluate(sc, _facts())["ICRC"].reasons[0].code == "allowed_hours.violated"


def test_describe_rule(scenario: Scenario) -> None:
    code, params = describe_rule(scenario.party("RU"), 0)
    assert (code, params) == ("destination_in", {"party": "RU", "origins": ["Kyiv", "Kharkiv"],
                                                 "territories": ["RU", "BY"]})
    assert rule_text(code, params) == ("RU requires a destination held by RU or BY for "
                                       "corridors from Kyiv or Kharkiv")
