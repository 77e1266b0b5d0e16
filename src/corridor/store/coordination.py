"""The coordination rules: every change to the store goes through one of these functions.

Each function validates against the current state, applies the change and appends the audit
entry, inside the caller's write transaction (``Database.write``), so a rejected change leaves
nothing behind. Who may call which function is the API's concern; what is allowed in the
current state is decided here, for every client alike.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from corridor.errors import ConflictError, StoreError
from corridor.i18n import _, format_decimal
from corridor.store import audit, plausibility
from corridor.store.models import (
    Acknowledgement,
    Agreement,
    Base,
    ConvoyReport,
    Corridor,
    DelegationMember,
    Incident,
    Notification,
    Party,
    Position,
    Proposal,
    Signature,
    TalksRound,
    User,
    utcnow,
)
from corridor.store.queries import get
from corridor.store.schemas import (
    AcknowledgementIn,
    AcknowledgementOut,
    AgreementIn,
    AgreementOut,
    ConvoyReportIn,
    ConvoyReportOut,
    CorridorIn,
    CorridorOut,
    IncidentIn,
    IncidentOut,
    NotificationIn,
    NotificationOut,
    PartyIn,
    PartyKeyIn,
    PartyOut,
    PositionIn,
    PositionOut,
    ProposalIn,
    ProposalOut,
    Role,
    SignatureIn,
    SignatureOut,
    StatusChangeIn,
    TalksIn,
    TalksOut,
    UserOut,
    VerificationOut,
    document_fault,
)
from corridor.store.signing import (
    DOCUMENT_TYPE,
    canonical_json,
    fingerprint,
    signature_valid,
    verify_agreement,
)

if TYPE_CHECKING:
    from corridor.store.engine import Judged

M = TypeVar("M", bound=Base)

#: Corridor life cycle. ``open -> closed`` ends a corridor whose window ran out without incident.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "proposed": ("agreed",),
    "agreed": ("open", "closed"),
    "open": ("suspended", "closed"),
    "suspended": ("open", "closed"),
    "closed": (),
}


@dataclass(frozen=True)
class LeadTimes:
    """How long before a movement the other parties must be told about it."""

    normal: dt.timedelta = dt.timedelta(hours=48)
    emergency: dt.timedelta = dt.timedelta(hours=24)


def _hours(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return _("{hours} h").format(hours=format_decimal(hours, 0 if hours.is_integer() else 1))


def _record(session: Session, actor: str, action: str, row: M, out: type[BaseModel], *,
            filed_under: tuple[str, str | int] | None = None) -> M:
    """Add ``row``, flush it so it has its id, and append the audit entry carrying it.

    Adding is a no-op if the row is already in the session; the entry shows the row as ``out``
    would.

    The entry is filed under the row itself (``party.created`` under party ``id``) unless
    ``filed_under`` names the entity the change belongs to, e.g. a signature's agreement.
    """
    session.add(row)
    session.flush()
    identity = inspect(row).identity
    assert identity is not None  # flushed
    entity, key = filed_under or (action.split(".")[0], identity[0])
    audit.append(session, actor=actor, action=action, entity=entity, entity_id=key,
                 payload=out.model_validate(row))
    return row


Outcome = Literal["created", "updated", "unchanged"]


def put(session: Session, actor: str, entity: str, existing: M | None, wanted: M,
        out: type[BaseModel], fields: Sequence[str]) -> Outcome:
    """Create ``wanted``, or bring ``existing`` to its values of ``fields``.

    Loading the same reference data twice writes nothing, not even an audit entry, and says so.
    """
    if existing is None:
        _record(session, actor, f"{entity}.created", wanted, out)
        return "created"
    if all(getattr(existing, f) == getattr(wanted, f) for f in fields):
        return "unchanged"
    for f in fields:
        setattr(existing, f, getattr(wanted, f))
    _record(session, actor, f"{entity}.updated", existing, out)
    return "updated"


# -- parties and users -------------------------------------------------------------------------

def _key_unclaimed(session: Session, party_id: str, public_key: str) -> None:
    """A key belongs to one party: one registered, or once used, by another is refused.

    Otherwise that party could present the other's signatures as its own.
    """
    holders = set(session.scalars(select(Party.id).where(Party.public_key == public_key)))
    holders |= set(session.scalars(select(Signature.party_id)
                                   .where(Signature.public_key == public_key)))
    if others := sorted(holders - {party_id}):
        raise ConflictError(_("public key {fingerprint} is already registered to party "
                              "{parties}").format(fingerprint=fingerprint(public_key),
                                                  parties=", ".join(others)),
                            field="public_key")


def create_party(session: Session, actor: str, body: PartyIn) -> Party:
    """Register a party; its id must be new and its key, if given, no other party's."""
    if session.get(Party, body.id) is not None:
        raise ConflictError(_("party {party} already exists").format(party=body.id), field="id")
    if body.public_key is not None:
        _key_unclaimed(session, body.id, body.public_key)
    return _record(session, actor, "party.created", Party(**body.model_dump()), PartyOut)


