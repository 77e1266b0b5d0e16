"""Party rules turned into verdicts with stable codes and messages that cite the specifics.

A rule never sees the road network: it judges :class:`CorridorFacts`, the few numbers and names a
liaison officer would check by hand (where it starts and ends, whose territory it crosses, how
long and how exposed it is). That keeps each rule a short pure function, testable without a map,
and makes every message reproducible from the facts shown next to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from corridor.scenario.schema import (
    AllowedWindows,
    DestinationIn,
    ExposureCount,
    MaxDuration,
    MaxExposure,
    MustAvoid,
    MustPass,
    NoTransit,
    OriginIn,
    PartySpec,
    Rule,
    Scenario,
)
from corridor.situation import RISK_LEVELS


@dataclass(frozen=True)
class CorridorFacts:
    """What the rules judge about one corridor.

    ``territories`` are the labels the route crosses, in order, with kilometres in each;
    ``exposure_km`` maps each risk level to kilometres inside zones of exactly that level;
    ``place_distance_km`` gives, for every place a rule names, its distance from the route.

    ``held_km`` maps each territory held by a party other than the origin's holder to the km
    the route spends in it, a risk of level ``held_risk``; ``outside_origin_area_km`` maps each
    territory the route enters to the km it spends there outside the origin's own area (the
    connected part of the origin holder's ground that contains the origin).
    """

    origin: str
    destination: str
    origin_territory: str
    destination_territory: str
    territories: Sequence[tuple[str, float]]
    exposure_km: Mapping[str, float]
    hours: float
    windows: Sequence[tuple[datetime, datetime]] = ()
    place_distance_km: Mapping[str, float] = field(default_factory=dict)
    held_km: Mapping[str, float] = field(default_factory=dict)
    held_risk: str = "medium"
    outside_origin_area_km: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Reason:
    """One rule's outcome. ``code`` is ``<rule type>.ok`` or ``<rule type>.violated``."""

    party: str
    rule_index: int
    code: str
    message: str

    @property
    def passed(self) -> bool:
        return self.code.endswith(".ok")

    def to_dict(self) -> dict[str, str]:
        """The reason as the JSON of verdicts shows it: code and message, no party or index."""
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class Verdict:
    """A party's answer to one corridor: acceptable only if every applicable rule passes."""

    party: str
    reasons: tuple[Reason, ...]

    @property
    def acceptable(self) -> bool:
        return all(r.passed for r in self.reasons)

    @property
    def violated(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if not r.passed)

    def to_dict(self) -> dict[str, object]:
        """Violations when rejected, every rule's pass when accepted: the reasons that matter."""
        shown = self.violated if not self.acceptable else self.reasons
        return {"acceptable": self.acceptable, "reasons": [r.to_dict() for r in shown]}


def _labels(names: Sequence[str]) -> str:
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]


def _held_by(label: str) -> str:
    return "no known territory" if label == "" else label


def _destination_in(rule: DestinationIn, f: CorridorFacts, party: str,
                    allowed: set[str]) -> tuple[bool, str]:
    ok = f.destination_territory in allowed
    where = _held_by(f.destination_territory)
    need = _labels(rule.territories)
    if ok:
        return True, f"destination {f.destination} lies in {where}, as {party} requires ({need})"
    return False, (f"destination {f.destination} lies in {where}; {party} requires a "
                   f"destination held by {need}")


def _origin_in(rule: OriginIn, f: CorridorFacts, party: str,
               allowed: set[str]) -> tuple[bool, str]:
    ok = f.origin_territory in allowed
    where = _held_by(f.origin_territory)
    need = _labels(rule.territories)
    if ok:
        return True, f"origin {f.origin} lies in {where}, as {party} requires ({need})"
    return False, f"origin {f.origin} lies in {where}; {party} requires an origin in {need}"


#: Km outside the origin's own area below which a route only clips a boundary: the origin's
#: area is measured exactly, a route's territories edge by edge.
_NEGLIGIBLE_KM = 0.1


