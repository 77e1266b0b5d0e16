"""The corridor sheet: one proposal on one printable page, as HTML or as PDF.

A sheet is what a liaison officer carries to a checkpoint or pins to a wall: the map, the route
settlement by settlement, the windows, the conditions, each party's verdict and the fingerprints
of the signatures. Both forms are built from the same :class:`Dossier` and the same list of
sections, so the HTML and the PDF never say different things. The PDF is drawn with fpdf2 in
pure Python (no browser, no network), in fonts that print names in any script
(:mod:`corridor.report.fonts`).

The sheet speaks the active language (:mod:`corridor.i18n`). An agreement on it is printed side
by side in English, the reader's language and the languages of its signatories (each party's
``languages``), so both delegations read the same text in their own. What the parties sign is
the agreement's canonical document (codes and data, :mod:`corridor.store.signing`), never this
text: rendering a sheet in any language leaves the signed bytes unchanged, and the sheet says so
in each of its languages, with the digest of those bytes to compare.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
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

from corridor import i18n, styles
from corridor.errors import CorridorError
from corridor.geodesy import line_length_m
from corridor.i18n import _
from corridor.negotiation.search import Negotiation, locate_along
from corridor.report.fieldfiles import gpx_text, kml_text
from corridor.report.fieldmap import dossier_field_map
from corridor.report.fonts import (
    FAMILY,
    SVG_FAMILY,
    covered,
    escape,
    pdf_document,
    printable,
)
from corridor.report.negotiation import ground_legend, holder_legend, map_layers
from corridor.report.svgmap import Layer, LegendEntry, Text, render_svg, split_text
from corridor.report.templates import markup, render
from corridor.report.words import word
from corridor.routing.route import settlements_along
from corridor.situation import HeldExposure
from corridor.store.schemas import AgreementOut, ProposalOut, ProposalRecord, WindowOut
from corridor.store.signing import canonical_json
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
    empty: str = ""


@dataclass(frozen=True)
class Column:
    """An agreement's text in one language: the language, its name in itself, the rows."""

    language: str
    heading: str
    rows: list[Row]


@dataclass(frozen=True)
class Parallel:
    """An agreement printed side by side in several languages, one column each.

    Every column holds the same rows in the same order, so row ``i`` of one column translates
    row ``i`` of the others.
    """

    title: str
    columns: list[Column]

    @property
    def lines(self) -> list[list[Row]]:
        """The rows across the columns: one list per line of the agreement."""
        return [list(line) for line in zip(*(c.rows for c in self.columns), strict=True)]


#: Each language's name in itself, for the head of its column.
AUTONYMS = {"en": "English", "uk": "Українська", "ru": "Русский"}

def format_window(window: WindowOut) -> str:
    """A window in the zone it was agreed in, which is the clock the people on the ground use.

    The day is written the active locale's way, the clock as 24-hour time, which every party
    reads the same.
    """
    zone = ZoneInfo(window.tz)
    try:
        start = window.start.astimezone(zone)
        end = None if window.end is None else window.end.astimezone(zone)
    except OverflowError:
        # Stored before timestamps were bounded, it does not exist on that clock (year 9999
        # ahead of UTC): shown as written rather than failing the whole sheet.
        if window.end is None:
            return _("{start} open-ended (as written)").format(start=window.start.isoformat())
        return _("{start} to {end} (as written)").format(start=window.start.isoformat(),
                                                         end=window.end.isoformat())
    if end is None:
        return _("from {start} ({zone}), open-ended").format(start=_moment(start),
                                                             zone=window.tz)
    until = f"{end:%H:%M}" if end.date() == start.date() else _moment(end)
    return _("{start} to {end} ({zone})").format(start=_moment(start), end=until,
                                                 zone=window.tz)


def _moment(moment: dt.datetime) -> str:
    """A day in the locale's long form and a 24-hour clock time."""
    return f"{i18n.format_date(moment.date(), 'long')} {moment:%H:%M}"


def _length(route: RouteDescription) -> str:
    if route.km is None:
        return _("not routed")
    km = i18n.format_decimal(route.km, 0)
    if route.hours is None or route.convoy_speed_kmh is None:
        return _("{km} km").format(km=km)
    return _("{km} km, at least {hours} h at the convoy speed cap of {speed} km/h").format(
        km=km, hours=i18n.format_decimal(route.hours, 1),
        speed=i18n.format_decimal(route.convoy_speed_kmh, 0))


