"""Times written with an offset and a named zone: both must say the same thing.

"2022-03-08T10:00+02:00 in Europe/Moscow" cannot be taken either way: the offset may be the
typing error (often last season's offset) or the zone may be. Both scenario files and the
service refuse such a time rather than guess.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from corridor.i18n import _


def offset_mismatch(name: str, value: dt.datetime, zone: str) -> str | None:
    """Why ``value`` disagrees with ``zone`` at that moment, or ``None`` if it agrees."""
    try:
        expected = value.astimezone(ZoneInfo(zone)).utcoffset()
    except OverflowError:
        return _("{field} {value} is out of range").format(field=name, value=value.isoformat())
    if value.utcoffset() == expected:
        return None
    return _("{field} {value} has offset {offset} but {zone} was at {expected} then; give the "
             "offset of the zone").format(field=name, value=value.isoformat(),
                                          offset=_hhmm(value.utcoffset()), zone=zone,
                                          expected=_hhmm(expected))


def _hhmm(offset: dt.timedelta | None) -> str:
    minutes = int((offset or dt.timedelta(0)).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
