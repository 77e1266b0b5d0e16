"""OSM import: the project's pyosmium + numpy pipeline against OSMnx, side by side.

For each committed extract (``data/osm/``) both tools build a drivable, simplified network
restricted to its largest strongly connected component, with lengths and speeds:

- project: :func:`corridor.network.osm.build_network` straight from the PBF (cold, no cache);
- OSMnx 2.1.1: ``graph_from_xml`` (no simplification, all components), then
  ``truncate.largest_component(strongly=True)``, ``simplify_graph`` and
  ``routing.add_edge_speeds`` — the same steps in the same order.

OSMnx reads only OSM XML and, from a file, keeps every way it finds, so each PBF is first
converted with pyosmium to XML holding just the drivable ways (the project's own definition) and
their nodes. That conversion is done once up front and is *not* counted in OSMnx's time: OSMnx is
timed on the smaller, pre-filtered input.

Every measurement runs in a fresh subprocess, so its peak resident memory (``VmHWM``) is its
own; wall time is measured inside the subprocess around the import call only (interpreter start
and module imports excluded, for both tools). The cached reload is timed in yet another fresh
process. Writes ``bench/results/import.md`` and ``import.json``.

    python bench/bench_import.py
    python bench/bench_import.py --extracts liechtenstein-latest.osm.pbf --repeat 3
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "osm"
RESULTS = ROOT / "bench" / "results"
EXTRACTS = ("liechtenstein-latest.osm.pbf", "andorra-latest.osm.pbf", "heidelberg.test.osm.pbf")
TARGETS = {"speedup": 5.0, "memory_ratio": 1 / 3, "reload_s": 0.2}


def _peak_mb() -> float:
    """This process's peak resident memory (``VmHWM``).

    Not ``ru_maxrss``: Linux carries that across ``exec``, so a child would report at least the
    parent's memory at the time it was spawned.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _child_project(source: str, cache_dir: str) -> dict[str, Any]:
    from corridor.network.cache import open_network

    baseline = _peak_mb()
    start = time.perf_counter()
    loaded = open_network(source, cache_dir=cache_dir, rebuild=True)
    seconds = time.perf_counter() - start
    net = loaded.network
    return {"seconds": seconds, "build_seconds": net.meta["build_seconds"],
            "baseline_mb": baseline, "nodes": net.n_nodes, "edges": net.n_edges,
            "km": round(float(net.length_m.sum()) / 1000, 1)}


def _child_reload(source: str, cache_dir: str) -> dict[str, Any]:
    from corridor.network.cache import open_network

    baseline = _peak_mb()
    start = time.perf_counter()
    loaded = open_network(source, cache_dir=cache_dir)
    seconds = time.perf_counter() - start
    if not loaded.from_cache:
        raise RuntimeError(f"{source} was not in the cache {cache_dir}")
    return {"seconds": seconds, "baseline_mb": baseline, "nodes": loaded.network.n_nodes,
            "edges": loaded.network.n_edges}


