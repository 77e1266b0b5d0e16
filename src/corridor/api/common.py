"""What every resource shares: paging, idempotent creation and the documented error answers."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import ColumnElement, delete
from sqlalchemy.orm import InstrumentedAttribute, Session

from corridor.errors import StoreError
from corridor.i18n import _
from corridor.store import queries
from corridor.store.db import Database
from corridor.store.models import Base, IdempotencyRecord, User, utcnow
from corridor.store.schemas import Error, Page, document_fault
from corridor.store.signing import canonical_json

from .auth import database

__all__ = [
    "DB",
    "MAX_ID",
    "READ_ERRORS",
    "WRITE_ERRORS",
    "Create",
    "IdPath",
    "Page",
    "Paging",
    "fetch",
    "list_page",
    "require_exists",
]

M = TypeVar("M", bound=Base)
Out = TypeVar("Out", bound=BaseModel)

DB = Annotated[Database, Depends(database)]
#: Ids, sequence numbers and so cursors fit a 32-bit integer column on every backend.
MAX_ID = 2**31 - 1
#: An entity id in a path.
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]


def _error(description: str) -> dict[str, Any]:
    return {"model": Error, "description": description}


READ_ERRORS: dict[int | str, dict[str, Any]] = {
    401: _error("Missing or unknown bearer token"),
    404: _error("No entity with this id"),
    422: _error("Malformed parameter; `field` names it"),
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **READ_ERRORS,
    400: _error("The body cannot be parsed at all"),
    403: _error("The caller's role or party may not make this change"),
    404: _error("An id in the path or body names nothing"),
    409: _error("Not possible in the entity's current state; `allowed` lists what is"),
    413: _error("Request body too large"),
    422: _error("Invalid body, or Idempotency-Key reused with a different body; "
                "`field` names the offending field"),
}


# -- paging ------------------------------------------------------------------------------------

def _encode_cursor(after: object | None) -> str | None:
    return None if after is None else base64.urlsafe_b64encode(str(after).encode()).decode()


def _not_a_cursor() -> StoreError:
    return StoreError(_("not a cursor returned by this API"), field="cursor")


def _decode_cursor(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        after = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, binascii.Error) as exc:
        raise _not_a_cursor() from exc
    if document_fault(after) is not None:
        raise _not_a_cursor()
    return after


def _typed_after(key: InstrumentedAttribute[Any], after: str | None) -> object | None:
    """The cursor's value in the key column's own type, so comparisons work on every backend."""
    if after is None:
        return None
    try:
        converted: object = key.type.python_type(after)
    except ValueError as exc:
        raise _not_a_cursor() from exc
    if isinstance(converted, int) and not 0 <= converted <= MAX_ID:
        # Larger numbers overflow the column's type on the way into the query.
        raise _not_a_cursor()
    return converted


@dataclass(frozen=True)
class PageQuery:
    limit: int
    after: str | None


def page_query(
    limit: Annotated[int, Query(ge=1, le=200, description="Items per page")] = 50,
    cursor: Annotated[str | None, Query(max_length=40,
                                        description="`next_cursor` of the previous page")] = None,
) -> PageQuery:
    return PageQuery(limit=limit, after=_decode_cursor(cursor))


Paging = Annotated[PageQuery, Depends(page_query)]


def list_page(
    db: Database,
    model: type[M],
    key: InstrumentedAttribute[Any],
    out: type[Out],
    paging: PageQuery,
    where: Sequence[ColumnElement[bool]] = (),
) -> Page[Out]:
    """A page of ``model`` rows ordered by ``key``, answered as ``out``."""
    with db.read() as session:
        rows, after = queries.page(session, model, key, after=_typed_after(key, paging.after),
                                   limit=paging.limit, where=where)
        items = [out.model_validate(row) for row in rows]
    return Page[Out](items=items, next_cursor=_encode_cursor(after))


def fetch(db: Database, model: type[M], key: object, out: type[Out]) -> Out:
    """One ``model`` row by key as ``out``; 404 naming the row when it does not exist."""
    with db.read() as session:
        return out.model_validate(queries.get(session, model, key))


def require_exists(db: Database, model: type[M], key: object) -> None:
    """404 for a sub-resource list of a parent that does not exist."""
    with db.read() as session:
        queries.get(session, model, key)


# -- idempotent creation -----------------------------------------------------------------------

def _request_hash(path: str, body: BaseModel) -> str:
    return hashlib.sha256(
        canonical_json({"path": path, "body": body.model_dump(mode="json")})
    ).hexdigest()


def _forget_expired(session: Session, user: User, window: dt.timedelta) -> None:
    """Drop the user's keys older than the retry window, so the table stays the size of a day."""
    session.execute(delete(IdempotencyRecord).where(
        IdempotencyRecord.user_id == user.id, IdempotencyRecord.created_at < utcnow() - window))


def _replay(session: Session, user: User, key: str, request_hash: str) -> JSONResponse | None:
    record = session.get(IdempotencyRecord, (user.id, key))
    if record is None:
        return None
    if record.request_hash != request_hash:
        raise StoreError(_("Idempotency-Key {key!r} was already used for a different request; "
                           "nothing was stored").format(key=key), field="Idempotency-Key")
    return JSONResponse(record.response, status_code=record.status_code,
                        headers={"Idempotent-Replayed": "true"})


@dataclass(frozen=True)
class Creation:
    """Runs a create once per ``Idempotency-Key``.

    A retry within ``window`` gets the first response back; after it, the key is free again.
    """

    db: Database
    path: str
    key: str | None
    window: dt.timedelta

    def run(self, user: User, body: BaseModel, make: Callable[[Session], BaseModel],
            status_code: int = 201) -> JSONResponse:
        # Writes are serialised, so checking for the key inside the write is race-free.
        with self.db.write() as session:
            if replay := self.replayed(session, user, body):
                return replay
            content = make(session)
            self.remember(session, user, body, content, status_code)
        return JSONResponse(content.model_dump(mode="json"), status_code=status_code)

    def replayed(self, session: Session, user: User, body: BaseModel) -> JSONResponse | None:
        """The first answer to this key and body, if there was one; a different body is a 422."""
        if self.key is None:
            return None
        _forget_expired(session, user, self.window)
        return _replay(session, user, self.key, _request_hash(self.path, body))

    def remember(self, session: Session, user: User, body: BaseModel, content: BaseModel,
                 status_code: int = 201) -> None:
        """Keep the answer in the transaction that stored what it reports, so both or neither."""
        if self.key is not None:
            session.add(IdempotencyRecord(user_id=user.id, key=self.key,
                                          request_hash=_request_hash(self.path, body),
                                          status_code=status_code,
                                          response=content.model_dump(mode="json")))


def creation(
    request: Request,
    db: DB,
    idempotency_key: Annotated[str | None, Header(
        alias="Idempotency-Key", min_length=1, max_length=200,
        description="Retrying with the same key and body returns the original response")] = None,
) -> Creation:
    return Creation(db=db, path=request.url.path, key=idempotency_key,
                    window=request.app.state.settings.idempotency_window)


Create = Annotated[Creation, Depends(creation)]
