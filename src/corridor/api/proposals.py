"""Corridor proposals, the rule verdicts attached to them, and the parties' positions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from corridor.errors import ConflictError, IngestError, StoreError
from corridor.i18n import _
from corridor.ingest import as_json, decode_statement, draft, scenario_context
from corridor.ingest.text import MAX_BYTES, detect_language
from corridor.store import coordination
from corridor.store.engine import judge_proposal, proposal_odds
from corridor.store.models import Position, Proposal, User
from corridor.store.schemas import PositionIn, PositionOut, ProposalIn, ProposalOut
from corridor.uncertainty import odds
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


class DraftIn(BaseModel):
    """A published statement to draft proposals from."""

    text: str = Field(max_length=MAX_BYTES, description="The statement, as published")
    lang: Literal["auto", "uk", "ru", "en"] = "auto"


@router.post("/draft", responses=WRITE_ERRORS)
def draft_proposals(
    body: DraftIn, caller: Annotated[User, Depends(permit("proposal.draft"))],
    world: Annotated[World | None, Depends(scenario_world)],
) -> dict[str, Any]:
    """Proposals drafted from a statement, as ``corridor ingest --json`` gives them.

    Nothing is stored: the facilitator edits the drafts and tables each as a proposal. Names
    resolve through the scenario's gazetteer, so a server without one answers 409; text that
    is empty, too long or announces no corridor is a 422 saying so.
    """
    if world is None:
        raise ConflictError(_("the service runs without a scenario, and drafts resolve place "
                              "names through its gazetteer: start it with --scenario"),
                            field="text")
    language = None if body.lang == "auto" else body.lang
    try:
        text = decode_statement(body.text.encode("utf-8"), "text")
        drafts = draft(text, scenario_context(world), language=language)
    except IngestError as exc:
        raise StoreError(exc.message, field="text") from exc
    return as_json(drafts, language or detect_language(text))


@router.get("/{proposal_id}", responses=READ_ERRORS)
def get_proposal(proposal_id: IdPath, db: DB, _: Reader) -> ProposalOut:
    """One proposal with the engine's verdicts on it."""
    return fetch(db, Proposal, proposal_id, ProposalOut)


@router.get("/{proposal_id}/odds", responses=READ_ERRORS)
def get_odds(
    proposal_id: IdPath, db: DB, reader: Reader,
    world: Annotated[World | None, Depends(scenario_world)],
    samples: Annotated[int, Query(ge=1, le=odds.MAX_SAMPLES,
                                  description="situations to draw")] = odds.DEFAULT_SAMPLES,
) -> dict[str, Any]:
    """How sure the verdicts are: each party's acceptance over drawn situations.

    The situations are drawn from the confidence of the control reports; the answer is one item
    of ``corridor sweep --json``. Computed on first request and kept; 409 when the service runs
    without a scenario.
    """
    proposal = fetch(db, Proposal, proposal_id, ProposalOut)
    if world is None:
        raise ConflictError(_("the service runs without a scenario, and the odds are drawn "
                              "from its control reports: start it with --scenario"),
                            field="samples")
    return proposal_odds(world, proposal, samples)


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
