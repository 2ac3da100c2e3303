"""The maps' base layer and views in a real Chromium: Anhui's prefectures drawn with no internet, the park map
opening on its park, the province map summing links when zoomed out, stable colours and explained widths."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import shapely

from geo.divisions import divisions_in

from .conftest import ARTIFACTS, offline, sign_in

pytestmark = pytest.mark.browser


def _view(page) -> dict:
    return page.evaluate("""() => {
      const map = document.querySelector('#network-map').leafletMap, b = map.getBounds();
      return {west: b.getWest(), south: b.getSouth(), east: b.getEast(), north: b.getNorth(), zoom: map.getZoom()};
    }""")


def _links(collection: dict) -> dict[int, dict]:
    return {f["properties"]["pk"]: f["properties"] for f in collection["features"] if f["properties"]["kind"] == "link"}


def _network(page, url: str) -> dict:
    return page.evaluate("(url) => fetch(url, {credentials: 'same-origin'}).then((r) => r.json())", url)


def test_province_map_draws_anhuis_prefectures_offline_with_names(page, live_app):
    refused = offline(page, urlsplit(live_app.url).netloc)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, "park@demo.local")
    page.goto("/network/map")
    page.wait_for_selector("#network-map.boundaries-ready")
    assert page.locator("path.base-province").count() == 1
    assert page.locator("path.base-prefecture").count() == 16 == int(page.get_attribute("#network-map",
                                                                                            "data-prefecture-count"))
    names = set(page.locator(".division-label-prefecture span").all_inner_texts())
    assert names == {d.name_zh for d in divisions_in("340000")}
    assert any(url.endswith("/network/boundaries/prefecture.geojson") for url in requested)
    assert refused == []  # nothing even tried to leave the app

    # The province's map opens on the province: all of Anhui in view, and not much more.
    view = _view(page)
    assert view["west"] <= 114.9 and view["east"] >= 119.6 and view["south"] <= 29.4 and view["north"] >= 34.6
    assert view["east"] - view["west"] < 2.5 * (119.65 - 114.88)  # a whole zoom step out would be 3.5 times
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "province-map-base.png"), full_page=True)

    page.click("a.lang-switch[data-lang=en]")
    page.wait_for_selector("html[lang=en]")
    page.goto("/network/map")
    page.wait_for_selector("#network-map.boundaries-ready")
    names = set(page.locator(".division-label-prefecture span").all_inner_texts())
    assert names == {d.name_en for d in divisions_in("340000")} and "Hefei" in names


def test_counties_appear_when_zoomed_in(page, live_app):
    sign_in(page, "park@demo.local")
    page.goto("/network/map")
    page.wait_for_selector("#network-map.boundaries-ready")
    assert page.locator("path.base-county").count() == 0
    page.evaluate("document.querySelector('#network-map').leafletMap.setView([31.82, 117.23], 10, {animate: false})")
    page.wait_for_selector("path.base-county")
    assert page.locator(".division-label-county span", has_text="蜀山区").count() == 1


def _park_extent(live_app) -> tuple[float, float, float, float]:
    """The park's boundary and its own sites, from the database."""
    from marketplace.extensions import db
    from marketplace.models import Park, Site

    with live_app.app.app_context():
        park = db.session.get(Park, live_app.park_id)
        in_park = db.session.scalars(db.select(Site).where(Site.park_id == park.id))
        shapes = [shapely.Point(s.lon, s.lat) for s in in_park]
        if park.boundary is not None:
            shapes.append(park.boundary)
        return shapely.GeometryCollection(shapes).bounds


def test_park_map_opens_on_the_park_not_on_everything(page, live_app):
    sign_in(page, "park@demo.local")
    page.goto(f"/parks/{live_app.park_id}/map")
    page.wait_for_selector("#network-map.map-ready")
    west, south, east, north = _park_extent(live_app)
    view = _view(page)
    assert view["west"] <= west and view["east"] >= east and view["south"] <= south and view["north"] >= north
    # Fitted to the park: at most a few times its size (the padding and zoom steps), not the whole network.
    assert view["east"] - view["west"] < 4 * max(east - west, north - south) + 0.02
    collection = _network(page, f"/api/v1/parks/{live_app.park_id}/network")
    lons = [f["geometry"]["coordinates"][0] for f in collection["features"] if f["properties"]["kind"] == "site"]
    if max(lons) - min(lons) > 4 * (east - west) + 0.05:
        assert view["east"] - view["west"] < max(lons) - min(lons)  # partners far away stay off-screen
    assert page.get_attribute("#network-map", "data-mode") == "links"
    assert page.locator("path.network-link").count() == live_app.link_count
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "park-map-opening.png"), full_page=True)


def _stroke_widths(page, selector: str) -> dict[int, float]:
    return {int(k): float(v) for k, v in page.eval_on_selector_all(
        selector, "(paths) => paths.map((p) => [p.dataset.linkId, p.getAttribute('stroke-width')])")}


