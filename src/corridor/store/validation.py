"""Pydantic's validation messages in the active language, for the service's answers.

Scenario files and request bodies share one table of Pydantic's common messages
(:func:`corridor.scenario.loading.pydantic_message`), so a field left out reads alike in a
scenario and in a request. Request bodies also meet limits a scenario file does not: text
lengths and patterns, a time without a zone, JSON that does not parse. Those are worded here,
by Pydantic's ``type`` and filled from its ``ctx``; the machine-readable parts (the type, the
field's path) stay as they are.
"""

from __future__ import annotations

from pydantic_core import ErrorDetails

from corridor.i18n import N_, _, ngettext
from corridor.scenario.loading import pydantic_message

#: The request-only messages without a count; the msgids are Pydantic's own words.
_MESSAGES: dict[str, str] = {
    "string_pattern_mismatch": N_("String should match pattern '{pattern}'"),
    "timezone_aware": N_("Input should have timezone info"),
    "json_invalid": N_("JSON decode error"),
    "json_type": N_("JSON input should be string, bytes or bytearray"),
}


def describe(error: ErrorDetails) -> str:
    """One validation problem in the active language (Pydantic's English where unknown)."""
    kind, ctx = error["type"], error.get("ctx") or {}
    try:
        if kind == "string_too_short":
            return ngettext("String should have at least {min_length} character",
                            "String should have at least {min_length} characters",
                            int(ctx["min_length"])).format(**ctx)
        if kind == "string_too_long":
            return ngettext("String should have at most {max_length} character",
                            "String should have at most {max_length} characters",
                            int(ctx["max_length"])).format(**ctx)
        if kind in _MESSAGES:
            return _(_MESSAGES[kind]).format(**ctx)
    except KeyError:
        # A context without the slot this Pydantic's template has: its own words still fit.
        return str(error["msg"])
    return pydantic_message(error)
