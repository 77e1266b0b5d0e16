"""Options several commands share, so each is spelled, explained and defaulted the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]
DbOpt = Annotated[str, typer.Option(
    "--db", help="Database URL (sqlite:///FILE, postgresql+psycopg://USER@HOST/DB), or path "
                 "of an SQLite file.")]
ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.")]
GpxOpt = Annotated[Path | None, typer.Option(
    "--gpx", help="Write the routes as GPX 1.1 (named waypoints and one track per route).")]
KmlOpt = Annotated[Path | None, typer.Option(
    "--kml", help="Write routes (styled by verdict), control and hazard areas as KML.")]
GpkgOpt = Annotated[Path | None, typer.Option(
    "--gpkg", help="Write a GeoPackage with the layers routes, areas and places.")]
