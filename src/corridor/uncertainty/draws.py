"""Situations drawn from how sure each control report is.

A settlement reported with some confidence keeps its status with probability ``1 - p`` (``p``
from :class:`~corridor.scenario.schema.UncertaintySpec`) and otherwise takes one of its
alternative statuses, each equally likely. Settlements are drawn independently. Draw ``i`` of
seed ``s`` depends on nothing but ``(s, i)``, so any engine, any split of the work into tasks and
any number of workers give the same situations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from corridor.scenario.schema import Scenario, UncertaintySpec
from corridor.situation.control import Settlement
from corridor.sources import Sources


@dataclass(frozen=True)
class Uncertain:
    """One settlement whose status may be other than reported.

    ``choices[0]`` is the status as reported, the rest its alternatives; ``probabilities``
    gives each choice's chance and sums to 1.
    """

    index: int
    name: str
    choices: tuple[str, ...]
    probabilities: tuple[float, ...]


@dataclass(frozen=True)
class Model:
    """Everything a draw needs: the reported settlements and which of them are uncertain."""

    settlements: tuple[Settlement, ...]
    uncertain: tuple[Uncertain, ...]
    buffer_km: tuple[float, float] | None = None


@dataclass(frozen=True)
class Draw:
    """One drawn situation.

    Per uncertain settlement the index of its choice (0 = as reported), and the front-line
    band's width when that is uncertain too.
    """

    choice: npt.NDArray[np.int8]
    buffer_km: float | None = None

    def flipped(self) -> npt.NDArray[np.bool_]:
        """Which uncertain settlements differ from their report in this draw."""
        return self.choice > 0


def model_of(sc: Scenario, sources: Sources) -> Model:
    """The uncertainty of ``sc``: its settlement reports (as read into ``sources``).

    Each report's confidence says how likely it is wrong; the front-line band's range comes
    along.
    """
    spec = sc.control.settlements
    if spec is None or not sources.settlements:
        return build_model([], sc.uncertainty, statuses=[], contested=None)
    contested = next((s for s, label in spec.status.items()
                      if label == sc.hazards.contested_label), None)
    return build_model(sources.settlements, sc.uncertainty, statuses=list(spec.status),
                       contested=contested)


def build_model(settlements: Sequence[Settlement], spec: UncertaintySpec, *,
                statuses: Sequence[str], contested: str | None) -> Model:
    """The uncertainty of ``settlements`` under ``spec``.

    ``statuses`` are the statuses the settlement file may carry; ``contested`` is the one meaning
    contested ground, if any: by default a held status may really be contested, and a contested
    one may really be held by either side. Without a contested status, any other status is the
    alternative.
    """
    uncertain = []
    for i, s in enumerate(settlements):
        p = spec.flip(s.confidence)
        others = _alternatives(s.status, spec.alternatives, statuses, contested)
        if p > 0 and others:
            share = p / len(others)
            uncertain.append(Uncertain(i, s.name, (s.status, *others),
                                       (1.0 - p, *[share] * len(others))))
    return Model(tuple(settlements), tuple(uncertain), spec.front_line_buffer_km)


def _alternatives(status: str, given: Mapping[str, Sequence[str]], statuses: Sequence[str],
                  contested: str | None) -> tuple[str, ...]:
    if status in given:
        return tuple(given[status])
    if contested is not None and contested in statuses and status != contested:
        return (contested,)
    return tuple(s for s in statuses if s != status)


def draw(model: Model, seed: int, index: int) -> Draw:
    """Draw number ``index`` of ``seed``: the same on every machine and in every engine."""
    rng = np.random.default_rng([seed, index])
    u = rng.random(len(model.uncertain))
    choice = np.array([int(np.searchsorted(np.cumsum(x.probabilities[:-1]), v, side="right"))
                       for x, v in zip(model.uncertain, u, strict=True)], dtype=np.int8)
    buffer = None if model.buffer_km is None else float(rng.uniform(*model.buffer_km))
    return Draw(choice, buffer)


def drawn_settlements(model: Model, d: Draw) -> list[Settlement]:
    """The settlements with the statuses of draw ``d``."""
    out = list(model.settlements)
    for x, c in zip(model.uncertain, d.choice.tolist(), strict=True):
        if c:
            out[x.index] = replace(out[x.index], status=x.choices[c])
    return out

