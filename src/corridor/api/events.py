"""Server-sent events: every change, in audit order, as it is committed.

The stream is the audit log itself, so the event id is the audit ``seq``: a client that
reconnects with ``Last-Event-ID`` misses nothing and sees nothing twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from corridor.errors import StoreError
from corridor.i18n import _
from corridor.store.db import Database

from .common import DB, MAX_ID, READ_ERRORS
from .eventhub import EventHub, Subscription, ending_event, read_after
from .policy import Reader

router = APIRouter(prefix="/api/events", tags=["events"])

_KEEPALIVE_SECONDS = 15.0


async def _stream(hub: EventHub, sub: Subscription, db: Database, after: int,
                  follow: bool) -> AsyncIterator[str]:
    yield "retry: 2000\n\n"
    while sub.ended is None:
        # Without follow the answer must reach the store's head, which the hub may not have seen.
        events = hub.since(after) if follow else None
        if events is None:
            events = await run_in_threadpool(read_after, db, after)
        if events:
            # One write per batch, not per event: with many streams the sends are the cost.
            yield "".join(event for _, event in events)
            after = events[-1][0]
            continue
        if not follow:
            return
        if not await hub.wait(sub, _KEEPALIVE_SECONDS):
            yield ": keep-alive\n\n"
    yield ending_event(sub.ended)


class _Stream(StreamingResponse):
    """Gives the stream's place back however it ends, a client vanishing included."""

    def __init__(self, hub: EventHub, sub: Subscription, body: AsyncIterator[str]) -> None:
        super().__init__(body, media_type="text/event-stream",
                         headers={"Cache-Control": "no-cache"})
        self._hub, self._sub = hub, sub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._hub.unsubscribe(self._sub)


def _start(last_event_id: str | None, after: int | None) -> int:
    if last_event_id is None:
        return after or 0
    try:
        seq = int(last_event_id)
    except ValueError:
        seq = -1
    if not 0 <= seq <= MAX_ID:
        raise StoreError(_("Last-Event-ID must be an event id sent by this stream"),
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
    """Every change as a server-sent event, from ``Last-Event-ID`` or ``after`` on."""
    start = _start(last_event_id, after)
    hub: EventHub = request.app.state.events
    # The token as presented (already accepted by ``Reader``), for the hub's re-checks.
    sub = hub.subscribe(user.id, request.state.token_hash)
    return _Stream(hub, sub, _stream(hub, sub, db, start, follow))
