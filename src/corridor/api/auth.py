"""Bearer-token authentication and the role rules of the API.

Tokens are random and stored only as SHA-256 hashes, so a copy of the database does not hand out
credentials. The rules: observers only read; facilitators run talks, proposals, agreements and
corridors; operators notify movements and report on convoys; a liaison acts for its own party
only, and nobody else can take positions, sign or answer notifications for a party.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from corridor.store.coordination import hash_token
from corridor.store.db import Database
from corridor.store.models import User
from corridor.store.schemas import Role

_bearer = HTTPBearer(auto_error=False, description="Token printed by `corridor admin user add`")


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _unauthorised(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, message,
                         headers={"WWW-Authenticate": "Bearer"})


def current_user(
    db: Annotated[Database, Depends(database)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The user whose token is presented; 401 if there is none or it is unknown."""
    if credentials is None:
        raise _unauthorised("missing bearer token")
    presented = hash_token(credentials.credentials)
    with db.read() as session:
        user = session.scalars(select(User).where(User.token_hash == presented)).first()
    # The lookup goes through an index; the final comparison does not leak timing.
    if user is None or not hmac.compare_digest(user.token_hash, presented):
        raise _unauthorised("unknown bearer token")
    return user


def forbidden(message: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, message)


def require(*roles: Role) -> Callable[[User], User]:
    """Dependency admitting only users with one of ``roles``."""

    def _check(user: Annotated[User, Depends(current_user)]) -> User:
        if user.role not in roles:
            raise forbidden(f"role {user.role} may not do this; needs {' or '.join(roles)}")
        return user

    return _check


def act_for(user: User, party_id: str) -> None:
    """Only a party's own liaison speaks for that party."""
    if user.role != "liaison":
        raise forbidden(f"only a liaison of party {party_id} may act for it, not a {user.role}")
    if user.party_id != party_id:
        raise forbidden(f"liaison of party {user.party_id} cannot act for party {party_id}")


Reader = Annotated[User, Depends(current_user)]
