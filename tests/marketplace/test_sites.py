"""Adding and editing sites: coordinates, systems, city, sector, park."""
import pytest
from sqlalchemy import func, select

from geo.crs import wgs84_to_gcj02
from geo.distance import great_circle_km
from marketplace.models import Site

# A point in Hefei (WGS-84).
HEFEI = (117.2272, 31.8206)


def site_form(**overrides):
    form = {"external_ref": "HF-01", "name_zh": "合肥一厂", "name_en": "Hefei plant 1", "sector": "3011",
            "crs": "WGS84", "lon": str(HEFEI[0]), "lat": str(HEFEI[1]), "city": "340100", "park": ""}
    form.update(overrides)
    return form


@pytest.fixture
def plant(make_user, auth):
    user = make_user("plant")
    auth.login(user)
    return user


def site_count(db):
    return db.session.scalar(select(func.count(Site.id)))


def test_add_site_in_wgs84(client, db, plant):
    response = client.post("/org/sites/new", data=site_form())
    assert response.status_code == 302
    site = db.session.scalar(select(Site))
    assert site.organisation_id == plant.organisation_id
    assert (site.lon, site.lat) == pytest.approx(HEFEI, abs=1e-9)
    assert site.input_crs == "WGS84" and site.sector_code == "3011" and site.city_code == "340100"


def test_gcj02_input_is_converted_to_wgs84(client, db, plant):
    gcj_lon, gcj_lat = wgs84_to_gcj02(*HEFEI)
    # The GCJ-02 offset in Hefei is hundreds of metres: storing it unconverted would be a real error.
    assert great_circle_km(gcj_lon, gcj_lat, *HEFEI) > 0.2
    response = client.post("/org/sites/new", data=site_form(crs="GCJ02", lon=f"{gcj_lon:.7f}", lat=f"{gcj_lat:.7f}"))
    assert response.status_code == 302
    site = db.session.scalar(select(Site))
    assert great_circle_km(site.lon, site.lat, *HEFEI) < 0.001
    assert site.input_crs == "GCJ02"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{HEFEI[0]:.4f}" in page and "GCJ02" in page


def test_cgcs2000_is_taken_as_wgs84(client, db, plant):
    assert client.post("/org/sites/new", data=site_form(crs="CGCS2000")).status_code == 302
    site = db.session.scalar(select(Site))
    assert (site.lon, site.lat) == pytest.approx(HEFEI, abs=1e-9)


# The words of the catalogue's Chinese for the problems named below.
IN_CHINESE = {"swapped": "经纬度似乎填反了（经度=31.8206，纬度=117.2272）",
              "outside": "在服务区域（安徽省（340000）及其周边 20 公里）之外"}


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"lon": str(HEFEI[1]), "lat": str(HEFEI[0])}, "lon", "swapped"),
    ({"lon": "121.47", "lat": "31.23"}, "lon", "outside"),
    ({"lon": "east", "lat": "31.8"}, "lon", ""),
    ({"lat": "95"}, "lon", ""),
    ({"city": "999999"}, "city", ""),
    # An unknown sector is not bad input (PRODUCT 2.2): it is stored to confirm, see test_site_sectors.py.
    ({"sector": ""}, "sector", ""),
    ({"external_ref": ""}, "external_ref", ""),
    ({"park": "NO-SUCH-PARK"}, "park", ""),
])
def test_bad_site_input_names_the_field_and_stores_nothing(client, db, plant, overrides, field, words):
    response = client.post("/org/sites/new", data=site_form(**overrides))  # the default language, zh
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'data-field="{field}"' in page
    assert IN_CHINESE.get(words, "") in page
    client.get("/lang/en")
    response = client.post("/org/sites/new", data=site_form(**overrides))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'data-field="{field}"' in page
    assert words.lower() in page.lower()
    assert site_count(db) == 0


def test_duplicate_reference_in_one_organisation_is_refused(client, db, plant):
    assert client.post("/org/sites/new", data=site_form()).status_code == 302
    response = client.post("/org/sites/new", data=site_form(name_zh="另一厂"))
    assert response.status_code == 400 and 'data-field="external_ref"' in response.get_data(as_text=True)
    assert site_count(db) == 1


def test_site_without_park_gets_the_park_that_contains_it(client, db, plant, make_park):
    park = make_park(centre=HEFEI)
    make_park(centre=(HEFEI[0] + 0.5, HEFEI[1]))
    assert client.post("/org/sites/new", data=site_form()).status_code == 302
    assert db.session.scalar(select(Site)).park_id == park.id


def test_city_defaults_to_the_park_city(client, db, plant, make_park):
    make_park(centre=HEFEI, city_code="340100")
    assert client.post("/org/sites/new", data=site_form(city="")).status_code == 302
    assert db.session.scalar(select(Site)).city_code == "340100"


def test_city_and_sector_accept_names(client, db, plant):
    assert client.post("/org/sites/new", data=site_form(city="合肥市", sector="水泥制造")).status_code == 302
    site = db.session.scalar(select(Site))
    assert site.city_code == "340100" and site.sector_code == "3011"


def test_edit_site(client, db, plant, make_site):
    site = make_site(organisation=plant.organisation)
    response = client.post(f"/sites/{site.id}/edit", data=site_form(name_zh="新名字", lon="117.30", lat="31.90"))
    assert response.status_code == 302
    db.session.refresh(site)
    assert site.name_zh == "新名字" and (site.lon, site.lat) == pytest.approx((117.30, 31.90))


def test_failed_edit_leaves_the_site_as_it_was(client, db, plant, make_site):
    site = make_site(organisation=plant.organisation, name_zh="原名")
    response = client.post(f"/sites/{site.id}/edit", data=site_form(name_zh="新名字", lon="200"))
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Site, site.id).name_zh == "原名"


def test_my_sites_page_shows_them_on_a_map(client, plant, make_site):
    make_site(organisation=plant.organisation, name_zh="地图上的厂")
    page = client.get("/org").get_data(as_text=True)
    assert "地图上的厂" in page and 'class="symbiosis-map' in page and "org-map-sites" in page


def test_park_page_hides_site_names_from_non_managers(client, auth, make_user, make_park, make_site):
    park = make_park()
    make_site(park=park, name_zh="保密厂区", lonlat=park.boundary.centroid.coords[0])
    auth.login(make_user("recycler"))
    page = client.get(f"/parks/{park.id}").get_data(as_text=True)
    assert "保密厂区" not in page
    client.post("/auth/logout")
    auth.login(make_user("park_manager", parks=[park]))
    assert "保密厂区" in client.get(f"/parks/{park.id}").get_data(as_text=True)


def test_licence_form_validates_hw_codes(client, db, plant):
    from marketplace.models import Licence

    response = client.post("/org/licences/new", data={"kind": "hw_permit", "hw_codes": "HW99", "site": "",
                                                      "capacity_t_per_yr": "1000"})
    assert response.status_code == 400 and 'data-field="hw_codes"' in response.get_data(as_text=True)
    response = client.post("/org/licences/new", data={"kind": "hw_permit", "hw_codes": "HW08, 900-052-31",
                                                      "site": "", "capacity_t_per_yr": "20000",
                                                      "expires_on": "2029-06-30"})
    assert response.status_code == 302
    licence = db.session.scalar(select(Licence))
    assert licence.hw_code_list == ["HW08", "900-052-31"] and licence.capacity_t_per_yr == 20000
