"""Who announced the corridors and how people are to travel.

The announcer is the subject of the statement's reporting verb ("Russia's Defence Ministry
announced", «повідомила віцепрем'єр Ірина Верещук», «сообщили в Минобороны РФ»); it is kept as
written, and matched to a scenario party only where the party's id or name appears in it.
The means are read from the dictionary forms of the words, so «автобусами», «автобуси» and
"buses" all count.
"""

from __future__ import annotations

import re

from corridor.ingest.resolve import lemma

# Dictionary forms (and English words) -> the means a draft lists.
_MEANS: dict[str, str] = {
    "bus": "buses", "buses": "buses", "автобус": "buses",
    "car": "private cars", "cars": "private cars", "vehicle": "private cars",
    "vehicles": "private cars", "автомобіль": "private cars", "автомобиль": "private cars",
    "автівка": "private cars", "машина": "private cars", "транспорт": "private cars",
    "train": "trains", "trains": "trains", "потяг": "trains", "поїзд": "trains",
    "поезд": "trains", "foot": "on foot", "пішки": "on foot", "пешком": "on foot",
}
#: Reporting verbs, whose subject is the announcer.
REPORTING_VERBS = (r"announced|said|stated|declared|reported|proposed|has announced|have announced"
          r"|повідоми\w*|заяви\w*|оголоси\w*|анонсува\w*|сообщи\w*|объяви\w*|предложи\w*")
_WHO = r"[^\W\d_][^\d.,:;!?\n«»\"]{2,80}?"
_BEFORE = re.compile(rf"(?P<who>{_WHO})\s+(?:{REPORTING_VERBS})\b", re.IGNORECASE)
_AFTER = re.compile(rf"\b(?:{REPORTING_VERBS})\s+(?:in\s+|в\s+|у\s+)?(?P<who>{_WHO})"
                    r"(?=[,.:;!?\n«\"]|$)", re.IGNORECASE)
_PASSIVE = frozenset({"is", "are", "was", "were", "be", "been", "being"})
_WORDS = re.compile(r"[^\W\d_]+")
# Words that start a sentence without being its subject.
_LEADING = re.compile(r"^(?:on|the|today|yesterday|сьогодні|вчора|сегодня|вчера)\s+",
                      re.IGNORECASE)


def find_means(text: str, languages: tuple[str, ...]) -> list[str]:
    """The means named in ``text``, in a fixed order (buses, private cars, trains, on foot)."""
    found = {_MEANS[w] for w in (lemma(word, languages) if not word.isascii() else word.lower()
                                 for word in _WORDS.findall(text)) if w in _MEANS}
    return [m for m in dict.fromkeys(_MEANS.values()) if m in found]


def find_announcer(text: str) -> str | None:
    """Who the statement says announced it, as written; ``None`` if it does not say.

    A subject before the verb is preferred ("X announced"); Ukrainian and Russian often put it
    after («повідомила Ірина Верещук»).
    """
    before = _BEFORE.search(text)
    if before:
        words = before["who"].split()
        while words and not words[0][0].isupper():
            words.pop(0)  # "the" before "Russian Defence Ministry"
        who = _LEADING.sub("", " ".join(words))
        # "A corridor ... is proposed" is passive: its subject is what was announced.
        if who and words[-1].lower() not in _PASSIVE:
            return who
    after = _AFTER.search(text)
    return after["who"].strip() if after else None


def match_party(announcer: str | None, parties: list[tuple[str, str]]) -> str | None:
    """The id of the one party the announcer names, by id or by a word of the party's name.

    Args:
        announcer: As :func:`find_announcer` found it.
        parties: ``(id, name)`` of each party.

    A name word counts when the announcer has a word starting with its first five letters
    (``Russian Federation`` is named by "Russia's"); two parties named at once match neither.
    """
    if not announcer:
        return None
    words = [w.lower() for w in _WORDS.findall(announcer)]
    found = {pid for pid, name in parties
             if pid in _WORDS.findall(announcer)
             or any(len(n) >= 4 and any(w.startswith(n.lower()[:5]) for w in words)
                    for n in _WORDS.findall(name))}
    return found.pop() if len(found) == 1 else None
