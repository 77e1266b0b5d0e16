# Messages in Ukrainian and Russian are Cyrillic on purpose.
# ruff: noqa: RUF001
"""Bad input is reported in the reader's language, still naming the file, field and line.

Each case feeds a broken input through the entry point that reads it (the scenario loader,
the OSM reader, the settlement CSV reader, the statement decoder) with Ukrainian or Russian
active, and checks the translated message and that the location is unchanged. Pydantic's own
messages keep its English wording in English and are translated with their parameters; a
router's kept weighting is described in the language of the request that fails, not the one
that built it. The last case runs the installed ``corridor`` executable with
``CORRIDOR_LANG=ru``.
"""

from __future__ import annotations

import functools
import gzip
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from corridor.errors import (
    IngestError,
    NetworkError,
    RoutingError,
    ScenarioError,
    SituationError,
)
from corridor.i18n import use_language
from corridor.ingest.text import decode_statement
from corridor.network.build import network_from_edges
from corridor.network.osm import build_network
from corridor.routing import Router, describe_exclusions
from corridor.scenario import load_scenario
from corridor.scenario.loading import pydantic_message
from corridor.situation.control import read_settlements
from tests.conftest import DATA_DIR, REPO_ROOT, SCENARIO_DIR

SEED = SCENARIO_DIR / "ukraine-2022-03-07.yaml"
MONACO = DATA_DIR / "osm" / "monaco.osm.gz"


def _scenario_without_proposer(tmp_path: Path) -> Path:
    """The seed scenario with its second proposal's ``proposer`` removed, data files found."""
    text = re.sub(r"(?:\.\./)+[\w./-]+", lambda m: str((SEED.parent / m.group()).resolve()),
                  SEED.read_text(encoding="utf-8"))
    data: dict[str, Any] = yaml.safe_load(text)
    del data["proposals"][1]["proposer"]
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(("language", "says"), [
    ("uk", "бракує обов'язкового поля"),
    ("ru", "не хватает обязательного поля"),
])
def test_a_missing_scenario_field_is_reported_in_the_language(tmp_path: Path, language: str,
                                                              says: str) -> None:
    path = _scenario_without_proposer(tmp_path)
    with use_language(language), pytest.raises(ScenarioError) as info:
        load_scenario(path)
    error = info.value
    assert error.message == says
    assert (error.source, error.field) == (str(path), "proposals[1].proposer")
    assert error.line is not None
    assert str(error) == f"{path}:{error.line}: proposals[1].proposer: {says}"


def test_english_stays_the_source_text(tmp_path: Path) -> None:
    path = _scenario_without_proposer(tmp_path)
    with use_language("en"), pytest.raises(ScenarioError, match="required field is missing"):
        load_scenario(path)


