"""Route summaries on a hand-made east-west road whose every figure is known in advance."""

from __future__ import annotations

import json

import numpy as np
import pytest

from corridor.geodesy import haversine_m
from corridor.network.build import network_from_edges
from corridor.network.graph import RoadNetwork
from corridor.routing import Path, Router, Settlements, summarize
from corridor.situation import Situation

LAT = 50.0
STEP = 0.014  # degrees of longitude, about 1 km at 50 deg N
LON = 30.0 + STEP * np.arange(7)
NAMES = ("M-03", "H-12", "P-01")
#: Eastbound edges 0..5 (node i to i + 1): label, speed. Westbound copies follow as 6..11.
ROADS = [(0, 90), (0, 90), (1, 60), (-1, 30), (0, 90), (2, 50)]
KM_PER_EDGE = float(haversine_m(LON[0], LAT, LON[1], LAT)) / 1000.0


@pytest.fixture
def net() -> RoadNetwork:
    tail = [*range(6), *range(1, 7)]
    head = [*range(1, 7), *range(6)]
    label = [r[0] for r in ROADS] * 2
    speed = [r[1] for r in ROADS] * 2
    return network_from_edges(LON, np.full(7, LAT), tail, head, speed_kmh=speed,
                              capacity_vph=1000, road_class=2, name_idx=label, names=NAMES)


@pytest.fixture
def situation(net: RoadNetwork) -> Situation:
    """UA, UA, border UA/contested (0.3 km UA), contested, outside, border outside/RU (0.6 RU)."""
    k = KM_PER_EDGE
    share: dict[int, list[float]] = {0: [k, 0, 0], 1: [k, 0, 0], 2: [0.3, 0, k - 0.3],
                                     3: [0, 0, k], 4: [0, 0, 0], 5: [0, 0.6, 0]}
    labels = {0: 0, 1: 0, 2: 2, 3: 2, 4: -1, 5: 1}
    exposure: dict[int, list[float]] = {1: [0.5, 0, 0], 3: [0, 0, 0.2]}
    edge_of = _eastbound_edge(net)
    territory_km = np.zeros((net.n_edges, 3))
    exposure_km = np.zeros((net.n_edges, 3))
    edge_territory = np.full(net.n_edges, -1, dtype=np.int16)
    for i, e in enumerate(edge_of):
        territory_km[e] = share[i]
        edge_territory[e] = labels[i]
        exposure_km[e] = exposure.get(i, [0, 0, 0])
    crossing = np.zeros(net.n_edges, dtype=bool)
    crossing[edge_of[[2, 5]]] = True
    return Situation(network=net, territories=("UA", "RU", "contested"),
                     edge_territory=edge_territory, territory_km=territory_km,
                     exposure_km=exposure_km, closed=np.zeros(net.n_edges, dtype=bool),
                     border_crossing=crossing)


def _eastbound_edge(net: RoadNetwork) -> np.ndarray:
    """Edge id of the eastbound edge leaving node i, for i = 0..5."""
    return np.array([np.flatnonzero((net.tail == i) & (net.head == i + 1))[0] for i in range(6)])


@pytest.fixture
def path(net: RoadNetwork) -> Path:
    router = Router(net)
    router.customize("fastest", net.travel_time_s)
    found = router.path(0, 6, "fastest")
    assert found is not None
    return found


def test_lengths_time_exposure_and_roads(net: RoadNetwork, situation: Situation,
                                         path: Path) -> None:
    summary = summarize(net, path, situation, convoy_speed_kmh=50)
    assert summary.km == pytest.approx(net.length_m[path.edges].sum() / 1000)
    assert summary.km == pytest.approx(6 * KM_PER_EDGE)
    speeds = [min(s, 50) for _, s in ROADS]
    assert summary.hours == pytest.approx(sum(KM_PER_EDGE / s for s in speeds))
    assert summary.exposure_km == pytest.approx({"low": 0.5, "medium": 0.0, "high": 0.2,
                                                 "total": 0.7})
    assert summary.roads == ["M-03", "H-12", "P-01"]
    np.testing.assert_allclose(summary.geometry, np.column_stack([LON, np.full(7, LAT)]))


