"""Turn Natural Earth countries (world-atlas TopoJSON) into ``data/borders/countries.geojson``.

Natural Earth draws Crimea inside Russia (its de-facto view). Corridor needs Ukraine's
internationally recognised territory, so the Russian polygon part that contains Simferopol is
moved to Ukraine. At 50m that part is a separate ring which shares its Perekop arc with Ukraine,
so the union is exact and no sliver appears.

Only the region around Ukraine is kept, and countries reaching beyond it (Russia, Kazakhstan,
Turkey) are clipped to :data:`REGION`, which keeps the file small. A clipped country therefore has
an artificial edge at the region's frame; the front line never runs there.

Run once, offline::

    python tools/borders_to_geojson.py path/to/countries-50m.json data/borders/countries.geojson
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box, mapping

#: ISO 3166-1 numeric (the world-atlas ``id``) to alpha-2, for the countries kept.
ISO_NUMERIC_TO_A2: dict[str, str] = {
    "804": "UA", "643": "RU", "112": "BY", "616": "PL", "703": "SK", "348": "HU", "642": "RO",
    "498": "MD", "440": "LT", "428": "LV", "233": "EE", "203": "CZ", "268": "GE", "792": "TR",
    "100": "BG", "688": "RS", "398": "KZ",
}

#: ``(min_lon, min_lat, max_lon, max_lat)`` of the region written out.
REGION: tuple[float, float, float, float] = (12.0, 40.0, 50.0, 62.0)

#: A point in Crimea (Simferopol); the Russian part containing it belongs to Ukraine.
CRIMEA_PROBE = Point(34.11079, 44.95719)

#: Decimal places written; 5 places is about 1 m, far below the 50m data's own accuracy.
PRECISION = 5

FloatArray = npt.NDArray[np.float64]


def _decode_arcs(topology: dict[str, Any]) -> list[FloatArray]:
    """Absolute lon/lat arcs from quantised, delta-encoded TopoJSON arcs."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        coords = np.asarray(arc, dtype=np.float64)
        if transform is not None:
            coords = np.cumsum(coords, axis=0) * transform["scale"] + transform["translate"]
        arcs.append(coords)
    return arcs


def _ring(arcs: list[FloatArray], indices: Sequence[int]) -> FloatArray:
    """Stitch arcs into one ring; a negative index ``~i`` walks arc ``i`` backwards."""
    parts: list[FloatArray] = []
    for i in indices:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(arc if not parts else arc[1:])
    return np.concatenate(parts)


def _polygons(arcs: list[FloatArray], geometry: dict[str, Any]) -> list[Polygon]:
    """The polygon parts of one TopoJSON geometry, skipping degenerate island rings."""
    polygons = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
    out = []
    for rings in polygons:
        exterior = _ring(arcs, rings[0])
        if len(exterior) < 4:
            continue
        holes = [h for h in (_ring(arcs, r) for r in rings[1:]) if len(h) >= 4]
        out.append(Polygon(exterior, holes))
    return out


def countries(topology: dict[str, Any]) -> dict[str, list[Polygon]]:
    """Polygon parts per alpha-2 code, for the countries in :data:`ISO_NUMERIC_TO_A2`."""
    arcs = _decode_arcs(topology)
    out: dict[str, list[Polygon]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = ISO_NUMERIC_TO_A2.get(str(geometry.get("id")))
        if code is not None:
            out[code] = _polygons(arcs, geometry)
    return out


def recognised_borders(parts: dict[str, list[Polygon]]) -> dict[str, MultiPolygon | Polygon]:
    """Move Crimea from Russia to Ukraine, clip to :data:`REGION`, dissolve each country."""
    crimea = [p for p in parts["RU"] if p.contains(CRIMEA_PROBE)]
    if len(crimea) != 1:
        raise SystemExit(f"expected one Russian part containing Crimea, found {len(crimea)}")
    parts = dict(parts)
    parts["RU"] = [p for p in parts["RU"] if p is not crimea[0]]
    parts["UA"] = [*parts["UA"], crimea[0]]
    frame = box(*REGION)
    out = {}
    for code, polys in parts.items():
        # Parts outside the region (some cross the antimeridian and are invalid) are never
        # touched by an overlay operation.
        inside = [shapely.intersection(p, frame) for p in polys if p.intersects(frame)]
        if inside:
            out[code] = shapely.union_all(inside)
    return out


def _rounded(geometry: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geometry, lambda c: np.round(c, PRECISION))


def feature_collection(geoms: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """Round, check validity and wrap as GeoJSON features."""
    features = []
    for code in sorted(geoms):
        geometry = _rounded(geoms[code])
        if not geometry.is_valid:
            raise SystemExit(f"{code}: invalid after rounding: {shapely.is_valid_reason(geometry)}")
        features.append({"type": "Feature",
                         "properties": {"iso_a2": code, "name": names[code]},
                         "geometry": mapping(geometry)})
    return {"type": "FeatureCollection", "features": features}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("topojson", type=Path, help="world-atlas countries-50m.json")
    parser.add_argument("output", type=Path, help="GeoJSON file to write")
    args = parser.parse_args(argv)
    topology = json.loads(args.topojson.read_text(encoding="utf-8"))
    names = {ISO_NUMERIC_TO_A2[str(g["id"])]: g["properties"]["name"]
             for g in topology["objects"]["countries"]["geometries"]
             if str(g.get("id")) in ISO_NUMERIC_TO_A2}
    collection = feature_collection(recognised_borders(countries(topology)), names)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{args.output}: {len(collection['features'])} countries, "
          f"{args.output.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
