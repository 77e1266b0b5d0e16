"""The store's rules on both backends: CRUD, corridor life cycle, lead times, signatures."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pydantic import ValidationError
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from corridor.errors import ConflictError, NotFoundError, StoreError
from corridor.store import coordination, queries
from corridor.store.coordination import TRANSITIONS, LeadTimes
from corridor.store.db import Database
from corridor.store.models import (
    Agreement,
    Base,
    Corridor,
    Incident,
    Notification,
    Party,
    Proposal,
    Signature,
    User,
)
from corridor.store.schemas import (
    AcknowledgementIn,
    ConvoyReportIn,
    CorridorIn,
    IncidentIn,
    PartyIn,
    PositionIn,
    SignatureIn,
    StatusChangeIn,
    TalksIn,
)

if TYPE_CHECKING:
    from tests.dbfixtures import SeededStore

STATUSES = tuple(TRANSITIONS)


def test_migrations_create_exactly_the_mapped_schema(database: Database) -> None:
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_party_and_user_roundtrip_with_hashed_token(database: Database) -> None:
    with database.write() as s:
        coordination.create_party(s, "t", PartyIn(id="UA", name="Ukraine"))
        _, token = coordination.create_user(s, "t", "olena", "liaison", "UA")
    with database.read() as s:
        assert s.get(Party, "UA") is not None
        stored = s.scalars(select(User).where(User.name == "olena")).one()
    assert stored.party_id == "UA" and stored.role == "liaison"
    assert stored.token_hash == coordination.hash_token(token) and token not in stored.token_hash


def test_duplicate_party_and_unbound_liaison_are_refused(database: Database) -> None:
    with database.write() as s:
        coordination.create_party(s, "t", PartyIn(id="UA", name="Ukraine"))
    with pytest.raises(ConflictError, match="party UA already exists"), database.write() as s:
        coordination.create_party(s, "t", PartyIn(id="UA", name="Ukraine again"))
    with pytest.raises(StoreError, match="liaison must be bound"), database.write() as s:
        coordination.create_user(s, "t", "nobody", "liaison")
    with pytest.raises(NotFoundError, match="party XX does not exist"), database.write() as s:
        coordination.create_user(s, "t", "ghost", "liaison", "XX")


def test_talks_round_keeps_delegations_and_rejects_unknown_party(world: SeededStore) -> None:
    body = TalksIn.model_validate({
        "number": 3, "date": "2022-03-07", "venue": "Belovezhskaya Pushcha, Brest region",
        "delegations": [{"party_id": "UA", "members": [
            {"name": "Davyd Arakhamia", "title": "Head of faction", "head": True}]}]})
    with world.db.write() as s:
        talks = coordination.create_talks(s, "t", body)
    assert [(m.party_id, m.name, m.head) for m in talks.members] == [
        ("UA", "Davyd Arakhamia", True)]
    bad = body.model_copy(update={"number": 4, "delegations": [
        body.delegations[0].model_copy(update={"party_id": "XX"})]})
    with pytest.raises(NotFoundError) as err, world.db.write() as s:
        coordination.create_talks(s, "t", bad)
    assert err.value.field == "delegations.0.party_id"


def test_positions_accumulate_per_proposal(world: SeededStore) -> None:
    proposal_id = world.proposal()
    with world.db.write() as s:
        coordination.add_position(s, "t", proposal_id, PositionIn(
            party_id="UA", stance="reject", reasons=["destination in Belarus"]))
        counter = coordination.add_position(s, "t", proposal_id, PositionIn.model_validate({
            "party_id": "UA", "stance": "counter", "counter": {
                "waypoints": ["Kyiv", "Zhytomyr"], "windows": []}}))
    assert counter.counter is not None and counter.counter["waypoints"] == ["Kyiv", "Zhytomyr"]
    with pytest.raises(ValidationError, match="counter route"):
        PositionIn(party_id="UA", stance="counter")


@pytest.mark.parametrize("current", STATUSES)
def test_corridor_transitions_follow_the_life_cycle(world: SeededStore, current: str) -> None:
    for target in STATUSES:
        corridor_id = world.corridor(current)
        change = StatusChangeIn.model_validate({"status": target})
        if target in TRANSITIONS[current]:
            with world.db.write() as s:
                assert coordination.change_status(s, "t", corridor_id, change).status == target
            continue
        with pytest.raises(ConflictError) as err, world.db.write() as s:
            coordination.change_status(s, "t", corridor_id, change)
        assert err.value.allowed == list(TRANSITIONS[current])
        with world.db.read() as s:
            assert queries.get(s, Corridor, corridor_id).status == current


def test_corridor_cannot_be_agreed_before_every_party_signed(world: SeededStore) -> None:
    agreement_id = world.agreement(signed_by=("UA",))
    with world.db.write() as s:
        corridor = coordination.create_corridor(s, "t", CorridorIn.model_validate({
            "name": "c", "origin": "a", "destination": "b", "waypoints": ["a", "b"],
            "agreement_id": agreement_id}))
    with pytest.raises(ConflictError, match="missing: RU"), world.db.write() as s:
        coordination.change_status(s, "t", corridor.id, StatusChangeIn(status="agreed"))


@pytest.mark.parametrize(("hours", "emergency", "accepted"), [
    (49, False, True), (47, False, False), (25, True, True), (23, True, False)])
def test_movement_lead_time(world: SeededStore, hours: float, emergency: bool,
                            accepted: bool) -> None:
    corridor_id = world.corridor("open")
    body = world.movement(corridor_id, hours_ahead=hours, emergency=emergency)
    if accepted:
        with world.db.write() as s:
            coordination.notify_movement(s, "t", body, lead_times=LeadTimes())
        return
    required = "24 h" if emergency else "48 h"
    with pytest.raises(StoreError, match=f"at least {required} before") as err, \
            world.db.write() as s:
        coordination.notify_movement(s, "t", body, lead_times=LeadTimes())
    assert err.value.field == "start_at"
    with world.db.read() as s:
        assert s.scalars(select(Notification)).first() is None


def test_lead_time_is_configurable(world: SeededStore) -> None:
    corridor_id = world.corridor("open")
    short = LeadTimes(normal=dt.timedelta(hours=2), emergency=dt.timedelta(hours=1))
    with world.db.write() as s:
        coordination.notify_movement(s, "t", world.movement(corridor_id, hours_ahead=3),
                                     lead_times=short)
    with pytest.raises(StoreError, match="at least 2 h"), world.db.write() as s:
        coordination.notify_movement(s, "t", world.movement(corridor_id, hours_ahead=1),
                                     lead_times=short)


def test_notification_keeps_zone_aware_times_and_inherits_the_route(world: SeededStore) -> None:
    notification_id = world.notification()
    with world.db.read() as s:
        notification = queries.get(s, Notification, notification_id)
    assert notification.start_at.tzinfo is not None
    assert notification.route is not None and notification.route["type"] == "LineString"


def test_naive_timestamps_are_refused_by_the_store(world: SeededStore) -> None:
    corridor_id = world.corridor("open")
    with pytest.raises(StatementError, match="naive datetime"), world.db.write() as s:
        s.add(Notification(corridor_id=corridor_id, movers="x", people=1, vehicles=[],
                           start_at=dt.datetime(2030, 1, 1), end_at=dt.datetime(2030, 1, 2),
                           created_by="t"))
        s.flush()


def test_movement_on_a_closed_corridor_is_a_conflict(world: SeededStore) -> None:
    corridor_id = world.corridor("closed")
    with pytest.raises(ConflictError, match="agreed or open"), world.db.write() as s:
        coordination.notify_movement(s, "t", world.movement(corridor_id), lead_times=LeadTimes())


def test_each_party_answers_a_notification_once(world: SeededStore) -> None:
    notification_id = world.notification()
    with world.db.write() as s:
        coordination.acknowledge(s, "t", notification_id, AcknowledgementIn(
            party_id="RU", decision="deny", reason="shelling expected on the route"))
    with pytest.raises(ConflictError, match="already answered"), world.db.write() as s:
        coordination.acknowledge(s, "t", notification_id,
                                 AcknowledgementIn(party_id="RU", decision="acknowledge"))
    with world.db.read() as s:
        answers = queries.get(s, Notification, notification_id).acknowledgements
    assert [(a.party_id, a.decision) for a in answers] == [("RU", "deny")]


def _incident(corridor_id: int, *, suspend: bool) -> IncidentIn:
    return IncidentIn.model_validate({
        "corridor_id": corridor_id, "type": "shelling", "lon": 37.55, "lat": 47.1,
        "occurred_at": "2022-03-05T11:30:00+02:00", "suspend": suspend})


def test_incident_suspends_an_open_corridor(world: SeededStore) -> None:
    corridor_id = world.corridor("open")
    with world.db.write() as s:
        incident = coordination.report_incident(s, "t", _incident(corridor_id, suspend=True))
    with world.db.read() as s:
        assert queries.get(s, Corridor, corridor_id).status == "suspended"
    assert incident.suspended_corridor


def test_incident_cannot_suspend_a_corridor_that_is_not_open(world: SeededStore) -> None:
    corridor_id = world.corridor("agreed")
    with pytest.raises(ConflictError, match="only an open corridor"), world.db.write() as s:
        coordination.report_incident(s, "t", _incident(corridor_id, suspend=True))
    with world.db.read() as s:
        assert s.scalars(select(Incident)).first() is None


def test_convoy_reports_attach_to_a_notified_movement(world: SeededStore) -> None:
    notification_id = world.notification()
    report = ConvoyReportIn.model_validate({
        "status": "en_route", "lon": 35.9, "lat": 47.6,
        "reported_at": "2022-03-08T12:00:00+02:00", "people": 380})
    with world.db.write() as s:
        stored = coordination.report_convoy(s, "t", notification_id, report)
    assert stored.reported_at == dt.datetime(2022, 3, 8, 10, tzinfo=dt.UTC)
    with pytest.raises(NotFoundError, match="notification 999"), world.db.write() as s:
        coordination.report_convoy(s, "t", 999, report)


def test_signed_agreement_verifies(world: SeededStore) -> None:
    agreement_id = world.agreement(signed_by=("UA", "RU"))
    with world.db.read() as s:
        check = coordination.verify(s, agreement_id)
    assert check.valid and check.missing == []
    assert {c.party_id for c in check.signatures} == {"UA", "RU"}


def test_partly_signed_agreement_does_not_verify(world: SeededStore) -> None:
    agreement_id = world.agreement(signed_by=("UA",))
    with world.db.read() as s:
        check = coordination.verify(s, agreement_id)
    assert not check.valid and check.missing == ["RU"]


def test_tampered_agreement_fails_verification(world: SeededStore) -> None:
    agreement_id = world.agreement(signed_by=("UA", "RU"))
    with world.db.write() as s:
        agreement = queries.get(s, Agreement, agreement_id)
        agreement.document = {**agreement.document, "conditions": ["military escort allowed"]}
    with world.db.read() as s:
        check = coordination.verify(s, agreement_id)
    assert not check.valid
    assert [c.valid for c in check.signatures] == [False, False]


@pytest.mark.parametrize(("party", "signer", "error", "message"), [
    ("UA", "RU", StoreError, "does not verify against party UA"),
    ("ICRC", "UA", StoreError, "not a party to agreement"),
])
def test_bad_signatures_are_refused_and_not_stored(
    world: SeededStore, party: str, signer: str, error: type[Exception], message: str
) -> None:
    agreement_id = world.agreement()
    with world.db.read() as s:
        document = queries.get(s, Agreement, agreement_id).document
    body = SignatureIn(party_id=party, signature=world.keys[signer].sign(document, party))
    with pytest.raises(error, match=message), world.db.write() as s:
        coordination.add_signature(s, "t", agreement_id, body)
    with world.db.read() as s:
        assert s.scalars(select(Signature)).first() is None


def test_a_party_signs_once(world: SeededStore) -> None:
    agreement_id = world.agreement(signed_by=("UA",))
    with world.db.read() as s:
        document = queries.get(s, Agreement, agreement_id).document
    with pytest.raises(ConflictError, match="already signed"), world.db.write() as s:
        coordination.add_signature(s, "t", agreement_id, SignatureIn(
            party_id="UA", signature=world.keys["UA"].sign(document, "UA")))


def test_signature_survives_key_rotation(world: SeededStore) -> None:
    agreement_id = world.agreement(signed_by=("UA", "RU"))
    with world.db.write() as s:
        s.execute(text("UPDATE parties SET public_key = :k WHERE id = 'UA'"), {"k": "ab" * 32})
    with world.db.read() as s:
        assert coordination.verify(s, agreement_id).valid


def test_keyset_pages_cover_every_row_once(world: SeededStore) -> None:
    for _ in range(5):
        world.proposal()
    seen: list[int] = []
    after: object | None = None
    while True:
        with world.db.read() as s:
            rows, after = queries.page(s, Proposal, Proposal.id,
                                            after=after, limit=2)
        seen += [row.id for row in rows]
        if after is None:
            break
    assert seen == sorted(set(seen)) and len(seen) == 5
