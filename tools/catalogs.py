"""Keep the message catalogs in step with the code.

    python tools/catalogs.py check       # list what a catalog lacks
    python tools/catalogs.py add AREA    # append the missing messages to AREA.po, untranslated

``add`` writes the msgids the code uses and no catalog of a language holds into
``src/corridor/locale/<lang>/AREA.po`` with an empty translation, for a translator to fill in;
``tests/test_catalogs.py`` fails until they are. Messages are found the way gettext tools find
them: calls of ``_``, ``N_`` and ``ngettext`` in Python, and ``_``/``ngettext`` in the Jinja2
templates.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "corridor"
LOCALE = PACKAGE / "locale"
TRANSLATED = ("uk", "ru")
_METHODS = [("**/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
_KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
_OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


@dataclass(frozen=True)
class Used:
    """A message the code asks for: its id (a tuple for plurals) and where."""

    msgid: str | tuple[str, str]
    where: str

    @property
    def key(self) -> str:
        """The singular id, which is what a catalog is keyed by."""
        return self.msgid if isinstance(self.msgid, str) else self.msgid[0]


def used_messages() -> dict[str, Used]:
    """Every message the package asks for, keyed by its (singular) id, first use kept."""
    found: dict[str, Used] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            PACKAGE, _METHODS, _OPTIONS, _KEYWORDS, strip_comment_tags=True):
        used = Used(message, f"src/corridor/{filename}:{lineno}")
        found.setdefault(used.key, used)
    return found


def catalogs(language: str) -> dict[Path, Catalog]:
    """Each ``.po`` file of ``language``, parsed."""
    parsed: dict[Path, Catalog] = {}
    for path in sorted((LOCALE / language).glob("*.po")):
        with path.open("rb") as fh:
            parsed[path] = read_po(fh, locale=language)
    return parsed


def missing(language: str, used: dict[str, Used]) -> list[Used]:
    """Messages the code uses that no catalog of ``language`` holds."""
    held = {m.id if isinstance(m.id, str) else m.id[0]
            for catalog in catalogs(language).values() for m in catalog if m.id}
    return [u for key, u in sorted(used.items()) if key not in held]


def add(area: str, languages: Iterable[str]) -> int:
    """Append the missing messages to each language's ``AREA.po``; how many were added."""
    used = used_messages()
    added = 0
    for language in languages:
        lacking = missing(language, used)
        if not lacking:
            continue
        path = LOCALE / language / f"{area}.po"
        if path.exists():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=language)
        else:
            catalog = Catalog(locale=language, project="corridor")
        for u in lacking:
            catalog.add(u.msgid, "" if isinstance(u.msgid, str) else ("", "", ""),
                        locations=[(u.where.split(":")[0], int(u.where.split(":")[1]))])
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, width=100, omit_header=False, include_previous=False)
        added += len(lacking)
        print(f"{path.relative_to(ROOT)}: {len(lacking)} messages to translate")
    return added


def check() -> int:
    """Print what each language lacks; the exit status is 1 when anything does."""
    used = used_messages()
    status = 0
    for language in TRANSLATED:
        for u in missing(language, used):
            print(f"{language}: missing {u.key!r} ({u.where})")
            status = 1
    return status


def main(argv: list[str] | None = None) -> int:
    """Run ``check`` or ``add`` (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check")
    adding = sub.add_parser("add")
    adding.add_argument("area", help="catalog file name without .po, e.g. cli")
    args = parser.parse_args(argv)
    if args.command == "check":
        return check()
    add(args.area, TRANSLATED)
    return 0


if __name__ == "__main__":
    sys.exit(main())
