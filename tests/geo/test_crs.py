import numpy as np
import pytest

from geo.crs import (
    SUPPORTED_INPUT_CRS,
    bd09_to_gcj02,
    gcj02_to_wgs84,
    gcj02_to_wgs84_array,
    metric_crs_for,
    normalise_crs_name,
    to_wgs84,
    wgs84_to_gcj02,
    wgs84_to_gcj02_array,
)
from geo.errors import CoordinateError

# Published WGS-84 -> GCJ-02 pairs, as (wgs_lon, wgs_lat, gcj_lon, gcj_lat):
KNOWN_PAIRS = [
    # github.com/wandergis/coordtransform, test/app.js ("wgs84togcj02: [116.41024449916938, 39.91640428150164]")
    pytest.param(116.404, 39.915, 116.41024449916938, 39.91640428150164, id="coordtransform-beijing"),
    # github.com/googollee/eviltransform, python/test.py TESTS (given there as lat, lng)
    pytest.param(121.5272106, 31.1774276, 121.531541859215, 31.17530398364597, id="eviltransform-shanghai"),
    pytest.param(113.912316, 22.543847, 113.9171764808363, 22.540796131694766, id="eviltransform-shenzhen"),
    pytest.param(116.377817, 39.911954, 116.38404722455657, 39.91334545536069, id="eviltransform-beijing"),
    # github.com/Glatzel/pyxis, python/tests/test_crypto.py (wgs84 and gcj02 constants)
    pytest.param(121.0917077, 30.6107779, 121.09626935575027, 30.608604331756705, id="pyxis"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, "WGS84"),
        ("", "WGS84"),
        ("  ", "WGS84"),
        ("WGS84", "WGS84"),
        ("wgs-84", "WGS84"),
        ("WGS 84", "WGS84"),
        ("EPSG:4326", "WGS84"),
        ("epsg:4326", "WGS84"),
        ("GCJ02", "GCJ02"),
        ("gcj-02", "GCJ02"),
        ("gcj02", "GCJ02"),
        ("GCJ_02", "GCJ02"),
        ("火星坐标", "GCJ02"),
        ("cgcs2000", "CGCS2000"),
        ("CGCS-2000", "CGCS2000"),
        ("EPSG:4490", "CGCS2000"),
        ("2000国家大地坐标系", "CGCS2000"),
    ],
)
def test_normalise_crs_name_accepts_variants(text, expected):
    assert normalise_crs_name(text) == expected
    assert expected in SUPPORTED_INPUT_CRS


@pytest.mark.parametrize("text", ["UTM50", "EPSG:3857", "wgs72", "gcj"])
def test_normalise_crs_name_refuses_unknown_and_lists_accepted(text):
    with pytest.raises(CoordinateError, match=r"crs: unknown coordinate system .*WGS84.*GCJ02.*BD09.*CGCS2000") as info:
        normalise_crs_name(text)
    assert info.value.field == "crs"


@pytest.mark.parametrize("text", ["BD-09", "bd09", "百度坐标", "百度"])
def test_baidu_coordinates_are_read(text):
    assert normalise_crs_name(text) == "BD09"


def test_a_point_picked_on_baidu_maps_lands_where_it_is():
    # Tiananmen picked on Baidu Maps (BD-09) is GCJ-02 (116.39762729, 39.90865674) (the published reference pair
    # of github.com/wandergis/coordtransform), which is about 116.3914, 39.9073 in WGS-84.
    assert bd09_to_gcj02(116.404, 39.915) == pytest.approx((116.39762729119315, 39.90865673957631), abs=1e-9)
    lon, lat = to_wgs84(116.404, 39.915, crs="BD-09")
    assert (lon, lat) == pytest.approx(gcj02_to_wgs84(116.39762729119315, 39.90865673957631), abs=1e-9)


@pytest.mark.parametrize(("wgs_lon", "wgs_lat", "gcj_lon", "gcj_lat"), KNOWN_PAIRS)
def test_wgs84_to_gcj02_matches_published_pairs(wgs_lon, wgs_lat, gcj_lon, gcj_lat):
    lon, lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
    assert lon == pytest.approx(gcj_lon, abs=1e-6)
    assert lat == pytest.approx(gcj_lat, abs=1e-6)


@pytest.mark.parametrize(("wgs_lon", "wgs_lat", "gcj_lon", "gcj_lat"), KNOWN_PAIRS)
def test_gcj02_to_wgs84_recovers_published_pairs(wgs_lon, wgs_lat, gcj_lon, gcj_lat):
    lon, lat = gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert lon == pytest.approx(wgs_lon, abs=1e-6)
    assert lat == pytest.approx(wgs_lat, abs=1e-6)


