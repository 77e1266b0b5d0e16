"""Situation snapshots and the alerts they raise: the store's side of monitoring.

As in :mod:`corridor.store.coordination`, every change goes through one of these functions
inside the caller's write transaction and is audited; what the re-evaluation finds (which
conditions hold for which subject) is computed elsewhere and handed in as :class:`Finding`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.errors import ConflictError
from corridor.i18n import _
from corridor.store.coordination import _record
from corridor.store.models import Alert, AlertAcknowledgement, Party, SituationSnapshot
from corridor.store.queries import get
from corridor.store.schemas import AlertAcknowledgementOut, AlertOut
from corridor.store.situation_schemas import AlertAcknowledgementIn, SituationIn, SituationOut

#: A subject of monitoring: (``proposal`` | ``agreement`` | ``corridor``, its id).
SubjectKey = tuple[str, int]


@dataclass(frozen=True)
class Finding:
    """One condition that holds for a route under a situation, and where along the route.

    ``key`` identifies the condition across situations (the zone's name, the territory label,
    the party's rule), so that the same condition under the next snapshot is recognised as
    unchanged and raises nothing.
    """

    kind: str
    key: str
    what: str
    message: str
    party: str | None = None
    km: float | None = None
    near: str | None = None
    lonlat: tuple[float, float] | None = None
    #: The condition as a code and parameters, to word it in any language
    #: (:func:`corridor.monitoring.findings.finding_text`); ``message`` is its English record.
    code: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)


def record_situation(session: Session, actor: str, body: SituationIn) -> SituationSnapshot:
    """Store a posted snapshot as its author sent it, audited with its whole payload."""
    snapshot = SituationSnapshot(author=actor, source=body.source, effective=body.effective,
                                 note=body.note, payload=body.payload())
    return _record(session, actor, "situation.created", snapshot, SituationOut)


def raise_alert(session: Session, actor: str, situation_id: int, subject: SubjectKey,
                finding: Finding) -> Alert:
    """Store an alert for a condition that began with snapshot ``situation_id``."""
    lon, lat = finding.lonlat or (None, None)
    alert = Alert(situation_id=situation_id, subject=subject[0], subject_id=subject[1],
                  kind=finding.kind, key=finding.key[:300], what=finding.what[:300],
                  party_id=finding.party, message=finding.message,
                  km_from_origin=None if finding.km is None else round(finding.km, 1),
                  near=finding.near, lon=lon, lat=lat)
    return _record(session, actor, "alert.created", alert, AlertOut)


def clear_alert(session: Session, actor: str, alert: Alert, situation_id: int) -> Alert:
    """Mark an alert's condition as gone under snapshot ``situation_id``."""
    alert.cleared_situation_id = situation_id
    return _record(session, actor, "alert.cleared", alert, AlertOut)


def active_alerts(session: Session, subjects: Iterable[SubjectKey] | None = None,
                  ) -> dict[SubjectKey, dict[str, Alert]]:
    """Alerts not yet cleared, by subject and then by the condition's kind and key."""
    wanted = None if subjects is None else set(subjects)
    out: dict[SubjectKey, dict[str, Alert]] = {}
    for alert in session.scalars(select(Alert).where(Alert.cleared_situation_id.is_(None))
                                 .order_by(Alert.id)):
        subject = (alert.subject, alert.subject_id)
        if wanted is None or subject in wanted:
            out.setdefault(subject, {})[f"{alert.kind}:{alert.key}"] = alert
    return out


def acknowledge_alert(session: Session, actor: str, alert_id: int,
                      body: AlertAcknowledgementIn) -> AlertAcknowledgement:
    """Record that a party has seen an alert; each party acknowledges an alert once."""
    alert = get(session, Alert, alert_id)
    get(session, Party, body.party_id, field="party_id")
    if any(a.party_id == body.party_id for a in alert.acknowledgements):
        raise ConflictError(_("party {party} has already acknowledged alert {alert}").format(
            party=body.party_id, alert=alert_id))
    ack = AlertAcknowledgement(alert_id=alert.id, **body.model_dump())
    alert.acknowledgements.append(ack)
    return _record(session, actor, "alert_acknowledgement.created", ack,
                   AlertAcknowledgementOut, filed_under=("alert", alert.id))


def settle(session: Session, actor: str, situation_id: int, subject: SubjectKey,
           before: Iterable[Finding], after: Iterable[Finding],
           active: dict[str, Alert]) -> tuple[list[Alert], list[Alert]]:
    """Raise an alert for each condition that came with the snapshot; clear those that went.

    A condition that held already before the snapshot raises nothing (it was judged with the
    route), nor does one still under an uncleared alert; an alert is cleared once its condition
    no longer holds.
    """
    held = {f"{f.kind}:{f.key}" for f in before}
    now = {f"{f.kind}:{f.key}": f for f in after}
    raised = [raise_alert(session, actor, situation_id, subject, finding)
              for key, finding in now.items() if key not in held and key not in active]
    cleared = [clear_alert(session, actor, alert, situation_id)
               for key, alert in active.items() if key not in now]
    return raised, cleared
