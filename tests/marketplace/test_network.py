"""The network GeoJSON API, map page and exports: what each viewer sees, and bad input."""
from __future__ import annotations

import csv
import io
import json
import re

import openpyxl
import pytest

from marketplace.models import Link, MatchRun


@pytest.fixture
def make_link(db):
    run = {}

    def make(offer, receiver_site, *, want=None, quantity=1000.0, status="proposed", coupling=None):
        if "run" not in run:
            run["run"] = MatchRun(parameters={})
            db.session.add(run["run"])
        link = Link(run=run["run"], offer_id=offer.id, want_id=want.id if want else None,
                    supplier_site_id=offer.site_id, receiver_site_id=receiver_site.id,
                    material_code=offer.material_codes[0], quantity=quantity, unit=offer.base_unit, distance_km=12.5,
                    transport_cost_cny=1000.0, net_benefit_cny=5000.0, co2_avoided_t=40.0, score=1.0,
                    same_park=offer.site.park_id is not None and offer.site.park_id == receiver_site.park_id,
                    coupling=coupling, latent=want is None, explanation_zh="粉煤灰用于水泥",
                    explanation_en="Fly ash for cement", status=status)
        db.session.add(link)
        db.session.commit()
        return link

    return make


@pytest.fixture
def net(make_org, make_park, make_site, make_user, make_listing, make_link):
    """A park with a power plant sending fly ash to a cement works inside and to an anonymous one outside."""
    park = make_park(code="NET", centre=(117.2, 31.8))
    power, cement, hidden = make_org(), make_org(), make_org()
    plant = make_site(organisation=power, park=park, lonlat=(117.2, 31.8), sector_code="4411")
    works = make_site(organisation=cement, park=park, lonlat=(117.21, 31.81), sector_code="3011")
    outside = make_site(organisation=hidden, lonlat=(117.613, 31.427), sector_code="3011")
    offer = make_listing(site=plant, material="coal-fly-ash", quantity=10_000, visibility="named")
    want = make_listing(site=outside, kind="want", material="coal-fly-ash", visibility="anonymous")
    links = {
        "inside": make_link(offer, works, quantity=3000.0, status="agreed", coupling="power-building-materials"),
        "outside": make_link(offer, outside, want=want, quantity=2000.0, status="proposed"),
        "declined": make_link(offer, works, quantity=500.0, status="declined"),
    }
    users = {"manager": make_user("park_manager", parks=[park]),
             "power": make_user("plant", organisation=power),
             "hidden": make_user("recycler", organisation=hidden),
             "stranger": make_user("park_manager", parks=[make_park(code="ELSE")])}
    return {"park": park, "plant": plant, "works": works, "outside": outside, "links": links, "users": users}


def _features(collection, kind):
    return {f["properties"]["pk"]: f for f in collection["features"] if f["properties"]["kind"] == kind}


def test_manager_sees_sites_as_points_and_shown_links_as_lines(client, auth, net):
    auth.login(net["users"]["manager"])
    response = client.get(f"/api/v1/parks/{net['park'].id}/network")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    collection = response.get_json()
    assert collection["type"] == "FeatureCollection"
    sites, links = _features(collection, "site"), _features(collection, "link")
    assert set(sites) == {net["plant"].id, net["works"].id, net["outside"].id}
    assert {f["geometry"]["type"] for f in sites.values()} == {"Point"}
    # Declined links are history, not network.
    assert set(links) == {net["links"]["inside"].id, net["links"]["outside"].id}
    inside = links[net["links"]["inside"].id]
    assert inside["geometry"] == {"type": "LineString", "coordinates": [[117.2, 31.8], [117.21, 31.81]]}
    p = inside["properties"]
    assert (p["material_code"], p["material_family"], p["quantity"], p["unit"], p["status"]) == (
        "coal-fly-ash", "ash", 3000.0, "t", "agreed")
    assert (p["coupling"], p["explanation_en"], p["explanation_zh"]) == ("power-building-materials",
                                                                          "Fly ash for cement", "粉煤灰用于水泥")
    assert sites[net["plant"].id]["properties"]["name"] == net["plant"].name_zh


def test_anonymous_receiver_is_hidden_from_the_supplier(client, auth, net):
    auth.login(net["users"]["power"])
    collection = client.get(f"/api/v1/parks/{net['park'].id}/network").get_json()
    sites = _features(collection, "site")
    outside = sites[net["outside"].id]["properties"]
    assert (outside["revealed"], outside["name"], outside["organisation"], outside["site_id"]) == (False, None, None, None)
    # Snapped to the 0.05° grid, and the link ends where the point is drawn.
    assert sites[net["outside"].id]["geometry"]["coordinates"] == [117.6, 31.45]
    line = _features(collection, "link")[net["links"]["outside"].id]
    assert line["geometry"]["coordinates"][1] == [117.6, 31.45]
    assert sites[net["plant"].id]["properties"]["name"] == net["plant"].name_zh


