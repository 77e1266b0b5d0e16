"""The dashboard over the Andorra example: other parties, labels, time zone and places.

Nothing on the screen may come from the 2022 demo: each party's area is drawn in the colour its
legend shows (checked in the pixels of a Chromium screenshot), times are shown and asked for in
the scenario's zone (the browser runs in another), and the forms' examples are the scenario's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PIL import Image

from corridor.scenario import load_scenario
from tests.conftest import ANDORRA
from tests.webfixtures import Demo, log_in

if TYPE_CHECKING:
    from playwright.sync_api import Page


#: Screen points inside an area's drawn fill, on a grid over its box, within the map.
_INSIDE = """(label) => {
  const path = document.querySelector(`#map path.area[data-label="${CSS.escape(label)}"]`);
  const box = path.getBBox();
  const ctm = path.getScreenCTM();
  const map = document.getElementById("map").getBoundingClientRect();
  const points = [];
  for (let i = 1; i < 40; i++) {
    for (let j = 1; j < 40; j++) {
      const p = new DOMPoint(box.x + box.width * i / 40, box.y + box.height * j / 40);
      if (!path.isPointInFill(p)) continue;
      const s = p.matrixTransform(ctm);
      if (s.x > map.left + 2 && s.x < map.right - 2 && s.y > map.top + 2 && s.y < map.bottom - 2)
        points.push([Math.round(s.x), Math.round(s.y)]);
    }
  }
  return points;
}"""

#: The centre of each holder's legend swatch, by the holder's name.
_SWATCHES = """() => Object.fromEntries(
  [...document.querySelectorAll("#areas li[data-holder]")].map((li) => {
  const r = li.querySelector(".swatch").getBoundingClientRect();
  return [li.dataset.holder, [Math.round(r.x + r.width / 2), Math.round(r.y + r.height / 2)]];
}))"""


def test_every_partys_area_is_drawn_in_its_legend_colour(andorra: Demo, page: Page,
                                                          tmp_path: Path) -> None:
    data = andorra.call("observer", "GET", "/api/map")
    scenario = load_scenario(ANDORRA)
    legend = {item["name"]: item["labels"] for item in data["legend"]}
    drawn = {f["properties"]["label"] for f in data["control"]["features"]}
    # Every area on the map has a legend entry, and every party that holds ground is one.
    assert {label for labels in legend.values() for label in labels} == drawn
    assert all(any(set(labels) == set(party.holds) for labels in legend.values())
               for party in scenario.parties if party.holds)
    log_in(page, andorra, "observer")
    assert page.locator("#areas li[data-holder]").all_inner_texts() == list(legend)
    assert page.locator("#areas li.hazard").count() == (len(data["hazards"]["features"]) > 0)
    shot = tmp_path / "andorra.png"
    page.screenshot(path=str(shot))
    pixels = Image.open(shot).convert("RGB")
    swatches = {name: pixels.getpixel(tuple(at))
                for name, at in page.evaluate(_SWATCHES).items()}
    assert len(set(swatches.values())) == len(legend), swatches  # one colour per holder
    # Contested ground is also a hazard zone, tinted as one; the parties' areas are not.
    for name, labels in legend.items():
        if not any(set(labels) == set(p.holds) & drawn for p in scenario.parties):
            continue
        for label in labels:
            inside = page.evaluate(_INSIDE, label)
            assert len(inside) >= 20, label  # the area is on the map, not a sliver
            colours = Counter(pixels.getpixel(tuple(p)) for p in inside)
            assert colours.most_common(1)[0][0] == swatches[name], (name, label, colours)


def test_proposals_closures_and_checkpoints_are_drawn(andorra: Demo, page: Page) -> None:
    data = andorra.call("observer", "GET", "/api/map")
    log_in(page, andorra, "observer")
    # The imported proposals, routed by the server over the extract's roads.
    assert page.locator("#map path.corridor").count() == len(data["corridors"]["features"]) > 0
    for layer in ("closures", "checkpoints"):
        features = data[layer]["features"]
        drawn = page.locator(f"#map path.{layer}")
        assert drawn.count() == len(features) > 0, layer
        for i, feature in enumerate(features):
            drawn.nth(i).dispatch_event("mouseover")
            tooltip = page.locator(".leaflet-tooltip")
            assert tooltip.inner_text() == feature["properties"]["name"]
            drawn.nth(i).dispatch_event("mouseout")
            tooltip.wait_for(state="detached")


def _shown(instant: dt.datetime, zone: str) -> str:
    """An instant as the dashboard writes it (en-GB, medium date, short time) in ``zone``."""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local.day} {local:%b %Y}, {local:%H:%M}"


def test_times_and_examples_come_from_the_scenario(andorra: Demo, page: Page) -> None:
    setting = andorra.call("observer", "GET", "/api/map")["setting"]
    zone = setting["timezone"]
    reported = dt.datetime(2026, 5, 16, 10, 0, tzinfo=ZoneInfo(zone))
    andorra.call("operator", "POST", "/api/incidents", {
        "type": "rockfall", "lon": 1.58, "lat": 42.53, "occurred_at": reported.isoformat(),
        "description": "zone probe"})
    log_in(page, andorra, "facilitator")
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") != zone
    assert page.locator("#zone").inner_text() == f"Times in {zone}"
    page.locator("#incidents li", has_text=_shown(reported, zone)).wait_for()
    assert page.locator("#corridor-name").get_attribute("placeholder") == \
        f"{setting['origins'][0]} - {setting['destinations'][0]}"
    form = page.locator("#incident-form")
    assert form.get_by_label("Time zone").input_value() == zone
    form.get_by_label("Type").fill("bridge damaged")
    form.get_by_label("Longitude").fill("1.55")
    form.get_by_label("Latitude").fill("42.51")
    form.get_by_label("When (local time)").fill("2026-05-16T11:30")
    form.get_by_role("button", name="Report incident").click()
    form.locator(".message.ok").wait_for()
    incident = andorra.call("observer", "GET", "/api/incidents?limit=200")["items"][-1]
    assert dt.datetime.fromisoformat(incident["occurred_at"]) == dt.datetime(
        2026, 5, 16, 11, 30, tzinfo=ZoneInfo(zone))


def test_verdicts_show_how_sure_they_are(andorra: Demo, page: Page) -> None:
    """The odds drawn on demand appear next to each party's verdict, as the API gives them."""
    proposal = andorra.call("observer", "GET", "/api/proposals")["items"][0]
    log_in(page, andorra, "observer")
    page.locator(f'#proposals button[data-proposal="{proposal["id"]}"]').click()
    page.get_by_role("button", name=re.compile("How sure")).click()
    page.locator(".odds-summary").wait_for(timeout=300_000)
    odds = andorra.call("observer", "GET", f"/api/proposals/{proposal['id']}/odds")
    assert set(odds["acceptance"]) == set(proposal["verdicts"])
    for party, share in odds["acceptance"].items():
        shown = page.locator(f'dt[data-party="{party}"] .odds').inner_text()
        assert f"accepts in {round(100 * share)} % of {odds['samples']} drawn" in shown
    summary = page.locator(".odds-summary").inner_text()
    assert summary.startswith(f"Drawn from {odds['uncertain_settlements']} uncertain")
    assert f"crosses the front line in {round(100 * odds['crosses_front_line'])} %" in summary
