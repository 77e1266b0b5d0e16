"""``corridor audit verify``: recompute the hash-chained audit log of a store."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

import typer

from corridor.cli._options import DbOpt, JsonOpt, with_language
from corridor.cli._output import report
from corridor.i18n import _
from corridor.settings import DEFAULTS
from corridor.store.audit import Anchor, verify_chain
from corridor.store.audit_state import verify_state
from corridor.store.db import Database


def register(app: typer.Typer) -> None:
    """Add ``audit`` and its subcommands to the ``corridor`` command line."""
    audit = typer.Typer(help="Check the hash-chained audit log.", no_args_is_help=True)
    audit.command("verify")(with_language(audit_verify))
    app.add_typer(audit, name="audit")


def audit_verify(
    db: DbOpt = DEFAULTS.db,
    anchor: Annotated[list[str] | None, typer.Option(
        help="SEQ:HASH of an entry kept outside the store (an agreement's audit_head, or the "
             "head printed by an earlier run); repeatable. Finds a cut-off or rewritten log.")]
    = None,
    state: Annotated[bool, typer.Option(
        "--state", help="Also re-derive corridor statuses, users' roles, parties' keys and "
                        "signatures from the log and compare them with the tables: finds "
                        "rows edited or deleted behind the service's back.")] = False,
    json: JsonOpt = False,
) -> None:
    """Recompute the audit chain: exit 0 if intact, 1 at the first broken link.

    With --state, also 1 at any table that disagrees with the log. The head it prints is worth
    keeping elsewhere, to check a later run against with --anchor.
    """
    anchors = [Anchor.parse(text) for text in anchor or ()]
    with Database.open(db, migrate=False) as database:
        chain = verify_chain(database, anchors)
        with database.read() as session:
            tables = verify_state(session) if state else None
    data: dict[str, Any] = {
        "ok": chain.ok, "entries": chain.entries, "broken_seq": chain.broken_seq,
        "reason": chain.reason, "head": None if chain.head is None else str(chain.head)}
    lines = [chain.describe()]
    if tables is not None:
        data["ok"] = chain.ok and tables.ok
        data["state"] = [dataclasses.asdict(d) for d in tables.differences]
        lines += [d.describe() for d in tables.differences] or [
            _("state: every checked table agrees with the log")]
    report(data, json, "\n".join(lines))
    if not data["ok"]:
        raise typer.Exit(1)
