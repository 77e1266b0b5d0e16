"""Place names in the reader's language: OSM's tagged names, GeoNames' names told by script."""

from __future__ import annotations

from pathlib import Path

import osmium
import pytest

from corridor.gazetteer import Gazetteer
from corridor.i18n import use_language
from corridor.naming import display_name, localized_names, script_language
from corridor.network.places import OsmPlace, place_from_tags
from tests.conftest import DATA_DIR

ANDORRA = DATA_DIR / "osm" / "andorra-latest.osm.pbf"


@pytest.mark.parametrize(("name", "language"), [
    ("Київ", "uk"), ("Біла Церква", "uk"), ("Сумы", "ru"), ("Подъячево", "ru"),
    ("Полтава", "uk ru"), ("Суми", "uk ru"),
    ("Кыив", None),          # ы after к: no Russian spelling
    ("Марыупаль", None),     # Belarusian ы before a vowel
    ("Кіеў", None),          # Belarusian ў
    ("Кијев", None),         # Serbian ј
    ("Житомиръ", None),      # the spelling before 1918
    ("Алекса́ндровск", None),  # a stress mark: a dictionary's, not a map's
    ("Kyiv", None), ("", None),
])
def test_script_tells_the_language(name: str, language: str | None) -> None:
    assert script_language(name) == language


def test_untagged_names_by_script() -> None:
    # GeoNames' alternates of Sumy and Kyiv, as cities1000 lists them
    assert localized_names(["Суми", "Сумы"], "Sumy") == {"uk": "Суми", "ru": "Сумы"}
    kyiv = localized_names(["Кꙑѥвъ", "Кыив", "Кіеў", "Київ", "Киев", "Кијев"], "Kyiv")
    # the Russian dictionary knows Киев, though no letter marks it as Russian
    assert kyiv == {"uk": "Київ", "ru": "Киев"}
    # Харков (Bulgarian) and Днипро (Ukrainian in Russian letters) are not known Russian
    # names, nor marked as Russian: no Russian name rather than a wrong one
    assert localized_names(["Харків", "Харков"], "Kharkiv") == {"uk": "Харків"}
    assert localized_names(["Дніпро", "Днипро"], "Dnipro") == {"uk": "Дніпро"}
    # a name the same in both languages is the Russian one too
    assert localized_names(["Полтава", "Балтавар"], "Poltava") == {"uk": "Полтава",
                                                                   "ru": "Полтава"}


def test_display_name_prefers_tags_then_script_then_the_original() -> None:
    tagged = {"uk": "Андорра-ла-Велья", "ru": "Андорра-ла-Велья", "en": "Andorra la Vella"}
    assert display_name("Andorra la Vella", "uk", tagged=tagged) == "Андорра-ла-Велья"
    assert display_name("Суми", "ru", alternates=["Сумы"]) == "Сумы"
    # no name in the language: Cyrillic readers keep the original, English readers get Latin
    assert display_name("Sant Julià de Lòria", "uk") == "Sant Julià de Lòria"
    assert display_name("Оріхів", "en") == "Orikhiv"
    assert display_name("Оріхів", "uk") == "Оріхів"
    with use_language("uk"):
        assert display_name("Sumy", alternates=["Суми", "Сумы"]) == "Суми"


def test_geonames_places_in_each_language() -> None:
    gazetteer = Gazetteer.from_geonames([DATA_DIR / "geonames" / "ua_cities1000.json"])
    kyiv = gazetteer.resolve("Kyiv").place
    sumy = gazetteer.resolve("Sumy").place
    assert [gazetteer.display_name(kyiv, lang) for lang in ("en", "uk", "ru")] == [
        "Kyiv", "Київ", "Киев"]
    assert [gazetteer.display_name(sumy, lang) for lang in ("en", "uk", "ru")] == [
        "Sumy", "Суми", "Сумы"]
    # the reader's spelling is kept where no name by language wins
    zaporizhzhia = gazetteer.resolve("Zaporizhzhia").place
    assert gazetteer.display_name(zaporizhzhia, "en", as_written="Zaporizhzhia") == (
        "Zaporizhzhia")
    assert gazetteer.display_name(zaporizhzhia, "uk", as_written="Zaporizhzhia") == "Запоріжжя"


def test_nicknames_lose_to_spellings_of_the_name() -> None:
    # GeoNames lists Одеса's nickname and Донецьк's marketing name among the alternates; both
    # are dictionary words with Ukrainian letters, neither is what a map calls the city.
    assert localized_names(["Південна столиця", "Одеса", "Одесса"], "Odesa") == {
        "uk": "Одеса", "ru": "Одесса"}
    assert localized_names(["Донбас-сіті", "Донецьк", "Донецк"], "Donetsk")["uk"] == "Донецьк"


def test_the_biggest_cities_of_the_gazetteer_by_array_index() -> None:
    gazetteer = Gazetteer.from_geonames([DATA_DIR / "geonames" / "ua_cities1000.json"])
    places = gazetteer.places_array()
    biggest = sorted(range(len(places.names)), key=lambda i: -places.population[i])[:6]
    names = {lang: {gazetteer.name_at(i, lang) for i in biggest} for lang in ("uk", "ru")}
    assert {"Київ", "Харків", "Одеса", "Дніпро"} <= names["uk"]
    assert {"Киев", "Харьков", "Одесса", "Днепр"} <= names["ru"]


def _places(path: Path) -> list[OsmPlace]:
    places = []
    for node in osmium.FileProcessor(str(path), osmium.osm.NODE).with_filter(
            osmium.filter.KeyFilter("place")):
        place = place_from_tags(node.id, node.location.lon, node.location.lat,
                                {t.k: t.v for t in node.tags})
        if place is not None:
            places.append(place)
    return places


def test_osm_tags_name_places_and_catalan_is_the_fallback() -> None:
    places = _places(ANDORRA)
    gazetteer = Gazetteer()
    gazetteer.add_osm_places(places)
    tagged = [p for p in places if dict(p.localized).get("uk")]
    untagged = [p for p in places if not dict(p.localized)
                and script_language(p.name) is None and not p.name.isascii()]
    assert tagged and untagged
    for p in tagged:
        place = gazetteer.resolve(p.name).place
        assert gazetteer.display_name(place, "uk") == dict(p.localized)["uk"]
    # a village with its Catalan name only: kept as it is in every language (it is Latin)
    village = untagged[0]
    place = next(q for q in (m.place for m in [gazetteer.resolve(village.name)]))
    assert {gazetteer.display_name(place, lang) for lang in ("en", "uk", "ru")} == {village.name}
