"""The service routes and judges proposals with the engine, and agreements sign the route."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from corridor.api.app import create_app
from corridor.negotiation.output import negotiation_geojson, negotiation_json
from corridor.negotiation.search import negotiate
from corridor.report.layers import ScenarioLayers
from corridor.scenario import load_scenario
from corridor.store.models import AuditEntry, Proposal
from corridor.store.signing import canonical_json, signature_valid
from corridor.world import build_world
from tests.conftest import SCENARIO_DIR

if TYPE_CHECKING:
    from tests.dbfixtures import SeededStore

SCENARIO = SCENARIO_DIR / "ukraine-2022-03-07.yaml"
WINDOW = {"start": "2022-03-08T09:00:00+02:00", "end": "2022-03-08T21:00:00+02:00",
          "tz": "Europe/Kyiv"}
#: The scenario's ru-1, as a client would post it.
KYIV_GOMEL = {"proposer_id": "RU", "origin": "Kyiv", "destination": "Gomel",
              "waypoints": ["Kyiv", "Hostomel", "Rakivka", "Sosnivka", "Ivankiv", "Orane",
                            "Chornobyl", "Gden", "Gomel"], "windows": [WINDOW]}


@pytest.fixture(scope="module")
def negotiated() -> dict[str, Any]:
    """What ``corridor negotiate`` says of the scenario's ru-1: JSON and GeoJSON."""
    world = build_world(load_scenario(SCENARIO))
    neg = negotiate(world)
    as_json = negotiation_json(neg, world)["proposals"][0]
    line = next(f for f in negotiation_geojson(neg)["features"] if f["id"] == "ru-1")
    return {"json": as_json, "geometry": line["geometry"]}


@pytest.fixture(scope="module")
def layers() -> ScenarioLayers:
    """The scenario as ``serve --scenario`` loads it; built once, as a server does."""
    return ScenarioLayers.load(SCENARIO)


@pytest.fixture
def client(world: SeededStore, layers: ScenarioLayers) -> Iterator[TestClient]:
    """The API over a store on each backend, serving the 2022 scenario."""
    app = create_app(world.db)
    app.state.scenario_layers = layers
    with TestClient(app) as test_client:
        test_client.headers.update(world.headers("facilitator"))
        yield test_client


def _audit_size(world: SeededStore) -> int:
    with world.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def _refused(client: TestClient, world: SeededStore, body: dict[str, Any]) -> dict[str, Any]:
    before = _audit_size(world)
    response = client.post("/api/proposals", json=body)
    assert response.status_code == 422, response.text
    assert _audit_size(world) == before
    error: dict[str, Any] = response.json()
    return error


@pytest.mark.parametrize(("change", "field"), [
    ({"origin": "Atlantis", "waypoints": None}, "origin"),
    ({"destination": "Atlantis", "waypoints": ["Kyiv", "Ivankiv", "Atlantis"]}, "destination"),
    ({"waypoints": ["Kyiv", "Ivankiv", "Atlantis", "Gomel"]}, "waypoints.2"),
])
def test_an_unknown_place_is_refused_naming_the_field_and_the_closest_names(
        client: TestClient, world: SeededStore, change: dict[str, Any], field: str) -> None:
    body = {k: v for k, v in {**KYIV_GOMEL, **change}.items() if v is not None}
    if "waypoints" not in body:
        body["waypoints"] = [body["origin"], body["destination"]]
    error = _refused(client, world, body)
    assert error["field"] == field
    assert "unknown place name 'Atlantis'" in error["detail"]
    assert "closest spellings: " in error["detail"]


def test_a_posted_proposal_is_routed_and_judged_as_negotiate_does(
        client: TestClient, world: SeededStore, negotiated: dict[str, Any]) -> None:
    made = client.post("/api/proposals", json=KYIV_GOMEL)
    assert made.status_code == 201, made.text
    proposal = made.json()
    assert proposal["route"] == negotiated["geometry"]
    assert proposal["verdicts"] == negotiated["json"]["verdicts"]
    # Ukraine refuses a corridor into Belarus; that is the engine's finding, not the client's.
    assert proposal["verdicts"]["UA"]["acceptable"] is False
    summary = proposal["route_summary"]
    for key in ("km", "hours", "settlements", "border_crossings"):
        assert summary[key] == negotiated["json"]["route"][key], key
    assert client.get(f"/api/proposals/{proposal['id']}").json() == proposal


def test_verdicts_from_a_client_are_refused(client: TestClient, world: SeededStore) -> None:
    forged = {**KYIV_GOMEL, "verdicts": {"UA": {"acceptable": True, "reasons": []}}}
    error = _refused(client, world, forged)
    assert error["field"] == "verdicts"
    assert "computed by the server" in error["detail"] and "position" in error["detail"]


