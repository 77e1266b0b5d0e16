"""The 2022 demo seed on both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from corridor.errors import ConflictError
from corridor.negotiation.search import negotiate
from corridor.scenario import load_scenario
from corridor.store.audit import verify_chain
from corridor.store.db import Database
from corridor.store.models import Position, Proposal, TalksRound
from corridor.store.schemas import ProposalIn
from corridor.store.seed import proposals_from_negotiation, seed_2022
from corridor.world import build_world
from tests.conftest import SCENARIO_DIR

SEED = SCENARIO_DIR / "ukraine-2022-03-07.yaml"


@pytest.fixture(scope="module")
def negotiated() -> list[ProposalIn]:
    scenario = load_scenario(SEED)
    return proposals_from_negotiation(negotiate(build_world(scenario)), scenario)


def test_seed_loads_the_talks_proposals_and_positions(database: Database,
                                                      negotiated: list[ProposalIn]) -> None:
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
                                               negotiated: list[ProposalIn]) -> None:
    with database.write() as s:
        seed_2022(s, negotiated)
    with pytest.raises(ConflictError, match="already has party UA"), database.write() as s:
        seed_2022(s, negotiated)
