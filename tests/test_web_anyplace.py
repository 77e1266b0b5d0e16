"""The dashboard over the Andorra example: other parties, labels, time zone and places.

Nothing on the screen may come from the 2022 demo: times are shown and asked for in the
scenario's zone (the browser runs in another), and the forms' examples are the scenario's.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from tests.webfixtures import Demo, log_in

if TYPE_CHECKING:
    from playwright.sync_api import Page


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
