"""The park symbiosis map and indicator pages in a real Chromium: drawn, clickable, bilingual, self-contained."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from .conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser

ECHARTS = "/vendor/npm/echarts/dist/echarts.min.js"


def _open_map(page, park_id: int) -> None:
    page.goto(f"/parks/{park_id}/map")
    page.wait_for_selector("#network-map.map-ready")
    assert "map-error" not in page.get_attribute("#network-map", "class")


def _explanation_of(live_app, link_id: int, email: str = "park@demo.local") -> tuple[str, str]:
    """The link's explanation as the map's reader may see it (rendered from the stored template for that user)."""
    from marketplace.extensions import db
    from marketplace.models import Park, User
    from marketplace.services.network_view import network_geojson

    with live_app.app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        collection = network_geojson(user, park=db.session.get(Park, live_app.park_id))
        (p,) = [f["properties"] for f in collection["features"] if f["id"] == f"link-{link_id}"]
        assert "{supplier}" not in p["explanation_zh"] + p["explanation_en"]
        return p["explanation_zh"], p["explanation_en"]


def test_park_map_draws_parks_sites_and_links_and_explains_a_link(page, live_app):
    sign_in(page, "park@demo.local")
    _open_map(page, live_app.park_id)
    assert page.locator("path.network-park").count() >= 1
    sites = page.locator("path.network-site").count()
    links = page.locator("path.network-link").count()
    assert sites >= 2
    assert links == live_app.link_count == int(page.get_attribute("#network-map", "data-link-count"))
    # Each link has its arrowhead.
    assert page.locator("path.network-arrow").count() == links

    first = page.locator("path.network-link").first
    link_id = int(first.get_attribute("data-link-id"))
    explanation_zh, explanation_en = _explanation_of(live_app, link_id)
    first.dispatch_event("click")
    assert page.get_attribute("#network-details [data-kind=link]", "data-link-id") == str(link_id)
    assert page.inner_text("#network-details .link-explanation").strip() == explanation_zh.strip()

    page.click("a.lang-switch[data-lang=en]")
    page.wait_for_selector("html[lang=en]")
    _open_map(page, live_app.park_id)
    page.locator(f"path.network-link[data-link-id='{link_id}']").dispatch_event("click")
    assert page.inner_text("#network-details .link-explanation").strip() == explanation_en.strip()
    # The sector legend names each GB/T 4754 division in the page's language.
    assert "Manufacture of non-metallic mineral products" in page.inner_text("#network-legend")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "park-map.png"), full_page=True)


def test_filters_and_colour_toggle_work_on_the_drawn_network(page, live_app):
    sign_in(page, "park@demo.local")
    _open_map(page, live_app.park_id)
    total = page.locator("path.network-link").count()
    material = page.locator("#filter-material option").nth(1).get_attribute("value")
    page.select_option("#filter-material", material)
    shown = page.locator("path.network-link").count()
    assert 0 < shown <= total
    assert shown == int(page.get_attribute("#network-map", "data-link-count"))
    page.select_option("#filter-status", "agreed")
    assert page.locator("path.network-link").count() == 0  # a fresh run has only proposals
    page.select_option("#filter-status", "")
    page.select_option("#filter-material", "")
    page.select_option("#colour-by", "status")
    assert page.locator("path.network-link").count() == total
    # Coloured by status: every proposal is drawn in the proposal colour.
    assert page.locator("path.network-link[stroke='#fd7e14']").count() == total


# Collects Content-Security-Policy violations from the first script on: ECharts must draw without inline styles.
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || ""));
});
"""


def _chart(page, selector: str) -> dict:
    """What ECharts holds for the chart in ``selector``: renderer, option summary, drawn size."""
    return page.evaluate("""(selector) => {
      const box = document.querySelector(selector);
      const chart = window.echarts && echarts.getInstanceByDom(box);
      if (!chart) return null;
      const option = chart.getOption(), series = option.series[0];
      return {
        renderer: chart.getZr().painter.getType(), width: chart.getWidth(), height: chart.getHeight(),
        type: series.type,
        nodes: (series.data || []).map((n) => ({side: n.side, sector: n.sector, text: n.text})),
        links: (series.links || []).length,
        values: (series.data || []).map((d) => (d && d.value !== undefined ? d.value : d)),
        colours: (series.data || []).map((d) => d && d.itemStyle && d.itemStyle.color),
        target: series.markLine ? series.markLine.data[0].xAxis : null,
        second: option.series[1] ? option.series[1].data.map((d) => d.value) : null,
      };
    }""", selector)


def _chart_data(page) -> dict:
    return page.evaluate("JSON.parse(document.getElementById('chart-data').textContent)")


@pytest.fixture
def page_problems(page):
    """CSP violations and script errors the page reports, as one list that should stay empty."""
    page.add_init_script(CSP_WATCH)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return lambda: page.evaluate("window.__cspViolations") + errors


