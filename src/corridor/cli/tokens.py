"""``corridor admin user revoke`` and ``rotate``: the life cycle of a user's bearer token."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from corridor.cli._options import DbOpt, JsonOpt, with_language
from corridor.cli._output import report
from corridor.errors import StoreError
from corridor.i18n import _
from corridor.settings import DEFAULTS
from corridor.store import coordination, queries
from corridor.store.db import Database

#: The audit log's actor for changes made from the command line.
ADMIN_ACTOR = "admin"
TOKEN_DAYS = coordination.TOKEN_LIFETIME.days
ExpiresOpt = Annotated[int, typer.Option(
    "--expires-days", help="Days the token works; 0: until revoked.")]
_Name = Annotated[str, typer.Argument(help="The user's name.")]


def token_lifetime(days: int) -> dt.timedelta | None:
    """The lifetime ``--expires-days`` asks for; negative counts are bad input."""
    if days < 0:
        raise StoreError(_("must be 0 (no expiry) or a number of days"), field="--expires-days")
    return dt.timedelta(days=days) if days else None


def revoke(name: _Name, db: DbOpt = DEFAULTS.db, json: JsonOpt = False) -> None:
    """Stop a user's token at once, open event streams included; `rotate` issues a new one."""
    with Database.open(db) as database, database.write() as session:
        user = coordination.revoke_token(session, ADMIN_ACTOR, queries.user_named(session, name).id)
        data = {"id": user.id, "name": user.name, "revoked_at": user.revoked_at.isoformat()
                if user.revoked_at else None}
    report(data, json, _("token of user {name} revoked").format(name=name))


def rotate(name: _Name, expires_days: ExpiresOpt = TOKEN_DAYS, db: DbOpt = DEFAULTS.db,
           json: JsonOpt = False) -> None:
    """Issue a new token for a user; the old one stops working. Printed this once."""
    lifetime = token_lifetime(expires_days)
    with Database.open(db) as database, database.write() as session:
        user, token = coordination.rotate_token(
            session, ADMIN_ACTOR, queries.user_named(session, name).id, lifetime)
        expires = user.token_expires_at
        data = {"id": user.id, "name": user.name, "token": token,
                "expires_at": expires.isoformat() if expires else None}
    report(data, json, _("new bearer token of user {name} (shown once):\n{token}").format(
        name=name, token=token))


def register(user_app: typer.Typer) -> None:
    """Add ``revoke`` and ``rotate`` to ``corridor admin user``."""
    user_app.command("revoke")(with_language(revoke))
    user_app.command("rotate")(with_language(rotate))