def _party_name(dossier: Dossier, party_id: str) -> str:
    names = {p.id: p.name for p in dossier.parties}
    return f"{names[party_id]} ({party_id})" if party_id in names else party_id


def _held_rows(route: RouteDescription) -> list[Row]:
    """The km through the other side's ground, marked when there are any."""
    if route.held_exposure is None:
        return []
    held = HeldExposure(**route.held_exposure)
    return [Row(_("Other side's ground"), held.describe(), "" if held.negligible else "bad")]


def _stop_label(stop: Stop) -> str:
    return "" if stop.km is None else _("{km} km").format(km=i18n.format_decimal(stop.km, 0))


def sections(dossier: Dossier) -> list[Section]:
    """The sheet's content in reading order, in the active language.

    What an agreement settled (its windows, conditions, route and audit anchor) is not among
    them: it is printed in every signatory's language by :func:`agreement_texts`.
    """
    p, route = dossier.proposal, dossier.route
    none = _("none")
    overview = Section(_("Corridor"), [
        Row(_("From"), p.origin), Row(_("To"), p.destination),
        Row(_("Proposed by"), _party_name(dossier, p.proposer_id)),
        Row(_("Status"), word(dossier.status)), Row(_("Length"), _length(route)),
        *_held_rows(route),
        *(Row(_("Corridor {id}").format(id=c.id),
              _("\u201c{name}\u201d, {status}").format(name=c.name, status=word(c.status)))
          for c in dossier.corridors)], none)
    stops = Section(_("Route, settlement by settlement"), [
        *(Row(_stop_label(s), s.name) for s in route.stops),
        *(Row(_("Note"), note) for note in route.notes)], none)
    windows = Section(_("Windows proposed"), [
        Row(_("Window {number}").format(number=i), format_window(w))
        for i, w in enumerate(p.windows, start=1)], none)
    conditions = Section(_("Conditions set by the parties"), [
        Row(_party_name(dossier, pos.party_id), c) for pos in dossier.positions
        for c in pos.conditions], none)
    verdicts = Section(_("Verdicts by the parties' rules"), [
        Row(_party_name(dossier, party),
            (_("acceptable") if v.acceptable else _("rejected"))
            + "".join(f"; {r.message}" for r in v.reasons),
            "good" if v.acceptable else "bad")
        for party, v in p.verdicts.items()], none)
    positions = Section(_("Positions taken"), [
        Row(_party_name(dossier, pos.party_id),
            word(pos.stance) + "".join(f"; {r}" for r in pos.reasons),
            "bad" if pos.stance == "reject" else "good" if pos.stance == "accept" else "")
        for pos in dossier.positions], none)
    signatures = Section(_("Signatures"), _signature_rows(dossier), _("no agreement yet"))
    # Compared by eye with the fingerprint each party holds, so a key registered in a party's
    # name by someone else shows up on paper.
    keys = Section(_("Parties' signing keys"), [
        Row(_party_name(dossier, party.id),
            _("key fingerprint {fingerprint}").format(fingerprint=party.fingerprint)
            if party.fingerprint else _("no key registered"))
        for party in dossier.parties], none)
    # What changed on the ground since the parties judged the route, newest condition last.
    alerts = Section(_("Alerts since the route was judged"), [
        Row(_("Since situation {situation}").format(situation=a.situation_id)
            if a.cleared_situation_id is None else
            _("Since situation {situation}, cleared by situation {cleared}").format(
                situation=a.situation_id, cleared=a.cleared_situation_id),
            a.message, "bad" if a.cleared_situation_id is None else "")
        for a in dossier.alerts], none)
    return [overview, alerts, stops, windows, conditions, verdicts, positions, signatures, keys]


def _signature_rows(dossier: Dossier) -> list[Row]:
    rows = []
    for agreement in dossier.agreements:
        signed = {s.party_id: s for s in agreement.signatures}
        for party in agreement.document.get("parties", []):
            label = _("Agreement {id}: {party}").format(id=agreement.id,
                                                        party=_party_name(dossier, party))
            if party in signed:
                s = signed[party]
                rows.append(Row(label, _("signed {moment} UTC, key fingerprint {fingerprint}")
                                .format(moment=i18n.format_datetime(s.signed_at, "short"),
                                        fingerprint=s.fingerprint), "good"))
            else:
                rows.append(Row(label, _("not signed"), "bad"))
    return rows


