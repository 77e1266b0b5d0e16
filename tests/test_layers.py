"""Layer files read through GDAL: every format, holes kept, any CRS reprojected, labels mapped."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import pytest
import shapely
from pyogrio import raw

from corridor.errors import SituationError
from corridor.scenario import load_scenario
from corridor.situation import Settlement
from corridor.situation.layers import FromProperty, read_layer
from corridor.sources import read_sources

#: A square of 0.1 degree in Andorra with a square hole, and a second square: one MultiPolygon.
OUTER = [(1.50, 42.45), (1.60, 42.45), (1.60, 42.55), (1.50, 42.55), (1.50, 42.45)]
HOLE = [(1.54, 42.49), (1.54, 42.51), (1.56, 42.51), (1.56, 42.49), (1.54, 42.49)]
ISLAND = [(1.70, 42.45), (1.75, 42.45), (1.75, 42.50), (1.70, 42.50), (1.70, 42.45)]
MULTI = shapely.MultiPolygon([shapely.Polygon(OUTER, [HOLE]), shapely.Polygon(ISLAND)])
SQUARE = shapely.Polygon(ISLAND)


def _geojson(path: Path, features: list[tuple[Any, dict[str, Any]]]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props,
         "geometry": None if geom is None else shapely.geometry.mapping(geom)}
        for geom, props in features]}, ensure_ascii=False), encoding="utf-8")
    return path


def _write(path: Path, geoms: list[Any], props: dict[str, list[Any]], *, driver: str,
           crs: str | None = "EPSG:4326", layer: str | None = None, append: bool = False,
           ) -> Path:
    raw.write(path, np.array(shapely.to_wkb(geoms), dtype=object),
              [np.array(v, dtype=object) for v in props.values()], list(props),
              geometry_type=geoms[0].geom_type, crs=crs, driver=driver, layer=layer,
              append=append)
    return path


def _read(path: Path, **kw: Any) -> Any:
    return read_layer(path, kind=kw.pop("kind", "polygon"), field="control.polygons[0]", **kw)


def test_geojson_multipolygon_keeps_its_hole_and_both_parts(tmp_path: Path) -> None:
    layer = _read(_geojson(tmp_path / "c.geojson", [(MULTI, {"side": "ru"})]),
                  labels={"holder": FromProperty("side", {"ru": "RU-held"})})
    (geometry,) = layer.geometries
    assert geometry.equals(MULTI)
    assert not geometry.contains(shapely.Point(1.55, 42.50))  # inside the hole
    assert geometry.contains(shapely.Point(1.52, 42.50)) and geometry.contains(
        shapely.Point(1.72, 42.47))
    assert layer.labels["holder"] == ("RU-held",)


def test_projected_zipped_shapefile_is_reprojected_to_lonlat(tmp_path: Path) -> None:
    to_metres = pyproj.Transformer.from_crs(4326, 32631, always_xy=True)
    projected = shapely.transform(MULTI.geoms[0], lambda c: np.column_stack(
        to_metres.transform(c[:, 0], c[:, 1])))
    _write(tmp_path / "control.shp", [projected], {"side": ["ua"]}, driver="ESRI Shapefile",
           crs="EPSG:32631")
    with zipfile.ZipFile(tmp_path / "control.zip", "w") as archive:
        for part in tmp_path.glob("control.*"):
            if part.suffix != ".zip":
                archive.write(part, part.name)
    layer = _read(tmp_path / "control.zip", labels={"holder": "UA"})
    (geometry,) = layer.geometries
    assert shapely.get_num_interior_rings(geometry) == 1
    assert shapely.equals_exact(shapely.normalize(geometry), shapely.normalize(MULTI.geoms[0]),
                                tolerance=1e-9)
    assert layer.labels["holder"] == ("UA",)


def test_geopackage_layer_is_chosen_by_name(tmp_path: Path) -> None:
    path = _write(tmp_path / "map.gpkg", [SQUARE], {"name": ["a"]}, driver="GPKG",
                  layer="roads_closed")
    _write(path, [MULTI], {"name": ["b"]}, driver="GPKG", layer="control", append=True)
    layer = _read(path, layer="control", labels={"holder": FromProperty("name")})
    assert layer.labels["holder"] == ("b",) and layer.geometries[0].equals(MULTI)
    with pytest.raises(SituationError, match=r"2 layers .*control.*layer:"):
        _read(path)


def test_kml_and_kmz_name_and_risk_from_placemark_data(tmp_path: Path) -> None:
    ring = " ".join(f"{x},{y},0" for x, y in ISLAND)
    kml = ('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
           '<Document><Placemark><name>Обстріл біля мосту</name><ExtendedData>'
           '<Data name="level"><value>3</value></Data></ExtendedData><Polygon><outerBoundaryIs>'
           f'<LinearRing><coordinates>{ring}</coordinates></LinearRing></outerBoundaryIs>'
           '</Polygon></Placemark></Document></kml>')
    (tmp_path / "h.kml").write_text(kml, encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "h.kmz", "w") as archive:
        archive.writestr("doc.kml", kml)
    for name in ("h.kml", "h.kmz"):
        layer = _read(tmp_path / name, labels={"name": FromProperty("Name"),
                                               "risk": FromProperty("level", {"3": "high"})})
        assert layer.labels == {"name": ("Обстріл біля мосту",), "risk": ("high",)}
        assert layer.geometries[0].equals(SQUARE)


def test_flatgeobuf_and_csv_with_wkt(tmp_path: Path) -> None:
    fgb = _write(tmp_path / "c.fgb", [MULTI], {"side": ["x"]}, driver="FlatGeobuf")
    assert _read(fgb).geometries[0].equals(MULTI)
    (tmp_path / "c.csv").write_text(f'side,wkt\nx,"{MULTI.wkt}"\n', encoding="utf-8")
    layer = _read(tmp_path / "c.csv", labels={"holder": FromProperty("side")})
    assert layer.geometries[0].equals(MULTI) and layer.labels["holder"] == ("x",)


def test_csv_points_from_lon_lat_columns_and_multipoints_split(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text("name,lat,lon\nШлюз,42.5,1.52\nTunnel,42.55,1.6\n",
                                    encoding="utf-8")
    layer = _read(tmp_path / "p.csv", kind="point", labels={"name": FromProperty("name")})
    assert [(p.x, p.y) for p in layer.geometries] == [(1.52, 42.5), (1.6, 42.55)]
    assert layer.labels["name"] == ("Шлюз", "Tunnel")
    multi = _geojson(tmp_path / "m.geojson",
                     [(shapely.MultiPoint([(1.5, 42.5), (1.6, 42.6)]), {"n": "two"})])
    split = _read(multi, kind="point", labels={"name": FromProperty("n")})
    assert len(split) == 2 and split.labels["name"] == ("two", "two")


def test_dates_read_from_text_or_date_fields(tmp_path: Path) -> None:
    path = _geojson(tmp_path / "d.geojson", [(SQUARE, {"valid": "2022-03-07"}),
                                             (MULTI, {"valid": "2022-04-01T00:00:00"})])
    assert _read(path, date_property="valid").dates == (date(2022, 3, 7), date(2022, 4, 1))
    gpkg = _write(tmp_path / "d.gpkg", [SQUARE], {"valid": [np.datetime64("2022-05-09")]},
                  driver="GPKG")
    assert _read(gpkg, date_property="valid").dates == (date(2022, 5, 9),)


def test_repair_reports_the_area_it_changed(tmp_path: Path) -> None:
    # a bow-tie: two triangles of 0.005 square degrees each, crossing at (1.55, 42.5)
    bowtie = shapely.Polygon([(1.5, 42.45), (1.6, 42.55), (1.6, 42.45), (1.5, 42.55),
                              (1.5, 42.45)])
    path = _geojson(tmp_path / "b.geojson", [(SQUARE, {}), (bowtie, {})])
    with pytest.raises(SituationError, match=r"feature 1: invalid polygon: Self-intersection"):
        _read(path)
    layer = _read(path, repair=True)
    assert layer.geometries[1].is_valid
    assert layer.geometries[1].area == pytest.approx(0.005)
    (note,) = layer.notes
    # the signed area of a bow-tie is 0; repaired, both triangles count: about 45 km² on the ground
    assert "repaired 1 invalid polygon(s) (feature 1)" in note
    change = float(note.split("changed by ")[1].split(" km²")[0])
    assert 40 < change < 50



def test_a_dated_layer_gives_the_map_of_the_latest_date_not_after_the_day(tmp_path: Path) -> None:
    path = _geojson(tmp_path / "d.geojson", [(SQUARE, {"on": "2022-03-01", "side": "a"}),
                                             (MULTI, {"on": "2022-03-10", "side": "b"}),
                                             (SQUARE, {"on": "2022-03-10", "side": "c"})])
    layer = _read(path, date_property="on", labels={"holder": FromProperty("side")})
    assert layer.on(date(2022, 3, 5)).labels["holder"] == ("a",)
    assert layer.on(date(2022, 3, 10)).labels["holder"] == ("b", "c")
    assert layer.on(None).labels["holder"] == ("b", "c")
    assert len(layer.on(date(2022, 2, 1))) == 0


def test_settlements_from_a_point_layer_read_as_from_the_csv(tmp_path: Path) -> None:
    rows = [("Волноваха", 37.49, 47.60, "ru"), ("Вугледар", 37.25, 47.78, "contested"),
            ("Покровськ", 37.18, 48.28, "ua")]
    (tmp_path / "towns.csv").write_text("name,lat,lon,status\n" + "".join(
        f"{n},{lat},{lon},{s}\n" for n, lon, lat, s in rows), encoding="utf-8")
    _geojson(tmp_path / "towns.geojson", [(shapely.Point(lon, lat), {"name": n, "status": s})
                                          for n, lon, lat, s in rows])
    read = {}
    for source in ("towns.csv", "towns.geojson"):
        status = {"ru": "RU", "ua": "UA", "contested": "contested"}
        (tmp_path / "s.yaml").write_text(json.dumps(
            {"name": "s", "network": {"source": "x.osm.pbf"}, "parties": [{"id": "A", "name": "A"}],
             "control": {"settlements": {"source": source, "status": status}}}), encoding="utf-8")
        read[source] = read_sources(load_scenario(tmp_path / "s.yaml")).settlements
    assert read["towns.geojson"] == read["towns.csv"]
    assert read["towns.csv"] == [Settlement(n, lon, lat, s) for n, lon, lat, s in rows]
