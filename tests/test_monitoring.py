"""Posted snapshots re-judge open proposals and corridors; alerts only for real changes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from corridor.api.app import create_app
from corridor.report.layers import ScenarioLayers
from corridor.settings import Settings
from corridor.store.audit_state import verify_state
from corridor.store.models import Alert, AuditEntry, SituationSnapshot
from tests.test_service_engine import KYIV_GOMEL, SCENARIO

if TYPE_CHECKING:
    from tests.dbfixtures import SeededStore


@pytest.fixture
def layers() -> ScenarioLayers:
    """A world of its own per test: posting a snapshot moves it."""
    return ScenarioLayers.load(SCENARIO)


def _client(world: SeededStore, layers: ScenarioLayers) -> TestClient:
    app = create_app(world.db)
    app.state.scenario_layers = layers
    client = TestClient(app)
    client.headers.update(world.headers("facilitator"))
    return client


@pytest.fixture
def client(world: SeededStore, layers: ScenarioLayers) -> Iterator[TestClient]:
    with _client(world, layers) as test_client:
        yield test_client


def _square(lon: float, lat: float, half: float = 0.03) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[lon - half, lat - half], [lon + half, lat - half],
                                                [lon + half, lat + half], [lon - half, lat + half],
                                                [lon - half, lat - half]]]}


def _hazards(*zones: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": geometry, "properties": {"name": name, "risk": "high"}}
        for name, geometry in zones]}


def _post(client: TestClient, day: str, **layers: Any) -> dict[str, Any]:
    answer = client.post("/api/situations", json={"effective": day, "source": "тест", **layers})
    assert answer.status_code == 201, answer.text
    posted: dict[str, Any] = answer.json()
    return posted


def _far_from(layers: ScenarioLayers, line: list[list[float]]) -> tuple[float, float]:
    """A road node of the network as far as can be from every point of ``line``."""
    assert layers.world is not None
    net = layers.world.network
    points = np.asarray(line)
    gap = np.min(np.hypot(net.node_lon[:, None] - points[None, :, 0],
                          net.node_lat[:, None] - points[None, :, 1]), axis=1)
    far = int(np.argmax(gap))
    return float(net.node_lon[far]), float(net.node_lat[far])


def test_a_hazard_on_an_open_proposal_raises_one_alert_and_one_elsewhere_none(
        client: TestClient, world: SeededStore, layers: ScenarioLayers) -> None:
    proposal = client.post("/api/proposals", json=KYIV_GOMEL).json()
    line = proposal["route"]["coordinates"]
    on_route = line[len(line) * 3 // 4]
    elsewhere = _post(client, "2022-03-08",
                      hazards=_hazards(("Дальній обстріл", _square(*_far_from(layers, line)))))
    assert (elsewhere["current"], elsewhere["evaluated"]) == (True, 1)
    assert elsewhere["raised"] == [] and elsewhere["cleared"] == []

    posted = _post(client, "2022-03-08", hazards=_hazards(
        ("Дальній обстріл", _square(*_far_from(layers, line))),
        ("Обстріл траси", _square(*on_route))))
    [alert] = posted["raised"]
    assert (alert["subject"], alert["subject_id"]) == ("proposal", proposal["id"])
    assert (alert["kind"], alert["what"]) == ("hazard", "Обстріл траси")
    assert alert["situation_id"] == posted["situation"]["id"]
    assert 0 < alert["km_from_origin"] < proposal["route_summary"]["km"]
    assert alert["near"] and alert["near"] in alert["message"]
    # Every stream hears of it, as of any other change.
    stream = client.get("/api/events", params={"after": 0, "follow": "false"}).text
    assert "event: alert.created" in stream and f'"entity_id":"{alert["id"]}"' in stream

    # The same picture again is no change; the zone lifted clears the alert.
    assert _post(client, "2022-03-08", hazards=_hazards(
        ("Обстріл траси", _square(*on_route))))["raised"] == []
    lifted = _post(client, "2022-03-08", hazards=_hazards())
    assert lifted["raised"] == [] and lifted["cleared"] == [alert["id"]]
    # Once its window has run, the proposal is no longer watched.
    assert _post(client, "2022-03-09", hazards=_hazards(
        ("Обстріл траси", _square(*on_route))))["evaluated"] == 0
    listed = client.get("/api/alerts", params={"active": "false"}).json()["items"]
    assert [a["id"] for a in listed] == [alert["id"]]
    with world.db.read() as s:
        actions = list(s.scalars(select(AuditEntry.action)))
        assert actions.count("alert.created") == 1 and actions.count("situation.created") == 5
        assert verify_state(s).ok


def test_alerts_and_the_situation_survive_a_restart(
        world: SeededStore, layers: ScenarioLayers) -> None:
    with _client(world, layers) as client:
        proposal = client.post("/api/proposals", json=KYIV_GOMEL).json()
        line = proposal["route"]["coordinates"]
        raised = _post(client, "2022-03-08", hazards=_hazards(
            ("Обстріл", _square(*line[len(line) * 3 // 4]))))["raised"]
        assert len(raised) == 1
    # A service started afresh on the same store, as ``corridor serve --scenario`` starts it.
    app = create_app(world.db, Settings(scenario=SCENARIO))
    restarted = app.state.scenario_layers.world
    with TestClient(app, headers=world.headers("facilitator")) as client:
        assert [a["id"] for a in client.get("/api/alerts").json()["items"]] == [raised[0]["id"]]
        # It stands on the posted snapshot, its hazard included.
        assert str(restarted.day) == "2022-03-08"
        assert "Обстріл" in [z.name for z in restarted.hazards]
        # Nothing changed since: posting the same picture raises nothing.
        assert _post(client, "2022-03-08", hazards=_hazards(
            ("Обстріл", _square(*line[len(line) * 3 // 4]))))["raised"] == []


def test_acknowledgements_hold_party_isolation(
        client: TestClient, world: SeededStore) -> None:
    proposal = client.post("/api/proposals", json=KYIV_GOMEL).json()
    line = proposal["route"]["coordinates"]
    [alert] = _post(client, "2022-03-08", hazards=_hazards(
        ("Обстріл", _square(*line[len(line) * 3 // 4]))))["raised"]
    path = f"/api/alerts/{alert['id']}/acknowledgements"
    own = client.post(path, headers=world.headers("liaison_UA"), json={"party_id": "UA"})
    assert own.status_code == 201, own.text
    other = client.post(path, headers=world.headers("liaison_UA"), json={"party_id": "RU"})
    assert other.status_code == 403 and "cannot act for party RU" in other.json()["detail"]
    for role in ("facilitator", "operator", "observer"):
        assert client.post(path, headers=world.headers(role),
                           json={"party_id": "RU"}).status_code == 403
    twice = client.post(path, headers=world.headers("liaison_UA"), json={"party_id": "UA"})
    assert twice.status_code == 409
    stored = client.get(f"/api/alerts/{alert['id']}").json()["acknowledgements"]
    assert [a["party_id"] for a in stored] == ["UA"]


@pytest.mark.parametrize(("layers_in", "field"), [
    ({"control": {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": _square(36.2, 49.9),
         "properties": {"holder": "Марсіяни"}}]}}, "control.features.0.properties.holder"),
    ({"settlements": [{"name": "Kharkiv", "status": "occupied-ish"}]}, "settlements.0.status"),
    ({"settlements": [{"name": "Atlantis", "status": "ru"}]}, "settlements.0.name"),
    ({"closures": {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [20.0, 40.0]},
         "properties": {"name": "міст"}}]}}, "closures.features.0.at"),
])
def test_a_snapshot_the_scenario_cannot_hold_is_refused_and_not_stored(
        client: TestClient, world: SeededStore, layers_in: dict[str, Any], field: str) -> None:
    answer = client.post("/api/situations", json={"effective": "2022-03-08", "source": "x",
                                                  **layers_in})
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field
    with world.db.read() as s:
        assert s.scalar(select(func.count()).select_from(SituationSnapshot)) == 0


def test_only_facilitators_and_operators_post_snapshots(
        client: TestClient, world: SeededStore) -> None:
    body = {"effective": "2022-03-08", "source": "x", "hazards": _hazards()}
    for role, status in (("liaison_UA", 403), ("observer", 403), ("operator", 201)):
        assert client.post("/api/situations", headers=world.headers(role),
                           json=body).status_code == status


def test_the_timeline_pictures_and_changes_between_dates(
        client: TestClient, world: SeededStore) -> None:
    client.post("/api/proposals", json=KYIV_GOMEL)
    _post(client, "2022-03-10", hazards=_hazards())
    timeline = client.get("/api/situations/timeline").json()
    assert timeline["current"] == "2022-03-10"
    dates = {d["date"]: d["posted"] for d in timeline["dates"]}
    assert dates == {"2022-02-28": False, "2022-03-03": False, "2022-03-07": False,
                     "2022-03-09": False, "2022-03-10": True}
    early = client.get("/api/situations/picture", params={"date": "2022-02-28"}).json()
    late = client.get("/api/situations/picture", params={"date": "2022-03-09"}).json()
    assert early["date"] == "2022-02-28" and late["date"] == "2022-03-09"
    assert early["layers"]["control"] != late["layers"]["control"]
    assert [p["verdicts"]["UA"]["acceptable"] for p in late["proposals"]] == [False]
    changed = client.get("/api/situations/changes",
                         params={"from": "2022-02-28", "to": "2022-03-09"}).json()
    pairs = {(f["properties"]["from"], f["properties"]["to"]) for f in changed["features"]}
    assert ("UA", "RU-held") in pairs and all(f["properties"]["km2"] > 0
                                              for f in changed["features"])
    assert client.get("/api/situations/changes", params={
        "from": "2022-03-09", "to": "2022-03-09"}).json()["features"] == []
    # The service still stands on the date in force.
    assert client.get("/api/situations/timeline").json()["current"] == "2022-03-10"
    too_early = client.get("/api/situations/picture", params={"date": "2021-01-01"})
    assert too_early.status_code == 422 and too_early.json()["field"] == "date"


def test_the_corridor_sheet_shows_its_alerts(client: TestClient) -> None:
    proposal = client.post("/api/proposals", json=KYIV_GOMEL).json()
    line = proposal["route"]["coordinates"]
    [alert] = _post(client, "2022-03-08", hazards=_hazards(
        ("Обстріл", _square(*line[len(line) * 3 // 4]))))["raised"]
    sheet = client.get(f"/sheets/proposals/{proposal['id']}").text
    assert f"Since situation {alert['situation_id']}" in sheet
    assert "Обстріл" in sheet and alert["near"] in sheet


def test_ground_changing_hands_on_a_route_raises_territory_and_rule_alerts(
        client: TestClient) -> None:
    body = {**KYIV_GOMEL, "proposer_id": "UA", "origin": "Poltava", "destination": "Kyiv",
            "waypoints": ["Poltava", "Kyiv"]}
    proposal = client.post("/api/proposals", json=body).json()
    assert all(v["acceptable"] for v in proposal["verdicts"].values())
    line = proposal["route"]["coordinates"]
    taken = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": _square(*line[len(line) // 2], half=0.2),
         "properties": {"holder": "RU-held"}},
        {"type": "Feature", "geometry": _square(*line[-1], half=0.2),
         "properties": {"holder": "RU-held"}}]}
    raised = _post(client, "2022-03-08", control=taken)["raised"]
    by_kind = {a["kind"]: a for a in raised}
    assert by_kind["territory"]["what"] == "RU-held"
    assert 0 < by_kind["territory"]["km_from_origin"] < proposal["route_summary"]["km"]
    # Ukraine's rule wants the destination on ground it holds: the city taken, it fails.
    [rule] = [a for a in raised if a["kind"] == "rule"]
    assert (rule["party_id"], rule["what"]) == ("UA", "destination_in.violated")
    assert "RU-held" in rule["message"] and rule["km_from_origin"] is None


def test_a_retried_snapshot_is_stored_once_and_raises_its_alerts_once(
        client: TestClient, world: SeededStore) -> None:
    proposal = client.post("/api/proposals", json=KYIV_GOMEL).json()
    line = proposal["route"]["coordinates"]
    body = {"effective": "2022-03-08", "source": "тест",
            "hazards": _hazards(("Обстріл траси", _square(*line[len(line) * 3 // 4])))}
    key = {"Idempotency-Key": "snapshot-2022-03-08"}
    first = client.post("/api/situations", json=body, headers=key)
    assert first.status_code == 201, first.text
    assert len(first.json()["raised"]) == 1
    retried = client.post("/api/situations", json=body, headers=key)
    assert (retried.status_code, retried.json()) == (201, first.json())
    assert retried.headers["Idempotent-Replayed"] == "true"
    other = client.post("/api/situations", json={**body, "source": "інше"}, headers=key)
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"
    with world.db.read() as s:
        assert s.scalar(select(func.count()).select_from(SituationSnapshot)) == 1
        assert s.scalar(select(func.count()).select_from(Alert)) == 1
