"""Movements, incidents and convoy positions are checked against what was agreed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from pydantic import ValidationError
from sqlalchemy import func, select

from corridor.errors import ScenarioError, StoreError
from corridor.scenario import load_scenario
from corridor.store import coordination
from corridor.store.coordination import LeadTimes
from corridor.store.models import AuditEntry
from corridor.store.schemas import (
    AgreementIn,
    ConvoyReportIn,
    CorridorIn,
    IncidentIn,
    NotificationIn,
    SignatureIn,
    StatusChangeIn,
    WindowIn,
)
from tests.conftest import SCENARIO_DIR
from tests.dbfixtures import LINE

if TYPE_CHECKING:
    from tests.dbfixtures import SeededStore

KYIV = ZoneInfo("Europe/Kyiv")
#: A line near Kyiv, some 600 km from the Mariupol - Zaporizhzhia corridor.
ELSEWHERE = {"type": "LineString", "coordinates": [[30.52, 50.45], [30.2, 50.6]]}


def _daylight_corridor(world: SeededStore, days: int = 6) -> int:
    """An open corridor agreed for 09:00-21:00 Kyiv time on each of the coming days."""
    today = dt.datetime.now(KYIV).date()
    windows = [{"start": dt.datetime.combine(today + dt.timedelta(days=d), dt.time(9),
                                             KYIV).isoformat(),
                "end": dt.datetime.combine(today + dt.timedelta(days=d), dt.time(21),
                                           KYIV).isoformat(), "tz": "Europe/Kyiv"}
               for d in range(days)]
    with world.db.write() as s:
        agreement = coordination.create_agreement(s, "test", AgreementIn.model_validate({
            "corridor": {"origin": "Mariupol", "destination": "Zaporizhzhia", "route": LINE,
                         "waypoints": ["Mariupol", "Polohy", "Zaporizhzhia"]},
            "windows": windows, "parties": ["UA", "RU"]}))
        for party in ("UA", "RU"):
            coordination.add_signature(s, "test", agreement.id, SignatureIn(
                party_id=party, signature=world.keys[party].sign(agreement.document, party)))
        corridor = coordination.create_corridor(s, "test", CorridorIn.model_validate({
            "name": "Mariupol - Zaporizhzhia", "origin": "Mariupol",
            "destination": "Zaporizhzhia", "route": LINE,
            "waypoints": ["Mariupol", "Polohy", "Zaporizhzhia"], "agreement_id": agreement.id}))
        for status in ("agreed", "open"):
            coordination.change_status(s, "test", corridor.id, StatusChangeIn(status=status))
        return corridor.id


def _movement(corridor_id: int, start_hour: int, hours: int, **fields: Any) -> NotificationIn:
    day = dt.datetime.now(KYIV).date() + dt.timedelta(days=3)
    start = dt.datetime.combine(day, dt.time(start_hour), KYIV)
    return NotificationIn.model_validate({
        "corridor_id": corridor_id, "movers": "ICRC convoy", "people": 400,
        "vehicles": [{"kind": "bus", "count": 8}], "start_at": start.isoformat(),
        "end_at": (start + dt.timedelta(hours=hours)).isoformat(), **fields})


def _audit(world: SeededStore) -> int:
    with world.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def _notify(world: SeededStore, body: NotificationIn) -> int:
    with world.db.write() as s:
        return coordination.notify_movement(s, "test", body, lead_times=LeadTimes()).id


def _refused(world: SeededStore, write: Any) -> StoreError:
    before = _audit(world)
    with pytest.raises(StoreError) as caught:
        write()
    assert _audit(world) == before
    return caught.value


def test_a_night_movement_of_99999_people_on_one_bus_is_refused_with_reasons(
        world: SeededStore) -> None:
    corridor = _daylight_corridor(world)
    night = _movement(corridor, 22, 6, people=99_999, vehicles=[{"kind": "bus", "count": 1}])
    error = _refused(world, lambda: _notify(world, night))
    assert error.field == "start_at"
    assert "lies outside every agreed window" in error.message
    assert "09:00-21:00 Europe/Kyiv" in error.message
    assert "people: 99,999 people do not fit in 1 bus (60 places)" in error.message


def test_the_same_people_by_day_in_enough_buses_are_accepted(world: SeededStore) -> None:
    corridor = _daylight_corridor(world)
    assert _notify(world, _movement(corridor, 10, 8, people=1_200,
                                    vehicles=[{"kind": "Bus", "count": 20}]))


@pytest.mark.parametrize(("vehicles", "accepted"), [
    ([{"kind": "tractor", "count": 2}], False),
    ([{"kind": "tractor", "count": 2, "seats": 250}], True),
    ([{"kind": "tractor", "count": 1, "seats": 250}], False),
])
def test_an_unknown_vehicle_kind_must_say_how_many_it_carries(
        world: SeededStore, vehicles: list[dict[str, Any]], accepted: bool) -> None:
    corridor = _daylight_corridor(world)
    body = _movement(corridor, 10, 4, vehicles=vehicles)
    if accepted:
        assert _notify(world, body)
        return
    error = _refused(world, lambda: _notify(world, body))
    assert error.field == ("vehicles.0.seats" if "seats" not in vehicles[0] else "people")


def test_a_movement_off_the_agreed_route_is_refused(world: SeededStore) -> None:
    corridor = _daylight_corridor(world)
    off = _movement(corridor, 10, 4, route=ELSEWHERE)
    error = _refused(world, lambda: _notify(world, off))
    assert error.field == "route" and "stray from the agreed route" in error.message
    detour = _movement(corridor, 10, 4, waypoints=["Mariupol", "Berdiansk", "Zaporizhzhia"])
    error = _refused(world, lambda: _notify(world, detour))
    assert error.field == "waypoints.1" and "'Berdiansk' is not on the agreed route" in str(error)
    assert _notify(world, _movement(corridor, 10, 4, route={
        "type": "LineString", "coordinates": [[37.5, 47.12], [35.2, 47.82]]}))


def _incident(world: SeededStore, corridor_id: int | None, lon: float, lat: float,
              at: dt.datetime) -> int:
    with world.db.write() as s:
        return coordination.report_incident(s, "test", IncidentIn.model_validate({
            "corridor_id": corridor_id, "type": "shelling", "lon": lon, "lat": lat,
            "occurred_at": at.isoformat()})).id


def test_incidents_far_off_the_corridor_or_in_the_future_are_refused(
        world: SeededStore) -> None:
    corridor = world.corridor("open")
    now = dt.datetime.now(KYIV)
    swapped = _refused(world, lambda: _incident(world, corridor, 47.3, 36.5, now))
    assert swapped.field == "lon" and "latitude and longitude look swapped" in swapped.message
    far = _refused(world, lambda: _incident(world, corridor, 30.5, 50.4, now))
    assert "km from the route of corridor" in far.message and "swapped" not in far.message
    later = _refused(world, lambda: _incident(world, None, 36.5, 47.3,
                                              now + dt.timedelta(days=400)))
    assert later.field == "occurred_at" and "is in the future" in later.message
    assert _incident(world, corridor, 36.5, 47.3, now - dt.timedelta(hours=1))


def test_convoy_positions_far_off_the_route_or_in_the_future_are_refused(
        world: SeededStore) -> None:
    notification = world.notification()

    def report(lon: float, lat: float, at: dt.datetime) -> int:
        body = ConvoyReportIn.model_validate({"status": "en_route", "lon": lon, "lat": lat,
                                              "reported_at": at.isoformat()})
        with world.db.write() as s:
            return coordination.report_convoy(s, "test", notification, body).id

    now = dt.datetime.now(dt.UTC)
    assert _refused(world, lambda: report(2.35, 48.86, now)).field == "lon"
    assert _refused(world, lambda: report(36.2, 47.5, now + dt.timedelta(hours=5))).field \
        == "reported_at"
    assert report(36.2, 47.5, now)


@pytest.mark.parametrize(("start", "accepted"), [
    ("2022-03-08T10:00:00+03:00", True),
    ("2022-03-08T10:00:00+02:00", False),  # Kyiv's offset, not Moscow's
    ("2022-07-08T10:00:00+04:00", False),  # a summer offset Moscow no longer has
])
def test_an_offset_the_named_zone_did_not_have_is_refused(start: str, accepted: bool) -> None:
    window = {"start": start, "tz": "Europe/Moscow"}
    if accepted:
        assert WindowIn.model_validate(window).start.utcoffset() == dt.timedelta(hours=3)
        return
    with pytest.raises(ValidationError, match="but Europe/Moscow was at \\+03:00 then"):
        WindowIn.model_validate(window)


def test_a_scenario_window_whose_offset_disagrees_with_its_zone_is_refused(
        tmp_path: Path) -> None:
    source = SCENARIO_DIR / "ukraine-2022-03-07.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["windows"][0]["start"] = "2022-03-08T09:00:00+03:00"  # Moscow's offset, Kyiv's zone
    edited = SCENARIO_DIR / f".test-{tmp_path.name}.yaml"
    edited.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        with pytest.raises(ScenarioError, match="but Europe/Kyiv was at \\+02:00 then") as caught:
            load_scenario(edited)
        assert caught.value.field is not None and caught.value.field.startswith("windows[0]")
    finally:
        edited.unlink()
