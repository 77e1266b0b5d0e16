"""The dashboard's alerts and date slider in headless Chromium, against a real ``corridor serve``.

A snapshot posted through the API puts a hazard on every proposal's road; what the page shows is
checked against the API's own answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from playwright.sync_api import expect

from tests.webfixtures import Demo, log_in

if TYPE_CHECKING:
    from playwright.sync_api import Page


def _square(lon: float, lat: float, half: float = 0.03) -> list[list[list[float]]]:
    return [[[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half],
             [lon - half, lat + half], [lon - half, lat - half]]]


def _shell_every_road(demo: Demo) -> list[dict[str, Any]]:
    """Post a snapshot with a hazard on each proposal's route; the alerts it raised."""
    proposals = demo.call("facilitator", "GET", "/api/proposals")["items"]
    zones = [{"type": "Feature", "properties": {"name": f"Обстріл {p['id']}", "risk": "high"},
              "geometry": {"type": "Polygon", "coordinates": _square(
                  *p["route"]["coordinates"][len(p["route"]["coordinates"]) * 3 // 4])}}
             for p in proposals if p["route"]]
    posted = demo.call("facilitator", "POST", "/api/situations", {
        "effective": "2022-03-08", "source": "звіт", "hazards": {
            "type": "FeatureCollection", "features": zones}})
    assert posted["raised"], posted
    return list(posted["raised"])


def test_alerts_banner_list_and_acknowledgement_by_role(demo: Demo, page: Page) -> None:
    raised = _shell_every_road(demo)
    log_in(page, demo, "observer")
    banner = page.locator("#alerts-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(f"{len(raised)} alert")
    items = page.locator("#alerts li.alert")
    expect(items).to_have_count(len(raised))
    for alert in raised:
        expect(page.locator(f'#alerts li[data-alert="{alert["id"]}"]')).to_contain_text(
            alert["message"])
    # Observers read; only a liaison acknowledges, and only for its own party.
    expect(page.locator("#alerts button.acknowledge-alert")).to_have_count(0)
    page.get_by_role("button", name="Log out").click()

    log_in(page, demo, "liaison_UA")
    expect(page.locator("#alerts button", has_text="Acknowledge for RU")).to_have_count(0)
    first = page.locator(f'#alerts li[data-alert="{raised[0]["id"]}"]')
    first.get_by_role("button", name="Acknowledge for UA").click()
    expect(first.locator(".acknowledged")).to_have_text("acknowledged by UA")
    expect(first.get_by_role("button")).to_have_count(0)
    stored = demo.call("observer", "GET", f"/api/alerts/{raised[0]['id']}")
    assert [a["party_id"] for a in stored["acknowledgements"]] == ["UA"]
    expect(banner).to_contain_text(f"{len(raised) - 1} alert")


def _slide_to(page: Page, dates: list[str | None], day: str) -> None:
    slider = page.locator("#timeline-date")
    slider.focus()
    slider.press("Home")
    for _ in range(dates.index(day)):
        slider.press("ArrowRight")
    # The server moves its world to the date and judges every proposal there: give it time.
    expect(page.locator("body")).to_have_attribute("data-situation", day, timeout=60_000)


def test_the_date_slider_redraws_the_ground_and_the_verdicts(demo: Demo, page: Page) -> None:
    log_in(page, demo, "observer")
    timeline = demo.call("observer", "GET", "/api/situations/timeline")
    dates = [None, *(d["date"] for d in timeline["dates"])]
    for day in ("2022-02-28", "2022-03-09"):
        _slide_to(page, dates, day)
        picture = demo.call("observer", "GET", f"/api/situations/picture?date={day}")
        expect(page.locator("#timeline-shown")).to_contain_text(day)
        expect(page.locator("#map path.area")).to_have_count(
            len(picture["layers"]["control"]["features"]))
        verdicts = page.locator("#timeline-verdicts li")
        expect(verdicts).to_have_count(len(picture["proposals"]))
        for p in picture["proposals"]:
            rejected = [party for party, v in p["verdicts"].items() if not v["acceptable"]]
            if rejected:
                expect(page.locator(f'#timeline-verdicts li[data-proposal="{p["proposal_id"]}"]')
                       ).to_contain_text(f"rejected by {', '.join(rejected)}")

    page.locator("#changes-from").select_option("2022-02-28")
    page.locator("#changes-to").select_option("2022-03-09")
    page.get_by_role("button", name="Show changes").click()
    changes = demo.call("observer", "GET",
                        "/api/situations/changes?from=2022-02-28&to=2022-03-09")
    hatched = page.locator("#map path.changed-hands")
    expect(hatched).to_have_count(len(changes["features"]))
    assert changes["features"] and hatched.first.get_attribute("fill") == "url(#hatch)"
    expect(page.locator("#changes-summary")).to_contain_text(
        f"{len(changes['features'])} areas changed hands")
    page.locator("#changes-clear").click()
    expect(hatched).to_have_count(0)
