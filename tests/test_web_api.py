"""The map resource and the corridor sheets over HTTP, against the seeded 2022 demo."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import httpx
import matplotlib
import pytest
import typer
from fastapi.testclient import TestClient
from PIL import ImageFont
from pypdf import PdfReader
from sqlalchemy import update
from typer.testing import CliRunner

from corridor.api.app import create_app
from corridor.api.headers import SECURITY_HEADERS
from corridor.cli import sheet as sheet_cli
from corridor.negotiation.search import negotiate
from corridor.scenario import load_scenario
from corridor.store import coordination
from corridor.store.db import Database
from corridor.store.models import Proposal
from corridor.store.schemas import ProposalIn
from corridor.world import build_world
from tests.webfixtures import SCENARIO, Demo

LAYERS = ("countries", "control", "hazards", "front_line", "roads", "corridors", "convoys",
          "incidents")


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_map_needs_a_token(demo: Demo) -> None:
    for path in ("/api/map", "/api/map/proposals/1", "/sheets/proposals/1",
                 "/sheets/proposals/1.pdf", "/sheets/corridors/1", "/sheets/corridors/1.pdf",
                 "/api/me"):
        assert httpx.get(demo.base_url + path).status_code == 401, path


def test_every_answer_carries_the_security_headers(demo: Demo) -> None:
    answers = {
        "dashboard": httpx.get(demo.base_url + "/"),
        "reference": httpx.get(demo.base_url + "/docs"),
        "asset": httpx.get(demo.base_url + "/static/app/app.css"),
        "vendor": httpx.get(demo.base_url + "/static/vendor/swagger-ui/swagger-ui-bundle.js"),
        "refused": httpx.get(demo.base_url + "/api/map"),
        "missing": httpx.get(demo.base_url + "/no/such/page"),
        "too large": httpx.post(demo.base_url + "/api/incidents", content=b"x" * (2 << 20)),
    }
    assert [a.status_code for a in answers.values()] == [200, 200, 200, 200, 401, 404, 413]
    for name, answer in answers.items():
        for header, value in SECURITY_HEADERS.items():
            assert answer.headers.get(header) == value, (name, header)
    assert "script-src 'self'" in answers["dashboard"].headers["Content-Security-Policy"]


def test_map_layers_from_the_scenario_and_the_store(demo: Demo) -> None:
    data = demo.call("observer", "GET", "/api/map")
    for layer in LAYERS:
        assert data[layer]["type"] == "FeatureCollection", layer
    assert "SCHEMATIC" in data["data_note"] and "GeoNames" in data["data_note"]
    assert {"UA", "RU", "BY"} <= {f["properties"]["code"] for f in data["countries"]["features"]}
    assert {"UA", "RU-held", "contested"} <= {f["properties"]["label"]
                                               for f in data["control"]["features"]}
    assert {f["properties"]["name"] for f in data["hazards"]["features"]} >= {"front line"}
    assert data["front_line"]["features"][0]["properties"]["length_km"] > 100
    roads = data["roads"]["features"]
    assert roads and all(f["geometry"]["type"] == "MultiLineString" for f in roads)
    proposals = demo.call("observer", "GET", "/api/proposals")["items"]
    corridors = {f["properties"]["proposal_id"]: f for f in data["corridors"]["features"]}
    assert set(corridors) == {p["id"] for p in proposals}
    # A proposal that became a corridor shows the corridor's status, the others their verdicts.
    agreed_on = {a["id"]: a["proposal_id"]
                 for a in demo.call("observer", "GET", "/api/agreements")["items"]}
    made = {agreed_on[c["agreement_id"]]: c["status"]
            for c in demo.call("observer", "GET", "/api/corridors")["items"]
            if c["agreement_id"] is not None}
    assert made  # the seed opens one corridor
    for p in proposals:
        feature = corridors[p["id"]]
        assert feature["geometry"] == p["route"]
        rejected = not all(v["acceptable"] for v in p["verdicts"].values())
        assert feature["properties"]["status"] == made.get(
            p["id"], "rejected" if rejected else "proposed")
        assert feature["properties"]["status"] in data["status_colours"]
    west, south, east, north = data["bbox"]
    assert west < 30.5 < east and south < 50.4 < north  # Kyiv is on the map


def test_corridor_status_incidents_and_latest_convoy_position(demo: Demo) -> None:
    corridor_id = demo.open_corridor(6)
    convoy_id = demo.notify(corridor_id)
    for status, lon in (("departed", 34.8), ("en_route", 33.9)):
        demo.call("operator", "POST", f"/api/convoys/{convoy_id}/reports", {
            "status": status, "lon": lon, "lat": 50.6, "people": 380,
            "reported_at": f"2022-03-08T1{len(status) % 10}:00:00+02:00"})
    incident = demo.call("operator", "POST", "/api/incidents", {
        "corridor_id": corridor_id, "type": "shelling", "lon": 34.1, "lat": 50.55,
        "occurred_at": "2022-03-08T12:00:00+02:00", "description": "near Romny"})
    data = demo.call("observer", "GET", "/api/map")
    by_proposal = {f["properties"].get("proposal_id"): f for f in data["corridors"]["features"]}
    assert by_proposal[6]["properties"]["status"] == "open"
    convoys = [f for f in data["convoys"]["features"]
               if f["properties"]["convoy_id"] == convoy_id]
    assert len(convoys) == 1 and convoys[0]["properties"]["status"] == "en_route"
    assert convoys[0]["geometry"]["coordinates"] == [33.9, 50.6]
    incidents = {f["properties"]["incident_id"]: f for f in data["incidents"]["features"]}
    assert incidents[incident["id"]]["geometry"]["coordinates"] == [34.1, 50.55]


def test_dossier_describes_the_route_and_what_followed(demo: Demo) -> None:
    corridor_id = demo.open_corridor(3)
    notification_id = demo.notify(corridor_id)
    demo.call("liaison_UA", "POST", f"/api/notifications/{notification_id}/acknowledgements",
              {"party_id": "UA", "decision": "acknowledge"})
    dossier = demo.call("observer", "GET", "/api/map/proposals/3")
    proposal = demo.call("observer", "GET", "/api/proposals/3")
    assert dossier["proposal"] == proposal
    stops = [s["name"] for s in dossier["route"]["stops"]]
    assert stops[0] == "Mariupol" and dossier["route"]["stops"][0]["km"] == 0
    kms = [s["km"] for s in dossier["route"]["stops"]]
    assert kms == sorted(kms) and kms[-1] == pytest.approx(dossier["route"]["km"], abs=1)
    assert 150 < dossier["route"]["km"] < 400
    assert dossier["route"]["hours"] == pytest.approx(dossier["route"]["km"] / 50, abs=0.1)
    assert dossier["status"] == "open"
    assert [p["party_id"] for p in dossier["positions"]] == ["UA"]
    (agreement,) = [a for a in dossier["agreements"] if a["complete"]][-1:]
    assert {s["party_id"] for s in agreement["signatures"]} == {"UA", "RU"}
    assert all(len(s["fingerprint"]) > 10 for s in agreement["signatures"])
    answered = [n for n in dossier["notifications"] if n["id"] == notification_id]
    assert answered[0]["acknowledgements"][0]["party_id"] == "UA"
    assert httpx.get(f"{demo.base_url}/api/map/proposals/999", headers={
        "Authorization": f"Bearer {demo.tokens['observer']}"}).status_code == 404


def test_map_and_sheet_show_the_km_through_the_other_sides_ground(demo: Demo) -> None:
    proposals = demo.call("observer", "GET", "/api/proposals")["items"]
    features = {f["properties"]["proposal_id"]: f["properties"]
                for f in demo.call("observer", "GET", "/api/map")["corridors"]["features"]}
    for p in proposals:
        assert features[p["id"]]["held_exposure"] == p["route_summary"]["held_exposure"]
    # Kyiv -> Gomel runs through the Russian-held north of Kyiv region; Sumy -> Poltava does not
    ends = {(p["origin"], p["destination"]): p for p in proposals}
    gomel, poltava = ends["Kyiv", "Gomel"], ends["Sumy", "Poltava"]
    held = gomel["route_summary"]["held_exposure"]
    assert held["origin_holder"] == "UA" and held["km"] > 50
    assert set(held["by_territory"]) == {"RU-held"}
    assert poltava["route_summary"]["held_exposure"]["km"] == 0
    with demo.client("observer") as http:
        sheet = http.get(f"/sheets/proposals/{gomel['id']}").text
        calm = http.get(f"/sheets/proposals/{poltava['id']}").text
    km = held["km"]
    assert f"{km:.0f} km through the other side&#39;s ground (RU-held, medium risk)" in sheet
    assert "none through the other side&#39;s ground" in calm


def test_sheet_html_and_pdf_say_the_same_things(demo: Demo) -> None:
    demo.signed_agreement(6)
    with demo.client("observer") as http:
        page = http.get("/sheets/proposals/6")
        pdf = http.get("/sheets/proposals/6.pdf")
    proposal = demo.call("observer", "GET", "/api/proposals/6")
    dossier = demo.call("observer", "GET", "/api/map/proposals/6")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    html, text = page.text, _pdf_text(pdf.content)
    assert "<svg" in html and "@media print" in html
    for document in (html, " ".join(text.split())):
        assert proposal["origin"] in document and proposal["destination"] in document
        assert "SCHEMATIC road skeleton" in document
        for verdict in proposal["verdicts"].values():
            for reason in verdict["reasons"]:
                assert reason["message"] in document
        for agreement in dossier["agreements"]:
            for signature in agreement["signatures"]:
                assert signature["fingerprint"] in document
            seq, digest = agreement["document"]["audit_head"].split(":")
            assert f"entry {seq}, hash {digest}" in re.sub(r"(?<=[0-9a-f]) (?=[0-9a-f])", "",
                                                           document)
        for stop in dossier["route"]["stops"]:
            assert stop["name"] in document


def test_the_maps_data_note_stays_inside_its_frame(demo: Demo) -> None:
    """Measured apart from the code that wraps it: every line of the note fits the map."""
    with demo.client("observer") as http:
        page = http.get("/sheets/proposals/2").text
    note = demo.call("observer", "GET", "/api/map")["data_note"]
    svg = page[page.index("<svg"):page.index("</svg>")]
    width = float(re.search(r'viewBox="0 0 (\d+) \d+"', svg)[1])  # type: ignore[index]
    texts = re.findall(r'<text x="([\d.]+)"[^>]*font-size="(\d+)"[^>]*>([^<]+)</text>', svg)
    lines = [(float(x), int(size), html.unescape(t)) for x, size, t in texts
             if html.unescape(t) in note]
    assert len(lines) > 1 and " ".join(t for _, _, t in lines) == note
    font = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    for x, size, text in lines:
        assert x + ImageFont.truetype(str(font), size).getlength(text) <= width, text


def test_the_map_carries_the_scenarios_zone_and_places(demo: Demo) -> None:
    scenario = load_scenario(SCENARIO)
    setting = demo.call("observer", "GET", "/api/map")["setting"]
    assert setting["timezone"] == scenario.timezone
    assert setting["origins"] == [o.name for o in scenario.places.origins]
    assert setting["destinations"] == [d.name for d in scenario.places.destinations]


def test_without_a_scenario_the_map_has_corridors_only(demo: Demo) -> None:
    """The same store served without --scenario: no base layers, no data note, waypoints."""
    url = demo.server.db_url
    db = Database.open(url, migrate=False)
    try:
        client = TestClient(create_app(db))
        auth = {"Authorization": f"Bearer {demo.tokens['observer']}"}
        data = client.get("/api/map", headers=auth).json()
        dossier = client.get("/api/map/proposals/1", headers=auth).json()
        sheet = client.get("/sheets/proposals/1.pdf", headers=auth)
    finally:
        db.dispose()
    assert data["bbox"] is None and data["data_note"] == ""
    assert data["setting"] == {"timezone": None, "origins": [], "destinations": []}
    assert all(data[layer]["features"] == [] for layer in LAYERS[:5])
    assert len(data["corridors"]["features"]) >= 6
    assert dossier["route"]["hours"] is None
    assert [s["name"] for s in dossier["route"]["stops"]] == dossier["proposal"]["waypoints"]
    assert sheet.content.startswith(b"%PDF") and "Gomel" in _pdf_text(sheet.content)


def test_sheet_command_writes_pdf_and_html(demo: Demo, tmp_path: Path) -> None:
    app = typer.Typer()
    sheet_cli.register(app)
    app.command("noop")(lambda: None)  # a second command keeps "sheet" a sub-command
    runner = CliRunner()
    for name in ("sheet.pdf", "sheet.html"):
        done = runner.invoke(app, ["sheet", "--db", demo.server.db_url, "--proposal", "2",
                                   "--out", str(tmp_path / name), "--scenario", str(SCENARIO)])
        assert done.exit_code == 0, done.output
    assert "Rostov-on-Don" in _pdf_text((tmp_path / "sheet.pdf").read_bytes())
    assert "Rostov-on-Don" in (tmp_path / "sheet.html").read_text(encoding="utf-8")
    refused = runner.invoke(app, ["sheet", "--db", demo.server.db_url, "--proposal", "2",
                                  "--out", str(tmp_path / "sheet.txt")])
    assert refused.exit_code != 0


def test_the_route_repeats_what_routing_said_of_each_waypoint(demo: Demo) -> None:
    """A place off every road is routed via the nearest town on it: the dossier and the sheet
    say so, as the negotiation engine did when it routed the proposal."""
    engine = negotiate(build_world(load_scenario(SCENARIO)))
    stored = demo.call("observer", "GET", "/api/proposals")["items"][:len(engine.proposals)]
    with demo.client("observer") as http:
        for proposal, result in zip(stored, engine.proposals, strict=True):
            route = demo.call("observer", "GET", f"/api/map/proposals/{proposal['id']}")["route"]
            expected = [f"{place.name}: {place.note}" for place in result.waypoints if place.note]
            assert route["notes"] == expected
            sheet = http.get(f"/sheets/proposals/{proposal['id']}").text
            assert all(note in html.unescape(sheet) for note in expected)
    assert any("routed via" in note for p in stored for note in
               demo.call("observer", "GET", f"/api/map/proposals/{p['id']}")["route"]["notes"])


def test_a_corridor_prints_the_sheet_of_the_proposal_it_was_agreed_from(demo: Demo,
                                                                         tmp_path: Path) -> None:
    corridors = demo.call("observer", "GET", "/api/corridors")["items"]
    corridor = next(c for c in corridors if c["agreement_id"] is not None)
    proposal_id = demo.call("observer", "GET",
                            f"/api/agreements/{corridor['agreement_id']}")["proposal_id"]
    with demo.client("observer") as http:
        by_corridor = http.get(f"/sheets/corridors/{corridor['id']}")
        by_proposal = http.get(f"/sheets/proposals/{proposal_id}")
        pdf = http.get(f"/sheets/corridors/{corridor['id']}.pdf")
    assert by_corridor.status_code == pdf.status_code == 200
    generated = re.compile(r"generated [0-9-]+ [0-9:]+ UTC")
    assert generated.sub("", by_corridor.text) == generated.sub("", by_proposal.text)
    assert f"corridor-{corridor['id']}" in pdf.headers["content-disposition"]
    assert corridor["name"] in " ".join(_pdf_text(pdf.content).split())
    # A corridor set up without a proposal has no dossier to print.
    bare = demo.call("facilitator", "POST", "/api/corridors", {
        "name": "Ad hoc", "origin": "Sumy", "destination": "Poltava",
        "waypoints": ["Sumy", "Romny", "Poltava"]})
    with demo.client("observer") as http:
        missing = http.get(f"/sheets/corridors/{bare['id']}")
    assert missing.status_code == 404
    assert missing.json()["detail"].startswith(f"corridor {bare['id']} was not agreed on")
    # The command line prints the same sheet, and wants exactly one of the two ids.
    app = typer.Typer()
    sheet_cli.register(app)
    app.command("noop")(lambda: None)
    runner = CliRunner()
    out = tmp_path / "corridor.html"
    done = runner.invoke(app, ["sheet", "--db", demo.server.db_url, "--corridor",
                               str(corridor["id"]), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert corridor["name"] in out.read_text(encoding="utf-8")
    for ids in ([], ["--proposal", "1", "--corridor", str(corridor["id"])]):
        refused = runner.invoke(app, ["sheet", "--db", demo.server.db_url, *ids,
                                      "--out", str(tmp_path / "x.html")])
        assert "exactly one of --proposal and --corridor" in str(refused.exception)


# Names as liaisons type them: Ukrainian, Russian, and one that mixes scripts the sheet font
# covers (Latin, Cyrillic, Arabic) with some it does not (CJK, an emoji).
UNICODE_NAMES = (("Маріуполь", "Запоріжжя"), ("Белгород", "Харьков"),
                 ("Харків / Kharkiv / خاركيف", "Zaporizhzhia 扎波罗热 🚑"))
_LINE = {"type": "LineString", "coordinates": [[37.55, 47.1], [36.2, 47.5], [35.14, 47.84]]}
_WINDOW = {"start": "2022-03-08T10:00:00+02:00", "tz": "Europe/Kyiv"}


def _store_proposal(demo: Demo, origin: str, destination: str) -> int:
    """A proposal with a drawn line, written straight to the store the server reads."""
    db = Database.open(demo.server.db_url, migrate=False)
    try:
        with db.write() as session:
            return coordination.create_proposal(session, "test", ProposalIn.model_validate({
                "proposer_id": "UA", "origin": origin, "destination": destination,
                "route": _LINE, "windows": [_WINDOW]})).id
    finally:
        db.dispose()


@pytest.mark.parametrize(("origin", "destination"), UNICODE_NAMES)
def test_sheets_print_names_in_any_script(demo: Demo, origin: str, destination: str) -> None:
    proposal_id = _store_proposal(demo, origin, destination)
    with demo.client("observer") as http:
        pdf = http.get(f"/sheets/proposals/{proposal_id}.pdf")
        page = http.get(f"/sheets/proposals/{proposal_id}")
    assert pdf.status_code == page.status_code == 200, pdf.text
    text = " ".join(_pdf_text(pdf.content).split())
    assert origin in text and destination in text
    assert origin in page.text and destination in page.text
    # The map labels the route's two ends too, in the same fonts as the text.
    assert text.count(origin) >= 2 and text.count(destination) >= 2


def test_unprintable_characters_are_refused_naming_the_field(demo: Demo) -> None:
    body = {"proposer_id": "UA", "origin": "Mariupol\x07", "destination": "Zaporizhzhia",
            "route": _LINE, "windows": [_WINDOW]}
    with demo.client("liaison_UA") as http:
        refused = http.post("/api/proposals", json=body)
    assert refused.status_code == 422
    assert refused.json()["field"] == "origin" and "U+0007" in refused.json()["detail"]


def test_a_stored_control_character_prints_as_a_replacement(demo: Demo) -> None:
    """Rows written before the store refused them still print, with a visible U+FFFD."""
    proposal_id = _store_proposal(demo, "Mariupol", "Zaporizhzhia")
    db = Database.open(demo.server.db_url, migrate=False)
    try:
        with db.write() as session:
            session.execute(update(Proposal).where(Proposal.id == proposal_id)
                            .values(origin="Mari\x01upol"))
    finally:
        db.dispose()
    with demo.client("observer") as http:
        pdf = http.get(f"/sheets/proposals/{proposal_id}.pdf")
    assert pdf.status_code == 200
    assert "Mari\ufffdupol" in _pdf_text(pdf.content)
