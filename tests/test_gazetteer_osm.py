"""Place names from the extracts' own OSM place nodes, merged with GeoNames."""

from __future__ import annotations

import json
from pathlib import Path

import osmium
import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.errors import GazetteerError
from corridor.gazetteer import OSM_SOURCE, Gazetteer
from corridor.negotiation.search import negotiate
from corridor.network.cache import open_network
from corridor.network.graph import RoadNetwork
from corridor.network.places import PLACE_KINDS, OsmPlace, place_from_tags
from corridor.scenario import load_scenario
from corridor.world import build_world
from tests.conftest import DATA_DIR

OSM = DATA_DIR / "osm"
GEONAMES = (DATA_DIR / "geonames" / "ua_cities1000.json",
            DATA_DIR / "geonames" / "neighbours_cities15000.json")


@pytest.fixture(scope="module")
def liechtenstein(tmp_path_factory: pytest.TempPathFactory) -> RoadNetwork:
    return open_network(OSM / "liechtenstein-latest.osm.pbf",
                        cache_dir=tmp_path_factory.mktemp("cache")).network


@pytest.fixture(scope="module")
def andorra(tmp_path_factory: pytest.TempPathFactory) -> RoadNetwork:
    return open_network(OSM / "andorra-latest.osm.pbf",
                        cache_dir=tmp_path_factory.mktemp("cache")).network


def _osm_gazetteer(network: RoadNetwork) -> Gazetteer:
    gazetteer = Gazetteer()
    gazetteer.add_osm_places(network.places)
    return gazetteer


def test_place_tags_give_every_name_and_a_number_for_population() -> None:
    place = place_from_tags(7, 1.0, 2.0, {
        "place": "village", "name": "Aubinyà", "name:ru": "Аубинья",
        "alt_name": "Aubinya;Albinyà", "old_name:uk": "Аубіня", "population": "1 234",
        "is_in:country_code": "ad", "highway": "crossing"})
    assert place == OsmPlace(osm_id=7, kind="village", lon=1.0, lat=2.0, name="Aubinyà",
                             names=("Аубинья", "Aubinya", "Albinyà", "Аубіня"),
                             population=1234, country="AD", localized=(("ru", "Аубинья"),))


@pytest.mark.parametrize("tags", [
    {"place": "locality", "name": "Coll d'Ordino"},     # a named pass, nobody lives there
    {"place": "country", "name": "Andorra"},
    {"place": "village"},                                 # no name at all
    {"name": "Encamp"},                                   # not a place
])
def test_nodes_that_are_not_named_settlements_are_left_out(tags: dict[str, str]) -> None:
    assert place_from_tags(1, 0.0, 0.0, tags) is None


@pytest.mark.parametrize(("value", "expected"), [
    ("12345", 12345), ("12,345", 12345), ("12 345", 12345), ("ca. 500", 500),
    ("1200-1500", 1200), ("unknown", 0), ("", 0)])
def test_population_as_mappers_write_it(value: str, expected: int) -> None:
    place = place_from_tags(1, 0.0, 0.0, {"place": "town", "name": "X", "population": value})
    assert place is not None and place.population == expected


def test_import_keeps_the_extracts_settlements_and_caches_them(
        andorra: RoadNetwork, tmp_path: Path) -> None:
    by_name = {p.name: p for p in andorra.places}
    assert {p.kind for p in andorra.places} <= {"city", "town", "village", "hamlet", "suburb"}
    assert "Энкамп" in by_name["Encamp"].names
    assert by_name["Andorra la Vella"].population > 20_000
    andorra.save(tmp_path / "net.npz")
    assert RoadNetwork.load(tmp_path / "net.npz").places == andorra.places


def test_cache_hit_has_the_same_places(tmp_path: Path) -> None:
    built = open_network(OSM / "monaco.osm.pbf", cache_dir=tmp_path)
    cached = open_network(OSM / "monaco.osm.pbf", cache_dir=tmp_path)
    assert not built.from_cache and cached.from_cache
    assert cached.network.places == built.network.places != ()


@pytest.mark.parametrize("spelling", [
    "Triesen",     # name
    "Трізен",      # name:uk
    "Тризен",      # name:ru
    "TRIESEN",
])
def test_liechtenstein_town_by_local_ukrainian_and_russian_name(
        liechtenstein: RoadNetwork, spelling: str) -> None:
    place = _osm_gazetteer(liechtenstein).resolve(spelling).place
    assert place.name == "Triesen" and place.source == OSM_SOURCE
    assert place.osm_id == next(p.osm_id for p in liechtenstein.places if p.name == "Triesen")


def test_stress_accents_do_not_count(liechtenstein: RoadNetwork) -> None:
    gazetteer = _osm_gazetteer(liechtenstein)
    # Nendeln's name:uk is written with a combining acute (U+0301) on its first vowel
    plain = "Нендельн"
    assert gazetteer.resolve(plain[:2] + "\u0301" + plain[2:]).place.name == "Nendeln"
    assert gazetteer.resolve(plain).place.name == "Nendeln"
    assert gazetteer.resolve("Шан").place.name == "Schaan"


@pytest.mark.parametrize(("spelling", "name"), [
    ("Sant Julia de Loria", "Sant Julià de Lòria"),
    ("Сант-Жулия-де-Лория", "Sant Julià de Lòria"),
    ("Андорра-ла-Велья", "Andorra la Vella"),
    ("Sornas", "Sornás"),
])
def test_andorran_towns_in_latin_and_cyrillic(andorra: RoadNetwork, spelling: str,
                                               name: str) -> None:
    assert _osm_gazetteer(andorra).resolve(spelling).place.name == name


