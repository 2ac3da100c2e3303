"""An anonymous offer, on every surface, for every role: who may name the plant, and who may not.

The rule (PRODUCT.md 2.3, marketplace/services/disclosure.py): an anonymous side is hidden — organisation,
site name, site reference and exact point — from every other plant and recycler until it answers an
enquiry from them, and from park managers unless the site is in a park they manage; its own people and
administrators see it. Every GET route of the app is fetched as every role (a new route without an entry
in ``URLS`` fails ``test_every_get_route_is_checked``), and the response — HTML, JSON, GeoJSON, CSV, XLSX
— is searched for the hidden names and the exact point. Then the allowed roles must see the names where
the page shows the site, distances to the hidden site must be whole km in 5 km steps, and hidden points
must sit on the one 0.05° grid.
"""
from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass

import pytest

from marketplace.services.disclosure import grid, hidden_km, rounded_km
from tests.conftest import Factories, module_world

# The anonymous supplier: its names and its exact point (the digits of which nothing else in the world shares).
SECRET_ORG = ("隐秘热电集团", "Hush Energy Group")
SECRET_SITE = ("隐秘热电厂", "Hush Power Works")
SECRET_REF = "HUSH-REF-7"
SECRET_POINT = (117.263471, 31.821706)
SECRETS = (*SECRET_ORG, *SECRET_SITE, SECRET_REF, "117.26347", "31.82170")
# Any number this close to the secret point's lon and another to its lat gives it away to within a few
# hundred metres (search once rounded it to 0.01°); the grid point is farther off than this.
NEAR_DEG = 0.006
GRID_POINT = (grid(SECRET_POINT[0]), grid(SECRET_POINT[1]))  # (117.25, 31.8)

HIDDEN_FROM = ("other_plant", "recycler", "other_manager", "anonymous")
SEES_ALL = ("supplier", "home_manager", "admin")
ROLES = HIDDEN_FROM + SEES_ALL


@dataclass
class World:
    emails: dict
    ids: dict


def build_world(db) -> World:
    """A power plant in the HOME park posts its fly ash anonymously; a cement plant in the OTHER park wants it;
    a run proposes the link. A recycler elsewhere searches; each park has its manager."""
    from marketplace.services.matching import start_run

    make = Factories(db)
    home = make.park(code="HOME", centre=(117.35, 31.75))
    other = make.park(code="OTHER", centre=(117.45, 31.9))
    secret_org = make.org(name_zh=SECRET_ORG[0], name_en=SECRET_ORG[1])
    cement_org = make.org(name_zh="乙水泥公司", name_en="Cement Co B")
    recycler_org = make.org(name_zh="丙再生公司", name_en="Recycler C")
    secret = make.site(organisation=secret_org, park=home, sector_code="4411", lonlat=SECRET_POINT,
                       name_zh=SECRET_SITE[0], name_en=SECRET_SITE[1], external_ref=SECRET_REF)
    cement = make.site(organisation=cement_org, park=other, sector_code="3011", lonlat=(117.45, 31.9),
                       name_zh="乙水泥厂", name_en="Cement B")
    recycler_site = make.site(organisation=recycler_org, sector_code="4220", lonlat=(117.6, 31.5),
                              name_zh="丙再生厂", name_en="Recycler C works")
    offer = make.listing(site=secret, kind="offer", material="coal-fly-ash", quantity=10_000, visibility="anonymous")
    want = make.listing(site=cement, kind="want", material="coal-fly-ash", quantity=6_000)
    users = {
        "supplier": make.user("plant", organisation=secret_org),
        "other_plant": make.user("plant", organisation=cement_org),
        "recycler": make.user("recycler", organisation=recycler_org),
        "home_manager": make.user("park_manager", organisation=make.org(), parks=[home]),
        "other_manager": make.user("park_manager", organisation=make.org(), parks=[other]),
        "admin": make.user("admin", organisation=make.org()),
    }
    run = start_run(park=None)
    (link,) = run.links
    from marketplace.models import Enquiry, EnquiryMessage, SavedSearch

    # The recycler asked about the offer; the supplier has not answered.
    enquiry = Enquiry(listing=offer, organisation=recycler_org, messages=[
        EnquiryMessage(organisation_id=recycler_org.id, user_id=users["recycler"].id, body="Grade II?")])
    saved = SavedSearch(user_id=users["recycler"].id, name="fly ash", params={
        "lon": 117.6, "lat": 31.5, "radius_km": 150.0, "material_codes": ["coal-fly-ash"]})
    db.session.add_all([enquiry, saved])
    db.session.commit()
    ids = {"home": home.id, "other": other.id, "secret_site": secret.id, "cement_site": cement.id,
           "recycler_site": recycler_site.id, "offer": offer.id, "want": want.id, "link": link.id, "run": run.id,
           "enquiry": enquiry.id, "saved": saved.id, "org": secret_org.id,
           "user": users["other_plant"].id}
    return World({role: user.email for role, user in users.items()}, ids)


