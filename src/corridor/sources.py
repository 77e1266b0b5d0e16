"""The scenario's layer files read into situation inputs: control areas, hazard zones, closures.

Everywhere the scenario takes areas or points it takes either inline coordinates or a
``source:`` file (:class:`~corridor.scenario.schema.LayerSource`). :func:`read_sources` reads every
file the scenario names, before anything is built or cached from it, and merges them with the
inline entries in scenario order, so a bad file stops a run before it has written anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely

from corridor.scenario.schema import (
    ClosureLayer,
    HazardLayer,
    HolderLayer,
    LayerSource,
    PropertyText,
    PropertyValues,
    RiskValues,
    Scenario,
)
from corridor.situation import HazardZone, Settlement, read_settlements
from corridor.situation.layers import FileLayer, FromProperty, Kind, Label, read_layer


@dataclass(frozen=True)
class FileClosure:
    """A blocked spot read from a closure file; ``field`` names the file's scenario entry."""

    name: str
    lonlat: tuple[float, float]
    radius_m: float
    field: str


@dataclass
class Sources:
    """What the scenario's inline entries and layer files say, merged per kind."""

    control: dict[str, list[Any]] = field(default_factory=dict)
    hazards: list[HazardZone] = field(default_factory=list)
    closures: list[FileClosure] = field(default_factory=list)
    settlements: list[Settlement] | None = None
    notes: list[str] = field(default_factory=list)
    #: ``(field, file name, outline)`` of each hazard file: the convex hull of its zones, which
    #: must come within the snap limit of the roads like an inline zone.
    hazard_outlines: list[tuple[str, str, Any]] = field(default_factory=list)


def read_sources(sc: Scenario) -> Sources:
    """Read every layer file of ``sc`` and merge it with the inline areas and zones.

    Raises :class:`~corridor.errors.SituationError` naming the file, the feature and what was
    expected, or :class:`~corridor.errors.ScenarioError` for an inline ring.
    """
    out = Sources()
    for i, area in enumerate(sc.control.polygons):
        if isinstance(area, HolderLayer):
            layer = read_source(sc, area, kind="polygon", field=f"control.polygons[{i}]",
                                labels={"holder": _label(area.holder)})
            out.notes.extend(layer.notes)
            for holder, parts in layer.grouped("holder").items():
                out.control.setdefault(holder, []).extend(parts)
        else:
            out.control.setdefault(area.holder, []).append(shapely.Polygon(area.coordinates))
    for i, zone in enumerate(sc.hazards.zones):
        where = f"hazards.zones[{i}]"
        if isinstance(zone, HazardLayer):
            zones = _hazard_zones(sc, zone, where, out.notes)
            out.hazards.extend(zones)
            out.hazard_outlines.append((where, zone.source.name, shapely.convex_hull(
                shapely.geometrycollections([z.geometry for z in zones]))))
        else:
            out.hazards.append(HazardZone.from_geojson(
                zone.name, zone.risk.value, {"type": "Polygon", "coordinates": [zone.coordinates]},
                field=where))
    for i, closure in enumerate(sc.closures):
        if isinstance(closure, ClosureLayer):
            out.closures.extend(_closures(sc, closure, f"closures[{i}]"))
    out.settlements = _settlements(sc)
    return out


def read_source(sc: Scenario, spec: LayerSource, *, kind: Kind, field: str,
                labels: dict[str, Label] | None = None) -> FileLayer:
    """One layer file of the scenario, its path relative to the scenario file.

    A dated layer gives the map in force on the scenario's date (see :meth:`FileLayer.on`).
    """
    layer = read_layer(sc.path(spec.source), kind=kind, field=field, layer=spec.layer,
                       labels=labels, date_property=spec.date, repair=spec.repair, crs=spec.crs)
    return layer.on(sc.as_of) if spec.date else layer


def _label(spec: str | PropertyValues | PropertyText | RiskValues) -> Label:
    """The reader's form of a scenario label: fixed text, or a property and its value map."""
    if isinstance(spec, str):
        return spec
    if isinstance(spec, PropertyText):
        return FromProperty(spec.property)
    return FromProperty(spec.property, {k: str(v) for k, v in spec.values.items()})


def _names(spec: str | PropertyText | None) -> dict[str, Label]:
    """How each feature is named; without a name, the file name and feature number."""
    return {} if spec is None else {"name": _label(spec)}


def _default_names(layer: FileLayer, count: int) -> Sequence[str]:
    return layer.labels.get("name") or [f"{layer.source.name} #{i}" for i in range(count)]


def _hazard_zones(sc: Scenario, spec: HazardLayer, where: str,
                  notes: list[str]) -> list[HazardZone]:
    risk = spec.risk if isinstance(spec.risk, RiskValues) else spec.risk.value
    layer = read_source(sc, spec, kind="polygon", field=where,
                        labels={"risk": _label(risk), **_names(spec.name)})
    notes.extend(layer.notes)
    return [HazardZone(name, level, geometry) for name, level, geometry in
            zip(_default_names(layer, len(layer)), layer.labels["risk"], layer.geometries,
                strict=True)]


def _closures(sc: Scenario, spec: ClosureLayer, where: str) -> list[FileClosure]:
    layer = read_source(sc, spec, kind="point", field=where, labels=_names(spec.name))
    return [FileClosure(name, (point.x, point.y), spec.radius_m, f"{where} feature {i}")
            for i, (name, point) in enumerate(zip(_default_names(layer, len(layer)),
                                                  layer.geometries, strict=True))]


def _settlements(sc: Scenario) -> list[Settlement] | None:
    """Settlements with reported control: the committed CSV form, or any point layer."""
    spec = sc.control.settlements
    if spec is None:
        return None
    path = sc.path(spec.source)
    if path.suffix.lower() == ".csv":
        return read_settlements(path, statuses=list(spec.status), as_of=sc.as_of)
    layer = read_layer(path, kind="point", field="control.settlements", layer=spec.layer,
                       crs=spec.crs, labels={"name": FromProperty("name"), "status":
                                             FromProperty("status", {k: k for k in spec.status})})
    return [Settlement(name, point.x, point.y, status) for name, status, point in
            zip(layer.labels["name"], layer.labels["status"], layer.geometries, strict=True)]
