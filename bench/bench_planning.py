"""Evacuation planning on real OSM extracts: CCRP beside the exact optimum and beside SUMO.

For each extract and size the same problem goes to CCRP (published form and with path reuse)
and to the exact quickest flow (OR-Tools max flow on the time-expanded network), so the egress
ratio and the speed-up are measured in one run; a smaller problem goes through SUMO's
mesoscopic simulation to set simulated clearance beside the plan. Writes
``bench/results/planning.md`` and ``planning.json``.

Run: ``.venv/bin/python bench/bench_planning.py``
"""

from __future__ import annotations

import json
import platform
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from corridor.network.graph import RoadNetwork
from corridor.network.osm import build_network
from corridor.planning.ccrp import plan_ccrp
from corridor.planning.evacuation import EvacuationProblem, Source
from corridor.planning.optimal import quickest_flow
from corridor.planning.sumo import simulate

ROOT = Path(__file__).resolve().parent.parent
OSM = ROOT / "data" / "osm"
RESULTS = ROOT / "bench" / "results"
T = TypeVar("T")

#: (extract, sources, evacuees, step seconds, solve the optimum too)
CASES: tuple[tuple[str, int, int, float, bool], ...] = (
    ("monaco.osm.pbf", 10, 1_000, 15.0, True),
    ("monaco.osm.pbf", 50, 10_000, 15.0, True),
    ("monaco.osm.pbf", 200, 100_000, 30.0, True),
    ("liechtenstein-latest.osm.pbf", 50, 1_000, 15.0, True),
    ("liechtenstein-latest.osm.pbf", 100, 10_000, 15.0, True),
    ("heidelberg.test.osm.pbf", 200, 100_000, 30.0, False),
)
#: (extract, sources, evacuees, step seconds) simulated in SUMO
SUMO_CASES: tuple[tuple[str, int, int, float], ...] = (
    ("monaco.osm.pbf", 20, 500, 5.0),
    ("monaco.osm.pbf", 50, 5_000, 5.0),
)
REUSE_SLACK = 2
PLAIN_UP_TO = 10_000
PERSONS_PER_VEHICLE = 2.5


def _problem(net: RoadNetwork, n_sources: int, people: int, step_s: float,
             seed: int = 0) -> EvacuationProblem:
    """Exits are the 8 nodes nearest the extract's edge; sources random, people spread."""
    west, south, east, north = net.bbox
    lon, lat = net.node_lon, net.node_lat
    edge_dist = np.minimum.reduce([lon - west, east - lon, lat - south, north - lat])
    exits = tuple(int(v) for v in np.argsort(edge_dist)[:8])
    rng = np.random.default_rng(seed)
    nodes = rng.choice(np.setdiff1d(np.arange(net.n_nodes), exits), n_sources, replace=False)
    counts = np.bincount(rng.integers(0, n_sources, people), minlength=n_sources)
    return EvacuationProblem(net, tuple(Source(int(v), int(c)) for v, c in zip(nodes, counts,
                                                                               strict=True)),
                             exits, step_s=step_s, persons_per_vehicle=PERSONS_PER_VEHICLE)


def _timed(run: Callable[[], T]) -> tuple[T, float]:
    """Result and wall seconds of one call."""
    started = time.perf_counter()
    out = run()
    return out, time.perf_counter() - started


def _peak_mb(run: Callable[[], object]) -> float:
    """Peak Python/numpy memory (MB) of one call, traced in a separate, untimed run.

    Tracing slows pure-Python code severalfold, so it never overlaps a timed run.
    """
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return round(peak, 1)


def _network_case(nets: dict[str, RoadNetwork], name: str, n_sources: int, people: int,
                  step_s: float, exact: bool) -> dict[str, Any]:
    net = nets.setdefault(name, build_network(OSM / name))
    problem = _problem(net, n_sources, people, step_s)
    problem.time_model  # noqa: B018 - discretise outside the timed runs
    reuse, reuse_s = _timed(lambda: plan_ccrp(problem, reuse_slack_steps=REUSE_SLACK))
    # Published CCRP (one search per reservation) is run up to PLAIN_UP_TO evacuees only.
    plain = _timed(lambda: plan_ccrp(problem)) if people <= PLAIN_UP_TO else None
    row: dict[str, Any] = {
        "extract": name, "nodes": net.n_nodes, "edges": net.n_edges, "sources": n_sources,
        "evacuees": people, "step_s": step_s,
        "ccrp": None if plain is None else {"egress_s": plain[0].egress_time_s,
                                            "seconds": round(plain[1], 3),
                                            "searches": plain[0].searches},
        "ccrp_reuse": {"egress_s": reuse.egress_time_s, "seconds": round(reuse_s, 3),
                       "searches": reuse.searches,
                       "peak_mb": _peak_mb(lambda: plan_ccrp(problem,
                                                             reuse_slack_steps=REUSE_SLACK))},
    }
    if exact:
        upper = min(reuse.egress_steps, plain[0].egress_steps if plain else reuse.egress_steps)
        best, best_s = _timed(lambda: quickest_flow(problem, upper_steps=upper))
        row["optimum"] = {"egress_s": best.egress_time_s, "seconds": round(best_s, 3),
                          "max_flows": len(best.safe_by),
                          "expanded_nodes": net.n_nodes * (best.egress_steps + 1)}
        for key in ("ccrp", "ccrp_reuse"):
            if row[key] is not None:
                row[key]["ratio"] = round(row[key]["egress_s"] / best.egress_time_s, 4)
                row[key]["speedup"] = round(best_s / row[key]["seconds"], 2)
    return row


