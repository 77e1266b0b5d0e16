"""Uncertainty sweeps: how the verdicts hold up when the reported situation may be wrong.

The control data says how sure each settlement report is. A sweep draws many situations from
those confidences (and from an uncertain front-line band), judges every proposal and suggested
corridor in each, and reports how often each party accepts, how exposure spreads, how often a
route crosses the front line, and which settlements matter most.
"""

from __future__ import annotations

from corridor.negotiation.search import Negotiation
from corridor.progress import Progress
from corridor.sources import read_sources
from corridor.uncertainty.draws import model_of
from corridor.uncertainty.engines import ENGINES, run
from corridor.uncertainty.evaluate import prepare
from corridor.uncertainty.summary import SweepResult, summarize_sweep
from corridor.world import World

__all__ = ["ENGINES", "SweepResult", "model_of", "sweep"]


def sweep(world: World, negotiation: Negotiation, *, samples: int, seed: int = 0,
          engine: str = "local", address: str | None = None, workers: int | None = None,
          progress: Progress | None = None) -> SweepResult:
    """Draw ``samples`` situations and judge the negotiation's proposals and corridors in each.

    ``negotiation`` is the verdict on the situation as reported, the one ``world`` stands on
    (on a scenario with a timeline: one date's); its proposals and suggested corridors are the
    items followed.
    """
    sources = read_sources(world.scenario)
    prepared = prepare(world, negotiation, sources, model_of(world.scenario, sources), seed)
    outcomes = run(prepared, samples, engine=engine, address=address, workers=workers,
                   progress=progress)
    return summarize_sweep(prepared, outcomes)
