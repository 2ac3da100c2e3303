"""Reporting for the province: periods, trends, the comparison of parks, whose parks a province page shows,
the formal report (page and PDF), and the downloads (XLSX per topic, GeoJSON layers, CSV)."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import openpyxl
import pytest

from marketplace.services.indicators import indicator_trend, park_comparison, park_indicators, this_year

from .test_network import make_link, net  # noqa: F401  (fixtures)


@pytest.fixture
def history(db, net):
    """The fly ash offer published in 2024, its in-park link agreed in mid-2025; the outside one still proposed."""
    offer = net["links"]["inside"].offer
    offer.published_at = dt.datetime(2024, 3, 1)
    net["links"]["inside"].agreed_at = dt.datetime(2025, 6, 1)
    db.session.commit()
    return net


def test_a_year_counts_the_links_agreed_by_its_end(app, history):
    manager, park = history["users"]["manager"], history["park"]
    before = park_indicators(manager, park=park, year=2024)
    assert (before.generated_t, before.utilised_t, before.utilisation_rate_pct, before.proposed_t) == (
        10000.0, 0.0, 0.0, 0.0)
    agreed = park_indicators(manager, park=park, year=2025)
    assert (agreed.utilised_t, agreed.utilisation_rate_pct, agreed.co2_avoided_t, agreed.net_benefit_cny) == (
        3000.0, 30.0, 40.0, 5000.0)
    assert agreed.proposed_t == 0.0  # an open proposal is today's state, not 2025's
    assert park_indicators(manager, park=park, year=this_year()).proposed_t == 2000.0


def test_an_offer_counts_only_in_the_years_its_window_covers(app, db, history):
    offer = history["links"]["inside"].offer
    offer.available_to = dt.date(2025, 12, 31)
    db.session.commit()
    manager, park = history["users"]["manager"], history["park"]
    assert park_indicators(manager, park=park, year=2025).utilised_t == 3000.0
    later = park_indicators(manager, park=park, year=this_year())
    assert (later.generated_t, later.utilised_t) == (0.0, 0.0)


def test_the_trend_runs_from_the_first_year_with_figures(app, history):
    trend = indicator_trend(history["users"]["manager"], park=history["park"])
    assert [p.year for p in trend] == list(range(2024, this_year() + 1))
    assert [(p.year, p.utilised_t, p.links) for p in trend[:2]] == [(2024, 0.0, 0), (2025, 3000.0, 1)]
    assert trend[1].agreed == {"t": 3000.0}


def test_indicator_page_offers_the_years_and_shows_the_chosen_one(client, auth, history):
    auth.login(history["users"]["manager"])
    client.get("/lang/en")
    url = f"/parks/{history['park'].id}/indicators"
    html = client.get(url).get_data(as_text=True)
    assert 'name="year"' in html and '<option value="2024">Year 2024</option>' in html
    assert 'id="indicator-trend"' in html and 'data-year="2025"' in html
    chosen = client.get(url + "?year=2024").get_data(as_text=True)
    assert '<option value="2024" selected>' in chosen and 'id="utilisation-rate">0.0 %' in chosen


@pytest.mark.parametrize("year", ["1999", "abc", "2100"])
def test_a_year_without_figures_is_refused_naming_the_field(client, auth, history, year):
    auth.login(history["users"]["manager"])
    url = f"/parks/{history['park'].id}/indicators?year={year}"
    response = client.get(url)  # the default language, zh: the field is 年份
    assert response.status_code == 400
    assert re.search(r"年份：请选择 \d{4} 至 \d{4} 年之间的年份。", response.get_data(as_text=True))
    client.get("/lang/en")
    response = client.get(url)
    assert response.status_code == 400
    assert re.search(r"year: choose a year from \d{4} to \d{4}\.", response.get_data(as_text=True))


def test_province_pages_name_the_managers_parks_not_the_province(client, auth, net, make_user):
    auth.login(net["users"]["manager"])
    for url in ("/network/indicators", "/network/report", "/network/map"):
        html = client.get(url).get_data(as_text=True)
        title = html.split("<h1", 1)[1].split("</h1>", 1)[0]
        assert net["park"].name_zh in title and "全省" not in title, url
    admin = make_user("admin")
    auth.logout()
    auth.login(admin)
    html = client.get("/network/indicators").get_data(as_text=True)
    assert "全省" in html.split("<h1", 1)[1].split("</h1>", 1)[0]


def test_the_comparison_lists_the_parks_in_view(client, auth, net, make_user):
    manager = net["users"]["manager"]
    assert [(p.code, i.utilisation_rate_pct) for p, i in park_comparison(manager)] == [("NET", 30.0)]
    admin = make_user("admin")
    assert {p.code for p, _ in park_comparison(admin)} >= {"NET", "ELSE"}
    auth.login(manager)
    table = client.get("/network/indicators").get_data(as_text=True).split('id="park-comparison"')[1]
    assert 'data-park="NET"' in table.split("</table>")[0] and 'data-park="ELSE"' not in table


def test_report_is_dated_issued_and_explains_its_method(client, auth, db, history, make_org):
    manager = history["users"]["manager"]
    manager.organisation = make_org(name_zh="测试园区管委会")
    db.session.commit()
    auth.login(manager)
    html = client.get(f"/parks/{history['park'].id}/report?year=2025").get_data(as_text=True)
    assert 'id="report-issuer">测试园区管委会<' in html
    assert f"{this_year()}年" in html.split('id="report-date">')[1].split("<")[0]
    client.get("/lang/en")
    html = client.get(f"/parks/{history['park'].id}/report?year=2025").get_data(as_text=True)
    assert "Year 2025 (2025-01-01 – 2025-12-31)" in html.split('id="report-period">')[1].split("</td>")[0]
    assert "Method notes" in html
    assert "<svg" in html.split('id="report-map"')[1].split("</figure>")[0]
    for internal in ("brief", "seed", "DOMAIN.md", "PRODUCT.md", "要求文件"):
        assert internal not in html


def test_report_pdf_is_a_filed_document_with_the_park_name(client, auth, history):
    from pypdf import PdfReader

    auth.login(history["users"]["manager"])
    response = client.get(f"/parks/{history['park'].id}/report.pdf?year=2025")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="report-NET-2025.pdf"'
    reader = PdfReader(io.BytesIO(response.get_data()))
    assert len(reader.pages) >= 1
    text = "".join(page.extract_text() for page in reader.pages)
    # The Chinese names come out as text: the CJK font was found and embedded.
    assert history["park"].name_zh in text and history["plant"].name_zh in text


def test_report_pdf_is_refused_to_other_parks_managers(client, auth, net):
    auth.login(net["users"]["stranger"])
    assert client.get(f"/parks/{net['park'].id}/report.pdf").status_code == 403


def test_xlsx_has_a_sheet_per_topic_headed_in_the_readers_language(client, auth, net):
    auth.login(net["users"]["manager"])
    body = client.get(f"/parks/{net['park'].id}/links.xlsx").get_data()
    book = openpyxl.load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["指标", "对接", "厂区"]
    links = book["对接"]
    assert [c.value for c in links[1]][1:3] == ["状态", "物料"]
    assert links.cell(row=2, column=3).value == "粉煤灰" and links.cell(row=2, column=2).value == "已达成"
    indicators = {row[0]: row[1:3] for row in book["指标"].iter_rows(min_row=2, values_only=True)}
    assert indicators["综合利用率"] == (30.0, "%") and indicators["减排二氧化碳"] == (40.0, "吨/年")
    client.get("/lang/en")
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/parks/{net['park'].id}/links.xlsx").get_data()))
    assert book.sheetnames == ["Indicators", "Links", "Sites"]
    links = book["Links"]
    assert [c.value for c in links[1]][:4] == ["Link no.", "Status", "Material", "Quantity a year"]
    quantity = links.cell(row=2, column=4)
    assert quantity.value == 3000.0 and quantity.number_format == "#,##0.0"
    assert links.column_dimensions["F"].width >= 20 and links.freeze_panes == "A2"
    assert [c.value for c in book["Sites"][1]][:2] == ["Site reference", "Site"]


def test_geojson_layers_are_three_files_gis_software_reads(client, auth, net, tmp_path):
    import geopandas

    auth.login(net["users"]["manager"])
    response = client.get(f"/parks/{net['park'].id}/network.zip")
    assert response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        archive.extractall(tmp_path)
        names = sorted(archive.namelist())
    assert names == ["network-NET-links.geojson", "network-NET-parks.geojson", "network-NET-sites.geojson"]
    kinds = {name: set(geopandas.read_file(tmp_path / name).geom_type) for name in names}
    assert kinds == {"network-NET-links.geojson": {"LineString"}, "network-NET-parks.geojson": {"MultiPolygon"},
                     "network-NET-sites.geojson": {"Point"}}


def test_csv_names_its_charset_once(client, auth, net):
    auth.login(net["users"]["manager"])
    response = client.get(f"/parks/{net['park'].id}/links.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_report_map_draws_every_site_and_link_in_the_web_maps_colours():
    import shapely

    from marketplace.services.report_map import family_colours, network_svg

    assert family_colours()["ash"] == "#7f7f7f"  # the web map's table (static/js/map_style.js), read once
    site = lambda pk, lon, lat: {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},  # noqa: E731
                                 "properties": {"kind": "site", "pk": pk}}
    link = {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[117.2, 31.8], [117.21, 31.81]]},
            "properties": {"kind": "link", "pk": 7, "unit": "t", "quantity": 3000.0, "status": "agreed",
                           "material_family": "ash"}}
    svg = network_svg({"features": [site(1, 117.2, 31.8), site(2, 117.21, 31.81), link]},
                      [shapely.box(117.18, 31.78, 117.23, 31.83)], title="测试")
    assert svg.count("<circle") == 2 and svg.count('data-link="7"') == 1 and 'stroke="#7f7f7f"' in svg
    assert "合肥" in svg or "区" in svg or "县" in svg  # the county names around the park


def test_english_pages_name_sites_in_english_where_they_have_a_name(client, auth, db, net):
    net["plant"].name_en = "Test power plant"
    db.session.commit()
    auth.login(net["users"]["manager"])
    client.get("/lang/en")
    links = client.get(f"/parks/{net['park'].id}/report").get_data(as_text=True).split('id="report-links"')[1]
    links = links.split("</table>")[0]
    assert "Test power plant" in links and net["plant"].name_zh not in links
    keystones = client.get(f"/parks/{net['park'].id}/indicators").get_data(as_text=True).split('id="keystones"')[1]
    assert "Test power plant" in keystones.split("</table>")[0]
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/parks/{net['park'].id}/links.xlsx").get_data()))
    assert "Test power plant" in [row[1] for row in book["Sites"].iter_rows(min_row=2, values_only=True)]
