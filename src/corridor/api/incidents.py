"""Incidents on or near a corridor; a facilitator's report may suspend an open corridor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from corridor.store import coordination
from corridor.store.models import Incident, User
from corridor.store.schemas import IncidentIn, IncidentOut
from corridor.world import World

from .common import DB, READ_ERRORS, WRITE_ERRORS, Create, IdPath, Page, Paging, fetch, list_page
from .map import scenario_world
from .policy import Reader, check, permit

router = APIRouter(prefix="/api/incidents", tags=["incidents"])


@router.get("", responses=READ_ERRORS)
def list_incidents(db: DB, _: Reader, paging: Paging) -> Page[IncidentOut]:
    """Incidents, oldest first, a page at a time."""
    return list_page(db, Incident, Incident.id, IncidentOut, paging)


@router.get("/{incident_id}", responses=READ_ERRORS)
def get_incident(incident_id: IdPath, db: DB, _: Reader) -> IncidentOut:
    """One incident."""
    return fetch(db, Incident, incident_id, IncidentOut)


@router.post("", status_code=201, response_model=IncidentOut, responses=WRITE_ERRORS)
def report(
    body: IncidentIn, create: Create,
    user: Annotated[User, Depends(permit("incident.create"))],
    world: Annotated[World | None, Depends(scenario_world)],
) -> JSONResponse:
    """Report an incident; anyone on the ground may.

    Suspending the corridor with it is the facilitator's call, as it is through the corridor's
    status. An incident dated in the future, or far from its corridor or the scenario's area,
    is refused (422 naming the field).
    """
    if body.suspend:
        check(user, "corridor.suspend")
    area = None if world is None else world.network.bbox
    return create.run(user, body, lambda s: IncidentOut.model_validate(
        coordination.report_incident(s, user.name, body, area=area)))
