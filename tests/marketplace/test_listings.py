"""Offers and wants in the web app: forms, validation on the fields, life cycle, owners-only editing, pages."""
import datetime as dt
import html
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from marketplace.models import Listing


@pytest.fixture
def plant(client, make_user, make_site, auth):
    client.get("/lang/en")  # messages from WTForms follow the locale; the tests read them in English
    user = make_user("plant")
    site = make_site(organisation=user.organisation, external_ref="WH-01", name_zh="芜湖电厂")
    auth.login(user)
    return SimpleNamespace(user=user, site=site, organisation=user.organisation)


def listing_form(site_row, **overrides):
    form = {"site": str(site_row.id), "material": "粉煤灰", "quantity": "20000", "unit": "t/yr",
            "quality": "grade=II; loi_pct=5", "price_cny": "-20", "available_from": "2027-01-01",
            "available_to": "2027-12-31", "hazard_code": "", "visibility": "named",
            "transport_modes": ["road", "barge"], "note": "散装罐车", "save": "Save as draft"}
    form.update(overrides)
    return form


def listing_count(db):
    return db.session.scalar(select(func.count(Listing.id)))


def field_errors(page: str) -> dict[str, str]:
    """The error messages shown under each form field, by field name."""
    found = {}
    for name, message in re.findall(r'data-field="([^"]+)">([^<]*)<', page):
        found.setdefault(name, "")
        found[name] += html.unescape(message)
    return found


def test_add_offer_as_draft(client, db, plant):
    response = client.post("/listings/new/offer", data=listing_form(plant.site))
    assert response.status_code == 302
    listing = db.session.scalar(select(Listing))
    assert listing.site_id == plant.site.id and listing.kind == "offer" and listing.status == "draft"
    assert listing.material_codes == ["coal-fly-ash"]
    assert (listing.quantity, listing.unit, listing.annual_quantity) == (20000, "t/yr", 20000)
    assert listing.quality == {"grade": "II", "loi_pct": 5.0}
    assert listing.price_cny == -20 and listing.available_to == dt.date(2027, 12, 31)
    assert listing.transport_modes == "road,barge" and listing.note == "散装罐车"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    # Read as the knowledge base's material, named in the page's language (English here), beside the name as written.
    assert "coal fly ash" in page and "粉煤灰" in page and "芜湖电厂" in page and "listing-map" in page


@pytest.mark.parametrize("kind", ["offer", "want"])
def test_publish_button_publishes_at_once(client, db, plant, kind):
    form = listing_form(plant.site, publish="Publish", price_cny="60" if kind == "want" else "-20")
    del form["save"]
    assert client.post(f"/listings/new/{kind}", data=form).status_code == 302
    listing = db.session.scalar(select(Listing))
    assert listing.kind == kind and listing.status == "published" and listing.published_at is not None


def test_want_accepts_several_materials_one_per_line_or_separated_by_bars(client, db, plant):
    form = listing_form(plant.site, material="粉煤灰\n矿渣粉 | 脱硫石膏", quality="", price_cny="60")
    assert client.post("/listings/new/want", data=form).status_code == 302
    assert db.session.scalar(select(Listing)).material_codes == ["coal-fly-ash", "ggbs", "fgd-gypsum"]


def test_want_form_asks_for_a_maximum_price(client, plant):
    page = client.get("/listings/new/want").get_data(as_text=True)
    assert "Maximum price" in page or "最高价" in page
    assert "芜湖电厂 (WH-01)" in page


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"material": "---"}, "material", "no letters or digits"),
    ({"material": "粉煤灰", "unit": "Nm3/yr"}, "unit", "cannot be converted"),
    ({"material": ""}, "material", "material is required"),
    ({"material": "粉煤灰|矿渣"}, "material", "an offer is one material"),
    ({"material": "粉煤灰\n矿渣"}, "material", "an offer is one material"),
    ({"unit": "t/week"}, "unit", "unknown unit"),
    ({"unit": "GJ/yr"}, "unit", "measured in t"),
    ({"quantity": "-5"}, "quantity", "more than zero"),
    ({"quantity": "0"}, "quantity", "more than zero"),
    ({"quantity": ""}, "quantity", "number is required"),
    ({"quantity": "lots"}, "quantity", "not a number"),
    ({"quantity": "1e12"}, "quantity", "more than any site"),
    ({"quantity": "400000", "unit": "t/day"}, "quantity", "more than any site"),
    ({"available_from": "2027-12-31", "available_to": "2027-01-01"}, "available_to", "before it starts"),
    ({"available_to": "2027-02-30"}, "available_to", "date"),
    ({"available_from": "next spring"}, "available_from", "date"),
    ({"material": "废铅蓄电池", "quality": "", "hazard_code": "900-214-08"}, "hazard_code", "HW31"),
    ({"material": "废铅蓄电池", "quality": "", "hazard_code": "HW-3X"}, "hazard_code", "8-digit"),
    ({"hazard_code": "900-052-31"}, "hazard_code", "not hazardous"),
    ({"hazard_code": "12345"}, "hazard_code", "8-digit"),
    ({"quality": "grade=IV"}, "quality", "not one of"),
    ({"quality": "colour=grey"}, "quality", "unknown quality key"),
    ({"price_cny": "cheap"}, "price_cny", "not a number"),
    ({"site": "999999"}, "site", "your organisation's sites"),
])
def test_bad_input_is_named_on_its_field_and_nothing_is_stored(client, db, plant, overrides, field, words):
    response = client.post("/listings/new/offer", data=listing_form(plant.site, **overrides))
    assert response.status_code == 400
    errors = field_errors(response.get_data(as_text=True))
    assert field in errors, errors
    assert words in errors[field]
    assert listing_count(db) == 0


