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

import dataclasses
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely import STRtree
from shapely.geometry import Polygon, box

from corridor.errors import SituationError
from corridor.geodesy import LocalProjection
from corridor.i18n import _
from corridor.network.graph import RoadNetwork
from corridor.network.topology import distinct
from corridor.situation.closures import Closures
from corridor.situation.control import ControlMap
from corridor.situation.hazards import RISK_LEVELS, HazardZone
from corridor.situation.planar import (
    STUB_M,
    Area,
    FloatArray,
    IntArray,
    LabelArray,
    on_plane,
    point_labels,
    polygonal,
)

#: Overlay work grows with polygon size, so areas are cut into tiles of at most this many
#: vertices before edges are intersected with them.
_TILE_VERTICES = 64
#: Areas are cut to the network's bounding box grown by this margin before projection.
_CLIP_MARGIN_DEG = 0.05
#: Longest side of a hazard zone before projection, in degrees (about 500 m).
_SIDE_DEG = 0.005
#: A hazard change touching more than this share of the edges re-measures every edge: the
#: bulk overlay is then as quick as picking the edges out.
_INCREMENTAL_MAX_SHARE = 0.25
#: Ground this far around re-measured edges is kept when their areas are cut down to them.
_MARGIN_M = 1000.0


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
    #: The control map the territory arrays were measured against, for the same reason.
    control: ControlMap | None = None

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

    def updated(self, *, control: ControlMap | None = None,
                hazards: Sequence[HazardZone] | None = None,
                closures: Closures | None = None) -> Situation:
        """The situation under new control, hazards and/or closures (``None`` keeps the current).

        Each array is re-measured only on the edges the change touches: ground that changed
        hands, zones added or removed. A new hazard or a moved front on a national network
        costs in proportion to the roads it covers, not to the network. Closures are cheap and
        always recomputed.
        """
        index = _planar_edges(self.network)
        changes: dict[str, Any] = {}
        if control is not None:
            changes.update(self._territory_under(index, control))
        if hazards is not None:
            changes["exposure_km"] = self._exposure_under(index, tuple(hazards))
            changes["hazards"] = tuple(hazards)
        if closures is not None:
            changes["closed"] = _closed(index, self.network, closures)
        return dataclasses.replace(self, **changes)

    def with_hazards(self, hazards: Sequence[HazardZone]) -> Situation:
        """The same territory and closures under a new set of hazard zones."""
        return self.updated(hazards=hazards)

    def _territory_under(self, index: _PlanarEdges, control: ControlMap) -> dict[str, Any]:
        """The territory fields under ``control``, re-measuring only edges on changed ground.

        A new label (or one gone) changes the table's columns, so everything is re-measured.
        """
        clip = _clip_box(self.network)
        labels = _labels_on(control, clip)
        old = self.control
        if old is None or labels != self.territories:
            return _territory(index, self.network, control, labels, clip)
        changed = [shapely.symmetric_difference(old.areas[label], control.areas[label])
                   for label in labels if not shapely.equals_exact(
                       old.areas[label], control.areas[label], 0.0)]
        fields: dict[str, Any] = {"control": control}
        if not changed:
            return fields
        # Not densified: the margin covers the chords, and densifying the slivers a moved
        # boundary leaves can make them self-intersect.
        region = on_plane(index.projection,
                          shapely.intersection(shapely.union_all(changed), clip))
        edges = index.tree.query(region, predicate="dwithin", distance=_MARGIN_M)
        if len(edges) > _INCREMENTAL_MAX_SHARE * self.network.n_edges:
            return _territory(index, self.network, control, labels, clip)
        if len(edges) == 0:
            return fields
        fields.update(edge_territory=self.edge_territory.copy(),
                      territory_km=self.territory_km.copy(),
                      border_crossing=self.border_crossing.copy())
        part = _territory(index, self.network, control, labels, clip, edges=edges)
        for name in ("edge_territory", "territory_km", "border_crossing"):
            fields[name][edges] = part[name]
        return fields

    def _exposure_under(self, index: _PlanarEdges,
                        hazards: tuple[HazardZone, ...]) -> npt.NDArray[np.float64]:
        # Lengths inside the risk unions can only change where a zone came, went or moved.
        before, after = set(self.hazards), set(hazards)
        if before == after:
            return self.exposure_km
        region = shapely.intersection(_changed_ground(before, after), _clip_box(self.network))
        edges = index.tree.query(on_plane(index.projection, _densified(region)),
                                 predicate="intersects")
        if len(edges) == 0:  # a zone over fields or water: no road changes
            return self.exposure_km
        if len(edges) > _INCREMENTAL_MAX_SHARE * self.network.n_edges:
            return _exposure_km(index, self.network, hazards)
        exposure = self.exposure_km.copy()
        exposure[edges] = _exposure_km(index, self.network, hazards, edges=edges)
        return exposure


