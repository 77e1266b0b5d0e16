"""``corridor tiles``: the dashboard's offline basemap, built from a scenario's own data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corridor.cli._options import JsonOpt, ScenarioArg, with_language
from corridor.cli._output import console, report
from corridor.i18n import _, format_decimal
from corridor.tiles.build import build_basemap


def register(app: typer.Typer) -> None:
    """Add ``tiles`` and its subcommands to the main app."""
    tiles = typer.Typer(help="Vector tiles of a scenario's roads, places, borders, water and "
                             "land use, for the dashboard's map.", no_args_is_help=True)
    tiles.command("build")(with_language(build))
    app.add_typer(tiles, name="tiles")


def build(
    scenario: ScenarioArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="PMTiles file to write.")],
    rebuild: Annotated[bool, typer.Option(
        "--rebuild", help="Build even if the file was built from the same inputs.")] = False,
    json: JsonOpt = False,
) -> None:
    """Build the scenario's basemap as one PMTiles file, for corridor serve --basemap.

    A file already built from the same inputs is left alone.
    """
    with console.status("basemap") as status:
        result = build_basemap(scenario, output, rebuild=rebuild,
                               progress=lambda stage, fraction: status.update(
                                   f"basemap: {stage} ({fraction:.0%})"))
    data = {"path": str(result.path), "cached": result.cached, "inputs": result.inputs,
            "features": result.features, "bytes": result.bytes,
            "seconds": round(result.seconds, 3)}
    if result.cached:
        text = _("{path} is up to date (built from the same inputs); nothing to do").format(
            path=result.path)
    else:
        layers = ", ".join(f"{name} {count}" for name, count in result.features.items() if count)
        text = _("wrote {path}: {megabytes} MB in {seconds} s ({layers})").format(
            path=result.path, megabytes=format_decimal(result.bytes / 1e6, 2),
            seconds=format_decimal(result.seconds, 1), layers=layers)
    report(data, json, text)
