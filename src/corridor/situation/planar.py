"""Areas on a local plane: the shapes control and annotation both measure.

Overlays in lon/lat leave slivers, points and nanometre self-intersections; these helpers turn
what an overlay returns back into clean polygons and look up which area holds a point.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import shapely
from shapely import STRtree
from shapely.geometry import MultiPolygon, Polygon

from corridor.geodesy import LocalProjection

Area: TypeAlias = Polygon | MultiPolygon
FloatArray = npt.NDArray[np.float64]
LabelArray = npt.NDArray[np.int16]
IntArray = npt.NDArray[np.intp]

#: Planar lines shorter than this are artefacts of matching boundaries computed separately; a
#: border is removed from a front line, and a changed zone's edges looked up, with this margin.
STUB_M = 10.0


def on_plane(projection: LocalProjection, area: Any) -> Area:
    """An area projected for measuring.

    Vertices a hair apart in lon/lat (left by overlays) can swap sides on the plane; such
    nanometre self-intersections are repaired, not reported.
    """
    projected = projection.to_metric(area)
    return polygonal(projected if shapely.is_valid(projected) else shapely.make_valid(projected))


def polygonal(geometry: Any) -> Area:
    """Drop the points and lines an overlay can leave where areas only touch."""
    if isinstance(geometry, Polygon | MultiPolygon):
        return geometry
    polygons = [p for p in shapely.get_parts(geometry) if isinstance(p, Polygon | MultiPolygon)]
    if not polygons:
        return Polygon()
    return polygons[0] if len(polygons) == 1 else shapely.union_all(polygons)


def point_labels(tree: STRtree, owner: LabelArray,
                  points: npt.NDArray[np.object_]) -> LabelArray:
    """Owner of the polygon each point lies in (``-1``: none); on a shared edge either side."""
    out = np.full(len(points), -1, dtype=np.int16)
    point_idx, part_idx = tree.query(points, predicate="intersects")
    out[point_idx] = owner[part_idx]
    return out
