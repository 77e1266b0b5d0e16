"""Hostile input gets a 4xx with a message on both stores, never a 500, and every answer carries
the security headers: deep JSON, huge cursors and event ids, timestamps at the ends of the
calendar, numbers for timestamps, NUL and other control characters.

The properties run in-process against an SQLite file and a PostgreSQL database alike, so the two
stores must refuse (and accept) the same things.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from corridor.api.app import create_app
from corridor.api.headers import SECURITY_HEADERS
from corridor.store.models import AuditEntry, Proposal

if TYPE_CHECKING:
    from tests.dbfixtures import SeededStore

HOSTILE = settings(max_examples=25, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.function_scoped_fixture])
INCIDENT = {"type": "shelling", "lon": 37.55, "lat": 47.1,
            "occurred_at": "2022-03-06T09:00:00+02:00"}
#: Lists paged by an integer id (parties are paged by their code).
LISTS = ["/api/incidents", "/api/proposals", "/api/audit",
         "/api/agreements", "/api/corridors", "/api/notifications", "/api/talks"]
#: C0 controls other than tab, line feed and carriage return: illegal in XML, NUL in PostgreSQL.
CONTROL = st.characters(min_codepoint=0, max_codepoint=0x1F, exclude_characters="\t\n\r")


@pytest.fixture
def client(world: SeededStore) -> Iterator[TestClient]:
    with TestClient(create_app(world.db), raise_server_exceptions=False) as test_client:
        test_client.headers.update(world.headers("facilitator"))
        yield test_client


def _audit_size(world: SeededStore) -> int:
    with world.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def _refused(response: Any, status: int, field: str | None = None) -> str:
    """The answer is a located 4xx with the security headers; returns its message."""
    assert response.status_code == status, response.text
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    body = response.json()
    assert body["detail"]
    if field is not None:
        assert body["field"] == field, body
    detail: str = body["detail"]
    return detail


def _cursor(value: int) -> str:
    return base64.urlsafe_b64encode(str(value).encode()).decode()


@HOSTILE
# At most 100,000 levels: an object that deep ({"a": per level) stays under the body size limit.
@given(depth=st.integers(min_value=33, max_value=100_000), opener=st.sampled_from("[{"))
def test_deeply_nested_json_is_400(client: TestClient, world: SeededStore, depth: int,
                                   opener: str) -> None:
    inner = '"a":' if opener == "{" else ""
    closer = "}" if opener == "{" else "]"
    text = (opener + inner) * (depth - 1) + opener + closer * depth
    before = _audit_size(world)
    response = client.post("/api/incidents", content=text,
                           headers={"Content-Type": "application/json"})
    assert "nested deeper than 32 levels" in _refused(response, 400)
    assert _audit_size(world) == before


def test_deep_json_inside_a_field_is_refused_at_that_field(client: TestClient) -> None:
    """Within the size limit, nesting under the limit in text but too deep for a field."""
    reasons = [[[[[[[[[[[]]]]]]]]]]]
    response = client.post("/api/proposals", json={
        "proposer_id": "RU", "origin": "a", "destination": "b", "waypoints": ["a", "b"],
        "windows": [{"start": "2022-03-08T10:00:00+03:00", "tz": "Europe/Kyiv"}],
        "verdicts": {"RU": {"acceptable": True, "reasons": reasons}}})
    _refused(response, 422)


@HOSTILE
@given(value=st.integers(min_value=2**31, max_value=2**80)
       | st.integers(min_value=-(2**80), max_value=-1),
       path=st.sampled_from(LISTS))
def test_cursors_beyond_the_id_range_are_422(client: TestClient, value: int, path: str) -> None:
    response = client.get(path, params={"cursor": _cursor(value)})
    assert _refused(response, 422, "cursor") == "not a cursor returned by this API"


@HOSTILE
@given(seq=st.integers(min_value=2**31, max_value=2**80) | st.integers(max_value=-1))
def test_last_event_ids_beyond_the_range_are_422_before_the_stream(client: TestClient,
                                                                   seq: int) -> None:
    response = client.get("/api/events", params={"follow": "false"},
                          headers={"Last-Event-ID": str(seq)[:20]})
    _refused(response, 422, "Last-Event-ID")


@HOSTILE
@given(moment=st.datetimes(max_value=dt.datetime(1899, 12, 31, 23, 59))
       | st.datetimes(min_value=dt.datetime(2200, 1, 1)),
       offset=st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_timestamps_at_the_ends_of_the_calendar_are_422(client: TestClient, world: SeededStore,
                                                        moment: dt.datetime,
                                                        offset: int) -> None:
    zoned = moment.replace(tzinfo=dt.timezone(dt.timedelta(minutes=offset)))
    before = _audit_size(world)
    response = client.post("/api/incidents", json={**INCIDENT, "occurred_at": zoned.isoformat()})
    assert "out of range" in _refused(response, 422, "occurred_at")
    assert _audit_size(world) == before


@pytest.mark.parametrize("number", [12345, 1646726400.5, 0])
def test_numbers_are_not_timestamps(client: TestClient, number: float) -> None:
    response = client.post("/api/incidents", json={**INCIDENT, "occurred_at": number})
    assert "not a number" in _refused(response, 422, "occurred_at")


@HOSTILE
@given(prefix=st.text(max_size=5), control=CONTROL, suffix=st.text(max_size=5),
       field=st.sampled_from(["type", "description"]))
def test_control_characters_are_refused_alike_on_every_store(
    client: TestClient, world: SeededStore, prefix: str, control: str, suffix: str, field: str
) -> None:
    before = _audit_size(world)
    response = client.post("/api/incidents",
                           json={**INCIDENT, field: f"{prefix}x{control}{suffix}"})
    assert "control character" in _refused(response, 422, field)
    assert _audit_size(world) == before


@HOSTILE
@given(text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"])
                    | st.sampled_from("\t\n\r"), min_size=1, max_size=40))
def test_any_other_text_is_stored_and_read_back_unchanged(client: TestClient,
                                                          text: str) -> None:
    if "\ufffe" in text or "\uffff" in text:
        return
    created = client.post("/api/incidents", json={**INCIDENT, "description": text})
    assert created.status_code == 201, created.text
    assert client.get(f"/api/incidents/{created.json()['id']}").json()["description"] == text


@HOSTILE
@given(party=st.text(min_size=1, max_size=20))
def test_any_party_path_is_a_4xx(client: TestClient, party: str) -> None:
    response = client.get(f"/api/parties/{quote(party, safe='')}")
    assert response.status_code in (404, 422), response.text


def test_a_window_stored_beyond_its_zones_calendar_still_prints(client: TestClient,
                                                               world: SeededStore) -> None:
    """Stored before timestamps were bounded: the sheet shows it as written."""
    proposal_id = world.proposal()
    window = {"start": "9999-12-31T23:00:00+00:00", "tz": "Pacific/Kiritimati"}
    with world.db.write() as s:
        s.execute(update(Proposal).where(Proposal.id == proposal_id).values(windows=[window]))
    sheet = client.get(f"/sheets/proposals/{proposal_id}")
    assert sheet.status_code == 200, sheet.text
    assert "9999-12-31T23:00:00+00:00 open-ended (as written)" in sheet.text
    assert client.get(f"/api/proposals/{proposal_id}").status_code == 200


def test_an_unexpected_failure_is_a_json_500_with_the_security_headers(world: SeededStore) -> None:
    app = create_app(world.db)

    @app.get("/api/fails")
    def fails() -> None:
        raise RuntimeError("a defect")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get("/api/fails")
    assert response.status_code == 500
    assert response.json()["detail"] == "internal error; the request was not completed"
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