def test_verdicts_from_a_client_are_refused_without_a_scenario(sqlite_world: SeededStore) -> None:
    with TestClient(create_app(sqlite_world.db)) as plain:
        answer = plain.post("/api/proposals", headers=sqlite_world.headers("liaison_UA"), json={
            "proposer_id": "UA", "origin": "Kyiv", "destination": "Lviv",
            "waypoints": ["Kyiv", "Lviv"], "windows": [WINDOW],
            "verdicts": {"RU": {"acceptable": True}}})
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "verdicts"
    with sqlite_world.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Proposal)) == 0


def test_a_liaison_s_stance_is_its_position_not_a_verdict(
        client: TestClient, world: SeededStore) -> None:
    proposal = client.post("/api/proposals", json=KYIV_GOMEL).json()
    stance = client.post(f"/api/proposals/{proposal['id']}/positions",
                         headers=world.headers("liaison_UA"),
                         json={"party_id": "UA", "stance": "accept"})
    assert stance.status_code == 201, stance.text
    again = client.get(f"/api/proposals/{proposal['id']}").json()
    assert again["verdicts"] == proposal["verdicts"]
    assert again["verdicts"]["UA"]["acceptable"] is False


def test_a_drawn_route_is_refused_when_the_server_routes(
        client: TestClient, world: SeededStore) -> None:
    drawn = {**KYIV_GOMEL, "route": {"type": "LineString",
                                     "coordinates": [[30.52, 50.45], [31.0, 52.4]]}}
    assert _refused(client, world, drawn)["field"] == "route"


def _agreement(client: TestClient, proposal: dict[str, Any], **corridor: Any) -> Any:
    return client.post("/api/agreements", json={
        "proposal_id": proposal["id"], "windows": [WINDOW], "parties": ["UA", "RU"],
        "corridor": {"origin": proposal["origin"], "destination": proposal["destination"],
                     "waypoints": proposal["waypoints"], **corridor}})


def test_the_signed_agreement_carries_the_proposal_s_route(
        client: TestClient, world: SeededStore) -> None:
    proposal = client.post("/api/proposals", json=KYIV_GOMEL).json()
    made = _agreement(client, proposal)
    assert made.status_code == 201, made.text
    document = made.json()["document"]
    assert document["corridor"]["route"] == proposal["route"]
    assert document["route"]["sha256"] == hashlib.sha256(
        canonical_json(proposal["route"])).hexdigest()
    assert document["route"]["summary"]["km"] == proposal["route_summary"]["km"]
    # The signature covers the road: it does not verify for a document with another line.
    signature = world.keys["UA"].sign(document, "UA")
    moved = {**document, "corridor": {**document["corridor"], "route": {
        "type": "LineString", "coordinates": [[30.52, 50.45], [31.0, 52.4]]}}}
    public_key = world.keys["UA"].public_key_hex
    assert signature_valid(public_key, document, signature, "UA")
    assert not signature_valid(public_key, moved, signature, "UA")
    signed = client.post(f"/api/agreements/{made.json()['id']}/signatures",
                         headers=world.headers("liaison_UA"),
                         json={"party_id": "UA", "signature": signature})
    assert signed.status_code == 201, signed.text


@pytest.mark.parametrize(("corridor", "field"), [
    ({"route": {"type": "LineString", "coordinates": [[30.52, 50.45], [31.0, 52.4]]}},
     "corridor.route"),
    ({"destination": "Lviv"}, "corridor.destination"),
])
def test_an_agreement_unlike_its_proposal_is_refused(
        client: TestClient, world: SeededStore, corridor: dict[str, Any], field: str) -> None:
    proposal = client.post("/api/proposals", json=KYIV_GOMEL).json()
    before = _audit_size(world)
    answer = _agreement(client, proposal, **corridor)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field
    assert _audit_size(world) == before


@pytest.mark.parametrize(("lon", "lat", "says"), [
    (2.35, 48.86, "outside the scenario's area"),
    (50.45, 30.52, "latitude and longitude look swapped"),
])
def test_an_incident_outside_the_scenario_s_area_is_refused(
        client: TestClient, world: SeededStore, lon: float, lat: float, says: str) -> None:
    incident = {"type": "shelling", "lon": lon, "lat": lat,
                "occurred_at": "2022-03-08T10:00:00+02:00"}
    before = _audit_size(world)
    answer = client.post("/api/incidents", json=incident)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "lon" and says in answer.json()["detail"]
    assert _audit_size(world) == before
    inside = client.post("/api/incidents", json={**incident, "lon": 30.52, "lat": 50.45})
    assert inside.status_code == 201, inside.text
