"""How sure a tabled proposal's verdicts are: a modest sweep, on demand, for the service.

The service judges a proposal once, on the situation as reported. Asked how sure that verdict
is, it draws a few dozen situations from the same reports and judges the proposal in each, in its
own process: a copy of the served world is built once (the served one keeps answering other
requests meanwhile), and every answer is kept, so asking again costs nothing.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from corridor.situation import Situation
from corridor.sources import read_sources
from corridor.uncertainty.draws import model_of
from corridor.uncertainty.evaluate import Item, PreparedSweep, prepare, run_samples
from corridor.uncertainty.summary import summarize_sweep
from corridor.world import World

#: Samples the dashboard asks for: enough to tell "always" from "mostly" from "rarely", few
#: enough to answer while the reader waits.
DEFAULT_SAMPLES = 20
#: The most samples one request may ask for.
MAX_SAMPLES = 500
#: The service's draws: fixed, so every reader sees the same answer.
SEED = 0

_LOCK = threading.Lock()


@dataclass
class _Kept:
    """The prepared state and the answers given for one world on one situation."""

    world: weakref.ref[World]
    situation: Situation
    prepared: PreparedSweep
    answers: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)


#: Per served world (by identity, checked through a weak reference so a new world reusing a
#: dead one's id starts afresh). Moving the world to another snapshot replaces its situation,
#: which makes every kept answer stale.
_KEPT: dict[int, _Kept] = {}


def proposal_odds(world: World, proposal_id: str, stops: Sequence[str],
                  spans: Sequence[tuple[datetime, datetime]],
                  samples: int = DEFAULT_SAMPLES) -> dict[str, Any]:
    """The sweep's answer for one proposal routed through ``stops`` in windows ``spans``.

    The shape is one item of ``corridor sweep --json`` with the run's ``samples``, ``seed`` and
    ``uncertain_settlements`` added.
    """
    key = (tuple(stops), tuple(spans), samples)
    with _LOCK:
        kept = _kept(world)
        if key not in kept.answers:
            prepared = kept.prepared.with_items([Item("proposal", proposal_id, tuple(stops),
                                                      tuple(spans))])
            result = summarize_sweep(prepared, run_samples(prepared, range(samples)))
            whole = result.to_dict()
            kept.answers[key] = {**{k: whole[k] for k in ("samples", "seed", "at",
                                                          "uncertain_settlements")},
                                 **whole["proposals"][0]}
        return kept.answers[key]


def _kept(world: World) -> _Kept:
    """What is kept for ``world`` as it stands now, prepared afresh when it has moved."""
    kept = _KEPT.get(id(world))
    if kept is None or kept.world() is not world or kept.situation is not world.situation:
        sources = read_sources(world.scenario)
        kept = _Kept(weakref.ref(world), world.situation,
                     prepare(world, None, sources, model_of(world.scenario, sources), SEED))
        _KEPT[id(world)] = kept
    return kept
