"""Progress reports of convoys; a convoy is identified by its movement notification's id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from corridor.store import coordination
from corridor.store.models import ConvoyReport, Notification, User
from corridor.store.schemas import ConvoyReportIn, ConvoyReportOut

from .common import (
    DB,
    READ_ERRORS,
    WRITE_ERRORS,
    Create,
    IdPath,
    Page,
    Paging,
    list_page,
    require_exists,
)
from .policy import Reader, permit

router = APIRouter(prefix="/api/convoys", tags=["convoys"])


@router.get("/{convoy_id}/reports", responses=READ_ERRORS)
def list_reports(convoy_id: IdPath, db: DB, _: Reader, paging: Paging) -> Page[ConvoyReportOut]:
    """Reports on one convoy, oldest first, a page at a time."""
    require_exists(db, Notification, convoy_id)
    return list_page(db, ConvoyReport, ConvoyReport.id, ConvoyReportOut, paging,
                     where=[ConvoyReport.notification_id == convoy_id])


@router.post("/{convoy_id}/reports", status_code=201, response_model=ConvoyReportOut,
             responses=WRITE_ERRORS)
def report(convoy_id: IdPath, body: ConvoyReportIn, create: Create,
           user: Annotated[User, Depends(permit("convoy_report.create"))]) -> JSONResponse:
    """Report where a convoy is and how it is doing; the convoy is its movement notification."""
    return create.run(user, body, lambda s: ConvoyReportOut.model_validate(
        coordination.report_convoy(s, user.name, convoy_id, body)))
