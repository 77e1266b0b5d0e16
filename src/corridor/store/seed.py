"""Demo data: the Belarus rounds of Russia-Ukraine talks of February-March 2022.

Facts follow contemporary public reporting; titles are given as they stood in March 2022 and
kept deliberately plain. The proposals themselves (the six routes Russia announced for a ceasefire
from 10:00 Moscow time on 8 March 2022) come from the scenario file through the negotiation
engine, with their routed lines and every party's verdict, so the store and the scenario never
tell two stories. Ukraine's recorded answers are facts of the talks and live here: it refused the
four routes ending in Russia or Belarus.

Of that week's corridors one is publicly reported to have worked: Sumy -> Poltava on 8 March 2022,
09:00-21:00 Kyiv time, which moved about 5,000 people in 61 buses. It is seeded as an agreement
on the proposal of that route, signed by Ukraine and Russia, and the corridor it opened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from corridor.errors import ConflictError, StoreError
from corridor.i18n import _
from corridor.store import coordination
from corridor.store.engine import Tabled
from corridor.store.models import Agreement, Party, Proposal
from corridor.store.schemas import (
    AgreementCorridorIn,
    AgreementIn,
    CorridorIn,
    PartyIn,
    PartyKeyIn,
    PositionIn,
    SignatureIn,
    StatusChangeIn,
    TalksIn,
    WindowIn,
)
from corridor.store.signing import KeyPair

ACTOR = "seed-2022"

#: The languages are the demo's own mapping of its two signatories to their delegations'
#: languages (Ukrainian, Russian), which its agreement sheet prints beside English; nothing in
#: the code maps a country to a language. The facilitator reads English.
PARTIES = (
    PartyIn(id="UA", name="Ukraine", languages=["uk"]),
    PartyIn(id="RU", name="Russian Federation", languages=["ru"]),
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

#: The corridor that worked: found among the proposals by its ends, whatever its number.
SUMY_POLTAVA = ("Sumy", "Poltava")
#: The parties whose signatures made the Sumy corridor an agreement.
SIGNERS = ("UA", "RU")
_KYIV = ZoneInfo("Europe/Kyiv")
#: The ceasefire the corridor ran in.
SUMY_WINDOW = WindowIn(start=dt.datetime(2022, 3, 8, 9, tzinfo=_KYIV),
                     end=dt.datetime(2022, 3, 8, 21, tzinfo=_KYIV), tz=_KYIV.key)
SUMY_CONDITIONS = ("ceasefire on the route for the window", "civilians only")


@dataclass(frozen=True)
class SeedSummary:
    """How many of each record the seed wrote, for the command to report."""

    parties: int
    rounds: int
    proposals: int
    positions: int
    agreements: int
    corridors: int


def key_file(keys_dir: Path, party_id: str) -> Path:
    """Where the seed saves a party's private key, for ``corridor admin sign --key``."""
    return keys_dir / f"{party_id}.key"


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


def _sumy_poltava(proposals: Sequence[Tabled]) -> int:
    """Index of the one proposal of the Sumy -> Poltava route."""
    found = [i for i, p in enumerate(proposals)
             if (p.body.origin, p.body.destination) == SUMY_POLTAVA]
    if len(found) != 1:
        raise StoreError(_("expected one proposal from {origin} to {destination} among the "
                           "{total} proposals, found {found}").format(
                               origin=SUMY_POLTAVA[0], destination=SUMY_POLTAVA[1],
                               total=len(proposals), found=len(found)), field="proposals")
    return found[0]


def _free_key_files(keys_dir: Path | None) -> dict[str, Path]:
    """The signers' key files to write, refused up front if one is there: keys are not replaced."""
    if keys_dir is None:
        return {}
    files = {party: key_file(keys_dir, party) for party in SIGNERS}
    for path in files.values():
        if path.exists() or path.is_symlink():
            raise StoreError(_("refusing to overwrite an existing key"), source=path)
    return files


