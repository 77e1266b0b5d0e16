"""Snapshots, alerts and their acknowledgements in the store, on both backends."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import delete, select, update

from corridor.errors import ConflictError, NotFoundError, StoreError
from corridor.store import audit
from corridor.store.audit_state import verify_state
from corridor.store.models import Alert, AlertAcknowledgement, AuditEntry
from corridor.store.situation_schemas import AlertAcknowledgementIn, SituationIn
from corridor.store.situations import (
    Finding,
    acknowledge_alert,
    active_alerts,
    record_situation,
    settle,
)

if TYPE_CHECKING:
    from tests.dbfixtures import SeededStore

SQUARE = {"type": "Polygon", "coordinates": [[[36.0, 47.0], [36.2, 47.0], [36.2, 47.2],
                                              [36.0, 47.2], [36.0, 47.0]]]}
SHELLING = Finding("hazard", "Обстріл Оріхова|high", "Обстріл Оріхова",
                   "corridor 1 enters hazard zone 'Обстріл Оріхова' (high risk) at km 142.3",
                   km=142.31, near="Оріхів", lonlat=(35.78, 47.57))
FRONT = Finding("front_line", "front line", "front line", "corridor 1 crosses the front line")


def _snapshot(**layers: Any) -> SituationIn:
    return SituationIn.model_validate({"effective": "2022-03-09", "source": "ISW, 9 March",
                                       **layers})


def _hazard(name: str = "Обстріл", risk: str = "high") -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": SQUARE, "properties": {"name": name, "risk": risk}}]}


def test_a_snapshot_is_stored_with_its_author_and_audited_whole(world: SeededStore) -> None:
    with world.db.write() as s:
        snap = record_situation(s, "maria", _snapshot(hazards=_hazard()))
        snap_id = snap.id
    with world.db.read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "situation.created")).one()
        assert entry.actor == "maria" and entry.entity_id == str(snap_id)
        assert entry.payload["payload"]["hazards"]["features"][0]["properties"]["name"] == "Обстріл"
        assert entry.payload["effective"] == "2022-03-09"
        assert audit.verify_chain(s).ok


@pytest.mark.parametrize(("layers", "field"), [
    ({}, "control"),
    ({"hazards": _hazard(risk="extreme")}, "hazards.features.0.properties.risk"),
    ({"hazards": {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[36, 47], [36.1, 47],
                                                                              [36, 47]]]},
         "properties": {"name": "x", "risk": "low"}}]}},
     "hazards.features.0.geometry.coordinates[0]"),
    ({"control": {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": SQUARE, "properties": {}}]}},
     "control.features.0.properties.holder"),
    ({"closures": {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [200, 47]},
         "properties": {"name": "bridge"}}]}}, "closures.features.0.geometry.coordinates"),
])
def test_a_malformed_snapshot_names_the_field(layers: dict[str, Any], field: str) -> None:
    with pytest.raises(StoreError) as caught:
        _snapshot(**layers)
    assert caught.value.field == field


def test_too_many_positions_are_refused() -> None:
    ring = [[36.0 + i * 1e-5, 47.0] for i in range(110_000)] + [[36.0, 47.1], [36.0, 47.0]]
    big = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
         "properties": {"holder": "RU"}}] * 2}
    with pytest.raises(StoreError, match="at most 200000"):
        _snapshot(control=big)


def test_settle_raises_only_what_came_and_clears_what_went(world: SeededStore) -> None:
    corridor = world.corridor("open")
    subject = ("corridor", corridor)
    with world.db.write() as s:
        first = record_situation(s, "maria", _snapshot(hazards=_hazard())).id
        raised, cleared = settle(s, "monitor", first, subject, [FRONT], [FRONT, SHELLING], {})
        assert [a.kind for a in raised] == ["hazard"] and cleared == []
    with world.db.write() as s:
        again = record_situation(s, "maria", _snapshot(hazards=_hazard())).id
        active = active_alerts(s)[subject]
        # The same conditions under the next snapshot: nothing new, nothing cleared.
        assert settle(s, "monitor", again, subject, [FRONT, SHELLING], [FRONT, SHELLING],
                      active) == ([], [])
    with world.db.write() as s:
        third = record_situation(s, "maria", _snapshot(hazards=_hazard("elsewhere"))).id
        raised, cleared = settle(s, "monitor", third, subject, [FRONT, SHELLING], [FRONT],
                                 active_alerts(s)[subject])
        assert raised == [] and [a.cleared_situation_id for a in cleared] == [third]
    with world.db.read() as s:
        alert = s.scalars(select(Alert)).one()
        assert (alert.situation_id, alert.km_from_origin, alert.near) == (first, 142.3, "Оріхів")
        actions = [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
        assert actions.count("alert.created") == 1 and actions.count("alert.cleared") == 1
        assert verify_state(s).ok and audit.verify_chain(s).ok
        assert active_alerts(s) == {}


def _one_alert(world: SeededStore) -> int:
    corridor = world.corridor("open")
    with world.db.write() as s:
        snap = record_situation(s, "maria", _snapshot(hazards=_hazard())).id
        raised, _ = settle(s, "monitor", snap, ("corridor", corridor), [], [SHELLING], {})
        return raised[0].id


def test_each_party_acknowledges_an_alert_once(world: SeededStore) -> None:
    alert_id = _one_alert(world)
    with world.db.write() as s:
        acknowledge_alert(s, "liaison_UA", alert_id,
                          AlertAcknowledgementIn(party_id="UA", note="бачили"))
    with pytest.raises(ConflictError, match="already acknowledged"), world.db.write() as s:
        acknowledge_alert(s, "liaison_UA", alert_id, AlertAcknowledgementIn(party_id="UA"))
    with pytest.raises(NotFoundError, match="party XX"), world.db.write() as s:
        acknowledge_alert(s, "facilitator", alert_id, AlertAcknowledgementIn(party_id="XX"))
    with pytest.raises(NotFoundError, match="alert 999"), world.db.write() as s:
        acknowledge_alert(s, "facilitator", 999, AlertAcknowledgementIn(party_id="RU"))
    with world.db.read() as s:
        alert = s.get(Alert, alert_id)
        assert alert is not None
        assert [(a.party_id, a.note) for a in alert.acknowledgements] == [("UA", "бачили")]
        entry = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "alert_acknowledgement.created")).one()
        assert (entry.entity, entry.entity_id) == ("alert", str(alert_id))


def test_an_alert_changed_behind_the_service_s_back_fails_the_state_check(
        world: SeededStore) -> None:
    alert_id = _one_alert(world)
    with world.db.write() as s:
        acknowledge_alert(s, "liaison_UA", alert_id, AlertAcknowledgementIn(party_id="UA"))
    with world.db.read() as s:
        assert verify_state(s).ok
    with world.db.write() as s:
        s.execute(update(Alert).values(cleared_situation_id=None, subject="proposal"))
        s.execute(delete(AlertAcknowledgement))
        alert = s.get(Alert, alert_id)
        assert alert is not None
        alert.cleared_situation_id = alert.situation_id  # quietly marked as over
    with world.db.read() as s:
        found = {(d.table, d.key) for d in verify_state(s).differences}
    assert found == {("alerts", str(alert_id)), ("alert_acknowledgements", f"{alert_id}/UA")}
