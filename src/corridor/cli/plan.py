"""``corridor plan``: how many people each agreed corridor moves within its windows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.table import Table

from corridor.cli._options import AtOpt, JsonOpt, ScenarioArg, parse_day, with_language
from corridor.cli._output import console, out, print_json, styled
from corridor.errors import ScenarioError
from corridor.i18n import (
    _,
    format_datetime,
    format_decimal,
    format_number,
    format_percent,
    ngettext,
)
from corridor.negotiation.search import JudgedRoute
from corridor.planning.agreed import agreed_spec, along_route, unplanned_fleets
from corridor.planning.corridor import plan_corridor
from corridor.planning.model import CorridorPlan
from corridor.planning.plot import plot_timeline
from corridor.scenario import load_scenario
from corridor.world import build_world


def register(app: typer.Typer) -> None:
    """Add ``plan`` to the main app."""
    app.command("plan")(with_language(plan_cmd))


def plan_cmd(
    scenario: ScenarioArg,
    corridor: Annotated[str | None, typer.Option(help="plan only this agreed corridor "
                                                     "id")] = None,
    resolution: Annotated[int, typer.Option(min=1, max=60,
                                            help="minutes per time step")] = 5,
    plots: Annotated[Path | None, typer.Option(help="write timeline plots (PNG and SVG) "
                                                   "into this directory")] = None,
    as_json: JsonOpt = False,
    at: AtOpt = None,
) -> None:
    """Plan convoys for the scenario's agreed corridors over their ceasefire windows.

    On a timeline, each corridor is planned on the snapshot valid on ``--at``, by default on
    the latest not after its first window.
    """
    sc = load_scenario(scenario)
    day = parse_day(at, sc)
    chosen = [c for c in sc.corridors if corridor is None or c.id == corridor]
    if not chosen:
        known = ", ".join(c.id for c in sc.corridors) or _("none")
        raise ScenarioError(_("no agreed corridor {corridor!r}; agreed corridors: {known}").format(
            corridor=corridor, known=known), source=scenario, field="corridors")
    results: list[dict[str, Any]] = []
    with console.status(_("loading the scenario")) as status:
        world = build_world(sc)
        for agreed in chosen:
            status.update(_("planning {corridor}").format(corridor=agreed.id))
            world.move_to(sc.snapshot_date(day) if day else sc.default_date(agreed.windows))
            spec, routed = agreed_spec(world, agreed, resolution_min=resolution)

            def show(stage: str, fraction: float, name: str = agreed.id) -> None:
                status.update(_("planning {corridor}: {stage} ({percent})").format(
                    corridor=name, stage=stage, percent=format_percent(fraction)))

            plan = plan_corridor(spec, progress=show)
            entry = {**plan.to_dict(), "as_of": world.day.isoformat() if world.day else None,
                     "route": routed.route_dict(),
                     **along_route(world, spec, routed),
                     "acceptable_to_all": routed.acceptable_to_all,
                     "verdicts": {p: v.to_dict() for p, v in routed.verdicts.items()},
                     "warnings": _warnings(agreed.id, routed),
                     "unplanned_fleets": unplanned_fleets(sc, agreed)}
            if plots is not None:
                png, svg = plot_timeline(plan, plots / f"plan-{agreed.id}",
                                         zone=ZoneInfo(sc.timezone))
                entry["plots"] = [str(png), str(svg)]
            results.append(entry)
            if not as_json:
                _print(plan, entry)
    if as_json:
        print_json({"scenario": sc.name, "schematic": world.schematic,
                    "data_note": world.data_note, "corridors": results,
                    "notes": world.notes})
        return
    for note in world.notes:
        out.print(escape(_("note: {note}").format(note=note)), highlight=False)
    if plots is not None:
        console.print(_("plots written to {path}").format(path=plots))


def _warnings(corridor_id: str, routed: JudgedRoute) -> list[str]:
    """One line per party whose rules the corridor's route breaks now, in its agreed windows."""
    return [_("corridor {corridor}: {party} no longer accepts its route: {reasons}").format(
                corridor=corridor_id, party=party,
                reasons="; ".join(r.message for r in verdict.violated))
            for party, verdict in routed.verdicts.items() if not verdict.acceptable]


def _print(plan: CorridorPlan, entry: dict[str, Any]) -> None:
    route = entry["route"]
    for warning in entry["warnings"]:
        out.print(styled("bold yellow", _("warning:")) + " " + escape(warning))
    for fleet in entry["unplanned_fleets"]:
        out.print(styled("bold yellow", _("not planned:")) + " " + escape(
            ngettext("fleet {fleet} ({buses} bus, {seats} seats): {reason}",
                     "fleet {fleet} ({buses} buses, {seats} seats): {reason}",
                     fleet["buses"]).format(fleet=fleet["id"], buses=fleet["buses"],
                                            seats=format_number(fleet["seats"]),
                                            reason=fleet["reason"])))
    held = route.get("held_exposure") or {"km": 0.0}
    clear = (format_number(plan.days_to_clear) if plan.days_to_clear
             else _("not within limit"))
    out.print(f"[bold]{escape(plan.id)}[/bold]: " + escape(_(
        "{km} km, {hours} h, {held} km through the other side's ground — {people} people "
        "moved; binding: {binding}; days to clear: {days}").format(
            km=format_decimal(route["km"], 0), hours=format_decimal(route["hours"], 1),
            held=format_decimal(held["km"], 0), people=format_number(plan.people_moved),
            binding=plan.binding, days=clear)), highlight=False)
    for c in entry["checkpoints"]:
        out.print("  " + escape(_("checkpoint {id} at km {km} ({minutes} min)").format(
            id=c["id"], km=format_decimal(c["km"], 1), minutes=format_decimal(c["minutes"], 0))),
            highlight=False)
    for h in entry["hazard_stretches"]:
        out.print("  " + escape(_("hazard stretch km {start}-{end} ({first}-{last} min)").format(
            start=format_decimal(h["from_km"], 1), end=format_decimal(h["to_km"], 1),
            first=format_decimal(h["from_minutes"], 0), last=format_decimal(h["to_minutes"], 0))),
            highlight=False)
    table = Table(_("window start"), _("window end"), _("people moved"))
    for w in plan.windows:
        table.add_row(format_datetime(w.start, "short"), format_datetime(w.end, "short"),
                      format_number(w.people_moved))
    out.print(table)
    if plan.unmoved.people:
        out.print("  " + escape(_("not moved: {people} — {reasons}").format(
            people=format_number(plan.unmoved.people), reasons="; ".join(plan.unmoved.reasons))),
            highlight=False)