def _changed_ground(before: set[HazardZone], after: set[HazardZone]) -> Any:
    """Where the hazard unions of ``before`` and ``after`` can differ.

    A zone redrawn under the same name and risk (the front-line band after a control change)
    changed only where its old and new shapes differ; a zone that came or went, everywhere it
    lies. Re-measuring only there keeps a moved front from re-measuring the whole band.
    """
    gone: dict[tuple[str, str], list[HazardZone]] = {}
    for zone in before - after:
        gone.setdefault((zone.name, zone.risk), []).append(zone)
    parts = []
    for zone in after - before:
        old = gone.get((zone.name, zone.risk))
        parts.append(shapely.symmetric_difference(old.pop().geometry, zone.geometry) if old
                     else zone.geometry)
    parts.extend(zone.geometry for zones in gone.values() for zone in zones)
    return shapely.union_all(parts)


def annotate(network: RoadNetwork, control: ControlMap, hazards: Sequence[HazardZone] = (),
             closures: Closures | None = None) -> Situation:
    """Every per-edge array of a :class:`Situation`, computed in bulk.

    Only control labels whose area reaches the network's bounding box get a column, so a
    regional network does not carry a column per country on the map.
    """
    index = _planar_edges(network)
    clip = _clip_box(network)
    return Situation(
        network=network,
        **_territory(index, network, control, _labels_on(control, clip), clip),
        exposure_km=_exposure_km(index, network, hazards),
        closed=_closed(index, network, closures or Closures()),
        hazards=tuple(hazards),
    )


def _labels_on(control: ControlMap, clip: Polygon) -> tuple[str, ...]:
    return tuple(label for label, geom in control.areas.items() if shapely.intersects(geom, clip))


def _territory(index: _PlanarEdges, network: RoadNetwork, control: ControlMap,
               labels: tuple[str, ...], clip: Polygon, edges: IntArray | None = None,
               ) -> dict[str, Any]:
    """The territory fields of a :class:`Situation`; with ``edges``, their rows for those edges.

    An edge's two ends are a border crossing only when both lie in (different) areas: an end
    in the sea or off the map says nothing about a border.
    """
    if edges is not None:  # only the ground around the edges matters, with a margin
        around = box(*shapely.total_bounds(index.lines[edges])).buffer(_MARGIN_M)
        clip = shapely.intersection(clip, shapely.envelope(index.projection.to_lonlat(around)))
    areas = [on_plane(index.projection, shapely.intersection(control.areas[label], clip))
             for label in labels]
    tiles, owner = _tiles(areas)
    share = _inside_share(index, tiles, owner, len(labels), edges)
    # Boundaries shared by two areas can be counted on both sides; shares may not exceed 1.
    share /= np.maximum(share.sum(axis=1, keepdims=True), 1.0)
    rows = np.arange(network.n_edges) if edges is None else edges
    tail, head = network.tail[rows], network.head[rows]
    nodes = np.arange(network.n_nodes) if edges is None else distinct(np.concatenate([tail, head]))
    node_label = point_labels(STRtree(tiles), owner, index.nodes[nodes])
    tail_label = node_label[np.searchsorted(nodes, tail)]
    head_label = node_label[np.searchsorted(nodes, head)]
    return {"territories": labels,
            "edge_territory": _majority(share, index.length_m[rows], tail_label),
            "territory_km": share * (network.length_m[rows] / 1000.0)[:, None],
            "border_crossing": (tail_label >= 0) & (head_label >= 0) & (tail_label != head_label),
            "control": control}


