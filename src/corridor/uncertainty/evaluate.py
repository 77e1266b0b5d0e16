"""One drawn situation judged.

Every proposal is re-routed as written, every suggested corridor re-judged on the road it was
suggested on.

The work is shipped to workers once as a :class:`Prepared` (scenario, network, gazetteer and
the draws' model: plain data); each worker builds its router from it once and keeps it, and
every sample then only re-draws control, re-annotates the edges and re-weights the router.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt
import shapely

from corridor.gazetteer import Gazetteer
from corridor.negotiation.search import JudgedRoute, Negotiation, evaluate_proposal, judge
from corridor.network.cache import default_cache_dir
from corridor.network.graph import RoadNetwork
from corridor.routing.route import Settlements
from corridor.routing.router import Path, Router
from corridor.scenario.schema import Scenario
from corridor.uncertainty.draws import Draw, Model, draw, drawn_settlements
from corridor.world import World, stand_on


@dataclass(frozen=True)
class Item:
    """A proposal or a suggested corridor, as the sweep follows it through the draws.

    A proposal is routed afresh in every draw through its waypoints, as the negotiation routes
    it; a suggested corridor keeps the road it was suggested on (``path``), because a corridor
    on the table is that road, whatever else the map would now prefer.
    """

    kind: str
    id: str
    origin: str
    destination: str
    mode: str
    windows: tuple[str, ...]
    baseline: dict[str, bool]
    proposal_index: int | None = None
    path: Path | None = None


@dataclass(frozen=True)
class Prepared:
    """Everything a worker needs to judge any draw, shipped once per worker."""

    scenario: Scenario
    network: RoadNetwork
    gazetteer: Gazetteer
    countries: dict[str, shapely.Geometry]
    towns: Settlements
    model: Model
    seed: int
    items: tuple[Item, ...]
    parties: tuple[str, ...]
    token: str = field(default_factory=lambda: uuid.uuid4().hex)


@dataclass(frozen=True)
class Outcome:
    """What one draw did to every item: rows follow :attr:`Prepared.items`, columns parties."""

    index: int
    accept: npt.NDArray[np.bool_]
    routed: npt.NDArray[np.bool_]
    exposure_km: npt.NDArray[np.float64]
    crosses_front: npt.NDArray[np.bool_]


def prepare(world: World, negotiation: Negotiation, model: Model, seed: int) -> Prepared:
    """The items to follow (every proposal, every suggested corridor) and the shipped state."""
    items = [_item("proposal", r.proposal.id, r.corridor, proposal_index=k)
             for k, r in enumerate(negotiation.proposals)]
    items.extend(_item("corridor", corridor_id(c), c, path=c.path)
                 for corridors in negotiation.suggestions.values() for c in corridors)
    return Prepared(world.scenario, world.network, world.gazetteer, world.countries,
                    world.settlements, model, seed, tuple(items),
                    tuple(p.id for p in world.scenario.parties))


def corridor_id(c: JudgedRoute) -> str:
    """A suggested corridor's name in sweep reports: its ends and how it was routed."""
    return f"{c.origin} -> {c.destination} ({c.mode})"


def _item(kind: str, item_id: str, c: JudgedRoute | None, *, proposal_index: int | None = None,
          path: Path | None = None) -> Item:
    if c is None:
        return Item(kind, item_id, "", "", "", (), {}, proposal_index, path)
    return Item(kind, item_id, c.origin, c.destination, c.mode, c.windows,
                {p: v.acceptable for p, v in c.verdicts.items()}, proposal_index, path)


@dataclass
class _Worker:
    """A worker's state for one sweep: its world, and every situation judged so far.

    Few uncertain settlements make many samples repeat a situation; each is judged once.
    """

    token: str
    world: World
    seen: dict[tuple[bytes, float | None], Outcome] = field(default_factory=dict)


#: The state of the sweep this worker process serves: built on its first task, reused by every
#: later task of the same sweep.
_STATE: list[_Worker] = []


def run_samples(prepared: Prepared, indices: Sequence[int]) -> list[Outcome]:
    """Draw and judge samples ``indices`` of the sweep."""
    worker = _worker(prepared)
    out = []
    for i in indices:
        d = draw(prepared.model, prepared.seed, i)
        key = (d.choice.tobytes(), d.buffer_km)
        if key not in worker.seen:
            worker.seen[key] = _judge_draw(prepared, worker.world, d)
        out.append(replace(worker.seen[key], index=i))
    return out


def _worker(prepared: Prepared) -> _Worker:
    if not _STATE or _STATE[0].token != prepared.token:
        router = Router(prepared.network, cache_dir=default_cache_dir() / "cch")
        world = stand_on(prepared.scenario, prepared.network, prepared.gazetteer,
                         prepared.countries, router, prepared.towns,
                         settlements=list(prepared.model.settlements))
        _STATE[:] = [_Worker(prepared.token, world)]
    return _STATE[0]


def _judge_draw(prepared: Prepared, world: World, d: Draw) -> Outcome:
    world.redraw(drawn_settlements(prepared.model, d), front_line_buffer_km=d.buffer_km)
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
    sc = world.scenario
    if item.proposal_index is not None:
        return evaluate_proposal(world, sc.proposals[item.proposal_index],
                                 item.proposal_index).corridor
    assert item.path is not None  # a suggested corridor always has its road
    windows = [(w.start, w.end) for w in sc.windows if w.id in item.windows]
    return judge(world, world.locate(item.origin, field=f"origin {item.origin}"),
                 world.locate(item.destination, field=f"destination {item.destination}"),
                 item.path, item.mode, windows)
