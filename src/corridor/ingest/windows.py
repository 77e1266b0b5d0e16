"""When a corridor runs: dates, a time range and the time zone a statement gives them in.

Statements say "on 8 March from 10:00 to 21:00 Moscow time", «8 березня з 9:00 до 21:00 за
київським часом» or «с 10:00 мск». Month names and time-zone phrases are looked up in small
tables by their dictionary form (pymorphy3 turns «київським» into «київський»), so each
language's inflection needs no entries of its own. A window is only drafted from a date and a
start time; a missing end, year or zone is said in the draft's notes, never filled in silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from corridor.ingest.announce import REPORTING_VERBS
from corridor.ingest.resolve import lemma

# Month names by their first letters: English, Ukrainian (genitive and nominative share these
# stems) and Russian.
_MONTHS: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "oct": 10, "nov": 11, "dec": 12,
    "січ": 1, "лют": 2, "берез": 3, "квіт": 4, "трав": 5, "черв": 6, "лип": 7, "серп": 8,
    "верес": 9, "жовт": 10, "листоп": 11, "груд": 12,
    "янв": 1, "фев": 2, "март": 3, "апр": 4, "мая": 5, "май": 5, "июн": 6, "июл": 7,
    "авг": 8, "сент": 9, "окт": 10, "нояб": 11, "дек": 12,
}
# Time-zone words (a city, its adjective's dictionary form, an abbreviation) -> IANA zone.
_ZONE_WORDS: dict[str, str] = {
    "moscow": "Europe/Moscow", "msk": "Europe/Moscow", "мск": "Europe/Moscow",
    "московський": "Europe/Moscow", "московский": "Europe/Moscow",
    "kyiv": "Europe/Kyiv", "kiev": "Europe/Kyiv", "київський": "Europe/Kyiv",
    "киевский": "Europe/Kyiv", "minsk": "Europe/Minsk", "мінський": "Europe/Minsk",
    "минский": "Europe/Minsk", "eet": "EET", "cet": "CET", "utc": "UTC", "gmt": "UTC",
}
_WORD = r"[^\W\d_]+"
_ZONE = re.compile(
    rf"\b(?P<en>{_WORD})\s+time\b"                      # Moscow time
    rf"|\b(?:за|по)\s+(?P<adj>{_WORD})\s+(?:часом|времени)\b"  # за київським часом
    r"|\b(?P<iana>[A-Z][a-z]+/[A-Z][A-Za-z_]+)\b"       # Europe/Kyiv
    r"|\b(?P<abbr>MSK|EET|CET|UTC|GMT|мск|МСК)\b", re.IGNORECASE)
_MONTH = "(?:" + "|".join(_MONTHS) + r")[^\W\d_]*"
_DATE = re.compile(
    r"\b(?P<iso>(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2}))\b"
    r"|\b(?P<dd>\d{1,2})\.(?P<dm>\d{1,2})(?:\.(?P<dy>\d{4}))?\b(?!:)"
    rf"|\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_MONTH})"
    r"(?:,?\s+(?P<year>\d{4}))?"
    rf"|\b(?P<month2>{_MONTH})\s+(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\b(?!:)"
    r"(?:,?\s+(?P<year2>\d{4}))?", re.IGNORECASE)
_REPORTING = re.compile(rf"\b(?:{REPORTING_VERBS})\b", re.IGNORECASE)
_TIME = r"(?:[01]?\d|2[0-3]):\d{2}"
_RANGE = re.compile(
    rf"(?P<start>{_TIME})(?:\s*(?:-|–|—|to|until|till|до|по)\s*(?P<end>{_TIME}))?",
    re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Times:
    """What one segment says about time; any part may be missing."""

    days: tuple[tuple[int | None, int, int], ...] = ()
    start: time | None = None
    end: time | None = None
    zone: str | None = None

    def merged(self, default: Times) -> Times:
        """These times, with what is missing taken from the statement's general times."""
        return Times(self.days or default.days, self.start or default.start,
                     self.end or default.end if self.start is None else self.end,
                     self.zone or default.zone)


@dataclass(frozen=True, slots=True)
class DraftWindow:
    """A window as drafted: aware start and end (``end`` may be unknown) and their zone."""

    start: datetime
    end: datetime | None
    timezone: str


