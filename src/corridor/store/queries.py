"""Read models: what the API, the sheets and the map read from the store, in one place.

Changes go through :mod:`corridor.store.coordination`; everything here only reads, inside the
caller's session (``Database.read``), and returns plain data (schemas, GeoJSON dictionaries),
so that reports and routers never hold a database session or write a query of their own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from corridor.errors import NotFoundError
from corridor.i18n import N_, _
from corridor.store.models import (
    Agreement,
    Alert,
    Base,
    ConvoyReport,
    Corridor,
    Incident,
    Notification,
    Party,
    Position,
    Proposal,
    User,
)
from corridor.store.schemas import (
    AgreementOut,
    AlertOut,
    CorridorOut,
    NotificationOut,
    PartyOut,
    PositionOut,
    ProposalOut,
    ProposalRecord,
)

M = TypeVar("M", bound=Base)

#: What a 404 says for each kind of entity fetched by id, a whole sentence each: Ukrainian and
#: Russian put the noun in the genitive here, which a noun slotted into one sentence cannot.
#: Other tables fall back to their English name in a generic sentence.
_MISSING: dict[str, str] = {
    "parties": N_("party {key} does not exist"),
    "users": N_("user {key} does not exist"),
    "talks_rounds": N_("talks round {key} does not exist"),
    "proposals": N_("proposal {key} does not exist"),
    "agreements": N_("agreement {key} does not exist"),
    "corridors": N_("corridor {key} does not exist"),
    "notifications": N_("notification {key} does not exist"),
    "incidents": N_("incident {key} does not exist"),
    "situations": N_("situation snapshot {key} does not exist"),
    "alerts": N_("alert {key} does not exist"),
}


def get(session: Session, model: type[M], key: object, *, field: str | None = None) -> M:
    """Fetch by primary key, or raise a 404-class error naming the entity and id."""
    found = session.get(model, key)
    if found is None:
        missing = _MISSING.get(model.__tablename__)
        if missing is None:
            name = re.sub(r"(?<!^)(?=[A-Z])", " ", model.__name__).lower()
            raise NotFoundError(_("{entity} {key} does not exist").format(entity=name, key=key),
                                field=field)
        raise NotFoundError(_(missing).format(key=key), field=field)
    return found


def user_named(session: Session, name: str) -> User:
    """The user called ``name``; a 404-class error naming it if there is none."""
    user = session.scalars(select(User).where(User.name == name)).first()
    if user is None:
        raise NotFoundError(_("user {name!r} does not exist").format(name=name), field="name")
    return user


def page(
    session: Session,
    model: type[M],
    key: InstrumentedAttribute[Any],
    *,
    after: object | None,
    limit: int,
    where: Sequence[ColumnElement[bool]] = (),
) -> tuple[list[M], object | None]:
    """Keyset pagination: stable under concurrent inserts, unlike offsets."""
    stmt = select(model).where(*where).order_by(key).limit(limit + 1)
    if after is not None:
        stmt = stmt.where(key > after)
    rows = list(session.scalars(stmt))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (getattr(rows[-1], key.key) if more else None)


# -- one proposal and what followed from it ----------------------------------------------------

def status_of(verdicts: dict[str, object], stances: list[str], corridors: list[str]) -> str:
    """One word for a proposal on the map.

    A corridor made from it has the last word; before that, a failed rule verdict or a party's
    rejection marks it rejected.
    """
    if corridors:
        return corridors[-1]
    failed = any(isinstance(v, dict) and not v.get("acceptable", True) for v in verdicts.values())
    return "rejected" if failed or "reject" in stances else "proposed"


def proposal_record(session: Session, proposal_id: int) -> ProposalRecord:
    """Everything the store holds about one proposal; 404-class error if absent."""
    proposal = ProposalOut.model_validate(get(session, Proposal, proposal_id))
    positions = [PositionOut.model_validate(p) for p in session.scalars(
        select(Position).where(Position.proposal_id == proposal_id).order_by(Position.id))]
    agreements = [AgreementOut.model_validate(a) for a in session.scalars(
        select(Agreement).where(Agreement.proposal_id == proposal_id).order_by(Agreement.id))]
    corridors = [CorridorOut.model_validate(c) for c in session.scalars(
        select(Corridor).where(Corridor.agreement_id.in_([a.id for a in agreements]))
        .order_by(Corridor.id))]
    notifications = [NotificationOut.model_validate(n) for n in session.scalars(
        select(Notification).where(Notification.corridor_id.in_([c.id for c in corridors]))
        .order_by(Notification.id))]
    alerts = [AlertOut.model_validate(a) for a in session.scalars(select(Alert).where(or_(
        (Alert.subject == "proposal") & (Alert.subject_id == proposal_id),
        (Alert.subject == "agreement") & Alert.subject_id.in_([a.id for a in agreements]),
        (Alert.subject == "corridor") & Alert.subject_id.in_([c.id for c in corridors])))
        .order_by(Alert.id))]
    named = {proposal.proposer_id, *proposal.verdicts, *(p.party_id for p in positions),
             *(party for a in agreements for party in a.document.get("parties", []))}
    parties = [PartyOut.model_validate(p) for p in session.scalars(
        select(Party).where(Party.id.in_(named)).order_by(Party.id))]
    status = status_of(proposal.model_dump()["verdicts"], [p.stance for p in positions],
                       [c.status for c in corridors])
    return ProposalRecord(proposal=proposal, status=status, parties=parties,
                          positions=positions, agreements=agreements, corridors=corridors,
                          notifications=notifications, alerts=alerts)


def proposal_of_corridor(session: Session, corridor_id: int) -> int:
    """The proposal a corridor was agreed from: its sheet is that proposal's.

    Raises a 404-class error for an unknown corridor and for one set up without an agreement
    on a proposal, which has no dossier to print.
    """
    corridor = get(session, Corridor, corridor_id)
    agreement = (None if corridor.agreement_id is None
                 else get(session, Agreement, corridor.agreement_id))
    if agreement is None or agreement.proposal_id is None:
        raise NotFoundError(_("corridor {corridor} was not agreed on a proposal, so it has no "
                              "corridor sheet; sheets are printed from a proposal's "
                              "dossier").format(corridor=corridor_id), field="corridor_id")
    return agreement.proposal_id


# -- map features: what changes while the service runs ----------------------------------------

def _point(lon: float, lat: float, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties,
            "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def _line(route: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": route}


@dataclass(frozen=True)
class MapFilter:
    """What part of the live map to read: a box and a time span.

    The box is (min lon, min lat, max lon, max lat); None leaves a side open. A field office on
    a slow link asks for its own area.
    """

    bbox: tuple[float, float, float, float] | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def contains(self, lon: float, lat: float) -> bool:
        """Whether a point lies in the box (always, without one)."""
        if self.bbox is None:
            return True
        min_lon, min_lat, max_lon, max_lat = self.bbox
        return min_lon <= lon <= max_lon and min_lat <= lat <= max_lat

    def crosses(self, route: dict[str, Any]) -> bool:
        """Whether the line's bounding box meets the filter's box."""
        if self.bbox is None:
            return True
        lons: list[float] = [point[0] for point in route["coordinates"]]
        lats: list[float] = [point[1] for point in route["coordinates"]]
        min_lon, min_lat, max_lon, max_lat = self.bbox
        return (min(lons) <= max_lon and max(lons) >= min_lon
                and min(lats) <= max_lat and max(lats) >= min_lat)

    def in_span(self, column: Any) -> list[ColumnElement[bool]]:
        """SQL conditions keeping ``column`` within the time span."""
        return [*([column >= self.since] if self.since else []),
                *([column <= self.until] if self.until else [])]

    def in_box(self, lon: Any, lat: Any) -> list[ColumnElement[bool]]:
        """SQL conditions keeping the point (``lon``, ``lat``) within the box."""
        if self.bbox is None:
            return []
        min_lon, min_lat, max_lon, max_lat = self.bbox
        return [lon.between(min_lon, max_lon), lat.between(min_lat, max_lat)]


EVERYWHERE = MapFilter()


def corridor_features(session: Session, where: MapFilter = EVERYWHERE) -> list[dict[str, Any]]:
    """Proposals' routes coloured by status, then corridors made without a proposal.

    Only those crossing the filter's box.
    """
    proposals = session.scalars(select(Proposal).order_by(Proposal.id)).all()
    stances: dict[int, list[str]] = {}
    for proposal_id, stance in session.execute(select(Position.proposal_id, Position.stance)):
        stances.setdefault(proposal_id, []).append(stance)
    from_proposal = dict(session.execute(select(Agreement.id, Agreement.proposal_id)).all())
    corridors = session.scalars(select(Corridor).order_by(Corridor.id)).all()
    statuses: dict[int, list[str]] = {}
    for c in corridors:
        if (source := from_proposal.get(c.agreement_id or 0)) is not None:
            statuses.setdefault(source, []).append(c.status)
    features = [
        _line(p.route, {"kind": "proposal", "proposal_id": p.id, "number": p.number,
                        "origin": p.origin, "destination": p.destination,
                        "proposer": p.proposer_id,
                        "held_exposure": (p.route_summary or {}).get("held_exposure"),
                        "status": status_of(p.verdicts, stances.get(p.id, []),
                                            statuses.get(p.id, []))})
        for p in proposals if p.route is not None and where.crosses(p.route)]
    features += [
        _line(c.route, {"kind": "corridor", "corridor_id": c.id, "name": c.name,
                        "origin": c.origin, "destination": c.destination,
                        "status": c.status})
        for c in corridors
        if c.route is not None and from_proposal.get(c.agreement_id or 0) is None
        and where.crosses(c.route)]
    return features


def convoy_features(session: Session, where: MapFilter = EVERYWHERE) -> list[dict[str, Any]]:
    """The latest position of every convoy reported in the time span, if it is in the box."""
    latest: dict[int, dict[str, Any]] = {}
    rows = session.execute(select(ConvoyReport, Notification.corridor_id, Notification.movers)
                           .join(Notification, ConvoyReport.notification_id == Notification.id)
                           .where(*where.in_span(ConvoyReport.reported_at))
                           .order_by(ConvoyReport.reported_at, ConvoyReport.id))
    for report, corridor_id, movers in rows:
        latest[report.notification_id] = _point(report.lon, report.lat, {
            "convoy_id": report.notification_id, "corridor_id": corridor_id,
            "movers": movers, "status": report.status, "people": report.people,
            "reported_at": report.reported_at.isoformat(), "note": report.note})
    return [f for f in latest.values() if where.contains(*f["geometry"]["coordinates"])]


def incident_features(session: Session, where: MapFilter = EVERYWHERE) -> list[dict[str, Any]]:
    """Every incident in the box and time span, where it happened."""
    return [_point(i.lon, i.lat, {
        "incident_id": i.id, "type": i.type, "corridor_id": i.corridor_id,
        "occurred_at": i.occurred_at.isoformat(), "description": i.description,
        "suspended_corridor": i.suspended_corridor})
        for i in session.scalars(select(Incident).where(
            *where.in_box(Incident.lon, Incident.lat), *where.in_span(Incident.occurred_at))
            .order_by(Incident.id))]


def live_features(session: Session,
                  where: MapFilter = EVERYWHERE) -> dict[str, list[dict[str, Any]]]:
    """The map's changing layers, read in one transaction so they agree with each other."""
    return {"corridors": corridor_features(session, where),
            "convoys": convoy_features(session, where),
            "incidents": incident_features(session, where)}
