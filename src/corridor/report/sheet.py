"""The corridor sheet: one proposal on one printable page, as HTML or as PDF.

A sheet is what a liaison officer carries to a checkpoint or pins to a wall: the map, the route
settlement by settlement, the windows, the conditions, each party's verdict and the fingerprints
of the signatures. Both forms are built from the same :class:`Dossier` and the same list of
sections, so the HTML and the PDF never say different things. The PDF is drawn with fpdf2 in
pure Python (no browser, no network), in fonts that print names in any script
(:mod:`corridor.report.fonts`).
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import re
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any, Literal
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from fpdf import FPDF
from fpdf.fonts import FontFace
from pydantic import BaseModel, Field

from corridor import styles
from corridor.errors import CorridorError
from corridor.geodesy import line_length_m
from corridor.negotiation.search import Negotiation, locate_along
from corridor.report.fieldfiles import gpx_text, kml_text
from corridor.report.fieldmap import dossier_field_map
from corridor.report.fonts import FAMILY, SVG_FAMILY, escape, pdf_document, printable
from corridor.report.negotiation import ground_legend, holder_legend, map_layers
from corridor.report.svgmap import Layer, LegendEntry, render_svg, split_text
from corridor.report.templates import markup, render
from corridor.routing.route import settlements_along
from corridor.situation import HeldExposure
from corridor.store.schemas import ProposalOut, ProposalRecord, WindowOut
from corridor.styles import Style, hex_rgb
from corridor.world import World

# -- the dossier: everything known about one proposal ------------------------------------------

class Stop(BaseModel):
    """A settlement the route passes, ``km`` along it (unknown without a routed line)."""

    name: str
    km: float | None


class RouteDescription(BaseModel):
    """The route for people: length, an estimate of driving time, settlements in order.

    ``hours`` is the length at the scenario's convoy speed cap, so a lower bound on the time a
    convoy needs; it is only known when the server was started with the scenario.
    """

    km: float | None
    hours: float | None
    convoy_speed_kmh: float | None
    stops: list[Stop]
    notes: list[str] = Field(default_factory=list, description=(
        "How the waypoints as written met the network: a place off every road, routed via the "
        "nearest town on it, or a name that needed its context; empty without the scenario"))
    held_exposure: dict[str, Any] | None = Field(None, description=(
        "Km through ground held by a party other than the origin's holder, as the server "
        "judged the route (origin_holder, risk, km, by_territory); null when unjudged"))


class Dossier(ProposalRecord):
    """A proposal with everything that followed from it, and its route described for people."""

    route: RouteDescription


def describe_route(proposal: ProposalOut, world: World | None) -> RouteDescription:
    """Length and settlements of the stored line; the waypoints when there is no line."""
    held = (proposal.route_summary or {}).get("held_exposure")
    if proposal.route is None:
        return RouteDescription(km=None, hours=None, convoy_speed_kmh=None,
                                stops=[Stop(name=n, km=None) for n in proposal.waypoints or []])
    lon = np.array([c[0] for c in proposal.route.coordinates])
    lat = np.array([c[1] for c in proposal.route.coordinates])
    km = line_length_m(lon, lat) / 1000.0
    if world is None:
        return RouteDescription(km=round(km, 1), hours=None, convoy_speed_kmh=None,
                                stops=[Stop(name=n, km=None) for n in proposal.waypoints or []],
                                held_exposure=held)
    speed = world.scenario.convoy_speed_kmh
    stops = [Stop(name=s.name, km=round(s.km, 1))
             for s in settlements_along(lon, lat, world.settlements)]
    return RouteDescription(km=round(km, 1), hours=round(km / speed, 1), convoy_speed_kmh=speed,
                            stops=stops, notes=_waypoint_notes(proposal.waypoints or [], world),
                            held_exposure=held)


def _waypoint_notes(names: list[str], world: World) -> list[str]:
    """What the negotiation engine said of each waypoint when it routed the proposal."""
    try:
        located = locate_along(world, names, [f"waypoints[{k}]" for k in range(len(names))])
    except CorridorError as exc:
        return [exc.message]
    return [f"{place.name}: {place.note}" for place in located if place.note]


def build_dossier(record: ProposalRecord, world: World | None) -> Dossier:
    """The stored record with its route described over ``world`` (when the scenario is known)."""
    return Dossier(**dict(record), route=describe_route(record.proposal, world))


# -- what the sheet says, independent of the medium -----------------------------------------

@dataclass(frozen=True)
class Row:
    """One labelled line of a sheet section."""

    label: str
    text: str
    #: "good" or "bad" marks a verdict; the HTML colours it, the PDF prints it in words anyway.
    tone: str = ""


@dataclass(frozen=True)
class Section:
    """A titled part of the sheet, with what to print when it has no rows."""

    title: str
    rows: list[Row] = field(default_factory=list)
    empty: str = "none"


def format_window(window: WindowOut) -> str:
    """A window in the zone it was agreed in, which is the clock the people on the ground use."""
    zone = ZoneInfo(window.tz)
    try:
        start = window.start.astimezone(zone)
        end = None if window.end is None else window.end.astimezone(zone)
    except OverflowError:
        # Stored before timestamps were bounded, it does not exist on that clock (year 9999
        # ahead of UTC): shown as written rather than failing the whole sheet.
        until = "open-ended" if window.end is None else f"to {window.end.isoformat()}"
        return f"{window.start.isoformat()} {until} (as written)"
    if end is None:
        return f"from {start:%Y-%m-%d %H:%M} ({window.tz}), open-ended"
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
    return f"{start:%Y-%m-%d %H:%M} to {until} ({window.tz})"


def _length(route: RouteDescription) -> str:
    if route.km is None:
        return "not routed"
    if route.hours is None:
        return f"{route.km:.0f} km"
    return (f"{route.km:.0f} km, at least {route.hours:.1f} h at the convoy speed cap of "
            f"{route.convoy_speed_kmh:.0f} km/h")


def _party_name(dossier: Dossier, party_id: str) -> str:
    names = {p.id: p.name for p in dossier.parties}
    return f"{names[party_id]} ({party_id})" if party_id in names else party_id


def _held_rows(route: RouteDescription) -> list[Row]:
    """The km through the other side's ground, marked when there are any."""
    if route.held_exposure is None:
        return []
    held = HeldExposure(**route.held_exposure)
    return [Row("Other side's ground", held.describe(), "" if held.negligible else "bad")]


