"""A hand-made scenario with a few uncertain settlement reports, over the real Andorra roads.

Three fictional parties hold the valleys; control comes from a settlement file in which two
reports are of low confidence (Encamp contested, Sant Julià held by the lowland), so an uncertainty
sweep has exactly six situations to draw from and its answers can be checked against every one.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import DATA_DIR

#: name, lat, lon, status, confidence. Two names are written in Cyrillic, as the reports came.
REPORTS: list[tuple[str, float, float, str, str]] = [
    ("Pas de la Casa", 42.54471, 1.73349, "hi", "high"),
    ("Сольдеу", 42.57689, 1.66827, "hi", "high"),
    ("Canillo", 42.56683, 1.59776, "hi", "high"),
    ("Энкамп", 42.53598, 1.58368, "contested", "low"),
    ("les Escaldes", 42.50900, 1.54041, "lo", "high"),
    ("Andorra la Vella", 42.50694, 1.52125, "lo", "high"),
    ("Sant Julià de Lòria", 42.46685, 1.49233, "lo", "low"),
    ("Ordino", 42.55615, 1.53349, "lo", "high"),
    ("La Massana", 42.54420, 1.51638, "lo", "high"),
]

#: The chance a low-confidence report is wrong in this scenario (the others are taken as sure).
LOW_FLIP = 0.3


def write_reports(path: Path, statuses: Mapping[str, str] | None = None) -> Path:
    """The settlement file, with ``statuses`` replacing the reported status of some names."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["name", "lat", "lon", "status", "confidence"])
        for name, lat, lon, status, confidence in REPORTS:
            out.writerow([name, lat, lon, (statuses or {}).get(name, status), confidence])
    return path


def write_scenario(directory: Path, statuses: Mapping[str, str] | None = None,
                   name: str = "sweep.yaml", **extra: Any) -> Path:
    """The scenario file in ``directory`` (with its borders and settlement files)."""
    borders = directory / "borders.geojson"
    borders.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"iso_a2": "AD"},
        "geometry": {"type": "Polygon", "coordinates": [[
            [1.40, 42.42], [1.80, 42.42], [1.80, 42.66], [1.40, 42.66], [1.40, 42.42]]]}}]}),
        encoding="utf-8")
    reports = write_reports(directory / f"{Path(name).stem}-control.csv", statuses)
    scenario: dict[str, Any] = {
        "name": "Valira valleys under uncertain reports (fictional)",
        "timezone": "Europe/Andorra",
        "network": {"source": str(DATA_DIR / "osm" / "andorra-latest.osm.pbf"),
                    "max_snap_km": 2},
        "control": {"borders": str(borders), "base_country": "AD",
                    "settlements": {"source": str(reports),
                                    "status": {"hi": "highland", "lo": "lowland",
                                               "contested": "contested"}}},
        "hazards": {"front_line_buffer_km": 0.3, "front_line_risk": "medium",
                    "contested_risk": "medium"},
        "uncertainty": {"flip_probability": {"high": 0.0, "medium": 0.0, "low": LOW_FLIP},
                        "alternatives": {"contested": ["hi", "lo"]}},
        "parties": [
            {"id": "HIGH", "name": "Highland Council", "holds": ["highland"],
             "rules": [{"type": "max_exposure", "km": 2, "risk": "medium"}]},
            {"id": "LOW", "name": "Нижня рада", "holds": ["lowland"],
             "rules": [{"type": "destination_in", "territories": ["lowland"]},
                       {"type": "no_transit", "territories": ["HIGH"]}]},
            {"id": "MED", "name": "Mediation Office", "role": "facilitator"},
        ],
        "places": {"origins": [{"name": "Encamp", "people": 1000}],
                   "destinations": [{"name": "Sant Julià de Lòria", "capacity": 5000},
                                    {"name": "Pas de la Casa", "capacity": 2000}]},
        "proposals": [
            {"id": "to-santjulia", "proposer": "LOW", "origin": "Encamp",
             "waypoints": ["les Escaldes"], "destination": "Sant Julià de Lòria"},
            {"id": "to-pas", "proposer": "HIGH", "origin": "Encamp",
             "destination": "Pas de la Casa"},
        ],
        **extra,
    }
    path = directory / name
    path.write_text(yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    return path