def _sumo_case(nets: dict[str, RoadNetwork], name: str, n_sources: int, people: int,
               step_s: float) -> dict[str, Any]:
    net = nets.setdefault(name, build_network(OSM / name))
    problem = _problem(net, n_sources, people, step_s)
    plan = plan_ccrp(problem, reuse_slack_steps=REUSE_SLACK)
    with tempfile.TemporaryDirectory() as tmp:
        check, seconds = _timed(lambda: simulate(problem, plan, Path(tmp)))
    return {"extract": name, "sources": n_sources, "evacuees": people, "step_s": step_s,
            "vehicles": check.vehicles, "arrived": check.arrived,
            "planned_s": check.planned_s, "simulated_s": check.simulated_s,
            "relative_difference": round(check.difference_s / check.planned_s, 4),
            "tolerance_s": round(check.tolerance_s, 1),
            "within_tolerance": check.within_tolerance, "seconds": round(seconds, 2)}


def _markdown(rows: list[dict[str, Any]], sims: list[dict[str, Any]]) -> str:
    lines = [
        "# Evacuation planning benchmark",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, shared 2 cores. "
        f"CCRP path reuse slack: {REUSE_SLACK} steps. {PERSONS_PER_VEHICLE} persons per vehicle.",
        "Exits: the 8 nodes nearest each extract's bounding box; sources random (seed 0).",
        "Travel times are rounded to steps along paths, not per edge "
        "(`corridor.planning.evacuation`); vehicle counts are rounded up per route.",
        "Peak MB: Python/numpy memory of CCRP with reuse, traced in a separate untimed run. "
        "The optimum's size is given as time-expanded nodes (OR-Tools' C++ heap is not traced).",
        "",
        "## CCRP against the exact quickest flow (same discrete model)",
        "",
        "| extract | nodes | sources | evacuees | step s | optimum s | CCRP s (ratio) | "
        "CCRP time s (speed-up) | CCRP+reuse s (ratio) | reuse time s (speed-up) | "
        "optimum time s (max flows) | expanded nodes | peak MB (reuse) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        opt = r.get("optimum")
        c, u = r["ccrp"], r["ccrp_reuse"]
        opt_time = f"{opt['seconds']} ({opt['max_flows']})" if opt else "-"
        plain_cells = (f"{c['egress_s']} ({c.get('ratio', '-')}) | {c['seconds']} "
                       f"({c.get('speedup', '-')})" if c else "- | -")
        lines.append(
            f"| {r['extract']} | {r['nodes']} | {r['sources']} | {r['evacuees']} | "
            f"{r['step_s']:g} | {opt['egress_s'] if opt else '-'} | "
            f"{plain_cells} | {u['egress_s']} ({u.get('ratio', '-')}) | {u['seconds']} "
            f"({u.get('speedup', '-')}) | "
            f"{opt_time} | "
            f"{opt['expanded_nodes'] if opt else '-'} | {u['peak_mb']} |")
    lines += ["", "## Planned against SUMO-simulated clearance (mesoscopic)", "",
              "| extract | sources | evacuees | step s | vehicles | planned s | simulated s | "
              "difference | tolerance s (from resolution) | within |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for s in sims:
        lines.append(
            f"| {s['extract']} | {s['sources']} | {s['evacuees']} | {s['step_s']:g} | "
            f"{s['vehicles']} | {s['planned_s']} | {s['simulated_s']} | "
            f"{100 * s['relative_difference']:+.1f} % | {s['tolerance_s']} | "
            f"{s['within_tolerance']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run every case once and write the results."""
    nets: dict[str, RoadNetwork] = {}
    rows: list[dict[str, Any]] = []
    for case in (c for c in CASES if (OSM / c[0]).exists()):
        rows.append(_network_case(nets, *case))
        print(json.dumps(rows[-1]), flush=True)
    sims: list[dict[str, Any]] = []
    for sim_case in (c for c in SUMO_CASES if (OSM / c[0]).exists()):
        sims.append(_sumo_case(nets, *sim_case))
        print(json.dumps(sims[-1]), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    payload = {"network": rows, "sumo": sims, "reuse_slack_steps": REUSE_SLACK,
               "persons_per_vehicle": PERSONS_PER_VEHICLE,
               "process_peak_rss_mb": round(peak_rss_mb, 1)}
    (RESULTS / "planning.json").write_text(json.dumps(payload, indent=2) + "\n")
    (RESULTS / "planning.md").write_text(_markdown(rows, sims)
                                         + f"\nProcess peak RSS: {peak_rss_mb:.0f} MB.\n")


if __name__ == "__main__":
    main()
