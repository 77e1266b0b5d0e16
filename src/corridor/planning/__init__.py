"""Evacuation planning: window plans of one corridor, and evacuations over a whole network.

The corridor window plan is a MILP; a network evacuation is planned with CCRP, measured against
the exact quickest flow and checked in SUMO.
"""

from corridor.planning.ccrp import Departure, NetworkPlan, Route, SourcePlan, plan_ccrp
from corridor.planning.corridor import RELAXATION_FACTOR, plan_corridor
from corridor.planning.evacuation import EvacuationProblem, Source, TimeModel
from corridor.planning.model import (
    RESOURCES,
    BoardingPoint,
    BusSchedule,
    BusShuttle,
    CorridorPlan,
    CorridorSpec,
    HazardStretch,
    PrivateCars,
    RouteCheckpoint,
    RouteProfile,
    TimeWindow,
    Trip,
    Unmoved,
    WindowResult,
)
from corridor.planning.optimal import QuickestFlow, min_total_time, people_safe_by, quickest_flow

__all__ = [
    "RELAXATION_FACTOR",
    "RESOURCES",
    "BoardingPoint",
    "BusSchedule",
    "BusShuttle",
    "CorridorPlan",
    "CorridorSpec",
    "Departure",
    "EvacuationProblem",
    "HazardStretch",
    "NetworkPlan",
    "PrivateCars",
    "QuickestFlow",
    "Route",
    "RouteCheckpoint",
    "RouteProfile",
    "Source",
    "SourcePlan",
    "TimeModel",
    "TimeWindow",
    "Trip",
    "Unmoved",
    "WindowResult",
    "min_total_time",
    "people_safe_by",
    "plan_ccrp",
    "plan_corridor",
    "quickest_flow",
]
