"""The language each answer is given in, chosen per request.

The user's own setting wins (a liaison reading Ukrainian gets Ukrainian from any browser),
then the request's ``Accept-Language``, then ``CORRIDOR_LANG``, then English. The choice is a
context variable set for the request's own task, so concurrent requests in different languages
never see each other's; it is reset when the request ends.

Answers under ``/api/`` say which language they are in (``Content-Language``) and, unless the
user's setting chose it, that another ``Accept-Language`` would get another text
(``Vary: Accept-Language``), so a cache keeps the two apart.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corridor.i18n import current_language, negotiate, set_language, use_language
from corridor.store.models import User

#: Key in the request's state marking that the user's setting chose the language.
_BY_USER = "language_by_user"


def requested_language(headers: Headers) -> str:
    """The language a request asks for: its ``Accept-Language``, else the service's default."""
    return negotiate(headers.get("accept-language")) or current_language()


def speak_as(request: Request, user: User) -> None:
    """Answer the rest of ``request`` in ``user``'s language, if they have set one.

    Must run in the request's own task (an ``async`` dependency), not in a worker thread,
    whose copy of the context would be dropped when it returns.
    """
    if user.language is not None:
        set_language(user.language)
        setattr(request.state, _BY_USER, True)


class RequestLanguage:
    """Set the request's language from ``Accept-Language`` and label the answers under /api/."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request in its language; add the language headers to API answers."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        labelled = scope["path"].startswith("/api/")

        async def send_labelled(message: Message) -> None:
            if labelled and message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # A handler that changes the language (the user's own setting) says so itself.
                headers.setdefault("Content-Language", current_language())
                if not scope.get("state", {}).get(_BY_USER, False):
                    headers.add_vary_header("Accept-Language")
            await send(message)

        with use_language(requested_language(Headers(scope=scope))):
            await self.app(scope, receive, send_labelled)