def test_indicator_page_draws_the_rate_and_the_sankey_with_echarts(page, live_app, page_problems):
    sign_in(page, "park@demo.local")
    page.goto(f"/parks/{live_app.park_id}/indicators")
    page.wait_for_selector("#chart-rate.chart-ready")
    page.wait_for_selector("#chart-sankey-t.chart-ready")
    data = _chart_data(page)

    rate = _chart(page, "#chart-rate")
    assert rate["type"] == "bar" and rate["renderer"] == "canvas"
    assert rate["target"] == data["target"] == 62
    assert page.locator("#chart-rate canvas").count() >= 1
    if data["rate"] is None:
        assert rate["values"] == []
    else:
        assert rate["values"] == [min(data["rate"], 100)]
        assert rate["colours"] == ["#198754" if data["rate"] >= data["target"] else "#dc3545"]
    assert "62" in page.get_attribute("#chart-rate", "aria-label")
    # Behind the rate, striped: what agreeing the open proposals would reach (the demo has proposals only).
    assert data["potential"] is not None and data["potential"] > (data["rate"] or 0)
    assert rate["second"] == [min(data["potential"], 100)]

    # One Sankey per unit family (t, GJ, Nm³, m³), each drawing that family's flows and no other's.
    units = [box.get_attribute("data-unit") for box in page.locator("[data-chart=sankey]").all()]
    assert units and units[0] == "t" and len(set(units)) == len(units)
    assert {f["unit"] for f in data["sankey"]} == set(units)
    for unit in units:
        page.wait_for_selector(f"#chart-sankey-{unit}.chart-ready")
        sankey = _chart(page, f"#chart-sankey-{unit}")
        assert sankey["type"] == "sankey" and sankey["height"] > 100
        flows = [f for f in data["sankey"] if f["unit"] == unit and f["quantity"] > 0]
        assert flows, "the demo park's indicators should have sector flows after a match run"
        drawn = {(n["side"], n["sector"]) for n in sankey["nodes"]}
        assert drawn == ({("generating", f["source"]) for f in flows} | {("using", f["target"]) for f in flows})
        assert {n["text"] for n in sankey["nodes"]} >= {f["source_label"] for f in flows}
        assert sankey["links"] == len(flows)
    flows = [f for f in data["sankey"] if f["unit"] == "t" and f["quantity"] > 0]
    label = page.get_attribute("#chart-sankey-t", "aria-label")
    assert all(f["source_label"] in label and f["target_label"] in label for f in flows)
    assert page.get_attribute("#chart-sankey-t", "role") == "img"
    # Tooltips too: ECharts' HTML tooltips would carry inline style attributes.
    box = page.locator("#chart-sankey-t").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 30, steps=5)  # on the first, widest band
    page.wait_for_timeout(600)
    assert page_problems() == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "park-indicators.png"), full_page=True)


def test_charts_follow_the_window_size(page, live_app):
    sign_in(page, "park@demo.local")
    page.goto(f"/parks/{live_app.park_id}/indicators")
    page.wait_for_selector("#chart-sankey-t.chart-ready")
    wide = _chart(page, "#chart-sankey-t")["width"]
    page.set_viewport_size({"width": 700, "height": 900})
    page.wait_for_function("(w) => echarts.getInstanceByDom(document.querySelector('#chart-sankey-t')).getWidth() < w",
                           arg=wide)
    narrow = _chart(page, "#chart-sankey-t")["width"]
    assert narrow < wide and narrow <= 700


def test_report_prints_with_its_map_and_offers_its_pdf(page, live_app, page_problems):
    sign_in(page, "park@demo.local")
    page.goto(f"/parks/{live_app.park_id}/report")
    # The map is drawn on the server: an SVG with the park's sites, there before any script runs.
    assert page.locator("#report-map svg circle").count() >= 1
    assert page.locator("#report-issuer").inner_text().strip()
    assert page_problems() == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.emulate_media(media="print")
    page.pdf(path=str(ARTIFACTS / "park-report-printed.pdf"), format="A4")
    # The PDF the server lays out (WeasyPrint), as a person downloads it from the page.
    with page.expect_download() as download:
        page.evaluate("() => document.getElementById('report-pdf').click()")
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    download.value.save_as(str(ARTIFACTS / "park-report.pdf"))


def test_pages_without_charts_do_not_load_echarts(page, live_app):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, "park@demo.local")
    page.goto(f"/parks/{live_app.park_id}/map")
    page.wait_for_selector("#network-map.map-ready")
    page.goto(f"/parks/{live_app.park_id}")
    page.wait_for_load_state("networkidle")
    assert not [url for url in requested if "echarts" in url]
    assert page.evaluate("typeof window.gcj02.fromWgs84") == "function"


