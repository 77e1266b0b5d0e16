"""The country-sized benchmark input: ``tools/country_pbf.py`` on real extracts, read back."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import osmium
import pytest

from corridor.network.osm import NetworkSettings, build_network

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA = REPO_ROOT / "data" / "osm"
TOOL = REPO_ROOT / "tools" / "country_pbf.py"
SOURCES = (DATA / "monaco.osm.pbf", DATA / "andorra-latest.osm.pbf")
TARGET_NODES = 600_000


def _tool() -> ModuleType:
    """``tools/country_pbf.py``, imported from its file (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location("country_pbf", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


country = _tool()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    target = tmp_path_factory.mktemp("country") / "country.osm.pbf"
    return target, country.build_country(target, TARGET_NODES, SOURCES)


@pytest.fixture(scope="module")
def sources() -> dict[str, Any]:
    """The source extracts as the tool holds them, by file name."""
    return {s.name: country._read_extract(s) for s in SOURCES}


def _read(path: Path) -> tuple[list[int], list[int], list[list[int]], list[dict[str, str]]]:
    node_ids, way_ids, refs, tags = [], [], [], []
    for obj in osmium.FileProcessor(str(path), osmium.osm.ALL):
        if obj.is_node():
            node_ids.append(obj.id)
        elif obj.is_way():
            way_ids.append(obj.id)
            refs.append([n.ref for n in obj.nodes])
            tags.append(dict(obj.tags))
        else:
            raise AssertionError(f"unexpected object {obj}")
    return node_ids, way_ids, refs, tags


def test_node_count_is_near_the_target_in_whole_tiles(built: tuple[Path, dict[str, Any]],
                                                     sources: dict[str, Any]) -> None:
    path, stats = built
    node_ids, way_ids, _, _ = _read(path)
    assert len(node_ids) == stats["nodes"]
    assert len(way_ids) == stats["ways"]
    largest_tile = max(s.n_nodes for s in sources.values())
    assert abs(len(node_ids) - TARGET_NODES) <= largest_tile / 2
    # Tiles cycle through the sources, so both extracts appear.
    assert stats["sources"] == ["monaco.osm.pbf", "andorra-latest.osm.pbf", "monaco.osm.pbf"]


def test_ids_are_unique_sorted_and_every_reference_resolves(
        built: tuple[Path, dict[str, Any]]) -> None:
    path, _ = built
    node_ids, way_ids, refs, _ = _read(path)
    assert np.all(np.diff(node_ids) > 0)
    assert np.all(np.diff(way_ids) > 0)
    flat = np.concatenate([np.asarray(r, dtype=np.int64) for r in refs])
    assert np.isin(flat, np.asarray(node_ids)).all()


def test_tiles_are_moved_copies_of_their_source(built: tuple[Path, dict[str, Any]],
                                                sources: dict[str, Any]) -> None:
    """Every tile holds its source's nodes, shifted by one offset, with their tags."""
    path, stats = built
    lons, lats = {}, {}
    for node in osmium.FileProcessor(str(path), osmium.osm.NODE):
        lons[node.id], lats[node.id] = node.location.x, node.location.y
    for (first, last), name in zip(stats["node_ranges"], stats["sources"], strict=True):
        source = sources[name]
        assert last - first + 1 == source.n_nodes
        x = np.array([lons[i] for i in range(first, last + 1)])
        y = np.array([lats[i] for i in range(first, last + 1)])
        assert len(set((x - source.x).tolist())) == 1
        assert len(set((y - source.y).tolist())) == 1


def test_connected_tiles_import_as_one_routable_network(
        built: tuple[Path, dict[str, Any]]) -> None:
    """Each tile's largest strongly connected component, as the project imports the source
    alone, is wholly inside the tiled file's largest one: the connectors join them all."""
    path, stats = built
    settings = NetworkSettings(simplify=False)
    network = build_network(path, settings=settings)
    ids = network.node_osm_id
    kept = 0
    for (first, last), name in zip(stats["node_ranges"], stats["sources"], strict=True):
        alone = build_network(DATA / name, settings=settings).n_nodes
        in_tile = int(((ids >= first) & (ids <= last)).sum())
        assert in_tile == alone, name
        kept += in_tile
    connector_nodes = int((ids > stats["node_ranges"][-1][1]).sum())
    assert connector_nodes > 0
    assert network.n_nodes == kept + connector_nodes


def test_connectors_carry_a_real_roads_tags(built: tuple[Path, dict[str, Any]],
                                            sources: dict[str, Any]) -> None:
    path, stats = built
    _, _, _, tags = _read(path)
    connectors = tags[len(tags) - stats["connectors"]:]
    assert stats["connectors"] == 2  # three tiles on a 2 x 2 grid: one east, one north link
    source_tags = [dict(t) for s in sources.values() for t in s.way_tags]
    for road in connectors:
        assert road["highway"] in country.PORT_HIGHWAYS
        assert road in source_tags


def test_same_arguments_same_bytes(tmp_path: Path) -> None:
    one, two = tmp_path / "a.osm.pbf", tmp_path / "b.osm.pbf"
    country.build_country(one, 100_000, SOURCES[:1])
    country.build_country(two, 100_000, SOURCES[:1])
    assert one.read_bytes() == two.read_bytes()


def test_unreadable_source_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(b"not a protocol buffer")
    target = tmp_path / "out.osm.pbf"
    with pytest.raises(country.CountryError, match=r"broken\.osm\.pbf"):
        country.build_country(target, 100_000, [broken])
    assert list(tmp_path.iterdir()) == [broken]


@pytest.mark.parametrize("nodes", [0, -5])
def test_non_positive_size_is_refused(tmp_path: Path, nodes: int) -> None:
    with pytest.raises(country.CountryError, match="positive"):
        country.build_country(tmp_path / "out.osm.pbf", nodes, SOURCES)


def test_cli_refuses_a_target_that_is_not_pbf(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, str(TOOL), str(tmp_path / "out.osm"), "--nodes", "1e5"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "expected a name ending in .osm.pbf" in proc.stderr
    assert not (tmp_path / "out.osm").exists()
