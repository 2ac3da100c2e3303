import math

import numpy as np
import pytest
from pyproj import Geod

from geo.distance import EARTH_RADIUS_KM, great_circle_km

WGS84 = Geod(ellps="WGS84")


def test_same_point_is_zero():
    assert great_circle_km(117.23, 31.82, 117.23, 31.82) == 0.0


def test_one_degree_along_the_equator():
    assert great_circle_km(0.0, 0.0, 1.0, 0.0) == pytest.approx(2 * math.pi * EARTH_RADIUS_KM / 360)


def test_antipodes_are_half_the_circumference():
    assert great_circle_km(0.0, 0.0, 180.0, 0.0) == pytest.approx(math.pi * EARTH_RADIUS_KM)


@pytest.mark.parametrize(
    ("lon1", "lat1", "lon2", "lat2"),
    [
        (117.28, 31.86, 118.38, 31.33),  # Hefei - Wuhu
        (117.28, 31.86, 116.79, 33.97),  # Hefei - Huaibei
        (118.32, 29.71, 116.98, 33.63),  # Huangshan - Suzhou (Anhui)
    ],
)
def test_close_to_the_ellipsoidal_distance_within_anhui(lon1, lat1, lon2, lat2):
    _, _, ellipsoidal_m = WGS84.inv(lon1, lat1, lon2, lat2)
    assert great_circle_km(lon1, lat1, lon2, lat2) == pytest.approx(ellipsoidal_m / 1000, rel=5e-3)


def test_symmetric():
    assert great_circle_km(117.28, 31.86, 118.38, 31.33) == great_circle_km(118.38, 31.33, 117.28, 31.86)


def test_arrays_broadcast_and_scalars_stay_floats():
    distances = great_circle_km(117.28, 31.86, np.array([117.28, 118.38]), np.array([31.86, 31.33]))
    assert isinstance(distances, np.ndarray)
    assert distances.shape == (2,)
    assert distances[0] == 0.0
    assert distances[1] == pytest.approx(great_circle_km(117.28, 31.86, 118.38, 31.33))
    assert type(great_circle_km(0, 0, 0, 1)) is float
