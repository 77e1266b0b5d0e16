"""Situation snapshots posted to the service, and the re-evaluation each one sets off."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from corridor.errors import CorridorError, StoreError
from corridor.monitoring.monitor import Monitor
from corridor.monitoring.picture import changed_hands
from corridor.store.db import Database
from corridor.store.models import SituationSnapshot, User
from corridor.store.schemas import Day
from corridor.store.situation_schemas import (
    SituationBrief,
    SituationIn,
    SituationOut,
    SituationPosted,
)

from .common import (
    DB,
    READ_ERRORS,
    WRITE_ERRORS,
    Create,
    Creation,
    IdPath,
    Page,
    Paging,
    fetch,
    list_page,
)
from .map import FeatureCollection, scenario_world
from .policy import Reader, permit

router = APIRouter(prefix="/api/situations", tags=["situations"])
T = TypeVar("T")


def install(app: FastAPI, db: Database) -> None:
    """Give the service its monitor, standing on the latest snapshot posted before a restart."""
    app.state.monitor = Monitor(app.state.scenario_layers.world)
    app.state.monitor.restore(db)
    if app.state.monitor.day is not None:
        _redraw(app, app.state.monitor)


def _redraw(app: FastAPI, watcher: Monitor) -> None:
    """``GET /api/map`` draws the ground in force: the latest snapshot's once one is posted."""
    app.state.base_layers = {**app.state.base_layers, **{
        name: FeatureCollection.model_validate(layer)
        for name, layer in watcher.ground_now().items()}}


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


class TimelineOut(BaseModel):
    """The dates the dashboard's slider offers: the scenario's timeline and posted snapshots."""

    current: dt.date | None = Field(description="The date in force now; null: as loaded")
    dates: list[dict[str, Any]] = Field(description="`date`, `posted` (bool) and `note`")


class PictureOut(BaseModel):
    """The ground and every proposal's verdicts on one date."""

    date: dt.date | None
    layers: dict[str, dict[str, Any]] = Field(
        description="`control`, `hazards`, `front_line`, `closures` as in `GET /api/map`")
    proposals: list[dict[str, Any]] = Field(
        description="`proposal_id`, `verdicts`, `acceptable_to_all`, `error`")


Date = Annotated[Day | None, Query(description="A date of the timeline (YYYY-MM-DD); the "
                                              "snapshot in force then is used")]


def _dated(call: Callable[[], T]) -> T:
    """A date the timeline cannot serve (before its start) is a 422 naming the date."""
    try:
        return call()
    except StoreError:
        raise
    except CorridorError as exc:
        raise StoreError(exc.message, field="date") from exc


@router.get("/timeline", responses=READ_ERRORS)
def timeline(watcher: Watcher, _: Reader) -> TimelineOut:
    """Every date a situation is known for, oldest first, and the one in force."""
    return TimelineOut(current=watcher.day, dates=watcher.timeline())


@router.get("/picture", responses=READ_ERRORS)
def picture(db: DB, watcher: Watcher, _: Reader, date: Date = None) -> PictureOut:
    """The map's ground layers and every proposal's verdicts as of ``date`` (none: as loaded)."""
    return PictureOut.model_validate(_dated(lambda: watcher.picture(db, date)))


@router.get("/changes", responses=READ_ERRORS)
def changes(watcher: Watcher, _: Reader,
            first: Annotated[Day, Query(alias="from", description="The earlier date")],
            second: Annotated[Day, Query(alias="to", description="The later date")],
            ) -> dict[str, Any]:
    """Ground that changed hands between two dates: a FeatureCollection of areas.

    Each carries ``from`` and ``to`` (the labels holding it on either date) and ``km2``.
    """
    if watcher.world is None:
        return {"type": "FeatureCollection", "features": []}
    before = _dated(lambda: watcher.control_on(first))
    return changed_hands(before, _dated(lambda: watcher.control_on(second)))


@router.get("/{situation_id}", responses=READ_ERRORS)
def get_situation(situation_id: IdPath, db: DB, _: Reader) -> SituationOut:
    """One posted snapshot with its layers as posted."""
    return fetch(db, SituationSnapshot, situation_id, SituationOut)


@dataclass(frozen=True)
class _Retry:
    """A post's ``Idempotency-Key`` as the monitor asks for it: replay, or remember the answer."""

    create: Creation
    user: User
    body: SituationIn

    def replayed(self, session: Session) -> JSONResponse | None:
        return self.create.replayed(session, self.user, self.body)

    def remember(self, session: Session, posted: SituationPosted) -> None:
        self.create.remember(session, self.user, self.body, posted)


@router.post("", status_code=201, response_model=SituationPosted, responses=WRITE_ERRORS)
def post_situation(body: SituationIn, create: Create, watcher: Watcher, request: Request,
                   user: Annotated[User, Depends(permit("situation.create"))]) -> JSONResponse:
    """Post a new picture of the ground; if it is the latest, every open subject is re-judged.

    Layers left out are kept from the situation in force on ``effective``. The answer lists
    the alerts raised (conditions that came with the snapshot) and those cleared. A snapshot
    the scenario cannot hold (an unknown label or status, a closure off every road) is refused
    with 422 naming the field, and nothing is stored. A retry under the same
    ``Idempotency-Key`` gets the first answer back, and nothing is stored or raised twice.
    """
    posted = watcher.post(create.db, user.name, body, _Retry(create, user, body))
    if isinstance(posted, JSONResponse):
        return posted
    if posted.current:
        _redraw(request.app, watcher)
    return JSONResponse(posted.model_dump(mode="json"), status_code=201)
