"""Country-scale import and routing: the project against bare pyosmium, OSMnx, OSRM, Valhalla.

For each size (millions of OSM nodes) a country-sized extract is tiled from the real extracts in
``data/osm/`` by ``tools/country_pbf.py`` into ``bench/.cache/`` (built once per size and inputs,
then reused; never committed). On that one file, side by side:

- **floor**: pyosmium reading the file with its node-location index and no Python per object
  (``osmium.apply`` with ``NodeLocationsForWays``), the least any import on this stack does;
  and a plain Python loop over every node and way (``FileProcessor``), what "reading it in
  Python" costs before any work;
- **project**: the import (:func:`corridor.network.osm.build_network`: read, largest component,
  simplification = contraction of through-nodes) and the cache save, each phase timed; the
  cached reload (:func:`corridor.network.cache.open_network`, hashing included) in a fresh
  process; CCH preprocessing (``Router``, topology saved to a cache directory) and, in another
  fresh process, the restart path: network and CCH topology loaded from their caches and
  customised; a hazard appearing (four squares across main roads, the same polygon the peer
  benchmark uses) until the router answers with it: situation update, weights, re-customisation;
  query p50/p95 with and without the hazard;
- **OSMnx 2.1.1** on the drivable ways written as OSM XML (the conversion is not timed), capped by
  a wall-time and address-space limit; where it does not finish, the table says so;
- **OSRM** (MLD, car profile) and **Valhalla** from their 3.12 wheels through
  ``bench/peer_engines.py``, building from and answering on the same file (same pairs, same
  hazard: OSRM closes the touching segments with speed 0 and re-customises, Valhalla takes
  ``exclude_polygons``).

Every step runs in its own process, so each peak resident memory (``VmHWM``, or ``wait4`` for
the peers' tools) is that step's alone. Writes ``bench/results/country.md`` and ``.json`` after
every size, so an interrupted run keeps what it measured. Run it alone, under ``nice``:

    python bench/bench_country.py --sizes 5,20,60            # ~1-2 h on 2 cores
    python bench/bench_country.py --sizes 0.5 --pairs 100 --peer-pairs 20   # smoke run
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import country_pbf  # noqa: E402  (tools/ is not a package)

CACHE = ROOT / "bench" / ".cache"
WORK = ROOT / "bench" / ".work" / "country"
RESULTS = ROOT / "bench" / "results"
GOALS = {"import_vs_floor": 3.0, "peak_gib": 8.0, "reload_s": 5.0, "change_s": 0.5,
         "query_p50_ms": 1.0}
GIB = 1024.0


def _peak_mb() -> float:
    """This process's peak resident memory (``VmHWM``; ``ru_maxrss`` would include the parent's
    memory at ``exec``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def _ms(seconds: list[float]) -> dict[str, float]:
    ms = np.asarray(seconds, dtype=np.float64) * 1000.0
    return {"n": len(ms), "p50_ms": float(np.percentile(ms, 50)),
            "p95_ms": float(np.percentile(ms, 95)), "mean_ms": float(ms.mean())}


# -- the input -------------------------------------------------------------------------------------
def country_file(millions: float) -> tuple[Path, dict[str, Any]]:
    """The cached country file of ``millions`` million nodes, generated first if missing."""
    digest = hashlib.sha256(f"{country_pbf.GENERATOR_VERSION}\n{millions}".encode())
    for source in country_pbf.SOURCES:
        digest.update(source.read_bytes())
    stem = f"country-{millions:g}m-{digest.hexdigest()[:12]}"
    pbf, meta = CACHE / f"{stem}.osm.pbf", CACHE / f"{stem}.json"
    if pbf.is_file() and meta.is_file():
        return pbf, json.loads(meta.read_text())
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"[{millions:g}M] generating {pbf.name}", flush=True)
    stats = _child("generate", str(pbf), str(int(millions * 1e6)))
    meta.write_text(json.dumps(stats))
    return pbf, stats


# -- steps, each in a fresh process ----------------------------------------------------------------
def _step_generate(pbf: str, nodes: str) -> dict[str, Any]:
    stats = country_pbf.build_country(Path(pbf), int(nodes))
    return {**stats, "bytes": Path(pbf).stat().st_size}


