"""Bad input gets a precise 4xx and stores nothing; good input round-trips through the API."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from corridor.api.app import Settings, create_app
from corridor.store.models import AuditEntry, IdempotencyRecord, utcnow
from corridor.store.signing import canonical_json

if TYPE_CHECKING:
    from tests.dbfixtures import SeededStore

LINE = {"type": "LineString", "coordinates": [[37.55, 47.1], [35.14, 47.84]]}
WINDOW = {"start": "2022-03-08T10:00:00+03:00", "tz": "Europe/Moscow"}
PROPOSAL = {"proposer_id": "RU", "origin": "Mariupol", "destination": "Zaporizhzhia",
            "route": LINE, "windows": [WINDOW]}


@pytest.fixture
def client(sqlite_world: SeededStore) -> Iterator[TestClient]:
    app = create_app(sqlite_world.db, Settings(max_body_bytes=64 * 1024))
    with TestClient(app) as test_client:
        test_client.headers.update(sqlite_world.headers("facilitator"))
        yield test_client


def _audit_size(world: SeededStore) -> int:
    with world.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def _refused(client: TestClient, world: SeededStore, path: str, body: Any, status: int,
             **kwargs: Any) -> dict[str, Any]:
    before = _audit_size(world)
    response = client.post(path, json=body, **kwargs)
    assert response.status_code == status, response.text
    assert _audit_size(world) == before
    detail: dict[str, Any] = response.json()
    return detail


def test_oversized_body_is_413(client: TestClient, sqlite_world: SeededStore) -> None:
    body = {**PROPOSAL, "origin": "x" * 100_000}
    error = _refused(client, sqlite_world, "/api/proposals", body, 413)
    assert error["detail"] == "request body exceeds 65536 bytes"


def test_oversized_chunked_body_without_length_is_413(client: TestClient) -> None:
    chunks = (b"x" * 8192 for _ in range(20))
    response = client.post("/api/proposals", content=chunks,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413


@pytest.mark.parametrize(("route", "field", "message"), [
    ({"type": "Point", "coordinates": [37.5, 47.1]}, "route.type", "'LineString'"),
    ({"type": "LineString", "coordinates": [[37.5, 47.1]]}, "route.coordinates",
     "at least 2 items"),
    ({"type": "LineString", "coordinates": [[37.5, 47.1], [191.0, 47.2]]},
     "route.coordinates.1.0", "less than or equal to 180"),
    ({"type": "LineString", "coordinates": [[37.5, 47.1], [37.6]]},
     "route.coordinates.1.1", "required field is missing"),
    ({"type": "LineString"}, "route.coordinates", "required field is missing"),
])
def test_malformed_geojson_names_the_field(client: TestClient, sqlite_world: SeededStore,
                                           route: dict[str, Any], field: str,
                                           message: str) -> None:
    error = _refused(client, sqlite_world, "/api/proposals", {**PROPOSAL, "route": route}, 422)
    assert error["field"] == field and message in error["detail"]


def test_route_or_waypoints_is_required(client: TestClient, sqlite_world: SeededStore) -> None:
    body = {k: v for k, v in PROPOSAL.items() if k != "route"}
    error = _refused(client, sqlite_world, "/api/proposals", body, 422)
    assert "give a route (GeoJSON LineString) or waypoints" in error["detail"]


@pytest.mark.parametrize(("path_of", "field"), [
    (lambda w: ("/api/proposals", {**PROPOSAL, "windows": [
        {"start": "2022-03-08T10:00:00", "tz": "Europe/Moscow"}]}), "windows.0.start"),
    (lambda w: ("/api/incidents", {"type": "shelling", "lon": 37.5, "lat": 47.1,
                                   "occurred_at": "2022-03-05T11:00:00"}), "occurred_at"),
    (lambda w: ("/api/notifications", {**w.movement(w.corridor("open")).model_dump(
        mode="json"), "start_at": "2031-01-01T10:00:00"}), "start_at"),
])
def test_timestamps_without_zone_are_422(client: TestClient, sqlite_world: SeededStore,
                                         path_of: Any, field: str) -> None:
    path, body = path_of(sqlite_world)
    error = _refused(client, sqlite_world, path, body, 422)
    assert error["field"] == field and "timezone" in error["detail"]


def test_unknown_time_zone_is_422(client: TestClient, sqlite_world: SeededStore) -> None:
    body = {**PROPOSAL, "windows": [{**WINDOW, "tz": "Europe/Atlantis"}]}
    error = _refused(client, sqlite_world, "/api/proposals", body, 422)
    assert "unknown IANA time zone 'Europe/Atlantis'" in error["detail"]


def test_too_short_lead_time_names_the_lead_time(client: TestClient,
                                                 sqlite_world: SeededStore) -> None:
    body = sqlite_world.movement(sqlite_world.corridor("open"), hours_ahead=30)
    error = _refused(client, sqlite_world, "/api/notifications", body.model_dump(mode="json"),
                     422, headers=sqlite_world.headers("operator"))
    assert error["field"] == "start_at"
    assert error["detail"].startswith("a movement must be notified at least 48 h before")


@pytest.mark.parametrize(("path", "detail"), [
    ("/api/proposals/999", "proposal 999 does not exist"),
    ("/api/agreements/999/verify", "agreement 999 does not exist"),
    ("/api/corridors/999", "corridor 999 does not exist"),
    ("/api/convoys/999/reports", "notification 999 does not exist"),
    ("/api/notifications/999/acknowledgements", "notification 999 does not exist"),
    ("/api/parties/XX", "party XX does not exist"),
])
def test_unknown_ids_are_404(client: TestClient, path: str, detail: str) -> None:
    response = client.get(path)
    assert response.status_code == 404 and response.json()["detail"] == detail


def test_unknown_ids_in_a_body_are_404_naming_the_field(client: TestClient,
                                                        sqlite_world: SeededStore) -> None:
    body = sqlite_world.movement(sqlite_world.corridor("open"))
    error = _refused(client, sqlite_world, "/api/notifications",
                     {**body.model_dump(mode="json"), "corridor_id": 999}, 404)
    assert error == {"detail": "corridor 999 does not exist", "field": "corridor_id",
                     "allowed": []}


def test_illegal_transition_is_409_listing_the_allowed(client: TestClient,
                                                       sqlite_world: SeededStore) -> None:
    corridor_id = sqlite_world.corridor("open")
    error = _refused(client, sqlite_world, f"/api/corridors/{corridor_id}/status",
                     {"status": "agreed"}, 409)
    assert error["allowed"] == ["suspended", "closed"]
    assert error["detail"] == (f"corridor {corridor_id} cannot go from open to agreed; "
                               "allowed: suspended, closed")


def test_invalid_json_is_422(client: TestClient) -> None:
    response = client.post("/api/parties", content=b"{not json",
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and "JSON" in response.json()["detail"]


def test_idempotent_replay_returns_the_original(client: TestClient,
                                                sqlite_world: SeededStore) -> None:
    key = {"Idempotency-Key": "proposal-7-march-3"}
    first = client.post("/api/proposals", json=PROPOSAL, headers=key)
    size = _audit_size(sqlite_world)
    again = client.post("/api/proposals", json=PROPOSAL, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert _audit_size(sqlite_world) == size
    assert len(client.get("/api/proposals").json()["items"]) == 1


def test_idempotency_key_with_another_body_is_refused(client: TestClient,
                                                      sqlite_world: SeededStore) -> None:
    key = {"Idempotency-Key": "k-1"}
    assert client.post("/api/proposals", json=PROPOSAL, headers=key).status_code == 201
    error = _refused(client, sqlite_world, "/api/proposals", {**PROPOSAL, "origin": "Kyiv"},
                     422, headers=key)
    assert error["field"] == "Idempotency-Key"
    assert error["detail"] == ("Idempotency-Key 'k-1' was already used for a different "
                               "request; nothing was stored")
    assert len(client.get("/api/proposals").json()["items"]) == 1


def test_an_expired_idempotency_key_is_forgotten(world: SeededStore) -> None:
    """On both backends: the expiry is a timestamp comparison done by the database."""
    key = {"Idempotency-Key": "yesterday", **world.headers("facilitator")}
    with TestClient(create_app(world.db)) as client:
        first = client.post("/api/proposals", json=PROPOSAL, headers=key).json()
        replay = client.post("/api/proposals", json=PROPOSAL, headers=key)
        assert replay.headers["idempotent-replayed"] == "true"  # still within the window
        window = Settings().idempotency_window
        with world.db.write() as s:
            s.execute(update(IdempotencyRecord).values(
                created_at=utcnow() - window - dt.timedelta(minutes=1)))
        again = client.post("/api/proposals", json=PROPOSAL, headers=key)
    assert again.status_code == 201 and "idempotent-replayed" not in again.headers
    assert again.json()["id"] != first["id"]
    with world.db.read() as s:
        kept = s.scalars(select(IdempotencyRecord)).all()
    assert [(r.key, r.response["id"]) for r in kept] == [("yesterday", again.json()["id"])]


def test_idempotency_keys_are_per_user(client: TestClient, sqlite_world: SeededStore) -> None:
    key = {"Idempotency-Key": "shared"}
    body = {"type": "shelling", "lon": 37.5, "lat": 47.1,
            "occurred_at": "2022-03-05T11:00:00+02:00"}
    ids = {client.post("/api/incidents", json=body,
                       headers={**key, **sqlite_world.headers(role)}).json()["id"]
           for role in ("operator", "facilitator")}
    assert len(ids) == 2


def test_pages_follow_the_cursor(client: TestClient) -> None:
    for number in range(1, 6):
        assert client.post("/api/proposals", json={**PROPOSAL, "number": number}).is_success
    numbers, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/proposals", params=params).json()
        numbers += [item["number"] for item in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert numbers == [1, 2, 3, 4, 5]
    bad = client.get("/api/proposals", params={"cursor": "!!"})
    assert bad.status_code == 422 and bad.json()["field"] == "cursor"


def test_liaisons_sign_client_side_and_anyone_can_verify(client: TestClient,
                                                         sqlite_world: SeededStore) -> None:
    agreement = client.post("/api/agreements", json={
        "corridor": {"origin": "Sumy", "destination": "Poltava",
                     "waypoints": ["Sumy", "Romny", "Poltava"]},
        "windows": [WINDOW], "parties": ["UA", "RU"]}).json()
    for party in ("UA", "RU"):
        # The bytes to sign, as the dashboard fetches them: the party's own statement.
        statement = client.get(f"/api/agreements/{agreement['id']}/canonical",
                               params={"party": party}).content
        assert json.loads(statement) == {"type": "corridor-signature/v1", "signer": party,
                                         "document": agreement["document"]}
        assert statement == canonical_json(json.loads(statement))
        signature = sqlite_world.keys[party].private_key.sign(statement).hex()
        signed = client.post(f"/api/agreements/{agreement['id']}/signatures", json={
            "party_id": party, "signature": signature},
            headers=sqlite_world.headers(f"liaison_{party}"))
        assert signed.status_code == 201
        assert signed.json()["fingerprint"] == client.get(
            f"/api/parties/{party}").json()["fingerprint"]
    verdict = client.get(f"/api/agreements/{agreement['id']}/verify").json()
    assert verdict["valid"] and verdict["missing"] == []
    assert client.get(f"/api/agreements/{agreement['id']}").json()["complete"]


def test_a_forged_signature_is_422(client: TestClient, sqlite_world: SeededStore) -> None:
    agreement_id = sqlite_world.agreement()
    error = _refused(client, sqlite_world, f"/api/agreements/{agreement_id}/signatures",
                     {"party_id": "UA", "signature": "ab" * 64}, 422,
                     headers=sqlite_world.headers("liaison_UA"))
    assert error["field"] == "signature" and "does not verify" in error["detail"]


def test_incident_suspends_the_corridor_through_the_api(client: TestClient,
                                                        sqlite_world: SeededStore) -> None:
    corridor_id = sqlite_world.corridor("open")
    response = client.post("/api/incidents", headers=sqlite_world.headers("facilitator"), json={
        "corridor_id": corridor_id, "type": "shelling", "lon": 37.5, "lat": 47.1,
        "occurred_at": dt.datetime.now(dt.UTC).isoformat(), "suspend": True})
    assert response.status_code == 201 and response.json()["suspended_corridor"]
    assert client.get(f"/api/corridors/{corridor_id}").json()["status"] == "suspended"


def test_events_replay_from_last_event_id(client: TestClient) -> None:
    everything = client.get("/api/events", params={"follow": False}).text
    resumed = client.get("/api/events", params={"follow": False},
                         headers={"Last-Event-ID": "7"}).text
    ids = [int(line[4:]) for line in resumed.splitlines() if line.startswith("id: ")]
    assert ids and ids == list(range(8, 8 + len(ids)))
    assert resumed.split("id: 8\n", 1)[1] == everything.split("id: 8\n", 1)[1]
    assert client.get("/api/events", headers={"Last-Event-ID": "x"}).status_code == 422


def test_the_chain_is_checked_against_anchors_given_in_the_query(client: TestClient) -> None:
    client.post("/api/proposals", json=PROPOSAL)
    intact = client.get("/api/audit/verify").json()
    assert intact["ok"] and intact["head"].startswith(f"{intact['entries']}:")
    held = client.get("/api/audit/verify", params={"anchor": intact["head"]}).json()
    assert held["ok"]
    beyond = f"{intact['entries'] + 1}:{'0' * 64}"
    cut = client.get("/api/audit/verify", params={"anchor": [intact["head"], beyond]}).json()
    assert not cut["ok"] and cut["broken_seq"] == intact["entries"] + 1 and cut["head"] is None
    bad = client.get("/api/audit/verify", params={"anchor": "latest"})
    assert bad.status_code == 422 and bad.json()["field"] == "anchor"
