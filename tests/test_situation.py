"""Per-edge annotation on small hand-built networks, checked against independent measures."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import LineString, Point, Polygon, box, shape

from corridor.errors import SituationError
from corridor.network.graph import RoadNetwork
from corridor.network.synthetic import road_like_grid
from corridor.situation import (
    RISK_LEVELS,
    Closures,
    ControlMap,
    HazardZone,
    PointClosure,
    Settlement,
    annotate,
    contested_zone,
    front_line_geojson,
    front_line_zone,
    hazards_geojson,
)

GEOD = Geod(ellps="WGS84")
#: Degrees of longitude per km along the equator (WGS84 equatorial circumference).
DEG_PER_KM_EQUATOR = 360.0 / 40_075.016686


def _network(polylines: Sequence[Sequence[tuple[float, float]]],
             way_ids: Sequence[int] | None = None) -> RoadNetwork:
    """One directed edge per polyline, nodes at the polyline ends, CSR-sorted by tail."""
    ends = [tuple(p[0]) for p in polylines] + [tuple(p[-1]) for p in polylines]
    nodes = list(dict.fromkeys(ends))
    tail = np.array([nodes.index(tuple(p[0])) for p in polylines])
    order = np.argsort(tail, kind="stable")
    lines = [np.asarray(polylines[i], dtype=np.float64) for i in order]
    ways = np.asarray(way_ids if way_ids is not None else range(len(polylines)))[order]
    n = len(lines)
    return RoadNetwork(
        node_lon=np.array([p[0] for p in nodes]), node_lat=np.array([p[1] for p in nodes]),
        node_osm_id=np.arange(len(nodes)),
        tail=tail[order].astype(np.int32),
        head=np.array([nodes.index(tuple(line[-1])) for line in lines], dtype=np.int32),
        length_m=np.array([GEOD.line_length(line[:, 0], line[:, 1]) for line in lines]),
        speed_kmh=np.full(n, 50.0), capacity_vph=np.full(n, 1000.0),
        road_class=np.zeros(n, dtype=np.int8), way_id=ways.astype(np.int64),
        name_idx=np.full(n, -1, dtype=np.int32),
        geom_offsets=np.concatenate([[0], np.cumsum([len(line) for line in lines])]),
        geom_lon=np.concatenate([line[:, 0] for line in lines]),
        geom_lat=np.concatenate([line[:, 1] for line in lines]))


def _edge_line(network: RoadNetwork, edge: int) -> LineString:
    return LineString(network.edge_coords(edge))


def _geodesic_km_inside(line: LineString, area: shapely.Geometry) -> float:
    return float(GEOD.geometry_length(line.intersection(area))) / 1000.0


def _km_box(x0_km: float, x1_km: float) -> Polygon:
    """A box straddling the equator from ``x0_km`` to ``x1_km`` east of lon 0."""
    return box(x0_km * DEG_PER_KM_EQUATOR, -0.01, x1_km * DEG_PER_KM_EQUATOR, 0.01)


# -- exposure --------------------------------------------------------------------------------
def test_overlapping_zones_count_each_stretch_once_at_the_highest_risk() -> None:
    # A 10 km edge on the equator: high zone at km 2-5, medium at km 4-7, low over all of it.
    # Exactly-level lengths: high 3, medium 7-5 = 2, low the remaining 5.
    network = _network([[(0.0, 0.0), (10 * DEG_PER_KM_EQUATOR, 0.0)]])
    zones = [HazardZone("shelling", "high", _km_box(2, 5)),
             HazardZone("artillery reach", "medium", _km_box(4, 7)),
             HazardZone("region", "low", _km_box(-1, 11))]
    exposure = annotate(network, ControlMap({}), zones).exposure_km[0]
    assert network.length_m[0] == pytest.approx(10_000.0, rel=1e-6)
    assert exposure == pytest.approx([5.0, 2.0, 3.0], abs=1e-3)
    assert RISK_LEVELS == ("low", "medium", "high")


def test_exposure_of_each_level_matches_geodesic_overlay_of_unions() -> None:
    rng = np.random.default_rng(7)
    starts = rng.uniform([30.0, 49.0], [30.6, 49.4], size=(40, 2))
    polylines = [[tuple(s), tuple(s + d), tuple(s + d + e)] for s, d, e in
                 zip(starts, rng.normal(0, 0.05, (40, 2)), rng.normal(0, 0.05, (40, 2)),
                     strict=True)]
    network = _network(polylines)
    zones = [HazardZone("a", "medium", Point(30.3, 49.2).buffer(0.12)),
             HazardZone("b", "high", box(30.25, 49.1, 30.45, 49.3)),
             HazardZone("c", "low", box(29.9, 48.9, 30.4, 49.5))]
    exposure = annotate(network, ControlMap({}), zones).exposure_km
    high = zones[1].geometry
    medium_up = shapely.union(zones[0].geometry, high)
    low_up = shapely.union(medium_up, zones[2].geometry)
    for e in range(network.n_edges):
        line = _edge_line(network, e)
        at_least = [_geodesic_km_inside(line, u) for u in (low_up, medium_up, high)]
        expected = [at_least[0] - at_least[1], at_least[1] - at_least[2], at_least[2]]
        assert exposure[e] == pytest.approx(expected, abs=2e-3 + 1e-3 * max(at_least))


# -- territory -------------------------------------------------------------------------------
def _three_areas() -> ControlMap:
    return ControlMap({"UA": box(30.0, 49.0, 30.3, 49.4), "RU": box(30.3, 49.0, 30.6, 49.4),
                       "contested": box(30.3, 49.4, 30.6, 49.6)})


def test_territory_km_and_majority_label_match_independent_measure() -> None:
    rng = np.random.default_rng(11)
    starts = rng.uniform([30.1, 49.1], [30.5, 49.5], size=(60, 2))
    network = _network([[tuple(s), tuple(s + d)] for s, d in
                        zip(starts, rng.normal(0, 0.08, (60, 2)), strict=True)])
    control = _three_areas()
    situation = annotate(network, control)
    assert situation.territories == control.labels
    for e in range(network.n_edges):
        line = _edge_line(network, e)
        expected = [_geodesic_km_inside(line, control.areas[t]) for t in situation.territories]
        # Within 0.1 %: an edge is straight on the plane, the reference straight in lon/lat.
        tolerance = 1e-3 * network.length_m[e] / 1000.0 + 1e-4
        assert situation.territory_km[e] == pytest.approx(expected, abs=tolerance)
        best = int(np.argmax(expected)) if max(expected) > 0 else -1
        if max(expected) > 0 and sorted(expected)[-2] < max(expected) - 0.01:
            assert situation.edge_territory[e] == best


def test_edge_outside_every_area_has_no_territory() -> None:
    network = _network([[(31.0, 49.0), (31.1, 49.0)], [(30.1, 49.1), (30.2, 49.1)]])
    situation = annotate(network, _three_areas())
    by_tail = {float(network.node_lon[network.tail[e]]): e for e in range(2)}
    outside, inside = by_tail[31.0], by_tail[30.1]
    assert situation.edge_territory[outside] == -1
    assert situation.territory_km[outside].sum() == 0.0
    assert situation.territories[situation.edge_territory[inside]] == "UA"


def test_only_labels_reaching_the_network_get_a_column() -> None:
    network = _network([[(30.1, 49.1), (30.2, 49.2)]])
    control = ControlMap({"UA": box(30.0, 49.0, 30.3, 49.4), "PL": box(20.0, 50.0, 21.0, 51.0)})
    situation = annotate(network, control)
    assert situation.territories == ("UA",)
    assert situation.territory_index("PL") == -1


def test_border_crossing_needs_both_ends_in_different_areas() -> None:
    polylines = {
        "UA->RU": [(30.1, 49.2), (30.5, 49.2)],
        "UA->UA through RU": [(30.2, 49.1), (30.45, 49.15), (30.25, 49.3)],
        "UA->nowhere": [(30.15, 49.05), (30.15, 48.5)],
        "RU->contested": [(30.5, 49.3), (30.5, 49.5)],
    }
    network = _network(list(polylines.values()))
    situation = annotate(network, _three_areas())
    tails = {tuple(network.edge_coords(e)[0]): e for e in range(network.n_edges)}
    flags = {name: bool(situation.border_crossing[tails[line[0]]])
             for name, line in polylines.items()}
    assert flags == {"UA->RU": True, "UA->UA through RU": False, "UA->nowhere": False,
                     "RU->contested": True}


# -- closures --------------------------------------------------------------------------------
def test_point_closure_closes_edges_within_radius_and_way_closure_both_directions() -> None:
    a, b, c = (30.0, 50.0), (30.1, 50.0), (30.0, 50.1)
    network = _network([[a, b], [b, a], [a, c], [c, a]], way_ids=[10, 10, 20, 20])
    bridge = (30.05, 50.004)  # about 445 m north of the a-b road
    distance_m = GEOD.inv(bridge[0], bridge[1], bridge[0], 50.0)[2]
    near = Closures(points=(PointClosure("bridge", *bridge, radius_m=distance_m + 20),))
    far = Closures(points=(PointClosure("bridge", *bridge, radius_m=distance_m - 20),))
    on_ab = network.way_id == 10
    assert np.array_equal(annotate(network, ControlMap({}), closures=near).closed, on_ab)
    assert not annotate(network, ControlMap({}), closures=far).closed.any()
    by_way = annotate(network, ControlMap({}), closures=Closures(way_ids=frozenset({20})))
    assert np.array_equal(by_way.closed, network.way_id == 20)


def test_updated_recomputes_only_hazards_and_closures() -> None:
    network = _network([[(30.1, 49.2), (30.5, 49.2)], [(30.5, 49.2), (30.5, 49.5)]])
    control = _three_areas()
    first = annotate(network, control, [HazardZone("x", "low", box(30.0, 49.0, 30.2, 49.3))])
    zones = [HazardZone("y", "high", box(30.4, 49.0, 30.6, 49.3))]
    closures = Closures(way_ids=frozenset({int(network.way_id[0])}))
    later = first.updated(hazards=zones, closures=closures)
    fresh = annotate(network, control, zones, closures)
    assert later.territory_km is first.territory_km
    assert later.edge_territory is first.edge_territory
    assert np.allclose(later.exposure_km, fresh.exposure_km)
    assert np.array_equal(later.closed, fresh.closed)
    assert not np.allclose(later.exposure_km, first.exposure_km)
    assert np.array_equal(first.with_hazards(zones).closed, first.closed)


def test_a_hazard_change_remeasures_only_what_it_touches_and_matches_a_fresh_annotation(
        ) -> None:
    network = road_like_grid(6_400, seed=5, centre=(30.3, 49.3), spacing_m=200.0)
    west, south, east, north = network.bbox
    control = ControlMap({"UA": box(west - 1, south - 1, east + 1, north + 1)})

    def part(x0: float, y0: float, x1: float, y1: float) -> Polygon:
        """The box between these fractions of the network's extent."""
        return box(west + x0 * (east - west), south + y0 * (north - south),
                   west + x1 * (east - west), south + y1 * (north - south))

    strip = HazardZone("strip", "medium", part(0.0, 0.0, 0.15, 1.0))
    inner = HazardZone("inner", "high", part(0.1, 0.4, 0.25, 0.5))
    far = HazardZone("far", "low", part(0.9, 0.9, 1.0, 1.0))
    steps = [[strip], [strip, inner], [strip, inner, far], [inner, far], [far]]
    situation = annotate(network, control, steps[0])
    for zones in steps[1:]:
        changed = [z for z in (*situation.hazards, *zones)
                   if (z in situation.hazards) != (z in zones)]
        touched = shapely.union_all([z.geometry for z in changed])
        assert np.mean([touched.intersects(_edge_line(network, e))
                        for e in range(network.n_edges)]) < 0.25  # the incremental path runs
        before = situation
        situation = situation.updated(hazards=zones)
        fresh = annotate(network, control, zones)
        # Within a centimetre: a zone's densified side still bends by millimetres on the plane.
        np.testing.assert_allclose(situation.exposure_km, fresh.exposure_km, rtol=0, atol=1e-5)
        assert situation.hazards == tuple(zones)
        assert not np.array_equal(situation.exposure_km, before.exposure_km)
    assert situation.updated(hazards=situation.hazards).exposure_km is situation.exposure_km
    beyond = HazardZone("beyond", "high", box(east + 0.1, north + 0.1, east + 0.2, north + 0.2))
    assert situation.updated(hazards=[*zones, beyond]).exposure_km is situation.exposure_km


