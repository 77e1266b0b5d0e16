"""The 2022 timeline: the dated settlement file, derived only from what the 7 March file cites."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from corridor.scenario import load_scenario
from corridor.situation import read_settlements
from tests.conftest import DATA_DIR, REPO_ROOT, SCENARIO_DIR

MARCH_7 = DATA_DIR / "ukraine-2022" / "control-2022-03-07.csv"
DATED = DATA_DIR / "ukraine-2022" / "control-2022-timeline.csv"


def _statuses(day: date) -> dict[str, str]:
    return {s.name: s.status for s in read_settlements(DATED, as_of=day)}


def test_the_dated_file_is_what_the_tool_derives(tmp_path: Path) -> None:
    out = tmp_path / "dated.csv"
    subprocess.run([sys.executable, str(REPO_ROOT / "tools" / "control_timeline.py"),
                    str(MARCH_7), str(out)], check=True)
    assert out.read_bytes() == DATED.read_bytes()


def test_on_7_march_the_dated_file_is_the_7_march_file() -> None:
    assert read_settlements(DATED, as_of=date(2022, 3, 7)) == read_settlements(MARCH_7)


@pytest.mark.parametrize(("name", "day", "status"), [
    ("Kherson", date(2022, 2, 28), None),           # captured 2 March: no status before
    ("Kherson", date(2022, 3, 3), "ru"),
    ("Henichesk", date(2022, 2, 28), "ru"),          # under Russian control from 24 February
    ("Donetsk", date(2022, 2, 28), "ru"),            # occupied since 2014
    ("Kharkiv", date(2022, 2, 28), "ua"),            # "held throughout"
    ("Svatove", date(2022, 3, 3), "ua"),             # rallies 28 Feb and 3 Mar
    ("Svatove", date(2022, 3, 7), "contested"),
    ("Svatove", date(2022, 3, 9), "ru"),             # occupied 8 March
    ("Kipti", date(2022, 3, 9), "ru"),               # the polygon's edge moved over it
    ("Zolochiv", date(2022, 3, 9), "contested"),     # inside on 5 and 9 Mar: no news, kept
    ("Polohy", date(2022, 3, 3), "ru"),              # entered on 3 March
    ("Bucha", date(2022, 3, 3), None),               # captured by 5 March, or 8 March
])
def test_dated_statuses_follow_the_cited_dates(name: str, day: date, status: str | None,
                                               ) -> None:
    assert _statuses(day).get(name) == status


def test_earlier_dates_list_fewer_settlements_and_no_invented_ones() -> None:
    counts = [len(read_settlements(DATED, as_of=date(2022, 3, d))) for d in (1, 3, 7, 9)]
    assert counts[0] < counts[1] < counts[2] == counts[3] == 225
    march_7 = {s.name for s in read_settlements(MARCH_7)}
    assert set(_statuses(date(2022, 2, 28))) <= march_7


def test_the_seed_scenario_has_the_four_dates() -> None:
    sc = load_scenario(SCENARIO_DIR / "ukraine-2022-03-07.yaml")
    assert sc.dates == [date(2022, 2, 28), date(2022, 3, 3), date(2022, 3, 7), date(2022, 3, 9)]
    # the proposals' window of 8 March picks 7 March; 10 March still stands on 9 March
    assert sc.default_date(["mar08"]) == date(2022, 3, 7)
    assert sc.snapshot_date(date(2022, 3, 10)) == date(2022, 3, 9)
    assert sc.at(date(2022, 3, 7)).control == sc.control


def _corridor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "corridor", *args], capture_output=True,
                          text=True, timeout=600, check=False)


def test_route_and_negotiate_stand_on_the_date_asked_for() -> None:
    seed = str(SCENARIO_DIR / "ukraine-2022-03-07.yaml")
    routes = {}
    for day in ("2022-02-28", "2022-03-08"):
        run = _corridor("route", seed, "--from", "Mariupol", "--to", "Zaporizhzhia",
                        "--mode", "safest", "--json", "--at", day)
        assert run.returncode == 0, run.stderr
        routes[day] = json.loads(run.stdout)
    assert routes["2022-02-28"]["as_of"] == "2022-02-28"
    assert routes["2022-03-08"]["as_of"] == "2022-03-07"  # valid until 9 March
    # the front around Mariupol had closed in by 7 March: more of the way runs under fire
    exposure = {day: r["route"]["exposure_km"] for day, r in routes.items()}
    assert exposure["2022-03-08"] > exposure["2022-02-28"]
    run = _corridor("negotiate", seed, "--json", "--at", "2022-03-03")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert {p["as_of"] for p in doc["proposals"]} == {"2022-03-03"}
    assert set(doc["search_as_of"].values()) == {"2022-03-03"}


def _seed_copy(tmp_path: Path, change: Any) -> Path:
    """The seed scenario written into ``tmp_path`` with absolute data paths, then ``change``d."""
    seed = SCENARIO_DIR / "ukraine-2022-03-07.yaml"
    data = yaml.safe_load(seed.read_text(encoding="utf-8"))

    def absolute(path: str) -> str:
        return str((seed.parent / path).resolve())

    data["network"]["source"] = absolute(data["network"]["source"])
    for key in ("geonames", "supplements"):
        data["gazetteer"][key] = [absolute(p) for p in data["gazetteer"][key]]
    data["control"]["borders"] = absolute(data["control"]["borders"])
    for spec in [data["control"], *(s.get("control") or {} for s in data["timeline"])]:
        if "settlements" in spec:
            spec["settlements"] = {**spec["settlements"],
                                   "source": absolute(spec["settlements"]["source"])}
    change(data)
    path = tmp_path / "seed.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_bad_date_in_a_snapshot_file_exits_2_naming_the_line(tmp_path: Path) -> None:
    lines = DATED.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",2022-03-07,", ",7.3.2022,")
    bad = tmp_path / "dated.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def change(data: dict[str, Any]) -> None:
        data["timeline"][3]["control"] = {"settlements": {
            "source": str(bad), "status": data["control"]["settlements"]["status"]}}

    run = _corridor("negotiate", str(_seed_copy(tmp_path, change)), "--at", "2022-03-09")
    assert run.returncode == 2, run.stderr
    assert f"{bad}:4: date: expected a date as YYYY-MM-DD, got '7.3.2022'" in run.stderr


def test_snapshots_out_of_order_exit_2_naming_the_field(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["timeline"][1]["date"] = "2022-02-27"

    run = _corridor("replay", str(_seed_copy(tmp_path, change)))
    assert run.returncode == 2, run.stderr
    assert "timeline[1].date: dates out of order: 2022-02-27 comes after 2022-02-28" in run.stderr