def test_shared_gcj02_script_matches_the_python_conversion(page, live_app):
    from geo.crs import wgs84_to_gcj02

    sign_in(page, "park@demo.local")
    page.goto(f"/parks/{live_app.park_id}/map")
    page.wait_for_selector("#network-map.map-ready")
    for lon, lat in ((117.2272, 31.8206), (118.38, 31.33), (2.35, 48.85)):  # Hefei, Wuhu, Paris (no offset)
        js_lon, js_lat = page.evaluate("([lon, lat]) => window.gcj02.fromWgs84(lon, lat)", [lon, lat])
        py_lon, py_lat = wgs84_to_gcj02(lon, lat)
        assert abs(js_lon - py_lon) < 1e-9 and abs(js_lat - py_lat) < 1e-9


def test_navigation_leads_a_park_manager_to_the_province_map_and_indicators(page, live_app):
    sign_in(page, "park@demo.local")
    page.goto("/")
    page.click("#nav-network-indicators")
    page.wait_for_selector("#chart-rate.chart-ready")
    assert page.url.endswith("/network/indicators")
    page.click("#nav-network-map")
    page.wait_for_selector("#network-map.map-ready")
    assert page.url.endswith("/network/map")


def test_map_and_indicator_pages_request_nothing_from_other_hosts(page, live_app):
    own = urlsplit(live_app.url).netloc
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, "park@demo.local")
    for path in (f"/parks/{live_app.park_id}/map", "/network/map", f"/parks/{live_app.park_id}/report",
                 "/network/indicators", f"/parks/{live_app.park_id}/indicators"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    page.wait_for_selector("#chart-sankey-t.chart-ready")
    assert any(url.endswith(ECHARTS) for url in requested)
    assert any(url.endswith(f"/api/v1/parks/{live_app.park_id}/network") for url in requested)
    foreign = [url for url in requested if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != own]
    assert not foreign, f"requests to other hosts: {foreign}"


def _geojson(page, url: str) -> dict:
    return page.evaluate("(url) => fetch(url, {credentials: 'same-origin'}).then((r) => r.json())", url)


def test_choosing_a_cascade_highlights_its_links_and_sites(page, live_app, page_problems):
    sign_in(page, "park@demo.local")
    page.goto("/network/map")
    page.wait_for_selector("#network-map.map-ready")
    cascades = _geojson(page, "/api/v1/network")["cascades"]
    if not cascades:
        pytest.fail("the demo gives park@demo.local no cascade after a match run; this test needs one")
    assert page.locator("#network-cascades .network-cascade").count() == len(cascades)
    page.locator("#network-cascades .network-cascade").first.click()
    lit = {int(x) for x in page.eval_on_selector_all("path.network-link.network-highlight",
                                                     "(paths) => paths.map((p) => p.dataset.linkId)")}
    assert lit == {link for step in cascades[0]["links"] for link in step}
    sites = {int(x) for x in page.eval_on_selector_all("path.network-site.network-highlight",
                                                       "(paths) => paths.map((p) => p.dataset.siteId)")}
    assert sites == set(cascades[0]["sites"])
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "province-map-cascade.png"), full_page=True)
    page.locator("#network-cascades .network-cascade").first.click()  # again: cleared
    assert page.locator("path.network-highlight").count() == 0
    assert page_problems() == []


def test_if_this_site_closed_panel_matches_the_api(page, live_app, page_problems):
    sign_in(page, "park@demo.local")
    _open_map(page, live_app.park_id)
    collection = _geojson(page, f"/api/v1/parks/{live_app.park_id}/network")
    supplier = next(f["properties"]["supplier"] for f in collection["features"] if f["properties"]["kind"] == "link")
    page.locator(f"path.network-site[data-site-id='{supplier}']").dispatch_event("click")
    page.click("#closure-button")
    page.wait_for_selector("#network-closure.closure-ready")
    closure = _geojson(page, f"/api/v1/sites/{supplier}/closure")
    assert closure["links_lost"] >= 1
    assert page.inner_text("[data-closure=links-lost]") == str(closure["links_lost"])
    shown = page.eval_on_selector_all("#network-closure li[data-link-id]", "(items) => items.map((i) => +i.dataset.linkId)")
    assert shown == [link["link_id"] for link in closure["links"]]
    assert "如果该场地关闭" in page.inner_text("#network-details")
    assert page_problems() == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "park-map-closure.png"), full_page=True)


def test_unit_family_filter_shows_each_family_alone(page, live_app):
    sign_in(page, "park@demo.local")
    _open_map(page, live_app.park_id)
    collection = _geojson(page, f"/api/v1/parks/{live_app.park_id}/network")
    units = {}
    for f in collection["features"]:
        if f["properties"]["kind"] == "link":
            units[f["properties"]["unit"]] = units.get(f["properties"]["unit"], 0) + 1
    assert sorted(page.locator("#filter-unit option").evaluate_all("(os) => os.map((o) => o.value)")) == sorted(
        ["", *units])
    for unit, count in units.items():
        page.select_option("#filter-unit", unit)
        assert page.locator("path.network-link").count() == count
    page.select_option("#filter-unit", "")
    assert page.locator("path.network-link").count() == sum(units.values())
