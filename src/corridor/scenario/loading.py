"""Reading a scenario file: YAML in, a validated :class:`Scenario` out, or an error that points.

Validation happens in two passes. Pydantic checks shapes and value ranges field by field; then
:func:`_check_references` checks what Pydantic cannot see: ids that must be unique, names that
must refer to something declared elsewhere, rules that contradict each other. Both passes report
the failing field as a path (``parties[1].rules[0].territories``) and, where the YAML shows it, the
line, so a mediator editing the file by hand can go straight to the mistake.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from corridor.errors import ScenarioError
from corridor.i18n import N_, _, ngettext
from corridor.scenario.schema import UNION_TAGS, DestinationIn, NoTransit, PartySpec, Scenario


def load_scenario(path: Path) -> Scenario:
    """Read, parse and validate a scenario file.

    Raises :class:`ScenarioError` naming the file, the field path and (where the YAML shows it)
    the line of the first problem found.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ScenarioError(_("file not found"), source=path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(_("cannot read file: {error}").format(error=exc), source=path) from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ScenarioError(_("YAML syntax error: {problem}").format(problem=exc.problem),
                            source=path, line=line) from exc
    if not isinstance(data, dict):
        raise ScenarioError(_("expected a mapping of scenario fields at the top level"),
                            source=path, line=1)
    for derived in ("base_dir", "as_of"):
        data.pop(derived, None)
    try:
        scenario = Scenario.model_validate({**data, "base_dir": path.resolve().parent})
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(p for p in first["loc"] if not _is_union_tag(p))
        raise ScenarioError(pydantic_message(first), source=path, field=_format_path(loc),
                            line=_line_of(root, loc)) from exc
    try:
        _check_references(scenario)
    except _RefError as exc:
        raise ScenarioError(exc.message, source=path, field=_format_path(exc.loc),
                            line=_line_of(root, exc.loc)) from exc
    return scenario


#: Pydantic's messages for the errors a scenario commonly has, by error type, in Pydantic's
#: own English wording (except where the scenario says it plainly), so they can be translated;
#: ``{slots}`` are filled from the error's context.
_PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": N_("required field is missing"),
    "extra_forbidden": N_("unknown field"),
    "string_type": N_("Input should be a valid string"),
    "int_type": N_("Input should be a valid integer"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "float_type": N_("Input should be a valid number"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "finite_number": N_("Input should be a finite number"),
    "bool_type": N_("Input should be a valid boolean"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "list_type": N_("Input should be a valid list"),
    "dict_type": N_("Input should be a valid dictionary"),
    "tuple_type": N_("Input should be a valid tuple"),
    "model_type": N_("Input should be a valid dictionary or instance of {class_name}"),
    "model_attributes_type": N_(
        "Input should be a valid dictionary or object to extract fields from"),
    "date_type": N_("Input should be a valid date"),
    "date_parsing": N_("Input should be a valid date in the format YYYY-MM-DD, {error}"),
    "date_from_datetime_parsing": N_("Input should be a valid date or datetime, {error}"),
    "datetime_type": N_("Input should be a valid datetime"),
    "datetime_parsing": N_("Input should be a valid datetime, {error}"),
    "datetime_from_date_parsing": N_("Input should be a valid datetime or date, {error}"),
    "greater_than": N_("Input should be greater than {gt}"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than": N_("Input should be less than {lt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "literal_error": N_("Input should be {expected}"),
    "enum": N_("Input should be {expected}"),
    "union_tag_invalid": N_("Input tag '{tag}' found using {discriminator} does not match any "
                            "of the expected tags: {expected_tags}"),
    "union_tag_not_found": N_("Unable to extract tag using discriminator {discriminator}"),
}


def pydantic_message(error: ErrorDetails) -> str:
    """One Pydantic error's message in the active language.

    The common error types are looked up in :data:`_PYDANTIC_MESSAGES` and filled from the
    error's context; a validator's own message (``value_error``) was already translated where
    it was raised. Any other type keeps Pydantic's English message, which is still precise.
    """
    kind, ctx = error["type"], error.get("ctx", {})
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    if kind in ("too_short", "too_long") and ctx.get("field_type") == "List":
        if kind == "too_short":
            return ngettext("List should have at least {min_length} item after validation, "
                            "not {actual_length}",
                            "List should have at least {min_length} items after validation, "
                            "not {actual_length}", ctx["min_length"]).format(**ctx)
        return ngettext("List should have at most {max_length} item after validation, "
                        "not {actual_length}",
                        "List should have at most {max_length} items after validation, "
                        "not {actual_length}", ctx["max_length"]).format(**ctx)
    template = _PYDANTIC_MESSAGES.get(kind)
    if template is None:
        return error["msg"]
    try:
        return _(template).format(**{key: _ctx_text(key, value) for key, value in ctx.items()})
    except (KeyError, IndexError):
        return error["msg"]


def _ctx_text(key: str, value: Any) -> Any:
    """A context value as Pydantic writes it in its message, in the active language.

    Whole floats lose their ``.0``; the choices of a literal (``'a', 'b' or 'c'``) are joined
    by the language's "or".
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if key == "expected" and isinstance(value, str):
        items, sep, last = value.rpartition(" or ")
        if sep:
            return _("{items} or {last}").format(items=items, last=last)
    return value


def _format_path(loc: tuple[str | int, ...]) -> str:
    """``("parties", 1, "rules", 0)`` -> ``parties[1].rules[0]``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _is_union_tag(part: str | int) -> bool:
    """Pydantic inserts the discriminator value or a type name into union error paths."""
    return isinstance(part, str) and (
        part in {"destination_in", "origin_in", "no_transit", "max_exposure", "max_duration",
                 "must_pass", "must_avoid", "allowed_hours"}
        or part in UNION_TAGS or "[" in part or part.startswith(("function-", "tuple["))
    )


def _line_of(node: yaml.Node | None, loc: tuple[str | int, ...]) -> int | None:
    """The 1-based line of the deepest YAML node on ``loc`` that exists."""
    best = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if part < len(node.value) else None
        if child is None:
            break
        node, best = child, child.start_mark.line + 1
    return best


class _RefError(Exception):
    def __init__(self, message: str, *loc: str | int) -> None:
        super().__init__(message)
        self.message, self.loc = message, loc


def _unique(items: list[Any], attr: str, where: str) -> None:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        key = getattr(item, attr)
        if key in seen:
            raise _RefError(_("duplicate {field} {value!r} (first used at {where}[{index}])")
                            .format(field=attr, value=key, where=where, index=seen[key]),
                            where, i, attr)
        seen[key] = i


def _check_references(sc: Scenario) -> None:
    """Checks that need the whole scenario: uniqueness, references, contradictions."""
    _unique(sc.parties, "id", "parties")
    _unique(sc.windows, "id", "windows")
    _unique(sc.proposals, "id", "proposals")
    _unique(sc.corridors, "id", "corridors")
    _unique(sc.places.origins, "name", "places.origins")
    _unique(sc.places.destinations, "name", "places.destinations")
    _unique(sc.checkpoints, "name", "checkpoints")
    _check_rules(sc)
    _check_timeline(sc)
    window_ids = {w.id for w in sc.windows}
    party_ids = {p.id for p in sc.parties}
    for i, prop in enumerate(sc.proposals):
        if prop.proposer not in party_ids:
            raise _RefError(_("unknown party {party!r}; parties are {parties}").format(
                party=prop.proposer, parties=", ".join(sorted(party_ids))),
                "proposals", i, "proposer")
        _known(prop.windows, window_ids, N_("unknown window {name!r}"), "proposals", i, "windows")
    proposal_ids = {p.id for p in sc.proposals}
    checkpoint_names = {c.name for c in sc.checkpoints}
    for i, cor in enumerate(sc.corridors):
        if cor.proposal not in proposal_ids:
            raise _RefError(_("unknown proposal {proposal!r}").format(proposal=cor.proposal),
                            "corridors", i, "proposal")
        _known(cor.windows, window_ids, N_("unknown window {name!r}"), "corridors", i, "windows")
        _known(cor.checkpoints, checkpoint_names, N_("unknown checkpoint {name!r}"),
               "corridors", i, "checkpoints")
    _check_alternatives(sc)


def _check_alternatives(sc: Scenario) -> None:
    """A status a sweep may flip to, or from, is one the settlement file may carry."""
    statuses = set(sc.control.settlements.status) if sc.control.settlements else set()
    for status, others in sc.uncertainty.alternatives.items():
        if status not in statuses:
            raise _RefError(_("unknown settlement status {status!r}; {field} maps {statuses}")
                            .format(status=status, field="control.settlements.status",
                                    statuses=", ".join(sorted(statuses)) or _("none")),
                            "uncertainty", "alternatives", status)
        _known(others, statuses - {status}, N_("unknown alternative status {name!r}"),
               "uncertainty", "alternatives", status)


def _check_timeline(sc: Scenario) -> None:
    """Snapshots are dated strictly one after the other: each is valid until the next."""
    for i, (before, after) in enumerate(pairwise(sc.timeline)):
        if after.date == before.date:
            raise _RefError(_("duplicate date {date} (first used at timeline[{index}])").format(
                date=after.date.isoformat(), index=i), "timeline", i + 1, "date")
        if after.date < before.date:
            raise _RefError(_("dates out of order: {date} comes after {previous}; list snapshots "
                              "oldest first").format(date=after.date.isoformat(),
                                                     previous=before.date.isoformat()),
                            "timeline", i + 1, "date")


def _known(names: list[str], known: set[str], message: str, *loc: str | int) -> None:
    """Every name in ``names`` is one of ``known``; the error points at the first that is not.

    ``message`` is the error, marked with ``N_`` and holding ``{name}``.
    """
    for k, name in enumerate(names):
        if name not in known:
            raise _RefError(_(message).format(name=name), *loc, k)


def _check_rules(sc: Scenario) -> None:
    """Every territory and origin a rule names exists, and no party's rules contradict."""
    labels = sc.territory_labels | {p.id for p in sc.parties}
    origin_names = {o.name for o in sc.places.origins} | {p.origin for p in sc.proposals}
    for i, party in enumerate(sc.parties):
        for j, rule in enumerate(party.rules):
            for k, name in enumerate(getattr(rule, "territories", [])):
                if name not in labels:
                    raise _RefError(_("unknown territory {name!r}; known: {known}").format(
                        name=name, known=", ".join(sorted(labels))),
                                    "parties", i, "rules", j, "territories", k)
            for k, name in enumerate(rule.origins):
                if name not in origin_names:
                    raise _RefError(_("unknown origin {name!r}; origins are {origins}").format(
                        name=name, origins=", ".join(sorted(origin_names))),
                                    "parties", i, "rules", j, "origins", k)
        _check_contradictions(sc, party, i)


def _check_contradictions(sc: Scenario, party: PartySpec, index: int) -> None:
    """A party whose own rules can never all pass has made a mistake, not a position."""
    scoped: list[tuple[int, str, set[str]]] = []
    for j, rule in enumerate(party.rules):
        if isinstance(rule, DestinationIn | NoTransit):
            scoped.append((j, rule.type, sc.expand_territories(rule.territories)))
    for a, (ja, ta, la) in enumerate(scoped):
        for jb, tb, lb in scoped[a + 1:]:
            ra, rb = party.rules[ja], party.rules[jb]
            if ra.origins and rb.origins and not set(ra.origins) & set(rb.origins):
                continue
            if ta == tb == "destination_in" and not la & lb:
                why = _("two destination rules with no territory in common")
            elif {ta, tb} == {"destination_in", "no_transit"}:
                dest, avoid = (la, lb) if ta == "destination_in" else (lb, la)
                if not dest - avoid:
                    why = _("every allowed destination lies in a territory it forbids transit "
                            "through")
                else:
                    continue
            else:
                continue
            raise _RefError(_("contradictory rules: rules[{first}] and rules[{second}] of party "
                              "{party!r} can never both pass ({why})").format(
                first=ja, second=jb, party=party.id, why=why),
                            "parties", index, "rules", jb)