def _step_floor(pbf: str) -> dict[str, Any]:
    import osmium

    from corridor.network.osm import LOCATION_INDEX

    start, cpu = time.perf_counter(), time.process_time()
    index = osmium.index.create_map(LOCATION_INDEX)
    osmium.apply(pbf, osmium.NodeLocationsForWays(index))
    return {"seconds": time.perf_counter() - start, "cpu_s": time.process_time() - cpu}


def _step_python_read(pbf: str) -> dict[str, Any]:
    import osmium

    start = time.perf_counter()
    objects = sum(1 for _ in osmium.FileProcessor(pbf, osmium.osm.NODE | osmium.osm.WAY))
    return {"seconds": time.perf_counter() - start, "objects": objects}


def _step_import(pbf: str, cache_dir: str) -> dict[str, Any]:
    from corridor.network.cache import cache_key
    from corridor.network.osm import NetworkSettings, build_network, file_sha256

    phases: dict[str, float] = {}
    last = [time.perf_counter(), ""]

    def on_phase(name: str) -> None:
        now = time.perf_counter()
        if last[1]:
            phases[str(last[1])] = now - float(last[0])
        last[:] = [now, name]

    start, cpu = time.perf_counter(), time.process_time()
    sha, t_hash = _timed(file_sha256, Path(pbf))
    net = build_network(pbf, on_phase=on_phase, sha256=sha)
    on_phase("")
    build_s = time.perf_counter() - start - t_hash
    target = Path(cache_dir) / f"{cache_key(sha, NetworkSettings())[:32]}.npz"
    _, t_save = _timed(net.save, target)
    return {"cpu_s": time.process_time() - cpu, "hash_s": t_hash, "build_s": build_s,
            "phases_s": phases, "save_s": t_save,
            "seconds": t_hash + build_s + t_save, "nodes": net.n_nodes, "edges": net.n_edges,
            "osm_ways": net.meta["osm_ways"], "dropped": {k: net.meta["dropped"][k] for k in
                                                          ("components", "nodes", "edges")},
            "npz_bytes": target.stat().st_size}


def _step_reload(pbf: str, cache_dir: str) -> dict[str, Any]:
    from corridor.network.cache import open_network

    loaded, seconds = _timed(open_network, pbf, cache_dir=cache_dir)
    if not loaded.from_cache:
        raise RuntimeError(f"{pbf} was not in the cache {cache_dir}")
    return {"seconds": seconds, "nodes": loaded.network.n_nodes}


def _step_router(pbf: str, cache_dir: str, n_pairs: str, rounds: str, peer_job: str,
                 ) -> dict[str, Any]:
    """CCH preprocessing, the hazard appearing, queries; writes the peers' pairs and polygon."""
    import bench_peers as bp
    from corridor.network.cache import load_network
    from corridor.routing import Mode, Router, edge_weights
    from corridor.situation import ControlMap, HazardZone, annotate

    net = load_network(pbf, cache_dir=cache_dir)
    polygon, side = bp.hazard_polygon(net)
    zone = HazardZone("hazard", "high", polygon)
    pairs, t_pairs = _timed(bp._pairs, net, zone, int(n_pairs), np.random.default_rng(7))
    router, t_build = _timed(Router, net, cache_dir=Path(cache_dir) / "cch")
    build_peak = _peak_mb()
    base, t_annotate = _timed(annotate, net, ControlMap({}))
    base_w = edge_weights(net, base, mode=Mode.FASTEST)
    _, t_custom = _timed(router.customize, bp.BASE, base_w)
    changes = []
    for _ in range(int(rounds)):
        router.customize(bp.HAZARD, base_w)
        cpu = time.process_time()
        situation, t_ann = _timed(base.with_hazards, [zone])
        start = time.perf_counter()
        weights = edge_weights(net, situation, mode=Mode.FASTEST)
        weights[situation.total_exposure_km > 0] = np.inf
        t_w = time.perf_counter() - start
        _, t_c = _timed(router.customize, bp.HAZARD, weights, excluded="the hazard polygon")
        changes.append({"annotate_s": t_ann, "weights_s": t_w, "customize_s": t_c,
                        "total_s": t_ann + t_w + t_c, "total_cpu_s": time.process_time() - cpu})
    out: dict[str, Any] = {
        "cch_build_s": t_build, "cch_build_peak_mb": build_peak, "annotate_s": t_annotate,
        "customize_s": t_custom, "pairs_s": t_pairs, "hazard_side_m": side,
        "arcs_excluded": int(np.count_nonzero(~np.isfinite(router.weights(bp.HAZARD)))),
        "change": {k: float(np.median([c[k] for c in changes])) for k in changes[0]},
    }
    for label, metric in (("base", bp.BASE), ("hazard", bp.HAZARD)):
        for s, t in pairs[:20].tolist():
            router.path(s, t, metric)
        seconds, cpu_seconds, lengths = [], [], []
        for s, t in pairs.tolist():
            cpu = time.process_time()
            path, dt = _timed(router.path, s, t, metric)
            cpu_seconds.append(time.process_time() - cpu)
            seconds.append(dt)
            lengths.append(None if path is None else float(net.length_m[path.edges].sum()))
        out[label] = {**_ms(seconds), "cpu_p50_ms": _ms(cpu_seconds)["p50_ms"],
                      "cpu_p95_ms": _ms(cpu_seconds)["p95_ms"],
                      "routes": sum(x is not None for x in lengths), "length_m": lengths}
    coords = np.column_stack([net.node_lon[pairs[:, 0]], net.node_lat[pairs[:, 0]],
                              net.node_lon[pairs[:, 1]], net.node_lat[pairs[:, 1]]])
    Path(peer_job).write_text(json.dumps({"pairs": coords.tolist(),
                                          "polygons": bp._rings(polygon),
                                          "wkt": polygon.wkt}))
    return out


