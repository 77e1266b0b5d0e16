"""One poller of the audit log, fanned out to every open event stream.

Polling per stream made the database cost grow with the number of listeners (a thousand
streams, four thousand queries a second). Here a single task reads new entries and keeps the
recent ones in memory; a stream reads the store itself only to catch up from an old
``Last-Event-ID``, then follows the hub. Streams are capped per user and in total, and each
batch of changes (and every few seconds without one) re-checks the tokens of the open streams
through the same rule the API applies to a request, so a token that is revoked or expires
ends its streams at once.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import HTTPException, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func, select

from corridor.i18n import N_, _
from corridor.settings import Limits
from corridor.store.db import Database
from corridor.store.models import AuditEntry

#: Entries read per query, by the poller and by a stream catching up.
BATCH = 200
#: Entries kept in memory; a stream further behind reads the store until it catches up.
_KEPT = 4 * BATCH
#: Seconds between token re-checks when nothing changes.
_RECHECK_SECONDS = 5.0

Event = tuple[int, str]


def read_after(db: Database, after: int, limit: int = BATCH) -> list[Event]:
    """The next changes after ``after`` from the store, as (seq, formatted event)."""
    with db.read() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > after)
            .order_by(AuditEntry.seq).limit(limit)
        ).all()
        return [(entry.seq, _format(entry)) for entry in entries]


def _head(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.coalesce(func.max(AuditEntry.seq), 0))) or 0)


def _format(entry: AuditEntry) -> str:
    data = {"seq": entry.seq, "action": entry.action, "entity": entry.entity,
            "entity_id": entry.entity_id, "actor": entry.actor,
            "at": entry.at.isoformat(), "payload": entry.payload}
    return (f"id: {entry.seq}\nevent: {entry.action}\n"
            f"data: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n")


#: Why a stream ends: the name of its last event, and that event's detail.
Ending = tuple[str, str]
#: The last event of a stream whose token stopped working, and of one cut at shutdown.
TOKEN_INVALID: Ending = ("token_invalid", N_("the bearer token is no longer valid"))
SHUTDOWN: Ending = ("end", N_("the service is shutting down"))


def ending_event(ending: Ending) -> str:
    """The stream's last event, its detail in the language of the stream's request.

    The hub decides that a stream ends from its own task, which has no request's language, so
    the detail is translated only when the stream sends it.
    """
    event, detail = ending
    return f"event: {event}\ndata: {json.dumps({'detail': _(detail)}, ensure_ascii=False)}\n\n"


@dataclass(eq=False)
class Subscription:
    """One open stream: whose it is and the hash of the token it showed.

    Once the stream must end, also the last event to send.
    """

    user_id: int
    token_hash: str
    ended: Ending | None = None
    woken: asyncio.Event = field(default_factory=asyncio.Event)


class EventHub:
    """The poller, the recent entries, and the open streams."""

    def __init__(self, db: Database, poll_seconds: float, limits: Limits,
                 token_valid: Callable[[Database, int, str], bool]) -> None:
        self._db = db
        self._poll = poll_seconds
        self._limits = limits
        self._token_valid = token_valid
        self._subs: set[Subscription] = set()
        self._per_user: Counter[int] = Counter()
        self._seqs: list[int] = []
        self._texts: list[str] = []
        #: Every entry after this seq is in memory.
        self._floor: int | None = None
        self._task: asyncio.Task[None] | None = None

    def subscribe(self, user_id: int, token_hash: str) -> Subscription:
        """Open a stream, or refuse: 429 over the user's cap, 503 over the service's."""
        if len(self._subs) >= self._limits.streams_total:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE,
                                _("the service has {count} event streams open, its limit; try "
                                  "again later").format(count=len(self._subs)),
                                headers={"Retry-After": "30"})
        if self._per_user[user_id] >= self._limits.streams_per_user:
            raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS,
                                _("this user already has {count} event streams open, the limit "
                                  "per user; close one first").format(
                                    count=self._per_user[user_id]),
                                headers={"Retry-After": "30"})
        sub = Subscription(user_id, token_hash)
        self._subs.add(sub)
        self._per_user[user_id] += 1
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Close a stream's subscription; closing one twice is harmless."""
        if sub in self._subs:
            self._subs.discard(sub)
            self._per_user[sub.user_id] -= 1

    @property
    def open_streams(self) -> int:
        return len(self._subs)

    def since(self, after: int) -> list[Event] | None:
        """Entries after ``after`` held in memory, or None if it is further back than that."""
        if self._floor is None or after < self._floor:
            return None
        start = bisect.bisect_right(self._seqs, after)
        return list(zip(self._seqs[start:], self._texts[start:], strict=True))

    async def wait(self, sub: Subscription, timeout: float) -> bool:
        """Until the next batch or the end of ``sub`` (True), or ``timeout`` seconds (False)."""
        try:
            await asyncio.wait_for(sub.woken.wait(), timeout)
        except TimeoutError:
            return False
        sub.woken.clear()
        return True

    async def close(self) -> None:
        """End every stream and stop polling (at shutdown)."""
        for sub in self._subs:
            sub.ended = SHUTDOWN
            sub.woken.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        self._floor = await run_in_threadpool(_head, self._db)
        since_check = 0.0
        while True:
            events = await run_in_threadpool(read_after, self._db, self._head())
            since_check += self._poll
            if events or since_check >= _RECHECK_SECONDS:
                await self._recheck_tokens()
                since_check = 0.0
            if events:
                self._keep(events)
                for sub in self._subs:
                    sub.woken.set()
            if len(events) < BATCH:
                await asyncio.sleep(self._poll)

    def _head(self) -> int:
        assert self._floor is not None
        return self._seqs[-1] if self._seqs else self._floor

    def _keep(self, events: list[Event]) -> None:
        for seq, text in events:
            self._seqs.append(seq)
            self._texts.append(text)
        if len(self._seqs) > _KEPT:
            drop = len(self._seqs) - _KEPT
            self._floor = self._seqs[drop - 1]
            del self._seqs[:drop], self._texts[:drop]

    async def _recheck_tokens(self) -> None:
        """One check per distinct token, however many streams share it."""
        holders = {(sub.user_id, sub.token_hash) for sub in self._subs}
        valid = {key: await run_in_threadpool(self._token_valid, self._db, *key)
                 for key in holders}
        for sub in self._subs:
            if not valid.get((sub.user_id, sub.token_hash), True):
                sub.ended = TOKEN_INVALID
                sub.woken.set()
