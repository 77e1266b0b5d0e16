"""``corridor situation diff`` and ``corridor replay``: the situation and the talks over time."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
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
from corridor.cli._output import console, out, print_json, styled
from corridor.errors import CorridorError
from corridor.i18n import N_, _, format_decimal, ngettext
from corridor.negotiation.search import mode_words
from corridor.report.fieldfiles import write_field_files
from corridor.report.fieldmap import geojson_field_map
from corridor.scenario import load_scenario
from corridor.timeline.diff import situation_diff
from corridor.timeline.plot import plot_replay
from corridor.timeline.replay import replay, replay_json
from corridor.wording import risk
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
        raise CorridorError(_("dates out of order: {later} is before {earlier}").format(
            later=day_b.isoformat(), earlier=day_a.isoformat()), field="--to")
    with console.status(_("comparing the two dates")):
        doc, features = situation_diff(build_world(sc), day_a, day_b)
    for path in write_field_files(geojson_field_map(features), gpx=gpx, kml=kml, gpkg=gpkg):
        console.print(_("wrote {path}").format(path=path))
    if geojson:
        print_json(features)
    elif as_json:
        print_json(doc)
    else:
        _print_diff(doc)


def _print_diff(doc: dict[str, Any]) -> None:
    snaps = doc["snapshots"]
    out.print(f"[bold]{escape(doc['scenario'])}[/bold]: {snaps['from']} → {snaps['to']}")
    table = Table(_("from"), _("to"), _("km²"), title=_("Ground that changed hands"))
    for a in doc["areas"]:
        table.add_row(a["from"] or _("nobody"), a["to"] or _("nobody"),
                      format_decimal(a["km2"], 1))
    out.print(table)
    unlisted = _("not listed")
    lines = [f"{s['name']}: {s['from'] or unlisted} → {s['to'] or unlisted}"
             for s in doc["settlements"]]
    for kind, words in (("added", N_("hazard added: {zone} ({risk}, {km2} km²)")),
                        ("removed", N_("hazard removed: {zone} ({risk}, {km2} km²)"))):
        lines += [_(words).format(zone=z["name"], risk=risk(z["risk"]),
                                  km2=format_decimal(z["km2"], 1)) for z in doc["hazards"][kind]]
    lines += [_("hazard changed: {zone} (+{gained} / -{lost} km²)").format(
        zone=z["name"], gained=format_decimal(z["km2_gained"], 1),
        lost=format_decimal(z["km2_lost"], 1)) for z in doc["hazards"]["changed"]]
    for line in lines:
        out.print("  " + escape(line), highlight=False)
    table = Table(_("proposal"), _("verdicts"), _("route"), _("exposed km"), title=_("Proposals"))
    for p in doc["proposals"]:
        verdicts = ", ".join(f"{party} {_yes(v['from'])}→{_yes(v['to'])}"
                             for party, v in p["verdicts"].items() if v["from"] != v["to"])
        table.add_row(p["id"], verdicts or _("unchanged"),
                      _("changed") if p["route_changed"] else _("same"),
                      f"{p['exposure_km']['from']} → {p['exposure_km']['to']}")
    out.print(table)
    for origin, rows in doc["suggestions"].items():
        for r in rows:
            if r["offered"]["from"] != r["offered"]["to"] or r["route_changed"]:
                change = (_("now offered") if r["offered"]["to"] and not r["offered"]["from"]
                          else _("no longer offered") if r["offered"]["from"]
                          and not r["offered"]["to"] else _("route changed"))
                out.print("  " + escape(f"{origin} → {r['destination']} "
                                        f"({mode_words(r['mode'])}): {change}"), highlight=False)


def _yes(value: bool | None) -> str:
    return _("accepts") if value else _("rejects") if value is not None else "-"


def replay_cmd(
    scenario: ScenarioArg,
    as_json: JsonOpt = False,
    plots: Annotated[Path | None, typer.Option(help="write one map per date, side by side, "
                                                   "as replay.png and replay.svg into this "
                                                   "directory")] = None,
) -> None:
    """Replay the talks on every date of the timeline: verdicts and acceptable corridors."""
    sc = load_scenario(scenario)
    with console.status(_("replaying the timeline")) as status:
        world = build_world(sc)
        status.update(_("negotiating on every date"))
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
    table = Table(_("proposal"), *[d["date"] for d in dates], title=doc["scenario"])
    for k, p in enumerate(dates[0]["proposals"] if dates else []):
        cells = []
        for d in dates:
            verdicts = d["proposals"][k]["verdicts"]
            rejecting = [party for party, v in verdicts.items() if not v["acceptable"]]
            cells.append(styled("red", _("no route")) if not verdicts
                         else styled("red", ngettext("{parties} rejects", "{parties} reject",
                                                     len(rejecting)).format(
                             parties=", ".join(rejecting))) if rejecting
                         else styled("green", _("all accept")))
        table.add_row(p["id"], *cells)
    out.print(table)
    origins = list(dict.fromkeys(o for d in dates for o in [*d["suggestions"], *d["conflicts"]]))
    table = Table(_("origin"), *[d["date"] for d in dates],
                  title=_("Corridors every party accepts"))
    for origin in origins:
        table.add_row(origin, *[", ".join(dict.fromkeys(
            c["destination"] for c in d["suggestions"].get(origin, [])))
            or styled("red", _("none")) for d in dates])
    out.print(table)
    for path in doc.get("plots", []):
        console.print(_("wrote {path}").format(path=path))
