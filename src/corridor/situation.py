"""The situation on the ground, turned into per-edge arrays the router and rules read.

Territory control, hazard zones and closures are geometry; routing needs numbers per edge. This
module does that translation once per situation, in bulk, so that a change (a new hazard polygon)
costs one annotation pass plus a metric re-customisation, never a topology rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from corridor.network.graph import RoadNetwork

#: Hazard risk levels, lowest first; ``exposure_km`` columns follow this order.
RISK_LEVELS: tuple[str, ...] = ("low", "medium", "high")


@dataclass(frozen=True, eq=False)
class Situation:
    """Per-edge annotation of one network under one situation.

    ``territories`` is the label table (party ids such as ``UA``/``RU``, foreign states such as
    ``BY``, and ``contested``). ``edge_territory[e]`` is the label index holding the larger share
    of edge ``e``'s length (``-1``: outside every area); ``territory_km[e, t]`` is the length of
    edge ``e`` inside territory ``t``. ``exposure_km[e, r]`` is the length of ``e`` inside hazard
    zones of risk ``RISK_LEVELS[r]`` (the highest zone wins where zones overlap). ``closed`` marks
    edges no vehicle may use. ``border_crossing`` marks edges whose two ends lie in different
    territories.
    """

    network: RoadNetwork
    territories: tuple[str, ...]
    edge_territory: npt.NDArray[np.int16]
    territory_km: npt.NDArray[np.float64]
    exposure_km: npt.NDArray[np.float64]
    closed: npt.NDArray[np.bool_]
    border_crossing: npt.NDArray[np.bool_]

    def territory_index(self, label: str) -> int:
        """Index of ``label`` in :attr:`territories`; ``-1`` if no area carries it."""
        try:
            return self.territories.index(label)
        except ValueError:
            return -1

    @property
    def total_exposure_km(self) -> npt.NDArray[np.float64]:
        """Exposure summed over risk levels, per edge."""
        return self.exposure_km.sum(axis=1)
