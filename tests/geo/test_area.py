import math
from decimal import Decimal

import numpy as np
import pytest
import shapely

from geo.area import ANHUI_SERVICE_AREA, ServiceArea, check_point, parse_service_area
from geo.divisions import divisions_in
from geo.errors import CoordinateError, GeoError, OutsideServiceArea

AREA = ServiceArea(min_lon=114.0, min_lat=29.0, max_lon=120.0, max_lat=35.0)


def test_anhui_area_holds_every_anhui_prefecture_seat():
    seats = [(d.lon, d.lat) for d in divisions_in("340000")]
    assert len(seats) == 16
    assert all(ANHUI_SERVICE_AREA.contains(lon, lat) for lon, lat in seats)


def _km_outside_anhui(lon: float, lat: float) -> float:
    from geo.boundaries import _apply, _metric_transformers, boundary

    province = boundary("340000").geometry
    forward, _ = _metric_transformers(province)
    return _apply(forward, province).distance(_apply(forward, shapely.Point(lon, lat))) / 1000


def test_anhui_area_is_the_real_outline_not_a_rectangle():
    # Anhui's extent: about 114.88-119.65 E, 29.40-34.65 N; the area's box is that plus ~20 km.
    assert ANHUI_SERVICE_AREA.min_lon == pytest.approx(114.88 - 0.21, abs=0.05)
    assert ANHUI_SERVICE_AREA.max_lon == pytest.approx(119.65 + 0.21, abs=0.05)
    assert ANHUI_SERVICE_AREA.min_lat == pytest.approx(29.40 - 0.18, abs=0.05)
    assert ANHUI_SERVICE_AREA.max_lat == pytest.approx(34.65 + 0.18, abs=0.05)
    # A corner of the old rectangle (Zhejiang, ~150 km from Anhui) is no longer in.
    assert _km_outside_anhui(120.0, 29.0) > 100
    assert not ANHUI_SERVICE_AREA.contains(120.0, 29.0)


@pytest.mark.parametrize(("lon", "lat"), [(118.64, 32.10), (119.75, 31.15)])  # Nanjing Pukou; Changxing
def test_a_point_just_across_the_border_is_accepted(lon, lat):
    assert 5 < _km_outside_anhui(lon, lat) < 18
    assert check_point(lon, lat, area=ANHUI_SERVICE_AREA) == (lon, lat)


@pytest.mark.parametrize(("lon", "lat"), [(116.0, 35.6), (120.0, 29.0)])  # Shandong; Zhejiang
def test_a_point_100_km_out_is_refused_with_the_same_error(lon, lat):
    assert _km_outside_anhui(lon, lat) > 100
    with pytest.raises(OutsideServiceArea, match="is outside the service area") as info:
        check_point(lon, lat, area=ANHUI_SERVICE_AREA)
    assert "Anhui province (340000) and 20 km around it" in str(info.value)
    assert info.value.field == "lon/lat"


def test_swapped_coordinates_are_still_recognised_against_the_outline():
    with pytest.raises(CoordinateError, match="latitude and longitude look swapped"):
        check_point(31.82, 117.23, area=ANHUI_SERVICE_AREA)


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(116.40, 39.90), (121.47, 31.23), (113.26, 23.13)],  # Beijing, Shanghai, Guangzhou
)
def test_anhui_area_excludes_faraway_cities(lon, lat):
    assert not ANHUI_SERVICE_AREA.contains(lon, lat)


def test_contains_includes_the_edges():
    assert AREA.contains(114.0, 29.0)
    assert AREA.contains(120.0, 35.0)
    assert not AREA.contains(120.0001, 35.0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("114.38,28.9,120.15,35.15", ServiceArea(114.38, 28.9, 120.15, 35.15)),
        (" 100 , 20 , 110 , 30 ", ServiceArea(100.0, 20.0, 110.0, 30.0)),
        ("-10,-5,10,5", ServiceArea(-10.0, -5.0, 10.0, 5.0)),
    ],
)
def test_parse_service_area(text, expected):
    assert parse_service_area(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "114,29,120", "114,29,120,35,1", "a,b,c,d", "114;29;120;35", "120,29,114,35", "114,35,120,29",
     "114,29,190,35", "114,nan,120,35"],
)
def test_parse_service_area_refuses_bad_text(text):
    with pytest.raises(GeoError, match="SERVICE_AREA") as info:
        parse_service_area(text)
    assert info.value.field == "SERVICE_AREA"


