"""Coordinate reference systems: input names, GCJ-02 conversion, metric CRS.

Canonical coordinates in this project are WGS-84 longitude/latitude
(EPSG:4326). Users may type coordinates read off Chinese web maps (GCJ-02,
"火星坐标") or surveyed in CGCS2000; :func:`to_wgs84` brings both to WGS-84.
Distances and buffers are computed in a metric CRS (:func:`metric_crs_for`).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from geo.errors import CoordinateError
from geo.messages import Message, N_

SUPPORTED_INPUT_CRS: tuple[str, ...] = ("WGS84", "GCJ02", "BD09", "CGCS2000")

# Spellings users type, after casefolding and removing spaces, "-" and "_".
_CRS_ALIASES: dict[str, str] = {
    "wgs84": "WGS84",
    "epsg:4326": "WGS84",
    "gps": "WGS84",
    "gcj02": "GCJ02",
    "火星坐标": "GCJ02",
    "火星坐标系": "GCJ02",
    "国测局坐标": "GCJ02",
    "cgcs2000": "CGCS2000",
    "epsg:4490": "CGCS2000",
    "2000国家大地坐标系": "CGCS2000",
    "国家2000坐标系": "CGCS2000",
    "国家2000": "CGCS2000",
    "bd09": "BD09",
    "bd09ll": "BD09",
    "百度": "BD09",
    "百度坐标": "BD09",
    "百度坐标系": "BD09",
    "百度地图": "BD09",
}
_ACCEPTED_TEXT = "WGS84 (EPSG:4326), GCJ02 (火星坐标), BD09 (百度坐标) or CGCS2000 (EPSG:4490)"
# Baidu's BD-09 is a further published transform of GCJ-02 (the constants of every open implementation, e.g.
# github.com/wandergis/coordtransform): 3000 is its angular scale, (0.0065, 0.006) its shift.
_BD_X_PI = math.pi * 3000.0 / 180.0

# Krasovsky 1940 ellipsoid, as used by the published GCJ-02 algorithm (the
# constants below are those of every open implementation, e.g.
# github.com/wandergis/coordtransform and github.com/googollee/eviltransform).
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323
# The rough "is it in China" box of those implementations: outside it GCJ-02
# applies no offset, so conversion is the identity.
_CHINA_MIN_LON, _CHINA_MAX_LON = 72.004, 137.8347
_CHINA_MIN_LAT, _CHINA_MAX_LAT = 0.8293, 55.8271
# Inverse iteration stops when the forward transform of the estimate is within
# this many degrees (~0.01 mm) of the GCJ-02 input.
_INVERSE_TOLERANCE_DEG = 1e-10
_INVERSE_MAX_ITERATIONS = 30


def normalise_crs_name(text: str | None) -> str:
    """Return the canonical name of a user-supplied input CRS.

    Parameters
    ----------
    text : str or None
        What the user typed; ``None`` or blank means WGS-84.

    Returns
    -------
    str
        One of :data:`SUPPORTED_INPUT_CRS`.

    Raises
    ------
    CoordinateError
        Unknown name (``field == "crs"``); the message lists accepted values.

    Examples
    --------
    >>> normalise_crs_name("gcj-02"), normalise_crs_name("EPSG:4490"), normalise_crs_name(None)
    ('GCJ02', 'CGCS2000', 'WGS84')
    """
    if text is None or not str(text).strip():
        return "WGS84"
    key = str(text).strip().casefold()
    for char in " -_":
        key = key.replace(char, "")
    if key in _CRS_ALIASES:
        return _CRS_ALIASES[key]
    raise CoordinateError(
        Message(N_("crs: unknown coordinate system %(text)r; use %(ACCEPTED_TEXT)s"),
                text=text, ACCEPTED_TEXT=_ACCEPTED_TEXT),
        field="crs",
    )


def _outside_china(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
    return ~(
        (lon >= _CHINA_MIN_LON)
        & (lon <= _CHINA_MAX_LON)
        & (lat >= _CHINA_MIN_LAT)
        & (lat <= _CHINA_MAX_LAT)
    )


def _gcj_offset(
    lon: NDArray[np.float64], lat: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """GCJ-02 minus WGS-84, in degrees, at WGS-84 points (zero outside China)."""
    x = lon - 105.0
    y = lat - 35.0
    pi = math.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    d_lat = d_lat + common
    d_lat = d_lat + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    d_lat = d_lat + (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    d_lon = d_lon + common
    d_lon = d_lon + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    d_lon = d_lon + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0

    rad_lat = lat / 180.0 * pi
    magic = 1.0 - _GCJ_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * pi)
    d_lon = (d_lon * 180.0) / (_GCJ_A / sqrt_magic * np.cos(rad_lat) * pi)
    outside = _outside_china(lon, lat)
    return np.where(outside, 0.0, d_lon), np.where(outside, 0.0, d_lat)


def _as_float_arrays(
    lons: ArrayLike, lats: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    lon = np.asarray(lons, dtype=np.float64)
    lat = np.asarray(lats, dtype=np.float64)
    if lon.shape != lat.shape:
        raise CoordinateError(
            Message(N_("lon/lat: %(size)s longitudes but %(size2)s latitudes"), size=lon.size, size2=lat.size),
            field="lon/lat"
        )
    return lon, lat


def wgs84_to_gcj02_array(
    lons: ArrayLike, lats: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Vectorised :func:`wgs84_to_gcj02` over arrays of equal shape.

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02_array([116.404, 10.0], [39.915, 10.0])
    >>> lon.round(6).tolist(), lat.round(6).tolist()
    ([116.410244, 10.0], [39.916404, 10.0])
    """
    lon, lat = _as_float_arrays(lons, lats)
    d_lon, d_lat = _gcj_offset(lon, lat)
    return lon + d_lon, lat + d_lat


