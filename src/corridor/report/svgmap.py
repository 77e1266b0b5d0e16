"""Maps drawn as inline SVG from the project's own geometry: no tiles, no CDN, no network.

A report must open on a laptop in a field office with no connection, so it cannot fetch a base
map. Instead every layer (borders, control areas, hazards, roads, routes) is drawn from the data
the analysis used, in an equirectangular view scaled by the cosine of the central latitude, which
is close enough to conformal at the scale of a country for reading a corridor.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from shapely import Geometry, LineString, MultiLineString, MultiPolygon, Point, Polygon
from shapely import simplify as _simplify

from corridor.report.fonts import SVG_FAMILY, escape
from corridor.styles import Style


@dataclass(frozen=True)
class Feature:
    """One geometry on the map, with its tooltip (``title``) and an optional text label."""

    geometry: Geometry
    style: Style
    title: str = ""
    label: str = ""


@dataclass
class Layer:
    """A named group of features drawn together, toggled together in the report."""

    name: str
    features: list[Feature] = field(default_factory=list)

    def add(self, geometry: Geometry, style: Style, title: str = "", label: str = "") -> None:
        """Add a geometry; empty ones (a zone outside the map, say) are skipped."""
        if geometry is not None and not geometry.is_empty:
            self.features.append(Feature(geometry, style, title, label))


@dataclass(frozen=True)
class LegendEntry:
    """One line of a map's legend: a swatch drawn in ``style`` and what it stands for."""

    text: str
    style: Style
    shape: Literal["area", "line", "point"]


@dataclass(frozen=True)
class Town:
    """A place named on the map for orientation; more populous ones win where labels collide."""

    name: str
    lon: float
    lat: float
    population: int


@dataclass(frozen=True)
class _View:
    min_lon: float
    max_lat: float
    kx: float
    ky: float

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.min_lon) * self.kx, (self.max_lat - lat) * self.ky


def render_svg(layers: Sequence[Layer], bbox: tuple[float, float, float, float], *,
               width: int = 960, title: str = "", note: str = "",
               legend: Sequence[LegendEntry] = (), towns: Sequence[Town] = ()) -> str:
    """One SVG document with every layer, clipped to ``bbox`` (min_lon, min_lat, max_lon, max_lat).

    ``note`` is printed in the lower left corner: schematic-data warnings and attribution belong
    on the map itself, where they cannot be separated from it. So does the ``legend``, drawn in
    the upper right corner. ``towns`` are named over the layers where their labels fit (see
    :func:`_town_labels`).
    """
    min_lon, min_lat, max_lon, max_lat = bbox
    cos_lat = math.cos(math.radians((min_lat + max_lat) / 2.0))
    span_x = max((max_lon - min_lon) * cos_lat, 1e-9)
    span_y = max(max_lat - min_lat, 1e-9)
    height = max(int(width * span_y / span_x), 200)
    view = _View(min_lon, max_lat, width / (max_lon - min_lon or 1e-9), height / span_y)
    tolerance = (max_lon - min_lon) / width / 2.0
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="100%" role="img" aria-label="{escape(title or "map")}">',
             f'<rect width="{width}" height="{height}" fill="#f4f7fa"/>']
    for layer in layers:
        parts.append(f'<g class="layer" data-layer="{escape(layer.name)}">')
        parts.extend(_feature(f, view, tolerance) for f in layer.features)
        parts.append("</g>")
    parts.extend(_town_labels(towns, view, width, height,
                              taken=[*_legend_box(legend, width), *_point_labels(layers, view)]))
    parts.extend(_legend(legend, width))
    if note:
        parts.append(f'<text x="6" y="{height - 8}" font-size="11" fill="#444" '
                     f'font-family="{SVG_FAMILY}">{escape(note)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


#: Legend geometry, in map units: text size, row height, swatch width, padding.
_LEGEND_TEXT, _LEGEND_ROW, _SWATCH, _PAD = 11, 16, 18, 6


#: Town labels: text size, the most drawn, and the average glyph width in em used to guess
#: a label's extent (DejaVu Sans averages a little over half an em).
_TOWN_TEXT, _MAX_TOWNS, _EM = 10, 60, 0.56

Box = tuple[float, float, float, float]


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _label_box(x: float, y: float, text: str, size: float) -> Box:
    """Where a label whose baseline starts at (x, y) is drawn, roughly."""
    return x, y - size, x + len(text) * size * _EM, y + size * 0.25


def _point_labels(layers: Sequence[Layer], view: _View) -> list[Box]:
    """The boxes of the labels point features already carry (the proposals' ends)."""
    boxes = []
    for layer in layers:
        for f in layer.features:
            if f.label and isinstance(f.geometry, Point):
                x, y = view.xy(f.geometry.x, f.geometry.y)
                boxes.append(_label_box(x + 5, y - 4, f.label, 11))
    return boxes


def _town_labels(towns: Sequence[Town], view: _View, width: int, height: int,
                 taken: list[Box]) -> list[str]:
    """Town names, the most populous first, each left out where it would cover another label.

    The test is crude (a label's extent is guessed from its length), but a map of a country
    then names its cities rather than a heap of overprinted villages.
    """
    placed: list[str] = []
    boxes = list(taken)
    for town in sorted(towns, key=lambda t: -t.population):
        if len(placed) == _MAX_TOWNS:
            break
        x, y = view.xy(town.lon, town.lat)
        box = _label_box(x + 3, y - 2, town.name, _TOWN_TEXT)
        if box[0] < 0 or box[1] < 0 or box[2] > width or box[3] > height \
                or any(_overlaps(box, other) for other in boxes):
            continue
        boxes.append(box)
        placed.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.5" fill="#333"/>'
                      f'<text x="{x + 3:.1f}" y="{y - 2:.1f}" font-size="{_TOWN_TEXT}" '
                      f'font-family="{SVG_FAMILY}" fill="#333" stroke="#fff" '
                      f'stroke-width="2.5" paint-order="stroke">{escape(town.name)}</text>')
    if not placed:
        return []
    return ['<g class="layer" data-layer="towns">', *placed, "</g>"]