world, app = module_world(build_world)

SEARCH = "material=coal-fly-ash&lon=117.6&lat=31.5&radius_km=150"
# Every GET route, as the URLs that exercise it; sites appear in most of them. A route that can show no site
# still gets an entry (its page is searched all the same).
URLS = {
    "main.home": ["/"],
    "admin.index": ["/admin/"],
    "classification.queue": ["/admin/classification/"],
    "admin.import_parks": ["/admin/parks/import"],
    "admin.users": ["/admin/users"],
    "admin.new_user": ["/admin/users/new"],
    "admin.organisation": ["/admin/orgs/{org}"],
    "admin.knowledge": ["/admin/knowledge"],
    "admin.new_entry": ["/admin/knowledge/material/new"],
    "admin.edit_entry": ["/admin/knowledge/material/coal-fly-ash"],
    "admin.export_knowledge": ["/admin/knowledge/export.yaml"],
    "api_docs.page": ["/api/v1/docs"],
    "admin.edit_user": ["/admin/users/{user}"],
    "api_classification.ClassificationQueue": ["/api/v1/classification"],
    "api_match_runs.Links": ["/api/v1/links"],
    "api_match_runs.LinkResource": ["/api/v1/links/{link}"],
    "api_listings.Listings": ["/api/v1/listings", "/api/v1/listings?kind=offer"],
    "api_listings.ListingResource": ["/api/v1/listings/{offer}"],
    "api_match_runs.MatchRunResource": ["/api/v1/match-runs/{run}"],
    "api_materials.Materials": ["/api/v1/materials"],
    "api_materials.MaterialResource": ["/api/v1/materials/coal-fly-ash"],
    "api_me.Me": ["/api/v1/me"],
    "api_network.ProvinceNetwork": ["/api/v1/network"],
    "api_network.ProvinceIndicators": ["/api/v1/network/indicators"],
    "api_search.OfferSearch": [f"/api/v1/offers/search?{SEARCH}", f"/api/v1/offers/search?{SEARCH}&sort=score",
                               "/api/v1/offers/search?material=coal-fly-ash&lon=117.27&lat=31.83&radius_km=5"],
    "api-docs.openapi_json": ["/api/v1/openapi.json"],
    "api_docs.page": ["/api/v1/docs"],
    "api_parks.Parks": ["/api/v1/parks"],
    "api_parks.ParkBoundary": ["/api/v1/parks/{home}/boundary"],
    "api_network.ParkIndicators": ["/api/v1/parks/{home}/indicators", "/api/v1/parks/{other}/indicators"],
    "api_network.ParkNetwork": ["/api/v1/parks/{home}/network", "/api/v1/parks/{other}/network"],
    "api_sites.Sites": ["/api/v1/sites"],
    "api_sites.SiteResource": ["/api/v1/sites/{secret_site}"],
    "api_network.SiteClosure": ["/api/v1/sites/{secret_site}/closure", "/api/v1/sites/{cement_site}/closure"],
    "auth.login": ["/auth/login"],
    "auth.signup": ["/auth/signup"],
    "main.set_language": ["/lang/en"],
    "links.mine": ["/links/"],
    "links.detail": ["/links/{link}"],
    "links.runs": ["/links/runs"],
    "links.run": ["/links/runs/{run}"],
    "links.run_progress": ["/links/runs/{run}/progress"],
    "listings.detail": ["/listings/{offer}", "/listings/{want}"],
    "listings.edit": ["/listings/{offer}/edit"],
    "listings.enquire": ["/listings/{offer}/enquire"],
    "listings.enquiries": ["/listings/enquiries"],
    "listings.enquiry": ["/listings/enquiries/{enquiry}"],
    "listings.export": ["/listings/export.csv", "/listings/export.xlsx"],
    "listings.import_listings": ["/listings/import"],
    "listings.template": ["/listings/import/template.csv"],
    "listings.material_choices_json": ["/listings/materials.json?q=粉煤"],
    "listings.quality_fields_json": ["/listings/quality-fields.json?material=粉煤灰"],
    "listings.mine": ["/listings/mine"],
    "listings.new": ["/listings/new/offer"],
    "materials.index": ["/materials/"],
    "materials.detail": ["/materials/coal-fly-ash"],
    "map_labels": ["/labels.json"],
    "network.boundaries": ["/network/boundaries/prefecture.geojson"],
    "network.province_indicators": ["/network/indicators"],
    "network.province_export": ["/network/links.csv", "/network/links.xlsx"],
    "network.province_map": ["/network/map"],
    "network.province_report": ["/network/report"],
    "network.province_report_pdf": ["/network/report.pdf"],
    "network.province_layers": ["/network/network.zip"],
    "orgs.my_organisation": ["/org"],
    "orgs.edit_organisation": ["/org/edit"],
    "orgs.new_licence": ["/org/licences/new"],
    "orgs.new_site": ["/org/sites/new"],
    "parks.index": ["/parks/"],
    "parks.detail": ["/parks/{home}", "/parks/{other}"],
    "network.park_indicators_page": ["/parks/{home}/indicators", "/parks/{other}/indicators"],
    "network.park_export": ["/parks/{home}/links.csv", "/parks/{home}/links.xlsx", "/parks/{other}/links.csv",
                            "/parks/{other}/links.xlsx"],
    "network.park_map": ["/parks/{home}/map", "/parks/{other}/map"],
    "network.park_report": ["/parks/{home}/report", "/parks/{other}/report"],
    "network.park_report_pdf": ["/parks/{home}/report.pdf", "/parks/{other}/report.pdf"],
    "network.park_layers": ["/parks/{home}/network.zip", "/parks/{other}/network.zip"],
    "search.notifications": ["/search/notifications"],
    "search.offers": [f"/search/offers?{SEARCH}", f"/search/offers?{SEARCH}&sort=score"],
    "search.saved": ["/search/saved"],
    "orgs.site_detail": ["/sites/{secret_site}"],
    "orgs.edit_site": ["/sites/{secret_site}/edit"],
    "orgs.sectors_to_confirm": ["/sites/to-confirm"],
    # Files served as they are on disk: no data in them.
    "static": [],
    "vendor.asset": [],
    "vendor.npm_asset": [],
}
# Where each role that may see the site must find its name (the surface shows the site to that role).
SHOWN = {
    "/listings/{offer}": SEES_ALL,
    "/api/v1/listings/{offer}": SEES_ALL,
    "/links/{link}": SEES_ALL,
    "/api/v1/links/{link}": SEES_ALL,
    "/links/runs/{run}": SEES_ALL,
    "/api/v1/match-runs/{run}": SEES_ALL,
    "/api/v1/network": SEES_ALL,
    "/api/v1/parks/{home}/network": SEES_ALL,
    "/parks/{home}/links.csv": SEES_ALL,
    "/parks/{home}/links.xlsx": SEES_ALL,
    "/parks/{home}": SEES_ALL,
    "/parks/{home}/report": ("home_manager", "admin"),
    "/parks/{home}/report.pdf": ("home_manager", "admin"),
    "/parks/{home}/network.zip": SEES_ALL,
    "/api/v1/sites/{secret_site}/closure": SEES_ALL,
    "/api/v1/sites/{cement_site}/closure": ("admin",),
}


