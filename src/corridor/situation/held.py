"""Exposure through ground held by a party other than the one holding a corridor's origin.

Beyond hazard zones, a convoy driving through the other side's ground meets its checkpoints:
filtration, detention, vehicles turned back. That risk depends on who holds the origin, not on
where the shelling is, so it is measured per origin holder: the km each edge spends in
territory any other party holds. Ground no party holds (contested ground, a neutral state)
does not count: contested ground is a hazard zone of its own, a neutral state a border.

The origin's *own area* is the connected part of its holder's ground that contains it; a
``no_transit`` rule may leave it out, so a convoy from an enclave may drive out of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry import Polygon

from corridor.i18n import _, format_decimal
from corridor.situation.annotation import Situation, km_inside
from corridor.situation.control import ControlMap
from corridor.situation.planar import Area, FloatArray, IntArray, polygonal
from corridor.wording import risk

#: Km through the other side's ground that summaries report as none: a road running along a
#: boundary drawn from settlement points picks up slivers of that size, not a checkpoint.
NEGLIGIBLE_KM = 0.05


@dataclass(frozen=True)
class HeldTerritory:
    """Whose ground counts as the other side's, seen from one origin.

    ``origin_holder`` is the party holding the origin (the origin's own label where no party
    holds it); ``labels`` are the territory labels other parties hold; a km through them counts
    as exposure at risk level ``risk``.
    """

    origin_holder: str
    labels: tuple[str, ...]
    risk: str

    @classmethod
    def seen_from(cls, origin_label: str, holders: Mapping[str, str], risk: str,
                  ) -> HeldTerritory:
        """The other side's ground for an origin on ``origin_label``.

        ``holders`` maps each party-held territory label to its party id.
        """
        return cls.against(holders.get(origin_label, origin_label), holders, risk)

    @classmethod
    def against(cls, origin_holder: str, holders: Mapping[str, str], risk: str,
                ) -> HeldTerritory:
        """The ground every party but ``origin_holder`` holds (``holders``: label -> party)."""
        others = tuple(sorted(label for label, party in holders.items() if party != origin_holder))
        return cls(origin_holder, others, risk)

    def _columns(self, situation: Situation) -> list[int]:
        return [i for i in (situation.territory_index(label) for label in self.labels) if i >= 0]

    def edge_km(self, situation: Situation) -> FloatArray:
        """Km of every edge inside the other side's ground, in one pass over the table."""
        km: FloatArray = situation.territory_km[:, self._columns(situation)].sum(axis=1)
        return km

    def along(self, situation: Situation, edges: IntArray) -> HeldExposure:
        """The exposure of a route (its edge ids) through the other side's ground."""
        columns = self._columns(situation)
        km = situation.territory_km[edges][:, columns].sum(axis=0)
        by_territory = {situation.territories[c]: float(k)
                        for c, k in zip(columns, km, strict=True) if k > 0}
        return HeldExposure(self.origin_holder, self.risk, float(km.sum()), by_territory)


@dataclass(frozen=True)
class HeldExposure:
    """Km a route spends in the other side's ground, per territory label."""

    origin_holder: str
    risk: str
    km: float
    by_territory: dict[str, float] = field(default_factory=dict)

    @property
    def negligible(self) -> bool:
        """Less than a road's width in total: a route that merely touches the boundary."""
        return self.km < NEGLIGIBLE_KM

    def describe(self) -> str:
        """In words for tables, reports and sheets, in the active language.

        For example "12 km through the other side's ground (RU-held, medium risk)".
        """
        if self.negligible:
            return _("none through the other side's ground")
        return _("{km} km through the other side's ground ({where}, {risk} risk)").format(
            km=format_decimal(self.km, 0), where=", ".join(self.by_territory),
            risk=risk(self.risk))

    def short(self) -> str:
        """For a table cell: km and whose ground, e.g. ``12.0 (RU-held)``."""
        if self.negligible:
            return format_decimal(0.0, 1)
        return f"{format_decimal(self.km, 1)} ({', '.join(self.by_territory)})"

    def to_dict(self, digits: int = 3) -> dict[str, Any]:
        """The JSON form every route summary carries as ``held_exposure``."""
        return {"origin_holder": self.origin_holder, "risk": self.risk,
                "km": round(self.km, digits),
                "by_territory": {k: round(v, digits) for k, v in self.by_territory.items()}}


def own_area(control: ControlMap, labels: list[str], lon: float, lat: float) -> Area:
    """The connected part of the ground held under ``labels`` that contains the point.

    Empty where the point lies outside it (an origin off the map holds no area).
    """
    areas = [control.areas[label] for label in labels if label in control.areas]
    point = shapely.Point(lon, lat)
    for part in shapely.get_parts(polygonal(shapely.union_all(areas))) if areas else []:
        if shapely.intersects(part, point):
            return polygonal(part)
    return Polygon()


def km_in_own_area(situation: Situation, control: ControlMap, area: Area, edges: IntArray,
                   ) -> dict[str, float]:
    """Km of a route (its edge ids) inside ``area``, per territory label sharing it."""
    labels = [label for label in situation.territories
              if label in control.areas and shapely.intersects(control.areas[label], area)]
    if area.is_empty or not labels or len(edges) == 0:
        return {}
    parts = [shapely.intersection(control.areas[label], area) for label in labels]
    km = km_inside(situation.network, parts, edges).sum(axis=0)
    return {label: float(k) for label, k in zip(labels, km, strict=True) if k > 0}
