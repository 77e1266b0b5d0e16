"""``corridor schema`` and ``corridor validate``: the scenario format and its checker."""

from __future__ import annotations

import typer

from corridor.cli._options import JsonOpt, ScenarioArg
from corridor.cli._output import out, print_json
from corridor.scenario import json_schema, load_scenario


def register(app: typer.Typer) -> None:
    """Add the scenario commands to the main app."""
    app.command("schema")(schema)
    app.command("validate")(validate)


def schema() -> None:
    """Print the JSON Schema of the scenario file format."""
    print_json(json_schema())


def validate(scenario: ScenarioArg, as_json: JsonOpt = False) -> None:
    """Check a scenario file; exit 2 with the field path and line of the first problem."""
    sc = load_scenario(scenario)
    summary = {
        "scenario": str(scenario),
        "name": sc.name,
        "parties": [p.id for p in sc.parties],
        "proposals": len(sc.proposals),
        "origins": [o.name for o in sc.places.origins],
        "destinations": [d.name for d in sc.places.destinations],
        "windows": len(sc.windows),
        "valid": True,
    }
    if as_json:
        print_json(summary)
    else:
        out.print(f"[green]valid[/green] {scenario}: {sc.name} — {len(sc.parties)} parties, "
                  f"{len(sc.proposals)} proposals, {len(sc.windows)} windows")
