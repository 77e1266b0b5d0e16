"""/api/map can be asked for one area and time span: incidents, convoys' positions and
corridors outside them are left out, on both stores, and a malformed box is a located 422."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from corridor.api.app import create_app
from corridor.store import coordination
from corridor.store.schemas import ConvoyReportIn, IncidentIn

if TYPE_CHECKING:
    from tests.dbfixtures import SeededStore

MARIUPOL_AREA = "37.0,46.8,38.0,47.5"
#: (lon, lat, when): two near Mariupol on different days, one far away in Kyiv.
INCIDENTS = [(37.55, 47.10, "2022-03-05T09:00:00+02:00"),
             (37.60, 47.05, "2022-03-09T09:00:00+02:00"),
             (30.52, 50.45, "2022-03-05T10:00:00+02:00")]


@pytest.fixture
def client(world: SeededStore) -> Iterator[TestClient]:
    with world.db.write() as s:
        for i, (lon, lat, when) in enumerate(INCIDENTS):
            coordination.report_incident(s, "t", IncidentIn.model_validate({
                "type": "shelling", "lon": lon, "lat": lat, "occurred_at": when,
                "description": f"incident {i}"}))
    convoy = world.notification()  # on the Mariupol - Zaporizhzhia corridor
    with world.db.write() as s:
        for lon, lat, when in ((37.5, 47.1, "2022-03-08T10:00:00+02:00"),
                               (35.2, 47.8, "2022-03-08T16:00:00+02:00")):
            coordination.report_convoy(s, "t", convoy, ConvoyReportIn.model_validate({
                "status": "en_route", "lon": lon, "lat": lat, "reported_at": when}))
    with TestClient(create_app(world.db)) as test_client:
        test_client.headers.update(world.headers("observer"))
        yield test_client


def _map(client: TestClient, **params: str) -> dict[str, Any]:
    response = client.get("/api/map", params=params)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def _incidents(data: dict[str, Any]) -> list[str]:
    return sorted(f["properties"]["description"] for f in data["incidents"]["features"])


def test_without_a_filter_everything_is_sent(client: TestClient) -> None:
    data = _map(client)
    assert _incidents(data) == ["incident 0", "incident 1", "incident 2"]
    assert len(data["convoys"]["features"]) == 1


def test_the_box_keeps_what_lies_in_it(client: TestClient) -> None:
    inside = _map(client, bbox=MARIUPOL_AREA)
    assert _incidents(inside) == ["incident 0", "incident 1"]
    # The convoy's latest position is near Zaporizhzhia, outside the box.
    assert inside["convoys"]["features"] == []
    # The corridor's line only starts in this box, and is kept whole.
    everything = _map(client)["corridors"]["features"]
    assert everything and inside["corridors"]["features"] == everything
    kyiv = _map(client, bbox="30.0,50.0,31.0,51.0")
    assert _incidents(kyiv) == ["incident 2"]
    assert kyiv["corridors"]["features"] == []


def test_the_time_span_keeps_what_happened_in_it(client: TestClient) -> None:
    early = _map(client, until="2022-03-08T12:00:00+02:00")
    assert _incidents(early) == ["incident 0", "incident 2"]
    # Where the convoy was at that time, not where it is now.
    [convoy] = early["convoys"]["features"]
    assert convoy["geometry"]["coordinates"] == [37.5, 47.1]
    late = _map(client, since="2022-03-06T00:00:00+02:00", bbox=MARIUPOL_AREA)
    assert _incidents(late) == ["incident 1"]


@pytest.mark.parametrize(("params", "field"), [
    ({"bbox": "37,46,38"}, "bbox"),
    ({"bbox": "38,46,37,47"}, "bbox"),
    ({"bbox": "37,46,38,x"}, "bbox"),
    ({"bbox": "37,-91,38,47"}, "bbox"),
    ({"since": "2022-03-09T00:00:00Z", "until": "2022-03-08T00:00:00Z"}, "until"),
    ({"since": "9999-12-31T23:00:00Z"}, "since"),
])
def test_a_malformed_filter_is_422_naming_it(client: TestClient, params: dict[str, str],
                                            field: str) -> None:
    response = client.get("/api/map", params=params)
    assert response.status_code == 422
    assert response.json()["field"].endswith(field)
