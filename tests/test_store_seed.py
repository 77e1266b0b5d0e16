"""The 2022 demo seed on both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from corridor.errors import ConflictError
from corridor.store.audit import verify_chain
from corridor.store.db import Database
from corridor.store.models import Position, Proposal, TalksRound
from corridor.store.seed import seed_2022

pytest_plugins = ["tests.dbfixtures"]

VERDICTS = {3: {"UA": {"acceptable": True, "reasons": []},
                "RU": {"acceptable": True, "reasons": [{"code": "ok", "message": "fine"}]}}}


def test_seed_loads_the_talks_proposals_and_positions(database: Database) -> None:
    with database.write() as s:
        summary = seed_2022(s, verdicts=VERDICTS)
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
    start = dt.datetime.fromisoformat(proposals[0].windows[0]["start"])
    assert start == dt.datetime(2022, 3, 8, 7, tzinfo=dt.UTC)
    assert proposals[2].verdicts == VERDICTS[3] and proposals[0].verdicts == {}
    assert chain.ok


def test_seed_refuses_a_store_that_is_not_empty(database: Database) -> None:
    with database.write() as s:
        seed_2022(s)
    with pytest.raises(ConflictError, match="already has party UA"), database.write() as s:
        seed_2022(s)
