"""OSM import: tag semantics on hand-written extracts, real extracts in every format, bad files."""

from __future__ import annotations

import bz2
import shutil
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np
import osmium
import pytest

from corridor.errors import NetworkError
from corridor.geodesy import polyline_lengths_m
from corridor.network.graph import ROAD_CLASSES, RoadNetwork
from corridor.network.osm import NetworkSettings, build_network, file_sha256
from corridor.network.tags import MPH_KMH, way_attributes
from corridor.network.topology import distinct, largest_strong_component
from tests.conftest import DATA_DIR

OSM_DIR = DATA_DIR / "osm"
RAW = NetworkSettings(simplify=False, largest_component=False)

Tags = dict[str, str]
Nodes = dict[int, tuple[float, float, Tags]]


def write_osm(path: Path, nodes: Nodes,
              ways: list[tuple[int, list[int], Tags]]) -> Path:
    """Write a minimal OSM XML file: ``nodes`` maps id to (lon, lat, tags)."""
    def tags_xml(tags: Tags) -> str:
        return "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items())

    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for node_id, (lon, lat, tags) in nodes.items():
        lines.append(f'<node id="{node_id}" version="1" lat="{lat}" lon="{lon}">'
                     f"{tags_xml(tags)}</node>")
    for way_id, refs, tags in ways:
        nds = "".join(f'<nd ref="{r}"/>' for r in refs)
        lines.append(f'<way id="{way_id}" version="1">{nds}{tags_xml(tags)}</way>')
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _line_nodes(n: int, tags: dict[int, Tags] | None = None) -> Nodes:
    """Nodes 1..n about 70 m apart along a parallel at 50 degrees north."""
    tags = tags or {}
    return {i: (8.0 + 0.001 * i, 50.0, tags.get(i, {})) for i in range(1, n + 1)}


def _osm_edges(net: RoadNetwork) -> set[tuple[int, int]]:
    ids = net.node_osm_id
    return set(zip(ids[net.tail].tolist(), ids[net.head].tolist(), strict=True))


def test_directions_and_exclusions(tmp_path: Path) -> None:
    path = write_osm(tmp_path / "town.osm", _line_nodes(8), [
        (10, [1, 2, 3], {"highway": "residential"}),
        (11, [3, 4], {"highway": "residential", "oneway": "yes"}),
        (12, [4, 5], {"highway": "residential", "oneway": "-1"}),
        (13, [5, 6], {"highway": "tertiary", "junction": "roundabout"}),
        (14, [6, 1], {"highway": "footway"}),
        (15, [6, 7], {"highway": "motorway"}),
        (16, [7, 1], {"highway": "residential", "access": "private"}),
        (17, [1, 3], {"highway": "service", "area": "yes"}),
        (18, [7, 8], {"highway": "track"}),
    ])
    net = build_network(path, settings=RAW)
    assert _osm_edges(net) == {(1, 2), (2, 1), (2, 3), (3, 2), (3, 4), (5, 4), (5, 6), (6, 7)}
    assert net.meta["osm_ways"] == 5
    assert sorted(set(net.way_id.tolist())) == [10, 11, 12, 13, 15]
    assert net.n_nodes == 7


