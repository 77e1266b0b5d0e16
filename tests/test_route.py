"""``corridor route``: ad-hoc routes judged as proposals are, on the 2022 scenario and Andorra.

The outputs are read back with libraries other than the ones that wrote them where there is a
choice: GPX with ``gpxpy``'s parser, KML (written as plain XML) and GeoPackage through GDAL.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import gpxpy
import numpy as np
import pyogrio
import pytest
import shapely
from pyogrio.raw import read as ogr_read

from corridor.errors import CorridorError, RoutingError, ScenarioError
from corridor.negotiation.adhoc import (
    AvoidArea,
    RouteQuery,
    adhoc_json,
    parse_place,
    route_adhoc,
)
from corridor.negotiation.search import evaluate_proposal
from corridor.routing.weights import Mode
from corridor.scenario import load_scenario
from corridor.situation import edges_touching
from corridor.world import World, build_world
from tests.conftest import REPO_ROOT, SCENARIO_DIR

SEED = SCENARIO_DIR / "ukraine-2022-03-07.yaml"
ANDORRA = REPO_ROOT / "examples" / "andorra" / "scenario.yaml"


@pytest.fixture(scope="module")
def seed() -> World:
    return build_world(load_scenario(SEED))


@pytest.fixture(scope="module")
def andorra() -> World:
    return build_world(load_scenario(ANDORRA))


def _corridor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "corridor", *args], capture_output=True,
                          text=True, check=False, timeout=600)


def test_a_route_through_a_proposals_places_reads_and_is_judged_as_the_proposal(
        seed: World) -> None:
    spec = next(p for p in seed.scenario.proposals if p.id == "ru-6")
    proposal = evaluate_proposal(seed, spec, seed.scenario.proposals.index(spec)).corridor
    assert proposal is not None
    result = route_adhoc(seed, RouteQuery(spec.origin, spec.destination, tuple(spec.waypoints),
                                          window=spec.windows[0]))
    route = adhoc_json(seed, result)["route"]
    assert {k: route[k] for k in proposal.route_dict()} == proposal.route_dict()
    assert route["verdicts"] == {p: v.to_dict() for p, v in proposal.verdicts.items()}
    assert route["checkpoints"][0]["name"] == "Romny checkpoint"


def test_cli_json_and_every_file_read_back_by_other_libraries(tmp_path: Path) -> None:
    out = {ext: tmp_path / f"route.{ext}" for ext in ("geojson", "gpx", "kml", "gpkg")}
    run = _corridor("route", str(SEED), "--from", "Sumy", "--to", "Poltava", "--via", "Romny",
                    "--mode", "safest", "--json", *(x for ext, path in out.items()
                                                    for x in (f"--{ext}", str(path))))
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    route = data["route"]
    assert {"km", "hours", "exposure_km", "settlements", "verdicts"} <= set(route)
    assert set(route["verdicts"]) == {p.id for p in load_scenario(SEED).parties}
    assert [p["role"] for p in data["places"]] == ["origin", "via", "destination"]
    line = route["line"]["coordinates"]

    gpx = gpxpy.parse(out["gpx"].read_text(encoding="utf-8"))
    # The checkpoint stands in Romny, where the via is: between the ends, in either order.
    points = [(p.name, p.type) for p in gpx.routes[0].points]
    assert points[0] == ("Sumy", "origin") and points[-1] == ("Poltava", "destination")
    assert sorted(points[1:-1]) == [("Romny", "via"), ("Romny checkpoint", "checkpoint")]
    track = [(p.longitude, p.latitude) for p in gpx.tracks[0].segments[0].points]
    assert np.allclose(track, line, atol=1e-5)
    assert len(gpx.tracks) == len(gpx.routes) == 1

    geo = json.loads(out["geojson"].read_text(encoding="utf-8"))
    assert geo["features"][0]["geometry"]["coordinates"] == line

    kml = pyogrio.list_layers(out["kml"])[:, 0].tolist()
    assert kml == ["routes", "areas", "places"]
    geometry, fields = _layer(out["kml"], "routes")
    assert np.allclose(shapely.get_coordinates(geometry[0]), line, atol=1e-5)
    assert fields["status"] == ["accepted" if route["acceptable_to_all"] else "rejected"]

    assert pyogrio.list_layers(out["gpkg"])[:, 0].tolist() == ["routes", "areas", "places"]
    info = pyogrio.read_info(out["gpkg"], layer="areas")
    assert info["crs"] == "EPSG:4326" and info["features"] > 0
    geometry, fields = _layer(out["gpkg"], "routes")
    assert fields["km"] == [pytest.approx(route["km"])]
    assert fields["name"] == ["Sumy - Romny - Poltava"]
    assert np.allclose(shapely.get_coordinates(geometry[0]), line, atol=1e-6)


def _layer(path: Path, layer: str) -> tuple[list[Any], dict[str, list[Any]]]:
    """A layer read through GDAL: its geometries and its columns by name."""
    meta, _, wkb, columns = ogr_read(path, layer=layer)
    return (list(shapely.from_wkb(wkb)),
            {name: list(values) for name, values in zip(meta["fields"], columns, strict=True)})


def test_coordinates_off_the_road_say_where_they_were_snapped_and_how_far(
        andorra: World) -> None:
    point = parse_place("1.5000, 42.4700")
    assert point == (1.5, 42.47)
    result = route_adhoc(andorra, RouteQuery(point, "Ordino"))
    origin = adhoc_json(andorra, result)["places"][0]
    node = result.places[0].node
    assert origin["snapped_to"] == [round(float(andorra.network.node_lon[node]), 5),
                                    round(float(andorra.network.node_lat[node]), 5)]
    assert 0.05 <= origin["snap_km"] < 1
    assert f"({origin['snap_km']:.1f} km away)" in origin["note"]
    assert "routed via 42.4" in origin["note"]


def test_an_avoided_area_is_not_touched_and_changes_the_route(andorra: World) -> None:
    plain = route_adhoc(andorra, RouteQuery("Encamp", "Ordino")).routes[0]
    used = plain.path.edges
    # A box around the middle of the plain route's line: it must be driven around.
    mid = plain.summary.geometry[len(plain.summary.geometry) // 2]
    area = shapely.box(mid[0] - 0.003, mid[1] - 0.003, mid[0] + 0.003, mid[1] + 0.003)
    avoided = route_adhoc(andorra, RouteQuery("Encamp", "Ordino",
                                              avoid=AvoidArea("box.geojson", area))).routes[0]
    inside = edges_touching(andorra.network, area)
    assert np.isin(used, inside).any()
    assert not np.isin(avoided.path.edges, inside).any()
    assert avoided.summary.km > plain.summary.km
    assert avoided.mode == "fastest, avoiding box.geojson"


def test_an_excluded_territory_is_left_out_and_an_unknown_one_is_named(andorra: World) -> None:
    plain = route_adhoc(andorra, RouteQuery("Encamp", "Ordino")).routes[0]
    around = route_adhoc(andorra, RouteQuery("Encamp", "Ordino", exclude=("lowland",))).routes[0]
    assert "lowland" in [t.label for t in plain.summary.territories]
    assert "lowland" not in [t.label for t in around.summary.territories]
    assert around.mode == "fastest, avoiding lowland"
    with pytest.raises(RoutingError) as info:
        route_adhoc(andorra, RouteQuery("Encamp", "Ordino", exclude=("nowhere",), prefix="--"))
    assert info.value.field == "--exclude[0]" and "lowland" in info.value.message


def test_alternatives_are_distinct_routes_each_judged(andorra: World) -> None:
    result = route_adhoc(andorra, RouteQuery("Encamp", "Sant Julià de Lòria",
                                             mode=Mode.BALANCED, alternatives=2))
    assert len(result.routes) >= 2
    assert len({r.path.edges.tobytes() for r in result.routes}) == len(result.routes)
    data = adhoc_json(andorra, result)
    assert len(data["alternatives"]) == len(result.routes) - 1
    assert all(set(a["verdicts"]) == set(data["route"]["verdicts"]) for a in data["alternatives"])


@pytest.mark.parametrize(("query", "field", "says"), [
    ({"destination": "Atlantis"}, "--to", "Atlantis"),
    ({"destination": (1.5, 95.0)}, "--to", "latitude"),
    ({"via": ("Atlantis",)}, "--via[0]", "Atlantis"),
    ({"window": "never"}, "--window", "sat-day"),
    ({"alternatives": 9}, "--alternatives", "0 to 5"),
    ({"via": ("Canillo",), "alternatives": 1}, "--alternatives", "between two places"),
])
def test_bad_input_names_the_field(andorra: World, query: dict[str, Any], field: str,
                                   says: str) -> None:
    with pytest.raises(CorridorError) as info:
        route_adhoc(andorra, RouteQuery(**{"origin": "Encamp", "destination": "Ordino",
                                           "prefix": "--", **query}))
    assert info.value.field == field and says in info.value.message


def test_a_point_far_from_every_road_is_refused_with_its_distance(andorra: World) -> None:
    with pytest.raises(ScenarioError) as info:
        route_adhoc(andorra, RouteQuery((2.2, 42.47), "Ordino", prefix="--"))
    assert info.value.field == "--from" and "38.9 km from the nearest road" in info.value.message


def _small_files() -> None:
    """In the child: no file may grow past 64 KiB, so a GeoPackage cannot be finished."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))


