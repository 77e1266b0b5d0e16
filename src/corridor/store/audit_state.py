"""The audit log as the source the data tables are checked against.

The hash chain proves the log itself unedited; it says nothing of a row changed behind the
service's back (a corridor set to ``open`` by SQL, a user made facilitator, a signature deleted).
Every change the service makes is logged with the record as it stood afterwards, so replaying the
log re-derives what those rows must hold: corridor statuses, users' roles and parties, parties'
keys, the signatures on each agreement, alerts (cleared or not) and their acknowledgements.
:func:`verify_state` compares that with the tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.store.models import (
    Alert,
    AlertAcknowledgement,
    AuditEntry,
    Corridor,
    Party,
    Signature,
    User,
)

_BATCH = 1000

#: What the log says each checked row holds, by table and key.
Expected = dict[str, dict[str, dict[str, Any]]]


@dataclass(frozen=True)
class StateDifference:
    """One row that is not what the log says.

    ``logged`` and ``stored`` are None for a row only one side has.
    """

    table: str
    key: str
    logged: dict[str, Any] | None
    stored: dict[str, Any] | None

    def describe(self) -> str:
        """One line for people: which row, and how the table and the log disagree."""
        if self.stored is None:
            return f"{self.table} {self.key}: in the log as {self.logged}, missing from the table"
        if self.logged is None:
            return f"{self.table} {self.key}: in the table as {self.stored}, never logged"
        return f"{self.table} {self.key}: the log says {self.logged}, the table holds {self.stored}"


@dataclass(frozen=True)
class StateReport:
    """The tables checked against the log: how many entries were replayed, what differs."""

    entries: int
    differences: list[StateDifference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def _user(payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return str(payload["id"]), {"role": payload["role"], "party_id": payload["party_id"]}


def _party(payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return str(payload["id"]), {"public_key": payload["public_key"]}


def _alert(payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return str(payload["id"]), {"cleared_situation_id": payload["cleared_situation_id"]}


def _corridor(payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    corridor = payload.get("corridor", payload)
    return str(corridor["id"]), {"status": corridor["status"]}


#: For each logged action that sets a checked row: the table and how to read the row's state
#: from the entry's payload (and, for signatures, the agreement the entry is filed under).
_REPLAY: dict[str, tuple[str, Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]]] = {
    "user.created": ("users", _user),
    "user.token_revoked": ("users", _user),
    "user.token_rotated": ("users", _user),
    "user.language_set": ("users", _user),
    "party.created": ("parties", _party),
    "party.key_set": ("parties", _party),
    "corridor.created": ("corridors", _corridor),
    "corridor.status_changed": ("corridors", _corridor),
    "alert.created": ("alerts", _alert),
    "alert.cleared": ("alerts", _alert),
}


def _entries(session: Session) -> Iterator[AuditEntry]:
    last = 0
    while batch := session.scalars(select(AuditEntry).where(AuditEntry.seq > last)
                                   .order_by(AuditEntry.seq).limit(_BATCH)).all():
        yield from batch
        last = batch[-1].seq
        session.expunge_all()


def logged_state(session: Session) -> tuple[int, Expected]:
    """Replay the log: the number of entries, and what each checked row must hold."""
    expected: Expected = {"users": {}, "parties": {}, "corridors": {}, "signatures": {},
                          "alerts": {}, "alert_acknowledgements": {}}
    count = 0
    for entry in _entries(session):
        count += 1
        if entry.action == "signature.created":
            key = f"{entry.entity_id}/{entry.payload['party_id']}"
            expected["signatures"][key] = {"public_key": entry.payload["public_key"],
                                           "signature": entry.payload["signature"]}
        elif entry.action == "alert_acknowledgement.created":
            key = f"{entry.entity_id}/{entry.payload['party_id']}"
            expected["alert_acknowledgements"][key] = {}
        elif (rule := _REPLAY.get(entry.action)) is not None:
            table, read = rule
            key, state = read(entry.payload)
            expected[table][key] = state
    return count, expected


def stored_state(session: Session) -> Expected:
    """The same rows as the tables hold them now."""
    return {
        "users": {str(u.id): {"role": u.role, "party_id": u.party_id}
                  for u in session.scalars(select(User))},
        "parties": {p.id: {"public_key": p.public_key} for p in session.scalars(select(Party))},
        "corridors": {str(c.id): {"status": c.status}
                      for c in session.scalars(select(Corridor))},
        "signatures": {f"{s.agreement_id}/{s.party_id}": {"public_key": s.public_key,
                                                          "signature": s.signature}
                       for s in session.scalars(select(Signature))},
        "alerts": {str(a.id): {"cleared_situation_id": a.cleared_situation_id}
                   for a in session.scalars(select(Alert))},
        "alert_acknowledgements": {f"{a.alert_id}/{a.party_id}": {}
                                   for a in session.scalars(select(AlertAcknowledgement))},
    }


def verify_state(session: Session) -> StateReport:
    """Every difference between the checked tables and the state the log re-derives."""
    stored = stored_state(session)
    count, logged = logged_state(session)
    differences = [
        StateDifference(table, key, logged[table].get(key), stored[table].get(key))
        for table in logged
        for key in sorted(logged[table].keys() | stored[table].keys())
        if logged[table].get(key) != stored[table].get(key)]
    return StateReport(entries=count, differences=differences)
