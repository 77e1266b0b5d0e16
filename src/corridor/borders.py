"""Country borders: the frame in which territory control is drawn.

A control map starts from states (each neighbour holds its own territory) and from the polygon of
the country whose ground is contested. The committed ``data/borders/countries.geojson`` carries
Ukraine within its internationally recognised borders; see its ``SOURCE.md``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from shapely.geometry import MultiPolygon, Polygon

from corridor.errors import SituationError
from corridor.geo import parse_area
from corridor.i18n import _


def load_countries(path: Path) -> dict[str, Polygon | MultiPolygon]:
    """Country polygons keyed by ISO 3166-1 alpha-2 code, from a GeoJSON FeatureCollection.

    Every feature needs a ``properties.iso_a2`` string and a valid Polygon or MultiPolygon
    geometry; a code appearing twice is an error rather than a silent overwrite.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SituationError(_("cannot read border file: {reason}").format(
                                 reason=exc.strerror or exc),
                             source=path) from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SituationError(_("not JSON: {reason}").format(reason=exc.msg), source=path,
                             line=exc.lineno) from exc
    if not isinstance(document, Mapping) or document.get("type") != "FeatureCollection":
        raise SituationError(_("expected a GeoJSON FeatureCollection"), source=path, field="type")
    features = document.get("features")
    if not isinstance(features, list):
        raise SituationError(_("expected a list of features"), source=path, field="features")
    countries: dict[str, Polygon | MultiPolygon] = {}
    for i, feature in enumerate(features):
        code = _country_code(feature, field=f"features[{i}]", source=path)
        if code in countries:
            raise SituationError(_("country {code!r} appears twice").format(code=code),
                                 source=path, field=f"features[{i}].properties.iso_a2")
        countries[code] = parse_area(feature.get("geometry"), field=f"features[{i}].geometry",
                                     source=path)
    if not countries:
        raise SituationError(_("the file holds no country"), source=path, field="features")
    return countries


def _country_code(feature: object, *, field: str, source: Path) -> str:
    if not isinstance(feature, Mapping):
        raise SituationError(_("expected a GeoJSON Feature object"), source=source, field=field)
    properties = feature.get("properties")
    code = properties.get("iso_a2") if isinstance(properties, Mapping) else None
    if not isinstance(code, str) or not code:
        raise SituationError(_("feature has no {key} country code").format(key="'iso_a2'"),
                             source=source, field=f"{field}.properties.iso_a2")
    return code
