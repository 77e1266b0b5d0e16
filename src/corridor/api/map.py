"""The operational picture for the dashboard's map, and the printable corridor sheets.

Base layers (borders, control, hazards, front line, roads) come from the scenario the server was
started with (:mod:`corridor.report.layers`) and are computed once. Corridors, convoy positions
and incidents are read from the store on every request (:mod:`corridor.store.queries`), so the
map is as current as the event stream that prompts its refresh.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from corridor import styles
from corridor.errors import StoreError
from corridor.i18n import _
from corridor.report.fieldfiles import gpx_text, kml_text
from corridor.report.fieldmap import dossier_field_map
from corridor.report.layers import ScenarioLayers
from corridor.report.sheet import (
    Dossier,
    build_dossier,
    render_sheet_html,
    render_sheet_pdf,
)
from corridor.store import queries
from corridor.store.coordination import TRANSITIONS
from corridor.store.db import Database
from corridor.store.schemas import Error, Timestamp
from corridor.world import World

from .basemap import BASEMAP_URL
from .common import DB, READ_ERRORS, IdPath
from .policy import Reader

router = APIRouter(tags=["map"])
sheets = APIRouter(prefix="/sheets", tags=["sheets"])


class FeatureCollection(BaseModel):
    """A GeoJSON FeatureCollection (RFC 7946) in WGS 84 longitude/latitude."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[dict[str, Any]]


class StyleOut(BaseModel):
    """Stroke and fill of a layer, named as in SVG (``dash`` is a ``stroke-dasharray``)."""

    stroke: str
    stroke_width: float
    fill: str
    fill_opacity: float
    dash: str | None
    radius: float


class LegendItem(BaseModel):
    """One holder of ground: what the legend says, the labels it holds, and their fill."""

    name: str
    labels: list[str]
    colour: str


def _styles() -> dict[str, StyleOut]:
    drawn = {**styles.LAYERS, **{f"road_{cls}": s for cls, s in styles.ROADS.items()}}
    return {name: StyleOut(**style.as_dict()) for name, style in drawn.items()}


class Setting(BaseModel):
    """What the dashboard takes from the scenario besides its layers: its clock and examples.

    Taken from the scenario, they keep anything on the screen from assuming one place.
    """

    timezone: str | None = Field(
        description="The scenario's IANA time zone: the dashboard shows and asks for every time "
                    "in it; null without a scenario (the viewer's own zone is used)")
    origins: list[str] = Field(description="The scenario's origins, for examples in forms")
    destinations: list[str] = Field(description="The scenario's destinations, likewise")

    @classmethod
    def of(cls, world: World | None) -> Setting:
        """The setting of the scenario the service runs with, or neutral defaults without one."""
        if world is None:
            return cls(timezone=None, origins=[], destinations=[])
        scenario = world.scenario
        return cls(timezone=scenario.timezone,
                   origins=[o.name for o in scenario.places.origins],
                   destinations=[d.name for d in scenario.places.destinations])


class MapOut(BaseModel):
    """Every layer of the map; the scenario layers are empty when no scenario was loaded."""

    setting: Setting
    data_note: str = Field(description="Schematic warning and attribution, to show on the map")
    bbox: tuple[float, float, float, float] | None = Field(
        description="min lon, min lat, max lon, max lat of the scenario's network")
    basemap: str | None = Field(None, description=(
        "URL of the basemap's PMTiles file (roads, places, borders, water, land use), read by "
        "range requests; null when the server has none"))
    status_colours: dict[str, str] = Field(description="Corridor colour by status")
    territory_colours: dict[str, str] = Field(description=(
        "Fill of control areas by label, from the scenario's palette (one colour per party "
        "holding ground, and contested ground); labels nobody holds are absent: not filled"))
    legend: list[LegendItem] = Field(description=(
        "Who holds ground, in the order and words of the reports' legends"))
    styles: dict[str, StyleOut] = Field(description=(
        "How each layer is drawn on the reports' maps, by layer name; the roads by class "
        "under `road_<class>`"))
    status_transitions: dict[str, list[str]] = Field(
        description="Statuses a corridor may move to, by its current status")
    countries: FeatureCollection
    control: FeatureCollection
    hazards: FeatureCollection
    front_line: FeatureCollection
    roads: FeatureCollection
    closures: FeatureCollection = Field(description=(
        "Blocked spots (points with `name`, `radius_m`) and every closed road (one "
        "MultiLineString, `name: closed roads`)"))
    checkpoints: FeatureCollection = Field(description=(
        "Checkpoints (points with `name`, `minutes_per_vehicle`, `lanes`)"))
    corridors: FeatureCollection
    convoys: FeatureCollection
    incidents: FeatureCollection


