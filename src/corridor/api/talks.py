"""Rounds of talks and the delegations that attended them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from corridor.store import coordination
from corridor.store.models import TalksRound, User
from corridor.store.schemas import TalksIn, TalksOut

from .common import DB, READ_ERRORS, WRITE_ERRORS, Create, IdPath, Page, Paging, fetch, list_page
from .policy import Reader, permit

router = APIRouter(prefix="/api/talks", tags=["talks"])


@router.get("", responses=READ_ERRORS)
def list_talks(db: DB, _: Reader, paging: Paging) -> Page[TalksOut]:
    """Rounds of talks, oldest first, a page at a time."""
    return list_page(db, TalksRound, TalksRound.id, TalksOut, paging)


@router.get("/{talks_id}", responses=READ_ERRORS)
def get_talks(talks_id: IdPath, db: DB, _: Reader) -> TalksOut:
    """One round of talks with its delegations."""
    return fetch(db, TalksRound, talks_id, TalksOut)


@router.post("", status_code=201, response_model=TalksOut, responses=WRITE_ERRORS)
def create_talks(body: TalksIn, create: Create,
                 user: Annotated[User, Depends(permit("talks.create"))]) -> JSONResponse:
    """Record a round of talks."""
    return create.run(user, body, lambda s: TalksOut.model_validate(
        coordination.create_talks(s, user.name, body)))