def _child_osmnx(xml: str) -> dict[str, Any]:
    import osmnx as ox

    ox.settings.log_console = False
    baseline = _peak_mb()
    start = time.perf_counter()
    graph = ox.graph_from_xml(xml, simplify=False, retain_all=True)
    graph = ox.truncate.largest_component(graph, strongly=True)
    graph = ox.simplify_graph(graph)
    graph = ox.routing.add_edge_speeds(graph)
    seconds = time.perf_counter() - start
    km = sum(d["length"] for _, _, d in graph.edges(data=True)) / 1000
    return {"seconds": seconds, "baseline_mb": baseline, "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges(), "km": round(km, 1)}


def _to_drivable_xml(source: Path, target: Path) -> tuple[int, float]:
    """Write the drivable ways of ``source`` and their nodes as OSM XML; (ways, seconds)."""
    import osmium

    from corridor.network.tags import way_attributes

    start = time.perf_counter()
    way_ids: list[int] = []
    node_ids: set[int] = set()
    for way in osmium.FileProcessor(str(source), osmium.osm.WAY):
        if isinstance(way, osmium.osm.Way) and way_attributes(way.tags) is not None:
            way_ids.append(way.id)
            node_ids.update(n.ref for n in way.nodes)
    keep_ways = set(way_ids)
    with osmium.SimpleWriter(str(target), overwrite=True) as writer:
        for obj in osmium.FileProcessor(str(source), osmium.osm.NODE | osmium.osm.WAY):
            if (isinstance(obj, osmium.osm.Node) and obj.id in node_ids) or (
                    isinstance(obj, osmium.osm.Way) and obj.id in keep_ways):
                writer.add(obj)
    return len(way_ids), time.perf_counter() - start


def _run_child(*args: str) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _median_run(repeat: int, *args: str) -> dict[str, Any]:
    runs = [_run_child(*args) for _ in range(repeat)]
    best = dict(runs[0])
    best["seconds"] = statistics.median(r["seconds"] for r in runs)
    best["peak_mb"] = max(r["peak_mb"] for r in runs)
    best["runs"] = [round(r["seconds"], 4) for r in runs]
    return best


def _bench_extract(name: str, workdir: Path, repeat: int) -> dict[str, Any]:
    source = DATA / name
    xml = workdir / (name.split(".")[0] + ".drivable.osm")
    ways, convert_s = _to_drivable_xml(source, xml)
    cache = workdir / "cache"
    project = _median_run(repeat, "project", str(source), str(cache))
    reload = _median_run(repeat, "reload", str(source), str(cache))
    osmnx = _median_run(repeat, "osmnx", str(xml))
    return {
        "extract": name,
        "bytes": source.stat().st_size,
        "drivable_ways": ways,
        "xml_conversion_s_excluded": round(convert_s, 3),
        "xml_bytes": xml.stat().st_size,
        "project": project,
        "reload": reload,
        "osmnx": osmnx,
        "speedup": osmnx["seconds"] / project["seconds"],
        "memory_ratio": project["peak_mb"] / osmnx["peak_mb"],
    }


def _markdown(results: list[dict[str, Any]], repeat: int) -> str:
    lines = [
        "# OSM import: project vs OSMnx 2.1.1",
        "",
        f"Machine: {platform.machine()}, {platform.system()}, Python {platform.python_version()}"
        f"; median of {repeat} run(s) per cell, each in a fresh process. Targets: project at "
        f"least {TARGETS['speedup']:g}x faster, at most 1/3 of OSMnx's peak memory, cached "
        f"reload under {TARGETS['reload_s']} s.",
        "",
        "OSMnx is timed on a pre-filtered OSM XML file (drivable ways and their nodes only); the "
        "PBF-to-XML conversion is excluded from its time and listed separately. Both sides: "
        "drivable ways, largest strongly connected component, simplification, lengths, speeds. "
        "Peak memory is the process's peak RSS, interpreter and libraries included; \"MB above "
        "imports\" subtracts the peak reached after importing the libraries, before the work. "
        "Module imports are outside the timed region for both tools.",
        "",
        "| extract | tool | seconds | peak MB | MB above imports | nodes | edges | km (directed) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for tool in ("project", "osmnx"):
            m = r[tool]
            lines.append(f"| {r['extract']} | {tool} | {m['seconds']:.3f} | {m['peak_mb']:.0f} "
                         f"| {m['peak_mb'] - m['baseline_mb']:.0f} | {m['nodes']:,} "
                         f"| {m['edges']:,} | {m['km']:,} |")
        rl = r["reload"]
        lines.append(f"| {r['extract']} | project, cached reload | {rl['seconds']:.4f} | "
                     f"{rl['peak_mb']:.0f} | {rl['peak_mb'] - rl['baseline_mb']:.0f} "
                     f"| {rl['nodes']:,} | {rl['edges']:,} | |")
    lines += ["", "| extract | speed-up (OSMnx s / project s) | peak memory (project / OSMnx) "
              "| reload s | XML conversion s (excluded) | targets met |",
              "|---|---:|---:|---:|---:|---|"]
    for r in results:
        met = (r["speedup"] >= TARGETS["speedup"] and r["memory_ratio"] <= TARGETS["memory_ratio"]
               and r["reload"]["seconds"] < TARGETS["reload_s"])
        lines.append(f"| {r['extract']} | {r['speedup']:.1f}x | {r['memory_ratio']:.2f} | "
                     f"{r['reload']['seconds']:.4f} | {r['xml_conversion_s_excluded']:.2f} | "
                     f"{'yes' if met else 'no'} |")
    lines += ["", "Node and edge counts differ because OSMnx keeps every OSM node where a way "
              "ends or meets another (and merges two-way roads differently), while the project "
              "contracts every node that offers no choice of route unless it marks a town or "
              "border post, and keeps roads split where speed, capacity or name change.", ""]
    return "\n".join(lines)


def main() -> None:
    """Run the comparison and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--extracts", nargs="+", default=list(EXTRACTS),
                        help="file names in data/osm/")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        results = []
        for name in args.extracts:
            results.append(_bench_extract(name, Path(tmp), args.repeat))
            r = results[-1]
            print(f"{name}: project {r['project']['seconds']:.2f} s / {r['project']['peak_mb']:.0f}"
                  f" MB, osmnx {r['osmnx']['seconds']:.2f} s / {r['osmnx']['peak_mb']:.0f} MB, "
                  f"reload {r['reload']['seconds']:.4f} s", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"targets": TARGETS, "repeat": args.repeat, "results": results}
    (RESULTS / "import.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "import.md").write_text(_markdown(results, args.repeat), encoding="utf-8")


def _child(argv: list[str]) -> None:
    kind, *rest = argv
    runners: dict[str, Callable[..., dict[str, Any]]] = {
        "project": _child_project, "reload": _child_reload, "osmnx": _child_osmnx}
    result = runners[kind](*rest)
    result["peak_mb"] = _peak_mb()
    print(json.dumps(result))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2:])
    else:
        main()