def install(app: FastAPI, scenario: Path | None) -> None:
    """Load the scenario's layers and add the map and sheet routes to ``app``."""
    base = ScenarioLayers.load(scenario)
    app.state.scenario_layers = base
    # Validated once here, not on every request: they do not change while the server runs.
    app.state.base_layers = {k: FeatureCollection.model_validate(v) for k, v in base.layers.items()}
    app.state.setting = Setting.of(base.world)
    app.include_router(router)
    app.include_router(sheets)


def _scenario(request: Request) -> ScenarioLayers:
    layers: ScenarioLayers = request.app.state.scenario_layers
    return layers


def scenario_world(request: Request) -> World | None:
    """The world of the scenario the server runs with, which routes and judges proposals."""
    return _scenario(request).world


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        min_lon, min_lat, max_lon, max_lat = (float(part) for part in text.split(","))
    except ValueError as exc:
        raise StoreError(_("bbox is four numbers: min lon, min lat, max lon, max lat"),
                         field="bbox") from exc
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise StoreError(_("bbox must run west to east and south to north within "
                           "-180..180 and -90..90"), field="bbox")
    return min_lon, min_lat, max_lon, max_lat


def map_filter(
    bbox: Annotated[str | None, Query(
        max_length=100, examples=["33.5,46.5,38.0,48.5"],
        description="Only what lies in min lon, min lat, max lon, max lat (WGS 84)")] = None,
    since: Annotated[Timestamp | None, Query(
        description="Only incidents and convoy reports from this time on")] = None,
    until: Annotated[Timestamp | None, Query(
        description="Only incidents and convoy reports up to this time; convoys are shown "
                    "where they were then")] = None,
) -> queries.MapFilter:
    """The map's query parameters, checked: a box running west to east, a span forwards."""
    if since is not None and until is not None and until < since:
        raise StoreError(_("until must not be before since"), field="until")
    return queries.MapFilter(bbox=_bbox(bbox), since=since, until=until)


@router.get("/api/map", responses=READ_ERRORS)
def get_map(request: Request, db: DB, _: Reader,
            where: Annotated[queries.MapFilter, Depends(map_filter)]) -> MapOut:
    """Base layers of the scenario, corridors by status, convoys' last positions, incidents.

    The live layers only within ``bbox`` and between ``since`` and ``until`` when given.
    """
    base = _scenario(request)
    with db.read() as session:
        live = queries.live_features(session, where)
    return MapOut(
        setting=request.app.state.setting, data_note=base.data_note, bbox=base.bbox,
        basemap=BASEMAP_URL if request.app.state.basemap else None,
        status_colours=styles.STATUS_COLOURS, territory_colours=base.territory_colours,
        legend=base.legend, styles=_styles(),
        status_transitions={k: list(v) for k, v in TRANSITIONS.items()},
        **request.app.state.base_layers,
        **{name: FeatureCollection(features=features) for name, features in live.items()},
    )


def _dossier(request: Request, db: Database, proposal_id: int) -> tuple[Dossier, World | None]:
    world = _scenario(request).world
    with db.read() as session:
        record = queries.proposal_record(session, proposal_id)
    return build_dossier(record, world), world


@router.get("/api/map/proposals/{proposal_id}", responses=READ_ERRORS)
def get_dossier(proposal_id: IdPath, request: Request, db: DB, _: Reader) -> Dossier:
    """A proposal with its route described, positions, agreements, corridors and movements."""
    return _dossier(request, db, proposal_id)[0]


# -- sheets ----------------------------------------------------------------------------------

_PDF_ANSWERS: dict[int | str, dict[str, Any]] = {
    **READ_ERRORS, 200: {"content": {"application/pdf": {"schema": {
        "type": "string", "format": "binary"}}}, "description": "The sheet, A4"}}
# As for the PDF, only the 200 answer is HTML; the errors stay JSON (``Error``).
_HTML_ANSWERS: dict[int | str, dict[str, Any]] = {
    **READ_ERRORS, 200: {"content": {"text/html": {"schema": {"type": "string"}}},
                         "description": "The sheet as a self-contained page, print CSS"}}


