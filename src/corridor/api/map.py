"""The operational picture for the dashboard's map, and the printable corridor sheets.

Base layers (borders, control, hazards, front line, roads) come from the scenario the server was
started with and are computed once: they do not change while it runs, and a field office has no
tile server to fall back on. Corridors, convoy positions and incidents are read from the store on
every request, so the map is as current as the event stream that prompts its refresh.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from corridor.geo import feature_collection
from corridor.network.graph import ROAD_CLASSES
from corridor.report.negotiation import TERRITORY_COLOURS, road_lines
from corridor.report.sheet import (
    STATUS_COLOURS,
    Dossier,
    build_dossier,
    proposal_of_corridor,
    render_sheet_html,
    render_sheet_pdf,
    status_of,
)
from corridor.scenario import load_scenario
from corridor.situation import front_line_geojson, hazards_geojson
from corridor.store.coordination import TRANSITIONS
from corridor.store.db import Database
from corridor.store.models import (
    Agreement,
    ConvoyReport,
    Corridor,
    Incident,
    Notification,
    Position,
    Proposal,
)
from corridor.store.schemas import UserOut
from corridor.world import World, build_world

from .auth import Reader
from .common import DB, READ_ERRORS, IdPath

router = APIRouter(tags=["map"])
sheets = APIRouter(prefix="/sheets", tags=["sheets"])

#: Above this many road edges only the major classes are sent: a browser draws a few thousand
#: lines smoothly, not a country's every road.
MAX_ROAD_EDGES = 20_000
MAJOR_ROADS = ("motorway", "trunk", "primary")


class FeatureCollection(BaseModel):
    """A GeoJSON FeatureCollection (RFC 7946) in WGS 84 longitude/latitude."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[dict[str, Any]]


class MapOut(BaseModel):
    """Every layer of the map; the scenario layers are empty when no scenario was loaded."""

    data_note: str = Field(description="Schematic warning and attribution, to show on the map")
    bbox: tuple[float, float, float, float] | None = Field(
        description="min lon, min lat, max lon, max lat of the scenario's network")
    status_colours: dict[str, str] = Field(description="Corridor colour by status")
    territory_colours: dict[str, str] = Field(description="Fill of control areas by label")
    status_transitions: dict[str, list[str]] = Field(
        description="Statuses a corridor may move to, by its current status")
    countries: FeatureCollection
    control: FeatureCollection
    hazards: FeatureCollection
    front_line: FeatureCollection
    roads: FeatureCollection
    corridors: FeatureCollection
    convoys: FeatureCollection
    incidents: FeatureCollection


@dataclass(frozen=True)
class ScenarioLayers:
    """What the server knows of the ground: a scenario's world and its layers, or nothing."""

    world: World | None
    data_note: str
    bbox: tuple[float, float, float, float] | None
    layers: dict[str, FeatureCollection]

    @classmethod
    def load(cls, scenario: Path | None) -> ScenarioLayers:
        if scenario is None:
            empty = FeatureCollection(features=[])
            return cls(None, "", None, dict.fromkeys(
                ("countries", "control", "hazards", "front_line", "roads"), empty))
        world = build_world(load_scenario(scenario))
        layers = {
            "countries": feature_collection([(g, {"code": c})
                                             for c, g in world.countries.items()]),
            "control": world.control.to_geojson(),
            "hazards": hazards_geojson(world.hazards),
            "front_line": front_line_geojson(world.front_line),
            "roads": _roads(world),
        }
        return cls(world, world.data_note, world.network.bbox,
                   {k: FeatureCollection.model_validate(v) for k, v in layers.items()})


def _roads(world: World) -> dict[str, Any]:
    """One multi-line per road class, each road drawn once (not once per direction)."""
    net = world.network
    classes = MAJOR_ROADS if len(net.tail) > MAX_ROAD_EDGES else ROAD_CLASSES
    features = []
    for cls in classes:
        lines = road_lines(net, cls)
        if lines is not None:
            features.append((lines, {"class": cls}))
    return feature_collection(features)


def install(app: FastAPI, scenario: Path | None) -> None:
    """Load the scenario's layers and add the map and sheet routes to ``app``."""
    app.state.scenario_layers = ScenarioLayers.load(scenario)
    app.include_router(router)
    app.include_router(sheets)


def _scenario(request: Request) -> ScenarioLayers:
    layers: ScenarioLayers = request.app.state.scenario_layers
    return layers


def scenario_world(request: Request) -> World | None:
    """The world of the scenario the server runs with, which routes and judges proposals."""
    return _scenario(request).world


# -- what changes: corridors, convoys, incidents -----------------------------------------------

def _point(lon: float, lat: float, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties,
            "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def _line(route: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": route}


