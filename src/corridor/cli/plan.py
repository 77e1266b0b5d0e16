"""``corridor plan``: how many people each agreed corridor moves within its windows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from corridor.cli._options import AtOpt, JsonOpt, ScenarioArg, parse_day, with_language
from corridor.cli._output import console, out, print_json
from corridor.errors import ScenarioError
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
        known = ", ".join(c.id for c in sc.corridors) or "none"
        raise ScenarioError(f"no agreed corridor {corridor!r}; agreed corridors: {known}",
                            source=scenario, field="corridors")
    results: list[dict[str, Any]] = []
    with console.status("loading the scenario") as status:
        world = build_world(sc)
        for agreed in chosen:
            status.update(f"planning {agreed.id}")
            world.move_to(sc.snapshot_date(day) if day else sc.default_date(agreed.windows))
            spec, routed = agreed_spec(world, agreed, resolution_min=resolution)

            def show(stage: str, fraction: float, name: str = agreed.id) -> None:
                status.update(f"planning {name}: {stage} ({fraction:.0%})")

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
        out.print(f"note: {note}")
    if plots is not None:
        console.print(f"plots written to {plots}")


def _warnings(corridor_id: str, routed: JudgedRoute) -> list[str]:
    """One line per party whose rules the corridor's route breaks now, in its agreed windows."""
    return [f"corridor {corridor_id}: {party} no longer accepts its route: "
            + "; ".join(r.message for r in verdict.violated)
            for party, verdict in routed.verdicts.items() if not verdict.acceptable]


def _print(plan: CorridorPlan, entry: dict[str, Any]) -> None:
    route = entry["route"]
    for warning in entry["warnings"]:
        out.print(f"[bold yellow]warning:[/bold yellow] {warning}")
    for fleet in entry["unplanned_fleets"]:
        out.print(f"[bold yellow]not planned:[/bold yellow] fleet {fleet['id']} "
                  f"({fleet['buses']} buses, {fleet['seats']} seats): {fleet['reason']}")
    held = route.get("held_exposure") or {"km": 0.0}
    out.print(f"[bold]{plan.id}[/bold]: {route['km']:.0f} km, {route['hours']:.1f} h, "
              f"{held['km']:.0f} km through the other side's ground — "
              f"{plan.people_moved:,} people moved; binding: [bold]{plan.binding}[/bold]; "
              f"days to clear: {plan.days_to_clear if plan.days_to_clear else 'not within limit'}")
    for c in entry["checkpoints"]:
        out.print(f"  checkpoint {c['id']} at km {c['km']:.1f} ({c['minutes']:.0f} min)")
    for h in entry["hazard_stretches"]:
        out.print(f"  hazard stretch km {h['from_km']:.1f}-{h['to_km']:.1f} "
                  f"({h['from_minutes']:.0f}-{h['to_minutes']:.0f} min)")
    table = Table("window start", "window end", "people moved")
    for w in plan.windows:
        table.add_row(f"{w.start:%Y-%m-%d %H:%M %Z}", f"{w.end:%Y-%m-%d %H:%M %Z}",
                      f"{w.people_moved:,}")
    out.print(table)
    if plan.unmoved.people:
        out.print(f"  not moved: {plan.unmoved.people:,} — " + "; ".join(plan.unmoved.reasons))