def test_territory_runs_and_border_crossings(net: RoadNetwork, situation: Situation,
                                             path: Path) -> None:
    summary = summarize(net, path, situation)
    assert [r.label for r in summary.territories] == ["UA", "contested", None, "RU"]
    assert [r.km for r in summary.territories] == pytest.approx(
        np.array([2, 2, 1, 1]) * KM_PER_EDGE)
    assert sum(r.km for r in summary.territories) == pytest.approx(summary.km)
    crossings = [(c.from_label, c.to_label) for c in summary.border_crossings]
    assert crossings == [("UA", "contested"), ("contested", None), (None, "RU")]
    ua_contested, contested_none, none_ru = summary.border_crossings
    assert ua_contested.lon == pytest.approx(LON[2] + STEP * 0.3 / KM_PER_EDGE)
    assert contested_none.lon == pytest.approx(LON[4])  # no crossing edge: at the shared node
    assert none_ru.lon == pytest.approx(LON[5] + STEP * (KM_PER_EDGE - 0.6) / KM_PER_EDGE)
    assert [c.lat for c in summary.border_crossings] == pytest.approx([LAT] * 3)


def test_settlements_within_radius_in_route_order(net: RoadNetwork, situation: Situation,
                                                  path: Path) -> None:
    deg_km = 1 / 111.195  # degrees of latitude per km
    east_km = STEP / KM_PER_EDGE  # degrees of longitude per km here
    towns = Settlements(
        names=["Far", "B", "C", "A", "D"],
        lon=[LON[3], LON[5], LON[6] + 2.5 * east_km, LON[1], LON[3]],
        lat=[LAT + 11 * deg_km, LAT + 1 * deg_km, LAT, LAT - 2 * deg_km, LAT + 3.5 * deg_km],
    )
    passed = summarize(net, path, situation, settlements=towns).settlements
    assert [s.name for s in passed] == ["A", "B", "C"]
    assert [s.km for s in passed] == pytest.approx([KM_PER_EDGE, 5 * KM_PER_EDGE,
                                                    6 * KM_PER_EDGE], rel=0.01)
    assert [s.offset_km for s in passed] == pytest.approx([2.0, 1.0, 2.5], rel=0.01)
    wider = summarize(net, path, situation, settlements=towns, radius_km=4).settlements
    assert [s.name for s in wider] == ["A", "D", "B", "C"]


def test_to_dict_is_plain_json(net: RoadNetwork, situation: Situation, path: Path) -> None:
    towns = Settlements(["A"], [LON[1]], [LAT])
    data = json.loads(json.dumps(summarize(net, path, situation, settlements=towns).to_dict()))
    assert set(data) == {"km", "hours", "exposure_km", "held_exposure", "settlements",
                         "territories", "border_crossings", "roads", "geometry"}
    assert data["territories"][0] == {"label": "UA", "km": round(2 * KM_PER_EDGE, 3)}
    assert data["border_crossings"][1]["from"] == "contested"
    assert data["settlements"][0]["name"] == "A"
    assert len(data["geometry"]) == 7


def test_without_situation_and_on_the_spot(net: RoadNetwork, path: Path) -> None:
    bare = summarize(net, path, None)
    assert bare.territories == [] and bare.border_crossings == []
    assert bare.exposure_km["total"] == 0.0
    still = summarize(net, Path(np.array([3]), np.zeros(0, dtype=np.int64), 0.0, "fastest"),
                      None, settlements=Settlements(["Here"], [LON[3]], [LAT]))
    assert still.km == 0.0 and still.geometry == [(LON[3], LAT)]
    assert [s.name for s in still.settlements] == ["Here"]
