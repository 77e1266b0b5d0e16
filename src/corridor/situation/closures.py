"""Closures: roads no vehicle may use, near a blocked spot or on a closed OSM way."""

from __future__ import annotations

from dataclasses import dataclass, field

from corridor.errors import SituationError
from corridor.i18n import _


@dataclass(frozen=True)
class PointClosure:
    """A blocked spot (a destroyed bridge, a checkpoint): every edge within ``radius_m``."""

    name: str
    lon: float
    lat: float
    radius_m: float

    def __post_init__(self) -> None:
        where = f"closure {self.name!r}"
        if not -180.0 <= self.lon <= 180.0:
            raise SituationError(_("longitude {lon} is outside -180..180").format(lon=self.lon),
                                 field=f"{where}.lon")
        if not -90.0 <= self.lat <= 90.0:
            raise SituationError(_("latitude {lat} is outside -90..90").format(lat=self.lat),
                                 field=f"{where}.lat")
        if not self.radius_m > 0:
            raise SituationError(_("radius must be positive, got {value}").format(
                                     value=self.radius_m),
                                 field=f"{where}.radius_m")


@dataclass(frozen=True)
class Closures:
    """Edges no vehicle may use: near blocked points, or on closed OSM ways."""

    points: tuple[PointClosure, ...] = ()
    way_ids: frozenset[int] = field(default_factory=frozenset)
