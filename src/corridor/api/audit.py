"""The audit log, read-only: every change ever made, hash-chained."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from corridor.store.audit import verify_chain
from corridor.store.models import AuditEntry
from corridor.store.schemas import AuditEntryOut

from .auth import Reader
from .common import DB, READ_ERRORS, Page, Paging, list_page

router = APIRouter(prefix="/api/audit", tags=["audit"])


class ChainOut(BaseModel):
    ok: bool
    entries: int
    broken_seq: int | None
    reason: str


@router.get("", responses=READ_ERRORS)
def list_entries(db: DB, _: Reader, paging: Paging) -> Page[AuditEntryOut]:
    return list_page(db, AuditEntry, AuditEntry.seq, AuditEntryOut, paging)


@router.get("/verify", responses=READ_ERRORS)
def verify(db: DB, _: Reader) -> ChainOut:
    """Recompute the whole chain now; ``broken_seq`` is the first entry that fails."""
    report = verify_chain(db)
    return ChainOut(ok=report.ok, entries=report.entries, broken_seq=report.broken_seq,
                    reason=report.reason)
