"""The offline basemap: tile build time and size, a peer writer, and the dashboard's first render.

1. ``corridor tiles build`` (tippecanoe) on the 2022 schematic network and on the largest real
   extract in ``data/osm`` (Liechtenstein), timed and sized; a second build with the same
   inputs, which must be a no-op.
2. The peer: GDAL's own PMTiles writer (through pyogrio, which the project already depends on)
   writing the very same features, layer by layer (GDAL's PMTiles driver takes one layer per
   dataset through pyogrio), over the same zoom range; both outputs' sizes and times.
3. The dashboard's first render in headless Chromium (SwiftShader WebGL): from "Log in" to the
   panels filled, without a basemap, and with one until MapLibre is idle (tiles and labels
   drawn); the ratio of the two medians.

    nice -n 10 python bench/bench_tiles.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pyogrio
import shapely
from pyogrio.raw import write

from corridor.network.cache import load_network
from corridor.network.osm import NetworkSettings
from corridor.scenario import load_scenario
from corridor.tiles.build import MAX_ZOOM, SCHEMATIC_MAX_ZOOM, build_basemap, run_tippecanoe
from corridor.tiles.features import Layers, scenario_layers, write_layer

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
UKRAINE = ROOT / "scenarios" / "ukraine-2022-03-07.yaml"
ANDORRA = ROOT / "examples" / "andorra" / "scenario.yaml"
CHROMIUM = os.environ.get("CORRIDOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader",
                 "--use-angle=swiftshader", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def largest_extract() -> Path:
    """The largest OSM extract shipped in data/osm."""
    return max((ROOT / "data" / "osm").glob("*.osm*"), key=lambda p: p.stat().st_size)


def extract_scenario(directory: Path, extract: Path) -> Path:
    """The Andorra example pointed at ``extract``: the basemap reads only its network (the
    example's parties and areas are never resolved by a tile build)."""
    text = ANDORRA.read_text(encoding="utf-8").replace(
        "../../data/osm/andorra-latest.osm.pbf", str(extract))
    path = directory / f"{extract.name.split('.')[0]}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def ours(scenario: Path, directory: Path) -> dict[str, Any]:
    target = directory / f"{scenario.stem}.pmtiles"
    built = build_basemap(scenario, target, rebuild=True)
    again = build_basemap(scenario, target)
    assert again.cached, "a second build with the same inputs must be a no-op"
    return {"seconds": round(built.seconds, 2), "bytes": built.bytes,
            "features": built.features, "noop_seconds": round(again.seconds, 3)}


def gdal(layers: Layers, max_zoom: int, directory: Path) -> dict[str, Any]:
    """GDAL's PMTiles driver on the same features: one file per layer, timed together."""
    total, size, started = 0, 0, time.perf_counter()
    for name, features in layers.items():
        if not features:
            continue
        geometry = shapely.to_wkb(np.array([shapely.geometry.shape(f["geometry"])
                                            for f in features]))
        keys = sorted({k for f in features for k in f["properties"]})
        fields = [np.array([str(f["properties"].get(k, "")) for f in features], dtype=object)
                  for k in keys]
        target = directory / f"gdal-{name}.pmtiles"
        target.unlink(missing_ok=True)
        write(str(target), geometry, fields, keys, layer=name, driver="PMTiles",
              crs="EPSG:4326", geometry_type="Unknown",
              dataset_options={"MINZOOM": 0, "MAXZOOM": max_zoom})
        size += target.stat().st_size
        total += len(features)
    return {"seconds": round(time.perf_counter() - started, 2), "bytes": size,
            "features": total}


def tippecanoe_alone(layers: Layers, max_zoom: int, directory: Path) -> dict[str, Any]:
    """tippecanoe on the same features as GDAL gets, written out and tiled, without the reading
    of the scenario's data that a full build also does."""
    started = time.perf_counter()
    named = []
    for name, features in layers.items():
        if features:
            path = directory / f"{name}.geojsonl"
            write_layer(features, path)
            named.append(f"{name}:{path}")
    target = directory / "tippecanoe-alone.pmtiles"
    run_tippecanoe(target, named, description="", name="bench", attribution="",
                   max_zoom=max_zoom, output=target, progress=lambda _fraction: None)
    return {"seconds": round(time.perf_counter() - started, 2), "bytes": target.stat().st_size}


def build_figures(name: str, scenario: Path, directory: Path) -> dict[str, Any]:
    sc = load_scenario(scenario)
    network = load_network(sc.path(sc.network.source),
                           settings=NetworkSettings(simplify=sc.network.simplify,
                                                    keep_edges=sc.network.keep_edges))
    schematic = bool(network.meta.get("schematic"))
    max_zoom = SCHEMATIC_MAX_ZOOM if schematic else MAX_ZOOM
    project = ours(scenario, directory)
    layers = scenario_layers(sc, network)
    alone = tippecanoe_alone(layers, max_zoom, directory)
    peer = gdal(layers, max_zoom, directory)
    return {"name": name, "tippecanoe": project, "tippecanoe_alone": alone, "gdal": peer,
            "time_ratio": round(peer["seconds"] / alone["seconds"], 2),
            "size_ratio": round(peer["bytes"] / alone["bytes"], 2)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(*args: str) -> str:
    return subprocess.run([sys.executable, "-m", "corridor", *args], check=True,
                          capture_output=True, text=True).stdout


@contextmanager
def server(db: str, *extra: str) -> Iterator[str]:
    port = _free_port()
    with (Path(tempfile.gettempdir()) / f"bench-tiles-{port}.log").open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "corridor", "serve", "--db", db,
                                 "--port", str(port), "--scenario", str(UKRAINE), *extra],
                                stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    if httpx.get(f"{url}/openapi.json", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def first_render(url: str, token: str, basemap: bool, runs: int) -> list[float]:
    """Seconds from the click on "Log in" to the dashboard drawn (and the basemap idle)."""
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.goto(url + "/")
            page.get_by_label("Bearer token").fill(token)
            started = time.perf_counter()
            page.get_by_role("button", name="Log in").click()
            page.wait_for_selector("body[data-refreshed]", timeout=120_000)
            if basemap:
                page.wait_for_selector("#map .basemap[data-idle]", state="attached",
                                       timeout=120_000)
            times.append(time.perf_counter() - started)
            context.close()
        browser.close()
    return times


def render_figures(directory: Path, runs: int) -> dict[str, Any]:
    db = f"sqlite:///{directory / 'demo.db'}"
    _cli("admin", "seed-2022", "--db", db, "--scenario", str(UKRAINE))
    token = json.loads(_cli("admin", "user", "add", "bench", "--role", "observer", "--db", db,
                            "--json"))["token"]
    tiles = build_basemap(UKRAINE, directory / "ukraine.pmtiles").path
    with server(db) as url:
        without = first_render(url, token, False, runs)
    with server(db, "--basemap", str(tiles)) as url:
        with_basemap = first_render(url, token, True, runs)
    plain, drawn = statistics.median(without), statistics.median(with_basemap)
    return {"runs": runs, "without_s": [round(t, 2) for t in without],
            "with_basemap_s": [round(t, 2) for t in with_basemap],
            "median_without_s": round(plain, 2), "median_with_s": round(drawn, 2),
            "ratio": round(drawn / plain, 2)}


def report(builds: list[dict[str, Any]], render: dict[str, Any]) -> str:
    lines = ["# Offline basemap: tile build and first render", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), "
             f"Python {platform.python_version()}, GDAL {pyogrio.__gdal_version_string__}.", "",
             "## Tile build: tippecanoe (`corridor tiles build`) vs GDAL's PMTiles writer", "",
             "| data | features | full build s | no-op rebuild s | tippecanoe s | "
             "tippecanoe MB | GDAL s | GDAL MB | GDAL/tippecanoe time | GDAL/tippecanoe size |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for b in builds:
        t, a, g = b["tippecanoe"], b["tippecanoe_alone"], b["gdal"]
        lines.append(f"| {b['name']} | {sum(t['features'].values()):,} | {t['seconds']} | "
                     f"{t['noop_seconds']} | {a['seconds']} | {a['bytes'] / 1e6:.2f} | "
                     f"{g['seconds']} | {g['bytes'] / 1e6:.2f} | {b['time_ratio']}x | "
                     f"{b['size_ratio']}x |")
    lines += ["", "Full build: `corridor tiles build` from the scenario (network from its "
              "cache, places, borders, water and land use read, then tiled). tippecanoe and "
              "GDAL columns: the same features tiled over the same zooms, tippecanoe in one "
              "run, GDAL one file per layer (its PMTiles driver takes one layer per dataset "
              "through pyogrio).", "",
              "## Dashboard first render in Chromium (SwiftShader WebGL)", "",
              "| | median s | runs (s) |", "|---|---|---|",
              f"| without basemap | {render['median_without_s']} | {render['without_s']} |",
              f"| with basemap (MapLibre idle) | {render['median_with_s']} | "
              f"{render['with_basemap_s']} |", "",
              f"With the basemap the first render takes **{render['ratio']}x** as long.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-tiles-") as tmp:
        directory = Path(tmp)
        extract = largest_extract()
        builds = [build_figures("2022 schematic network", UKRAINE, directory),
                  build_figures(f"{extract.name}", extract_scenario(directory, extract),
                                directory)]
        render = render_figures(directory, args.runs)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "tiles.json").write_text(json.dumps({"builds": builds, "render": render},
                                                   indent=2) + "\n", encoding="utf-8")
    text = report(builds, render)
    (RESULTS / "tiles.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
