"""Places given as coordinates wherever the scenario takes a place name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from corridor.errors import ScenarioError
from corridor.geodesy import haversine_m
from corridor.negotiation.search import negotiate
from corridor.scenario import load_scenario
from corridor.scenario.placeref import point_label
from corridor.scenario.schema import json_schema
from corridor.world import build_world

#: A hillside above Encamp, 470 m from the nearest road (measured with the snapping index).
HILLSIDE = [1.57, 42.55]
FIELD_HOSPITAL = {"point": [1.5335, 42.5562], "name": "Ordino field hospital"}


def _points_everywhere(d: dict[str, Any]) -> None:
    d["proposals"][1]["waypoints"] = [HILLSIDE, "Andorra la Vella"]
    d["proposals"][2]["destination"] = FIELD_HOSPITAL
    d["places"]["destinations"][1] = {"name": "Ordino field hospital", "capacity": 2500}
    d["checkpoints"][1]["at"] = "Сольдеу"
    d["closures"][0]["at"] = [1.49659, 42.56149]
    d["parties"][2]["rules"].append({"type": "must_avoid", "places": [[1.6683, 42.5769]],
                                     "radius_km": 1})


def test_points_are_labelled_and_collected(andorra_variant: Any) -> None:
    sc = load_scenario(andorra_variant(_points_everywhere))
    hillside = point_label(*HILLSIDE)
    assert hillside == "42.55000°N 1.57000°E"
    assert sc.proposals[1].waypoints[0] == hillside
    assert sc.proposals[2].destination == "Ordino field hospital"
    assert sc.points == {hillside: (1.57, 42.55), "Ordino field hospital": (1.5335, 42.5562),
                         point_label(1.6683, 42.5769): (1.6683, 42.5769)}
    assert sc.checkpoints[1].at.place == "Сольдеу"
    assert sc.closures[0].at.point == (1.49659, 42.56149)  # type: ignore[union-attr]


def test_a_point_off_the_roads_says_where_it_joins_them_and_how_far(
        andorra_variant: Any) -> None:
    world = build_world(load_scenario(andorra_variant(_points_everywhere)))
    result = negotiate(world)
    low = next(r for r in result.proposals if r.proposal.id == "low-1")
    hillside = low.waypoints[1]
    assert hillside.lonlat == (1.57, 42.55)
    node = (world.network.node_lon[hillside.node], world.network.node_lat[hillside.node])
    assert hillside.snap_km == pytest.approx(
        float(haversine_m(1.57, 42.55, *node)) / 1000, abs=1e-6)
    assert hillside.snap_km > 0.4
    assert hillside.note.startswith(f"not on the network; routed via {node[1]:.4f}N "
                                    f"{node[0]:.4f}E")
    assert hillside.note.endswith(f"({hillside.snap_km:.1f} km away)")
    north = next(r for r in result.proposals if r.proposal.id == "north-1")
    hospital = north.waypoints[-1]
    assert (hospital.name, hospital.lonlat) == ("Ordino field hospital", (1.5335, 42.5562))
    assert north.corridor is not None and north.corridor.destination == "Ordino field hospital"


def test_a_label_used_for_two_points_is_refused(andorra_variant: Any) -> None:
    def change(d: dict[str, Any]) -> None:
        d["proposals"][2]["destination"] = FIELD_HOSPITAL
        d["proposals"][0]["destination"] = {"point": [1.54, 42.55],
                                            "name": "Ordino field hospital"}

    with pytest.raises(ScenarioError, match="already stands for the point") as caught:
        load_scenario(andorra_variant(change))
    assert caught.value.field == "proposals[2].destination"


@pytest.mark.parametrize(("value", "says"), [
    ([1.5], "expected [lon, lat]: two numbers in degrees, got [1.5]"),
    (["1.5", "42.5"], "expected [lon, lat]: two numbers in degrees"),
    ([True, 42.5], "expected [lon, lat]: two numbers in degrees"),
    ([181, 42.5], "longitude 181 is outside -180..180"),
    ([1.5, -91], "latitude -91 is outside -90..90; points are written [lon, lat], so "
                 "perhaps [-91, 1.5] was meant"),
    ({"point": [1.5, 42.5], "name": ""}, "expected a non-empty text label"),
    ({"name": "Camp"}, "expected a place name, [lon, lat] or {point: [lon, lat]"),
    ({"point": [1.5, 42.5], "label": "Camp"}, "expected a place name, [lon, lat]"),
    ("  ", "a place name must not be empty"),
])
def test_malformed_points_name_the_field(andorra_variant: Any, value: Any, says: str) -> None:
    def change(d: dict[str, Any]) -> None:
        d["proposals"][1]["waypoints"] = ["Andorra la Vella", value]

    with pytest.raises(ScenarioError) as caught:
        load_scenario(andorra_variant(change))
    assert caught.value.field == "proposals[1].waypoints[1]"
    assert says in caught.value.message


@pytest.mark.parametrize(("value", "says"), [
    ([1.5, 95.0], "latitude 95 is outside -90..90"),
    ({"place": "Soldeu", "point": [1.66, 42.57]}, "give exactly one of 'place' or 'point'"),
    ({"place": "Soldeu", "name": "Soldeu post"}, "'name' labels a point"),
])
def test_malformed_locations_name_the_field(andorra_variant: Any, value: Any,
                                            says: str) -> None:
    def change(d: dict[str, Any]) -> None:
        d["checkpoints"][1]["at"] = value

    with pytest.raises(ScenarioError) as caught:
        load_scenario(andorra_variant(change))
    assert caught.value.field is not None and caught.value.field.startswith("checkpoints[1].at")
    assert says in caught.value.message


def test_unknown_cyrillic_waypoint_suggests_cyrillic_spellings(andorra_variant: Any) -> None:
    def change(d: dict[str, Any]) -> None:
        d["proposals"][0]["waypoints"] = ["Сальдеу"]

    world = build_world(load_scenario(andorra_variant(change)))
    with pytest.raises(ScenarioError) as caught:
        negotiate(world)
    assert caught.value.field == "proposals[0].waypoints[0]"
    assert "unknown place name 'Сальдеу'; closest spellings: Сольдеу (Soldeu)" in str(
        caught.value)


def test_json_schema_offers_the_three_forms() -> None:
    schema = json_schema()
    proposal = schema["$defs"]["ProposalSpec"]["properties"]
    forms = proposal["origin"]["anyOf"]
    assert [f["type"] for f in forms] == ["string", "array", "object"]
    assert proposal["waypoints"]["items"]["anyOf"] == forms


def test_a_point_label_names_the_place_elsewhere(tmp_path: Path) -> None:
    """A point label written as a place elsewhere resolves to the point, not the gazetteer."""
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: t\nnetwork: {source: x.osm.pbf}\nparties: [{id: A, name: A}]\n"
        "places:\n  origins: [{name: {point: [1.5, 42.5], name: Camp 3}, people: 10}]\n"
        "proposals: [{id: p, proposer: A, origin: Camp 3, destination: [1.6, 42.6]}]\n",
        encoding="utf-8")
    sc = load_scenario(path)
    assert sc.points == {"Camp 3": (1.5, 42.5), "42.60000°N 1.60000°E": (1.6, 42.6)}
    assert sc.proposals[0].origin == "Camp 3"


def test_a_location_may_name_a_point_defined_elsewhere(andorra_variant: Any) -> None:
    def change(d: dict[str, Any]) -> None:
        d["proposals"][2]["destination"] = FIELD_HOSPITAL
        d["checkpoints"][1]["at"] = "Ordino field hospital"

    world = build_world(load_scenario(andorra_variant(change)))
    assert world.point(world.scenario.checkpoints[1].at, "checkpoints[1].at") == (1.5335, 42.5562)
