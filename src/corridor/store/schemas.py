"""Typed documents exchanged with the store: what clients send and what they get back.

The same models validate API request bodies and describe responses in the OpenAPI document, so
the rules (zone-aware timestamps, well-formed GeoJSON, known time zones) hold for library callers
and HTTP clients alike.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Generic, Literal, Self, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from corridor.errors import StoreError
from corridor.i18n import LANGUAGES, LanguageCode, _
from corridor.store.signing import fingerprint
from corridor.zones import offset_mismatch

Role = Literal["facilitator", "liaison", "operator", "observer"]
PartyKind = Literal["belligerent", "facilitator", "observer"]
Stance = Literal["accept", "reject", "counter"]
CorridorStatus = Literal["proposed", "agreed", "open", "suspended", "closed"]
Decision = Literal["acknowledge", "deny"]
ConvoyStatus = Literal["departed", "en_route", "halted", "arrived"]

PARTY_ID_PATTERN = r"^[A-Z][A-Z0-9_-]{1,15}$"
PartyId = Annotated[str, Field(pattern=PARTY_ID_PATTERN, examples=["UA"])]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(max_length=4000)]
# Numbers and flags are strict: JSON ``false`` or ``"5"`` is not a coordinate or a count.
Longitude = Annotated[float, Field(ge=-180, le=180, strict=True)]
Latitude = Annotated[float, Field(ge=-90, le=90, strict=True)]
#: Ids fit a 32-bit integer column on every backend.
EntityId = Annotated[int, Field(ge=1, le=2**31 - 1, strict=True)]
Count = Annotated[int, Field(ge=0, le=10_000_000, strict=True)]
Number = Annotated[int, Field(ge=1, le=10_000, strict=True)]
Flag = Annotated[bool, Field(strict=True)]
PublicKeyHex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$",
                                    description="Raw Ed25519 public key, 64 lower-case hex")]
SignatureHex = Annotated[str, Field(pattern=r"^[0-9a-f]{128}$",
                                    description="Ed25519 signature, 128 lower-case hex")]


def _known_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(_("unknown IANA time zone {zone!r}").format(zone=name)) from exc
    return name


TimeZoneName = Annotated[str, Field(max_length=64, examples=["Europe/Kyiv"]),
                         AfterValidator(_known_zone)]


#: Years a timestamp may fall in. Wider values overflow on the way into the database or into
#: a local time zone (year 1 minus an hour, year 9999 plus one), and no corridor is planned
#: centuries away.
FIRST_YEAR, LAST_YEAR = 1900, 2199
#: Deeper documents than this are refused before validation, which recurses per level.
MAX_NESTING = 32

# NUL cannot be stored by PostgreSQL; it and the other C0 controls but tab, line feed and
# carriage return cannot appear in XML, so neither in the PDF sheets. Refused on every store.
ILLEGAL_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _not_a_number(value: object) -> object:
    # Numbers are strict everywhere: 12345 is not read as a Unix time.
    if isinstance(value, (int, float)):
        raise ValueError(_("a timestamp is an ISO 8601 string with a zone, not a number"))
    return value


def _date_in_years(value: dt.date) -> dt.date:
    # A datetime is a date, so timestamps are checked here too.
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(_("year {year} is out of range ({first} to {last})").format(
            year=value.year, first=FIRST_YEAR, last=LAST_YEAR))
    return value


Timestamp = Annotated[AwareDatetime, BeforeValidator(_not_a_number),
                      AfterValidator(_date_in_years)]
Day = Annotated[dt.date, BeforeValidator(_not_a_number), AfterValidator(_date_in_years)]


def _text_fault(text: str) -> str | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # JSON can escape half a surrogate pair; such text cannot be stored or signed.
        return _("text contains an unpaired UTF-16 surrogate")
    if (found := ILLEGAL_CONTROL.search(text)) is not None:
        return _("text contains the control character {character}").format(
            character=f"U+{ord(found.group()):04X}")
    return None


def document_fault(data: object) -> tuple[str, str] | None:
    """Where (a dotted field path) and why a document cannot be stored on every backend.

    ``None`` when it can.

    Walked with an explicit stack, so a hostile nesting depth cannot exhaust Python's.
    """
    stack: list[tuple[object, tuple[str, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_NESTING:
            return ".".join(path[:MAX_NESTING]), _("nested deeper than {levels} levels").format(
                levels=MAX_NESTING)
        if isinstance(value, str):
            if (fault := _text_fault(value)) is not None:
                return ".".join(path), fault
        elif isinstance(value, dict):
            for key, item in value.items():
                stack.extend(((key, (*path, str(key))), (item, (*path, str(key)))))
        elif isinstance(value, list):
            stack.extend((item, (*path, str(i))) for i, item in enumerate(value))
    return None


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: object) -> object:
        # Raised as a located store error, not a validation error, so that the whole path of
        # the offending field is named even in a nested document.
        if (fault := document_fault(data)) is not None:
            raise StoreError(fault[1], field=fault[0] or None)
        return data


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class LineStringIn(_In):
    """A GeoJSON LineString (RFC 7946) in WGS 84 longitude/latitude."""

    type: Literal["LineString"]
    coordinates: list[tuple[Longitude, Latitude]] = Field(min_length=2)


class RouteIn(_In):
    """Where a corridor runs: a drawn line, named waypoints, or both."""

    route: LineStringIn | None = None
    waypoints: list[Name] | None = Field(default=None, min_length=2)

    @model_validator(mode="after")
    def _some_route(self) -> Self:
        if self.route is None and self.waypoints is None:
            raise ValueError(_("give a route (GeoJSON LineString) or waypoints (two or more "
                               "names)"))
        return self


class WindowIn(_In):
    """A time window of a ceasefire or movement, with the zone in which it was agreed."""

    start: Timestamp
    end: Timestamp | None = None
    tz: TimeZoneName

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end is not None and self.end <= self.start:
            raise ValueError(_("window end must be after its start"))
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None and (problem := offset_mismatch(name, value, self.tz)):
                raise ValueError(problem)
        return self


class WindowOut(_Out):
    """A window as stored, read back as written, even from before timestamps were bounded."""

    start: dt.datetime
    end: dt.datetime | None = None
    tz: str


class ReasonIn(_In):
    """One rule's outcome in a verdict: a stable code, its parameters and a sentence for people.

    ``params`` are what the sentence cites (places, km, limits), so that it can be worded again
    in another language (:func:`corridor.rules.reason_text`).
    """

    code: Annotated[str, Field(min_length=1, max_length=80)]
    params: dict[str, JsonValue] = {}
    message: Text


class VerdictIn(_In):
    """A party's rule verdict on a proposal, as computed by the negotiation engine."""

    acceptable: Flag
    reasons: list[ReasonIn] = []


