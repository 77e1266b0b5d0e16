"""Incidents on or near a corridor; one may suspend an open corridor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from corridor.store import coordination
from corridor.store.models import Incident, User
from corridor.store.schemas import IncidentIn, IncidentOut
from corridor.world import World

from .auth import Reader, require
from .common import DB, READ_ERRORS, WRITE_ERRORS, Create, IdPath, Page, Paging, fetch, list_page
from .map import scenario_world

router = APIRouter(prefix="/api/incidents", tags=["incidents"])


@router.get("", responses=READ_ERRORS)
def list_incidents(db: DB, _: Reader, paging: Paging) -> Page[IncidentOut]:
    return list_page(db, Incident, Incident.id, IncidentOut, paging)


@router.get("/{incident_id}", responses=READ_ERRORS)
def get_incident(incident_id: IdPath, db: DB, _: Reader) -> IncidentOut:
    return fetch(db, Incident, incident_id, IncidentOut)


@router.post("", status_code=201, response_model=IncidentOut, responses=WRITE_ERRORS)
def report(
    body: IncidentIn, create: Create,
    user: Annotated[User, Depends(require("facilitator", "operator", "liaison"))],
    world: Annotated[World | None, Depends(scenario_world)],
) -> JSONResponse:
    """An incident dated in the future, or far from its corridor or the scenario's area, is
    refused (422 naming the field)."""
    area = None if world is None else world.network.bbox
    return create.run(user, body, lambda s: IncidentOut.model_validate(
        coordination.report_incident(s, user.name, body, area=area)))
