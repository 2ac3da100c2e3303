"""Park boundaries imported from GeoJSON, GeoPackage and Shapefile, by CLI and admin page."""
import io
import json
import zipfile

import geopandas as gpd
import pytest
import shapely
from sqlalchemy import select

from marketplace.models import Park, Site


def park_frame(crs="EPSG:4326"):
    frame = gpd.GeoDataFrame(
        {"code": ["AH-T1", "AH-T2"], "name_zh": ["测试一园", "测试二园"], "name_en": ["Test park 1", "Test park 2"],
         "level": ["national", "省级"], "city_code": ["340100", "340200"]},
        geometry=[shapely.box(117.20, 31.80, 117.26, 31.86), shapely.box(118.35, 31.30, 118.41, 31.36)],
        crs="EPSG:4326")
    return frame.to_crs(crs)


def write(frame, tmp_path, kind):
    if kind == "geojson":
        path = tmp_path / "parks.geojson"
        frame.to_file(path, driver="GeoJSON")
    elif kind == "gpkg":
        path = tmp_path / "parks.gpkg"
        frame.to_file(path, driver="GPKG")
    else:
        folder = tmp_path / "shp"
        folder.mkdir()
        frame.to_file(folder / "parks.shp")
        path = tmp_path / "parks.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for part in folder.iterdir():
                archive.write(part, part.name)
    return path


@pytest.mark.parametrize("kind", ["geojson", "gpkg", "shp"])
def test_cli_imports_parks_in_each_format(runner, db, tmp_path, kind):
    # The shapefile is in a projected CRS: it must come back as lon/lat.
    frame = park_frame("EPSG:32650" if kind == "shp" else "EPSG:4326")
    result = runner.invoke(args=["parks", "import", str(write(frame, tmp_path, kind))])
    assert result.exit_code == 0, result.output
    assert "2 parks created" in result.output
    parks = {p.code: p for p in db.session.scalars(select(Park))}
    assert set(parks) == {"AH-T1", "AH-T2"}
    assert parks["AH-T2"].level == "provincial" and parks["AH-T1"].name_en == "Test park 1"
    assert parks["AH-T1"].boundary.geom_type == "MultiPolygon"
    assert parks["AH-T1"].boundary.bounds == pytest.approx((117.20, 31.80, 117.26, 31.86), abs=1e-6)


def test_reimport_changes_nothing_and_updates_by_code(runner, db, tmp_path):
    path = write(park_frame(), tmp_path, "geojson")
    runner.invoke(args=["parks", "import", str(path)])
    ids = {p.code: p.id for p in db.session.scalars(select(Park))}
    result = runner.invoke(args=["parks", "import", str(path)])
    assert "0 parks created, 2 updated" in result.output
    db.session.expire_all()
    assert {p.code: p.id for p in db.session.scalars(select(Park))} == ids


def test_import_places_existing_sites_in_parks(runner, db, tmp_path, make_site):
    inside = make_site(lonlat=(117.23, 31.83))
    outside = make_site(lonlat=(117.9, 31.5))
    result = runner.invoke(args=["parks", "import", str(write(park_frame(), tmp_path, "geojson"))])
    assert "1 sites placed in a park" in result.output
    db.session.expire_all()
    assert db.session.get(Site, inside.id).park.code == "AH-T1"
    assert db.session.get(Site, outside.id).park is None


def test_bad_boundary_file_is_refused_and_nothing_stored(runner, db, tmp_path):
    bad = tmp_path / "points.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "好园"}, "geometry": {"type": "Polygon", "coordinates": [
            [[117.2, 31.8], [117.3, 31.8], [117.3, 31.9], [117.2, 31.8]]]}},
        {"type": "Feature", "properties": {"name": "点"}, "geometry": {"type": "Point", "coordinates": [117, 31]}}]}))
    result = runner.invoke(args=["parks", "import", str(bad)])
    assert result.exit_code != 0
    assert "2" in result.output  # the feature number
    assert db.session.scalars(select(Park)).all() == []


def test_not_a_spatial_file(runner, db, tmp_path):
    path = tmp_path / "parks.geojson"
    path.write_text("this is not json")
    result = runner.invoke(args=["parks", "import", str(path)])
    assert result.exit_code != 0 and "Error" in result.output


def test_admin_page_imports_parks(client, auth, make_user, db, tmp_path):
    auth.login(make_user("admin"))
    path = write(park_frame(), tmp_path, "geojson")
    response = client.post("/admin/parks/import", data={
        "boundary_file": (io.BytesIO(path.read_bytes()), "parks.geojson")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert len(db.session.scalars(select(Park)).all()) == 2


def test_admin_page_reports_a_bad_file(client, auth, make_user, db):
    auth.login(make_user("admin"))
    response = client.post("/admin/parks/import", data={
        "boundary_file": (io.BytesIO(b"{}"), "parks.geojson")}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert 'data-field="boundary_file"' in response.get_data(as_text=True)


def test_park_manager_sees_own_parks_on_a_map(client, auth, make_user, make_park):
    mine = make_park(name_zh="我的园区")
    make_park(name_zh="别人的园区")
    auth.login(make_user("park_manager", parks=[mine]))
    page = client.get("/parks/?mine=1").get_data(as_text=True)
    assert "我的园区" in page and "别人的园区" not in page
    assert "parks-map-parks" in page and '"managed": true' in page
