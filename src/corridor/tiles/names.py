"""Which language a place name is in, for the map's ``name:en``, ``name:uk`` and ``name:ru``.

OSM nodes say it with their ``name:xx`` keys. GeoNames alternate names carry no language code,
so for them it is guessed: GeoNames' own ``name`` is the English exonym, and of the Cyrillic
alternates, a language's label is one its dictionary knows (pymorphy3's Ukrainian and Russian
dictionaries, which hold place names: «Суми» and «Київ» are Ukrainian, «Сумы» and «Киев»
Russian), else one with letters only that language has (the dotted i, yi, ye and ge with upturn
for Ukrainian; ы э ъ ё for Russian), else one both alphabets can spell. A spelling with the other
language's letters, or Belarusian, Serbian or Macedonian ones, is never taken. A wrong guess
only shows another plausible spelling.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping

import pymorphy3
from anyascii import anyascii
from rapidfuzz import fuzz

#: The label languages of the dashboard, besides the local ``name``.
LANGUAGES: tuple[str, ...] = ("en", "uk", "ru")

#: A spelling in Cyrillic letters only (apostrophes, as in Ukrainian, allowed).
_CYRILLIC = re.compile("^[\u0400-\u04ff\\s'\u2019\u02bc.\\-]+$")
_UKRAINIAN_ONLY = set("\u0456\u0457\u0454\u0491\u0406\u0407\u0404\u0490")
_RUSSIAN_ONLY = set("ыэъёЫЭЪЁ")
#: Letters of other Cyrillic alphabets (Belarusian short u, Serbian and Macedonian letters).
_OTHER_CYRILLIC = set("\u045e\u040e\u0458\u0408\u0459\u0409\u045a\u040a\u045b\u040b"
                      "\u0452\u0402\u045f\u040f\u0453\u0403\u045c\u040c\u0455\u0405")


def names_by_language(name: str, alternates: Iterable[str]) -> dict[str, str]:
    """``name:xx`` labels guessed from a GeoNames record (see the module docstring).

    Parameters
    ----------
    name
        GeoNames' primary name, in Latin letters: the English label.
    alternates
        Its alternate names, in any script, without language codes.

    Returns
    -------
    dict[str, str]
        ``{"name:en": ..., "name:uk": ..., "name:ru": ...}`` with the keys it could fill.
    """
    cyrillic = [a for a in dict.fromkeys(alternates)
                if _CYRILLIC.match(a) and not _OTHER_CYRILLIC.intersection(a)]
    labels = {"name:en": name}
    for lang, own, foreign in (("uk", _UKRAINIAN_ONLY, _RUSSIAN_ONLY),
                               ("ru", _RUSSIAN_ONLY, _UKRAINIAN_ONLY)):
        fits = [a for a in cyrillic if not foreign.intersection(a)]
        known = [a for a in fits if _known(a, lang)]
        # The dictionary's word first, then a spelling only this language has, then one both
        # share; among equals, the one whose transliteration is nearest the Latin name.
        ranked = sorted(fits, key=lambda a: (a not in known, not own.intersection(a),
                                             -fuzz.ratio(anyascii(a).casefold(),
                                                         name.casefold())))
        if ranked:
            labels[f"name:{lang}"] = ranked[0]
    return labels


def _known(spelling: str, lang: str) -> bool:
    """Whether every word of ``spelling`` is in the language's dictionary (pymorphy3's)."""
    return all(_analyser(lang).word_is_known(word) for word in spelling.casefold().split())


@functools.cache
def _analyser(lang: str) -> pymorphy3.MorphAnalyzer:
    """One analyser per language for the whole build; loading one takes a tenth of a second."""
    return pymorphy3.MorphAnalyzer(lang=lang)


def names_from_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """``name`` and the dashboard's ``name:xx`` labels an OSM object's tags give."""
    labels = {"name": tags["name"]} if tags.get("name") else {}
    for lang in LANGUAGES:
        value = tags.get(f"name:{lang}")
        if value:
            labels[f"name:{lang}"] = value
    return labels
