"""A scenario's ground as GeoJSON layers: what every map draws under the corridors.

Computed once per scenario: the layers do not change while the service runs, and a field office
has no tile server to fall back on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corridor.geo import feature_collection
from corridor.network.graph import ROAD_CLASSES
from corridor.report.negotiation import road_lines
from corridor.scenario import load_scenario
from corridor.situation import front_line_geojson, hazards_geojson
from corridor.world import World, build_world

#: Above this many road edges only the major classes are sent: a browser draws a few thousand
#: lines smoothly, not a country's every road.
MAX_ROAD_EDGES = 20_000
MAJOR_ROADS = ("motorway", "trunk", "primary")
#: The base layers, bottom to top.
BASE_LAYERS = ("countries", "control", "hazards", "front_line", "roads")


def base_layers(world: World) -> dict[str, dict[str, Any]]:
    """Every base layer of ``world`` as a FeatureCollection, by name."""
    return {
        "countries": feature_collection([(g, {"code": c}) for c, g in world.countries.items()]),
        "control": world.control.to_geojson(),
        "hazards": hazards_geojson(world.hazards),
        "front_line": front_line_geojson(world.front_line),
        "roads": _roads(world),
    }


def _roads(world: World) -> dict[str, Any]:
    """One multi-line per road class, each road drawn once (not once per direction)."""
    net = world.network
    classes = MAJOR_ROADS if len(net.tail) > MAX_ROAD_EDGES else ROAD_CLASSES
    features = []
    for cls in classes:
        lines = road_lines(net, cls)
        if lines is not None:
            features.append((lines, {"class": cls}))
    return feature_collection(features)


@dataclass(frozen=True)
class ScenarioLayers:
    """What a server knows of the ground: a scenario's world and its layers, or nothing."""

    world: World | None
    data_note: str
    bbox: tuple[float, float, float, float] | None
    layers: dict[str, dict[str, Any]]

    @classmethod
    def load(cls, scenario: Path | None) -> ScenarioLayers:
        """The scenario's world and layers; empty layers without a scenario."""
        if scenario is None:
            return cls(None, "", None, {name: feature_collection([]) for name in BASE_LAYERS})
        world = build_world(load_scenario(scenario))
        return cls(world, world.data_note, world.network.bbox, base_layers(world))
