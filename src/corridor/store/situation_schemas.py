"""Documents of the monitoring part of the store: situation snapshots, alerts, acknowledgements.

A snapshot is posted as layers (GeoJSON FeatureCollections of control areas, hazard zones and
closures) and/or settlement statuses. Its shapes are checked here, each error naming the field
(``hazards.features.2.geometry.coordinates[0][3]``); whether the labels, statuses and places mean
something is the scenario's business and checked where the service applies the snapshot.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Self

from pydantic import Field, model_validator

from corridor.errors import SituationError, StoreError
from corridor.geo import parse_area
from corridor.i18n import _
from corridor.store.schemas import (
    AlertOut,
    Day,
    EntityId,
    Latitude,
    Longitude,
    Name,
    PartyId,
    Text,
    _In,
    _Out,
)

#: Features per layer, and positions over every layer of one snapshot: a country's front at
#: the detail of a daily map fits well within these; more is a mistake or an attack.
MAX_FEATURES = 2_000
MAX_POSITIONS = 200_000
#: Settlement statuses per snapshot: one more is still well within the body limit, so too many
#: is refused for what it is (422), not for its size.
MAX_SETTLEMENTS = 10_000

RiskName = Literal["low", "medium", "high"]
Label = Annotated[str, Field(min_length=1, max_length=64)]


class FeatureIn(_In):
    """A GeoJSON Feature; its geometry is checked by the layer that holds it."""

    type: Literal["Feature"]
    geometry: dict[str, Any]
    properties: dict[str, Any] = Field(default_factory=dict)
    id: str | int | None = None


class LayerIn(_In):
    """A GeoJSON FeatureCollection (RFC 7946), WGS 84 longitude/latitude."""

    type: Literal["FeatureCollection"]
    features: list[FeatureIn] = Field(max_length=MAX_FEATURES)


def _positions(value: object) -> int:
    """How many positions a GeoJSON coordinates array holds, counted without recursion."""
    count, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list) and item and isinstance(item[0], (int, float)):
            count += 1
        elif isinstance(item, list):
            stack.extend(item)
    return count


def _area(feature: FeatureIn, field: str) -> None:
    try:
        parse_area(feature.geometry, field=f"{field}.geometry")
    except SituationError as exc:
        raise StoreError(exc.message, field=exc.field) from exc


def _text(feature: FeatureIn, name: str, field: str, *, required: bool = True) -> str | None:
    value = feature.properties.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise StoreError(_("expected a {property} (text of 1 to 200 characters)").format(
            property=name),
                         field=f"{field}.properties.{name}")
    return value


def _point(feature: FeatureIn, field: str) -> None:
    geometry = feature.geometry
    where = f"{field}.geometry"
    if geometry.get("type") != "Point":
        raise StoreError(_("expected geometry type 'Point', got {type!r}").format(
            type=geometry.get("type")),
                         field=f"{where}.type")
    position = geometry.get("coordinates")
    if (not isinstance(position, list) or len(position) != 2
            or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in position)
            or not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90)):
        raise StoreError(_("expected [lon, lat] within -180..180 and -90..90"),
                         field=f"{where}.coordinates")


def _radius(feature: FeatureIn, field: str) -> None:
    radius = feature.properties.get("radius_m", 200.0)
    if not isinstance(radius, (int, float)) or isinstance(radius, bool) or not 0 < radius <= 50_000:
        raise StoreError(_("expected a radius in metres, more than 0 and at most 50000"),
                         field=f"{field}.properties.radius_m")


class SettlementStatusIn(_In):
    """A settlement's status as of the snapshot, by name; a point places an unlisted one."""

    name: Name
    status: Label
    lon: Longitude | None = None
    lat: Latitude | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> Self:
        if (self.lon is None) != (self.lat is None):
            raise ValueError(_("give both lon and lat, or neither"))
        return self


class SituationIn(_In):
    """A new picture of the ground, valid from ``effective`` until a later snapshot's date.

    Each layer given replaces that layer of the situation before it; a layer left out is kept.
    ``control`` areas carry ``properties.holder`` (a territory label), ``hazards`` zones
    ``properties.name`` and ``properties.risk`` (low, medium, high), ``closures`` points
    ``properties.name`` and optionally ``properties.radius_m``; ``settlements`` set statuses
    the scenario's settlement control reads (its ``status`` map).
    """

    effective: Day = Field(description="The day from which the snapshot holds")
    source: Annotated[str, Field(min_length=1, max_length=300)] = Field(
        description="Where the picture comes from: a map, a report, a liaison's call")
    note: Text = ""
    control: LayerIn | None = None
    hazards: LayerIn | None = None
    closures: LayerIn | None = None
    settlements: list[SettlementStatusIn] | None = Field(None, max_length=MAX_SETTLEMENTS)

    @model_validator(mode="after")
    def _layers(self) -> Self:
        if (self.control is None and self.hazards is None and self.closures is None
                and self.settlements is None):
            raise StoreError(_("a snapshot needs at least one of control, hazards, closures or "
                               "settlements"), field="control")
        total = sum(_positions(f.geometry.get("coordinates")) for layer in
                    (self.control, self.hazards, self.closures) if layer is not None
                    for f in layer.features)
        if total > MAX_POSITIONS:
            raise StoreError(_("the layers hold {total} positions; at most {limit} are accepted "
                               "in one snapshot").format(total=total, limit=MAX_POSITIONS),
                             field="control")
        for i, f in enumerate(self.control.features if self.control else []):
            _area(f, f"control.features.{i}")
            _text(f, "holder", f"control.features.{i}")
        for i, f in enumerate(self.hazards.features if self.hazards else []):
            _area(f, f"hazards.features.{i}")
            _text(f, "name", f"hazards.features.{i}")
            if f.properties.get("risk") not in ("low", "medium", "high"):
                raise StoreError(_("expected a risk: low, medium or high"),
                                 field=f"hazards.features.{i}.properties.risk")
        for i, f in enumerate(self.closures.features if self.closures else []):
            _point(f, f"closures.features.{i}")
            _text(f, "name", f"closures.features.{i}")
            _radius(f, f"closures.features.{i}")
        return self


    def payload(self) -> dict[str, Any]:
        """The layers as stored: what was posted besides the date, source and note."""
        return self.model_dump(mode="json", exclude={"effective", "source", "note"},
                               exclude_none=True)


class SituationOut(_Out):
    """A stored snapshot: who posted it when, from what source, for which day, and what."""

    id: int
    author: str
    source: str
    effective: dt.date
    note: str
    payload: dict[str, Any] = Field(description="The snapshot's layers as posted")
    created_at: dt.datetime


class SituationBrief(_Out):
    """A stored snapshot without its layers, for lists and the timeline."""

    id: int
    author: str
    source: str
    effective: dt.date
    note: str
    created_at: dt.datetime


class AlertAcknowledgementIn(_In):
    """A party's acknowledgement that it has seen an alert."""

    party_id: PartyId
    note: Text = ""


class SituationPosted(_Out):
    """What posting a snapshot did: the snapshot, the alerts raised and those cleared."""

    situation: SituationBrief
    current: bool = Field(description=(
        "Whether the snapshot is now the service's situation (false when a later one is in "
        "force: the snapshot is kept for the timeline and nothing is re-evaluated)"))
    evaluated: int = Field(description="Proposals, agreements and corridors re-evaluated")
    raised: list[AlertOut]
    cleared: list[EntityId]
