"""Edge costs for each routing mode, computed in bulk from a situation's per-edge arrays.

All modes share one unit, generalised seconds, so a cost can be read as "driving time plus what
the exposure is worth in driving time". Excluded edges (closures, territories a party refuses to
cross) cost ``+inf``; the router turns that into the engine's own infinity.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from enum import StrEnum

import numpy as np

from corridor.errors import RoutingError
from corridor.i18n import _, ngettext
from corridor.network.graph import FloatArray, RoadNetwork
from corridor.situation import RISK_LEVELS, HeldTerritory, Situation


class Mode(StrEnum):
    """What a route optimises."""

    #: Shortest driving time; hazards are ignored (exclusions still apply).
    FASTEST = "fastest"
    #: Least risk-weighted exposure; driving time only separates routes of equal exposure.
    SAFEST = "safest"
    #: Driving time plus a price per risk-weighted km of exposure.
    BALANCED = "balanced"


#: How much worse a km in a zone of each risk level is than a km in a low-risk zone. The steps
#: (1, 3, 10) follow the usual order-of-magnitude spacing of security risk matrices.
DEFAULT_RISK_FACTORS: Mapping[str, float] = {"low": 1.0, "medium": 3.0, "high": 10.0}

#: Balanced mode's price of one risk-weighted km: ten minutes of driving. A convoy then accepts a
#: 10-minute detour to avoid one km of low-risk exposure, 30 minutes for medium and 100 minutes
#: for high risk: detours of that size are routine for humanitarian convoys, while whole-day
#: detours to shave off a few hundred metres of low risk are not.
DEFAULT_EXPOSURE_PENALTY_S_PER_KM = 600.0

#: Safest mode's price of one risk-weighted km: ten hours of driving. Any realistic detour is
#: cheaper than one more km of exposure, so time only breaks ties between equally exposed routes,
#: yet the cost stays a plain sum (no lexicographic engine needed) with enough integer range.
SAFEST_S_PER_KM = 36_000.0


def edge_weights(
    network: RoadNetwork,
    situation: Situation | None,
    *,
    mode: Mode | str = Mode.FASTEST,
    convoy_speed_kmh: float | None = None,
    exclude_territories: Collection[str] = (),
    avoid_closed: bool = True,
    exposure_penalty_s_per_km: float = DEFAULT_EXPOSURE_PENALTY_S_PER_KM,
    risk_factors: Mapping[str, float] = DEFAULT_RISK_FACTORS,
    held: HeldTerritory | None = None,
) -> FloatArray:
    """Cost of every directed edge for one routing mode, in generalised seconds.

    Parameters
    ----------
    network
        The road network the situation annotates.
    situation
        Per-edge territory, exposure and closures; ``None`` routes on the bare network (no
        hazards, closures or territories, so only ``fastest`` makes a difference).
    mode
        ``fastest``, ``safest`` or ``balanced`` (see :class:`Mode`).
    convoy_speed_kmh
        Top speed of the slowest vehicle; roads faster than that are driven at this speed.
    exclude_territories
        Territory labels the route must not touch: an edge with any length inside one of them is
        excluded.
    avoid_closed
        Exclude edges the situation marks as closed.
    exposure_penalty_s_per_km
        Balanced mode's price of one risk-weighted km (see
        :data:`DEFAULT_EXPOSURE_PENALTY_S_PER_KM`).
    risk_factors
        Weight of a km in each risk level; levels left out count as 0.
    held
        The other side's ground as seen from the origin: in ``safest`` and ``balanced``, a km
        through it weighs like a km in a hazard zone of its risk level. ``None`` weighs no
        ground by its holder.

    Returns
    -------
    numpy.ndarray
        One non-negative cost per edge; ``+inf`` for excluded edges.

    Raises
    ------
    RoutingError
        If a territory label or risk level is unknown, a speed or penalty is not positive, or the
        exclusions leave no usable edge at all.
    """
    mode = _parse_mode(mode)
    if convoy_speed_kmh is not None and not convoy_speed_kmh > 0:
        raise RoutingError(_("convoy speed must be positive, got {value} km/h").format(
                               value=convoy_speed_kmh),
                           field="convoy_speed_kmh")
    if not exposure_penalty_s_per_km >= 0:
        raise RoutingError(_("exposure penalty must be >= 0, got {value}").format(
                               value=exposure_penalty_s_per_km),
                           field="exposure_penalty_s_per_km")
    time_s = (network.travel_time_s if convoy_speed_kmh is None
              else network.travel_time_capped_s(convoy_speed_kmh))
    weights = np.array(time_s, dtype=np.float64)
    if situation is not None and mode is not Mode.FASTEST:
        price = SAFEST_S_PER_KM if mode is Mode.SAFEST else exposure_penalty_s_per_km
        weights += price * risk_weighted_km(situation, risk_factors, held)
    blocked = excluded_edges(network, situation, exclude_territories=exclude_territories,
                             avoid_closed=avoid_closed)
    if network.n_edges and blocked.all():
        what = describe_exclusions(exclude_territories, avoid_closed)
        raise RoutingError(_("no road is left once {what} are excluded: all {n_edges} edges "
                             "are blocked").format(what=what, n_edges=network.n_edges),
                           field="exclude_territories")
    weights[blocked] = np.inf
    return weights


def risk_weighted_km(situation: Situation,
                     risk_factors: Mapping[str, float] = DEFAULT_RISK_FACTORS,
                     held: HeldTerritory | None = None) -> FloatArray:
    """Per-edge exposure with each risk level's km multiplied by its factor.

    With ``held``, km through the other side's ground add in at their risk level's factor.
    """
    unknown = set(risk_factors) - set(RISK_LEVELS)
    if unknown:
        raise RoutingError(_("unknown risk level(s) {unknown}; known: {levels}").format(
                               unknown=sorted(unknown), levels=", ".join(RISK_LEVELS)),
                           field="risk_factors")
    factors = np.array([float(risk_factors.get(level, 0.0)) for level in RISK_LEVELS])
    if np.any(factors < 0):
        raise RoutingError(_("risk factors must be >= 0"), field="risk_factors")
    weighted = np.asarray(situation.exposure_km @ factors, dtype=np.float64)
    if held is not None:
        weighted += factors[RISK_LEVELS.index(held.risk)] * held.edge_km(situation)
    return weighted


def excluded_edges(
    network: RoadNetwork,
    situation: Situation | None,
    *,
    exclude_territories: Collection[str] = (),
    avoid_closed: bool = True,
) -> np.ndarray[tuple[int], np.dtype[np.bool_]]:
    """Mask of the edges a route may not use: closed ones and those touching an excluded area.

    An edge touches a territory when any of its length lies inside it, so a route never even
    clips the corner of a territory a party refuses to enter.
    """
    blocked = np.zeros(network.n_edges, dtype=bool)
    if situation is None:
        if exclude_territories:
            raise RoutingError(_("territories can only be excluded given a situation that maps "
                                 "them"), field="exclude_territories")
        return blocked
    if avoid_closed:
        blocked |= situation.closed
    for label in exclude_territories:
        index = situation.territory_index(label)
        if index < 0:
            raise RoutingError(_("unknown territory {label!r}; the situation knows {known}")
                               .format(label=label,
                                       known=", ".join(situation.territories) or _("none")),
                               field="exclude_territories")
        blocked |= situation.territory_km[:, index] > 0
    return blocked


def describe_exclusions(exclude_territories: Collection[str] = (),
                        avoid_closed: bool = True) -> str:
    """Plain-language list of what a weighting excludes, for "no route" messages."""
    parts = [_("closed roads")] if avoid_closed else []
    if exclude_territories:
        parts.append(ngettext("territory {names}", "territories {names}",
                              len(exclude_territories)).format(
            names=", ".join(exclude_territories)))
    if len(parts) == 2:
        return _("{first} and {second}").format(first=parts[0], second=parts[1])
    return parts[0] if parts else _("nothing")


def _parse_mode(mode: Mode | str) -> Mode:
    try:
        return Mode(mode)
    except ValueError:
        raise RoutingError(_("unknown routing mode {mode!r}; choose one of {modes}").format(
                               mode=mode, modes=", ".join(m.value for m in Mode)),
                           field="mode") from None