# -- control maps ----------------------------------------------------------------------------
def _brute_force_holder(control_base: Polygon, sites: Sequence[Settlement],
                        labels: dict[str, str], lon: float, lat: float,
                        max_km: float) -> str | None:
    """Nearest settlement within reach holds the point; ``None`` where the answer is a toss-up
    (within 150 m of a cell edge or the reach circle, where polygon approximation decides)."""
    if not control_base.contains(Point(lon, lat)):
        return None
    d = np.array([GEOD.inv(lon, lat, s.lon, s.lat)[2] for s in sites]) / 1000.0
    first, second = np.sort(d)[:2]
    if second - first < 0.3 or abs(first - max_km) < 0.15:
        return None
    return labels[sites[int(np.argmin(d))].status] if first < max_km else "UA"


def test_settlement_cells_give_each_point_to_its_nearest_settlement_within_reach() -> None:
    base = box(30.0, 49.0, 31.0, 49.6)
    sites = [Settlement("a", 30.2, 49.2, "ua"), Settlement("b", 30.35, 49.3, "ru"),
             Settlement("c", 30.5, 49.15, "contested"), Settlement("d", 30.45, 49.45, "ru"),
             Settlement("e", 30.2, 49.2, "ua")]  # a duplicate report of "a"
    labels = {"ua": "UA", "ru": "RU", "contested": "contested"}
    control = ControlMap.from_settlements(sites, status_labels=labels, base=base,
                                          default_label="UA", max_cell_km=20.0)
    rng = np.random.default_rng(3)
    samples = rng.uniform([29.95, 48.95], [31.05, 49.65], size=(300, 2))
    holders = control.holder_indices(samples[:, 0], samples[:, 1])
    checked = 0
    for (lon, lat), index in zip(samples, holders, strict=True):
        expected = _brute_force_holder(base, sites, labels, lon, lat, 20.0)
        if expected is None and base.contains(Point(lon, lat)):
            continue
        got = control.labels[index] if index >= 0 else None
        assert got == expected, (lon, lat)
        checked += 1
    assert checked > 250
    total = sum(area.area for area in control.areas.values())
    assert total == pytest.approx(base.area, rel=1e-9)


