"""Contract the through-nodes of a road network so that edges run from junction to junction.

An OSM way is a chain of short segments; routing, CCH preprocessing and the planners only care
about the points where a choice exists. A node is contracted when traffic can only pass straight
through it — one way (``u -> v -> w``) or both ways (``u <-> v <-> w``) — and the edges on either
side carry identical class, speed, capacity and label, so every attribute of the merged edge is
exact: lengths add up and the geometry is the concatenated polyline. Nodes the caller protects
(towns, border posts) survive whatever their degree.

Everything is vectorised: chains are followed one step at a time for all of them together, so
the Python loop runs as often as the longest chain is long, not once per edge.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from corridor.network.build import network_from_edges
from corridor.network.graph import IntArray, RoadNetwork
from corridor.network.ragged import ragged_index
from corridor.network.topology import distinct, strong_components

BoolArray = npt.NDArray[np.bool_]


def simplify_network(network: RoadNetwork, protected: BoolArray | None = None) -> RoadNetwork:
    """Merge edges through nodes that offer no choice of route.

    Parameters
    ----------
    network
        Typically one edge per OSM segment, as built before simplification.
    protected
        One flag per node; flagged nodes are kept even when they could be contracted.

    Returns
    -------
    RoadNetwork
        Fewer nodes and edges, the same total length per road class and the same connectivity;
        simplifying it again changes nothing. A merged edge keeps the ``way_id`` of its first
        segment. ``names`` and ``meta`` carry over.
    """
    keep = (np.zeros(network.n_nodes, dtype=bool) if protected is None
            else np.asarray(protected, dtype=bool))
    # A second round is needed where one-way chains (dual carriageways) end at the same two
    # nodes: once merged, their shared end looks like an ordinary two-way through-node.
    while True:
        contract, next_edge = _through_nodes(network, _attribute_key(network), keep)
        if not contract.any():
            return network
        chain, edge, step = _follow_chains(network, contract, next_edge)
        if len(edge) < network.n_edges:
            # Edges not reached from any junction form isolated rings: keep one node per ring.
            _break_rings(network, edge, contract, next_edge)
            chain, edge, step = _follow_chains(network, contract, next_edge)
        network = _merge_chains(network, contract, chain, edge, step)
        keep = keep[~contract]


def _attribute_key(network: RoadNetwork) -> IntArray:
    """One integer per edge, equal exactly when class, speed, capacity and label are equal."""
    # Mixed-radix code of the per-column ranks: much faster than a row-wise unique.
    key = np.zeros(network.n_edges, dtype=np.int64)
    for column in (network.road_class, network.speed_kmh, network.capacity_vph,
                   network.name_idx):
        values, rank = np.unique(column, return_inverse=True)
        key = key * len(values) + rank.ravel()
    return key


def _through_nodes(network: RoadNetwork, key: IntArray,
                   keep: BoolArray) -> tuple[BoolArray, IntArray]:
    """Contractible nodes, and for every edge entering one, the edge that continues it."""
    n, m = network.n_nodes, network.n_edges
    tail = network.tail.astype(np.int64)
    head = network.head.astype(np.int64)
    out_deg = np.bincount(tail, minlength=n)
    in_deg = np.bincount(head, minlength=n)
    loop = tail == head
    keep = keep.copy()
    keep[tail[loop]] = True
    pairs = distinct(np.minimum(tail, head)[~loop] * n + np.maximum(tail, head)[~loop])
    neighbours = np.bincount(pairs // n, minlength=n) + np.bincount(pairs % n, minlength=n)
    candidate = (neighbours == 2) & ~keep

    in_edges = np.argsort(head, kind="stable")
    in_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(in_deg, out=in_ptr[1:])
    out_ptr = network.indptr
    contract = np.zeros(n, dtype=bool)
    next_edge = np.full(m, -1, dtype=np.int64)

    # One-way through node: u -> v -> w.
    v = np.flatnonzero(candidate & (in_deg == 1) & (out_deg == 1))
    e_in, e_out = in_edges[in_ptr[v]], out_ptr[v]
    ok = key[e_in] == key[e_out]
    next_edge[e_in[ok]] = e_out[ok]
    contract[v[ok]] = True

    # Two-way through node: u <-> v <-> w; each entering edge continues to the other side.
    v = np.flatnonzero(candidate & (in_deg == 2) & (out_deg == 2))
    in1, in2 = in_edges[in_ptr[v]], in_edges[in_ptr[v] + 1]
    out1, out2 = out_ptr[v], out_ptr[v] + 1
    turn_back = head[out1] == tail[in1]
    cont1 = np.where(turn_back, out2, out1)
    cont2 = np.where(turn_back, out1, out2)
    ok = ((tail[in1] != tail[in2]) & (head[out1] != head[out2])
          & (key[in1] == key[cont1]) & (key[in2] == key[cont2]))
    next_edge[in1[ok]] = cont1[ok]
    next_edge[in2[ok]] = cont2[ok]
    contract[v[ok]] = True
    return contract, next_edge


def _follow_chains(network: RoadNetwork, contract: BoolArray,
                   next_edge: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Walk every chain from a kept node onwards; ``(chain, edge, step)`` in chain order.

    ``next_edge`` is injective and chains start at edges with no predecessor, so no walk can
    cycle; the bound on steps is only a guard.
    """
    current = np.flatnonzero(~contract[network.tail])
    ids = np.arange(len(current), dtype=np.int64)
    chains: list[IntArray] = []
    edges: list[IntArray] = []
    steps: list[IntArray] = []
    for step in range(network.n_edges + 1):
        if not len(current):
            break
        chains.append(ids)
        edges.append(current)
        steps.append(np.full(len(current), step, dtype=np.int64))
        following = next_edge[current]
        alive = following >= 0
        current, ids = following[alive], ids[alive]
    if not chains:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    chain, edge, pos = np.concatenate(chains), np.concatenate(edges), np.concatenate(steps)
    order = np.argsort(chain, kind="stable")
    return chain[order], edge[order], pos[order]


