"""Field files of a command whose map is features, not routes (``corridor situation diff``), and
the words field files carry for people, in the active language."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import gpxpy
import pyogrio
import shapely
from pyogrio.raw import read as ogr_read

from corridor.i18n import use_language
from corridor.negotiation.search import Negotiation
from corridor.report.fieldfiles import gpx_text, kml_text
from corridor.report.fieldmap import negotiation_field_map
from corridor.world import World
from tests.conftest import SCENARIO_DIR
from tests.test_example_andorra import result, world

__all__ = ["result", "world"]  # the example's module fixtures, shared rather than rebuilt

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


def test_field_files_describe_routes_in_the_active_language_and_keep_their_keys(
        world: World, result: Negotiation) -> None:
    with use_language("uk"):
        fmap = negotiation_field_map(world, result)
        gpx = gpxpy.parse(gpx_text(fmap))
        kml = ET.fromstring(kml_text(fmap))
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    # Descriptions and verdicts are for people: Ukrainian.
    # (A mode the engine composed, "fastest alternative 2", is its own wording.)
    described = {r.name: r.description for r in fmap.routes}
    proposed = [described[r.proposal.id] for r in result.proposals if r.corridor is not None]
    assert proposed and all(d.endswith(", як запропоновано") for d in proposed)
    assert not any(" to " in d for d in described.values())
    verdicts = [str(r.properties["verdicts"]) for r in fmap.routes]
    assert all(re.search(r"(приймає|відхиляє)", v) for v in verdicts)
    assert not any(re.search(r"\b(accepts|rejects)\b", v) for v in verdicts)
    assert all(re.search("[\u0400-\u04ff]", t.description) for t in gpx.tracks)
    # Folder, column and status names are keys that programs read: unchanged.
    assert [f.findtext("k:name", namespaces=ns) for f in kml.iter(f"{{{ns['k']}}}Folder")] == [
        "routes", "areas", "places"]
    assert {r.status for r in fmap.routes} <= {"accepted", "rejected"}
    assert set(fmap.routes[0].properties) >= {"mode", "km", "verdicts", "acceptable_to_all"}
