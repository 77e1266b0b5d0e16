"""A scenario made concrete: its road network, gazetteer, situation and router, ready to query.

Every command that reasons about routes (negotiate, plan, report) starts from the same steps:
load the network, resolve names, infer control, draw hazards, annotate edges, prepare the router.
Doing them here once keeps those commands short and makes them agree with each other.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import shapely
from scipy.spatial import cKDTree

from corridor.borders import load_countries
from corridor.errors import CorridorError, GazetteerError, ScenarioError
from corridor.gazetteer import Gazetteer, Place, places_from_csv
from corridor.geodesy import LocalProjection, haversine_m
from corridor.network.cache import default_cache_dir, load_network
from corridor.network.graph import RoadNetwork
from corridor.network.osm import OSM_NOTE, SCHEMATIC_NOTE, NetworkSettings
from corridor.network.snap import snap
from corridor.routing.route import Settlements
from corridor.routing.router import Router
from corridor.routing.weights import Mode, describe_exclusions, edge_weights
from corridor.scenario.schema import Location, Scenario
from corridor.siting import check_area, check_point, way_closures
from corridor.situation import (
    Closures,
    ControlMap,
    HazardZone,
    PointClosure,
    Settlement,
    Situation,
    annotate,
    contested_zone,
    front_line_zone,
    read_settlements,
)

#: A place this close to the network node it is pinned to counts as on the road: its note
#: does not mention the distance.
ON_ROAD_KM = 0.05

#: Settlements at least this large are named when a route passes them, besides the network's
#: own place nodes.
ROUTE_TOWN_MIN_POPULATION = 10_000



@dataclass(frozen=True)
class Located:
    """A named place pinned to a network node, with how it got there."""

    name: str
    place: Place
    node: int
    snap_km: float
    note: str

    @property
    def lonlat(self) -> tuple[float, float]:
        return (self.place.lon, self.place.lat)


@dataclass
class World:
    """Everything derived from one scenario; build it with :func:`build_world`."""

    scenario: Scenario
    network: RoadNetwork
    gazetteer: Gazetteer
    countries: dict[str, shapely.Geometry]
    control: ControlMap
    front_line: shapely.Geometry
    hazards: list[HazardZone]
    situation: Situation
    router: Router
    settlements: Settlements
    notes: list[str] = field(default_factory=list)
    _located: dict[tuple[str, int | None], Located] = field(default_factory=dict)

    @property
    def schematic(self) -> bool:
        return self.scenario.network.schematic

    @property
    def data_note(self) -> str:
        return SCHEMATIC_NOTE if self.schematic else OSM_NOTE

    # -- places ---------------------------------------------------------------------------------
    def locate(self, name: str, *, field: str, near: tuple[float, float] | None = None,
               ) -> Located:
        """Resolve ``name`` and pin it to the nearest network node.

        ``field`` is the scenario path of the name, for errors. On a schematic network a place
        that is not one of its towns is pinned to the nearest town on it, and the note says so.
        """
        try:
            res = self.gazetteer.resolve(name, near=near)
        except GazetteerError as exc:
            raise ScenarioError(exc.message, source=self.scenario.base_dir, field=field) from exc
        key = (name, res.place.geonameid)
        if key in self._located:
            return self._located[key]
        notes = [res.note] if res.ambiguous or res.place.supplementary else []
        node = self._node_of(res.place)
        if node is None:
            limit_m = self.scenario.network.max_snap_km * 1000.0
            try:
                s = snap(self.network, res.place.lon, res.place.lat, max_distance_m=limit_m,
                         name=name)
            except CorridorError as exc:
                raise ScenarioError(f"{name} is not on any road: {exc.message}",
                                    source=self.scenario.base_dir, field=field) from exc
            node = s.node
            snap_km = float(haversine_m(res.place.lon, res.place.lat, self.network.node_lon[node],
                                        self.network.node_lat[node])) / 1000.0
            if snap_km >= ON_ROAD_KM:
                notes.append(f"not on the network; routed via {self.node_name(node)} "
                             f"({snap_km:.1f} km away)")
        else:
            snap_km = 0.0
        located = Located(name, res.place, node, snap_km, "; ".join(notes))
        self._located[key] = located
        return located

    def node_name(self, node: int) -> str:
        """A network node's town name on a schematic network, else its coordinates."""
        if self.schematic:
            try:
                return self.gazetteer.by_geonameid(int(self.network.node_osm_id[node])).name
            except CorridorError:
                pass
        return f"{self.network.node_lat[node]:.4f}N {self.network.node_lon[node]:.4f}E"

    def territory_at(self, lonlat: tuple[float, float]) -> str:
        """The label holding a point; ``""`` outside every area."""
        return self.control.holder_at(*lonlat) or ""

    def _node_of(self, place: Place) -> int | None:
        if not self.schematic or place.geonameid is None:
            return None
        hits = np.flatnonzero(self.network.node_osm_id == place.geonameid)
        return int(hits[0]) if len(hits) else None

    # -- metrics --------------------------------------------------------------------------------
    def metric(self, mode: Mode | str, exclude: Sequence[str] = ()) -> str:
        """Name of a router metric for ``mode`` avoiding ``exclude``, customised on first use."""
        mode = Mode(mode)
        exclude = sorted(set(exclude))
        name = f"{mode.value}|{','.join(exclude)}"
        if name not in self.router.metrics:
            weights = edge_weights(self.network, self.situation, mode=mode,
                                   convoy_speed_kmh=self.scenario.convoy_speed_kmh,
                                   exclude_territories=exclude)
            self.router.customize(name, weights, excluded=describe_exclusions(exclude, True))
        return name

    def redraw(self, settlements: Sequence[Settlement], *,
               front_line_buffer_km: float | None = None) -> None:
        """Stand on the same scenario with other settlement reports (and front-line band).

        The situation is re-derived and every metric re-weighted in place; network, gazetteer
        and router are kept.
        """
        sc = self.scenario
        if front_line_buffer_km is not None:
            sc = sc.model_copy(update={"hazards": sc.hazards.model_copy(
                update={"front_line_buffer_km": front_line_buffer_km})})
        self.control = _control(sc, self.countries, settlements)
        self.front_line = _front_line(sc, self.control)
        self.hazards = _hazards(sc, self.control, self.front_line)
        closures, _ = _closures(sc, self.gazetteer, self.network)
        self.situation = annotate(self.network, self.control, self.hazards, closures)
        for name in self.router.metrics:
            mode, _, joined = name.partition("|")
            exclude = [x for x in joined.split(",") if x]
            weights = edge_weights(self.network, self.situation, mode=Mode(mode),
                                   convoy_speed_kmh=sc.convoy_speed_kmh,
                                   exclude_territories=exclude)
            self.router.customize(name, weights, excluded=describe_exclusions(exclude, True))