def test_parse_service_area_message_gives_the_expected_format():
    with pytest.raises(GeoError, match=r"'minlon,minlat,maxlon,maxlat'"):
        parse_service_area("Anhui")


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        (117.2, 31.8, (117.2, 31.8)),
        ("117.2", "31.8", (117.2, 31.8)),
        (" 117.2 ", "31.8°", (117.2, 31.8)),
        (117, 31, (117.0, 31.0)),
        (np.float64(117.2), np.int64(31), (117.2, 31.0)),
        (Decimal("117.25"), Decimal("31.5"), (117.25, 31.5)),
    ],
)
def test_check_point_parses_numbers_and_strings(lon, lat, expected):
    result = check_point(lon, lat, area=AREA)
    assert result == expected
    assert all(type(value) is float for value in result)


@pytest.mark.parametrize(
    ("lon", "lat", "message"),
    [
        ("abc", 31.0, "lon/lat: longitude 'abc' is not a number"),
        (117.0, "", "lon/lat: latitude '' is not a number"),
        (None, 31.0, "lon/lat: longitude None is not a number"),
        (117.0, [31.0], r"lon/lat: latitude \[31.0\] is not a number"),
        (True, 31.0, "lon/lat: longitude True is not a number"),
        (math.nan, 31.0, "lon/lat: longitude nan is not a finite number"),
        (117.0, "inf", "lon/lat: latitude 'inf' is not a finite number"),
        (117.0, 95.0, r"lon/lat: latitude 95 is out of range \(-90 to 90\)"),
        (-200.0, 31.0, r"lon/lat: longitude -200 is out of range \(-180 to 180\)"),
    ],
)
def test_check_point_refuses_non_coordinates(lon, lat, message):
    with pytest.raises(CoordinateError, match=message) as info:
        check_point(lon, lat, area=AREA)
    assert info.value.field == "lon/lat"
    assert not isinstance(info.value, OutsideServiceArea)


@pytest.mark.parametrize(("lon", "lat"), [(31.8, 117.2), ("31.8", "117.2"), (34.0, 119.5)])
def test_check_point_detects_swapped_latitude_and_longitude(lon, lat):
    with pytest.raises(CoordinateError, match="latitude and longitude look swapped") as info:
        check_point(lon, lat, area=AREA)
    assert not isinstance(info.value, OutsideServiceArea)
    assert f"lon={float(lon):g}, lat={float(lat):g}" in str(info.value)
    assert f"did you mean lon={float(lat):g}, lat={float(lon):g}" in str(info.value)


def test_check_point_outside_the_area_gives_the_bounds():
    with pytest.raises(OutsideServiceArea, match=r"point \(lon=116.4, lat=39.9\) is outside the service area") as info:
        check_point(116.4, 39.9, area=AREA)
    assert "lon 114 to 120, lat 29 to 35" in str(info.value)
    assert isinstance(info.value, CoordinateError)


def test_check_point_names_the_given_field():
    with pytest.raises(OutsideServiceArea, match="^sites row 3 lon/lat: ") as info:
        check_point(0.0, 0.0, area=AREA, field="sites row 3 lon/lat")
    assert info.value.field == "sites row 3 lon/lat"


@pytest.mark.parametrize(("lon", "lat"), [
    ("117°12′36″E", "31°49′12″N"), ("东经117.21", "北纬31.82"), ("117度12分36秒", "31度49分12秒"), ("117.21°", "31.82 N"),
])
def test_degrees_as_written_on_maps_and_in_reports(lon, lat):
    box = ServiceArea(114.38, 28.90, 120.15, 35.15)
    assert check_point(lon, lat, area=box) == pytest.approx((117.21, 31.82))


@pytest.mark.parametrize("text", ["117°75′", "117 12 30", "E", "117.5°12′"])
def test_a_written_angle_that_is_none_is_named(text):
    with pytest.raises(CoordinateError, match="is not a number"):
        check_point(text, 31.8, area=ServiceArea(114.38, 28.90, 120.15, 35.15))
