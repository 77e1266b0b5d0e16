"""Uncertainty sweeps: probabilities against exact enumeration, engines against each other.

The hand-made scenario (tests/sweepfixtures.py) has two low-confidence reports, so six
situations in all. Its exact answer is computed here the long way: every combination of statuses
written out as its own settlement file and negotiated from scratch, weighted by its probability.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import pytest
from distributed import LocalCluster

from corridor.errors import ScenarioError, SituationError
from corridor.negotiation.search import Negotiation, negotiate
from corridor.report.negotiation import render_html
from corridor.scenario import load_scenario
from corridor.situation import read_settlements
from corridor.uncertainty import SweepResult, sweep
from corridor.world import World, build_world
from tests.sweepfixtures import LOW_FLIP, write_reports, write_scenario

#: The low-confidence reports and what each may really be, with its chance.
CHOICES: dict[str, list[tuple[str, float]]] = {
    "Энкамп": [("contested", 1 - LOW_FLIP), ("hi", LOW_FLIP / 2), ("lo", LOW_FLIP / 2)],
    "Sant Julià de Lòria": [("lo", 1 - LOW_FLIP), ("contested", LOW_FLIP)],
}


def _built(path: Path) -> tuple[World, Negotiation]:
    world = build_world(load_scenario(path))
    return world, negotiate(world)


def _exact(directory: Path) -> dict[str, dict[str, Any]]:
    """Per proposal: each party's exact acceptance probability, and the exposures that occur."""
    exact: dict[str, dict[str, Any]] = {}
    names = list(CHOICES)
    for k, combo in enumerate(itertools.product(*CHOICES.values())):
        statuses = {name: status for name, (status, _) in zip(names, combo, strict=True)}
        weight = math.prod(p for _, p in combo)
        _, neg = _built(write_scenario(directory, statuses, name=f"combo{k}.yaml"))
        for r in neg.proposals:
            assert r.corridor is not None
            entry = exact.setdefault(r.proposal.id, {"acceptance": {}, "all": 0.0,
                                                     "exposures": set()})
            for party, verdict in r.corridor.verdicts.items():
                entry["acceptance"][party] = (entry["acceptance"].get(party, 0.0)
                                              + weight * verdict.acceptable)
            entry["all"] += weight * r.corridor.acceptable_to_all
            entry["exposures"].add(round(r.corridor.summary.exposure_km["total"], 1))
    return exact


def _close(estimate: float, p: float, n: int) -> bool:
    """Within 4.5 standard errors of a share of ``n`` independent draws."""
    return abs(estimate - p) <= 4.5 * math.sqrt(p * (1 - p) / n) + 1e-9


def test_probabilities_match_exact_enumeration(tmp_path: Path) -> None:
    exact = _exact(tmp_path)
    uncertain = [p for e in exact.values() for p in e["acceptance"].values() if 0.05 < p < 0.95]
    assert uncertain, "the scenario must leave some verdict in doubt"
    samples = 2000
    result = sweep(*_built(write_scenario(tmp_path)), samples=samples, seed=5, workers=1)
    assert result.samples == samples
    assert {r.item.id for r in result.proposals} == set(exact)
    for r in result.proposals:
        e = exact[r.item.id]
        for party, p in e["acceptance"].items():
            assert _close(r.acceptance[party], p, samples), (r.item.id, party, p)
        assert _close(r.accepted_by_all, e["all"], samples)
        assert r.exposure_km is not None
        assert set(r.exposure_km.values()) <= e["exposures"]


def test_sensitivity_names_the_report_that_decides(tmp_path: Path) -> None:
    """Pas de la Casa lies beyond Encamp: whether the highland accepts turns on Encamp alone."""
    result = sweep(*_built(write_scenario(tmp_path)), samples=200, seed=1, workers=1)
    to_pas = next(r for r in result.proposals if r.item.id == "to-pas")
    assert to_pas.sensitivity[0]["settlement"] == "Энкамп"
    assert to_pas.sensitivity[0]["reported"] == "contested"


def test_dask_cluster_gives_the_local_answer(tmp_path: Path) -> None:
    path = write_scenario(tmp_path, uncertainty={
        "flip_probability": {"high": 0.0, "medium": 0.0, "low": LOW_FLIP},
        "alternatives": {"contested": ["hi", "lo"]}, "front_line_buffer_km": [0.1, 1.0]})
    world, neg = _built(path)
    local = sweep(world, neg, samples=8, seed=7, workers=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      memory_limit="1GiB", dashboard_address=None) as cluster:
        remote = sweep(world, neg, samples=8, seed=7, engine="dask",
                       address=cluster.scheduler_address)
    assert remote.to_dict() == local.to_dict()
    assert local.to_dict()["front_line_buffer_km"] == [0.1, 1.0]
    _spread(local)


def _spread(result: SweepResult) -> None:
    """With the front-line band drawn from a range, exposure differs between samples."""
    spreads = [r.exposure_km for r in result.proposals if r.exposure_km is not None]
    assert any(q["p10"] < q["p90"] for q in spreads)


def test_unknown_alternative_status_names_the_field(tmp_path: Path) -> None:
    path = write_scenario(tmp_path, uncertainty={"alternatives": {"contested": ["held"]}})
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert "uncertainty.alternatives.contested" in err.value.describe()
    assert "held" in err.value.describe()


def test_unknown_confidence_names_the_line(tmp_path: Path) -> None:
    reports = write_reports(tmp_path / "control.csv")
    lines = reports.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",high", ",certain")
    reports.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SituationError) as err:
        read_settlements(reports, statuses=["hi", "lo", "contested"])
    assert err.value.line == 4
    assert err.value.field == "confidence"


def test_report_shows_each_verdicts_probability(tmp_path: Path) -> None:
    world, neg = _built(write_scenario(tmp_path))
    result = sweep(world, neg, samples=40, seed=3, workers=1)
    page = render_html(world, neg, result)
    assert "of 40 drawn situations" in page
    for r in result.proposals:
        for party in ("HIGH", "LOW"):
            assert f"accepts in {100 * r.acceptance[party]:.0f}% of 40" in page
        assert f"crosses the front line in {100 * r.crosses_front_line:.0f}% of" in page
    assert "drawn situations" not in render_html(world, neg)
