"""A scenario made concrete: its road network, gazetteer, situation and router, ready to query.

Every command that reasons about routes (negotiate, plan, report) starts from the same steps:
load the network, resolve names, infer control, draw hazards, annotate edges, prepare the router.
Doing them here once keeps those commands short and makes them agree with each other.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt
import shapely
from scipy.spatial import cKDTree

from corridor.borders import load_countries
from corridor.errors import CorridorError, GazetteerError, ScenarioError
from corridor.gazetteer import Gazetteer, Place, Resolution, places_from_csv
from corridor.geodesy import M_PER_DEG, LocalProjection, haversine_m
from corridor.i18n import _
from corridor.network.cache import default_cache_dir, load_network
from corridor.network.graph import RoadNetwork
from corridor.network.osm import OSM_NOTE, SCHEMATIC_NOTE, NetworkSettings
from corridor.network.snap import snap
from corridor.routing.route import Settlements
from corridor.routing.router import Router
from corridor.routing.weights import Mode, describe_exclusions, edge_weights
from corridor.scenario.placeref import point_label
from corridor.scenario.schema import Closure, HazardArea, Location, Scenario
from corridor.siting import check_area, check_point, way_closures
from corridor.situation import (
    Closures,
    ControlMap,
    HazardZone,
    HeldTerritory,
    PointClosure,
    Situation,
    annotate,
    contested_zone,
    front_line_zone,
    own_area,
)
from corridor.situation.planar import Area, polygonal
from corridor.sources import FileClosure, Sources, read_sources

#: ``Place.source`` of a place the scenario gave as coordinates.
POINT_SOURCE = "scenario coordinates"

#: A place this close to the network node it is pinned to counts as on the road: its note
#: does not mention the distance.
ON_ROAD_KM = 0.05

#: Settlements at least this large are named when a route passes them, besides the network's
#: own place nodes.
ROUTE_TOWN_MIN_POPULATION = 10_000



#: A place as a user gives it: a name for the gazetteer, or ``(lon, lat)`` in degrees.
PlaceArg = str | tuple[float, float]


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
    #: The closures as given (spots and OSM ways), before they became closed edges.
    closures: Closures = field(default_factory=Closures)
    _located: dict[tuple[str, float, float], Located] = field(default_factory=dict)
    _metric_specs: dict[str, tuple[Mode, list[str], str | None]] = field(default_factory=dict)
    _own_areas: dict[tuple[ControlMap, tuple[float, float]], Area] = field(default_factory=dict)

    @property
    def day(self) -> date | None:
        """The date of the snapshot the world stands on; ``None`` for an undated scenario."""
        return self.scenario.as_of

    @property
    def schematic(self) -> bool:
        return self.scenario.network.schematic

    @property
    def data_note(self) -> str:
        return _(SCHEMATIC_NOTE if self.schematic else OSM_NOTE)

    # -- places ---------------------------------------------------------------------------------
    def display_name(self, name: str, language: str | None = None) -> str:
        """A place the scenario names, as a reader of ``language`` (default: active) calls it.

        The gazetteer's names by language (:mod:`corridor.naming`); a name it does not know
        (a point the scenario labelled, a town of a schematic map) is shown as written.
        """
        if name in self.scenario.points or not self.gazetteer.knows(name):
            return name
        try:
            place = self.gazetteer.resolve(name).place
        except CorridorError:
            return name
        return self.gazetteer.display_name(place, language, as_written=name)

    def locate(self, name: str, *, field: str, near: tuple[float, float] | None = None,
               ) -> Located:
        """Resolve ``name`` and pin it to the nearest network node.

        ``field`` is the scenario path of the name, for errors. A label the scenario gave
        coordinates (see :mod:`corridor.scenario.placeref`) is pinned from its point; any other
        name goes through the gazetteer. On a schematic network a place that is not one of its
        towns is pinned to the nearest town on it, and the note says so.
        """
        point = self.scenario.points.get(name)
        if point is not None:
            return self.locate_point(point, field=field, label=name)
        res = resolve_place(self.scenario, self.gazetteer, self.network, name, field, near=near)
        key = (name, res.place.lon, res.place.lat)
        if key not in self._located:
            notes = [res.note] if res.ambiguous or res.place.supplementary else []
            self._located[key] = self._pin(name, res.place, notes, field)
        return self._located[key]

    def locate_point(self, lonlat: tuple[float, float], *, field: str,
                     label: str | None = None) -> Located:
        """Pin a point given by coordinates to the nearest network node, like :meth:`locate`.

        The point goes by ``label``, else by its coordinates written out, so notes and
        summaries can say where it was.
        """
        lon, lat = lonlat
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ScenarioError(_("expected longitude -180..180 and latitude -90..90, got "
                                  "{lon:g}, {lat:g}").format(lon=lon, lat=lat), field=field)
        name = label or point_label(lon, lat)
        key = (name, lon, lat)
        if key not in self._located:
            place = Place(name, lon, lat, country="", source=POINT_SOURCE)
            self._located[key] = self._pin(name, place, [], field)
        return self._located[key]

    def _pin(self, name: str, place: Place, notes: list[str], field: str) -> Located:
        """``place`` on its network node, the note saying how far it was snapped and where."""
        node = self._node_of(place)
        snap_km = 0.0
        if node is None:
            limit_m = self.scenario.network.max_snap_km * 1000.0
            check_point(self.network, (place.lon, place.lat), limit_m=limit_m,
                        field=field, what=repr(name))
            try:
                s = snap(self.network, place.lon, place.lat, max_distance_m=limit_m, name=name)
            except CorridorError as exc:
                raise ScenarioError(_("{name} is not on any road: {message}").format(
                    name=name, message=exc.message),
                                    source=self.scenario.base_dir, field=field) from exc
            node = s.node
            snap_km = float(haversine_m(place.lon, place.lat, self.network.node_lon[node],
                                        self.network.node_lat[node])) / 1000.0
            if snap_km >= ON_ROAD_KM:
                road = self.network.edge_name(s.edge)
                notes = [*notes, f"not on the network; routed via {self.node_name(node)}"
                                 f"{f' on {road}' if road else ''} ({snap_km:.1f} km away)"]
        return Located(name, place, node, snap_km, "; ".join(notes))

    def point(self, loc: Location, field: str) -> tuple[float, float]:
        """Coordinates of a scenario location (``field`` is its scenario path, for errors)."""
        return point_of(self.scenario, self.gazetteer, self.network, loc, field)

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

    @property
    def holders(self) -> dict[str, str]:
        """Party id holding each territory label that some party holds."""
        return {label: p.id for p in self.scenario.parties for label in p.holds}

    def held_from(self, lonlat: tuple[float, float]) -> HeldTerritory:
        """The other side's ground, seen from an origin at ``lonlat``."""
        return HeldTerritory.seen_from(self.territory_at(lonlat), self.holders,
                                       self.scenario.hazards.held_territory_risk.value)

    def own_area(self, lonlat: tuple[float, float]) -> Area:
        """The connected part of the origin holder's ground that contains ``lonlat``."""
        key = (self.control, lonlat)
        if key not in self._own_areas:
            holder = self.held_from(lonlat).origin_holder
            labels = [label for label in self.control.labels
                      if self.holders.get(label, label) == holder]
            self._own_areas[key] = own_area(self.control, labels, *lonlat)
        return self._own_areas[key]

    def _node_of(self, place: Place) -> int | None:
        if not self.schematic or place.geonameid is None:
            return None
        hits = np.flatnonzero(self.network.node_osm_id == place.geonameid)
        return int(hits[0]) if len(hits) else None

    # -- metrics --------------------------------------------------------------------------------
    def metric(self, mode: Mode | str, exclude: Sequence[str] = (),
               origin_holder: str | None = None) -> str:
        """Name of a router metric for ``mode`` avoiding ``exclude``, customised on first use.

        With ``origin_holder``, ``safest`` and ``balanced`` also weigh km through ground other
        parties hold: one metric per origin holder, all on the same contraction hierarchy.
        """
        mode = Mode(mode)
        exclude = sorted(set(exclude))
        holder = None if mode is Mode.FASTEST else origin_holder
        name = f"{mode.value}|{','.join(exclude)}" + (f"|held:{holder}" if holder else "")
        if name not in self.router.metrics:
            self._customize(name, mode, exclude, holder)
        return name

    def _customize(self, name: str, mode: Mode, exclude: list[str], holder: str | None) -> None:
        held = (None if holder is None else HeldTerritory.against(
            holder, self.holders, self.scenario.hazards.held_territory_risk.value))
        weights = edge_weights(self.network, self.situation, mode=mode,
                               convoy_speed_kmh=self.scenario.convoy_speed_kmh,
                               exclude_territories=exclude, held=held)
        self.router.customize(name, weights,
                              excluded=functools.partial(describe_exclusions, tuple(exclude)))
        self._metric_specs[name] = (mode, exclude, holder)

    # -- time -----------------------------------------------------------------------------------
    def move_to(self, day: date | None) -> None:
        """Stand on the snapshot valid on ``day`` (``None``: the scenario's undated situation).

        Everything the situation decides is redone (control, front line, hazards, closures),
        but the per-edge arrays are re-measured only where ground changed hands or zones came
        or went, and every metric already used is re-weighted in place: the network, the
        gazetteer and the router's contraction hierarchy are kept. Raises
        :class:`~corridor.errors.SituationError` (field ``at``) for a date before the
        timeline.
        """
        sc = self.scenario.at(day)
        if sc.as_of == self.day:
            return
        sources = read_sources(sc)
        _check_siting(sc, self.network, self.gazetteer, sources)
        self.stand(sc, sources)

    def stand(self, sc: Scenario, sources: Sources) -> None:
        """Stand on ``sc`` with the layers ``sources`` (what :meth:`move_to` reads for a date).

        An uncertainty sweep calls this with drawn settlement statuses in ``sources``. The
        per-edge arrays are re-measured from the current situation where ground changed.
        """
        control = _control(sc, self.countries, sources)
        front = _front_line(sc, control)
        hazards = _hazards(sc, control, front, sources)
        closures, notes = _closures(sc, self.gazetteer, self.network, sources)
        self.situation = self.situation.updated(control=control, hazards=hazards,
                                                closures=closures)
        self.scenario, self.control, self.front_line, self.hazards = sc, control, front, hazards
        self.notes, self.closures = [*sources.notes, *notes], closures
        for name, (mode, exclude, holder) in self._metric_specs.items():
            self._customize(name, mode, exclude, holder)


