"""Hazard-aware routing: the project's CCH router against scipy and networkx Dijkstra.

Each graph (a synthetic road-like network of ``--nodes`` intersections and the committed OSM
extracts) is annotated with two territories and a hazard strip. All three engines then answer
the same balanced-mode queries (with the path) under the same weights, and their costs are
checked against each other. A situation change (a new hazard polygon) is timed as annotation,
new weights and re-customisation, and partial against full customisation for a few closure
sizes. Writes ``bench/results/routing.md`` and ``routing.json``.

    python bench/bench_routing.py                     # 1,000,000 nodes + OSM extracts
    python bench/bench_routing.py --nodes 50000 --queries 200
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
from shapely.geometry import box

from corridor.network.graph import RoadNetwork
from corridor.network.osm import build_network
from corridor.network.synthetic import road_like_grid
from corridor.routing import Mode, Router, describe_exclusions, edge_weights
from corridor.routing.router import PARTIAL_UPDATE_MAX_ARCS, PARTIAL_UPDATE_MAX_AREA
from corridor.situation import ControlMap, HazardZone, Situation, annotate

ROOT = Path(__file__).resolve().parent.parent
EXTRACTS = ("liechtenstein-latest.osm.pbf", "heidelberg.test.osm.pbf")
METRIC = "balanced/UA"
TARGETS = {"reweight_s": 0.5, "query_p50_ms": 1.0, "speedup_vs_networkx": 100.0}


def _timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def _ms_stats(samples: list[float]) -> dict[str, float]:
    ms = np.array(samples) * 1000.0
    return {"n": len(ms), "p50_ms": float(np.percentile(ms, 50)),
            "p99_ms": float(np.percentile(ms, 99)), "mean_ms": float(ms.mean())}


def _fractional_box(net: RoadNetwork, x0: float, y0: float, x1: float, y1: float) -> Any:
    """A lon/lat box given as fractions of the network's bounding box."""
    lo_x, lo_y, hi_x, hi_y = net.bbox
    return box(lo_x + x0 * (hi_x - lo_x), lo_y + y0 * (hi_y - lo_y),
               lo_x + x1 * (hi_x - lo_x), lo_y + y1 * (hi_y - lo_y))


def _base_hazards(net: RoadNetwork) -> list[HazardZone]:
    """A medium-risk strip across the middle of the network."""
    return [HazardZone("strip", "medium", _fractional_box(net, 0.45, 0.1, 0.5, 0.9))]


def _situation(net: RoadNetwork) -> Situation:
    """UA holds the west 85 %, RU the rest, under the base hazards."""
    control = ControlMap({"UA": _fractional_box(net, -0.1, -0.1, 0.85, 1.1),
                          "RU": _fractional_box(net, 0.85, -0.1, 1.1, 1.1)})
    return annotate(net, control, _base_hazards(net))


def _networkx_graph(net: RoadNetwork, weights: npt.NDArray[np.float64]) -> nx.DiGraph:
    """A DiGraph keeping the cheapest of parallel edges (added last, so it wins)."""
    usable = np.flatnonzero(np.isfinite(weights))
    usable = usable[np.argsort(-weights[usable], kind="stable")]
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(zip(net.tail[usable].tolist(), net.head[usable].tolist(),
                                      weights[usable].tolist(), strict=True))
    return graph


def _networkx_cost(graph: nx.DiGraph, source: int, target: int) -> float | None:
    """Cost of networkx's shortest path (found with the path, like the other engines)."""
    try:
        nodes = nx.dijkstra_path(graph, source, target)
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return None
    return float(nx.path_weight(graph, nodes, "weight"))


def _queries(router: Router, reference: Router, graph: nx.DiGraph,
             pairs: npt.NDArray[np.int64], n_scipy: int, n_nx: int) -> dict[str, Any]:
    """Time every engine on the same pairs; count answers agreeing with the CCH router."""
    step = router.cost_step(METRIC)
    cch_t, costs = [], []
    for s, t in pairs.tolist():
        path, dt = _timed(router.path, s, t, METRIC)
        cch_t.append(dt)
        costs.append(None if path is None else (path.cost, len(path.edges)))
    scipy_t, nx_t, agree_scipy, agree_nx = [], [], 0, 0
    for i, (s, t) in enumerate(pairs[:n_scipy].tolist()):
        path, dt = _timed(reference.path, s, t, METRIC)
        scipy_t.append(dt)
        ref = costs[i]
        agree_scipy += int((path is None and ref is None) or (
            path is not None and ref is not None
            and abs(path.cost - ref[0]) <= (len(path.edges) + ref[1]) * step))
    for i, (s, t) in enumerate(pairs[:n_nx].tolist()):
        cost, dt = _timed(_networkx_cost, graph, s, t)
        nx_t.append(dt)
        ref = costs[i]
        agree_nx += int((cost is None and ref is None) or (
            cost is not None and ref is not None and abs(cost - ref[0]) <= ref[1] * step))
    found = sum(c is not None for c in costs)
    return {"cch": _ms_stats(cch_t), "scipy": _ms_stats(scipy_t), "networkx": _ms_stats(nx_t),
            "routes_found": found, "pairs": len(pairs),
            "agree_scipy": f"{agree_scipy}/{n_scipy}", "agree_networkx": f"{agree_nx}/{n_nx}"}