def test_speed_capacity_and_labels(tmp_path: Path) -> None:
    path = write_osm(tmp_path / "roads.osm", _line_nodes(4), [
        (10, [1, 2], {"highway": "primary", "maxspeed": "30 mph", "name": "High Street",
                      "lanes": "4"}),
        (11, [2, 3], {"highway": "secondary", "ref": "B 3", "name": "Bergstraße",
                      "maxspeed": "DE:urban", "oneway": "yes"}),
        (12, [3, 4], {"highway": "trunk_link", "name": "High Street"}),
    ])
    net = build_network(path, settings=RAW)
    by_way = {int(w): e for e, w in enumerate(net.way_id)}
    for way_id, tags in [(10, {"highway": "primary", "maxspeed": "30 mph", "lanes": "4"}),
                         (11, {"highway": "secondary", "maxspeed": "DE:urban", "oneway": "yes"}),
                         (12, {"highway": "trunk_link"})]:
        expected = way_attributes(tags)
        assert expected is not None
        e = by_way[way_id]
        assert net.speed_kmh[e] == pytest.approx(expected.speed_forward_kmh)
        assert net.capacity_vph[e] == pytest.approx(expected.capacity_forward_vph)
        assert net.road_class[e] == expected.road_class
    assert net.speed_kmh[by_way[10]] == pytest.approx(30 * MPH_KMH)
    assert ROAD_CLASSES[net.road_class[by_way[12]]] == "trunk"
    assert [net.edge_name(by_way[w]) for w in (10, 11, 12)] == ["High Street", "B 3",
                                                               "High Street"]
    assert net.names.count("High Street") == 1


def test_simplify_keeps_towns_border_posts_and_attribute_changes(tmp_path: Path) -> None:
    nodes = _line_nodes(8, {4: {"place": "village", "name": "Dorf"},
                            6: {"barrier": "border_control"}})
    path = write_osm(tmp_path / "border.osm", nodes, [
        (10, [1, 2, 3, 4, 5, 6, 7], {"highway": "primary", "maxspeed": "80"}),
        (11, [7, 8], {"highway": "primary", "maxspeed": "50"}),
    ])
    raw = build_network(path, settings=RAW)
    net = build_network(path)
    # 2, 3 and 5 offer no choice; 4 is a village, 6 a border post, 7 a change of speed.
    assert sorted(net.node_osm_id.tolist()) == [1, 4, 6, 7, 8]
    assert _osm_edges(net) == {(1, 4), (4, 1), (4, 6), (6, 4), (6, 7), (7, 6), (7, 8), (8, 7)}
    first = next(e for e in range(net.n_edges)
                 if tuple(net.node_osm_id[[net.tail[e], net.head[e]]]) == (1, 4))
    expected_lon = [nodes[i][0] for i in (1, 2, 3, 4)]
    assert net.edge_coords(first)[:, 0].tolist() == pytest.approx(expected_lon)
    assert net.length_m.sum() == pytest.approx(raw.length_m.sum())


