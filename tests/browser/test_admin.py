"""Administration in a real Chromium: the administrator narrows a route's transport radius on the web, and the
next match run proposes no link of that route beyond it."""
from __future__ import annotations

import pytest
import yaml

from .conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def _route_links(live_app) -> tuple[str, list[float]]:
    """The route with the most links of the latest run, and those links' distances."""
    from collections import Counter

    from sqlalchemy import select

    from marketplace.extensions import db
    from marketplace.models import Link, MatchRun

    with live_app.app.app_context():
        run_id = db.session.scalar(select(MatchRun.id).order_by(MatchRun.id.desc()).limit(1))
        links = db.session.scalars(select(Link).where(Link.run_id == run_id, Link.route_id.is_not(None))).all()
        route_id = Counter(link.route_id for link in links).most_common(1)[0][0]
        return route_id, sorted(link.distance_km for link in links if link.route_id == route_id)


def _distances(live_app, route_id: str) -> list[float]:
    from sqlalchemy import select

    from marketplace.extensions import db
    from marketplace.models import Link, MatchRun

    with live_app.app.app_context():
        run_id = db.session.scalar(select(MatchRun.id).order_by(MatchRun.id.desc()).limit(1))
        return sorted(db.session.scalars(select(Link.distance_km).where(
            Link.run_id == run_id, Link.route_id == route_id)).all())


def _run(live_app) -> None:
    from marketplace.services.matching import start_run

    with live_app.app.app_context():
        start_run()


def test_an_administrator_edits_a_route_radius_and_the_next_run_uses_it(page, live_app):
    route_id, before = _route_links(live_app)
    # A radius below the route's nearest link but one: that link may stay, the farther ones must go.
    radius = round(before[0] * 1.3 + 0.5, 1) if len(before) > 1 else 0.5
    assert any(distance * 1.3 > radius for distance in before)

    sign_in(page, "admin@demo.local")
    page.goto("/admin/")
    page.click("#knowledge-link")
    page.fill("#kb-search input[name=q]", route_id)
    page.click("#kb-search button[type=submit]")
    page.click(f"#kb-routes a[href$='/route/{route_id}']")
    entry = yaml.safe_load(page.input_value("textarea[name=entry]"))
    assert entry["id"] == route_id

    # A mistake first, in the whole entry: the loader's message comes back beside it, and nothing is saved.
    page.fill("textarea[name=entry]", yaml.safe_dump({**entry, "user_sectors": ["9999"]}, allow_unicode=True))
    page.click("#entry-form button[type=submit]")
    assert page.locator("[data-field=entry]").inner_text().startswith("user_sectors:")
    # Then in the common fields: a negative radius is shown at the road radius.
    page.fill("#fields-form input[name=road_km]", "-1")
    page.click("#fields-form button[type=submit]")
    assert "negative radius" in page.locator("[data-field=road_km]").inner_text()

    for mode in ("rail", "barge", "pipeline"):
        page.fill(f"#fields-form input[name={mode}_km]", "")
    page.fill("#fields-form input[name=road_km]", str(radius))
    page.click("#fields-form button[type=submit]")
    page.wait_for_selector("#edit-state")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin-route-edit.png"), full_page=True)
    try:
        _run(live_app)
        after = _distances(live_app, route_id)
        # Road distance is the straight line times the engine's detour factor (1.3).
        assert all(distance * 1.3 <= radius + 1e-6 for distance in after), (radius, after)
        assert after != before

        export = page.request.get("/admin/knowledge/export.yaml")
        assert export.ok
        assert yaml.safe_load(export.text().split("\n", 1)[1])["routes"][0]["transport"] == {"road": radius}
    finally:
        # The other browser tests read the demo's first run: back to the data files' route, and run again.
        page.goto(f"/admin/knowledge/route/{route_id}")
        page.click("form[action$='/discard'] button[type=submit]")
        page.wait_for_load_state()
        _run(live_app)
    assert _distances(live_app, route_id) == before


@pytest.mark.parametrize("width", [390, 1280])
def test_the_administration_pages_fit_the_screen(browser, live_app, width):
    from sqlalchemy import select

    from marketplace.extensions import db
    from marketplace.models import Organisation

    with live_app.app.app_context():
        org_id = db.session.scalar(select(Organisation.id).order_by(Organisation.id).limit(1))
    context = browser.new_context(base_url=live_app.url, viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, "admin@demo.local")
        for path in ("/admin/", f"/admin/orgs/{org_id}", "/admin/users", "/admin/users/new", "/admin/knowledge",
                     "/admin/knowledge/route/fly-ash-concrete", "/admin/knowledge/material/coal-fly-ash"):
            page.goto(path)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} is {overflow} px wider than a {width} px screen"
    finally:
        context.close()
