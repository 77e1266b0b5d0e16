"""Bearer-token authentication: who the caller is.

Tokens are random and stored only as SHA-256 hashes, so a copy of the database does not hand out
credentials. A token works until it expires, is revoked or is rotated away, and stops at once:
every request looks it up again, and so does an open event stream before each delivery.

Who may do what once authenticated is :mod:`corridor.api.policy`'s table.
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select, update

from corridor.i18n import _
from corridor.store.coordination import hash_token
from corridor.store.db import Database
from corridor.store.models import User, utcnow

from .language import speak_as

_bearer = HTTPBearer(auto_error=False, description="Token printed by `corridor admin user add`")


def database(request: Request) -> Database:
    """The service's database, set up once when the app starts."""
    db: Database = request.app.state.db
    return db


def _unauthorised(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, message,
                         headers={"WWW-Authenticate": "Bearer"})


#: Last use is recorded to this precision, so that reading does not mean writing each time.
LAST_USE_PRECISION = dt.timedelta(minutes=1)


def token_fault(user: User | None, presented: str, now: dt.datetime) -> str | None:
    """Why the token hashed to ``presented`` does not (or no longer) authenticate ``user``."""
    # The lookup goes through an index; the final comparison does not leak timing.
    if user is None or not hmac.compare_digest(user.token_hash, presented):
        return _("unknown bearer token")
    if user.revoked_at is not None:
        return _("bearer token revoked")
    if user.token_expires_at is not None and user.token_expires_at <= now:
        return _("bearer token expired; ask for a new one")
    return None


def _holder(db: Database, presented: str) -> User | None:
    with db.read() as session:
        return session.scalars(select(User).where(User.token_hash == presented)).first()


def token_still_valid(db: Database, user_id: int, presented: str) -> bool:
    """Whether the token an open stream authenticated with still works.

    Not revoked, rotated away or expired: long-lived answers check again instead of trusting
    the first check.
    """
    user = _holder(db, presented)
    fault = token_fault(user, presented, utcnow())
    return fault is None and user is not None and user.id == user_id


def _note_use(db: Database, user: User, now: dt.datetime) -> None:
    if user.last_used_at is not None and now - user.last_used_at < LAST_USE_PRECISION:
        return
    with db.write() as session:
        session.execute(update(User).where(User.id == user.id).values(last_used_at=now))
    user.last_used_at = now


def current_user(
    request: Request,
    db: Annotated[Database, Depends(database)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The user whose token is presented; 401 if none is, or it is unknown, revoked or expired."""
    if credentials is None:
        raise _unauthorised(_("missing bearer token"))
    presented = hash_token(credentials.credentials)
    user, now = _holder(db, presented), utcnow()
    if (fault := token_fault(user, presented, now)) is not None:
        raise _unauthorised(fault)
    assert user is not None
    _note_use(db, user, now)
    request.state.token_hash = presented
    return user


async def speaking_user(request: Request,
                        user: Annotated[User, Depends(current_user)]) -> User:
    """The authenticated user, the rest of the request answered in their language.

    Asynchronous on purpose: it runs in the request's task, so the language it sets is seen
    by the handler and the error answers; a worker thread's would be lost.
    """
    speak_as(request, user)
    return user
