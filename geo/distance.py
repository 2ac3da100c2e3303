"""Great-circle distance on a spherical Earth.

Good to ~0.5 % against the ellipsoid, which is plenty for "is this site
within the route's transport radius"; exact work (buffers, areas) goes
through a metric CRS instead (:func:`geo.crs.metric_crs_for`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

# IUGG mean Earth radius R1 = (2a + b) / 3 of WGS-84, in kilometres.
EARTH_RADIUS_KM = 6371.0088


def great_circle_km(
    lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike
) -> float | NDArray[np.float64]:
    """Haversine distance in kilometres between WGS-84 points.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : float or array_like
        Degrees; arrays broadcast against each other.

    Returns
    -------
    float or numpy.ndarray
        A float for scalar inputs, an array otherwise.

    Examples
    --------
    >>> round(great_circle_km(117.23, 31.82, 118.38, 31.33), 1)  # Hefei - Wuhu
    121.8
    >>> great_circle_km([0.0, 0.0], [0.0, 0.0], [0.0, 1.0], [1.0, 0.0]).round(3).tolist()
    [111.195, 111.195]
    """
    lon1_r, lat1_r, lon2_r, lat2_r = (
        np.radians(np.asarray(v, dtype=np.float64)) for v in (lon1, lat1, lon2, lat2)
    )
    half_chord = (
        np.sin((lat2_r - lat1_r) / 2.0) ** 2
        + np.cos(lat1_r) * np.cos(lat2_r) * np.sin((lon2_r - lon1_r) / 2.0) ** 2
    )
    # Rounding can push the haversine a hair above 1 for antipodal points.
    distance = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(half_chord, 0.0, 1.0)))
    if np.ndim(distance) == 0:
        return float(distance)
    return distance
