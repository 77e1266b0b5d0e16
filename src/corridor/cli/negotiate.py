"""``corridor negotiate``: every proposal judged, mutually acceptable corridors, conflicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from corridor.cli._options import (
    AtOpt,
    GpkgOpt,
    GpxOpt,
    JsonOpt,
    KmlOpt,
    ScenarioArg,
    parse_day,
    with_language,
)
from corridor.cli._output import console, out, print_json
from corridor.files import write_text_atomic
from corridor.i18n import _, format_decimal
from corridor.negotiation.output import negotiation_json
from corridor.negotiation.search import Negotiation, mode_words, negotiate
from corridor.report.fieldfiles import write_field_files
from corridor.report.fieldmap import negotiation_field_map
from corridor.report.layers import export_geojson
from corridor.report.negotiation import render_html
from corridor.rules import Verdict
from corridor.scenario import load_scenario
from corridor.world import World, build_world


def register(app: typer.Typer) -> None:
    """Add ``negotiate`` to the main app."""
    app.command("negotiate")(with_language(negotiate_cmd))


def negotiate_cmd(
    scenario: ScenarioArg,
    as_json: JsonOpt = False,
    geojson: Annotated[Path | None, typer.Option(help=(
        "write every layer (areas, hazards, closures, checkpoints, places, routes with "
        "verdicts) as GeoJSON to this file"))] = None,
    html: Annotated[Path | None, typer.Option(help="write a self-contained HTML report "
                                                  "with a map to this file")] = None,
    gpx: GpxOpt = None,
    kml: KmlOpt = None,
    gpkg: GpkgOpt = None,
    at: AtOpt = None,
) -> None:
    """Judge every proposal for every party and search corridors all parties accept."""
    sc = load_scenario(scenario)
    day = parse_day(at, sc)
    with console.status(_("loading the scenario")) as status:
        world = build_world(sc, progress=False)
        neg = negotiate(world, progress=lambda stage, _fraction: status.update(stage), at=day)
    if geojson is not None:
        write_text_atomic(geojson, json.dumps(export_geojson(world, neg), ensure_ascii=False))
    if html is not None:
        write_text_atomic(html, render_html(world, neg))
    written = [p for p in (geojson, html) if p is not None]
    if gpx or kml or gpkg:
        written += write_field_files(negotiation_field_map(world, neg), gpx=gpx, kml=kml,
                                     gpkg=gpkg)
    if as_json:
        print_json(negotiation_json(neg, world))
    else:
        _print(world, neg)
    for path in written:
        console.print(_("wrote {path}").format(path=path))


def _print(world: World, neg: Negotiation) -> None:
    if world.schematic:
        out.print(f"[bold yellow]{escape(world.data_note)}[/bold yellow]")
    parties = [p.id for p in world.scenario.parties]
    table = Table(title=_("Proposals"), show_lines=True)
    for col in (_("id"), _("corridor"), _("km"), _("hours"), _("exposed km"),
                _("other side's km"), *parties):
        table.add_column(col)
    for r in neg.proposals:
        c = r.corridor
        if c is None:
            table.add_row(r.proposal.id, r.error or "", "", "", "", "", *["" for _p in parties])
            continue
        cells = [verdict_cell(c.verdicts[pid]) for pid in parties]
        table.add_row(r.proposal.id,
                      f"{world.display_name(c.origin)} → {world.display_name(c.destination)}",
                      format_decimal(c.summary.km, 0), format_decimal(c.summary.hours, 1),
                      format_decimal(c.summary.exposure_km["total"], 0),
                      c.summary.held.short() if c.summary.held else "", *cells)
    out.print(table)
    _print_search(world, neg)


def verdict_cell(verdict: Verdict) -> str:
    """A party's verdict for a table cell: accepts, or rejects and why (rich markup)."""
    if verdict.acceptable:
        return "[green]" + escape(_("accepts")) + "[/green]"
    return "[red]" + escape(_("rejects")) + "[/red]\n" + "\n".join(
        escape(x.message) for x in verdict.violated)


def _print_search(world: World, neg: Negotiation) -> None:
    """Each origin's corridors every party accepts, or its conflict; then the notes."""
    for origin, corridors in neg.suggestions.items():
        out.print(f"[bold]{escape(world.display_name(origin))}[/bold]: "
                  + escape(_("corridors every party accepts")))
        for c in corridors[:5]:
            star = "★" if c.pareto else " "
            line = _("{destination} ({mode}): {km} km, {hours} h, {exposed} km exposed").format(
                destination=world.display_name(c.destination), mode=mode_words(c.mode),
                km=format_decimal(c.summary.km, 0), hours=format_decimal(c.summary.hours, 1),
                exposed=format_decimal(c.summary.exposure_km["total"], 0))
            if c.summary.held:
                line += ", " + c.summary.held.describe()
            if c.windows:
                line += ", " + _("in {windows}").format(windows=", ".join(c.windows))
            out.print(f"  {star} {escape(line)}", highlight=False)
    for origin, conflict in neg.conflicts.items():
        out.print(f"[bold]{escape(world.display_name(origin))}[/bold]: [red]"
                  + escape(_("no corridor every party accepts")) + "[/red]")
        for party, code, message in conflict.messages:
            out.print(f"  - {escape(party)} {code}: {escape(message)}", highlight=False)
        out.print(f"  {escape(conflict.explanation)}", highlight=False)
    for note in neg.notes:
        out.print(escape(_("note: {note}").format(note=note)), highlight=False)
