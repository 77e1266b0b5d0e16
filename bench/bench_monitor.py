"""Time the re-evaluation after a posted snapshot: 1, 10 and 100 watched corridors.

On the 2022 scenario's network and on a synthetic road-like network of ``--nodes`` intersections
laid over the Kyiv - Kharkiv front under the same scenario (its control, front line and rules),
a snapshot adding a hazard zone is applied as the service applies one (re-annotation where the
zone lies, every metric re-weighted in place) and each watched corridor is routed and judged
again. The peer is the same work with the router rebuilt from scratch instead of re-weighted
(contraction hierarchy ordered and customised anew, no cache), as a service without
customisable routing would have to.

    python bench/bench_monitor.py [--nodes 1000000] [--skip-large]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gc
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from corridor.monitoring.findings import findings
from corridor.monitoring.monitor import Monitor
from corridor.monitoring.snapshots import snapshot_of
from corridor.monitoring.subjects import Watched
from corridor.network.synthetic import road_like_grid
from corridor.routing.router import Router
from corridor.routing.weights import Mode
from corridor.scenario import load_scenario
from corridor.situation import annotate
from corridor.world import World, build_world

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "ukraine-2022-03-07.yaml"
RESULTS = ROOT / "bench" / "results"
COUNTS = (1, 10, 100)
#: Spacing of the synthetic grid: 1,000 x 1,000 intersections cover 500 km, Kyiv to Kharkiv.
SPACING_M = 500.0
CENTRE = (33.4, 49.9)


def _large_world(nodes: int) -> tuple[World, dict[str, float]]:
    """The 2022 scenario's ground, rules and places over a synthetic network of ``nodes``."""
    small = build_world(load_scenario(SCENARIO))
    # Checkpoints and closures of the scenario lie off the synthetic roads: left out.
    sc = small.scenario.model_copy(update={"network": small.scenario.network.model_copy(
        update={"schematic": False}), "checkpoints": [], "closures": []})
    t0 = time.perf_counter()
    network = road_like_grid(nodes, seed=7, centre=CENTRE, spacing_m=SPACING_M)
    t1 = time.perf_counter()
    situation = annotate(network, small.control, small.hazards, small.closures)
    t2 = time.perf_counter()
    router = Router(network, cache_dir=None)
    t3 = time.perf_counter()
    lon0, lat0, lon1, lat1 = network.bbox
    towns = small.gazetteer.places_array()
    inside = np.flatnonzero((towns.lon > lon0) & (towns.lon < lon1) & (towns.lat > lat0)
                            & (towns.lat < lat1) & (towns.population >= 10_000))
    settlements = type(small.settlements)([str(n) for n in towns.names[inside]],
                                          towns.lon[inside], towns.lat[inside])
    world = World(sc, network, small.gazetteer, small.countries, small.control,
                  small.front_line, small.hazards, situation, router, settlements,
                  closures=small.closures)
    return world, {"generate_s": t1 - t0, "annotate_s": t2 - t1, "cch_build_s": t3 - t2}


def _subjects(world: World, count: int, seed: int = 11) -> list[Watched]:
    """``count`` corridors between distinct towns of the network, each one locatable."""
    rng = np.random.default_rng(seed)
    names = sorted(set(world.settlements.names))
    out: list[Watched] = []
    while len(out) < count:
        a, b = rng.choice(len(names), size=2, replace=False)
        w = Watched("corridor", len(out) + 1, f"corridor {len(out) + 1}",
                    (names[a], names[b]), ("origin", "destination"), (), None)
        out.append(w)
    return out


