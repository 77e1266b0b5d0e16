"""Evaluate proposals for every party and search corridors every party can accept.

A proposal is routed as written (through its waypoints, fastest, avoiding only closed roads)
and judged by each party's rules. The search then asks, for each origin, which corridors all
parties could sign: every candidate destination, routed fastest / balanced / safest, with and
without the territories some party forbids, plus alternatives. What passes every party is ranked
on time and exposure (the Pareto front first). Where nothing passes, the smallest set of rules
that every candidate breaks is the conflict a mediator has to resolve.

A suggestion never passes through a settlement held by a party other than the origin's holder
(one on its destination's own ground aside) unless every party's rules allow it: each party
(facilitators aside) has a ``max_exposure`` rule for the origin that counts such ground and
that the route meets. Silence is not consent to a convoy meeting the other side's checkpoints
in a town it holds. Ground without settlements on it counts as exposure, not as a veto.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from corridor.errors import RoutingError
from corridor.i18n import N_, _
from corridor.negotiation.conflicts import explanation_text, minimal_conflict
from corridor.progress import Progress, silent
from corridor.routing.route import RouteSummary, summarize
from corridor.routing.router import Path
from corridor.routing.weights import Mode
from corridor.rules import CorridorFacts, Verdict, applies, describe_rule, evaluate, rule_text
from corridor.scenario.schema import (
    ExposureCount,
    MaxExposure,
    MustAvoid,
    MustPass,
    NoTransit,
    ProposalSpec,
    Scenario,
)
from corridor.situation import HeldTerritory, km_in_own_area
from corridor.world import Located, PlaceArg, World, place_distances_km

#: Alternatives asked for per (destination, mode) in the search.
SEARCH_ALTERNATIVES = 2

#: A route passing a settlement this close runs through it (its streets, its checkpoints).
THROUGH_KM = 1.0


@dataclass(frozen=True)
class JudgedRoute:
    """A candidate route, routed and judged: every party's verdict on it."""

    origin: str
    destination: str
    mode: str
    path: Path
    summary: RouteSummary
    facts: CorridorFacts
    verdicts: dict[str, Verdict]
    pareto: bool = False
    windows: tuple[str, ...] = ()

    @property
    def acceptable_to_all(self) -> bool:
        return all(v.acceptable for v in self.verdicts.values())

    through_held: tuple[str, ...] = ()

    @property
    def crosses_other_side(self) -> bool:
        """Whether the route runs through a settlement the other side holds (:func:`judge`)."""
        return bool(self.through_held)

    def route_dict(self) -> dict[str, Any]:
        """The route fields of the stable JSON (geometry goes to GeoJSON, not here)."""
        s = self.summary
        return {
            "km": round(s.km, 1),
            "hours": round(s.hours, 2),
            "exposure_km": round(s.exposure_km["total"], 1),
            "exposure_km_by_risk": {k: round(v, 1) for k, v in s.exposure_km.items()
                                    if k != "total"},
            "held_exposure": None if s.held is None else s.held.to_dict(digits=1),
            "settlements": [p.name for p in s.settlements],
            "territories": [{"label": r.label or "", "km": round(r.km, 1)}
                            for r in s.territories],
            "roads": list(s.roads),
            "border_crossings": [{"from": c.from_label, "to": c.to_label}
                                 for c in s.border_crossings],
        }


@dataclass(frozen=True)
class ProposalResult:
    """A scenario proposal routed through its waypoints and judged, or why it could not be."""

    proposal: ProposalSpec
    waypoints: list[Located]
    corridor: JudgedRoute | None
    error: str | None = None
    #: The date of the snapshot it was judged on; ``None`` for an undated scenario.
    day: date | None = None


@dataclass(frozen=True)
class Conflict:
    """The smallest set of rules every candidate from ``origin`` breaks.

    ``opened_by_relaxing`` holds, per rule, how many corridors a search without that one rule
    finds: the claim that relaxing a rule opens a corridor is checked, not inferred. The rules
    (``described``: their type and parameters) and the explanation (``code`` and ``params``)
    are put into words when read, in the language active then.
    """

    origin: str
    rules: list[tuple[str, int]]
    candidates: int
    described: Sequence[tuple[str, dict[str, Any]]]  # rule type, parameters (party among them)
    code: str
    params: dict[str, Any]
    opened_by_relaxing: Sequence[int] = ()

    @property
    def messages(self) -> list[tuple[str, str, str]]:
        """Party, rule type and the rule in words, per rule of the conflict."""
        return [(params["party"], code, rule_text(code, params))
                for code, params in self.described]

    @property
    def explanation(self) -> str:
        """Why no corridor opens, in words."""
        return explanation_text(self.code, self.params)


