"""A geometry column that is a PostGIS geometry on PostgreSQL and WKT text on SQLite.

SQLite is the embedded default and must need nothing installed, so it cannot rely on SpatiaLite;
on PostGIS the same column is a real ``geometry(<type>, 4326)`` with a GiST index, so spatial
filters run in the database. Python code always sees shapely geometries in WGS-84 lon/lat.
"""
from __future__ import annotations

import shapely
from geoalchemy2 import Geometry
from geoalchemy2.shape import to_shape
from sqlalchemy.types import Text, TypeDecorator

SRID_WGS84 = 4326


class GeometryType(TypeDecorator):
    impl = Text
    cache_ok = True

    def __init__(self, geometry_type: str = "GEOMETRY") -> None:
        super().__init__()
        self.geometry_type = geometry_type

    def load_dialect_impl(self, dialect):
        # GeoAlchemy2's DDL hooks probe the type with no dialect at all.
        if dialect is not None and dialect.name == "postgresql":
            return dialect.type_descriptor(Geometry(self.geometry_type, srid=SRID_WGS84, spatial_index=False))
        return Text() if dialect is None else dialect.type_descriptor(Text())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, shapely.Geometry):
            raise TypeError(f"expected a shapely geometry, got {type(value).__name__}")
        if dialect.name == "postgresql":
            return f"SRID={SRID_WGS84};{value.wkt}"
        return value.wkt

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "postgresql":
            return to_shape(value)
        return shapely.from_wkt(value)