def build_world(scenario: Scenario, *, progress: bool = False) -> World:
    """Load and derive everything the scenario describes.

    Raises :class:`~corridor.errors.CorridorError` subclasses naming the scenario field at fault.
    """
    sc = scenario
    network = load_network(sc.path(sc.network.source),
                           settings=NetworkSettings(simplify=sc.network.simplify,
                                                    keep_edges=sc.network.keep_edges),
                           progress=progress)
    gazetteer = _gazetteer(sc)
    countries = (dict(load_countries(sc.path(sc.control.borders)))
                 if sc.control.borders else {})
    _check_siting(sc, network, gazetteer)
    return stand_on(sc, network, gazetteer, countries,
                    Router(network, cache_dir=default_cache_dir() / "cch"),
                    _settlements(sc, network, gazetteer))


def stand_on(sc: Scenario, network: RoadNetwork, gazetteer: Gazetteer,
             countries: dict[str, shapely.Geometry], router: Router, towns: Settlements, *,
             settlements: Sequence[Settlement] | None = None) -> World:
    """A world on a network, gazetteer and router already at hand: the situation is derived.

    ``settlements`` replaces the control file's reports (an uncertainty sweep's draws); by
    default the file is read.
    """
    control = _control(sc, countries, settlements)
    front = _front_line(sc, control)
    hazards = _hazards(sc, control, front)
    closures, notes = _closures(sc, gazetteer, network)
    situation = annotate(network, control, hazards, closures)
    return World(sc, network, gazetteer, countries, control, front, hazards, situation, router,
                 towns, notes)


