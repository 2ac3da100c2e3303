import pytest
from shapely.geometry import MultiPolygon, box

from geo.errors import CoordinateError
from geo.locate import PolygonIndex

ZONE = box(117.0, 31.0, 118.0, 32.0)  # a development zone
PARK = box(117.2, 31.2, 117.4, 31.4)  # a park inside it
OTHER = MultiPolygon([box(119.0, 30.0, 119.5, 30.5), box(119.6, 30.0, 119.8, 30.2)])


@pytest.fixture
def index():
    return PolygonIndex({"zone": ZONE, "park": PARK, "other": OTHER})


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        (117.3, 31.3, "park"),  # in both: the smaller wins
        (117.8, 31.8, "zone"),
        (119.7, 30.1, "other"),  # second part of a MultiPolygon
        (119.55, 30.1, None),  # the gap between its parts
        (100.0, 20.0, None),
        (117.2, 31.3, "park"),  # on the park's edge: inside
    ],
)
def test_containing(index, lon, lat, expected):
    assert index.containing(lon, lat) == expected


def test_containing_many_agrees_with_containing(index):
    lons = [117.3, 117.8, 119.7, 100.0]
    lats = [31.3, 31.8, 30.1, 20.0]
    assert index.containing_many(lons, lats) == ["park", "zone", "other", None]
    assert index.containing_many(lons, lats) == [index.containing(x, y) for x, y in zip(lons, lats, strict=True)]


def test_equal_areas_go_to_the_smaller_key():
    twin = box(117.0, 31.0, 117.1, 31.1)
    assert PolygonIndex({"b": twin, "a": twin}).containing(117.05, 31.05) == "a"
    assert PolygonIndex({20: twin, 10: twin}).containing(117.05, 31.05) == 10


def test_incomparable_keys_fall_back_to_insertion_order():
    twin = box(117.0, 31.0, 117.1, 31.1)
    assert PolygonIndex({"b": twin, 1: twin}).containing(117.05, 31.05) == "b"


def test_empty_index_and_empty_queries():
    empty = PolygonIndex({})
    assert len(empty) == 0
    assert empty.containing(117.0, 31.0) is None
    assert empty.containing_many([117.0, 118.0], [31.0, 32.0]) == [None, None]
    assert PolygonIndex({"zone": ZONE}).containing_many([], []) == []


def test_containing_many_refuses_mismatched_lengths(index):
    with pytest.raises(CoordinateError, match="2 longitudes but 1 latitudes"):
        index.containing_many([117.0, 118.0], [31.0])


def test_len_and_iteration_keep_insertion_order(index):
    assert len(index) == 3
    assert list(index) == ["zone", "park", "other"]
