"""How sure a tabled proposal's verdicts are: a modest sweep, on demand, for the service.

The service judges a proposal once, on the situation as reported. Asked how sure that verdict
is, it draws a few dozen situations from the same reports and judges the proposal in each, in its
own process: a copy of the served world is built once (the served one keeps answering other
requests meanwhile), and every answer is kept, so asking again costs nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

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
#: The prepared state per served world (by identity; a service serves one world for its life).
_PREPARED: dict[int, PreparedSweep] = {}
#: Answers already given, by world, stops, windows and samples.
_ANSWERS: dict[tuple[Any, ...], dict[str, Any]] = {}


def proposal_odds(world: World, proposal_id: str, stops: Sequence[str],
                  spans: Sequence[tuple[datetime, datetime]],
                  samples: int = DEFAULT_SAMPLES) -> dict[str, Any]:
    """The sweep's answer for one proposal routed through ``stops`` in windows ``spans``.

    The shape is one item of ``corridor sweep --json`` with the run's ``samples``, ``seed`` and
    ``uncertain_settlements`` added.
    """
    key = (id(world), tuple(stops), tuple(spans), samples)
    with _LOCK:
        if key not in _ANSWERS:
            base = _PREPARED.get(id(world))
            if base is None:
                sources = read_sources(world.scenario)
                base = prepare(world, None, sources, model_of(world.scenario, sources), SEED)
                _PREPARED[id(world)] = base
            prepared = base.with_items([Item("proposal", proposal_id, tuple(stops),
                                             tuple(spans))])
            result = summarize_sweep(prepared, run_samples(prepared, range(samples)))
            whole = result.to_dict()
            _ANSWERS[key] = {**{k: whole[k] for k in ("samples", "seed", "at",
                                                      "uncertain_settlements")},
                             **whole["proposals"][0]}
        return _ANSWERS[key]
