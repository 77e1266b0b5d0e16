"""Uncertainty sweep throughput: the local process pool against Dask distributed, 1 and 2 workers.

Two networks: the 2022 scenario's schematic skeleton (1,084 edges, 225 uncertain settlement
reports, 6 proposals and about 50 suggested corridors followed), and a synthetic road-like grid
of ``--nodes`` intersections laid over Sumy and Kharkiv under the same 2022 control reports,
with three proposals between towns on it. Each engine runs the same seeded sweep; the answers
are checked identical. Wall time includes each worker receiving the prepared state and building
its router; a Dask cluster is started before the clock and passed by address, as a user's
cluster would be. Where time goes is measured in-process: one worker's start-up, then per sample
the situation step (control, front line, hazards, re-measured edges, re-weighted metrics) and
the judging of every item. Writes ``bench/results/sweep.md`` and ``sweep.json``.

    nice -n 19 python bench/bench_sweep.py                   # 1,000,000-node grid
    nice -n 19 python bench/bench_sweep.py --nodes 200000 --samples 8 --grid-samples 4
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from distributed import LocalCluster

from corridor.borders import load_countries
from corridor.gazetteer import Gazetteer
from corridor.negotiation.search import negotiate
from corridor.network.cache import default_cache_dir
from corridor.network.synthetic import road_like_grid
from corridor.routing.router import Router
from corridor.scenario import load_scenario
from corridor.scenario.schema import ProposalSpec, Scenario
from corridor.sources import read_sources
from corridor.uncertainty import engines, evaluate, model_of, sweep
from corridor.uncertainty.evaluate import PreparedSweep, prepare, run_samples
from corridor.world import World, assemble_world, build_world

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "ukraine-2022-03-07.yaml"
#: The grid's centre: between Sumy and Kharkiv, so both lie on a 150 km grid.
GRID_CENTRE = (35.4, 50.3)
GRID_PROPOSALS = [("sumy-kharkiv", "Sumy", "Kharkiv"), ("sumy-okhtyrka", "Sumy", "Okhtyrka"),
                  ("kharkiv-bohodukhiv", "Kharkiv", "Bohodukhiv")]
CONFIGS = [("local", 1), ("local", 2), ("dask", 1), ("dask", 2)]


def world_2022() -> World:
    """The committed 2022 scenario as the CLI builds it (on its latest snapshot)."""
    sc = load_scenario(SCENARIO)
    world = build_world(sc)
    world.move_to(sc.dates[-1] if sc.timeline else None)
    return world


def world_grid(nodes: int) -> World:
    """The 2022 situation over a synthetic grid: same reports, borders and parties."""
    base = load_scenario(SCENARIO)
    sc: Scenario = base.model_copy(update={
        "network": base.network.model_copy(update={"schematic": False}),
        "places": base.places.model_copy(update={"origins": [], "destinations": []}),
        "proposals": [ProposalSpec(id=i, proposer="UA", origin=a, destination=b)
                      for i, a, b in GRID_PROPOSALS],
        "corridors": [], "checkpoints": [], "timeline": []})
    network = road_like_grid(nodes, seed=7, centre=GRID_CENTRE)
    gazetteer = Gazetteer.from_geonames([sc.path(p) for p in sc.gazetteer.geonames])
    countries = dict(load_countries(sc.path(sc.control.borders))) if sc.control.borders else {}
    return assemble_world(sc, network, gazetteer, countries, read_sources(sc),
                          Router(network, cache_dir=default_cache_dir() / "cch"))


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


def where_time_goes(prepared: PreparedSweep, samples: int) -> dict[str, float]:
    """One worker's start-up, then the situation step and the judging per sample, in seconds."""
    start, _ = _timed(lambda: run_samples(prepared, []))
    worker = evaluate._STATE[0]
    stand = judge = 0.0
    for i in range(samples):
        d = evaluate.draw(prepared.model, prepared.seed, 10_000 + i)
        worker.world.situation = worker.reported
        sc = prepared.scenario
        sources = evaluate.replace(prepared.sources,
                                   settlements=evaluate.drawn_settlements(prepared.model, d))
        t, _ = _timed(lambda sc=sc, sources=sources: worker.world.stand(sc, sources))
        stand += t
        t, _ = _timed(lambda: [evaluate._judged(worker.world, it) for it in prepared.items])
        judge += t
    return {"worker_start_s": start, "situation_per_sample_s": stand / samples,
            "judging_per_sample_s": judge / samples}


