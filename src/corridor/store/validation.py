"""Pydantic's validation messages in the active language.

Pydantic words its messages in English only. The common ones are looked up here by their
machine-readable ``type`` and filled in from their ``ctx``, so a liaison reading Russian learns
that a field is required in Russian; types not listed keep pydantic's English. The project's own
checks raise ``ValueError`` with a message already translated where it is raised, and that
message is shown as it is, without pydantic's "Value error, " in front.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import ErrorDetails

from corridor.i18n import N_, _, ngettext

#: Messages without a count, by pydantic error type; the msgids are pydantic's own words,
#: their slots its ``ctx`` keys.
_MESSAGES: dict[str, str] = {
    "missing": N_("Field required"),
    "extra_forbidden": N_("Extra inputs are not permitted"),
    "string_type": N_("Input should be a valid string"),
    "string_pattern_mismatch": N_("String should match pattern '{pattern}'"),
    "int_type": N_("Input should be a valid integer"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "float_type": N_("Input should be a valid number"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "finite_number": N_("Input should be a finite number"),
    "bool_type": N_("Input should be a valid boolean"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "greater_than": N_("Input should be greater than {gt}"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than": N_("Input should be less than {lt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "literal_error": N_("Input should be {expected}"),
    "enum": N_("Input should be {expected}"),
    "list_type": N_("Input should be a valid list"),
    "dict_type": N_("Input should be a valid dictionary"),
    "model_type": N_("Input should be a valid dictionary or instance of {class_name}"),
    "model_attributes_type": N_("Input should be a valid dictionary or object to extract "
                                "fields from"),
    "date_type": N_("Input should be a valid date"),
    "datetime_type": N_("Input should be a valid datetime"),
    "timezone_aware": N_("Input should have timezone info"),
    "json_invalid": N_("JSON decode error"),
    "json_type": N_("JSON input should be string, bytes or bytearray"),
    # The reason after the comma comes from a parser, in English (``ctx["error"]``).
    "datetime_parsing": N_("Input should be a valid datetime, {error}"),
    "datetime_from_date_parsing": N_("Input should be a valid datetime or date, {error}"),
    "date_parsing": N_("Input should be a valid date in the format YYYY-MM-DD, {error}"),
    "date_from_datetime_parsing": N_("Input should be a valid date or datetime, {error}"),
}


def _counted(kind: str, ctx: dict[str, Any]) -> str | None:
    """Length limits, whose noun follows the number (3 characters, 3 символи, 5 символів)."""
    if kind == "string_too_short":
        n = int(ctx["min_length"])
        return ngettext("String should have at least {min_length} character",
                        "String should have at least {min_length} characters", n).format(**ctx)
    if kind == "string_too_long":
        n = int(ctx["max_length"])
        return ngettext("String should have at most {max_length} character",
                        "String should have at most {max_length} characters", n).format(**ctx)
    if ctx.get("field_type") != "List":
        return None
    if kind == "too_short":
        n = int(ctx["min_length"])
        return ngettext(
            "List should have at least {min_length} item after validation, not {actual_length}",
            "List should have at least {min_length} items after validation, not "
            "{actual_length}", n).format(**ctx)
    if kind == "too_long":
        n = int(ctx["max_length"])
        return ngettext(
            "List should have at most {max_length} item after validation, not {actual_length}",
            "List should have at most {max_length} items after validation, not "
            "{actual_length}", n).format(**ctx)
    return None


def describe(error: ErrorDetails) -> str:
    """One validation problem in the active language (pydantic's English where unknown)."""
    kind, ctx = error["type"], dict(error.get("ctx") or {})
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    try:
        if kind in _MESSAGES:
            return _(_MESSAGES[kind]).format(**ctx)
        if kind in ("string_too_short", "string_too_long", "too_short", "too_long"):
            counted = _counted(kind, ctx)
            if counted is not None:
                return counted
    except (KeyError, ValueError, IndexError):
        # A ctx without the slot this version's template expects: pydantic's words still fit.
        pass
    return str(error["msg"])
