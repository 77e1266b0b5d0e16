"""Demo data: the Belarus rounds of Russia-Ukraine talks of February-March 2022.

Facts follow contemporary public reporting; titles are given as they stood in March 2022 and
kept deliberately plain. The six routes are the ones the Russian side announced for a ceasefire
from 10:00 Moscow time on 8 March 2022; Ukraine refused the four ending in Russia or Belarus.
The negotiation engine's verdicts are not computed here: pass them in as ``verdicts``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from corridor.errors import ConflictError
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

#: The Russian routes of 7 March 2022, in the order announced.
ROUTES_7_MARCH = (
    ("Kyiv", "Hostomel", "Rakivka", "Sosnivka", "Ivankiv", "Orane", "Chornobyl", "Gden",
     "Gomel"),
    ("Mariupol", "Novoazovsk", "Taganrog", "Rostov-on-Don"),
    ("Mariupol", "Portivske", "Manhush", "Respublika", "Rozivka", "Bilmak", "Polohy", "Orikhiv",
     "Zaporizhzhia"),
    ("Kharkiv", "Nekhoteevka", "Belgorod"),
    ("Sumy", "Sudzha", "Belgorod"),
    ("Sumy", "Holubivka", "Romny", "Lokhvytsia", "Lubny", "Poltava"),
)

CEASEFIRE_WINDOW = {"start": "2022-03-08T10:00:00+03:00", "tz": "Europe/Moscow"}

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


def seed_2022(
    session: Session, verdicts: Mapping[int, Mapping[str, Any]] | None = None
) -> SeedSummary:
    """Load the demo into an empty store, inside the caller's write transaction.

    ``verdicts`` maps a proposal's number (1-6) to ``{party_id: {"acceptable": bool,
    "reasons": [{"code", "message"}]}}`` as the negotiation engine produces it.
    """
    if session.get(Party, "UA") is not None:
        raise ConflictError("the store already has party UA; seed only an empty store")
    for party in PARTIES:
        coordination.create_party(session, ACTOR, party)
    rounds = [coordination.create_talks(session, ACTOR, talks) for talks in _talks()]
    for number, route in enumerate(ROUTES_7_MARCH, start=1):
        proposal = coordination.create_proposal(session, ACTOR, ProposalIn.model_validate({
            "round_id": rounds[-1].id, "number": number, "proposer_id": "RU",
            "origin": route[0], "destination": route[-1], "waypoints": list(route),
            "windows": [CEASEFIRE_WINDOW], "verdicts": dict((verdicts or {}).get(number, {})),
        }))
        coordination.add_position(session, ACTOR, proposal.id, _position(number))
    return SeedSummary(parties=len(PARTIES), rounds=len(rounds),
                       proposals=len(ROUTES_7_MARCH), positions=len(ROUTES_7_MARCH))