class Error(BaseModel):
    """Body of every 4xx response raised by the service itself."""

    detail: str
    field: str | None = None
    allowed: list[str] = []


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A page of a list; pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[T]
    next_cursor: str | None


# -- parties and users -------------------------------------------------------------------------

class PartyIn(_In):
    """A party to register: its code, its name, and optionally the key it will sign with."""

    id: PartyId
    name: Name
    kind: PartyKind = "belligerent"
    public_key: PublicKeyHex | None = None
    languages: list[LanguageCode] = Field(default=[], max_length=len(LANGUAGES), description=(
        "Languages its delegation reads (en, uk, ru): an agreement it signs is printed in "
        "them beside English; the signed document itself stays language-neutral"))


class PartyKeyIn(_In):
    """A party's new public signing key (Ed25519, hex)."""

    public_key: PublicKeyHex


class PartyOut(_Out):
    """A registered party, with its key's fingerprint for reading aloud over a phone."""

    id: str
    name: str
    kind: str
    public_key: str | None
    languages: list[str] = []
    fingerprint: str | None = None

    @model_validator(mode="after")
    def _fingerprint(self) -> Self:
        self.fingerprint = fingerprint(self.public_key) if self.public_key else None
        return self


class UserOut(_Out):
    """A user as the API shows it: never its token."""

    id: int
    name: str
    role: Role
    party_id: str | None
    language: str | None = Field(default=None, description=(
        "The language the service answers this user in; null: each request's Accept-Language"))


class MeIn(_In):
    """The caller's own settings: the language the service answers them in."""

    language: LanguageCode | None = Field(
        description="en, uk or ru; null lets each request's Accept-Language decide")


