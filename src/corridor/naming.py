"""A place's name in the reader's language, from what the data knows of it.

OSM tags say which language a name is in (``name:uk``, ``name:ru``, ``name:en``). GeoNames'
alternate names in ``cities1000`` do not, so the script tells: Ukrainian alone writes і ї є ґ,
Russian alone ы э ъ ё. A Cyrillic name with neither (Полтава) reads the same in both and is
taken when no name marked as the language exists. Where the data has no name in the language,
an English reader gets a Latin transliteration, a Ukrainian or Russian reader the name as the
data gives it (a Latin name read in Cyrillic would be a guess at its pronunciation).

The command line, the reports, the API and the dashboard all name places through
:func:`display_name`, so one town is called the same everywhere in one language.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping

import pymorphy3
from anyascii import anyascii
from rapidfuzz import fuzz

from corridor import i18n

#: Letters only Ukrainian (of the two) writes, and letters only Russian writes.
_UKRAINIAN_ONLY = frozenset("іїєґІЇЄҐ")
_RUSSIAN_ONLY = frozenset("ыэъёЫЭЪЁ")
#: A name written only with the letters of the two languages (and spaces, hyphens,
#: apostrophes); one with Belarusian ў, Serbian ј, Old Church Slavonic ѣ or a stress mark
#: belongs to another language or to a dictionary, not to a map.
_OURS = re.compile(r"[а-яА-ЯёЁіІїЇєЄґҐ' ʼ’.-]+")
#: What Russian spelling never writes: ы after к г х ж ш ч щ (Кыив, Жытомир), or before a
#: vowel (Belarusian Марыупаль), or ъ ending a word (the spelling before 1918).
_NOT_RUSSIAN = re.compile(r"[кгхжшчщКГХЖШЧЩ]ы|ы[аоуэяюеи]|ъ\b")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
#: Likeness (rapidfuzz ratio of the transliterations, 0-100) from which a candidate counts as
#: a spelling of the primary name: Київ/Kyiv and Киев/Kyiv pass, Південна столиця/Odesa not.
_SPELLS = 50


def script_language(name: str) -> str | None:
    """Which of Ukrainian and Russian a Cyrillic ``name`` can be, as far as letters tell.

    ``uk`` or ``ru`` when it has a letter only that language writes, ``"uk ru"`` when it reads
    as either, None when it is not Cyrillic of either language.
    """
    if not _OURS.fullmatch(name) or not _CYRILLIC.search(name):
        return None
    letters = set(name)
    uk, ru = bool(letters & _UKRAINIAN_ONLY), bool(letters & _RUSSIAN_ONLY)
    if ru and (uk or _NOT_RUSSIAN.search(name)):
        return None
    return "uk" if uk else "ru" if ru else "uk ru"


def localized_names(alternates: Iterable[str], primary: str = "") -> dict[str, str]:
    """The Ukrainian and the Russian name among untagged ``alternates``.

    Each language ranks the candidates its letters allow: spellings of ``primary`` (alike once
    both are transliterated) before nicknames, then one its dictionary knows (pymorphy3's,
    which holds place names: Суми and Київ are Ukrainian, Сумы and Киев Russian), then the
    closest spelling, then one with a letter only that language writes. A Russian name neither the
    dictionary nor a letter vouches for is taken only when it is the Ukrainian one too
    (Полтава): Bulgarian and transliterated Ukrainian spellings (Харков, Днипро) look just like
    Russian otherwise, and a wrong name is worse than the original one.
    """
    candidates = [a for a in dict.fromkeys(alternates) if script_language(a) is not None]
    chosen: dict[str, str] = {}
    vouched: dict[str, bool] = {}
    for target in ("uk", "ru"):
        fits = [a for a in candidates if target in (script_language(a) or "")]
        if not fits:
            continue
        ranked = sorted(fits, key=functools.partial(_rank, target=target, primary=primary))
        chosen[target] = ranked[0]
        vouched[target] = _known(ranked[0], target) or script_language(ranked[0]) == target
    if "ru" in chosen and not vouched["ru"] and chosen["ru"] != chosen.get("uk"):
        del chosen["ru"]
    return chosen


def _rank(name: str, target: str, primary: str) -> tuple[bool, bool, float, bool]:
    """Sort key of a candidate for ``target``: a spelling of ``primary``, known, closest, marked.

    A candidate that does not spell the primary name is a nickname or an old name (Південна
    столиця for Odesa, Донбас-сіті for Donetsk), however well the dictionary knows its words,
    so likeness decides first and last; the dictionary and the letters only between spellings.
    """
    likeness = fuzz.ratio(_letters(anyascii(name)), _letters(anyascii(primary)))
    return (likeness < _SPELLS, not _known(name, target), -likeness,
            script_language(name) != target)


def _known(spelling: str, language: str) -> bool:
    """Whether every word of ``spelling`` is in the language's dictionary (pymorphy3's)."""
    return all(_analyser(language).word_is_known(word)
               for word in re.split(r"[\s-]+", spelling.casefold()) if word)


@functools.cache
def _analyser(language: str) -> pymorphy3.MorphAnalyzer:
    """One analyser per language, loaded on first use (a tenth of a second each)."""
    return pymorphy3.MorphAnalyzer(lang=language)


def _letters(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalpha())


def display_name(name: str, language: str | None = None, *,
                 tagged: Mapping[str, str] | None = None,
                 alternates: Iterable[str] = ()) -> str:
    """``name`` as a reader of ``language`` (default: the active one) should see it.

    Parameters
    ----------
    name
        The name the data gives first (GeoNames' ``name``, OSM's ``name``).
    language
        ``en``, ``uk`` or ``ru``; None for :func:`corridor.i18n.current_language`.
    tagged
        Names whose language is known, by language code (OSM ``name:xx`` tags).
    alternates
        Other names in unknown languages (GeoNames' alternate names); the script decides.
    """
    language = language or i18n.current_language()
    if tagged and tagged.get(language):
        return tagged[language]
    if language == "en":
        return name if name.isascii() or _LATIN.search(name) else anyascii(name)
    return localized_names([name, *alternates], name).get(language, name)
