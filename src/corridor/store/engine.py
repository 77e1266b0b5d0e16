"""The negotiation engine as the coordination store uses it: proposals routed and judged.

Clients name places; the server resolves the names against the scenario it runs with, routes
through them and judges the route by every party's rules, with the same code as
``corridor negotiate``. What it computes (the route, its summary, the verdicts) is stored as the
server's own finding and never taken from a client: a party's stance is its position.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from corridor.errors import RoutingError, ScenarioError, StoreError
from corridor.i18n import _
from corridor.negotiation.adhoc import RouteQuery, adhoc_json, route_adhoc
from corridor.negotiation.output import route_line, verdicts_json
from corridor.negotiation.search import JudgedRoute, evaluate_proposal, route_as_proposed
from corridor.scenario import Scenario
from corridor.scenario.schema import Window as ScenarioWindow
from corridor.store.schemas import ProposalIn, ProposalOut, WindowIn
from corridor.store.validation import describe
from corridor.uncertainty import odds
from corridor.world import Located, World

#: The router and the world's caches are not thread-safe; the API serves requests in threads.
ENGINE_LOCK = threading.Lock()
#: How long a window without an end is taken to last when judged: long enough that no party's
#: daily hours can contain it.
OPEN_ENDED = dt.timedelta(days=366)


@dataclass(frozen=True)
class Judged:
    """What the engine made of a proposal: its route, a summary of it, every party's verdict.

    ``summary`` has the fields of ``negotiate --json``'s route (km, hours, exposure, towns,
    territories, roads, border crossings) and ``notes`` on how each place met the roads; when no
    route exists it has ``error`` instead, and there are no verdicts.
    """

    route: dict[str, Any] | None
    summary: dict[str, Any]
    verdicts: dict[str, Any]

    @classmethod
    def of(cls, located: list[Located], corridor: JudgedRoute | None, error: str | None) -> Judged:
        """The stored finding of one routed proposal: its line, summary and notes, and verdicts."""
        notes = [f"{loc.name}: {loc.note}" for loc in located if loc.note]
        if corridor is None:
            return cls(None, {"error": error or "no route", "notes": notes}, {})
        return cls(route_line(corridor), {**corridor.route_dict(), "notes": notes},
                   verdicts_json(corridor))


@dataclass(frozen=True)
class Tabled:
    """A proposal as tabled, with the engine's finding (``None`` where no scenario is loaded)."""

    body: ProposalIn
    judged: Judged | None
    #: The scenario's id of the proposal, which makes loading a scenario twice a no-op.
    ref: str | None = None


def route_stops(origin: str, waypoints: list[str] | None,
                destination: str) -> tuple[list[str], list[str]]:
    """Names from origin to destination and the request field of each.

    ``waypoints`` may or may not repeat the origin and destination at its ends.
    """
    given = list(waypoints or [])
    first = 1 if given[:1] == [origin] else 0
    last = len(given) - 1 if len(given) > first and given[-1] == destination else len(given)
    names = [origin, *given[first:last], destination]
    fields = ["origin", *(f"waypoints.{k}" for k in range(first, last)), "destination"]
    return names, fields


def judge_proposal(world: World, body: ProposalIn) -> Judged:
    """Resolve, route and judge a proposal posted to the service.

    An unknown place is a :class:`StoreError` naming the field and the closest spellings. A
    drawn route is refused: the route the parties judge and sign is the one the engine finds.
    """
    if body.route is not None:
        raise StoreError(_("the server routes a proposal through its origin, waypoints and "
                           "destination; send those names, not a drawn route"), field="route")
    names, fields = route_stops(body.origin, body.waypoints, body.destination)
    windows = [(w.start, w.end or w.start + OPEN_ENDED) for w in body.windows]
    with ENGINE_LOCK:
        try:
            return Judged.of(*route_as_proposed(world, names, fields, windows))
        except ScenarioError as exc:
            raise StoreError(exc.message, field=exc.field) from exc


def proposal_odds(world: World, proposal: ProposalOut, samples: int) -> dict[str, Any]:
    """How often each party would accept a stored proposal across ``samples`` drawn situations.

    See :func:`corridor.uncertainty.odds.proposal_odds`; the proposal is routed as the server
    routed it when it was tabled.
    """
    names, _ = route_stops(proposal.origin, proposal.waypoints, proposal.destination)
    spans = [(w.start, w.end or w.start + OPEN_ENDED) for w in proposal.windows]
    try:
        return odds.proposal_odds(world, str(proposal.id), names, spans, samples)
    except ScenarioError as exc:
        raise StoreError(exc.message, field=exc.field) from exc


def route_for_service(world: World, query: RouteQuery) -> dict[str, Any]:
    """An ad-hoc route as ``GET /api/route`` answers it: ``corridor route --json``'s object.

    Bad places, windows or labels, and a route that does not exist, are a :class:`StoreError`
    naming the request field.
    """
    with ENGINE_LOCK:
        try:
            return adhoc_json(world, route_adhoc(world, query))
        except (ScenarioError, RoutingError) as exc:
            raise StoreError(exc.message, field=exc.field) from exc


def store_window(window: ScenarioWindow, scenario: Scenario) -> WindowIn:
    """A scenario window as the store keeps it: in its named zone (the scenario's by default)."""
    zone = ZoneInfo(window.timezone or scenario.timezone)
    return WindowIn(start=window.start.astimezone(zone), end=window.end.astimezone(zone),
                  tz=zone.key)


def tabled_from_scenario(world: World) -> list[Tabled]:
    """The scenario's proposals, each routed and judged as ``negotiate`` does."""
    sc = world.scenario
    out = []
    for i, p in enumerate(sc.proposals):
        with ENGINE_LOCK:
            result = evaluate_proposal(world, p, i)
        try:
            body = ProposalIn.model_validate({
                "proposer_id": p.proposer, "origin": p.origin, "destination": p.destination,
                "waypoints": [p.origin, *p.waypoints, p.destination],
                "windows": [store_window(w, sc) for w in sc.windows if w.id in p.windows]})
        except ValidationError as exc:
            raise unstorable(exc, f"proposals[{i}]") from exc
        out.append(Tabled(body, Judged.of(result.waypoints, result.corridor, result.error),
                          ref=p.id))
    return out


def unstorable(exc: ValidationError, where: str) -> ScenarioError:
    """The first reason the store refuses a scenario's item, under the item's scenario field.

    The store's names are used (``proposer_id`` for a proposal's ``proposer``): they are the
    fields whose rules were broken.
    """
    first = exc.errors()[0]
    path = ".".join([where, *(str(p) for p in first["loc"])])
    return ScenarioError(_("cannot be stored: {problem}").format(problem=describe(first)),
                         field=path)