class UserTokenOut(UserOut):
    """A user with the state of its token, as facilitators see it to decide on revocation."""

    token_expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class NewTokenOut(BaseModel):
    """A freshly issued token: shown this once, stored only as a hash."""

    user: UserTokenOut
    token: str


# -- a scenario's places and windows -------------------------------------------------------------

class PlaceOut(_Out):
    """An origin or destination imported from a scenario, with its people or capacity."""

    id: int
    name: str
    role: Literal["origin", "destination"]
    people: int | None
    capacity: int | None
    lon: float | None
    lat: float | None


class CeasefireWindowOut(WindowOut):
    """A ceasefire window imported from a scenario, under the scenario's id for it."""

    key: str


# -- talks ---------------------------------------------------------------------------------------

class MemberIn(_In):
    """A delegate: name, title, and whether they head the delegation."""

    name: Name
    title: Annotated[str, Field(max_length=300)]
    head: Flag = False


class DelegationIn(_In):
    """One party's delegation to a round of talks."""

    party_id: PartyId
    members: list[MemberIn] = Field(min_length=1)


class TalksIn(_In):
    """A round of talks to record: when, where, and who came."""

    number: Number
    date: Day
    venue: Annotated[str, Field(min_length=1, max_length=300)]
    notes: Text = ""
    delegations: list[DelegationIn] = []


class MemberOut(_Out):
    """A delegate as recorded, with their party."""

    party_id: str
    name: str
    title: str
    head: bool


class TalksOut(_Out):
    """A recorded round of talks with every delegate."""

    id: int
    number: int
    date: dt.date
    venue: str
    notes: str
    members: list[MemberOut]


# -- proposals and positions -------------------------------------------------------------------

class ProposalIn(RouteIn):
    """A corridor proposal: who proposes it, from where to where, by which route, when."""

    round_id: EntityId | None = None
    number: Number | None = None
    proposer_id: PartyId
    origin: Name
    destination: Name
    windows: list[WindowIn] = Field(min_length=1)
    # Named, so that a client sending it is told why rather than "extra inputs not permitted":
    # ProposalOut has the field, and a client may well echo it back.
    verdicts: SkipJsonSchema[None] = Field(default=None, exclude=True)

    @field_validator("verdicts", mode="before")
    @classmethod
    def _no_verdicts(cls, _value: object) -> None:
        raise ValueError(_("verdicts are computed by the server from the parties' rules; a "
                           "party records its own stance as a position on the proposal"))


class ProposalOut(_Out):
    """A stored proposal, with the verdicts the engine computed for it."""

    id: int
    round_id: int | None
    number: int | None
    proposer_id: str
    origin: str
    destination: str
    route: LineStringIn | None
    waypoints: list[str] | None
    windows: list[WindowOut]
    verdicts: dict[str, VerdictIn] = Field(description="Every party's verdict by its rules, as "
                                         "the server judged the route; empty when unjudged")
    route_summary: dict[str, Any] | None = Field(description=(
        "The server's route: km, hours, exposure_km, exposure_km_by_risk, settlements, "
        "territories, roads, border_crossings and notes; or error when no route exists; null "
        "when the server runs without a scenario"))
    ref: str | None = Field(description="The scenario's id of the proposal, when imported")
    created_at: dt.datetime


class CounterProposalIn(RouteIn):
    """The route and windows a party offers instead, when its stance is ``counter``."""

    windows: list[WindowIn] = []


class PositionIn(_In):
    """A party's answer to a proposal: accept, reject or counter, with reasons and conditions."""

    party_id: PartyId
    stance: Stance
    reasons: list[Text] = []
    conditions: list[Text] = []
    counter: CounterProposalIn | None = None

    @model_validator(mode="after")
    def _counter_matches_stance(self) -> Self:
        if (self.stance == "counter") != (self.counter is not None):
            raise ValueError(_("a counter route is given exactly when the stance is 'counter'"))
        return self


class PositionOut(_Out):
    """A party's recorded answer to a proposal."""

    id: int
    proposal_id: int
    party_id: str
    stance: Stance
    reasons: list[str]
    conditions: list[str]
    counter: CounterProposalIn | None
    created_at: dt.datetime


