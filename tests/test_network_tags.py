"""Tag interpretation: class, direction, access, speed and capacity of a way."""

from __future__ import annotations

import pytest

from corridor.network.graph import ROAD_CLASSES
from corridor.network.tags import (
    DEFAULT_SPEED_KMH,
    LANE_CAPACITY_VPH,
    LINK_SPEED_KMH,
    MPH_KMH,
    WALK_KMH,
    ZONE_SPEED_KMH,
    parse_lanes,
    parse_maxspeed,
    travel_direction,
    way_attributes,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("50", 50.0),
        (" 70 ", 70.0),
        ("30 mph", 30 * MPH_KMH),
        ("50 km/h", 50.0),
        ("50;30", 50.0),
        ("walk", WALK_KMH),
        ("DE:urban", 50.0),
        ("DE:rural", 100.0),
        ("RU:rural", 90.0),
        ("RU:urban", 60.0),
        ("UA:urban", 50.0),
        ("FR:rural", 80.0),
        ("DE:zone30", 30.0),
        ("DE:zone:20", 20.0),
        ("XX:urban", 50.0),
    ],
)
def test_maxspeed_values(value: str, expected: float) -> None:
    assert parse_maxspeed(value, default_kmh=13.0) == pytest.approx(expected)


@pytest.mark.parametrize("value", [None, "none", "signals", "variable", "fast", "DE:motorway",
                                   "0", "XX:nowhere"])
def test_maxspeed_without_number_falls_back_to_default(value: str | None) -> None:
    assert parse_maxspeed(value, default_kmh=13.0) == 13.0


def test_zone_table_is_consulted_per_country() -> None:
    for country, zones in ZONE_SPEED_KMH.items():
        for zone, speed in zones.items():
            expected = 13.0 if speed is None else speed
            assert parse_maxspeed(f"{country}:{zone}", 13.0) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"oneway": "yes"}, 1),
        ({"oneway": "true"}, 1),
        ({"oneway": "1"}, 1),
        ({"oneway": "-1"}, -1),
        ({"oneway": "reverse"}, -1),
        ({"oneway": "no"}, 0),
        ({}, 0),
        ({"junction": "roundabout"}, 1),
        ({"junction": "circular"}, 1),
        ({"junction": "roundabout", "oneway": "no"}, 0),
    ],
)
def test_direction_on_a_residential_street(tags: dict[str, str], expected: int) -> None:
    assert travel_direction(tags, "residential") == expected


def test_motorway_is_oneway_unless_tagged_otherwise() -> None:
    assert travel_direction({}, "motorway") == 1
    assert travel_direction({}, "motorway_link") == 1
    assert travel_direction({"oneway": "no"}, "motorway") == 0


@pytest.mark.parametrize(
    "tags",
    [
        {"highway": "footway"},
        {"highway": "cycleway"},
        {"highway": "path"},
        {"highway": "track"},
        {"highway": "steps"},
        {"highway": "residential", "access": "no"},
        {"highway": "residential", "access": "private"},
        {"highway": "residential", "motor_vehicle": "no"},
        {"highway": "service", "motorcar": "no", "access": "yes"},
        {"highway": "service", "vehicle": "agricultural;forestry"},
        {"highway": "pedestrian", "area": "yes"},
        {"highway": "service", "area": "yes"},
        {"building": "yes"},
    ],
)
def test_not_drivable(tags: dict[str, str]) -> None:
    assert way_attributes(tags) is None


def test_specific_access_overrides_general() -> None:
    attrs = way_attributes({"highway": "residential", "access": "no", "motor_vehicle": "yes"})
    assert attrs is not None
    assert way_attributes({"highway": "residential", "access": "destination"}) is not None


def test_every_class_has_defaults() -> None:
    for cls in ROAD_CLASSES:
        attrs = way_attributes({"highway": cls})
        assert attrs is not None
        assert ROAD_CLASSES[attrs.road_class] == cls
        assert attrs.speed_forward_kmh == DEFAULT_SPEED_KMH[cls]


def test_link_takes_parent_class_and_ramp_speed() -> None:
    attrs = way_attributes({"highway": "motorway_link"})
    assert attrs is not None
    assert ROAD_CLASSES[attrs.road_class] == "motorway"
    assert attrs.speed_forward_kmh == min(LINK_SPEED_KMH, DEFAULT_SPEED_KMH["motorway"])
    assert attrs.capacity_forward_vph == LANE_CAPACITY_VPH["motorway"]
    tagged = way_attributes({"highway": "primary_link", "maxspeed": "40"})
    assert tagged is not None
    assert ROAD_CLASSES[tagged.road_class] == "primary"
    assert tagged.speed_forward_kmh == 40.0


def test_capacity_splits_lanes_between_directions() -> None:
    per_lane = LANE_CAPACITY_VPH["primary"]
    two_way = way_attributes({"highway": "primary", "lanes": "4"})
    oneway = way_attributes({"highway": "primary", "lanes": "2", "oneway": "yes"})
    asymmetric = way_attributes({"highway": "primary", "lanes": "3", "lanes:forward": "2",
                                 "lanes:backward": "1"})
    untagged = way_attributes({"highway": "primary"})
    assert two_way is not None and oneway is not None
    assert asymmetric is not None and untagged is not None
    assert two_way.capacity_forward_vph == two_way.capacity_backward_vph == 2 * per_lane
    assert oneway.capacity_forward_vph == 2 * per_lane
    assert (asymmetric.capacity_forward_vph, asymmetric.capacity_backward_vph) == (
        2 * per_lane, per_lane)
    assert untagged.capacity_forward_vph == per_lane


def test_directional_maxspeed_and_label() -> None:
    attrs = way_attributes({"highway": "secondary", "maxspeed": "70", "maxspeed:backward": "50",
                            "ref": "B 37", "name": "Hauptstraße"})
    assert attrs is not None
    assert (attrs.speed_forward_kmh, attrs.speed_backward_kmh) == (70.0, 50.0)
    assert attrs.label == "B 37"
    named = way_attributes({"highway": "secondary", "name": "Hauptstraße"})
    assert named is not None and named.label == "Hauptstraße"


@pytest.mark.parametrize(("value", "expected"),
                         [("2", 2.0), ("3;2", 3.0), ("x", None), ("0", None), (None, None)])
def test_lanes(value: str | None, expected: float | None) -> None:
    assert parse_lanes(value) == expected


@pytest.mark.parametrize("ref", ["FIXME", "fixme", "FIXME: check", "unknown", "?", " "])
def test_placeholder_ref_gives_way_to_the_name(ref: str) -> None:
    named = way_attributes({"highway": "primary", "ref": ref, "name": "Carrer Major"})
    assert named is not None and named.label == "Carrer Major"
    bare = way_attributes({"highway": "primary", "ref": ref})
    assert bare is not None and bare.label == ""
