"""The API documentation page in a real Chromium: Swagger UI from the app's own files lists every operation of the
OpenAPI document with no internet and nothing refused by the Content-Security-Policy."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from .conftest import ARTIFACTS, offline, sign_in

pytestmark = pytest.mark.browser


def _operations(page) -> int:
    document = page.evaluate("() => fetch('/api/v1/openapi.json').then((r) => r.json())")
    return sum(1 for item in document["paths"].values() for method in item
               if method in ("get", "post", "put", "patch", "delete"))


def test_the_docs_list_every_operationoffline(page, live_app):
    refused = offline(page, urlsplit(live_app.url).netloc)
    problems: list[str] = []
    # A blocked inline style or script, or a failed load, shows up as a console error.
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto("/")
    page.click("#footer-api-docs")
    page.wait_for_selector("#swagger-ui.api-docs-ready")
    assert page.url.endswith("/api/v1/docs")
    assert page.locator("h1").first.inner_text() == "API 文档"
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() == _operations(page)
    assert page.locator(".opblock-summary-path", has_text="/api/v1/parks/{park_id}/indicators").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "api-docs.png"), full_page=False)

    # An operation opens with its answer's schema: the indicators are described field by field.
    page.locator(".opblock-summary", has_text="/api/v1/network/indicators").first.click()
    page.wait_for_selector(".opblock.is-open .responses-wrapper")
    page.locator(".opblock.is-open .tablinks[data-name=model]").first.click()
    page.locator(".opblock.is-open .model-box", has_text="utilisation_rate_pct").first.wait_for()

    assert refused == []  # nothing even tried to leave the app
    assert problems == []


def test_try_it_out_reads_with_the_session_and_errors_follow_the_sites_language(page, live_app):
    sign_in(page, "park@demo.local")
    page.click("a.lang-switch[data-lang=en]")
    page.wait_for_selector("html[lang=en]")
    page.goto("/api/v1/docs")
    page.wait_for_selector("#swagger-ui.api-docs-ready")
    page.wait_for_selector(".opblock")
    assert page.locator("h1").first.inner_text() == "API documentation"
    # The browser's own Accept-Language goes with every fetch; the site's choice (English here) wins, and a
    # refused read answers in it.
    refused = page.evaluate("() => fetch('/api/v1/sites/999999/closure', {headers: {'Accept-Language': 'zh-CN'}})"
                            ".then((r) => r.json())")
    assert refused == {"code": 404, "status": "Not Found", "message": "No site 999999."}


def test_the_docs_fit_a_phone(browser, live_app):
    context = browser.new_context(base_url=live_app.url, viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.goto("/api/v1/docs")
        page.wait_for_selector("#swagger-ui.api-docs-ready .opblock")
        page.locator(".opblock-summary", has_text="/api/v1/network/indicators").first.click()
        page.wait_for_selector(".opblock.is-open .responses-wrapper")
        widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1] == 390  # no sideways scrolling
    finally:
        context.close()
