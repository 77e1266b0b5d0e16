"""Bad situation input fails with a SituationError that says where and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest
from shapely.geometry import box

from corridor.errors import SituationError
from corridor.geo import parse_area
from corridor.situation import (
    ControlMap,
    HazardZone,
    PointClosure,
    Settlement,
    front_line_zone,
    read_settlements,
)

SQUARE = [[30.0, 49.0], [30.1, 49.0], [30.1, 49.1], [30.0, 49.1], [30.0, 49.0]]


@pytest.mark.parametrize(("rings", "field", "message"), [
    ([SQUARE[:-1]], "control.RU[0]", "ring is not closed"),
    ([[*SQUARE[:2], SQUARE[0]]], "control.RU[0]", "at least 4 positions"),
    ([[[30.0, 49.0], [30.1, 49.1], [30.1, 49.0], [30.0, 49.1], [30.0, 49.0]]], "control.RU",
     "Self-intersection"),
    ([[*SQUARE[:2], [30.1, 95.0], *SQUARE[3:]]], "control.RU[0][2]", "latitude 95.0"),
    ([[*SQUARE[:1], [190.0, 49.0], *SQUARE[2:]]], "control.RU[0][1]", "longitude 190.0"),
    ([[*SQUARE[:1], ["30.1", 49.0], *SQUARE[2:]]], "control.RU[0][1]", "position of numbers"),
    ("not rings", "control.RU", "list of rings"),
])
def test_bad_control_polygon_names_the_field(rings: object, field: str, message: str) -> None:
    with pytest.raises(SituationError, match=message) as info:
        ControlMap.from_polygons({"RU": rings}, field="control")
    assert info.value.field == field


def test_overlapping_holders_are_rejected() -> None:
    shifted = [[x + 0.05, y] for x, y in SQUARE]
    with pytest.raises(SituationError, match="overlap") as info:
        ControlMap.from_polygons({"UA": [SQUARE], "RU": [shifted]}, field="control")
    assert info.value.field == "control.RU"


def test_geojson_geometry_of_the_wrong_type_is_rejected() -> None:
    with pytest.raises(SituationError, match="'Polygon' or 'MultiPolygon'") as info:
        parse_area({"type": "LineString", "coordinates": SQUARE}, field="zones[0].geometry")
    assert info.value.field == "zones[0].geometry.type"


def test_unknown_risk_level_names_the_field() -> None:
    with pytest.raises(SituationError, match="unknown risk level 'extreme'") as info:
        HazardZone.from_geojson("x", "extreme", [SQUARE], field="hazards[2]")
    assert info.value.field == "hazards[2].risk"
    with pytest.raises(SituationError, match="unknown risk level"):
        HazardZone("y", "severe", box(0, 0, 1, 1))
    with pytest.raises(SituationError, match="Self-intersection") as bad:
        HazardZone.from_geojson("z", "low", [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
                                field="hazards[3]")
    assert bad.value.field == "hazards[3].geometry"


def test_unknown_status_in_settlement_csv_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "control.csv"
    path.write_text("name,geonameid,lat,lon,status\n"
                    "Kyiv,703448,50.45466,30.5238,ua\n"
                    "Somewhere,1,48.0,35.0,occupied\n", encoding="utf-8")
    with pytest.raises(SituationError, match="unknown status 'occupied'") as info:
        read_settlements(path)
    assert (info.value.line, info.value.field) == (3, "status")
    assert str(path) in str(info.value)


def test_settlement_csv_with_bad_coordinates_or_columns(tmp_path: Path) -> None:
    bad_lat = tmp_path / "lat.csv"
    bad_lat.write_text("name,lat,lon,status\nX,95.5,30.0,ua\n", encoding="utf-8")
    with pytest.raises(SituationError, match=r"outside -90\.\.90") as info:
        read_settlements(bad_lat)
    assert (info.value.line, info.value.field) == (2, "lat")
    no_status = tmp_path / "cols.csv"
    no_status.write_text("name,lat,lon\nX,50,30\n", encoding="utf-8")
    with pytest.raises(SituationError, match=r"missing column.*status"):
        read_settlements(no_status)
    with pytest.raises(SituationError, match="cannot read settlement file"):
        read_settlements(tmp_path / "absent.csv")


def test_status_without_label_is_rejected() -> None:
    with pytest.raises(SituationError, match=r"no label given for status.*contested"):
        ControlMap.from_settlements([Settlement("a", 30.2, 49.2, "contested")],
                                    status_labels={"ua": "UA"}, base=box(30, 49, 31, 50),
                                    default_label="UA")


def test_bad_closures_and_buffers() -> None:
    with pytest.raises(SituationError, match="latitude 95") as info:
        PointClosure("bridge", 30.0, 95.0, 100.0)
    assert info.value.field == "closure 'bridge'.lat"
    with pytest.raises(SituationError, match="radius must be positive"):
        PointClosure("bridge", 30.0, 50.0, 0.0)
    with pytest.raises(SituationError, match="must be positive") as buffer_info:
        front_line_zone(box(0, 0, 1, 1).boundary, buffer_km=0.0)
    assert buffer_info.value.field == "front_line_buffer_km"
