"""POST /api/proposals/draft: a statement drafted through the served scenario's gazetteer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from corridor.api.app import create_app
from corridor.report.layers import ScenarioLayers
from corridor.store.models import Proposal
from tests.conftest import SCENARIO_DIR

if TYPE_CHECKING:
    from tests.dbfixtures import SeededStore

SCENARIO = SCENARIO_DIR / "ukraine-2022-03-07.yaml"
STATEMENTS = Path(__file__).parent / "data" / "statements"


@pytest.fixture(scope="module")
def layers() -> ScenarioLayers:
    return ScenarioLayers.load(SCENARIO)


@pytest.fixture
def client(shared_world: SeededStore, layers: ScenarioLayers) -> Iterator[TestClient]:
    app = create_app(shared_world.db)
    app.state.scenario_layers = layers
    with TestClient(app) as test_client:
        test_client.headers.update(shared_world.headers("facilitator"))
        yield test_client


def _draft(client: TestClient, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
    response = client.post("/api/proposals/draft", json=body)
    assert response.status_code == status, response.text
    data: dict[str, Any] = response.json()
    return data


def test_a_statement_is_drafted_and_nothing_is_stored(client: TestClient,
                                                      shared_world: SeededStore) -> None:
    with shared_world.db.read() as s:
        before = s.query(Proposal).count()
    text = (STATEMENTS / "uk-prose-inflected.txt").read_text("utf-8")
    data = _draft(client, {"text": text})
    assert data["language"] == "uk"
    [proposal] = data["proposals"]
    assert [proposal["origin"], *proposal["waypoints"], proposal["destination"]] == [
        "Sumy", "Romny", "Lokhvytsia", "Lubny", "Poltava"]
    assert proposal["windows"][0]["timezone"] == "Europe/Kyiv"
    with shared_world.db.read() as s:
        assert s.query(Proposal).count() == before


@pytest.mark.parametrize(("text", "says"), [
    ("", "the statement is empty"),
    ("Kyiv\x00Irpin", "binary data"),
    ("The talks resume on Monday.", "no corridor found"),
    ("Київ – Ірпінь. " * 12_000, "too long for a statement"),  # in bytes, not characters
    ("Kyiv - Irpin. " * 20_000, "at most 200000 characters"),
])
def test_bad_statements_are_a_422_naming_the_problem(client: TestClient, text: str,
                                                     says: str) -> None:
    error = _draft(client, {"text": text}, 422)
    assert says in error["detail"]
    assert error["field"] == "text"


def test_a_body_over_the_service_limit_is_a_413(client: TestClient) -> None:
    assert client.post("/api/proposals/draft",
                       json={"text": "x" * (2 * 1024 * 1024)}).status_code == 413


def test_only_the_facilitator_drafts(client: TestClient, shared_world: SeededStore) -> None:
    response = client.post("/api/proposals/draft", json={"text": "Kyiv – Irpin"},
                           headers=shared_world.headers("liaison_UA"))
    assert response.status_code == 403


def test_without_a_scenario_drafting_is_a_409(shared_world: SeededStore) -> None:
    with TestClient(create_app(shared_world.db)) as plain:
        response = plain.post("/api/proposals/draft", json={"text": "Kyiv – Irpin"},
                              headers=shared_world.headers("facilitator"))
    assert response.status_code == 409
    assert "--scenario" in response.json()["detail"]
