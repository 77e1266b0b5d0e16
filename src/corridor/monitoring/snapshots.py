"""A posted snapshot turned into a dated snapshot of the scenario's timeline.

The service's world moves between dated situations the way ``--at`` moves a command's
(:meth:`World.move_to`), so a posted snapshot becomes one more entry of the scenario's
timeline. What the posted document leaves out is taken from the situation in force on its date
when it is posted; settlement statuses change only the settlements they name, so the file the
scenario reads is written again with them (into the service's own working directory).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path
from typing import Any

from corridor.errors import CorridorError, GazetteerError, StoreError
from corridor.geo import parse_area
from corridor.i18n import _
from corridor.scenario.schema import (
    Closure,
    ControlAreas,
    HazardArea,
    HolderArea,
    Scenario,
    SettlementControl,
    Snapshot,
)
from corridor.sources import read_sources
from corridor.world import World


def in_force(scenario: Scenario, day: dt.date) -> Scenario:
    """The scenario as of the timeline's latest snapshot on or before ``day`` (or undated)."""
    base = scenario.at(None)
    earlier = [d for d in base.dates if d <= day]
    return base.at(earlier[-1]) if earlier else base


def with_snapshot(scenario: Scenario, snapshot: Snapshot) -> Scenario:
    """The undated scenario with ``snapshot`` in its timeline, replacing one of the same date."""
    base = scenario.at(None)
    timeline = sorted([s for s in base.timeline if s.date != snapshot.date] + [snapshot],
                      key=lambda s: s.date)
    return base.model_copy(update={"timeline": timeline})


def _rings(geometry: dict[str, Any], field: str) -> list[list[tuple[float, float]]]:
    """The outer ring of each polygon; holes cannot be held by the scenario's areas."""
    area = parse_area(geometry, field=field)
    parts = list(getattr(area, "geoms", [area]))
    if any(len(p.interiors) for p in parts):
        raise StoreError(_("an area with holes cannot be used; give the area around the hole "
                           "as separate polygons"), field=f"{field}.coordinates")
    return [[(float(x), float(y)) for x, y in p.exterior.coords] for p in parts]


def _control_polygons(scenario: Scenario, layer: dict[str, Any]) -> list[HolderArea]:
    known = scenario.territory_labels
    out = []
    for i, feature in enumerate(layer["features"]):
        holder = feature["properties"]["holder"]
        if holder not in known:
            raise StoreError(_("unknown territory label {holder!r}; the scenario knows {known}")
                             .format(holder=holder, known=", ".join(sorted(known))),
                             field=f"control.features.{i}.properties.holder")
        out += [HolderArea(holder=holder, coordinates=ring)
                for ring in _rings(feature["geometry"], f"control.features.{i}.geometry")]
    return out


def _hazard_zones(layer: dict[str, Any]) -> list[HazardArea]:
    return [HazardArea.model_validate({"name": f["properties"]["name"],
                                       "risk": f["properties"]["risk"], "coordinates": ring})
            for i, f in enumerate(layer["features"])
            for ring in _rings(f["geometry"], f"hazards.features.{i}.geometry")]


def _closures(layer: dict[str, Any]) -> list[Closure]:
    return [Closure.model_validate({"name": f["properties"]["name"],
                                    "at": {"point": f["geometry"]["coordinates"]},
                                    "radius_m": f["properties"].get("radius_m", 200.0)})
            for f in layer["features"]]


def _settlements(world: World, before: Scenario, statuses: list[dict[str, Any]],
                 workdir: Path, name: str) -> SettlementControl:
    """The settlement control of ``before`` with the posted statuses written over it."""
    spec = before.control.settlements
    if spec is None:
        raise StoreError(_("the scenario places control by areas, not settlements, so it has "
                           "no settlement statuses to set; post control areas instead"),
                         field="settlements")
    rows = [{"name": s.name, "lat": s.lat, "lon": s.lon, "status": s.status}
            for s in read_sources(before).settlements or []]
    for i, posted in enumerate(statuses):
        if posted["status"] not in spec.status:
            raise StoreError(_("unknown status {status!r}; the scenario's settlement statuses "
                               "are {statuses}").format(
                                 status=posted["status"], statuses=", ".join(sorted(spec.status))),
                             field=f"settlements.{i}.status")
        _set_status(world, rows, posted, i)
    path = workdir / f"{name}.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["name", "lat", "lon", "status"])
        writer.writeheader()
        writer.writerows(rows)
    return SettlementControl(source=path, status=spec.status)


def _set_status(world: World, rows: list[dict[str, Any]], posted: dict[str, Any],
                index: int) -> None:
    named = [r for r in rows if r["name"] == posted["name"]]
    if posted.get("lon") is not None:
        named = [r for r in named if (r["lon"], r["lat"]) == (posted["lon"], posted["lat"])]
    if named:
        for row in named:
            row["status"] = posted["status"]
        return
    lonlat = (posted.get("lon"), posted.get("lat"))
    if lonlat[0] is None:
        try:
            place = world.gazetteer.resolve(posted["name"]).place
        except GazetteerError as exc:
            raise StoreError(_("not a settlement of the scenario, and {message}; give lon and "
                               "lat to add it").format(message=exc.message),
                             field=f"settlements.{index}.name") from exc
        lonlat = (place.lon, place.lat)
    rows.append({"name": posted["name"], "lon": lonlat[0], "lat": lonlat[1],
                 "status": posted["status"]})


def snapshot_of(world: World, situation_id: int, day: dt.date, payload: dict[str, Any],
                note: str, workdir: Path) -> Snapshot:
    """The timeline entry of a posted snapshot, checked against the scenario.

    Errors are :class:`StoreError` naming the posted document's field.
    """
    before = in_force(world.scenario, day)
    control = ControlAreas(settlements=before.control.settlements,
                           polygons=before.control.polygons)
    if "settlements" in payload:
        control = control.model_copy(update={"settlements": _settlements(
            world, before, payload["settlements"], workdir, f"situation-{situation_id}")})
    if "control" in payload:
        control = control.model_copy(update={
            "polygons": _control_polygons(before, payload["control"])})
    hazards = before.hazards
    if "hazards" in payload:
        hazards = hazards.model_copy(update={"zones": _hazard_zones(payload["hazards"])})
    closures = _closures(payload["closures"]) if "closures" in payload else before.closures
    return Snapshot(date=day, note=note, control=control, hazards=hazards, closures=closures)


#: A scenario field of a timeline entry, and the posted document's field it came from.
_POSTED_FIELD = [(re.compile(r"^hazards\.zones\[(\d+)\]"), r"hazards.features.\1"),
                 (re.compile(r"^closures\[(\d+)\]"), r"closures.features.\1"),
                 (re.compile(r"^control\.polygons\[(\d+)\]"), r"control.features.\1")]


def posted_error(exc: CorridorError) -> StoreError:
    """An error moving the world onto a posted snapshot, as a 4xx naming the posted field.

    The index of a zone split into several polygons is that of the scenario's list; the
    message says which zone.
    """
    field = exc.field or ""
    for pattern, replacement in _POSTED_FIELD:
        field = pattern.sub(replacement, field)
    return StoreError(exc.message, field=field or None)
