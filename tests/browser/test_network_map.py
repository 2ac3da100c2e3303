"""The park symbiosis map and indicator pages in a real Chromium: drawn, clickable, bilingual, self-contained."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from .conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def _open_map(page, park_id: int) -> None:
    page.goto(f"/parks/{park_id}/map")
    page.wait_for_selector("#network-map.map-ready")
    assert "map-error" not in page.get_attribute("#network-map", "class")


def _explanation_of(live_app, link_id: int) -> tuple[str, str]:
    from marketplace.extensions import db
    from marketplace.models import Link

    with live_app.app.app_context():
        link = db.session.get(Link, link_id)
        return link.explanation_zh, link.explanation_en


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


def test_indicator_page_draws_the_rate_and_the_sankey(page, live_app):
    sign_in(page, "park@demo.local")
    page.goto(f"/parks/{live_app.park_id}/indicators")
    page.wait_for_selector("svg.chart-gauge")
    assert page.locator("svg.chart-gauge line.gauge-target").count() == 1
    assert page.locator("svg.chart-sankey path.sankey-band").count() >= 1
    assert "62" in page.inner_text("#indicator-table")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "park-indicators.png"), full_page=True)


def test_map_and_indicator_pages_request_nothing_from_other_hosts(page, live_app):
    own = urlsplit(live_app.url).netloc
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, "park@demo.local")
    for path in (f"/parks/{live_app.park_id}/map", "/network/map", f"/parks/{live_app.park_id}/indicators",
                 "/network/indicators", f"/parks/{live_app.park_id}/report"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    page.wait_for_selector("svg.chart-gauge")
    assert any(url.endswith(f"/api/v1/parks/{live_app.park_id}/network") for url in requested)
    foreign = [url for url in requested if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != own]
    assert not foreign, f"requests to other hosts: {foreign}"
