"""Party rules turned into verdicts with stable codes and messages that cite the specifics.

A rule never sees the road network: it judges :class:`CorridorFacts`, the few numbers and names a
liaison officer would check by hand (where it starts and ends, whose territory it crosses, how
long and how exposed it is). That keeps each rule a short pure function, testable without a map,
and makes every message reproducible from the facts shown next to it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from corridor.i18n import N_, _, format_decimal
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
from corridor.wording import amount, either, risk


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
    """One rule's outcome. ``code`` is ``<rule type>.ok`` or ``<rule type>.violated``.

    ``params`` are the specifics the outcome cites (places, km, limits) as plain JSON values;
    :attr:`message` puts them into words in the language active when it is read, so one
    verdict can be shown to each party in its own language.
    """

    party: str
    rule_index: int
    code: str
    params: Mapping[str, Any]

    @property
    def passed(self) -> bool:
        return self.code.endswith(".ok")

    @property
    def message(self) -> str:
        """The outcome in words, in the active language."""
        return reason_text(self.code, self.params)

    def to_dict(self) -> dict[str, Any]:
        """The reason as the JSON of verdicts shows it: code, parameters and message."""
        return {"code": self.code, "params": dict(self.params), "message": self.message}


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


Params = dict[str, Any]


def _r(km: float) -> float:
    """Km as the parameters keep them: to the metre."""
    return round(km, 3)


def _in(rule: DestinationIn | OriginIn, place: str, territory: str, party: str,
        allowed: set[str]) -> tuple[bool, Params]:
    return territory in allowed, {"party": party, "place": place, "territory": territory,
                                  "required": list(rule.territories)}


#: Km outside the origin's own area below which a route only clips a boundary: the origin's
#: area is measured exactly, a route's territories edge by edge.
_NEGLIGIBLE_KM = 0.1


def _no_transit(rule: NoTransit, f: CorridorFacts, party: str,
                forbidden: set[str]) -> tuple[bool, Params]:
    crossed: dict[str, float] = {}
    if rule.except_origin_area:
        crossed = {label: km for label, km in f.outside_origin_area_km.items()
                   if label in forbidden and km >= _NEGLIGIBLE_KM}
    else:
        for label, km in f.territories:
            if label in forbidden and km > 0.0:
                crossed[label] = crossed.get(label, 0.0) + km
    return not crossed, {"party": party, "forbidden": list(rule.territories),
                         "except_origin_area": rule.except_origin_area,
                         "crossed": {label: _r(km) for label, km in crossed.items()}}


def _max_exposure(rule: MaxExposure, f: CorridorFacts, party: str) -> tuple[bool, Params]:
    levels = RISK_LEVELS[RISK_LEVELS.index(rule.risk.value):]
    params: Params = {"party": party, "limit_km": rule.km, "risk": rule.risk.value,
                      "or_above": len(levels) > 1, "hazard_km": None, "held": None}
    km = 0.0
    if rule.count is not ExposureCount.HELD:
        hazard_km = sum(f.exposure_km.get(level, 0.0) for level in levels)
        km += hazard_km
        params["hazard_km"] = _r(hazard_km)
    if rule.count is not ExposureCount.HAZARDS:
        counted = f.held_risk in levels
        held_km = sum(f.held_km.values()) if counted else 0.0
        km += held_km
        params["held"] = {"counted": counted, "risk": f.held_risk, "km": _r(held_km),
                          "by_territory": {label: _r(k) for label, k in f.held_km.items()
                                           if k > 0} if counted else {}}
    params["km"] = _r(km)
    return km <= rule.km, params


def _max_duration(rule: MaxDuration, f: CorridorFacts, party: str) -> tuple[bool, Params]:
    return f.hours <= rule.hours, {"party": party, "hours": round(f.hours, 3),
                                   "limit_hours": rule.hours}


def _places(rule: MustPass | MustAvoid, f: CorridorFacts, party: str,
            cited: list[str]) -> Params:
    return {"party": party, "places": list(rule.places), "radius_km": rule.radius_km,
            "cited": {p: _r(f.place_distance_km.get(p, float("inf"))) for p in cited}}


def _must_pass(rule: MustPass, f: CorridorFacts, party: str) -> tuple[bool, Params]:
    missed = [p for p in rule.places if f.place_distance_km.get(p, float("inf")) > rule.radius_km]
    return not missed, _places(rule, f, party, missed)


def _must_avoid(rule: MustAvoid, f: CorridorFacts, party: str) -> tuple[bool, Params]:
    near = [p for p in rule.places if f.place_distance_km.get(p, float("inf")) <= rule.radius_km]
    return not near, _places(rule, f, party, near)


def _allowed_hours(rule: AllowedWindows, f: CorridorFacts, party: str) -> tuple[bool, Params]:
    params: Params = {"party": party, "earliest": f"{rule.earliest:%H:%M}",
                      "latest": f"{rule.latest:%H:%M}", "timezone": rule.timezone,
                      "window": None}
    if not f.windows:
        return False, params
    zone = ZoneInfo(rule.timezone)
    for start, end in f.windows:
        s, e = start.astimezone(zone), end.astimezone(zone)
        if s.date() != e.date() or s.time() < rule.earliest or e.time() > rule.latest:
            params["window"] = {"start": s.isoformat(), "end": e.isoformat()}
            return False, params
    return True, params


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
            ok, params = _in(rule, facts.destination, facts.destination_territory, pid, labels)
        case OriginIn():
            ok, params = _in(rule, facts.origin, facts.origin_territory, pid, labels)
        case NoTransit():
            ok, params = _no_transit(rule, facts, pid, labels)
        case MaxExposure():
            ok, params = _max_exposure(rule, facts, pid)
        case MaxDuration():
            ok, params = _max_duration(rule, facts, pid)
        case MustPass():
            ok, params = _must_pass(rule, facts, pid)
        case MustAvoid():
            ok, params = _must_avoid(rule, facts, pid)
        case AllowedWindows():
            ok, params = _allowed_hours(rule, facts, pid)
    return Reason(party.id, index, f"{rule.type}.{'ok' if ok else 'violated'}", params)


def evaluate(scenario: Scenario, facts: CorridorFacts) -> dict[str, Verdict]:
    """Every party's verdict on one corridor."""
    return {
        party.id: Verdict(party.id, tuple(
            evaluate_rule(scenario, party, i, facts)
            for i, rule in enumerate(party.rules) if applies(rule, facts.origin)
        ))
        for party in scenario.parties
    }