def _step_restart(pbf: str, cache_dir: str) -> dict[str, Any]:
    """After a restart: network and CCH topology from their caches, one customisation."""
    from corridor.network.cache import open_network
    from corridor.routing import Mode, Router, edge_weights
    from corridor.situation import ControlMap, annotate

    loaded, t_net = _timed(open_network, pbf, cache_dir=cache_dir)
    router, t_cch = _timed(Router, loaded.network, cache_dir=Path(cache_dir) / "cch")
    start = time.perf_counter()
    weights = edge_weights(loaded.network, annotate(loaded.network, ControlMap({})),
                           mode=Mode.FASTEST)
    router.customize("fastest", weights)
    t_custom = time.perf_counter() - start
    return {"network_s": t_net, "cch_load_s": t_cch, "annotate_weights_customize_s": t_custom,
            "seconds": t_net + t_cch + t_custom}


def _step_osmnx(xml: str) -> dict[str, Any]:
    import bench_import

    return bench_import._child_osmnx(xml)


STEPS: dict[str, Callable[..., dict[str, Any]]] = {
    "generate": _step_generate, "floor": _step_floor, "python_read": _step_python_read,
    "import": _step_import, "reload": _step_reload, "router": _step_router,
    "restart": _step_restart, "osmnx": _step_osmnx}


def _child(step: str, *args: str, timeout_s: float | None = None,
           memory_gib: float | None = None) -> dict[str, Any]:
    """Run one step in a fresh interpreter; its result with ``peak_mb`` and ``wall_s``, or
    ``{"error": ...}`` when it failed, ran out of time or of its address-space limit."""
    def limit() -> None:
        if memory_gib is not None:
            cap = int(memory_gib * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, __file__, "--child", step, *args],
                              capture_output=True, text=True, timeout=timeout_s,
                              preexec_fn=limit if memory_gib is not None else None, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {timeout_s:.0f} s (stopped)"}
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
        if "MemoryError" in proc.stderr or "bad_alloc" in proc.stderr:
            tail = f"ran out of its {memory_gib:g} GiB address-space limit ({tail[:120]})"
        return {"error": tail[:300], "wall_s": time.perf_counter() - start}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - start
    return result


def _run_child_main(argv: list[str]) -> None:
    step, *rest = argv
    result = STEPS[step](*rest)
    result["peak_mb"] = _peak_mb()
    print(json.dumps(result))


