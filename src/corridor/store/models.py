"""Tables of the coordination store, as typed SQLAlchemy 2 mappings.

Structured parts of a record that are only ever read back whole (routes, windows, verdicts,
reasons) are JSON columns: they are exchanged as documents and never queried field by field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from corridor.i18n import _

JSONDocument = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> dt.datetime:
    """The current time in UTC, aware: every stored timestamp is."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware timestamps on every backend, stored as UTC.

    SQLite has no zone-aware type and would silently hand back naive values; refusing naive
    input and re-attaching UTC on the way out keeps "every timestamp carries a zone" true.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """Store an aware time as naive UTC; a naive one is refused, its zone unknown."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(_("naive datetime cannot be stored: timestamps must carry a zone"))
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        """Read a stored time back as aware UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """The declarative base of every table, so Alembic sees them all."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSONDocument,
        list[Any]: JSONDocument,
    }


class Party(Base):
    """A party registered with the service, and the key it signs agreements with."""

    __tablename__ = "parties"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    public_key: Mapped[str | None] = mapped_column(String(64))
    #: Languages its delegation reads (codes of :data:`corridor.i18n.LANGUAGES`): the sheet
    #: of an agreement it signs sets the text in these beside English.
    languages: Mapped[list[Any]] = mapped_column(default=list, server_default=text("'[]'"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class User(Base):
    """Someone who uses the API, by role and party; only a hash of the token is kept."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    party_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The token stops working then; None: it never expires (tokens issued before expiry).
    token_expires_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    #: When the token last authenticated a request, to the minute (see ``api.auth``).
    last_used_at: Mapped[dt.datetime | None]
    #: The language the service answers this user in (``en``, ``uk``, ``ru``); None: the
    #: request's ``Accept-Language`` decides.
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class TalksRound(Base):
    """One round of talks: when, where and what was noted."""

    __tablename__ = "talks_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    date: Mapped[dt.date] = mapped_column(Date)
    venue: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    members: Mapped[list[DelegationMember]] = relationship(
        order_by="DelegationMember.id", lazy="selectin"
    )


class DelegationMember(Base):
    """A delegate at a round of talks."""

    __tablename__ = "delegation_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("talks_rounds.id"), index=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    head: Mapped[bool] = mapped_column(Boolean, default=False)


