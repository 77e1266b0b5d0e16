"""Hazard-aware routing against its peers: the project's CCH router, Valhalla and OSRM (MLD).

On each real OSM extract a few squares are drawn across the main roads as one hazard polygon
that routes must not enter. The same random origin/destination pairs (node coordinates of the
project's network, away from the hazard) are then answered by

- the project: ``Router`` (CCH), fastest mode, every edge with any length inside the polygon at
  ``+inf`` through a :class:`~corridor.situation.HazardZone`-annotated situation;
- Valhalla: ``auto`` costing with the polygon as ``exclude_polygons`` (per request);
- OSRM MLD: every OSM segment crossing the polygon at speed 0 (``--segment-speed-file``), then
  ``osrm-customize`` and a reload.

These are the same semantics: a road touching the polygon is unusable. Peers run from their
PyPI wheels (CPython 3.12 only) in ``bench/.venv312``, created here when missing, through
``bench/peer_engines.py``. All engines answer in-process through their Python API and every
query is timed alike: ``time.perf_counter`` around one call returning the route with its path
or geometry, one at a time in a single-threaded loop, after 20 warm-up calls (Valhalla, which
loads tiles lazily: after one untimed pass over all pairs). Also measured:
the cost of a situation change in each engine, how many routes enter the polygon, and how well
route lengths agree. Writes ``bench/results/peers.md`` and ``peers.json``.

    python bench/bench_peers.py                       # Liechtenstein, Monaco, Heidelberg
    python bench/bench_peers.py --pairs 500 --extracts monaco.osm.pbf
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import osmium
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from corridor.geodesy import LocalProjection
from corridor.network.cache import load_network
from corridor.network.graph import ROAD_CLASSES, RoadNetwork
from corridor.routing import Mode, Router, edge_weights
from corridor.situation import ControlMap, HazardZone, annotate

ROOT = Path(__file__).resolve().parent.parent
EXTRACTS = ("liechtenstein-latest.osm.pbf", "monaco.osm.pbf", "heidelberg.test.osm.pbf")
PEER_VENV = ROOT / "bench" / ".venv312"
PEER_SCRIPT = ROOT / "bench" / "peer_engines.py"
PEER_PINS = {"osrm-bindings": "26.10.0", "pyvalhalla": "3.9.1"}
WORK = ROOT / "bench" / ".work" / "peers"
BASE, HAZARD = "fastest", "fastest/hazard"
#: Hazard squares per extract, and their side as a share of the extract's diagonal (clamped).
SQUARES, SIDE_SHARE, SIDE_RANGE_M = 4, 0.03, (200.0, 600.0)
#: A route "enters" the polygon when more than this much of its line lies inside; below it is
#: the rounding of the peers' 6-decimal geometry at a boundary.
ENTRY_TOLERANCE_M = 1.0
TARGETS = {"speedup_vs_valhalla_polygons": 10.0}
ENGINES = ("project", "valhalla", "osrm")


def _timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def _ms_stats(seconds: list[float]) -> dict[str, float]:
    ms = np.array(seconds) * 1000.0
    return {"n": len(ms), "p50_ms": float(np.percentile(ms, 50)),
            "p99_ms": float(np.percentile(ms, 99)), "mean_ms": float(ms.mean())}


# -- the peers' interpreter -----------------------------------------------------------------------
def _python312(explicit: str | None) -> str | None:
    """A CPython 3.12 to build the peers' venv with: given, on PATH, or from pyenv."""
    if explicit:
        return explicit
    pyenv = sorted(glob.glob(str(Path.home() / ".pyenv" / "versions" / "3.12*" / "bin" / "python")))
    # A pyenv shim named python3.12 may sit on PATH and refuse to run; try before trusting it.
    for candidate in filter(None, [shutil.which("python3.12"), *reversed(pyenv)]):
        if subprocess.run([candidate, "-c", "pass"], capture_output=True).returncode == 0:
            return candidate
    return None


