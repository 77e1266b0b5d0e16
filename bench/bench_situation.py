"""Time the situation layer on a synthetic country-scale network.

A square grid of two-way roads over Ukraine's bounding box (``--side`` nodes a side; 500 gives
about one million directed edges, three points each) is annotated with the committed borders and
2022 control CSV, a front-line band and the contested areas as hazards, and a few closures.

    python bench/bench_situation.py --side 500
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from corridor.borders import load_countries
from corridor.geodesy import polyline_lengths_m
from corridor.network.graph import RoadNetwork
from corridor.situation import (
    Closures,
    ControlMap,
    HeldTerritory,
    PointClosure,
    annotate,
    contested_zone,
    front_line_zone,
    read_settlements,
)

DATA = Path(__file__).resolve().parent.parent / "data"
PARTIES = {"ru": "RU", "ua": "UA", "contested": "contested"}


def grid_network(side: int, bbox: tuple[float, float, float, float]) -> RoadNetwork:
    """A ``side`` x ``side`` grid, every road both ways, each edge with a midpoint vertex."""
    lon = np.linspace(bbox[0], bbox[2], side)
    lat = np.linspace(bbox[1], bbox[3], side)
    node_lon, node_lat = (a.ravel() for a in np.meshgrid(lon, lat))
    ids = np.arange(side * side).reshape(side, side)
    pairs = np.concatenate([
        np.column_stack([ids[:, :-1].ravel(), ids[:, 1:].ravel()]),
        np.column_stack([ids[:-1, :].ravel(), ids[1:, :].ravel()]),
    ])
    way = np.arange(len(pairs))
    tail = np.concatenate([pairs[:, 0], pairs[:, 1]])
    head = np.concatenate([pairs[:, 1], pairs[:, 0]])
    way_id = np.concatenate([way, way])
    order = np.argsort(tail, kind="stable")
    tail, head, way_id = tail[order], head[order], way_id[order]
    xs = np.column_stack([node_lon[tail], (node_lon[tail] + node_lon[head]) / 2, node_lon[head]])
    ys = np.column_stack([node_lat[tail], (node_lat[tail] + node_lat[head]) / 2, node_lat[head]])
    n = len(tail)
    offsets = np.arange(0, 3 * n + 1, 3)
    return RoadNetwork(
        node_lon=node_lon, node_lat=node_lat, node_osm_id=np.arange(len(node_lon)),
        tail=tail.astype(np.int32), head=head.astype(np.int32),
        length_m=polyline_lengths_m(offsets, xs.ravel(), ys.ravel()), speed_kmh=np.full(n, 80.0),
        capacity_vph=np.full(n, 1000.0), road_class=np.full(n, 3, dtype=np.int8),
        way_id=way_id.astype(np.int64), name_idx=np.full(n, -1, dtype=np.int32),
        geom_offsets=offsets, geom_lon=xs.ravel(), geom_lat=ys.ravel())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--side", type=int, default=500, help="grid nodes per side")
    args = parser.parse_args()

    countries = load_countries(DATA / "borders" / "countries.geojson")
    settlements = read_settlements(DATA / "ukraine-2022" / "control-2022-03-07.csv")
    t0 = time.perf_counter()
    control = ControlMap.from_countries(countries, exclude=("UA",)).overlaid_by(
        ControlMap.from_settlements(settlements, status_labels=PARTIES, base=countries["UA"],
                                    default_label="UA"))
    line = control.front_line([("UA", "RU"), ("UA", "contested"), ("RU", "contested")])
    hazards = [front_line_zone(line, buffer_km=15.0), contested_zone(control)]
    t1 = time.perf_counter()
    print(f"control map + front line ({line.length:.0f} deg of line) + zones: {t1 - t0:.2f} s")

    network = grid_network(args.side, countries["UA"].bounds)
    t2 = time.perf_counter()
    print(f"grid network: {network.n_edges:,} edges, {len(network.geom_lon):,} points "
          f"({t2 - t1:.2f} s)")
    closures = Closures(points=(PointClosure("bridge", 30.52, 50.45, 2000.0),),
                        way_ids=frozenset({1, 2, 3}))
    situation = annotate(network, control, hazards, closures)
    t3 = time.perf_counter()
    print(f"annotate (first, includes projecting and indexing edges): {t3 - t2:.2f} s")
    situation.with_hazards(hazards[:1])
    t4 = time.perf_counter()
    print(f"with_hazards (re-annotation): {t4 - t3:.2f} s")
    holders = {"UA": "UA", "RU": "RU"}
    t5 = time.perf_counter()
    held = {side: HeldTerritory.seen_from(side, holders, "medium").edge_km(situation)
            for side in holders}
    t6 = time.perf_counter()
    print(f"km through the other side's ground, per edge, for both holders: {t6 - t5:.3f} s "
          f"({', '.join(f'from {s}: {k.sum():.0f} km' for s, k in held.items())})")
    km = situation.territory_km.sum(axis=0)
    print("km per territory:", {t: round(float(k)) for t, k in zip(situation.territories, km,
                                                                    strict=True)})
    print("km exposed per risk:", situation.exposure_km.sum(axis=0).round().tolist(),
          f"closed edges: {int(situation.closed.sum())}",
          f"border crossings: {int(situation.border_crossing.sum())}")


if __name__ == "__main__":
    main()
