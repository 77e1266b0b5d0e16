"""Minimal conflict sets: checked against brute force on random failure patterns."""

from __future__ import annotations

import random
from itertools import combinations

from corridor.negotiation.conflicts import minimal_conflict

ORDER = [("UA", 0), ("UA", 1), ("RU", 0), ("RU", 1), ("ICRC", 0)]


def test_kyiv_pattern_names_both_destination_rules() -> None:
    failures = [
        {("RU", 0)},                # Kyiv -> Vinnytsia: RU wants RU/BY
        {("RU", 0)},                # Kyiv -> Zhytomyr
        {("UA", 0), ("UA", 1)},     # Kyiv -> Gomel: UA destination and transit
        {("UA", 0), ("UA", 1)},     # Kyiv -> Belgorod
        {("UA", 0)},                # a BY destination reached without transit (hypothetical)
    ]
    assert minimal_conflict(failures, ORDER) == [("UA", 0), ("RU", 0)]


def test_no_conflict_when_some_candidate_passes() -> None:
    assert minimal_conflict([{("UA", 0)}, set()], ORDER) == []
    assert minimal_conflict([], ORDER) == []


def test_single_rule_everyone_breaks() -> None:
    failures = [{("ICRC", 0), ("UA", 1)}, {("ICRC", 0)}, {("ICRC", 0), ("RU", 1)}]
    assert minimal_conflict(failures, ORDER) == [("ICRC", 0)]


def test_matches_brute_force_size() -> None:
    rng = random.Random(7)
    for _ in range(200):
        failures = [set(rng.sample(ORDER, rng.randint(1, 3))) for _ in range(rng.randint(1, 6))]
        got = minimal_conflict(failures, ORDER)
        assert all(f & set(got) for f in failures)
        smallest = next(k for k in range(1, len(ORDER) + 1)
                        if any(all(f & set(c) for f in failures)
                               for c in combinations(ORDER, k)))
        assert len(got) == smallest
