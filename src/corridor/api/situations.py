"""Situation snapshots posted to the service, and the re-evaluation each one sets off."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request

from corridor.monitoring.monitor import Monitor
from corridor.store.db import Database
from corridor.store.models import SituationSnapshot, User
from corridor.store.situation_schemas import (
    SituationBrief,
    SituationIn,
    SituationOut,
    SituationPosted,
)

from .common import DB, READ_ERRORS, WRITE_ERRORS, IdPath, Page, Paging, fetch, list_page
from .map import scenario_world
from .policy import Reader, permit

router = APIRouter(prefix="/api/situations", tags=["situations"])


def install(app: FastAPI, db: Database) -> None:
    """Give the service its monitor, standing on the latest snapshot posted before a restart."""
    app.state.monitor = Monitor(app.state.scenario_layers.world)
    app.state.monitor.restore(db)


def monitor(request: Request, db: DB) -> Monitor:
    """The service's monitor over the world it judges with, its posted snapshots restored."""
    world = scenario_world(request)
    current: Monitor | None = getattr(request.app.state, "monitor", None)
    if current is None or current.world is not world:
        current = Monitor(world)
        current.restore(db)
        request.app.state.monitor = current
    return current


Watcher = Annotated[Monitor, Depends(monitor)]


@router.get("", responses=READ_ERRORS)
def list_situations(db: DB, _: Reader, paging: Paging) -> Page[SituationBrief]:
    """Posted snapshots, oldest posted first, without their layers."""
    return list_page(db, SituationSnapshot, SituationSnapshot.id, SituationBrief, paging)


@router.get("/{situation_id}", responses=READ_ERRORS)
def get_situation(situation_id: IdPath, db: DB, _: Reader) -> SituationOut:
    """One posted snapshot with its layers as posted."""
    return fetch(db, SituationSnapshot, situation_id, SituationOut)


@router.post("", status_code=201, responses=WRITE_ERRORS)
def post_situation(body: SituationIn, db: DB, watcher: Watcher,
                   user: Annotated[User, Depends(permit("situation.create"))]) -> SituationPosted:
    """Post a new picture of the ground; if it is the latest, every open subject is re-judged.

    Layers left out are kept from the situation in force on ``effective``. The answer lists
    the alerts raised (conditions that came with the snapshot) and those cleared. A snapshot
    the scenario cannot hold (an unknown label or status, a closure off every road) is refused
    with 422 naming the field, and nothing is stored.
    """
    return watcher.post(db, user.name, body)