def _no_transit(rule: NoTransit, f: CorridorFacts, party: str,
                forbidden: set[str]) -> tuple[bool, str]:
    crossed: dict[str, float] = {}
    if rule.except_origin_area:
        crossed = {label: km for label, km in f.outside_origin_area_km.items()
                   if label in forbidden and km >= _NEGLIGIBLE_KM}
    else:
        for label, km in f.territories:
            if label in forbidden and km > 0.0:
                crossed[label] = crossed.get(label, 0.0) + km
    beyond = " outside the origin's own area" if rule.except_origin_area else ""
    if not crossed:
        return True, f"route stays out of {_labels(rule.territories)}{beyond}"
    parts = ", ".join(f"{label} for {km:.0f} km" for label, km in crossed.items())
    return False, (f"route runs through {parts}{beyond}; {party} forbids transit through "
                   f"{_labels(rule.territories)}{beyond}")


def _max_exposure(rule: MaxExposure, f: CorridorFacts, party: str) -> tuple[bool, str]:
    levels = RISK_LEVELS[RISK_LEVELS.index(rule.risk.value):]
    scope = f"{rule.risk.value} risk or above" if len(levels) > 1 else f"{rule.risk.value} risk"
    km, counted = 0.0, []
    if rule.count is not ExposureCount.HELD:
        hazard_km = sum(f.exposure_km.get(level, 0.0) for level in levels)
        km += hazard_km
        counted.append(f"{hazard_km:.1f} km in hazard zones of {scope}")
    if rule.count is not ExposureCount.HAZARDS:
        held_km, words = _held_words(f, levels, scope)
        km += held_km
        counted.append(words)
    what = " + ".join(counted)
    if km <= rule.km:
        return True, f"{what}, within {party}'s {rule.km:g} km"
    return False, f"{what}; {party} accepts at most {rule.km:g} km"


def _held_words(f: CorridorFacts, levels: Sequence[str], scope: str) -> tuple[float, str]:
    """Km through the other side's ground a rule counts, and the words that say so."""
    if f.held_risk not in levels:
        return 0.0, (f"km through the other side's ground not counted (their risk level, "
                     f"{f.held_risk}, is below {scope})")
    km = sum(f.held_km.values())
    where = ", ".join(f"{label} {k:.1f} km" for label, k in f.held_km.items() if k > 0)
    return km, (f"{km:.1f} km through the other side's ground "
                f"({where + ', ' if where else ''}{f.held_risk} risk)")


def _max_duration(rule: MaxDuration, f: CorridorFacts, party: str) -> tuple[bool, str]:
    if f.hours <= rule.hours:
        return True, f"{f.hours:.1f} h on the road, within {party}'s {rule.hours:g} h"
    return False, f"{f.hours:.1f} h on the road; {party} accepts at most {rule.hours:g} h"


def _must_pass(rule: MustPass, f: CorridorFacts, party: str) -> tuple[bool, str]:
    missed = [p for p in rule.places if f.place_distance_km.get(p, float("inf")) > rule.radius_km]
    if not missed:
        return True, f"route passes {_labels(rule.places)}"
    detail = ", ".join(f"{p} ({f.place_distance_km.get(p, float('inf')):.0f} km away)"
                       for p in missed)
    return False, f"route misses {detail}; {party} requires it to pass within {rule.radius_km:g} km"


def _must_avoid(rule: MustAvoid, f: CorridorFacts, party: str) -> tuple[bool, str]:
    near = [p for p in rule.places if f.place_distance_km.get(p, float("inf")) <= rule.radius_km]
    if not near:
        return True, f"route keeps {rule.radius_km:g} km from {_labels(rule.places)}"
    detail = ", ".join(f"{p} ({f.place_distance_km[p]:.1f} km)" for p in near)
    return False, f"route passes near {detail}; {party} requires {rule.radius_km:g} km distance"


