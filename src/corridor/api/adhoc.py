"""``GET /api/route``: an ad-hoc route on the scenario the service runs with, judged by every party.

The same answer as ``corridor route --json`` (:func:`corridor.negotiation.adhoc.adhoc_json`),
typed here for the OpenAPI document. Nothing is stored: a route worth negotiating is tabled as
a proposal.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from corridor.errors import ConflictError
from corridor.i18n import _
from corridor.negotiation.adhoc import MAX_ALTERNATIVES, RouteQuery, parse_place
from corridor.routing.weights import Mode
from corridor.store.engine import route_for_service
from corridor.store.models import User
from corridor.store.schemas import Error
from corridor.world import World

from .common import READ_ERRORS
from .map import scenario_world
from .policy import permit

router = APIRouter(tags=["route"])

_PLACE = ("A place name the scenario's gazetteer knows, or `LON,LAT` in decimal degrees")


class ReasonOut(BaseModel):
    """One rule's outcome: a stable code, its parameters and a message citing the specifics."""

    code: str
    params: dict[str, Any] = {}
    message: str


class VerdictOut(BaseModel):
    """A party's verdict: the violations when rejected, every rule's pass when accepted."""

    acceptable: bool
    reasons: list[ReasonOut]


class TerritoryOut(BaseModel):
    """A stretch of route in one territory (``label`` empty: outside every area)."""

    label: str
    km: float


class CrossingOut(BaseModel):
    """Where the route leaves one territory for another (``null``: outside every area)."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str | None = Field(alias="from")
    to: str | None


class CheckpointOut(BaseModel):
    """A scenario checkpoint the route passes, ``km`` along it."""

    name: str
    km: float


class LineOut(BaseModel):
    """The route as a GeoJSON LineString, lon/lat to 5 decimals."""

    type: Literal["LineString"]
    coordinates: list[tuple[float, float]]


class HeldExposureOut(BaseModel):
    """Km through ground held by a party other than the one holding the origin."""

    origin_holder: str = Field(description="The party holding the origin (the origin's own "
                                           "label where no party holds it)")
    risk: str = Field(description="The scenario's hazards.held_territory_risk")
    km: float
    by_territory: dict[str, float] = Field(description="Km per territory label")


class JudgedRouteOut(BaseModel):
    """A route with the summary a proposal gets and every party's verdict."""

    mode: str = Field(description="How it was routed, e.g. `safest, avoiding RU`")
    km: float
    hours: float
    exposure_km: float
    exposure_km_by_risk: dict[str, float]
    held_exposure: HeldExposureOut
    settlements: list[str]
    territories: list[TerritoryOut]
    roads: list[str]
    border_crossings: list[CrossingOut]
    checkpoints: list[CheckpointOut]
    verdicts: dict[str, VerdictOut] = Field(description="By party id")
    acceptable_to_all: bool
    line: LineOut


class RoutePlaceOut(BaseModel):
    """A place as asked for, and the road node it was pinned to."""

    role: Literal["origin", "via", "destination"]
    name: str
    resolved: str
    lon: float
    lat: float
    snapped_to: tuple[float, float] = Field(description="lon, lat of the road node")
    snap_km: float = Field(description="How far the place lies from that node")
    note: str


class RouteOut(BaseModel):
    """The route between the places asked for, its alternatives, how each place met the roads."""

    scenario: str
    data_note: str
    as_of: dt.date | None = Field(description=(
        "Date of the situation snapshot routed on; null for an undated scenario"))
    mode: Mode
    window: str | None
    exclude: list[str]
    avoid: str | None
    places: list[RoutePlaceOut]
    route: JudgedRouteOut
    alternatives: list[JudgedRouteOut]


@router.get("/api/route", responses={
    **READ_ERRORS, 409: {"model": Error, "description": "The service runs without a scenario"}})
def get_route(
    caller: Annotated[User, Depends(permit("route.query"))],
    world: Annotated[World | None, Depends(scenario_world)],
    origin: Annotated[str, Query(alias="from", min_length=1, max_length=200,
                                 description=_PLACE)],
    to: Annotated[str, Query(min_length=1, max_length=200, description=_PLACE)],
    via: Annotated[list[str] | None, Query(max_length=20, description=(
        "Places to pass, in order (repeat the parameter)"))] = None,
    mode: Mode = Mode.FASTEST,
    exclude: Annotated[list[str] | None, Query(max_length=20, description=(
        "Territory labels the route must not enter"))] = None,
    alternatives: Annotated[int, Query(ge=0, le=MAX_ALTERNATIVES)] = 0,
    window: Annotated[str | None, Query(max_length=100, description=(
        "A scenario window id to judge the route in"))] = None,
) -> RouteOut:
    """Route between places on the scenario's current situation; every party's verdict on it.

    An unknown place, window or territory, or places no road joins, is a 422 naming the field.
    """
    if world is None:
        raise ConflictError(_("the service runs without a scenario; start it with --scenario "
                              "to route"), field="from")
    query = RouteQuery(parse_place(origin), parse_place(to),
                       tuple(parse_place(v) for v in via or ()), mode, tuple(exclude or ()),
                       alternatives=alternatives, window=window)
    return RouteOut.model_validate(route_for_service(world, query))
