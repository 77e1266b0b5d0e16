"""``corridor admin import``: a scenario into the store, idempotent and all or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from corridor.cli import run
from corridor.store.db import Database
from corridor.store.models import AuditEntry, CeasefireWindow, EvacuationSite, Party, Proposal
from tests.conftest import REPO_ROOT, SCENARIO_DIR

ANDORRA = REPO_ROOT / "examples" / "andorra" / "scenario.yaml"
UKRAINE = SCENARIO_DIR / "ukraine-2022-03-07.yaml"


def _import(capsys: pytest.CaptureFixture[str], scenario: Path, db_url: str,
            ) -> tuple[int, dict[str, Any] | None, str]:
    code = run(["admin", "import", str(scenario), "--db", db_url, "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if code == 0 else None, captured.err


def _count(db_url: str, model: type[Any]) -> int:
    with Database.open(db_url, migrate=False) as db, db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _edited(tmp_path: Path, change: Any) -> Path:
    """A copy of the Andorra scenario beside the original (its relative paths still hold)."""
    data = yaml.safe_load(ANDORRA.read_text(encoding="utf-8"))
    change(data)
    path = ANDORRA.parent / f".test-{tmp_path.name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def edits(tmp_path: Path) -> Any:
    made: list[Path] = []

    def _make(change: Any) -> Path:
        made.append(_edited(tmp_path, change))
        return made[-1]

    yield _make
    for path in made:
        path.unlink(missing_ok=True)


def test_andorra_is_imported_routed_and_judged_and_a_second_run_changes_nothing(
        db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, first, err = _import(capsys, ANDORRA, db_url)
    assert code == 0, err
    assert first is not None and first["changed"] is True
    assert first["parties"]["created"] == ["HIGH", "LOW", "NORTH", "MED"]
    assert first["windows"]["created"] == ["sat-day", "sat-night", "sun-day"]
    assert first["proposals"]["created"] == ["high-1", "low-1", "north-1"]
    with Database.open(db_url, migrate=False) as db, db.read() as s:
        proposals = {p.ref: p for p in s.scalars(select(Proposal))}
        windows = {w.key: w for w in s.scalars(select(CeasefireWindow))}
        places = {(p.name, p.role): p for p in s.scalars(select(EvacuationSite))}
        kinds = {p.id: p.kind for p in s.scalars(select(Party))}
    assert kinds["MED"] == "facilitator" and kinds["HIGH"] == "belligerent"
    # The Cyrillic waypoint is kept as written and routed like any other name.
    assert proposals["high-1"].waypoints == ["Encamp", "Сольдеу", "Pas de la Casa"]
    assert all(p.route is not None and p.route["type"] == "LineString"
               for p in proposals.values())
    # The night window breaks the Highland Council's daylight rule; the day windows do not.
    assert proposals["north-1"].verdicts["HIGH"]["acceptable"] is False
    assert proposals["low-1"].verdicts["HIGH"]["acceptable"] is True
    assert windows["sat-night"].tz == "Europe/Andorra"
    assert windows["sat-night"].start.isoformat() == "2026-05-16T19:00:00+00:00"
    assert places[("Sant Julià de Lòria", "destination")].capacity == 5000
    audit = _count(db_url, AuditEntry)

    code, second, err = _import(capsys, ANDORRA, db_url)
    assert code == 0, err
    assert second is not None and second["changed"] is False
    assert all(not second[k]["created"] and not second[k]["updated"] for k in
               ("parties", "places", "windows", "proposals"))
    assert _count(db_url, AuditEntry) == audit
    run(["admin", "import", str(ANDORRA), "--db", db_url])
    assert "nothing changed" in capsys.readouterr().out


def test_the_2022_scenario_imports_too(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, result, err = _import(capsys, UKRAINE, db_url)
    assert code == 0, err
    assert result is not None and len(result["proposals"]["created"]) == 6
    with Database.open(db_url, migrate=False) as db, db.read() as s:
        refused = {p.ref for p in s.scalars(select(Proposal))
                   if not p.verdicts["UA"]["acceptable"]}
        languages = {p.id: p.languages for p in s.scalars(select(Party))}
    # Ukraine's rules refuse the four routes into Russia or Belarus.
    assert refused == {"ru-1", "ru-2", "ru-4", "ru-5"}
    # The languages the scenario gives each delegation, which its agreements print in.
    assert languages == {"UA": ["uk"], "RU": ["ru"], "ICRC": []}


def test_an_edited_scenario_updates_what_changed_and_says_so(
        db_url: str, capsys: pytest.CaptureFixture[str], edits: Any) -> None:
    assert _import(capsys, ANDORRA, db_url)[0] == 0

    def change(data: dict[str, Any]) -> None:
        data["parties"][3]["name"] = "Бюро посредничества"
        data["parties"][3]["languages"] = ["ru"]
        data["places"]["destinations"][1]["capacity"] = 3000
        data["windows"].append({"id": "mon-day", "start": "2026-05-18T09:00",
                                "end": "2026-05-18T17:00", "timezone": "Europe/Andorra"})

    code, result, err = _import(capsys, edits(change), db_url)
    assert code == 0, err
    assert result is not None
    assert result["parties"]["updated"] == ["MED"]
    assert result["places"]["updated"] == ["Ordino (destination)"]
    assert result["windows"]["created"] == ["mon-day"]
    assert result["proposals"]["unchanged"] == ["high-1", "low-1", "north-1"]
    with Database.open(db_url, migrate=False) as db, db.read() as s:
        assert s.get(Party, "MED").name == "Бюро посредничества"  # type: ignore[union-attr]
        assert s.get(Party, "MED").languages == ["ru"]  # type: ignore[union-attr]
        actions = [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
    assert actions[-3:] == ["party.updated", "place.updated", "window.created"]


def _unknown_waypoint(data: dict[str, Any]) -> None:
    data["proposals"][1]["waypoints"] = ["Atlantis"]


def _lower_case_party(data: dict[str, Any]) -> None:
    data["parties"][2]["id"] = "north"
    data["proposals"][2]["proposer"] = "north"


def _retabled(data: dict[str, Any]) -> None:
    data["windows"].append({"id": "mon-day", "start": "2026-05-18T09:00",
                            "end": "2026-05-18T17:00", "timezone": "Europe/Andorra"})
    data["proposals"][2]["destination"] = "Sant Julià de Lòria"


@pytest.mark.parametrize(("change", "field"), [
    (_unknown_waypoint, "proposals[1].waypoints[0]: unknown place name 'Atlantis'"),
    (_lower_case_party, "parties[2].id: cannot be stored"),
    (_retabled, "proposals[2]: proposal north-1 is already in the store"),
])
def test_a_bad_scenario_exits_2_naming_the_field_and_writes_nothing(
        db_url: str, capsys: pytest.CaptureFixture[str], edits: Any, change: Any,
        field: str) -> None:
    assert _import(capsys, ANDORRA, db_url)[0] == 0
    audit = _count(db_url, AuditEntry)
    edited = edits(change)
    code, _, err = _import(capsys, edited, db_url)
    assert code == 2
    assert f"{edited}: {field}" in err
    # The new window of the retabled case came before the refused proposal: it is not kept.
    assert _count(db_url, AuditEntry) == audit
    assert _count(db_url, CeasefireWindow) == 3
