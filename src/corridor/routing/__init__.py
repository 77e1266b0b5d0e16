"""Hazard-aware routing: edge weights per mode, CCH shortest paths, and route summaries."""

from corridor.routing.route import (
    BorderCrossing,
    PassedSettlement,
    RouteSummary,
    Settlements,
    TerritoryRun,
    settlements_along,
    summarize,
)
from corridor.routing.router import Path, Router
from corridor.routing.weights import (
    DEFAULT_EXPOSURE_PENALTY_S_PER_KM,
    DEFAULT_RISK_FACTORS,
    SAFEST_S_PER_KM,
    Mode,
    describe_exclusions,
    edge_weights,
    excluded_edges,
    risk_weighted_km,
)

__all__ = [
    "DEFAULT_EXPOSURE_PENALTY_S_PER_KM",
    "DEFAULT_RISK_FACTORS",
    "SAFEST_S_PER_KM",
    "BorderCrossing",
    "Mode",
    "PassedSettlement",
    "Path",
    "RouteSummary",
    "Router",
    "Settlements",
    "TerritoryRun",
    "describe_exclusions",
    "edge_weights",
    "excluded_edges",
    "risk_weighted_km",
    "settlements_along",
    "summarize",
]
