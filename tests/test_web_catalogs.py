"""The dashboard's text catalogs (``web/static/i18n/<lang>.json``) against what the page uses.

The page names its texts by key: ``t("key")`` and ``N_("key")`` in the modules,
``data-i18n="key"`` (and ``data-i18n-<attribute>``) on marked markup, and ``word("group", code)``
for a code the server sends, whose keys are ``group.<code>`` for every code the server's own
types allow. Every catalog must hold exactly those keys, non-empty, with the same ``{slots}`` as
English, plural entries with every form the language's plural rules pick, and the Ukrainian and
Russian texts must be translations, not English left in place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, get_args

import pytest

from corridor.api.adhoc import RoutePlaceOut
from corridor.routing.weights import Mode
from corridor.situation.hazards import RISK_LEVELS
from corridor.store.schemas import (
    AlertKind,
    ConvoyStatus,
    CorridorStatus,
    Decision,
    Role,
    Stance,
)
from corridor.styles import STATUS_COLOURS

STATIC = Path(__file__).resolve().parent.parent / "src" / "corridor" / "web" / "static"
LANGUAGES = ("en", "uk", "ru")
#: The plural forms Intl.PluralRules picks for whole numbers in each language (CLDR).
PLURAL_FORMS = {"en": {"one", "other"}, "uk": {"one", "few", "many", "other"},
                "ru": {"one", "few", "many", "other"}}
#: The codes behind each ``word(group, code)``: what the server's types allow.
CODES: dict[str, set[str]] = {
    # A proposal's line is drawn in a status too: "rejected".
    "status": set(get_args(CorridorStatus)) | set(STATUS_COLOURS),
    "stance": set(get_args(Stance)),
    "decision": set(get_args(Decision)),
    "role": set(get_args(Role)),
    "alert": set(get_args(AlertKind)),
    "convoy": set(get_args(ConvoyStatus)),
    "risk": set(RISK_LEVELS),
    "mode": {mode.value for mode in Mode},
    "place": set(get_args(RoutePlaceOut.model_fields["role"].annotation)),
}
#: Texts the same in every language: names of file formats.
SAME_EVERYWHERE = frozenset({"GPX", "KML", "PDF"})

_CALL = re.compile(r"""\b(?:t|N_)\(\s*"([^"]+)"|\bdata-i18n(?:-[a-z-]+)?"?\s*[=:]\s*"([^"]+)\"""")
_WORD = re.compile(r"""\bword\(\s*"(\w+)\"""")
_SLOT = re.compile(r"\{(\w+)\}")

Catalog = Mapping[str, Any]


def used_keys(sources: Iterable[str]) -> tuple[set[str], set[str]]:
    """The keys the sources name, and the groups of codes they show as words."""
    keys: set[str] = set()
    groups: set[str] = set()
    for text in sources:
        keys.update(a or b for a, b in _CALL.findall(text))
        groups.update(_WORD.findall(text))
    return keys, groups


def _sources() -> list[str]:
    files = [STATIC / "index.html", *sorted((STATIC / "js").glob("*.js"))]
    return [path.read_text(encoding="utf-8") for path in files]


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    if twice:
        raise ValueError(f"keys given twice: {twice}")
    return dict(pairs)


def load_catalog(lang: str) -> Catalog:
    path = STATIC / "i18n" / f"{lang}.json"
    catalog: Catalog = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_unique)
    return catalog


def _forms(entry: Any) -> list[Any]:
    return list(entry.values()) if isinstance(entry, dict) else [entry]


def _wordless(entry: Any) -> bool:
    """The entry only arranges its slots (``{name} ({role})``): nothing in it to translate."""
    return not any(ch.isalpha() for form in _forms(entry) for ch in _SLOT.sub("", form))


def _slots(entry: Any) -> set[str]:
    return {slot for form in _forms(entry) if isinstance(form, str) for slot in _SLOT.findall(form)}


