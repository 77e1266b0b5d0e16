"""Read an OpenStreetMap extract into a :class:`RoadNetwork` for motor vehicles.

pyosmium does the heavy lifting in C++: it keeps node locations in one flat index
(:data:`LOCATION_INDEX`, about 8 bytes per node, so a country of 60 million nodes needs about half a
gigabyte), and a tag filter hands only drivable ways (and the few nodes that mark towns and border
posts) to Python. Python touches each kept way once to read its tags and node references into
typed arrays — no Python object outlives its way, so memory grows with the road nodes only;
everything after that — splitting ways into segments, the largest strongly connected component,
simplification — is numpy.
"""

from __future__ import annotations

import hashlib
import json
import time
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import osmium
from osmium.filter import KeyFilter, TagFilter

from corridor.errors import NetworkError
from corridor.geodesy import haversine_m
from corridor.i18n import N_, _
from corridor.network.build import network_from_edges
from corridor.network.graph import ROAD_CLASSES, RoadNetwork
from corridor.network.places import OsmPlace, place_from_tags
from corridor.network.reach import BoolArray, dropped_summary, keep_through_edges
from corridor.network.simplify import simplify_network
from corridor.network.tags import HIGHWAY_CLASS, way_attributes
from corridor.network.topology import distinct, restrict_nodes, strong_components

#: File name endings pyosmium can read, and what they are (a suffix of another comes after it).
OSM_FORMATS: dict[str, str] = {
    ".osm.pbf": "PBF",
    ".pbf": "PBF",
    ".osm": "OSM XML",
    ".osm.gz": "gzip-compressed OSM XML",
    ".osm.bz2": "bzip2-compressed OSM XML",
}

#: libosmium's node location index: a flat array while node ids are dense, a sorted id/location
#: vector when they are sparse (a country extract), in memory either way; ``dense_file_array`` or
#: ``sparse_file_array,PATH`` would move it to disk when memory is the limit.
LOCATION_INDEX = "flex_mem"

#: libosmium's marker for a node location that is not in the file (a way cut by the extract).
_UNDEFINED_COORDINATE = 2**31 - 1
_COORDINATE_SCALE = 1e-7


@dataclass(frozen=True)
class NetworkSettings:
    """Choices that change the built network; they are part of the cache key.

    Attributes
    ----------
    simplify
        Contract through-nodes (see :mod:`corridor.network.simplify`).
    largest_component
        Keep only the largest strongly connected component.
    keep_edges
        With ``largest_component``, also keep what can be routed through the extract's edges
        (see :func:`corridor.network.reach.keep_through_edges`).
    edge_margin_m
        How near the outside of the extract a dead end must lie to join the world beyond it.
    road_classes
        Classes to keep, from :data:`~corridor.network.graph.ROAD_CLASSES`.
    """

    simplify: bool = True
    largest_component: bool = True
    keep_edges: bool = False
    edge_margin_m: float = 1000.0
    road_classes: tuple[str, ...] = field(default=ROAD_CLASSES)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.road_classes) - set(ROAD_CLASSES))
        if unknown:
            raise NetworkError(_("unknown road classes {unknown}, expected some of {classes}")
                               .format(unknown=unknown, classes=", ".join(ROAD_CLASSES)),
                               field="road_classes")

    def to_json(self) -> str:
        """Canonical JSON, stable across runs, for cache keys and ``meta``."""
        return json.dumps(asdict(self), sort_keys=True)


#: Receives a phase name as each phase of an import starts.
PhaseCallback = Callable[[str], None]


@dataclass
class _WayTable:
    """Drivable ways in file order: flat node arrays, and one attribute entry per way.

    Node references and coordinates go into typed arrays rather than lists: they are the bulk
    of the data and would otherwise cost a Python int object each.
    """

    refs: array[int] = field(default_factory=lambda: array("q"))
    x: array[int] = field(default_factory=lambda: array("i"))
    y: array[int] = field(default_factory=lambda: array("i"))
    n_refs: list[int] = field(default_factory=list)
    way_id: list[int] = field(default_factory=list)
    road_class: list[int] = field(default_factory=list)
    direction: list[int] = field(default_factory=list)
    speed: list[tuple[float, float]] = field(default_factory=list)
    capacity: list[tuple[float, float]] = field(default_factory=list)
    label: list[int] = field(default_factory=list)
    names: dict[str, int] = field(default_factory=dict)
    protected_ids: list[int] = field(default_factory=list)
    places: list[OsmPlace] = field(default_factory=list)


