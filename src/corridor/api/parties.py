"""Parties to the talks, and the public keys their signatures are checked against."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse

from corridor.store import coordination
from corridor.store.models import Party, User
from corridor.store.schemas import PARTY_ID_PATTERN, PartyIn, PartyKeyIn, PartyOut

from .common import DB, READ_ERRORS, WRITE_ERRORS, Create, Page, Paging, fetch, list_page
from .policy import Reader, check, permit

router = APIRouter(prefix="/api/parties", tags=["parties"])
PartyPath = Annotated[str, Path(pattern=PARTY_ID_PATTERN, examples=["UA"])]


@router.get("", responses=READ_ERRORS)
def list_parties(db: DB, _: Reader, paging: Paging) -> Page[PartyOut]:
    """Registered parties, by code, a page at a time."""
    return list_page(db, Party, Party.id, PartyOut, paging)


@router.get("/{party_id}", responses=READ_ERRORS)
def get_party(party_id: PartyPath, db: DB, _: Reader) -> PartyOut:
    """One party, with its key's fingerprint."""
    return fetch(db, Party, party_id, PartyOut)


@router.post("", status_code=201, response_model=PartyOut, responses=WRITE_ERRORS)
def create_party(body: PartyIn, create: Create,
                 user: Annotated[User, Depends(permit("party.create"))]) -> JSONResponse:
    """Register a party."""
    return create.run(user, body, lambda s: PartyOut.model_validate(
        coordination.create_party(s, user.name, body)))


@router.put("/{party_id}/key", response_model=PartyOut, responses=WRITE_ERRORS)
def set_key(party_id: PartyPath, body: PartyKeyIn, create: Create,
            user: Annotated[User, Depends(permit("party.set_key"))]) -> JSONResponse:
    """Register or rotate the party's Ed25519 public key; only its own liaison may."""
    check(user, "party.set_key", party_id)
    return create.run(user, body, lambda s: PartyOut.model_validate(
        coordination.set_party_key(s, user.name, party_id, body)), status_code=200)
