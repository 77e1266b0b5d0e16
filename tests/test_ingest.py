"""Drafting proposals from statements: the written test set, the 7 March list, bad input."""

from __future__ import annotations

import io
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pymorphy3
import pytest
import yaml

from corridor.cli import run
from corridor.errors import IngestError
from corridor.gazetteer import Gazetteer, Place
from corridor.ingest import Context, as_yaml, decode_statement, draft, scenario_context
from corridor.ingest.chains import Role
from corridor.ingest.text import segments
from corridor.scenario import load_scenario
from corridor.world import World, build_world
from tests.conftest import ANDORRA, SCENARIO_DIR

STATEMENTS = Path(__file__).parent / "data" / "statements"
EXPECTED: dict[str, Any] = yaml.safe_load((STATEMENTS / "expected.yaml").read_text("utf-8"))
SEED = SCENARIO_DIR / "ukraine-2022-03-07.yaml"


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(load_scenario(SEED))


@pytest.fixture(scope="module")
def context(world: World) -> Context:
    return scenario_context(world)


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _route(item: dict[str, Any]) -> list[str]:
    return [item["origin"], *item["waypoints"], item["destination"]]


def test_the_test_set_has_twelve_statements_or_more_in_each_language() -> None:
    assert len(EXPECTED) >= 12
    assert sorted(STATEMENTS.glob("*.txt")) == sorted(STATEMENTS / n for n in EXPECTED)
    assert {name[:2] for name in EXPECTED} == {"en", "uk", "ru"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_statement_gives_the_expected_proposals(name: str, context: Context) -> None:
    expected = EXPECTED[name]
    drafts = [d.as_json() for d in draft((STATEMENTS / name).read_text("utf-8"), context)]
    assert [_route(d) for d in drafts] == [p["route"] for p in expected["proposals"]]
    for got, want in zip(drafts, expected["proposals"], strict=True):
        windows = [(_instant(w["start"]), _instant(w["end"])) for w in got["windows"]]
        assert windows == [(_instant(s), _instant(e)) for s, e in want["windows"]]
        assert [u["written"] for u in got["unresolved"]] == want.get("unresolved", [])
        assert got["means"] == expected.get("means", got["means"])
        assert got["proposer"] == expected.get("proposer")
        text = (STATEMENTS / name).read_text("utf-8")
        assert text[got["source"]["start"]:got["source"]["end"]] == got["source"]["text"]
        for place in got["places"]:
            assert text[place["start"]:place["end"]] == place["written"]


def test_the_seven_march_list_gives_the_scenarios_six_proposals(world: World,
                                                                 context: Context) -> None:
    sc = world.scenario
    drafts = draft((STATEMENTS / "en-2022-03-07-list.txt").read_text("utf-8"), context)
    assert [(d.names(Role.FROM), d.names(Role.VIA), d.names(Role.TO)) for d in drafts] == [
        ([p.origin], p.waypoints, [p.destination]) for p in sc.proposals]
    mar08 = next(w for w in sc.windows if w.id == "mar08")
    for item in drafts:
        assert [(w.start, w.end) for w in item.windows] == [(mar08.start, mar08.end)]
        assert item.proposer == "RU" == sc.proposals[0].proposer
        # Only the choices between namesakes (Rozivka: three in GeoNames) are left to check.
        assert all("nearest of" in note for note in item.notes)
        assert item.confidence == round(0.9 ** len(item.notes), 2)
    [note] = [n for item in drafts for n in item.notes]
    assert note.startswith("'Rozivka': nearest of 3 matches")


@pytest.mark.parametrize("statement", ["Corridor from Rozivka to Polohy.",
                                       "Коридор з Розівки до Пологів."])
def test_an_origin_with_namesakes_is_placed_by_the_next_place(context: Context,
                                                              statement: str) -> None:
    item = draft(statement, context)[0]
    origin = item.places[0].resolved
    assert origin.place is not None and (origin.place.country, origin.place.admin1) == (
        "UA", "26")  # Zaporizhzhia oblast, like Polohy
    assert any(n.startswith(f"{item.places[0].name.text!r}: nearest of 3 matches")
               for n in item.notes)
    assert item.confidence == round(0.9 * 0.8 * 0.8, 2)  # namesake, no window, no proposer


def test_unresolved_names_carry_the_gazetteers_closest_spellings(context: Context) -> None:
    item = draft((STATEMENTS / "en-unknown-village.txt").read_text("utf-8"), context)[0]
    problem = item.as_json()["unresolved"][0]
    assert problem["role"] == "waypoint"
    assert "unknown place name 'Zelenyi Yarok'" in problem["problem"]
    assert "closest spellings: Zelenyi" in problem["problem"]
    assert item.confidence <= 0.5


def test_morphology_resolves_inflected_names_exact_lookup_misses(context: Context) -> None:
    text = (STATEMENTS / "uk-prose-inflected.txt").read_text("utf-8")
    with_morphology = draft(text, context)[0].as_json()
    assert with_morphology["unresolved"] == []
    written = [p["written"] for p in with_morphology["places"]]
    assert written == ["Сум", "Ромни", "Лохвицю", "Лубни", "Полтави"]
    # Only the names written in their dictionary form are found without pymorphy3.
    without = draft(text, context, morphology=False)[0].as_json()
    assert [u["written"] for u in without["unresolved"]] == ["Сум", "Лохвицю", "Полтави"]


def test_an_unknown_cyrillic_name_is_kept_as_written_when_it_may_be_nominative(
        context: Context) -> None:
    item = draft("З Ізюма через Приозерне-Друге до Лозової 11.03.2022 о 9:00.", context)[0]
    assert item.names(Role.VIA) == ["Приозерне-Друге"]


def test_inflected_multiword_names_agree_in_gender(context: Context) -> None:
    item = draft("Коридор з Білої Церкви до Житомира.", context)[0]
    assert (item.names(Role.FROM), item.names(Role.TO)) == (["Bila Tserkva"], ["Zhytomyr"])


def test_a_leading_word_left_out_of_a_name_is_noted(context: Context) -> None:
    item = draft((STATEMENTS / "en-arrows-utc.txt").read_text("utf-8"), context)[0]
    assert "'Corridor Kharkiv' read as 'Kharkiv'" in item.notes
    assert item.confidence < 1.0


def test_the_yaml_fragment_validates_merged_into_the_scenario(tmp_path: Path,
                                                              context: Context) -> None:
    drafts = draft((STATEMENTS / "en-2022-03-07-list.txt").read_text("utf-8"), context)
    seed = yaml.safe_load(SEED.read_text("utf-8"))
    taken = {w["id"] for w in seed["windows"]} | {p["id"] for p in seed["proposals"]}
    fragment = yaml.safe_load(as_yaml(drafts, taken=taken))
    seed["windows"] += fragment["windows"]
    seed["proposals"] += fragment["proposals"]
    merged = tmp_path / "merged.yaml"
    merged.write_text(yaml.safe_dump(seed, allow_unicode=True, sort_keys=False), "utf-8")
    sc = load_scenario(merged)
    added = sc.proposals[6:]
    assert [(p.origin, p.waypoints, p.destination) for p in added] == [
        (p.origin, p.waypoints, p.destination) for p in sc.proposals[:6]]
    assert len(fragment["windows"]) == 1  # the six share one window, written once
    window = next(w for w in sc.windows if w.id == added[0].windows[0])
    mar08 = next(w for w in sc.windows if w.id == "mar08")
    assert (window.start, window.end) == (mar08.start, mar08.end)


def test_the_yaml_fragment_needs_a_proposer(context: Context) -> None:
    drafts = draft((STATEMENTS / "uk-two-in-one.txt").read_text("utf-8"), context)
    with pytest.raises(IngestError, match="--proposer"):
        as_yaml(drafts)
    assert "proposer: UA" in as_yaml(drafts, proposer="UA")


@pytest.mark.parametrize(("data", "says"), [
    (b"", "the statement is empty"),
    (b" \n\t\n", "the statement is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
    ("Київ – Ірпінь".encode("cp1251"), "not UTF-8 text"),
    (b"x" * (10 * 1024 * 1024), "too long for a statement"),
])
def test_bad_input_is_refused_with_a_clear_message(data: bytes, says: str) -> None:
    with pytest.raises(IngestError, match=says) as info:
        decode_statement(data, "statement.txt")
    assert info.value.source == "statement.txt"


def test_a_statement_without_a_corridor_says_what_was_expected(context: Context) -> None:
    with pytest.raises(IngestError, match="no corridor found: expected place names joined"):
        draft("The talks will resume on Monday in Belarus. No agreement was reached.", context)


def test_segments_keep_their_offsets_and_list_numbers() -> None:
    text = "Corridors:\n1. Kyiv – Irpin.\n2. м. Суми – Полтава; buses."
    found = segments(text)
    assert [s.text for s in found] == ["Corridors:", "1. Kyiv – Irpin.", "2. м. Суми – Полтава;",
                                       "buses."]
    assert all(text[s.start:s.end] == s.text for s in found)


def test_gazetteer_knows_a_name_without_searching_for_spellings() -> None:
    gazetteer = Gazetteer([Place("Kharkiv", 36.25, 49.98, "UA")])
    assert gazetteer.knows("Kharkiv") and gazetteer.knows("kharkiv ")
    assert not gazetteer.knows("Kharkov") and not gazetteer.knows("  ")


def _cli(args: list[str], stdin: bytes = b"") -> tuple[int, str]:
    out, old_out, old_in = io.StringIO(), sys.stdout, sys.stdin
    sys.stdout = out
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        code = run(args)
    finally:
        sys.stdout, sys.stdin = old_out, old_in
    return code, out.getvalue()


def test_cli_reads_standard_input_and_prints_json() -> None:
    statement = (STATEMENTS / "uk-two-in-one.txt").read_bytes()
    code, out = _cli(["ingest", "-", "--scenario", str(SEED), "--json"], statement)
    assert code == 0
    data = json.loads(out)
    assert data["language"] == "uk"
    assert [_route(p) for p in data["proposals"]] == [["Mariupol", "Zaporizhzhia"],
                                                      ["Enerhodar", "Zaporizhzhia"]]


def test_cli_without_a_gazetteer_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_text("Kyiv – Irpin", "utf-8")
    assert _cli(["ingest", str(path)])[0] == 2


@pytest.fixture(scope="module")
def andorra() -> Context:
    return scenario_context(build_world(load_scenario(ANDORRA)))


@pytest.mark.parametrize("statement", [
    "The Highland Council announced a corridor from Canillo to Sant Julià de Lòria via Encamp "
    "on 16 May 2026 from 10:00 to 18:00 CET.",
    "Коридор из Канильо в Сант-Жулиа-де-Лория через Энкамп 16 мая 2026 года с 10:00 до 18:00 "
    "по центральноевропейскому времени, CET.",
])
def test_another_country_in_latin_or_cyrillic_script(andorra: Context, statement: str) -> None:
    item = draft(statement, andorra)[0]
    assert (item.names(Role.FROM), item.names(Role.VIA), item.names(Role.TO)) == (
        ["Canillo"], ["Encamp"], ["Sant Julià de Lòria"])
    assert [(w.start.isoformat(), w.timezone) for w in item.windows] == [
        ("2026-05-16T10:00:00+02:00", "CET")]


def test_a_statement_naming_too_many_places_is_refused(context: Context) -> None:
    chain = " – ".join(f"Село{i}" for i in range(400))
    with pytest.raises(IngestError, match="400 place names in corridor chains; expected at most"):
        draft(chain, context)


def test_cyrillic_that_does_not_tell_its_language_is_read_with_both_dictionaries() -> None:
    statement = "Коридор из Харькова в Белгород 8 марта 2022 с 10:00 до 18:00 мск."
    code, out = _cli(["ingest", "-", "--scenario", str(SEED), "--json"], statement.encode())
    assert code == 0
    data = json.loads(out)
    assert data["language"] is None
    assert [_route(p) for p in data["proposals"]] == [["Kharkiv", "Belgorod"]]
    code, out = _cli(["ingest", "-", "--scenario", str(SEED), "--json", "--text-lang", "ru"],
                     statement.encode())
    assert json.loads(out)["language"] == "ru"


def test_a_name_missing_from_the_dictionary_resolves_through_the_guessed_paradigms(
        context: Context) -> None:
    # The Russian dictionary lacks Гостомель: pymorphy3's likeliest guess is a verb, and the
    # gazetteer, not the guess's rank, decides which reading is a place.
    [first, *_] = pymorphy3.MorphAnalyzer(lang="ru").parse("Гостомеля")
    assert not first.is_known and first.tag.POS != "NOUN"
    item = draft("Колонна выйдет из Гостомеля в Киев.", context)[0]
    assert (item.names(Role.FROM), item.names(Role.TO)) == (["Hostomel"], ["Kyiv"])