def sections(dossier: Dossier) -> list[Section]:
    """The sheet's content in reading order."""
    p, route = dossier.proposal, dossier.route
    overview = Section("Corridor", [
        Row("From", p.origin), Row("To", p.destination),
        Row("Proposed by", _party_name(dossier, p.proposer_id)),
        Row("Status", dossier.status), Row("Length", _length(route)),
        *_held_rows(route),
        *(Row(f"Corridor {c.id}", f'"{c.name}", {c.status}') for c in dossier.corridors)])
    stops = Section("Route, settlement by settlement", [
        *(Row("" if s.km is None else f"{s.km:.0f} km", s.name) for s in route.stops),
        *(Row("Note", note) for note in route.notes)])
    # What was proposed, then what each agreement settled on.
    windows = Section("Windows", [
        *(Row(f"Proposed {i}", format_window(w)) for i, w in enumerate(p.windows, start=1)),
        *(Row(f"Agreement {a.id}", format_window(WindowOut.model_validate(w)))
          for a in dossier.agreements for w in a.document.get("windows", []))])
    conditions = Section("Conditions", [
        *(Row(f"Agreement {a.id}", str(c)) for a in dossier.agreements
          for c in a.document.get("conditions", [])),
        *(Row(_party_name(dossier, pos.party_id), c) for pos in dossier.positions
          for c in pos.conditions)])
    verdicts = Section("Verdicts by the parties' rules", [
        Row(_party_name(dossier, party),
            ("acceptable" if v.acceptable else "rejected")
            + "".join(f"; {r.message}" for r in v.reasons),
            "good" if v.acceptable else "bad")
        for party, v in p.verdicts.items()])
    positions = Section("Positions taken", [
        Row(_party_name(dossier, pos.party_id),
            pos.stance + "".join(f"; {r}" for r in pos.reasons),
            "bad" if pos.stance == "reject" else "good" if pos.stance == "accept" else "")
        for pos in dossier.positions])
    signatures = Section("Signatures", _signature_rows(dossier), empty="no agreement yet")
    # Compared by eye with the fingerprint each party holds, so a key registered in a party's
    # name by someone else shows up on paper.
    keys = Section("Parties' signing keys", [
        Row(_party_name(dossier, party.id),
            f"key fingerprint {party.fingerprint}" if party.fingerprint else "no key registered")
        for party in dossier.parties])
    # What changed on the ground since the parties judged the route, newest condition last.
    alerts = Section("Alerts since the route was judged", [
        Row(f"Since situation {a.situation_id}"
            + ("" if a.cleared_situation_id is None else
               f", cleared by situation {a.cleared_situation_id}"),
            a.message, "bad" if a.cleared_situation_id is None else "")
        for a in dossier.alerts])
    return [overview, alerts, stops, windows, conditions, verdicts, positions, signatures, keys]