def _entry_problems(lang: str, key: str, entry: Any, english: Any) -> list[str]:
    """What is wrong with one entry of ``lang``, beside its English one (None if English lacks
    the key, which the key check reports)."""
    if isinstance(entry, dict) and set(entry) != PLURAL_FORMS[lang]:
        return [f"{lang}: {key}: plural forms {sorted(entry)}, "
                f"expected {sorted(PLURAL_FORMS[lang])}"]
    if not all(isinstance(form, str) and form.strip() for form in _forms(entry)):
        return [f"{lang}: {key}: empty or not text"]
    if english is None:
        return []
    found = []
    if isinstance(entry, dict) != isinstance(english, dict):
        found.append(f"{lang}: {key}: plural in one language only")
    if _slots(entry) != _slots(english):
        found.append(f"{lang}: {key}: slots {sorted(_slots(entry))}, "
                     f"English has {sorted(_slots(english))}")
    if lang != "en" and _forms(entry) == _forms(english) and not _wordless(entry) \
            and not set(_forms(entry)) <= SAME_EVERYWHERE:
        found.append(f"{lang}: {key}: left in English ({entry!r})")
    return found


def problems(catalogs: Mapping[str, Catalog], keys: set[str], groups: set[str]) -> list[str]:
    """Everything wrong with the catalogs for a page using ``keys`` and word ``groups``."""
    found: list[str] = []
    unknown = groups - CODES.keys()
    if unknown:
        found.append(f"word groups with no known codes: {sorted(unknown)}")
    wanted = keys | {f"{group}.{code}" for group in groups & CODES.keys() for code in CODES[group]}
    for lang, catalog in catalogs.items():
        missing = sorted(wanted - catalog.keys())
        stale = sorted(catalog.keys() - wanted)
        if missing:
            found.append(f"{lang}: missing keys {missing}")
        if stale:
            found.append(f"{lang}: stale keys {stale}")
        for key in sorted(wanted & catalog.keys()):
            found += _entry_problems(lang, key, catalog[key], catalogs["en"].get(key))
    return found


@pytest.fixture(scope="module")
def catalogs() -> dict[str, Catalog]:
    return {lang: load_catalog(lang) for lang in LANGUAGES}


def test_every_catalog_holds_exactly_the_keys_the_page_uses(
        catalogs: dict[str, Catalog]) -> None:
    keys, groups = used_keys(_sources())
    assert len(keys) > 150, "the key patterns no longer match how the page names its texts"
    assert groups, "no word(group, code) found"
    assert problems(catalogs, keys, groups) == []


def test_the_check_finds_a_missing_key_a_stale_one_and_a_broken_slot(
        catalogs: dict[str, Catalog]) -> None:
    keys, groups = used_keys(_sources())
    broken = {lang: dict(catalog) for lang, catalog in catalogs.items()}
    del broken["uk"]["login.heading"]
    broken["ru"]["no.such.key"] = "лишний"
    broken["ru"]["session.zone"] = "Время в {zona}"
    broken["uk"]["alerts.attention"] = {"one": "{count} тривога", "other": "{count} тривоги"}
    broken["ru"]["app.logout"] = catalogs["en"]["app.logout"]
    broken["en"]["app.title"] = " "
    assert problems(broken, keys, groups) == [
        "en: app.title: empty or not text",
        "uk: missing keys ['login.heading']",
        "uk: alerts.attention: plural forms ['one', 'other'], expected ['few', 'many', 'one', "
        "'other']",
        "ru: stale keys ['no.such.key']",
        "ru: app.logout: left in English ('Log out')",
        "ru: session.zone: slots ['zona'], English has ['zone']",
    ]


def test_a_code_the_server_may_send_without_a_word_is_found(
        catalogs: dict[str, Catalog]) -> None:
    keys, groups = used_keys(_sources())
    broken = {lang: dict(catalog) for lang, catalog in catalogs.items()}
    del broken["ru"]["status.suspended"]
    assert problems(broken, keys, groups) == ["ru: missing keys ['status.suspended']"]
    assert problems(catalogs, keys, groups | {"weather"}) == [
        "word groups with no known codes: ['weather']"]


def test_the_patterns_see_each_way_the_page_names_a_text() -> None:
    keys, groups = used_keys([
        't("a.b", { x: 1 })', 'N_("c.d")', '<h2 data-i18n="e.f">',
        'h("span", { "data-i18n": "g.h" })',
        '<input data-i18n-placeholder="i.j">', 'word("status", s)', 'format("k.l")'])
    assert keys == {"a.b", "c.d", "e.f", "g.h", "i.j"}
    assert groups == {"status"}


def test_a_key_given_twice_in_a_catalog_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"keys given twice: \['a'\]"):
        json.loads('{"a": "x", "b": "y", "a": "z"}', object_pairs_hook=_unique)
