"""``corridor tiles build``: the basemap's PMTiles file, read back with the pmtiles reader.

Tiles are decoded with mapbox-vector-tile, so what is checked is what the browser would draw:
Sumy with its Ukrainian and Russian names on the 2022 map, water and land use on a real extract
(Andorra), and clear errors naming the file for every bad input, with nothing half-written.
"""

from __future__ import annotations

import gzip
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import mapbox_vector_tile
import pytest
from pmtiles.reader import MmapSource, Reader
from pmtiles.tile import Compression

from corridor.errors import TilesError
from corridor.tiles.build import TileBuild, build_basemap, built_from, run_tippecanoe
from corridor.tiles.features import place_minzoom
from corridor.tiles.names import names_by_language, names_from_tags
from tests.conftest import ANDORRA, REPO_ROOT

UKRAINE = REPO_ROOT / "scenarios" / "ukraine-2022-03-07.yaml"
SUMY = (34.79906, 50.91741)


def _tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2 ** z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def _layers_at(path: Path, lon: float, lat: float, z: int) -> dict[str, Any]:
    """The decoded tile of ``path`` at zoom ``z`` holding the point, by layer name."""
    with path.open("rb") as handle:
        reader = Reader(MmapSource(handle))
        data = reader.get(z, *_tile_xy(lon, lat, z))
        compression = reader.header()["tile_compression"]
    assert data, f"no tile at z{z} over {lon}, {lat}"
    if compression == Compression.GZIP:
        data = gzip.decompress(data)
    decoded: dict[str, Any] = mapbox_vector_tile.decode(data)
    return decoded


def _metadata(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    with path.open("rb") as handle:
        reader = Reader(MmapSource(handle))
        return reader.header(), reader.metadata()


@pytest.fixture(scope="module")
def ukraine(tmp_path_factory: pytest.TempPathFactory) -> TileBuild:
    return build_basemap(UKRAINE, tmp_path_factory.mktemp("tiles") / "ukraine.pmtiles")


@pytest.fixture(scope="module")
def andorra(tmp_path_factory: pytest.TempPathFactory) -> TileBuild:
    return build_basemap(ANDORRA, tmp_path_factory.mktemp("tiles") / "andorra.pmtiles")


def test_header_and_metadata_list_the_layers(ukraine: TileBuild) -> None:
    header, metadata = _metadata(ukraine.path)
    assert {layer["id"] for layer in metadata["vector_layers"]} == {"roads", "places",
                                                                   "countries"}
    assert header["min_zoom"] == 0 and header["max_zoom"] == 10  # a schematic skeleton
    assert "SCHEMATIC" in metadata["attribution"]
    assert ukraine.features["places"] > 1000 and ukraine.features["roads"] > 100
    assert ukraine.features["water"] == 0  # the skeleton maps no water


def test_sumy_carries_its_names_in_every_language(ukraine: TileBuild) -> None:
    places = _layers_at(ukraine.path, *SUMY, 7)["places"]["features"]
    sumy = [p["properties"] for p in places if p["properties"].get("name") == "Sumy"]
    assert sumy == [{"name": "Sumy", "name:en": "Sumy", "name:uk": "Суми", "name:ru": "Сумы",
                     "population": 256474}]


def test_roads_carry_class_and_are_schematic(ukraine: TileBuild) -> None:
    roads = _layers_at(ukraine.path, *SUMY, 8)["roads"]["features"]
    assert roads and all(r["properties"]["schematic"] for r in roads)
    assert {r["properties"]["class"] for r in roads} <= {"motorway", "trunk", "primary",
                                                        "secondary", "tertiary"}


def test_small_places_appear_only_closer_in(ukraine: TileBuild) -> None:
    def places(z: int) -> dict[str, int]:
        features = _layers_at(ukraine.path, *SUMY, z)["places"]["features"]
        return {f["properties"]["name"]: f["properties"]["population"] for f in features}

    far, near = places(5), places(9)
    assert "Sumy" in far and "Sumy" in near
    assert min(far.values()) > 50_000 and min(near.values()) < 5_000
    assert place_minzoom(2_952_301) < place_minzoom(256_474) < place_minzoom(3_000)


def test_a_real_extract_has_water_and_land_use(andorra: TileBuild) -> None:
    _, metadata = _metadata(andorra.path)
    assert {"water", "waterways", "landuse", "roads", "places"} <= {
        layer["id"] for layer in metadata["vector_layers"]}
    assert "OpenStreetMap" in metadata["attribution"]
    tile = _layers_at(andorra.path, 1.5218, 42.5063, 13)  # Andorra la Vella
    assert tile["water"]["features"] or tile["waterways"]["features"]
    classes = {f["properties"]["class"] for f in tile["landuse"]["features"]}
    assert classes and classes <= {"residential", "industrial", "farmland", "grass", "wood",
                                   "park", "rock", "ice"}
    places = [f["properties"] for f in tile["places"]["features"]]
    # The extract's own place nodes give their name:xx tags, not a guess.
    assert any(p["name"] == "Andorra la Vella" and p.get("name:ru") for p in places), places


def test_a_second_build_with_the_same_inputs_is_a_no_op(tmp_path: Path) -> None:
    target = tmp_path / "andorra.pmtiles"
    first = _cli("tiles", "build", str(ANDORRA), "-o", str(target), "--json")
    assert first.returncode == 0, first.stderr
    stamp = target.stat().st_mtime_ns
    again = _cli("tiles", "build", str(ANDORRA), "-o", str(target))
    assert again.returncode == 0 and "up to date" in again.stdout
    assert target.stat().st_mtime_ns == stamp
    assert built_from(target) == json.loads(first.stdout)["inputs"]
    rebuilt = json.loads(_cli("tiles", "build", str(ANDORRA), "-o", str(target), "--rebuild",
                              "--json").stdout)
    assert not rebuilt["cached"] and target.stat().st_mtime_ns != stamp


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "corridor", *args], capture_output=True,
                          text=True, check=False)


