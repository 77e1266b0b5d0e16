"""Defaults of the service and the command line, in one place.

The command-line options take their defaults from :data:`DEFAULTS`, and ``corridor serve``
hands the API a :class:`Settings` built from those options, so a default is written once and
the README, ``--help`` and the running service cannot disagree about it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from corridor.store.coordination import LeadTimes

MIB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """What one client may take from the service, so a slow or greedy one cannot starve others.

    A slow client holds a connection while sending its headers or body; the timeouts bound how
    long and the connection cap how many. Event streams hold a connection for as long as the
    client wants, so they have caps of their own, below the connection cap, so that streams
    alone never leave the service unable to answer anything else.
    """

    #: Seconds a client may take to send a request's headers, and its body.
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    #: Seconds an idle keep-alive connection stays open.
    keep_alive: float = 5.0
    #: Open connections (streams included); further ones are accepted and closed at once.
    max_connections: int = 1024
    #: Open event streams per user, and in total.
    streams_per_user: int = 4
    streams_total: int = 900
    #: Access and error log lines per second; the rest are counted and summarised.
    log_lines_per_second: float = 50.0


@dataclass(frozen=True)
class Settings:
    """How the service runs; every field has the default the command line shows."""

    #: The store when ``--db`` is not given: an SQLite file in the working directory.
    db: str = "corridor.db"
    host: str = "127.0.0.1"
    port: int = 8000
    lead_times: LeadTimes = field(default_factory=LeadTimes)
    #: How long a create can be retried under its Idempotency-Key; older keys are forgotten.
    idempotency_window: dt.timedelta = dt.timedelta(hours=24)
    max_body_bytes: int = MIB
    #: How often the one event poller looks for new entries in the audit log.
    event_poll_seconds: float = 0.25
    #: Scenario whose borders, control, hazards and roads the map draws; none: corridors only.
    scenario: Path | None = None
    #: PMTiles file drawn under the map's layers (``corridor tiles build``); none: no basemap.
    basemap: Path | None = None
    limits: Limits = field(default_factory=Limits)


DEFAULTS = Settings()