def gcj02_to_wgs84_array(
    lons: ArrayLike, lats: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Vectorised :func:`gcj02_to_wgs84` over arrays of equal shape.

    Notes
    -----
    GCJ-02 has no closed-form inverse. The common one-step approximation
    (subtract the offset evaluated at the GCJ-02 point) is off by up to a few
    metres; here the estimate is refined by fixed-point iteration
    ``w <- w - (gcj(w) - g)``, which converges because the offset varies
    slowly (a few iterations reach 1e-10 degrees).

    Examples
    --------
    >>> lon, lat = gcj02_to_wgs84_array([116.410244499], [39.916404281])
    >>> round(float(lon[0]), 5), round(float(lat[0]), 5)
    (116.404, 39.915)
    """
    g_lon, g_lat = _as_float_arrays(lons, lats)
    outside = _outside_china(g_lon, g_lat)
    d_lon, d_lat = _gcj_offset(g_lon, g_lat)
    w_lon, w_lat = g_lon - d_lon, g_lat - d_lat
    for _ in range(_INVERSE_MAX_ITERATIONS):
        f_lon, f_lat = wgs84_to_gcj02_array(w_lon, w_lat)
        r_lon, r_lat = f_lon - g_lon, f_lat - g_lat
        w_lon, w_lat = w_lon - r_lon, w_lat - r_lat
        residual = np.maximum(np.abs(r_lon), np.abs(r_lat))
        residual = residual[np.isfinite(residual)]  # NaN input stays NaN; don't wait on it
        if residual.size == 0 or float(residual.max()) < _INVERSE_TOLERANCE_DEG:
            break
    return np.where(outside, g_lon, w_lon), np.where(outside, g_lat, w_lat)


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """Convert one WGS-84 point to GCJ-02 ("火星坐标").

    Outside the rough China box GCJ-02 equals WGS-84 and the point is returned
    unchanged.

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(116.404, 39.915)
    >>> round(lon, 6), round(lat, 6)
    (116.410244, 39.916404)
    """
    g_lon, g_lat = wgs84_to_gcj02_array(lon, lat)
    return float(g_lon), float(g_lat)


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Convert one GCJ-02 point to WGS-84 with an iterative exact inverse.

    The result, converted back with :func:`wgs84_to_gcj02`, reproduces the
    input to better than 1e-9 degrees.

    Examples
    --------
    >>> lon, lat = gcj02_to_wgs84(*wgs84_to_gcj02(117.2272, 31.8206))
    >>> round(lon, 9), round(lat, 9)
    (117.2272, 31.8206)
    """
    w_lon, w_lat = gcj02_to_wgs84_array(lon, lat)
    return float(w_lon), float(w_lat)


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """A point picked on Baidu Maps (BD-09) in GCJ-02.

    >>> [round(v, 4) for v in bd09_to_gcj02(116.43351, 39.90851)]  # Beijing railway station
    [116.427, 39.9025]
    """
    x, y = float(lon) - 0.0065, float(lat) - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _BD_X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _BD_X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def to_wgs84(lon: float, lat: float, *, crs: str) -> tuple[float, float]:
    """Convert a point typed in any supported input CRS to WGS-84.

    Parameters
    ----------
    lon, lat : float
        Longitude and latitude in degrees, in ``crs``.
    crs : str
        Any spelling accepted by :func:`normalise_crs_name`.

    Examples
    --------
    >>> to_wgs84(117.2272, 31.8206, crs="CGCS2000")
    (117.2272, 31.8206)
    >>> [round(v, 4) for v in to_wgs84(116.41024449916938, 39.91640428150164, crs="gcj-02")]
    [116.404, 39.915]
    """
    name = normalise_crs_name(crs)
    if name == "GCJ02":
        return gcj02_to_wgs84(lon, lat)
    if name == "BD09":
        return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))
    # CGCS2000 is taken as WGS-84. Both are geocentric, ITRF-aligned frames and
    # their ellipsoids share a = 6378137 m; the flattenings differ in the tenth
    # digit (1/298.257222101 vs 1/298.257223563), which moves a point by about
    # 0.1 mm. The frame difference (ITRF97 at epoch 2000 vs current WGS-84) is
    # of order a decimetre plus plate motion since 2000 (well under 1 m), far
    # below map precision. DOMAIN.md 4.3 records the same: "practically equal to
    # WGS-84 at map scale" (https://epsg.io/4522). EPSG:4490 -> EPSG:4326 in
    # PROJ is likewise a null (ballpark) transformation.
    return float(lon), float(lat)


