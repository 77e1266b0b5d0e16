"""Options several commands share, so each is spelled, explained and defaulted the same way."""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from corridor import i18n
from corridor.errors import CorridorError
from corridor.i18n import _
from corridor.scenario import Scenario

R = TypeVar("R")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]
DbOpt = Annotated[str, typer.Option(
    "--db", help="Database URL (sqlite:///FILE, postgresql+psycopg://USER@HOST/DB), or path "
                 "of an SQLite file.")]
ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.")]
GpxOpt = Annotated[Path | None, typer.Option(
    "--gpx", help="Write the routes as GPX 1.1 (named waypoints and one track per route).")]
KmlOpt = Annotated[Path | None, typer.Option(
    "--kml", help="Write routes (styled by verdict), control and hazard areas as KML.")]
GpkgOpt = Annotated[Path | None, typer.Option(
    "--gpkg", help="Write a GeoPackage with the layers routes, areas and places.")]
LangOpt = Annotated[str | None, typer.Option(
    "--lang", metavar="LANG",
    help="Language of messages, tables and reports: en, uk or ru. Default: $CORRIDOR_LANG, "
         "else English.")]
AtOpt = Annotated[str | None, typer.Option(
    "--at", metavar="DATE",
    help="Use the situation snapshot valid on this date (YYYY-MM-DD): the timeline's latest "
         "not after it. By default each proposal's own: the latest not after its window, else "
         "the latest.")]


def apply_language(lang: str | None) -> None:
    """Make ``--lang`` (when given) the language of everything the command prints or writes."""
    if lang is not None:
        i18n.set_language(i18n.parse_language(lang))


def with_language(command: Callable[..., R]) -> Callable[..., R]:
    """``command`` with a ``--lang`` option of its own, applied before it runs.

    An operator types the language after the command (``corridor negotiate FILE --lang uk``)
    as often as before it; every command takes it the same way, through this one wrapper,
    instead of each repeating the option and the call.
    """
    @functools.wraps(command)
    def run(*args: Any, lang: str | None = None, **kwargs: Any) -> R:
        apply_language(lang)
        return command(*args, **kwargs)

    signature = inspect.signature(command, eval_str=True)
    option = inspect.Parameter("lang", inspect.Parameter.KEYWORD_ONLY, default=None,
                               annotation=LangOpt)
    run.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), option])
    run.__annotations__ = {**typing.get_type_hints(command, include_extras=True),
                           "lang": LangOpt}
    return run


def parse_day(text: str | None, scenario: Scenario | None = None,
              option: str = "--at") -> date | None:
    """A date option's value, checked against the scenario's timeline when one is given.

    A malformed date, or one the timeline has no snapshot for, is bad input naming the option.
    """
    if text is None:
        return None
    try:
        day = date.fromisoformat(text)
        if scenario is not None:
            scenario.snapshot_date(day)
    except ValueError:
        raise CorridorError(_("expected a date as YYYY-MM-DD, got {text!r}").format(text=text),
                            field=option) from None
    except CorridorError as exc:
        raise CorridorError(exc.message, field=option) from None
    return day