def _signature_rows(dossier: Dossier) -> list[Row]:
    rows = []
    for agreement in dossier.agreements:
        signed = {s.party_id: s for s in agreement.signatures}
        for party in agreement.document.get("parties", []):
            label = f"Agreement {agreement.id}: {_party_name(dossier, party)}"
            if party in signed:
                s = signed[party]
                rows.append(Row(label, f"signed {s.signed_at:%Y-%m-%d %H:%M} UTC, key "
                                       f"fingerprint {s.fingerprint}", "good"))
            else:
                rows.append(Row(label, "not signed", "bad"))
        if (anchor := agreement.document.get("audit_head")) is not None:
            # What the signatures also vouch for: the audit log up to this entry. A kept copy
            # of this sheet can check the log later (corridor audit verify --anchor).
            seq, digest = anchor.split(":")
            groups = " ".join(digest[i:i + 16] for i in range(0, len(digest), 16))
            rows.append(Row(f"Agreement {agreement.id}: audit log anchor",
                            f"entry {seq}, hash {groups}"))
    return rows


# -- the map ---------------------------------------------------------------------------------

def sheet_svg(dossier: Dossier, world: World | None, *, width: int = 720) -> str:
    """The corridor over the scenario's base layers (when known), framed on the route."""
    p = dossier.proposal
    layers = map_layers(world, Negotiation()) if world is not None else []
    if p.route is None:
        return ""
    line = shapely.LineString(p.route.coordinates)
    routes = Layer("routes")
    routes.add(line, _route_style(dossier.status), title=f"{p.origin} → {p.destination}")
    places = Layer("places")
    for end, name in ((line.coords[0], p.origin), (line.coords[-1], p.destination)):
        places.add(shapely.Point(end), styles.LAYERS["places"], title=name, label=name)
    min_lon, min_lat, max_lon, max_lat = line.bounds
    pad = max(max_lon - min_lon, max_lat - min_lat) * 0.25 + 0.3
    bbox = _landscape((min_lon - pad, min_lat - pad, max_lon + pad, max_lat + pad))
    legend = [*holder_legend(world), *ground_legend(world)] if world is not None else []
    legend.append(LegendEntry(f"this corridor ({dossier.status})", _route_style(dossier.status),
                              "line"))
    svg = render_svg(_clipped([*layers, routes, places], bbox), bbox, width=width,
                     title=f"Map of {p.origin} to {p.destination}", legend=legend)
    return _with_note(svg, world.data_note) if world is not None else svg


def _route_style(status: str) -> Style:
    return Style(styles.STATUS_COLOURS.get(status, "#111"), 3.5)


