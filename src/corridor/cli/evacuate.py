"""``corridor evacuate``: how long moving everyone at the origins over the open roads takes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from corridor.cli._options import JsonOpt, ScenarioArg, with_language
from corridor.cli._output import console, out, print_json
from corridor.i18n import _, format_decimal, format_number, format_percent
from corridor.planning.evacuate import Evacuation, evacuate
from corridor.scenario import load_scenario
from corridor.wording import amount
from corridor.world import build_world


def register(app: typer.Typer) -> None:
    """Add ``evacuate`` to the main app."""
    app.command("evacuate")(with_language(evacuate_cmd))


def evacuate_cmd(
    scenario: ScenarioArg,
    step: Annotated[float, typer.Option(min=1.0, max=600.0,
                                        help="seconds per time step")] = 60.0,
    persons_per_vehicle: Annotated[float, typer.Option(
        min=1.0, max=100.0, help="evacuees per vehicle")] = 3.0,
    exact: Annotated[bool, typer.Option(help="also compute the exact quickest flow "
                                             "(far slower than the plan)")] = False,
    simulate: Annotated[Path | None, typer.Option(help="check the plan in SUMO, writing its "
                                                       "files into this directory")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Plan everyone at the origins out to the destinations by any open road (CCRP)."""
    sc = load_scenario(scenario)
    with console.status(_("loading the scenario")) as status:
        world = build_world(sc)
        result = evacuate(world, step_s=step, persons_per_vehicle=persons_per_vehicle,
                          exact=exact, simulate_in=simulate,
                          progress=lambda stage, fraction: status.update(
                              f"{stage} ({format_percent(fraction)})"))
    if as_json:
        print_json(result.to_dict())
    else:
        _print(result)


def _print(result: Evacuation) -> None:
    data = result.to_dict()
    out.print(f"[bold]{escape(data['scenario'])}[/bold]: " + escape(_(
        "everyone safe after {hours} h ({people} people, {per_vehicle} per vehicle, {step} s "
        "steps)").format(hours=format_decimal(data["egress_hours"], 2),
                         people=format_number(data["people_routed"]),
                         per_vehicle=amount(data["persons_per_vehicle"]),
                         step=amount(data["step_s"]))), highlight=False)
    table = Table(_("origin"), _("destination"), _("people"), _("routes"), _("shortest km"),
                  _("last arrival (min)"))
    for origin in data["origins"]:
        names = escape(", ".join(origin["names"]))
        if origin["unrouted"]:
            table.add_row(names, escape(_("none: {reason}").format(reason=origin["reason"])),
                          format_number(origin["unrouted"]), "", "", "")
        for to in origin["destinations"]:
            table.add_row(names, escape(", ".join(to["names"])), format_number(to["people"]),
                          str(to["routes"]), format_decimal(to["km"], 1),
                          format_decimal(to["last_arrival_min"], 0))
    out.print(table)
    for d in data["destinations"]:
        if d["people"] > d["capacity"]:
            out.print("[yellow]" + escape(_(
                "{place} would receive {people} people, more than its capacity of "
                "{capacity}").format(place=", ".join(d["names"]),
                                     people=format_number(d["people"]),
                                     capacity=format_number(d["capacity"]))) + "[/yellow]")
    if data["exact"] is not None:
        out.print(escape(_("exact optimum: {hours} h (plan / optimum = {ratio})").format(
            hours=format_decimal(data["exact"]["egress_hours"], 2),
            ratio=data["exact"]["ratio"])), highlight=False)
    if data["simulation"] is not None:
        _print_simulation(data["simulation"])


def _print_simulation(sim: dict[str, Any]) -> None:
    """How the SUMO run compares with the plan, and whether rounding explains the gap."""
    words = {"hours": format_decimal(sim["clearance_hours"], 2),
             "difference": f"{sim['difference_s']:+.0f}",
             "tolerance": format_decimal(sim["tolerance_s"], 0)}
    if sim["within_tolerance"]:
        text = _("SUMO clearance: {hours} h, {difference} s from the plan, within the "
                 "±{tolerance} s rounding explains")
    else:
        text = _("SUMO clearance: {hours} h, {difference} s from the plan, OUTSIDE the "
                 "±{tolerance} s rounding explains")
    out.print(escape(text.format(**words)), highlight=False)
