"""Who holds the ground: control areas from polygons, countries or settlement reports.

A control map is lon/lat polygons per holder label; front lines are where two holders' areas
touch. Settlement lists (the committed control CSV files) are turned into areas by Voronoi cells
measured on a plane, so cells are fair in kilometres.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely import STRtree
from shapely.geometry import MultiLineString, Polygon, box

from corridor.errors import SituationError
from corridor.gazetteer import CONFIDENCE_LEVELS
from corridor.geo import feature_collection, parse_area
from corridor.geodesy import LocalProjection
from corridor.i18n import _
from corridor.situation.planar import STUB_M, Area, LabelArray, on_plane, point_labels, polygonal

#: Settlement statuses of the committed control CSV files.
SETTLEMENT_STATUSES: tuple[str, ...] = ("ru", "contested", "ua")

#: Default reach of a settlement's control. The committed CSV lists a ring of Ukrainian-held
#: towns within about 40 km of the Russian-held area, and 90 % of its settlements have a
#: neighbour within 40 km, so beyond that distance the list says nothing and the default holds.
DEFAULT_MAX_CELL_KM = 40.0

#: Snapping distance when matching boundaries that were computed separately (projection round
#: trips leave nanometre noise); far below any map's accuracy.
_BOUNDARY_TOLERANCE_M = 1.0


@dataclass(frozen=True)
class Settlement:
    """A place whose control is reported: the unit of the committed control CSV files."""

    name: str
    lon: float
    lat: float
    status: str
    #: How sure the report is (``high``, ``medium``, ``low``); ``""`` where the file does not
    #: say. Uncertainty sweeps draw other statuses from it.
    confidence: str = ""


def read_settlements(path: Path, statuses: Collection[str] = SETTLEMENT_STATUSES, *,
                     as_of: date | None = None) -> list[Settlement]:
    """Settlements from a CSV with at least the columns ``name, lat, lon, status``.

    ``statuses`` lists the accepted status values; any other value is an error naming the line.
    An optional ``confidence`` column (``high``, ``medium``, ``low`` or empty) says how sure
    each report is.

    An optional ``date`` column (ISO ``YYYY-MM-DD``) lets one file describe several days: each
    row is a settlement's status from its date on, so on ``as_of`` a settlement has the status
    of its latest row not after that date (a row without a date holds from the start), and a
    settlement whose first row is later is left out. Without ``as_of``, each settlement's
    latest row counts.
    """
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = {"name", "lat", "lon", "status"} - set(reader.fieldnames or ())
            if missing:
                raise SituationError(_("missing column(s) {columns}").format(
                                         columns=", ".join(sorted(missing))),
                                     source=path, line=1)
            rows = [(_row_date(row, path=path, line=reader.line_num),
                     _settlement(row, statuses, path=path, line=reader.line_num),
                     reader.line_num) for row in reader]
    except OSError as exc:
        raise SituationError(_("cannot read settlement file: {reason}").format(
                                 reason=exc.strerror or exc),
                             source=path) from exc
    return _as_of(rows, as_of, path=path)


def _row_date(row: Mapping[str, str | None], *, path: Path, line: int) -> date | None:
    text = (row.get("date") or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SituationError(_("expected a date as YYYY-MM-DD, got {value!r}").format(value=text),
                             source=path,
                             line=line, field="date") from None


def _as_of(rows: Sequence[tuple[date | None, Settlement, int]], as_of: date | None, *,
           path: Path) -> list[Settlement]:
    """Each settlement's row valid on ``as_of``, in the order settlements first appear."""
    latest: dict[tuple[str, float, float], tuple[date, Settlement]] = {}
    seen: dict[tuple[str, float, float, date], int] = {}
    for day, settlement, line in rows:
        key = (settlement.name, settlement.lon, settlement.lat)
        since = day or date.min
        first = seen.setdefault((*key, since), line)
        if first != line:
            raise SituationError(_("{name!r} has two rows for {date} (first at line {first})")
                                 .format(name=settlement.name,
                                         date=day.isoformat() if day else _("no date"),
                                         first=first), source=path, line=line, field="date")
        if (as_of is None or since <= as_of) and (key not in latest or latest[key][0] < since):
            latest[key] = (since, settlement)
    return [settlement for _, settlement in latest.values()]


