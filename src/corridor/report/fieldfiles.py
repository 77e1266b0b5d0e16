"""Routes for the field: GPX for drivers' devices, KML for shared maps, GeoPackage for GIS desks.

A convoy driver's navigator reads GPX 1.1, a liaison officer opens KML in whatever globe or map
app the office has, and a GIS desk wants a GeoPackage with one table per layer. All three are
written from one :class:`FieldMap` (routes with their named waypoints, areas, places), so the
three files never disagree. GPX goes through ``gpxpy``, the GeoPackage through ``pyogrio``
(GDAL), and KML is written as plain XML so each route can carry a style of its own. Every file
is written to a temporary name and renamed, so a failure never leaves half a file behind.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gpxpy.gpx
import numpy as np
import shapely
from pyogrio.errors import DataLayerError, DataSourceError, FieldError, GeometryError
from pyogrio.raw import write as ogr_write

from corridor.files import atomic_path, write_text_atomic
from corridor.i18n import _
from corridor.report.words import word
from corridor.styles import LAYERS, STATUS_COLOURS

#: A property value every format can carry.
Value = str | float | int | bool | None

#: Colour of a route by its status: a corridor's life-cycle status, or ``accepted`` (every
#: party's rules accept it) and ``rejected`` for a route judged but not yet tabled.
ROUTE_COLOURS = {**STATUS_COLOURS, "accepted": STATUS_COLOURS["open"]}
#: Fill of hazard zones in KML by risk level, from pale to strong.
RISK_COLOURS = {"low": "#f5b700", "medium": "#e8710a", "high": LAYERS["hazards"].fill}
_KML_NS = "http://www.opengis.net/kml/2.2"


@dataclass(frozen=True)
class Waypoint:
    """A named point of a route: ``kind`` is origin, via, checkpoint or destination."""

    name: str
    lon: float
    lat: float
    kind: str


@dataclass(frozen=True)
class FieldRoute:
    """A route to hand over: its line, its waypoints in route order, status and properties."""

    name: str
    line: Sequence[tuple[float, float]]
    waypoints: Sequence[Waypoint]
    status: str
    description: str = ""
    properties: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class FieldArea:
    """An area on the map: ``kind`` is control (``detail`` its holder) or hazard (its risk)."""

    name: str
    kind: str
    detail: str
    geometry: shapely.Geometry
    colour: str


@dataclass(frozen=True)
class FieldMap:
    """Everything the field files carry."""

    routes: Sequence[FieldRoute]
    areas: Sequence[FieldArea] = ()
    places: Sequence[Waypoint] = ()

    @property
    def all_places(self) -> list[Waypoint]:
        """The map's places, then every route waypoint not already among them, each once."""
        seen: dict[tuple[str, float, float], Waypoint] = {}
        for wp in [*self.places, *(w for r in self.routes for w in r.waypoints)]:
            seen.setdefault((wp.name, round(wp.lon, 6), round(wp.lat, 6)), wp)
        return list(seen.values())


# -- writing ---------------------------------------------------------------------------------


def write_field_files(fmap: FieldMap, *, gpx: Path | None = None, kml: Path | None = None,
                      gpkg: Path | None = None) -> list[Path]:
    """Write each requested format of ``fmap``; the paths written, in the order given."""
    writers: list[tuple[Path | None, Callable[[Path, FieldMap], None]]] = [
        (gpx, write_gpx), (kml, write_kml), (gpkg, write_gpkg)]
    written = []
    for path, writer in writers:
        if path is not None:
            writer(path, fmap)
            written.append(path)
    return written


