"""Closures, checkpoints and hazard zones placed off the roads are errors; dual carriageways
close as a whole. On the Andorra example."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from corridor.errors import CorridorError
from corridor.negotiation.search import negotiate
from corridor.planning.agreed import agreed_spec
from corridor.scenario import load_scenario
from corridor.world import build_world

#: The Engordany checkpoint's point, written [lat, lon] by mistake.
SWAPPED = [42.51354, 1.53821]
#: Barcelona: a real place, 130 km from Andorra's roads.
ELSEWHERE = [2.17, 41.39]


def _error(andorra_variant: Any, change: Any) -> CorridorError:
    with pytest.raises(CorridorError) as info:
        build_world(load_scenario(andorra_variant(change)))
    return info.value


def test_swapped_checkpoint_names_the_field_and_the_swap(andorra_variant: Any) -> None:
    def change(d: dict[str, Any]) -> None:
        d["checkpoints"][0]["at"] = {"point": SWAPPED}

    error = _error(andorra_variant, change)
    assert error.field == "checkpoints[0].at"
    assert "checkpoint 'Engordany checkpoint' at [42.5135, 1.53821]" in error.message
    assert "from the nearest road, expected at most 2 km" in error.message
    assert "with longitude and latitude swapped it would lie among the roads" in error.message


def test_closure_in_another_country_is_an_error_without_a_swap_hint(andorra_variant: Any,
                                                                     ) -> None:
    def change(d: dict[str, Any]) -> None:
        d["closures"][0]["at"] = {"point": ELSEWHERE}

    error = _error(andorra_variant, change)
    assert error.field == "closures[0].at"
    assert "closure 'Erts bridge destroyed'" in error.message
    assert "swapped" not in error.message


def test_closure_whose_radius_reaches_no_road_says_so(andorra_variant: Any) -> None:
    def change(d: dict[str, Any]) -> None:
        # 700 m off the valley road up the slope west of Encamp, inside the snap limit
        d["closures"][0].update(at={"point": [1.5750, 42.5330]}, radius_m=50)

    error = _error(andorra_variant, change)
    assert error.field == "closures[0].at"
    assert "closes no road: the nearest lies" in error.message
    assert "beyond its radius_m of 50" in error.message


def test_swapped_hazard_zone_names_the_zone(andorra_variant: Any) -> None:
    def change(d: dict[str, Any]) -> None:
        ring = d["hazards"]["zones"][1]["coordinates"]
        d["hazards"]["zones"][1]["coordinates"] = [[lat, lon] for lon, lat in ring]

    error = _error(andorra_variant, change)
    assert error.field == "hazards.zones[1]"
    assert "hazard zone 'landslide slope below Meritxell'" in error.message
    assert "with longitude and latitude swapped" in error.message


def test_way_closure_of_no_road_is_an_error(andorra_variant: Any) -> None:
    def change(d: dict[str, Any]) -> None:
        d["closures"][1]["way_id"] = 999_999_999_999

    error = _error(andorra_variant, change)
    assert error.field == "closures[1].way_id"
    assert "no road of the network is OSM way 999999999999" in error.message


def test_cli_exits_2_on_off_network_geography(andorra_variant: Any) -> None:
    def change(d: dict[str, Any]) -> None:
        d["checkpoints"][0]["at"] = {"point": SWAPPED}

    run = subprocess.run([sys.executable, "-m", "corridor", "negotiate",
                          str(andorra_variant(change))],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 2
    assert "checkpoints[0].at" in run.stderr and "swapped" in run.stderr


def test_checkpoint_off_the_agreed_route_is_an_error_not_a_bottleneck(andorra_variant: Any,
                                                                       ) -> None:
    # Soldeu lies on the road to Pas de la Casa, 9 km past Encamp, away from the agreed route
    def change(d: dict[str, Any]) -> None:
        d["corridors"][0]["checkpoints"] = ["Soldeu checkpoint"]

    world = build_world(load_scenario(andorra_variant(change)))
    with pytest.raises(CorridorError) as info:
        agreed_spec(world, world.scenario.corridors[0])
    assert info.value.field == "checkpoints[1].at"
    assert "lies 8." in info.value.message or "lies 9." in info.value.message
    assert "from the route of corridor 'encamp-santjulia'" in info.value.message


def test_closing_one_carriageway_closes_the_road_there(andorra_variant: Any) -> None:
    # OSM way 547794062 is the northbound carriageway of the CG-1 at la Margineda; the
    # southbound one (ways 6180852, 547794052, ...) runs 20-40 m beside it. The CG-1 is the only
    # road from Andorra la Vella down to Sant Julià de Lòria.
    def change(d: dict[str, Any]) -> None:
        d["closures"].append({"name": "CG-1 blocked at la Margineda", "way_id": 547794062})

    world = build_world(load_scenario(andorra_variant(change)))
    (note,) = [n for n in world.notes if "la Margineda" in n]
    assert "closed OSM way 547794062 (CG-1), one carriageway, and the opposite carriageway" in note
    assert "6180852" in note and "547794052" in note
    result = negotiate(world)
    assert note in result.notes
    southbound = next(r for r in result.proposals if r.proposal.id == "low-1")
    assert southbound.corridor is None
    assert southbound.error is not None and "crosses closed roads" in southbound.error
    assert "Sant Julià de Lòria" not in {c.destination for c in result.suggestions["Encamp"]}
