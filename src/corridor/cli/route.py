"""``corridor route``: from A to B on the scenario's situation now, judged by every party."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

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
from corridor.cli._output import console, out, print_json, styled
from corridor.files import write_text_atomic
from corridor.i18n import _, format_decimal
from corridor.negotiation.adhoc import (
    RouteQuery,
    adhoc_json,
    parse_place,
    read_avoid_area,
    route_adhoc,
)
from corridor.negotiation.search import mode_words
from corridor.report.fieldfiles import write_field_files
from corridor.report.fieldmap import adhoc_field_map
from corridor.routing.weights import Mode
from corridor.scenario import load_scenario
from corridor.situation import HeldExposure
from corridor.world import build_world

_PLACE_HELP = "a place name, or LON,LAT in decimal degrees"


def register(app: typer.Typer) -> None:
    """Add ``route`` to the main app."""
    app.command("route")(with_language(route_cmd))


def route_cmd(
    scenario: ScenarioArg,
    origin: Annotated[str, typer.Option("--from", help=f"Where the route starts: {_PLACE_HELP}.")],
    destination: Annotated[str, typer.Option("--to", help=f"Where it ends: {_PLACE_HELP}.")],
    via: Annotated[list[str] | None, typer.Option(
        "--via", help=f"A place to pass on the way ({_PLACE_HELP}); repeat in order.")] = None,
    mode: Annotated[Mode, typer.Option(help="What the route optimises.")] = Mode.FASTEST,
    avoid: Annotated[Path | None, typer.Option(
        help="A GIS file of polygons (GeoJSON, KML, GPKG, Shapefile, …) no road of the route "
             "may touch.")] = None,
    exclude: Annotated[list[str] | None, typer.Option(
        help="A territory label the route must not enter; repeat for more.")] = None,
    alternatives: Annotated[int, typer.Option(
        help="Also find up to this many routes that share little road with the first.")] = 0,
    window: Annotated[str | None, typer.Option(
        help="Judge the route in this scenario window (its id); rules on hours need one.")
        ] = None,
    as_json: JsonOpt = False,
    geojson: Annotated[Path | None, typer.Option(
        help="Write the routes and places as GeoJSON to this file.")] = None,
    gpx: GpxOpt = None,
    kml: KmlOpt = None,
    gpkg: GpkgOpt = None,
    at: AtOpt = None,
) -> None:
    """Route between places on the scenario's current situation and show each party's verdict.

    On a timeline the situation is the snapshot valid on ``--at``, by default the latest not
    after ``--window``, else the latest.
    """
    query = RouteQuery(parse_place(origin), parse_place(destination),
                       tuple(parse_place(v) for v in via or ()), mode, tuple(exclude or ()),
                       None if avoid is None else read_avoid_area(avoid, field="--avoid"),
                       alternatives, window, prefix="--")
    sc = load_scenario(scenario)
    day = parse_day(at, sc)
    day = sc.snapshot_date(day) if day else sc.default_date([window] if window else [])
    with console.status(_("loading the scenario")):
        world = build_world(sc.at(day), progress=False)
        result = route_adhoc(world, query)
    data = adhoc_json(world, result)
    written = write_field_files(adhoc_field_map(world, result), gpx=gpx, kml=kml, gpkg=gpkg)
    if geojson is not None:
        write_text_atomic(geojson, json.dumps(route_geojson(data), ensure_ascii=False))
        written.insert(0, geojson)
    if as_json:
        print_json(data)
    else:
        _print(data)
    for path in written:
        console.print(_("wrote {path}").format(path=path))


def route_geojson(data: dict[str, Any]) -> dict[str, Any]:
    """The routes as LineStrings (with summary and verdicts) and the places as points."""
    routes = [data["route"], *data["alternatives"]]
    features = [{"type": "Feature", "geometry": r["line"],
                 "properties": {"layer": "routes", "kind": "route" if k == 0 else "alternative",
                                **{key: v for key, v in r.items() if key != "line"}}}
                for k, r in enumerate(routes)]
    features.extend({"type": "Feature",
                     "geometry": {"type": "Point", "coordinates": p["snapped_to"]},
                     "properties": {"layer": "places", **p}} for p in data["places"])
    return {"type": "FeatureCollection", "features": features}


def _print(data: dict[str, Any]) -> None:
    out.print(f"[bold]{escape(' → '.join(p['name'] for p in data['places']))}[/bold] "
              f"({escape(mode_words(data['mode']))})")
    for p in data["places"]:
        if p["note"]:
            out.print(f"  {escape(p['name'])}: {escape(p['note'])}", highlight=False)
    table = Table()
    for col in (_("route"), _("km"), _("hours"), _("exposed km"), _("other side's km"),
                _("territories"), _("verdicts")):
        table.add_column(col)
    routes = [data["route"], *data["alternatives"]]
    for r in routes:
        verdicts = ", ".join(
            escape(party) + " " + (styled("green", _("accepts")) if v["acceptable"]
                                   else styled("red", _("rejects")))
            for party, v in r["verdicts"].items())
        table.add_row(escape(mode_words(r["mode"])), format_decimal(r["km"], 1),
                      format_decimal(r["hours"], 2), format_decimal(r["exposure_km"], 1),
                      HeldExposure(**r["held_exposure"]).short(),
                      " → ".join(t["label"] or "-" for t in r["territories"]), verdicts)
    out.print(table)
    first = data["route"]
    lines = [_("roads: {roads}").format(roads=", ".join(first["roads"]) or _("unnamed")),
             _("settlements: {places}").format(
                 places=", ".join(first["settlements"]) or _("none named"))]
    if first["checkpoints"]:
        lines.append(_("checkpoints: {checkpoints}").format(checkpoints=", ".join(
            _("{name} (km {km})").format(name=c["name"], km=format_decimal(c["km"], 0))
            for c in first["checkpoints"])))
    for party, v in first["verdicts"].items():
        for reason in v["reasons"] if not v["acceptable"] else []:
            lines.append(_("{party} rejects: {reason}").format(party=party,
                                                              reason=reason["message"]))
    for line in lines:
        out.print(escape(line), highlight=False)
