"""Read a 50,000-polygon control layer and annotate a million-edge network with it.

The project's path (``pyogrio`` through :func:`corridor.situation.layers.read_layer`) is timed
side by side with the hand-written one a user would otherwise write: ``json`` to parse the
GeoJSON and ``shapely.geometry.shape`` per feature, with the same checks (geometry type, valid
rings, lon/lat range, every value mapped). Both feed the same control map and annotation, and the
per-edge territories they give must be identical.

    nice -n 19 python bench/bench_layers.py --polygons 50000 --nodes 400000
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape

from corridor.network.graph import RoadNetwork
from corridor.network.synthetic import road_like_grid
from corridor.situation import ControlMap, annotate
from corridor.situation.layers import FromProperty, read_layer
from corridor.situation.planar import polygonal

RESULTS = Path(__file__).resolve().parent / "results"
SIDES = {"ru": "RU-held", "ua": "UA", "contested": "contested"}


def control_layer(path: Path, network: RoadNetwork, count: int) -> None:
    """``count`` cells tiling the network's box, 8 vertices each, every tenth with a hole.

    Holders run in diagonal bands, so each holder's area is many touching cells, as on a real
    control map digitised cell by cell.
    """
    lon0, lat0, lon1, lat1 = network.bbox
    cols = int(np.ceil(np.sqrt(count * (lon1 - lon0) / (lat1 - lat0))))
    rows = int(np.ceil(count / cols))
    xs, ys = np.linspace(lon0, lon1, 2 * cols + 1), np.linspace(lat0, lat1, 2 * rows + 1)
    dx, dy = xs[2] - xs[0], ys[2] - ys[0]
    sides = list(SIDES)
    features = []
    for k in range(count):
        i, j = divmod(k, cols)
        # neighbouring cells share their edge vertices exactly, as a digitised map's should
        (x, xm, x1), (y, ym, y1) = xs[2 * j:2 * j + 3].tolist(), ys[2 * i:2 * i + 3].tolist()
        ring = [[x, y], [xm, y], [x1, y], [x1, ym], [x1, y1], [xm, y1], [x, y1], [x, ym], [x, y]]
        rings = [ring]
        if k % 10 == 0:
            cx, cy, hx, hy = xm, ym, dx / 8, dy / 8
            rings.append([[cx - hx, cy - hy], [cx - hx, cy + hy], [cx + hx, cy + hy],
                          [cx + hx, cy - hy], [cx - hx, cy - hy]])
        features.append({"type": "Feature",
                         "properties": {"side": sides[((i + j) // 25) % 3], "cell": k},
                         "geometry": {"type": "Polygon", "coordinates": rings}})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                    encoding="utf-8")


def read_project(path: Path) -> dict[str, list[Any]]:
    layer = read_layer(path, kind="polygon", field="control.polygons[0]",
                       labels={"holder": FromProperty("side", SIDES)})
    return layer.grouped("holder")


def read_handwritten(path: Path) -> dict[str, list[Any]]:
    """json + shapely, with the checks the project makes."""
    with open(path, encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    geometries = np.array([shape(f["geometry"]) for f in features], dtype=object)
    if not np.isin(shapely.get_type_id(geometries), (3, 6)).all():
        raise ValueError("not polygons")
    if not shapely.is_valid(geometries).all():
        raise ValueError("invalid polygon")
    bounds = shapely.bounds(geometries)
    if (np.abs(bounds[:, [0, 2]]) > 180).any() or (np.abs(bounds[:, [1, 3]]) > 90).any():
        raise ValueError("outside lon/lat")
    out: dict[str, list[Any]] = {}
    for feature, geometry in zip(features, geometries, strict=True):
        out.setdefault(SIDES[feature["properties"]["side"]], []).append(geometry)
    return out


def _control(grouped: dict[str, list[Any]]) -> ControlMap:
    return ControlMap.from_areas({h: polygonal(shapely.union_all(parts))
                                  for h, parts in grouped.items()}, field="control.polygons")


def _median(runs: int, read: Callable[[Path], dict[str, list[Any]]], path: Path,
            ) -> tuple[float, float, dict[str, list[Any]]]:
    """Median wall-clock and CPU seconds of ``runs`` reads (CPU time is steadier under load)."""
    wall, cpu, grouped = [], [], {}
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        grouped = read(path)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu), grouped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--polygons", type=int, default=50_000)
    parser.add_argument("--nodes", type=int, default=400_000, help="about 2.5 edges per node")
    parser.add_argument("--runs", type=int, default=3, help="reads timed per path (median)")
    args = parser.parse_args()

    network = road_like_grid(args.nodes, seed=7)
    # the edges' planar index is built on first use and kept: build it before either path
    annotate(network, ControlMap.from_areas({"x": shapely.box(*network.bbox)}, field="warm-up"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "control.geojson"
        control_layer(path, network, args.polygons)
        megabytes = path.stat().st_size / 1e6
        rows = {}
        labels = {}
        for name, read in (("project (pyogrio)", read_project),
                           ("hand-written (json + shapely)", read_handwritten)):
            read_s, read_cpu_s, grouped = _median(args.runs, read, path)
            t0 = time.perf_counter()
            control = _control(grouped)
            t1 = time.perf_counter()
            situation = annotate(network, control)
            t2 = time.perf_counter()
            labels[name] = [situation.territories[i] if i >= 0 else ""
                            for i in situation.edge_territory]
            rows[name] = {"read_s": read_s, "read_cpu_s": read_cpu_s, "control_s": t1 - t0,
                          "annotate_s": t2 - t1,
                          "total_s": read_s + (t2 - t0),
                          "polygons": sum(len(v) for v in grouped.values())}
            print(name, {k: round(v, 3) for k, v in rows[name].items()}, flush=True)
    project, peer = rows.values()
    first, second = labels.values()
    assert first == second, "the two paths disagree on some edge's territory"
    report = {"machine": f"{platform.machine()}, {platform.system()}, Python "
                         f"{platform.python_version()}",
              "edges": network.n_edges, "polygons": args.polygons, "file_mb": round(megabytes, 1),
              "runs": args.runs, "paths": rows,
              "read_ratio": peer["read_s"] / project["read_s"],
              "read_cpu_ratio": peer["read_cpu_s"] / project["read_cpu_s"],
              "total_ratio": peer["total_s"] / project["total_s"]}
    (RESULTS / "layers.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    (RESULTS / "layers.md").write_text(_markdown(report), encoding="utf-8")
    print(json.dumps(report, indent=1))


def _markdown(report: dict[str, Any]) -> str:
    rows = "\n".join(f"| {name} | {r['read_s']:.2f} | {r['read_cpu_s']:.2f} | "
                     f"{r['control_s']:.2f} | "
                     f"{r['annotate_s']:.2f} | {r['total_s']:.2f} |"
                     for name, r in report["paths"].items())
    return f"""# Control layers from files: pyogrio vs json + shapely

Machine: {report['machine']}; a GeoJSON control layer of {report['polygons']:,} polygons
({report['file_mb']} MB; 8 vertices each, every tenth with a hole, three holders in diagonal
bands) over a synthetic road-like network of {report['edges']:,} directed edges
(`road_like_grid`). Reading is the median of {report['runs']} reads; both paths then build the
same control map (union per holder) and annotate the network with it, and must give every edge
the same territory. The hand-written peer parses the file with `json` and builds each polygon
with `shapely.geometry.shape`, with the same checks (geometry type, valid rings, lon/lat range,
every value mapped). Wall-clock seconds on a shared, loaded machine: compare the ratios.

| path | read s | read CPU s | control map s | annotate s | total s |
|---|---:|---:|---:|---:|---:|
{rows}

Reading, peer / project: {report['read_ratio']:.2f}x wall-clock, {report['read_cpu_ratio']:.2f}x CPU
time; read + control map + annotate, peer /
project: {report['total_ratio']:.2f}x. The union per holder and the annotation, the same for
both paths, take most of the time; the reader's share is what the two paths differ in.
"""


if __name__ == "__main__":
    main()
