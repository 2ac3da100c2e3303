"""The classification queue in a real Chromium: an administrator classifies one name and every listing using it follows."""
from __future__ import annotations

import pytest

from .conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser

# One stream the knowledge base does not know, written three ways by three listings.
SPELLINGS = ("QX-7 喆昊泥料", "qx7喆昊泥料", "QX7 喆昊泥料")


def _plant_listings(live_app, *, extra_t: int = 0) -> list[int]:
    from sqlalchemy import select

    from marketplace.extensions import db
    from marketplace.models import Site
    from marketplace.services.listing_check import ListingInput
    from marketplace.services.listings import create_listing

    with live_app.app.app_context():
        sites = db.session.scalars(select(Site).order_by(Site.id).limit(3)).all()
        ids = [create_listing(site, ListingInput(kind=kind, material=text, quantity=quantity), publish=True).id
               for site, text, kind, quantity in zip(sites, SPELLINGS, ("offer", "offer", "want"), (900 + extra_t, 40 + extra_t, 500 + extra_t))]
        return ids


def _state(live_app, ids: list[int]) -> list[tuple[list[str], str, list[str]]]:
    from marketplace.extensions import db
    from marketplace.models import Listing

    with live_app.app.app_context():
        rows = [db.session.get(Listing, listing_id) for listing_id in ids]
        return [(row.material_codes, row.material, [name.reading for name in row.names]) for row in rows]


def test_an_administrator_classifies_a_name_and_every_listing_using_it_follows(page, live_app):
    ids = _plant_listings(live_app)
    assert all(codes == [] and readings == ["unclassified"] for codes, _, readings in _state(live_app, ids))

    sign_in(page, "admin@demo.local")
    page.goto("/admin/")
    page.click("#classification-link")
    page.wait_for_selector("#classification-queue")
    row = page.locator("tr.queue-entry", has_text="喆昊泥料")
    assert row.count() == 1
    assert row.locator(".queue-count").inner_text().startswith("3")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "classification-queue.png"), full_page=True)

    row.locator("input[name=material]").fill("sugar-filter-mud")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("tr.queue-entry", has_text="喆昊泥料").count() == 0

    for (codes, written, readings), spelling in zip(_state(live_app, ids), SPELLINGS):
        assert codes == ["sugar-filter-mud"] and readings == ["classified"]
        assert written == spelling   # the author's words are kept

    # Each listing's page now names the material (by its name, in the page's language, not by its code); the name
    # is learned for the next listing too.
    from matching.knowledge import load_knowledge

    material = load_knowledge().materials["sugar-filter-mud"]
    page.goto(f"/listings/{ids[0]}")
    shown = page.inner_text("#listing-materials")
    assert material.name_zh in shown or material.name_en in shown, shown
    assert "sugar-filter-mud" not in shown
    assert page.locator("#listing-unclassified").count() == 0
    more = _plant_listings(live_app, extra_t=1)  # new listings (the same content twice at a site is one listing)
    assert all(codes == ["sugar-filter-mud"] for codes, _, _ in _state(live_app, more))
