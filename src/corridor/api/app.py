"""The FastAPI application: routers, error answers and the request-size limit.

Everything lives under ``/api/``; ``/`` is left for the dashboard.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corridor import __version__, web
from corridor.errors import ConflictError, NotFoundError, StoreError
from corridor.i18n import _, use_language
from corridor.settings import Settings
from corridor.store.db import Database
from corridor.store.schemas import MAX_NESTING, Error
from corridor.store.validation import describe

from . import (
    adhoc,
    agreements,
    alerts,
    audit,
    convoys,
    corridors,
    events,
    incidents,
    notifications,
    parties,
    proposals,
    situations,
    talks,
    users,
)
from .auth import token_still_valid
from .basemap import install as install_basemap
from .eventhub import EventHub
from .headers import SECURITY_HEADERS, SecurityHeaders
from .language import RequestLanguage, requested_language
from .map import install as install_map
from .policy import file_routes

#: A JSON string (escapes included) or a bracket: what the nesting scan must tell apart.
_JSON_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[][{}]')


def _nesting(body: bytes) -> int:
    """How deeply the JSON text nests, found without parsing it (parsing recurses per level)."""
    depth = deepest = 0
    for token in _JSON_TOKEN.finditer(body):
        first = token.group()[:1]
        if first in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif first in (b"]", b"}"):
            depth -= 1
    return deepest


class BodyLimit:
    """Refuse oversized bodies (413) and deeply nested ones (400) before any handler sees them.

    Bodies over the limit, or nested deeper than :data:`MAX_NESTING`, never reach a handler.

    Bodies are buffered (they are small by construction), which also catches chunked uploads
    that announce no length.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Buffer the body, refuse it if too large or too deep, else replay it to the app."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
        body = b"".join(chunks)
        if _nesting(body) > MAX_NESTING:
            detail = _("JSON body nested deeper than {levels} levels").format(levels=MAX_NESTING)
            await _answer(scope, receive, send, detail, 400)
            return
        await self.app(scope, _replaying(body, receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = _("request body exceeds {limit} bytes").format(limit=self.max_bytes)
        await _answer(scope, receive, send, detail, 413)


async def _answer(scope: Scope, receive: Receive, send: Send, detail: str, status: int) -> None:
    response = JSONResponse(Error(detail=detail).model_dump(), status_code=status)
    await response(scope, receive, send)


def _replaying(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def _receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return _receive


def _status(exc: StoreError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ConflictError):
        return 409
    return 422


async def _store_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StoreError)
    allowed = exc.allowed if isinstance(exc, ConflictError) else []
    body = Error(detail=exc.message, field=exc.field, allowed=allowed)
    return JSONResponse(body.model_dump(), status_code=_status(exc))


def _field(location: tuple[object, ...]) -> str:
    parts = [str(p) for p in location]
    return ".".join(parts[1:]) if parts[:1] == ["body"] and len(parts) > 1 else ".".join(parts)


async def _invalid(_: Request, exc: Exception) -> JSONResponse:
    """One readable line per problem, each naming the field, instead of pydantic's raw list.

    The field paths stay as the client sent them; the problems are in the request's language.
    """
    assert isinstance(exc, RequestValidationError)
    problems = [(_field(tuple(e["loc"])), describe(e)) for e in exc.errors()]
    detail = "; ".join(f"{where}: {message}" for where, message in problems)
    body = Error(detail=detail, field=problems[0][0] if problems else None)
    return JSONResponse(body.model_dump(), status_code=422)


async def _http_error(request: Request, exc: Exception) -> Response:
    """As FastAPI's, except that 405 lists every method of the path, not just one route's.

    The router's own texts (404, 405) are given in the request's language too.
    """
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404 and exc.detail == HTTPStatus.NOT_FOUND.phrase:
        # The router's own answer for a path that names nothing.
        exc = StarletteHTTPException(404, _("Not Found"), exc.headers)
    if exc.status_code != 405:
        return await http_exception_handler(request, exc)
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _child_scope = route.matches(request.scope)
        if match != Match.NONE and isinstance(route, APIRoute) and route.methods:
            methods |= route.methods
    return JSONResponse(Error(detail=_("method not allowed")).model_dump(), status_code=405,
                        headers={"Allow": ", ".join(sorted(methods))})


async def _internal(request: Request, exc: Exception) -> JSONResponse:
    """The last resort: a JSON error that still carries the security and language headers.

    The middlewares cannot add them here, because errors escape them; for the same reason the
    language is negotiated again from the request.
    """
    with use_language(requested_language(request.headers)) as language:
        detail = _("internal error; the request was not completed")
    return JSONResponse(Error(detail=detail).model_dump(), status_code=500,
                        headers={**SECURITY_HEADERS, "Content-Language": language,
                                 "Vary": "Accept-Language"})


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    await app.state.events.close()


def create_app(db: Database, settings: Settings | None = None) -> FastAPI:
    """The service over an opened (and migrated) store."""
    settings = settings or Settings()
    app = FastAPI(
        title="Corridor coordination service",
        version=__version__,
        description="Talks, proposals, signed agreements, corridor status, movement "
                    "notifications, incidents and convoy progress, with a hash-chained audit "
                    "log. Authenticate with `Authorization: Bearer <token>`.",
        # The reference at /docs is served from the bundled Swagger UI (see corridor.web).
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.db = db
    app.state.settings = settings
    app.state.events = EventHub(db, settings.event_poll_seconds, settings.limits,
                                token_still_valid)
    for module in (parties, talks, proposals, agreements, corridors, notifications, incidents,
                   convoys, situations, alerts, adhoc, events, audit, users):
        app.include_router(module.router)
    install_map(app, settings.scenario)
    install_basemap(app, settings.basemap)
    situations.install(app, db)
    file_routes(app)
    web.mount(app)
    app.add_exception_handler(StoreError, _store_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _internal)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    # Outside the body limit, whose refusals are answered in the request's language too.
    app.add_middleware(RequestLanguage)
    app.add_middleware(SecurityHeaders)
    return app
