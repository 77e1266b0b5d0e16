"""Hazard zones: where travel is exposed to danger, at one of a few risk levels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import Polygon

from corridor.errors import SituationError
from corridor.geo import feature_collection, parse_area
from corridor.geodesy import LocalProjection
from corridor.i18n import _
from corridor.situation.control import ControlMap
from corridor.situation.planar import Area

#: Hazard risk levels, lowest first; ``exposure_km`` columns follow this order.
RISK_LEVELS: tuple[str, ...] = ("low", "medium", "high")


@dataclass(frozen=True)
class HazardZone:
    """An area where travel is exposed to danger at one of :data:`RISK_LEVELS`.

    Zones are equal when name, risk and geometry (vertex for vertex) are: a zone rebuilt from
    the same input is the same zone, so re-stating a situation re-measures nothing.
    """

    name: str
    risk: str
    geometry: Area

    def __post_init__(self) -> None:
        _check_risk(self.risk, field=f"hazard {self.name!r}.risk")

    @classmethod
    def from_geojson(cls, name: str, risk: str, geometry: object, *, field: str) -> HazardZone:
        """A zone from user input; errors name ``field.risk`` or ``field.geometry``."""
        _check_risk(risk, field=f"{field}.risk")
        return cls(name, risk, parse_area(geometry, field=f"{field}.geometry"))

    @property
    def risk_index(self) -> int:
        return RISK_LEVELS.index(self.risk)


def _check_risk(risk: str, *, field: str) -> None:
    if risk not in RISK_LEVELS:
        raise SituationError(_("unknown risk level {risk!r}; expected one of {levels}").format(
                                 risk=risk, levels=", ".join(RISK_LEVELS)), field=field)


def front_line_zone(line: Any, *, buffer_km: float, risk: str = "high",
                    name: str = "front line") -> HazardZone:
    """The band of ``buffer_km`` either side of a front line (artillery reach, say)."""
    if buffer_km <= 0:
        raise SituationError(_("must be positive, got {value}").format(value=buffer_km),
                             field="front_line_buffer_km")
    if line.is_empty:
        return HazardZone(name, risk, Polygon())
    projection = LocalProjection.for_bounds(line.bounds)
    band = shapely.buffer(projection.to_metric(line), buffer_km * 1000.0, quad_segs=8)
    return HazardZone(name, risk, projection.to_lonlat(band))


def contested_zone(control: ControlMap, *, label: str = "contested", risk: str = "medium",
                   name: str = "contested ground") -> HazardZone:
    """The area held by ``label`` as a hazard (empty if the map has no such area)."""
    return HazardZone(name, risk, control.areas.get(label, Polygon()))


def hazards_geojson(zones: Iterable[HazardZone]) -> dict[str, Any]:
    """Hazard zones as features with properties ``name`` and ``risk``."""
    return feature_collection([(z.geometry, {"name": z.name, "risk": z.risk}) for z in zones])


def front_line_geojson(line: Any) -> dict[str, Any]:
    """A front line as a single feature with ``kind: front_line`` and its length in km."""
    projection = LocalProjection.for_bounds(line.bounds) if not line.is_empty else None
    km = projection.to_metric(line).length / 1000.0 if projection else 0.0
    return feature_collection([(line, {"kind": "front_line", "length_km": round(km, 1)})])