def check_osm_file(path: Path) -> str:
    """The format an existing OSM file announces by its name.

    Raises
    ------
    NetworkError
        If the extension is not one of :data:`OSM_FORMATS` or the file does not exist.
    """
    name = path.name.lower()
    fmt = next((desc for suffix, desc in OSM_FORMATS.items() if name.endswith(suffix)), None)
    if fmt is None:
        raise NetworkError(_("unknown file extension, expected one of {extensions}").format(
            extensions=", ".join(OSM_FORMATS)), source=path)
    if not path.is_file():
        raise NetworkError(_("no such file, expected an OSM extract ({format})").format(format=fmt),
                           source=path)
    return fmt


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read in blocks so large extracts need little memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_network(path: str | Path, *, settings: NetworkSettings | None = None,
                  on_phase: PhaseCallback | None = None,
                  sha256: str | None = None) -> RoadNetwork:
    """Read an OSM file and build the drivable road network, without any caching.

    Parameters
    ----------
    path
        An ``.osm.pbf``, ``.osm``, ``.osm.gz`` or ``.osm.bz2`` extract.
    settings
        Simplification, component and class choices; defaults to :class:`NetworkSettings`.
    on_phase
        Called with ``"read"``, ``"components"``, ``"simplify"`` as each phase starts, to
        drive a progress display.
    sha256
        The file's digest when the caller has already computed it (to key a cache); otherwise
        it is computed here.

    Returns
    -------
    RoadNetwork
        ``meta`` holds ``source``, ``sha256``, ``settings``, ``osm_ways`` (drivable ways read),
        ``dropped`` (``components``, ``nodes``, ``edges`` left out, counted before
        simplification, with ``km_by_class`` and the ``roads`` that lost most, from
        :func:`~corridor.network.reach.dropped_summary`), ``boundary`` (with ``keep_edges``:
        ``connectors`` and ``one_way_nodes``, else ``None``), ``build_seconds`` and
        ``schematic`` (the file declares itself a schematic skeleton); ``places`` holds the
        extract's named settlements (see :mod:`corridor.network.places`).

    Raises
    ------
    NetworkError
        If the file is missing, has an unknown extension, is corrupt or truncated, or holds no
        drivable road.
    """
    settings = settings or NetworkSettings()
    source = Path(path)
    fmt = check_osm_file(source)
    started = time.perf_counter()
    phase = on_phase or (lambda _name: None)

    phase("read")
    classes = {ROAD_CLASSES.index(c) for c in settings.road_classes}
    ways = _read_ways(source, fmt, classes)
    n_ways = len(ways.n_refs)
    if not n_ways:
        raise NetworkError(_("contains no drivable roads, expected ways tagged {tags}").format(
            tags="highway=" + "/".join(ROAD_CLASSES)), source=source)
    network, protected = _segment_network(ways)
    places = tuple(ways.places)
    del ways  # the flat tables are the largest thing held; free them before the next phase
    if network.n_edges == 0:
        raise NetworkError(_("drivable ways have no locatable nodes, expected node coordinates "
                             "for the ways' node references"), source=source)

    dropped: dict[str, Any] = {"components": 0, "nodes": 0, "edges": 0}
    boundary: dict[str, int] | None = None
    if settings.largest_component:
        phase("components")
        keep, dropped, boundary = _routable(network, settings)
        network, protected = restrict_nodes(network, keep), protected[keep]
    if settings.simplify:
        phase("simplify")
        network = simplify_network(network, protected)

    meta: dict[str, Any] = {
        "source": str(source.resolve()),
        "sha256": sha256 or file_sha256(source),
        "settings": json.loads(settings.to_json()),
        "osm_ways": n_ways,
        "dropped": dropped,
        "boundary": boundary,
        "build_seconds": round(time.perf_counter() - started, 4),
        "schematic": is_schematic(source),
    }
    return replace(network, meta=meta, places=places)


