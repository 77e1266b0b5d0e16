"""Running the service under uvicorn so that slow or greedy clients cannot take it down.

uvicorn alone waits for a request's headers as long as a client cares to dribble them, keeps
every connection it can accept, and logs every failure in full. Here each connection must
deliver a request's headers within ``header_timeout`` and its body within ``body_timeout`` or
is closed; connections are capped at ``max_connections``, and at the cap the oldest connection
still waiting for headers gives way to the new one, so clients that talk promptly are served
while slow ones wait their turn; log lines beyond a rate are counted and summarised instead of
written. The open-file limit is raised to the hard limit and the cap kept below it, so the
listening socket can always accept.

Behind a reverse proxy (see the README) the proxy buffers slow clients itself; these limits
still hold for anything that reaches the service directly.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import resource
import time
from typing import Any, ClassVar

import h11
import uvicorn
from fastapi import FastAPI
from uvicorn.config import LOGGING_CONFIG
from uvicorn.protocols.http.h11_impl import H11Protocol

from corridor.settings import Limits, Settings

#: File descriptors kept back from the connection cap: the store, logs, the network cache.
_RESERVED_FILES = 64


def connection_cap(limits: Limits) -> int:
    """``max_connections``, lowered to fit the open-file limit if need be.

    The limit is first raised as far as the process may; a refused ``accept`` would otherwise
    spin and log.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return max(1, min(limits.max_connections, soft - _RESERVED_FILES))


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline per request and a cap on connections.

    At the cap, a new connection pushes out the oldest one still waiting for its request's
    headers (a client that sends them at once is rarely caught there, a slow one always is);
    only if there is none is the new connection closed instead. :func:`guarded_protocol` makes
    the subclass that carries one server's limits.
    """

    limits: ClassVar[Limits] = Limits()
    max_connections: ClassVar[int] = Limits().max_connections
    #: Connections waiting for headers, oldest first (dicts keep insertion order).
    waiting: ClassVar[dict[GuardedH11Protocol, None]] = {}
    _deadline: asyncio.TimerHandle | None = None
    _phase = ""
    _refused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Take the connection, making room at the cap by evicting a stalled one."""
        if len(self.server_state.connections) >= self.max_connections and not self._evict_one():
            self._refused = True
            transport.close()
            return
        super().connection_made(transport)  # type: ignore[arg-type]
        self._arm(self.limits.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the connection's deadline; a refused one never had one."""
        if self._refused:
            return
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Read as uvicorn does, then start the deadline of what is still awaited."""
        super().data_received(data)
        self._watch()

    def on_response_complete(self) -> None:
        """Finish as uvicorn does; a kept-alive connection waits for headers again."""
        super().on_response_complete()
        self._watch()

    def _watch(self) -> None:
        """Headers pending: their deadline runs; body pending: its own; else none."""
        state = self.conn.their_state
        if state is h11.SEND_BODY and self._phase != "body":
            self._arm(self.limits.body_timeout, "body")
        elif state is h11.IDLE and self.conn.trailing_data[0] and self._deadline is None:
            self._arm(self.limits.header_timeout)
        elif state not in (h11.IDLE, h11.SEND_BODY):
            self._disarm()

    def _arm(self, seconds: float, phase: str = "headers") -> None:
        self._disarm()
        self._phase = phase
        self._deadline = self.loop.call_later(seconds, self.close_slow)
        if phase == "headers":
            self.waiting[self] = None

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._phase = ""
        self.waiting.pop(self, None)

    def close_slow(self) -> None:
        """Close a connection that missed its deadline, or gives way at the cap."""
        self._disarm()
        self.connections.discard(self)
        if not self.transport.is_closing():
            self.transport.close()

    @classmethod
    def _evict_one(cls) -> bool:
        oldest = next(iter(cls.waiting), None)
        if oldest is None:
            return False
        oldest.close_slow()
        return True


def guarded_protocol(limits: Limits, max_connections: int) -> type[GuardedH11Protocol]:
    """The protocol class for one server, with its own limits and waiting list."""
    return type("GuardedH11Protocol", (GuardedH11Protocol,),
                {"limits": limits, "max_connections": max_connections, "waiting": {}})


class RateLimitFilter(logging.Filter):
    """A token bucket over log records: at most ``per_second`` on average, bursts of as many.

    The first record let through after a quiet spell says how many were dropped.
    """

    def __init__(self, per_second: float = 50.0) -> None:
        super().__init__()
        self.per_second = per_second
        self._tokens = per_second
        self._stamp = time.monotonic()
        self.dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        """Whether this record is let through; it counts against the bucket if so."""
        now = time.monotonic()
        self._tokens = min(self.per_second, self._tokens + (now - self._stamp) * self.per_second)
        self._stamp = now
        if self._tokens < 1:
            self.dropped += 1
            return False
        self._tokens -= 1
        if self.dropped:
            record.msg = f"[{self.dropped} log lines dropped by the rate limit] {record.msg}"
            self.dropped = 0
        return True


def log_config(limits: Limits) -> dict[str, Any]:
    """Uvicorn's logging, with one shared rate limit on every handler, asyncio's too."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"rate": {"()": RateLimitFilter, "per_second": limits.log_lines_per_second}}
    for handler in config["handlers"].values():
        handler["filters"] = ["rate"]
    config["loggers"]["asyncio"] = {"handlers": ["default"], "level": "WARNING",
                                    "propagate": False}
    return config


def run(app: FastAPI, settings: Settings) -> None:
    """Serve ``app`` until interrupted, with the limits of ``settings``."""
    limits = settings.limits
    cap = connection_cap(limits)
    uvicorn.run(app, host=settings.host, port=settings.port,
                http=guarded_protocol(limits, cap), log_config=log_config(limits),
                timeout_keep_alive=max(1, round(limits.keep_alive)),
                # Open event streams never end by themselves; do not wait on them at shutdown.
                timeout_graceful_shutdown=3, log_level="info")
