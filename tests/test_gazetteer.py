"""The gazetteer against the committed GeoNames extracts and the 7 March 2022 waypoints."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from corridor.errors import GazetteerError
from corridor.gazetteer import Gazetteer, Place, places_from_csv
from tests.conftest import DATA_DIR

GEONAMES = (DATA_DIR / "geonames" / "ua_cities1000.json",
            DATA_DIR / "geonames" / "neighbours_cities15000.json")
WAYPOINTS = DATA_DIR / "ukraine-2022" / "waypoints-2022-03-07.csv"
ROADS = DATA_DIR / "ukraine-2022" / "roads.yaml"

#: Chornobyl in Kyiv oblast, the one the 7 March proposals mean (README of the scenario data).
CHORNOBYL_KYIV_OBLAST = (30.22, 51.27)


@pytest.fixture(scope="module")
def geonames() -> Gazetteer:
    return Gazetteer.from_geonames(GEONAMES)


@pytest.fixture(scope="module")
def with_waypoints() -> Gazetteer:
    gazetteer = Gazetteer.from_geonames(GEONAMES)
    gazetteer.add_places(places_from_csv(WAYPOINTS))
    return gazetteer


@pytest.fixture(scope="module")
def waypoint_rows() -> list[dict[str, str]]:
    with WAYPOINTS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Equirectangular distance, independent of the module's haversine."""
    mean_lat = math.radians((a[1] + b[1]) / 2)
    dx = math.radians(b[0] - a[0]) * math.cos(mean_lat)
    dy = math.radians(b[1] - a[1])
    return 6371.0 * math.hypot(dx, dy)


@pytest.mark.parametrize(("variant", "primary"), [
    ("Kiev", "Kyiv"),
    ("Київ", "Kyiv"),
    ("Kharkov", "Kharkiv"),
    ("Charkiw", "Kharkiv"),
    ("Zaporozhye", "Zaporizhzhya"),
    ("Zaporozh'ye", "Zaporizhzhya"),
    ("Zaporizhzhia", "Zaporizhzhya"),
    ("Zaporizhzhja", "Zaporizhzhya"),
    ("Nikolaev", "Mykolayiv"),
    ("Mykolaiv", "Mykolayiv"),
    ("Dnepropetrovsk", "Dnipro"),
    ("Dnipropetrovsk", "Dnipro"),
    ("Chernigov", "Chernihiv"),
    ("Rostov-na-Donu", "Rostov-on-Don"),
    ("Gomel", "Homyel'"),
    ("Krasnohrad", "Berestyn"),
])
def test_spelling_variant_resolves_to_the_record_with_the_primary_name(
        geonames: Gazetteer, variant: str, primary: str) -> None:
    reference = geonames.resolve(primary)
    assert reference.place.name == primary
    resolution = geonames.resolve(variant)
    assert resolution.place.geonameid == reference.place.geonameid
    assert f"spelling variant of {primary}" in resolution.note


@pytest.mark.parametrize("spelling", ["Rostov on Don", "ROSTOV\u2013ON\u2013DON", " rostov-on-don ",
                                      "Rostov-on-Don."])
def test_case_dashes_and_spaces_do_not_count(geonames: Gazetteer, spelling: str) -> None:
    reference = geonames.resolve("Rostov-on-Don")
    resolution = geonames.resolve(spelling)
    assert resolution.place == reference.place
    assert "spelling variant" not in resolution.note


def test_largest_population_wins_among_namesakes(geonames: Gazetteer) -> None:
    resolution = geonames.resolve("Zaporizhzhya")
    arrays = geonames.places_array()
    namesakes = arrays.population[arrays.names == "Zaporizhzhya"]
    assert resolution.candidates == len(namesakes) > 1
    assert resolution.ambiguous
    assert resolution.place.population == namesakes.max()
    assert resolution.note.startswith(f"largest of {len(namesakes)} matches")


def test_every_skeleton_settlement_resolves_by_its_2022_name(
        geonames: Gazetteer, routes: list[dict[str, Any]]) -> None:
    """roads.yaml uses the usual 2022 spellings; ~0.1 degree of context must recover the ids."""
    settlements = {v["geonameid"]: v for route in routes for v in route["via"]}
    for geonameid, via in settlements.items():
        near = (round(via["lon"], 1), round(via["lat"], 1))
        resolution = geonames.resolve(via["name"], country=via["country"], near=near)
        assert resolution.place.geonameid == geonameid, (via["name"], resolution.note)
        assert resolution.place.name == via.get("geonames_name", via["name"])
        if "geonames_name" not in via:
            assert "spelling variant" not in resolution.note
        elif "spelling variant" in resolution.note:
            assert resolution.note.endswith(f"spelling variant of {via['geonames_name']}")


