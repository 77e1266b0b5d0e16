"""The situation on the ground: who holds it, where it is dangerous, which roads are closed.

``control`` builds the map of who holds the ground, ``hazards`` the zones where travel is
exposed, ``closures`` the roads no vehicle may use, and ``annotation`` turns all three into the
per-edge arrays of a :class:`Situation` that routing and the rules read. The names below are the
package's interface; its modules depend on one another only in that order.
"""

from corridor.situation.annotation import Situation, annotate, edges_touching
from corridor.situation.closures import Closures, PointClosure
from corridor.situation.control import (
    DEFAULT_MAX_CELL_KM,
    SETTLEMENT_STATUSES,
    ControlMap,
    Settlement,
    read_settlements,
)
from corridor.situation.hazards import (
    RISK_LEVELS,
    HazardZone,
    contested_zone,
    front_line_geojson,
    front_line_zone,
    hazards_geojson,
)
from corridor.situation.held import HeldExposure, HeldTerritory, km_in_own_area, own_area

__all__ = [
    "DEFAULT_MAX_CELL_KM",
    "RISK_LEVELS",
    "SETTLEMENT_STATUSES",
    "Closures",
    "ControlMap",
    "HazardZone",
    "HeldExposure",
    "HeldTerritory",
    "PointClosure",
    "Settlement",
    "Situation",
    "annotate",
    "contested_zone",
    "edges_touching",
    "front_line_geojson",
    "front_line_zone",
    "hazards_geojson",
    "km_in_own_area",
    "own_area",
    "read_settlements",
]
