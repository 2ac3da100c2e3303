"""The service area, and checking user-typed points against it.

The marketplace serves one region (Anhui by default, the ``SERVICE_AREA``
setting otherwise). A point outside it is almost always a typing mistake:
swapped latitude/longitude, a missing digit, or a point from another map.
:func:`check_point` says which.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from numbers import Real

from geo.errors import CoordinateError, GeoError, OutsideServiceArea

_SERVICE_AREA_FORMAT = "'minlon,minlat,maxlon,maxlat' in degrees, e.g. '114.38,28.90,120.15,35.15'"


@dataclass(frozen=True)
class ServiceArea:
    """A longitude/latitude box (WGS-84 degrees, bounds inclusive).

    Examples
    --------
    >>> ServiceArea(114.0, 29.0, 120.0, 35.0).contains(117.2, 31.8)
    True
    """

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def __post_init__(self) -> None:
        values = (self.min_lon, self.min_lat, self.max_lon, self.max_lat)
        if not all(math.isfinite(v) for v in values):
            raise GeoError(f"SERVICE_AREA: bounds must be finite numbers, got {values}",
                           field="SERVICE_AREA")
        if not (-180.0 <= self.min_lon < self.max_lon <= 180.0):
            raise GeoError(
                f"SERVICE_AREA: need -180 <= minlon < maxlon <= 180, got {self.min_lon}, {self.max_lon}",
                field="SERVICE_AREA",
            )
        if not (-90.0 <= self.min_lat < self.max_lat <= 90.0):
            raise GeoError(
                f"SERVICE_AREA: need -90 <= minlat < maxlat <= 90, got {self.min_lat}, {self.max_lat}",
                field="SERVICE_AREA",
            )

    def contains(self, lon: float, lat: float) -> bool:
        """Whether ``(lon, lat)`` lies in the box (edges included)."""
        return self.min_lon <= lon <= self.max_lon and self.min_lat <= lat <= self.max_lat

    def describe(self) -> str:
        """Human-readable bounds, e.g. ``"lon 114.38 to 120.15, lat 28.9 to 35.15"``."""
        return (f"lon {self.min_lon:.10g} to {self.max_lon:.10g}, "
                f"lat {self.min_lat:.10g} to {self.max_lat:.10g}")


# Anhui spans about 114.88-119.65 E and 29.40-34.65 N (DOMAIN.md 4.4 gives
# 114.9-119.7 E); the 0.5 degree margin (~50 km) keeps sites just across the
# provincial border (Nanjing, Hangzhou-Huzhou, Xinyang ...) which can still
# take Anhui material.
ANHUI_SERVICE_AREA = ServiceArea(min_lon=114.38, min_lat=28.90, max_lon=120.15, max_lat=35.15)


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
            f"SERVICE_AREA must be {_SERVICE_AREA_FORMAT}; got {text!r}", field="SERVICE_AREA"
        ) from None
    return ServiceArea(*values)


def _parse_degrees(value: object, *, axis: str, field: str) -> float:
    if isinstance(value, Real | Decimal) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        cleaned = value.strip().rstrip("°").strip()
        try:
            number = float(cleaned)
        except ValueError:
            raise CoordinateError(
                f"{field}: {axis} {value!r} is not a number", field=field
            ) from None
    else:
        raise CoordinateError(f"{field}: {axis} {value!r} is not a number", field=field)
    if not math.isfinite(number):
        raise CoordinateError(f"{field}: {axis} {value!r} is not a finite number", field=field)
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
    >>> check_point("117.2", 31.8, area=ANHUI_SERVICE_AREA)
    (117.2, 31.8)
    >>> check_point(31.8, 117.2, area=ANHUI_SERVICE_AREA)
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
            f"{field}: latitude and longitude look swapped (lon={lon_f:.10g}, lat={lat_f:.10g}); "
            f"did you mean lon={lat_f:.10g}, lat={lon_f:.10g}?",
            field=field,
        )
    if not -90.0 <= lat_f <= 90.0:
        raise CoordinateError(
            f"{field}: latitude {lat_f:.10g} is out of range (-90 to 90)", field=field
        )
    if not -180.0 <= lon_f <= 180.0:
        raise CoordinateError(
            f"{field}: longitude {lon_f:.10g} is out of range (-180 to 180)", field=field
        )
    raise OutsideServiceArea(
        f"{field}: point (lon={lon_f:.10g}, lat={lat_f:.10g}) is outside the service area "
        f"({area.describe()})",
        field=field,
    )
