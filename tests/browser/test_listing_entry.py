"""Entering a listing in a real Chromium: the material is picked from the autocomplete, its quality fields appear
with their units, a standard grade fills the values, and the listing saves with them; closing it asks first."""
from __future__ import annotations

import pytest

from .conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def test_autocomplete_and_quality_fields_fill_a_want_by_its_grade(page, live_app):
    sign_in(page, "plant@demo.local")
    page.goto("/listings/new/want")
    assert page.locator("#quality-fields").is_hidden()

    page.locator("textarea[name=material]").press_sequentially("粉煤", delay=50)
    choice = page.locator("#material-choices .material-choice[data-code='coal-fly-ash']")
    choice.wait_for()
    assert "粉煤灰" in choice.inner_text()
    choice.click()
    assert page.locator("textarea[name=material]").input_value() == "粉煤灰"
    assert page.locator("#material-choices").is_hidden()

    # the material's own fields, with units, and the GB/T 1596 grades
    fields = page.locator("#quality-fields")
    fields.wait_for(state="visible")
    assert "粉煤灰" in page.locator("#quality-legend").inner_text()
    loi = page.locator("#quality-loi_pct")
    assert loi.get_attribute("data-write-as") == "loi_pct_max"
    assert "%" in page.locator(".quality-field", has=loi).inner_text()
    grade = page.locator("select.quality-grade")
    assert "GB/T 1596-2017" in page.locator("#quality-grades").inner_text()
    grade.select_option("II")
    assert loi.input_value() == "8"
    assert page.locator("#quality-fineness_45um_pct").input_value() == "30"
    written = page.locator("input[name=quality]").input_value()
    assert "grade=II" in written and "loi_pct_max=8" in written and "fineness_45um_pct_max=30" in written
    assert page.locator("#quality-text").is_hidden()   # no key=value typing needed

    # a value changed by hand is written too, and the rest is kept
    loi.fill("6.5")
    loi.dispatch_event("change")
    assert "loi_pct_max=6.5" in page.locator("input[name=quality]").input_value()

    page.fill("input[name=quantity]", "12000")
    page.fill("textarea[name=note]", "汽运，散装（含税）")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "listing-entry-quality.png"), full_page=True)
    page.click("#listing-form [name=publish]")
    page.wait_for_load_state()
    assert "/edit" not in page.url and "/new/" not in page.url, page.locator(".invalid-feedback").all_inner_texts()
    assert _stored_quality(live_app, int(page.url.rstrip("/").rsplit("/", 1)[1])) == {
        "grade": "II", "fineness_45um_pct_max": 30.0, "loi_pct_max": 6.5, "water_demand_pct_max": 105.0,
        "so3_pct_max": 3.0, "moisture_pct_max": 1.0}
    assert page.locator("#listing-note").inner_text() == "汽运，散装（含税）"

    # closing asks first: declined, nothing changes; accepted, the listing is closed
    status = page.locator(".listing-status").first.inner_text()
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#close-listing button[type=submit]")
    assert page.locator(".listing-status").first.inner_text() == status
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#close-listing button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#close-listing").count() == 0


def _stored_quality(live_app, listing_id: int) -> dict:
    from marketplace.extensions import db
    from marketplace.models import Listing

    with live_app.app.app_context():
        return dict(db.session.get(Listing, listing_id).quality)


def test_edit_form_shows_stored_quality_in_the_fields(page, live_app):
    from sqlalchemy import select

    from marketplace.extensions import db
    from marketplace.models import Site, User
    from marketplace.services.listing_check import ListingInput
    from marketplace.services.listings import create_listing

    with live_app.app.app_context():
        user = db.session.scalar(select(User).where(User.email == "plant@demo.local"))
        site = db.session.scalars(select(Site).where(Site.organisation_id == user.organisation_id)
                                  .order_by(Site.id)).first()
        listing_id = create_listing(site, ListingInput(kind="want", material="矿渣粉", quantity=3000,
                                                       quality="Grade=s95; SPECIFIC_SURFACE_M2_KG_MIN=420",
                                                       available_from="2031-01-01", available_to="2031-12-31")).id
    sign_in(page, "plant@demo.local")
    page.goto(f"/listings/{listing_id}/edit")
    page.locator("#quality-fields").wait_for(state="visible")
    assert page.locator("select.quality-grade").input_value() == "S95"
    assert page.locator("#quality-specific_surface_m2_kg").input_value() == "420"
    assert "GB/T 18046-2017" in page.locator("#quality-grades").inner_text()
