"""The situation on the ground, turned into per-edge arrays the router and rules read.

Territory control, hazard zones and closures are geometry; routing needs numbers per edge. This
module does that translation once per situation, in bulk, so that a change (a new hazard polygon)
costs one annotation pass plus a metric re-customisation, never a topology rebuild.

All geometry is held in lon/lat and measured in a :class:`~corridor.geo.LocalProjection` centred
on the network. Kilometres per edge are the *share* of the edge's planar length inside an area
times the network's own ``length_m``, so they add up exactly to the lengths routing uses and the
projection's scale error (0.3 % at 1000 km from the centre) cancels out of the share.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import math
import weakref
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import shapely
from shapely import STRtree
from shapely.geometry import MultiLineString, MultiPolygon, Polygon, box

from corridor.errors import SituationError
from corridor.geo import LocalProjection, feature_collection, parse_area
from corridor.network.graph import RoadNetwork

#: Hazard risk levels, lowest first; ``exposure_km`` columns follow this order.
RISK_LEVELS: tuple[str, ...] = ("low", "medium", "high")

#: Settlement statuses of the committed control CSV files.
SETTLEMENT_STATUSES: tuple[str, ...] = ("ru", "contested", "ua")

#: Default reach of a settlement's control. The committed CSV lists a ring of Ukrainian-held
#: towns within about 40 km of the Russian-held area, and 90 % of its settlements have a
#: neighbour within 40 km, so beyond that distance the list says nothing and the default holds.
DEFAULT_MAX_CELL_KM = 40.0

Area: TypeAlias = Polygon | MultiPolygon
FloatArray = npt.NDArray[np.float64]
LabelArray = npt.NDArray[np.int16]
IntArray = npt.NDArray[np.intp]

#: Overlay work grows with polygon size, so areas are cut into tiles of at most this many
#: vertices before edges are intersected with them.
_TILE_VERTICES = 64
#: Snapping distance when matching boundaries that were computed separately (projection round
#: trips leave nanometre noise); far below any map's accuracy.
_BOUNDARY_TOLERANCE_M = 1.0
#: Pieces of front line shorter than this are artefacts of that tolerance, and a border is
#: removed from a front line with this margin.
_STUB_M = 10.0
#: Areas are cut to the network's bounding box grown by this margin before projection.
_CLIP_MARGIN_DEG = 0.05
#: Longest side of a hazard zone before projection, in degrees (about 500 m).
_SIDE_DEG = 0.005
#: A hazard change touching more than this share of the edges re-measures every edge: the
#: bulk overlay is then as quick as picking the edges out.
_INCREMENTAL_MAX_SHARE = 0.25


@dataclass(frozen=True, eq=False)
class Situation:
    """Per-edge annotation of one network under one situation.

    ``territories`` is the label table (party ids such as ``UA``/``RU``, foreign states such as
    ``BY``, and ``contested``). ``edge_territory[e]`` is the label index holding the larger share
    of edge ``e``'s length (``-1``: outside every area); ``territory_km[e, t]`` is the length of
    edge ``e`` inside territory ``t``. ``exposure_km[e, r]`` is the length of ``e`` inside hazard
    zones of risk ``RISK_LEVELS[r]`` (the highest zone wins where zones overlap). ``closed`` marks
    edges no vehicle may use. ``border_crossing`` marks edges whose two ends lie in different
    territories.
    """

    network: RoadNetwork
    territories: tuple[str, ...]
    edge_territory: npt.NDArray[np.int16]
    territory_km: npt.NDArray[np.float64]
    exposure_km: npt.NDArray[np.float64]
    closed: npt.NDArray[np.bool_]
    border_crossing: npt.NDArray[np.bool_]
    #: The zones ``exposure_km`` was measured against, so a change can re-measure only the
    #: edges it touches.
    hazards: tuple[HazardZone, ...] = ()

    def territory_index(self, label: str) -> int:
        """Index of ``label`` in :attr:`territories`; ``-1`` if no area carries it."""
        try:
            return self.territories.index(label)
        except ValueError:
            return -1

    @property
    def total_exposure_km(self) -> npt.NDArray[np.float64]:
        """Exposure summed over risk levels, per edge."""
        total: npt.NDArray[np.float64] = self.exposure_km.sum(axis=1)
        return total

    def updated(self, *, hazards: Sequence[HazardZone] | None = None,
                closures: Closures | None = None) -> Situation:
        """The same territory with new hazards and/or closures (``None`` keeps the current ones).

        Control areas are the expensive part of an annotation and change slowly; hazards and
        closures change by the hour, so only their arrays are recomputed. Exposure is
        re-measured only on the edges that zones added or removed since :attr:`hazards` touch:
        a new hazard on a national network costs in proportion to the roads it covers, not to
        the network.
        """
        index = _planar_edges(self.network)
        changes: dict[str, Any] = {}
        if hazards is not None:
            changes["exposure_km"] = self._exposure_under(index, tuple(hazards))
            changes["hazards"] = tuple(hazards)
        if closures is not None:
            changes["closed"] = _closed(index, self.network, closures)
        return dataclasses.replace(self, **changes)

    def with_hazards(self, hazards: Sequence[HazardZone]) -> Situation:
        """The same territory and closures under a new set of hazard zones."""
        return self.updated(hazards=hazards)

    def _exposure_under(self, index: _PlanarEdges,
                        hazards: tuple[HazardZone, ...]) -> npt.NDArray[np.float64]:
        # Lengths inside the risk unions can only change where a zone came or went.
        before, after = set(self.hazards), set(hazards)
        changed = list(before ^ after)
        if not changed:
            return self.exposure_km
        region = shapely.intersection(shapely.union_all([z.geometry for z in changed]),
                                      _clip_box(self.network))
        edges = index.tree.query(_on_plane(index.projection, _densified(region)),
                                 predicate="intersects")
        if len(edges) == 0:  # a zone over fields or water: no road changes
            return self.exposure_km
        if len(edges) > _INCREMENTAL_MAX_SHARE * self.network.n_edges:
            return _exposure_km(index, self.network, hazards)
        exposure = self.exposure_km.copy()
        exposure[edges] = _exposure_km(index, self.network, hazards, edges=edges)
        return exposure


# -- settlements ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Settlement:
    """A place whose control is reported: the unit of the committed control CSV files."""

    name: str
    lon: float
    lat: float
    status: str


def read_settlements(path: Path,
                     statuses: Collection[str] = SETTLEMENT_STATUSES) -> list[Settlement]:
    """Settlements from a CSV with at least the columns ``name, lat, lon, status``.

    ``statuses`` lists the accepted status values; any other value is an error naming the line.
    """
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = {"name", "lat", "lon", "status"} - set(reader.fieldnames or ())
            if missing:
                raise SituationError(f"missing column(s) {', '.join(sorted(missing))}",
                                     source=path, line=1)
            return [_settlement(row, statuses, path=path, line=reader.line_num)
                    for row in reader]
    except OSError as exc:
        raise SituationError(f"cannot read settlement file: {exc.strerror or exc}",
                             source=path) from exc


def _settlement(row: Mapping[str, str | None], statuses: Collection[str], *, path: Path,
                line: int) -> Settlement:
    status = (row["status"] or "").strip()
    if status not in statuses:
        raise SituationError(f"unknown status {status!r}; expected one of "
                             f"{', '.join(sorted(statuses))}", source=path, line=line,
                             field="status")
    coords = {}
    for column, limit in (("lon", 180.0), ("lat", 90.0)):
        text = row[column] or ""
        try:
            value = float(text)
        except ValueError:
            raise SituationError(f"expected a number, got {text!r}", source=path, line=line,
                                 field=column) from None
        if not -limit <= value <= limit:
            raise SituationError(f"{value} is outside -{limit:g}..{limit:g}", source=path,
                                 line=line, field=column)
        coords[column] = value
    return Settlement(name=(row["name"] or "").strip(), lon=coords["lon"], lat=coords["lat"],
                      status=status)


# -- control -------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ControlMap:
    """Who holds the ground: label -> lon/lat (multi)polygon, areas not overlapping.

    ``borders`` holds the international borders the map was built from (lines, or ``None``), so
    a front line can leave them out: a state border is a line of control only when the caller
    says so.
    """

    areas: Mapping[str, Area]
    borders: Any = None

    @property
    def labels(self) -> tuple[str, ...]:
        """Holder labels in map order; vectorised lookups return indices into this tuple."""
        return tuple(self.areas)

    @classmethod
    def from_polygons(cls, polygons: Mapping[str, object], *, field: str) -> ControlMap:
        """Explicit areas per holder, each a GeoJSON geometry or bare ``Polygon`` rings.

        ``field`` is the caller's path to the mapping (e.g. ``situation.control``); errors name
        ``field.<label>`` and the ring or position. Two holders may not claim the same ground.
        """
        areas = {label: parse_area(geometry, field=f"{field}.{label}")
                 for label, geometry in polygons.items()}
        for (a, geom_a), (b, geom_b) in itertools.combinations(areas.items(), 2):
            if shapely.relate_pattern(geom_a, geom_b, "T********"):
                raise SituationError(f"the areas of {a!r} and {b!r} overlap", field=f"{field}.{b}")
        return cls(areas)

    @classmethod
    def from_countries(cls, countries: Mapping[str, Area],
                       exclude: Collection[str] = ()) -> ControlMap:
        """Each country holds its own territory, except those listed in ``exclude``.

        An excluded country (the one whose ground is contested, to be filled by settlements or
        explicit polygons) still contributes its borders, so a front line drawn later can tell
        a state border from a line of contact.
        """
        areas = {code: geom for code, geom in countries.items() if code not in exclude}
        borders = shapely.union_all(shapely.boundary(list(countries.values())))
        return cls(areas, borders)

    @classmethod
    def from_settlements(cls, settlements: Sequence[Settlement], *,
                         status_labels: Mapping[str, str], base: Area, default_label: str,
                         max_cell_km: float = DEFAULT_MAX_CELL_KM) -> ControlMap:
        """Control of ``base`` (a country) inferred from the settlements' statuses.

        Each settlement holds its Voronoi cell (computed on a plane, so cells are fair in km),
        cut to ``max_cell_km`` around it and to ``base``. Ground beyond every cell goes to
        ``default_label`` (a settlement list only covers the areas someone reported on), except
        pockets between the cells: one smaller than a single settlement's reach that no
        ``default_label`` cell borders goes to the holder it shares the longest boundary with.
        ``status_labels`` maps each status to a holder label, e.g. ``{"ru": "RU", "ua": "UA",
        "contested": "contested"}``.
        """
        if not settlements:
            raise SituationError("no settlement to infer control from", field="settlements")
        if max_cell_km <= 0:
            raise SituationError(f"must be positive, got {max_cell_km}", field="max_cell_km")
        unknown = sorted({s.status for s in settlements} - set(status_labels))
        if unknown:
            raise SituationError(f"no label given for status(es) {', '.join(unknown)}",
                                 field="status_labels")
        projection = LocalProjection.for_bounds(base.bounds)
        sites = _distinct_sites(settlements, projection)
        points = shapely.points(np.array([(x, y) for x, y, _ in sites]))
        cells = shapely.get_parts(shapely.voronoi_polygons(
            shapely.multipoints(points), extend_to=projection.to_metric(base), ordered=True))
        # A point within ``max_cell_km`` of any settlement is within it of its nearest one, so
        # cutting each holder's cells to the union of all discs equals cutting every cell to its
        # own disc, without cutting neighbouring cells separately (which leaves hairline slivers
        # between them). Cutting to ``base`` in lon/lat keeps the border's own vertices, which is
        # how a front line later recognises (and leaves out) the border.
        reach = shapely.intersection(base, projection.to_lonlat(shapely.union_all(
            shapely.buffer(points, max_cell_km * 1000.0, quad_segs=16))))
        holders = np.array([status_labels[status] for _, _, status in sites])
        areas = {str(label): _polygonal(shapely.intersection(
                     projection.to_lonlat(shapely.union_all(cells[holders == label])), reach))
                 for label in dict.fromkeys(holders)}
        pockets: dict[str, list[Any]] = {}
        disc_m2 = math.pi * (max_cell_km * 1000.0) ** 2
        planar: dict[str, Area] = {}  # the holders' areas on the plane, once a pocket needs them
        for part in shapely.get_parts(shapely.difference(base, reach)):
            on_plane = projection.to_metric(part)
            holder = default_label
            if on_plane.area < disc_m2:
                planar = planar or {label: projection.to_metric(area)
                                    for label, area in areas.items()}
                holder = _encloser(on_plane, planar, default_label)
            pockets.setdefault(holder, []).append(part)
        for label, parts in pockets.items():
            areas[label] = _polygonal(shapely.union_all([areas.get(label, Polygon()), *parts]))
        return cls({label: geom for label, geom in areas.items() if not geom.is_empty})

    def overlaid_by(self, other: ControlMap) -> ControlMap:
        """This map with ``other``'s areas on top: where both say something, ``other`` wins.

        A label present in both keeps the union of its areas (occupied ground merges with the
        occupier's own state), and both maps' borders are kept.
        """
        cover = shapely.union_all(list(other.areas.values()))
        areas: dict[str, Area] = {}
        for label, geom in self.areas.items():
            rest = _polygonal(shapely.difference(geom, cover))
            if not rest.is_empty:
                areas[label] = rest
        for label, geom in other.areas.items():
            areas[label] = _polygonal(shapely.union(areas[label], geom)) if label in areas else geom
        known = [b for b in (self.borders, other.borders) if b is not None]
        return ControlMap(areas, shapely.union_all(known) if known else None)

    @cached_property
    def _parts(self) -> tuple[STRtree, npt.NDArray[np.int16]]:
        parts, owner = _explode(list(self.areas.values()))
        return STRtree(parts), owner

    def holder_indices(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> LabelArray:
        """Index into :attr:`labels` of the holder of each point; ``-1`` where nobody holds it."""
        tree, owner = self._parts
        return _point_labels(tree, owner, shapely.points(np.asarray(lon, dtype=np.float64),
                                                         np.asarray(lat, dtype=np.float64)))

    def holder_at(self, lon: float, lat: float) -> str | None:
        """The label holding one point, or ``None`` outside every area."""
        index = int(self.holder_indices([lon], [lat])[0])
        return self.labels[index] if index >= 0 else None

    def front_line(self, pairs: Iterable[tuple[str, str]], *,
                   include_borders: bool = False) -> MultiLineString:
        """Where areas of the given label pairs touch, as lon/lat lines.

        ``pairs`` says which contacts count, e.g. ``[("UA", "RU"), ("UA", "contested")]``. The
        international borders in :attr:`borders` are left out unless ``include_borders`` (in
        2022 the UA-RU state border was itself a line of contact).
        """
        pairs = [(a, b) for a, b in pairs if a in self.areas and b in self.areas and a != b]
        if not pairs:
            return MultiLineString()
        involved = list(dict.fromkeys(label for pair in pairs for label in pair))
        projection = LocalProjection.for_bounds(
            shapely.total_bounds([self.areas[label] for label in involved]))
        metric = {label: _on_plane(projection, self.areas[label]) for label in involved}
        lines = shapely.union_all([_shared_boundary(metric[a], metric[b]) for a, b in pairs])
        if self.borders is not None and not include_borders:
            borders = projection.to_metric(self.borders)
            lines = shapely.difference(lines, shapely.buffer(borders, _STUB_M))
        return projection.to_lonlat(_lines(lines))

    def to_geojson(self) -> dict[str, Any]:
        """One feature per holder with property ``label``, for maps and the dashboard."""
        return feature_collection([(geom, {"label": label}) for label, geom in self.areas.items()])


def _distinct_sites(settlements: Sequence[Settlement],
                    projection: LocalProjection) -> list[tuple[float, float, str]]:
    """Planar sites, one per position: Voronoi needs distinct points, and two reports on one
    place must agree."""
    x, y = projection.forward([s.lon for s in settlements], [s.lat for s in settlements])
    sites: dict[tuple[float, float], tuple[str, str]] = {}
    for s, key in zip(settlements, zip(x.tolist(), y.tolist(), strict=True), strict=True):
        first = sites.setdefault(key, (s.name, s.status))
        if first[1] != s.status:
            raise SituationError(f"{s.name!r} and {first[0]!r} share a position but have "
                                 f"statuses {s.status!r} and {first[1]!r}", field="status")
    return [(x_, y_, status) for (x_, y_), (_, status) in sites.items()]


def _encloser(part: Polygon, areas: Mapping[str, Area], default_label: str) -> str:
    """Who holds ground beyond every settlement's reach: ``default_label`` if one of its cells
    borders it (or nothing does), else the neighbour along most of its boundary. ``part`` and
    ``areas`` are on the plane."""
    touching = {label: length for label, area in areas.items()
                if (length := shapely.length(_shared_boundary(part, area))) > 0}
    if not touching or default_label in touching:
        return default_label
    return max(touching, key=lambda label: touching[label])


def _shared_boundary(a: Area, b: Area) -> Any:
    """The part of ``a``'s boundary that ``b`` touches, tolerant of round-off between them."""
    x0, y0, x1, y1 = a.bounds
    t = 2 * _BOUNDARY_TOLERANCE_M
    near = shapely.intersection(b, box(x0 - t, y0 - t, x1 + t, y1 + t))
    return shapely.intersection(shapely.boundary(a),
                                shapely.buffer(near, _BOUNDARY_TOLERANCE_M))


def _densified(area: Any) -> Any:
    """``area`` with no side longer than :data:`_SIDE_DEG`.

    A zone's side is a straight line in lon/lat, as maps draw it, but projecting only its ends
    would make it a chord on the plane; a union adds vertices on the true line, so two overlays
    of the same side would disagree by decimetres. Short sides keep the chord within millimetres.
    """
    return shapely.segmentize(area, _SIDE_DEG)


def _on_plane(projection: LocalProjection, area: Any) -> Area:
    """An area projected for measuring. Vertices a hair apart in lon/lat (left by overlays) can
    swap sides on the plane; such nanometre self-intersections are repaired, not reported."""
    projected = projection.to_metric(area)
    return _polygonal(projected if shapely.is_valid(projected) else shapely.make_valid(projected))


def _polygonal(geometry: Any) -> Area:
    """Drop the points and lines an overlay can leave where areas only touch."""
    if isinstance(geometry, Polygon | MultiPolygon):
        return geometry
    polygons = [p for p in shapely.get_parts(geometry) if isinstance(p, Polygon | MultiPolygon)]
    if not polygons:
        return Polygon()
    return polygons[0] if len(polygons) == 1 else shapely.union_all(polygons)


def _lines(geometry: Any) -> MultiLineString:
    """Planar lines merged end to end, without the stubs the matching tolerance leaves."""
    merged = shapely.line_merge(shapely.union_all(
        [g for g in shapely.get_parts(geometry) if shapely.get_type_id(g) in (1, 5)]))
    return MultiLineString([g for g in shapely.get_parts(merged) if g.length > _STUB_M])


def _explode(areas: Sequence[Area]) -> tuple[npt.NDArray[np.object_], LabelArray]:
    """Single polygons and the index of the area each came from."""
    parts, index = shapely.get_parts(np.asarray(areas, dtype=object), return_index=True)
    return parts, index.astype(np.int16)


def _point_labels(tree: STRtree, owner: LabelArray,
                  points: npt.NDArray[np.object_]) -> LabelArray:
    """Owner of the polygon each point lies in (``-1``: none); on a shared edge either side."""
    out = np.full(len(points), -1, dtype=np.int16)
    point_idx, part_idx = tree.query(points, predicate="intersects")
    out[point_idx] = owner[part_idx]
    return out


# -- hazards -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HazardZone:
    """An area where travel is exposed to danger at one of :data:`RISK_LEVELS`.

    Zones are equal when name, risk and geometry (vertex for vertex) are: a zone rebuilt from
    the same input is the same zone, so re-stating a situation re-measures nothing.
    """

    name: str
    risk: str
    geometry: Area

    def __post_init__(self) -> None:
        _check_risk(self.risk, field=f"hazard {self.name!r}.risk")

    @classmethod
    def from_geojson(cls, name: str, risk: str, geometry: object, *, field: str) -> HazardZone:
        """A zone from user input; errors name ``field.risk`` or ``field.geometry``."""
        _check_risk(risk, field=f"{field}.risk")
        return cls(name, risk, parse_area(geometry, field=f"{field}.geometry"))

    @property
    def risk_index(self) -> int:
        return RISK_LEVELS.index(self.risk)


def _check_risk(risk: str, *, field: str) -> None:
    if risk not in RISK_LEVELS:
        raise SituationError(f"unknown risk level {risk!r}; expected one of "
                             f"{', '.join(RISK_LEVELS)}", field=field)


def front_line_zone(line: Any, *, buffer_km: float, risk: str = "high",
                    name: str = "front line") -> HazardZone:
    """The band of ``buffer_km`` either side of a front line (artillery reach, say)."""
    if buffer_km <= 0:
        raise SituationError(f"must be positive, got {buffer_km}", field="front_line_buffer_km")
    if line.is_empty:
        return HazardZone(name, risk, Polygon())
    projection = LocalProjection.for_bounds(line.bounds)
    band = shapely.buffer(projection.to_metric(line), buffer_km * 1000.0, quad_segs=8)
    return HazardZone(name, risk, projection.to_lonlat(band))


def contested_zone(control: ControlMap, *, label: str = "contested", risk: str = "medium",
                   name: str = "contested ground") -> HazardZone:
    """The area held by ``label`` as a hazard (empty if the map has no such area)."""
    return HazardZone(name, risk, control.areas.get(label, Polygon()))


def hazards_geojson(zones: Iterable[HazardZone]) -> dict[str, Any]:
    """Hazard zones as features with properties ``name`` and ``risk``."""
    return feature_collection([(z.geometry, {"name": z.name, "risk": z.risk}) for z in zones])


def front_line_geojson(line: Any) -> dict[str, Any]:
    """A front line as a single feature with ``kind: front_line`` and its length in km."""
    projection = LocalProjection.for_bounds(line.bounds) if not line.is_empty else None
    km = projection.to_metric(line).length / 1000.0 if projection else 0.0
    return feature_collection([(line, {"kind": "front_line", "length_km": round(km, 1)})])


# -- closures ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PointClosure:
    """A blocked spot (a destroyed bridge, a checkpoint): every edge within ``radius_m``."""

    name: str
    lon: float
    lat: float
    radius_m: float

    def __post_init__(self) -> None:
        where = f"closure {self.name!r}"
        if not -180.0 <= self.lon <= 180.0:
            raise SituationError(f"longitude {self.lon} is outside -180..180", field=f"{where}.lon")
        if not -90.0 <= self.lat <= 90.0:
            raise SituationError(f"latitude {self.lat} is outside -90..90", field=f"{where}.lat")
        if not self.radius_m > 0:
            raise SituationError(f"radius must be positive, got {self.radius_m}",
                                 field=f"{where}.radius_m")


@dataclass(frozen=True)
class Closures:
    """Edges no vehicle may use: near blocked points, or on closed OSM ways."""

    points: tuple[PointClosure, ...] = ()
    way_ids: frozenset[int] = field(default_factory=frozenset)


# -- annotation ----------------------------------------------------------------------------------
def annotate(network: RoadNetwork, control: ControlMap, hazards: Sequence[HazardZone] = (),
             closures: Closures | None = None) -> Situation:
    """Every per-edge array of a :class:`Situation`, computed in bulk.

    Only control labels whose area reaches the network's bounding box get a column, so a
    regional network does not carry a column per country on the map. An edge's two ends are a
    border crossing only when both lie in (different) areas: an end in the sea or off the map
    says nothing about a border.
    """
    index = _planar_edges(network)
    clip = _clip_box(network)
    labels = [label for label, geom in control.areas.items() if shapely.intersects(geom, clip)]
    areas = [_on_plane(index.projection, shapely.intersection(control.areas[label], clip))
             for label in labels]
    tiles, owner = _tiles(areas)
    share = _inside_share(index, tiles, owner, len(labels))
    # Boundaries shared by two areas can be counted on both sides; shares may not exceed 1.
    share /= np.maximum(share.sum(axis=1, keepdims=True), 1.0)
    territory_km = share * (network.length_m / 1000.0)[:, None]
    node_label = _point_labels(STRtree(tiles), owner, index.nodes)
    tail_label, head_label = node_label[network.tail], node_label[network.head]
    return Situation(
        network=network,
        territories=tuple(labels),
        edge_territory=_majority(share, index.length_m, tail_label),
        territory_km=territory_km,
        exposure_km=_exposure_km(index, network, hazards),
        closed=_closed(index, network, closures or Closures()),
        border_crossing=(tail_label >= 0) & (head_label >= 0) & (tail_label != head_label),
        hazards=tuple(hazards),
    )


def _majority(share: FloatArray, length_m: FloatArray, tail_label: LabelArray) -> LabelArray:
    """The label with the largest share per edge, ``-1`` outside every area; an edge without
    length (a snapped connector) belongs where its tail is."""
    best = share.argmax(axis=1) if share.shape[1] else np.full(len(share), -1)
    fallback = np.where(length_m == 0, tail_label, -1)
    return np.where(share.max(axis=1, initial=0.0) > 0, best, fallback).astype(np.int16)


@dataclass(frozen=True, eq=False)
class _PlanarEdges:
    """A network's edges on the plane, kept while the network lives so re-annotation is cheap."""

    projection: LocalProjection
    lines: npt.NDArray[np.object_]
    length_m: FloatArray
    tree: STRtree
    nodes: npt.NDArray[np.object_]


_PLANAR_EDGES: weakref.WeakKeyDictionary[RoadNetwork, _PlanarEdges] = weakref.WeakKeyDictionary()


def _planar_edges(network: RoadNetwork) -> _PlanarEdges:
    cached = _PLANAR_EDGES.get(network)
    if cached is not None:
        return cached
    counts = np.diff(network.geom_offsets)
    if np.any(counts < 2):
        bad = int(np.flatnonzero(counts < 2)[0])
        raise SituationError(f"edge {bad} has {int(counts[bad])} geometry point(s), expected 2+",
                             field="network.geom_offsets")
    projection = LocalProjection.for_bounds(network.bbox)
    x, y = projection.forward(network.geom_lon, network.geom_lat)
    lines = shapely.linestrings(x, y, indices=np.repeat(np.arange(network.n_edges), counts))
    node_x, node_y = projection.forward(network.node_lon, network.node_lat)
    index = _PlanarEdges(projection=projection, lines=lines, length_m=shapely.length(lines),
                       tree=STRtree(lines), nodes=shapely.points(node_x, node_y))
    _PLANAR_EDGES[network] = index
    return index


def _clip_box(network: RoadNetwork) -> Polygon:
    min_lon, min_lat, max_lon, max_lat = network.bbox
    m = _CLIP_MARGIN_DEG
    return box(min_lon - m, min_lat - m, max_lon + m, max_lat + m)


def _tiles(areas: Sequence[Area]) -> tuple[npt.NDArray[np.object_], LabelArray]:
    """Areas cut into small polygons (prepared for repeated predicates) and their area index.

    A line-polygon overlay costs time in proportion to the polygon's size; on tiles of a few
    dozen vertices the edges crossing a boundary are cheap to cut, and the many edges lying
    wholly inside a tile need no overlay at all.
    """
    tiles: list[Any] = []
    owner: list[int] = []
    for i, area in enumerate(areas):
        pieces = _subdivide(area)
        tiles.extend(pieces)
        owner.extend([i] * len(pieces))
    out = np.asarray(tiles, dtype=object) if tiles else np.empty(0, dtype=object)
    shapely.prepare(out)
    return out, np.asarray(owner, dtype=np.int16)


def _subdivide(area: Area) -> list[Polygon]:
    """Halve polygons across their longer side until each has at most ``_TILE_VERTICES``."""
    stack = [p for p in shapely.get_parts(area) if not p.is_empty]
    out = []
    while stack:
        polygon = stack.pop()
        if shapely.get_num_coordinates(polygon) <= _TILE_VERTICES:
            out.append(polygon)
            continue
        x0, y0, x1, y1 = polygon.bounds
        if x1 - x0 >= y1 - y0:
            halves = [box(x0, y0, (x0 + x1) / 2, y1), box((x0 + x1) / 2, y0, x1, y1)]
        else:
            halves = [box(x0, y0, x1, (y0 + y1) / 2), box(x0, (y0 + y1) / 2, x1, y1)]
        for half in shapely.intersection(polygon, halves):
            stack.extend(p for p in shapely.get_parts(_polygonal(half)) if not p.is_empty)
    return out


def _inside_share(index: _PlanarEdges, tiles: npt.NDArray[np.object_], owner: LabelArray,
                  n_areas: int, edges: IntArray | None = None) -> FloatArray:
    """``(n_edges, n_areas)`` share of each edge's planar length inside each area; with
    ``edges``, ``(len(edges), n_areas)`` for those edges only."""
    lines = index.lines if edges is None else index.lines[edges]
    length_m = index.length_m if edges is None else index.length_m[edges]
    n_edges = len(lines)
    if len(tiles) == 0 or n_edges == 0:
        return np.zeros((n_edges, n_areas))
    if edges is None:
        tile_idx, edge_idx = index.tree.query(tiles, predicate="intersects")
    else:  # few edges: look them up among the tiles rather than the tiles among all edges
        edge_idx, tile_idx = STRtree(tiles).query(lines, predicate="intersects")
    inside_m = length_m[edge_idx].copy()
    cut = ~shapely.contains_properly(tiles[tile_idx], lines[edge_idx])
    inside_m[cut] = shapely.length(shapely.intersection(lines[edge_idx[cut]],
                                                        tiles[tile_idx[cut]]))
    total = np.bincount(edge_idx * n_areas + owner[tile_idx], weights=inside_m,
                        minlength=n_edges * n_areas).reshape(n_edges, n_areas)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(length_m[:, None] > 0, total / length_m[:, None], 0.0)
    return np.minimum(share, 1.0)


def _exposure_km(index: _PlanarEdges, network: RoadNetwork, hazards: Sequence[HazardZone],
                 edges: IntArray | None = None) -> FloatArray:
    """Km per risk level, highest level winning where zones overlap; with ``edges``, for those
    edges only (zones are then cut to their bounding box first).

    With ``U_r`` the union of zones of risk ``r`` or higher, the length at exactly level ``r``
    is ``len(e ∩ U_r) - len(e ∩ U_{r+1})``: one union per level instead of pairwise overlaps.
    """
    clip = _clip_box(network)
    at_least = [shapely.union_all([shapely.intersection(z.geometry, clip) for z in hazards
                                   if z.risk_index >= r] or [Polygon()])
                for r in range(len(RISK_LEVELS))]
    planar = [_on_plane(index.projection, _densified(u)) for u in at_least]
    if edges is not None:
        around = box(*shapely.total_bounds(index.lines[edges])).buffer(_STUB_M)
        planar = [_polygonal(shapely.intersection(u, around)) for u in planar]
    tiles, owner = _tiles(planar)
    share = _inside_share(index, tiles, owner, len(RISK_LEVELS), edges)
    exact = share - np.column_stack([share[:, 1:], np.zeros(len(share))])
    length_km = network.length_m / 1000.0 if edges is None else network.length_m[edges] / 1000.0
    return np.clip(exact, 0.0, None) * length_km[:, None]


def _closed(index: _PlanarEdges, network: RoadNetwork, closures: Closures) -> npt.NDArray[np.bool_]:
    closed = np.isin(network.way_id, np.fromiter(closures.way_ids, dtype=np.int64))
    if closures.points:
        x, y = index.projection.forward([p.lon for p in closures.points],
                                        [p.lat for p in closures.points])
        _, edge_idx = index.tree.query(shapely.points(x, y), predicate="dwithin",
                                       distance=np.array([p.radius_m for p in closures.points]))
        closed[edge_idx] = True
    return closed
