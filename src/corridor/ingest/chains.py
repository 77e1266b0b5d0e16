"""Corridor chains in a sentence: origin, ordered waypoints and destination, as written.

Statements join places in two ways, often mixed: a chain of names linked by dashes or arrows
(``Kyiv – Hostomel – Ivankiv``, a numbered list line) and prepositions (``from X to Y via A and
B``, «з X до Y через A», «из X в направлении Y»). A place name is a run of capitalised words;
each marker word gives the role of the run that follows it, with a few lowercase words allowed
between (``through the village of``, «з міста»). A new origin starts a new chain, so two
corridors in one sentence come out as two chains.

Names are kept as written (inflected, possibly with a leading word such as "Corridor"); the
resolver finds the place name inside them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

# Words (any script, with inner hyphens and apostrophes), times and numbers, and separators.
_TOKEN = re.compile(
    r"(?P<word>[^\W\d_](?:[\w'’ʼ]|-(?=[^\W\d_]))*)"
    r"|(?P<link>->|=>|[→⇒⟶➝]|\s[-–—−]\s|[–—−])"
    r"|(?P<comma>,)"
    r"|(?P<other>\S)")


class Role(Enum):
    """What a marker word says about the place name after it."""

    FROM = "origin"
    TO = "destination"
    VIA = "waypoint"


# Marker phrases, lowercase, by language; longer phrases are tried first.
_MARKERS: dict[str, dict[str, Role]] = {
    "en": {"from": Role.FROM, "leave": Role.FROM, "leaves": Role.FROM, "leaving": Role.FROM,
           "to": Role.TO, "towards": Role.TO, "toward": Role.TO,
           "into": Role.TO, "in the direction of": Role.TO, "via": Role.VIA,
           "through": Role.VIA, "by way of": Role.VIA},
    "uk": {"з": Role.FROM, "із": Role.FROM, "зі": Role.FROM, "від": Role.FROM,
           "до": Role.TO, "у напрямку": Role.TO, "в напрямку": Role.TO, "у бік": Role.TO,
           "в бік": Role.TO, "на": Role.TO, "через": Role.VIA},
    "ru": {"из": Role.FROM, "от": Role.FROM, "со": Role.FROM, "с": Role.FROM,
           "до": Role.TO, "в": Role.TO, "во": Role.TO, "на": Role.TO,
           "в направлении": Role.TO, "в сторону": Role.TO, "через": Role.VIA},
}
_ALL_MARKERS: dict[str, Role] = {k: v for table in _MARKERS.values() for k, v in table.items()}
_CONJUNCTIONS = frozenset({"and", "і", "й", "та", "и"})
# Longest lowercase word that may stand inside a name ("de", "la", "on", "upon").
_PARTICLE = 4
# How many lowercase words may stand between a marker and its name ("through the village of").
_GAP = 3


@dataclass(frozen=True, slots=True)
class Name:
    """A place name as written: the text and its offsets in the statement."""

    text: str
    start: int
    end: int


@dataclass
class Chain:
    """One corridor as written; ``origin`` or ``destination`` may still be missing."""

    origin: Name | None = None
    waypoints: list[Name] = field(default_factory=list)
    destination: Name | None = None

    @property
    def complete(self) -> bool:
        """Whether it names both ends, which a proposal needs."""
        return self.origin is not None and self.destination is not None

    def names(self) -> list[tuple[Role, Name]]:
        """Every name with its role, in route order."""
        ends: list[tuple[Role, Name]] = [(Role.VIA, w) for w in self.waypoints]
        if self.origin:
            ends.insert(0, (Role.FROM, self.origin))
        if self.destination:
            ends.append((Role.TO, self.destination))
        return ends

    def extend(self, name: Name) -> None:
        """Add the next place of a dash-linked chain: the previous end becomes a waypoint."""
        if self.destination is not None:
            self.waypoints.append(self.destination)
        self.destination = name


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    start: int
    end: int


def find_chains(text: str, offset: int) -> list[Chain]:
    """The complete chains in one segment; ``offset`` is the segment's place in the statement.

    The markers of every language are used at once: they do not collide (the Ukrainian and
    Russian ones that coincide give the same role), and a statement may quote another language.
    """
    return [c for c in _Parser(_ALL_MARKERS).run(_tokens(text, offset)) if c.complete]


def _tokens(text: str, offset: int) -> list[_Token]:
    found: list[_Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        value = match.group().strip()
        if kind == "other" and value in "«»\"“”„'()":
            continue  # quotes and brackets around a name do not separate it from its marker
        found.append(_Token(kind, value, offset + match.start(), offset + match.end()))
    return found


class _Parser:
    """A left-to-right pass keeping the chain being built and the role the next name takes.

    ``role`` is set by a marker and holds across a few lowercase words; once a name has taken
    it, only a list continues it (``via A, B and C``; ``to A and B``, a second corridor from
    the same origin). ``linked`` says the last name was followed by a dash or an arrow.
    """

    def __init__(self, markers: dict[str, Role]) -> None:
        self.markers = markers
        self.longest = max(len(m.split()) for m in markers)
        self.chains: list[Chain] = []
        self.current: Chain | None = None
        self.role: Role | None = None
        self.listing: Role | None = None
        self.linked = False
        self.gap = 0
        self.last: Name | None = None

    def run(self, tokens: list[_Token]) -> list[Chain]:
        i = 0
        while i < len(tokens):
            # A marker may be capitalised at the start of a sentence ("From Sumy").
            used = self._marker(tokens, i)
            if used:
                i += used
            elif tokens[i].kind == "word" and tokens[i].text[0].isupper():
                i = self._name(tokens, i)
            else:
                i += self._other(tokens, i)
        self._close()
        return self.chains

    def _name(self, tokens: list[_Token], i: int) -> int:
        j = i
        while True:
            if _capitalised(tokens, j + 1):
                j += 1
            elif self._particle(tokens, j + 1) and _capitalised(tokens, j + 2):
                j += 2  # "Sant Julià de Lòria", "Rostov on Don"
            else:
                break
        name = Name(" ".join(t.text for t in tokens[i:j + 1]), tokens[i].start, tokens[j].end)
        self._place(name)
        self.last, self.listing, self.role = name, self.role, None
        self.linked, self.gap = False, 0
        return j + 1

    def _particle(self, tokens: list[_Token], i: int) -> bool:
        """A short lowercase word that may join two capitalised ones into one name."""
        if i >= len(tokens) or tokens[i].kind != "word":
            return False
        word = tokens[i].text
        return (len(word) <= _PARTICLE and word.islower() and word not in self.markers
                and word not in _CONJUNCTIONS)

    def _place(self, name: Name) -> None:
        """Give a name its role: by the marker before it, or by a dash from the name before."""
        if self.role is Role.FROM:
            self._close()
            self.current = Chain(origin=name)
        elif self.role is Role.TO:
            self.current = self.current or Chain()
            self.current.extend(name)
        elif self.role is Role.VIA:
            self.current = self.current or Chain()
            self.current.waypoints.append(name)
        elif self.linked and self.last is not None:
            if self.current is None or _tail(self.current) is not self.last:
                self._close()
                self.current = Chain(origin=self.last)
            self.current.extend(name)

    def _other(self, tokens: list[_Token], i: int) -> int:
        """Handle a token that is not a name; returns how many tokens it used."""
        token = tokens[i]
        listing, self.listing = self.listing, None
        if token.kind == "word":
            return self._word(tokens, i, listing)
        self.role = None
        if token.kind == "link":
            self.linked = self.last is not None
        elif token.kind == "comma" and listing is Role.VIA:
            self.role = Role.VIA
        else:
            self.linked = False
        return 1

    def _marker(self, tokens: list[_Token], i: int) -> int:
        """Take the marker phrase at ``i``, if there is one; returns its length in tokens."""
        for size in range(self.longest, 0, -1):
            words = tokens[i:i + size]
            if len(words) == size and all(t.kind == "word" for t in words):
                role = self.markers.get(" ".join(t.text for t in words).lower())
                if role is not None:
                    self.role, self.listing, self.linked, self.gap = role, None, False, 0
                    return size
        return 0

    def _word(self, tokens: list[_Token], i: int, listing: Role | None) -> int:
        self.linked = False
        if tokens[i].text.lower() in _CONJUNCTIONS and listing in (Role.VIA, Role.TO):
            if listing is Role.TO:
                self._close(keep_start=True)
            self.role = listing
            return 1
        self.gap += 1
        if self.gap > _GAP:
            self.role = None
        return 1

    def _close(self, keep_start: bool = False) -> None:
        if self.current is not None:
            self.chains.append(self.current)
            self.current = (Chain(origin=self.current.origin,
                                  waypoints=list(self.current.waypoints))
                            if keep_start else None)


def _capitalised(tokens: list[_Token], i: int) -> bool:
    return i < len(tokens) and tokens[i].kind == "word" and tokens[i].text[0].isupper()


def _tail(chain: Chain) -> Name | None:
    """The last place a chain names so far."""
    if chain.destination is not None:
        return chain.destination
    return chain.waypoints[-1] if chain.waypoints else chain.origin
