"""The authorisation matrix: every role against every mutating endpoint, exact status codes.

Each case builds what the request needs, sends it as each caller, and checks both the status
and that a refused request left the audit log (and so the store) untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from corridor.api.app import create_app
from corridor.store import queries
from corridor.store.models import Agreement, AuditEntry
from tests.dbfixtures import SeededStore

CALLERS = ("facilitator", "liaison_UA", "liaison_RU", "operator", "observer", "anonymous")
LINE = {"type": "LineString", "coordinates": [[37.55, 47.1], [35.14, 47.84]]}
WINDOW = {"start": "2022-03-08T10:00:00+03:00", "tz": "Europe/Moscow"}


@dataclass(frozen=True)
class Case:
    """A request, built against a fresh world, and the callers allowed to make it."""

    name: str
    build: Callable[[SeededStore], tuple[str, str, dict[str, Any]]]
    allowed: frozenset[str]
    success: int = 201


def _signature(world: SeededStore) -> tuple[str, str, dict[str, Any]]:
    agreement_id = world.agreement()
    with world.db.read() as s:
        document = queries.get(s, Agreement, agreement_id).document
    return ("POST", f"/api/agreements/{agreement_id}/signatures",
            {"party_id": "UA", "signature": world.keys["UA"].sign(document, "UA")})


def _notification_body(world: SeededStore) -> dict[str, Any]:
    return world.movement(world.corridor("open")).model_dump(mode="json")


CASES = [
    Case("create party", lambda w: ("POST", "/api/parties", {"id": "MD", "name": "Moldova"}),
         frozenset({"facilitator"})),
    Case("register own key", lambda w: (
        "PUT", "/api/parties/UA/key", {"public_key": w.keys["UA"].public_key_hex}),
        frozenset({"liaison_UA"}), success=200),
    Case("create talks", lambda w: ("POST", "/api/talks", {
        "number": 1, "date": "2022-02-28", "venue": "Gomel region"}),
        frozenset({"facilitator"})),
    Case("propose for UA", lambda w: ("POST", "/api/proposals", {
        "proposer_id": "UA", "origin": "Mariupol", "destination": "Zaporizhzhia",
        "route": LINE, "windows": [WINDOW]}), frozenset({"facilitator", "liaison_UA"})),
    Case("UA position", lambda w: ("POST", f"/api/proposals/{w.proposal()}/positions", {
        "party_id": "UA", "stance": "accept"}), frozenset({"liaison_UA"})),
    Case("create agreement", lambda w: ("POST", "/api/agreements", {
        "corridor": {"origin": "Mariupol", "destination": "Zaporizhzhia", "route": LINE},
        "windows": [WINDOW], "parties": ["UA", "RU"]}), frozenset({"facilitator"})),
    Case("UA signature", _signature, frozenset({"liaison_UA"})),
    Case("create corridor", lambda w: ("POST", "/api/corridors", {
        "name": "c", "origin": "Sumy", "destination": "Poltava",
        "waypoints": ["Sumy", "Poltava"]}), frozenset({"facilitator"})),
    Case("open corridor", lambda w: (
        "POST", f"/api/corridors/{w.corridor('agreed')}/status", {"status": "open"}),
        frozenset({"facilitator"}), success=200),
    Case("notify movement", lambda w: ("POST", "/api/notifications", _notification_body(w)),
         frozenset({"facilitator", "operator"})),
    Case("UA acknowledgement", lambda w: (
        "POST", f"/api/notifications/{w.notification()}/acknowledgements",
        {"party_id": "UA", "decision": "acknowledge"}), frozenset({"liaison_UA"})),
    Case("report incident", lambda w: ("POST", "/api/incidents", {
        "type": "shelling", "lon": 37.5, "lat": 47.1,
        "occurred_at": "2022-03-05T11:00:00+02:00"}),
        frozenset({"facilitator", "operator", "liaison_UA", "liaison_RU"})),
    Case("convoy report", lambda w: ("POST", f"/api/convoys/{w.notification()}/reports", {
        "status": "departed", "lon": 37.5, "lat": 47.1,
        "reported_at": "2022-03-08T10:05:00+02:00"}), frozenset({"facilitator", "operator"})),
]


@pytest.fixture(scope="module")
def client(shared_world: SeededStore) -> Iterator[TestClient]:
    with TestClient(create_app(shared_world.db)) as test_client:
        yield test_client


def _audit_size(world: SeededStore) -> int:
    with world.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def _expected(case: Case, caller: str) -> int:
    if caller == "anonymous":
        return 401
    return case.success if caller in case.allowed else 403


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_authorisation_matrix(client: TestClient, shared_world: SeededStore, case: Case,
                              caller: str) -> None:
    method, path, body = case.build(shared_world)
    headers = {} if caller == "anonymous" else shared_world.headers(caller)
    before = _audit_size(shared_world)
    response = client.request(method, path, json=body, headers=headers)
    assert response.status_code == _expected(case, caller), response.text
    grew = _audit_size(shared_world) > before
    assert grew == (response.status_code == case.success)


def test_unknown_token_is_401_with_a_bearer_challenge(client: TestClient) -> None:
    response = client.get("/api/parties", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"] == "unknown bearer token"


def test_cross_party_refusal_names_both_parties(client: TestClient,
                                                shared_world: SeededStore) -> None:
    response = client.post(f"/api/proposals/{shared_world.proposal()}/positions",
                           json={"party_id": "UA", "stance": "reject"},
                           headers=shared_world.headers("liaison_RU"))
    assert response.status_code == 403
    assert response.json()["detail"] == "liaison of party RU cannot act for party UA"


def test_operator_cannot_sign_for_a_party(client: TestClient, shared_world: SeededStore) -> None:
    method, path, body = _signature(shared_world)
    response = client.request(method, path, json=body, headers=shared_world.headers("operator"))
    assert response.status_code == 403
    assert response.json()["detail"] == "role operator may not do this; needs liaison"


READABLE = ["/api/parties", "/api/parties/UA", "/api/talks", "/api/proposals",
            "/api/agreements", "/api/corridors", "/api/notifications", "/api/incidents",
            "/api/audit", "/api/audit/verify", "/api/events?follow=false"]


@pytest.mark.parametrize("path", READABLE)
def test_observers_read_everything_and_anonymous_nothing(
    client: TestClient, shared_world: SeededStore, path: str
) -> None:
    assert client.get(path, headers=shared_world.headers("observer")).status_code == 200
    assert client.get(path).status_code == 401