def _pdf(request: Request, db: Database, proposal_id: int, name: str) -> Response:
    dossier, world = _dossier(request, db, proposal_id)
    pdf = render_sheet_pdf(dossier, world, dt.datetime.now(dt.UTC))
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="corridor-sheet-{name}.pdf"'})


def _html(request: Request, db: Database, proposal_id: int) -> HTMLResponse:
    dossier, world = _dossier(request, db, proposal_id)
    return HTMLResponse(render_sheet_html(dossier, world, dt.datetime.now(dt.UTC)))


#: The route of a sheet for navigators and map apps, by format.
FieldFormat = Literal["gpx", "kml"]
_FIELD_TYPES = {"gpx": "application/gpx+xml", "kml": "application/vnd.google-earth.kml+xml"}
_FIELD_ANSWERS: dict[int | str, dict[str, Any]] = {
    **READ_ERRORS, 409: {"model": Error, "description": "The proposal has no route line"},
    200: {"content": {t: {"schema": {"type": "string"}} for t in _FIELD_TYPES.values()},
          "description": "The route with its named waypoints (GPX 1.1, or KML with the ground)"}}


def _field_file(request: Request, db: Database, proposal_id: int, name: str,
                fmt: FieldFormat) -> Response:
    dossier, world = _dossier(request, db, proposal_id)
    fmap = dossier_field_map(dossier, world)
    text = gpx_text(fmap) if fmt == "gpx" else kml_text(fmap, title=f"corridor-{name}")
    return Response(text, media_type=_FIELD_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="corridor-{name}.{fmt}"'})


def _agreed_from(db: Database, corridor_id: int) -> int:
    with db.read() as session:
        return queries.proposal_of_corridor(session, corridor_id)


# Each PDF route comes first: "{proposal_id}" alone would also match "3.pdf".
@sheets.get("/proposals/{proposal_id}.pdf", response_class=Response, responses=_PDF_ANSWERS)
def sheet_pdf(proposal_id: IdPath, request: Request, db: DB, _: Reader) -> Response:
    """The corridor sheet of a proposal as PDF, for printing and handing over."""
    return _pdf(request, db, proposal_id, f"{proposal_id}")


@sheets.get("/proposals/{proposal_id}.{fmt}", response_class=Response,
            responses=_FIELD_ANSWERS)
def sheet_route(proposal_id: IdPath, fmt: FieldFormat, request: Request, db: DB,
                _: Reader) -> Response:
    """The sheet's route as GPX (for navigators) or KML (for map apps, with the ground)."""
    return _field_file(request, db, proposal_id, f"{proposal_id}", fmt)


@sheets.get("/proposals/{proposal_id}", response_class=Response, responses=_HTML_ANSWERS)
def sheet_html(proposal_id: IdPath, request: Request, db: DB, _: Reader) -> HTMLResponse:
    """The corridor sheet of a proposal as a web page."""
    return _html(request, db, proposal_id)


@sheets.get("/corridors/{corridor_id}.pdf", response_class=Response, responses=_PDF_ANSWERS)
def corridor_sheet_pdf(corridor_id: IdPath, request: Request, db: DB, _: Reader) -> Response:
    """The sheet of the proposal the corridor was agreed from; 404 for a corridor without one."""
    return _pdf(request, db, _agreed_from(db, corridor_id), f"corridor-{corridor_id}")


@sheets.get("/corridors/{corridor_id}.{fmt}", response_class=Response,
            responses=_FIELD_ANSWERS)
def corridor_sheet_route(corridor_id: IdPath, fmt: FieldFormat, request: Request, db: DB,
                         _: Reader) -> Response:
    """The route of the corridor's sheet as GPX or KML."""
    return _field_file(request, db, _agreed_from(db, corridor_id), f"corridor-{corridor_id}",
                       fmt)


@sheets.get("/corridors/{corridor_id}", response_class=Response, responses=_HTML_ANSWERS)
def corridor_sheet_html(corridor_id: IdPath, request: Request, db: DB,
                        _: Reader) -> HTMLResponse:
    """The sheet of the proposal the corridor was agreed from, as a page."""
    return _html(request, db, _agreed_from(db, corridor_id))