# -- agreements and signatures -------------------------------------------------------------------

class AgreementCorridorIn(RouteIn):
    """Where the agreed corridor runs, as written into the document the parties sign."""

    origin: Name
    destination: Name


class AgreementIn(_In):
    """An agreement to draft from a proposal: corridor, windows, conditions and signatories."""

    proposal_id: EntityId | None = None
    corridor: AgreementCorridorIn
    windows: list[WindowIn] = Field(min_length=1)
    conditions: list[Text] = []
    parties: list[PartyId] = Field(min_length=1)


class SignatureIn(_In):
    """A party's signature over the agreement's canonical document."""

    party_id: PartyId
    signature: SignatureHex


class SignatureOut(_Out):
    """A recorded signature, with the key that made it and its fingerprint."""

    party_id: str
    public_key: str
    signature: str
    signed_at: dt.datetime
    fingerprint: str = ""

    @model_validator(mode="after")
    def _fingerprint(self) -> Self:
        self.fingerprint = fingerprint(self.public_key)
        return self


class AgreementOut(_Out):
    """An agreement: the exact document each party signs and the signatures so far."""

    id: int
    proposal_id: int | None
    document: dict[str, Any] = Field(description="Exactly what each party signs, in canonical "
                                                 "JSON (RFC 8785) encoding")
    signatures: list[SignatureOut]
    complete: bool = False

    @model_validator(mode="after")
    def _complete(self) -> Self:
        signed = {s.party_id for s in self.signatures}
        self.complete = set(self.document.get("parties", [])) <= signed
        return self


class SignatureCheckOut(BaseModel):
    """Whether one recorded signature still verifies against the document."""

    party_id: str
    fingerprint: str
    valid: bool


class VerificationOut(BaseModel):
    """Every signature of an agreement checked, and which parties have yet to sign."""

    agreement_id: int
    valid: bool
    signatures: list[SignatureCheckOut]
    missing: list[str]


# -- corridors -------------------------------------------------------------------------------

class CorridorIn(RouteIn):
    """A corridor to set up, usually from a signed agreement."""

    name: Name
    origin: Name
    destination: Name
    agreement_id: EntityId | None = None


class CorridorOut(_Out):
    """A corridor and where it stands in its life cycle."""

    id: int
    name: str
    agreement_id: int | None
    status: CorridorStatus
    origin: str
    destination: str
    route: LineStringIn | None
    waypoints: list[str] | None
    created_at: dt.datetime
    updated_at: dt.datetime


class StatusChangeIn(_In):
    """A move of a corridor to a new status, with why."""

    status: CorridorStatus
    reason: Text = ""


# -- movements -------------------------------------------------------------------------------

class VehicleIn(_In):
    """Vehicles of one kind in a movement, with their plates when known."""

    kind: Annotated[str, Field(min_length=1, max_length=50, examples=["bus"])]
    count: Annotated[int, Field(ge=1, le=10_000, strict=True)] = 1
    seats: Annotated[int | None, Field(ge=1, le=500, strict=True, description=(
        "People one vehicle carries; defaults for bus, coach, minibus, van, car, ambulance and "
        "truck, required for other kinds"))] = None
    plates: list[Annotated[str, Field(max_length=20)]] = []


class NotificationIn(_In):
    """A movement announced to the parties: who moves, how many, by which route, when."""

    corridor_id: EntityId
    movers: Annotated[str, Field(min_length=1, max_length=4000,
                                 description="Who moves: organisation and kind of people")]
    people: Count
    vehicles: list[VehicleIn] = []
    route: LineStringIn | None = None
    waypoints: list[Name] | None = Field(default=None, min_length=2)
    start_at: Timestamp
    end_at: Timestamp
    emergency: Flag = False

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end_at <= self.start_at:
            raise ValueError(_("end_at must be after start_at"))
        return self


class AcknowledgementIn(_In):
    """A party's answer to a movement notification."""

    party_id: PartyId
    decision: Decision
    reason: Text = ""

    @model_validator(mode="after")
    def _denial_has_reason(self) -> Self:
        if self.decision == "deny" and not self.reason.strip():
            raise ValueError(_("a denial must give a reason"))
        return self