def _gazetteer(sc: Scenario) -> Gazetteer:
    gazetteer = Gazetteer.from_geonames([sc.path(p) for p in sc.gazetteer.geonames])
    for path in sc.gazetteer.supplements:
        gazetteer.add_places(places_from_csv(sc.path(path)))
    return gazetteer


def _control(sc: Scenario, countries: dict[str, shapely.Geometry],
             reports: Sequence[Settlement] | None = None) -> ControlMap:
    spec = sc.control
    wanted = [*spec.states, *([spec.base_country] if spec.base_country else [])]
    for i, code in enumerate(wanted):
        if code not in countries:
            where = "control.base_country" if code == spec.base_country else f"control.states[{i}]"
            raise ScenarioError(f"the borders file has no country {code!r}",
                                source=sc.path(spec.borders) if spec.borders else None,
                                field=where)
    control = ControlMap.from_countries({c: countries[c] for c in wanted})
    if spec.settlements is not None:
        if spec.base_country is None:
            raise ScenarioError("settlement control needs control.base_country to subdivide",
                                field="control.settlements")
        settlements = reports if reports is not None else read_settlements(
            sc.path(spec.settlements.source), statuses=list(spec.settlements.status))
        control = control.overlaid_by(ControlMap.from_settlements(
            settlements, status_labels=spec.settlements.status,
            base=countries[spec.base_country], default_label=spec.base_country))
    if spec.polygons:
        by_holder: dict[str, list[list[tuple[float, float]]]] = {}
        for area in spec.polygons:
            by_holder.setdefault(area.holder, []).append(area.coordinates)
        control = control.overlaid_by(ControlMap.from_polygons(
            {h: {"type": "MultiPolygon", "coordinates": [[r] for r in rings]}
             for h, rings in by_holder.items()}, field="control.polygons"))
    return control


def _owner(sc: Scenario, label: str) -> str | None:
    """Which party holds ``label`` (contested ground counts as its own side)."""
    if label == sc.hazards.contested_label:
        return label
    return next((p.id for p in sc.parties if label in p.holds), None)


def _front_line(sc: Scenario, control: ControlMap) -> shapely.Geometry:
    labels = [label for label in control.labels if _owner(sc, label) is not None]
    pairs = [(a, b) for a, b in itertools.combinations(labels, 2) if _owner(sc, a) != _owner(sc, b)]
    return control.front_line(pairs, include_borders=sc.hazards.front_line_includes_borders)


def _hazards(sc: Scenario, control: ControlMap, front: shapely.Geometry) -> list[HazardZone]:
    spec = sc.hazards
    zones: list[HazardZone] = []
    if spec.front_line_buffer_km > 0 and not front.is_empty:
        zones.append(front_line_zone(front, buffer_km=spec.front_line_buffer_km,
                                     risk=spec.front_line_risk.value))
    if spec.contested_risk is not None and spec.contested_label in control.areas:
        zones.append(contested_zone(control, label=spec.contested_label,
                                    risk=spec.contested_risk.value))
    zones.extend(HazardZone.from_geojson(z.name, z.risk.value,
                                         {"type": "Polygon", "coordinates": [z.coordinates]},
                                         field=f"hazards.zones[{i}]")
                 for i, z in enumerate(spec.zones))
    return zones


def _check_siting(sc: Scenario, network: RoadNetwork, gazetteer: Gazetteer) -> None:
    """Checkpoints and hazard zones must lie within the snap limit of the roads."""
    limit_m = sc.network.max_snap_km * 1000.0
    for k, cp in enumerate(sc.checkpoints):
        where = f"checkpoints[{k}].at"
        check_point(network, point_of(sc, gazetteer, cp.at, where), limit_m=limit_m,
                    field=where, what=f"checkpoint {cp.name!r}")
    for i, zone in enumerate(sc.hazards.zones):
        check_area(network, zone.coordinates, limit_m=limit_m, field=f"hazards.zones[{i}]",
                   what=f"hazard zone {zone.name!r}")


