"""``corridor schema`` and ``corridor validate``: the scenario format and its checker."""

from __future__ import annotations

from dataclasses import asdict

import typer

from corridor.cli._options import JsonOpt, ScenarioArg, with_language
from corridor.cli._output import out, print_json
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
    out.print(f"[green]valid[/green] {scenario}: {sc.name} — {len(sc.parties)} parties, "
              f"{len(sc.proposals)} proposals, {len(sc.windows)} windows; "
              f"{len(checked.files)} files opened, {len(checked.places)} place names pinned"
              + (f" (farthest from a road: {farthest.name}, {farthest.snap_km:.2f} km)"
                 if farthest else "")
              + (f", {len(checked.dates)} dates" if checked.dates else ""))
    for note in checked.notes:
        out.print(f"note: {note}")
