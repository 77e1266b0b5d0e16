"""The ``corridor`` command line.

Exit codes: 0 ok, 1 runtime failure, 2 bad input (any :class:`~corridor.errors.CorridorError`).
Every command that reports has ``--json``; the shapes are documented in the README.
"""

from __future__ import annotations

import sys

import typer

from corridor.cli import negotiate as _negotiate
from corridor.cli import network as _network
from corridor.cli import plan as _plan
from corridor.cli import scenario as _scenario
from corridor.cli import serve as _serve
from corridor.cli import sheet as _sheet
from corridor.cli._output import console
from corridor.errors import CorridorError

app = typer.Typer(
    name="corridor",
    help="Plan and coordinate humanitarian corridors, offline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(_network.app, name="network")
_scenario.register(app)
_negotiate.register(app)
_plan.register(app)
_serve.register(app)
_sheet.register(app)


def main() -> None:
    """Entry point: run the app, mapping bad input to exit 2 with one clear line."""
    try:
        app(standalone_mode=False)
    except CorridorError as exc:
        console.print(f"[red]error:[/red] {exc.describe()}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(1)
    except Exception as exc:  # click's usage errors carry their own exit code
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
