"""``corridor validate`` checks everything a run needs: names, files, points against the roads.

Each case is a variant of the Andorra example that a run would fail on (or, for the points, would
quietly route from a road far away); validate must exit 2 and say what and where.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ANDORRA


def _validate(scenario: Path, *args: str) -> subprocess.CompletedProcess[str]:
    beside = Path(sys.executable).parent / "corridor"
    exe = str(beside) if beside.exists() else shutil.which("corridor")
    assert exe, "the corridor console script is not installed"
    return subprocess.run([exe, "validate", str(scenario), *args], capture_output=True,
                          text=True, timeout=300)


def _with_place(data: dict[str, Any], tmp_path: Path, row: str) -> None:
    """Add one supplementary place (a CSV row) to the variant's gazetteer."""
    extra = tmp_path / "extra.csv"
    extra.write_text("name,country,lat,lon,confidence,basis\n" + row + "\n", encoding="utf-8")
    data.setdefault("gazetteer", {}).setdefault("supplements", []).append(str(extra))


def _misspelt(data: dict[str, Any], _: Path) -> None:
    data["proposals"][2]["destination"] = "Ordinnoa"


def _no_network(data: dict[str, Any], tmp_path: Path) -> None:
    data["network"]["source"] = str(tmp_path / "andorra-missing.osm.pbf")


def _no_gazetteer(data: dict[str, Any], tmp_path: Path) -> None:
    missing = tmp_path / "villages-missing.csv"
    data.setdefault("gazetteer", {}).setdefault("supplements", []).append(str(missing))


def _outside(data: dict[str, Any], tmp_path: Path) -> None:
    # a reception centre placed at Barcelona: 150 km beyond the Andorra extract
    _with_place(data, tmp_path, "Centre d'acollida,AD,41.3874,2.1686,high,typed by hand")
    data["places"]["destinations"].append({"name": "Centre d'acollida", "capacity": 100})


def _swapped_place(data: dict[str, Any], tmp_path: Path) -> None:
    # Engordany's [lat, lon] typed into the lat, lon columns the wrong way round
    _with_place(data, tmp_path, "Refugi Engordany,AD,1.53821,42.51354,high,typed by hand")
    data["proposals"][1]["waypoints"] = ["Refugi Engordany"]


def _swapped_checkpoint(data: dict[str, Any], _: Path) -> None:
    data["checkpoints"][0]["at"] = {"point": [42.51354, 1.53821]}


def _swapped_hazard_layer(data: dict[str, Any], tmp_path: Path) -> None:
    # the Encamp crossroads zone exported with its axes the wrong way round: [lat, lon]
    ring = [[42.531, 1.578], [42.531, 1.590], [42.540, 1.590], [42.540, 1.578], [42.531, 1.578]]
    (tmp_path / "zones.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon",
                                                           "coordinates": [ring]}}]}),
        encoding="utf-8")
    data["hazards"]["zones"].append({"source": str(tmp_path / "zones.geojson"), "risk": "high"})


CASES: dict[str, tuple[Callable[[dict[str, Any], Path], None], list[str]]] = {
    "misspelt place": (_misspelt, ["proposals[2].destination", "Ordinnoa"]),
    "missing network": (_no_network, ["andorra-missing.osm.pbf"]),
    "missing gazetteer file": (_no_gazetteer, ["villages-missing.csv"]),
    "outside the extract": (_outside, ["places.destinations[3].name", "km from the nearest road",
                                       "outside the extract's bounds"]),
    "swapped place": (_swapped_place, ["proposals[1].waypoints[0]", "km from the nearest road",
                                       "longitude and latitude swapped"]),
    "swapped checkpoint": (_swapped_checkpoint, ["checkpoints[0].at",
                                                 "longitude and latitude swapped"]),
    "swapped hazard layer": (_swapped_hazard_layer, ["hazards.zones[2]", "zones.geojson",
                                                     "longitude and latitude swapped"]),
}


@pytest.mark.parametrize("case", CASES)
def test_validate_exits_2_on_what_a_run_would_trip_on(case: str, andorra_variant: Any,
                                                      tmp_path: Path) -> None:
    change, says = CASES[case]
    run = _validate(andorra_variant(lambda data: change(data, tmp_path)))
    assert run.returncode == 2, run.stdout + run.stderr
    message = " ".join(run.stderr.split())
    for text in says:
        assert text in message, message


def test_the_distance_is_stated(andorra_variant: Any, tmp_path: Path) -> None:
    run = _validate(andorra_variant(lambda data: _outside(data, tmp_path)))
    message = " ".join(run.stderr.split())
    distance = float(message.split(" km from the nearest road")[0].rsplit(" ", 1)[1])
    outside = float(message.split(" km outside the extract's bounds")[0].rsplit(" ", 1)[1])
    assert 110 < distance < 160 and 90 < outside < distance


def test_a_valid_scenario_lists_what_it_opened_and_pinned() -> None:
    run = _validate(ANDORRA, "--json")
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert any(f.endswith("andorra-latest.osm.pbf") for f in summary["files"])
    pinned = {p["field"]: p for p in summary["places"]}
    assert pinned["proposals[1].waypoints[0]"]["name"] == "Эскальдес"
    assert pinned["places.destinations[0].name"]["name"] == "Sant Julià de Lòria"
    assert all(0 <= p["snap_km"] <= 2 for p in summary["places"])
