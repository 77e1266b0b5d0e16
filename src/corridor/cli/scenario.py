"""``corridor schema`` and ``corridor validate``: the scenario format and its checker."""

from __future__ import annotations

from dataclasses import asdict

import typer
from rich.markup import escape

from corridor.cli._options import JsonOpt, ScenarioArg, with_language
from corridor.cli._output import out, print_json, styled
from corridor.i18n import _, format_decimal, format_number, ngettext
from corridor.preflight import preflight
from corridor.scenario import json_schema, load_scenario


def register(app: typer.Typer) -> None:
    """Add the scenario commands to the main app."""
    app.command("schema")(with_language(schema))
    app.command("validate")(with_language(validate))


def schema() -> None:
    """Print the JSON Schema of the scenario file format."""
    print_json(json_schema())


def validate(scenario: ScenarioArg, as_json: JsonOpt = False) -> None:
    """Check everything a run needs; exit 2 naming the first problem.

    The file's fields (path and line), every file it names, every place name (resolved and
    pinned to the roads as a run pins it) and every point (within the snap limit of a road;
    the distance, the extract's bounds and a hint when latitude and longitude look swapped).
    """
    sc = load_scenario(scenario)
    checked = preflight(sc)
    summary = {
        "scenario": str(scenario),
        "name": sc.name,
        "parties": [p.id for p in sc.parties],
        "proposals": len(sc.proposals),
        "origins": [o.name for o in sc.places.origins],
        "destinations": [d.name for d in sc.places.destinations],
        "windows": len(sc.windows),
        "files": checked.files,
        "places": [asdict(p) for p in checked.places],
        "dates": checked.dates,
        "notes": checked.notes,
        "valid": True,
    }
    if as_json:
        print_json(summary)
        return
    farthest = max(checked.places, key=lambda p: p.snap_km, default=None)
    parts = [ngettext("{count} party", "{count} parties", len(sc.parties)),
             ngettext("{count} proposal", "{count} proposals", len(sc.proposals)),
             ngettext("{count} window", "{count} windows", len(sc.windows))]
    checks = [ngettext("{count} file opened", "{count} files opened", len(checked.files)),
              ngettext("{count} place name pinned", "{count} place names pinned",
                       len(checked.places))]
    counts = [len(sc.parties), len(sc.proposals), len(sc.windows), len(checked.files),
              len(checked.places)]
    words = [text.format(count=format_number(n)) for text, n in zip([*parts, *checks], counts,
                                                                      strict=True)]
    if farthest is not None:
        words[-1] += " " + _("(farthest from a road: {place}, {km} km)").format(
            place=farthest.name, km=format_decimal(farthest.snap_km, 2))
    if checked.dates:
        words.append(ngettext("{count} date", "{count} dates", len(checked.dates)).format(
            count=format_number(len(checked.dates))))
    parts, checks = words[:3], words[3:]
    out.print(styled("green", _("valid")) + " " + escape(
        f"{scenario}: {sc.name} — {', '.join(parts)}; {', '.join(checks)}"), highlight=False)
    for note in checked.notes:
        out.print(escape(_("note: {note}").format(note=note)), highlight=False)

