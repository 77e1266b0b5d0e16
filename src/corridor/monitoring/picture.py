"""The ground and the verdicts on one date of the timeline, for the dashboard's date slider.

The service's world is moved to the date, its layers and every stored proposal's verdicts are
read off, and it is moved back to the situation in force; each date's picture is kept until a
snapshot is posted.
"""

from __future__ import annotations

from typing import Any

import shapely

from corridor.errors import CorridorError
from corridor.geo import feature_collection
from corridor.geodesy import LocalProjection
from corridor.negotiation.output import verdicts_json
from corridor.negotiation.search import route_as_proposed
from corridor.report.layers import area_features, closure_features
from corridor.situation import ControlMap, front_line_geojson, hazards_geojson
from corridor.situation.planar import polygonal
from corridor.store.engine import OPEN_ENDED
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


#: Slivers below this many km² are round-off between two overlays of the same boundary.
_MIN_KM2 = 0.001


def changed_hands(before: ControlMap, after: ControlMap) -> dict[str, Any]:
    """Ground held by one label on the first date and another on the second, per pair."""
    features = []
    for old, lost in before.areas.items():
        for new, gained in after.areas.items():
            if old == new or not shapely.intersects(lost, gained):
                continue
            part = polygonal(shapely.intersection(lost, gained))
            if part.is_empty:
                continue
            km2 = float(LocalProjection.for_bounds(part.bounds).to_metric(part).area) / 1e6
            if km2 >= _MIN_KM2:
                features.append((part, {"from": old, "to": new, "km2": round(km2, 3)}))
    return feature_collection(features)
