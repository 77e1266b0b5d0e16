"""GeoJSON in and out: user polygons become valid geometry, geometry becomes compact GeoJSON.

The parsers turn polygons from scenario and border files into valid geometry or a
:class:`~corridor.errors.SituationError` that points at the offending ring or position; the
writers round lon/lat to what the inputs can support. Measuring lives in
:mod:`corridor.geodesy`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping

from corridor.errors import SituationError
from corridor.i18n import _

FloatArray = npt.NDArray[np.float64]


#: Decimal places of exported lon/lat: 5 places is about 1 m, finer than any input here.
GEOJSON_PRECISION = 5


# -- GeoJSON in ----------------------------------------------------------------------------------
def parse_polygon(rings: object, *, field: str, source: str | Path | None = None) -> Polygon:
    """A valid polygon from GeoJSON ``Polygon`` coordinates: exterior ring first, then holes.

    Every ring must be a closed list of at least 4 ``[lon, lat]`` positions in range, and the
    polygon must not intersect itself; the error names ``field`` and the ring or position index.
    """
    if not isinstance(rings, Sequence) or isinstance(rings, str) or not rings:
        raise SituationError(_("expected a non-empty list of rings of [lon, lat] positions"),
                             source=source, field=field)
    parsed = [_parse_ring(ring, field=f"{field}[{i}]", source=source)
              for i, ring in enumerate(rings)]
    polygon = Polygon(parsed[0], parsed[1:])
    _require_valid(polygon, field=field, source=source)
    return polygon


def parse_area(geometry: object, *, field: str,
               source: str | Path | None = None) -> Polygon | MultiPolygon:
    """A valid (multi)polygon from a GeoJSON geometry object or bare ``Polygon`` coordinates.

    Accepts ``{"type": "Polygon" | "MultiPolygon", "coordinates": ...}`` or just the list of rings
    of one polygon, so scenario files can stay terse.
    """
    if not isinstance(geometry, Mapping):
        return parse_polygon(geometry, field=field, source=source)
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        return parse_polygon(coordinates, field=f"{field}.coordinates", source=source)
    if kind == "MultiPolygon":
        if not isinstance(coordinates, Sequence) or isinstance(coordinates, str) or not coordinates:
            raise SituationError(_("expected a non-empty list of polygons"),
                                 source=source, field=f"{field}.coordinates")
        multi = MultiPolygon([parse_polygon(p, field=f"{field}.coordinates[{i}]", source=source)
                              for i, p in enumerate(coordinates)])
        _require_valid(multi, field=field, source=source)
        return multi
    raise SituationError(_("expected geometry type {polygon} or {multipolygon}, got {kind!r}")
                         .format(polygon="'Polygon'", multipolygon="'MultiPolygon'", kind=kind),
                         source=source, field=f"{field}.type")


def _parse_ring(ring: object, *, field: str, source: str | Path | None) -> FloatArray:
    """One ring as an ``(n, 2)`` array, checked position by position for a precise message."""
    if not isinstance(ring, Sequence) or isinstance(ring, str):
        raise SituationError(_("expected a ring: a list of [lon, lat] positions"),
                             source=source, field=field)
    coords = np.empty((len(ring), 2), dtype=np.float64)
    for j, position in enumerate(ring):
        coords[j] = _parse_position(position, field=f"{field}[{j}]", source=source)
    if len(coords) < 4:
        raise SituationError(_("a ring needs at least 4 positions (a closed triangle), got "
                               "{count}").format(count=len(coords)), source=source, field=field)
    if not np.array_equal(coords[0], coords[-1]):
        raise SituationError(_("ring is not closed: first position {first} differs from last "
                               "{last}").format(first=coords[0].tolist(), last=coords[-1].tolist()),
                             source=source, field=field)
    return coords


def _parse_position(position: object, *, field: str,
                    source: str | Path | None) -> tuple[float, float]:
    if (not isinstance(position, Sequence) or isinstance(position, str)
            or len(position) not in (2, 3)
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position)):
        raise SituationError(_("expected a [lon, lat] position of numbers, got {position!r}")
                             .format(position=position),
                             source=source, field=field)
    lon, lat = float(position[0]), float(position[1])
    if not -180.0 <= lon <= 180.0:
        raise SituationError(_("longitude {lon} is outside -180..180").format(lon=lon),
                             source=source, field=field)
    if not -90.0 <= lat <= 90.0:
        raise SituationError(_("latitude {lat} is outside -90..90").format(lat=lat),
                             source=source, field=field)
    return lon, lat


def _require_valid(geometry: Any, *, field: str, source: str | Path | None) -> None:
    if not shapely.is_valid(geometry):
        raise SituationError(_("invalid polygon: {reason}").format(
                                 reason=shapely.is_valid_reason(geometry)),
                             source=source, field=field)


# -- GeoJSON out ---------------------------------------------------------------------------------
def geojson_geometry(geometry: Any, precision: int = GEOJSON_PRECISION) -> dict[str, Any]:
    """A lon/lat geometry as a GeoJSON mapping with coordinates rounded to ``precision`` places."""
    rounded = shapely.transform(geometry, lambda c: np.round(c, precision))
    as_dict: dict[str, Any] = _as_lists(mapping(rounded))
    return as_dict


def feature_collection(features: Sequence[tuple[Any, Mapping[str, Any]]],
                       precision: int = GEOJSON_PRECISION) -> dict[str, Any]:
    """A GeoJSON FeatureCollection from ``(lon/lat geometry, properties)`` pairs."""
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": dict(properties),
                          "geometry": geojson_geometry(geometry, precision)}
                         for geometry, properties in features]}


def _as_lists(value: Any) -> Any:
    """Shapely's mapping uses tuples; plain lists compare equal to re-read JSON."""
    if isinstance(value, dict):
        return {k: _as_lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_as_lists(v) for v in value]
    return value
