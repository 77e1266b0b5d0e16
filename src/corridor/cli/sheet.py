"""``corridor sheet``: a proposal's printable corridor sheet, straight from the store.

For printing where the service is not running: the same HTML or PDF that
``GET /sheets/proposals/{id}`` answers, chosen by the output file's extension.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from corridor.cli._output import out
from corridor.errors import CorridorError
from corridor.report.sheet import build_dossier, render_sheet_html, render_sheet_pdf
from corridor.scenario import load_scenario
from corridor.store.db import Database
from corridor.world import build_world


def register(app: typer.Typer) -> None:
    app.command("sheet")(sheet)


def sheet(
    proposal: Annotated[int, typer.Option(help="Proposal id.", min=1)],
    out_file: Annotated[Path, typer.Option("--out", help="FILE.pdf or FILE.html.")],
    db: Annotated[str, typer.Option("--db", help="Database URL, or path of an SQLite file.")]
    = "corridor.db",
    scenario: Annotated[Path | None, typer.Option(
        help="Scenario for the base map, settlements and driving time.")] = None,
) -> None:
    """Write the corridor sheet of one proposal as PDF or HTML."""
    kind = out_file.suffix.lower()
    if kind not in (".pdf", ".html"):
        raise CorridorError("the output file must end in .pdf or .html", field="--out")
    world = build_world(load_scenario(scenario)) if scenario is not None else None
    database = Database.open(db, migrate=False)
    try:
        with database.read() as session:
            dossier = build_dossier(session, proposal, world)
    finally:
        database.dispose()
    now = dt.datetime.now(dt.UTC)
    if kind == ".pdf":
        out_file.write_bytes(render_sheet_pdf(dossier, world, now))
    else:
        out_file.write_text(render_sheet_html(dossier, world, now), encoding="utf-8")
    out.print(f"sheet of proposal {proposal} written to {out_file}", highlight=False)
