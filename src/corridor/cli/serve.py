"""``corridor serve``: the coordination service over a store, until interrupted.

``--db`` takes a SQLAlchemy URL (``sqlite:///FILE``, ``postgresql+psycopg://USER@HOST/DB``) or a
plain file path, meaning an SQLite file. The store is migrated first, so a fresh file or an
empty PostgreSQL database is ready to use.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from corridor.cli._options import DbOpt
from corridor.settings import DEFAULTS, Settings
from corridor.store.coordination import LeadTimes
from corridor.store.db import Database


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``corridor`` command line."""
    app.command("serve")(serve)


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
) -> None:
    """Migrate the store, then serve the API until interrupted."""
    import uvicorn

    from corridor.api.app import create_app

    settings = Settings(db=db, host=host, port=port, scenario=scenario, lead_times=LeadTimes(
        normal=dt.timedelta(hours=lead_time), emergency=dt.timedelta(hours=emergency_lead_time)))
    with Database.open(db) as database:
        try:
            # Open event streams never end by themselves; do not wait on them at shutdown.
            uvicorn.run(create_app(database, settings), host=host, port=port,
                        timeout_graceful_shutdown=3, log_level="info")
        except SystemExit as exc:
            # uvicorn has logged why it could not start (e.g. the port is taken) and exits 3.
            raise typer.Exit(1 if exc.code else 0) from exc