def _territory(label: str) -> str:
    return label if label else _("no known territory")


def _km(value: float, digits: int) -> str:
    return format_decimal(value, digits)


def reason_text(code: str, p: Mapping[str, Any]) -> str:
    """A verdict's reason in words, in the active language, from its code and parameters.

    Raises
    ------
    KeyError
        If ``code`` is not a reason code (a rule type with ``.ok`` or ``.violated``).
    """
    rule_type, _dot, outcome = code.partition(".")
    return _REASONS[rule_type](p, outcome == "ok")


def _destination_text(p: Mapping[str, Any], ok: bool) -> str:
    words = {"place": p["place"], "territory": _territory(p["territory"]), "party": p["party"],
             "required": either(p["required"])}
    if ok:
        return _("destination {place} lies in {territory}, as {party} requires "
                 "({required})").format(**words)
    return _("destination {place} lies in {territory}; {party} requires a destination held "
             "by {required}").format(**words)


def _origin_text(p: Mapping[str, Any], ok: bool) -> str:
    words = {"place": p["place"], "territory": _territory(p["territory"]), "party": p["party"],
             "required": either(p["required"])}
    if ok:
        return _("origin {place} lies in {territory}, as {party} requires "
                 "({required})").format(**words)
    return _("origin {place} lies in {territory}; {party} requires an origin in "
             "{required}").format(**words)


def _no_transit_text(p: Mapping[str, Any], ok: bool) -> str:
    forbidden = either(p["forbidden"])
    crossed = ", ".join(_("{territory} for {km} km").format(territory=label, km=_km(km, 0))
                        for label, km in p["crossed"].items())
    if p["except_origin_area"]:
        if ok:
            return _("route stays out of {forbidden} outside the origin's own "
                     "area").format(forbidden=forbidden)
        return _("route runs through {crossed} outside the origin's own area; {party} forbids "
                 "transit through {forbidden} outside the origin's own area").format(
            crossed=crossed, party=p["party"], forbidden=forbidden)
    if ok:
        return _("route stays out of {forbidden}").format(forbidden=forbidden)
    return _("route runs through {crossed}; {party} forbids transit through "
             "{forbidden}").format(crossed=crossed, party=p["party"], forbidden=forbidden)


def _scope(p: Mapping[str, Any]) -> str:
    if p["or_above"]:
        return _("{risk} risk or above").format(risk=risk(p["risk"]))
    return _("{risk} risk").format(risk=risk(p["risk"]))


def _max_exposure_text(p: Mapping[str, Any], ok: bool) -> str:
    counted = []
    if p["hazard_km"] is not None:
        counted.append(_("{km} km in hazard zones of {scope}").format(
            km=_km(p["hazard_km"], 1), scope=_scope(p)))
    held = p["held"]
    if held is not None and not held["counted"]:
        counted.append(_("km through the other side's ground not counted (their risk level, "
                         "{level}, is below {scope})").format(level=risk(held["risk"]),
                                                              scope=_scope(p)))
    elif held is not None:
        where = ", ".join(f"{label} {_km(k, 1)} km" for label, k in held["by_territory"].items())
        counted.append(_("{km} km through the other side's ground ({where}{level} risk)").format(
            km=_km(held["km"], 1), where=where + ", " if where else "", level=risk(held["risk"])))
    what = " + ".join(counted)
    if ok:
        return _("{counted}, within {party}'s {limit} km").format(
            counted=what, party=p["party"], limit=amount(p["limit_km"]))
    return _("{counted}; {party} accepts at most {limit} km").format(
        counted=what, party=p["party"], limit=amount(p["limit_km"]))


