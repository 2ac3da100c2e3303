"""Candidate pairs: which receivers lie within an offer's transport radius, found through a spatial index.

Sites become points on the unit sphere (x, y, z). The straight-line (chord) distance between two
such points is a monotone function of the great-circle distance, so a KD-tree over them
(:class:`scipy.spatial.cKDTree`) answers "every receiver within r km" exactly, without projecting to
a planar CRS that would distort at the edges of a province, and without a Python loop over pairs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from geo.distance import EARTH_RADIUS_KM

__all__ = [
    "PairBlock",
    "chord_for_km",
    "km_for_chord",
    "nearest_within",
    "sector_matches",
    "unit_vectors",
]


@dataclass(frozen=True, eq=False)
class PairBlock:
    """Pairs found by :func:`nearest_within`, sorted by query, then distance, then index.

    ``in_radius`` counts every pair within the radius, ``len(query)`` those kept (at most ``pool``
    per query point); the difference is what the pool cut.
    """

    query: NDArray[np.intp]
    index: NDArray[np.intp]
    distance_km: NDArray[np.float64]
    in_radius: int

    def __len__(self) -> int:
        return int(self.query.size)


def unit_vectors(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.float64]:
    """Points on the unit sphere for WGS-84 degrees, one row per point.

    Examples
    --------
    >>> unit_vectors([0.0, 90.0], [0.0, 0.0]).round(6).tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    lon_r = np.radians(np.asarray(lon, dtype=np.float64))
    lat_r = np.radians(np.asarray(lat, dtype=np.float64))
    cos_lat = np.cos(lat_r)
    return np.column_stack((cos_lat * np.cos(lon_r), cos_lat * np.sin(lon_r), np.sin(lat_r)))


def chord_for_km(distance_km: ArrayLike) -> NDArray[np.float64] | float:
    """Chord length on the unit sphere for a great-circle distance.

    Examples
    --------
    >>> round(chord_for_km(111.195), 6)  # one degree of arc
    0.017453
    """
    angle = np.asarray(distance_km, dtype=np.float64) / EARTH_RADIUS_KM
    chord = 2.0 * np.sin(np.minimum(angle, np.pi) / 2.0)
    return float(chord) if np.ndim(chord) == 0 else chord


def km_for_chord(chord: ArrayLike) -> NDArray[np.float64] | float:
    """Great-circle distance in km for a chord length on the unit sphere (inverse of :func:`chord_for_km`).

    Examples
    --------
    >>> round(km_for_chord(chord_for_km(150.0)), 9)
    150.0
    """
    half = np.clip(np.asarray(chord, dtype=np.float64) / 2.0, 0.0, 1.0)
    distance = 2.0 * EARTH_RADIUS_KM * np.arcsin(half)
    return float(distance) if np.ndim(distance) == 0 else distance


def nearest_within(
    query_xyz: NDArray[np.float64],
    index_xyz: NDArray[np.float64],
    *,
    radius_km: float,
    pool: int,
    workers: int = -1,
) -> PairBlock:
    """For each query point, the nearest ``pool`` index points within ``radius_km`` (great circle).

    Parameters
    ----------
    query_xyz, index_xyz
        Unit vectors from :func:`unit_vectors`.
    radius_km
        Great-circle search radius.
    pool
        At most this many index points per query point, nearest first.
    workers
        Threads for the tree query (``-1``: all cores).

    Examples
    --------
    >>> points = unit_vectors([117.0, 117.5, 119.0], [31.0, 31.0, 31.0])
    >>> block = nearest_within(points[:1], points[1:], radius_km=100.0, pool=5)
    >>> block.index.tolist(), round(float(block.distance_km[0]), 1), block.in_radius
    ([0], 47.7, 1)

    Notes
    -----
    Building the tree is O(m log m), the query O(n (log m + pool)); the count of all pairs within
    the radius uses a dual-tree count that does not enumerate them.
    """
    if pool < 1:
        raise ValueError("pool must be at least 1")
    n_query, n_index = len(query_xyz), len(index_xyz)
    empty = PairBlock(
        np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp), np.empty(0, dtype=np.float64), 0
    )
    if n_query == 0 or n_index == 0 or radius_km < 0:
        return empty
    chord = float(chord_for_km(radius_km))
    # A hair of slack so a pair exactly at the radius is not lost to rounding of the chord.
    chord_bound = chord * (1.0 + 1e-12) + 1e-15
    index_tree = cKDTree(index_xyz)
    k = min(pool, n_index)
    distances, neighbours = index_tree.query(
        query_xyz, k=list(range(1, k + 1)), distance_upper_bound=chord_bound, workers=workers
    )
    found = neighbours < n_index
    query = np.broadcast_to(np.arange(n_query, dtype=np.intp)[:, None], found.shape)[found]
    index = neighbours[found].astype(np.intp)
    distance_km = np.asarray(km_for_chord(distances[found]), dtype=np.float64)
    if k < n_index and bool(found[:, -1].any()):
        in_radius = int(cKDTree(query_xyz).count_neighbors(index_tree, chord_bound))
    else:
        in_radius = int(query.size)
    # Rows come nearest first; ties at equal distance (two wants at one site) are put in index order so
    # the result does not depend on the tree's internals. Only rows with a tie are re-sorted.
    tied_rows = np.flatnonzero(((distances[:, 1:] == distances[:, :-1]) & found[:, 1:]).any(axis=1)) if k > 1 \
        else np.empty(0, dtype=np.intp)
    if len(tied_rows):
        tied = np.isin(query, tied_rows)
        positions = np.flatnonzero(tied)
        order = np.lexsort((index[positions], distance_km[positions], query[positions]))
        index[positions] = index[positions][order]
        distance_km[positions] = distance_km[positions][order]
    return PairBlock(query, index, distance_km, in_radius)


def sector_matches(site_sectors: Sequence[str], route_sectors: Iterable[str]) -> NDArray[np.bool_]:
    """Whether each site's GB/T 4754 code falls under one of a route's user sectors.

    A route code matches the same class code and, being a group (3 digits) or division
    (2 digits), every class below it; a site known only by a division does not match a class.

    Examples
    --------
    >>> sector_matches(["3011", "3021", "4411", ""], ["3011", "302"]).tolist()
    [True, True, False, False]
    """
    sectors = np.asarray(site_sectors, dtype=object).astype(str)
    result = np.zeros(len(sectors), dtype=bool)
    for code in route_sectors:
        result |= np.char.startswith(sectors, code) if len(sectors) else result
    return result