def test_ground_enclosed_by_one_holders_cells_is_that_holders() -> None:
    """A ring of Russian-held towns 30 km around an unreported centre: the centre, beyond every
    town's 20 km reach, a pocket smaller than one town's reach and cut off from every
    Ukrainian-held cell, is Russian-held; the wide unreported ground outside keeps the default."""
    centre = (31.0, 49.5)
    ring = [GEOD.fwd(*centre, azimuth, 30_000.0)[:2] for azimuth in range(0, 360, 30)]
    sites = [Settlement(f"r{i}", lon, lat, "ru") for i, (lon, lat) in enumerate(ring)]
    sites.append(Settlement("u", 30.1, 49.05, "ua"))
    base = box(29.9, 48.9, 32.2, 50.2)
    control = ControlMap.from_settlements(sites, status_labels={"ru": "RU", "ua": "UA"},
                                          base=base, default_label="UA", max_cell_km=20.0)
    beyond_reach = [centre, (32.15, 50.15)]
    for lon, lat in beyond_reach:  # no town within reach of either point
        assert min(GEOD.inv(lon, lat, s.lon, s.lat)[2] for s in sites) > 20_000.0
    assert [control.holder_at(lon, lat) for lon, lat in beyond_reach] == ["RU", "UA"]
    assert sum(area.area for area in control.areas.values()) == pytest.approx(base.area,
                                                                              rel=1e-9)


