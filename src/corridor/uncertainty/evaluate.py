"""One drawn situation judged.

Every proposal is re-routed as written, every suggested corridor re-judged on the road it was
suggested on.

The work is shipped to workers once as a :class:`PreparedSweep` (scenario, network, gazetteer and
the draws' model: plain data); each worker builds its router from it once and keeps it, and
every sample then only re-draws control, re-annotates the edges and re-weights the router.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np
import numpy.typing as npt
import shapely

from corridor.gazetteer import Gazetteer
from corridor.negotiation.search import JudgedRoute, Negotiation, judge, route_as_proposed
from corridor.network.cache import default_cache_dir
from corridor.network.graph import RoadNetwork
from corridor.routing.router import Path, Router
from corridor.scenario.schema import Scenario
from corridor.situation import Situation
from corridor.sources import Sources
from corridor.uncertainty.draws import Draw, Model, draw, drawn_settlements
from corridor.world import World, assemble_world


@dataclass(frozen=True)
class Item:
    """A proposal or a suggested corridor, as the sweep follows it through the draws.

    A proposal is routed afresh in every draw through its waypoints, as the negotiation routes
    it; a suggested corridor keeps the road it was suggested on (``path``), because a corridor
    on the table is that road, whatever else the map would now prefer.
    """

    kind: str
    id: str
    stops: tuple[str, ...]
    spans: tuple[tuple[datetime, datetime], ...]
    mode: str = "as proposed"
    windows: tuple[str, ...] = ()
    baseline: dict[str, bool] = field(default_factory=dict)
    path: Path | None = None

    @property
    def origin(self) -> str:
        return self.stops[0]

    @property
    def destination(self) -> str:
        return self.stops[-1]


@dataclass(frozen=True)
class PreparedSweep:
    """Everything a worker needs to judge any draw, shipped once per worker.

    ``token`` names the world (a worker keeps the world it built for it); ``run`` names the
    items, so a worker serving several sweeps of one world forgets outcomes of other items.
    """

    scenario: Scenario
    network: RoadNetwork
    gazetteer: Gazetteer
    countries: dict[str, shapely.Geometry]
    sources: Sources
    #: The situation as reported, annotated once by the caller: shipping its arrays is
    #: cheaper than every worker annotating the whole network again.
    reported: Situation
    model: Model
    seed: int
    items: tuple[Item, ...]
    parties: tuple[str, ...]
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    run: str = field(default_factory=lambda: uuid.uuid4().hex)

    def with_items(self, items: Sequence[Item]) -> PreparedSweep:
        """The same world and draws, following other items."""
        return replace(self, items=tuple(items), run=uuid.uuid4().hex)


@dataclass(frozen=True)
class Outcome:
    """What one draw did to every item: rows follow :attr:`PreparedSweep.items`, columns parties."""

    index: int
    accept: npt.NDArray[np.bool_]
    routed: npt.NDArray[np.bool_]
    exposure_km: npt.NDArray[np.float64]
    crosses_front: npt.NDArray[np.bool_]


def prepare(world: World, negotiation: Negotiation | None, sources: Sources, model: Model,
            seed: int) -> PreparedSweep:
    """The items to follow (every proposal, every suggested corridor) and the shipped state.

    ``sources`` are the layers of the world's scenario as read, the settlements among them the
    ones ``model`` draws from. Without a negotiation there are no items yet (see
    :meth:`PreparedSweep.with_items`).
    """
    sc = world.scenario
    items: list[Item] = []
    for r in negotiation.proposals if negotiation else ():
        p = r.proposal
        items.append(Item("proposal", p.id, (p.origin, *p.waypoints, p.destination),
                          _spans(sc, p.windows), windows=tuple(p.windows),
                          baseline=_baseline(r.corridor)))
    for corridors in negotiation.suggestions.values() if negotiation else ():
        items.extend(Item("corridor", corridor_id(c), (c.origin, c.destination),
                          _spans(sc, c.windows), c.mode, c.windows, _baseline(c), c.path)
                     for c in corridors)
    return PreparedSweep(sc, world.network, world.gazetteer, world.countries, sources,
                    world.situation, model, seed, tuple(items), tuple(p.id for p in sc.parties))


def corridor_id(c: JudgedRoute) -> str:
    """A suggested corridor's name in sweep reports: its ends and how it was routed."""
    return f"{c.origin} -> {c.destination} ({c.mode})"