def test_a_failed_write_leaves_no_file_behind(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    # The network and router caches are built first, so it is the outputs that hit the limit.
    assert _corridor("route", str(ANDORRA), "--from", "Encamp", "--to", "Ordino").returncode == 0
    run = subprocess.run([sys.executable, "-m", "corridor", "route", str(ANDORRA), "--from",
                          "Encamp", "--to", "Ordino", "--gpx", str(out / "r.gpx"), "--gpkg",
                          str(out / "r.gpkg")], capture_output=True, text=True, check=False,
                         timeout=600, preexec_fn=_small_files)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr and str(out / "r.gpkg") in run.stderr
    written = sorted(p.name for p in out.iterdir())
    assert written in ([], ["r.gpx"]), written  # the GPX is small and whole, or not there
    if written:
        assert gpxpy.parse((out / "r.gpx").read_text(encoding="utf-8")).routes


def test_negotiate_writes_every_route_to_gpx_kml_and_gpkg(tmp_path: Path) -> None:
    out = {ext: tmp_path / f"n.{ext}" for ext in ("geojson", "gpx", "kml", "gpkg")}
    run = _corridor("negotiate", str(ANDORRA), *(x for ext, path in out.items()
                                                 for x in (f"--{ext}", str(path))))
    assert run.returncode == 0, run.stderr
    geo = json.loads(out["geojson"].read_text(encoding="utf-8"))
    routes = [f for f in geo["features"] if f["properties"]["layer"] == "routes"]
    gpx = gpxpy.parse(out["gpx"].read_text(encoding="utf-8"))
    assert [t.name for t in gpx.tracks] == [f["id"] for f in routes]
    assert all(r.points[0].type == "origin" and r.points[-1].type == "destination"
               for r in gpx.routes)
    for path in (out["kml"], out["gpkg"]):
        geometry, fields = _layer(path, "routes")
        assert fields["name" if path.suffix == ".gpkg" else "Name"] == [f["id"] for f in routes]
        assert fields["status"] == ["accepted" if f["properties"]["acceptable_to_all"]
                                    else "rejected" for f in routes]
        assert [len(shapely.get_coordinates(g)) for g in geometry] == [
            len(f["geometry"]["coordinates"]) for f in routes]


FROM_FILES = REPO_ROOT / "examples" / "andorra" / "from-files.yaml"
HAZARDS_KML = REPO_ROOT / "examples" / "andorra" / "layers" / "hazards.kml"


def test_an_area_to_avoid_is_read_from_any_gis_file(tmp_path: Path) -> None:
    def high(*extra: str) -> tuple[float, dict[str, Any]]:
        run = _corridor("route", str(ANDORRA), "--from", "Ordino", "--to", "Canillo", "--json",
                        *extra)
        assert run.returncode == 0, run.stderr
        data = json.loads(run.stdout)
        return data["route"]["exposure_km_by_risk"]["high"], data

    before, _ = high()
    after, data = high("--avoid", str(HAZARDS_KML))
    assert before > 0 and after == 0  # the KML's zones are the scenario's high-risk ones
    assert data["avoid"] == "hazards.kml"
    assert data["route"]["mode"] == "fastest, avoiding hazards.kml"


def test_a_real_extracts_areas_keep_their_holes_in_kml_and_gpkg(tmp_path: Path) -> None:
    world = build_world(load_scenario(FROM_FILES))
    out = {ext: tmp_path / f"r.{ext}" for ext in ("kml", "gpkg")}
    run = _corridor("route", str(FROM_FILES), "--from", "Encamp", "--to", "Ordino",
                    "--kml", str(out["kml"]), "--gpkg", str(out["gpkg"]))
    assert run.returncode == 0, run.stderr
    for path in out.values():
        geometry, fields = _layer(path, "areas")
        control = {label: g for label, g, kind in zip(
            fields["Name" if path.suffix == ".kml" else "name"], geometry, fields["kind"],
            strict=True) if kind == "control"}
        assert set(control) == set(world.control.areas)
        for label, area in world.control.areas.items():
            assert _holes(control[label]) == _holes(area), (path.suffix, label)
            assert shapely.symmetric_difference(control[label], area).area < 1e-9 * area.area
        assert _holes(control["lowland"]) == 1
        hazards = [k for k in fields["kind"] if k == "hazard"]
        assert len(hazards) == len(world.hazards)


def _holes(geometry: Any) -> int:
    return sum(len(p.interiors) for p in shapely.get_parts(geometry))
