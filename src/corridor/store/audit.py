"""The hash-chained audit log.

Every change appends one entry in the same transaction as the change itself, so the log can never
disagree with the data. Each entry hashes its own fields together with the previous entry's hash:
editing, inserting or deleting a row breaks the link at that row, which :func:`verify_chain`
names. A chain alone cannot show that its newest entries were cut off, or that the whole log
was rewritten from some point on with fresh hashes: an :class:`Anchor` (an entry's ``seq`` and
``entry_hash``) kept outside the store can. Every agreement document carries the head of the log
as it stood when the agreement was drawn up, so each signatory holds a signed anchor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.errors import StoreError
from corridor.i18n import _
from corridor.store.db import Database
from corridor.store.models import AuditEntry, utcnow
from corridor.store.signing import canonical_json

GENESIS_HASH = "0" * 64
_VERIFY_BATCH = 1000


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def compute_entry_hash(entry: AuditEntry) -> str:
    """The hash an entry must carry, from its own fields and its predecessor's hash."""
    return _sha256(canonical_json({
        "seq": entry.seq,
        "actor": entry.actor,
        "at": entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "payload_hash": entry.payload_hash,
        "prev_hash": entry.prev_hash,
    }))


def payload_of(value: BaseModel | dict[str, Any]) -> dict[str, Any]:
    """The JSON form of a change as it is logged and streamed to event subscribers."""
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value


def _newest(session: Session) -> AuditEntry | None:
    return session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).first()


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | int,
    payload: BaseModel | dict[str, Any],
) -> AuditEntry:
    """Log a change. Callers must hold the store's write lock (see ``Database.write``)."""
    head = _newest(session)
    body = payload_of(payload)
    entry = AuditEntry(
        seq=head.seq + 1 if head else 1,
        actor=actor,
        at=utcnow(),
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        payload=body,
        payload_hash=_sha256(canonical_json(body)),
        prev_hash=head.entry_hash if head else GENESIS_HASH,
    )
    entry.entry_hash = compute_entry_hash(entry)
    session.add(entry)
    session.flush()
    return entry


_ANCHOR = re.compile(r"(?P<seq>[1-9][0-9]*):(?P<hash>[0-9a-f]{64})")


@dataclass(frozen=True)
class Anchor:
    """A point of the chain known from outside the store: entry ``seq`` had ``entry_hash``."""

    seq: int
    entry_hash: str

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """Read the ``SEQ:HASH`` form that :meth:`__str__` writes.

        Spaces are ignored, so a hash printed in groups (as on a corridor sheet) can be typed
        as printed.
        """
        match = _ANCHOR.fullmatch(re.sub(r"\s+", "", text).lower())
        if match is None:
            raise StoreError(_("anchor {anchor!r} is not SEQ:HASH (a positive entry number, a "
                               "colon and the entry's 64-hex-digit hash)").format(anchor=text),
                             field="anchor")
        return cls(int(match["seq"]), match["hash"])

    def __str__(self) -> str:
        return f"{self.seq}:{self.entry_hash}"


def head(session: Session) -> Anchor | None:
    """The newest entry as an anchor to publish; None for an empty log."""
    entry = _newest(session)
    return None if entry is None else Anchor(entry.seq, entry.entry_hash)


@dataclass(frozen=True)
class ChainReport:
    """Result of :func:`verify_chain`.

    ``broken_seq`` is the first entry that does not check; ``head`` the newest entry, worth
    publishing when the chain is intact.
    """

    entries: int
    broken_seq: int | None = None
    reason: str = ""
    head: Anchor | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None

    def describe(self) -> str:
        """One line for people: intact with its head, or where and why it broke."""
        if self.ok:
            return f"ok: {self.entries} entries, chain intact, head {self.head or 'none'}"
        return f"broken at seq {self.broken_seq}: {self.reason}"


def _entries(session: Session) -> Iterator[AuditEntry]:
    """All entries in order, a batch at a time so long logs do not fill memory."""
    last = 0
    while True:
        batch = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last)
            .order_by(AuditEntry.seq).limit(_VERIFY_BATCH)
        ).all()
        if not batch:
            return
        yield from batch
        last = batch[-1].seq
        session.expunge_all()


def _first_fault(entry: AuditEntry, expected_seq: int, prev_hash: str) -> str | None:
    if entry.seq != expected_seq:
        return f"expected seq {expected_seq} next (row missing or inserted)"
    if entry.prev_hash != prev_hash:
        return (f"prev_hash does not match entry {expected_seq - 1} "
                "(a row was deleted, inserted or edited)")
    if entry.payload_hash != _sha256(canonical_json(entry.payload)):
        return "payload does not match payload_hash (payload edited)"
    if entry.entry_hash != compute_entry_hash(entry):
        return "entry_hash does not match the entry's fields (entry edited)"
    return None


def verify_chain(db: Database | Session, anchors: Sequence[Anchor] = ()) -> ChainReport:
    """Recompute every link; report the first entry that the chain or an anchor contradicts."""
    if isinstance(db, Database):
        with db.read() as session:
            return verify_chain(session, anchors)
    return _verify(db, {a.seq: a.entry_hash for a in anchors})


def _verify(session: Session, anchors: dict[int, str]) -> ChainReport:
    prev_hash, count = GENESIS_HASH, 0
    for entry in _entries(session):
        fault = _first_fault(entry, count + 1, prev_hash)
        if fault is None and anchors.get(entry.seq, entry.entry_hash) != entry.entry_hash:
            fault = ("entry_hash differs from the anchor held for this entry "
                     "(the log was rewritten from here or earlier)")
        if fault is not None:
            return ChainReport(entries=count, broken_seq=entry.seq, reason=fault)
        prev_hash, count = entry.entry_hash, count + 1
    beyond = [seq for seq in anchors if seq > count]
    if beyond:
        return ChainReport(entries=count, broken_seq=min(beyond), reason=(
            f"the log ends at seq {count} but an anchor is held for seq {min(beyond)} "
            "(its newest entries were cut off)"))
    return ChainReport(entries=count, head=Anchor(count, prev_hash) if count else None)
