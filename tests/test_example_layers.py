"""The Andorra example drawn in GIS files only: control GeoJSON, hazard KML, closure Shapefile.

The scenario ``examples/andorra/from-files.yaml`` takes every area and closure from the files in
``examples/andorra/layers/``; it is built on the real extract, negotiated and planned. The
lowland's MultiPolygon has a hole on the road from Escaldes to La Massana, filled by a highland
enclave: a route through it is judged by the enclave's holder, not by the polygon around it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import shapely

from corridor.negotiation.search import Negotiation, negotiate
from corridor.planning.agreed import agreed_spec
from corridor.planning.corridor import plan_corridor
from corridor.scenario import load_scenario
from corridor.world import World, build_world
from tests.conftest import ANDORRA

FROM_FILES = ANDORRA.parent / "from-files.yaml"
#: Inside the hole of the lowland polygon (the enclave), and in the lowland's second part.
IN_THE_HOLE = (1.524, 42.519)
ON_THE_RIDGE = (1.63, 42.47)


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(load_scenario(FROM_FILES))


@pytest.fixture(scope="module")
def result(world: World) -> Negotiation:
    return negotiate(world)


def _judged(result: Negotiation, pid: str) -> Any:
    (found,) = [r for r in result.proposals if r.proposal.id == pid]
    assert found.corridor is not None, found.error
    return found.corridor


def test_every_area_and_closure_comes_from_a_file() -> None:
    sc = load_scenario(FROM_FILES)
    entries = [*sc.control.polygons, *sc.hazards.zones, *sc.closures]
    assert entries and all(hasattr(e, "source") for e in entries)
    assert {e.source.suffix for e in entries} == {".geojson", ".kml", ".zip"}


def test_the_lowland_keeps_its_hole_and_both_parts(world: World) -> None:
    lowland = world.control.areas["lowland"]
    assert shapely.get_num_geometries(lowland) == 2
    assert not lowland.contains(shapely.Point(IN_THE_HOLE))
    assert world.territory_at(IN_THE_HOLE) == "highland"
    assert world.territory_at(ON_THE_RIDGE) == "lowland"


def test_hazards_from_kml_and_closures_from_the_zipped_shapefile(world: World) -> None:
    drawn = {z.name: z.risk for z in world.hazards}
    assert drawn["Cruïlla bombardejada d'Encamp"] == "high"
    assert drawn["Esllavissada sota Meritxell"] == "high"
    (spot,) = world.closures.points
    assert (spot.name, spot.radius_m) == ("Pont d'Erts destruït", 150.0)
    closed = np.flatnonzero(world.situation.closed)
    assert len(closed) > 0
    net, off = world.network, world.network.geom_offsets
    lines = [shapely.LineString(np.column_stack([net.geom_lon[off[e]:off[e + 1]],
                                                 net.geom_lat[off[e]:off[e + 1]]]))
             for e in closed]
    # every closed edge passes within its 150 m radius (0.0025 degree is over 200 m here)
    assert shapely.distance(shapely.Point(spot.lon, spot.lat), lines).max() < 0.0025


def test_places_resolve_in_two_spellings_and_by_coordinates(world: World) -> None:
    russian = world.locate("Эскальдес", field="proposals[0].waypoints[0]")
    catalan = world.locate("les Escaldes", field="proposals[1].waypoints[0]")
    assert russian.lonlat == catalan.lonlat and russian.node == catalan.node
    checkpoint = world.scenario.checkpoints[0]
    assert checkpoint.at.point == (1.4937, 42.4715)


def test_a_route_through_the_hole_is_judged_by_the_enclaves_holder(result: Negotiation) -> None:
    through = _judged(result, "north-ordino")
    runs = [t.label for t in through.summary.territories]
    k = runs.index("highland")
    assert runs[k - 1] == runs[k + 1] == "lowland"
    low = through.verdicts["LOW"]
    assert not low.acceptable
    assert any(r.code == "no_transit.violated" and "highland" in r.message for r in low.reasons)
    assert _judged(result, "low-main-road").acceptable_to_all


def test_the_search_goes_round_the_enclave_to_ordino(result: Negotiation) -> None:
    found = [s for s in result.suggestions["Encamp"]
             if s.destination == "Ordino" and s.acceptable_to_all]
    assert found
    assert all("highland" not in {t.label for t in s.summary.territories} for s in found)


def test_the_agreed_corridor_is_planned(world: World) -> None:
    spec, routed = agreed_spec(world, world.scenario.corridors[0])
    assert routed.acceptable_to_all
    plan = plan_corridor(spec)
    assert 0 < plan.people_moved <= world.scenario.places.origins[0].people