# -- an agreement, side by side in its signatories' languages -------------------------------

def agreement_languages(dossier: Dossier, agreement: AgreementOut,
                        world: World | None = None) -> list[str]:
    """English, each signatory's languages in the order they sign, then the reader's, each once.

    A party's languages are the store's record of it; for a party the store records none, the
    scenario's (when the sheet is printed with it). The order does not depend on the reader's
    language, so the same agreement prints its columns in the same order everywhere.
    """
    stored = {p.id: p.languages for p in dossier.parties}
    declared = {p.id: p.languages for p in world.scenario.parties} if world is not None else {}
    wanted = [i18n.DEFAULT_LANGUAGE]
    for party in agreement.document.get("parties", []):
        wanted.extend(stored.get(party) or declared.get(party) or [])
    wanted.append(i18n.current_language())
    return [code for code in dict.fromkeys(wanted) if code in i18n.LANGUAGES]


def signed_digest(agreement: AgreementOut) -> str:
    """SHA-256 of the canonical document, in groups of 16 hex digits for reading aloud."""
    digest = hashlib.sha256(canonical_json(agreement.document)).hexdigest()
    return _grouped(digest)


def _grouped(digest: str) -> str:
    return " ".join(digest[i:i + 16] for i in range(0, len(digest), 16))


def _agreement_rows(dossier: Dossier, agreement: AgreementOut) -> list[Row]:
    """The agreement's text in the active language, read from its signed document only."""
    doc = agreement.document
    corridor = doc.get("corridor", {})
    rows = [
        Row(_("Parties"), ", ".join(_party_name(dossier, p) for p in doc.get("parties", []))),
        Row(_("Corridor"), _("from {origin} to {destination}").format(
            origin=corridor.get("origin", ""), destination=corridor.get("destination", ""))),
    ]
    if waypoints := corridor.get("waypoints"):
        rows.append(Row(_("Via"), " \u2013 ".join(str(w) for w in waypoints)))
    if (route := doc.get("route")) is not None:
        km = (route.get("summary") or {}).get("km")
        digest = _grouped(route["sha256"])
        rows.append(Row(_("Route"), _("the routed line, SHA-256 {digest}").format(digest=digest)
                        if km is None else
                        _("{km} km along the routed line, SHA-256 {digest}").format(
                            km=i18n.format_decimal(km, 0), digest=digest)))
    rows.extend(Row(_("Window {number}").format(number=i),
                    format_window(WindowOut.model_validate(w)))
                for i, w in enumerate(doc.get("windows", []), start=1))
    # Conditions are the parties' own words: printed as they were signed, in every column.
    rows.extend(Row(_("Condition {number}").format(number=i), str(c))
                for i, c in enumerate(doc.get("conditions", []), start=1))
    if (anchor := doc.get("audit_head")) is not None:
        # What the signatures also vouch for: the audit log up to this entry. A kept copy
        # of this sheet can check the log later (corridor audit verify --anchor).
        seq, digest = anchor.split(":")
        rows.append(Row(_("Audit log anchor"), _("entry {seq}, hash {digest}").format(
            seq=seq, digest=_grouped(digest))))
    rows.append(Row(_("What is signed"), _(
        "Each party signs the agreement's canonical document (codes and data, SHA-256 "
        "{digest}), not this text. The translations on this sheet do not change what was "
        "signed.").format(digest=signed_digest(agreement))))
    return rows


def agreement_texts(dossier: Dossier, world: World | None = None) -> list[Parallel]:
    """Each agreement of the dossier, in the columns of :func:`agreement_languages`."""
    texts = []
    for agreement in dossier.agreements:
        title = _("Agreement {id}").format(id=agreement.id)
        columns = []
        for language in agreement_languages(dossier, agreement, world):
            with i18n.use_language(language):
                columns.append(Column(language, AUTONYMS.get(language, language),
                                      _agreement_rows(dossier, agreement)))
        texts.append(Parallel(title, columns))
    return texts


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
    legend.append(LegendEntry(_("this corridor ({status})").format(
        status=word(dossier.status)), _route_style(dossier.status), "line"))
    svg = render_svg(_clipped([*layers, routes, places], bbox), bbox, width=width,
                     title=_("Map of {origin} to {destination}").format(
                         origin=p.origin, destination=p.destination), legend=legend)
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
    measure = pdf_document(unit="pt", fallback=False)
    measure.set_font(FAMILY, size=NOTE_SIZE)
    lines: list[str] = []
    for piece in note.split():
        if lines and measure.get_string_width(f"{lines[-1]} {piece}") <= width:
            lines[-1] += f" {piece}"
        else:
            lines.append(piece)
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
    if p.number is None:
        return _("Corridor sheet: {origin} → {destination}").format(
            origin=p.origin, destination=p.destination)
    return _("Corridor sheet: {origin} → {destination} (proposal {number})").format(
        origin=p.origin, destination=p.destination, number=p.number)


