"""The language every user-facing string is shown in, and the catalogs that translate it.

The people at the table and at the checkpoints read Ukrainian and Russian as often as English,
so every message, table heading and report label is an English source string looked up through
gettext. Translations live in ``corridor/locale/<lang>/*.po``; every file of a language folder
is merged into one catalog, so each part of the system keeps its own file. Catalogs are
compiled in memory from the ``.po`` text on first use, so there is no build step to forget.

The active language is a context variable: the command line sets it once from ``--lang`` or
``CORRIDOR_LANG``, and the service sets it per request (the user's setting, then the request's
``Accept-Language``), so concurrent requests in different languages do not see each other's.
Numbers and dates are formatted for the same locale through Babel.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path
from typing import Annotated

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from pydantic import AfterValidator

from corridor.errors import CorridorError

#: Languages with a catalog, English (the source language) first.
LANGUAGES: tuple[str, ...] = ("en", "uk", "ru")
DEFAULT_LANGUAGE = "en"
#: Environment variable naming the language when no option or user setting does.
LANG_ENV = "CORRIDOR_LANG"
LOCALE_DIR = Path(__file__).parent / "locale"

_active: ContextVar[str | None] = ContextVar("corridor_language", default=None)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs without translating it yet.

    For module-level constants, which are defined before any language is chosen; translate
    them where they are shown, with :func:`_`.
    """
    return message


def _(message: str) -> str:
    """``message`` in the active language, or as it is where the catalog has no entry."""
    return _translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or a plural form for ``count``, following the active language's rules.

    Ukrainian and Russian have three forms (1 коридор, 2 коридори, 5 коридорів), which is why
    a count is never glued to an English plural.
    """
    return _translations(current_language()).ngettext(singular, plural, count)


def parse_language(text: str, *, field: str = "--lang") -> str:
    """A language code from ``text``, accepting POSIX and BCP 47 forms (``uk_UA.UTF-8``, ``ru-RU``).

    Raises
    ------
    CorridorError
        If the language has no catalog; the message lists the ones that do.
    """
    code = _code(text)
    if code not in LANGUAGES:
        raise CorridorError(
            _("unknown language {language!r}: expected one of {languages}").format(
                language=text, languages=", ".join(LANGUAGES)), field=field)
    return code


def _catalog_language(code: str) -> str:
    """``code`` if it names a language with a catalog, for data that declares its languages."""
    if code not in LANGUAGES:
        raise ValueError(_("unknown language {language!r}: expected one of {languages}").format(
            language=code, languages=", ".join(LANGUAGES)))
    return code


#: A language code in data (a party's ``languages``): one of :data:`LANGUAGES`, as written.
LanguageCode = Annotated[str, AfterValidator(_catalog_language)]


def current_language() -> str:
    """The language set for this context, else ``CORRIDOR_LANG``, else English.

    An unusable ``CORRIDOR_LANG`` falls back to English here, so that the error saying so can
    still be shown; :func:`language_from_env` is where it is reported.
    """
    chosen = _active.get()
    if chosen is not None:
        return chosen
    code = _code(os.environ.get(LANG_ENV, ""))
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def language_from_env() -> str | None:
    """The language ``CORRIDOR_LANG`` names, or None when it is unset or empty.

    Raises
    ------
    CorridorError
        If it names a language without a catalog.
    """
    value = os.environ.get(LANG_ENV, "").strip()
    return parse_language(value, field=LANG_ENV) if value else None


def _code(text: str) -> str:
    """The language part of a POSIX or BCP 47 tag, lower-cased."""
    return text.strip().replace("-", "_").split(".")[0].split("_")[0].lower()


def set_language(language: str) -> None:
    """Make ``language`` (a code from :data:`LANGUAGES`) the active one for this context."""
    _active.set(parse_language(language))


@contextmanager
def use_language(language: str | None) -> Iterator[str]:
    """Run a block in ``language``; None keeps the one already active.

    Yields the language in effect, so a caller can pass it on (to a report's ``lang``).
    """
    if language is None:
        yield current_language()
        return
    token = _active.set(parse_language(language))
    try:
        yield _active.get() or DEFAULT_LANGUAGE
    finally:
        _active.reset(token)


def negotiate(accept_language: str | None) -> str | None:
    """The best of :data:`LANGUAGES` for an HTTP ``Accept-Language`` header, or None.

    Entries are taken by their ``q`` weight (default 1, ``q=0`` refuses), ties in the order
    given; regional variants count for their language (``uk-UA`` is Ukrainian) and ``*`` is
    ignored, since it says nothing about which language to prefer.
    """
    if not accept_language:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, entry in enumerate(accept_language.split(",")):
        tag, _sep, params = entry.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        code = tag.strip().replace("_", "-").split("-")[0].lower()
        if weight > 0 and code in LANGUAGES:
            ranked.append((-weight, position, code))
    return min(ranked)[2] if ranked else None


def locale() -> Locale:
    """The Babel locale of the active language, for formats a helper here does not cover."""
    return Locale.parse(current_language())


def format_number(value: int) -> str:
    """A count with the locale's digit grouping (5,000 / 5 000)."""
    return numbers.format_decimal(value, locale=locale())


def format_decimal(value: float, digits: int = 1) -> str:
    """``value`` with exactly ``digits`` decimals and the locale's decimal sign (3.5 / 3,5)."""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return numbers.format_decimal(value, format=pattern, locale=locale())


def format_percent(fraction: float) -> str:
    """A probability or share as a whole percentage, in the locale's form (42% / 42 %)."""
    return numbers.format_percent(fraction, locale=locale())


def format_date(day: dt.date, form: str = "medium") -> str:
    """A date in the locale's ``form`` (``short``, ``medium``, ``long``)."""
    return dates.format_date(day, format=form, locale=locale())


def format_datetime(moment: dt.datetime, form: str = "medium") -> str:
    """A date and time in the locale's ``form``, in the moment's own time zone."""
    return dates.format_datetime(moment, format=form, tzinfo=moment.tzinfo, locale=locale())


def catalog_files(language: str) -> list[Path]:
    """The ``.po`` files merged into ``language``'s catalog, in a fixed order."""
    return sorted((LOCALE_DIR / language).glob("*.po"))


@functools.cache
def _translations(language: str) -> NullTranslations:
    """``language``'s merged catalog; English has none, its messages are the source."""
    merged: Translations | None = None
    for path in catalog_files(language):
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=language)
        compiled = BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        part = Translations(compiled)
        merged = part if merged is None else merged.merge(part)
    return merged if merged is not None else NullTranslations()
