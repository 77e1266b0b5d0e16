"""Road-like synthetic networks of any size, for tests and benchmarks without OSM data.

A perfect grid is a poor stand-in for roads: every route ties with many others and the graph has
no hierarchy. The generator therefore jitters node positions, keeps only a random spanning tree
plus a share of the remaining grid links (so blocks have irregular shapes), lays a hierarchy of
faster primary and secondary roads along every k-th row and column, and makes some minor links
one-way. Everything is vectorised, so a million nodes take seconds.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from corridor.errors import NetworkError
from corridor.geodesy import M_PER_DEG
from corridor.i18n import _
from corridor.network.build import network_from_edges
from corridor.network.graph import ROAD_CLASSES, IntArray, RoadNetwork

#: ``(class, speed km/h, capacity veh/h)`` per level of the hierarchy, fastest first.
_LEVELS: tuple[tuple[str, float, float], ...] = (
    ("primary", 90.0, 2000.0),
    ("secondary", 60.0, 1200.0),
    ("residential", 30.0, 500.0),
)


def road_like_grid(
    n_nodes: int,
    seed: int,
    *,
    centre: tuple[float, float] = (30.5, 50.45),
    spacing_m: float = 150.0,
    primary_every: int = 20,
    secondary_every: int = 5,
    extra_share: float = 0.1,
    oneway_share: float = 0.25,
) -> RoadNetwork:
    """A strongly connected, jittered grid road network with a road-class hierarchy.

    Parameters
    ----------
    n_nodes
        Exact number of intersections; the grid is as square as possible and its last row may be
        partial.
    seed
        Seed of the random generator: the same arguments always give the same network.
    centre
        ``(lon, lat)`` in degrees around which the grid is laid out.
    spacing_m
        Distance between neighbouring grid intersections before jitter.
    primary_every, secondary_every
        Every k-th row and column is a primary (resp. secondary) road, always present and two-way,
        so long trips have a fast backbone to use, as on real networks.
    extra_share
        Share of the minor grid links outside the spanning tree that are kept as extra roads
        (loops and alternatives). The default gives about 2.5 directed edges per node, between
        simplified OSM extracts (about 2.2) and a full grid (4): denser graphs have larger
        separators, which makes every CCH step markedly dearer than on real roads.
    oneway_share
        Share of those extra minor links that are one-way. Tree links stay two-way, which is what
        keeps the whole network strongly connected.

    Returns
    -------
    RoadNetwork
        Straight edges between intersections. Each primary line is named ``M-01``, ``M-02``, ...
        and each secondary line ``H-01``, ...; minor streets are unnamed.
    """
    if n_nodes < 2:
        raise NetworkError(_("a synthetic network needs at least 2 nodes, got {n_nodes}").format(
                               n_nodes=n_nodes))
    rng = np.random.default_rng(seed)
    cols = int(np.ceil(np.sqrt(n_nodes)))
    ids = np.arange(n_nodes, dtype=np.int64)
    row, col = ids // cols, ids % cols

    lon, lat = _jittered_positions(row, col, centre, spacing_m, rng)
    u, v, vertical = _grid_links(ids, col, cols, n_nodes)
    pos = np.where(vertical, col[u], row[u])
    level = np.full(len(u), 2, dtype=np.int64)
    level[pos % secondary_every == 0] = 1
    level[pos % primary_every == 0] = 0

    minor = level == 2
    extra = minor & ~_spanning_tree(v, vertical, row, col, rng)
    keep = ~extra | (rng.random(len(u)) < extra_share)
    oneway = extra & (rng.random(len(u)) < oneway_share)
    u, v, vertical, pos, level, oneway = (a[keep] for a in (u, v, vertical, pos, level, oneway))

    # A one-way link runs in a random direction; a two-way link gives both arcs.
    flip = oneway & (rng.random(len(u)) < 0.5)
    u, v = np.where(flip, v, u), np.where(flip, u, v)
    two = np.flatnonzero(~oneway)
    link = np.concatenate([np.arange(len(u)), two])
    names, name_idx = _line_names(level, vertical, pos)
    classes = np.array([ROAD_CLASSES.index(c) for c, _, _ in _LEVELS], dtype=np.int8)
    speeds = np.array([s for _, s, _ in _LEVELS])
    capacities = np.array([c for _, _, c in _LEVELS])
    arc_level = level[link]
    return network_from_edges(
        lon, lat, np.concatenate([u, v[two]]), np.concatenate([v, u[two]]),
        speed_kmh=speeds[arc_level],
        capacity_vph=capacities[arc_level],
        road_class=classes[arc_level],
        way_id=link + 1,
        name_idx=name_idx[link],
        names=names,
        meta={"source": "synthetic.road_like_grid", "n_nodes": n_nodes, "seed": seed},
    )


def _jittered_positions(row: IntArray, col: IntArray, centre: tuple[float, float],
                        spacing_m: float, rng: np.random.Generator,
                        ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Lon/lat of each intersection: grid position plus up to 30 % of a spacing of noise."""
    jitter = rng.uniform(-0.3, 0.3, size=(2, len(row))) * spacing_m
    x = (col - col.max() / 2.0) * spacing_m + jitter[0]
    y = (row - row.max() / 2.0) * spacing_m + jitter[1]
    lon0, lat0 = centre
    lat = lat0 + y / M_PER_DEG
    lon = lon0 + x / (M_PER_DEG * np.cos(np.radians(lat0)))
    return lon, lat


def _grid_links(ids: IntArray, col: IntArray, cols: int,
                n_nodes: int) -> tuple[IntArray, IntArray, npt.NDArray[np.bool_]]:
    """All links between horizontal and vertical grid neighbours, ``u`` before ``v``."""
    horiz = ids[(col < cols - 1) & (ids + 1 < n_nodes)]
    vert = ids[ids + cols < n_nodes]
    u = np.concatenate([horiz, vert])
    v = np.concatenate([horiz + 1, vert + cols])
    vertical = np.concatenate([np.zeros(len(horiz), bool), np.ones(len(vert), bool)])
    return u, v, vertical


def _spanning_tree(v: IntArray, vertical: npt.NDArray[np.bool_], row: IntArray, col: IntArray,
                   rng: np.random.Generator) -> npt.NDArray[np.bool_]:
    """Mask of the links forming a random spanning tree of the grid.

    Every node but the first links to its west or its north neighbour (the "binary tree" maze):
    each such choice adds one link towards node 0 and no cycle can form, so the links form a
    spanning tree without any union-find, in one vectorised pass.
    """
    goes_north = np.where(row == 0, False, np.where(col == 0, True, rng.random(len(row)) < 0.5))
    return np.asarray(goes_north[v] == vertical)


def _line_names(level: IntArray, vertical: npt.NDArray[np.bool_],
                pos: IntArray) -> tuple[tuple[str, ...], IntArray]:
    """Name every primary and secondary line (``M-01``, ``H-07``); minor streets stay unnamed."""
    main = level < 2
    keys = np.stack([level[main], vertical[main], pos[main]], axis=1)
    lines, inverse = np.unique(keys, axis=0, return_inverse=True)
    prefix = ("M", "H")
    counters = [0, 0]
    names: list[str] = []
    for lvl, *_position in lines:
        counters[lvl] += 1
        names.append(f"{prefix[lvl]}-{counters[lvl]:02d}")
    name_idx = np.full(len(level), -1, dtype=np.int64)
    name_idx[main] = inverse.ravel()
    return tuple(names), name_idx
