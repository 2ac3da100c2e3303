import json
import zipfile

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from geo.errors import BoundaryFileError
from geo.io import BoundaryFeature, read_boundaries, write_geojson

PARK_A = box(117.00, 31.00, 117.10, 31.10)
PARK_B = box(118.30, 31.30, 118.40, 31.36)
# Crosses itself: a "bow tie" whose two triangles each have area 0.0025.
BOW_TIE = Polygon([(117.0, 31.0), (117.1, 31.1), (117.1, 31.0), (117.0, 31.1), (117.0, 31.0)])


def parks_frame(crs="EPSG:4326"):
    frame = gpd.GeoDataFrame(
        {"name": ["Hefei park", "Wuhu park"], "area_ha": [1200.5, np.nan], "level": [1, 2]},
        geometry=[PARK_A, PARK_B],
        crs="EPSG:4326",
    )
    return frame.to_crs(crs)


def assert_parks(features):
    assert [f.properties for f in features] == [
        {"name": "Hefei park", "area_ha": 1200.5, "level": 1},
        {"name": "Wuhu park", "area_ha": None, "level": 2},
    ]
    for feature, expected in zip(features, [PARK_A, PARK_B], strict=True):
        assert isinstance(feature, BoundaryFeature)
        assert isinstance(feature.geometry, MultiPolygon)
        assert feature.geometry.bounds == pytest.approx(expected.bounds, abs=1e-6)
    for value in features[0].properties.values():
        assert type(value) in (str, int, float)


def test_reads_geojson(tmp_path):
    path = tmp_path / "parks.geojson"
    parks_frame().to_file(path, driver="GeoJSON")
    assert_parks(read_boundaries(path))


def test_reads_geopackage_layer(tmp_path):
    path = tmp_path / "parks.gpkg"
    parks_frame().to_file(path, layer="parks", driver="GPKG")
    assert_parks(read_boundaries(path, layer="parks"))


def test_geopackage_with_one_polygon_layer_among_others_needs_no_layer_name(tmp_path):
    path = tmp_path / "mixed.gpkg"
    parks_frame().to_file(path, layer="parks", driver="GPKG")
    gpd.GeoDataFrame({"k": [1]}, geometry=[Point(117.0, 31.0)], crs="EPSG:4326").to_file(
        path, layer="gates", driver="GPKG"
    )
    assert_parks(read_boundaries(path))


def test_geopackage_with_several_polygon_layers_asks_which(tmp_path):
    path = tmp_path / "two.gpkg"
    parks_frame().to_file(path, layer="parks_2023", driver="GPKG")
    parks_frame().to_file(path, layer="parks_2024", driver="GPKG")
    with pytest.raises(BoundaryFileError, match=r"two.gpkg: has several layers \(parks_2023, parks_2024\)"):
        read_boundaries(path)


def test_projected_shapefile_comes_back_in_lon_lat(tmp_path):
    path = tmp_path / "parks_utm.shp"
    projected = parks_frame("EPSG:32650")  # metres
    assert projected.total_bounds[0] > 100_000
    projected.to_file(path)
    assert_parks(read_boundaries(path))


def test_cgcs2000_gauss_kruger_shapefile_comes_back_in_lon_lat(tmp_path):
    path = tmp_path / "parks_gk.shp"
    parks_frame("EPSG:4548").to_file(path)  # CGCS2000 / 3-degree Gauss-Kruger CM 117E
    assert_parks(read_boundaries(path))


def test_reads_a_zipped_shapefile(tmp_path):
    parks_frame("EPSG:32650").to_file(tmp_path / "parks.shp")
    archive = tmp_path / "parks.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for part in tmp_path.glob("parks.*"):
            if part != archive:
                bundle.write(part, arcname=f"export/{part.name}")
    assert_parks(read_boundaries(archive))


def test_zip_without_a_shapefile_is_refused(tmp_path):
    archive = tmp_path / "notes.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("readme.txt", "no shapes here")
    with pytest.raises(BoundaryFileError, match="notes.zip: expected one .shp inside the zip, found no shapefile"):
        read_boundaries(archive)


