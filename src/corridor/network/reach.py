"""Which part of an extract's road graph to keep, and what the choice cost.

Keeping only the largest strongly connected component is the safe default: every kept node can
reach every other. On an extract cut out of a larger map it is also costly. A dual carriageway
leaving the extract has one carriageway that only leaves and one that only enters, so neither is
strongly connected to the rest, and whole main roads vanish. Two things answer that:

* :func:`dropped_summary` says what was dropped, by road class and by the named roads that lost
  most, so nobody routes on a network without knowing a motorway is missing from it;
* :func:`keep_through_edges` keeps, besides the core, every node that can reach the core and be
  reached from it when the world outside the extract is taken to connect the roads that leave it
  (*boundary connectors*: dead ends lying at the extract's edge). Routes on such a network may
  exist in one direction only; the import reports how many nodes are in that position.

The extract's edge is found on an occupancy grid of the road nodes, closed over gaps narrower
than :data:`EDGE_CLOSING_M` (fields between villages, a lake) so that only the true outside
counts, not every empty patch between roads.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import ndimage

from corridor.geodesy import LocalProjection
from corridor.network.graph import ROAD_CLASSES, RoadNetwork
from corridor.network.topology import strong_components

BoolArray = npt.NDArray[np.bool_]

#: Side of a cell of the occupancy grid the extract's edge is found on.
EDGE_CELL_M = 250.0
#: Empty stretches narrower than twice this, enclosed by roads, are inside the extract.
EDGE_CLOSING_M = 2000.0
#: How many roads that lost length :func:`dropped_summary` names.
ROADS_NAMED = 10


def dead_ends(network: RoadNetwork) -> BoolArray:
    """Nodes with exactly one neighbour, whatever the direction of the edges between them."""
    pairs = np.unique(np.stack([np.concatenate([network.tail, network.head]),
                                np.concatenate([network.head, network.tail])], axis=1), axis=0)
    degree = np.bincount(pairs[:, 0], minlength=network.n_nodes)
    return np.asarray(degree == 1, dtype=np.bool_)


def distance_to_outside_m(network: RoadNetwork) -> npt.NDArray[np.float64]:
    """Per node, about how far the outside of the extract is, in metres.

    The grid is padded so its border is outside; occupied cells are closed over gaps narrower
    than twice :data:`EDGE_CLOSING_M` and enclosed holes filled, and the distance from each cell
    to the nearest remaining empty cell is the answer (to one cell's accuracy).
    """
    projection = LocalProjection.for_bounds(network.bbox)
    x, y = projection.forward(network.node_lon, network.node_lat)
    pad = int(np.ceil(EDGE_CLOSING_M / EDGE_CELL_M)) + 2
    gx = ((x - x.min()) / EDGE_CELL_M).astype(np.int64) + pad
    gy = ((y - y.min()) / EDGE_CELL_M).astype(np.int64) + pad
    occupied = np.zeros((int(gx.max()) + pad + 1, int(gy.max()) + pad + 1), dtype=bool)
    occupied[gx, gy] = True
    grown = ndimage.distance_transform_edt(~occupied) * EDGE_CELL_M <= EDGE_CLOSING_M
    closed = ndimage.distance_transform_edt(grown) * EDGE_CELL_M > EDGE_CLOSING_M
    inside = ndimage.binary_fill_holes(closed | occupied)
    distance = ndimage.distance_transform_edt(inside) * EDGE_CELL_M
    return np.asarray(distance[gx, gy], dtype=np.float64)


def keep_through_edges(network: RoadNetwork, core: BoolArray, margin_m: float,
                       ) -> tuple[BoolArray, dict[str, int]]:
    """Nodes that reach ``core`` and are reached from it, the outside joining the edge's dead ends.

    One virtual node stands for the world beyond the extract, with an edge to and from every
    dead end within ``margin_m`` of the outside; the strong component of the augmented graph
    that holds the core is kept, and the virtual node dropped again.

    Returns
    -------
    tuple
        The keep mask, and ``{"connectors": dead ends joined to the outside, "one_way_nodes":
        kept nodes outside the core, which some kept nodes cannot reach or be reached from}``.
    """
    n = network.n_nodes
    connectors = np.flatnonzero(dead_ends(network) & (distance_to_outside_m(network) <= margin_m))
    outside = np.full(len(connectors), n, dtype=np.int64)
    tail = np.concatenate([network.tail.astype(np.int64), connectors, outside])
    head = np.concatenate([network.head.astype(np.int64), outside, connectors])
    order = np.argsort(tail, kind="stable")
    indptr = np.searchsorted(tail[order], np.arange(n + 2))
    _, labels = strong_components(indptr, head[order])
    keep = labels[:n] == labels[int(np.flatnonzero(core)[0])]
    return keep, {"connectors": len(connectors), "one_way_nodes": int((keep & ~core).sum())}


def dropped_summary(network: RoadNetwork, keep: BoolArray) -> dict[str, Any]:
    """What leaving out the nodes not in ``keep`` (and their edges) costs.

    Returns
    -------
    dict
        ``km_by_class``: dropped directed km per road class (a two-way road counts twice, as in
        :meth:`RoadNetwork.km_by_class`); ``roads``: up to :data:`ROADS_NAMED` road labels (ref,
        else name) that lost most, each ``{"road", "km_dropped", "km_total"}``.
    """
    lost = ~(keep[network.tail] & keep[network.head])
    by_class = np.bincount(network.road_class[lost].astype(np.int64),
                           weights=network.length_m[lost], minlength=len(ROAD_CLASSES))
    named = network.name_idx >= 0
    total = np.bincount(network.name_idx[named], weights=network.length_m[named],
                        minlength=len(network.names))
    dropped = np.bincount(network.name_idx[named & lost], weights=network.length_m[named & lost],
                          minlength=len(network.names))
    worst = [int(i) for i in np.argsort(-dropped, kind="stable")[:ROADS_NAMED] if dropped[i] > 0]
    return {
        "km_by_class": {ROAD_CLASSES[i]: round(float(km) / 1000.0, 3)
                        for i, km in enumerate(by_class) if km > 0},
        "roads": [{"road": network.names[i], "km_dropped": round(float(dropped[i]) / 1000.0, 3),
                   "km_total": round(float(total[i]) / 1000.0, 3)} for i in worst],
    }