def test_no_drivable_roads(tmp_path: Path) -> None:
    path = write_osm(tmp_path / "park.osm", _line_nodes(4), [
        (10, [1, 2, 3], {"highway": "footway"}),
        (11, [3, 4], {"highway": "cycleway"}),
    ])
    with pytest.raises(NetworkError, match="no drivable roads") as err:
        build_network(path)
    assert str(path) in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.osm.pbf"
    with pytest.raises(NetworkError, match="no such file") as err:
        build_network(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("name", ["roads.geojson", "roads.txt", "roads.pbf.zip"])
def test_unknown_extension(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    shutil.copy(OSM_DIR / "krautsand.osm.gz", path)
    with pytest.raises(NetworkError, match=r"unknown file extension, expected one of \.osm\.pbf"):
        build_network(path)


def test_truncated_pbf(tmp_path: Path) -> None:
    data = (OSM_DIR / "monaco.osm.pbf").read_bytes()
    path = tmp_path / "monaco.osm.pbf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(NetworkError, match=r"cannot read as PBF.*truncated or corrupt") as err:
        build_network(path)
    assert str(path) in str(err.value)


def test_corrupt_compressed_xml(tmp_path: Path) -> None:
    path = tmp_path / "oakland.osm.bz2"
    path.write_bytes(bz2.compress(b"<osm version='0.6'><node id='1' lat='x"))
    with pytest.raises(NetworkError, match="cannot read as bzip2-compressed OSM XML"):
        build_network(path)


def _drivable_way_count(path: Path) -> int:
    """Drivable ways counted with a plain osmium pass, independently of the import."""
    return sum(1 for way in osmium.FileProcessor(str(path), osmium.osm.WAY)
               if isinstance(way, osmium.osm.Way) and way_attributes(way.tags) is not None)


def test_monaco_pbf() -> None:
    path = OSM_DIR / "monaco.osm.pbf"
    net = build_network(path)
    meta = net.meta
    assert meta["sha256"] == file_sha256(path)
    assert meta["source"] == str(path.resolve())
    assert meta["settings"]["simplify"] is True
    assert meta["osm_ways"] == _drivable_way_count(path)
    assert meta["build_seconds"] > 0
    mask, n_components = largest_strong_component(net)
    assert n_components == 1 and mask.all()
    assert len(np.unique(net.node_osm_id)) == net.n_nodes
    assert (net.speed_kmh > 0).all() and (net.capacity_vph > 0).all()
    # OSM has a few distinct nodes at one location, hence zero-length edges.
    assert (net.length_m >= 0).all() and np.median(net.length_m) > 0
    header = osmium.io.Reader(str(path)).header().box()
    min_lon, min_lat, max_lon, max_lat = net.bbox
    assert header.bottom_left.lon <= min_lon and max_lon <= header.top_right.lon
    assert header.bottom_left.lat <= min_lat and max_lat <= header.top_right.lat


def test_dropped_parts_add_up() -> None:
    path = OSM_DIR / "monaco.osm.gz"
    whole = build_network(path, settings=NetworkSettings(simplify=False, largest_component=False))
    core = build_network(path, settings=NetworkSettings(simplify=False))
    dropped = core.meta["dropped"]
    assert dropped["nodes"] == whole.n_nodes - core.n_nodes > 0
    assert dropped["edges"] == whole.n_edges - core.n_edges > 0
    assert dropped["components"] == largest_strong_component(whole)[1] - 1
    assert set(core.node_osm_id.tolist()) < set(whole.node_osm_id.tolist())


def test_formats_give_identical_networks(tmp_path: Path) -> None:
    source = OSM_DIR / "West-Oakland.osm.bz2"
    copies = [tmp_path / "oakland.osm.pbf", tmp_path / "oakland.osm", tmp_path / "oakland.osm.gz"]
    for copy in copies:
        with osmium.SimpleWriter(str(copy)) as writer:
            for obj in osmium.FileProcessor(str(source)):
                writer.add(obj)
    reference = build_network(source)
    assert reference.n_edges > 0
    for copy in copies:
        net = build_network(copy)
        for name, array in reference._arrays().items():
            np.testing.assert_array_equal(getattr(net, name), array, err_msg=f"{copy}: {name}")
        assert net.names == reference.names


def test_liechtenstein_whole_country() -> None:
    path = OSM_DIR / "liechtenstein-latest.osm.pbf"
    raw = build_network(path, settings=NetworkSettings(simplify=False))
    net = build_network(path)
    assert net.n_nodes < raw.n_nodes / 3
    assert net.km_by_class() == raw.km_by_class()
    assert net.meta["dropped"] == raw.meta["dropped"]
    assert {"primary", "secondary", "residential"} <= set(net.km_by_class())


def test_segment_lengths_follow_the_geometry() -> None:
    """Lengths measured once per OSM segment equal the length along each edge's polyline,
    in both directions of a two-way road."""
    net = build_network(DATA_DIR / "osm" / "monaco.osm.pbf",
                        settings=NetworkSettings(simplify=False))
    along = polyline_lengths_m(net.geom_offsets, net.geom_lon, net.geom_lat)
    np.testing.assert_allclose(net.length_m, along, rtol=1e-9, atol=1e-6)


@pytest.mark.parametrize("values", [
    np.array([], dtype=np.int64),
    np.array([7]),
    np.array([5, 3, 5, 5, 10**12, -4, 3]),
    np.random.default_rng(3).integers(0, 50, size=1000),
    np.array([0.5, np.inf, 0.5, -1.0]),
])
def test_distinct_matches_numpy_unique(values: np.ndarray) -> None:
    out = distinct(values)
    np.testing.assert_array_equal(out, np.unique(values))
    assert out.dtype == values.dtype