def _situation_change(net: RoadNetwork, situation: Situation, router: Router,
                      rng: np.random.Generator, rounds: int = 3) -> dict[str, Any]:
    """A new high-risk square (5 % of the bbox a side) at a random place, ``rounds`` times.

    Each round starts from the base situation again (untimed), so it measures one new hazard
    rather than one hazard moving across the map.
    """
    base = edge_weights(net, situation, mode=Mode.BALANCED, exclude_territories=["RU"])
    rows = []
    for _ in range(rounds):
        router.customize(METRIC, base)
        x, y = rng.uniform(0.1, 0.8, size=2)
        zone = HazardZone("new", "high", _fractional_box(net, x, y, x + 0.05, y + 0.05))
        changed, t_annotate = _timed(situation.with_hazards, [*_base_hazards(net), zone])
        weights, t_weights = _timed(edge_weights, net, changed, mode=Mode.BALANCED,
                                    exclude_territories=["RU"])
        arcs = int(np.count_nonzero(weights != router.weights(METRIC)))
        _, t_custom = _timed(router.customize, METRIC, weights)
        rows.append({"arcs_changed": arcs, "annotate_s": t_annotate, "weights_s": t_weights,
                     "customize_s": t_custom, "reweight_s": t_weights + t_custom})
    router.customize(METRIC, base)
    return {k: float(np.median([r[k] for r in rows])) for k in rows[0]}


def _partial_vs_full(net: RoadNetwork, router: Router, base: npt.NDArray[np.float64],
                     rng: np.random.Generator) -> list[dict[str, float]]:
    """Closing k random arcs: arc-by-arc update against full customisation, same router."""
    rows = []
    for k in (100, 1000, 10_000, 30_000):
        if k > net.n_edges // 4:
            continue
        closed = base.copy()
        closed[rng.choice(net.n_edges, size=k, replace=False)] = np.inf
        timings = {}
        for label, limit in (("partial_s", net.n_edges), ("full_s", 0)):
            router.partial_update_max_arcs = limit
            router.partial_update_max_area = float(limit)
            router.customize(METRIC, base)
            _, timings[label] = _timed(router.customize, METRIC, closed)
        rows.append({"arcs": k, "share": k / net.n_edges, **timings})
    router.partial_update_max_arcs = PARTIAL_UPDATE_MAX_ARCS
    router.partial_update_max_area = PARTIAL_UPDATE_MAX_AREA
    router.customize(METRIC, base)
    return rows


def bench_graph(name: str, net: RoadNetwork, args: argparse.Namespace) -> dict[str, Any]:
    """Every measurement on one network."""
    print(f"[{name}] {net.n_nodes:,} nodes, {net.n_edges:,} arcs", flush=True)
    rng = np.random.default_rng(args.seed)
    situation, t_annotate = _timed(_situation, net)
    router, t_build = _timed(Router, net)
    print(f"[{name}] CCH preprocessing {t_build:.1f} s", flush=True)
    weights, t_weights = _timed(edge_weights, net, situation, mode=Mode.BALANCED,
                                exclude_territories=["RU"])
    _, t_custom = _timed(router.customize, METRIC, weights,
                         excluded=describe_exclusions(["RU"]))
    reference, t_ref = _timed(Router, net, engine="dijkstra")
    _, t_ref_custom = _timed(reference.customize, METRIC, weights)
    graph, t_nx = _timed(_networkx_graph, net, weights)
    print(f"[{name}] networkx graph {t_nx:.1f} s", flush=True)
    big = net.n_nodes > 200_000
    n_scipy = min(args.queries, 30 if big else 300)
    n_nx = min(args.queries, args.nx_queries if big else 100)
    pairs = rng.integers(0, net.n_nodes, size=(args.queries, 2))
    queries = _queries(router, reference, graph, pairs, n_scipy, n_nx)
    del graph
    print(f"[{name}] queries done", flush=True)
    change = _situation_change(net, situation, router, rng)
    partial = _partial_vs_full(net, router, router.weights(METRIC), rng)
    return {
        "nodes": net.n_nodes, "arcs": net.n_edges,
        "setup_s": {"annotate": t_annotate, "cch_preprocessing": t_build, "weights": t_weights,
                    "cch_customize": t_custom, "scipy_build": t_ref + t_ref_custom,
                    "networkx_build": t_nx},
        "queries": queries,
        "speedup_p50": {"vs_scipy": queries["scipy"]["p50_ms"] / queries["cch"]["p50_ms"],
                        "vs_networkx": queries["networkx"]["p50_ms"] / queries["cch"]["p50_ms"]},
        "situation_change": change,
        "partial_vs_full": partial,
    }


