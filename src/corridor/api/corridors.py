"""Corridors and their life cycle (proposed, agreed, open, suspended, closed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from corridor.store import coordination
from corridor.store.models import Corridor, User
from corridor.store.schemas import CorridorIn, CorridorOut, StatusChangeIn

from .common import DB, READ_ERRORS, WRITE_ERRORS, Create, IdPath, Page, Paging, fetch, list_page
from .policy import Reader, check, permit

router = APIRouter(prefix="/api/corridors", tags=["corridors"])


@router.get("", responses=READ_ERRORS)
def list_corridors(db: DB, _: Reader, paging: Paging) -> Page[CorridorOut]:
    """Corridors, oldest first, a page at a time."""
    return list_page(db, Corridor, Corridor.id, CorridorOut, paging)


@router.get("/{corridor_id}", responses=READ_ERRORS)
def get_corridor(corridor_id: IdPath, db: DB, _: Reader) -> CorridorOut:
    """One corridor and where it stands in its life cycle."""
    return fetch(db, Corridor, corridor_id, CorridorOut)


@router.post("", status_code=201, response_model=CorridorOut, responses=WRITE_ERRORS)
def create_corridor(body: CorridorIn, create: Create,
                    user: Annotated[User, Depends(permit("corridor.create"))]) -> JSONResponse:
    """Set up a corridor, usually from a signed agreement."""
    return create.run(user, body, lambda s: CorridorOut.model_validate(
        coordination.create_corridor(s, user.name, body)))


@router.post("/{corridor_id}/status", response_model=CorridorOut, responses=WRITE_ERRORS)
def change_status(corridor_id: IdPath, body: StatusChangeIn, create: Create,
                  user: Annotated[User, Depends(permit("corridor.change_status"))]
                  ) -> JSONResponse:
    """Move the corridor along its life cycle; 409 lists the statuses reachable from here."""
    if body.status == "suspended":
        check(user, "corridor.suspend")
    return create.run(user, body, lambda s: CorridorOut.model_validate(
        coordination.change_status(s, user.name, corridor_id, body)), status_code=200)
