"""One authorisation policy: every operation is filed under an action of the table, /api/me
serves the caller's rows of it, and suspending a corridor is allowed alike on both paths."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from corridor.api.app import create_app
from corridor.api.policy import OPENAPI_KEY, POLICY

if TYPE_CHECKING:
    from tests.dbfixtures import SeededStore

CALLERS = ("facilitator", "liaison_UA", "liaison_RU", "operator", "observer")


@pytest.fixture(scope="module")
def client(shared_world: SeededStore) -> Iterator[TestClient]:
    with TestClient(create_app(shared_world.db)) as test_client:
        yield test_client


def test_every_operation_in_the_openapi_document_is_covered_by_the_policy(
    client: TestClient,
) -> None:
    operations = [(method, path, operation)
                  for path, methods in client.get("/openapi.json").json()["paths"].items()
                  for method, operation in methods.items()]
    assert len(operations) > 30
    uncovered = [f"{method.upper()} {path}" for method, path, operation in operations
                 if operation.get(OPENAPI_KEY) not in POLICY]
    assert not uncovered, f"operations without a policy action: {uncovered}"


@pytest.mark.parametrize("caller", CALLERS)
def test_me_serves_the_callers_rows_of_the_table(client: TestClient,
                                                 shared_world: SeededStore,
                                                 caller: str) -> None:
    me = client.get("/api/me", headers=shared_world.headers(caller)).json()
    may: dict[str, Any] = {row["action"]: row["party"] for row in me["may"]}
    assert set(may) == {name for name, rule in POLICY.items() if me["role"] in rule.roles}
    party = caller.partition("_")[2] or None
    for action, scope in may.items():
        assert scope == (party if me["role"] in POLICY[action].own_party else None)


def _suspend_by_incident(client: TestClient, world: SeededStore, caller: str) -> int:
    corridor = world.corridor("open")
    return client.post("/api/incidents", headers=world.headers(caller), json={
        "corridor_id": corridor, "suspend": True, "type": "shelling", "lon": 37.5, "lat": 47.1,
        "occurred_at": "2022-03-08T11:00:00+02:00"}).status_code


def _suspend_by_status(client: TestClient, world: SeededStore, caller: str) -> int:
    corridor = world.corridor("open")
    return client.post(f"/api/corridors/{corridor}/status", headers=world.headers(caller),
                       json={"status": "suspended"}).status_code


@pytest.mark.parametrize("caller", CALLERS)
def test_suspending_is_allowed_alike_by_incident_and_by_status(
    client: TestClient, shared_world: SeededStore, caller: str
) -> None:
    by_incident = _suspend_by_incident(client, shared_world, caller)
    by_status = _suspend_by_status(client, shared_world, caller)
    allowed = caller == "facilitator"
    assert by_incident == (201 if allowed else 403)
    assert by_status == (200 if allowed else 403)


@pytest.mark.parametrize("caller", ["operator", "liaison_UA"])
def test_others_still_report_incidents_without_suspending(
    client: TestClient, shared_world: SeededStore, caller: str
) -> None:
    response = client.post("/api/incidents", headers=shared_world.headers(caller), json={
        "corridor_id": shared_world.corridor("open"), "type": "shelling", "lon": 37.5,
        "lat": 47.1, "occurred_at": "2022-03-08T11:00:00+02:00"})
    assert response.status_code == 201 and not response.json()["suspended_corridor"]
