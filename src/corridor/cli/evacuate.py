"""``corridor evacuate``: how long moving everyone at the origins over the open roads takes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from corridor.cli._options import JsonOpt, ScenarioArg, with_language
from corridor.cli._output import console, out, print_json
from corridor.planning.evacuate import Evacuation, evacuate
from corridor.scenario import load_scenario
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
    with console.status("loading the scenario") as status:
        world = build_world(sc)
        result = evacuate(world, step_s=step, persons_per_vehicle=persons_per_vehicle,
                          exact=exact, simulate_in=simulate,
                          progress=lambda stage, fraction: status.update(
                              f"{stage} ({fraction:.0%})"))
    if as_json:
        print_json(result.to_dict())
    else:
        _print(result)


def _print(result: Evacuation) -> None:
    data = result.to_dict()
    out.print(f"[bold]{escape(data['scenario'])}[/bold]: everyone safe after "
              f"[bold]{data['egress_hours']:.2f} h[/bold] ({data['people_routed']:,} people, "
              f"{data['persons_per_vehicle']:g} per vehicle, {data['step_s']:g} s steps)")
    table = Table("origin", "destination", "people", "routes", "shortest km",
                  "last arrival (min)")
    for origin in data["origins"]:
        names = escape(", ".join(origin["names"]))
        if origin["unrouted"]:
            table.add_row(names, escape(f"none: {origin['reason']}"),
                          f"{origin['unrouted']:,}", "", "", "")
        for to in origin["destinations"]:
            table.add_row(names, escape(", ".join(to["names"])), f"{to['people']:,}",
                          str(to["routes"]), f"{to['km']:.1f}", f"{to['last_arrival_min']:.0f}")
    out.print(table)
    for d in data["destinations"]:
        if d["people"] > d["capacity"]:
            out.print(f"[yellow]{escape(', '.join(d['names']))} would receive {d['people']:,} "
                      f"people, more than its capacity of {d['capacity']:,}[/yellow]")
    if data["exact"] is not None:
        out.print(f"exact optimum: {data['exact']['egress_hours']:.2f} h "
                  f"(plan / optimum = {data['exact']['ratio']})")
    if data["simulation"] is not None:
        sim = data["simulation"]
        verdict = "within" if sim["within_tolerance"] else "OUTSIDE"
        out.print(f"SUMO clearance: {sim['clearance_hours']:.2f} h, {sim['difference_s']:+.0f} s "
                  f"from the plan, {verdict} the ±{sim['tolerance_s']:.0f} s rounding explains")
