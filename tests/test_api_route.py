"""``GET /api/route``: the same route and verdicts as ``corridor route --json``, for every role;
and the corridor sheet's route as GPX and KML."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import gpxpy
import pytest
from fastapi.testclient import TestClient
from pyogrio.raw import read as ogr_read

from corridor.api.app import create_app
from corridor.settings import Settings
from tests.conftest import ANDORRA
from tests.dbfixtures import WINDOW

if TYPE_CHECKING:
    from tests.dbfixtures import SeededStore

CALLERS = ("facilitator", "liaison_UA", "operator", "observer")


@pytest.fixture(scope="module")
def client(shared_world: SeededStore) -> Iterator[TestClient]:
    with TestClient(create_app(shared_world.db, Settings(scenario=ANDORRA))) as test_client:
        yield test_client


def test_the_service_answers_what_the_command_line_prints(client: TestClient,
                                                          shared_world: SeededStore) -> None:
    cli = subprocess.run([sys.executable, "-m", "corridor", "route", str(ANDORRA), "--from",
                          "1.5,42.47", "--to", "Canillo", "--via", "Ordino", "--mode", "safest",
                          "--window", "sat-day", "--json"],
                         capture_output=True, text=True, check=False, timeout=600)
    assert cli.returncode == 0, cli.stderr
    answer = client.get("/api/route", headers=shared_world.headers("observer"), params={
        "from": "1.5,42.47", "to": "Canillo", "via": "Ordino", "mode": "safest",
        "window": "sat-day"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == json.loads(cli.stdout)
    assert answer.json()["places"][0]["snap_km"] > 0


@pytest.mark.parametrize("caller", CALLERS)
def test_every_role_may_route_and_alternatives_come_judged(
        client: TestClient, shared_world: SeededStore, caller: str) -> None:
    answer = client.get("/api/route", headers=shared_world.headers(caller), params={
        "from": "Encamp", "to": "Sant Julià de Lòria", "alternatives": 1})
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert set(data["route"]["verdicts"]) == {"HIGH", "LOW", "NORTH", "MED"}
    assert len(data["alternatives"]) == 1
    assert data["alternatives"][0]["line"] != data["route"]["line"]


def test_without_a_token_nothing_is_routed(client: TestClient) -> None:
    assert client.get("/api/route", params={"from": "Encamp", "to": "Ordino"}).status_code == 401


@pytest.mark.parametrize(("params", "field", "says"), [
    ({"from": "Encamp", "to": "Atlantis"}, "to", "Atlantis"),
    ({"from": "Encamp", "to": "Ordino", "via": "Atlantis"}, "via[0]", "Atlantis"),
    ({"from": "2.2,42.47", "to": "Ordino"}, "from", "km from the nearest road"),
    ({"from": "Encamp", "to": "Ordino", "mode": "shortest"}, "query.mode", "fastest"),
    ({"from": "Encamp", "to": "Ordino", "exclude": "nowhere"}, "exclude[0]", "lowland"),
    ({"from": "Encamp", "to": "Ordino", "alternatives": 9}, "query.alternatives", "5"),
    ({"to": "Ordino"}, "query.from", "required"),
])
def test_bad_input_is_a_422_naming_the_field(client: TestClient, shared_world: SeededStore,
                                             params: dict[str, str], field: str,
                                             says: str) -> None:
    answer = client.get("/api/route", headers=shared_world.headers("observer"), params=params)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field and says in answer.json()["detail"]


def test_a_service_without_a_scenario_says_so(shared_world: SeededStore) -> None:
    with TestClient(create_app(shared_world.db)) as bare:
        answer = bare.get("/api/route", headers=shared_world.headers("observer"),
                          params={"from": "Encamp", "to": "Ordino"})
    assert answer.status_code == 409 and "without a scenario" in answer.json()["detail"]


# -- the corridor sheet hands its route over ----------------------------------------------------


@pytest.fixture(scope="module")
def tabled(client: TestClient, shared_world: SeededStore) -> int:
    """A proposal the server routed through Andorra, with a line and verdicts."""
    answer = client.post("/api/proposals", headers={
        **shared_world.headers("facilitator"), "Idempotency-Key": "andorra-sheet-route"}, json={
        "proposer_id": "UA", "origin": "Encamp", "destination": "Sant Julià de Lòria",
        "waypoints": ["Encamp", "Ordino", "Sant Julià de Lòria"], "windows": [WINDOW]})
    assert answer.status_code == 201, answer.text
    proposal_id: int = answer.json()["id"]
    return proposal_id


def test_the_sheet_offers_its_route_as_gpx_and_kml(client: TestClient,
                                                   shared_world: SeededStore, tabled: int,
                                                   tmp_path: Path) -> None:
    headers = shared_world.headers("operator")
    line = client.get(f"/api/proposals/{tabled}", headers=headers).json()["route"]
    answer = client.get(f"/sheets/proposals/{tabled}.gpx", headers=headers)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(
        "application/gpx+xml")
    gpx = gpxpy.parse(answer.text)
    points = [(p.name, p.type) for p in gpx.routes[0].points]
    assert [p for p in points if p[1] != "checkpoint"] == [
        ("Encamp", "origin"), ("Ordino", "via"), ("Sant Julià de Lòria", "destination")]
    assert [[p.longitude, p.latitude] for p in gpx.tracks[0].segments[0].points] == [
        list(c) for c in line["coordinates"]]
    kml = tmp_path / "sheet.kml"
    kml.write_bytes(client.get(f"/sheets/proposals/{tabled}.kml", headers=headers).content)
    meta, _, _, columns = ogr_read(kml, layer="routes")
    assert dict(zip(meta["fields"], columns, strict=True))["status"][0] == "proposed"
    page = client.get(f"/sheets/proposals/{tabled}", headers=headers).text
    embedded = re.search(r'href="data:application/gpx\+xml;base64,([^"]+)" '
                         r'download="corridor-\d+\.gpx"', page)
    assert embedded is not None
    assert gpxpy.parse(base64.b64decode(embedded.group(1)).decode()).tracks[0].segments[
        0].points[0].longitude == line["coordinates"][0][0]


def test_a_proposal_without_a_line_has_no_route_file(client: TestClient,
                                                     shared_world: SeededStore) -> None:
    bare = shared_world.proposal()  # stored with names only, never routed
    answer = client.get(f"/sheets/proposals/{bare}.gpx",
                        headers=shared_world.headers("observer"))
    assert answer.status_code == 409 and "no route" in answer.json()["detail"]
    assert client.get(f"/sheets/proposals/{bare}.txt",
                      headers=shared_world.headers("observer")).status_code == 422