def build_world(scenario: Scenario, *, progress: bool = False) -> World:
    """Load and derive everything the scenario describes.

    Raises :class:`~corridor.errors.CorridorError` subclasses naming the scenario field at fault.
    """
    sc = scenario
    sources = read_sources(sc)
    network = load_network(sc.path(sc.network.source),
                           settings=NetworkSettings(simplify=sc.network.simplify,
                                                    keep_edges=sc.network.keep_edges),
                           progress=progress)
    gazetteer = _gazetteer(sc, network)
    countries = (dict(load_countries(sc.path(sc.control.borders)))
                 if sc.control.borders else {})
    return assemble_world(sc, network, gazetteer, countries, sources,
                          Router(network, cache_dir=default_cache_dir() / "cch"))


def assemble_world(sc: Scenario, network: RoadNetwork, gazetteer: Gazetteer,
                   countries: dict[str, shapely.Geometry], sources: Sources,
                   router: Router, situation: Situation | None = None) -> World:
    """The world of ``sc`` on a network, gazetteer, layers and router already at hand.

    :func:`build_world` reads them first; a sweep's worker receives them shipped, with the
    ``situation`` they were annotated with (so it need not annotate the network again), and
    builds its own router.
    """
    control = _control(sc, countries, sources)
    front = _front_line(sc, control)
    hazards = _hazards(sc, control, front, sources)
    _check_siting(sc, network, gazetteer, sources)
    closures, notes = _closures(sc, gazetteer, network, sources)
    if situation is None:
        situation = annotate(network, control, hazards, closures)
    return World(sc, network, gazetteer, countries, control, front, hazards, situation, router,
                 _settlements(sc, network, gazetteer), [*sources.notes, *notes], closures)