class AcknowledgementOut(_Out):
    """A party's recorded answer to a movement notification."""

    party_id: str
    decision: Decision
    reason: str
    created_at: dt.datetime


class NotificationOut(_Out):
    """A movement notification with every party's answer so far."""

    id: int
    corridor_id: int
    movers: str
    people: int
    vehicles: list[VehicleIn]
    route: LineStringIn | None
    waypoints: list[str] | None
    start_at: dt.datetime
    end_at: dt.datetime
    emergency: bool
    created_by: str
    created_at: dt.datetime
    acknowledgements: list[AcknowledgementOut]


class IncidentIn(_In):
    """Something that happened near a corridor, reported from the ground."""

    corridor_id: EntityId | None = None
    type: Annotated[str, Field(min_length=1, max_length=50, examples=["shelling"])]
    lon: Longitude
    lat: Latitude
    occurred_at: Timestamp
    description: Text = ""
    suspend: Flag = Field(default=False, description="Suspend the (open) corridor")

    @model_validator(mode="after")
    def _suspend_names_corridor(self) -> Self:
        if self.suspend and self.corridor_id is None:
            raise ValueError(_("suspend needs a corridor_id"))
        return self


class IncidentOut(_Out):
    """A recorded incident, and whether reporting it suspended the corridor."""

    id: int
    corridor_id: int | None
    type: str
    lon: float
    lat: float
    occurred_at: dt.datetime
    description: str
    reporter: str
    suspended_corridor: bool
    created_at: dt.datetime


class ConvoyReportIn(_In):
    """Where a notified convoy is and how it is doing."""

    status: ConvoyStatus
    lon: Longitude
    lat: Latitude
    reported_at: Timestamp
    people: Count | None = None
    note: Text = ""


class ConvoyReportOut(_Out):
    """A recorded convoy report."""

    id: int
    notification_id: int
    status: ConvoyStatus
    lon: float
    lat: float
    reported_at: dt.datetime
    people: int | None
    note: str
    reporter: str
    created_at: dt.datetime


# -- alerts ------------------------------------------------------------------------------------

Subject = Literal["proposal", "agreement", "corridor"]
AlertKind = Literal["hazard", "front_line", "territory", "rule", "route"]


class AlertAcknowledgementOut(_Out):
    """A party's recorded acknowledgement of an alert."""

    alert_id: int
    party_id: str
    note: str
    created_at: dt.datetime


class AlertOut(_Out):
    """A change on the ground that makes a proposal, agreement or corridor other than judged."""

    id: int
    situation_id: int = Field(description="The snapshot since which the condition holds")
    subject: Subject
    subject_id: int
    kind: AlertKind = Field(description=(
        "hazard: the route enters a hazard zone during its windows; front_line: it crosses "
        "the front line; territory: it enters ground held by another holder than the "
        "origin's; rule: a party's rule now fails; route: the route as judged no longer exists"))
    key: str = Field(description="What the condition is about, stable across snapshots")
    what: str = Field(description="The zone, territory label or rule code")
    party_id: str | None = Field(description="The party whose rule fails (rule alerts)")
    message: str
    km_from_origin: float | None
    near: str | None = Field(description="The nearest settlement to where it happens")
    lon: float | None
    lat: float | None
    cleared_situation_id: int | None = Field(
        description="The first later snapshot under which the condition no longer holds")
    created_at: dt.datetime
    acknowledgements: list[AlertAcknowledgementOut]


class ProposalRecord(BaseModel):
    """A proposal with everything that followed from it in the store.

    Positions, agreements, corridors, movements and their acknowledgements, and the parties
    they name.
    """

    proposal: ProposalOut
    status: str
    parties: list[PartyOut]
    positions: list[PositionOut]
    agreements: list[AgreementOut]
    corridors: list[CorridorOut]
    notifications: list[NotificationOut]
    alerts: list[AlertOut] = Field(default=[], description=(
        "Alerts on the proposal, its agreements and corridors, oldest first"))


class AuditEntryOut(_Out):
    """One link of the audit chain: what was done, by whom, and the hashes that bind it."""

    seq: int
    actor: str
    at: dt.datetime
    action: str
    entity: str
    entity_id: str
    payload_hash: str
    prev_hash: str
    entry_hash: str
