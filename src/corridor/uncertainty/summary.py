"""What a sweep found, per proposal and per suggested corridor, and its JSON form.

Probabilities are shares of the samples; exposure quantiles are over the samples in which the
item could be routed. Sensitivity compares, for each uncertain settlement, the acceptance in the
samples where its status was drawn otherwise with the acceptance where it was as reported: the
settlements whose flip moves acceptance most are the ones worth checking on the ground first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from corridor.uncertainty.draws import draw
from corridor.uncertainty.evaluate import Item, Outcome, PreparedSweep

#: Settlements listed per item in the sensitivity ranking.
SENSITIVITY_TOP = 5


@dataclass(frozen=True)
class ItemResult:
    """One item's numbers across the samples."""

    item: Item
    acceptance: dict[str, float]
    accepted_by_all: float
    routed: float
    exposure_km: dict[str, float] | None
    crosses_front_line: float
    sensitivity: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """The item as the JSON report gives it (see the README's sweep section)."""
        it = self.item
        out: dict[str, Any] = {"id": it.id, "origin": it.origin, "destination": it.destination}
        if it.kind == "corridor":
            out.update(mode=it.mode, windows=list(it.windows))
        return {**out, "baseline": it.baseline,
                "acceptance": {p: round(v, 4) for p, v in self.acceptance.items()},
                "accepted_by_all": round(self.accepted_by_all, 4),
                "routed": round(self.routed, 4),
                "exposure_km": self.exposure_km,
                "crosses_front_line": round(self.crosses_front_line, 4),
                "sensitivity": self.sensitivity}


@dataclass(frozen=True)
class SweepResult:
    """Every item's result, with what the sweep drew from."""

    samples: int
    seed: int
    prepared: PreparedSweep
    proposals: list[ItemResult]
    corridors: list[ItemResult]

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON report."""
        model = self.prepared.model
        sc = self.prepared.scenario
        return {
            "samples": self.samples,
            "seed": self.seed,
            "at": sc.as_of.isoformat() if sc.as_of else None,
            "uncertain_settlements": len(model.uncertain),
            "front_line_buffer_km": list(model.buffer_km) if model.buffer_km else None,
            "flip_probability": dict(sc.uncertainty.flip_probability),
            "proposals": [r.to_dict() for r in self.proposals],
            "corridors": [r.to_dict() for r in self.corridors],
        }


def summarize_sweep(prepared: PreparedSweep, outcomes: list[Outcome]) -> SweepResult:
    """Aggregate the samples' outcomes item by item."""
    accept = np.stack([o.accept for o in outcomes])          # samples x items x parties
    routed = np.stack([o.routed for o in outcomes])          # samples x items
    exposure = np.stack([o.exposure_km for o in outcomes])
    crosses = np.stack([o.crosses_front for o in outcomes])
    flipped = np.stack([draw(prepared.model, prepared.seed, o.index).flipped()
                        for o in outcomes]) if prepared.model.uncertain else None
    results = [_item_result(prepared, k, accept[:, k], routed[:, k], exposure[:, k],
                            crosses[:, k], flipped) for k in range(len(prepared.items))]
    proposals = [r for r in results if r.item.kind == "proposal"]
    corridors = [r for r in results if r.item.kind == "corridor"]
    return SweepResult(len(outcomes), prepared.seed, prepared, proposals, corridors)


def _item_result(prepared: PreparedSweep, k: int, accept: npt.NDArray[np.bool_],
                 routed: npt.NDArray[np.bool_], exposure: npt.NDArray[np.float64],
                 crosses: npt.NDArray[np.bool_],
                 flipped: npt.NDArray[np.bool_] | None) -> ItemResult:
    parties = prepared.parties
    seen = exposure[routed]
    quantiles = (None if len(seen) == 0 else
                 {f"p{q}": round(float(np.percentile(seen, q)), 1) for q in (10, 50, 90)})
    return ItemResult(
        item=prepared.items[k],
        acceptance={p: float(accept[:, j].mean()) for j, p in enumerate(parties)},
        accepted_by_all=float(accept.all(axis=1).mean()),
        routed=float(routed.mean()),
        exposure_km=quantiles,
        crosses_front_line=float(crosses.mean()),
        sensitivity=[] if flipped is None else _sensitivity(prepared, accept, flipped),
    )


def _sensitivity(prepared: PreparedSweep, accept: npt.NDArray[np.bool_],
                 flipped: npt.NDArray[np.bool_]) -> list[dict[str, Any]]:
    """The settlements whose flip changes some party's acceptance most, largest change first.

    Only settlements drawn both ways in the run can be compared; a change is the acceptance
    when flipped minus the acceptance when as reported.
    """
    rows = []
    acc = accept.astype(np.float64)
    for s, unc in enumerate(prepared.model.uncertain):
        on = flipped[:, s]
        n_on = int(on.sum())
        if n_on == 0 or n_on == len(on):
            continue
        change = acc[on].mean(axis=0) - acc[~on].mean(axis=0)
        if not np.any(change):
            continue
        rows.append((float(np.abs(change).max()), {
            "settlement": unc.name, "reported": unc.choices[0], "flipped_samples": n_on,
            "acceptance_change": {p: round(float(c), 4)
                                  for p, c in zip(prepared.parties, change, strict=True)}}))
    rows.sort(key=lambda r: -r[0])
    return [row for _, row in rows[:SENSITIVITY_TOP]]
