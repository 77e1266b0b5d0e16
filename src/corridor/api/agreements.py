"""Agreements, the parties' Ed25519 signatures on them, and their verification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from corridor.errors import StoreError
from corridor.i18n import _
from corridor.store import coordination
from corridor.store.models import Agreement, Signature, User
from corridor.store.schemas import (
    PARTY_ID_PATTERN,
    AgreementIn,
    AgreementOut,
    SignatureIn,
    SignatureOut,
    VerificationOut,
)
from corridor.store.signing import statement_bytes

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

router = APIRouter(prefix="/api/agreements", tags=["agreements"])
PartyQuery = Annotated[str, Query(pattern=PARTY_ID_PATTERN, description="The signing party")]


@router.get("", responses=READ_ERRORS)
def list_agreements(db: DB, _: Reader, paging: Paging) -> Page[AgreementOut]:
    """Agreements, oldest first, a page at a time."""
    return list_page(db, Agreement, Agreement.id, AgreementOut, paging)


@router.get("/{agreement_id}", responses=READ_ERRORS)
def get_agreement(agreement_id: IdPath, db: DB, _: Reader) -> AgreementOut:
    """One agreement with its document and the signatures so far."""
    return fetch(db, Agreement, agreement_id, AgreementOut)


@router.get("/{agreement_id}/canonical", responses={
    **READ_ERRORS, 200: {"content": {"application/json": {}},
                         "description": "The exact bytes each party signs"}})
def get_canonical(agreement_id: IdPath, party: PartyQuery, db: DB, reader: Reader) -> Response:
    """The party's statement agreeing to the document, as canonical JSON bytes (RFC 8785).

    Ready to be signed client-side: the party is part of what it signs.
    """
    document = fetch(db, Agreement, agreement_id, AgreementOut).document
    if party not in document.get("parties", []):
        raise StoreError(_("party {party} is not a party to agreement {agreement}").format(
            party=party, agreement=agreement_id), field="party")
    return Response(statement_bytes(document, party), media_type="application/json")


@router.post("", status_code=201, response_model=AgreementOut, responses=WRITE_ERRORS)
def create_agreement(body: AgreementIn, create: Create,
                     user: Annotated[User, Depends(permit("agreement.create"))]) -> JSONResponse:
    """Draft an agreement; its canonical document is what every party signs, unchanged."""
    return create.run(user, body, lambda s: AgreementOut.model_validate(
        coordination.create_agreement(s, user.name, body)))


@router.get("/{agreement_id}/signatures", responses=READ_ERRORS)
def list_signatures(agreement_id: IdPath, db: DB, _: Reader,
                    paging: Paging) -> Page[SignatureOut]:
    """The signatures of one agreement, a page at a time."""
    require_exists(db, Agreement, agreement_id)
    return list_page(db, Signature, Signature.id, SignatureOut, paging,
                     where=[Signature.agreement_id == agreement_id])


@router.post("/{agreement_id}/signatures", status_code=201, response_model=SignatureOut,
             responses=WRITE_ERRORS)
def sign(agreement_id: IdPath, body: SignatureIn, create: Create,
         user: Annotated[User, Depends(permit("signature.create"))]) -> JSONResponse:
    """Submit a party's signature, made with its private key over the canonical document."""
    check(user, "signature.create", body.party_id)
    return create.run(user, body, lambda s: SignatureOut.model_validate(
        coordination.add_signature(s, user.name, agreement_id, body)))


@router.get("/{agreement_id}/verify", responses=READ_ERRORS)
def verify(agreement_id: IdPath, db: DB, _: Reader) -> VerificationOut:
    """Check every signature against the document as stored, and say who has yet to sign."""
    with db.read() as session:
        return coordination.verify(session, agreement_id)
