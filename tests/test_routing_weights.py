"""Edge weights per mode, checked edge by edge on a hand-made four-edge network."""

from __future__ import annotations

import numpy as np
import pytest

from corridor.errors import RoutingError
from corridor.network.build import network_from_edges
from corridor.network.graph import RoadNetwork
from corridor.routing import (
    DEFAULT_EXPOSURE_PENALTY_S_PER_KM,
    SAFEST_S_PER_KM,
    Mode,
    describe_exclusions,
    edge_weights,
)
from corridor.situation import Situation


@pytest.fixture
def net() -> RoadNetwork:
    """Four 1 km edges (0.009 deg of latitude is about 1 km) at 30, 60, 90 and 120 km/h."""
    lat = np.arange(5) * 0.008993
    return network_from_edges(np.zeros(5), lat, [0, 1, 2, 3], [1, 2, 3, 4],
                              speed_kmh=[30, 60, 90, 120], capacity_vph=1000, road_class=2,
                              length_m=1000.0)


@pytest.fixture
def situation(net: RoadNetwork) -> Situation:
    """Edge 1: 0.5 km low + 0.5 km high risk, clips RU by 0.1 km; edge 2: 1 km medium, mostly
    in RU; edge 3: closed."""
    exposure = np.array([[0, 0, 0], [0.5, 0, 0.5], [0, 1.0, 0], [0, 0, 0]])
    territory_km = np.array([[1.0, 0], [0.9, 0.1], [0.2, 0.8], [0, 1.0]])
    return Situation(network=net, territories=("UA", "RU"),
                     edge_territory=np.array([0, 0, 1, 1], dtype=np.int16),
                     territory_km=territory_km, exposure_km=exposure,
                     closed=np.array([False, False, False, True]),
                     border_crossing=np.array([False, False, True, False]))


def test_fastest_is_travel_time_capped_by_the_convoy(net: RoadNetwork,
                                                     situation: Situation) -> None:
    np.testing.assert_allclose(edge_weights(net, None), [120, 60, 40, 30])
    capped = edge_weights(net, situation, mode="fastest", convoy_speed_kmh=60, avoid_closed=False)
    np.testing.assert_allclose(capped, [120, 60, 60, 60])


def test_balanced_prices_risk_weighted_exposure(net: RoadNetwork, situation: Situation) -> None:
    w = edge_weights(net, situation, mode=Mode.BALANCED)
    p = DEFAULT_EXPOSURE_PENALTY_S_PER_KM
    np.testing.assert_allclose(w, [120, 60 + p * (0.5 * 1 + 0.5 * 10), 40 + p * 3, np.inf])
    custom = edge_weights(net, situation, mode="balanced", exposure_penalty_s_per_km=100,
                          risk_factors={"high": 2})
    np.testing.assert_allclose(custom[:3], [120, 60 + 100 * 0.5 * 2, 40])


def test_safest_is_exposure_first_time_second(net: RoadNetwork, situation: Situation) -> None:
    w = edge_weights(net, situation, mode=Mode.SAFEST, avoid_closed=False)
    np.testing.assert_allclose(w, [120, 60 + SAFEST_S_PER_KM * 5.5, 40 + SAFEST_S_PER_KM * 3, 30])
    assert w[2] < w[1]  # 1 km medium (3) is safer than 0.5 km low + 0.5 km high (5.5)


def test_exclusions_touching_a_territory_or_closed(net: RoadNetwork,
                                                  situation: Situation) -> None:
    w = edge_weights(net, situation, exclude_territories=["RU"])
    assert np.isinf(w).tolist() == [False, True, True, True]
    w = edge_weights(net, situation, exclude_territories=["UA"], avoid_closed=False)
    assert np.isinf(w).tolist() == [True, True, True, False]
    open_roads = edge_weights(net, situation, avoid_closed=False)
    assert np.isfinite(open_roads).all()


def test_unknown_names_are_rejected(net: RoadNetwork, situation: Situation) -> None:
    with pytest.raises(RoutingError, match="unknown territory 'BY'; the situation knows UA, RU"):
        edge_weights(net, situation, exclude_territories=["BY"])
    with pytest.raises(RoutingError, match="unknown routing mode 'quickest'"):
        edge_weights(net, situation, mode="quickest")
    with pytest.raises(RoutingError, match="unknown risk level"):
        edge_weights(net, situation, mode="balanced", risk_factors={"extreme": 50})
    with pytest.raises(RoutingError, match="given a situation"):
        edge_weights(net, None, exclude_territories=["RU"])
    with pytest.raises(RoutingError, match="convoy speed must be positive"):
        edge_weights(net, None, convoy_speed_kmh=0)


def test_excluding_every_edge_names_what_was_excluded(net: RoadNetwork,
                                                      situation: Situation) -> None:
    with pytest.raises(RoutingError, match="closed roads and territories UA, RU are excluded"):
        edge_weights(net, situation, exclude_territories=["UA", "RU"])
    assert describe_exclusions((), avoid_closed=False) == "nothing"
