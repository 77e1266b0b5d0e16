"""The committed 2022 scenario data: the OSM skeleton against roads.yaml, and the control CSV."""

from __future__ import annotations

import csv
import importlib.util
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import osmium
import pytest
import yaml

from tests.conftest import DATA_DIR, REPO_ROOT

SKELETON = DATA_DIR / "ukraine-2022"
ROADS = SKELETON / "roads.yaml"
OSM = SKELETON / "roads-schematic.osm"
CONTROL = SKELETON / "control-2022-03-07.csv"
WAYPOINTS = SKELETON / "waypoints-2022-03-07.csv"
GEONAMES = (DATA_DIR / "geonames" / "ua_cities1000.json",
            DATA_DIR / "geonames" / "neighbours_cities15000.json")
CLASS_RANK = {"trunk": 0, "primary": 1, "secondary": 2}


@dataclass(frozen=True)
class OsmNode:
    lat: float
    lon: float
    tags: dict[str, str]


@dataclass(frozen=True)
class OsmWay:
    way_id: int
    nodes: tuple[int, ...]
    tags: dict[str, str]


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    """``tools/skeleton_to_osm.py``, imported from its file (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location("skeleton_to_osm",
                                                  REPO_ROOT / "tools" / "skeleton_to_osm.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def osm() -> tuple[dict[int, OsmNode], list[OsmWay]]:
    nodes: dict[int, OsmNode] = {}
    ways: list[OsmWay] = []
    for obj in osmium.FileProcessor(str(OSM)):
        tags = {tag.k: tag.v for tag in obj.tags}
        if isinstance(obj, osmium.osm.Node):
            nodes[obj.id] = OsmNode(obj.location.lat, obj.location.lon, tags)
        elif isinstance(obj, osmium.osm.Way):
            ways.append(OsmWay(obj.id, tuple(n.ref for n in obj.nodes), tags))
    return nodes, ways


def _segments(route: dict[str, Any]) -> list[frozenset[int]]:
    ids = [v["geonameid"] for v in route["via"]]
    return [frozenset(pair) for pair in itertools.pairwise(ids)]


def test_one_node_per_settlement(routes: list[dict[str, Any]],
                                 osm: tuple[dict[int, OsmNode], list[OsmWay]]) -> None:
    nodes, _ = osm
    settlements = {v["geonameid"]: v for route in routes for v in route["via"]}
    assert set(nodes) == set(settlements)
    for geonameid, via in settlements.items():
        node = nodes[geonameid]
        assert (node.lat, node.lon) == pytest.approx((via["lat"], via["lon"]), abs=1e-7)
        assert node.tags["name"] == via["name"]
        assert node.tags["geonames:id"] == str(geonameid)
        assert node.tags["is_in:country"] == via["country"]
        assert node.tags.get("geonames:name") == via.get("geonames_name")


def test_place_class_follows_population(osm: tuple[dict[int, OsmNode], list[OsmWay]],
                                        tool: ModuleType) -> None:
    nodes, _ = osm
    for node in nodes.values():
        large = int(node.tags.get("population", "0")) >= tool.CITY_POPULATION
        assert node.tags["place"] == ("city" if large else "town")
    assert {n.tags["place"] for n in nodes.values()} == {"city", "town"}


def test_ways_hold_each_distinct_segment_once(
        routes: list[dict[str, Any]], osm: tuple[dict[int, OsmNode], list[OsmWay]]) -> None:
    _, ways = osm
    way_segments = [frozenset(pair) for way in ways
                    for pair in itertools.pairwise(way.nodes)]
    yaml_segments = {s for route in routes for s in _segments(route)}
    assert len(way_segments) == len(set(way_segments)) == len(yaml_segments)
    assert set(way_segments) == yaml_segments


def test_each_way_belongs_to_its_route(
        routes: list[dict[str, Any]], osm: tuple[dict[int, OsmNode], list[OsmWay]]) -> None:
    _, ways = osm
    by_ref = {route["ref"]: route for route in routes}
    for way in ways:
        route = by_ref[way.tags["schematic:route"]]
        assert way.tags["highway"] == route["class"]
        assert way.tags["name"] == route["name"]
        if route["ref"].startswith("unnumbered"):
            assert "ref" not in way.tags
            assert way.tags["noref"] == "yes"
        else:
            assert way.tags["ref"] == route["ref"].split(" (")[0]
        assert way.tags.get("int_ref") == (";".join(route["aliases"])
                                           if "aliases" in route else None)
        assert way.tags["note"] == "schematic town-to-town segments"
        assert way.tags["source"] == "GeoNames CC BY 4.0; schematic"
        ids = [v["geonameid"] for v in route["via"]]
        start = ids.index(way.nodes[0])
        assert tuple(ids[start:start + len(way.nodes)]) == way.nodes


def test_shared_segments_stay_on_the_most_important_route(
        routes: list[dict[str, Any]], osm: tuple[dict[int, OsmNode], list[OsmWay]]) -> None:
    _, ways = osm
    owner: dict[frozenset[int], dict[str, Any]] = {}
    for route in sorted(routes, key=lambda r: CLASS_RANK[r["class"]]):
        for segment in _segments(route):
            owner.setdefault(segment, route)
    assert sum(len(_segments(r)) for r in routes) > len(owner), "no shared segment to test"
    for way in ways:
        for pair in itertools.pairwise(way.nodes):
            assert way.tags["schematic:route"] == owner[frozenset(pair)]["ref"]


def test_coordinates_are_in_range() -> None:
    nodes_seen = 0
    for obj in osmium.FileProcessor(str(OSM), osmium.osm.NODE):
        assert isinstance(obj, osmium.osm.Node)
        assert obj.location.valid()
        assert -90 <= obj.location.lat <= 90 and -180 <= obj.location.lon <= 180
        nodes_seen += 1
    assert nodes_seen > 0
    for path in (CONTROL, WAYPOINTS):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                assert -90 <= float(row["lat"]) <= 90, (path.name, row["name"])
                assert -180 <= float(row["lon"]) <= 180, (path.name, row["name"])


def test_header_carries_disclaimer_and_attribution() -> None:
    head = OSM.read_text(encoding="utf-8")[:1200]
    assert head.index("<!--") < head.index("<osm ")
    assert "SCHEMATIC" in head and "not be used for navigation or safety" in head
    assert "Contains data from GeoNames (geonames.org), CC BY 4.0" in head
    assert '<osm version="0.6" generator="corridor skeleton_to_osm">' in head


def test_control_csv_rows_are_skeleton_settlements(
        routes: list[dict[str, Any]]) -> None:
    settlements = {v["geonameid"]: v for route in routes for v in route["via"]}
    with CONTROL.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["name", "geonameid", "lat", "lon", "status",
                                     "source_url_or_basis", "confidence"]
        rows = list(reader)
    assert {r["status"] for r in rows} == {"ru", "contested", "ua"}
    assert {r["confidence"] for r in rows} <= {"high", "medium", "low"}
    assert len({r["geonameid"] for r in rows}) == len(rows)
    for row in rows:
        via = settlements[int(row["geonameid"])]
        assert row["name"] == via["name"]
        assert (float(row["lat"]), float(row["lon"])) == (via["lat"], via["lon"])
        assert row["source_url_or_basis"].strip()


def test_conversion_reproduces_the_committed_file(tool: ModuleType, tmp_path: Path) -> None:
    output = tmp_path / "roads.osm"
    argv = [str(ROADS), str(output), "--geonames", *map(str, GEONAMES)]
    assert tool.main(argv) == 0
    assert output.read_bytes() == OSM.read_bytes()


def _write_routes(path: Path, routes: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump({"routes": routes}, allow_unicode=True), encoding="utf-8")
    return path


def test_point_without_geonameid_gets_a_stable_synthetic_id(
        tool: ModuleType, routes: list[dict[str, Any]], tmp_path: Path) -> None:
    with WAYPOINTS.open(encoding="utf-8", newline="") as handle:
        orane = next(r for r in csv.DictReader(handle) if r["name"] == "Orane")
    ivankiv = next(v for route in routes for v in route["via"] if v["name"] == "Ivankiv")
    waypoint = {"name": "Orane", "country": "UA", "lat": float(orane["lat"]),
                "lon": float(orane["lon"])}
    route = {"ref": "P-02", "class": "secondary", "name": "Ivankiv - Orane",
             "via": [ivankiv, waypoint]}
    source = _write_routes(tmp_path / "roads.yaml", [route])
    first = tool.to_osm_xml(tool.load_routes(source))
    assert first == tool.to_osm_xml(tool.load_routes(source))
    loaded = tool.load_routes(source)
    synthetic = loaded[0].via[1].node_id
    assert synthetic >= tool.SYNTHETIC_ID_BASE
    assert f'<node id="{synthetic}"' in first
    assert first.count("geonames:id") == 1


@pytest.mark.parametrize(("change", "field"), [
    (lambda r: r[0]["via"][1].pop("lat"), "routes[0].via[1].lat"),
    (lambda r: r[0].update({"class": "motorway"}), "routes[0].class"),
    (lambda r: r[0]["via"].__setitem__(slice(1, None), []), "routes[0].via"),
    (lambda r: r[1]["via"][0].update({"lon": 0.0}), "routes[1].via[0]"),
])
def test_malformed_skeleton_is_rejected_with_its_field(
        tool: ModuleType, routes: list[dict[str, Any]], tmp_path: Path,
        capsys: pytest.CaptureFixture[str], change: Any, field: str) -> None:
    """The last case moves Kipti where M-02 starts but not where M-01 passes it."""
    broken = [yaml.safe_load(yaml.safe_dump(r)) for r in routes[:4]]
    change(broken)
    source = _write_routes(tmp_path / "roads.yaml", broken)
    assert tool.main([str(source), str(tmp_path / "out.osm")]) == 2
    error = capsys.readouterr().err
    assert str(source) in error and field in error
    assert not (tmp_path / "out.osm").exists()


def test_settlement_disagreeing_with_geonames_is_rejected(
        tool: ModuleType, routes: list[dict[str, Any]], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    moved = yaml.safe_load(yaml.safe_dump(routes[0]))
    moved["via"] = moved["via"][:3]
    moved["via"][0]["lat"] += 0.01
    source = _write_routes(tmp_path / "roads.yaml", [moved])
    argv = [str(source), str(tmp_path / "out.osm"), "--geonames", str(GEONAMES[0])]
    assert tool.main(argv) == 2
    assert f"geonameid {moved['via'][0]['geonameid']}" in capsys.readouterr().err
