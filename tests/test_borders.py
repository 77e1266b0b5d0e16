"""The committed country borders, and the loader's handling of bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely
from shapely.geometry import Point

from corridor.borders import load_countries
from corridor.errors import SituationError
from tests.conftest import DATA_DIR

BORDERS = DATA_DIR / "borders" / "countries.geojson"


@pytest.fixture(scope="module")
def countries() -> dict[str, shapely.Geometry]:
    return load_countries(BORDERS)


def test_region_countries_are_present_and_valid(countries: dict[str, shapely.Geometry]) -> None:
    assert {"UA", "RU", "BY", "PL", "SK", "HU", "RO", "MD"} <= set(countries)
    assert all(shapely.is_valid(g) and not g.is_empty for g in countries.values())
    names = {f["properties"]["iso_a2"]: f["properties"]["name"]
             for f in json.loads(BORDERS.read_text(encoding="utf-8"))["features"]}
    assert names["UA"] == "Ukraine" and names["BY"] == "Belarus"


@pytest.mark.parametrize(("lon", "lat", "code"), [
    (34.11079, 44.95719, "UA"),  # Simferopol: Crimea is Ukraine's recognised territory
    (33.52134, 44.60795, "UA"),  # Sevastopol
    (30.5238, 50.45466, "UA"),   # Kyiv
    (37.54131, 47.09514, "UA"),  # Mariupol
    (36.58, 50.6, "RU"),         # Belgorod
    (27.56, 53.9, "BY"),         # Minsk
    (28.86, 47.01, "MD"),        # Chisinau
    (21.01, 52.23, "PL"),        # Warsaw
])
def test_known_cities_lie_in_their_country(countries: dict[str, shapely.Geometry],
                                           lon: float, lat: float, code: str) -> None:
    holders = [c for c, geom in countries.items() if geom.contains(Point(lon, lat))]
    assert holders == [code]


def test_countries_do_not_overlap_and_ukraine_touches_russia(
        countries: dict[str, shapely.Geometry]) -> None:
    codes = sorted(countries)
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            assert shapely.area(shapely.intersection(countries[a], countries[b])) < 1e-9, (a, b)
    shared = shapely.intersection(countries["UA"].boundary, countries["RU"].boundary)
    assert shared.length > 10.0  # degrees of common land border, Crimea excluded


def _write(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _feature(properties: dict[str, str], rings: list[list[list[float]]]) -> dict[str, object]:
    return {"type": "Feature", "properties": properties,
            "geometry": {"type": "Polygon", "coordinates": rings}}


SQUARE = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]
BOW_TIE = [[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SituationError, match="cannot read border file") as info:
        load_countries(tmp_path / "nowhere.geojson")
    assert info.value.source == str(tmp_path / "nowhere.geojson")


def test_not_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "b.geojson"
    path.write_text('{"type": "FeatureCollection",\n "features": [,]}', encoding="utf-8")
    with pytest.raises(SituationError, match="not JSON") as info:
        load_countries(path)
    assert info.value.line == 2


@pytest.mark.parametrize(("document", "field", "message"), [
    ({"type": "Feature"}, "type", "FeatureCollection"),
    ({"type": "FeatureCollection", "features": {}}, "features", "list of features"),
    ({"type": "FeatureCollection", "features": []}, "features", "no country"),
    ({"type": "FeatureCollection", "features": [_feature({"name": "X"}, [SQUARE])]},
     "features[0].properties.iso_a2", "no 'iso_a2'"),
    ({"type": "FeatureCollection", "features": [_feature({"iso_a2": "XA"}, [BOW_TIE])]},
     "features[0].geometry.coordinates", "Self-intersection"),
    ({"type": "FeatureCollection", "features": [_feature({"iso_a2": "XA"}, [SQUARE]),
                                                _feature({"iso_a2": "XA"}, [SQUARE])]},
     "features[1].properties.iso_a2", "appears twice"),
])
def test_bad_border_file_names_the_field(tmp_path: Path, document: object, field: str,
                                         message: str) -> None:
    path = _write(tmp_path / "b.geojson", document)
    with pytest.raises(SituationError, match=message) as info:
        load_countries(path)
    assert info.value.field == field
    assert info.value.source == str(path)