def gpx_text(fmap: FieldMap) -> str:
    """GPX 1.1: every place as a waypoint, each route as a route of named points and a track."""
    doc = gpxpy.gpx.GPX()
    doc.creator = "corridor"
    for wp in fmap.all_places:
        doc.waypoints.append(gpxpy.gpx.GPXWaypoint(wp.lat, wp.lon, name=wp.name, type=wp.kind))
    for r in fmap.routes:
        route = gpxpy.gpx.GPXRoute(name=r.name, description=r.description or None)
        route.points = [gpxpy.gpx.GPXRoutePoint(wp.lat, wp.lon, name=wp.name, type=wp.kind)
                        for wp in r.waypoints]
        doc.routes.append(route)
        track = gpxpy.gpx.GPXTrack(name=r.name, description=_("{description} ({status})").format(
            description=r.description, status=word(r.status)))
        track.segments.append(gpxpy.gpx.GPXTrackSegment(
            [gpxpy.gpx.GPXTrackPoint(lat, lon) for lon, lat in r.line]))
        doc.tracks.append(track)
    return doc.to_xml(version="1.1")


def write_gpx(path: Path, fmap: FieldMap) -> None:
    """``fmap`` as a GPX 1.1 file (see :func:`gpx_text`)."""
    write_text_atomic(path, gpx_text(fmap))


def kml_text(fmap: FieldMap, title: str = "corridor") -> str:
    """KML 2.2 with folders routes, areas and places; routes styled by status, areas by kind."""
    root = ET.Element("kml", xmlns=_KML_NS)
    doc = ET.SubElement(root, "Document")
    ET.SubElement(doc, "name").text = title
    for status in sorted({r.status for r in fmap.routes}):
        _kml_style(doc, f"route-{status}", line=ROUTE_COLOURS.get(status, "#333333"), width=4)
    for colour in sorted({a.colour for a in fmap.areas}):
        _kml_style(doc, f"area-{colour.lstrip('#')}", line=colour, width=1, fill=colour)
    routes = _kml_folder(doc, "routes")
    for r in fmap.routes:
        mark = _placemark(routes, r.name, r.description, f"route-{r.status}",
                          {"status": r.status, **r.properties})
        _kml_line(mark, r.line)
    areas = _kml_folder(doc, "areas")
    for a in fmap.areas:
        mark = _placemark(areas, a.name, "", f"area-{a.colour.lstrip('#')}",
                          {"kind": a.kind, "detail": a.detail})
        _kml_area(mark, a.geometry)
    places = _kml_folder(doc, "places")
    for wp in fmap.all_places:
        mark = _placemark(places, wp.name, "", None, {"kind": wp.kind})
        ET.SubElement(ET.SubElement(mark, "Point"), "coordinates").text = f"{wp.lon},{wp.lat}"
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def write_kml(path: Path, fmap: FieldMap) -> None:
    """``fmap`` as a KML file (see :func:`kml_text`)."""
    write_text_atomic(path, kml_text(fmap, title=path.stem))


def write_gpkg(path: Path, fmap: FieldMap) -> None:
    """``fmap`` as a GeoPackage with the layers ``routes``, ``areas`` and ``places`` (WGS 84)."""
    route_fields = list(dict.fromkeys(k for r in fmap.routes for k in r.properties))
    places = fmap.all_places
    layers: list[tuple[str, str, list[Any], dict[str, list[Value]]]] = [
        ("routes", "LineString", [shapely.LineString(r.line) for r in fmap.routes],
         {"name": [r.name for r in fmap.routes], "status": [r.status for r in fmap.routes],
          "description": [r.description for r in fmap.routes],
          **{k: [r.properties.get(k) for r in fmap.routes] for k in route_fields}}),
        ("areas", "MultiPolygon", [_multi(a.geometry) for a in fmap.areas],
         {"name": [a.name for a in fmap.areas], "kind": [a.kind for a in fmap.areas],
          "detail": [a.detail for a in fmap.areas]}),
        ("places", "Point", [shapely.Point(wp.lon, wp.lat) for wp in places],
         {"name": [wp.name for wp in places], "kind": [wp.kind for wp in places]}),
    ]
    with atomic_path(path) as tmp:
        for layer, geometry_type, geometries, columns in layers:
            try:
                ogr_write(str(tmp), np.array(shapely.to_wkb(geometries),
                                             dtype=object).reshape(-1),
                          [_column(values) for values in columns.values()], list(columns),
                          layer=layer, driver="GPKG", geometry_type=geometry_type,
                          crs="EPSG:4326")
            except (DataSourceError, DataLayerError, FieldError, GeometryError) as exc:
                # GDAL's failures to write are I/O failures of this file, reported as such.
                raise OSError(_("cannot write {path} (layer {layer}): {error}").format(
                    path=path, layer=layer, error=exc)) from exc


