"""Build a country-sized ``.osm.pbf`` out of real extracts, for benchmarks at national scale.

A real operation loads a whole country (tens of millions of OSM nodes), but the repository only
carries city- and microstate-sized extracts. This tool tiles copies of those extracts on a grid
until the file holds the requested number of nodes, so the result has real road structure,
real tags and real proportions of roads to everything else (buildings, land use, POIs):

- every tile is one whole extract (cycling through the sources), moved so that it sits centred
  in its grid cell, with its node and way ids renumbered into a range of its own (ids keep
  their order, so the file stays sorted and ids stay unique);
- neighbouring tiles are stitched by connecting roads: from a junction on a two-way main road
  at the tile's east (north) side to one at the west (south) side of the next tile, carrying
  the tags of the road they leave from. The junctions are taken from the largest strongly
  connected component of the extract as the project imports it, so the stitched tiles import
  as one routable network;
- relations (routes, boundaries, turn restrictions) are left out: their members would need
  renumbering too, and the project's import does not read them.

The output is written with pyosmium's writer, one object at a time; only the (small) source
extracts are held in memory, as numpy arrays. It is a benchmark input: never ship or commit it.
Same arguments and inputs, same bytes out.

Usage::

    python tools/country_pbf.py bench/.cache/country-5m.osm.pbf --nodes 5000000
    python tools/country_pbf.py out.osm.pbf --nodes 500000 --sources data/osm/monaco.osm.pbf
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import osmium

from corridor.files import atomic_path
from corridor.network.osm import NetworkSettings, build_network

ROOT = Path(__file__).resolve().parent.parent
SOURCES = tuple(ROOT / "data" / "osm" / name for name in (
    "andorra-latest.osm.pbf", "liechtenstein-latest.osm.pbf", "heidelberg.test.osm.pbf",
    "monaco.osm.pbf"))
#: Bump when the output for the same arguments changes (it is part of cache keys).
GENERATOR_VERSION = 1
GENERATOR = "corridor country_pbf"
#: South-west corner of the grid: the tiles spread east and north from here.
ORIGIN_LON, ORIGIN_LAT = 22.5, 45.0
#: Empty band between neighbouring cells, in degrees; the connecting roads cross it.
GAP_DEG = 0.05
#: Largest step between two nodes of a connecting road, in degrees (about 1.5 km).
CONNECTOR_STEP_DEG = 0.02
#: Highways a connecting road may start from: two-way main roads.
PORT_HIGHWAYS = frozenset({"trunk", "primary", "secondary", "tertiary"})

_SCALE = 10_000_000  # OSM fixed-point coordinates: 1e-7 degree
IntArray = npt.NDArray[np.int64]


class CountryError(ValueError):
    """A source or argument the generator cannot work with."""


@dataclass(frozen=True)
class _Extract:
    """One source extract, held as arrays: nodes sorted by id, ways with local node indices.

    Way node references to nodes missing from the extract (ways cut at its border) are dropped,
    since a renumbered id must point at a node of the same tile.
    """

    path: Path
    node_id: IntArray
    x: IntArray
    y: IntArray
    node_tags: dict[int, tuple[tuple[str, str], ...]]
    way_offsets: IntArray
    way_refs: IntArray
    way_tags: list[tuple[tuple[str, str], ...]]
    ports: dict[str, tuple[int, int]]  # side -> (local node index, way index)

    @property
    def n_nodes(self) -> int:
        return len(self.node_id)

    @property
    def n_ways(self) -> int:
        return len(self.way_tags)

    @property
    def bounds(self) -> tuple[int, int, int, int]:
        return int(self.x.min()), int(self.y.min()), int(self.x.max()), int(self.y.max())


def _read_extract(path: Path) -> _Extract:
    """Load one extract into arrays and choose its four connection points."""
    ids: list[int] = []
    xs: list[int] = []
    ys: list[int] = []
    node_tags: dict[int, tuple[tuple[str, str], ...]] = {}
    way_refs: list[int] = []
    way_lengths: list[int] = []
    way_tags: list[tuple[tuple[str, str], ...]] = []
    try:
        for obj in osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY):
            if obj.is_node():
                if not obj.location.valid():
                    continue
                if len(obj.tags):
                    node_tags[obj.id] = tuple((t.k, t.v) for t in obj.tags)
                ids.append(obj.id)
                xs.append(obj.location.x)
                ys.append(obj.location.y)
            elif obj.is_way():
                way_refs.extend(n.ref for n in obj.nodes)
                way_lengths.append(len(obj.nodes))
                way_tags.append(tuple((t.k, t.v) for t in obj.tags))
    except RuntimeError as exc:
        raise CountryError(f"{path}: cannot read as OSM ({exc})") from exc
    node_id = np.asarray(ids, dtype=np.int64)
    if len(node_id) == 0:
        raise CountryError(f"{path}: holds no node with a location, expected an OSM extract")
    if np.any(np.diff(node_id) <= 0):
        raise CountryError(f"{path}: nodes are not sorted by id, expected a sorted extract "
                           "(osmium sort)")
    refs = np.asarray(way_refs, dtype=np.int64)
    local = np.searchsorted(node_id, refs).clip(0, len(node_id) - 1)
    present = node_id[local] == refs
    owner = np.repeat(np.arange(len(way_lengths)), way_lengths)
    kept_per_way = np.bincount(owner[present], minlength=len(way_lengths))
    # A way left with fewer than two located nodes is no way at all; drop it with its refs.
    usable = kept_per_way >= 2
    keep_ref = present & usable[owner]
    offsets = np.zeros(int(usable.sum()) + 1, dtype=np.int64)
    np.cumsum(kept_per_way[usable], out=offsets[1:])
    tags = [t for t, ok in zip(way_tags, usable.tolist(), strict=True) if ok]
    extract = _Extract(path, node_id, np.asarray(xs, dtype=np.int64),
                       np.asarray(ys, dtype=np.int64),
                       {int(np.searchsorted(node_id, k)): v for k, v in node_tags.items()},
                       offsets, local[keep_ref], tags, {})
    return _with_ports(extract)


def _with_ports(extract: _Extract) -> _Extract:
    """The extract with a connection point per side: the outermost node, towards that side,
    of a two-way main road in the largest strongly connected component of the project's
    import of the extract."""
    network = build_network(extract.path, settings=NetworkSettings(simplify=False))
    routable = np.zeros(extract.n_nodes, dtype=bool)
    routable[np.searchsorted(extract.node_id, network.node_osm_id)] = True
    candidate_node: list[int] = []
    candidate_way: list[int] = []
    for way, tags in enumerate(extract.way_tags):
        tag = dict(tags)
        if (tag.get("highway") in PORT_HIGHWAYS and tag.get("oneway", "no") == "no"
                and "junction" not in tag):
            refs = extract.way_refs[extract.way_offsets[way]:extract.way_offsets[way + 1]]
            candidate_node.extend(refs.tolist())
            candidate_way.extend([way] * len(refs))
    nodes = np.asarray(candidate_node, dtype=np.int64)
    ways = np.asarray(candidate_way, dtype=np.int64)
    ok = routable[nodes] if len(nodes) else np.zeros(0, dtype=bool)
    if not ok.any():
        raise CountryError(f"{extract.path}: no two-way {'/'.join(sorted(PORT_HIGHWAYS))} road "
                           "in its largest routable component, expected one to connect tiles")
    nodes, ways = nodes[ok], ways[ok]
    x, y = extract.x[nodes], extract.y[nodes]
    ports = {}
    for side, score in (("west", -x), ("east", x), ("south", -y), ("north", y)):
        best = int(np.argmax(score))
        ports[side] = (int(nodes[best]), int(ways[best]))
    return replace(extract, ports=ports)


@dataclass(frozen=True)
class _Tile:
    extract: _Extract
    node_base: int  # id of the tile's first node minus one
    way_base: int
    dx: int  # fixed-point offset added to every coordinate
    dy: int


def _tile_plan(extracts: Sequence[_Extract], target_nodes: int) -> list[_Extract]:
    """Extracts in tile order, cycling, with as many tiles as bring the node count nearest
    ``target_nodes`` (at least one)."""
    plan = [extracts[0]]
    total = extracts[0].n_nodes
    while True:
        nxt = extracts[len(plan) % len(extracts)]
        if abs(total + nxt.n_nodes - target_nodes) >= abs(total - target_nodes):
            return plan
        plan.append(nxt)
        total += nxt.n_nodes


def _layout(plan: Sequence[_Extract]) -> tuple[list[_Tile], int]:
    """Place the tiles on a near-square grid of equal cells, row by row; ``(tiles, columns)``."""
    cell_w = max(e.bounds[2] - e.bounds[0] for e in plan) + int(GAP_DEG * _SCALE)
    cell_h = max(e.bounds[3] - e.bounds[1] for e in plan) + int(GAP_DEG * _SCALE)
    columns = math.ceil(math.sqrt(len(plan)))
    tiles = []
    node_base = way_base = 0
    for k, extract in enumerate(plan):
        row, col = divmod(k, columns)
        x0, y0, x1, y1 = extract.bounds
        centre_x = int(ORIGIN_LON * _SCALE) + col * cell_w + cell_w // 2
        centre_y = int(ORIGIN_LAT * _SCALE) + row * cell_h + cell_h // 2
        tiles.append(_Tile(extract, node_base, way_base, centre_x - (x0 + x1) // 2,
                           centre_y - (y0 + y1) // 2))
        node_base += extract.n_nodes
        way_base += extract.n_ways
    return tiles, columns


@dataclass(frozen=True)
class _Connector:
    """A connecting road: its end node ids, inner node coordinates and the tags it copies."""

    start: int
    end: int
    inner: list[tuple[int, int]]
    tags: tuple[tuple[str, str], ...]


def _port(tile: _Tile, side: str) -> tuple[int, int, int]:
    """``(node id, x, y)`` of a tile's connection point on ``side``, in output terms."""
    node, _ = tile.extract.ports[side]
    return (tile.node_base + node + 1, int(tile.extract.x[node]) + tile.dx,
            int(tile.extract.y[node]) + tile.dy)


