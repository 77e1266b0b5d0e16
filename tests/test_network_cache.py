"""The network cache: keyed by content and settings, and never holding a half-built network."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from corridor.errors import NetworkError
from corridor.network.cache import default_cache_dir, load_network, open_network
from corridor.network.osm import NetworkSettings, file_sha256
from tests.conftest import DATA_DIR

SMALL = DATA_DIR / "osm" / "monaco.osm.gz"


def test_second_load_comes_from_cache_and_is_identical(tmp_path: Path) -> None:
    first = open_network(SMALL, cache_dir=tmp_path)
    second = open_network(SMALL, cache_dir=tmp_path)
    assert not first.from_cache and second.from_cache
    assert first.cache_path == second.cache_path and first.cache_path.parent == tmp_path
    assert list(tmp_path.iterdir()) == [first.cache_path]
    for name, array in first.network._arrays().items():
        np.testing.assert_array_equal(getattr(second.network, name), array, err_msg=name)
    assert second.network.names == first.network.names
    assert second.network.meta == first.network.meta
    assert second.network.meta["sha256"] == file_sha256(SMALL)


def test_key_follows_content_and_settings_not_name(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    renamed = tmp_path / "renamed.osm.gz"
    shutil.copy(SMALL, renamed)
    base = open_network(SMALL, cache_dir=cache)
    copy = open_network(renamed, cache_dir=cache)
    assert copy.from_cache
    assert copy.cache_path == base.cache_path
    raw = open_network(SMALL, cache_dir=cache, settings=NetworkSettings(simplify=False))
    assert not raw.from_cache and raw.cache_path != base.cache_path
    assert raw.network.n_nodes > base.network.n_nodes


def test_environment_variable_chooses_the_directory(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path / "env-cache"))
    assert default_cache_dir() == tmp_path / "env-cache"
    load_network(SMALL)
    assert len(list((tmp_path / "env-cache").glob("*.npz"))) == 1


def test_unreadable_cache_entry_is_rebuilt(tmp_path: Path) -> None:
    built = open_network(SMALL, cache_dir=tmp_path)
    built.cache_path.write_bytes(b"not a network")
    again = open_network(SMALL, cache_dir=tmp_path)
    assert not again.from_cache
    assert again.network.n_edges == built.network.n_edges
    assert open_network(SMALL, cache_dir=tmp_path).from_cache


def _truncated(tmp_path: Path) -> Path:
    data = (DATA_DIR / "osm" / "monaco.osm.pbf").read_bytes()
    path = tmp_path / "cut.osm.pbf"
    path.write_bytes(data[: len(data) * 2 // 3])
    return path


def _footways_only(tmp_path: Path) -> Path:
    path = tmp_path / "park.osm"
    path.write_text(
        '<osm version="0.6"><node id="1" version="1" lat="50" lon="8"/>'
        '<node id="2" version="1" lat="50.001" lon="8"/>'
        '<way id="3" version="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way>'
        "</osm>", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "absent.osm.pbf", "no such file"),
        (_truncated, "truncated or corrupt"),
        (_footways_only, "no drivable roads"),
        (lambda d: d / "roads.shp", "unknown file extension"),
    ],
)
def test_failed_build_leaves_no_cache_file(tmp_path: Path, make: Callable[[Path], Path],
                                           message: str) -> None:
    source_dir = tmp_path / "in"
    source_dir.mkdir()
    cache = tmp_path / "cache"
    path = make(source_dir)
    with pytest.raises(NetworkError, match=message) as err:
        load_network(path, cache_dir=cache, progress=True)
    assert str(path) in str(err.value)
    assert not cache.exists() or not any(cache.iterdir())