def _gazetteer(sc: Scenario, network: RoadNetwork) -> Gazetteer:
    """GeoNames, merged with the extract's own place nodes, then the supplementary points."""
    gazetteer = Gazetteer.from_geonames([sc.path(p) for p in sc.gazetteer.geonames])
    gazetteer.add_osm_places(network.places)
    for path in sc.gazetteer.supplements:
        gazetteer.add_places(places_from_csv(sc.path(path)))
    return gazetteer


def _control(sc: Scenario, countries: dict[str, shapely.Geometry],
             sources: Sources) -> ControlMap:
    spec = sc.control
    wanted = [*spec.states, *([spec.base_country] if spec.base_country else [])]
    for i, code in enumerate(wanted):
        if code not in countries:
            where = "control.base_country" if code == spec.base_country else f"control.states[{i}]"
            raise ScenarioError(_("the borders file has no country {code!r}").format(code=code),
                                source=sc.path(spec.borders) if spec.borders else None,
                                field=where)
    control = ControlMap.from_countries({c: countries[c] for c in wanted})
    if spec.settlements is not None:
        if spec.base_country is None:
            raise ScenarioError(_("settlement control needs {key} to subdivide").format(
                key="control.base_country"),
                                field="control.settlements")
        control = control.overlaid_by(ControlMap.from_settlements(
            sources.settlements or [], status_labels=spec.settlements.status,
            base=countries[spec.base_country], default_label=spec.base_country))
    if sources.control:
        control = control.overlaid_by(ControlMap.from_areas(
            {holder: polygonal(shapely.union_all(parts))
             for holder, parts in sources.control.items()}, field="control.polygons"))
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