def test_conflicting_reports_at_one_place_are_an_error() -> None:
    sites = [Settlement("a", 30.2, 49.2, "ua"), Settlement("a2", 30.2, 49.2, "ru")]
    with pytest.raises(SituationError, match="share a position"):
        ControlMap.from_settlements(sites, status_labels={"ua": "UA", "ru": "RU"},
                                    base=box(30, 49, 31, 50), default_label="UA")


def test_explicit_polygons_override_cells_which_override_countries() -> None:
    countries = ControlMap.from_countries({"XA": box(0, 0, 2, 1), "RU": box(2, 0, 3, 1)},
                                          exclude=("XA",))
    cells = ControlMap.from_settlements(
        [Settlement("s", 1.5, 0.5, "ru")], status_labels={"ru": "RU"}, base=box(0, 0, 2, 1),
        default_label="UA", max_cell_km=30.0)
    explicit = ControlMap.from_polygons(
        {"contested": [[[1.4, 0.4], [1.6, 0.4], [1.6, 0.6], [1.4, 0.6], [1.4, 0.4]]]},
        field="control")
    control = countries.overlaid_by(cells).overlaid_by(explicit)
    assert control.holder_at(1.5, 0.5) == "contested"
    assert control.holder_at(1.5, 0.3) == "RU"
    assert control.holder_at(0.3, 0.5) == "UA"
    assert control.holder_at(2.5, 0.5) == "RU"
    assert control.holder_at(5.0, 5.0) is None
    assert shapely.area(shapely.intersection(control.areas["RU"], control.areas["contested"])) == 0
    lon = np.array([1.5, 1.5, 0.3, 2.5, 5.0])
    lat = np.array([0.5, 0.3, 0.5, 0.5, 5.0])
    vector = [control.labels[i] if i >= 0 else None for i in control.holder_indices(lon, lat)]
    assert vector == [control.holder_at(x, y) for x, y in zip(lon, lat, strict=True)]


