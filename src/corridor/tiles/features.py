"""The basemap's features, layer by layer, from a scenario's own data.

Roads come from the imported network (so the map shows exactly the roads routes run on), place
points from the scenario's GeoNames files, supplementary points and the extract's own place
nodes, country borders from the scenario's borders file, and water and land use from the OSM
extract when it maps them (a schematic skeleton maps none). Each feature carries the
``tippecanoe`` member that sets the zoom it first appears at.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import osmium
import shapely
from shapely.geometry import mapping

from corridor.borders import load_countries
from corridor.errors import NetworkError
from corridor.gazetteer import MERGE_KM, geonames_records, places_from_csv
from corridor.i18n import _
from corridor.network.graph import RoadNetwork
from corridor.network.osm import check_osm_file
from corridor.network.places import PLACE_KINDS, place_from_tags
from corridor.scenario import Scenario
from corridor.tiles.names import names_by_language, names_from_tags

Feature = dict[str, Any]

#: The zoom each road class first shows at: the trunk network from afar, streets close up.
ROAD_MINZOOM: dict[str, int] = {"motorway": 4, "trunk": 4, "primary": 6, "secondary": 8,
                                "tertiary": 9}
_MINOR_ROAD_MINZOOM = 11
#: Places farther than this outside the network's box are left off (the neighbours' cities file
#: covers half a continent).
_PLACE_MARGIN_DEG = 1.0

#: OSM tags read as water areas, and the ``waterway`` values drawn as lines.
_WATER = {("natural", "water"), ("waterway", "riverbank"), ("landuse", "reservoir"),
          ("landuse", "basin")}
_WATERWAYS = ("river", "canal", "stream")
#: OSM tags read as land use, by the class the map colours them with.
_LANDUSE: dict[tuple[str, str], str] = {
    **{("landuse", v): "residential" for v in ("residential", "retail", "commercial")},
    **{("landuse", v): "industrial" for v in ("industrial", "railway", "quarry")},
    **{("landuse", v): "farmland" for v in ("farmland", "farmyard", "orchard", "vineyard")},
    **{("landuse", v): "grass" for v in ("meadow", "grass", "allotments")},
    **{("natural", v): "grass" for v in ("grassland", "heath", "scrub")},
    ("landuse", "forest"): "wood", ("natural", "wood"): "wood",
    ("natural", "bare_rock"): "rock", ("natural", "scree"): "rock",
    ("natural", "glacier"): "ice", ("leisure", "park"): "park",
}


def place_minzoom(population: int, kind: str = "") -> int:
    """The zoom a place's label first shows at: a million people from zoom 3, a hamlet at 12.

    Unknown populations (0) count by the OSM ``place`` kind when there is one.
    """
    if population <= 0:
        population = {"city": 100_000, "town": 10_000, "village": 1_000}.get(kind, 100)
    return int(min(12, max(3, round(13 - 1.5 * math.log10(max(population, 1)) + 0.5))))


@dataclass
class Layers:
    """Features by layer name, in the order tippecanoe receives them."""

    roads: list[Feature] = field(default_factory=list)
    places: list[Feature] = field(default_factory=list)
    countries: list[Feature] = field(default_factory=list)
    water: list[Feature] = field(default_factory=list)
    waterways: list[Feature] = field(default_factory=list)
    landuse: list[Feature] = field(default_factory=list)

    def items(self) -> Iterator[tuple[str, list[Feature]]]:
        """``(layer, features)`` for each layer, empty ones included."""
        yield from vars(self).items()


def scenario_layers(sc: Scenario, network: RoadNetwork,
                    on_step: Callable[[str], None] = lambda _step: None) -> Layers:
    """Every basemap layer of ``sc`` on its loaded ``network``.

    Raises
    ------
    CorridorError
        A GeoNames, supplements, borders or OSM file is unreadable or malformed; the error
        names it.
    """
    layers = Layers(roads=road_features(network))
    source = sc.path(sc.network.source)
    on_step("places")
    osm_places: list[Feature] = []
    if not network.meta.get("schematic"):
        on_step("water and land use")
        osm_places = _read_osm(source, layers)
    layers.places = _places(sc, network, osm_places)
    if sc.control.borders:
        on_step("borders")
        countries = load_countries(sc.path(sc.control.borders))
        layers.countries = [_feature(shape, {"iso_a2": iso}) for iso, shape in countries.items()]
    return layers


def road_features(network: RoadNetwork) -> list[Feature]:
    """One line per road segment (the two directions of a two-way road drawn once).

    Properties: ``class`` (see :data:`~corridor.network.graph.ROAD_CLASSES`), ``ref`` (the
    way's ``ref``, else its ``name``, as the network keeps it) and ``schematic`` when the
    network is a schematic skeleton.
    """
    tail, head = network.tail.astype(np.int64), network.head.astype(np.int64)
    low, high = np.minimum(tail, head), np.maximum(tail, head)
    # A segment and its reverse share way, end nodes and length; keep the first of each pair.
    key = np.stack([network.way_id, low, high, np.round(network.length_m).astype(np.int64)])
    _, first = np.unique(key, axis=1, return_index=True)
    schematic = bool(network.meta.get("schematic"))
    features = []
    for edge in np.sort(first):
        cls = network.class_name(int(edge))
        properties: dict[str, Any] = {"class": cls}
        if ref := network.edge_name(int(edge)):
            properties["ref"] = ref
        if schematic:
            properties["schematic"] = True
        features.append({
            "type": "Feature",
            "tippecanoe": {"minzoom": ROAD_MINZOOM.get(cls, _MINOR_ROAD_MINZOOM)},
            "geometry": {"type": "LineString",
                         "coordinates": network.edge_coords(int(edge)).round(6).tolist()},
            "properties": properties,
        })
    return features


def _places(sc: Scenario, network: RoadNetwork, osm_places: list[Feature]) -> list[Feature]:
    """Every place point of the scenario, with its labels by language and population.

    GeoNames points near the network, the extract's own places not among them (a node that is
    among them lends them its ``name:xx`` tags), and the supplementary points.
    """
    w, s, e, n = network.bbox
    w, s, e, n = (w - _PLACE_MARGIN_DEG, s - _PLACE_MARGIN_DEG, e + _PLACE_MARGIN_DEG,
                  n + _PLACE_MARGIN_DEG)
    seen: set[int] = set()
    places: list[Feature] = []
    for path in sc.gazetteer.geonames:
        for place, alternates in geonames_records(sc.path(path)):
            if place.geonameid in seen or not (w <= place.lon <= e and s <= place.lat <= n):
                continue
            seen.add(place.geonameid or 0)
            places.append(_place(place.lon, place.lat, place.population, "",
                                 {"name": place.name, **names_by_language(place.name,
                                                                          alternates)}))
    for osm in osm_places:
        twin = _twin(places, osm)
        if twin is None:
            places.append(osm)
        else:  # the node's own name:xx tags are better than the script's guess
            twin["properties"].update({k: v for k, v in osm["properties"].items()
                                       if k.startswith("name:")})
    for path in sc.gazetteer.supplements:
        for point in places_from_csv(sc.path(path)):
            places.append(_place(point.lon, point.lat, point.population, "",
                                 {"name": point.name}))
    return places


def _twin(places: list[Feature], osm: Feature) -> Feature | None:
    """The GeoNames place an OSM place node duplicates: a shared name within MERGE_KM."""
    names = {v for k, v in osm["properties"].items() if k.startswith("name")}
    lon, lat = osm["geometry"]["coordinates"]
    for place in places:
        plon, plat = place["geometry"]["coordinates"]
        near = math.hypot((plon - lon) * math.cos(math.radians(lat)), plat - lat) * 111.2
        if near <= MERGE_KM and names.intersection(
                v for k, v in place["properties"].items() if k.startswith("name")):
            return place
    return None


def _place(lon: float, lat: float, population: int, kind: str,
           labels: dict[str, str]) -> Feature:
    return {
        "type": "Feature",
        "tippecanoe": {"minzoom": place_minzoom(population, kind)},
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": {**labels, "population": population, **({"kind": kind} if kind else {})},
    }


def _feature(geometry: shapely.Geometry, properties: dict[str, Any]) -> Feature:
    return {"type": "Feature", "geometry": mapping(geometry), "properties": properties}


def _read_osm(source: Path, layers: Layers) -> list[Feature]:
    """Read water, waterways and land use into ``layers``; return the extract's place nodes.

    Areas come from closed ways and multipolygon relations, assembled by osmium.
    """
    check_osm_file(source)
    wkb = osmium.geom.WKBFactory()
    keys = ("natural", "waterway", "landuse", "leisure", "place")
    places: list[Feature] = []
    # Typed as Any: osmium's union of entity kinds is told apart by is_node() and the like.
    processor: Iterable[Any] = osmium.FileProcessor(str(source)).with_areas().with_filter(
        osmium.filter.KeyFilter(*keys))
    try:
        for obj in processor:
            if obj.is_node():
                tags = dict(obj.tags)
                place = place_from_tags(obj.id, obj.location.lon, obj.location.lat, tags)
                if place is not None:
                    labels = {**names_from_tags(tags), "name": place.name}
                    places.append(_place(place.lon, place.lat, place.population, place.kind,
                                         labels))
            elif obj.is_way() and obj.tags.get("waterway") in _WATERWAYS:
                line = shapely.from_wkb(wkb.create_linestring(obj))
                layers.waterways.append(_feature(line, {"class": obj.tags["waterway"],
                                                        **names_from_tags(dict(obj.tags))}))
            elif obj.is_area():
                _area(obj, wkb, layers)
    except RuntimeError as exc:  # osmium's reader failures
        raise NetworkError(_("cannot read water and land use: {reason}").format(reason=exc),
                           source=source) from exc
    return sorted(places, key=lambda p: PLACE_KINDS.index(p["properties"]["kind"]))


def _area(area: Any, wkb: osmium.geom.WKBFactory, layers: Layers) -> None:
    """Add one assembled area to the water or land-use layer if its tags make it either."""
    tags = {(k, area.tags.get(k)) for k in ("natural", "waterway", "landuse", "leisure")}
    water = bool(tags & _WATER)
    landuse = next((_LANDUSE[t] for t in tags if t in _LANDUSE), None)
    if not water and landuse is None:
        return
    try:
        geometry = shapely.from_wkb(wkb.create_multipolygon(area))
    except RuntimeError:
        return  # a broken ring in the extract: that one area is left out
    if water:
        layers.water.append(_feature(geometry, names_from_tags(dict(area.tags))))
    else:
        layers.landuse.append(_feature(geometry, {"class": landuse}))


def write_layer(features: list[Feature], path: Path) -> None:
    """One GeoJSON feature per line, the way tippecanoe streams them."""
    with path.open("w", encoding="utf-8") as handle:
        for feature in features:
            handle.write(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
            handle.write("\n")
