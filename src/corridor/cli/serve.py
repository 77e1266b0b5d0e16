"""``corridor serve``: the coordination service over a store, until interrupted.

``--db`` takes a SQLAlchemy URL (``sqlite:///FILE``, ``postgresql+psycopg://USER@HOST/DB``) or a
plain file path, meaning an SQLite file. The store is migrated first, so a fresh file or an
empty PostgreSQL database is ready to use.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from corridor.cli._options import DbOpt, with_language
from corridor.settings import DEFAULTS, Settings
from corridor.store.coordination import LeadTimes
from corridor.store.db import Database


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``corridor`` command line."""
    app.command("serve")(with_language(serve))


def _hours(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 3600


def serve(
    db: DbOpt = DEFAULTS.db,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = DEFAULTS.host,
    port: Annotated[int, typer.Option(help="TCP port.")] = DEFAULTS.port,
    lead_time: Annotated[float, typer.Option(
        "--lead-time-hours", help="Minimum notice for a movement.")]
    = _hours(DEFAULTS.lead_times.normal),
    emergency_lead_time: Annotated[float, typer.Option(
        "--emergency-lead-time-hours", help="Minimum notice for an emergency movement.")]
    = _hours(DEFAULTS.lead_times.emergency),
    scenario: Annotated[Path | None, typer.Option(
        help="Scenario whose borders, control, hazards and roads the dashboard map draws.")]
    = None,
    basemap: Annotated[Path | None, typer.Option(
        help="PMTiles file the dashboard draws under its layers (corridor tiles build).")]
    = None,
    max_connections: Annotated[int, typer.Option(
        min=1, help="Open connections at most; more are closed at once.")]
    = DEFAULTS.limits.max_connections,
    streams_per_user: Annotated[int, typer.Option(
        min=1, help="Open event streams per user at most (429 beyond).")]
    = DEFAULTS.limits.streams_per_user,
    streams_total: Annotated[int, typer.Option(
        min=1, help="Open event streams in total at most (503 beyond).")]
    = DEFAULTS.limits.streams_total,
    header_timeout: Annotated[float, typer.Option(
        min=0.1, help="Seconds a client may take to send a request's headers.")]
    = DEFAULTS.limits.header_timeout,
) -> None:
    """Migrate the store, then serve the API until interrupted."""
    from corridor.api import server
    from corridor.api.app import create_app

    limits = dataclasses.replace(
        DEFAULTS.limits, max_connections=max_connections, streams_per_user=streams_per_user,
        streams_total=streams_total, header_timeout=header_timeout)
    settings = Settings(db=db, host=host, port=port, scenario=scenario, basemap=basemap,
                        limits=limits,
                        lead_times=LeadTimes(normal=dt.timedelta(hours=lead_time),
                                             emergency=dt.timedelta(hours=emergency_lead_time)))
    with Database.open(db) as database:
        try:
            server.run(create_app(database, settings), settings)
        except SystemExit as exc:
            # uvicorn has logged why it could not start (e.g. the port is taken) and exits 3.
            raise typer.Exit(1 if exc.code else 0) from exc