def test_widths_scale_within_each_unit_and_colours_stay_with_the_family(page, live_app):
    sign_in(page, "park@demo.local")
    page.goto(f"/parks/{live_app.park_id}/map")
    page.wait_for_selector("#network-map.map-ready")
    collection = _network(page, f"/api/v1/parks/{live_app.park_id}/network")
    links = _links(collection)
    widths = _stroke_widths(page, "path.network-link")
    assert set(widths) == set(links)
    style = page.evaluate("({max: mapStyle.MAX_WIDTH, min: mapStyle.MIN_WIDTH, colours: mapStyle.FAMILY_COLOURS})")
    for unit in {p["unit"] for p in links.values()}:
        of_unit = {pk: p for pk, p in links.items() if p["unit"] == unit}
        largest = max(of_unit, key=lambda pk: of_unit[pk]["quantity"])
        # Each unit family's largest flow is drawn at full width, whatever its unit: a GJ is not a tonne.
        assert widths[largest] == pytest.approx(style["max"], abs=0.01)
        # And within the family, more is wider.
        ordered = sorted(of_unit, key=lambda pk: of_unit[pk]["quantity"])
        assert [widths[pk] for pk in ordered] == sorted(widths[pk] for pk in ordered)
        # The legend gives each unit family its own width scale.
        assert page.locator(f"#network-legend [data-unit='{unit}']").count() == 3
    assert page.locator("#network-legend [data-dash=solid]").count() == 1
    assert page.locator("#network-legend [data-dash=dashed]").count() == 1

    # A family has one colour: on the lines, in the legend, on the park map and on the province map alike.
    park_legend = dict(page.eval_on_selector_all(
        "#network-legend [data-family]", "(items) => items.map((i) => [i.dataset.family, i.dataset.colour])"))
    for pk, p in links.items():
        stroke = page.get_attribute(f"path.network-link[data-link-id='{pk}']", "stroke")
        assert stroke == style["colours"].get(p["material_family"], stroke)
        assert park_legend[p["material_family"] or ""] == stroke
    legend_text = page.inner_text("#network-legend")
    assert not any(f"\n{family}\n" in f"\n{legend_text}\n" for family in style["colours"])  # names, not codes
    page.goto("/network/map")
    page.wait_for_selector("#network-map.map-ready")
    province_legend = dict(page.eval_on_selector_all(
        "#network-legend [data-family]", "(items) => items.map((i) => [i.dataset.family, i.dataset.colour])"))
    assert {k: province_legend[k] for k in park_legend if k in province_legend} == {
        k: v for k, v in park_legend.items() if k in province_legend}


def test_province_map_sums_links_by_park_or_city_until_zoomed_in(page, live_app):
    sign_in(page, "park@demo.local")
    page.goto("/network/map")
    page.wait_for_selector("#network-map.map-ready")
    page.wait_for_selector("#network-map.boundaries-ready")
    page.wait_for_function("document.querySelector('#network-map').dataset.mode === 'aggregated'")
    collection = _network(page, "/api/v1/network")
    links = _links(collection)
    assert page.locator("path.network-link").count() == 0
    flows = page.eval_on_selector_all(
        "path.network-flow, path.network-flow-inside",
        "(paths) => paths.map((p) => ({links: p.dataset.links.split(' ').map(Number), unit: p.dataset.unit || null}))")
    assert flows and len(flows) < len(links)  # fewer arrows than links: that is the point
    covered = [pk for flow in flows for pk in flow["links"]]
    assert sorted(covered) == sorted(links)  # every link counted exactly once
    for flow in flows:
        assert len({links[pk]["unit"] for pk in flow["links"]}) == 1  # never t + GJ in one arrow
    assert page.locator("path.network-flow-arrow").count() == page.locator("path.network-flow").count()
    # An arrow says what it sums: its two ends, how many links and how much.
    first = page.locator("path.network-flow").first
    summed = [int(x) for x in first.get_attribute("data-links").split()]
    first.dispatch_event("click")
    details = page.inner_text("#network-details")
    assert page.locator("#network-details [data-kind=flow]").count() == 1
    assert "→" in details and str(len(summed)) in details and "放大地图可查看每一项对接" in details
    assert "当前为缩小视图" in page.inner_text("#network-summary")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "province-map-aggregated.png"), full_page=True)

    # Zoomed in on a park, every link is its own arrow again.
    supplier = next(iter(links.values()))["supplier"]
    site = next(f for f in collection["features"]
                if f["properties"]["kind"] == "site" and f["properties"]["pk"] == supplier)
    lon, lat = site["geometry"]["coordinates"]
    page.evaluate(f"document.querySelector('#network-map').leafletMap.setView([{lat}, {lon}], 12, {{animate: false}})")
    page.wait_for_function("document.querySelector('#network-map').dataset.mode === 'links'")
    assert page.locator("path.network-link").count() == len(links)


@pytest.mark.parametrize("path", ["/parks/{park}", "/org"])
def test_park_and_site_maps_draw_on_the_offline_boundaries(page, live_app, path):
    """The small maps of a park's page and an organisation's sites have the same base layer as the network map:
    Anhui's prefectures with their names, and no request leaves the app."""
    refused = offline(page, urlsplit(live_app.url).netloc)
    sign_in(page, "park@demo.local" if "park" in path else "plant@demo.local")
    page.goto(path.format(park=live_app.park_id))
    page.wait_for_selector(".symbiosis-map.boundaries-ready")
    assert int(page.get_attribute(".symbiosis-map", "data-prefecture-count")) == 16
    assert page.locator(".symbiosis-map .base-prefecture").count() >= 16
    assert refused == []