def text_of(response) -> str:
    """The response as searchable text: JSON re-dumped without \\u escapes, XLSX cells, HTML with its embedded JSON."""
    data = response.get_data()
    if data[:5] == b"%PDF-":  # the report: its text, as a reader copies it out
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    if data[:2] == b"PK" and "[Content_Types].xml" not in zipfile.ZipFile(io.BytesIO(data)).namelist():
        archive = zipfile.ZipFile(io.BytesIO(data))  # GeoJSON layers
        return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    if data[:2] == b"PK":  # XLSX
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(",".join("" if v is None else str(v) for v in row) + ","
                         for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    text = data.decode("utf-8-sig", errors="replace")
    if response.is_json:
        text = json.dumps(response.get_json(), ensure_ascii=False)
    # tojson in templates writes non-ASCII and < > & as \\uXXXX.
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def leaks(text: str, *, points: bool = True) -> list[str]:
    """The secrets in ``text``: names, reference, and a lon and a lat near the exact point (unless ``points``
    is false, for the province's base layer, whose county lines run anywhere)."""
    found = [secret for secret in SECRETS if secret in text]
    numbers = [float(n) for n in re.findall(r"\d+\.\d+", text)]
    near = [[n for n in numbers if abs(n - exact) < NEAR_DEG] for exact in SECRET_POINT]
    if points and all(near):
        found.append(f"a point near the exact one: {near}")
    return found


def bearer(db, world, role) -> dict:
    from marketplace.models import User
    from marketplace.services.accounts import issue_api_token

    user = db.session.scalar(db.select(User).where(User.email == world.emails[role]))
    return {"Authorization": f"Bearer {issue_api_token(user)}"}


def login(client, auth, world, role):
    if role != "anonymous":
        assert auth.login(world.emails[role]).status_code == 302


CASES = [pytest.param(role, endpoint, id=f"{endpoint} as {role}") for endpoint in URLS if URLS[endpoint]
         for role in HIDDEN_FROM]


def exact_figures(db, world) -> list[str]:
    """The link's transport cost, net benefit and CO2 for its exact distance, as a page, a file or JSON would
    write them: any of them gives the exact distance back to whoever knows the value of the use."""
    from marketplace.models import Link
    from marketplace.services.disclosure import link_figures

    link = db.session.get(Link, world.ids["link"])
    shown = link_figures(link, revealed=False)
    pairs = ((link.transport_cost_cny, shown.transport_cost_cny), (link.net_benefit_cny, shown.net_benefit_cny),
             (link.co2_avoided_t, shown.co2_avoided_t))
    # A format in which the two coincide (CO2 to the tonne, when transport emits little) gives nothing away.
    return [exact_text for exact, seen in pairs for form in ("{:,.0f}", "{:.0f}", "{!r}", "{:,.1f}")
            if (exact_text := form.format(exact)) != form.format(seen)]


@pytest.mark.parametrize(("role", "endpoint"), CASES)
def test_no_surface_names_the_anonymous_supplier(client, auth, world, db, role, endpoint):
    login(client, auth, world, role)
    figures = exact_figures(db, world)
    for template in URLS[endpoint]:
        url = template.format(**world.ids)
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code == 200:
            text = text_of(response)
            assert leaks(text, points=endpoint != "network.boundaries") == [], f"{url} as {role}"
            assert [f for f in figures if re.search(rf"(?<![\d.,]){re.escape(f)}(?![\d]|[.,]\d)", text)] == [], \
                f"{url} as {role}: a figure for the exact distance"


def test_every_get_route_is_checked(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    assert endpoints - set(URLS) == set(), "GET routes the disclosure test does not fetch"


@pytest.mark.parametrize(("template", "role"), [pytest.param(t, r, id=f"{t} as {r}")
                                                for t, roles in SHOWN.items() for r in roles])
def test_those_allowed_see_the_supplier(client, auth, world, template, role):
    login(client, auth, world, role)
    response = client.get(template.format(**world.ids))
    assert response.status_code == 200
    text = text_of(response)
    assert SECRET_ORG[0] in text or SECRET_SITE[0] in text or SECRET_SITE[1] in text


@pytest.mark.parametrize("role", HIDDEN_FROM[:3])
def test_posted_answers_name_nobody(client, auth, world, db, role, monkeypatch):
    """What a run or an answer sends back is shown the same way (a run started by the other park's manager,
    the receiver's acceptance)."""
    login(client, auth, world, role)
    if role == "other_manager":
        from marketplace.services import jobs

        # What the POST answers is the queued run; its result is read at its URL (a route fetched above). Not
        # executed here: this module's cases share one connection, which a worker thread must not use.
        monkeypatch.setattr(jobs, "submit_run", lambda run_id: None)
        response = client.post("/api/v1/match-runs", json={"park": "OTHER"}, headers=bearer(db, world, role))
        assert response.status_code == 202
    elif role == "other_plant":
        response = client.post(f"/api/v1/links/{world.ids['link']}/decision", json={"accept": True},
                               headers=bearer(db, world, role))
        assert response.status_code == 200
    else:
        response = client.get(f"/api/v1/offers/search?{SEARCH}")
    assert leaks(text_of(response)) == []


def test_answering_an_enquiry_names_the_supplier_to_that_organisation_only(client, auth, world, db):
    from marketplace.models import Enquiry, EnquiryMessage, User

    enquiry = db.session.get(Enquiry, world.ids["enquiry"])
    supplier = db.session.scalar(db.select(User).where(User.email == world.emails["supplier"]))
    enquiry.messages.append(EnquiryMessage(organisation_id=supplier.organisation_id, user_id=supplier.id,
                                           body="Yes, grade II."))
    db.session.commit()
    login(client, auth, world, "recycler")
    assert SECRET_ORG[0] in text_of(client.get(f"/listings/{world.ids['offer']}"))
    hits = client.get(f"/api/v1/offers/search?{SEARCH}").get_json()["hits"]
    assert [(h["lon"], h["lat"]) for h in hits] == [SECRET_POINT]
    auth.logout()
    for role in ("other_plant", "other_manager"):
        login(client, auth, world, role)
        assert leaks(text_of(client.get(f"/listings/{world.ids['offer']}"))) == []
        assert leaks(text_of(client.get("/api/v1/parks/{other}/network".format(**world.ids)))) == []
        auth.logout()


def test_accepting_the_link_names_the_supplier_to_the_receiver_not_to_its_park(client, auth, world, db):
    login(client, auth, world, "supplier")
    assert client.post(f"/api/v1/links/{world.ids['link']}/decision", json={"accept": True},
                       headers=bearer(db, world, "supplier")).status_code == 200
    auth.logout()
    login(client, auth, world, "other_plant")
    body = client.get(f"/api/v1/links/{world.ids['link']}").get_json()
    assert body["offer"]["organisation"] == SECRET_ORG[0] and SECRET_SITE[0] in body["explanation"]["zh"]
    auth.logout()
    login(client, auth, world, "other_manager")
    assert leaks(text_of(client.get(f"/api/v1/links/{world.ids['link']}"))) == []
    assert leaks(text_of(client.get("/parks/{other}/links.csv".format(**world.ids)))) == []


def test_search_gives_a_hidden_offer_only_its_grid_point_and_a_rounded_distance(client, auth, world):
    """Three searches from three places: each distance is the rounded one from the grid point, never the exact."""
    login(client, auth, world, "recycler")
    for lon, lat in ((117.6, 31.5), (117.0, 31.6), (117.4, 32.1)):
        body = client.get(f"/api/v1/offers/search?material=coal-fly-ash&lon={lon}&lat={lat}&radius_km=150").get_json()
        (hit,) = body["hits"]
        assert (hit["lon"], hit["lat"]) == GRID_POINT and hit["supplier"] is None
        km = hit["distance_km"]
        assert km == int(km) and km % 5 == 0 and km >= 5
        assert km == rounded_km(_great_circle(lon, lat, *GRID_POINT))
        assert hit["road_distance_km"] == pytest.approx(km * 1.3, abs=0.1)
        html = client.get(f"/search/offers?material=coal-fly-ash&lon={lon}&lat={lat}&radius_km=150").get_data(
            as_text=True)
        assert f">{km:.1f}<" in html


def _great_circle(lon1, lat1, lon2, lat2) -> float:
    from geo.distance import great_circle_km

    return float(great_circle_km(lon1, lat1, lon2, lat2))


def test_distances_to_a_hidden_site_are_rounded_on_links_and_maps(client, auth, world):
    login(client, auth, world, "other_plant")
    link = client.get(f"/api/v1/links/{world.ids['link']}").get_json()
    assert link["distance_km"] % 5 == 0
    network = client.get("/api/v1/parks/{other}/network".format(**world.ids)).get_json()
    (line,) = [f for f in network["features"] if f["properties"]["kind"] == "link"]
    assert line["properties"]["distance_km"] % 5 == 0
    assert re.search(r"约\d*[05]公里", line["properties"]["explanation_zh"])
    assert re.search(r"\b\d*[05] km", line["properties"]["explanation_en"])


def test_figures_with_a_hidden_side_are_those_of_the_rounded_distance(client, auth, world, db):
    """Transport is costed again for the rounded road distance; the net benefit and the CO2 balance move by the
    difference, in the JSON, on the map and in the sentence, whose figures match the JSON's."""
    from marketplace.models import Link

    link = db.session.get(Link, world.ids["link"])
    road = link.distance_km * 1.3
    shown_road = rounded_km(road)
    assert shown_road != pytest.approx(road, abs=0.01)  # the case shows something
    transport = link.transport_cost_cny * shown_road / road
    net = link.net_benefit_cny + link.transport_cost_cny - transport
    co2 = link.co2_avoided_t + link.transport_co2_t * (1 - shown_road / road)
    assert link.transport_co2_t > 0

    login(client, auth, world, "other_plant")
    body = client.get(f"/api/v1/links/{world.ids['link']}").get_json()
    assert body["transport_cost_cny"] == pytest.approx(transport)
    assert body["net_benefit_cny"] == pytest.approx(net)
    assert body["co2_avoided_t"] == pytest.approx(co2)
    assert f"{shown_road} km by road" in body["explanation"]["en"]
    assert f"after {transport / link.quantity:,.0f} CNY/t transport" in body["explanation"]["en"] \
        or f"after {transport / link.quantity:.2f} CNY/t transport" in body["explanation"]["en"]
    assert f"{co2:,.0f} t CO2 avoided" in body["explanation"]["en"]
    network = client.get("/api/v1/parks/{other}/network".format(**world.ids)).get_json()
    (line,) = [f for f in network["features"] if f["properties"]["kind"] == "link"]
    assert line["properties"]["net_benefit_cny"] == pytest.approx(net)
    assert line["properties"]["co2_avoided_t"] == pytest.approx(co2)

    auth.logout()
    login(client, auth, world, "admin")
    body = client.get(f"/api/v1/links/{world.ids['link']}").get_json()
    assert body["transport_cost_cny"] == pytest.approx(link.transport_cost_cny)
    assert body["net_benefit_cny"] == pytest.approx(link.net_benefit_cny)
    assert f"{link.co2_avoided_t:,.0f} t CO2 avoided" in body["explanation"]["en"]


@pytest.mark.parametrize("url", ["/api/v1/network", "/api/v1/parks/{other}/network", "/listings/{offer}",
                                 "/links/{link}", "/parks/{home}"])
def test_hidden_points_sit_on_the_one_grid(client, auth, world, url):
    """Wherever the hidden site is drawn for someone who may not see it, it is at its 0.05° grid point."""
    login(client, auth, world, "other_plant" if "parks/{home}" not in url else "recycler")
    text = text_of(client.get(url.format(**world.ids)))
    points = [tuple(map(float, p)) for p in re.findall(r"\[\s*(1\d\d\.\d+),\s*(\d\d\.\d+)\s*\]", text)]
    near = [p for p in points if abs(p[0] - SECRET_POINT[0]) < 0.05 and abs(p[1] - SECRET_POINT[1]) < 0.05]
    assert near and all(p == GRID_POINT for p in near)


def test_rounding_and_grid_helpers():
    assert GRID_POINT == (117.25, 31.8)
    assert [rounded_km(km) for km in (0.0, 2.4, 2.6, 7.49, 7.51, 101.0)] == [5, 5, 5, 5, 10, 100]

    class Site:  # a site at the secret point
        lon, lat = SECRET_POINT

    assert hidden_km(*GRID_POINT, Site) == 5  # even at the grid point itself: never below one step