def _spans(sc: Scenario, ids: Sequence[str]) -> tuple[tuple[datetime, datetime], ...]:
    return tuple((w.start, w.end) for w in sc.windows if w.id in ids)


def _baseline(c: JudgedRoute | None) -> dict[str, bool]:
    return {} if c is None else {p: v.acceptable for p, v in c.verdicts.items()}


@dataclass
class _Worker:
    """A worker's state for one sweep: its world, and every situation judged so far.

    Few uncertain settlements make many samples repeat a situation; each is judged once.
    """

    token: str
    run: str
    world: World
    #: The situation as reported, which every draw is measured from: re-measuring only what
    #: a draw changed, from the same start, makes each outcome independent of the draws a
    #: worker happened to judge before.
    reported: Situation
    seen: dict[tuple[bytes, float | None], Outcome] = field(default_factory=dict)


#: The state of the sweep this worker process serves: built on its first task, reused by every
#: later task of the same sweep.
_STATE: list[_Worker] = []


def run_samples(prepared: PreparedSweep, indices: Sequence[int]) -> list[Outcome]:
    """Draw and judge samples ``indices`` of the sweep."""
    worker = _worker(prepared)
    out = []
    for i in indices:
        d = draw(prepared.model, prepared.seed, i)
        key = (d.choice.tobytes(), d.buffer_km)
        if key not in worker.seen:
            worker.world.situation = worker.reported
            worker.seen[key] = _judge_draw(prepared, worker.world, d)
        out.append(replace(worker.seen[key], index=i))
    return out


def _worker(prepared: PreparedSweep) -> _Worker:
    if _STATE and _STATE[0].token == prepared.token and _STATE[0].run != prepared.run:
        _STATE[0].seen.clear()
        _STATE[0].run = prepared.run
    if not _STATE or _STATE[0].token != prepared.token:
        router = Router(prepared.network, cache_dir=default_cache_dir() / "cch")
        world = assemble_world(prepared.scenario, prepared.network, prepared.gazetteer,
                               prepared.countries, prepared.sources, router, prepared.reported)
        _STATE[:] = [_Worker(prepared.token, prepared.run, world, world.situation)]
    return _STATE[0]


def _judge_draw(prepared: PreparedSweep, world: World, d: Draw) -> Outcome:
    sc = prepared.scenario
    if d.buffer_km is not None:
        sc = sc.model_copy(update={"hazards": sc.hazards.model_copy(
            update={"front_line_buffer_km": d.buffer_km})})
    world.stand(sc, replace(prepared.sources, settlements=drawn_settlements(prepared.model, d)))
    n, parties = len(prepared.items), prepared.parties
    accept = np.zeros((n, len(parties)), dtype=np.bool_)
    routed = np.zeros(n, dtype=np.bool_)
    exposure = np.full(n, np.nan)
    crosses = np.zeros(n, dtype=np.bool_)
    for k, item in enumerate(prepared.items):
        judged = _judged(world, item)
        if judged is None:
            continue
        routed[k] = True
        accept[k] = [judged.verdicts[p].acceptable for p in parties]
        exposure[k] = judged.summary.exposure_km["total"]
        crosses[k] = bool(shapely.intersects(shapely.LineString(judged.summary.geometry),
                                             world.front_line))
    return Outcome(-1, accept, routed, exposure, crosses)


def _judged(world: World, item: Item) -> JudgedRoute | None:
    """The item judged in the world's current situation; ``None`` if it cannot be routed."""
    if item.path is None:
        fields = [f"{item.id}: stop {k}" for k in range(len(item.stops))]
        return route_as_proposed(world, item.stops, fields, item.spans)[1]
    return judge(world, world.locate(item.origin, field=f"{item.id}: origin"),
                 world.locate(item.destination, field=f"{item.id}: destination"),
                 item.path, item.mode, item.spans)
