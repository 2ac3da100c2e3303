"""The Anhui demo data set and its accounts."""
import pytest
from sqlalchemy import func, select

from geo.crs import wgs84_to_gcj02
from geo.distance import great_circle_km
from marketplace.models import Licence, Organisation, Park, Site, User


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result.output


def count(db, column, *where):
    return db.session.scalar(select(func.count(column)).where(*where))


def test_demo_builds_parks_companies_sites_and_accounts(db, demo):
    for email in ("plant@demo.local", "recycler@demo.local", "park@demo.local", "admin@demo.local"):
        assert email in demo
    assert "password: demo" in demo
    assert count(db, Park.id, Park.boundary.isnot(None)) >= 12
    companies = db.session.scalars(select(Organisation).join(Site).distinct()).all()
    assert len(companies) >= 150 and all(o.is_demo and o.name_zh.endswith("（演示）") for o in companies)
    # Deliberately flawed rows of the demo: two codes whose check character fails, flagged for the admin.
    assert count(db, Organisation.id, Organisation.credit_code_flagged) == 2
    sectors = {s for s in db.session.scalars(select(Site.sector_code))}
    for wanted in ("3120", "4411", "3011", "3024", "3031", "3211", "2521", "2511", "3841", "4210"):
        assert wanted in sectors, wanted
    # Every prefecture city of Anhui has at least one site.
    cities = set(db.session.scalars(select(Site.city_code)))
    assert {f"34{n:02d}00" for n in (1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 15, 16, 17, 18)} <= cities
    assert count(db, Licence.id, Licence.kind == "hw_permit") >= 5
    scopes = set(db.session.scalars(select(Licence.battery_scope).where(Licence.kind == "battery_listing")))
    assert scopes == {"cascade", "recycling", "both"}
    manager = db.session.scalar(select(User).where(User.email == "park@demo.local"))
    assert manager.roles == {"park_manager"} and manager.managed_parks


def test_demo_load_is_idempotent(runner, db, demo):
    before = (count(db, Park.id), count(db, Organisation.id), count(db, Site.id), count(db, Licence.id),
              count(db, User.id))
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    after = (count(db, Park.id), count(db, Organisation.id), count(db, Site.id), count(db, Licence.id),
             count(db, User.id))
    assert after == before
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "not loaded" in result.output


def test_gcj02_rows_of_the_demo_are_stored_converted(db, demo):
    site = db.session.scalar(select(Site).where(Site.input_crs == "GCJ02"))
    assert site is not None and site.park is not None
    assert site.park.boundary.contains(site.location)


def test_park_manager_signs_in_and_sees_its_parks_on_a_map(client, db, demo):
    response = client.post("/auth/login", data={"email": "park@demo.local", "password": "demo"})
    assert response.status_code == 302 and "/parks/?mine=1" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    manager = db.session.scalar(select(User).where(User.email == "park@demo.local"))
    for park in manager.managed_parks:
        assert park.name_zh in page
    assert "parks-map-parks" in page and '"managed": true' in page and "leaflet.js" in page


def test_demo_plant_adds_a_site_from_gcj02_and_sees_it_converted(client, db, demo):
    client.post("/auth/login", data={"email": "plant@demo.local", "password": "demo"})
    wgs = (118.5064, 31.6892)  # Ma'anshan
    gcj = wgs84_to_gcj02(*wgs)
    response = client.post("/org/sites/new", data={
        "external_ref": "MAS-NEW-01", "name_zh": "新建料场", "sector": "3120", "crs": "GCJ02",
        "lon": f"{gcj[0]:.7f}", "lat": f"{gcj[1]:.7f}", "city": "马鞍山", "park": ""})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    site = db.session.scalar(select(Site).where(Site.external_ref == "MAS-NEW-01"))
    assert great_circle_km(site.lon, site.lat, *wgs) < 0.001
    assert f"{site.lon:.6f}, {site.lat:.6f}" in page and "GCJ02" in page