@pytest.mark.parametrize(("language", "says"), [
    ("uk", r"не вдається прочитати як .*; можливо, файл обрізаний або пошкоджений"),
    ("ru", r"не удаётся прочитать как .*; возможно, файл обрезан или повреждён"),
])
def test_an_unreadable_osm_file_is_reported_in_the_language(tmp_path: Path, language: str,
                                                            says: str) -> None:
    broken = tmp_path / "cut.osm.gz"
    # A valid gzip stream of half the XML: the parser finds the document cut off.
    xml = gzip.decompress(MONACO.read_bytes())
    broken.write_bytes(gzip.compress(xml[: len(xml) // 2]))
    with use_language(language), pytest.raises(NetworkError, match=says) as info:
        build_network(broken)
    assert info.value.source == str(broken)
    assert str(info.value).startswith(f"{broken}: ")


@pytest.mark.parametrize(("language", "says"), [
    ("uk", "невідомий статус 'occupied'; очікувався один із: "),
    ("ru", "неизвестный статус 'occupied'; ожидался один из: "),
])
def test_a_bad_control_csv_row_is_reported_in_the_language(tmp_path: Path, language: str,
                                                           says: str) -> None:
    path = tmp_path / "control.csv"
    path.write_text("name,geonameid,lat,lon,status\n"
                    "Kyiv,703448,50.45466,30.5238,ua\n"
                    "Somewhere,1,48.0,35.0,occupied\n", encoding="utf-8")
    with use_language(language), pytest.raises(SituationError) as info:
        read_settlements(path)
    assert info.value.message.startswith(says)
    assert str(info.value).startswith(f"{path}:3: status: {says}")


@pytest.mark.parametrize(("language", "says"), [
    ("uk", "заява порожня; очікувався текст з оголошенням коридорів"),
    ("ru", "заявление пустое; ожидался текст с объявлением коридоров"),
])
def test_an_empty_statement_is_reported_in_the_language(language: str, says: str) -> None:
    with use_language(language), pytest.raises(IngestError) as info:
        decode_statement(b"  \n", "statement.txt")
    assert str(info.value) == f"statement.txt: {says}"


def test_numbers_in_messages_follow_the_language() -> None:
    with use_language("uk"), pytest.raises(IngestError) as info:
        decode_statement(b"x" * 3_000_000, "big.txt")
    assert info.value.message.startswith("заява завдовжки 3\u00a0000\u00a0000 Б — це забагато")


class _Sample(BaseModel):
    """A model with the constraints scenario fields use, to provoke Pydantic's errors."""

    model_config = ConfigDict(extra="forbid")

    count: int = Field(0, gt=0)
    share: float = Field(0.5, le=1.0)
    speed: float = Field(10.0, gt=2.5)
    names: list[str] = Field(default_factory=list, min_length=2)
    kind: Literal["road", "rail", "river"] = "road"
    flag: bool = False


def _first_error(data: dict[str, Any]) -> Any:
    with pytest.raises(ValidationError) as info:
        _Sample.model_validate(data)
    return info.value.errors()[0]


_BROKEN: dict[str, dict[str, Any]] = {
    "greater_than": {"count": 0},
    "less_than_equal": {"share": 2},
    "greater_than/float": {"speed": 1},
    "int_parsing": {"count": "many"},
    "float_parsing": {"share": "half"},
    "literal_error": {"kind": "air"},
    "bool_parsing": {"flag": "perhaps"},
    "list_type": {"names": "Kyiv"},
    "too_short": {"names": ["Kyiv"]},
}


@pytest.mark.parametrize("kind", sorted(_BROKEN))
def test_pydantic_messages_keep_pydantics_english(kind: str) -> None:
    error = _first_error(_BROKEN[kind])
    assert error["type"] == kind.split("/")[0]
    with use_language("en"):
        assert pydantic_message(error) == error["msg"]


@pytest.mark.parametrize(("language", "kind", "says"), [
    ("uk", "greater_than", "значення має бути більшим за 0"),
    ("ru", "greater_than", "значение должно быть больше 0"),
    ("uk", "less_than_equal", "значення має бути не більшим за 1"),
    ("ru", "greater_than/float", "значение должно быть больше 2.5"),
    ("ru", "int_parsing", "значение должно быть целым числом, а этот текст не читается как "
                          "целое число"),
    ("uk", "too_short", "список має містити щонайменше 2 елементи, а не 1"),
    ("ru", "literal_error", "значение должно быть одним из: 'road', 'rail' или 'river'"),
    ("ru", "too_short", "список должен содержать не менее 2 элементов, а не 1"),
])
def test_pydantic_messages_are_translated_with_their_parameters(language: str, kind: str,
                                                                says: str) -> None:
    error = _first_error(_BROKEN[kind])
    with use_language(language):
        assert pydantic_message(error) == says


def test_an_unmapped_pydantic_error_falls_back_to_pydantics_english() -> None:
    error = _first_error({"count": 3, "unknown": 1, "names": ["a", "b"]})
    assert error["type"] == "extra_forbidden"
    with use_language("ru"):
        assert pydantic_message(error) == "неизвестное поле"
    unmapped = {"type": "string_pattern_mismatch", "loc": ("kind",),
                "msg": "String should match pattern '^x$'", "input": "y",
                "ctx": {"pattern": "^x$"}}
    with use_language("uk"):
        assert pydantic_message(unmapped) == "String should match pattern '^x$'"  # type: ignore[arg-type]


def test_a_validators_own_message_is_translated_where_it_is_raised(tmp_path: Path) -> None:
    data: dict[str, Any] = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data["windows"][0]["timezone"] = "Europe/Atlantis"
    path = tmp_path / "zone.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    with use_language("ru"), pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.message == ("неизвестный часовой пояс 'Europe/Atlantis' (ожидалось "
                                  "название IANA, например 'Europe/Kyiv')")
    assert info.value.field == "windows[0].timezone"


def test_a_kept_weighting_says_what_it_excludes_in_the_language_of_the_failure() -> None:
    # 0 -> 1 -> 2 in a line; the weighting forbids the second road, as an exclusion would.
    network = network_from_edges([30.0, 30.1, 30.2], [50.0, 50.0, 50.0], [0, 1], [1, 2],
                                 speed_kmh=50.0, capacity_vph=1000.0, road_class=0)
    router = Router(network)
    with use_language("en"):
        router.customize("fastest/UA", np.array([60.0, np.inf]),
                         excluded=functools.partial(describe_exclusions, ("RU",)))
    with use_language("uk"), pytest.raises(RoutingError) as uk:
        router.route([0, 2], "fastest/UA")
    assert uk.value.message == ("кожен шлях від вузла 0 (30.00000, 50.00000) до вузла 2 "
                                "(30.20000, 50.00000) за мірою 'fastest/UA' перетинає "
                                "закриті дороги і територію RU")
    with use_language("en"), pytest.raises(RoutingError, match=r"crosses closed roads and "
                                                               r"territory RU$"):
        router.route([0, 2], "fastest/UA")


def _executable() -> str:
    """The console script installed next to this interpreter, else the one on PATH."""
    beside = Path(sys.executable).parent / "corridor"
    found = str(beside) if beside.exists() else shutil.which("corridor")
    assert found, "the corridor console script is not installed"
    return found


def test_the_executable_reports_a_broken_scenario_in_russian(tmp_path: Path) -> None:
    path = _scenario_without_proposer(tmp_path)
    paths = [str(REPO_ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "CORRIDOR_LANG": "ru",
           "COLUMNS": "200"}
    done = subprocess.run([_executable(), "validate", str(path)], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 2, done.stderr
    assert f"{path}:" in done.stderr
    assert "proposals[1].proposer: не хватает обязательного поля" in done.stderr
