"""Which rules make a mutually acceptable corridor impossible.

Every candidate corridor fails some set of rules. A set of rules *conflicts* when every candidate
breaks at least one of them: it is a hitting set of the failure sets. The smallest such set is
what a mediator needs to hear ("UA's destination rule against RU's"), because relaxing any one of
its rules is the least that could open a corridor. Rule sets are small (a few rules per party),
so an exact search over subsets in increasing size is cheap and gives a reproducible answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Mapping, Sequence
from itertools import combinations
from typing import Any, TypeVar

from corridor.i18n import _, ngettext

K = TypeVar("K", bound=Hashable)

#: Beyond this many distinct failing rules, fall back to a greedy cover (still a valid conflict,
#: not necessarily the smallest).
_EXACT_LIMIT = 24


def minimal_conflict(failures: Sequence[Collection[K]], order: Sequence[K]) -> list[K]:
    """The smallest set of rules that every candidate breaks at least one of.

    Args:
        failures: per candidate, the rules it fails. An empty entry means some candidate passes
            everything, so there is no conflict and the result is empty.
        order: every rule in a stable order (party, then rule index); ties between equally small
            sets go to the one whose rules are broken most often, then to this order.
    """
    sets = [frozenset(f) for f in failures]
    if not sets or any(not s for s in sets):
        return []
    counts = Counter(rule for s in sets for rule in s)
    universe = sorted(counts, key=lambda r: (-counts[r], order.index(r)))
    if len(universe) > _EXACT_LIMIT:
        return sorted(_greedy(sets, universe), key=order.index)
    for size in range(1, len(universe) + 1):
        hitting = [c for c in combinations(universe, size) if all(s & set(c) for s in sets)]
        if hitting:
            best = max(hitting, key=lambda c: sum(counts[r] for r in c))
            return sorted(best, key=order.index)
    return universe  # unreachable: the whole universe hits every non-empty set


def _greedy(sets: list[frozenset[K]], universe: list[K]) -> list[K]:
    chosen: list[K] = []
    remaining = list(sets)
    while remaining:
        rule = max(universe, key=lambda r: sum(r in s for s in remaining))
        chosen.append(rule)
        remaining = [s for s in remaining if rule not in s]
    return chosen


def explanation_text(code: str, p: Mapping[str, Any]) -> str:
    """Why no corridor opens from an origin, in the active language.

    ``code`` is ``conflict.unreachable`` (no destination reachable at all),
    ``conflict.other_side`` (what the rules accept crosses the other side's settlements) or
    ``conflict.rules`` (every candidate breaks a rule of the conflict; ``relaxing`` holds
    what a search without each rule found).

    Raises
    ------
    KeyError
        If ``code`` is none of these.
    """
    if code == "conflict.unreachable":
        return _("no destination can be reached from {origin} at all").format(origin=p["origin"])
    if code == "conflict.other_side":
        return _("the corridors from {origin} that every party's rules accept pass through "
                 "ground held by the other side ({held}); a suggestion may do so only when "
                 "every party's rules allow it (a max_exposure rule counting held "
                 "ground)").format(origin=p["origin"], held=", ".join(p["held"]))
    if code != "conflict.rules":
        raise KeyError(code)
    words = {"count": p["candidates"], "origin": p["origin"],
             "destinations": ", ".join(p["destinations"])}
    if p["windows"]:
        head = ngettext(
            "the {count} candidate corridor from {origin} (to {destinations}) breaks at least "
            "one of these rules in every window offered ({windows})",
            "each of the {count} candidate corridors from {origin} (to {destinations}) breaks "
            "at least one of these rules in every window offered ({windows})",
            p["candidates"]).format(windows=", ".join(p["windows"]), **words)
    else:
        head = ngettext(
            "the {count} candidate corridor from {origin} (to {destinations}) breaks at least "
            "one of these rules",
            "each of the {count} candidate corridors from {origin} (to {destinations}) breaks "
            "at least one of these rules", p["candidates"]).format(**words)
    return head + "; " + _relaxation_words(p["relaxing"])


def _relaxation_words(relaxing: Sequence[Mapping[str, Any]]) -> str:
    """What relaxing each rule alone does, as the re-run searches found."""
    if all(r["opens"] for r in relaxing):
        return _("relaxing any one of them opens a corridor (checked by searching without it)")
    parts = [(ngettext("relaxing {party} {code} alone opens {count} corridor",
                       "relaxing {party} {code} alone opens {count} corridors", r["opens"])
              if r["opens"] else _("relaxing {party} {code} alone opens none")).format(
        party=r["party"], code=r["code"], count=r["opens"]) for r in relaxing]
    if not any(r["opens"] for r in relaxing):
        parts.append(_("more than one rule must give way"))
    return "; ".join(parts)
