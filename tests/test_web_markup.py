"""Text sent through the API is shown by the dashboard as text, never parsed as markup.

Every free-text field a user can fill is given an HTML fragment; the dashboard must show the
fragment's characters (in its lists, its details panel and the map's tooltips) and add no
element of it to the page. The Content-Security-Policy would stop a script, not a full-screen
element drawn over the map.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from tests.webfixtures import Demo, log_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

#: Elements an injected fragment would add to the page if it were parsed.
INJECTED = ".injected"


def _markup(field: str) -> str:
    """An HTML fragment naming the field it was put in (short enough for an incident type)."""
    return f'<b class="injected">{field}</b>'


def _inject(demo: Demo) -> dict[str, str]:
    """Fill every free-text field through the API; returns the fragment per field."""
    marks = {field: _markup(field) for field in (
        "party", "venue", "member", "title", "reason", "condition", "agreement", "corridor",
        "movers", "denial", "type", "description")}
    proposal = demo.call("observer", "GET", "/api/proposals/3")
    coordinates = proposal["route"]["coordinates"]
    lon, lat = coordinates[len(coordinates) // 2]
    now = dt.datetime.now(dt.UTC).isoformat()
    demo.call("facilitator", "POST", "/api/parties", {"id": "MARKUP", "name": marks["party"]})
    demo.call("facilitator", "POST", "/api/talks", {
        "number": 99, "date": "2022-03-10", "venue": marks["venue"], "delegations": [
            {"party_id": "MARKUP", "members": [{"name": marks["member"],
                                                "title": marks["title"]}]}]})
    demo.call("liaison_UA", "POST", "/api/proposals/3/positions", {
        "party_id": "UA", "stance": "reject", "reasons": [marks["reason"]],
        "conditions": [marks["condition"]]})
    corridor_id = demo.open_corridor(3, conditions=[marks["agreement"]])
    demo.call("facilitator", "POST", "/api/corridors", {
        "name": marks["corridor"], "origin": proposal["origin"],
        "destination": proposal["destination"], "route": proposal["route"]})
    notification_id = demo.notify(corridor_id, movers=marks["movers"])
    demo.call("liaison_RU", "POST", f"/api/notifications/{notification_id}/acknowledgements",
              {"party_id": "RU", "decision": "deny", "reason": marks["denial"]})
    demo.call("operator", "POST", f"/api/convoys/{notification_id}/reports", {
        "status": "en_route", "lon": lon, "lat": lat, "reported_at": now, "people": 40})
    demo.call("operator", "POST", "/api/incidents", {
        "corridor_id": corridor_id, "type": marks["type"], "lon": lon, "lat": lat,
        "occurred_at": now, "description": marks["description"]})
    return marks


def _tooltip(page: Page, selector: str) -> str:
    """The text of the tooltip a map feature shows on hover, with nothing injected meanwhile."""
    feature = page.locator(selector).last
    feature.dispatch_event("mouseover")
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert page.locator(INJECTED).count() == 0, selector
    text = tooltip.inner_text()
    feature.dispatch_event("mouseout")
    tooltip.wait_for(state="detached")
    return text


def test_markup_in_every_free_text_field_is_shown_as_text(demo: Demo, page: Page) -> None:
    marks = _inject(demo)
    log_in(page, demo, "facilitator")
    page.locator('#proposals button[data-proposal="3"]').click()
    page.locator("#details-body .notification").first.wait_for()
    page.locator("#agreement-parties label", has_text=marks["party"]).wait_for()
    assert page.locator(INJECTED).count() == 0
    shown = page.locator("body").text_content() or ""
    assert [field for field, mark in marks.items() if mark not in shown] == []
    tooltips = {
        "corridor": _tooltip(page, "#map path.corridor:not([data-proposal])"),
        "movers": _tooltip(page, "#map path.convoy"),
        "type": _tooltip(page, "#map path.incident"),
    }
    tooltips["description"] = tooltips["type"]
    assert [field for field, text in tooltips.items() if marks[field] not in text] == []