def _majority(share: FloatArray, length_m: FloatArray, tail_label: LabelArray) -> LabelArray:
    """The label with the largest share per edge, ``-1`` outside every area.

    An edge without length (a snapped connector) belongs where its tail is.
    """
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
        raise SituationError(_("edge {edge} has {count} geometry point(s), expected 2+").format(
                                 edge=bad, count=int(counts[bad])),
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


def _densified(area: Any) -> Any:
    """``area`` with no side longer than :data:`_SIDE_DEG`.

    A zone's side is a straight line in lon/lat, as maps draw it, but projecting only its ends
    would make it a chord on the plane; a union adds vertices on the true line, so two overlays
    of the same side would disagree by decimetres. Short sides keep the chord within millimetres.
    """
    return shapely.segmentize(area, _SIDE_DEG)


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
            stack.extend(p for p in shapely.get_parts(polygonal(half)) if not p.is_empty)
    return out


def _inside_share(index: _PlanarEdges, tiles: npt.NDArray[np.object_], owner: LabelArray,
                  n_areas: int, edges: IntArray | None = None) -> FloatArray:
    """``(n_edges, n_areas)`` share of each edge's planar length inside each area.

    With ``edges``, ``(len(edges), n_areas)`` for those edges only.
    """
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
    """Km per risk level, the highest level winning where zones overlap.

    With ``edges``, for those edges only (zones are then cut to the edges' boxes first).

    With ``U_r`` the union of zones of risk ``r`` or higher, the length at exactly level ``r``
    is ``len(e ∩ U_r) - len(e ∩ U_{r+1})``: one union per level instead of pairwise overlaps.
    """
    clip = _clip_box(network)
    at_least = [shapely.union_all([shapely.intersection(z.geometry, clip) for z in hazards
                                   if z.risk_index >= r] or [Polygon()])
                for r in range(len(RISK_LEVELS))]
    planar = [on_plane(index.projection, _densified(u)) for u in at_least]
    if edges is not None:  # each edge lies in its own box: the zones beyond them do not count
        around = shapely.union_all(shapely.buffer(shapely.envelope(index.lines[edges]), STUB_M))
        planar = [polygonal(shapely.intersection(u, around)) for u in planar]
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


def km_inside(network: RoadNetwork, areas: Sequence[Area], edges: IntArray) -> FloatArray:
    """``(len(edges), len(areas))`` km of each listed edge inside each lon/lat area.

    Measured like the territory columns (share of planar length times ``length_m``), so a
    route's km inside one part of a territory never exceed its km in the whole territory.
    """
    index = _planar_edges(network)
    clip = _clip_box(network)
    planar = [on_plane(index.projection, shapely.intersection(a, clip)) for a in areas]
    tiles, owner = _tiles(planar)
    share = _inside_share(index, tiles, owner, len(areas), edges)
    return share * (network.length_m[edges] / 1000.0)[:, None]


def edges_touching(network: RoadNetwork, area: Area) -> IntArray:
    """The edges with any length inside ``area``: what a route told to avoid it may not use.

    Measured on the same plane and edge index as the annotation, so an avoided area and a
    hazard zone of the same shape cover the same roads.
    """
    index = _planar_edges(network)
    region = shapely.intersection(area, _clip_box(network))
    found: IntArray = index.tree.query(on_plane(index.projection, _densified(region)),
                                       predicate="intersects")
    return np.sort(found)
