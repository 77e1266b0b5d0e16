"""``corridor sheet``: a proposal's (or a corridor's) printable sheet, straight from the store.

For printing where the service is not running: the same HTML or PDF that
``GET /sheets/proposals/{id}`` or ``/sheets/corridors/{id}`` answers, or the sheet's route as GPX
or KML (``.../{id}.gpx``, ``.kml``), chosen by the output file's extension.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from corridor.cli._options import DbOpt, with_language
from corridor.cli._output import out
from corridor.errors import CorridorError
from corridor.i18n import _
from corridor.report.fieldfiles import write_field_files
from corridor.report.fieldmap import dossier_field_map
from corridor.report.sheet import build_dossier, render_sheet_html, render_sheet_pdf
from corridor.scenario import load_scenario
from corridor.settings import DEFAULTS
from corridor.store import queries
from corridor.store.db import Database
from corridor.world import build_world


def register(app: typer.Typer) -> None:
    """Add ``sheet`` to the main app."""
    app.command("sheet")(with_language(sheet))


def sheet(
    out_file: Annotated[Path, typer.Option(
        "--out", help="FILE.pdf or FILE.html, or FILE.gpx or FILE.kml for the route alone.")],
    proposal: Annotated[int | None, typer.Option(help="Proposal id.", min=1)] = None,
    corridor: Annotated[int | None, typer.Option(
        help="Corridor id, instead of --proposal: the sheet of the proposal it was agreed from.",
        min=1)] = None,
    db: DbOpt = DEFAULTS.db,
    scenario: Annotated[Path | None, typer.Option(
        help="Scenario for the base map, settlements and driving time.")] = None,
) -> None:
    """Write the corridor sheet of one proposal, or of the proposal a corridor came from."""
    kind = out_file.suffix.lower()
    if kind not in (".pdf", ".html", ".gpx", ".kml"):
        raise CorridorError(_("the output file must end in .pdf, .html, .gpx or .kml"),
                            field="--out")
    if (proposal is None) == (corridor is None):
        raise CorridorError(_("give exactly one of --proposal and --corridor"),
                            field="--proposal")
    world = build_world(load_scenario(scenario)) if scenario is not None else None
    with Database.open(db, migrate=False) as database, database.read() as session:
        if proposal is None:
            assert corridor is not None  # exactly one was given
            proposal = queries.proposal_of_corridor(session, corridor)
        record = queries.proposal_record(session, proposal)
    dossier = build_dossier(record, world)
    now = dt.datetime.now(dt.UTC)
    if kind == ".pdf":
        out_file.write_bytes(render_sheet_pdf(dossier, world, now))
    elif kind == ".html":
        out_file.write_text(render_sheet_html(dossier, world, now), encoding="utf-8")
    else:
        write_field_files(dossier_field_map(dossier, world),
                          gpx=out_file if kind == ".gpx" else None,
                          kml=out_file if kind == ".kml" else None)
    if corridor is None:
        text = _("sheet of proposal {proposal} written to {path}")
    else:
        text = _("sheet of corridor {corridor} (proposal {proposal}) written to {path}")
    out.print(text.format(proposal=proposal, corridor=corridor, path=out_file), highlight=False)