def _markdown(results: dict[str, Any]) -> str:
    lines = [
        "# Routing benchmark",
        "",
        f"Machine: {results['machine']}. Balanced mode, territory RU excluded, path included.",
        "Costs of all engines are checked against the CCH router (`agree`).",
        f"Targets on the largest graph: re-weighting <= {TARGETS['reweight_s']} s, "
        f"p50 query <= {TARGETS['query_p50_ms']} ms, >= {TARGETS['speedup_vs_networkx']:.0f}x "
        "networkx.",
        "",
        "## Queries (ms per query, with path)",
        "",
        "| graph | nodes | arcs | CCH p50 / p99 | scipy p50 / p99 (n) | networkx p50 / p99 (n) "
        "| CCH vs scipy | CCH vs networkx | agree scipy / nx |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results["graphs"].items():
        q, s = r["queries"], r["speedup_p50"]
        lines.append(
            f"| {name} | {r['nodes']:,} | {r['arcs']:,} "
            f"| {q['cch']['p50_ms']:.3f} / {q['cch']['p99_ms']:.3f} "
            f"| {q['scipy']['p50_ms']:.1f} / {q['scipy']['p99_ms']:.1f} ({q['scipy']['n']}) "
            f"| {q['networkx']['p50_ms']:.1f} / {q['networkx']['p99_ms']:.1f} "
            f"({q['networkx']['n']}) | {s['vs_scipy']:.0f}x | {s['vs_networkx']:.0f}x "
            f"| {q['agree_scipy']} / {q['agree_networkx']} |")
    lines += ["", "## Setup (s)", "",
              "| graph | annotate | CCH preprocessing | weights | customize | scipy CSR "
              "| networkx graph |", "|---|---|---|---|---|---|---|"]
    for name, r in results["graphs"].items():
        t = r["setup_s"]
        lines.append(f"| {name} | {t['annotate']:.2f} | {t['cch_preprocessing']:.2f} "
                     f"| {t['weights']:.3f} | {t['cch_customize']:.3f} | {t['scipy_build']:.3f} "
                     f"| {t['networkx_build']:.2f} |")
    lines += ["", "## Situation change: a new hazard square (median of 3)", "",
              "Annotate re-measures exposure on the edges the new zone touches; re-weighting is "
              "new weights plus customisation; the last column is the whole change, from the "
              "zone to routes that avoid it.", "",
              "| graph | arcs changed | annotate s | weights s | customize s | re-weighting s "
              "| annotate + re-weighting s |", "|---|---|---|---|---|---|---|"]
    for name, r in results["graphs"].items():
        c = r["situation_change"]
        lines.append(f"| {name} | {c['arcs_changed']:.0f} | {c['annotate_s']:.3f} "
                     f"| {c['weights_s']:.3f} | {c['customize_s']:.3f} "
                     f"| **{c['reweight_s']:.3f}** | {c['annotate_s'] + c['reweight_s']:.3f} |")
    lines += ["", "## Closing k arcs: partial update vs full customisation (s)", "",
              "| graph | arcs | share | partial | full |", "|---|---|---|---|---|"]
    for name, r in results["graphs"].items():
        for p in r["partial_vs_full"]:
            lines.append(f"| {name} | {p['arcs']:,} | {p['share']:.4%} | {p['partial_s']:.4f} "
                         f"| {p['full_s']:.4f} |")
    lines += ["", "Valhalla / OSRM were not run (optional Python 3.12 extra, not implemented).",
              ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--nx-queries", type=int, default=5,
                        help="networkx queries on graphs over 200k nodes (seconds each)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()

    graphs: dict[str, Any] = {}
    net, t_gen = _timed(road_like_grid, args.nodes, args.seed)
    print(f"synthetic network generated in {t_gen:.1f} s", flush=True)
    graphs[f"synthetic {args.nodes:,}"] = {**bench_graph("synthetic", net, args),
                                           "generate_s": t_gen}
    del net
    for extract in EXTRACTS:
        path = ROOT / "data" / "osm" / extract
        if path.exists():
            graphs[extract.split(".")[0].split("-")[0]] = bench_graph(
                extract, build_network(path), args)
        else:
            print(f"skipping {extract}: not in data/osm/")
    results = {"machine": f"{os.cpu_count()} cores {platform.machine()}, "
                          f"Python {platform.python_version()}",
               "targets": TARGETS, "graphs": graphs}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "routing.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "routing.md").write_text(_markdown(results))
    print(_markdown(results))


if __name__ == "__main__":
    main()
