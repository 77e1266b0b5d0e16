"""What the import drops from a clipped extract, and the mode that keeps roads leaving its edges."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import osmium
import pytest

from corridor.network.graph import ROAD_CLASSES, RoadNetwork
from corridor.network.osm import NetworkSettings, build_network
from corridor.network.topology import largest_strong_component
from tests.conftest import DATA_DIR

OSM_DIR = DATA_DIR / "osm"
RAW = NetworkSettings(simplify=False, largest_component=False)
#: Andorra south of Canillo's valley floor: the box cuts CG-2, CG-3 and the Ordino road CG-4.
CLIP = (1.40, 42.40, 1.62, 42.56)


@pytest.fixture(scope="module")
def clipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Andorra cut by a box the way ``osmium extract --strategy simple`` cuts: nodes outside the
    box are left out, ways crossing it keep their references to them."""
    path = tmp_path_factory.mktemp("clip") / "andorra-clipped.osm.pbf"
    source = str(OSM_DIR / "andorra-latest.osm.pbf")
    lon0, lat0, lon1, lat1 = CLIP
    inside: set[int] = set()
    with osmium.SimpleWriter(str(path)) as writer:
        for node in osmium.FileProcessor(source, osmium.osm.NODE):
            if lon0 <= node.location.lon <= lon1 and lat0 <= node.location.lat <= lat1:
                inside.add(node.id)
                writer.add_node(node)
        for way in osmium.FileProcessor(source, osmium.osm.WAY):
            if any(n.ref in inside for n in way.nodes):
                writer.add_way(way)
    return path


def _km_by_label(net: RoadNetwork) -> Counter[str]:
    km: Counter[str] = Counter()
    for name_idx, length in zip(net.name_idx.tolist(), net.length_m.tolist(), strict=True):
        if name_idx >= 0:
            km[net.names[name_idx]] += length / 1000.0
    return km


def test_dropped_length_by_class_and_road_is_what_went_missing(clipped: Path) -> None:
    whole = build_network(clipped, settings=RAW)
    core = build_network(clipped, settings=NetworkSettings(simplify=False))
    dropped = core.meta["dropped"]
    before, after = whole.km_by_class(), core.km_by_class()
    expected = {c: before[c] - after.get(c, 0.0) for c in ROAD_CLASSES if c in before}
    assert dropped["km_by_class"] == pytest.approx(
        {c: km for c, km in expected.items() if km > 0.0005}, abs=0.002)
    lost = _km_by_label(whole)
    lost.subtract(_km_by_label(core))
    worst = [road for road, _ in lost.most_common(len(dropped["roads"]))]
    assert [r["road"] for r in dropped["roads"]] == worst
    # the box cuts the Ordino road twice: most of it no longer reaches the rest both ways
    first = dropped["roads"][0]
    assert first["road"] == "CG-4"
    assert first["km_dropped"] > first["km_total"] / 2
    assert first["km_total"] == pytest.approx(_km_by_label(whole)["CG-4"], abs=0.002)


def test_keep_edges_keeps_the_roads_cut_by_the_box(clipped: Path) -> None:
    strong = build_network(clipped, settings=NetworkSettings(simplify=False))
    edges = build_network(clipped, settings=NetworkSettings(simplify=False, keep_edges=True))
    assert edges.meta["settings"]["keep_edges"] is True
    assert set(strong.node_osm_id.tolist()) < set(edges.node_osm_id.tolist())
    # no main road is lost any more; what is still dropped is minor and lies inside the box
    assert set(edges.meta["dropped"]["km_by_class"]) <= {"unclassified", "residential",
                                                          "living_street", "service"}
    assert "CG-4" not in {r["road"] for r in edges.meta["dropped"]["roads"]}
    core, _ = largest_strong_component(edges)
    boundary = edges.meta["boundary"]
    assert boundary["one_way_nodes"] == int((~core).sum()) > 0
    assert boundary["connectors"] > 0
    assert strong.meta["boundary"] is None


def test_keep_edges_changes_nothing_on_an_uncut_network() -> None:
    # Monaco's OSRM extract is strongly connected once its strays are dropped; the mode may add
    # what leaves the box, but the strongly connected core is the same
    path = OSM_DIR / "monaco.osm.pbf"
    strong = build_network(path, settings=NetworkSettings(simplify=False))
    edges = build_network(path, settings=NetworkSettings(simplify=False, keep_edges=True))
    core, _ = largest_strong_component(edges)
    np.testing.assert_array_equal(edges.node_osm_id[core], strong.node_osm_id)
