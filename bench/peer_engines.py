"""OSRM (MLD) and Valhalla on one OSM extract, driven by ``bench_peers.py``.

Both engines ship only CPython 3.12 wheels, while the project runs on 3.11, so this script runs
in its own 3.12 interpreter (``bench/.venv312``) and talks to the caller through two JSON
files. It imports nothing from ``corridor``. Each engine answers in-process through its Python
binding, so a query is timed exactly like the project's: ``time.perf_counter`` around one call
returning a route with its full geometry, in a single-threaded Python loop, after a warm-up
(Valhalla's first pass: every pair once, as it loads tiles lazily).

    bench/.venv312/bin/python bench/peer_engines.py job.json result.json

The job names the extract, a work directory, origin/destination coordinates, the hazard
polygons (lon/lat rings), the OSRM closures file (``from_osm_id,to_osm_id,0`` lines) and
optionally ``engines`` (default both). Each preprocessing tool's peak memory (``wait4``) and each
engine's in-process peak come back with the timings.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import osrm
import valhalla

OSRM_DIR = Path(osrm.__file__).resolve().parent
VALHALLA_DIR = Path(valhalla.__file__).resolve().parent
WARMUP = 20

Answer = tuple[float, str] | None


#: Peak resident memory (MB) of every tool run so far, by executable name (largest run).
PEAK_MB: dict[str, float] = {}


def _run(argv: list[str | Path], log: Path) -> float:
    """Run one preprocessing tool, its output to ``log``; wall seconds. Its own peak memory
    (from ``wait4``, not mixed with other children's) goes to :data:`PEAK_MB`."""
    start = time.perf_counter()
    with open(log, "ab") as fh:
        proc = subprocess.Popen([str(a) for a in argv], stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, [str(a) for a in argv])
    name = Path(argv[0]).name
    PEAK_MB[name] = max(PEAK_MB.get(name, 0.0), usage.ru_maxrss / 1024.0)
    return time.perf_counter() - start


def _own_peak_mb(reset: bool = False) -> float:
    """This process's peak resident memory so far; ``reset`` restarts the count afterwards
    (Linux ``clear_refs``), so the OSRM and Valhalla phases are measured apart."""
    peak = next(int(line.split()[1]) / 1024.0 for line in
                Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM:"))
    if reset:
        Path("/proc/self/clear_refs").write_text("5")
    return peak


# -- OSRM ------------------------------------------------------------------------------------------
def build_osrm(pbf: Path, work: Path) -> tuple[Path, dict[str, float]]:
    """Extract, partition and customise (MLD) with the car profile shipped in the wheel."""
    work.mkdir(parents=True, exist_ok=True)
    source = work / "extract.osm.pbf"
    shutil.copyfile(pbf, source)
    log, tools = work / "osrm.log", OSRM_DIR / "bin"
    times = {"extract_s": _run([tools / "osrm-extract", "-p",
                                OSRM_DIR / "share" / "profiles" / "car.lua", source], log)}
    graph = work / "extract.osrm"
    times["partition_s"] = _run([tools / "osrm-partition", graph], log)
    times["customize_s"] = _run([tools / "osrm-customize", graph], log)
    return graph, times


def osrm_engine(graph: Path) -> osrm.OSRM:
    """The graph read into this process's memory (no shared memory, no lazy mmap), so the
    reload after a customisation is paid in full here rather than by the first queries."""
    return osrm.OSRM(storage_config=str(graph), algorithm="MLD", use_shared_memory=False,
                     use_mmap=False)


def osrm_query(engine: osrm.OSRM) -> Callable[[list[float]], Answer]:
    """One route with its full geometry; ``None`` when OSRM finds none."""
    def query(pair: list[float]) -> Answer:
        params = osrm.RouteParameters(coordinates=[(pair[0], pair[1]), (pair[2], pair[3])],
                                      overview="full", geometries="polyline6",
                                      generate_hints=False)
        try:
            route = engine.Route(params)["routes"][0]
        except RuntimeError:
            return None
        return float(route["distance"]), str(route["geometry"])
    return query


def osrm_closures(graph: Path, closures: Path) -> dict[str, float]:
    """A situation change: closures customised into the graph, then the graph reloaded."""
    log = graph.parent / "osrm.log"
    customize = _run([OSRM_DIR / "bin" / "osrm-customize", graph,
                      "--segment-speed-file", closures], log)
    return {"customize_s": customize}


# -- Valhalla --------------------------------------------------------------------------------------
def build_valhalla(pbf: Path, work: Path) -> tuple[dict[str, Any], dict[str, float]]:
    """Tiles from the extract, no time zones or admin areas (not needed for car routes)."""
    tiles = work / "tiles"
    if tiles.exists():
        shutil.rmtree(tiles)
    tiles.mkdir(parents=True)
    config = valhalla.get_config(tile_extract="", tile_dir=tiles)
    config["mjolnir"]["timezone"] = ""
    config["mjolnir"]["admin"] = ""
    # Polygons are capped at 10 km of perimeter by default; the benchmark's squares may exceed it.
    config["service_limits"]["max_exclude_polygons_length"] = 1e9
    path = work / "valhalla.json"
    path.write_text(json.dumps(config))
    seconds = _run([VALHALLA_DIR / "bin" / "valhalla_build_tiles", "-c", path, pbf],
                   work / "valhalla.log")
    return config, {"build_tiles_s": seconds}


def valhalla_query(actor: valhalla.Actor,
                   polygons: list[list[list[float]]] | None) -> Callable[[list[float]], Answer]:
    """One car route, trip summary and shape only; ``None`` when Valhalla finds none."""
    extra = {"exclude_polygons": polygons} if polygons else {}

    def query(pair: list[float]) -> Answer:
        request = json.dumps({"locations": [{"lon": pair[0], "lat": pair[1]},
                                            {"lon": pair[2], "lat": pair[3]}],
                              "costing": "auto", "directions_type": "none", **extra})
        try:
            trip = json.loads(actor.route(request))["trip"]
        except RuntimeError:
            return None
        leg = trip["legs"][0]
        return float(leg["summary"]["length"]) * 1000.0, str(leg["shape"])
    return query


# -- driver ----------------------------------------------------------------------------------------
def timed_pass(query: Callable[[list[float]], Answer], pairs: list[list[float]],
               warmup: int = WARMUP) -> dict[str, list[Any]]:
    """Every pair once, each call timed on its own, after ``warmup`` untimed calls."""
    for pair in pairs[:warmup]:
        query(pair)
    seconds, length, shape = [], [], []
    for pair in pairs:
        start = time.perf_counter()
        answer = query(pair)
        seconds.append(time.perf_counter() - start)
        length.append(None if answer is None else answer[0])
        shape.append(None if answer is None else answer[1])
    return {"seconds": seconds, "length_m": length, "polyline6": shape}


def _osrm_part(job: dict[str, Any], pbf: Path, work: Path, pairs: list[list[float]],
               out: dict[str, Any]) -> None:
    """Build, query, close the hazard's segments (customise + reload), query again."""
    graph, out["osrm_setup"] = build_osrm(pbf, work / "osrm")
    engine: osrm.OSRM | None = osrm_engine(graph)
    out["osrm_base"] = timed_pass(osrm_query(engine), pairs)
    changes = []
    for _ in range(job["rounds"]):
        engine = None  # the graph's files are rewritten by the customisation
        change = osrm_closures(graph, Path(job["closures"]))
        start = time.perf_counter()
        engine = osrm_engine(graph)
        change["reload_s"] = time.perf_counter() - start
        changes.append(change)
    out["osrm_change"] = changes
    out["osrm_hazard"] = timed_pass(osrm_query(engine), pairs)
    engine = None
    out["osrm_process_peak_mb"] = _own_peak_mb(reset=True)


def _valhalla_part(job: dict[str, Any], pbf: Path, work: Path, pairs: list[list[float]],
                   out: dict[str, Any]) -> None:
    """Build tiles, query without and with the hazard as ``exclude_polygons``."""
    config, out["valhalla_setup"] = build_valhalla(pbf, work / "valhalla")
    actor = valhalla.Actor(config)
    # Valhalla reads tiles lazily: a first untimed pass over all pairs loads every tile the
    # timed passes touch, as a long-running service would have.
    out["valhalla_base"] = timed_pass(valhalla_query(actor, None), pairs, warmup=len(pairs))
    out["valhalla_hazard"] = timed_pass(valhalla_query(actor, job["polygons"]), pairs)
    out["valhalla_process_peak_mb"] = _own_peak_mb(reset=True)


def main() -> None:
    job = json.loads(Path(sys.argv[1]).read_text())
    pbf, work, pairs = Path(job["pbf"]), Path(job["work"]), job["pairs"]
    out: dict[str, Any] = {"versions": {"osrm-bindings": version("osrm-bindings"),
                                        "pyvalhalla": version("pyvalhalla")}}

    engines = job.get("engines", ["osrm", "valhalla"])
    if "osrm" in engines:
        _osrm_part(job, pbf, work, pairs, out)
    if "valhalla" in engines:
        _valhalla_part(job, pbf, work, pairs, out)
    out["tool_peak_mb"] = PEAK_MB
    Path(sys.argv[2]).write_text(json.dumps(out))


if __name__ == "__main__":
    main()