def test_every_bad_field_is_reported_at_once(client, db, plant):
    response = client.post("/listings/new/offer", data=listing_form(
        plant.site, site="999999", quantity="-1", unit="t/week", available_from="2027-06-01", available_to="2027-07-01",
        price_cny="x"))
    assert response.status_code == 400
    assert {"site", "quantity", "unit", "price_cny"} <= set(field_errors(response.get_data(as_text=True)))


def test_a_site_of_another_organisation_cannot_be_chosen(client, db, plant, make_site):
    foreign = make_site()
    response = client.post("/listings/new/offer", data=listing_form(foreign))
    assert response.status_code == 400 and "site" in field_errors(response.get_data(as_text=True))
    assert listing_count(db) == 0


@pytest.fixture
def offer(plant, make_listing):
    return make_listing(site=plant.site, kind="offer", material="coal-fly-ash", quantity=10_000, status="draft",
                        quality="grade=II", transport_modes="rail")


def test_edit_form_is_filled_with_the_listing(client, offer):
    page = client.get(f"/listings/{offer.id}/edit").get_data(as_text=True)
    assert "coal-fly-ash" in page and 'value="10000"' in page and "grade=II" in page
    assert re.search(r'<option selected value="rail">|<option value="rail" selected>', page)


def test_edit_changes_the_listing(client, db, plant, offer):
    response = client.post(f"/listings/{offer.id}/edit", data=listing_form(plant.site, quantity="12000", save="Save"))
    assert response.status_code == 302
    db.session.refresh(offer)
    assert offer.quantity == 12000 and offer.annual_quantity == 12000 and offer.status == "draft"


def test_edit_with_publish_saves_and_publishes(client, db, plant, offer):
    form = listing_form(plant.site, quantity="12000", publish="Publish")
    del form["save"]
    assert client.post(f"/listings/{offer.id}/edit", data=form).status_code == 302
    db.session.refresh(offer)
    assert offer.quantity == 12000 and offer.status == "published"


def test_bad_edit_changes_nothing(client, db, plant, offer):
    response = client.post(f"/listings/{offer.id}/edit", data=listing_form(plant.site, quantity="-3"))
    assert response.status_code == 400 and "quantity" in field_errors(response.get_data(as_text=True))
    db.session.refresh(offer)
    assert offer.quantity == 10_000


@pytest.mark.parametrize(("quantity", "status"), [("4000", 400), ("5000", 302), ("6000", 302)])
def test_committed_tonnage_is_never_offered_twice(client, db, plant, offer, quantity, status):
    offer.committed_quantity = 5000
    db.session.commit()
    response = client.post(f"/listings/{offer.id}/edit", data=listing_form(plant.site, quantity=quantity))
    assert response.status_code == status
    db.session.refresh(offer)
    if status == 400:
        assert "already promised" in field_errors(response.get_data(as_text=True))["quantity"]
        assert offer.quantity == 10_000
    else:
        assert offer.quantity == float(quantity) and offer.available_quantity == float(quantity) - 5000


def test_committed_and_available_quantities_are_shown(client, db, plant, offer):
    offer.committed_quantity = 2500
    db.session.commit()
    mine = client.get("/listings/mine").get_data(as_text=True)
    assert re.search(r'class="available">7,500 t/yr<', mine) and re.search(r'class="committed">2,500 t/yr<', mine)
    detail = client.get(f"/listings/{offer.id}").get_data(as_text=True)
    assert re.search(r'id="listing-available">7,500 t/yr<', detail)


