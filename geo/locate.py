"""Which polygon (park, district ...) contains a point, through a spatial index."""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from typing import Generic, TypeVar

import numpy as np
import shapely
from numpy.typing import ArrayLike
from shapely.geometry.base import BaseGeometry

from geo.errors import CoordinateError
from geo.messages import Message, N_

K = TypeVar("K", bound=Hashable)


class PolygonIndex(Generic[K]):
    """Point-in-polygon lookups over keyed polygons, backed by an STRtree.

    Polygons may overlap (a park inside a larger development zone): the
    smallest polygon containing the point wins, ties going to the smaller key
    (insertion order if keys cannot be compared). Points on a boundary count
    as inside.

    Parameters
    ----------
    geometries : Mapping
        Key -> shapely polygon or multipolygon, in the same CRS as the points
        queried (WGS-84 lon/lat in this project). Areas are compared in that
        CRS, which is fine for ranking nearby polygons.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> index = PolygonIndex({"zone": box(0, 0, 10, 10), "park": box(1, 1, 2, 2)})
    >>> index.containing(1.5, 1.5), index.containing(5, 5), index.containing(20, 20)
    ('park', 'zone', None)
    >>> index.containing_many([1.5, 20.0], [1.5, 20.0])
    ['park', None]
    """

    def __init__(self, geometries: Mapping[K, BaseGeometry]) -> None:
        self._keys: list[K] = list(geometries.keys())
        geoms = list(geometries.values())
        self._tree = shapely.STRtree(geoms)
        areas = [float(g.area) for g in geoms]
        positions = range(len(self._keys))
        try:
            order = sorted(positions, key=lambda i: (areas[i], self._keys[i]))
        except TypeError:  # keys of mixed, incomparable types
            order = sorted(positions, key=lambda i: (areas[i], i))
        # rank[i] is the preference of tree item i: lower wins.
        self._rank = np.empty(len(order), dtype=np.int64)
        self._rank[order] = np.arange(len(order))
        self._by_rank: list[K] = [self._keys[i] for i in order]

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[K]:
        return iter(self._keys)

    def containing(self, lon: float, lat: float) -> K | None:
        """Key of the smallest polygon containing the point, or ``None``."""
        return self.containing_many([lon], [lat])[0]

    def containing_many(self, lons: ArrayLike, lats: ArrayLike) -> list[K | None]:
        """:meth:`containing` for many points at once (one tree query).

        Raises
        ------
        CoordinateError
            ``lons`` and ``lats`` differ in length.
        """
        lon = np.asarray(lons, dtype=np.float64).ravel()
        lat = np.asarray(lats, dtype=np.float64).ravel()
        if lon.shape != lat.shape:
            raise CoordinateError(
                Message(N_("lon/lat: %(size)s longitudes but %(size2)s latitudes"), size=lon.size, size2=lat.size),
                field="lon/lat"
            )
        if lon.size == 0:
            return []
        if not self._keys:
            return [None] * lon.size
        points = shapely.points(lon, lat)
        point_idx, tree_idx = self._tree.query(points, predicate="intersects")
        no_match = len(self._keys)
        best = np.full(lon.size, no_match, dtype=np.int64)
        np.minimum.at(best, point_idx, self._rank[tree_idx])
        return [None if rank == no_match else self._by_rank[rank] for rank in best.tolist()]
