"""A statement as text: reading it safely, telling its language, cutting it into segments.

A statement is pasted or piped in by hand, so what arrives may be anything: nothing, a binary
file, a whole news archive. Each of these is refused with a message saying what was expected
rather than being half-read. Segments are sentences or list lines; each keeps its character
offsets in the statement so a draft can point at the words it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from corridor.errors import IngestError
from corridor.i18n import _, format_number

Language = Literal["uk", "ru", "en"]

#: A statement is a few paragraphs; anything larger is a mistake (a wrong file, an archive).
MAX_BYTES = 200_000

# Letters only one of the two Cyrillic languages uses; they decide between them.
_UKRAINIAN_LETTERS = frozenset("іїєґІЇЄҐ")
_RUSSIAN_LETTERS = frozenset("ыэъёЫЭЪЁ")
# A sentence ends at . ! ? ; followed by space, unless the dot closes a list number ("1.") or
# a short abbreviation ("м.", "St."), which :func:`_ends_sentence` checks.
_SENTENCE_END = re.compile(r"[.!?;]\s+")
_ABBREVIATION = re.compile(r"(?:^|\W)\w{1,3}$")


@dataclass(frozen=True, slots=True)
class Segment:
    """A sentence or list line: its text and where it lies in the statement."""

    text: str
    start: int

    @property
    def end(self) -> int:
        """Offset just past the segment's last character."""
        return self.start + len(self.text)


def decode_statement(data: bytes, source: str) -> str:
    """The statement's text, or an :class:`IngestError` saying why there is none.

    Args:
        data: The raw bytes as read from a file, standard input or a request.
        source: What to name in messages (a file name, ``-`` or ``text``).
    """
    if len(data) > MAX_BYTES:
        raise IngestError(_("{size} bytes is too long for a statement; expected at most {limit} "
                            "bytes: give one announcement at a time").format(
            size=format_number(len(data)), limit=format_number(MAX_BYTES)), source=source)
    if b"\x00" in data:
        raise IngestError(_("binary data (NUL bytes); expected the text of a statement"),
                          source=source)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(_("not UTF-8 text (byte {byte}); expected the text of a statement in "
                            "UTF-8").format(byte=exc.start), source=source) from exc
    if not text.strip():
        raise IngestError(_("the statement is empty; expected text announcing corridors"),
                          source=source)
    return text


def detect_language(text: str) -> Language | None:
    """``uk``, ``ru`` or ``en`` from the letters used; ``None`` for Cyrillic that does not say.

    Only the letters peculiar to each language count, since the rest of the Cyrillic alphabet
    is shared; Latin letters outnumbering Cyrillic ones mean English.
    """
    cyrillic = sum(1 for c in text if "\u0400" <= c <= "\u04ff")
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    if latin > cyrillic:
        return "en"
    uk = sum(1 for c in text if c in _UKRAINIAN_LETTERS)
    ru = sum(1 for c in text if c in _RUSSIAN_LETTERS)
    if uk == ru:
        return None
    return "uk" if uk > ru else "ru"


def segments(text: str) -> list[Segment]:
    """The statement cut into lines, and lines into sentences, blank ones left out."""
    found: list[Segment] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        start = 0
        for match in _SENTENCE_END.finditer(line):
            if _ends_sentence(line[:match.start()]):
                found.append(Segment(line[start:match.start() + 1], offset + start))
                start = match.end()
        found.append(Segment(line[start:].rstrip(), offset + start))
        offset += len(line)
    return [s for s in (_stripped(s) for s in found) if s.text]


def _ends_sentence(before: str) -> bool:
    """Whether a dot after ``before`` ends a sentence rather than a number or abbreviation."""
    if not before or before[-1].isdigit():
        return False
    return not (_ABBREVIATION.search(before) and before[-1].islower())


def _stripped(segment: Segment) -> Segment:
    lead = len(segment.text) - len(segment.text.lstrip())
    return Segment(segment.text.strip(), segment.start + lead)