def _generated(dossier: Dossier, generated: dt.datetime) -> str:
    return _("Proposal {id}, generated {moment} UTC").format(
        id=dossier.proposal.id, moment=i18n.format_datetime(generated.astimezone(dt.UTC),
                                                            "short"))


def render_sheet_html(dossier: Dossier, world: World | None, generated: dt.datetime) -> str:
    """A self-contained page (inline CSS and SVG) that prints on A4, in the active language.

    The route comes with it as GPX and KML downloads inside the page (``data:`` links), so a
    sheet saved or forwarded as one file still hands over its route.
    """
    svg = sheet_svg(dossier, world)
    return render("sheet.html", lang=i18n.current_language(), title=_title(dossier),
                  subtitle=_generated(dossier, generated),
                  data_note=world.data_note if world is not None else "",
                  svg=markup(svg) if svg else "", sections=sections(dossier),
                  agreements=agreement_texts(dossier, world),
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
    """The same sheet as an A4 PDF, drawn without a browser, in the active language."""
    title, subtitle = _title(dossier), _generated(dossier, generated)
    note = world.data_note if world is not None else ""
    svg = sheet_svg(dossier, world)
    shapes, view_width, labels = split_text(svg) if svg else ("", 0.0, [])
    parts, parallels = sections(dossier), agreement_texts(dossier, world)
    texts = [title, subtitle, note, *(t.content for t in labels),
             *(t for part in parts for t in (part.title, part.empty)),
             *(t for part in parts for r in part.rows for t in (r.label, r.text)),
             *(t for par in parallels for t in (par.title, *(c.heading for c in par.columns))),
             *(t for par in parallels for c in par.columns for r in c.rows
               for t in (r.label, r.text))]
    pdf = pdf_document(fallback=not covered(printable(t) for t in texts))
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, margin=12)
    pdf.set_title(printable(title))
    pdf.set_lang(i18n.current_language())
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 15)
    _paragraph(pdf, 7, title)
    pdf.set_font(FAMILY, "", 9)
    _paragraph(pdf, 5, subtitle)
    if note:
        with pdf.local_context(fill_color=hex_rgb(styles.NOTE_FILL)):
            pdf.set_font(FAMILY, "B", 9)
            _paragraph(pdf, 5, note, border=1, fill=True)
    if svg:
        _pdf_map(pdf, shapes, view_width, labels)
    for section in parts:
        _pdf_section(pdf, section)
    for parallel in parallels:
        _pdf_parallel(pdf, parallel)
    return bytes(pdf.output())


def _pdf_map(pdf: FPDF, shapes: str, view_width: float, texts: list[Text]) -> None:
    """The map's shapes as vector graphics, with its labels and note as PDF text on top.

    As text they are shaped, and fall back to another font where DejaVu lacks a character.
    """
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
    _pdf_heading(pdf, section.title)
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


def _pdf_heading(pdf: FPDF, title: str) -> None:
    pdf.ln(2)
    pdf.set_font(FAMILY, "B", 11)
    pdf.cell(0, 7, printable(title), border="B", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9)


def _pdf_parallel(pdf: FPDF, parallel: Parallel) -> None:
    """An agreement in columns, one per language, each line beside its translations."""
    _pdf_heading(pdf, parallel.title)
    with pdf.table(borders_layout="HORIZONTAL_LINES", line_height=4.5,
                   headings_style=FontFace(emphasis="BOLD")) as table:
        heads = table.row()
        for column in parallel.columns:
            heads.cell(column.heading)
        for line in parallel.lines:
            row = table.row()
            for r in line:
                row.cell(printable(f"{r.label}: {r.text}"))
