"""The 2022 demo seed on both backends."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from corridor.errors import ConflictError, StoreError
from corridor.scenario import load_scenario
from corridor.store import coordination
from corridor.store.audit import verify_chain
from corridor.store.coordination import TRANSITIONS, LeadTimes
from corridor.store.db import Database
from corridor.store.engine import Tabled, tabled_from_scenario
from corridor.store.models import (
    Agreement,
    AuditEntry,
    Base,
    Corridor,
    Party,
    Position,
    Proposal,
    TalksRound,
)
from corridor.store.schemas import AgreementIn, SignatureIn, WindowIn
from corridor.store.seed import (
    SIGNERS,
    SUMY_POLTAVA,
    key_file,
    seed_2022,
)
from corridor.store.signing import KeyPair
from corridor.world import build_world
from tests.conftest import SCENARIO_DIR
from tests.dbfixtures import SeededStore

SEED = SCENARIO_DIR / "ukraine-2022-03-07.yaml"


@pytest.fixture(scope="module")
def negotiated() -> list[Tabled]:
    return tabled_from_scenario(build_world(load_scenario(SEED)))


def test_seed_loads_the_talks_proposals_and_positions(database: Database,
                                                      negotiated: list[Tabled]) -> None:
    with database.write() as s:
        summary = seed_2022(s, negotiated)
    assert (summary.parties, summary.rounds, summary.proposals) == (3, 3, 6)
    with database.read() as s:
        rounds = list(s.scalars(select(TalksRound).order_by(TalksRound.number)))
        proposals = list(s.scalars(select(Proposal).order_by(Proposal.number)))
        stances = {p.proposal_id: p.stance for p in s.scalars(select(Position))}
        chain = verify_chain(s)
    assert [r.date for r in rounds] == [dt.date(2022, 2, 28), dt.date(2022, 3, 3),
                                        dt.date(2022, 3, 7)]
    heads = [m.name for m in rounds[2].members if m.head]
    assert heads == ["Vladimir Medinsky"] and len(rounds[2].members) == 9
    assert [(p.origin, p.destination) for p in proposals] == [
        ("Kyiv", "Gomel"), ("Mariupol", "Rostov-on-Don"), ("Mariupol", "Zaporizhzhia"),
        ("Kharkiv", "Belgorod"), ("Sumy", "Belgorod"), ("Sumy", "Poltava")]
    assert [stances[p.id] for p in proposals] == [
        "reject", "reject", "accept", "reject", "reject", "accept"]
    # 09:00 Kyiv is 10:00 Moscow, the announced start of the ceasefire
    start = dt.datetime.fromisoformat(proposals[0].windows[0]["start"])
    assert start == dt.datetime(2022, 3, 8, 7, tzinfo=dt.UTC)
    # the engine's verdicts agree with Ukraine's recorded answers
    assert [p.verdicts["UA"]["acceptable"] for p in proposals] == [
        stances[p.id] == "accept" for p in proposals]
    assert all(p.verdicts["RU"]["acceptable"] for p in proposals)
    assert all(len(p.route["coordinates"]) >= 2 for p in proposals)
    assert chain.ok


def test_seed_refuses_a_store_that_is_not_empty(database: Database,
                                               negotiated: list[Tabled]) -> None:
    with database.write() as s:
        seed_2022(s, negotiated)
    with pytest.raises(ConflictError, match="already has party UA"), database.write() as s:
        seed_2022(s, negotiated)


def _sumy_poltava(session: Session) -> Proposal:
    origin, destination = SUMY_POLTAVA
    return session.scalars(select(Proposal).where(
        Proposal.origin == origin, Proposal.destination == destination)).one()


def _count(session: Session, model: type[Base]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_seed_opens_the_sumy_corridor_on_a_signed_agreement(
        database: Database, negotiated: list[Tabled]) -> None:
    with database.write() as s:
        summary = seed_2022(s, negotiated)
    with database.read() as s:
        proposal = _sumy_poltava(s)
        (agreement,) = s.scalars(select(Agreement)).all()
        (corridor,) = s.scalars(select(Corridor)).all()
        check = coordination.verify(s, agreement.id)
        steps = [(e.payload["from"], e.payload["to"]) for e in s.scalars(
            select(AuditEntry).where(AuditEntry.action == "corridor.status_changed")
            .order_by(AuditEntry.seq))]
        chain = verify_chain(s)
    assert (summary.agreements, summary.corridors) == (1, 1)
    assert check.valid and check.missing == []
    assert [c.party_id for c in check.signatures] == list(SIGNERS)
    document = agreement.document
    assert agreement.proposal_id == proposal.id and document["parties"] == list(SIGNERS)
    assert document["corridor"]["route"] == proposal.route
    assert document["corridor"]["waypoints"] == proposal.waypoints
    # the agreed window is one the proposal offered
    offered = [(w.start, w.end) for w in map(WindowIn.model_validate, proposal.windows)]
    agreed = [(w.start, w.end) for w in map(WindowIn.model_validate, document["windows"])]
    assert len(agreed) == 1 and agreed[0] in offered
    assert (corridor.agreement_id, corridor.status) == (agreement.id, "open")
    assert corridor.route == proposal.route
    assert (corridor.origin, corridor.destination) == (proposal.origin, proposal.destination)
    # the audited path from proposed to open is one the store's rules allow
    assert steps[0][0] == "proposed" and steps[-1][1] == corridor.status
    assert all(to in TRANSITIONS[frm] for frm, to in steps)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(steps))
    assert chain.ok
    # left open, it takes movements in its window, notified in time
    start = dt.datetime(2022, 3, 8, 10, tzinfo=ZoneInfo("Europe/Kyiv"))
    movement = SeededStore.movement(corridor.id).model_copy(update={
        "start_at": start, "end_at": start + dt.timedelta(hours=6)})
    with database.write() as s:
        coordination.notify_movement(s, "test", movement, lead_times=LeadTimes(),
                                     now=start - dt.timedelta(days=3))


def test_saved_keys_are_the_parties_registered_keys(
        database: Database, negotiated: list[Tabled], tmp_path: Path) -> None:
    keys_dir = tmp_path / "keys"
    with database.write() as s:
        seed_2022(s, negotiated, keys_dir)
    keys = {party: KeyPair.load(key_file(keys_dir, party)) for party in SIGNERS}
    with database.write() as s:
        (seeded,) = s.scalars(select(Agreement)).all()
        signed_with = {sig.party_id: sig.public_key for sig in seeded.signatures}
        registered = dict(s.execute(select(Party.id, Party.public_key)
                                    .where(Party.id.in_(SIGNERS))).all())
        # the saved keys sign further agreements the store accepts
        proposal = _sumy_poltava(s)
        further = coordination.create_agreement(s, "test", AgreementIn.model_validate({
            "proposal_id": proposal.id, "corridor": seeded.document["corridor"],
            "windows": proposal.windows, "parties": list(SIGNERS)}))
        for party, pair in keys.items():
            coordination.add_signature(s, "test", further.id, SignatureIn(
                party_id=party, signature=pair.sign(further.document, party)))
        assert coordination.verify(s, further.id).valid
    assert {p: k.public_key_hex for p, k in keys.items()} == registered == signed_with


@pytest.mark.parametrize("party", SIGNERS)
def test_an_existing_key_file_makes_the_seed_refuse_and_write_nothing(
        database: Database, negotiated: list[Tabled], tmp_path: Path, party: str) -> None:
    keys_dir = tmp_path / "keys"
    keys_dir.mkdir()
    existing = key_file(keys_dir, party)
    existing.write_bytes(b"somebody's key")
    with pytest.raises(StoreError, match=re.escape(str(existing))), database.write() as s:
        seed_2022(s, negotiated, keys_dir)
    with database.read() as s:
        assert _count(s, Party) == _count(s, AuditEntry) == 0
    assert existing.read_bytes() == b"somebody's key"
    assert list(keys_dir.iterdir()) == [existing]


@pytest.mark.parametrize("times", [0, 2])
def test_seed_needs_one_sumy_poltava_proposal(database: Database, negotiated: list[Tabled],
                                              times: int) -> None:
    sumy = [p for p in negotiated if (p.body.origin, p.body.destination) == SUMY_POLTAVA]
    others = [p for p in negotiated if p not in sumy]
    assert len(sumy) == 1
    with pytest.raises(StoreError, match=f"found {times}"), database.write() as s:
        seed_2022(s, others + sumy * times)
    with database.read() as s:
        assert _count(s, Party) == _count(s, AuditEntry) == 0
