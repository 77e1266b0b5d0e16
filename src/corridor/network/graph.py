"""The road network every later stage shares: immutable, numpy-backed, CSR-ordered.

Routing, situation analysis and planning all read the same arrays, so nothing here is copied per
consumer. Edges are directed and sorted by tail node, which makes ``indptr`` a CSR row pointer and
lets scipy and the CCH engine take the arrays as they are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from corridor.errors import NetworkError
from corridor.files import atomic_path
from corridor.i18n import _
from corridor.network.places import OsmPlace

#: Road classes in order of importance; ``road_class`` arrays hold indices into this tuple.
ROAD_CLASSES: tuple[str, ...] = (
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "living_street",
    "service",
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]

_FORMAT_VERSION = 2


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """A directed road graph with full edge geometry.

    Node arrays have one entry per node; edge arrays one per directed edge, sorted by ``tail``.
    Edge ``e``'s polyline is ``geom_lon[geom_offsets[e]:geom_offsets[e + 1]]`` (and ``geom_lat``),
    from tail to head inclusive. ``names`` is a string table; ``name_idx`` points into it
    (``-1`` for an unnamed edge), so a route can be described by road ref and name. ``places``
    are the extract's named settlements, which the gazetteer adds to its own records.
    """

    node_lon: FloatArray
    node_lat: FloatArray
    node_osm_id: IntArray
    tail: Int32Array
    head: Int32Array
    length_m: FloatArray
    speed_kmh: FloatArray
    capacity_vph: FloatArray
    road_class: npt.NDArray[np.int8]
    way_id: IntArray
    name_idx: Int32Array
    geom_offsets: IntArray
    geom_lon: FloatArray
    geom_lat: FloatArray
    names: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
    places: tuple[OsmPlace, ...] = ()

    def __post_init__(self) -> None:
        n_edges = len(self.tail)
        for name in ("head", "length_m", "speed_kmh", "capacity_vph", "road_class", "way_id",
                     "name_idx"):
            if len(getattr(self, name)) != n_edges:
                raise NetworkError(_("edge array {name!r} has {n_items} entries, expected "
                                     "{n_edges}").format(name=name, n_edges=n_edges,
                                                         n_items=len(getattr(self, name))))
        if len(self.geom_offsets) != n_edges + 1:
            raise NetworkError(_("geom_offsets must have one entry more than there are edges"))
        if n_edges and np.any(np.diff(self.tail) < 0):
            raise NetworkError(_("edges must be sorted by tail node (CSR order)"))
        for arr in self._arrays().values():
            arr.setflags(write=False)

    def _arrays(self) -> dict[str, npt.NDArray[Any]]:
        return {f.name: getattr(self, f.name) for f in fields(self)
                if isinstance(getattr(self, f.name), np.ndarray)}

    # -- sizes and CSR -----------------------------------------------------------------------
    @property
    def n_nodes(self) -> int:
        return len(self.node_lon)

    @property
    def n_edges(self) -> int:
        return len(self.tail)

    @cached_property
    def indptr(self) -> IntArray:
        """CSR row pointer: the out-edges of node ``v`` are ``indptr[v]:indptr[v + 1]``."""
        counts = np.bincount(self.tail, minlength=self.n_nodes)
        out = np.zeros(self.n_nodes + 1, dtype=np.int64)
        np.cumsum(counts, out=out[1:])
        return out

    @cached_property
    def travel_time_s(self) -> FloatArray:
        """Free-flow travel time of every edge at its own speed."""
        return self.length_m / (self.speed_kmh / 3.6)

    def travel_time_capped_s(self, max_speed_kmh: float,
                             edges: IntArray | None = None) -> FloatArray:
        """Travel time when no vehicle exceeds ``max_speed_kmh`` (a convoy's speed).

        Of ``edges`` only, when given: a route's few hundred, not a country's millions.
        """
        length, speed = ((self.length_m, self.speed_kmh) if edges is None
                         else (self.length_m[edges], self.speed_kmh[edges]))
        return length / (np.minimum(speed, max_speed_kmh) / 3.6)

    def edge_coords(self, edge: int) -> FloatArray:
        """The ``(k, 2)`` lon/lat polyline of one edge, tail first."""
        a, b = self.geom_offsets[edge], self.geom_offsets[edge + 1]
        return np.column_stack([self.geom_lon[a:b], self.geom_lat[a:b]])

    def edge_name(self, edge: int) -> str:
        """The road's name (OSM ``name`` or ``ref``), ``""`` when it has none."""
        idx = int(self.name_idx[edge])
        return self.names[idx] if idx >= 0 else ""

    def class_name(self, edge: int) -> str:
        """The road class, one of :data:`ROAD_CLASSES`."""
        return ROAD_CLASSES[int(self.road_class[edge])]

    @cached_property
    def bbox(self) -> tuple[float, float, float, float]:
        """``(min_lon, min_lat, max_lon, max_lat)`` of all geometry (read once: places are
        pinned against it one by one)."""
        if len(self.geom_lon) == 0:
            return (0.0, 0.0, 0.0, 0.0)
        return (float(self.geom_lon.min()), float(self.geom_lat.min()),
                float(self.geom_lon.max()), float(self.geom_lat.max()))

    def km_by_class(self) -> dict[str, float]:
        """Kilometres of *directed* edges per road class (a two-way road counts twice)."""
        sums = np.bincount(self.road_class.astype(np.int64), weights=self.length_m,
                           minlength=len(ROAD_CLASSES))
        return {ROAD_CLASSES[i]: round(float(s) / 1000.0, 3) for i, s in enumerate(sums) if s > 0}

    # -- persistence ---------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write the network to one ``.npz`` file atomically (temp file, then rename)."""
        arrays: dict[str, Any] = dict(self._arrays())
        header = {"format": _FORMAT_VERSION, "names": list(self.names), "meta": self.meta,
                  "places": [p.to_json() for p in self.places]}
        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, header=np.array(json.dumps(header)), **arrays)

    @classmethod
    def load(cls, path: Path) -> RoadNetwork:
        """Read a network written by :meth:`save`."""
        try:
            with np.load(path, allow_pickle=False) as data:
                header = json.loads(str(data["header"]))
                if header.get("format") != _FORMAT_VERSION:
                    raise NetworkError(_("cached network has an old format"), source=path)
                arrays = {k: data[k] for k in data.files if k != "header"}
        except (OSError, ValueError, KeyError) as exc:
            raise NetworkError(_("cannot read cached network: {error}").format(error=exc),
                               source=path) from exc
        places = tuple(OsmPlace.from_json(p) for p in header["places"])
        return cls(names=tuple(header["names"]), meta=header["meta"], places=places, **arrays)