def _closures(sc: Scenario, gazetteer: Gazetteer, network: RoadNetwork,
              ) -> tuple[Closures, list[str]]:
    """The closures, each checked to close some road, and a note per way closure on what it shut."""
    points: list[PointClosure] = []
    ways: set[int] = set()
    notes: list[str] = []
    for i, c in enumerate(sc.closures):
        if c.at is not None:
            where = f"closures[{i}].at"
            lonlat = point_of(sc, gazetteer, c.at, where)
            distance = check_point(network, lonlat, limit_m=sc.network.max_snap_km * 1000.0,
                                   field=where, what=f"closure {c.name!r}")
            if distance > c.radius_m:
                raise ScenarioError(f"closure {c.name!r} closes no road: the nearest lies "
                                    f"{distance:.0f} m away, beyond its radius_m of "
                                    f"{c.radius_m:g}", field=where)
            points.append(PointClosure(c.name, *lonlat, c.radius_m))
        elif c.way_id is not None:
            closed = way_closures(network, c.way_id, field=f"closures[{i}].way_id")
            ways.update(closed.way_ids)
            notes.append(f"closure {c.name!r}: {closed.note}")
    return Closures(tuple(points), frozenset(ways)), notes


def point_of(sc: Scenario, gazetteer: Gazetteer, loc: Location, field: str,
             ) -> tuple[float, float]:
    """Coordinates of a scenario location, resolving a place name through the gazetteer."""
    if loc.point is not None:
        return loc.point
    assert loc.place is not None  # guaranteed by Location's validator
    try:
        place = gazetteer.resolve(loc.place).place
    except GazetteerError as exc:
        raise ScenarioError(exc.message, source=sc.base_dir, field=field) from exc
    return (place.lon, place.lat)


def _settlements(sc: Scenario, network: RoadNetwork, gazetteer: Gazetteer) -> Settlements:
    """Towns worth naming along a route.

    On a schematic network these are its own towns. Otherwise every place of at least
    :data:`ROUTE_TOWN_MIN_POPULATION` people, except those within
    :data:`_DISTRICT_RADIUS_KM` of a larger one: GeoNames lists city districts as places, and
    a route through Kyiv should say "Kyiv", not twenty district names.
    """
    arrays = gazetteer.places_array()
    if sc.network.schematic:
        keep = np.isin(arrays.geonameid, network.node_osm_id)
    else:
        lon0, lat0, lon1, lat1 = network.bbox
        keep = ((arrays.lon >= lon0) & (arrays.lon <= lon1) & (arrays.lat >= lat0)
                & (arrays.lat <= lat1) & (arrays.population >= ROUTE_TOWN_MIN_POPULATION))
        idx = np.flatnonzero(keep)
        keep[idx[_districts(arrays.lon[idx], arrays.lat[idx], arrays.population[idx])]] = False
    return Settlements([str(n) for n in arrays.names[keep]], arrays.lon[keep], arrays.lat[keep])


#: A place this close to a larger one is taken for one of its districts.
_DISTRICT_RADIUS_KM = 8.0


def _districts(lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64],
               population: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Mask of places lying within the district radius of a more populous place."""
    out = np.zeros(len(lon), dtype=np.bool_)
    if len(lon) < 2:
        return out
    projection = LocalProjection.for_bounds((lon.min(), lat.min(), lon.max(), lat.max()))
    x, y = projection.forward(lon, lat)
    tree = cKDTree(np.column_stack([x, y]))
    for i, j in tree.query_pairs(_DISTRICT_RADIUS_KM * 1000.0, output_type="ndarray"):
        smaller = j if population[j] < population[i] else i
        out[smaller] = True
    return out


def place_distances_km(geometry: Sequence[tuple[float, float]],
                       places: dict[str, tuple[float, float]]) -> dict[str, float]:
    """Distance of each named point from a route line, in km (metric projection)."""
    if not places or len(geometry) < 2:
        return {}
    lons = [p[0] for p in geometry]
    lats = [p[1] for p in geometry]
    projection = LocalProjection.for_bounds((min(lons), min(lats), max(lons), max(lats)))
    line = projection.to_metric(shapely.LineString(geometry))
    return {name: float(line.distance(projection.to_metric(shapely.Point(lonlat)))) / 1000.0
            for name, lonlat in places.items()}