def _break_rings(network: RoadNetwork, reached: IntArray, contract: BoolArray,
                 next_edge: IntArray) -> None:
    """Un-contract the lowest-numbered node of every ring that no chain reaches (in place).

    Each such ring is a cycle of through-nodes, hence one strong component of the unreached
    edges (both directions of a two-way ring fall into the same one).
    """
    unreached = np.ones(network.n_edges, dtype=bool)
    unreached[reached] = False
    tail = network.tail[unreached]
    indptr = np.zeros(network.n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=network.n_nodes), out=indptr[1:])
    _, labels = strong_components(indptr, network.head[unreached])
    ring_nodes = distinct(tail)
    _, first = np.unique(labels[ring_nodes], return_index=True)
    breakers = ring_nodes[first]
    contract[breakers] = False
    next_edge[np.isin(network.head, breakers)] = -1


def _merge_chains(network: RoadNetwork, contract: BoolArray, chain: IntArray, edge: IntArray,
                  step: IntArray) -> RoadNetwork:
    offsets = network.geom_offsets
    later = (step > 0).astype(np.int64)
    # Later segments drop their first point: it is the previous segment's last.
    index, _ = ragged_index(offsets[edge] + later, offsets[edge + 1] - offsets[edge] - later)
    n_chains = int(chain[-1]) + 1 if len(chain) else 0
    points = np.bincount(chain, weights=offsets[edge + 1] - offsets[edge] - later,
                         minlength=n_chains).astype(np.int64)
    geom_offsets = np.zeros(n_chains + 1, dtype=np.int64)
    np.cumsum(points, out=geom_offsets[1:])
    segments = np.bincount(chain, minlength=n_chains)
    first = edge[step == 0]
    last = edge[np.cumsum(segments) - 1]

    kept = ~contract
    new_index = np.cumsum(kept, dtype=np.int64) - 1
    return network_from_edges(
        network.node_lon[kept],
        network.node_lat[kept],
        new_index[network.tail[first]],
        new_index[network.head[last]],
        speed_kmh=network.speed_kmh[first],
        capacity_vph=network.capacity_vph[first],
        road_class=network.road_class[first],
        node_osm_id=network.node_osm_id[kept],
        length_m=np.bincount(chain, weights=network.length_m[edge], minlength=n_chains),
        way_id=network.way_id[first],
        name_idx=network.name_idx[first],
        names=network.names,
        geom_offsets=geom_offsets,
        geom_lon=network.geom_lon[index],
        geom_lat=network.geom_lat[index],
        meta=network.meta,
    )