def test_plants_see_only_links_they_are_party_to(client, auth, net, make_org, make_site, make_listing, make_link):
    other = make_site(organisation=make_org(), park=net["park"], lonlat=(117.19, 31.79))
    foreign = make_link(make_listing(site=other, material="fgd-gypsum"), net["works"], quantity=100.0)
    auth.login(net["users"]["hidden"])
    links = _features(client.get(f"/api/v1/parks/{net['park'].id}/network").get_json(), "link")
    assert set(links) == {net["links"]["outside"].id}
    auth.logout()
    auth.login(net["users"]["manager"])
    links = _features(client.get(f"/api/v1/parks/{net['park'].id}/network").get_json(), "link")
    assert foreign.id in links


@pytest.mark.parametrize(("user", "expected"), [("manager", 2), ("power", 2), ("hidden", 1), ("admin", 3)])
def test_province_network_follows_the_scope(client, auth, net, make_org, make_site, make_listing, make_link, make_user,
                                            user, expected):
    far = make_site(organisation=make_org(), lonlat=(118.3, 31.3))
    make_link(make_listing(site=far, material="fgd-gypsum"), make_site(lonlat=(118.4, 31.2)), quantity=100.0)
    auth.login(make_user("admin") if user == "admin" else net["users"][user])
    collection = client.get("/api/v1/network").get_json()
    assert len(_features(collection, "link")) == expected


def test_park_without_boundary_still_returns_its_sites_and_links(client, auth, db, net):
    net["park"].boundary = None
    db.session.commit()
    auth.login(net["users"]["manager"])
    collection = client.get(f"/api/v1/parks/{net['park'].id}/network").get_json()
    assert len(_features(collection, "site")) == 3 and len(_features(collection, "link")) == 2
    page = client.get(f"/parks/{net['park'].id}/map")
    assert page.status_code == 200
    assert "尚无边界数据" in page.get_data(as_text=True)


def test_empty_park_returns_an_empty_collection(client, auth, make_park, make_user):
    park = make_park()
    auth.login(make_user("park_manager", parks=[park]))
    collection = client.get(f"/api/v1/parks/{park.id}/network").get_json()
    assert collection["type"] == "FeatureCollection" and collection["features"] == []


def test_unknown_park_and_foreign_manager_get_json_errors(client, auth, net):
    auth.login(net["users"]["stranger"])
    missing = client.get("/api/v1/parks/999999/network")
    assert missing.status_code == 404 and missing.is_json
    refused = client.get(f"/api/v1/parks/{net['park'].id}/network")
    assert refused.status_code == 403 and refused.get_json()["message"] == "您无权查看此共生网络。"


def test_geojson_download_has_a_file_name(client, auth, net):
    auth.login(net["users"]["manager"])
    response = client.get(f"/api/v1/parks/{net['park'].id}/network?download=1")
    assert response.headers["Content-Disposition"] == 'attachment; filename="network-NET.geojson"'
    assert "Content-Disposition" not in client.get(f"/api/v1/parks/{net['park'].id}/network").headers


def test_geojson_download_opens_in_gis_software(client, auth, net, tmp_path):
    """GDAL (through geopandas, as QGIS would read it) sees the sites as points and the links as lines."""
    import geopandas

    auth.login(net["users"]["manager"])
    path = tmp_path / "network.geojson"
    path.write_bytes(client.get(f"/api/v1/parks/{net['park'].id}/network?download=1").get_data())
    frame = geopandas.read_file(path)
    assert frame.crs.to_epsg() == 4326
    assert {"Point", "LineString"} <= set(frame.geom_type)
    shown = [link for link in net["links"].values() if link.status != "declined"]
    assert sorted(frame[frame.geom_type == "LineString"]["id"]) == sorted(f"link-{link.id}" for link in shown)


