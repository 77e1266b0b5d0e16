"""The dashboard's "route between two places" tool, in Chromium over the Andorra example.

What the map draws must be the route ``GET /api/route`` answers for the same two places, and the
tool must work from the keyboard alone as well as with two clicks.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import gpxpy

from tests.webfixtures import Demo, log_in

if TYPE_CHECKING:
    from playwright.sync_api import Page


def _centre(page: Page, selector: str) -> tuple[float, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _api_route(andorra: Demo, origin: str, destination: str, mode: str) -> dict[str, object]:
    with andorra.client("observer") as http:
        answer = http.get("/api/route", params={"from": origin, "to": destination,
                                                "mode": mode})
    assert answer.status_code == 200, answer.text
    route: dict[str, object] = answer.json()["route"]
    return route


def _drawn(page: Page) -> list[list[float]]:
    path = page.locator("#map path.adhoc-route")
    path.wait_for()
    line: list[list[float]] = json.loads(path.get_attribute("data-line") or "[]")
    return line


def test_two_clicks_draw_the_route_the_api_gives(andorra: Demo, page: Page) -> None:
    log_in(page, andorra, "observer")
    page.locator("#route-pick").click()
    assert page.locator("#route-pick").get_attribute("aria-pressed") == "true"
    # Two checkpoints stand on roads: clicks on them land where a route can start and end.
    start = _centre(page, "#map path.checkpoints >> nth=0")
    end = _centre(page, "#map path.checkpoints >> nth=1")
    page.mouse.click(*start)
    page.mouse.click(*end)
    drawn = _drawn(page)
    origin, destination = (page.locator(f"#route-{f}").input_value() for f in ("from", "to"))
    assert origin.count(",") == 1 and destination.count(",") == 1
    route = _api_route(andorra, origin, destination, "fastest")
    assert drawn == route["line"]["coordinates"]  # type: ignore[index]
    assert page.locator("#route-pick").get_attribute("aria-pressed") == "false"
    verdicts = page.locator("#route-result .route-verdicts li")
    assert verdicts.count() == len(route["verdicts"])  # type: ignore[arg-type]
    assert f"{route['km']:.1f} km" in page.locator("#route-result .route-figures").inner_text()
    held = route["held_exposure"]
    shown = page.locator("#route-result .route-held").inner_text()
    assert (f"{held['km']:.1f} km through" if held["by_territory"]  # type: ignore[index]
            else "None through the other side's ground") in shown


def test_the_keyboard_alone_routes_between_typed_names(andorra: Demo, page: Page) -> None:
    log_in(page, andorra, "observer")
    page.locator("#route-from").focus()
    page.keyboard.type("Encamp")
    page.keyboard.press("Tab")
    page.keyboard.type("Ordino")
    page.keyboard.press("Tab")
    page.keyboard.press("End")  # the last mode in the list: safest
    page.keyboard.press("Tab")  # to the Route button
    page.keyboard.press("Enter")
    drawn = _drawn(page)
    assert page.locator("#route-mode").input_value() == "safest"
    assert drawn == _api_route(andorra, "Encamp", "Ordino", "safest")["line"][  # type: ignore[index]
        "coordinates"]
    page.locator("#route-to").fill("Atlantis")
    page.locator("#route-to").press("Enter")
    page.locator("#route-status.error").wait_for()
    assert "Atlantis" in page.locator("#route-status").inner_text()
    assert page.locator("#map path.adhoc-route").count() == 0


def test_a_dossier_hands_over_its_route_as_gpx_and_kml(andorra: Demo, page: Page,
                                                      tmp_path: Path) -> None:
    log_in(page, andorra, "observer")
    page.locator("#proposals button.open-proposal").first.click()
    proposal = andorra.call("observer", "GET", "/api/proposals")["items"][0]
    with page.expect_download() as gpx_download:
        page.get_by_role("button", name="Route as GPX").click()
    gpx_file = tmp_path / "route.gpx"
    gpx_download.value.save_as(gpx_file)
    gpx = gpxpy.parse(gpx_file.read_text(encoding="utf-8"))
    assert [[p.longitude, p.latitude] for p in gpx.tracks[0].segments[0].points] == [
        list(c) for c in proposal["route"]["coordinates"]]
    assert gpx.routes[0].points[0].name == proposal["origin"]
    with page.expect_download() as kml_download:
        page.get_by_role("button", name="Route as KML").click()
    assert kml_download.value.suggested_filename.endswith(".kml")