def metric_crs_for(lon: float, lat: float) -> str:
    """Return the EPSG code of the WGS-84 UTM zone containing a point.

    UTM zones are 6 degrees wide, so distances and buffers computed in them
    are accurate to ~0.1 % within a province; all of Anhui (114.9-119.7 E)
    lies in zone 50N (DOMAIN.md 4.4).

    Raises
    ------
    CoordinateError
        The point is not a finite longitude/latitude.

    Examples
    --------
    >>> metric_crs_for(117.23, 31.82)
    'EPSG:32650'
    >>> metric_crs_for(-70.6, -33.4)
    'EPSG:32719'
    """
    lon_f, lat_f = float(lon), float(lat)
    if not (math.isfinite(lon_f) and math.isfinite(lat_f)):
        raise CoordinateError(Message(N_("lon/lat: coordinates must be finite numbers")), field="lon/lat")
    if not (-180.0 <= lon_f <= 180.0 and -90.0 <= lat_f <= 90.0):
        raise CoordinateError(
            Message(N_("lon/lat: (%(lon_f)s, %(lat_f)s) is not a longitude/latitude"), lon_f=lon_f, lat_f=lat_f),
            field="lon/lat"
        )
    zone = min(int((lon_f + 180.0) // 6.0) + 1, 60)
    return f"EPSG:{32600 + zone if lat_f >= 0 else 32700 + zone}"