def _settlement(row: Mapping[str, str | None], statuses: Collection[str], *, path: Path,
                line: int) -> Settlement:
    status = (row["status"] or "").strip()
    if status not in statuses:
        raise SituationError(_("unknown status {status!r}; expected one of {statuses}").format(
                                 status=status, statuses=", ".join(sorted(statuses))),
                             source=path, line=line,
                             field="status")
    coords = {}
    for column, limit in (("lon", 180.0), ("lat", 90.0)):
        text = row[column] or ""
        try:
            value = float(text)
        except ValueError:
            raise SituationError(_("expected a number, got {value!r}").format(value=text),
                                 source=path, line=line,
                                 field=column) from None
        if not -limit <= value <= limit:
            raise SituationError(_("{value} is outside -{limit:g}..{limit:g}").format(
                                     value=value, limit=limit), source=path,
                                 line=line, field=column)
        coords[column] = value
    confidence = (row.get("confidence") or "").strip().lower()
    if confidence and confidence not in CONFIDENCE_LEVELS:
        raise SituationError(_("unknown confidence {confidence!r}; expected one of {levels} or "
                               "nothing").format(confidence=confidence,
                                                 levels=", ".join(CONFIDENCE_LEVELS)),
                             source=path,
                             line=line, field="confidence")
    return Settlement(name=(row["name"] or "").strip(), lon=coords["lon"], lat=coords["lat"],
                      status=status, confidence=confidence)


