"""Areas and points from GIS files: control maps, hazard zones and closures as they arrive.

A control map drawn by a GIS desk arrives as GeoJSON, KML/KMZ from a shared map, a GeoPackage or
a (zipped) Shapefile, FlatGeobuf, or a CSV with WKT or lon/lat columns; GDAL reads them all, here
through ``pyogrio``. A layer is read whole and checked whole before anything uses it: every
feature has the expected geometry (polygons keep their holes), every ring is valid (or repaired
on request, saying how much area that changed), every label the scenario maps from a property is
known, and every position lands in lon/lat range once reprojected to WGS84. The first problem is
an error naming the file, the feature (0-based, in file order) and what was expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pyogrio
import pyogrio.errors
import pyproj
import shapely
from pyogrio import raw

from corridor.errors import SituationError
from corridor.geodesy import LocalProjection
from corridor.i18n import _
from corridor.situation.planar import polygonal

#: What a layer must hold: polygon kinds accept Polygon and MultiPolygon, point kinds Point and
#: MultiPoint (each part of a MultiPoint is its own point).
Kind = Literal["polygon", "point"]

_TYPE_IDS: dict[Kind, tuple[int, ...]] = {"polygon": (3, 6), "point": (0, 4)}
_EXPECTED: dict[Kind, str] = {"polygon": "Polygon or MultiPolygon", "point": "Point"}

#: CSV columns GDAL is told to read as geometry: WKT first, else lon/lat pairs.
_CSV_OPTIONS = {"GEOM_POSSIBLE_NAMES": "wkt,WKT,geometry,geom,the_geom",
                "X_POSSIBLE_NAMES": "lon,longitude,lng,x,X",
                "Y_POSSIBLE_NAMES": "lat,latitude,y,Y",
                "KEEP_GEOM_COLUMNS": "NO"}

#: Formats that hold one layer: asking GDAL for their layer list would parse a GeoJSON twice.
_SINGLE_LAYER = frozenset({".geojson", ".json", ".fgb", ".shp", ".csv"})

_READ_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
                pyogrio.errors.FieldError, pyogrio.errors.GeometryError,
                pyogrio.errors.FeatureError, pyogrio.errors.CRSError, OSError, ValueError)

_WGS84 = pyproj.CRS.from_epsg(4326)


@dataclass(frozen=True)
class FromProperty:
    """A label read from a feature property, mapped through ``values`` when given.

    Without ``values`` the property's text is the label (a zone's name, say); with it, a value
    missing from the map is an error, so a typo in the file cannot invent a new holder.
    """

    property: str
    values: Mapping[str, str] | None = None


#: A label given once for every feature, or read from each feature.
Label = str | FromProperty


@dataclass(frozen=True)
class FileLayer:
    """The features of one file, reprojected to lon/lat, with their labels and dates.

    ``geometries[i]``, ``labels[name][i]`` and ``dates[i]`` describe feature ``i`` of the file
    (for points, of the expanded MultiPoint parts); ``notes`` say what was repaired.
    """

    source: Path
    geometries: npt.NDArray[np.object_]
    labels: Mapping[str, tuple[str, ...]]
    dates: tuple[date | None, ...]
    notes: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.geometries)

    def on(self, day: date | None) -> FileLayer:
        """The features in force on ``day``.

        A dated layer holds one map per date: on ``day`` the map of the latest date not after
        it counts (``None``: the latest date of all); undated features count on every day.
        """
        dated = sorted({d for d in self.dates if d is not None})
        valid = [d for d in dated if day is None or d <= day]
        current = valid[-1] if valid else None
        keep = np.array([d is None or d == current for d in self.dates], dtype=bool)
        if keep.all():
            return self
        return FileLayer(self.source, self.geometries[keep],
                     {k: tuple(v for v, kept in zip(values, keep, strict=True) if kept)
                      for k, values in self.labels.items()},
                     tuple(d for d, kept in zip(self.dates, keep, strict=True) if kept),
                     self.notes)

    def grouped(self, label: str) -> dict[str, list[Any]]:
        """Geometries by the value of ``label``, in file order."""
        out: dict[str, list[Any]] = {}
        for value, geometry in zip(self.labels[label], self.geometries, strict=True):
            out.setdefault(value, []).append(geometry)
        return out


def read_layer(path: Path, *, kind: Kind, field: str, layer: str | None = None,
               labels: Mapping[str, Label] | None = None, date_property: str | None = None,
               repair: bool = False, crs: str | None = None) -> FileLayer:
    """Read and check one layer file.

    ``field`` is the scenario path that names the file, quoted in errors. ``labels`` maps each
    label name (``holder``, ``risk``, ``name``) to how it is found. ``date_property``, when
    given, is read as each feature's date (ISO ``YYYY-MM-DD`` text or a date field). ``crs``
    is used only when the file carries none (a CSV is read as WGS84 unless told otherwise).

    Raises :class:`~corridor.errors.SituationError` naming the file, the feature index and what
    was expected.
    """
    reader = _Reader(Path(path), kind, field)
    meta, wkb, columns = reader.read(layer)
    geometries = reader.geometries(wkb)
    source_crs = reader.crs(meta.get("crs") or crs or ("EPSG:4326" if reader.is_csv else None))
    notes: list[str] = []
    if kind == "polygon":
        geometries, note = reader.valid(geometries, repair=repair, crs=source_crs)
        notes += [note] if note else []
    geometries = reader.to_lonlat(geometries, source_crs)
    values = {name: reader.label(name, spec, columns, len(geometries))
              for name, spec in (labels or {}).items()}
    dates = reader.dates(date_property, columns) if date_property else (None,) * len(geometries)
    if kind == "point":
        geometries, values, dates = _explode_points(geometries, values, dates)
    return FileLayer(reader.path, geometries, values, dates, tuple(notes))


class _Reader:
    """The steps of :func:`read_layer`, each able to say which file and scenario field it read."""

    def __init__(self, path: Path, kind: Kind, field: str) -> None:
        self.path, self.kind, self.field = path, kind, field
        self.is_csv = path.suffix.lower() == ".csv"

    def fail(self, message: str, index: int | None = None) -> SituationError:
        where = _("feature {index}").format(index=index) if index is not None else None
        return SituationError(_("{message} (read for {field})").format(message=message,
                                                                       field=self.field),
                              source=self.path, field=where)

    def read(self, layer: str | None) -> tuple[dict[str, Any], npt.NDArray[np.object_],
                                               dict[str, npt.NDArray[Any]]]:
        if not self.path.is_file():
            raise self.fail(_("file not found"))
        options = _CSV_OPTIONS if self.is_csv else {}
        try:
            if layer is None and self.path.suffix.lower() not in _SINGLE_LAYER:
                names = [str(n) for n, _ in pyogrio.list_layers(self.path)]
                if len(names) > 1:
                    raise self.fail(_("the file holds {count} layers ({layers}); expected {key} "
                                      "naming one").format(count=len(names), key="'layer:'",
                                                           layers=", ".join(names)))
            meta, _fids, wkb, data = raw.read(self.path, layer=layer, **options)
        except _READ_ERRORS as exc:
            raise self.fail(_("cannot read it as a GIS layer: {error}; expected a file GDAL "
                              "reads (GeoJSON, KML/KMZ, GPKG, Shapefile or zipped Shapefile, "
                              "FlatGeobuf, CSV with WKT or lon/lat columns)").format(
                                error=exc)) from exc
        if not len(wkb):
            raise self.fail(_("the layer has no features; expected at least one {kind}").format(
                                kind=_EXPECTED[self.kind]))
        columns = {str(name): np.asarray(col) for name, col in zip(meta["fields"], data,
                                                                    strict=True)}
        return meta, wkb, columns

    def geometries(self, wkb: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
        missing = np.flatnonzero(np.array([g is None for g in wkb], dtype=bool))
        if len(missing):
            raise self.fail(_("no geometry; expected a {kind}").format(kind=_EXPECTED[self.kind]),
                            int(missing[0]))
        try:
            geometries = shapely.force_2d(shapely.from_wkb(wkb))
        except shapely.errors.GEOSException as exc:
            raise self.fail(_("unreadable geometry ({error})").format(error=exc)) from exc
        types = shapely.get_type_id(geometries)
        wrong = np.flatnonzero(~np.isin(types, _TYPE_IDS[self.kind]))
        if len(wrong):
            i = int(wrong[0])
            raise self.fail(_("a {found}, expected a {kind} ({n_wrong} of {n_features} "
                              "features are not)").format(
                found=geometries[i].geom_type, kind=_EXPECTED[self.kind], n_wrong=len(wrong),
                n_features=len(geometries)), i)
        empty = np.flatnonzero(shapely.is_empty(geometries))
        if len(empty):
            raise self.fail(_("empty geometry; expected a {kind}").format(
                                kind=_EXPECTED[self.kind]), int(empty[0]))
        return np.asarray(geometries)

    def crs(self, name: str | None) -> pyproj.CRS:
        if name is None:
            raise self.fail(_("the file names no coordinate reference system (a Shapefile "
                              "without a readable .prj, say); expected one, or {key} in the "
                              "scenario naming it, e.g. {example}").format(key="'crs:'",
                                                                          example="EPSG:4326"))
        try:
            return pyproj.CRS.from_user_input(name)
        except pyproj.exceptions.CRSError as exc:
            raise self.fail(_("unknown coordinate reference system {name!r}: {error}").format(
                                name=name, error=exc)) from exc

    def valid(self, geometries: npt.NDArray[np.object_], *, repair: bool, crs: pyproj.CRS,
              ) -> tuple[npt.NDArray[np.object_], str]:
        """The polygons, repaired with ``make_valid`` when asked; otherwise invalid is an error."""
        invalid = np.flatnonzero(~shapely.is_valid(geometries))
        if not len(invalid):
            return geometries, ""
        if not repair:
            i = int(invalid[0])
            raise self.fail(_("invalid polygon: {reason}; expected rings that do not cross "
                              "themselves or each other ({n_invalid} feature(s) are invalid; "
                              "{option} repairs them with make_valid)").format(
                reason=shapely.is_valid_reason(geometries[i]), n_invalid=len(invalid),
                option="'repair: true'"), i)
        repaired = geometries.copy()
        repaired[invalid] = [polygonal(shapely.make_valid(g)) for g in geometries[invalid]]
        gone = np.flatnonzero(shapely.is_empty(repaired))
        if len(gone):
            raise self.fail(_("invalid polygon that repairs to nothing (no area left)"),
                            int(gone[0]))
        before, after = (self.to_lonlat(g[invalid], crs) for g in (geometries, repaired))
        return repaired, _repair_note(self.path, invalid, before, after)

    def to_lonlat(self, geometries: npt.NDArray[np.object_],
                  crs: pyproj.CRS) -> npt.NDArray[np.object_]:
        out = geometries
        if not crs.equals(_WGS84, ignore_axis_order=True):
            transformer = pyproj.Transformer.from_crs(crs, _WGS84, always_xy=True)

            def forward(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
                return np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))

            out = np.asarray(shapely.transform(geometries, forward))
        bounds = shapely.bounds(out)
        bad = np.flatnonzero(~np.isfinite(bounds).all(axis=1)
                             | (bounds[:, 0] < -180) | (bounds[:, 2] > 180)
                             | (bounds[:, 1] < -90) | (bounds[:, 3] > 90))
        if len(bad):
            i = int(bad[0])
            raise self.fail(_("coordinates {bounds} lie outside longitude -180..180, latitude "
                              "-90..90 once read as {name}; expected the file's coordinate "
                              "reference system to match its coordinates").format(
                                bounds=_rounded(bounds[i]), name=crs.name), i)
        return out

    def label(self, name: str, spec: Label, columns: Mapping[str, npt.NDArray[Any]],
              count: int) -> tuple[str, ...]:
        if isinstance(spec, str):
            return (spec,) * count
        column = self._column(spec.property, columns, _("the {label}").format(label=name))
        out: list[str] = []
        for i, raw_value in enumerate(column):
            value = _text(raw_value)
            if value is None:
                raise self.fail(_("property {property!r} is empty; expected the {label}").format(
                                    property=spec.property, label=name), i)
            if spec.values is not None:
                if value not in spec.values:
                    raise self.fail(_("unknown value {value!r} of property {property!r}; "
                                      "expected one of {values}").format(
                        value=value, property=spec.property,
                        values=", ".join(map(repr, spec.values))), i)
                value = spec.values[value]
            out.append(value)
        return tuple(out)

    def dates(self, prop: str, columns: Mapping[str, npt.NDArray[Any]],
              ) -> tuple[date | None, ...]:
        out: list[date | None] = []
        for i, raw_value in enumerate(self._column(prop, columns, _("each feature's date"))):
            value = _date(raw_value)
            if value is None:
                raise self.fail(_("property {property!r} is {value!r}; expected a date "
                                  "(YYYY-MM-DD)").format(property=prop, value=_text(raw_value)),
                                i)
            out.append(value)
        return tuple(out)

    def _column(self, prop: str, columns: Mapping[str, npt.NDArray[Any]],
                what: str) -> npt.NDArray[Any]:
        if prop not in columns:
            known = ", ".join(map(repr, columns)) or _("none")
            raise self.fail(_("no property {property!r} to read {what} from; the layer's "
                              "properties are {known}").format(property=prop, what=what,
                                                               known=known))
        return columns[prop]


def _text(value: Any) -> str | None:
    """A property value as label text; ``None`` when it is missing."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _date(value: Any) -> date | None:
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else value.astype("datetime64[D]").item()
    text = _text(value)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text).date() if "T" in text else date.fromisoformat(text)
    except ValueError:
        return None


