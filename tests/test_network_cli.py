"""``corridor network build/info``: reports that match the network, and exit 2 on bad files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from corridor.cli import app
from corridor.network.cache import load_network
from corridor.network.osm import NetworkSettings
from tests.conftest import DATA_DIR

WEST_OAKLAND = DATA_DIR / "osm" / "West-Oakland.osm.bz2"


def _invoke(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["network", *args])
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _corridor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "corridor", "network", *args],
                          capture_output=True, text=True, check=False)


def test_build_then_info_reports_the_network(tmp_path: Path) -> None:
    built = _invoke("build", str(WEST_OAKLAND), "--cache-dir", str(tmp_path), "--json")
    info = _invoke("info", str(WEST_OAKLAND), "--cache-dir", str(tmp_path), "--json")
    net = load_network(WEST_OAKLAND, cache_dir=tmp_path)
    assert not built["from_cache"] and info["from_cache"]
    for report in (built, info):
        assert report["nodes"] == net.n_nodes and report["edges"] == net.n_edges
        assert report["km_by_class"] == net.km_by_class()
        assert report["bbox"] == list(net.bbox)
        assert report["dropped"] == net.meta["dropped"]
        assert report["sha256"] == net.meta["sha256"]
        assert report["source"] == str(WEST_OAKLAND.resolve())
    assert info["build_seconds"] == built["build_seconds"] > 0
    assert info["load_seconds"] > 0
    assert Path(info["cache_path"]).is_file()


def test_build_without_simplification(tmp_path: Path) -> None:
    raw = _invoke("build", str(WEST_OAKLAND), "--cache-dir", str(tmp_path), "--no-simplify",
                  "--json")
    expected = load_network(WEST_OAKLAND, cache_dir=tmp_path,
                            settings=NetworkSettings(simplify=False))
    assert raw["settings"]["simplify"] is False
    assert raw["nodes"] == expected.n_nodes
    assert raw["km_total"] == round(float(expected.length_m.sum()) / 1000, 3)


def test_human_output_is_a_table(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["network", "info", str(WEST_OAKLAND),
                                      "--cache-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    net = load_network(WEST_OAKLAND, cache_dir=tmp_path)
    assert f"{net.n_nodes:,}" in result.stdout
    assert "built, now cached" in result.stdout
    for cls in net.km_by_class():
        assert cls in result.stdout


def test_exit_code_2_on_missing_and_corrupt_files(tmp_path: Path) -> None:
    missing = _corridor("info", str(tmp_path / "absent.osm.pbf"))
    assert missing.returncode == 2
    assert "absent.osm.pbf: no such file" in missing.stderr

    corrupt = tmp_path / "corrupt.osm.pbf"
    corrupt.write_bytes((DATA_DIR / "osm" / "monaco.osm.pbf").read_bytes()[:400_000])
    cache = tmp_path / "cache"
    bad = _corridor("build", str(corrupt), "--cache-dir", str(cache), "--json")
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.count("\n") == 1
    assert "corrupt.osm.pbf: cannot read as PBF" in bad.stderr
    assert not cache.exists() or not any(cache.iterdir())