def _signed_agreement(session: Session, proposal: Proposal,
                      keys: Mapping[str, KeyPair]) -> Agreement:
    """Register each signer's public key, then agree on the proposal's route and sign."""
    for party, pair in keys.items():
        coordination.set_party_key(session, ACTOR, party,
                                   PartyKeyIn(public_key=pair.public_key_hex))
    agreement = coordination.create_agreement(session, ACTOR, AgreementIn(
        proposal_id=proposal.id,
        corridor=AgreementCorridorIn.model_validate({
            "origin": proposal.origin, "destination": proposal.destination,
            "route": proposal.route, "waypoints": proposal.waypoints}),
        windows=[SUMY_WINDOW], conditions=list(SUMY_CONDITIONS), parties=list(keys)))
    for party, pair in keys.items():
        coordination.add_signature(session, ACTOR, agreement.id, SignatureIn(
            party_id=party, signature=pair.sign(agreement.document, party)))
    return agreement


def _open_corridor(session: Session, agreement: Agreement) -> None:
    """Make the agreement's corridor and take it the legal way: proposed, agreed, open.

    It stays open although ``open -> closed`` is allowed: closed is final, and only an agreed or
    open corridor takes movement notifications, which the demo needs. Evacuations from Sumy
    were reported on the following days too, so open is no worse a picture of that week.
    """
    spec = agreement.document["corridor"]
    corridor = coordination.create_corridor(session, ACTOR, CorridorIn.model_validate({
        **spec, "name": f"{spec['origin']} - {spec['destination']}",
        "agreement_id": agreement.id}))
    for status, reason in (("agreed", f"agreement {agreement.id} signed by every party"),
                           ("open", "ceasefire in force on the route")):
        coordination.change_status(session, ACTOR, corridor.id,
                                   StatusChangeIn(status=status, reason=reason))


def _save_keys(keys: Mapping[str, KeyPair], files: Mapping[str, Path]) -> None:
    """Write the key files last, so a failure here still rolls the whole seed back."""
    for party, path in files.items():
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            keys[party].save(path)
        except OSError as exc:
            raise StoreError(_("cannot save party {party}'s key: {reason}").format(
                party=party, reason=exc), source=path) from exc


def seed_2022(session: Session, proposals: Sequence[Tabled],
              keys_dir: Path | None = None) -> SeedSummary:
    """Load the demo into an empty store, inside the caller's write transaction.

    ``proposals`` are the six of 7 March 2022 in the order announced, routed and judged by
    :func:`~corridor.store.engine.tabled_from_scenario`. The signers' key pairs are
    made here; with ``keys_dir`` they are saved there (see :func:`key_file`) so further
    agreements can be signed with them, without it they are dropped once the seeded agreement is
    signed: its signatures keep the public keys they verify against. An empty store, one Sumy ->
    Poltava proposal and no key file in the way are all checked before the first write.
    """
    if session.get(Party, "UA") is not None:
        raise ConflictError(_("the store already has party UA; seed only an empty store"))
    sumy = _sumy_poltava(proposals)
    files = _free_key_files(keys_dir)
    for party in PARTIES:
        coordination.create_party(session, ACTOR, party)
    rounds = [coordination.create_talks(session, ACTOR, talks) for talks in _talks()]
    created = []
    for number, tabled in enumerate(proposals, start=1):
        proposal = coordination.create_proposal(session, ACTOR, tabled.body.model_copy(
            update={"round_id": rounds[-1].id, "number": number}), tabled.judged)
        coordination.add_position(session, ACTOR, proposal.id, _position(number))
        created.append(proposal)
    keys = {party: KeyPair.generate() for party in SIGNERS}
    agreement = _signed_agreement(session, created[sumy], keys)
    _open_corridor(session, agreement)
    _save_keys(keys, files)
    return SeedSummary(parties=len(PARTIES), rounds=len(rounds),
                       proposals=len(proposals), positions=len(proposals),
                       agreements=1, corridors=1)
