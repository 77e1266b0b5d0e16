"""What a route means on the ground: distance, time, exposure, territories, roads and towns.

Negotiators read routes as "M-03 then H-12, 212 km, 3 km in a high-risk zone, through Bucha and
Irpin, crossing from UA into contested territory at ...". This module derives all of that from a
path's edge ids and the situation's per-edge arrays, without re-running any geometry against
the hazard polygons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import shapely

from corridor.geodesy import M_PER_DEG, LocalProjection, haversine_m
from corridor.network.graph import FloatArray, IntArray, RoadNetwork
from corridor.network.ragged import gather_ragged
from corridor.routing.router import Path
from corridor.situation import RISK_LEVELS, HeldExposure, HeldTerritory, Situation


class Settlements(NamedTuple):
    """Named places to report along routes, as parallel arrays."""

    names: Sequence[str]
    lon: npt.ArrayLike
    lat: npt.ArrayLike


@dataclass(frozen=True)
class TerritoryRun:
    """A stretch of route inside one territory (``label`` ``None``: outside every area)."""

    label: str | None
    km: float


@dataclass(frozen=True)
class BorderCrossing:
    """Where the route leaves territory ``from_label`` for ``to_label``."""

    from_label: str | None
    to_label: str | None
    lon: float
    lat: float


@dataclass(frozen=True)
class PassedSettlement:
    """A settlement near the route: ``km`` along the route, ``offset_km`` off it."""

    name: str
    lon: float
    lat: float
    km: float
    offset_km: float


@dataclass(frozen=True)
class RouteSummary:
    """A route described for people, with a JSON form (:meth:`to_dict`).

    ``exposure_km`` counts hazard zones only; ``held`` the km through ground held by a party
    other than the origin's holder, kept apart because it is a different risk (checkpoints,
    filtration, detention) and depends on who holds the origin.
    """

    geometry: list[tuple[float, float]]
    km: float
    hours: float
    exposure_km: dict[str, float]
    territories: list[TerritoryRun]
    border_crossings: list[BorderCrossing]
    roads: list[str]
    settlements: list[PassedSettlement]
    held: HeldExposure | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types, lengths to the metre, coordinates to about 10 cm."""
        return {
            "km": round(self.km, 3),
            "hours": round(self.hours, 3),
            "exposure_km": {k: round(v, 3) for k, v in self.exposure_km.items()},
            "held_exposure": None if self.held is None else self.held.to_dict(),
            "settlements": [{**asdict(s), "km": round(s.km, 3),
                             "offset_km": round(s.offset_km, 3)} for s in self.settlements],
            "territories": [{"label": r.label, "km": round(r.km, 3)} for r in self.territories],
            "border_crossings": [{"from": c.from_label, "to": c.to_label,
                                  "lon": round(c.lon, 6), "lat": round(c.lat, 6)}
                                 for c in self.border_crossings],
            "roads": list(self.roads),
            "geometry": [[round(x, 6), round(y, 6)] for x, y in self.geometry],
        }


def summarize(
    network: RoadNetwork,
    path: Path,
    situation: Situation | None,
    settlements: Settlements | None = None,
    convoy_speed_kmh: float | None = None,
    *,
    radius_km: float = 3.0,
    held: HeldTerritory | None = None,
) -> RouteSummary:
    """Describe ``path`` on ``network`` under ``situation``.

    Parameters
    ----------
    network
        The network the path was found on.
    path
        The route, from :class:`~corridor.routing.router.Router`.
    situation
        Territories and hazards; ``None`` leaves exposure at zero and territories empty.
    settlements
        Candidate places; those within ``radius_km`` of the route line are listed in the order
        the route passes them.
    convoy_speed_kmh
        Top speed of the slowest vehicle, capping every road's speed for ``hours``.
    radius_km
        How far off the route a settlement still counts as passed.
    held
        The other side's ground as seen from the route's origin; its km are summarised as
        :attr:`RouteSummary.held` (needs ``situation``).
    """
    edges = path.edges
    length_m = network.length_m[edges]
    time_s = (network.travel_time_s[edges] if convoy_speed_kmh is None
              else network.travel_time_capped_s(convoy_speed_kmh, edges))
    lon, lat = _route_line(network, path)
    exposure = (situation.exposure_km[edges].sum(axis=0) if situation is not None
                else np.zeros(len(RISK_LEVELS)))
    runs, crossings = (_territories(network, situation, path) if situation is not None
                       else ([], []))
    return RouteSummary(
        geometry=list(zip(lon.tolist(), lat.tolist(), strict=True)),
        km=float(length_m.sum()) / 1000.0,
        hours=float(time_s.sum()) / 3600.0,
        exposure_km={**{level: float(x) for level, x in zip(RISK_LEVELS, exposure, strict=True)},
                     "total": float(exposure.sum())},
        territories=runs,
        border_crossings=crossings,
        roads=_roads(network, edges),
        settlements=([] if settlements is None
                     else settlements_along(lon, lat, settlements, radius_km)),
        held=(None if held is None or situation is None else held.along(situation, edges)),
    )