def _connectors(tiles: Sequence[_Tile], columns: int) -> list[_Connector]:
    """Roads joining every tile to its east and north neighbours."""
    out = []
    for k, tile in enumerate(tiles):
        for other, sides in ((k + 1, ("east", "west")), (k + columns, ("north", "south"))):
            if other >= len(tiles) or (sides[0] == "east" and (k + 1) % columns == 0):
                continue
            a_id, ax, ay = _port(tile, sides[0])
            b_id, bx, by = _port(tiles[other], sides[1])
            steps = max(1, math.ceil(max(abs(bx - ax), abs(by - ay))
                                     / (CONNECTOR_STEP_DEG * _SCALE)))
            inner = [(ax + (bx - ax) * i // steps, ay + (by - ay) * i // steps)
                     for i in range(1, steps)]
            _, way = tile.extract.ports[sides[0]]
            out.append(_Connector(a_id, b_id, inner, tile.extract.way_tags[way]))
    return out


def _tile_nodes(tile: _Tile) -> Iterator[osmium.osm.mutable.Node]:
    e = tile.extract
    xs = ((e.x + tile.dx) / _SCALE).tolist()
    ys = ((e.y + tile.dy) / _SCALE).tolist()
    tags = e.node_tags
    node = osmium.osm.mutable.Node
    for i, (lon, lat) in enumerate(zip(xs, ys, strict=True)):
        found = tags.get(i)
        if found is None:
            yield node(id=tile.node_base + i + 1, location=(lon, lat))
        else:
            yield node(id=tile.node_base + i + 1, location=(lon, lat), tags=found)


def _tile_ways(tile: _Tile) -> Iterator[osmium.osm.mutable.Way]:
    e = tile.extract
    refs = (e.way_refs + tile.node_base + 1).tolist()
    offsets = e.way_offsets.tolist()
    way = osmium.osm.mutable.Way
    for i, tags in enumerate(e.way_tags):
        yield way(id=tile.way_base + i + 1, nodes=refs[offsets[i]:offsets[i + 1]], tags=tags)


def build_country(target: Path, n_nodes: int, sources: Sequence[Path] = SOURCES,
                  ) -> dict[str, Any]:
    """Write a tiled country-sized extract of about ``n_nodes`` OSM nodes to ``target``.

    Parameters
    ----------
    target
        The ``.osm.pbf`` to write; replaced whole or not at all.
    n_nodes
        Wanted number of nodes; the file holds whole tiles, so it ends up within half a tile
        of it.
    sources
        Real OSM extracts (sorted by id) to tile, in cycling order.

    Returns
    -------
    dict
        ``nodes``, ``ways``, ``tiles``, ``columns``, ``connectors``, the tiles' ``node_ranges``
        (first and last node id per tile) and their ``sources``, ``seconds``.

    Raises
    ------
    CountryError
        If there is no source, ``n_nodes`` is not positive, or a source is unreadable,
        unsorted or has no two-way main road to connect.
    """
    if not sources:
        raise CountryError("no source extract given, expected at least one .osm.pbf")
    if n_nodes <= 0:
        raise CountryError(f"--nodes must be a positive number of nodes, got {n_nodes}")
    started = time.perf_counter()
    extracts = [_read_extract(Path(p)) for p in sources]
    tiles, columns = _layout(_tile_plan(extracts, n_nodes))
    connectors = _connectors(tiles, columns)
    last = tiles[-1]
    next_node = last.node_base + last.extract.n_nodes + 1
    next_way = last.way_base + last.extract.n_ways + 1
    header = osmium.io.Header()
    header.set("generator", GENERATOR)
    nodes = ways = 0
    with atomic_path(target) as tmp:
        writer = osmium.SimpleWriter(str(tmp), header=header, overwrite=True)
        try:
            for tile in tiles:
                for node in _tile_nodes(tile):
                    writer.add_node(node)
                nodes += tile.extract.n_nodes
            inner_ids = []
            for road in connectors:
                ids = list(range(next_node, next_node + len(road.inner)))
                for nid, (x, y) in zip(ids, road.inner, strict=True):
                    writer.add_node(osmium.osm.mutable.Node(id=nid, location=(x / _SCALE,
                                                                               y / _SCALE)))
                next_node += len(ids)
                inner_ids.append(ids)
            nodes = next_node - 1
            for tile in tiles:
                for way in _tile_ways(tile):
                    writer.add_way(way)
            for road, ids in zip(connectors, inner_ids, strict=True):
                writer.add_way(osmium.osm.mutable.Way(id=next_way, nodes=[road.start, *ids,
                                                                          road.end],
                                                      tags=road.tags))
                next_way += 1
            ways = next_way - 1
        finally:
            writer.close()
    return {
        "nodes": nodes, "ways": ways, "tiles": len(tiles), "columns": columns,
        "connectors": len(connectors),
        "node_ranges": [[t.node_base + 1, t.node_base + t.extract.n_nodes] for t in tiles],
        "sources": [t.extract.path.name for t in tiles],
        "seconds": round(time.perf_counter() - started, 2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the file and print its statistics as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", type=Path, help="the .osm.pbf to write")
    parser.add_argument("--nodes", type=float, required=True,
                        help="wanted number of OSM nodes (e.g. 5e6)")
    parser.add_argument("--sources", type=Path, nargs="+", default=list(SOURCES),
                        help="extracts to tile (default: the four in data/osm/)")
    args = parser.parse_args(argv)
    if not args.target.name.endswith(".osm.pbf"):
        print(f"error: {args.target}: expected a name ending in .osm.pbf", file=sys.stderr)
        return 2
    try:
        stats = build_country(args.target, int(args.nodes), args.sources)
    except CountryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({k: v for k, v in stats.items() if k not in ("node_ranges", "sources")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