def test_inverse_is_exact_not_the_one_step_approximation():
    # coordtransform's one-step gcj02towgs84(116.404, 39.915) is published as
    # [116.39775550083061, 39.91359571849836] (test/app.js); converting that back
    # misses the input by ~2.5e-7 degrees. The iterative inverse must not.
    one_step = (116.39775550083061, 39.91359571849836)
    assert abs(wgs84_to_gcj02(*one_step)[0] - 116.404) > 1e-7

    lon, lat = gcj02_to_wgs84(116.404, 39.915)
    back_lon, back_lat = wgs84_to_gcj02(lon, lat)
    assert abs(back_lon - 116.404) < 1e-9
    assert abs(back_lat - 39.915) < 1e-9
    assert abs(lon - one_step[0]) > 1e-7


def test_round_trip_over_china_is_below_a_micro_degree():
    lons, lats = np.meshgrid(np.linspace(74.0, 134.0, 41), np.linspace(18.0, 53.0, 36))
    gcj_lon, gcj_lat = wgs84_to_gcj02_array(lons, lats)
    back_lon, back_lat = gcj02_to_wgs84_array(gcj_lon, gcj_lat)
    assert np.abs(back_lon - lons).max() < 1e-6
    assert np.abs(back_lat - lats).max() < 1e-6
    # The offset is real (hundreds of metres), so the round trip is not vacuous.
    assert np.abs(gcj_lon - lons).max() > 1e-3


@pytest.mark.parametrize(("lon", "lat"), [(2.3522, 48.8566), (-74.006, 40.7128), (151.21, -33.87)])
def test_outside_china_gcj02_equals_wgs84(lon, lat):
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)


def test_array_versions_match_scalar_versions():
    lons = np.array([116.404, 117.2272, 2.3522])
    lats = np.array([39.915, 31.8206, 48.8566])
    gcj_lon, gcj_lat = wgs84_to_gcj02_array(lons, lats)
    expected = [wgs84_to_gcj02(lon, lat) for lon, lat in zip(lons, lats, strict=True)]
    assert gcj_lon.tolist() == [pair[0] for pair in expected]
    assert gcj_lat.tolist() == [pair[1] for pair in expected]
    wgs_lon, wgs_lat = gcj02_to_wgs84_array(gcj_lon, gcj_lat)
    assert wgs_lon == pytest.approx(lons, abs=1e-9)
    assert wgs_lat == pytest.approx(lats, abs=1e-9)


def test_array_versions_refuse_mismatched_lengths():
    with pytest.raises(CoordinateError, match="2 longitudes but 1 latitudes"):
        wgs84_to_gcj02_array([117.0, 118.0], [31.0])


@pytest.mark.parametrize("crs", ["WGS84", "CGCS2000", "EPSG:4490", None])
def test_to_wgs84_leaves_wgs84_and_cgcs2000_unchanged(crs):
    assert to_wgs84(117.2272, 31.8206, crs=crs) == (117.2272, 31.8206)


def test_to_wgs84_converts_gcj02():
    lon, lat = to_wgs84(116.41024449916938, 39.91640428150164, crs="gcj-02")
    assert lon == pytest.approx(116.404, abs=1e-6)
    assert lat == pytest.approx(39.915, abs=1e-6)


def test_to_wgs84_refuses_unknown_crs():
    with pytest.raises(CoordinateError, match="crs: unknown coordinate system 'BJ54'"):
        to_wgs84(117.0, 31.0, crs="BJ54")


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        (117.23, 31.82, "EPSG:32650"),  # Hefei
        (114.88, 29.40, "EPSG:32650"),  # Anhui's western edge
        (119.65, 34.65, "EPSG:32650"),  # Anhui's eastern edge
        (87.62, 43.79, "EPSG:32645"),  # Urumqi
        (121.47, 31.23, "EPSG:32651"),  # Shanghai
        (-70.65, -33.45, "EPSG:32719"),  # Santiago
        (180.0, 10.0, "EPSG:32660"),
        (-180.0, 10.0, "EPSG:32601"),
    ],
)
def test_metric_crs_for_picks_the_utm_zone(lon, lat, expected):
    assert metric_crs_for(lon, lat) == expected


@pytest.mark.parametrize(("lon", "lat"), [(float("nan"), 31.0), (117.0, 91.0), (181.0, 31.0)])
def test_metric_crs_for_refuses_bad_points(lon, lat):
    with pytest.raises(CoordinateError, match="lon/lat"):
        metric_crs_for(lon, lat)