@dataclass
class Negotiation:
    """Everything a negotiation found: judged proposals, suggestions per origin, conflicts."""

    proposals: list[ProposalResult] = field(default_factory=list)
    suggestions: dict[str, list[JudgedRoute]] = field(default_factory=dict)
    conflicts: dict[str, Conflict] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: Per origin, the date of the snapshot its search ran on (``None``: undated scenario).
    search_days: dict[str, date | None] = field(default_factory=dict)


def negotiate(world: World, *, progress: Progress | None = None,
              at: date | None = None) -> Negotiation:
    """Judge every proposal, then search mutually acceptable corridors for every origin.

    On a scenario with a timeline, everything is judged on the snapshot valid on ``at``; by
    default each proposal on the latest snapshot not after its windows (else the latest), and
    each origin's search on the one its proposals' windows pick. Work is grouped by date, so
    the world moves once per date; it is left on the last date used.
    """
    sc = world.scenario
    result = Negotiation()
    report = progress or silent
    origins = _origins(world)
    steps = len(sc.proposals) + len(origins)

    def day_for(windows: Sequence[str]) -> date | None:
        return sc.snapshot_date(at) if at is not None else sc.default_date(list(windows))

    def stand_on(day: date | None) -> None:
        world.move_to(day)  # each date's own notes (what its closures closed), once
        result.notes.extend(n for n in world.notes if n not in result.notes)

    proposal_days = [day_for(p.windows) for p in sc.proposals]
    judged: dict[int, ProposalResult] = {}
    for day in _in_order(proposal_days):
        stand_on(day)
        for i in (i for i, d in enumerate(proposal_days) if d == day):
            report(_("proposal {id}").format(id=sc.proposals[i].id), len(judged) / steps)
            judged[i] = replace(evaluate_proposal(world, sc.proposals[i], i), day=day)
    result.proposals = [judged[i] for i in range(len(sc.proposals))]
    result.search_days = {o: day_for(offered_window_ids(sc, o)) for o in origins}
    for j, origin in enumerate(origins, start=len(result.proposals)):
        report(_("search from {origin}").format(origin=origin), j / steps)
        stand_on(result.search_days[origin])
        found, candidates, notes = search_origin(world, origin)
        result.notes.extend(notes)
        if found:
            result.suggestions[origin] = found
        else:
            result.conflicts[origin] = explain_conflict(world, origin, candidates)
    return result


def locate_along(world: World, names: Sequence[PlaceArg], fields: Sequence[str],
                 ) -> list[Located]:
    """Pin a route's places, origin to destination, to the network in order.

    Waypoints are villages whose names repeat across the country: the previous point is the
    context that picks the right one. End points are cities: the largest one wins. A place
    given as ``(lon, lat)`` needs no name. ``fields`` name each place in the input, for errors.
    """
    located: list[Located] = []
    for k, (name, where) in enumerate(zip(names, fields, strict=True)):
        if isinstance(name, tuple):
            located.append(world.locate_point(name, field=where))
            continue
        near = located[-1].lonlat if 0 < k < len(names) - 1 else None
        located.append(world.locate(name, field=where, near=near))
    return located


def evaluate_proposal(world: World, proposal: ProposalSpec, index: int) -> ProposalResult:
    """Route a proposal through its waypoints as written and judge it."""
    names = [proposal.origin, *proposal.waypoints, proposal.destination]
    fields = ([f"proposals[{index}].origin"]
              + [f"proposals[{index}].waypoints[{k}]" for k in range(len(proposal.waypoints))]
              + [f"proposals[{index}].destination"])
    windows = [(w.start, w.end) for w in world.scenario.windows if w.id in proposal.windows]
    located, corridor, error = route_as_proposed(world, names, fields, windows)
    if corridor is None:
        return ProposalResult(proposal, located, None, f"proposal {proposal.id}: {error}")
    return ProposalResult(proposal, located, replace(corridor, windows=tuple(proposal.windows)))