def set_party_key(session: Session, actor: str, party_id: str, body: PartyKeyIn) -> Party:
    """Register or rotate a party's public key; existing signatures keep the key they used."""
    party = get(session, Party, party_id)
    _key_unclaimed(session, party.id, body.public_key)
    party.public_key = body.public_key
    return _record(session, actor, "party.key_set", party, PartyOut)


def hash_token(token: str) -> str:
    """The stored form of a bearer token: a SHA-256 digest, so a leaked table grants nothing."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


#: How long a new token works unless told otherwise; rotate before then.
TOKEN_LIFETIME = dt.timedelta(days=90)


def _new_token(user: User, lifetime: dt.timedelta | None) -> str:
    """Give ``user`` a fresh token (the old one stops working) and return it."""
    token = secrets.token_urlsafe(32)
    user.token_hash = hash_token(token)
    user.token_expires_at = None if lifetime is None else utcnow() + lifetime
    user.revoked_at = None
    return token


def create_user(
    session: Session, actor: str, name: str, role: Role, party_id: str | None = None,
    lifetime: dt.timedelta | None = TOKEN_LIFETIME, language: str | None = None,
) -> tuple[User, str]:
    """Create a user and return its bearer token.

    The token is stored only as a hash and works for ``lifetime`` (None: until revoked);
    ``language`` is the one the service answers them in (None: each request's choice).
    """
    for field, text in (("name", name), ("party", party_id)):
        if text is not None and (fault := document_fault(text)) is not None:
            raise StoreError(fault[1], field=field)
    if (role == "liaison") != (party_id is not None):
        raise StoreError(_("a liaison must be bound to exactly one party, other roles to none"),
                         field="party")
    if party_id is not None:
        get(session, Party, party_id, field="party")
    if session.scalars(select(User).where(User.name == name)).first() is not None:
        raise ConflictError(_("user {name!r} already exists").format(name=name), field="name")
    user = User(name=name, role=role, party_id=party_id, language=language)
    token = _new_token(user, lifetime)
    return _record(session, actor, "user.created", user, UserOut), token


def revoke_token(session: Session, actor: str, user_id: int) -> User:
    """Stop the user's token working at once; only a rotation issues a new one."""
    user = get(session, User, user_id)
    if user.revoked_at is not None:
        raise ConflictError(_("the token of user {name!r} is already revoked").format(
            name=user.name))
    user.revoked_at = utcnow()
    return _record(session, actor, "user.token_revoked", user, UserOut)


def rotate_token(session: Session, actor: str, user_id: int,
                 lifetime: dt.timedelta | None = TOKEN_LIFETIME) -> tuple[User, str]:
    """Replace the user's token by a new one; the old one (revoked or not) fails at once."""
    user = get(session, User, user_id)
    token = _new_token(user, lifetime)
    return _record(session, actor, "user.token_rotated", user, UserOut), token


def set_user_language(session: Session, actor: str, user_id: int,
                      language: str | None) -> User:
    """Set the language the service answers the user in; None leaves it to each request."""
    user = get(session, User, user_id)
    user.language = language
    return _record(session, actor, "user.language_set", user, UserOut)



# -- talks, proposals, positions ---------------------------------------------------------------

def create_talks(session: Session, actor: str, body: TalksIn) -> TalksRound:
    """Record a round of talks with its delegations; every delegation's party must be known."""
    if session.scalars(select(TalksRound).where(TalksRound.number == body.number)).first():
        raise ConflictError(_("talks round {number} already exists").format(number=body.number),
                            field="number")
    talks = TalksRound(number=body.number, date=body.date, venue=body.venue, notes=body.notes)
    for i, delegation in enumerate(body.delegations):
        get(session, Party, delegation.party_id, field=f"delegations.{i}.party_id")
        talks.members.extend(
            DelegationMember(party_id=delegation.party_id, **member.model_dump())
            for member in delegation.members
        )
    return _record(session, actor, "talks.created", talks, TalksOut)


def create_proposal(session: Session, actor: str, body: ProposalIn,
                    judged: Judged | None = None, *, ref: str | None = None) -> Proposal:
    """Table a proposal with what the engine found (``judged``): its route, summary, verdicts.

    Without a finding (no scenario loaded) the proposal keeps the line its proposer drew and has
    no verdicts: the store never records a verdict a client asserted.
    """
    get(session, Party, body.proposer_id, field="proposer_id")
    if body.round_id is not None:
        get(session, TalksRound, body.round_id, field="round_id")
    proposal = Proposal(**body.model_dump(mode="json"), verdicts={}, ref=ref)
    if judged is not None:
        proposal.route = judged.route
        proposal.route_summary = judged.summary
        proposal.verdicts = judged.verdicts
    return _record(session, actor, "proposal.created", proposal, ProposalOut)


def add_position(session: Session, actor: str, proposal_id: int, body: PositionIn) -> Position:
    """Record a party's stance; a later position supersedes an earlier one."""
    get(session, Proposal, proposal_id)
    get(session, Party, body.party_id, field="party_id")
    position = Position(proposal_id=proposal_id, **body.model_dump(mode="json"))
    return _record(session, actor, "position.created", position, PositionOut)


# -- agreements and signatures -----------------------------------------------------------------

def create_agreement(session: Session, actor: str, body: AgreementIn) -> Agreement:
    """Freeze the document the parties will sign; it never changes afterwards.

    The document names the audit log's newest entry (``SEQ:HASH``): each party that keeps its
    signed copy can later show that the log has not been cut back or rewritten before that point
    (``corridor audit verify --anchor``).
    """
    corridor, route = _agreed_corridor(session, body)
    if len(set(body.parties)) != len(body.parties):
        raise StoreError(_("a party is listed twice"), field="parties")
    for i, party_id in enumerate(body.parties):
        get(session, Party, party_id, field=f"parties.{i}")
    # The log's head as it stands now, so that every signature also anchors the audit chain.
    log_head = audit.head(session)
    agreement = Agreement(proposal_id=body.proposal_id, document={})
    session.add(agreement)
    session.flush()
    agreement.document = {
        "type": DOCUMENT_TYPE,
        "agreement_id": agreement.id,
        **body.model_dump(mode="json"),
        "corridor": corridor,
        "route": route,
        "audit_head": None if log_head is None else str(log_head),
    }
    return _record(session, actor, "agreement.created", agreement, AgreementOut)


def _agreed_corridor(session: Session, body: AgreementIn,
                     ) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The corridor to sign and what the server knows of its route.

    On a proposal the server routed, the document carries that route's line, its digest and
    summary, so every signature covers the road itself and not only the names of its ends. A
    corridor that differs from the proposal's would be signed as something the parties did not
    judge: it is refused.
    """
    corridor = body.corridor.model_dump(mode="json")
    if body.proposal_id is None:
        return corridor, None
    proposal = get(session, Proposal, body.proposal_id, field="proposal_id")
    for name in ("origin", "destination"):
        if corridor[name] != getattr(proposal, name):
            raise StoreError(_("proposal {proposal} has {field} {value!r}, not {given!r}").format(
                proposal=proposal.id, field=name, value=getattr(proposal, name),
                given=corridor[name]), field=f"corridor.{name}")
    if proposal.route is None:
        return corridor, None
    if corridor["route"] not in (None, proposal.route):
        raise StoreError(_("the route differs from proposal {proposal}'s, which the parties "
                           "judged; leave it out to sign the proposal's route").format(
                             proposal=proposal.id), field="corridor.route")
    corridor["route"] = proposal.route
    corridor["waypoints"] = corridor["waypoints"] or proposal.waypoints
    summary = {k: v for k, v in (proposal.route_summary or {}).items() if k != "notes"}
    return corridor, {"sha256": hashlib.sha256(canonical_json(proposal.route)).hexdigest(),
                      "summary": summary}


def add_signature(session: Session, actor: str, agreement_id: int, body: SignatureIn) -> Signature:
    """Accept a party's signature only if it verifies against the party's registered key."""
    agreement = get(session, Agreement, agreement_id)
    party = get(session, Party, body.party_id, field="party_id")
    if party.id not in agreement.document["parties"]:
        raise StoreError(_("party {party} is not a party to agreement {agreement}").format(
            party=party.id, agreement=agreement_id), field="party_id")
    if any(s.party_id == party.id for s in agreement.signatures):
        raise ConflictError(_("party {party} has already signed agreement {agreement}").format(
            party=party.id, agreement=agreement_id))
    if party.public_key is None:
        raise ConflictError(_("party {party} has no registered public key to verify "
                              "against").format(party=party.id))
    if not signature_valid(party.public_key, agreement.document, body.signature, party.id):
        raise StoreError(
            _("signature does not verify against party {party}'s public key (fingerprint "
              "{fingerprint}) over its statement agreeing to the canonical agreement").format(
                party=party.id, fingerprint=fingerprint(party.public_key)),
            field="signature")
    signature = Signature(agreement_id=agreement.id, party_id=party.id,
                          public_key=party.public_key, signature=body.signature)
    agreement.signatures.append(signature)
    return _record(session, actor, "signature.created", signature, SignatureOut,
                   filed_under=("agreement", agreement.id))


def verify(session: Session, agreement_id: int) -> VerificationOut:
    """Re-verify every stored signature against the stored document, as a third party would."""
    agreement = get(session, Agreement, agreement_id)
    check = verify_agreement(
        agreement.document,
        {s.party_id: s.signature for s in agreement.signatures},
        {s.party_id: s.public_key for s in agreement.signatures},
    )
    return VerificationOut.model_validate(
        {"agreement_id": agreement.id, "valid": check.valid, "missing": check.missing,
         "signatures": [dataclasses.asdict(s) for s in check.signatures]}
    )


# -- corridors ---------------------------------------------------------------------------------

def create_corridor(session: Session, actor: str, body: CorridorIn) -> Corridor:
    """Set up a corridor as ``proposed``, from an agreement when one is named."""
    if body.agreement_id is not None:
        get(session, Agreement, body.agreement_id, field="agreement_id")
    corridor = Corridor(status="proposed", **body.model_dump(mode="json"))
    return _record(session, actor, "corridor.created", corridor, CorridorOut)


def _require_signed(session: Session, corridor: Corridor) -> None:
    if corridor.agreement_id is None:
        raise ConflictError(_("corridor {corridor} has no agreement; it cannot be "
                              "agreed").format(corridor=corridor.id))
    check = verify(session, corridor.agreement_id)
    if not check.valid:
        raise ConflictError(
            _("agreement {agreement} is not signed and verified by every party (missing: "
              "{missing})").format(agreement=corridor.agreement_id,
                                   missing=", ".join(check.missing) or _("none")))


def change_status(session: Session, actor: str, corridor_id: int,
                  body: StatusChangeIn) -> Corridor:
    """Move a corridor along its life cycle; ``agreed`` only once every party has signed."""
    corridor = get(session, Corridor, corridor_id)
    allowed = TRANSITIONS[corridor.status]
    if body.status not in allowed:
        raise ConflictError(
            _("corridor {corridor} cannot go from {current} to {wanted}; allowed: "
              "{allowed}").format(corridor=corridor.id, current=corridor.status,
                                  wanted=body.status,
                                  allowed=", ".join(allowed) or _("none (final state)")),
            allowed=list(allowed), field="status")
    if body.status == "agreed":
        _require_signed(session, corridor)
    previous = corridor.status
    corridor.status = body.status
    corridor.updated_at = utcnow()
    session.flush()
    payload = {"from": previous, "to": body.status, "reason": body.reason,
               "corridor": CorridorOut.model_validate(corridor).model_dump(mode="json")}
    audit.append(session, actor=actor, action="corridor.status_changed", entity="corridor",
                 entity_id=corridor.id, payload=payload)
    return corridor


# -- movements ---------------------------------------------------------------------------------

_NOTIFIABLE = ("agreed", "open")


def notify_movement(session: Session, actor: str, body: NotificationIn, *,
                    lead_times: LeadTimes, now: dt.datetime | None = None) -> Notification:
    """Announce a movement, no later than the minimum lead time before it starts."""
    corridor = get(session, Corridor, body.corridor_id, field="corridor_id")
    if corridor.status not in _NOTIFIABLE:
        raise ConflictError(
            _("corridor {corridor} is {status}; movements can only be notified on a corridor "
              "that is {allowed}").format(corridor=corridor.id, status=corridor.status,
                                          allowed=_(" or ").join(_NOTIFIABLE)),
            allowed=list(_NOTIFIABLE))
    lead = lead_times.emergency if body.emergency else lead_times.normal
    notice = body.start_at - (now or utcnow())
    if notice < lead:
        late = (_("an emergency movement must be notified at least {lead} before it starts; "
                  "this one starts in {notice}") if body.emergency else
                _("a movement must be notified at least {lead} before it starts; this one "
                  "starts in {notice}"))
        raise StoreError(late.format(lead=_hours(lead),
                                     notice=_hours(max(notice, dt.timedelta(0)))),
                         field="start_at")
    agreement = None if corridor.agreement_id is None else session.get(
        Agreement, corridor.agreement_id)
    plausibility.refuse(plausibility.movement_problems(
        body, agreement.document["windows"] if agreement else [], corridor.route,
        corridor.waypoints))
    values: dict[str, Any] = body.model_dump(mode="python")
    values["vehicles"] = [v.model_dump(mode="json") for v in body.vehicles]
    values["route"] = body.route.model_dump(mode="json") if body.route else None
    if body.route is None and body.waypoints is None:
        values["route"], values["waypoints"] = corridor.route, corridor.waypoints
    return _record(session, actor, "notification.created",
                   Notification(created_by=actor, **values), NotificationOut)


def acknowledge(session: Session, actor: str, notification_id: int,
                body: AcknowledgementIn) -> Acknowledgement:
    """Record a party's answer to a movement notification; each party answers once."""
    notification = get(session, Notification, notification_id)
    get(session, Party, body.party_id, field="party_id")
    if any(a.party_id == body.party_id for a in notification.acknowledgements):
        raise ConflictError(
            _("party {party} has already answered notification {notification}").format(
                party=body.party_id, notification=notification_id))
    ack = Acknowledgement(**body.model_dump())
    notification.acknowledgements.append(ack)
    return _record(session, actor, "acknowledgement.created", ack, AcknowledgementOut,
                   filed_under=("notification", notification.id))


def report_incident(session: Session, actor: str, body: IncidentIn, *,
                    area: tuple[float, float, float, float] | None = None) -> Incident:
    """Record an incident and, if asked, suspend the open corridor it happened on.

    One dated in the future, or placed far from its corridor's route or outside ``area`` (the
    scenario's bounds, where the server knows them), is refused.
    """
    problems = plausibility.future_problems("occurred_at", body.occurred_at, utcnow())
    problems += plausibility.area_problems(body.lon, body.lat, area)
    if body.corridor_id is not None:
        corridor = get(session, Corridor, body.corridor_id, field="corridor_id")
        if body.suspend and corridor.status != "open":
            raise ConflictError(
                _("corridor {corridor} is {status}; only an open corridor can be "
                  "suspended").format(corridor=corridor.id, status=corridor.status),
                allowed=["open"], field="suspend")
        problems += plausibility.position_problems(
            body.lon, body.lat, corridor.route,
            _("the route of corridor {corridor}").format(corridor=corridor.id))
    plausibility.refuse(problems)
    values = body.model_dump(exclude={"suspend"})
    incident = Incident(reporter=actor, suspended_corridor=body.suspend, **values)
    _record(session, actor, "incident.created", incident, IncidentOut)
    if body.suspend and body.corridor_id is not None:
        change_status(session, actor, body.corridor_id, StatusChangeIn(
            status="suspended", reason=f"incident {incident.id}: {body.type}"))
    return incident


def report_convoy(session: Session, actor: str, notification_id: int,
                  body: ConvoyReportIn) -> ConvoyReport:
    """Record a convoy's progress; one dated in the future or far off its route is refused."""
    notification = get(session, Notification, notification_id)
    plausibility.refuse([
        *plausibility.future_problems("reported_at", body.reported_at, utcnow()),
        *plausibility.position_problems(
            body.lon, body.lat, notification.route,
            _("the route of movement {movement}").format(movement=notification_id))])
    report = ConvoyReport(notification_id=notification_id, reporter=actor, **body.model_dump())
    return _record(session, actor, "convoy_report.created", report, ConvoyReportOut,
                   filed_under=("convoy", notification_id))
