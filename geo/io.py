"""Read park boundary files (GeoJSON, GeoPackage, Shapefile) and write GeoJSON.

Boundaries come out as WGS-84 lon/lat MultiPolygons with plain-Python
properties, whatever CRS and geometry quirks the file had; anything that cannot
be made into that is refused with a message naming the file and the feature.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import make_valid

from geo.errors import BoundaryFileError
from geo.messages import Message, N_

_GEOJSON_SUFFIXES = frozenset({".geojson", ".json"})
_SUPPORTED = "GeoJSON (.geojson/.json), GeoPackage (.gpkg), Shapefile (.shp, or a .zip holding one)"
# Property names that hold a feature's name, checked case-insensitively.
_NAME_KEYS = ("name", "name_zh", "name_en", "名称", "园区名称")


@dataclass(frozen=True)
class BoundaryFeature:
    """One boundary: its attributes and a WGS-84 lon/lat MultiPolygon."""

    properties: dict[str, Any]
    geometry: MultiPolygon


def read_boundaries(path: str | os.PathLike[str], *, layer: str | None = None) -> list[BoundaryFeature]:
    """Read polygon boundaries from a GeoJSON, GeoPackage or Shapefile.

    Parameters
    ----------
    path : str or os.PathLike
        ``.geojson``/``.json``, ``.gpkg``, ``.shp`` (with its sidecar files)
        or a ``.zip`` holding one shapefile.
    layer : str, optional
        Layer of a GeoPackage, or shapefile name inside a zip. Without it a
        file with several polygon layers is refused.

    Returns
    -------
    list of BoundaryFeature
        In file order. Geometries are reprojected to EPSG:4326, invalid ones
        repaired with ``make_valid`` (polygonal parts kept), Polygons turned
        into MultiPolygons. Property values are ``str``/``int``/``float``/
        ``bool``/``None`` (NaN becomes ``None``, dates ISO strings).

    Raises
    ------
    BoundaryFileError
        The file is missing, unreadable, empty, of an unsupported kind or without a
        CRS (GeoJSON excepted: RFC 7946 makes it WGS-84), or a feature has no
        polygon geometry (message gives its 1-based number and name).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp()) / "park.geojson"
    >>> _ = tmp.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
    ...     '"properties": {"name": "Demo park"}, "geometry": {"type": "Polygon", '
    ...     '"coordinates": [[[117, 31], [117.1, 31], [117.1, 31.1], [117, 31]]]}}]}')
    >>> [(f.properties["name"], f.geometry.geom_type) for f in read_boundaries(tmp)]
    [('Demo park', 'MultiPolygon')]
    """
    file_path = Path(path)
    label = file_path.name
    if not file_path.is_file():
        raise BoundaryFileError(Message(N_("boundary file %(label)s: not found"), label=label), field="file")
    source, layer = _resolve_source(file_path, layer)
    try:
        gdf = gpd.read_file(source, layer=layer, engine="pyogrio")
    except Exception as exc:  # pyogrio/GDAL raise many kinds; all mean "unreadable"
        reason = str(exc).split(";")[0]  # GDAL appends driver hints after ';'
        raise BoundaryFileError(Message(N_("boundary file %(label)s: cannot be read (%(reason)s)"),
                                        label=label, reason=reason), field="file") from exc

    if gdf.empty:
        raise BoundaryFileError(Message(N_("boundary file %(label)s: holds no features"), label=label), field="file")
    if gdf.crs is None:
        if file_path.suffix.lower() not in _GEOJSON_SUFFIXES:
            raise BoundaryFileError(
                Message(N_("boundary file %(label)s: has no coordinate reference system (for a shapefile, the "
                           ".prj file is missing); add one, or convert to GeoJSON in WGS-84"),
                        label=label),
                field="file",
            )
        gdf = gdf.set_crs("EPSG:4326")
    if not gdf.crs.equals("EPSG:4326"):
        try:
            gdf = gdf.to_crs("EPSG:4326")
        except Exception as exc:
            raise BoundaryFileError(
                Message(N_("boundary file %(label)s: cannot reproject from %(name)s to WGS-84 (%(exc)s)"),
                        label=label, name=gdf.crs.name, exc=exc),
                field="file",
            ) from exc

    attributes = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    features: list[BoundaryFeature] = []
    for number, (geometry, record) in enumerate(
        zip(gdf.geometry, attributes.to_dict(orient="records"), strict=True), start=1
    ):
        properties = {str(key): _plain(value) for key, value in record.items()}
        where = _feature_label(label, number, properties)
        features.append(BoundaryFeature(properties, _as_multipolygon(geometry, where=where)))
    return features


def write_geojson(features: Iterable[Mapping[str, Any] | BoundaryFeature], path: str | os.PathLike[str]) -> None:
    """Write features as a GeoJSON FeatureCollection (WGS-84 lon/lat).

    Each item is a :class:`BoundaryFeature` or a mapping with ``"properties"``
    and ``"geometry"`` (a shapely geometry or a GeoJSON geometry mapping).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from shapely.geometry import Point
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "sites.geojson"
    >>> write_geojson([{"properties": {"id": 1}, "geometry": Point(117.2, 31.8)}], out)
    >>> json.loads(out.read_text())["features"][0]["geometry"]
    {'type': 'Point', 'coordinates': [117.2, 31.8]}
    """
    collection = {"type": "FeatureCollection", "features": []}
    for item in features:
        if isinstance(item, BoundaryFeature):
            properties, geometry = item.properties, item.geometry
        else:
            properties, geometry = item.get("properties") or {}, item.get("geometry")
        if isinstance(geometry, BaseGeometry):
            geometry = mapping(geometry)
        elif geometry is not None:
            geometry = mapping(shape(geometry))
        collection["features"].append(
            {"type": "Feature", "properties": {k: _plain(v) for k, v in properties.items()},
             "geometry": geometry}
        )
    Path(path).write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")


def _resolve_source(file_path: Path, layer: str | None) -> tuple[str, str | None]:
    """GDAL source string and layer to read, after format checks."""
    label = file_path.name
    suffix = file_path.suffix.lower()
    if suffix in _GEOJSON_SUFFIXES or suffix == ".shp":
        return str(file_path), layer
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(file_path) as archive:
                members = [m for m in archive.namelist() if m.lower().endswith(".shp")]
        except zipfile.BadZipFile:
            raise BoundaryFileError(Message(N_("boundary file %(label)s: not a valid zip archive"), label=label),
                                    field="file") from None
        if layer is not None:
            members = [m for m in members if Path(m).stem == layer]
        if len(members) != 1:
            found = "no shapefile" if not members else f"{len(members)} shapefiles ({', '.join(members)})"
            raise BoundaryFileError(
                Message(N_("boundary file %(label)s: expected one .shp inside the zip, found %(found)s"),
                        label=label, found=found), field="file"
            )
        return f"/vsizip/{file_path.resolve()}/{members[0]}", None
    if suffix == ".gpkg":
        if layer is not None:
            return str(file_path), layer
        try:
            layers = pyogrio.list_layers(file_path)
        except Exception as exc:
            raise BoundaryFileError(Message(N_("boundary file %(label)s: cannot be read (%(exc)s)"),
                                            label=label, exc=exc), field="file") from exc
        polygonal = [str(name) for name, kind in layers if kind and "POLYGON" in str(kind).upper()]
        if len(layers) == 1:
            return str(file_path), str(layers[0][0])
        if len(polygonal) == 1:
            return str(file_path), polygonal[0]
        names = ", ".join(str(name) for name, _ in layers)
        raise BoundaryFileError(
            Message(N_("boundary file %(label)s: has several layers (%(names)s); choose one"),
                    label=label, names=names), field="layer"
        )
    raise BoundaryFileError(
        Message(N_("boundary file %(label)s: unsupported file type %(suffix)s; use %(SUPPORTED)s"),
                label=label, suffix=suffix or '(none)', SUPPORTED=_SUPPORTED),
        field="file",
    )


def _feature_label(file_label: str, number: int, properties: Mapping[str, Any]) -> str:
    folded = {key.casefold(): value for key, value in properties.items()}
    for key in _NAME_KEYS:
        value = folded.get(key)
        if value not in (None, ""):
            return f"{file_label}, feature {number} ({value})"
    return f"{file_label}, feature {number}"


def _as_multipolygon(geometry: BaseGeometry | None, *, where: str) -> MultiPolygon:
    if geometry is None or geometry.is_empty:
        raise BoundaryFileError(Message(N_("%(where)s: has no geometry"), where=where), field="file")
    geometry = shapely.force_2d(geometry)
    if not isinstance(geometry, Polygon | MultiPolygon):
        raise BoundaryFileError(
            Message(N_("%(where)s: is a %(geom_type)s, not a polygon boundary"),
                    where=where, geom_type=geometry.geom_type), field="file"
        )
    if not geometry.is_valid:
        geometry = make_valid(geometry)
    polygons = _polygons_in(geometry)
    if not polygons:
        raise BoundaryFileError(Message(N_("%(where)s: polygon is invalid and has no area once repaired"),
                                        where=where), field="file")
    result = MultiPolygon(polygons)
    min_lon, min_lat, max_lon, max_lat = result.bounds
    if not (-180 <= min_lon and max_lon <= 180 and -90 <= min_lat and max_lat <= 90):
        raise BoundaryFileError(
            Message(N_("%(where)s: coordinates are not longitude/latitude after reprojection (is the file's CRS "
                       "declared correctly?)"),
                    where=where),
            field="file",
        )
    return result


def _polygons_in(geometry: BaseGeometry) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [geometry] if not geometry.is_empty else []
    if isinstance(geometry, MultiPolygon):
        return [p for p in geometry.geoms if not p.is_empty]
    if hasattr(geometry, "geoms"):  # GeometryCollection from make_valid
        return [p for part in geometry.geoms for p in _polygons_in(part)]
    return []


def _plain(value: Any) -> Any:
    """A JSON-friendly plain Python value (no numpy/pandas scalars, NaN -> None)."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)