def route_as_proposed(world: World, names: Sequence[str], fields: Sequence[str],
                      windows: Sequence[tuple[datetime, datetime]],
                      ) -> tuple[list[Located], JudgedRoute | None, str | None]:
    """Pin ``names`` to the network, route through them fastest and judge the route.

    A name that cannot be resolved raises (naming its field); a route that does not exist is a
    fact about the ground, returned as the error instead of a corridor.
    """
    located = locate_along(world, names, fields)
    try:
        path = world.router.route([loc.node for loc in located], world.metric(Mode.FASTEST))
    except RoutingError as exc:
        return located, None, exc.message
    return located, judge(world, located[0], located[-1], path, "as proposed", windows), None


def judge(world: World, origin: Located, destination: Located, path: Path, mode: str,
          windows: Sequence[tuple[datetime, datetime]] = ()) -> JudgedRoute:
    """Describe a routed corridor and collect every party's verdict on it."""
    held = world.held_from(origin.lonlat)
    summary = summarize(world.network, path, world.situation, world.settlements,
                        world.scenario.convoy_speed_kmh, held=held)
    facts = CorridorFacts(
        origin=origin.name,
        destination=destination.name,
        origin_territory=world.territory_at(origin.lonlat),
        destination_territory=world.territory_at(destination.lonlat),
        territories=[(r.label or "", r.km) for r in summary.territories],
        exposure_km={k: v for k, v in summary.exposure_km.items() if k != "total"},
        hours=summary.hours,
        windows=windows,
        place_distance_km=place_distances_km(summary.geometry, _rule_places(world, origin.name)),
        held_km=summary.held.by_territory if summary.held is not None else {},
        held_risk=held.risk,
        outside_origin_area_km=(_outside_own_area(world, origin, path)
                                if _needs_own_area(world.scenario, origin.name) else {}),
    )
    return JudgedRoute(origin.name, destination.name, mode, path, summary, facts,
                       evaluate(world.scenario, facts),
                       through_held=_through_held(world, summary, held, destination))


def _through_held(world: World, summary: RouteSummary, held: HeldTerritory,
                  destination: Located) -> tuple[str, ...]:
    """The settlements held by the other side that the route runs through, in route order.

    A settlement counts when the route passes within :data:`THROUGH_KM` of it and its point
    lies on ground another party holds, unless that ground is the destination's own: a convoy
    reaching a town of the receiving side is arriving, not transiting.
    """
    other = set(held.labels) - {world.territory_at(destination.lonlat)}
    return tuple(s.name for s in summary.settlements
                 if s.offset_km <= THROUGH_KM and world.territory_at((s.lon, s.lat)) in other)


def search_origin(world: World, origin: str,
                  ) -> tuple[list[JudgedRoute], list[JudgedRoute], list[str]]:
    """Mutually acceptable corridors from ``origin`` (Pareto front first), and what else was seen.

    Also returns every option judged, and notes on destinations that could not be reached.

    An option is a candidate route in one of the windows offered for ``origin``
    (:func:`offered_windows`): rules such as ``allowed_hours`` judge the window, not the road.
    An accepted corridor lists every window in which every party accepts it.
    """
    sc = world.scenario
    start = world.locate(origin, field=f"origin {origin}")
    holder = world.held_from(start.lonlat).origin_holder
    forbidden = sorted({label for p in sc.parties for r in p.rules
                        if isinstance(r, NoTransit) and applies(r, origin)
                        for label in sc.expand_territories(r.territories)})
    windows = offered_windows(world, origin)
    options: list[JudgedRoute] = []
    seen: set[bytes] = set()
    notes: list[str] = []
    for d, dest in enumerate(sc.places.destinations):
        if dest.name == origin:
            continue
        end = world.locate(dest.name, field=f"places.destinations[{d}].name")
        # An end inside forbidden ground cannot be reached while avoiding it.
        avoidable = forbidden and not {world.territory_at(start.lonlat),
                                        world.territory_at(end.lonlat)} & set(forbidden)
        for exclude in ([], forbidden) if avoidable else ([],):
            for mode in Mode:
                try:
                    metric = world.metric(mode, exclude, holder)
                    paths = world.router.alternatives(start.node, end.node, metric,
                                                      k=SEARCH_ALTERNATIVES)
                except RoutingError as exc:
                    notes.append(f"{origin} -> {dest.name}: {exc.message}")
                    break
                for k, path in enumerate(paths):
                    key = path.edges.tobytes()
                    if key not in seen:
                        seen.add(key)
                        label = mode_label(mode, k, exclude)
                        options.extend(_per_window(world, judge(world, start, end, path, label),
                                                   windows))
    allowed = held_transit_allowed(sc, origin)
    return (_ranked(_accepted([o for o in options if allowed or not o.crosses_other_side])),
            options, notes)


