"""Which rules make a mutually acceptable corridor impossible.

Every candidate corridor fails some set of rules. A set of rules *conflicts* when every candidate
breaks at least one of them: it is a hitting set of the failure sets. The smallest such set is
what a mediator needs to hear ("UA's destination rule against RU's"), because relaxing any one of
its rules is the least that could open a corridor. Rule sets are small (a few rules per party),
so an exact search over subsets in increasing size is cheap and gives a reproducible answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Sequence
from itertools import combinations
from typing import TypeVar

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