def _routable(network: RoadNetwork, settings: NetworkSettings,
              ) -> tuple[BoolArray, dict[str, Any], dict[str, int] | None]:
    """Which nodes to keep, what leaving out the rest drops, and what the edges mode added."""
    n_components, labels = strong_components(network.indptr, network.head)
    keep = labels == np.argmax(np.bincount(labels))
    boundary = None
    if settings.keep_edges:
        keep, boundary = keep_through_edges(network, keep, settings.edge_margin_m)
    kept_edges = int((keep[network.tail] & keep[network.head]).sum())
    dropped = {"components": n_components - len(distinct(labels[keep])),
               "nodes": int((~keep).sum()), "edges": network.n_edges - kept_edges,
               **dropped_summary(network, keep)}
    return keep, dropped, boundary


#: The ``generator`` a schematic (not surveyed) road file declares in its OSM header.
SCHEMATIC_GENERATOR = "corridor skeleton_to_osm"

#: Shown with everything drawn from a schematic network, and with everything else; in the
#: reader's language where shown (``_()``), in English where stored (tile metadata).
SCHEMATIC_NOTE = N_("SCHEMATIC road skeleton: straight town-to-town segments, not surveyed "
                    "roads; not for navigation or safety decisions. Contains data from GeoNames "
                    "(geonames.org), CC BY 4.0.")
OSM_NOTE = N_("Road data © OpenStreetMap contributors, ODbL 1.0.")


def is_schematic(source: Path) -> bool:
    """Whether the file declares itself a schematic skeleton, so every report can say so."""
    reader = osmium.io.Reader(str(source), osmium.osm.osm_entity_bits.NOTHING)
    try:
        return str(reader.header().get("generator", "")).startswith(SCHEMATIC_GENERATOR)
    finally:
        reader.close()


@contextmanager
def _osmium_errors(source: Path, fmt: str) -> Iterator[None]:
    try:
        yield
    except RuntimeError as exc:
        raise NetworkError(_("cannot read as {format} ({error}); the file may be truncated or "
                             "corrupt").format(format=fmt, error=exc), source=source) from exc


def _read_ways(source: Path, fmt: str, classes: set[int]) -> _WayTable:
    """Collect drivable ways with their node references and locations."""
    table = _WayTable()
    roads = TagFilter(*(("highway", v) for v in HIGHWAY_CLASS))
    roads.enable_for(osmium.osm.WAY)
    markers = KeyFilter("place", "barrier")
    markers.enable_for(osmium.osm.NODE)
    processor = (osmium.FileProcessor(str(source), osmium.osm.NODE | osmium.osm.WAY)
                 .with_locations(LOCATION_INDEX).with_filter(roads).with_filter(markers))
    add_ref, add_x, add_y = table.refs.append, table.x.append, table.y.append
    with _osmium_errors(source, fmt):
        for obj in processor:
            if not isinstance(obj, osmium.osm.Way):
                if isinstance(obj, osmium.osm.Node):
                    _read_marker(obj, table)
                continue
            attrs = way_attributes(_RawTags(obj))
            if attrs is None or attrs.road_class not in classes:
                continue
            # The binding's own iterator wraps each reference twice more; on a country this
            # loop runs for tens of millions of references, so it calls the C++ list directly.
            data, refs = obj._pyosmium_data, obj.nodes._list
            n_nodes, get = refs.size(data), refs.get
            for i in range(n_nodes):
                node = get(data, i)
                location = node.location
                add_ref(node.ref)
                add_x(location.x)
                add_y(location.y)
            table.n_refs.append(n_nodes)
            table.way_id.append(obj.id)
            table.road_class.append(attrs.road_class)
            table.direction.append(attrs.direction)
            table.speed.append((attrs.speed_forward_kmh, attrs.speed_backward_kmh))
            table.capacity.append((attrs.capacity_forward_vph, attrs.capacity_backward_vph))
            table.label.append(table.names.setdefault(attrs.label, len(table.names))
                               if attrs.label else -1)
    return table