def _hazard(world: World, k: int) -> dict[str, Any]:
    """A 6 km square hazard on the ``k``-th town: a new zone, so the situation really changes."""
    towns = world.settlements
    i = k * 7919 % len(towns.names)
    lon, lat, half = float(np.asarray(towns.lon)[i]), float(np.asarray(towns.lat)[i]), 0.04
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half],
            [lon - half, lat + half], [lon - half, lat - half]]
    return {"hazards": {"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"name": f"shelling {k}", "risk": "high"}}]}}


def _judge(world: World, subjects: list[Watched]) -> tuple[float, list[list[Any]]]:
    t0 = time.perf_counter()
    found = [findings(world, w) for w in subjects]
    return time.perf_counter() - t0, found


def bench_world(name: str, world: World, setup: dict[str, float]) -> dict[str, Any]:
    """Re-evaluation after a snapshot, re-weighted, then with the router rebuilt."""
    monitor = Monitor(world, workdir=Path(tempfile.mkdtemp(prefix="bench-monitor-")))
    subjects = _subjects(world, max(COUNTS))
    _, before = _judge(world, subjects)  # what held before: the service keeps it in memory
    rows = []
    for step, count in enumerate(COUNTS):
        day = dt.date(2022, 3, 10) + dt.timedelta(days=step)
        snapshot = snapshot_of(world, step + 1, day, _hazard(world, step), "bench", monitor.workdir)
        t0 = time.perf_counter()
        monitor.apply(world, snapshot)
        move = time.perf_counter() - t0
        judge, after = _judge(world, subjects[:count])
        changed = sum(1 for b, a in zip(before, after, strict=False)
                      if {(f.kind, f.key) for f in b} != {(f.kind, f.key) for f in a})
        rows.append({"corridors": count, "move_s": move, "judge_s": judge,
                     "reweighted_s": move + judge, "changed": changed})
    # The peer: the same judgements on a router built from nothing. The service's hierarchy is
    # let go first (a search-only router holds none), so that two are never in memory at once.
    world.router = Router(world.network, engine="dijkstra")
    gc.collect()
    t0 = time.perf_counter()
    rebuilt = dataclasses.replace(world, router=Router(world.network, cache_dir=None),
                                  _metric_specs={})
    rebuilt.metric(Mode.FASTEST)
    rebuild = time.perf_counter() - t0
    for row in rows:
        judge, _ = _judge(rebuilt, subjects[:row["corridors"]])
        row["rebuild_s"] = rebuild
        row["rebuilt_s"] = row["move_s"] + rebuild + judge
        row["ratio"] = row["rebuilt_s"] / row["reweighted_s"]
    return {"name": name, "nodes": int(world.network.n_nodes), "arcs": int(world.network.n_edges),
            "setup": setup, "rows": rows}


def _markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "# Monitoring benchmark: re-evaluation after a posted snapshot", "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}. A snapshot adds "
        "one hazard zone; *move* is applying it (re-annotating where it lies and re-weighting "
        "every metric in place), *judge* routing and judging each corridor again (hazards, "
        "front line, territory, every party's rules). The peer rebuilds the router instead "
        "(contraction hierarchy ordered and customised from scratch). Target: 100 corridors "
        "on the 1M-node network within 2 s of the snapshot being stored.", "",
        "| network | nodes | arcs | corridors | move s | judge s | **re-weighted s** | "
        "rebuild s | rebuilt s | rebuilt / re-weighted | corridors whose findings changed |",
        "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        for row in r["rows"]:
            lines.append(
                f"| {r['name']} | {r['nodes']:,} | {r['arcs']:,} | {row['corridors']} | "
                f"{row['move_s']:.3f} | {row['judge_s']:.3f} | **{row['reweighted_s']:.3f}** | "
                f"{row['rebuild_s']:.2f} | {row['rebuilt_s']:.2f} | {row['ratio']:.0f}x | "
                f"{row['changed']} |")
    lines += ["", "Setup (s, once): " + "; ".join(
        f"{r['name']}: " + ", ".join(f"{k} {v:.1f}" for k, v in r["setup"].items())
        for r in results), ""]
    return "\n".join(lines)


def _write(results: list[dict[str, Any]]) -> None:
    """Write what has been measured so far, so that a long run leaves its figures."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "monitor.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    (RESULTS / "monitor.md").write_text(_markdown(results), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--skip-large", action="store_true", help="only the 2022 network")
    args = parser.parse_args()
    t0 = time.perf_counter()
    small = build_world(load_scenario(SCENARIO))
    results = [bench_world("2022 scenario", small, {"build_world_s": time.perf_counter() - t0})]
    _write(results)
    if not args.skip_large:
        del small
        large, setup = _large_world(args.nodes)
        results.append(bench_world(f"synthetic {args.nodes:,}", large, setup))
        _write(results)
    print(_markdown(results))
    print("median re-weighted s:", statistics.median(
        row["reweighted_s"] for r in results for row in r["rows"]))


if __name__ == "__main__":
    main()
