"""GET /api/proposals/{id}/odds: a stored proposal judged in situations drawn on demand."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from corridor.api.app import create_app
from corridor.report.layers import ScenarioLayers
from corridor.scenario import load_scenario
from tests.conftest import SCENARIO_DIR

if TYPE_CHECKING:
    from tests.dbfixtures import SeededStore

SCENARIO = SCENARIO_DIR / "ukraine-2022-03-07.yaml"


@pytest.fixture
def client(shared_world: SeededStore) -> Iterator[TestClient]:
    app = create_app(shared_world.db)
    app.state.scenario_layers = ScenarioLayers.load(SCENARIO)
    with TestClient(app) as test_client:
        test_client.headers.update(shared_world.headers("observer"))
        yield test_client


def test_odds_judge_every_party_and_are_kept(client: TestClient,
                                                       shared_world: SeededStore) -> None:
    proposal = client.get(f"/api/proposals/{shared_world.proposal()}").json()
    odds = client.get(f"/api/proposals/{proposal['id']}/odds", params={"samples": 3})
    assert odds.status_code == 200, odds.text
    data = odds.json()
    assert data["samples"] == 3 and data["uncertain_settlements"] > 0
    assert set(data["acceptance"]) == {p.id for p in load_scenario(SCENARIO).parties}
    assert data["origin"] == proposal["origin"] and data["destination"] == proposal["destination"]
    assert all(round(3 * share) == 3 * share for share in data["acceptance"].values())
    again = client.get(f"/api/proposals/{proposal['id']}/odds", params={"samples": 3})
    assert again.json() == data


def test_a_bad_sample_count_is_a_422(client: TestClient, shared_world: SeededStore) -> None:
    response = client.get(f"/api/proposals/{shared_world.proposal()}/odds",
                          params={"samples": 0})
    assert response.status_code == 422


def test_without_a_scenario_the_odds_are_a_409(shared_world: SeededStore) -> None:
    with TestClient(create_app(shared_world.db)) as plain:
        response = plain.get(f"/api/proposals/{shared_world.proposal()}/odds",
                             headers=shared_world.headers("observer"))
    assert response.status_code == 409
    assert "--scenario" in response.json()["detail"]


def test_odds_follow_the_world_when_it_moves_to_another_date() -> None:
    from datetime import date

    from corridor.uncertainty.odds import proposal_odds
    from corridor.world import build_world

    world = build_world(load_scenario(SCENARIO))
    spec = next(p for p in world.scenario.proposals if p.id == "ru-6")
    stops = [spec.origin, *spec.waypoints, spec.destination]
    world.move_to(date(2022, 3, 7))
    before = proposal_odds(world, spec.id, stops, (), samples=2)
    world.move_to(date(2022, 2, 28))
    after = proposal_odds(world, spec.id, stops, (), samples=2)
    assert (before["at"], after["at"]) == ("2022-03-07", "2022-02-28")
    assert after["uncertain_settlements"] < before["uncertain_settlements"]


@pytest.mark.parametrize(("language", "start"), [
    ("uk", "СХЕМАТИЧНИЙ каркас доріг"), ("ru", "СХЕМАТИЧЕСКИЙ каркас дорог"),
    ("en", "SCHEMATIC road skeleton")])
def test_the_map_warns_of_schematic_roads_in_the_reader_s_language(
        client: TestClient, language: str, start: str) -> None:
    # One server, loaded once, answers each reader in theirs: the note is worded per request.
    data = client.get("/api/map", headers={"Accept-Language": language}).json()
    assert data["data_note"].startswith(start)
