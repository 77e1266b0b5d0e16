"""The stable JSON and GeoJSON forms of a negotiation, as documented in the README.

Other tools (the coordination service, a party's own systems) read these shapes, so they are
built here in one place and covered by tests field by field.
"""

from __future__ import annotations

from typing import Any

from corridor.negotiation.search import Conflict, JudgedRoute, Negotiation, ProposalResult
from corridor.world import World


def verdicts_json(corridor: JudgedRoute) -> dict[str, Any]:
    """Every party's verdict on ``corridor``, as the stable JSON carries it."""
    return {party: v.to_dict() for party, v in corridor.verdicts.items()}


def route_line(corridor: JudgedRoute) -> dict[str, Any]:
    """The corridor's route as a GeoJSON LineString, to 5 decimals (about a metre)."""
    return {"type": "LineString",
            "coordinates": [[round(x, 5), round(y, 5)] for x, y in corridor.summary.geometry]}


def _proposal(result: ProposalResult) -> dict[str, Any]:
    p = result.proposal
    out: dict[str, Any] = {
        "id": p.id,
        "proposer": p.proposer,
        "origin": p.origin,
        "destination": p.destination,
        "waypoints": [{"name": loc.name, "resolved": loc.place.name,
                       "lon": round(loc.place.lon, 5), "lat": round(loc.place.lat, 5),
                       "note": loc.note} for loc in result.waypoints[1:-1]],
        "windows": list(p.windows),
        "as_of": result.day.isoformat() if result.day else None,
    }
    if result.corridor is None:
        out.update(route=None, verdicts={}, acceptable_to_all=False, error=result.error)
    else:
        out.update(route=result.corridor.route_dict(), verdicts=verdicts_json(result.corridor),
                   acceptable_to_all=result.corridor.acceptable_to_all)
    return out


def suggestion_json(c: JudgedRoute) -> dict[str, Any]:
    """One suggested corridor as the stable JSON carries it."""
    return {"origin": c.origin, "destination": c.destination, "mode": c.mode,
            "windows": list(c.windows), "pareto": c.pareto, "route": c.route_dict(),
            "verdicts": verdicts_json(c)}


def negotiation_json(neg: Negotiation, world: World) -> dict[str, Any]:
    """The stable JSON of a negotiation; the README documents every field.

    ``{"scenario", "schematic", "data_note", "proposals", "suggestions", "search_as_of",
    "conflicts", "notes"}``.
    """
    return {
        "scenario": world.scenario.name,
        "schematic": world.schematic,
        "data_note": world.data_note,
        "proposals": [_proposal(r) for r in neg.proposals],
        "suggestions": {o: [suggestion_json(c) for c in cs] for o, cs in neg.suggestions.items()},
        "search_as_of": {o: d.isoformat() if d else None for o, d in neg.search_days.items()},
        "conflicts": {o: conflict_json(c) for o, c in neg.conflicts.items()},
        "notes": neg.notes,
    }


def conflict_json(c: Conflict) -> dict[str, Any]:
    """An origin's conflict as the stable JSON carries it.

    Each rule and the explanation come as words in the active language and, for machines,
    as their code and parameters (``explanation_code``, ``explanation_params``).
    """
    return {"rules": [{"party": party, "code": code, "params": params, "message": message,
                       "relaxing_alone_opens": opened}
                      for (party, code, message), (_code, params), opened in zip(
                          c.messages, c.described, c.opened_by_relaxing or [0] * len(c.messages),
                          strict=True)],
            "candidates": c.candidates, "explanation": c.explanation,
            "explanation_code": c.code, "explanation_params": c.params}


def negotiation_geojson(neg: Negotiation) -> dict[str, Any]:
    """Every proposal and suggested corridor as a LineString feature with its verdicts."""
    features = []
    for r in neg.proposals:
        if r.corridor is not None:
            features.append(route_feature(r.corridor, kind="proposal", id_=r.proposal.id))
    for origin, corridors in neg.suggestions.items():
        for i, c in enumerate(corridors):
            features.append(route_feature(c, kind="suggestion", id_=f"{origin}-{i + 1}"))
    return {"type": "FeatureCollection", "features": features}


def route_feature(c: JudgedRoute, *, kind: str, id_: str) -> dict[str, Any]:
    """A judged route as a GeoJSON LineString feature with its summary and verdicts."""
    return {
        "type": "Feature",
        "id": id_,
        "geometry": route_line(c),
        "properties": {"kind": kind, "origin": c.origin, "destination": c.destination,
                       "mode": c.mode, "acceptable_to_all": c.acceptable_to_all,
                       **c.route_dict(), "verdicts": verdicts_json(c)},
    }