def _hazards(sc: Scenario, control: ControlMap, front: shapely.Geometry,
             sources: Sources) -> list[HazardZone]:
    spec = sc.hazards
    zones: list[HazardZone] = []
    if spec.front_line_buffer_km > 0 and not front.is_empty:
        zones.append(front_line_zone(front, buffer_km=spec.front_line_buffer_km,
                                     risk=spec.front_line_risk.value))
    if spec.contested_risk is not None and spec.contested_label in control.areas:
        zones.append(contested_zone(control, label=spec.contested_label,
                                    risk=spec.contested_risk.value))
    return zones + sources.hazards


def _check_siting(sc: Scenario, network: RoadNetwork, gazetteer: Gazetteer,
                  sources: Sources) -> None:
    """Checkpoints and hazard zones (inline, and each file's) must lie within the snap limit."""
    limit_m = sc.network.max_snap_km * 1000.0
    for k, cp in enumerate(sc.checkpoints):
        where = f"checkpoints[{k}].at"
        check_point(network, point_of(sc, gazetteer, network, cp.at, where), limit_m=limit_m,
                    field=where, what=_("checkpoint {name!r}").format(name=cp.name))
    for i, zone in enumerate(sc.hazards.zones):
        if isinstance(zone, HazardArea):
            check_area(network, zone.coordinates, limit_m=limit_m,
                       field=f"hazards.zones[{i}]",
                       what=_("hazard zone {name!r}").format(name=zone.name))
    for where, name, outline in sources.hazard_outlines:
        if isinstance(outline, shapely.Polygon):
            check_area(network, list(outline.exterior.coords), limit_m=limit_m, field=where,
                       what=_("hazard layer {name!r}").format(name=name))


def _closures(sc: Scenario, gazetteer: Gazetteer, network: RoadNetwork, sources: Sources,
              ) -> tuple[Closures, list[str]]:
    """The closures, each checked to close some road, and a note per way closure on what it shut."""
    spots = [FileClosure(c.name, point_of(sc, gazetteer, network, c.at, f"closures[{i}].at"),
                         c.radius_m, f"closures[{i}].at")
             for i, c in enumerate(sc.closures) if isinstance(c, Closure) and c.at is not None]
    ways: set[int] = set()
    notes: list[str] = []
    for i, c in enumerate(sc.closures):
        if isinstance(c, Closure) and c.way_id is not None:
            closed = way_closures(network, c.way_id, field=f"closures[{i}].way_id")
            ways.update(closed.way_ids)
            notes.append(f"closure {c.name!r}: {closed.note}")
    points = [_point_closure(sc, network, spot) for spot in [*spots, *sources.closures]]
    return Closures(tuple(points), frozenset(ways)), notes


