"""Field files of a command whose map is features, not routes: ``corridor situation diff``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import gpxpy
import pyogrio
import shapely
from pyogrio.raw import read as ogr_read

from tests.conftest import SCENARIO_DIR

SEED = SCENARIO_DIR / "ukraine-2022-03-07.yaml"


def test_situation_diff_writes_its_changes_to_gpx_kml_and_gpkg(tmp_path: Path) -> None:
    out = {ext: tmp_path / f"diff.{ext}" for ext in ("gpx", "kml", "gpkg")}
    run = subprocess.run([sys.executable, "-m", "corridor", "situation", "diff", str(SEED),
                          "--from", "2022-03-03", "--to", "2022-03-07", "--geojson",
                          *(x for ext, path in out.items() for x in (f"--{ext}", str(path)))],
                         capture_output=True, text=True, check=False, timeout=900)
    assert run.returncode == 0, run.stderr
    features = json.loads(run.stdout)["features"]
    areas = [f for f in features if f["geometry"]["type"].endswith("Polygon")]
    points = [f for f in features if f["geometry"]["type"] == "Point"]
    assert areas and points
    gpx = gpxpy.parse(out["gpx"].read_text(encoding="utf-8"))
    assert sorted((w.name, w.type) for w in gpx.waypoints) == sorted(
        (f["properties"]["name"], f["properties"]["kind"]) for f in points)
    for path in (out["kml"], out["gpkg"]):
        assert pyogrio.list_layers(path)[:, 0].tolist() == ["routes", "areas", "places"]
        meta, _, wkb, columns = ogr_read(path, layer="areas")
        kinds = dict(zip(meta["fields"], columns, strict=True))["kind"].tolist()
        assert kinds == [f["properties"]["kind"] for f in areas]
        drawn = shapely.from_wkb(wkb)
        for got, feature in zip(drawn, areas, strict=True):
            want = shapely.geometry.shape(feature["geometry"])
            assert shapely.symmetric_difference(got, want).area < 1e-6 * want.area