# -- front line ------------------------------------------------------------------------------
def _front_line_map() -> ControlMap:
    """Country X (0..2 x 0..1) between state RU (east) and BY (north); RU holds X's south-east."""
    states = ControlMap.from_countries(
        {"X": box(0, 0, 2, 1), "RU": box(2, 0, 3, 1), "BY": box(0, 1, 2, 2)}, exclude=("X",))
    held = ControlMap.from_polygons({
        "RU": [[[1.5, 0], [2, 0], [2, 0.5], [1.5, 0.5], [1.5, 0]]],
        "UA": [[[0, 0], [1.5, 0], [1.5, 0.5], [2, 0.5], [2, 1], [0, 1], [0, 0]]],
    }, field="control")
    return states.overlaid_by(held)


def test_front_line_leaves_out_state_borders_unless_asked() -> None:
    control = _front_line_map()
    contact = LineString([(1.5, 0), (1.5, 0.5), (2, 0.5)])
    # Where a front line meets a border it stops 10 m short (2e-4 degrees covers that).
    line = control.front_line([("UA", "RU")])
    assert shapely.hausdorff_distance(line, contact) < 2e-4
    with_border = control.front_line([("UA", "RU")], include_borders=True)
    expected = shapely.union(contact, LineString([(2, 0.5), (2, 1)]))
    assert shapely.hausdorff_distance(with_border, expected) < 2e-5  # 1 m matching tolerance
    assert with_border.length == pytest.approx(expected.length, rel=1e-4)
    assert line.length == pytest.approx(contact.length, abs=4e-4)
    assert control.front_line([("UA", "BY")]).is_empty
    assert control.front_line([("UA", "BY")], include_borders=True).length == pytest.approx(2.0,
                                                                                     rel=1e-4)