def test_chornobyl_without_context_prefers_the_primary_name(geonames: Gazetteer) -> None:
    resolution = geonames.resolve("Chornobyl")
    assert _km((resolution.place.lon, resolution.place.lat), CHORNOBYL_KYIV_OBLAST) < 2
    assert resolution.ambiguous
    assert resolution.candidates >= 2
    assert "primary-name match" in resolution.note


def test_chornobyl_with_route_context_is_the_kyiv_oblast_one(
        geonames: Gazetteer, routes: list[dict[str, Any]]) -> None:
    via = next(r["via"] for r in routes if any(v["name"] == "Chornobyl" for v in r["via"]))
    at = [v["name"] for v in via].index("Chornobyl")
    neighbour = via[at - 1] if at else via[at + 1]
    near = (neighbour["lon"], neighbour["lat"])
    resolution = geonames.resolve("Chornobyl", near=near)
    place = (resolution.place.lon, resolution.place.lat)
    assert _km(place, CHORNOBYL_KYIV_OBLAST) < 2
    assert resolution.note.startswith(f"nearest of {resolution.candidates} matches")
    assert resolution.distance_km == pytest.approx(_km(near, place), rel=0.01)


def test_chornobyl_context_in_donbas_picks_the_other_record(geonames: Gazetteer) -> None:
    kramatorsk = geonames.resolve("Kramatorsk").place
    near = (kramatorsk.lon, kramatorsk.lat)
    resolution = geonames.resolve("Chornobyl", near=near)
    kyiv_oblast = geonames.resolve("Chornobyl").place
    assert resolution.place.geonameid != kyiv_oblast.geonameid
    assert resolution.distance_km is not None
    assert resolution.distance_km < _km(near, (kyiv_oblast.lon, kyiv_oblast.lat))


def test_country_and_admin1_filter_candidates(geonames: Gazetteer) -> None:
    lviv_oblast = geonames.resolve("Lviv").place.admin1
    resolution = geonames.resolve("Mykolaiv", admin1=lviv_oblast)
    assert resolution.place.admin1 == lviv_oblast
    assert resolution.place.geonameid != geonames.resolve("Mykolaiv").place.geonameid
    with pytest.raises(GazetteerError, match="country RU"):
        geonames.resolve("Kharkiv", country="RU")


@pytest.mark.parametrize("name", ["Rakivka", "Sosnivka", "Holubivka"])
def test_supplementary_point_beats_ambiguous_geonames(
        geonames: Gazetteer, with_waypoints: Gazetteer, waypoint_rows: list[dict[str, str]],
        name: str) -> None:
    row = next(r for r in waypoint_rows if r["name"] == name)
    wanted = (float(row["lon"]), float(row["lat"]))
    arrays = geonames.places_array()
    namesakes = np.flatnonzero(arrays.names == name)
    assert min(_km((arrays.lon[i], arrays.lat[i]), wanted) for i in namesakes) > 50
    resolution = with_waypoints.resolve(name)
    assert (resolution.place.lon, resolution.place.lat) == wanted
    assert resolution.place.supplementary
    assert resolution.candidates > len(namesakes) >= 1
    assert resolution.ambiguous
    assert resolution.note.startswith(f"supplementary point (confidence {row['confidence']})")


def test_every_waypoint_resolves_to_its_own_row(
        with_waypoints: Gazetteer, waypoint_rows: list[dict[str, str]]) -> None:
    for row in waypoint_rows:
        place = with_waypoints.resolve(row["name"], country=row["country"]).place
        assert (place.lon, place.lat) == (float(row["lon"]), float(row["lat"]))
        assert (place.confidence, place.basis) == (row["confidence"], row["basis"])
        assert place.source == WAYPOINTS.name


def test_waypoint_in_another_romanisation(with_waypoints: Gazetteer) -> None:
    resolution = with_waypoints.resolve("Nekhoteyevka")
    assert resolution.place.name == "Nekhoteevka"
    assert "spelling variant of Nekhoteevka" in resolution.note


def test_unknown_name_raises_with_suggestions(geonames: Gazetteer) -> None:
    with pytest.raises(GazetteerError) as caught:
        geonames.resolve("Meliotpol")
    message = str(caught.value)
    assert "'Meliotpol'" in message
    assert "closest spellings" in message
    assert geonames.resolve("Melitopol").place.name in message


def test_near_must_be_lon_lat(geonames: Gazetteer) -> None:
    with pytest.raises(GazetteerError, match="near"):
        geonames.resolve("Kyiv", near=(200.0, 50.0))