def bench_network(name: str, world: World, samples: int, breakdown: int) -> dict[str, Any]:
    """Every engine configuration on one network, and the in-process breakdown."""
    t_neg, neg = _timed(lambda: negotiate(world, at=world.day))
    sources = read_sources(world.scenario)
    prepared = prepare(world, neg, sources, model_of(world.scenario, sources), seed=11)
    out: dict[str, Any] = {
        "edges": int(world.network.n_edges), "nodes": int(world.network.n_nodes),
        "items": len(prepared.items), "uncertain": len(prepared.model.uncertain),
        "samples": samples, "baseline_negotiation_s": t_neg,
        "shipped_mb": len(pickle.dumps(prepared)) / 1e6,
        "breakdown": where_time_goes(prepared, breakdown), "runs": {}}
    answers = []
    for engine, workers in CONFIGS:
        print(f"{name}: {engine} x{workers}", flush=True)
        if engine == "local":
            t, result = _timed(lambda w=workers: sweep(world, neg, samples=samples, seed=11,
                                                       workers=w))
        else:
            # No memory limit per worker, as in the local pool: a 1M-node state is more than
            # Dask's default share of this machine, and its nanny would restart the worker.
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                              memory_limit=0, dashboard_address=None) as cluster:
                t, result = _timed(lambda a=cluster.scheduler_address: sweep(
                    world, neg, samples=samples, seed=11, engine="dask", address=a))
        answers.append(result.to_dict())
        out["runs"][f"{engine} x{workers}"] = {"wall_s": t, "samples_per_s": samples / t}
    out["identical"] = all(a == answers[0] for a in answers)
    return out


def _markdown(results: dict[str, Any]) -> str:
    lines = ["# Uncertainty sweep throughput", "",
             f"Machine: {results['machine']}, shared with other jobs (run under `nice -n 19`). "
             "Wall time includes shipping the prepared state to each worker and the worker "
             "building its router; Dask clusters are started before the clock.", ""]
    for name, r in results["networks"].items():
        lines += [f"## {name}", "",
                  f"{r['nodes']:,} nodes, {r['edges']:,} edges; {r['uncertain']} uncertain "
                  f"reports; {r['items']} items judged per sample; {r['samples']} samples; "
                  f"prepared state shipped per worker {r['shipped_mb']:.1f} MB; answers "
                  f"identical across engines: {'yes' if r['identical'] else 'NO'}; the judgement "
                  f"as reported (the baseline every sweep starts from) took "
                  f"{r['baseline_negotiation_s']:.1f} s"
                  + (f", building the world {r['world_build_s']:.1f} s"
                     if "world_build_s" in r else "") + ".", "",
                  "| engine | workers | wall s | samples/s | vs local x1 |",
                  "|---|---|---|---|---|"]
        base = r["runs"]["local x1"]["samples_per_s"]
        for key, run in r["runs"].items():
            engine, workers = key.split(" x")
            lines.append(f"| {engine} | {workers} | {run['wall_s']:.1f} | "
                         f"{run['samples_per_s']:.3f} | {run['samples_per_s'] / base:.2f}x |")
        b = r["breakdown"]
        lines += ["", f"Where time goes (one process): worker start-up {b['worker_start_s']:.1f} s "
                      f"(receive state, annotate the reported situation, build the router); per "
                      f"sample {b['situation_per_sample_s']:.2f} s for the situation (control, "
                      f"front line, hazards, edges on changed ground, re-weighted metrics) and "
                      f"{b['judging_per_sample_s']:.2f} s judging the items.", ""]
    return "\n".join(lines)


def main() -> None:
    """Run the sweep bench and write its results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=16, help="samples on the 2022 network")
    parser.add_argument("--grid-samples", type=int, default=6, help="samples on the grid")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    # One sample per task: the grid's few samples must still spread over two workers.
    engines.BATCH = 1
    results: dict[str, Any] = {
        "machine": f"{os.cpu_count()} cores {platform.machine()}, Python "
                   f"{platform.python_version()}", "networks": {}}
    results["networks"]["2022 schematic skeleton"] = bench_network(
        "2022", world_2022(), args.samples, breakdown=2)
    _write(args.out, results)  # the grid takes long on a shared machine: keep what is done
    t_grid, grid = _timed(lambda: world_grid(args.nodes))
    results["networks"][f"synthetic grid, {args.nodes:,} nodes"] = {
        **bench_network("grid", grid, args.grid_samples, breakdown=1), "world_build_s": t_grid}
    _write(args.out, results)
    print(_markdown(results))


def _write(out: Path, results: dict[str, Any]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "sweep.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "sweep.md").write_text(_markdown(results) + "\n")


if __name__ == "__main__":
    main()
