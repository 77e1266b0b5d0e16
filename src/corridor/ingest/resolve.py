"""From a place name as written («з Маріуполя», «Білої Церкви», "Corridor Mariupol") to a place.

Ukrainian and Russian inflect place names, so the written form is rarely the one a gazetteer
holds. pymorphy3 parses each word with its Ukrainian or Russian dictionary; every reading's
nominative (number and gender kept, so «Білої» gives «Біла», «Сум» gives «Суми») becomes a
candidate spelling. Words the dictionaries lack are still parsed: pymorphy3 guesses their
paradigm from known endings, and those guesses are candidates like the rest. Nothing decides
between the readings but the gazetteer itself: the first candidate, in the analyser's order of
likelihood, that names a place wins, which is how «Оріхова» comes out as the town Оріхів
rather than the adjective «оріхова».

A run of capitalised words may start with a word that is no part of the name ("Corridor
Mariupol" at the start of a sentence), so the run without its leading words is tried after the
whole one; a draft says when words were left out.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import pymorphy3

from corridor.errors import GazetteerError
from corridor.gazetteer import Gazetteer, Place, Resolution

#: Readings considered per word, and spellings tried per name at most.
_READINGS = 4
_SPELLINGS = 24


@dataclass(frozen=True, slots=True)
class Resolved:
    """A written name and what became of it.

    Attributes
    ----------
        written: The name as the statement writes it.
        spelling: The spelling that matched the gazetteer, or the best guess at the name's
            dictionary form when nothing matched (so that a draft can still show it).
        resolution: The gazetteer's answer, ``None`` when the name is unresolved.
        problem: Why it is unresolved: the gazetteer's message, naming the closest spellings
            or the namesakes to choose between.
        by_neighbour: Whether the gazetteer could not choose between namesakes alone and the
            one nearest a neighbouring place of the chain was taken.
    """

    written: str
    spelling: str
    resolution: Resolution | None = None
    problem: str | None = None
    by_neighbour: bool = False

    @property
    def place(self) -> Place | None:
        """The place the name resolved to, if it did."""
        return self.resolution.place if self.resolution else None


@functools.cache
def _analyser(language: str) -> pymorphy3.MorphAnalyzer:
    """One analyser per language for the whole process; loading one takes a fifth of a second."""
    return pymorphy3.MorphAnalyzer(lang=language)


@functools.lru_cache(maxsize=4096)
def _nominatives(word: str, languages: tuple[str, ...]) -> tuple[str, ...]:
    """The word as written, then each reading's nominative, most likely reading first."""
    forms = [word]
    for language in languages:
        for parse in _analyser(language).parse(word)[:_READINGS]:
            inflected = parse.inflect({"nomn"})
            forms.append(inflected.word if inflected else parse.normal_form)
            forms.append(parse.normal_form)
    return tuple(dict.fromkeys(f.lower() for f in forms))


def lemma(word: str, languages: tuple[str, ...]) -> str:
    """The dictionary form of ``word`` in its likeliest reading (lowercase)."""
    for language in languages:
        parses = _analyser(language).parse(word)
        if parses:
            return str(parses[0].normal_form)
    return word.lower()


class Resolver:
    """Resolves written names through a gazetteer, with or without morphology.

    Args:
        gazetteer: Where places are looked up.
        languages: pymorphy3 languages to parse Cyrillic words with (``uk``, ``ru``); empty
            for exact lookup of the written form only, the baseline the benchmark compares.
    """

    def __init__(self, gazetteer: Gazetteer, languages: tuple[str, ...]) -> None:
        self.gazetteer = gazetteer
        self.languages = languages

    def resolve(self, written: str, near: tuple[float, float] | None = None) -> Resolved:
        """The first candidate spelling the gazetteer knows; else the most telling failure.

        ``near`` is a neighbouring place of the chain. It is asked for only when the gazetteer
        cannot choose between namesakes by itself: the nearest namesake of a city is often a
        village on the way to it.
        """
        ambiguous: Resolved | None = None
        for spelling in self._spellings(written):
            if not self.gazetteer.knows(spelling):
                continue
            try:
                return self._lookup(written, spelling, near)
            except GazetteerError as exc:  # namesakes that nothing chooses between
                ambiguous = ambiguous or Resolved(written, self._guess(written),
                                                  problem=exc.message)
        if ambiguous is not None:
            return ambiguous
        # Asked once more in the likeliest dictionary form, so that the closest spellings the
        # gazetteer suggests are those of the name rather than of its inflected form.
        guess = self._guess(written)
        try:
            return self._lookup(written, guess, near)
        except GazetteerError as exc:
            return Resolved(written, guess, problem=exc.message)

    def _lookup(self, written: str, spelling: str,
                near: tuple[float, float] | None) -> Resolved:
        """The gazetteer's own choice, else the namesake nearest ``near`` (said so)."""
        try:
            return Resolved(written, spelling, self.gazetteer.resolve(spelling))
        except GazetteerError:
            if near is None:
                raise
            return Resolved(written, spelling, self.gazetteer.resolve(spelling, near=near),
                            by_neighbour=True)

    def _spellings(self, written: str) -> Iterator[str]:
        """Candidate spellings: of the whole run first, then without its leading words."""
        words = written.split()
        seen: set[str] = set()
        for start in range(len(words)):
            for spelling in itertools.islice(self._combinations(words[start:]), _SPELLINGS):
                if spelling not in seen:
                    seen.add(spelling)
                    yield spelling

    def _combinations(self, words: list[str]) -> Iterator[str]:
        if not self.languages or all(w.isascii() for w in words):
            yield " ".join(words)
            return
        for combo in itertools.product(*(_nominatives(w, self.languages) for w in words)):
            yield " ".join(combo)

    def _guess(self, written: str) -> str:
        """The likeliest nominative of an unresolved name, capitalised as names are.

        A word that may already be a nominative is kept as written: an unknown name is more
        likely given in its own form than in a case that happens to share its ending.
        """
        if not self.languages or written.isascii():
            return written
        return " ".join(self._nominative(word) for word in written.split())

    def _nominative(self, word: str) -> str:
        parses = [p for language in self.languages for p in _analyser(language).parse(word)]
        if not parses or any("nomn" in p.tag for p in parses):
            return word
        inflected = parses[0].inflect({"nomn"})
        form = inflected.word if inflected else parses[0].normal_form
        return "-".join(part[:1].upper() + part[1:] for part in form.split("-"))

