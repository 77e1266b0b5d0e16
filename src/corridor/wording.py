"""Small pieces of wording that coded messages share: lists, amounts, risk levels.

Verdicts, conflict explanations and monitoring findings are kept as a code and parameters
and put into words only when shown, in the language active then. The pieces they have in
common (``UA, RU or BY``, ``12.5``, ``medium risk``) are worded here once, for every language.
"""

from __future__ import annotations

from collections.abc import Sequence

from babel import numbers

from corridor import i18n
from corridor.i18n import N_, _

#: Risk levels as shown; the data and the JSON keep the English keys.
_RISK_WORDS = {"low": N_("low"), "medium": N_("medium"), "high": N_("high")}


def either(items: Sequence[str]) -> str:
    """``A, B or C`` in the active language; one item as it is."""
    if len(items) < 2:
        return items[0] if items else ""
    return _("{items} or {last}").format(items=", ".join(items[:-1]), last=items[-1])


def amount(value: float) -> str:
    """A limit as written in a rule (``30``, ``2.5``), with the locale's decimal sign."""
    return numbers.format_decimal(value, locale=i18n.locale())


def risk(level: str) -> str:
    """A risk level's name in the active language (an unknown one as it is)."""
    word = _RISK_WORDS.get(level)
    return _(word) if word is not None else level