def test_front_line_zone_is_a_band_of_the_given_width() -> None:
    line = _front_line_map().front_line([("UA", "RU")])
    zone = front_line_zone(line, buffer_km=5.0, risk="high")
    assert zone.risk == "high"
    # A point 4 km west of the contact line at x = 1.5 is inside, one 6 km west is not.
    lat = 0.25
    for km, inside in ((4.0, True), (6.0, False)):
        lon, _, _ = GEOD.fwd(1.5, lat, 270.0, km * 1000.0)
        assert zone.geometry.contains(Point(lon, lat)) is inside


def test_contested_zone_takes_the_contested_area() -> None:
    control = ControlMap({"UA": box(0, 0, 1, 1), "contested": box(1, 0, 2, 1)})
    zone = contested_zone(control, risk="medium")
    assert zone.geometry.equals(control.areas["contested"])
    assert contested_zone(ControlMap({"UA": box(0, 0, 1, 1)})).geometry.is_empty


# -- GeoJSON export --------------------------------------------------------------------------
def _max_decimals(value: object) -> int:
    if isinstance(value, list):
        return max((_max_decimals(v) for v in value), default=0)
    text = repr(value)
    return len(text.split(".")[1]) if "." in text else 0


def test_geojson_exports_round_trip_within_rounding() -> None:
    control = _front_line_map()
    line = control.front_line([("UA", "RU")])
    zone = front_line_zone(line, buffer_km=3.0)
    for collection, geometries in (
        (control.to_geojson(), list(control.areas.values())),
        (hazards_geojson([zone]), [zone.geometry]),
        (front_line_geojson(line), [line]),
    ):
        parsed = json.loads(json.dumps(collection))
        assert parsed["type"] == "FeatureCollection"
        assert len(parsed["features"]) == len(geometries)
        for feature, geometry in zip(parsed["features"], geometries, strict=True):
            assert _max_decimals(feature["geometry"]["coordinates"]) <= 5
            assert shapely.hausdorff_distance(shape(feature["geometry"]), geometry) < 1e-5
    labels = [f["properties"]["label"] for f in control.to_geojson()["features"]]
    assert labels == list(control.labels)
    assert hazards_geojson([zone])["features"][0]["properties"] == {"name": "front line",
                                                                    "risk": "high"}
    expected_km = GEOD.geometry_length(line) / 1000.0
    length_km = front_line_geojson(line)["features"][0]["properties"]["length_km"]
    assert length_km == pytest.approx(expected_km, rel=5e-3)


def test_a_redrawn_band_is_remeasured_where_it_moved_and_matches_a_fresh_annotation() -> None:
    """A front-line band redrawn under its name (as after a control change) changes exposure
    only where old and new shapes differ; the result is that of annotating afresh."""
    network = road_like_grid(6_400, seed=5, centre=(30.3, 49.3), spacing_m=200.0)
    west, south, east, north = network.bbox
    control = ControlMap({"UA": box(west - 1, south - 1, east + 1, north + 1)})
    width = east - west
    band = HazardZone("front", "high", box(west + 0.3 * width, south, west + 0.4 * width, north))
    moved = HazardZone("front", "high", box(west + 0.35 * width, south, west + 0.45 * width,
                                            north))
    other = HazardZone("other", "low", box(west, south, west + 0.05 * width, north))
    situation = annotate(network, control, [band, other]).updated(hazards=[moved, other])
    fresh = annotate(network, control, [moved, other])
    np.testing.assert_allclose(situation.exposure_km, fresh.exposure_km, rtol=0, atol=1e-5)