@dataclass(frozen=True, eq=False)
class ControlMap:
    """Who holds the ground: label -> lon/lat (multi)polygon, areas not overlapping.

    ``borders`` holds the international borders the map was built from (lines, or ``None``), so
    a front line can leave them out: a state border is a line of control only when the caller
    says so.
    """

    areas: Mapping[str, Area]
    borders: Any = None

    @property
    def labels(self) -> tuple[str, ...]:
        """Holder labels in map order; vectorised lookups return indices into this tuple."""
        return tuple(self.areas)

    @classmethod
    def from_polygons(cls, polygons: Mapping[str, object], *, field: str) -> ControlMap:
        """Explicit areas per holder, each a GeoJSON geometry or bare ``Polygon`` rings.

        ``field`` is the caller's path to the mapping (e.g. ``situation.control``); errors name
        ``field.<label>`` and the ring or position. Two holders may not claim the same ground.
        """
        return cls.from_areas({label: parse_area(geometry, field=f"{field}.{label}")
                               for label, geometry in polygons.items()}, field=field)

    @classmethod
    def from_areas(cls, areas: Mapping[str, Area], *, field: str) -> ControlMap:
        """Valid lon/lat areas per holder; two holders may not claim the same ground."""
        for (a, geom_a), (b, geom_b) in itertools.combinations(areas.items(), 2):
            if shapely.relate_pattern(geom_a, geom_b, "T********"):
                raise SituationError(_("the areas of {first!r} and {second!r} overlap").format(
                    first=a, second=b), field=f"{field}.{b}")
        return cls(areas)

    @classmethod
    def from_countries(cls, countries: Mapping[str, Area],
                       exclude: Collection[str] = ()) -> ControlMap:
        """Each country holds its own territory, except those listed in ``exclude``.

        An excluded country (the one whose ground is contested, to be filled by settlements or
        explicit polygons) still contributes its borders, so a front line drawn later can tell
        a state border from a line of contact.
        """
        areas = {code: geom for code, geom in countries.items() if code not in exclude}
        borders = shapely.union_all(shapely.boundary(list(countries.values())))
        return cls(areas, borders)

    @classmethod
    def from_settlements(cls, settlements: Sequence[Settlement], *,
                         status_labels: Mapping[str, str], base: Area, default_label: str,
                         max_cell_km: float = DEFAULT_MAX_CELL_KM) -> ControlMap:
        """Control of ``base`` (a country) inferred from the settlements' statuses.

        Each settlement holds its Voronoi cell (computed on a plane, so cells are fair in km),
        cut to ``max_cell_km`` around it and to ``base``. Ground beyond every cell goes to
        ``default_label`` (a settlement list only covers the areas someone reported on), except
        pockets between the cells: one smaller than a single settlement's reach that no
        ``default_label`` cell borders goes to the holder it shares the longest boundary with.
        ``status_labels`` maps each status to a holder label, e.g. ``{"ru": "RU", "ua": "UA",
        "contested": "contested"}``.
        """
        if not settlements:
            raise SituationError(_("no settlement to infer control from"), field="settlements")
        if max_cell_km <= 0:
            raise SituationError(_("must be positive, got {value}").format(
                                     value=max_cell_km), field="max_cell_km")
        unknown = sorted({s.status for s in settlements} - set(status_labels))
        if unknown:
            raise SituationError(_("no label given for status(es) {statuses}").format(
                                     statuses=", ".join(unknown)),
                                 field="status_labels")
        projection = LocalProjection.for_bounds(base.bounds)
        sites = _distinct_sites(settlements, projection)
        points = shapely.points(np.array([(x, y) for x, y, _ in sites]))
        cells = shapely.get_parts(shapely.voronoi_polygons(
            shapely.multipoints(points), extend_to=projection.to_metric(base), ordered=True))
        # A point within ``max_cell_km`` of any settlement is within it of its nearest one, so
        # cutting each holder's cells to the union of all discs equals cutting every cell to its
        # own disc, without cutting neighbouring cells separately (which leaves hairline slivers
        # between them). Cutting to ``base`` in lon/lat keeps the border's own vertices, which is
        # how a front line later recognises (and leaves out) the border.
        reach = shapely.intersection(base, projection.to_lonlat(shapely.union_all(
            shapely.buffer(points, max_cell_km * 1000.0, quad_segs=16))))
        holders = np.array([status_labels[status] for _, _, status in sites])
        areas = {str(label): polygonal(shapely.intersection(
                     projection.to_lonlat(shapely.union_all(cells[holders == label])), reach))
                 for label in dict.fromkeys(holders)}
        pockets: dict[str, list[Any]] = {}
        disc_m2 = math.pi * (max_cell_km * 1000.0) ** 2
        planar: dict[str, Area] = {}  # the holders' areas on the plane, once a pocket needs them
        # Where the settlements' reach covers the whole country, nothing is left over: the
        # difference is an empty polygon, which has no parts to assign.
        for part in shapely.get_parts(shapely.difference(base, reach)):
            if part.is_empty:
                continue
            on_plane = projection.to_metric(part)
            holder = default_label
            if on_plane.area < disc_m2:
                planar = planar or {label: projection.to_metric(area)
                                    for label, area in areas.items()}
                holder = _encloser(on_plane, planar, default_label)
            pockets.setdefault(holder, []).append(part)
        for label, parts in pockets.items():
            areas[label] = polygonal(shapely.union_all([areas.get(label, Polygon()), *parts]))
        return cls({label: geom for label, geom in areas.items() if not geom.is_empty})

    def overlaid_by(self, other: ControlMap) -> ControlMap:
        """The map with ``other``'s areas on top: where both say something, ``other`` wins.

        A label present in both keeps the union of its areas (occupied ground merges with the
        occupier's own state), and both maps' borders are kept.
        """
        cover = shapely.union_all(list(other.areas.values()))
        areas: dict[str, Area] = {}
        for label, geom in self.areas.items():
            rest = polygonal(shapely.difference(geom, cover))
            if not rest.is_empty:
                areas[label] = rest
        for label, geom in other.areas.items():
            areas[label] = polygonal(shapely.union(areas[label], geom)) if label in areas else geom
        known = [b for b in (self.borders, other.borders) if b is not None]
        return ControlMap(areas, shapely.union_all(known) if known else None)

    @cached_property
    def _parts(self) -> tuple[STRtree, npt.NDArray[np.int16]]:
        parts, owner = _explode(list(self.areas.values()))
        return STRtree(parts), owner

    def holder_indices(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> LabelArray:
        """Index into :attr:`labels` of the holder of each point; ``-1`` where nobody holds it."""
        tree, owner = self._parts
        return point_labels(tree, owner, shapely.points(np.asarray(lon, dtype=np.float64),
                                                         np.asarray(lat, dtype=np.float64)))

    def holder_at(self, lon: float, lat: float) -> str | None:
        """The label holding one point, or ``None`` outside every area."""
        index = int(self.holder_indices([lon], [lat])[0])
        return self.labels[index] if index >= 0 else None

    def front_line(self, pairs: Iterable[tuple[str, str]], *,
                   include_borders: bool = False) -> MultiLineString:
        """Where areas of the given label pairs touch, as lon/lat lines.

        ``pairs`` says which contacts count, e.g. ``[("UA", "RU"), ("UA", "contested")]``. The
        international borders in :attr:`borders` are left out unless ``include_borders`` (in
        2022 the UA-RU state border was itself a line of contact).
        """
        pairs = [(a, b) for a, b in pairs if a in self.areas and b in self.areas and a != b]
        if not pairs:
            return MultiLineString()
        involved = list(dict.fromkeys(label for pair in pairs for label in pair))
        projection = LocalProjection.for_bounds(
            shapely.total_bounds([self.areas[label] for label in involved]))
        metric = {label: on_plane(projection, self.areas[label]) for label in involved}
        lines = shapely.union_all([_shared_boundary(metric[a], metric[b]) for a, b in pairs])
        if self.borders is not None and not include_borders:
            borders = projection.to_metric(self.borders)
            lines = shapely.difference(lines, shapely.buffer(borders, STUB_M))
        return projection.to_lonlat(_lines(lines))

    def to_geojson(self) -> dict[str, Any]:
        """One feature per holder with property ``label``, for maps and the dashboard."""
        return feature_collection([(geom, {"label": label}) for label, geom in self.areas.items()])


def _distinct_sites(settlements: Sequence[Settlement],
                    projection: LocalProjection) -> list[tuple[float, float, str]]:
    """Planar sites, one per position.

    Voronoi needs distinct points, and two reports on one place must agree.
    """
    x, y = projection.forward([s.lon for s in settlements], [s.lat for s in settlements])
    sites: dict[tuple[float, float], tuple[str, str]] = {}
    for s, key in zip(settlements, zip(x.tolist(), y.tolist(), strict=True), strict=True):
        first = sites.setdefault(key, (s.name, s.status))
        if first[1] != s.status:
            raise SituationError(_("{name!r} and {other!r} share a position but have statuses "
                                   "{status!r} and {other_status!r}").format(
                name=s.name, other=first[0], status=s.status, other_status=first[1]),
                field="status")
    return [(x_, y_, status) for (x_, y_), (_, status) in sites.items()]


def _encloser(part: Polygon, areas: Mapping[str, Area], default_label: str) -> str:
    """Who holds ground beyond every settlement's reach.

    ``default_label`` if one of its cells borders it (or nothing does), else the neighbour along
    most of its boundary. ``part`` and ``areas`` are on the plane.
    """
    touching = {label: length for label, area in areas.items()
                if (length := shapely.length(_shared_boundary(part, area))) > 0}
    if not touching or default_label in touching:
        return default_label
    return max(touching, key=lambda label: touching[label])


def _shared_boundary(a: Area, b: Area) -> Any:
    """The part of ``a``'s boundary that ``b`` touches, tolerant of round-off between them."""
    x0, y0, x1, y1 = a.bounds
    t = 2 * _BOUNDARY_TOLERANCE_M
    near = shapely.intersection(b, box(x0 - t, y0 - t, x1 + t, y1 + t))
    return shapely.intersection(shapely.boundary(a),
                                shapely.buffer(near, _BOUNDARY_TOLERANCE_M))


def _lines(geometry: Any) -> MultiLineString:
    """Planar lines merged end to end, without the stubs the matching tolerance leaves."""
    merged = shapely.line_merge(shapely.union_all(
        [g for g in shapely.get_parts(geometry) if shapely.get_type_id(g) in (1, 5)]))
    return MultiLineString([g for g in shapely.get_parts(merged) if g.length > STUB_M])


def _explode(areas: Sequence[Area]) -> tuple[npt.NDArray[np.object_], LabelArray]:
    """Single polygons and the index of the area each came from."""
    parts, index = shapely.get_parts(np.asarray(areas, dtype=object), return_index=True)
    return parts, index.astype(np.int16)