def _point_closure(sc: Scenario, network: RoadNetwork, spot: FileClosure) -> PointClosure:
    """A blocked spot, checked to lie within its radius of a road."""
    distance = check_point(network, spot.lonlat, limit_m=sc.network.max_snap_km * 1000.0,
                           field=spot.field, what=_("closure {name!r}").format(name=spot.name))
    if distance > spot.radius_m:
        raise ScenarioError(_("closure {name!r} closes no road: the nearest lies "
                              "{distance:.0f} m away, beyond its radius_m of {radius_m:g}")
                            .format(name=spot.name, distance=distance, radius_m=spot.radius_m),
                            field=spot.field)
    return PointClosure(spot.name, *spot.lonlat, spot.radius_m)


def point_of(sc: Scenario, gazetteer: Gazetteer, network: RoadNetwork, loc: Location,
             field: str) -> tuple[float, float]:
    """Coordinates of a scenario location, resolving a place name through the gazetteer."""
    if loc.point is not None:
        return loc.point
    assert loc.place is not None  # guaranteed by Location's validator
    if loc.place in sc.points:
        return sc.points[loc.place]
    place = resolve_place(sc, gazetteer, network, loc.place, field).place
    return (place.lon, place.lat)


def resolve_place(sc: Scenario, gazetteer: Gazetteer, network: RoadNetwork, name: str,
                  field: str, *, near: tuple[float, float] | None = None) -> Resolution:
    """Resolve a scenario's place name among the places its roads can reach.

    Namesakes farther from the network than a place may be snapped cannot be meant when one
    of them lies near it, so they are left out; an unknown or still ambiguous name is a
    :class:`ScenarioError` naming ``field``.
    """
    try:
        return gazetteer.resolve(name, near=near,
                                 within=search_area(network, sc.network.max_snap_km))
    except GazetteerError as exc:
        raise ScenarioError(exc.message, source=sc.base_dir, field=field) from exc


def search_area(network: RoadNetwork, margin_km: float) -> tuple[float, float, float, float]:
    """The network's bounding box grown by ``margin_km`` on every side, in degrees."""
    lon0, lat0, lon1, lat1 = network.bbox
    dlat = margin_km * 1000.0 / M_PER_DEG
    dlon = dlat / max(math.cos(math.radians(max(abs(lat0), abs(lat1)))), 0.01)
    return (max(lon0 - dlon, -180.0), max(lat0 - dlat, -90.0),
            min(lon1 + dlon, 180.0), min(lat1 + dlat, 90.0))


def _settlements(sc: Scenario, network: RoadNetwork, gazetteer: Gazetteer) -> Settlements:
    """Towns worth naming along a route.

    On a schematic network these are its own towns. Otherwise every place of at least
    :data:`ROUTE_TOWN_MIN_POPULATION` people, except those within
    :data:`_DISTRICT_RADIUS_KM` of a larger one: GeoNames lists city districts as places, and
    a route through Kyiv should say "Kyiv", not twenty district names. Then the extract's own
    cities and towns not named yet: OSM says which nodes are towns rather than districts, and
    many carry no population (no town of Liechtenstein reaches the threshold).
    """
    arrays = gazetteer.places_array()
    if sc.network.schematic:
        keep = np.isin(arrays.geonameid, network.node_osm_id)
        return Settlements([str(n) for n in arrays.names[keep]], arrays.lon[keep],
                           arrays.lat[keep])
    lon0, lat0, lon1, lat1 = network.bbox
    keep = ((arrays.lon >= lon0) & (arrays.lon <= lon1) & (arrays.lat >= lat0)
            & (arrays.lat <= lat1) & (arrays.population >= ROUTE_TOWN_MIN_POPULATION))
    idx = np.flatnonzero(keep)
    keep[idx[_districts(arrays.lon[idx], arrays.lat[idx], arrays.population[idx])]] = False
    names = [str(n) for n in arrays.names[keep]]
    named = set(names)
    towns = [p for p in network.places
             if p.kind in _OSM_TOWNS and named.isdisjoint((p.name, *p.names))]
    return Settlements(names + [p.name for p in towns],
                       np.concatenate([arrays.lon[keep], [p.lon for p in towns]]),
                       np.concatenate([arrays.lat[keep], [p.lat for p in towns]]))


#: OSM ``place`` values named along routes whatever their population.
_OSM_TOWNS = frozenset({"city", "town"})


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