#: Font size and margin of the data note, in the map's own units (as for its other labels).
NOTE_SIZE = 11
NOTE_PAD = 6


def note_lines(note: str, width: float) -> list[str]:
    """``note`` wrapped to ``width`` map units, measured in the sheet's font.

    Neither PDF renderers nor browsers wrap SVG text, so a long note would run out of the frame.
    DejaVu Sans is wider than the usual sans-serif fallbacks, so lines measured with it fit.
    """
    measure = pdf_document(unit="pt")
    measure.set_font(FAMILY, size=NOTE_SIZE)
    lines: list[str] = []
    for word in note.split():
        if lines and measure.get_string_width(f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def _with_note(svg: str, note: str) -> str:
    """``svg`` with ``note`` wrapped inside its lower edge, on a pale band that keeps it legible."""
    size = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    if size is None or not note:
        return svg
    width, height = int(size[1]), int(size[2])
    lines = note_lines(note, width - 2 * NOTE_PAD)
    leading = NOTE_SIZE * 1.3
    top = height - NOTE_PAD - leading * len(lines)
    band = (f'<rect class="data-note" x="0" y="{top - NOTE_PAD / 2:.1f}" width="{width}" '
            f'height="{height - top + NOTE_PAD / 2:.1f}" fill="#fff" fill-opacity="0.85"/>')
    text = "".join(
        f'<text x="{NOTE_PAD}" y="{top + leading * (i + 0.8):.1f}" font-size="{NOTE_SIZE}" '
        f'fill="#333" font-family="{SVG_FAMILY}">{escape(line)}</text>'
        for i, line in enumerate(lines))
    return svg.replace("</svg>", f"{band}{text}</svg>")


#: Width over height of the map frame: wide enough that a north-south corridor leaves room on
#: the first page for the route table.
MAP_ASPECT = 1.4


def _landscape(bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """``bbox`` widened (or heightened) about its centre to the frame's aspect ratio."""
    min_lon, min_lat, max_lon, max_lat = bbox
    cos_lat = math.cos(math.radians((min_lat + max_lat) / 2.0))
    wide, high = (max_lon - min_lon) * cos_lat, max_lat - min_lat
    if wide < high * MAP_ASPECT:
        grow = (high * MAP_ASPECT - wide) / cos_lat / 2.0
        return (min_lon - grow, min_lat, max_lon + grow, max_lat)
    grow = (wide / MAP_ASPECT - high) / 2.0
    return (min_lon, min_lat - grow, max_lon, max_lat + grow)


def _clipped(layers: list[Layer], bbox: tuple[float, float, float, float]) -> list[Layer]:
    """Layers cut to the frame.

    PDF renderers do not clip an SVG to its viewBox, and a country's outline is mostly outside
    a corridor's frame anyway.
    """
    out = []
    for layer in layers:
        cut = Layer(layer.name)
        for f in layer.features:
            cut.add(shapely.clip_by_rect(f.geometry, *bbox), f.style, f.title, f.label)
        out.append(cut)
    return out


# -- HTML ------------------------------------------------------------------------------------

def _title(dossier: Dossier) -> str:
    p = dossier.proposal
    number = f" (proposal {p.number})" if p.number is not None else ""
    return f"Corridor sheet: {p.origin} → {p.destination}{number}"


def render_sheet_html(dossier: Dossier, world: World | None, generated: dt.datetime) -> str:
    """A self-contained page (inline CSS and SVG) that prints on A4.

    The route comes with it as GPX and KML downloads inside the page (``data:`` links), so a
    sheet saved or forwarded as one file still hands over its route.
    """
    svg = sheet_svg(dossier, world)
    return render("sheet.html", title=_title(dossier), proposal_id=dossier.proposal.id,
                  generated=generated, data_note=world.data_note if world is not None else "",
                  svg=markup(svg) if svg else "", sections=sections(dossier),
                  downloads=_route_downloads(dossier, world))


def _route_downloads(dossier: Dossier, world: World | None) -> list[tuple[str, str, str]]:
    """(label, file name, data URL) of the route's GPX and KML; none without a route line."""
    if dossier.proposal.route is None:
        return []
    fmap = dossier_field_map(dossier, world)
    name = f"corridor-{dossier.proposal.id}"
    files = [("GPX", "gpx", "application/gpx+xml", gpx_text(fmap)),
             ("KML", "kml", "application/vnd.google-earth.kml+xml", kml_text(fmap, name))]
    return [(label, f"{name}.{ext}",
             f"data:{mime};base64,{base64.b64encode(text.encode()).decode()}")
            for label, ext, mime, text in files]


# -- PDF -------------------------------------------------------------------------------------

def render_sheet_pdf(dossier: Dossier, world: World | None, generated: dt.datetime) -> bytes:
    """The same sheet as an A4 PDF, drawn without a browser."""
    pdf = pdf_document()
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, margin=12)
    pdf.set_title(printable(_title(dossier)))
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 15)
    _paragraph(pdf, 7, _title(dossier))
    pdf.set_font(FAMILY, "", 9)
    _paragraph(pdf, 5, f"Proposal {dossier.proposal.id}, generated {generated:%Y-%m-%d %H:%M} UTC")
    if world is not None:
        with pdf.local_context(fill_color=hex_rgb(styles.NOTE_FILL)):
            pdf.set_font(FAMILY, "B", 9)
            _paragraph(pdf, 5, world.data_note, border=1, fill=True)
    svg = sheet_svg(dossier, world)
    if svg:
        _pdf_map(pdf, svg)
    for section in sections(dossier):
        _pdf_section(pdf, section)
    return bytes(pdf.output())


