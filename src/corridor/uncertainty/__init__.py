"""Uncertainty sweeps: how the verdicts hold up when the reported situation may be wrong.

The control data says how sure each settlement report is. A sweep draws many situations from
those confidences (and from an uncertain front-line band), judges every proposal and suggested
corridor in each, and reports how often each party accepts, how exposure spreads, how often a
route crosses the front line, and which settlements matter most.
"""

from __future__ import annotations

from corridor.negotiation.search import Negotiation
from corridor.progress import Progress
from corridor.situation.control import read_settlements
from corridor.uncertainty.draws import Model, build_model
from corridor.uncertainty.engines import ENGINES, run
from corridor.uncertainty.evaluate import prepare
from corridor.uncertainty.summary import SweepResult, summarize_sweep
from corridor.world import World

__all__ = ["ENGINES", "SweepResult", "model_of", "sweep"]


def model_of(world: World) -> Model:
    """The uncertainty of the world's scenario: its settlement reports and their confidence."""
    sc = world.scenario
    spec = sc.control.settlements
    if spec is None:
        return build_model([], sc.uncertainty, statuses=[], contested=None)
    reports = read_settlements(sc.path(spec.source), statuses=list(spec.status))
    contested = next((s for s, label in spec.status.items()
                      if label == sc.hazards.contested_label), None)
    return build_model(reports, sc.uncertainty, statuses=list(spec.status), contested=contested)


def sweep(world: World, negotiation: Negotiation, *, samples: int, seed: int = 0,
          engine: str = "local", address: str | None = None, workers: int | None = None,
          progress: Progress | None = None) -> SweepResult:
    """Draw ``samples`` situations and judge the negotiation's proposals and corridors in each.

    ``negotiation`` is the verdict on the situation as reported; its proposals and suggested
    corridors are the items followed.
    """
    prepared = prepare(world, negotiation, model_of(world), seed)
    outcomes = run(prepared, samples, engine=engine, address=address, workers=workers,
                   progress=progress)
    return summarize_sweep(prepared, outcomes)