@pytest.mark.parametrize(("local", "latin"), [
    ("Харків", "Kharkiv"),
    ("Θεσσαλονίκη", "Thessaloniki"),
    ("Кутаїсі", "Kutaisi"),
])
def test_a_name_in_another_script_is_found_in_latin_transliteration(local: str,
                                                                    latin: str) -> None:
    gazetteer = Gazetteer()
    gazetteer.add_osm_places([OsmPlace(osm_id=1, kind="city", lon=10.0, lat=50.0, name=local)])
    resolution = gazetteer.resolve(latin)
    assert resolution.place.name == local
    assert f"spelling variant of {local}" in resolution.note


def test_osm_node_merges_into_the_geonames_record_of_the_same_town(tmp_path: Path) -> None:
    records = [{"geonameid": 3042030, "name": "Vaduz", "latitude": 47.14151,
                "longitude": 9.52154, "countrycode": "LI", "admin1code": "11",
                "population": 5197, "alternatenames": ["Vaduts"]}]
    path = tmp_path / "li.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    gazetteer = Gazetteer.from_geonames([path])
    far = OsmPlace(osm_id=2, kind="village", lon=9.75, lat=47.3, name="Vaduz",  # ~25 km off
                   population=900)
    near = OsmPlace(osm_id=1, kind="town", lon=9.5209, lat=47.1410, name="Vaduz",
                    names=("Вадуц",), population=5229)
    gazetteer.add_osm_places([far, near])
    assert len(gazetteer) == 2
    place = gazetteer.resolve("Вадуц").place
    assert (place.geonameid, place.osm_id, place.region) == (3042030, 1, "LI-11")
    assert place.population == 5229
    assert gazetteer.resolve("Vaduts").place == place
    with pytest.raises(GazetteerError, match="ambiguous place name 'Vaduz': 2 places"):
        gazetteer.resolve("Vaduz")


def test_unknown_name_suggests_the_closest_spellings_in_its_script(
        liechtenstein: RoadNetwork) -> None:
    gazetteer = _osm_gazetteer(liechtenstein)
    with pytest.raises(GazetteerError, match=r"closest spellings: .*Vaduz"):
        gazetteer.resolve("Vadutz")
    with pytest.raises(GazetteerError, match=r"closest spellings: .*Вадуц \(Vaduz\)"):
        gazetteer.resolve("Вадуцц")


def test_namesakes_are_listed_with_region_and_distance() -> None:
    gazetteer = Gazetteer.from_geonames(GEONAMES)
    with pytest.raises(GazetteerError) as caught:
        gazetteer.resolve("Sosnivka", within=(22.0, 44.0, 40.0, 53.0))
    message = caught.value.message
    assert message.startswith("ambiguous place name 'Sosnivka'")
    assert "Sosnivka (UA-15, lat/lon 50.2897, 24.2514" in message
    assert "km from the centre of the area searched" in message
    assert "[lon, lat]" in message


def test_namesakes_outside_the_area_searched_do_not_count() -> None:
    gazetteer = Gazetteer.from_geonames(GEONAMES)
    lviv_area = (23.5, 49.5, 25.0, 50.5)
    resolution = gazetteer.resolve("Sosnivka", within=lviv_area)
    assert resolution.place.region == "UA-15"


def test_network_info_counts_the_named_settlements(tmp_path: Path) -> None:
    extract = OSM / "liechtenstein-latest.osm.pbf"
    settlements = sum(1 for node in osmium.FileProcessor(str(extract), osmium.osm.NODE)
                      if node.tags.get("place") in PLACE_KINDS and "name" in node.tags)
    result = CliRunner().invoke(app, ["network", "info", str(extract), "--cache-dir",
                                      str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["places"] == settlements == 34


def test_neighbours_sharing_only_an_alternate_name_stay_two_places() -> None:
    gazetteer = Gazetteer()
    gazetteer.add_osm_places([
        OsmPlace(osm_id=1, kind="village", lon=24.00, lat=49.00, name="Verkhnie Selo",
                 names=("Selo",)),
        OsmPlace(osm_id=2, kind="village", lon=24.02, lat=49.00, name="Nyzhnie Selo",
                 names=("Selo",)),
        OsmPlace(osm_id=3, kind="hamlet", lon=24.01, lat=49.00, name="Selo hamlet",
                 names=("Verkhnie Selo",)),   # the upper village's own name: the same place
    ])
    assert len(gazetteer) == 2
    assert gazetteer.resolve("Nyzhnie Selo").place.osm_id == 2
    assert gazetteer.resolve("Selo hamlet").place.osm_id == 1
    with pytest.raises(GazetteerError, match="ambiguous place name 'Selo': 2 places match"):
        gazetteer.resolve("Selo")


def test_routes_name_the_extracts_towns_whatever_their_population(tmp_path: Path) -> None:
    path = tmp_path / "li.yaml"
    path.write_text(
        f"name: li\nnetwork: {{source: {OSM / 'liechtenstein-latest.osm.pbf'}}}\n"
        "parties: [{id: A, name: A}]\n"
        "proposals: [{id: p, proposer: A, origin: Бальцерс, destination: Шан}]\n",
        encoding="utf-8")
    result = negotiate(build_world(load_scenario(path)))
    corridor = result.proposals[0].corridor
    assert corridor is not None
    passed = [s.name for s in corridor.summary.settlements]
    # Vaduz (population 5,229) lies on the main road from Balzers to Schaan; no town of the
    # extract reaches the population threshold, so only the OSM town tag can name it
    assert "Vaduz" in passed
    towns = {p.name for p in build_world(load_scenario(path)).network.places if p.kind == "town"}
    assert set(passed) <= towns
