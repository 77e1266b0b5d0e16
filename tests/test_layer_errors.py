"""Bad layer files: each kind exits 2 naming the file, the feature and what was expected.

Every case is run twice: through the reader, for the exact message, and through the installed
``corridor`` executable on a scenario over the Andorra extract, which must exit 2 before it has
cached a network or written an output file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
import yaml
from pyogrio import raw

from corridor.errors import SituationError
from corridor.situation.layers import FromProperty, read_layer
from tests.conftest import DATA_DIR

SQUARE = shapely.box(1.50, 42.45, 1.55, 42.50)
BOWTIE = shapely.Polygon([(1.5, 42.45), (1.6, 42.55), (1.6, 42.45), (1.5, 42.55), (1.5, 42.45)])
SIDES = {"ru": "RU-held", "ua": "UA"}


def _features(*items: tuple[Any, dict[str, Any]]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props,
         "geometry": None if geom is None else shapely.geometry.mapping(geom)}
        for geom, props in items]})


def _text(name: str, content: str) -> Callable[[Path], Path]:
    def make(root: Path) -> Path:
        (root / name).write_text(content, encoding="utf-8")
        return root / name
    return make


def _shapefile_without_crs(root: Path) -> Path:
    raw.write(root / "c.shp", np.array([shapely.to_wkb(SQUARE)], dtype=object),
              [np.array(["ua"], dtype=object)], ["side"], geometry_type="Polygon",
              crs="EPSG:4326", driver="ESRI Shapefile")
    (root / "c.prj").write_text("not a coordinate system", encoding="utf-8")
    return root / "c.shp"


def _truncated_zip(root: Path) -> Path:
    with zipfile.ZipFile(root / "full.zip", "w") as archive:
        archive.writestr("c.geojson", _features((SQUARE, {"side": "ua"})) * 20)
    (root / "c.zip").write_bytes((root / "full.zip").read_bytes()[:120])
    return root / "c.zip"


def _two_layers(root: Path) -> Path:
    for layer in ("control", "closures"):
        raw.write(root / "c.gpkg", np.array([shapely.to_wkb(SQUARE)], dtype=object),
                  [np.array(["ua"], dtype=object)], ["side"], geometry_type="Polygon",
                  crs="EPSG:4326", driver="GPKG", layer=layer, append=layer == "closures")
    return root / "c.gpkg"


@dataclass(frozen=True)
class Case:
    """A bad file, how the scenario reads it, and what the error must say."""

    make: Callable[[Path], Path]
    says: str
    feature: int | None = None
    date: str | None = None
    layer: str | None = None


CASES = {
    "missing": Case(lambda root: root / "nowhere.geojson", "file not found"),
    "unreadable": Case(_text("c.geojson", "\x00\x01 this is not a map"), "cannot read it"),
    "empty file": Case(_text("c.geojson", ""), "cannot read it"),
    "no features": Case(_text("c.geojson", _features()), "no features; expected at least one"),
    "not polygons": Case(_text("c.geojson", _features(
        (SQUARE, {"side": "ua"}), (shapely.LineString([(1.5, 42.5), (1.6, 42.6)]),
                                   {"side": "ua"}))),
        "a LineString, expected a Polygon or MultiPolygon", feature=1),
    "no geometry": Case(_text("c.geojson", _features((SQUARE, {"side": "ua"}),
                                                     (None, {"side": "ua"}))),
                        "no geometry; expected a Polygon", feature=1),
    "self-intersecting": Case(_text("c.geojson", _features(
        (SQUARE, {"side": "ua"}), (SQUARE, {"side": "ru"}), (BOWTIE, {"side": "ru"}))),
        "invalid polygon: Self-intersection", feature=2),
    "missing property": Case(_text("c.geojson", _features((SQUARE, {"camp": "ua"}))),
                             "no property 'side'"),
    "empty property": Case(_text("c.geojson", _features((SQUARE, {"side": "ua"}),
                                                        (SQUARE, {"side": None}))),
                           "property 'side' is empty", feature=1),
    "unknown value": Case(_text("c.geojson", _features((SQUARE, {"side": "ua"}),
                                                       (SQUARE, {"side": "nato"}))),
                          "unknown value 'nato' of property 'side'; expected one of 'ru', 'ua'",
                          feature=1),
    "no CRS": Case(_shapefile_without_crs, "names no coordinate reference system"),
    "wrong CRS": Case(_text("c.geojson", _features(
        (shapely.box(166021.0, 4705000.0, 170000.0, 4710000.0), {"side": "ua"}))),
        "lie outside longitude -180..180", feature=0),
    "truncated zip": Case(_truncated_zip, "cannot read it"),
    "two layers": Case(_two_layers, "holds 2 layers (control, closures); expected 'layer:'"),
    "unknown layer": Case(_two_layers, "cannot read it", layer="frontline"),
    "bad date": Case(_text("c.geojson", _features((SQUARE, {"side": "ua", "on": "7 March"}))),
                     "property 'on' is '7 March'; expected a date", feature=0, date="on"),
}


@pytest.mark.parametrize("kind", CASES)
def test_the_reader_names_file_feature_and_what_was_expected(kind: str, tmp_path: Path) -> None:
    case = CASES[kind]
    path = case.make(tmp_path)
    with pytest.raises(SituationError) as caught:
        read_layer(path, kind="polygon", field="control.polygons[0]", layer=case.layer,
                   labels={"holder": FromProperty("side", SIDES)}, date_property=case.date)
    error = caught.value
    assert error.source == str(path)
    assert case.says in error.message and "control.polygons[0]" in error.message
    assert error.field == (None if case.feature is None else f"feature {case.feature}")


def _executable() -> str:
    beside = Path(sys.executable).parent / "corridor"
    found = str(beside) if beside.exists() else shutil.which("corridor")
    assert found, "the corridor console script is not installed"
    return found


def _scenario(root: Path, source: Path, case: Case) -> Path:
    """A scenario over the Andorra extract whose only control map is ``source``."""
    polygon: dict[str, Any] = {"source": source.name, "holder": {"property": "side",
                                                                 "values": SIDES}}
    polygon.update({k: v for k, v in (("layer", case.layer), ("date", case.date)) if v})
    document = {"name": "bad layer", "network": {"source": str(DATA_DIR / "osm" /
                                                               "andorra-latest.osm.pbf")},
                "control": {"polygons": [polygon]},
                "parties": [{"id": "A", "name": "A", "holds": ["UA"]},
                            {"id": "B", "name": "B", "holds": ["RU-held"]}]}
    path = root / "scenario.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", CASES)
def test_a_run_on_a_bad_layer_exits_2_before_caching_or_writing(kind: str, tmp_path: Path,
                                                                _private_cache: Path) -> None:
    case = CASES[kind]
    path = case.make(tmp_path)
    scenario = _scenario(tmp_path, path, case)
    cache = tmp_path / "cache"
    out = tmp_path / "out.geojson"
    run = subprocess.run([_executable(), "negotiate", str(scenario), "--geojson", str(out)],
                         capture_output=True, text=True, timeout=300,
                         env={"PATH": "/usr/bin:/bin", "CORRIDOR_CACHE_DIR": str(cache),
                              "PYTHONPATH": ":".join(sys.path)})
    assert run.returncode == 2, run.stderr
    message = " ".join(run.stderr.split())
    assert path.name in message and case.says in message
    if case.feature is not None:
        assert f"feature {case.feature}" in message
    assert not out.exists()
    assert not cache.exists() or not any(cache.rglob("*"))
