"""Corridor proposals, the rule verdicts attached to them, and the parties' positions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from corridor.store import coordination
from corridor.store.engine import judge_proposal
from corridor.store.models import Position, Proposal, User
from corridor.store.schemas import PositionIn, PositionOut, ProposalIn, ProposalOut
from corridor.world import World

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
from .map import scenario_world
from .policy import Reader, check, permit

router = APIRouter(prefix="/api/proposals", tags=["proposals"])


@router.get("", responses=READ_ERRORS)
def list_proposals(db: DB, _: Reader, paging: Paging) -> Page[ProposalOut]:
    """Proposals, oldest first, a page at a time."""
    return list_page(db, Proposal, Proposal.id, ProposalOut, paging)


@router.get("/{proposal_id}", responses=READ_ERRORS)
def get_proposal(proposal_id: IdPath, db: DB, _: Reader) -> ProposalOut:
    """One proposal with the engine's verdicts on it."""
    return fetch(db, Proposal, proposal_id, ProposalOut)


@router.post("", status_code=201, response_model=ProposalOut, responses=WRITE_ERRORS)
def create_proposal(
    body: ProposalIn, create: Create,
    user: Annotated[User, Depends(permit("proposal.create"))],
    world: Annotated[World | None, Depends(scenario_world)],
) -> JSONResponse:
    """Facilitators table proposals for any party; a liaison only in its own party's name.

    With a scenario loaded the server resolves the places, routes through them and judges the
    route by every party's rules (422 naming the field of a place it does not know).
    """
    check(user, "proposal.create", body.proposer_id)
    judged = None if world is None else judge_proposal(world, body)
    return create.run(user, body, lambda s: ProposalOut.model_validate(
        coordination.create_proposal(s, user.name, body, judged)))


@router.get("/{proposal_id}/positions", responses=READ_ERRORS)
def list_positions(proposal_id: IdPath, db: DB, _: Reader, paging: Paging) -> Page[PositionOut]:
    """The parties' answers to one proposal, a page at a time."""
    require_exists(db, Proposal, proposal_id)
    return list_page(db, Position, Position.id, PositionOut, paging,
                     where=[Position.proposal_id == proposal_id])


@router.post("/{proposal_id}/positions", status_code=201, response_model=PositionOut,
             responses=WRITE_ERRORS)
def take_position(proposal_id: IdPath, body: PositionIn, create: Create,
                  user: Annotated[User, Depends(permit("position.create"))]) -> JSONResponse:
    """Record a party's answer to a proposal: accept, reject or counter."""
    check(user, "position.create", body.party_id)
    return create.run(user, body, lambda s: PositionOut.model_validate(
        coordination.add_position(s, user.name, proposal_id, body)))