def mode_label(mode: Mode, alternative: int, exclude: Sequence[str]) -> str:
    """How a suggestion was routed, as the JSON's ``mode`` keeps it (English, stable).

    ``fastest``, ``safest alternative 2``, ``balanced, avoiding BY, RU``: :func:`mode_words`
    reads it back to word it in the active language.
    """
    return mode.value + (f" alternative {alternative + 1}" if alternative else "") + (
        f", avoiding {', '.join(exclude)}" if exclude else "")


_MODE_LABEL = re.compile(r"(?P<mode>[a-z ]+?)(?: alternative (?P<k>\d+))?"
                         r"(?:, avoiding (?P<avoid>.+))?")
_MODE_WORDS = {"fastest": N_("fastest"), "safest": N_("safest"), "balanced": N_("balanced"),
               "as proposed": N_("as proposed"), "as judged": N_("as judged")}


def mode_words(label: str) -> str:
    """A route's ``mode`` (:func:`mode_label`, or ``as proposed``) in the active language."""
    match = _MODE_LABEL.fullmatch(label)
    if match is None or match["mode"] not in _MODE_WORDS:
        return label
    mode = _MODE_WORDS[match["mode"]]
    words = _(mode)
    if match["k"]:
        words = _("{mode} alternative {number}").format(mode=words, number=match["k"])
    if match["avoid"]:
        words = _("{mode}, avoiding {territories}").format(mode=words,
                                                           territories=match["avoid"])
    return words


def held_transit_allowed(sc: Scenario, origin: str) -> bool:
    """Whether every party's rules allow a corridor from ``origin`` through the other side.

    They do when each party (facilitators aside) bounds that exposure itself: an applicable
    ``max_exposure`` rule counting held ground. The verdicts then check the bound.
    """
    return all(any(isinstance(r, MaxExposure) and r.count is not ExposureCount.HAZARDS
                   and applies(r, origin) for r in p.rules)
               for p in sc.parties if p.role == "party")


def offered_windows(world: World, origin: str) -> list[tuple[str, datetime, datetime]]:
    """The windows proposed for corridors from ``origin``; every window when none was."""
    ids = offered_window_ids(world.scenario, origin)
    return [(w.id, w.start, w.end) for w in world.scenario.windows if w.id in ids]


def offered_window_ids(sc: Scenario, origin: str) -> list[str]:
    """Ids of the windows :func:`offered_windows` offers for ``origin``."""
    proposed = {w for p in sc.proposals if p.origin == origin for w in p.windows}
    return [w.id for w in sc.windows if w.id in proposed] or [w.id for w in sc.windows]


def _in_order(days: Sequence[date | None]) -> list[date | None]:
    """The distinct dates, undated first, then oldest first."""
    return sorted(set(days), key=lambda d: (d is not None, d or date.min))


def _per_window(world: World, route: JudgedRoute,
                windows: Sequence[tuple[str, datetime, datetime]]) -> list[JudgedRoute]:
    """The route judged once per window (once without any when the scenario has none)."""
    if not windows:
        return [route]
    judged = []
    for wid, start, end in windows:
        facts = replace(route.facts, windows=[(start, end)])
        judged.append(replace(route, facts=facts, verdicts=evaluate(world.scenario, facts),
                              windows=(wid,)))
    return judged


def _accepted(options: list[JudgedRoute]) -> list[JudgedRoute]:
    """One corridor per route every party accepts in some window, with all such windows."""
    by_route: dict[bytes, JudgedRoute] = {}
    for option in options:
        if not option.acceptable_to_all:
            continue
        key = option.path.edges.tobytes()
        first = by_route.get(key)
        if first is None:
            by_route[key] = option
        else:
            by_route[key] = replace(first, windows=first.windows + option.windows,
                                    facts=replace(first.facts, windows=[
                                        *first.facts.windows, *option.facts.windows]))
    return list(by_route.values())


