"""Server-sent events: every change, in audit order, as it is committed.

The stream is the audit log itself, so the event id is the audit ``seq``: a client that
reconnects with ``Last-Event-ID`` misses nothing and sees nothing twice.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from corridor.errors import StoreError
from corridor.store.db import Database
from corridor.store.models import AuditEntry, User

from .auth import token_still_valid
from .common import DB, MAX_ID, READ_ERRORS
from .policy import Reader

router = APIRouter(prefix="/api/events", tags=["events"])

_BATCH = 200
_KEEPALIVE_SECONDS = 15.0


def _batch(db: Database, after: int) -> list[tuple[int, str]]:
    """The next changes after ``after``, as (seq, formatted event)."""
    with db.read() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > after)
            .order_by(AuditEntry.seq).limit(_BATCH)
        ).all()
        return [(entry.seq, _format(entry)) for entry in entries]


def _format(entry: AuditEntry) -> str:
    data = {"seq": entry.seq, "action": entry.action, "entity": entry.entity,
            "entity_id": entry.entity_id, "actor": entry.actor,
            "at": entry.at.isoformat(), "payload": entry.payload}
    return (f"id: {entry.seq}\nevent: {entry.action}\n"
            f"data: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n")


async def _stream(request: Request, db: Database, user: User, after: int, follow: bool,
                  poll: float) -> AsyncIterator[str]:
    yield "retry: 2000\n\n"
    idle = 0.0
    token: str = request.state.token_hash
    while not await request.is_disconnected():
        # A revoked, rotated or expired token ends the stream before anything more is sent.
        if not await run_in_threadpool(token_still_valid, db, user.id, token):
            yield "event: token_invalid\ndata: {}\n\n"
            return
        events = await run_in_threadpool(_batch, db, after)
        for seq, event in events:
            yield event
            after = seq
        if events:
            idle = 0.0
            continue
        if not follow:
            return
        await asyncio.sleep(poll)
        idle += poll
        if idle >= _KEEPALIVE_SECONDS:
            yield ": keep-alive\n\n"
            idle = 0.0


def _start(last_event_id: str | None, after: int | None) -> int:
    if last_event_id is None:
        return after or 0
    try:
        seq = int(last_event_id)
    except ValueError:
        seq = -1
    if not 0 <= seq <= MAX_ID:
        raise StoreError("Last-Event-ID must be an event id sent by this stream",
                         field="Last-Event-ID")
    return seq


@router.get("", response_class=StreamingResponse, responses={
    **READ_ERRORS, 200: {"content": {"text/event-stream": {"schema": {"type": "string"}}},
                         "description": "One event per change: id = audit seq"}})
async def events(
    request: Request,
    db: DB,
    user: Reader,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)] = None,
    after: Annotated[int | None, Query(ge=0, le=MAX_ID, description="Start after this seq")] = None,
    follow: Annotated[bool, Query(description="Keep the stream open for new changes")] = True,
) -> StreamingResponse:
    start = _start(last_event_id, after)
    poll: float = request.app.state.settings.event_poll_seconds
    return StreamingResponse(_stream(request, db, user, start, follow, poll),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache"})
