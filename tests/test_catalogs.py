"""The message catalogs cover every string the code shows, and the translations keep its slots.

A translation that drops ``{name}`` or ``%(name)s`` would fail at run time in that language
only, so the placeholders are compared here for every entry of every catalog.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from corridor import i18n
from corridor.errors import CorridorError

ROOT = Path(__file__).resolve().parents[1]
_SLOT = re.compile(r"\{[a-z_][a-z0-9_]*(?:![rsa])?(?::[^}]*)?\}|%\([a-z_]+\)[sdif]")


def _tools_catalogs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalogs", ROOT / "tools" / "catalogs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("catalogs", module)
    spec.loader.exec_module(module)
    return module


catalogs = _tools_catalogs()


@pytest.fixture(scope="module")
def used() -> dict[str, object]:
    return catalogs.used_messages()


@pytest.mark.parametrize("language", catalogs.TRANSLATED)
def test_every_message_the_code_uses_is_in_the_catalog(language: str, used: dict) -> None:
    lacking = [f"{u.key!r} ({u.where})" for u in catalogs.missing(language, used)]
    assert not lacking, f"{language} catalog lacks:\n" + "\n".join(lacking)


@pytest.mark.parametrize("language", catalogs.TRANSLATED)
def test_every_entry_is_translated_with_the_same_placeholders(language: str) -> None:
    problems = []
    for path, catalog in catalogs.catalogs(language).items():
        for message in catalog:
            if not message.id:
                continue
            ids = [message.id] if isinstance(message.id, str) else list(message.id)
            strings = ([message.string] if isinstance(message.string, str)
                       else list(message.string))
            where = f"{path.name}: {ids[0]!r}"
            if message.fuzzy or not all(s.strip() for s in strings):
                problems.append(f"{where}: untranslated or fuzzy")
                continue
            slots = set(_SLOT.findall(ids[-1]))
            for string in strings:
                if set(_SLOT.findall(string)) - slots or (
                        isinstance(message.id, str) and set(_SLOT.findall(string)) != slots):
                    problems.append(f"{where}: placeholders {sorted(slots)} != {string!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", catalogs.TRANSLATED)
def test_catalog_files_of_a_language_agree(language: str, used: dict) -> None:
    """The same message in two files must say the same; a message nothing uses is stale."""
    seen: dict[str, tuple[str, object]] = {}
    problems = []
    for path, catalog in catalogs.catalogs(language).items():
        for message in catalog:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            if key not in used:
                problems.append(f"{path.name}: {key!r} is not used by the code")
            if key in seen and seen[key][1] != message.string:
                problems.append(f"{path.name} and {seen[key][0]} translate {key!r} differently")
            seen.setdefault(key, (path.name, message.string))
    assert not problems, "\n".join(problems)


def test_the_active_language_translates_and_english_is_the_source() -> None:
    message = "unknown language {language!r}: expected one of {languages}"
    with i18n.use_language("uk"):
        assert i18n._(message).startswith("невідома мова")
        with i18n.use_language("ru"):
            assert i18n._(message).startswith("неизвестный язык")
        assert i18n.current_language() == "uk"
    with i18n.use_language("en"):
        assert i18n._(message) == message


def test_plural_forms_follow_the_language() -> None:
    # Babel's plural rules: 1 / 2-4 / 5+ in Ukrainian and Russian, 1 / other in English.
    with i18n.use_language("uk"):
        forms = [i18n.locale().plural_form(n) for n in (1, 3, 5, 21)]
    assert forms == ["one", "few", "many", "one"]


@pytest.mark.parametrize(("text", "code"), [("uk_UA.UTF-8", "uk"), ("ru-RU", "ru"), ("EN", "en")])
def test_language_codes_are_read_in_posix_and_bcp47_forms(text: str, code: str) -> None:
    assert i18n.parse_language(text) == code


def test_an_unknown_language_is_refused_naming_the_option() -> None:
    with pytest.raises(CorridorError, match=r"--lang: unknown language 'de'.*en, uk, ru"):
        i18n.parse_language("de")


def test_an_unusable_environment_language_is_reported_but_english_still_speaks(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(i18n.LANG_ENV, "fr_FR.UTF-8")
    with pytest.raises(CorridorError, match="CORRIDOR_LANG: unknown language"):
        i18n.language_from_env()
    assert i18n.current_language() == "en"
    monkeypatch.setenv(i18n.LANG_ENV, "ru")
    assert i18n.current_language() == "ru"


@pytest.mark.parametrize(("header", "expected"), [
    ("ru-RU,ru;q=0.9,en;q=0.8", "ru"),
    ("de-DE, en;q=0.5, uk;q=0.7", "uk"),
    ("uk;q=0, ru;q=0.1", "ru"),
    ("de, fr", None),
    ("*", None),
    ("", None),
    ("en;q=bogus, ru", "ru"),
])
def test_accept_language_picks_the_best_language_with_a_catalog(header: str,
                                                                 expected: str | None) -> None:
    assert i18n.negotiate(header) == expected


def test_numbers_and_dates_follow_the_locale() -> None:
    import datetime as dt
    day = dt.date(2022, 3, 8)
    with i18n.use_language("en"):
        assert (i18n.format_number(5000), i18n.format_decimal(3.5)) == ("5,000", "3.5")
    with i18n.use_language("uk"):
        assert i18n.format_number(5000) == "5\u00a0000"
        assert i18n.format_decimal(3.5) == "3,5"
        assert "берез" in i18n.format_date(day, "long")
    with i18n.use_language("ru"):
        assert "марта" in i18n.format_date(day, "long")
