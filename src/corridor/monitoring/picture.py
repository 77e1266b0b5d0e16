"""The ground and the verdicts on one date of the timeline, for the dashboard's date slider.

The service's world is moved to the date, its layers and every stored proposal's verdicts are
read off, and it is moved back to the situation in force; each date's picture is kept until a
snapshot is posted.
"""

from __future__ import annotations

from typing import Any

from corridor.errors import CorridorError
from corridor.geo import feature_collection
from corridor.negotiation.output import verdicts_json
from corridor.negotiation.search import route_as_proposed
from corridor.report.layers import area_features, closure_features
from corridor.situation import ControlMap, front_line_geojson, hazards_geojson
from corridor.store.engine import OPEN_ENDED
from corridor.timeline.diff import area_changes
from corridor.world import World

from .subjects import Watched


def ground(world: World) -> dict[str, dict[str, Any]]:
    """The layers a snapshot changes, as the map draws them: control, hazards, front, closures."""
    return {"control": feature_collection(area_features(world)),
            "hazards": hazards_geojson(world.hazards),
            "front_line": front_line_geojson(world.front_line),
            "closures": feature_collection(closure_features(world))}


def verdicts(world: World, proposals: list[Watched]) -> list[dict[str, Any]]:
    """Each proposal routed through its stops and judged as of the world's date."""
    out = []
    for p in proposals:
        windows = [(start, end or start + OPEN_ENDED) for start, end in p.windows]
        try:
            _, judged, error = route_as_proposed(world, p.stops, p.fields, windows)
        except CorridorError as exc:
            judged, error = None, exc.message
        out.append({"proposal_id": p.id,
                    "verdicts": {} if judged is None else verdicts_json(judged),
                    "acceptable_to_all": judged is not None and judged.acceptable_to_all,
                    "error": error})
    return out


def changed_hands(before: ControlMap, after: ControlMap) -> dict[str, Any]:
    """Ground held by one label on the first date and another on the second, per pair.

    ``from`` or ``to`` is null for ground nobody holds on that date.
    """
    return feature_collection([(c.geometry, {"from": c.before, "to": c.after,
                                             "km2": round(c.km2, 3)})
                               for c in area_changes(before, after)])
