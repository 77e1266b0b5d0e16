"""The ``corridor`` command line.

Exit codes: 0 ok, 1 runtime failure, 2 bad input (any :class:`~corridor.errors.CorridorError`).
Every command that reports has ``--json``; the shapes are documented in the README.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import sys

import typer
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError

from corridor import i18n
from corridor.cli import (
    admin,
    audit,
    evacuate,
    ingest,
    negotiate,
    network,
    plan,
    route,
    scenario,
    serve,
    sheet,
    sweep,
    tiles,
    timeline,
)
from corridor.cli._options import LangOpt, apply_language
from corridor.cli._output import console
from corridor.errors import CorridorError, UnavailableError

app = typer.Typer(
    name="corridor",
    help="Plan and coordinate humanitarian corridors, offline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _language(lang: LangOpt = None) -> None:
    """Plan and coordinate humanitarian corridors, offline."""
    apply_language(lang)


# Every command module adds its commands the same way; this order is the order of ``--help``.
for _module in (scenario, negotiate, sweep, route, plan, timeline, evacuate, ingest, serve,
                sheet, network, tiles, admin, audit):
    _module.register(app)


def main() -> None:
    """Entry point: run the app and exit with its code (see the module docstring)."""
    sys.exit(run(sys.argv[1:]))


def run(args: list[str]) -> int:
    """Run the command line on ``args`` and return the exit code, never raising.

    Typer's standalone mode turns usage errors into exit 2 and ``typer.Exit`` into its code;
    what the commands raise is mapped here. Standard output is flushed inside, so a failed
    write (a full disk, a closed pipe) is a reported failure rather than a lost one. The run
    has a context of its own, so the language ``--lang`` chose ends with it.
    """
    return contextvars.copy_context().run(_run, args)


def _run(args: list[str]) -> int:
    try:
        try:
            i18n.language_from_env()
            app(args, prog_name="corridor")
        finally:
            sys.stdout.flush()
    except SystemExit as exc:
        return _exit_code(exc)
    except CorridorError as exc:
        _error(exc.describe())
        return 2
    except (UnavailableError, OSError, SQLAlchemyError) as exc:
        _error(_failure(exc))
        _silence_stdout()
        return 1
    return 0


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None or isinstance(exc.code, int):
        return exc.code or 0
    _error(str(exc.code))
    return 1


def _failure(exc: Exception) -> str:
    if isinstance(exc, SQLAlchemyError):
        orig = getattr(exc, "orig", None) or exc
        return "database failure: " + str(orig).splitlines()[0]
    return str(exc)


def _error(message: str) -> None:
    console.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)


def _silence_stdout() -> None:
    """After stdout failed, drop what is still buffered, so exiting does not fail again."""
    with contextlib.suppress(OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
