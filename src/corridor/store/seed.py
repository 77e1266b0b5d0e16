"""Demo data: the Belarus rounds of Russia-Ukraine talks of February-March 2022.

Facts follow contemporary public reporting; titles are given as they stood in March 2022 and
kept deliberately plain. The proposals themselves (the six routes Russia announced for a ceasefire
from 10:00 Moscow time on 8 March 2022) come from the scenario file through the negotiation
engine, with their routed lines and every party's verdict, so the store and the scenario never
tell two stories. Ukraine's recorded answers are facts of the talks and live here: it refused the
four routes ending in Russia or Belarus.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from corridor.errors import ConflictError
from corridor.negotiation.search import Negotiation
from corridor.scenario import Scenario
from corridor.store import coordination
from corridor.store.models import Party
from corridor.store.schemas import PartyIn, PositionIn, ProposalIn, TalksIn

ACTOR = "seed-2022"

PARTIES = (
    PartyIn(id="UA", name="Ukraine"),
    PartyIn(id="RU", name="Russian Federation"),
    PartyIn(id="ICRC", name="International Committee of the Red Cross", kind="facilitator"),
)

_PUSHCHA = "Belovezhskaya Pushcha, Brest region, Belarus"

ROUND_3_DELEGATIONS: dict[str, list[tuple[str, str]]] = {
    "UA": [
        ("Davyd Arakhamia", "Head of the Servant of the People faction, Verkhovna Rada"),
        ("Oleksiy Reznikov", "Minister of Defence"),
        ("Mykhailo Podoliak", "Adviser to the Head of the Office of the President"),
        ("Mykola Tochytskyi", "Deputy Minister of Foreign Affairs"),
    ],
    "RU": [
        ("Vladimir Medinsky", "Aide to the President; head of delegation"),
        ("Alexander Fomin", "Deputy Minister of Defence"),
        ("Andrei Rudenko", "Deputy Minister of Foreign Affairs"),
        ("Leonid Slutsky", "Chair of the State Duma Committee on International Affairs"),
        ("Boris Gryzlov", "Ambassador to Belarus"),
    ],
}

ROUNDS = (
    (1, dt.date(2022, 2, 28), "Gomel region, Belarus-Ukraine border, near the Pripyat river"),
    (2, dt.date(2022, 3, 3), _PUSHCHA),
    (3, dt.date(2022, 3, 7), _PUSHCHA),
)

#: Ukraine's answer: routes into Russia or Belarus refused, the two inside Ukraine accepted.
UKRAINE_REJECTS = {1: "Belarus", 2: "Russia", 4: "Russia", 5: "Russia"}


@dataclass(frozen=True)
class SeedSummary:
    parties: int
    rounds: int
    proposals: int
    positions: int


def _talks() -> list[TalksIn]:
    rounds = []
    for number, date, venue in ROUNDS:
        delegations = [] if number != 3 else [
            {"party_id": party, "members": [
                {"name": name, "title": title, "head": "head of delegation" in title}
                for name, title in members]}
            for party, members in ROUND_3_DELEGATIONS.items()]
        rounds.append(TalksIn.model_validate({
            "number": number, "date": date, "venue": venue, "delegations": delegations}))
    return rounds


def _position(number: int) -> PositionIn:
    if number in UKRAINE_REJECTS:
        return PositionIn(party_id="UA", stance="reject", reasons=[
            f"destination in {UKRAINE_REJECTS[number]}: not an acceptable option"])
    return PositionIn(party_id="UA", stance="accept",
                      reasons=["destination in Ukraine"])


def proposals_from_negotiation(neg: Negotiation, scenario: Scenario) -> list[ProposalIn]:
    """The scenario's proposals as the store records them: routed line, windows, verdicts."""
    out = []
    for result in neg.proposals:
        p = result.proposal
        corridor = result.corridor
        windows = [{"start": w.start.isoformat(), "end": w.end.isoformat(),
                    "tz": w.timezone or scenario.timezone}
                   for w in scenario.windows if w.id in p.windows]
        out.append(ProposalIn.model_validate({
            "proposer_id": p.proposer, "origin": p.origin, "destination": p.destination,
            "waypoints": [p.origin, *p.waypoints, p.destination],
            "route": None if corridor is None else {
                "type": "LineString",
                "coordinates": [[round(x, 5), round(y, 5)] for x, y in corridor.summary.geometry]},
            "windows": windows,
            "verdicts": {} if corridor is None else {
                party: v.to_dict() for party, v in corridor.verdicts.items()},
        }))
    return out


def seed_2022(session: Session, proposals: Sequence[ProposalIn]) -> SeedSummary:
    """Load the demo into an empty store, inside the caller's write transaction.

    ``proposals`` are the six of 7 March 2022 in the order announced, as
    :func:`proposals_from_negotiation` makes them from the scenario.
    """
    if session.get(Party, "UA") is not None:
        raise ConflictError("the store already has party UA; seed only an empty store")
    for party in PARTIES:
        coordination.create_party(session, ACTOR, party)
    rounds = [coordination.create_talks(session, ACTOR, talks) for talks in _talks()]
    for number, proposal_in in enumerate(proposals, start=1):
        proposal = coordination.create_proposal(session, ACTOR, proposal_in.model_copy(
            update={"round_id": rounds[-1].id, "number": number}))
        coordination.add_position(session, ACTOR, proposal.id, _position(number))
    return SeedSummary(parties=len(PARTIES), rounds=len(rounds),
                       proposals=len(proposals), positions=len(proposals))