def _rounded(bounds: npt.NDArray[np.float64]) -> list[float]:
    return [round(float(v), 4) for v in bounds]


def _repair_note(path: Path, indices: npt.NDArray[np.intp], before: npt.NDArray[np.object_],
                 after: npt.NDArray[np.object_]) -> str:
    """How much area ``make_valid`` changed, measured in km² on a local plane.

    The area before is what the rings enclose as written (shell minus holes, by the shoelace
    formula), the figure a GIS program shows for them; GEOS leaves an invalid polygon's area
    undefined.
    """
    projection = LocalProjection.for_bounds(shapely.total_bounds(after))
    old = sum(_written_area(projection.to_metric(g, None)) for g in before) / 1e6
    new = float(sum(projection.to_metric(g).area for g in after)) / 1e6
    shown = ", ".join(str(int(i)) for i in indices[:10]) + (", ..." if len(indices) > 10 else "")
    return (f"{path.name}: repaired {len(indices)} invalid polygon(s) (feature {shown}); "
            f"their area changed by {new - old:+.3f} km² ({old:.3f} -> {new:.3f} km²)")


def _written_area(geometry: Any) -> float:
    """Shell minus holes of each polygon part, each ring's area by the shoelace formula."""
    total = 0.0
    for polygon in shapely.get_parts(geometry):
        rings = [polygon.exterior, *polygon.interiors]
        areas = [abs(float(np.sum(xy[:-1, 0] * xy[1:, 1] - xy[1:, 0] * xy[:-1, 1]))) / 2.0
                 for xy in (shapely.get_coordinates(r) for r in rings)]
        total += areas[0] - sum(areas[1:])
    return total


def _explode_points(geometries: npt.NDArray[np.object_], labels: dict[str, tuple[str, ...]],
                    dates: tuple[date | None, ...],
                    ) -> tuple[npt.NDArray[np.object_], dict[str, tuple[str, ...]],
                               tuple[date | None, ...]]:
    """MultiPoints as their points, each carrying its feature's labels and date."""
    parts, owner = shapely.get_parts(geometries, return_index=True)
    return (np.asarray(parts), {k: tuple(v[i] for i in owner) for k, v in labels.items()},
            tuple(dates[i] for i in owner))