# -- helpers -----------------------------------------------------------------------------------


def _column(values: list[Value]) -> np.ndarray[Any, Any]:
    """A GDAL column: numbers as float (missing ones NaN, written as null), else text."""
    if values and all((isinstance(v, int | float) and not isinstance(v, bool)) or v is None
                      for v in values) and any(v is not None for v in values):
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    return np.array([None if v is None else str(v) for v in values], dtype=object)


def _multi(geometry: shapely.Geometry) -> shapely.MultiPolygon:
    parts = shapely.get_parts(geometry)
    return shapely.MultiPolygon([p for p in parts if isinstance(p, shapely.Polygon)])


def _kml_colour(hex_colour: str, alpha: int) -> str:
    """``#rrggbb`` as KML's ``aabbggrr``."""
    rgb = hex_colour.lstrip("#")
    if len(rgb) == 3:
        rgb = "".join(c * 2 for c in rgb)
    return f"{alpha:02x}{rgb[4:6]}{rgb[2:4]}{rgb[0:2]}"


def _kml_style(doc: ET.Element, style_id: str, *, line: str, width: float,
               fill: str | None = None) -> None:
    style = ET.SubElement(doc, "Style", id=style_id)
    line_style = ET.SubElement(style, "LineStyle")
    ET.SubElement(line_style, "color").text = _kml_colour(line, 0xFF)
    ET.SubElement(line_style, "width").text = f"{width:g}"
    poly = ET.SubElement(style, "PolyStyle")
    ET.SubElement(poly, "color").text = _kml_colour(fill or line, 0x55)
    ET.SubElement(poly, "fill").text = "1" if fill else "0"


def _kml_folder(doc: ET.Element, name: str) -> ET.Element:
    folder = ET.SubElement(doc, "Folder")
    ET.SubElement(folder, "name").text = name
    return folder


def _placemark(folder: ET.Element, name: str, description: str, style: str | None,
               data: dict[str, Value]) -> ET.Element:
    mark = ET.SubElement(folder, "Placemark")
    ET.SubElement(mark, "name").text = name
    if description:
        ET.SubElement(mark, "description").text = description
    if style:
        ET.SubElement(mark, "styleUrl").text = f"#{style}"
    extended = ET.SubElement(mark, "ExtendedData")
    for key, value in data.items():
        if value is not None:
            ET.SubElement(ET.SubElement(extended, "Data", name=key), "value").text = str(value)
    return mark


def _coordinates(points: Sequence[tuple[float, float]] | np.ndarray[Any, Any]) -> str:
    return " ".join(f"{x:.6f},{y:.6f}" for x, y in points)


def _kml_line(parent: ET.Element, line: Sequence[tuple[float, float]]) -> None:
    element = ET.SubElement(parent, "LineString")
    ET.SubElement(element, "tessellate").text = "1"
    ET.SubElement(element, "coordinates").text = _coordinates(line)


def _kml_area(parent: ET.Element, geometry: shapely.Geometry) -> None:
    """Polygons (holes kept) under one MultiGeometry."""
    multi = ET.SubElement(parent, "MultiGeometry")
    for polygon in _multi(geometry).geoms:
        element = ET.SubElement(multi, "Polygon")
        rings = [("outerBoundaryIs", polygon.exterior),
                 *(("innerBoundaryIs", ring) for ring in polygon.interiors)]
        for tag, ring in rings:
            linear = ET.SubElement(ET.SubElement(element, tag), "LinearRing")
            ET.SubElement(linear, "coordinates").text = _coordinates(np.asarray(ring.coords))