def test_invalid_bow_tie_is_repaired(tmp_path):
    assert not BOW_TIE.is_valid
    path = tmp_path / "bowtie.geojson"
    gpd.GeoDataFrame({"name": ["Bow tie"]}, geometry=[BOW_TIE], crs="EPSG:4326").to_file(path)
    [feature] = read_boundaries(path)
    assert feature.geometry.is_valid
    assert isinstance(feature.geometry, MultiPolygon)
    assert len(feature.geometry.geoms) == 2
    assert feature.geometry.area == pytest.approx(0.005)


@pytest.mark.parametrize(
    ("geometry", "kind"),
    [(Point(117.0, 31.0), "Point"), (LineString([(117.0, 31.0), (117.1, 31.1)]), "LineString")],
)
def test_non_polygon_feature_is_refused_by_number_and_name(tmp_path, geometry, kind):
    path = tmp_path / "gates.geojson"
    gpd.GeoDataFrame(
        {"name": ["Hefei park", "North gate"]}, geometry=[PARK_A, geometry], crs="EPSG:4326"
    ).to_file(path)
    message = rf"gates.geojson, feature 2 \(North gate\): is a {kind}, not a polygon"
    with pytest.raises(BoundaryFileError, match=message):
        read_boundaries(path)


def test_feature_without_geometry_is_refused(tmp_path):
    path = tmp_path / "holes.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": 7}, "geometry": None},
    ]}))
    with pytest.raises(BoundaryFileError, match=r"holes.geojson, feature 1: has no geometry"):
        read_boundaries(path)


def test_shapefile_without_crs_is_refused(tmp_path):
    parks_frame().to_file(tmp_path / "parks.shp")
    (tmp_path / "parks.prj").unlink()
    with pytest.raises(BoundaryFileError, match=r"parks.shp: has no coordinate reference system"):
        read_boundaries(tmp_path / "parks.shp")


def test_geojson_without_crs_is_taken_as_wgs84(tmp_path):
    path = tmp_path / "plain.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Plain"},
         "geometry": {"type": "Polygon", "coordinates": [[[117, 31], [117.1, 31], [117.1, 31.1], [117, 31]]]}},
    ]}))
    [feature] = read_boundaries(path)
    assert feature.geometry.bounds == (117.0, 31.0, 117.1, 31.1)


def test_projected_coordinates_declared_as_lon_lat_are_refused(tmp_path):
    path = tmp_path / "wrong_crs.geojson"
    parks_frame("EPSG:32650").set_crs("EPSG:4326", allow_override=True).to_file(path)
    with pytest.raises(BoundaryFileError, match=r"feature 1 \(Hefei park\): coordinates are not longitude/latitude"):
        read_boundaries(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("parks.csv", "name,wkt\n", r"parks.csv: unsupported file type .csv"),
        ("parks.geojson", "not json at all", r"parks.geojson: cannot be read"),
        ("parks.gpkg", "not a database", r"parks.gpkg: cannot be read"),
        ("parks.zip", "not a zip", r"parks.zip: not a valid zip archive"),
    ],
)
def test_unreadable_files_are_refused_by_name(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(BoundaryFileError, match=message) as info:
        read_boundaries(path)
    assert info.value.field in {"file", "layer"}


def test_file_without_features_is_refused(tmp_path):
    path = tmp_path / "empty.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(BoundaryFileError, match="boundary file empty.geojson: holds no features"):
        read_boundaries(path)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(BoundaryFileError, match="boundary file nowhere.geojson: not found"):
        read_boundaries(tmp_path / "nowhere.geojson")


def test_write_geojson_round_trips(tmp_path):
    path = tmp_path / "out.geojson"
    write_geojson(
        [
            {"properties": {"name": "Hefei park", "area_ha": np.float64(1200.5), "level": np.int64(1)},
             "geometry": PARK_A},
            BoundaryFeature({"name": "Wuhu park", "area_ha": float("nan"), "level": 2}, MultiPolygon([PARK_B])),
        ],
        path,
    )
    assert_parks(read_boundaries(path))
    assert json.loads(path.read_text(encoding="utf-8"))["type"] == "FeatureCollection"