def _corridor_features(db: Database) -> list[dict[str, Any]]:
    """Proposals' routes coloured by status, then corridors made without a proposal."""
    with db.read() as s:
        proposals = s.scalars(select(Proposal).order_by(Proposal.id)).all()
        stances: dict[int, list[str]] = {}
        for proposal_id, stance in s.execute(select(Position.proposal_id, Position.stance)):
            stances.setdefault(proposal_id, []).append(stance)
        from_proposal = dict(s.execute(select(Agreement.id, Agreement.proposal_id)).all())
        corridors = s.scalars(select(Corridor).order_by(Corridor.id)).all()
        statuses: dict[int, list[str]] = {}
        for c in corridors:
            if (source := from_proposal.get(c.agreement_id or 0)) is not None:
                statuses.setdefault(source, []).append(c.status)
        features = [
            _line(p.route, {"kind": "proposal", "proposal_id": p.id, "number": p.number,
                            "origin": p.origin, "destination": p.destination,
                            "proposer": p.proposer_id,
                            "status": status_of(p.verdicts, stances.get(p.id, []),
                                                statuses.get(p.id, []))})
            for p in proposals if p.route is not None]
        features += [
            _line(c.route, {"kind": "corridor", "corridor_id": c.id, "name": c.name,
                            "origin": c.origin, "destination": c.destination,
                            "status": c.status})
            for c in corridors
            if c.route is not None and from_proposal.get(c.agreement_id or 0) is None]
    return features


def _convoy_features(db: Database) -> list[dict[str, Any]]:
    """The latest reported position of every convoy."""
    latest: dict[int, dict[str, Any]] = {}
    with db.read() as s:
        rows = s.execute(select(ConvoyReport, Notification.corridor_id, Notification.movers)
                         .join(Notification, ConvoyReport.notification_id == Notification.id)
                         .order_by(ConvoyReport.reported_at, ConvoyReport.id))
        for report, corridor_id, movers in rows:
            latest[report.notification_id] = _point(report.lon, report.lat, {
                "convoy_id": report.notification_id, "corridor_id": corridor_id,
                "movers": movers, "status": report.status, "people": report.people,
                "reported_at": report.reported_at.isoformat(), "note": report.note})
    return list(latest.values())


def _incident_features(db: Database) -> list[dict[str, Any]]:
    with db.read() as s:
        return [_point(i.lon, i.lat, {
            "incident_id": i.id, "type": i.type, "corridor_id": i.corridor_id,
            "occurred_at": i.occurred_at.isoformat(), "description": i.description,
            "suspended_corridor": i.suspended_corridor})
            for i in s.scalars(select(Incident).order_by(Incident.id))]


@router.get("/api/map", responses=READ_ERRORS)
def get_map(request: Request, db: DB, _: Reader) -> MapOut:
    """Base layers of the scenario, corridors by status, convoys' last positions, incidents."""
    base = _scenario(request)
    return MapOut(
        data_note=base.data_note, bbox=base.bbox, status_colours=STATUS_COLOURS,
        territory_colours=TERRITORY_COLOURS,
        status_transitions={k: list(v) for k, v in TRANSITIONS.items()},
        **base.layers,
        corridors=FeatureCollection(features=_corridor_features(db)),
        convoys=FeatureCollection(features=_convoy_features(db)),
        incidents=FeatureCollection(features=_incident_features(db)),
    )


def _dossier(request: Request, db: Database, proposal_id: int) -> tuple[Dossier, World | None]:
    world = _scenario(request).world
    with db.read() as session:
        return build_dossier(session, proposal_id, world), world


@router.get("/api/map/proposals/{proposal_id}", responses=READ_ERRORS)
def get_dossier(proposal_id: IdPath, request: Request, db: DB, _: Reader) -> Dossier:
    """A proposal with its route described, positions, agreements, corridors and movements."""
    return _dossier(request, db, proposal_id)[0]


@router.get("/api/me", responses={401: READ_ERRORS[401]})
def who_am_i(user: Reader) -> UserOut:
    """The caller: the dashboard shows each role only what it may do."""
    return UserOut.model_validate(user)


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


def _agreed_from(db: Database, corridor_id: int) -> int:
    with db.read() as session:
        return proposal_of_corridor(session, corridor_id)


# Each PDF route comes first: "{proposal_id}" alone would also match "3.pdf".
@sheets.get("/proposals/{proposal_id}.pdf", response_class=Response, responses=_PDF_ANSWERS)
def sheet_pdf(proposal_id: IdPath, request: Request, db: DB, _: Reader) -> Response:
    return _pdf(request, db, proposal_id, f"{proposal_id}")


@sheets.get("/proposals/{proposal_id}", response_class=Response, responses=_HTML_ANSWERS)
def sheet_html(proposal_id: IdPath, request: Request, db: DB, _: Reader) -> HTMLResponse:
    return _html(request, db, proposal_id)


@sheets.get("/corridors/{corridor_id}.pdf", response_class=Response, responses=_PDF_ANSWERS)
def corridor_sheet_pdf(corridor_id: IdPath, request: Request, db: DB, _: Reader) -> Response:
    """The sheet of the proposal the corridor was agreed from; 404 for a corridor set up
    without one."""
    return _pdf(request, db, _agreed_from(db, corridor_id), f"corridor-{corridor_id}")


@sheets.get("/corridors/{corridor_id}", response_class=Response, responses=_HTML_ANSWERS)
def corridor_sheet_html(corridor_id: IdPath, request: Request, db: DB,
                        _: Reader) -> HTMLResponse:
    """The sheet of the proposal the corridor was agreed from, as a page."""
    return _html(request, db, _agreed_from(db, corridor_id))