def _ranked(corridors: list[JudgedRoute]) -> list[JudgedRoute]:
    """Pareto-optimal corridors on (hours, exposure) first, each group by hours."""
    def point(c: JudgedRoute) -> tuple[float, float]:
        return (c.summary.hours, c.summary.exposure_km["total"])

    def dominated(c: JudgedRoute) -> bool:
        h, e = point(c)
        return any(point(o)[0] <= h and point(o)[1] <= e and point(o) != (h, e)
                   for o in corridors)

    marked = [replace(c, pareto=not dominated(c)) for c in corridors]
    return sorted(marked, key=lambda c: (not c.pareto, *point(c)))


def explain_conflict(world: World, origin: str, options: list[JudgedRoute]) -> Conflict:
    """The smallest set of rules every option from ``origin`` breaks, in words.

    Whether relaxing one of them opens a corridor is checked by searching again without it:
    relaxing a rule can change the candidates themselves (a transit ban routes around ground),
    and a candidate that breaks two of the rules stays closed when only one is relaxed.
    """
    sc = world.scenario
    order = [(p.id, i) for p in sc.parties for i in range(len(p.rules))]
    failures = [{(r.party, r.rule_index) for v in c.verdicts.values() for r in v.violated}
                for c in options]
    rules = minimal_conflict(failures, order)
    described = [describe_rule(sc.party(pid), i) for pid, i in rules]
    routes = len({c.path.edges.tobytes() for c in options})
    if not options:
        return Conflict(origin, rules, 0, described, "conflict.unreachable", {"origin": origin})
    if not rules:  # some candidate passes every rule: it crosses the other side's ground
        held = sorted({label for c in options if c.acceptable_to_all for label in c.facts.held_km})
        return Conflict(origin, [], routes, [], "conflict.other_side",
                        {"origin": origin, "held": held})
    opened = [len(search_origin(replace(world, scenario=_without_rule(sc, pid, i)), origin)[0])
              for pid, i in rules]
    params = {"origin": origin, "candidates": routes,
              "destinations": sorted({c.destination for c in options}),
              "windows": sorted({w for c in options for w in c.windows}),
              "relaxing": [{"party": pid, "code": code, "opens": n}
                           for (pid, _i), (code, _p), n in zip(rules, described, opened,
                                                               strict=True)]}
    return Conflict(origin, rules, routes, described, "conflict.rules", params, opened)


def _without_rule(sc: Scenario, party_id: str, index: int) -> Scenario:
    """The scenario with one rule of one party left out, to test what relaxing it opens."""
    parties = [p.model_copy(update={"rules": [r for k, r in enumerate(p.rules) if k != index]})
               if p.id == party_id else p for p in sc.parties]
    return sc.model_copy(update={"parties": parties})


def _origins(world: World) -> list[str]:
    sc = world.scenario
    names = [o.name for o in sc.places.origins] + [p.origin for p in sc.proposals]
    return list(dict.fromkeys(names))


def _needs_own_area(sc: Scenario, origin: str) -> bool:
    return any(isinstance(r, NoTransit) and r.except_origin_area and applies(r, origin)
               for p in sc.parties for r in p.rules)


def _outside_own_area(world: World, origin: Located, path: Path) -> dict[str, float]:
    """Km of the route per territory outside the origin's own area, measured exactly."""
    situation = world.situation
    total = situation.territory_km[path.edges].sum(axis=0)
    own = km_in_own_area(situation, world.control, world.own_area(origin.lonlat), path.edges)
    return {label: max(float(km) - own.get(label, 0.0), 0.0)
            for label, km in zip(situation.territories, total, strict=True) if km > 0}


def _rule_places(world: World, origin: str) -> dict[str, tuple[float, float]]:
    """Coordinates of every place a must-pass or must-avoid rule for ``origin`` names."""
    out: dict[str, tuple[float, float]] = {}
    for p in world.scenario.parties:
        for r in p.rules:
            if isinstance(r, MustPass | MustAvoid) and applies(r, origin):
                for name in r.places:
                    out[name] = world.locate(name, field=f"rule place {name}").lonlat
    return out