def read_times(text: str, languages: tuple[str, ...]) -> Times:
    """Dates, the first time range and the time zone named in ``text``.

    A date before the reporting verb ("On 7 March the ministry announced") is the statement's
    own; it is not a window's unless no other date follows.
    """
    verb = _REPORTING.search(text)
    days = _days(text[verb.end():]) if verb else ()
    return Times(days or _days(text), *_range(text), _zone(text, languages))


def statement_year(text: str) -> tuple[int, str] | None:
    """The year of the first fully dated day in the statement, for the dates without one."""
    return next(((y, "the statement") for y, _, _ in _days(text) if y is not None), None)


def windows(times: Times, *, year: tuple[int, str] | None, zone: str | None,
            notes: list[str]) -> list[DraftWindow]:
    """One window per date, in the stated zone, else ``zone``; gaps are added to ``notes``.

    Args:
        times: What the statement says.
        year: The year for dates given without one and where it comes from (the statement's
            other dates, the scenario), ``None`` if unknown.
        zone: The zone for times given without one (the scenario's), ``None`` if unknown.
        notes: Receives one line per assumption made or part missing.
    """
    if not times.days or times.start is None:
        notes.append("no window: the statement gives no " +
                     ("date" if not times.days else "start time"))
        return []
    zone_name = times.zone or zone
    if zone_name is None:
        notes.append("no window: the statement names no time zone and there is no scenario "
                     "to take one from")
        return []
    if times.zone is None:
        notes.append(f"time zone not stated; read in the scenario's {zone_name}")
    if times.end is None:
        notes.append("the window's end is not stated")
    drafted = []
    for day_year, month, day in times.days:
        if day_year is None and year is None:
            notes.append(f"no window for {day}/{month}: the year is not stated")
            continue
        if day_year is None and year is not None and year[1] != "the statement":
            notes.append(f"year not stated; {year[0]} taken from {year[1]}")
        the_day = date(day_year or (year[0] if year else 0), month, day)
        drafted.append(_window(the_day, times.start, times.end, zone_name))
    return drafted


def _window(day: date, start: time, end: time | None, zone: str) -> DraftWindow:
    """The window on ``day``; an end not after the start is on the next day."""
    tz = ZoneInfo(zone)
    begins = datetime.combine(day, start, tz)
    if end is None:
        return DraftWindow(begins, None, zone)
    ends = datetime.combine(day, end, tz)
    if ends <= begins:
        ends = datetime.combine(date.fromordinal(day.toordinal() + 1), end, tz)
    return DraftWindow(begins, ends, zone)


def _days(text: str) -> tuple[tuple[int | None, int, int], ...]:
    found: list[tuple[int | None, int, int]] = []
    for m in _DATE.finditer(text):
        value: tuple[int | None, int, int]
        if m["iso"]:
            value = (int(m["iy"]), int(m["im"]), int(m["id"]))
        elif m["dd"]:
            value = (int(m["dy"]) if m["dy"] else None, int(m["dm"]), int(m["dd"]))
        else:
            month = _month(m["month"] or m["month2"])
            year = m["year"] or m["year2"]
            value = (int(year) if year else None, month, int(m["day"] or m["day2"]))
        if _valid(value) and value not in found:
            found.append(value)
    return tuple(found)


def _month(word: str) -> int:
    word = word.lower()
    return next(n for stem, n in _MONTHS.items() if word.startswith(stem))


def _valid(value: tuple[int | None, int, int]) -> bool:
    try:
        date(value[0] or 2000, value[1], value[2])  # 2000 is a leap year: 29 Feb passes
    except ValueError:
        return False
    return True


def _range(text: str) -> tuple[time | None, time | None]:
    match = _RANGE.search(text)
    if match is None:
        return None, None
    end = match["end"]
    return _time(match["start"]), None if end is None else _time(end)


def _time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _zone(text: str, languages: tuple[str, ...]) -> str | None:
    for m in _ZONE.finditer(text):
        if m["iana"]:
            try:
                ZoneInfo(m["iana"])
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return str(m["iana"])
        word = (m["en"] or m["abbr"] or "").lower()
        if m["adj"]:
            word = lemma(m["adj"], languages)
        if word in _ZONE_WORDS:
            return _ZONE_WORDS[word]
    return None