def _pdf_map(pdf: FPDF, svg: str) -> None:
    """The map's shapes as vector graphics, with its labels and note as PDF text on top.

    As text they are shaped, and fall back to another font where DejaVu lacks a character.
    """
    shapes, view_width, texts = split_text(svg)
    pdf.ln(2)
    width = pdf.epw * 0.85
    left, top = pdf.l_margin + (pdf.epw - width) / 2, pdf.get_y()
    pdf.image(BytesIO(shapes.encode()), w=width, x=left)
    below = pdf.get_y()
    scale = width / view_width  # page units per map unit
    for text in texts:
        size = text.size * scale * pdf.k  # in points
        pdf.set_font(FAMILY, "", size)
        pdf.set_text_color(text.fill)
        # A cell's text sits on a baseline about 0.85 of the font size below its top.
        pdf.set_xy(left + text.x * scale, top + text.y * scale - 0.85 * size / pdf.k)
        pdf.cell(text=printable(text.content), h=size / pdf.k)
    pdf.set_text_color(0)
    pdf.set_xy(pdf.l_margin, below)


def _paragraph(pdf: FPDF, height: float, text: str, *, border: Literal[0, 1] = 0,
               fill: bool = False) -> None:
    """Full-width wrapped text, leaving the cursor at the left margin of the next line."""
    pdf.multi_cell(0, height, printable(text), border=border, fill=fill, new_x="LMARGIN",
                   new_y="NEXT")


def _pdf_section(pdf: FPDF, section: Section) -> None:
    pdf.ln(2)
    pdf.set_font(FAMILY, "B", 11)
    pdf.cell(0, 7, printable(section.title), border="B", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9)
    if not section.rows:
        _paragraph(pdf, 5, section.empty)
        return
    label_width = pdf.epw * 0.3
    with pdf.table(col_widths=(label_width, pdf.epw - label_width), first_row_as_headings=False,
                   borders_layout="HORIZONTAL_LINES", line_height=5) as table:
        for r in section.rows:
            row = table.row()
            row.cell(printable(r.label))
            fill = styles.TONE_FILLS.get(r.tone)
            row.cell(printable(r.text),
                     style=FontFace(fill_color=hex_rgb(fill)) if fill else None)