def settlements_along(lon: FloatArray, lat: FloatArray, settlements: Settlements,
                      radius_km: float = 3.0) -> list[PassedSettlement]:
    """Settlements within ``radius_km`` of the polyline ``lon``/``lat``, in route order.

    Distances are measured on an equidistant :class:`~corridor.geodesy.LocalProjection` centred
    on the route, which keeps them within a fraction of a percent over the few hundred km a
    corridor spans. A bounding-box test on raw degrees first discards every settlement that
    cannot be near.
    """
    s_lon = np.asarray(settlements.lon, dtype=np.float64)
    s_lat = np.asarray(settlements.lat, dtype=np.float64)
    radius_m = radius_km * 1000.0
    pad_lat = radius_m / M_PER_DEG
    pad_lon = pad_lat / max(np.cos(np.radians(np.abs(lat).max() + pad_lat)), 1e-6)
    near = np.flatnonzero((s_lon >= lon.min() - pad_lon) & (s_lon <= lon.max() + pad_lon)
                          & (s_lat >= lat.min() - pad_lat) & (s_lat <= lat.max() + pad_lat))
    if len(near) == 0:
        return []
    project = LocalProjection.for_bounds((lon.min(), lat.min(), lon.max(), lat.max()),
                                         equidistant=True).forward
    line = (shapely.LineString(np.column_stack(project(lon, lat))) if len(lon) > 1
            else shapely.Point(*project(lon[0], lat[0])))
    points = shapely.points(np.column_stack(project(s_lon[near], s_lat[near])))
    shapely.prepare(line)
    offset = shapely.distance(line, points)
    within = offset <= radius_m
    along = (shapely.line_locate_point(line, points[within]) if len(lon) > 1
             else np.zeros(int(within.sum())))
    chosen = near[within]
    names = settlements.names
    return [PassedSettlement(str(names[i]), float(s_lon[i]), float(s_lat[i]), a / 1000.0,
                             o / 1000.0)
            for a, o, i in sorted(zip(along.tolist(), offset[within].tolist(), chosen.tolist(),
                                      strict=True))]


def _route_line(network: RoadNetwork, path: Path) -> tuple[FloatArray, FloatArray]:
    """The route's polyline, the joint point between consecutive edges kept once."""
    if len(path.edges) == 0:
        node = path.source
        return network.node_lon[[node]], network.node_lat[[node]]
    index, offsets = gather_ragged(network.geom_offsets, path.edges)
    keep = np.ones(len(index), dtype=bool)
    keep[offsets[1:-1]] = False
    return network.geom_lon[index[keep]], network.geom_lat[index[keep]]


def _roads(network: RoadNetwork, edges: IntArray) -> list[str]:
    """Distinct edge labels in the order the route first uses them."""
    idx = network.name_idx[edges]
    idx = idx[idx >= 0]
    _, first = np.unique(idx, return_index=True)
    return [network.names[i] for i in idx[np.sort(first)]]


def _territories(network: RoadNetwork, situation: Situation,
                 path: Path) -> tuple[list[TerritoryRun], list[BorderCrossing]]:
    """Runs of consecutive edges in the same territory, and the crossings between them.

    Each edge counts wholly towards its majority territory, so the runs add up to the route's
    length exactly; the crossing point itself is placed inside the edge the situation marks as
    crossing the border, at the length the edge spends in the territory it leaves.
    """
    edges = path.edges
    if len(edges) == 0:
        return [], []
    labels = situation.edge_territory[edges].astype(np.int64)
    starts = np.concatenate([[0], np.flatnonzero(np.diff(labels)) + 1])
    km = np.add.reduceat(network.length_m[edges], starts) / 1000.0
    names: list[str | None] = [situation.territories[i] if i >= 0 else None
                               for i in labels[starts]]
    runs = [TerritoryRun(name, float(k)) for name, k in zip(names, km, strict=True)]
    crossings = []
    for i, b in enumerate(starts[1:]):
        candidates = [e for e in (int(edges[b - 1]), int(edges[b]))
                      if situation.border_crossing[e]]
        if candidates:
            lon, lat = _border_point(network, situation, candidates[0],
                                     int(labels[b - 1]), int(labels[b]))
        else:
            node = int(path.nodes[b])
            lon, lat = float(network.node_lon[node]), float(network.node_lat[node])
        crossings.append(BorderCrossing(names[i], names[i + 1], lon, lat))
    return runs, crossings


def _border_point(network: RoadNetwork, situation: Situation, edge: int, before: int,
                  after: int) -> tuple[float, float]:
    """The point on ``edge`` where territory ``before`` gives way to ``after``."""
    shape = network.edge_coords(edge)
    seg = haversine_m(shape[:-1, 0], shape[:-1, 1], shape[1:, 0], shape[1:, 1])
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    if before >= 0:
        at = situation.territory_km[edge, before] * 1000.0
    else:
        at = cum[-1] - situation.territory_km[edge, after] * 1000.0
    at = float(np.clip(at, 0.0, cum[-1]))
    return float(np.interp(at, cum, shape[:, 0])), float(np.interp(at, cum, shape[:, 1]))
