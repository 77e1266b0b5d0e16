"""Users and their bearer tokens: who the caller is, and the token life cycle.

Facilitators see every user's token state and revoke or re-issue tokens; every user can rotate
their own. New tokens are answered once and never stored in the clear, so these answers are not
kept for idempotent replay either: a lost answer means rotating again.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from corridor.i18n import use_language
from corridor.store import coordination
from corridor.store.models import User
from corridor.store.schemas import MeIn, NewTokenOut, UserOut, UserTokenOut

from .common import DB, READ_ERRORS, WRITE_ERRORS, IdPath, Page, Paging, list_page
from .language import requested_language
from .policy import MayOut, Reader, allowed, permit

router = APIRouter(tags=["users"])
Facilitator = Annotated[User, Depends(permit("user.manage"))]


class MeOut(UserOut):
    """The caller, and what the policy lets them do: the dashboard shows only that."""

    may: list[MayOut]


@router.get("/api/me", responses={401: READ_ERRORS[401]})
def who_am_i(user: Reader) -> MeOut:
    """The caller, and every action the policy lets them take: the dashboard shows only these."""
    return _me(user)


@router.patch("/api/me", responses=WRITE_ERRORS)
def change_own_settings(
    body: MeIn, db: DB, request: Request, response: Response,
    user: Annotated[User, Depends(permit("language.set_own"))],
) -> MeOut:
    """Set the language the service answers the caller in (null: each request's Accept-Language).

    The answer is already in the new language.
    """
    with db.write() as session:
        changed = coordination.set_user_language(session, user.name, user.id, body.language)
        language = changed.language or requested_language(request.headers)
        with use_language(language):
            me = _me(changed)
    response.headers["Content-Language"] = language
    return me


def _me(user: User) -> MeOut:
    return MeOut.model_validate({**UserOut.model_validate(user).model_dump(),
                                 "may": allowed(user)})


@router.post("/api/me/token", responses=WRITE_ERRORS)
def rotate_own_token(db: DB,
                     user: Annotated[User, Depends(permit("token.rotate_own"))]) -> NewTokenOut:
    """Replace the caller's token: the answer carries the new one, the old one fails at once."""
    return _rotate(db, user, user.id)


@router.get("/api/users", responses=READ_ERRORS)
def list_users(db: DB, _: Facilitator, paging: Paging) -> Page[UserTokenOut]:
    """Users with the state of their tokens, for facilitators deciding on revocation."""
    return list_page(db, User, User.id, UserTokenOut, paging)


@router.post("/api/users/{user_id}/revoke", responses=WRITE_ERRORS)
def revoke(user_id: IdPath, db: DB, user: Facilitator) -> UserTokenOut:
    """Stop the user's token at once, open event streams included; 409 if it already is."""
    with db.write() as session:
        return UserTokenOut.model_validate(coordination.revoke_token(session, user.name, user_id))


@router.post("/api/users/{user_id}/token", responses=WRITE_ERRORS)
def reissue(user_id: IdPath, db: DB, user: Facilitator) -> NewTokenOut:
    """Give the user a new token (after a revocation, or a lost one); the old one fails."""
    return _rotate(db, user, user_id)


def _rotate(db: DB, actor: User, user_id: int) -> NewTokenOut:
    with db.write() as session:
        user, token = coordination.rotate_token(session, actor.name, user_id)
        return NewTokenOut(user=UserTokenOut.model_validate(user), token=token)
