"""``corridor ingest``: a statement announcing corridors, drafted as proposals."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, cast

import typer
from rich.markup import escape

from corridor.cli._options import with_language
from corridor.cli._output import out, print_json, styled
from corridor.errors import IngestError
from corridor.gazetteer import Gazetteer, places_from_csv
from corridor.i18n import _, format_decimal
from corridor.ingest import Context, Draft, as_json, as_yaml, decode_statement, draft
from corridor.ingest.drafts import scenario_context
from corridor.ingest.text import MAX_BYTES, Language, detect_language
from corridor.scenario import load_scenario
from corridor.world import build_world


class LanguageChoice(StrEnum):
    """``--text-lang`` values."""

    auto = "auto"
    uk = "uk"
    ru = "ru"
    en = "en"


def register(app: typer.Typer) -> None:
    """Add ``ingest`` to the main app."""
    app.command("ingest")(with_language(ingest))


def ingest(
    statement: Annotated[str, typer.Argument(help="Text file of the statement, or - for stdin.")],
    scenario: Annotated[Path | None, typer.Option(
        help="Resolve names through this scenario's gazetteer and write them its way.")] = None,
    gazetteer: Annotated[list[Path] | None, typer.Option(
        help="GeoNames JSON or supplementary CSV to resolve names with (repeatable), when "
             "there is no scenario.")] = None,
    text_lang: Annotated[LanguageChoice, typer.Option(
        "--text-lang", help="Language of the statement (--lang is the language of the "
                            "output, as for every command).")] = LanguageChoice.auto,
    proposer: Annotated[str | None, typer.Option(
        help="Party id of the proposer, when the announcer names no party.")] = None,
    as_json_: Annotated[bool, typer.Option("--json", help="Print the drafts as JSON.")] = False,
    yaml_: Annotated[bool, typer.Option(
        "--yaml", help="Print windows and proposals to merge into a scenario.")] = False,
) -> None:
    """Draft proposals from an announcement in Ukrainian, Russian or English."""
    if as_json_ and yaml_:
        raise IngestError(_("give --json or --yaml, not both"), field="--yaml")
    text = decode_statement(_read(statement), statement)
    language = None if text_lang is LanguageChoice.auto else cast(Language, text_lang.value)
    context, taken = _context(scenario, gazetteer or [])
    drafts = draft(text, context, language=language)
    if yaml_:
        sys.stdout.write(as_yaml(drafts, proposer=proposer, taken=taken))
    elif as_json_:
        print_json(as_json(drafts, language or detect_language(text)))
    else:
        for number, item in enumerate(drafts, 1):
            _print(number, item)


def _read(statement: str) -> bytes:
    """At most one byte more than a statement may have, so that too long is still told."""
    if statement == "-":
        return sys.stdin.buffer.read(MAX_BYTES + 1)
    path = Path(statement)
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise IngestError(_("cannot read the statement: {error}").format(error=exc.strerror),
                          source=path) from exc


def _context(scenario: Path | None, files: list[Path]) -> tuple[Context, set[str]]:
    """The gazetteer and conventions to draft with, and the ids the scenario already uses."""
    if scenario is not None:
        world = build_world(load_scenario(scenario))
        sc = world.scenario
        return scenario_context(world), {*(w.id for w in sc.windows),
                                         *(p.id for p in sc.proposals)}
    if not files:
        raise IngestError(_("place names need a gazetteer: give --scenario, or GeoNames files "
                            "with --gazetteer"), field="--scenario")
    gazetteer = Gazetteer.from_geonames([f for f in files if f.suffix.lower() != ".csv"])
    for path in files:
        if path.suffix.lower() == ".csv":
            gazetteer.add_places(places_from_csv(path))
    return Context(gazetteer), set()


def _print(number: int, item: Draft) -> None:
    data = item.as_json()
    route = " -> ".join([data["origin"], *data["waypoints"], data["destination"]])
    out.print(f"[bold]{number}.[/bold] {escape(route)}  " + escape(
        _("(confidence {confidence})").format(confidence=format_decimal(item.confidence, 2))),
              highlight=False, soft_wrap=True)
    for window in data["windows"]:
        out.print("   " + escape(_("window {start} to {end} ({timezone})").format(
            start=window["start"], end=window["end"] or "?", timezone=window["timezone"])),
                  highlight=False)
    for problem in data["unresolved"]:
        out.print("   " + styled("yellow", _("unresolved")) + " "
                  + escape(f"{problem['written']}: {problem['problem'] or ''}"),
                  highlight=False, soft_wrap=True)
    for note in item.notes:
        out.print("   " + escape(_("note: {note}").format(note=note)), highlight=False,
                  soft_wrap=True)