class Proposal(Base):
    """A corridor proposal tabled in the talks, with the engine's verdicts on it."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("talks_rounds.id"))
    number: Mapped[int | None] = mapped_column(Integer)
    proposer_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    origin: Mapped[str] = mapped_column(String(200))
    destination: Mapped[str] = mapped_column(String(200))
    route: Mapped[dict[str, Any] | None]
    waypoints: Mapped[list[Any] | None]
    windows: Mapped[list[Any]]
    #: Computed by the server from the parties' rules, never taken from a client.
    verdicts: Mapped[dict[str, Any]]
    route_summary: Mapped[dict[str, Any] | None]
    #: The scenario's id of an imported proposal: importing the scenario again finds it.
    ref: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class EvacuationSite(Base):
    """A scenario's origin or destination: people waiting there, or room to receive them."""

    __tablename__ = "places"
    __table_args__ = (UniqueConstraint("name", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(12))
    people: Mapped[int | None] = mapped_column(Integer)
    capacity: Mapped[int | None] = mapped_column(Integer)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CeasefireWindow(Base):
    """A scenario's ceasefire window, under the scenario's id for it."""

    __tablename__ = "windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    start: Mapped[dt.datetime]
    end: Mapped[dt.datetime]
    tz: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Position(Base):
    """A party's answer to a proposal."""

    __tablename__ = "positions"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    stance: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[list[Any]]
    conditions: Mapped[list[Any]]
    counter: Mapped[dict[str, Any] | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Agreement(Base):
    """An agreement's canonical document, which every signatory signs unchanged."""

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    #: Exactly what the parties sign; see :mod:`corridor.store.signing`.
    document: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    signatures: Mapped[list[Signature]] = relationship(order_by="Signature.id", lazy="selectin")


class Signature(Base):
    """A party's signature over an agreement's document, with the key that made it."""

    __tablename__ = "signatures"
    __table_args__ = (UniqueConstraint("agreement_id", "party_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    #: The key in force when signing, so a later key rotation does not orphan old signatures.
    public_key: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))
    signed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Corridor(Base):
    """A corridor under coordination, from proposed to closed."""

    __tablename__ = "corridors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id"))
    status: Mapped[str] = mapped_column(String(12))
    origin: Mapped[str] = mapped_column(String(200))
    destination: Mapped[str] = mapped_column(String(200))
    route: Mapped[dict[str, Any] | None]
    waypoints: Mapped[list[Any] | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """A movement announced for a corridor, which the parties acknowledge or refuse."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    corridor_id: Mapped[int] = mapped_column(ForeignKey("corridors.id"), index=True)
    movers: Mapped[str] = mapped_column(Text)
    people: Mapped[int] = mapped_column(Integer)
    vehicles: Mapped[list[Any]]
    route: Mapped[dict[str, Any] | None]
    waypoints: Mapped[list[Any] | None]
    start_at: Mapped[dt.datetime]
    end_at: Mapped[dt.datetime]
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    acknowledgements: Mapped[list[Acknowledgement]] = relationship(
        order_by="Acknowledgement.id", lazy="selectin"
    )


class Acknowledgement(Base):
    """A party's answer to a movement notification."""

    __tablename__ = "acknowledgements"
    __table_args__ = (UniqueConstraint("notification_id", "party_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"))
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    decision: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Incident(Base):
    """An incident reported near a corridor."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    corridor_id: Mapped[int | None] = mapped_column(ForeignKey("corridors.id"), index=True)
    type: Mapped[str] = mapped_column(String(50))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    occurred_at: Mapped[dt.datetime]
    description: Mapped[str] = mapped_column(Text, default="")
    reporter: Mapped[str] = mapped_column(String(100))
    suspended_corridor: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ConvoyReport(Base):
    """Progress of a notified movement; the convoy is the movement its notification announced."""

    __tablename__ = "convoy_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    reported_at: Mapped[dt.datetime]
    people: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    reporter: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SituationSnapshot(Base):
    """A picture of the ground posted to the service: who, when, from what source, for when.

    ``payload`` is the snapshot as posted (layers as GeoJSON, settlement statuses); it is read
    back whole to move the service's situation, never queried field by field.
    """

    __tablename__ = "situations"

    id: Mapped[int] = mapped_column(primary_key=True)
    author: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(300))
    effective: Mapped[dt.date] = mapped_column(Date, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Alert(Base):
    """A change on the ground that makes a proposal, agreement or corridor other than judged.

    Raised by the re-evaluation after a snapshot (``situation_id``: since which one) and cleared
    by the first later snapshot under which the condition no longer holds.
    """

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    situation_id: Mapped[int] = mapped_column(ForeignKey("situations.id"), index=True)
    subject: Mapped[str] = mapped_column(String(12))
    subject_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    #: What the condition is about, stable across snapshots: a zone, a label, a party's rule.
    key: Mapped[str] = mapped_column(String(300))
    what: Mapped[str] = mapped_column(String(300))
    party_id: Mapped[str | None] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    km_from_origin: Mapped[float | None] = mapped_column(Float)
    near: Mapped[str | None] = mapped_column(String(200))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    cleared_situation_id: Mapped[int | None] = mapped_column(ForeignKey("situations.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    acknowledgements: Mapped[list[AlertAcknowledgement]] = relationship(
        order_by="AlertAcknowledgement.id", lazy="selectin")


class AlertAcknowledgement(Base):
    """A party's acknowledgement that it has seen an alert; each party acknowledges once."""

    __tablename__ = "alert_acknowledgements"
    __table_args__ = (UniqueConstraint("alert_id", "party_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"))
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """One link of the hash chain; see :mod:`corridor.store.audit`."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime]
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]]
    payload_hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class IdempotencyRecord(Base):
    """The first response to a create, replayed when a client retries with the same key."""

    __tablename__ = "idempotency_keys"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
