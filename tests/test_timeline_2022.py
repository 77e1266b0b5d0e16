"""The 2022 timeline: the dated settlement file, derived only from what the 7 March file cites."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

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
