"""A scenario's ground as map features: what every map draws under the corridors.

The same features feed the dashboard (``/api/map``, GeoJSON), the reports' SVG maps and the
``negotiate --geojson`` export, so a closure or a checkpoint is never on one map and missing from
another. Computed once per scenario: they do not change while the service runs, and a field
office has no tile server to fall back on.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from corridor.geo import feature_collection
from corridor.negotiation.output import negotiation_geojson
from corridor.negotiation.search import Negotiation
from corridor.network.graph import ROAD_CLASSES, RoadNetwork
from corridor.network.topology import reverse_twins
from corridor.scenario import load_scenario
from corridor.scenario.schema import Closure
from corridor.situation import front_line_geojson, hazards_geojson
from corridor.styles import palette
from corridor.world import World, build_world

#: Above this many road edges only the major classes are sent: a browser draws a few thousand
#: lines smoothly, not a country's every road.
MAX_ROAD_EDGES = 20_000
MAJOR_ROADS = ("motorway", "trunk", "primary")
#: The base layers, bottom to top.
BASE_LAYERS = ("countries", "control", "hazards", "front_line", "roads", "closures",
               "checkpoints")

#: A feature before it is drawn or written: lon/lat geometry and its properties.
Feature = tuple[shapely.Geometry, dict[str, Any]]


def road_lines(network: RoadNetwork, road_class: str) -> shapely.MultiLineString | None:
    """The roads of one class as one multi-line, each road once (not once per direction).

    ``None`` when the network has none.
    """
    return _lines(network, network.road_class == ROAD_CLASSES.index(road_class))


def _lines(network: RoadNetwork, edges: np.ndarray) -> shapely.MultiLineString | None:
    twins = reverse_twins(network)
    once = (twins < 0) | (np.arange(network.n_edges) < twins)
    chosen = np.flatnonzero(edges & once)
    if not len(chosen):
        return None
    return shapely.MultiLineString([network.edge_coords(int(e)) for e in chosen])


@dataclass(frozen=True)
class Holder:
    """Who holds ground on the map, one legend entry and one colour each.

    A party (all the labels it holds), contested ground, or a label no party claims when no
    party claims any.
    """

    name: str
    labels: tuple[str, ...]
    colour: str


def holders(world: World, present: set[str] | None = None) -> list[Holder]:
    """The scenario's holders in legend order, each with its colour from the palette.

    ``present`` are the labels on the map, by default those of the world's control now; maps
    of several dates pass every date's, so a holder keeps its colour on all of them.
    """
    sc = world.scenario
    present = set(world.control.areas) if present is None else present
    groups = {f"{p.name} ({p.id})": tuple(sorted(set(p.holds) & present)) for p in sc.parties}
    groups = {name: labels for name, labels in groups.items() if labels}
    contested = sc.hazards.contested_label
    if contested in present:
        groups[contested] = (contested,)
    if not groups:  # no party says what it holds: every label is its own holder
        groups = {label: (label,) for label in present}
    colours = palette(groups)
    return [Holder(name, labels, colours[name]) for name, labels in sorted(groups.items())]


def territory_colours(world: World) -> dict[str, str]:
    """The fill of each territory label held by someone; other labels are not filled."""
    return {label: h.colour for h in holders(world) for label in h.labels}


def area_features(world: World) -> list[Feature]:
    """Control areas with their label and, when someone holds them, their legend colour."""
    colours = territory_colours(world)
    return [(geom, {"label": label, "fill": colours.get(label)})
            for label, geom in world.control.areas.items()]


def closure_features(world: World) -> list[Feature]:
    """Each blocked spot as a point with its radius, then every closed road as one line."""
    features: list[Feature] = [(shapely.Point(c.lon, c.lat),
                                {"name": c.name, "radius_m": c.radius_m})
                               for c in world.closures.points]
    closed = _lines(world.network, world.situation.closed)
    if closed is not None:
        features.append((closed, {"name": "closed roads",
                                  "way_ids": sorted({c.way_id for c in world.scenario.closures
                                                    if isinstance(c, Closure) and c.way_id})}))
    return features


def checkpoint_features(world: World) -> list[Feature]:
    """Checkpoints where they stand, with their throughput."""
    sc = world.scenario
    return [(shapely.Point(world.point(cp.at, f"checkpoints[{k}].at")),
             {"name": cp.name, "minutes_per_vehicle": cp.minutes_per_vehicle,
              "lanes": cp.lanes})
            for k, cp in enumerate(sc.checkpoints)]


def place_features(neg: Negotiation) -> list[Feature]:
    """Every place a proposal names, once, where it was pinned to the roads."""
    places: dict[str, Feature] = {}
    for r in neg.proposals:
        for loc in r.waypoints:
            places.setdefault(loc.name, (shapely.Point(loc.lonlat), {
                "name": loc.name, "resolved": loc.place.name, "note": loc.note}))
    return list(places.values())


def base_layers(world: World) -> dict[str, dict[str, Any]]:
    """Every base layer of ``world`` as a FeatureCollection, by name (:data:`BASE_LAYERS`)."""
    return {
        "countries": feature_collection([(g, {"code": c}) for c, g in world.countries.items()]),
        "control": feature_collection(area_features(world)),
        "hazards": hazards_geojson(world.hazards),
        "front_line": front_line_geojson(world.front_line),
        "roads": _roads(world),
        "closures": feature_collection(closure_features(world)),
        "checkpoints": feature_collection(checkpoint_features(world)),
    }


#: The layers of the GeoJSON export, in drawing order.
EXPORT_LAYERS = ("areas", "hazards", "closures", "checkpoints", "places", "routes")


def export_geojson(world: World, neg: Negotiation) -> dict[str, Any]:
    """Every layer of a negotiation's map as one FeatureCollection.

    Each feature carries its ``layer`` (:data:`EXPORT_LAYERS`): GIS tools read one collection
    per file.
    """
    layers = {
        "areas": feature_collection(area_features(world)),
        "hazards": hazards_geojson(world.hazards),
        "closures": feature_collection(closure_features(world)),
        "checkpoints": feature_collection(checkpoint_features(world)),
        "places": feature_collection(place_features(neg)),
        "routes": negotiation_geojson(neg),
    }
    features = [{**f, "properties": {"layer": name, **f["properties"]}}
                for name, collection in layers.items() for f in collection["features"]]
    return {"type": "FeatureCollection", "features": features}


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
    bbox: tuple[float, float, float, float] | None
    territory_colours: dict[str, str]
    legend: list[dict[str, Any]]
    layers: dict[str, dict[str, Any]]

    @property
    def data_note(self) -> str:
        """The schematic warning and attribution, in the language of whoever asks."""
        return self.world.data_note if self.world is not None else ""

    @classmethod
    def load(cls, scenario: Path | None) -> ScenarioLayers:
        """The scenario's world and layers; empty layers without a scenario."""
        if scenario is None:
            return cls(None, None, {}, [],
                       {name: feature_collection([]) for name in BASE_LAYERS})
        world = build_world(load_scenario(scenario))
        legend = [dataclasses.asdict(h) for h in holders(world)]
        return cls(world, world.network.bbox, territory_colours(world), legend,
                   base_layers(world))
