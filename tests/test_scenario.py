"""Scenario loading: the seed file validates, and each kind of broken input is located exactly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from corridor.errors import ScenarioError
from corridor.scenario import json_schema, load_scenario
from tests.conftest import SCENARIO_DIR

SEED = SCENARIO_DIR / "ukraine-2022-03-07.yaml"


def _seed() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    return data


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _error(tmp_path: Path, data: dict[str, Any]) -> ScenarioError:
    path = _write(tmp_path, data)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.source == str(path)
    return info.value


def test_seed_scenario_loads_with_aware_windows() -> None:
    sc = load_scenario(SEED)
    assert [p.id for p in sc.parties] == ["UA", "RU", "ICRC"]
    assert len(sc.proposals) == 6
    for window in sc.windows:
        assert window.start.utcoffset() is not None
        assert window.end > window.start
    # relative paths resolve against the scenario file, not the working directory
    assert sc.path(sc.network.source).is_file()


def test_labels_mean_themselves_and_other_party_ids_expand(tmp_path: Path) -> None:
    sc = load_scenario(SEED)
    # "RU" is a territory label (the state), so it does not stand for occupied areas
    assert sc.expand_territories(["RU", "BY"]) == {"RU", "BY"}
    data = _seed()
    data["parties"].append({"id": "FORCES", "name": "Occupying forces",
                            "holds": ["RU", "RU-held"]})
    with_party = load_scenario(_write(tmp_path, data))
    assert with_party.expand_territories(["FORCES", "BY"]) == {"RU", "RU-held", "BY"}


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "nope.yaml")


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nparties:\n  - id: UA\n    rules: [\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "YAML syntax error" in info.value.message
    assert info.value.line is not None and info.value.line >= 4


def test_unknown_party_in_proposal(tmp_path: Path) -> None:
    data = _seed()
    data["proposals"][2]["proposer"] = "XX"
    err = _error(tmp_path, data)
    assert err.field == "proposals[2].proposer"
    assert "unknown party 'XX'" in err.message
    assert err.line is not None


def test_unknown_territory_in_rule(tmp_path: Path) -> None:
    data = _seed()
    data["parties"][1]["rules"][0]["territories"] = ["RU", "Narnia"]
    err = _error(tmp_path, data)
    assert err.field == "parties[1].rules[0].territories[1]"
    assert "Narnia" in err.message


def test_latitude_out_of_range(tmp_path: Path) -> None:
    data = _seed()
    data["checkpoints"][0]["at"] = {"point": [33.5, 95.0]}
    err = _error(tmp_path, data)
    assert err.field is not None and err.field.startswith("checkpoints[0].at.point")
    assert "latitude 95" in err.message


@pytest.mark.parametrize(
    ("ring", "expected"),
    [
        ([[30, 50], [31, 50], [31, 51], [30, 51]], "not closed"),
        ([[30, 50], [31, 51], [31, 50], [30, 51], [30, 50]], "Self-intersection"),
        ([[30, 50], [31, 50], [30, 50]], "at least 4 positions"),
    ],
)
def test_bad_polygons(tmp_path: Path, ring: list[list[float]], expected: str) -> None:
    data = _seed()
    data["hazards"]["zones"] = [{"name": "shelling", "risk": "high", "coordinates": ring}]
    err = _error(tmp_path, data)
    assert err.field == "hazards.zones[0].coordinates"
    assert expected in err.message


def test_duplicate_ids(tmp_path: Path) -> None:
    data = _seed()
    data["proposals"][4]["id"] = "ru-1"
    err = _error(tmp_path, data)
    assert err.field == "proposals[4].id"
    assert "duplicate id 'ru-1'" in err.message


def test_window_without_zone_or_reversed(tmp_path: Path) -> None:
    data = _seed()
    del data["windows"][1]["timezone"]
    err = _error(tmp_path, data)
    assert err.field == "windows[1]"
    assert "has no time zone" in err.message
    data = _seed()
    data["windows"][0]["end"] = "2022-03-08T08:00"
    err = _error(tmp_path, data)
    assert "ends" in err.message and "before it starts" in err.message


def test_unknown_field_and_missing_field(tmp_path: Path) -> None:
    data = _seed()
    data["parties"][0]["colour"] = "blue"
    err = _error(tmp_path, data)
    assert (err.field, err.message) == ("parties[0].colour", "unknown field")
    data = _seed()
    del data["network"]
    err = _error(tmp_path, data)
    assert (err.field, err.message) == ("network", "required field is missing")


def test_contradictory_rules_of_one_party(tmp_path: Path) -> None:
    data = _seed()
    data["parties"][0]["rules"].append({"type": "destination_in", "territories": ["RU"]})
    err = _error(tmp_path, data)
    assert err.field == "parties[0].rules[2]"
    assert "contradictory rules" in err.message


def test_rule_scoped_to_unknown_origin(tmp_path: Path) -> None:
    data = _seed()
    data["parties"][1]["rules"][0]["origins"] = ["Kyiv", "Atlantis"]
    err = _error(tmp_path, data)
    assert err.field == "parties[1].rules[0].origins[1]"


def test_schema_is_valid_json_schema_for_the_seed() -> None:
    schema = json_schema()
    assert schema["type"] == "object"
    assert {"network", "parties"} <= set(schema["required"])
    # every top-level key the seed uses is declared by the schema
    assert set(_seed()) <= set(schema["properties"])


def test_cli_exit_codes(tmp_path: Path) -> None:
    ok = subprocess.run([sys.executable, "-m", "corridor", "validate", str(SEED), "--json"],
                        capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["proposals"] == 6
    data = _seed()
    data["parties"][1]["rules"][0]["territories"] = ["Narnia"]
    bad = subprocess.run([sys.executable, "-m", "corridor", "validate",
                          str(_write(tmp_path, data))],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2
    assert "parties[1].rules[0].territories[0]" in bad.stderr
    assert bad.stderr.count("\n") == 1
