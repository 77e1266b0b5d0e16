"""The dashboard's basemap in Chromium: MapLibre GL (software WebGL) under the Leaflet layers.

What is drawn is checked in the pixels of screenshots: the map with a basemap layer shown is
compared with the same map with that layer hidden, so roads and names must have put pixels on
the screen. Every request is routed and any that would leave 127.0.0.1 fails the test; the page
fixture also fails on any Content-Security-Policy violation (MapLibre runs from its CSP build,
its worker a file from the server).
"""

from __future__ import annotations

import subprocess
import sys
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import numpy as np
import pytest
from PIL import Image, ImageChops

from tests.webfixtures import Demo, log_in

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

_GL = "document.querySelector('#map .basemap').maplibre"


def _local_only(page: Page) -> list[str]:
    """Route every request: those for another host are aborted and listed."""
    refused: list[str] = []

    def handle(route: Route) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    page.route("**/*", handle)
    return refused


def _open(page: Page, demo: Demo, lang: str | None = None) -> list[str]:
    refused = _local_only(page)
    if lang is None:
        log_in(page, demo, "observer")
    else:  # the page's language when the map starts, chosen in the language picker
        page.goto(demo.base_url + "/")
        page.locator("#language").select_option(lang)
        page.wait_for_selector(f"html[lang={lang}]", state="attached")
        page.locator("#token").fill(demo.tokens["observer"])
        page.locator("#login-form [type=submit]").click()
        page.wait_for_selector("body[data-refreshed]")
    page.wait_for_selector("#map .basemap[data-idle]", state="attached", timeout=60_000)
    return refused


def _settled(page: Page, change: str) -> Image.Image:
    """Apply ``change`` (JS, with ``map`` the MapLibre map), wait for the redraw, screenshot."""
    before = page.evaluate(f"{_GL}.getContainer().dataset.idle")
    page.evaluate(f"() => {{ const map = {_GL}; {change}; map.triggerRepaint(); }}")
    page.wait_for_function(
        f"(before) => {_GL}.getContainer().dataset.idle !== before", arg=before)
    return Image.open(BytesIO(page.locator("#map").screenshot())).convert("RGB")


def _changed(a: Image.Image, b: Image.Image) -> int:
    """How many pixels differ between two screenshots of the same box."""
    return int(np.count_nonzero(np.asarray(ImageChops.difference(a, b).convert("L")) > 24))


def test_roads_and_place_names_are_drawn(basemap_demo: Demo, page: Page) -> None:
    refused = _open(page, basemap_demo)
    shown = _settled(page, "")
    no_roads = _settled(page, "for (const id of ['roads', 'roads-schematic', 'road-casing']) "
                              "map.setLayoutProperty(id, 'visibility', 'none')")
    no_names = _settled(page, "map.setLayoutProperty('places', 'visibility', 'none')")
    assert _changed(shown, no_roads) > 300  # the schematic roads' dashes
    assert _changed(no_roads, no_names) > 1000  # the names of cities
    assert refused == []


def test_labels_follow_the_page_language(basemap_demo: Demo, page: Page) -> None:
    refused = _open(page, basemap_demo, lang="ru")
    field = f"{_GL}.getLayoutProperty('places', 'text-field')"
    assert page.evaluate(field) == ["coalesce", ["get", "name:ru"], ["get", "name"]]
    russian = _settled(page, "")
    ukrainian = _settled(page, "document.dispatchEvent(new CustomEvent('corridor:language', "
                               "{detail: {lang: 'uk'}}))")
    assert page.evaluate(field) == ["coalesce", ["get", "name:uk"], ["get", "name"]]
    shown = page.evaluate(f"""() => {_GL}.queryRenderedFeatures({{layers: ['places']}})
        .map((f) => [f.properties.name, f.properties['name:uk']])""")
    assert ["Kharkiv", "Харків"] in shown
    assert _changed(russian, ukrainian) > 200  # Харьков became Харків, and so on
    english = _settled(page, "document.dispatchEvent(new CustomEvent('corridor:language', "
                             "{detail: {lang: 'en'}}))")
    assert _changed(ukrainian, english) > 1000  # Cyrillic to Latin
    assert refused == []


def test_the_basemap_can_be_switched_off_and_lines_stay_reachable(basemap_demo: Demo,
                                                                   page: Page) -> None:
    refused = _open(page, basemap_demo)
    # The canvas lets clicks through: the topmost element on a corridor line is the line.
    line = page.locator("#map path.corridor").first
    line.wait_for(state="visible")  # a live update may be redrawing the layer just now
    box = line.bounding_box()
    assert box is not None
    hit = page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('.basemap')",
                        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
    assert hit is None
    assert page.locator('#map path[role="button"]').count() > 0
    page.get_by_label("Basemap").uncheck()
    assert page.locator("#map .basemap").is_hidden()
    page.get_by_label("Basemap").check()
    assert page.locator("#map .basemap").is_visible()
    assert refused == []


def test_the_file_is_served_by_ranges_to_readers_only(basemap_demo: Demo) -> None:
    url = basemap_demo.base_url + "/api/basemap.pmtiles"
    assert httpx.get(url).status_code == 401
    with basemap_demo.client("observer") as http:
        assert http.get("/api/map").json()["basemap"] == "/api/basemap.pmtiles"
        part = http.get("/api/basemap.pmtiles", headers={"Range": "bytes=0-126"})
        whole = http.get("/api/basemap.pmtiles")
    assert part.status_code == 206 and part.content[:7] == b"PMTiles" and len(part.content) == 127
    assert part.headers["content-range"] == f"bytes 0-126/{len(whole.content)}"


@pytest.mark.parametrize(("content", "says"), [
    (None, "missing.pmtiles: file not found"),
    ("not tiles at all", "missing.pmtiles: not a PMTiles file"),
])
def test_serve_refuses_a_bad_basemap_naming_it(tmp_path: Path, content: str | None,
                                              says: str) -> None:
    basemap = tmp_path / "missing.pmtiles"
    if content is not None:
        basemap.write_text(content)
    result = subprocess.run([sys.executable, "-m", "corridor", "serve", "--db",
                             f"sqlite:///{tmp_path / 'x.db'}", "--port", "1",
                             "--basemap", str(basemap)],
                            capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 2, result.stderr
    assert says in result.stderr