@pytest.mark.parametrize(("scenario", "output", "says"), [
    ("missing.yaml", "out.pmtiles", "missing.yaml: file not found"),
    (str(ANDORRA), "blocker/out.pmtiles", "blocker/out.pmtiles: cannot write"),
    (str(ANDORRA), "out.mbtiles", "out.mbtiles: expected a .pmtiles file name"),
    (str(ANDORRA), ".", "expected a .pmtiles file name"),
])
def test_bad_input_exits_2_naming_the_file(tmp_path: Path, scenario: str, output: str,
                                           says: str) -> None:
    (tmp_path / "blocker").write_text("a file where a folder should be")
    result = subprocess.run([sys.executable, "-m", "corridor", "tiles", "build", scenario,
                             "-o", output], capture_output=True, text=True, check=False,
                            cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]  # nothing half-written


def test_a_scenario_with_a_broken_borders_file_names_it(tmp_path: Path) -> None:
    text = UKRAINE.read_text().replace("../data/", f"{REPO_ROOT}/data/").replace(
        f"{REPO_ROOT}/data/borders/countries.geojson", str(tmp_path / "borders.geojson"))
    (tmp_path / "borders.geojson").write_text('{"type": "FeatureCollection", "features": [')
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(text)
    result = _cli("tiles", "build", str(scenario), "-o", str(tmp_path / "out.pmtiles"))
    assert result.returncode == 2, result.stderr
    assert "borders.geojson" in result.stderr
    assert not (tmp_path / "out.pmtiles").exists()


def test_a_tippecanoe_failure_names_the_output(tmp_path: Path) -> None:
    broken = tmp_path / "roads.geojsonl"
    broken.write_text('{"type": "Feature", "geometry": {"type": "LineString", "coordinates": [')
    target = tmp_path / "out.pmtiles"
    with pytest.raises(TilesError, match="tippecanoe failed") as failure:
        run_tippecanoe(tmp_path / "tmp.pmtiles", [f"roads:{broken}"], description="", name="x",
                       attribution="", max_zoom=5, output=target, progress=lambda _f: None)
    assert failure.value.source == str(target)


def test_names_by_language_reads_the_script_and_the_dictionaries() -> None:
    # GeoNames' alternates of Kyiv hold Belarusian, Kazakh and other Cyrillic spellings too.
    kyiv = names_by_language("Kyiv", ["Kiev", "Кијев", "Кыив", "Киев", "Київ", "Кіеў"])
    assert kyiv == {"name:en": "Kyiv", "name:uk": "Київ", "name:ru": "Киев"}
    # A spelling both languages share serves both.
    assert names_by_language("Poltava", ["Полтава"]) == {
        "name:en": "Poltava", "name:uk": "Полтава", "name:ru": "Полтава"}
    assert names_by_language("Lviv", ["Lwów", "Lemberg"]) == {"name:en": "Lviv"}
    assert names_from_tags({"name": "Canillo", "name:ru": "Канильо", "name:fr": "Canillo",
                            "name:uk": ""}) == {"name": "Canillo", "name:ru": "Канильо"}