# -- peers -----------------------------------------------------------------------------------------
def _osmnx(pbf: Path, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    import bench_import

    xml = work / "drivable.osm"
    ways, convert_s = bench_import._to_drivable_xml(pbf, xml)
    result = _child("osmnx", str(xml), timeout_s=args.osmnx_timeout,
                    memory_gib=args.osmnx_memory_gib)
    xml.unlink()
    return {**result, "xml_conversion_s_excluded": convert_s, "drivable_ways": ways,
            "limits": {"seconds": args.osmnx_timeout, "address_space_gib": args.osmnx_memory_gib}}


def _peers(pbf: Path, work: Path, job_file: Path, args: argparse.Namespace,
           ) -> dict[str, Any]:
    """OSRM and Valhalla, each in its own run of the peers' script, on the project's pairs."""
    import shapely

    import bench_peers as bp

    python, pins = bp.peer_python(args.python312)
    if python is None:
        return {"error": f"peers not run: {pins}"}
    job = json.loads(job_file.read_text())
    job["pairs"] = job["pairs"][:args.peer_pairs]
    polygon = shapely.from_wkt(job.pop("wkt"))
    segments, t_index = _timed(bp.OsmSegments, pbf)
    closures = work / "closures.csv"
    closed, t_write = _timed(segments.write_closures, polygon, closures)
    del segments
    out: dict[str, Any] = {"peers": pins, "osm_segments_closed": closed,
                           "osrm_segment_index_s": t_index, "osrm_closures_file_s": t_write}
    for engine in ("osrm", "valhalla"):
        print(f"  {engine} ...", flush=True)
        out[engine] = _peer_run(python, pbf, work / engine, {
            **job, "closures": str(closures), "rounds": 1, "engines": [engine]},
            args.peer_timeout)
    return out


def _peer_run(python: Path, pbf: Path, work: Path, job: dict[str, Any],
              timeout_s: float) -> dict[str, Any]:
    """One engine through the peers' script, in its own process group: on timeout the whole
    group (the script and the build tool it is waiting for) is stopped, not just the script."""
    import bench_peers as bp

    work.mkdir(parents=True, exist_ok=True)
    job_path, result_path = work / "job.json", work / "result.json"
    job_path.write_text(json.dumps({"pbf": str(pbf), "work": str(work), **job}))
    result_path.unlink(missing_ok=True)
    start = time.perf_counter()
    with open(work / "stderr.log", "wb") as log:
        proc = subprocess.Popen([str(python), str(bp.PEER_SCRIPT), str(job_path),
                                 str(result_path)], stdout=log, stderr=log,
                                start_new_session=True)
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return {"error": f"did not finish within {timeout_s:.0f} s (stopped)",
                    "partial": _peer_progress(work)}
    if proc.returncode != 0:
        tail = (work / "stderr.log").read_text(errors="replace").strip().splitlines()
        return {"error": (tail[-1] if tail else f"exit code {proc.returncode}")[:300]}
    result: dict[str, Any] = json.loads(result_path.read_text())
    result["wall_s"] = time.perf_counter() - start
    return result


def _peer_progress(work: Path) -> list[str]:
    """The last lines the build tools logged before a stop, to say how far they got."""
    lines: list[str] = []
    for log in sorted(work.glob("*/*.log")):
        lines += [f"{log.name}: {line}" for line in
                  log.read_text(errors="replace").strip().splitlines()[-3:]]
    return lines


# -- one size --------------------------------------------------------------------------------------
PROJECT_STEPS = ("floor", "python_read", "import", "reload", "router", "restart")


def _done(entry: dict[str, Any], step: str) -> bool:
    """Whether a step of an earlier run's entry was measured (peers: both engines answered)."""
    value = entry.get(step)
    if not isinstance(value, dict) or "error" in value:
        return False
    return step != "peers" or all("error" not in value.get(e, {"error": 1})
                                  for e in ("osrm", "valhalla"))


def bench_size(millions: float, args: argparse.Namespace,
               save: Callable[[dict[str, Any]], None],
               earlier: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every measurement on the country file of one size; ``save`` gets the partial result
    after each step. Steps ``earlier`` (the same size's entry of a previous run, with
    ``--resume``) measured already are kept, not run again."""
    tag = f"[{millions:g}M]"
    pbf, stats = country_file(millions)
    work = WORK / f"{millions:g}m"
    cache_dir = work / "cache"
    earlier = earlier or {}
    if not _done(earlier, "import"):
        # A cache left by an earlier run would turn the build steps into loads.
        shutil.rmtree(cache_dir, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"millions": millions, "file": {
        k: stats[k] for k in ("nodes", "ways", "tiles", "connectors", "bytes")}}
    result["file"]["generate_s"] = stats["seconds"]
    result["file"]["generate_peak_mb"] = stats.get("peak_mb")
    step_args = {
        "floor": (str(pbf),), "python_read": (str(pbf),),
        "import": (str(pbf), str(cache_dir)), "reload": (str(pbf), str(cache_dir)),
        "router": (str(pbf), str(cache_dir), str(args.pairs), str(args.rounds),
                   str(work / "peer-job.json")),
        "restart": (str(pbf), str(cache_dir))}
    for step in PROJECT_STEPS:
        if _done(earlier, step):
            result[step] = earlier[step]
            continue
        if step == "python_read" and millions > args.python_read_max:
            continue
        print(f"{tag} {step} ...", flush=True)
        result[step] = _child(step, *step_args[step])
        save(result)
        if "error" in result[step]:
            print(f"{tag} {step} failed: {result[step]['error']}", flush=True)
            return result
    for step, limit, run in (("osmnx", args.osmnx_max, lambda: _osmnx(pbf, work, args)),
                             ("peers", args.peers_max,
                              lambda: _peers(pbf, work, work / "peer-job.json", args))):
        if _done(earlier, step):
            result[step] = earlier[step]
        elif millions <= limit:
            print(f"{tag} {step} ...", flush=True)
            result[step] = run()
        save(result)
    return result


# -- report ----------------------------------------------------------------------------------------
def _summary(r: dict[str, Any]) -> dict[str, Any]:
    """Goal figures of one size."""
    imp, router = r["import"], r["router"]
    return {
        "import_vs_floor": imp["seconds"] / r["floor"]["seconds"],
        "import_vs_floor_cpu": imp["cpu_s"] / r["floor"]["cpu_s"],
        "import_vs_python_read": (imp["seconds"] / r["python_read"]["seconds"]
                                  if "python_read" in r else None),
        "peak_gib": max(r[s]["peak_mb"] for s in ("import", "reload", "router", "restart")) / GIB,
        "reload_s": r["reload"]["seconds"],
        "change_s": router["change"]["total_s"],
        "query_p50_ms": router["hazard"]["p50_ms"],
        # CPU seconds of the same work: what it costs when the cores are not shared.
        "import_vs_floor_cpu_s": imp["cpu_s"] / r["floor"]["cpu_s"],
        "change_s_cpu": router["change"].get("total_cpu_s"),
        "query_p50_ms_cpu": router["hazard"].get("cpu_p50_ms"),
    }


def _fmt(value: float | None, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def _peer_rows(r: dict[str, Any]) -> list[str]:
    """Rows of the side-by-side table for one size."""
    size = f"{r['millions']:g}M"
    router, imp = r["router"], r["import"]
    peak = max(imp["peak_mb"], router["peak_mb"]) / GIB
    rows = [f"| {size} | project (CCH) | {imp['seconds']:.1f} + CCH {router['cch_build_s']:.1f} "
            f"| {peak:.2f} | {router['change']['total_s']:.3f} "
            f"| {router['base']['p50_ms']:.3f} / {router['base']['p95_ms']:.3f} "
            f"| {router['hazard']['p50_ms']:.3f} / {router['hazard']['p95_ms']:.3f} "
            f"| {router['hazard']['routes']}/{router['hazard']['n']} |"]
    if "osmnx" in r:
        o = r["osmnx"]
        if "error" in o:
            rows.append(f"| {size} | OSMnx 2.1.1 (import only) | **did not finish**: "
                        f"{o['error']} | - | - | - | - | - |")
        else:
            rows.append(f"| {size} | OSMnx 2.1.1 (import only) | {o['seconds']:.1f} "
                        f"| {o['peak_mb'] / GIB:.2f} | - | - | - | - |")
    peers = r.get("peers", {})
    if "error" in peers:
        rows.append(f"| {size} | OSRM, Valhalla | {peers['error']} | | | | | |")
    for engine, label in (("osrm", "OSRM MLD"), ("valhalla", "Valhalla")):
        p = peers.get(engine)
        if p is None:
            continue
        if "error" in p:
            rows.append(f"| {size} | {label} | **did not finish**: {p['error']} | - | - | - "
                        "| - | - |")
            continue
        setup = p[f"{engine}_setup"]
        tools = p["tool_peak_mb"]
        peak_peer = max([*tools.values(), p[f"{engine}_process_peak_mb"]]) / GIB
        build = " + ".join(f"{k.removesuffix('_s')} {v:.1f}" for k, v in setup.items())
        if engine == "osrm":
            ch = p["osrm_change"][0]
            change = (f"{ch['customize_s'] + ch['reload_s'] + peers['osrm_closures_file_s']:.2f}"
                      " (closures file + customize + reload)")
        else:
            change = "0 (per request)"
        base, hazard = _ms(p[f"{engine}_base"]["seconds"]), _ms(p[f"{engine}_hazard"]["seconds"])
        found = sum(x is not None for x in p[f"{engine}_hazard"]["length_m"])
        rows.append(f"| {size} | {label} | {build} | {peak_peer:.2f} | {change} "
                    f"| {base['p50_ms']:.3f} / {base['p95_ms']:.3f} "
                    f"| {hazard['p50_ms']:.3f} / {hazard['p95_ms']:.3f} "
                    f"| {found}/{hazard['n']} |")
    return rows


def _markdown(payload: dict[str, Any]) -> str:
    sizes = [r for r in payload["sizes"] if _done(r, "restart")]
    lines = [
        "# Country-scale import and routing",
        "",
        f"Machine: {payload['machine']}. Command: `{payload['command']}`. Every step in its own "
        "process, run under `nice -n 10` on a 2-core machine shared with other work, so "
        "timings carry noise of some tens of per cent.",
        "",
        "Input: `tools/country_pbf.py` tiles the four real extracts of `data/osm/` (Andorra, "
        "Liechtenstein, Heidelberg, Monaco) on a grid with renumbered ids and stitches "
        "neighbouring tiles with roads that copy a real road's tags; nodes, ways and their tags "
        "are real (buildings, land use and POIs included), relations are left out.",
        "",
        "## The project at each size",
        "",
        "| size | OSM nodes / ways | file MB | routable nodes / edges | floor s | Python read s "
        "| import s (read, components, simplify) | save s | import / floor (CPU) | import peak GiB "
        "| cached reload s | CCH prep s | restart s (network + CCH load + customise) "
        "| hazard change s | p50 / p95 ms, hazard | router peak GiB |",
        "|---|---|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---|---:|---|---:|",
    ]
    for r in sizes:
        f, imp, router, restart = r["file"], r["import"], r["router"], r["restart"]
        s = _summary(r)
        ph = imp["phases_s"]
        lines.append(
            f"| {r['millions']:g}M | {f['nodes']:,} / {f['ways']:,} | {f['bytes'] / 1e6:.0f} "
            f"| {imp['nodes']:,} / {imp['edges']:,} | {r['floor']['seconds']:.1f} "
            f"| {_fmt(r.get('python_read', {}).get('seconds'), '.1f')} "
            f"| {imp['seconds']:.1f} ({ph.get('read', 0):.1f}, {ph.get('components', 0):.1f}, "
            f"{ph.get('simplify', 0):.1f}; hash {imp['hash_s']:.1f}) | {imp['save_s']:.2f} "
            f"| {s['import_vs_floor']:.1f}x ({s['import_vs_floor_cpu']:.1f}x) "
            f"| {imp['peak_mb'] / GIB:.2f} "
            f"| {r['reload']['seconds']:.2f} | {router['cch_build_s']:.1f} "
            f"| {restart['seconds']:.1f} ({restart['network_s']:.1f} + {restart['cch_load_s']:.1f}"
            f" + {restart['annotate_weights_customize_s']:.1f}) "
            f"| {router['change']['total_s']:.3f} "
            f"| {router['hazard']['p50_ms']:.3f} / {router['hazard']['p95_ms']:.3f} "
            f"| {router['peak_mb'] / GIB:.2f} |")
    lines += ["", "## Goals", "",
              "Judged on wall time; the same work's CPU time follows, which is what it costs when "
              "the two cores are not shared with other jobs.", "",
              "| size | import / floor (≤ 3) | peak GiB (≤ 8) | cached reload s (≤ 5) "
              "| hazard change s (≤ 0.5) | query p50 ms (≤ 1) |", "|---|---|---|---|---|---|"]
    for r in sizes:
        s = _summary(r)
        cells = []
        for key, spec in (("import_vs_floor", ".1f"), ("peak_gib", ".2f"), ("reload_s", ".2f"),
                          ("change_s", ".3f"), ("query_p50_ms", ".3f")):
            verdict = ("met" if s[key] <= GOALS[key]
                       else f"**missed** ({s[key] / GOALS[key]:.1f}x the goal)")
            cpu = s.get(f"{key}_cpu" if key != "import_vs_floor" else "import_vs_floor_cpu_s")
            on_cpu = "" if cpu is None else f"; CPU {cpu:{spec}}"
            cells.append(f"{s[key]:{spec}} {verdict}{on_cpu}")
        lines.append(f"| {r['millions']:g}M | " + " | ".join(cells) + " |")
    lines += ["", "## Side by side on the same file", "",
              "Preprocessing in seconds (project: import incl. hash and save, plus CCH "
              "preprocessing; OSRM: extract, partition, customize; Valhalla: tile build). "
              "Peak = the largest of the engine's steps. Hazard change = from the new hazard to "
              "an engine answering with it. Queries: the same random pairs for every engine "
              "(peers get the first ones), in-process through each engine's Python API, with "
              "the route's path or geometry.",
              "",
              "| size | engine | preprocessing s | peak GiB | hazard change s "
              "| p50 / p95 ms | p50 / p95 ms with hazard | routes found |",
              "|---|---|---|---:|---|---|---|---|"]
    for r in sizes:
        lines += _peer_rows(r)
    failed = [r for r in payload["sizes"] if r not in sizes]
    for r in failed:
        step = next(k for k in PROJECT_STEPS if k != "python_read" and not _done(r, k))
        lines.append(f"\n{r['millions']:g}M: the project's `{step}` step "
                     + (f"failed: {r[step]['error']}" if step in r else "was not reached."))
    lines += ["", payload.get("notes", ""), ""]
    return "\n".join(lines)


def _write(payload: dict[str, Any], notes: Path | None = None) -> None:
    if notes is not None and notes.is_file():
        payload["notes"] = notes.read_text(encoding="utf-8")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "country.json").write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    (RESULTS / "country.md").write_text(_markdown(payload), encoding="utf-8")


def main() -> None:
    """Run every size and write the results after each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="5,20,60",
                        help="comma-separated sizes in millions of OSM nodes")
    parser.add_argument("--pairs", type=int, default=1000, help="project query pairs")
    parser.add_argument("--peer-pairs", type=int, default=200,
                        help="of those, how many OSRM and Valhalla answer")
    parser.add_argument("--rounds", type=int, default=3, help="hazard changes timed (median)")
    parser.add_argument("--osmnx-max", type=float, default=5,
                        help="largest size (millions) OSMnx is tried on")
    parser.add_argument("--osmnx-timeout", type=float, default=900)
    parser.add_argument("--osmnx-memory-gib", type=float, default=8)
    parser.add_argument("--peers-max", type=float, default=20,
                        help="largest size (millions) OSRM and Valhalla are run on")
    parser.add_argument("--peer-timeout", type=float, default=3600,
                        help="seconds each peer may take per size")
    parser.add_argument("--python-read-max", type=float, default=60,
                        help="largest size (millions) the plain Python read is timed on")
    parser.add_argument("--resume", action="store_true",
                        help="keep the steps country.json already holds for these sizes")
    parser.add_argument("--python312", help="CPython 3.12 for the peers' venv")
    parser.add_argument("--notes", type=Path,
                        help="markdown appended to country.md (findings on the figures)")
    parser.add_argument("--report-only", action="store_true",
                        help="only re-render country.md from country.json (and --notes)")
    args = parser.parse_args()
    if args.report_only:
        _write(json.loads((RESULTS / "country.json").read_text(encoding="utf-8")), args.notes)
        return
    command = "python bench/bench_country.py " + " ".join(sys.argv[1:])
    previous: dict[float, dict[str, Any]] = {}
    commands = [command]
    if args.resume and (RESULTS / "country.json").is_file():
        old = json.loads((RESULTS / "country.json").read_text(encoding="utf-8"))
        previous = {r["millions"]: r for r in old["sizes"]}
        commands = [*old.get("commands", [old["command"]]), command]
    payload: dict[str, Any] = {
        "machine": f"{platform.machine()}, {platform.system()}, Python "
                   f"{platform.python_version()}",
        "command": " && ".join(commands), "commands": commands,
        "goals": GOALS, "sizes": [], "notes": ""}
    sizes = [float(s) for s in args.sizes.split(",")]
    done = [r for m, r in previous.items() if m not in sizes]
    for size in sizes:

        def save(partial: dict[str, Any], done: list[dict[str, Any]] = done) -> None:
            payload["sizes"] = sorted([*done, partial], key=lambda r: r["millions"])
            _write(payload, args.notes)

        result = bench_size(size, args, save, previous.get(size))
        save(result)
        done = [*done, result]


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _run_child_main(sys.argv[2:])
    else:
        main()