def peer_python(explicit: str | None) -> tuple[Path | None, str]:
    """The venv interpreter with the pinned peers installed, or ``None`` and the reason."""
    python = PEER_VENV / "bin" / "python"
    pins = [f"{name}=={v}" for name, v in PEER_PINS.items()]
    check = ("import importlib.metadata as m, osrm, valhalla; "
             f"print(' '.join(m.version(n) for n in {list(PEER_PINS)!r}))")
    try:
        if not python.exists():
            base = _python312(explicit)
            if base is None:
                return None, "no CPython 3.12 found (the peers' wheels are cp312 only)"
            subprocess.run([base, "-m", "venv", str(PEER_VENV)], check=True,
                           capture_output=True, text=True)
        found = subprocess.run([python, "-c", check], capture_output=True, text=True)
        if found.stdout.split() != list(PEER_PINS.values()):
            subprocess.run([python, "-m", "pip", "install", "--quiet", *pins], check=True,
                           capture_output=True, text=True)
            found = subprocess.run([python, "-c", check], capture_output=True, text=True,
                                   check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        return None, detail.strip().splitlines()[-1][:300]
    return python, " / ".join(pins)


# -- the hazard ------------------------------------------------------------------------------------
def hazard_polygon(net: RoadNetwork) -> tuple[MultiPolygon, float]:
    """``SQUARES`` squares centred on main-road nodes spread along the extract's longer axis.

    Centres sit at evenly spaced quantiles of the main roads' nodes along that axis, so each
    square cuts a main road and together they split traffic across the whole extract.
    """
    projection = LocalProjection.for_bounds(net.bbox)
    x, y = projection.forward(net.node_lon, net.node_lat)
    diagonal = float(np.hypot(np.ptp(x), np.ptp(y)))
    side = float(np.clip(SIDE_SHARE * diagonal, *SIDE_RANGE_M))
    main_class = ROAD_CLASSES.index("secondary")
    nodes = np.unique(net.tail[net.road_class <= main_class])
    if len(nodes) < SQUARES:
        nodes = np.arange(net.n_nodes)
    along = x[nodes] if np.ptp(x) >= np.ptp(y) else y[nodes]
    chosen = nodes[np.argsort(along, kind="stable")][
        (np.arange(1, SQUARES + 1) / (SQUARES + 1) * len(nodes)).astype(int)]
    squares = [box(x[n] - side / 2, y[n] - side / 2, x[n] + side / 2, y[n] + side / 2)
               for n in chosen]
    polygon = projection.to_lonlat(shapely.union_all(squares))
    parts = [p for p in shapely.get_parts(polygon) if isinstance(p, Polygon)]
    return MultiPolygon(parts), side


def _rings(polygon: MultiPolygon) -> list[list[list[float]]]:
    """Exterior rings as ``[[lon, lat], ...]``, Valhalla's ``exclude_polygons`` format."""
    return [[[float(a), float(b)] for a, b in p.exterior.coords] for p in polygon.geoms]


class OsmSegments:
    """Every consecutive node pair of the extract's highways, indexed for polygon queries.

    OSRM closes segments by OSM node ids, so mapping a polygon to closures needs the raw ways,
    not the project's simplified network. Built once per extract, like any engine's index.
    """

    def __init__(self, pbf: Path) -> None:
        ids: list[int] = []
        lon: list[float] = []
        lat: list[float] = []
        starts = []
        processor = osmium.FileProcessor(str(pbf), osmium.osm.NODE | osmium.osm.WAY)
        for way in processor.with_locations().with_filter(osmium.filter.KeyFilter("highway")):
            if not way.is_way() or len(way.nodes) < 2:
                continue
            starts.append(len(ids))
            for node in way.nodes:
                ids.append(node.ref)
                lon.append(node.lon if node.location.valid() else np.nan)
                lat.append(node.lat if node.location.valid() else np.nan)
        first = np.ones(len(ids), dtype=bool)
        first[starts] = False
        head = np.flatnonzero(first)
        tail = head - 1
        coords = np.column_stack([lon, lat])
        ok = np.isfinite(coords[tail]).all(axis=1) & np.isfinite(coords[head]).all(axis=1)
        tail, head = tail[ok], head[ok]
        self.from_id = np.asarray(ids, dtype=np.int64)[tail]
        self.to_id = np.asarray(ids, dtype=np.int64)[head]
        self.tree = shapely.STRtree(shapely.linestrings(
            np.stack([coords[tail], coords[head]], axis=1)))

    def write_closures(self, polygon: MultiPolygon, path: Path) -> int:
        """OSRM's speed file closing every segment that touches ``polygon``, both ways."""
        hit = self.tree.query(polygon, predicate="intersects")
        a, b = self.from_id[hit], self.to_id[hit]
        lines = [f"{u},{v},0\n" for u, v in zip(np.concatenate([a, b]).tolist(),
                                                np.concatenate([b, a]).tolist(), strict=True)]
        path.write_text("".join(lines))
        return len(hit)


# -- checks ----------------------------------------------------------------------------------------
def decode_polyline6(text: str) -> npt.NDArray[np.float64]:
    """``(k, 2)`` lon/lat of a Google polyline with 6 decimals (OSRM's and Valhalla's shape)."""
    values, shift, result = [], 0, 0
    for char in text:
        byte = ord(char) - 63
        result |= (byte & 0x1F) << shift
        shift += 5
        if byte < 0x20:
            values.append(~(result >> 1) if result & 1 else result >> 1)
            shift, result = 0, 0
    lat_lon = np.cumsum(np.array(values, dtype=np.float64).reshape(-1, 2), axis=0) / 1e6
    return lat_lon[:, ::-1]


class HazardCheck:
    """Metres of a route line inside the hazard polygon, measured on the network's plane."""

    def __init__(self, net: RoadNetwork, polygon: MultiPolygon) -> None:
        self.projection = LocalProjection.for_bounds(net.bbox)
        self.polygon = self.projection.to_metric(polygon)
        shapely.prepare(self.polygon)

    def inside_m(self, lonlat: npt.NDArray[np.float64]) -> float:
        if len(lonlat) < 2:
            return 0.0
        x, y = self.projection.forward(lonlat[:, 0], lonlat[:, 1])
        line = shapely.linestrings(np.column_stack([x, y]))
        if not self.polygon.intersects(line):
            return 0.0
        return float(shapely.length(shapely.intersection(line, self.polygon)))


def _route_lonlat(net: RoadNetwork, edges: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    if len(edges) == 0:
        return np.zeros((0, 2))
    return np.concatenate([net.edge_coords(int(e)) for e in edges])


def _entries(check: HazardCheck, lines: list[npt.NDArray[np.float64] | None]) -> int:
    return sum(line is not None and check.inside_m(line) > ENTRY_TOLERANCE_M for line in lines)


def _agreement(ref: list[float | None], other: list[float | None],
               both: npt.NDArray[np.bool_]) -> dict[str, float]:
    """Relative length difference to the project's routes on the pairs every engine answered."""
    a = np.array([r for r, k in zip(ref, both, strict=True) if k], dtype=np.float64)
    b = np.array([o for o, k in zip(other, both, strict=True) if k], dtype=np.float64)
    rel = np.abs(b - a) / np.maximum(a, 1.0)
    if len(rel) == 0:
        return {"median": float("nan"), "p90": float("nan"), "within_1pct": 0.0}
    return {"median": float(np.median(rel)), "p90": float(np.percentile(rel, 90)),
            "within_1pct": float(np.mean(rel <= 0.01))}


# -- the project -----------------------------------------------------------------------------------
def project_run(net: RoadNetwork, zone: HazardZone, pairs: npt.NDArray[np.int64],
                rounds: int) -> dict[str, Any]:
    """Setup, situation change and both query passes of the project's router."""
    base, t_annotate = _timed(annotate, net, ControlMap({}))
    router, t_build = _timed(Router, net)
    base_w = edge_weights(net, base, mode=Mode.FASTEST)
    _, t_custom = _timed(router.customize, BASE, base_w)
    router.customize(HAZARD, base_w)
    changes = []
    for _ in range(rounds):
        router.customize(HAZARD, base_w)
        situation, t_ann = _timed(base.with_hazards, [zone])
        weights, t_w = _timed(edge_weights, net, situation, mode=Mode.FASTEST)
        start = time.perf_counter()
        weights[situation.total_exposure_km > 0] = np.inf
        t_w += time.perf_counter() - start
        _, t_c = _timed(router.customize, HAZARD, weights, excluded="the hazard polygon")
        changes.append({"annotate_s": t_ann, "weights_s": t_w, "customize_s": t_c,
                        "total_s": t_ann + t_w + t_c})
    out: dict[str, Any] = {
        "setup_s": {"annotate": t_annotate, "cch_preprocessing": t_build, "customize": t_custom},
        "change": {k: float(np.median([c[k] for c in changes])) for k in changes[0]},
        "arcs_excluded": int(np.count_nonzero(~np.isfinite(router.weights(HAZARD)))),
    }
    for label, metric in (("base", BASE), ("hazard", HAZARD)):
        for s, t in pairs[:20].tolist():
            router.path(s, t, metric)
        seconds, lengths, lines = [], [], []
        for s, t in pairs.tolist():
            path, dt = _timed(router.path, s, t, metric)
            seconds.append(dt)
            lengths.append(None if path is None else float(net.length_m[path.edges].sum()))
            lines.append(None if path is None else _route_lonlat(net, path.edges))
        out[label] = {"seconds": seconds, "length_m": lengths, "lines": lines}
    return out


def _pairs(net: RoadNetwork, zone: HazardZone, n: int,
           rng: np.random.Generator) -> npt.NDArray[np.int64]:
    """Random distinct node pairs, no node on an edge the hazard touches."""
    touched = annotate(net, ControlMap({}), [zone]).total_exposure_km > 0
    near = np.zeros(net.n_nodes, dtype=bool)
    near[net.tail[touched]] = True
    near[net.head[touched]] = True
    allowed = np.flatnonzero(~near)
    pairs = rng.choice(allowed, size=(n * 2, 2))
    return pairs[pairs[:, 0] != pairs[:, 1]][:n]


# -- one extract -----------------------------------------------------------------------------------
def _peers_run(python: Path, pbf: Path, work: Path, job: dict[str, Any],
               timeout_s: float) -> dict[str, Any]:
    """Run the peers' script on one extract; ``{"error": ...}`` if it fails."""
    work.mkdir(parents=True, exist_ok=True)
    job_path, result_path = work / "job.json", work / "result.json"
    job_path.write_text(json.dumps({"pbf": str(pbf), "work": str(work), **job}))
    result_path.unlink(missing_ok=True)
    try:
        subprocess.run([str(python), str(PEER_SCRIPT), str(job_path), str(result_path)],
                       check=True, capture_output=True, text=True, timeout=timeout_s)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = (getattr(exc, "stderr", None) or str(exc)).strip().splitlines()
        return {"error": (detail[-1] if detail else repr(exc))[:300]}
    result: dict[str, Any] = json.loads(result_path.read_text())
    return result


def bench_extract(pbf: Path, python: Path | None, args: argparse.Namespace) -> dict[str, Any]:
    name = pbf.name.split(".")[0].split("-")[0]
    net, t_load = _timed(load_network, pbf)
    print(f"[{name}] {net.n_nodes:,} nodes, {net.n_edges:,} arcs", flush=True)
    polygon, side = hazard_polygon(net)
    zone = HazardZone("hazard", "high", polygon)
    rng = np.random.default_rng(args.seed)
    pairs = _pairs(net, zone, args.pairs, rng)
    project = project_run(net, zone, pairs, args.rounds)
    print(f"[{name}] project done", flush=True)
    check = HazardCheck(net, polygon)
    result: dict[str, Any] = {
        "nodes": net.n_nodes, "arcs": net.n_edges, "pairs": len(pairs),
        "hazard": {"squares": len(polygon.geoms), "side_m": side,
                   "arcs_excluded": project["arcs_excluded"],
                   "geojson": shapely.geometry.mapping(polygon)},
        "setup_s": {"project": {"load_network": t_load, **project["setup_s"]}},
        "change_s": {"project": project["change"]},
    }
    answers: dict[str, dict[str, Any]] = {"project": project}
    if python is not None:
        segments, t_index = _timed(OsmSegments, pbf)
        closures = WORK / name / "closures.csv"
        closures.parent.mkdir(parents=True, exist_ok=True)
        writes = [_timed(segments.write_closures, polygon, closures) for _ in range(args.rounds)]
        result["hazard"]["osm_segments_closed"] = writes[0][0]
        coords = np.column_stack([net.node_lon[pairs[:, 0]], net.node_lat[pairs[:, 0]],
                                  net.node_lon[pairs[:, 1]], net.node_lat[pairs[:, 1]]])
        peers = _peers_run(python, pbf, WORK / name, {
            "pairs": coords.tolist(), "polygons": _rings(polygon), "closures": str(closures),
            "rounds": args.rounds}, args.peer_timeout)
        if "error" in peers:
            print(f"[{name}] peers failed: {peers['error']}", flush=True)
            result["peers_error"] = peers["error"]
        else:
            print(f"[{name}] peers done", flush=True)
            result["versions"] = peers["versions"]
            result["setup_s"]["osrm"] = {**peers["osrm_setup"], "segment_index": t_index}
            result["setup_s"]["valhalla"] = peers["valhalla_setup"]
            osrm_change = {
                "closures_file_s": float(np.median([t for _, t in writes])),
                **{k: float(np.median([c[k] for c in peers["osrm_change"]]))
                   for k in peers["osrm_change"][0]}}
            osrm_change["total_s"] = sum(osrm_change.values())
            result["change_s"]["osrm"] = osrm_change
            for peer in ("valhalla", "osrm"):
                answers[peer] = {}
                for label in ("base", "hazard"):
                    run = peers[f"{peer}_{label}"]
                    answers[peer][label] = {
                        "seconds": run["seconds"], "length_m": run["length_m"],
                        "lines": [None if s is None else decode_polyline6(s)
                                  for s in run["polyline6"]]}
    result["queries"] = {engine: {label: {**_ms_stats(a[label]["seconds"]),
                                          "routes": sum(x is not None
                                                        for x in a[label]["length_m"]),
                                          "enter_hazard": _entries(check, a[label]["lines"])}
                                  for label in ("base", "hazard")}
                         for engine, a in answers.items()}
    q = result["queries"]
    result["speedup"] = {peer: {label: {"p50": q[peer][label]["p50_ms"]
                                        / q["project"][label]["p50_ms"],
                                        "p99": q[peer][label]["p99_ms"]
                                        / q["project"][label]["p99_ms"]}
                                for label in ("base", "hazard")}
                         for peer in answers if peer != "project"}
    if len(answers) == len(ENGINES):
        both = np.array([all(answers[e]["hazard"]["length_m"][i] is not None for e in ENGINES)
                         for i in range(len(pairs))])
        ref = answers["project"]["hazard"]["length_m"]
        result["agreement"] = {"pairs_all_answer": int(both.sum()), **{
            peer: _agreement(ref, answers[peer]["hazard"]["length_m"], both)
            for peer in ("valhalla", "osrm")}}
    return result


# -- report ----------------------------------------------------------------------------------------
def _markdown(results: dict[str, Any]) -> str:
    graphs = results["extracts"]
    lines = [
        "# Hazard-aware routing against Valhalla and OSRM",
        "",
        f"Machine: {results['machine']}. Peers: {results['peers']}.",
        "",
        f"A hazard polygon of {SQUARES} squares across each extract's main roads must not be "
        "entered. Same random pairs (node coordinates of the project's network, no node on an "
        "edge the hazard touches) for every engine. Project: `Router` (CCH), fastest mode, "
        "edges with any length inside the polygon at +inf via a `HazardZone`-annotated "
        "situation. Valhalla: `auto`, `exclude_polygons`. OSRM: MLD, car profile, every OSM "
        "segment touching the polygon at speed 0 (`--segment-speed-file`) + `osrm-customize`.",
        "",
        "Every query is timed the same way: in-process through the engine's Python API "
        "(project on 3.11; Valhalla `Actor.route` and OSRM `OSRM.Route` in one 3.12 process), "
        "`perf_counter` around one call returning the route with its path (project: node and "
        "edge ids) or full polyline6 geometry (peers, JSON decoding included), one query at a "
        "time, 20 warm-up calls first (Valhalla, which reads tiles lazily: one untimed pass over "
        "all pairs). OSRM reads its whole graph into memory on (re)load (no mmap).",
        f"Target: project >= {TARGETS['speedup_vs_valhalla_polygons']:.0f}x faster than "
        "Valhalla with polygons (p50).",
        "",
        "## Queries with the hazard (ms per query)",
        "",
        "| extract | nodes | pairs | project p50 / p99 | Valhalla p50 / p99 | OSRM p50 / p99 "
        "| Valhalla / project (p50, p99) | OSRM / project (p50, p99) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in graphs.items():
        q, s = r["queries"], r["speedup"]
        cells = [f"{q[e]['hazard']['p50_ms']:.3f} / {q[e]['hazard']['p99_ms']:.3f}"
                 if e in q else "n/a" for e in ENGINES]
        ratios = [f"**{s[p]['hazard']['p50']:.0f}x**, {s[p]['hazard']['p99']:.0f}x"
                  if p in s else "n/a" for p in ("valhalla", "osrm")]
        lines.append(f"| {name} | {r['nodes']:,} | {r['pairs']} | {' | '.join(cells)} "
                     f"| {' | '.join(ratios)} |")
    lines += ["", "Without the hazard (p50 ms): "
              + "; ".join(f"{name}: " + ", ".join(
                  f"{e} {r['queries'][e]['base']['p50_ms']:.3f}"
                  for e in ENGINES if e in r["queries"]) for name, r in graphs.items()) + ".",
              "", "## Situation change: the hazard polygon appears (s, median of "
              f"{results['rounds']})", "",
              "| extract | project: annotate + weights + customize = total "
              "| OSRM: closures file + customize + reload = total "
              "| Valhalla: per request (p50 with - without polygon) |",
              "|---|---|---|---|"]
    for name, r in graphs.items():
        p, o, q = r["change_s"]["project"], r["change_s"].get("osrm"), r["queries"]
        osrm = (f"{o['closures_file_s']:.3f} + {o['customize_s']:.3f} + {o['reload_s']:.3f} "
                f"= **{o['total_s']:.3f}**" if o else "n/a")
        valhalla = "n/a"
        if "valhalla" in q:
            extra = q["valhalla"]["hazard"]["p50_ms"] - q["valhalla"]["base"]["p50_ms"]
            valhalla = f"none; {extra:+.2f} ms per query"
        lines.append(f"| {name} | {p['annotate_s']:.4f} + {p['weights_s']:.4f} + "
                     f"{p['customize_s']:.4f} = **{p['total_s']:.4f}** | {osrm} | {valhalla} |")
    lines += ["", "## Agreement", "",
              f"Routes entering the polygon (> {ENTRY_TOLERANCE_M:g} m of the route line "
              "inside it), with the hazard and, in brackets, without; routes found; length "
              "difference to the project's route (|peer - project| / project) on the pairs all "
              "three engines answer with the hazard.", "",
              "| extract | enter: project | enter: Valhalla | enter: OSRM | routes found "
              "(project / Valhalla / OSRM) | pairs all answer | length diff vs Valhalla "
              "(median, p90, within 1 %) | vs OSRM |",
              "|---|---|---|---|---|---|---|---|"]
    for name, r in graphs.items():
        q, a = r["queries"], r.get("agreement")
        enter = [f"{q[e]['hazard']['enter_hazard']} ({q[e]['base']['enter_hazard']})"
                 if e in q else "n/a" for e in ENGINES]
        found = " / ".join(str(q[e]["hazard"]["routes"]) if e in q else "n/a" for e in ENGINES)
        diffs = [f"{a[p]['median']:.2%}, {a[p]['p90']:.2%}, {a[p]['within_1pct']:.0%}"
                 if a else "n/a" for p in ("valhalla", "osrm")]
        lines.append(f"| {name} | {' | '.join(enter)} | {found} "
                     f"| {a['pairs_all_answer'] if a else 'n/a'} | {' | '.join(diffs)} |")
    lines += ["", "## Setup (s)", "",
              "| extract | hazard | project: load network / CCH preprocessing / customize "
              "| OSRM: extract / partition / customize | Valhalla: build tiles |",
              "|---|---|---|---|---|"]
    for name, r in graphs.items():
        p, o, v, h = (r["setup_s"]["project"], r["setup_s"].get("osrm"),
                      r["setup_s"].get("valhalla"), r["hazard"])
        hazard = (f"{h['squares']} squares of {h['side_m']:.0f} m, {h['arcs_excluded']} arcs"
                  + (f", {h['osm_segments_closed']} OSM segments" if o else ""))
        osrm = (f"{o['extract_s']:.2f} / {o['partition_s']:.2f} / {o['customize_s']:.2f}"
                if o else "n/a")
        tiles = f"{v['build_tiles_s']:.2f}" if v else "n/a"
        lines.append(f"| {name} | {hazard} | {p['load_network']:.2f} / "
                     f"{p['cch_preprocessing']:.2f} / {p['customize']:.4f} | {osrm} "
                     f"| {tiles} |")
    errors = {name: r["peers_error"] for name, r in graphs.items() if "peers_error" in r}
    if errors:
        lines += ["", "Peers failed on: " + "; ".join(f"{k}: {v}" for k, v in errors.items())]
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extracts", nargs="+", default=list(EXTRACTS),
                        help="file names in data/osm/")
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="situation changes timed")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--python312", help="CPython 3.12 for the peers' venv")
    parser.add_argument("--peer-timeout", type=float, default=300.0,
                        help="seconds the peers may take per extract")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()

    python, peers = peer_python(args.python312)
    print(f"peers: {peers}", flush=True)
    extracts = {}
    for extract in args.extracts:
        path = ROOT / "data" / "osm" / extract
        if not path.exists():
            print(f"skipping {extract}: not in data/osm/")
            continue
        extracts[extract.split(".")[0].split("-")[0]] = bench_extract(path, python, args)
    results = {"machine": f"{os.cpu_count()} cores {platform.machine()}, "
                          f"Python {platform.python_version()}",
               "peers": peers if python is not None else f"unavailable ({peers})",
               "rounds": args.rounds, "targets": TARGETS, "extracts": extracts}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "peers.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "peers.md").write_text(_markdown(results))
    print(_markdown(results))


if __name__ == "__main__":
    main()
