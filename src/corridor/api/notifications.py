"""Movement notifications and each party's acknowledgement or denial."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from corridor.store import coordination
from corridor.store.models import Acknowledgement, Notification, User
from corridor.store.schemas import (
    AcknowledgementIn,
    AcknowledgementOut,
    NotificationIn,
    NotificationOut,
)

from .common import (
    DB,
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

router = APIRouter(prefix="/api/notifications", tags=["notifications"])


@router.get("", responses=READ_ERRORS)
def list_notifications(db: DB, _: Reader, paging: Paging) -> Page[NotificationOut]:
    """Movement notifications, oldest first, a page at a time."""
    return list_page(db, Notification, Notification.id, NotificationOut, paging)


@router.get("/{notification_id}", responses=READ_ERRORS)
def get_notification(notification_id: IdPath, db: DB, _: Reader) -> NotificationOut:
    """One movement notification with every party's answer so far."""
    return fetch(db, Notification, notification_id, NotificationOut)


@router.post("", status_code=201, response_model=NotificationOut, responses=WRITE_ERRORS)
def notify(body: NotificationIn, create: Create, request: Request,
           user: Annotated[User, Depends(permit("notification.create"))]) -> JSONResponse:
    """Announce a movement; too short a lead time is refused with the lead time required."""
    lead_times = request.app.state.settings.lead_times
    return create.run(user, body, lambda s: NotificationOut.model_validate(
        coordination.notify_movement(s, user.name, body, lead_times=lead_times)))


@router.get("/{notification_id}/acknowledgements", responses=READ_ERRORS)
def list_acknowledgements(notification_id: IdPath, db: DB, _: Reader,
                          paging: Paging) -> Page[AcknowledgementOut]:
    """The answers to one movement notification, a page at a time."""
    require_exists(db, Notification, notification_id)
    return list_page(db, Acknowledgement, Acknowledgement.id, AcknowledgementOut, paging,
                     where=[Acknowledgement.notification_id == notification_id])


@router.post("/{notification_id}/acknowledgements", status_code=201,
             response_model=AcknowledgementOut, responses=WRITE_ERRORS)
def answer(notification_id: IdPath, body: AcknowledgementIn, create: Create,
           user: Annotated[User, Depends(permit("acknowledgement.create"))]) -> JSONResponse:
    """Answer a movement notification for a party: acknowledge or refuse, with why."""
    check(user, "acknowledgement.create", body.party_id)
    return create.run(user, body, lambda s: AcknowledgementOut.model_validate(
        coordination.acknowledge(s, user.name, notification_id, body)))