def _max_duration_text(p: Mapping[str, Any], ok: bool) -> str:
    words = {"hours": _km(p["hours"], 1), "party": p["party"], "limit": amount(p["limit_hours"])}
    if ok:
        return _("{hours} h on the road, within {party}'s {limit} h").format(**words)
    return _("{hours} h on the road; {party} accepts at most {limit} h").format(**words)


def _must_pass_text(p: Mapping[str, Any], ok: bool) -> str:
    if ok:
        return _("route passes {places}").format(places=either(p["places"]))
    missed = ", ".join(_("{place} ({km} km away)").format(place=place, km=_km(km, 0))
                       for place, km in p["cited"].items())
    return _("route misses {missed}; {party} requires it to pass within {radius} km").format(
        missed=missed, party=p["party"], radius=amount(p["radius_km"]))


def _must_avoid_text(p: Mapping[str, Any], ok: bool) -> str:
    if ok:
        return _("route keeps {radius} km from {places}").format(
            radius=amount(p["radius_km"]), places=either(p["places"]))
    near = ", ".join(f"{place} ({_km(km, 1)} km)" for place, km in p["cited"].items())
    return _("route passes near {near}; {party} requires {radius} km distance").format(
        near=near, party=p["party"], radius=amount(p["radius_km"]))


def _allowed_hours_text(p: Mapping[str, Any], ok: bool) -> str:
    hours = {"earliest": p["earliest"], "latest": p["latest"], "timezone": p["timezone"],
             "party": p["party"]}
    if ok:
        return _("every window lies within {earliest}-{latest}").format(**hours)
    window = p["window"]
    if window is None:
        return _("no window proposed; {party} requires one between {earliest} and {latest} "
                 "{timezone}").format(**hours)
    start, end = datetime.fromisoformat(window["start"]), datetime.fromisoformat(window["end"])
    return _("window {start}-{end} {timezone} falls outside {party}'s "
             "{earliest}-{latest}").format(start=f"{start:%Y-%m-%d %H:%M}", end=f"{end:%H:%M}",
                                           **hours)


_REASONS: dict[str, Callable[[Mapping[str, Any], bool], str]] = {
    "destination_in": _destination_text, "origin_in": _origin_text,
    "no_transit": _no_transit_text, "max_exposure": _max_exposure_text,
    "max_duration": _max_duration_text, "must_pass": _must_pass_text,
    "must_avoid": _must_avoid_text, "allowed_hours": _allowed_hours_text,
}


def describe_rule(party: PartySpec, index: int) -> tuple[str, dict[str, Any]]:
    """The rule as a code (its type) and parameters, for conflict reports.

    Where no single corridor is being judged, what a mediator needs is the rule itself;
    :func:`rule_text` puts it into words.
    """
    rule = party.rules[index]
    params = rule.model_dump(mode="json", exclude={"type"})
    return rule.type, {"party": party.id, **params}


#: Each rule type in words; ``no_transit`` and ``max_exposure`` by what they exempt or count.
_RULE_WORDS = {
    "destination_in": N_("{party} requires a destination held by {territories}"),
    "origin_in": N_("{party} requires an origin in {territories}"),
    "no_transit": N_("{party} forbids transit through {territories}"),
    "no_transit.except_origin_area": N_(
        "{party} forbids transit through {territories} outside the origin's own area"),
    "max_exposure.hazards": N_("{party} accepts at most {km} km in {risk}-risk zones or worse"),
    "max_exposure.held": N_(
        "{party} accepts at most {km} km in {risk}-risk ground of the other side or worse"),
    "max_exposure.all": N_(
        "{party} accepts at most {km} km in {risk}-risk zones or ground of the other side or "
        "worse"),
    "max_duration": N_("{party} accepts at most {hours} h on the road"),
    "must_pass": N_("{party} requires the route to pass {places}"),
    "must_avoid": N_("{party} requires the route to avoid {places}"),
    "allowed_hours": N_(
        "{party} allows windows only between {earliest} and {latest} {timezone}"),
}


def rule_text(code: str, p: Mapping[str, Any]) -> str:
    """A rule (:func:`describe_rule`) in words, in the active language.

    Raises
    ------
    KeyError
        If ``code`` is not a rule type.
    """
    if code == "max_exposure":
        key = f"{code}.{p.get('count', 'hazards')}"
    elif code == "no_transit" and p.get("except_origin_area"):
        key = f"{code}.except_origin_area"
    else:
        key = code
    text = _(_RULE_WORDS[key]).format(
        party=p["party"], territories=either(p.get("territories", [])),
        places=either(p.get("places", [])), km=amount(p.get("km", 0)),
        risk=risk(p.get("risk", "")), hours=amount(p.get("hours", 0)),
        earliest=str(p.get("earliest", ""))[:5], latest=str(p.get("latest", ""))[:5],
        timezone=p.get("timezone", ""))
    if p.get("origins"):
        text += " " + _("for corridors from {origins}").format(origins=either(p["origins"]))
    return text
