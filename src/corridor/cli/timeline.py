"""``corridor situation diff`` and ``corridor replay``: the situation and the talks over time."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from corridor.cli._options import (
    GpkgOpt,
    GpxOpt,
    JsonOpt,
    KmlOpt,
    ScenarioArg,
    parse_day,
    with_language,
)
from corridor.cli._output import console, out, print_json
from corridor.errors import CorridorError
from corridor.report.fieldfiles import write_field_files
from corridor.report.fieldmap import geojson_field_map
from corridor.scenario import load_scenario
from corridor.timeline.diff import situation_diff
from corridor.timeline.plot import plot_replay
from corridor.timeline.replay import replay, replay_json
from corridor.world import build_world


def register(app: typer.Typer) -> None:
    """Add ``situation diff`` and ``replay`` to the main app."""
    situation = typer.Typer(help="Compare the scenario's dated situations.",
                            no_args_is_help=True)
    situation.command("diff")(with_language(diff_cmd))
    app.add_typer(situation, name="situation")
    app.command("replay")(with_language(replay_cmd))


def diff_cmd(
    scenario: ScenarioArg,
    first: Annotated[str, typer.Option("--from", metavar="DATE",
                                       help="the earlier date (YYYY-MM-DD)")],
    second: Annotated[str, typer.Option("--to", metavar="DATE",
                                        help="the later date (YYYY-MM-DD)")],
    as_json: JsonOpt = False,
    geojson: Annotated[bool, typer.Option("--geojson", help=(
        "Print the changed ground, settlements and hazard zones as GeoJSON."))] = False,
    gpx: GpxOpt = None,
    kml: KmlOpt = None,
    gpkg: GpkgOpt = None,
) -> None:
    """What changed between the snapshots valid on two dates, and what it did to the corridors."""
    sc = load_scenario(scenario)
    day_a, day_b = parse_day(first, sc, "--from"), parse_day(second, sc, "--to")
    assert day_a is not None and day_b is not None  # both options are required
    if day_b < day_a:
        raise CorridorError(f"dates out of order: {day_b.isoformat()} is before "
                            f"{day_a.isoformat()}", field="--to")
    with console.status("comparing the two dates"):
        doc, features = situation_diff(build_world(sc), day_a, day_b)
    for path in write_field_files(geojson_field_map(features), gpx=gpx, kml=kml, gpkg=gpkg):
        console.print(f"wrote {path}")
    if geojson:
        print_json(features)
    elif as_json:
        print_json(doc)
    else:
        _print_diff(doc)


def _print_diff(doc: dict[str, Any]) -> None:
    snaps = doc["snapshots"]
    out.print(f"[bold]{doc['scenario']}[/bold]: {snaps['from']} → {snaps['to']}")
    table = Table("from", "to", "km²", title="Ground that changed hands")
    for a in doc["areas"]:
        table.add_row(a["from"] or "nobody", a["to"] or "nobody", f"{a['km2']:,.1f}")
    out.print(table)
    for s in doc["settlements"]:
        out.print(f"  {s['name']}: {s['from'] or 'not listed'} → {s['to'] or 'not listed'}")
    for kind in ("added", "removed"):
        for z in doc["hazards"][kind]:
            out.print(f"  hazard {kind}: {z['name']} ({z['risk']}, {z['km2']:,.1f} km²)")
    for z in doc["hazards"]["changed"]:
        out.print(f"  hazard changed: {z['name']} (+{z['km2_gained']:,.1f} / "
                  f"-{z['km2_lost']:,.1f} km²)")
    table = Table("proposal", "verdicts", "route", "exposed km", title="Proposals")
    for p in doc["proposals"]:
        verdicts = ", ".join(f"{party} {_yes(v['from'])}→{_yes(v['to'])}"
                             for party, v in p["verdicts"].items() if v["from"] != v["to"])
        table.add_row(p["id"], verdicts or "unchanged",
                      "changed" if p["route_changed"] else "same",
                      f"{p['exposure_km']['from']} → {p['exposure_km']['to']}")
    out.print(table)
    for origin, rows in doc["suggestions"].items():
        for r in rows:
            if r["offered"]["from"] != r["offered"]["to"] or r["route_changed"]:
                change = ("now offered" if r["offered"]["to"] and not r["offered"]["from"]
                          else "no longer offered" if r["offered"]["from"]
                          and not r["offered"]["to"] else "route changed")
                out.print(f"  {origin} → {r['destination']} ({r['mode']}): {change}")


def _yes(value: bool | None) -> str:
    return "accepts" if value else "rejects" if value is not None else "-"


def replay_cmd(
    scenario: ScenarioArg,
    as_json: JsonOpt = False,
    plots: Annotated[Path | None, typer.Option(help="write one map per date, side by side, "
                                                   "as replay.png and replay.svg into this "
                                                   "directory")] = None,
) -> None:
    """Replay the talks on every date of the timeline: verdicts and acceptable corridors."""
    sc = load_scenario(scenario)
    with console.status("replaying the timeline") as status:
        world = build_world(sc)
        status.update("negotiating on every date")
        pictures = replay(world)
        doc = replay_json(world, pictures)
        if plots is not None:
            doc["plots"] = [str(p) for p in plot_replay(world, pictures, plots / "replay")]
    if as_json:
        print_json(doc)
        return
    _print_replay(doc)


def _print_replay(doc: dict[str, Any]) -> None:
    dates = doc["dates"]
    table = Table("proposal", *[d["date"] for d in dates], title=doc["scenario"])
    for k, p in enumerate(dates[0]["proposals"] if dates else []):
        cells = []
        for d in dates:
            verdicts = d["proposals"][k]["verdicts"]
            rejecting = [party for party, v in verdicts.items() if not v["acceptable"]]
            cells.append("[red]no route[/red]" if not verdicts
                         else f"[red]{', '.join(rejecting)} reject[/red]" if rejecting
                         else "[green]all accept[/green]")
        table.add_row(p["id"], *cells)
    out.print(table)
    origins = list(dict.fromkeys(o for d in dates for o in [*d["suggestions"], *d["conflicts"]]))
    table = Table("origin", *[d["date"] for d in dates], title="Corridors every party accepts")
    for origin in origins:
        table.add_row(origin, *[", ".join(dict.fromkeys(
            c["destination"] for c in d["suggestions"].get(origin, []))) or "[red]none[/red]"
            for d in dates])
    out.print(table)
    for path in doc.get("plots", []):
        console.print(f"wrote {path}")
