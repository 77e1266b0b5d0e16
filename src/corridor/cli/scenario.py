"""``corridor schema`` and ``corridor validate``: the scenario format and its checker."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corridor.cli._output import out, print_json
from corridor.scenario import json_schema, load_scenario

JsonFlag = Annotated[bool, typer.Option("--json", help="machine-readable output")]


def register(app: typer.Typer) -> None:
    """Add the scenario commands to the main app."""

    @app.command("schema")
    def schema() -> None:
        """Print the JSON Schema of the scenario file format."""
        print_json(json_schema())

    @app.command("validate")
    def validate(
        scenario: Annotated[Path, typer.Argument(help="scenario YAML file")],
        as_json: JsonFlag = False,
    ) -> None:
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