class _RawTags:
    """A way's tags read straight from the C++ object, skipping ``TagList``'s checks.

    :func:`~corridor.network.tags.way_attributes` asks about a dozen keys per way; through
    the binding's wrapper that was a third of the Python time of a country-sized import.
    """

    __slots__ = ("_data",)

    def __init__(self, obj: osmium.osm.Way) -> None:
        self._data = obj._pyosmium_data

    def get(self, key: str, /) -> str | None:
        value: str | None = self._data.tags_get_value_by_key(key, None)
        return value


def _read_marker(node: osmium.osm.Node, table: _WayTable) -> None:
    """Keep a town or border post as a graph node, and a named settlement as a place."""
    tags = node.tags
    if "place" in tags or tags.get("barrier") == "border_control":
        table.protected_ids.append(node.id)
    if "place" in tags and node.location.valid():
        place = place_from_tags(node.id, node.location.lon, node.location.lat,
                                {t.k: t.v for t in tags})
        if place is not None:
            table.places.append(place)


def _segment_network(ways: _WayTable) -> tuple[RoadNetwork, np.ndarray[Any, np.dtype[np.bool_]]]:
    """One directed edge per way segment and permitted direction; plus the protected-node mask.

    Segments touching a node whose location is missing are dropped, which splits a way that
    leaves the extract rather than drawing it to a wrong place.
    """
    refs = np.frombuffer(ways.refs, dtype=np.int64)
    x = np.frombuffer(ways.x, dtype=np.int32)
    y = np.frombuffer(ways.y, dtype=np.int32)
    way_of_ref = np.repeat(np.arange(len(ways.n_refs)), ways.n_refs)
    located = (x != _UNDEFINED_COORDINATE) & (y != _UNDEFINED_COORDINATE)
    start = np.flatnonzero((way_of_ref[:-1] == way_of_ref[1:]) & located[:-1] & located[1:]
                           & (refs[:-1] != refs[1:]))
    end = start + 1

    node_ids, inverse = np.unique(np.concatenate([refs[start], refs[end]]), return_inverse=True)
    u, v = inverse[: len(start)], inverse[len(start):]
    node_ref = np.empty(len(node_ids), dtype=np.int64)
    node_ref[u], node_ref[v] = start, end

    way = way_of_ref[start]
    direction = np.asarray(ways.direction, dtype=np.int8)[way]
    speed = np.asarray(ways.speed, dtype=np.float64).reshape(-1, 2)[way]
    capacity = np.asarray(ways.capacity, dtype=np.float64).reshape(-1, 2)[way]
    fwd, bwd = direction >= 0, direction <= 0
    both = np.concatenate([fwd, bwd])
    per_way = np.concatenate([way, way])[both]
    lon, lat = x * _COORDINATE_SCALE, y * _COORDINATE_SCALE
    # Measured once per segment rather than once per direction along the edge geometry.
    length = haversine_m(lon[start], lat[start], lon[end], lat[end])
    network = network_from_edges(
        lon[node_ref],
        lat[node_ref],
        np.concatenate([u, v])[both],
        np.concatenate([v, u])[both],
        length_m=np.concatenate([length, length])[both],
        speed_kmh=np.concatenate([speed[:, 0], speed[:, 1]])[both],
        capacity_vph=np.concatenate([capacity[:, 0], capacity[:, 1]])[both],
        road_class=np.asarray(ways.road_class, dtype=np.int8)[per_way],
        node_osm_id=node_ids,
        way_id=np.asarray(ways.way_id, dtype=np.int64)[per_way],
        name_idx=np.asarray(ways.label, dtype=np.int32)[per_way],
        names=tuple(ways.names),
    )
    protected = np.isin(node_ids, np.asarray(ways.protected_ids, dtype=np.int64))
    return network, protected