def _legend_box(entries: Sequence[LegendEntry], width: int) -> list[Box]:
    """The legend's box in the upper right corner (none without entries)."""
    if not entries:
        return []
    # Wide enough for the longest text at an average glyph width of 0.56 em.
    box_w = 3 * _PAD + _SWATCH + max(len(e.text) for e in entries) * _LEGEND_TEXT * _EM
    box_h = 2 * _PAD + _LEGEND_ROW * len(entries) - (_LEGEND_ROW - _LEGEND_TEXT)
    x0, y0 = width - box_w - _PAD, _PAD
    return [(x0, y0, x0 + box_w, y0 + box_h)]


def _legend(entries: Sequence[LegendEntry], width: int) -> list[str]:
    """A legend box in the upper right corner, one row per entry."""
    if not entries:
        return []
    x0, y0, x1, y1 = _legend_box(entries, width)[0]
    box_w, box_h = x1 - x0, y1 - y0
    parts = [f'<g class="legend"><rect x="{x0:.1f}" y="{y0}" width="{box_w:.1f}" '
             f'height="{box_h}" fill="#fff" fill-opacity="0.88" stroke="#999" '
             'stroke-width="0.5"/>']
    for i, entry in enumerate(entries):
        x, y = x0 + _PAD, y0 + _PAD + i * _LEGEND_ROW
        parts.append(_swatch(entry, x, y))
        parts.append(f'<text x="{x + _SWATCH + _PAD:.1f}" y="{y + 9:.1f}" '
                     f'font-size="{_LEGEND_TEXT}" font-family="{SVG_FAMILY}" fill="#111">'
                     f'{escape(entry.text)}</text>')
    return [*parts, "</g>"]


def _swatch(entry: LegendEntry, x: float, y: float) -> str:
    attrs = entry.style.attrs()
    if entry.shape == "point":
        return (f'<circle cx="{x + _SWATCH / 2:.1f}" cy="{y + 5:.1f}" '
                f'r="{min(entry.style.radius, 5):g}" {attrs}/>')
    if entry.shape == "line":
        return f'<path d="M{x:.1f},{y + 5:.1f}h{_SWATCH}" {attrs}/>'
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{_SWATCH}" height="10" {attrs}/>'


def _feature(feature: Feature, view: _View, tolerance: float) -> str:
    geom = feature.geometry
    title = f"<title>{escape(feature.title)}</title>" if feature.title else ""
    if isinstance(geom, Point):
        x, y = view.xy(geom.x, geom.y)
        out = (f'<g><circle cx="{x:.1f}" cy="{y:.1f}" r="{feature.style.radius:g}" '
               f'{feature.style.attrs()}>{title}</circle>')
        if feature.label:
            out += (f'<text x="{x + 5:.1f}" y="{y - 4:.1f}" font-size="11" '
                    f'font-family="{SVG_FAMILY}" fill="#111">{escape(feature.label)}</text>')
        return out + "</g>"
    geom = _simplify(geom, tolerance, preserve_topology=True)
    d = " ".join(_path(g, view) for g in _parts(geom))
    rule = ' fill-rule="evenodd"' if isinstance(geom, Polygon | MultiPolygon) else ""
    return f'<path d="{d}" {feature.style.attrs()}{rule}>{title}</path>'


def _parts(geom: Geometry) -> Iterable[Geometry]:
    if isinstance(geom, MultiPolygon | MultiLineString) or hasattr(geom, "geoms"):
        for g in geom.geoms:
            yield from _parts(g)
    else:
        yield geom


def _ring(coords: Iterable[tuple[float, ...]], view: _View, close: bool) -> str:
    pts = [view.xy(c[0], c[1]) for c in coords]
    if not pts:
        return ""
    body = "L".join(f"{x:.1f},{y:.1f}" for x, y in pts)
    return f"M{body}{'Z' if close else ''}"


def _path(geom: Geometry, view: _View) -> str:
    if isinstance(geom, Polygon):
        rings = [geom.exterior, *geom.interiors]
        return " ".join(_ring(r.coords, view, True) for r in rings)
    if isinstance(geom, LineString):
        return _ring(geom.coords, view, False)
    return ""


@dataclass(frozen=True)
class Text:
    """One ``<text>`` of a map, in the map's own units (``y`` is the baseline)."""

    x: float
    y: float
    size: float
    fill: str
    content: str


_SVG_NS = "http://www.w3.org/2000/svg"


def split_text(svg: str) -> tuple[str, float, list[Text]]:
    """``svg`` without its text, the width of its view box, and the text taken out.

    For a renderer that sets text better than it draws SVG text: fpdf2 neither shapes Arabic
    nor falls back to another font for characters the first one lacks, its own text engine does.
    """
    ET.register_namespace("", _SVG_NS)
    root = ET.fromstring(svg)
    texts = []
    for parent in root.iter():
        for child in [c for c in parent if c.tag == f"{{{_SVG_NS}}}text"]:
            texts.append(Text(float(child.get("x", 0)), float(child.get("y", 0)),
                              float(child.get("font-size", 11)), child.get("fill", "#000"),
                              "".join(child.itertext())))
            parent.remove(child)
    width = float(root.get("viewBox", "0 0 1 1").split()[2])
    return ET.tostring(root, encoding="unicode"), width, texts