@pytest.mark.parametrize(("who", "status"), [
    ("colleague", 302), ("other_plant", 403), ("park_manager_of_the_site", 403), ("admin", 302)])
def test_only_the_owning_organisation_and_admins_edit(client, db, auth, make_user, make_park, plant, offer, who,
                                                      status):
    park = make_park()
    plant.site.park = park
    db.session.commit()
    user = {"colleague": lambda: make_user("plant", organisation=plant.organisation),
            "other_plant": lambda: make_user("plant"),
            "park_manager_of_the_site": lambda: make_user("park_manager", parks=[park]),
            "admin": lambda: make_user("admin")}[who]()
    auth.logout()
    auth.login(user)
    response = client.post(f"/listings/{offer.id}/edit", data=listing_form(plant.site, quantity="777"))
    assert response.status_code == status
    db.session.refresh(offer)
    assert (offer.quantity == 777) == (status == 302)
    assert client.post(f"/listings/{offer.id}/close").status_code == status


def test_publish_and_close_buttons(client, db, offer):
    page = client.get(f"/listings/{offer.id}").get_data(as_text=True)
    assert f"/listings/{offer.id}/publish" in page
    assert client.post(f"/listings/{offer.id}/publish").status_code == 302
    db.session.refresh(offer)
    assert offer.status == "published"
    page = client.get(f"/listings/{offer.id}").get_data(as_text=True)
    assert f"/listings/{offer.id}/publish" not in page and f"/listings/{offer.id}/close" in page
    assert client.post(f"/listings/{offer.id}/close").status_code == 302
    db.session.refresh(offer)
    assert offer.status == "closed"


def test_a_window_that_has_ended_cannot_be_published(client, db, offer):
    offer.available_from, offer.available_to = dt.date(2020, 1, 1), dt.date(2020, 12, 31)
    db.session.commit()
    response = client.post(f"/listings/{offer.id}/publish")
    assert response.status_code == 400 and "window has ended" in response.get_data(as_text=True)
    db.session.refresh(offer)
    assert offer.status == "draft"


def test_publishing_from_the_form_refuses_an_ended_window_and_stores_nothing(client, db, plant):
    form = listing_form(plant.site, available_from="2020-01-01", available_to="2020-12-31", publish="Publish")
    del form["save"]
    response = client.post("/listings/new/offer", data=form)
    assert response.status_code == 400 and "available_to" in field_errors(response.get_data(as_text=True))
    assert listing_count(db) == 0


@pytest.mark.parametrize(("status", "viewer", "code"), [
    ("draft", "owner", 200), ("draft", "other", 403), ("draft", "admin", 200),
    ("published", "other", 200), ("closed", "other", 403), ("closed", "owner", 200),
])
def test_who_may_view_a_listing(client, auth, make_user, make_listing, plant, status, viewer, code):
    listing = make_listing(site=plant.site, status=status)
    if viewer != "owner":
        auth.logout()
        auth.login(make_user("admin" if viewer == "admin" else "recycler"))
    assert client.get(f"/listings/{listing.id}").status_code == code


def test_detail_page_tells_a_buyer_what_it_needs(client, auth, make_user, make_listing, plant):
    listing = make_listing(site=plant.site, quality="grade=II;loi_pct=4.5", price_cny="-25",
                           available_from="2027-01-01", hazard_code=None, note="可汽运")
    auth.logout()
    auth.login(make_user("recycler"))
    page = client.get(f"/listings/{listing.id}").get_data(as_text=True)
    for text in ("coal fly ash", "10,000 t/yr", "grade: II", "loss on ignition (%): 4.5", "-25", "2027-01-01", "可汽运",
                 plant.organisation.name_en or plant.organisation.name_zh, "芜湖电厂", 'id="listing-map"'):
        assert text in page, text
    assert 'id="owner-actions"' not in page and 'id="enquiry-form"' in page


def test_my_listings_page(client, make_listing, plant):
    offer = make_listing(site=plant.site, kind="offer", status="draft")
    want = make_listing(site=plant.site, kind="want", material="脱硫石膏|矿渣粉", quantity=3000)
    page = client.get("/listings/mine").get_data(as_text=True)
    offers, wants = page.split('id="want-table"')
    assert f'data-listing="{offer.id}"' in offers and f'data-listing="{want.id}"' in wants
    assert "flue-gas desulphurisation gypsum | ground granulated blast-furnace slag" in wants
    for link in ("/listings/new/offer", "/listings/new/want", "/listings/import", "/listings/export.csv",
                 "/listings/export.xlsx", f"/listings/{offer.id}/edit"):
        assert link in page, link


