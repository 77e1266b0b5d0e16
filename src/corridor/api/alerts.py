"""Alerts raised by re-evaluation, and each party's acknowledgement of them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from sqlalchemy import ColumnElement

from corridor.store import situations
from corridor.store.models import Alert, AlertAcknowledgement, User
from corridor.store.schemas import AlertAcknowledgementOut, AlertOut, Subject
from corridor.store.situation_schemas import AlertAcknowledgementIn

from .common import (
    DB,
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    Create,
    IdPath,
    Page,
    Paging,
    fetch,
    list_page,
    require_exists,
)
from .policy import Reader, check, permit

router = APIRouter(prefix="/api/alerts", tags=["alerts"])


@router.get("", responses=READ_ERRORS)
def list_alerts(
    db: DB, _: Reader, paging: Paging,
    subject: Annotated[Subject | None, Query(description="Only alerts on this kind")] = None,
    subject_id: Annotated[int | None, Query(ge=1, le=MAX_ID,
                                            description="Only alerts on this one")] = None,
    active: Annotated[bool | None, Query(
        description="true: only alerts whose condition still holds; false: only cleared")] = None,
) -> Page[AlertOut]:
    """Alerts, oldest first, a page at a time."""
    where: list[ColumnElement[bool]] = []
    if subject is not None:
        where.append(Alert.subject == subject)
    if subject_id is not None:
        where.append(Alert.subject_id == subject_id)
    if active is not None:
        where.append(Alert.cleared_situation_id.is_(None) if active
                     else Alert.cleared_situation_id.is_not(None))
    return list_page(db, Alert, Alert.id, AlertOut, paging, where=where)


@router.get("/{alert_id}", responses=READ_ERRORS)
def get_alert(alert_id: IdPath, db: DB, _: Reader) -> AlertOut:
    """One alert with every party's acknowledgement so far."""
    return fetch(db, Alert, alert_id, AlertOut)


@router.get("/{alert_id}/acknowledgements", responses=READ_ERRORS)
def list_alert_acknowledgements(alert_id: IdPath, db: DB, _: Reader,
                                paging: Paging) -> Page[AlertAcknowledgementOut]:
    """The parties' acknowledgements of one alert, a page at a time."""
    require_exists(db, Alert, alert_id)
    return list_page(db, AlertAcknowledgement, AlertAcknowledgement.id,
                     AlertAcknowledgementOut, paging,
                     where=[AlertAcknowledgement.alert_id == alert_id])


@router.post("/{alert_id}/acknowledgements", status_code=201,
             response_model=AlertAcknowledgementOut, responses=WRITE_ERRORS)
def acknowledge(alert_id: IdPath, body: AlertAcknowledgementIn, create: Create,
                user: Annotated[User, Depends(permit("alert.acknowledge"))]) -> JSONResponse:
    """Acknowledge an alert for a party: a liaison only for its own."""
    check(user, "alert.acknowledge", body.party_id)
    return create.run(user, body, lambda s: AlertAcknowledgementOut.model_validate(
        situations.acknowledge_alert(s, user.name, alert_id, body)))