def _allowed_hours(rule: AllowedWindows, f: CorridorFacts, party: str) -> tuple[bool, str]:
    if not f.windows:
        return False, f"no window proposed; {party} requires one between {rule.earliest:%H:%M} " \
                      f"and {rule.latest:%H:%M} {rule.timezone}"
    zone = ZoneInfo(rule.timezone)
    for start, end in f.windows:
        s, e = start.astimezone(zone), end.astimezone(zone)
        if s.date() != e.date() or s.time() < rule.earliest or e.time() > rule.latest:
            return False, (f"window {s:%Y-%m-%d %H:%M}-{e:%H:%M} {rule.timezone} falls outside "
                           f"{party}'s {rule.earliest:%H:%M}-{rule.latest:%H:%M}")
    return True, f"every window lies within {rule.earliest:%H:%M}-{rule.latest:%H:%M}"


def applies(rule: Rule, origin: str) -> bool:
    """Rules scoped to some origins say nothing about corridors from others."""
    return not rule.origins or origin in rule.origins


def evaluate_rule(scenario: Scenario, party: PartySpec, index: int, facts: CorridorFacts) -> Reason:
    """Judge one rule of ``party`` on ``facts``."""
    rule = party.rules[index]
    pid = party.id
    labels = scenario.expand_territories(getattr(rule, "territories", []))
    match rule:
        case DestinationIn():
            ok, message = _destination_in(rule, facts, pid, labels)
        case OriginIn():
            ok, message = _origin_in(rule, facts, pid, labels)
        case NoTransit():
            ok, message = _no_transit(rule, facts, pid, labels)
        case MaxExposure():
            ok, message = _max_exposure(rule, facts, pid)
        case MaxDuration():
            ok, message = _max_duration(rule, facts, pid)
        case MustPass():
            ok, message = _must_pass(rule, facts, pid)
        case MustAvoid():
            ok, message = _must_avoid(rule, facts, pid)
        case AllowedWindows():
            ok, message = _allowed_hours(rule, facts, pid)
    return Reason(party.id, index, f"{rule.type}.{'ok' if ok else 'violated'}", message)


def evaluate(scenario: Scenario, facts: CorridorFacts) -> dict[str, Verdict]:
    """Every party's verdict on one corridor."""
    return {
        party.id: Verdict(party.id, tuple(
            evaluate_rule(scenario, party, i, facts)
            for i, rule in enumerate(party.rules) if applies(rule, facts.origin)
        ))
        for party in scenario.parties
    }


def describe_rule(party: PartySpec, index: int) -> str:
    """The rule in words, for conflict reports where no single corridor is being judged."""
    rule = party.rules[index]
    scope = f" for corridors from {_labels(rule.origins)}" if rule.origins else ""
    match rule:
        case DestinationIn():
            text = f"requires a destination held by {_labels(rule.territories)}"
        case OriginIn():
            text = f"requires an origin in {_labels(rule.territories)}"
        case NoTransit():
            text = f"forbids transit through {_labels(rule.territories)}" + (
                " outside the origin's own area" if rule.except_origin_area else "")
        case MaxExposure():
            what = {ExposureCount.HAZARDS: "zones", ExposureCount.HELD: "ground of the other side",
                    ExposureCount.ALL: "zones or ground of the other side"}[rule.count]
            text = f"accepts at most {rule.km:g} km in {rule.risk.value}-risk {what} or worse"
        case MaxDuration():
            text = f"accepts at most {rule.hours:g} h on the road"
        case MustPass():
            text = f"requires the route to pass {_labels(rule.places)}"
        case MustAvoid():
            text = f"requires the route to avoid {_labels(rule.places)}"
        case AllowedWindows():
            text = (f"allows windows only between {rule.earliest:%H:%M} and "
                    f"{rule.latest:%H:%M} {rule.timezone}")
    return f"{party.id} {text}{scope}"
