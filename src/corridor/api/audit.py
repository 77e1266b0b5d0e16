"""The audit log, read-only: every change ever made, hash-chained."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from corridor.store.audit import Anchor, verify_chain
from corridor.store.models import AuditEntry
from corridor.store.schemas import AuditEntryOut

from .common import DB, READ_ERRORS, Page, Paging, list_page
from .policy import Reader

router = APIRouter(prefix="/api/audit", tags=["audit"])


class ChainOut(BaseModel):
    """The audit chain checked: intact or not, where it first breaks, and its head to keep."""

    ok: bool
    entries: int
    broken_seq: int | None
    reason: str
    head: str | None = Field(description="The newest entry as SEQ:HASH when the chain is "
                                         "intact: keep it, and check against it later")


@router.get("", responses=READ_ERRORS)
def list_entries(db: DB, _: Reader, paging: Paging) -> Page[AuditEntryOut]:
    """The audit log, oldest entry first, a page at a time."""
    return list_page(db, AuditEntry, AuditEntry.seq, AuditEntryOut, paging)


@router.get("/verify", responses=READ_ERRORS)
def verify(db: DB, _: Reader, anchor: Annotated[list[str] | None, Query(
        description="SEQ:HASH of an entry known from outside the store, such as an agreement's "
                    "audit_head; repeat for several")] = None) -> ChainOut:
    """Recompute the whole chain now; ``broken_seq`` is the first entry that fails."""
    report = verify_chain(db, [Anchor.parse(text) for text in anchor or ()])
    return ChainOut(ok=report.ok, entries=report.entries, broken_seq=report.broken_seq,
                    reason=report.reason, head=None if report.head is None else str(report.head))