def test_places_array_is_aligned_with_the_places(
        with_waypoints: Gazetteer, waypoint_rows: list[dict[str, str]]) -> None:
    arrays = with_waypoints.places_array()
    assert len(arrays.names) == len(arrays.lon) == len(arrays.population) == len(with_waypoints)
    kyiv = with_waypoints.resolve("Kyiv").place
    nearest = int(np.argmin((arrays.lon - kyiv.lon) ** 2 + (arrays.lat - kyiv.lat) ** 2))
    assert arrays.names[nearest] == kyiv.name
    assert arrays.geonameid[nearest] == kyiv.geonameid
    assert arrays.population[nearest] == kyiv.population
    assert int(np.sum(arrays.geonameid == -1)) == len(waypoint_rows)


def test_places_array_follows_added_places() -> None:
    gazetteer = Gazetteer([Place("Orane", 30.1197, 51.0536, "UA")])
    assert len(gazetteer.places_array().names) == 1
    gazetteer.add_places([Place("Gden", 30.4389, 51.3314, "BY")])
    assert list(gazetteer.places_array().names) == ["Orane", "Gden"]


def test_by_geonameid(geonames: Gazetteer) -> None:
    kyiv = geonames.resolve("Kyiv").place
    assert kyiv.geonameid is not None
    assert geonames.by_geonameid(kyiv.geonameid) == kyiv
    with pytest.raises(GazetteerError, match="no GeoNames record"):
        geonames.by_geonameid(1)


def test_overlapping_extracts_keep_one_record_per_id() -> None:
    twice = Gazetteer.from_geonames([GEONAMES[1], GEONAMES[1]])
    once = Gazetteer.from_geonames([GEONAMES[1]])
    assert len(twice) == len(once)


def _records(count: int) -> list[dict[str, object]]:
    with GEONAMES[0].open(encoding="utf-8") as handle:
        records: list[dict[str, object]] = json.load(handle)[:count]
    return records


def test_truncated_json_names_file_and_line(tmp_path: Path) -> None:
    text = GEONAMES[0].read_text(encoding="utf-8")
    cut = text[: text.index("\n", 5000)]
    broken = tmp_path / "cities.json"
    broken.write_text(cut, encoding="utf-8")
    with pytest.raises(GazetteerError) as caught:
        Gazetteer.from_geonames([broken])
    assert caught.value.source == str(broken)
    assert caught.value.line == cut.count("\n") + 1
    assert "not valid JSON" in str(caught.value)


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("latitude", None, "missing"),
    ("latitude", 95, "between -90 and 90, got 95"),
    ("longitude", "east", "between -180 and 180"),
    ("countrycode", "Ukraine", "two-letter country code"),
    ("alternatenames", "Kiev", "list of strings"),
])
def test_malformed_record_names_file_record_and_field(
        tmp_path: Path, field: str, value: object, expected: str) -> None:
    records = _records(5)
    if value is None:
        del records[3][field]
    else:
        records[3][field] = value
    broken = tmp_path / "cities.json"
    broken.write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(GazetteerError, match=expected) as caught:
        Gazetteer.from_geonames([broken])
    assert caught.value.source == str(broken)
    assert caught.value.field == f"[3] (geonameid {records[3]['geonameid']}).{field}"


def test_record_without_id_is_located_by_position(tmp_path: Path) -> None:
    records = _records(3)
    del records[2]["geonameid"]
    broken = tmp_path / "cities.json"
    broken.write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(GazetteerError, match="positive integer") as caught:
        Gazetteer.from_geonames([broken])
    assert caught.value.field == "[2].geonameid"


def _waypoints_with(tmp_path: Path, line: int, column: str, value: str) -> Path:
    """A copy of the waypoints CSV with one cell of one (1-based, header = 1) line replaced."""
    with WAYPOINTS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[line - 1][rows[0].index(column)] = value
    path = tmp_path / "waypoints.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.mark.parametrize(("column", "value", "expected"), [
    ("lat", "north", "between -90 and 90"),
    ("lon", "181", "between -180 and 180"),
    ("confidence", "certain", "expected one of high, medium, low"),
    ("country", "Ukraine", "two-letter country code"),
    ("name", "", "empty"),
])
def test_malformed_csv_row_names_the_line(
        tmp_path: Path, column: str, value: str, expected: str) -> None:
    path = _waypoints_with(tmp_path, 4, column, value)
    with pytest.raises(GazetteerError, match=expected) as caught:
        places_from_csv(path)
    assert (caught.value.source, caught.value.line, caught.value.field) == (str(path), 4, column)


def test_csv_without_a_column_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "points.csv"
    path.write_text("name,country,lat,lon,basis\nOrane,UA,51.05,30.12,x\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"missing column.*confidence") as caught:
        places_from_csv(path)
    assert caught.value.line == 1