def test_csv_export_has_both_sides_numbers_and_explanation(client, auth, net):
    auth.login(net["users"]["manager"])
    response = client.get(f"/parks/{net['park'].id}/links.csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="links-NET.csv"'
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert [r["link_id"] for r in rows] == [str(net["links"]["inside"].id), str(net["links"]["outside"].id)]
    first = rows[0]
    assert (first["supplier_name"], first["receiver_name"], first["quantity"], first["explanation_zh"]) == (
        net["plant"].name_zh, net["works"].name_zh, "3000.0", "粉煤灰用于水泥")


def test_xlsx_export_opens_with_a_links_sheet(client, auth, net):
    auth.login(net["users"]["power"])
    client.get("/lang/en")
    response = client.get("/network/links.xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    # A plant sees no indicators, so its workbook has none.
    assert book.sheetnames == ["Links", "Sites"]
    rows = list(book["Links"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Link no.", "Status", "Material")
    assert len(rows) == 3
    # The anonymous receiver stays anonymous in the export too.
    outside = next(r for r in rows[1:] if r[0] == net["links"]["outside"].id)
    assert outside[rows[0].index("Receiver")].startswith("not disclosed")
    assert net["outside"].name_zh not in str(rows)


def test_map_page_points_the_script_at_the_api(client, auth, net):
    auth.login(net["users"]["manager"])
    html = client.get(f"/parks/{net['park'].id}/map").get_data(as_text=True)
    assert f'data-url="/api/v1/parks/{net["park"].id}/network"' in html
    assert "js/network_map.js" in html and "vendor/leaflet/leaflet.js" in html
    assert "<script>" not in html and "style=" not in html


def test_map_page_does_not_load_the_chart_library(client, auth, net):
    auth.login(net["users"]["manager"])
    html = client.get(f"/parks/{net['park'].id}/map").get_data(as_text=True)
    assert "echarts" not in html and "js/gcj02.js" in html


@pytest.mark.parametrize(("who", "sees_map", "sees_indicators"), [
    ("anonymous", False, False), ("manager", True, True), ("power", True, False), ("hidden", True, False),
    ("manager_without_parks", False, False)])
def test_navigation_offers_the_network_pages_one_may_open(client, auth, net, make_user, who, sees_map,
                                                          sees_indicators):
    if who != "anonymous":
        auth.login(make_user("park_manager") if who == "manager_without_parks" else net["users"][who])
    html = client.get("/").get_data(as_text=True)
    assert ('id="nav-network-map" href="/network/map"' in html) is sees_map
    assert ('id="nav-network-indicators" href="/network/indicators"' in html) is sees_indicators
    if who != "anonymous":
        assert (client.get("/network/map").status_code == 200) is sees_map
        assert (client.get("/network/indicators").status_code == 200) is sees_indicators


def test_network_lists_cascades_with_the_links_of_each_step(client, auth, db, net, make_org, make_site, make_listing,
                                                             make_link):
    """Before: cascades existed only in the engine; the network named none."""
    # The cement works sends its kiln waste heat on to a mill: power plant -> fly ash -> works -> heat -> mill.
    mill = make_site(organisation=make_org(), park=net["park"], lonlat=(117.215, 31.815), sector_code="2221")
    heat = make_link(make_listing(site=net["works"], material="waste-heat", quantity=50_000, unit="GJ/yr"), mill,
                     quantity=50_000.0)
    # Passing the same material on is trading, not a cascade.
    make_link(make_listing(site=mill, material="waste-heat", quantity=100, unit="GJ/yr"),
              make_site(lonlat=(117.3, 31.9)), quantity=100.0)
    auth.login(net["users"]["manager"])
    collection = client.get(f"/api/v1/parks/{net['park'].id}/network").get_json()
    assert collection["cascades"] == [{
        "sites": [net["plant"].id, net["works"].id, mill.id], "materials": ["coal-fly-ash", "waste-heat"],
        "links": [[net["links"]["inside"].id], [heat.id]], "status": "proposed"}]
    heat.status = "agreed"
    db.session.commit()
    assert client.get(f"/api/v1/parks/{net['park'].id}/network").get_json()["cascades"][0]["status"] == "agreed"
    # The recycler sees its own links only: no chain runs through them.
    auth.logout()
    auth.login(net["users"]["hidden"])
    assert client.get(f"/api/v1/parks/{net['park'].id}/network").get_json()["cascades"] == []


def test_map_page_offers_cascades_and_the_closure_panel(client, auth, net):
    auth.login(net["users"]["manager"])
    html = client.get(f"/parks/{net['park'].id}/map").get_data(as_text=True)
    assert 'id="network-cascades"' in html
    assert 'data-closure-url="/api/v1/sites/{id}/closure"' in html
    labels = json.loads(re.search(r'id="network-map-labels">(.*?)</script>', html, re.S).group(1))
    assert (labels["closure_button"], labels["cascades"]) == ("如果该场地关闭", "级联利用链")
