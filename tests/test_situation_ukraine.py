"""The situation layer on the committed 2022 data: borders plus settlement control."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Point

from corridor.borders import load_countries
from corridor.network.graph import RoadNetwork
from corridor.situation import (
    ControlMap,
    Settlement,
    annotate,
    contested_zone,
    front_line_zone,
    read_settlements,
)
from tests.conftest import DATA_DIR

PARTIES = {"ru": "RU", "ua": "UA", "contested": "contested"}
FRONT_PAIRS = [("UA", "RU"), ("UA", "contested"), ("RU", "contested")]
GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def settlements() -> list[Settlement]:
    return read_settlements(DATA_DIR / "ukraine-2022" / "control-2022-03-07.csv")


@pytest.fixture(scope="module")
def countries() -> dict[str, shapely.Geometry]:
    return load_countries(DATA_DIR / "borders" / "countries.geojson")


@pytest.fixture(scope="module")
def control(settlements: list[Settlement], countries: dict[str, shapely.Geometry]) -> ControlMap:
    states = ControlMap.from_countries(countries, exclude=("UA",))
    cells = ControlMap.from_settlements(settlements, status_labels=PARTIES, base=countries["UA"],
                                        default_label="UA")
    return states.overlaid_by(cells)


def _place(settlements: list[Settlement], name: str) -> Settlement:
    return next(s for s in settlements if s.name == name)


@pytest.mark.parametrize(("name", "holder"), [
    ("Mariupol", "UA"), ("Melitopol", "RU"), ("Berdiansk", "RU"), ("Kyiv", "UA"),
    ("Simferopol", "RU"), ("Chernihiv", "UA"),
])
def test_named_places_are_held_as_reported(settlements: list[Settlement], control: ControlMap,
                                           name: str, holder: str) -> None:
    place = _place(settlements, name)
    assert control.holder_at(place.lon, place.lat) == holder


def test_foreign_states_and_far_ukraine(control: ControlMap) -> None:
    assert control.holder_at(27.56, 53.9) == "BY"   # Minsk
    assert control.holder_at(36.58, 50.6) == "RU"   # Belgorod
    assert control.holder_at(24.03, 49.84) == "UA"  # Lviv: no settlement listed, default
    assert control.holder_at(30.0, 43.0) is None     # Black Sea


def test_every_settlement_inside_ukraine_holds_its_own_position(
        settlements: list[Settlement], countries: dict[str, shapely.Geometry],
        control: ControlMap) -> None:
    inside = [s for s in settlements if countries["UA"].contains(Point(s.lon, s.lat))]
    assert len(inside) > 200
    holders = control.holder_indices([s.lon for s in inside], [s.lat for s in inside])
    got = [control.labels[i] for i in holders]
    assert got == [PARTIES[s.status] for s in inside]


def test_areas_partition_ukraine(countries: dict[str, shapely.Geometry],
                                 control: ControlMap) -> None:
    ukraine = countries["UA"]
    inside = {label: shapely.area(shapely.intersection(geom, ukraine))
              for label, geom in control.areas.items()}
    assert sum(inside.values()) == pytest.approx(ukraine.area, rel=1e-6)
    assert {label for label, a in inside.items() if a > 1e-6} == {"UA", "RU", "contested"}


def test_front_line_runs_between_parties_not_along_the_state_border(
        countries: dict[str, shapely.Geometry], control: ControlMap) -> None:
    line = control.front_line(FRONT_PAIRS)
    with_border = control.front_line(FRONT_PAIRS, include_borders=True)
    state_border = shapely.intersection(countries["UA"].boundary, countries["RU"].boundary)
    # The front line stops 10 m short of a border; 5e-5 degrees is under 6 m here.
    near_border = shapely.buffer(state_border, 5e-5)
    assert shapely.intersection(line, near_border).is_empty
    assert shapely.intersection(with_border, near_border).length > 1.0
    # Every point of the front line separates two holders: just off it, both sides differ.
    samples = shapely.line_interpolate_point(line, np.linspace(0.05, 0.95, 20), normalized=True)
    for point in shapely.get_parts(samples):
        around = [control.holder_at(point.x + dx, point.y + dy)
                  for dx, dy in ((0.005, 0), (-0.005, 0), (0, 0.005), (0, -0.005))]
        assert len(set(around)) >= 2, point


def test_road_from_mariupol_to_manhush_crosses_the_line_under_fire(
        settlements: list[Settlement], control: ControlMap) -> None:
    mariupol, manhush = _place(settlements, "Mariupol"), _place(settlements, "Manhush")
    lon = np.linspace(mariupol.lon, manhush.lon, 12)
    lat = np.linspace(mariupol.lat, manhush.lat, 12)
    length = GEOD.line_length(lon, lat)
    network = RoadNetwork(
        node_lon=np.array([mariupol.lon, manhush.lon]),
        node_lat=np.array([mariupol.lat, manhush.lat]), node_osm_id=np.array([1, 2]),
        tail=np.array([0, 1], dtype=np.int32), head=np.array([1, 0], dtype=np.int32),
        length_m=np.array([length, length]), speed_kmh=np.array([60.0, 60.0]),
        capacity_vph=np.array([900.0, 900.0]), road_class=np.array([2, 2], dtype=np.int8),
        way_id=np.array([5, 5]), name_idx=np.array([-1, -1], dtype=np.int32),
        geom_offsets=np.array([0, 12, 24]), geom_lon=np.concatenate([lon, lon[::-1]]),
        geom_lat=np.concatenate([lat, lat[::-1]]))
    line = control.front_line(FRONT_PAIRS)
    hazards = [front_line_zone(line, buffer_km=5.0), contested_zone(control)]
    situation = annotate(network, control, hazards)
    ua, ru = situation.territory_index("UA"), situation.territory_index("RU")
    assert situation.border_crossing.all()
    assert situation.territory_km[:, [ua, ru]].sum(axis=1) == pytest.approx(length / 1000.0)
    assert (situation.territory_km[:, [ua, ru]] > 1.0).all()
    road = shapely.LineString(np.column_stack([lon, lat]))
    exposed_km = GEOD.geometry_length(shapely.intersection(road, hazards[0].geometry)) / 1000
    assert 5.0 < exposed_km < length / 1000.0
    assert situation.exposure_km[:, 2] == pytest.approx(exposed_km, rel=1e-3)