def test_others_listings_are_not_on_my_page(client, make_listing, plant):
    foreign = make_listing()
    assert f'data-listing="{foreign.id}"' not in client.get("/listings/mine").get_data(as_text=True)


def test_a_park_manager_gets_no_add_buttons(client, auth, make_user):
    auth.login(make_user("park_manager"))
    page = client.get("/listings/mine").get_data(as_text=True)
    assert "/listings/new/offer" not in page


@pytest.mark.parametrize("path", ["/listings/mine", "/listings/new/offer", "/listings/new/want", "/listings/{id}",
                                  "/listings/{id}/edit", "/listings/import", "/listings/enquiries"])
def test_pages_keep_to_the_content_security_policy(client, make_listing, plant, path):
    listing = make_listing(site=plant.site, visibility="anonymous")
    page = client.get(path.format(id=listing.id)).get_data(as_text=True)
    assert " style=" not in page
    for attributes, code in re.findall(r"<script([^>]*)>(.*?)</script>", page, flags=re.S):
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
        assert "src=" not in attributes or not code.strip()
    for reference in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page):
        assert reference.startswith(("/", "data:")) and not reference.startswith("//"), reference


# ------------------------------------------------------------------------------------- open vocabulary

@pytest.mark.parametrize(("kind", "material", "unit", "codes", "reading", "notice"), [
    ("offer", "ZK-3回收料", "t/yr", [], "unclassified", "unclassified"),
    ("offer", "飞灰", "t/yr", ["incineration-fly-ash"], "possibly_hazardous", "possibly hazardous"),
    ("want", "石膏", "t/month", ["byproduct-gypsum"], "generic", None),
    ("want", "污泥\nline 3 reclaim mix ZK", "t/yr", ["sludge-any-kind"], "generic", "unclassified"),
])
def test_the_form_accepts_generic_possibly_hazardous_and_unknown_names(client, db, plant, kind, material, unit, codes,
                                                                       reading, notice):
    response = client.post(f"/listings/new/{kind}", data=listing_form(
        plant.site, material=material, unit=unit, quality="", price_cny="", transport_modes=[]))
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    listing = db.session.scalar(select(Listing))
    assert listing.material == material.replace("\n", "|")    # the author's words, kept
    assert listing.material_codes == codes
    assert listing.names[0].reading == reading
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert material.splitlines()[0] in page
    if notice:
        assert notice in page
    if reading == "possibly_hazardous":
        assert listing.hazard_code == "772-002-18" and listing.possibly_hazardous


def test_steam_in_gj_is_stored_in_tonnes(client, db, plant):
    response = client.post("/listings/new/offer", data=listing_form(
        plant.site, material="低压蒸汽", quantity="27000", unit="GJ/yr", quality="", price_cny=""))
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    listing = db.session.scalar(select(Listing))
    assert (listing.unit, listing.base_unit) == ("GJ/yr", "t")
    assert listing.annual_quantity == pytest.approx(10_000, rel=0.2)   # about 2.7 GJ per tonne


def test_editing_a_listing_in_another_unit_keeps_its_unit(client, db, plant, make_listing):
    listing = make_listing(site=plant.site, material="余热", quantity=50, unit="万kWh/月", status="draft")
    assert listing.unit == "kWh/month"
    page = client.get(f"/listings/{listing.id}/edit").get_data(as_text=True)
    assert '<option selected value="kWh/month">' in page or 'value="kWh/month" selected' in page


def test_editing_the_material_rereads_it(db, make_listing):
    from marketplace.services.listing_check import ListingInput
    from marketplace.services.listings import update_listing

    listing = make_listing(material="飞灰", quantity=100)
    assert listing.possibly_hazardous
    update_listing(listing, ListingInput(kind="offer", material="粉煤灰", quantity=100))
    db.session.refresh(listing)
    assert listing.material_codes == ["coal-fly-ash"] and [n.written for n in listing.names] == ["粉煤灰"]
    assert not listing.possibly_hazardous
    update_listing(listing, ListingInput(kind="offer", material="ZK-11 残料", quantity=100))
    db.session.refresh(listing)
    assert listing.material_codes == [] and listing.names[0].reading == "unclassified"
    assert listing.material == "ZK-11 残料"
