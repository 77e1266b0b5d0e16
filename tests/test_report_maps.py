"""The reports' maps, the map resource and the GeoJSON export on the Andorra example: every
holder's ground drawn in a legend colour, closures and checkpoints on every map, every layer in
the export, and HTML from packaged templates."""

from __future__ import annotations

import ast
import fnmatch
import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from corridor import styles
from corridor.api.app import Settings, create_app
from corridor.negotiation.search import Negotiation
from corridor.report.layers import EXPORT_LAYERS, holders
from corridor.report.negotiation import render_html
from corridor.scenario import load_scenario
from corridor.store import coordination
from corridor.store.db import Database
from corridor.world import World, build_world
from tests.conftest import ANDORRA
from tests.test_example_andorra import result, world

__all__ = ["result", "world"]  # the example's module fixtures, shared rather than rebuilt

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src" / "corridor"


@pytest.fixture(scope="module")
def report(world: World, result: Negotiation) -> str:
    return render_html(world, result)


def _layer(svg: str, name: str) -> str:
    """The markup of one layer: up to the next layer or the legend."""
    start = svg.index(f'<g class="layer" data-layer="{name}">')
    return re.split(r'<g class="(?:layer|legend)"', svg[start + 1:], maxsplit=1)[0]


def test_every_holders_ground_is_drawn_in_its_legend_colour(world: World, report: str) -> None:
    sc = world.scenario
    held = {label: p.id for p in sc.parties for label in p.holds}
    found = holders(world)
    colour_of = {label: h.colour for h in found for label in h.labels}
    assert set(held) | {"contested"} == set(colour_of)
    # One colour per holder, distinct, from the colour-blind safe scheme.
    holding = [p for p in sc.parties if p.holds]
    assert len({h.colour for h in found}) == len(found) == len(holding) + 1
    assert all(h.colour in styles.HOLDER_FILLS for h in found)
    control = _layer(report, "control")
    for label, colour in colour_of.items():
        assert re.search(rf'fill="{colour}"[^>]*>\s*<title>held by {label}</title>', control)
    legend = report[report.index('<g class="legend">'):]
    for p in holding:
        assert f"{p.name} ({p.id}): {', '.join(p.holds)}" in legend


def test_the_palette_does_not_depend_on_the_order_parties_are_listed(
        world: World, andorra_variant: Any) -> None:
    reordered = andorra_variant(lambda d: d["parties"].reverse())
    again = build_world(load_scenario(reordered))
    assert holders(again) == holders(world)


def test_closures_and_checkpoints_are_on_the_report_map(world: World, report: str) -> None:
    closures, checkpoints = _layer(report, "closures"), _layer(report, "checkpoints")
    for c in world.scenario.closures:
        if c.at is not None:
            assert f"<title>closed: {c.name}</title>" in closures
    assert "<title>closed: closed roads</title>" in closures
    for cp in world.scenario.checkpoints:
        assert f"<title>checkpoint {cp.name}:" in checkpoints


def test_the_geojson_export_has_every_layer(tmp_path: Path, world: World) -> None:
    out = tmp_path / "andorra.geojson"
    run = subprocess.run([sys.executable, "-m", "corridor", "negotiate", str(ANDORRA),
                          "--geojson", str(out)], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    by_layer: dict[str, list[dict[str, Any]]] = {}
    for f in data["features"]:
        by_layer.setdefault(f["properties"]["layer"], []).append(f)
    assert tuple(by_layer) == EXPORT_LAYERS
    assert {f["properties"]["label"] for f in by_layer["areas"]} == set(world.control.areas)
    assert ({f["properties"]["name"] for f in by_layer["checkpoints"]}
            == {cp.name for cp in world.scenario.checkpoints})
    assert ({f["properties"]["name"] for f in by_layer["hazards"]}
            >= {z.name for z in world.scenario.hazards.zones})
    points = {f["properties"]["name"] for f in by_layer["closures"]
              if f["geometry"]["type"] == "Point"}
    assert points == {c.name for c in world.scenario.closures if c.at is not None}
    assert {"Pas de la Casa", "Sant Julià de Lòria"} <= {f["properties"]["name"]
                                                         for f in by_layer["places"]}
    kinds = {f["properties"]["kind"] for f in by_layer["routes"]}
    assert kinds == {"proposal", "suggestion"}


@pytest.fixture
def andorra_map(tmp_path: Path) -> Iterator[dict[str, Any]]:
    db = Database.open(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        with db.write() as s:
            _, token = coordination.create_user(s, "test", "observer", "observer")
        with TestClient(create_app(db, Settings(scenario=ANDORRA))) as client:
            yield client.get("/api/map", headers={"Authorization": f"Bearer {token}"}).json()
    finally:
        db.dispose()


def test_the_map_resource_serves_the_palette_legend_and_styles(andorra_map: dict[str, Any],
                                                               world: World) -> None:
    found = holders(world)
    assert andorra_map["territory_colours"] == {label: h.colour for h in found
                                                for label in h.labels}
    assert [item["name"] for item in andorra_map["legend"]] == [h.name for h in found]
    assert andorra_map["styles"]["hazards"] == styles.LAYERS["hazards"].as_dict()
    assert andorra_map["styles"]["road_motorway"] == styles.ROADS["motorway"].as_dict()
    fills = {f["properties"]["label"]: f["properties"]["fill"]
             for f in andorra_map["control"]["features"]}
    assert fills == {label: andorra_map["territory_colours"].get(label)
                     for label in world.control.areas}
    assert ({f["properties"]["name"] for f in andorra_map["checkpoints"]["features"]}
            == {cp.name for cp in world.scenario.checkpoints})
    assert any(f["geometry"]["type"] == "MultiLineString"
               for f in andorra_map["closures"]["features"])


def test_report_html_comes_from_packaged_templates() -> None:
    """Every template ships in the package, and no report module writes HTML by hand."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    globs = project["tool"]["setuptools"]["package-data"]["corridor"]
    templates = sorted((SRC / "report" / "templates").iterdir())
    assert templates
    for path in templates:
        relative = path.relative_to(SRC).as_posix()
        assert any(fnmatch.fnmatch(relative, g) for g in globs), relative
    for module in (SRC / "report").glob("*.py"):
        assert "<!doctype" not in module.read_text(encoding="utf-8").lower(), module.name


def test_reports_read_no_database() -> None:
    """Reports take data objects: none of their modules imports SQLAlchemy or the store's
    database layer."""
    for module in (SRC / "report").glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        forbidden = [n for n in names if n.startswith("sqlalchemy")
                     or n in ("corridor.store.db", "corridor.store.models",
                              "corridor.store.queries", "corridor.store.coordination")]
        assert not forbidden, (module.name, forbidden)


def test_markup_in_names_is_shown_as_text(andorra_variant: Any) -> None:
    """Autoescaped templates: a scenario's name and description print as text."""
    def change(d: dict[str, Any]) -> None:
        d["name"] = "Andorra <script>alert(1)</script>"
        d["description"] = 'a "quoted" & <b>bold</b> claim'
    world = build_world(load_scenario(andorra_variant(change)))
    page = render_html(world, Negotiation())
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>" not in page
