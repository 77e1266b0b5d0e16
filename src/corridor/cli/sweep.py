"""``corridor sweep``: how far the verdicts hold when the reported situation may be wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from corridor.cli._options import JsonOpt, ScenarioArg, parse_day, with_language
from corridor.cli._output import console, out, print_json
from corridor.files import write_text_atomic
from corridor.i18n import _, format_decimal, format_number, format_percent, ngettext
from corridor.negotiation.search import negotiate
from corridor.report.negotiation import render_html
from corridor.scenario import load_scenario
from corridor.uncertainty import SweepResult, sweep
from corridor.uncertainty.engines import SweepEngine
from corridor.uncertainty.summary import ItemResult
from corridor.world import build_world


def register(app: typer.Typer) -> None:
    """Add ``sweep`` to the main app."""
    app.command("sweep")(with_language(sweep_cmd))


def sweep_cmd(
    scenario: ScenarioArg,
    samples: Annotated[int, typer.Option(min=1, max=1_000_000,
                                         help="situations to draw")] = 200,
    seed: Annotated[int, typer.Option(min=0, help="seed of the draws: the same seed gives "
                                                 "the same answer on any engine")] = 0,
    engine: Annotated[SweepEngine, typer.Option(help="where samples run: a local process pool or "
                                                "a Dask cluster")] = SweepEngine.LOCAL,
    address: Annotated[str | None, typer.Option(help="Dask scheduler to run on, e.g. "
                                                     "tcp://10.0.0.5:8786; without it "
                                                     "--engine dask starts a local cluster")
                       ] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="processes of the local pool "
                                                           "or cluster; default one per CPU")
                       ] = None,
    at: Annotated[str | None, typer.Option(
        "--at", metavar="DATE", help="Draw around the situation snapshot valid on this date "
                                     "(YYYY-MM-DD); by default the timeline's latest")] = None,
    html: Annotated[Path | None, typer.Option(help="write the negotiation report with the "
                                                  "probabilities next to every verdict to "
                                                  "this file")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Judge every proposal and suggested corridor in situations drawn from the reports' confidence.

    Reports acceptance probability per party, exposure spread, front-line crossings and the
    settlements that matter most.
    """
    sc = load_scenario(scenario)
    day = parse_day(at, sc) or (sc.dates[-1] if sc.timeline else None)
    with console.status(_("loading the scenario")) as status:
        world = build_world(sc, progress=False)
        status.update(_("judging the situation as reported"))
        neg = negotiate(world, at=day)
        world.move_to(day)
        result = sweep(world, neg, samples=samples, seed=seed, engine=engine.value, address=address,
                       workers=workers,
                       progress=lambda stage, fraction: status.update(
                           _("sweep: {stage} ({percent})").format(
                               stage=stage, percent=format_percent(fraction))))
    if html is not None:
        write_text_atomic(html, render_html(world, neg, result))
    if as_json:
        print_json(result.to_dict())
    else:
        _print(result)
    if html is not None:
        console.print(_("wrote {path}").format(path=html))


def _print(result: SweepResult) -> None:
    parties = list(result.prepared.parties)
    out.print(ngettext(
        "{samples} situation drawn (seed {seed}) from {reports} uncertain settlement reports",
        "{samples} situations drawn (seed {seed}) from {reports} uncertain settlement reports",
        result.samples).format(samples=format_number(result.samples), seed=result.seed,
                               reports=format_number(len(result.prepared.model.uncertain))),
              highlight=False)
    for title, rows in ((_("Proposals"), result.proposals),
                        (_("Suggested corridors"), result.corridors)):
        if not rows:
            continue
        table = Table(title=title, show_lines=True)
        for col in (_("id"), *[_("{party} accepts").format(party=p) for p in parties],
                    _("exposure km p10/p50/p90"), _("crosses front"), _("matters most")):
            table.add_column(col)
        for r in rows:
            table.add_row(r.item.id, *[format_percent(r.acceptance[p]) for p in parties],
                          _quantiles(r), format_percent(r.crosses_front_line), _top(r))
        out.print(table)


def _quantiles(r: ItemResult) -> str:
    q = r.exposure_km
    if q is None:
        return _("not routed")
    return " / ".join(format_decimal(q[k], 0) for k in ("p10", "p50", "p90"))


def _top(r: ItemResult) -> str:
    return "\n".join(f"{s['settlement']} ({s['reported']})" for s in r.sensitivity[:3])
