"""A listing's material read in the light of its site's sectors: import, form and API, and the run that follows.

A coal-fired power plant's 灰渣 / 飞灰 / ash is coal combustion ash and reaches a cement works; a
waste-to-energy plant's 飞灰 is incineration fly ash (HW18) and reaches only a permit holder; a site of an
unrelated trade keeps the possibly hazardous reading; text that says 危废 never becomes safe; a hazard code
written on the row still wins.
"""
import csv
import io
import re
from types import SimpleNamespace

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from marketplace.models import Licence, Link, Listing, Site
from marketplace.services.accounts import issue_api_token
from marketplace.services.imports import import_tables
from marketplace.services.imports.files import read_import_file
from marketplace.services.matching import start_run

LISTING_HEADER = ["site_id", "kind", "material", "quantity", "unit", "hazard_code"]
SITE_HEADER = ["site_id", "name", "org", "sector", "lon", "lat", "hw_permit", "hw_capacity_t"]


def csv_bytes(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: row.get(key, "") for key in header})
    return out.getvalue().encode("utf-8")


def workbook_bytes(sheets) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(name)
        sheet.append(header)
        for row in rows:
            sheet.append([row.get(key) for key in header])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def import_listings(rows):
    return import_tables(read_import_file(csv_bytes(LISTING_HEADER, rows), filename="listings.csv"))


def stored(db, site, material_text) -> Listing:
    return db.session.scalars(select(Listing).where(Listing.site_id == site.id,
                                                    Listing.material == material_text)).one()


@pytest.fixture
def plants(make_site):
    """A coal power plant, a CHP plant with a cement line, a waste-to-energy plant, a chemical works and a
    vehicle repair shop, a few kilometres apart."""
    return SimpleNamespace(
        power=make_site(external_ref="CX-POWER", sector_code="4411", lonlat=(117.20, 31.85)),
        chp=make_site(external_ref="CX-CHP", sector_code="4412", extra_sector_codes=["3011"], lonlat=(117.22, 31.85)),
        wte=make_site(external_ref="CX-WTE", sector_code="4417", lonlat=(117.24, 31.85)),
        chemicals=make_site(external_ref="CX-CHEM", sector_code="2614", lonlat=(117.26, 31.85)),
        garage=make_site(external_ref="CX-GARAGE", sector_code="8111", lonlat=(117.28, 31.85)),
    )


# ----------------------------------------------------------------------------------------------- import

def test_the_import_reads_each_row_by_its_site_s_sector_and_says_so_by_row_and_column(db, plants):
    result = import_listings([
        {"site_id": "CX-POWER", "kind": "offer", "material": "灰渣", "quantity": "120000"},          # row 2
        {"site_id": "CX-CHP", "kind": "offer", "material": "ash", "quantity": "50000"},              # row 3
        {"site_id": "CX-WTE", "kind": "offer", "material": "飞灰", "quantity": "8000"},               # row 4
        {"site_id": "CX-CHEM", "kind": "offer", "material": "灰渣", "quantity": "900"},                # row 5
        {"site_id": "CX-POWER", "kind": "offer", "material": "石膏", "quantity": "30000"},             # row 6
        {"site_id": "CX-GARAGE", "kind": "offer", "material": "废电池", "quantity": "12"},             # row 7
    ])
    assert result.listings.created == 6
    readings = {}
    for site, text in ((plants.power, "灰渣"), (plants.chp, "ash"), (plants.wte, "飞灰"), (plants.chemicals, "灰渣"),
                       (plants.power, "石膏"), (plants.garage, "废电池")):
        listing = stored(db, site, text)
        [name] = listing.names
        readings[(site.external_ref, text)] = (name.reading, name.material_code, listing.hazard_code)
    assert readings == {
        ("CX-POWER", "灰渣"): ("context", "coal-fly-ash", None),
        ("CX-CHP", "ash"): ("context", "coal-fly-ash", None),
        ("CX-WTE", "飞灰"): ("context", "incineration-fly-ash", "772-002-18"),
        ("CX-CHEM", "灰渣"): ("possibly_hazardous", "incineration-fly-ash", "772-002-18"),
        ("CX-POWER", "石膏"): ("context", "fgd-gypsum", None),
        ("CX-GARAGE", "废电池"): ("context", "lead-acid-battery", "900-052-31"),
    }
    told = {(w.row, w.column): w.reason for w in result.listings.warnings if "because the site is" in w.reason}
    assert set(told) == {(2, "material"), (3, "material"), (4, "material"), (6, "material"), (7, "material")}
    assert "thermal power generation (4411)" in told[(2, "material")] and "confirm if wrong" in told[(2, "material")]
    assert "(4417)" in told[(4, "material")]
    assert "may mean a hazardous waste" in next(w.reason for w in result.listings.warnings if w.row == 5)
    assert "to confirm: row 2, column material:" in result.summary()


def test_sites_created_by_the_same_workbook_lend_their_sectors_to_its_listings(db):
    raw = workbook_bytes({
        "sites": (SITE_HEADER, [
            {"site_id": "WB-POWER", "name": "日照电厂（测试）", "org": "电力公司（测试）", "sector": "火力发电", "lon": 117.2,
             "lat": 31.8},
            {"site_id": "WB-WTE", "name": "垃圾焚烧发电厂（测试）", "org": "环保能源（测试）", "sector": "垃圾焚烧发电厂",
             "lon": 117.3, "lat": 31.8}]),
        "listings": (LISTING_HEADER, [
            {"site_id": "WB-POWER", "kind": "offer", "material": "灰渣", "quantity": 100000},
            {"site_id": "WB-WTE", "kind": "offer", "material": "飞灰", "quantity": 5000}]),
    })
    result = import_tables(read_import_file(raw, filename="book.xlsx"))
    power = db.session.scalars(select(Site).where(Site.external_ref == "WB-POWER")).one()
    wte = db.session.scalars(select(Site).where(Site.external_ref == "WB-WTE")).one()
    assert stored(db, power, "灰渣").material_codes == ["coal-fly-ash"]
    assert stored(db, wte, "飞灰").material_codes == ["incineration-fly-ash"]
    assert {(w.sheet, w.row, w.column) for w in result.warnings if "because the site is" in w.reason} == {
        ("listings", 2, "material"), ("listings", 3, "material")}


@pytest.mark.parametrize("material", ["危废飞灰", "飞灰(危废)", "灰渣 HW18", "hazardous ash"])
def test_text_that_says_hazardous_waste_never_becomes_safe_at_a_power_plant(db, plants, material):
    import_listings([{"site_id": "CX-POWER", "kind": "offer", "material": material, "quantity": "100"}])
    listing = stored(db, plants.power, material)
    assert all(m.material.hazardous for m in listing.materials)
    assert [n.reading for n in listing.names] != ["context"]


def test_a_hazard_code_on_the_row_wins_over_the_site_s_sector(db, plants):
    result = import_listings([
        {"site_id": "CX-POWER", "kind": "offer", "material": "飞灰", "quantity": "100", "hazard_code": "HW18"}])
    listing = stored(db, plants.power, "飞灰")
    assert listing.material_codes == ["incineration-fly-ash"] and listing.hazard_code == "HW18"
    assert [n.reading for n in listing.names] == ["possibly_hazardous"]
    assert not any("because the site is" in w.reason for w in result.listings.warnings)


def test_a_want_is_not_reread_by_the_sector_of_its_site(db, plants):
    import_listings([{"site_id": "CX-POWER", "kind": "want", "material": "石膏", "quantity": "100"}])
    assert [n.reading for n in stored(db, plants.power, "石膏").names] == ["generic"]


# ----------------------------------------------------------------------------------------------- a real run

def test_a_power_plant_s_ash_reaches_a_cement_works_and_an_incinerator_s_only_a_permit_holder(db, plants, make_site):
    cement = make_site(external_ref="CX-CEM", sector_code="3011", lonlat=(117.21, 31.86))
    licensed = make_site(external_ref="CX-CEM-HW", sector_code="3011", lonlat=(117.25, 31.86))
    unlicensed = make_site(external_ref="CX-CEM-2", sector_code="3011", lonlat=(117.23, 31.84))
    db.session.add(Licence(organisation=licensed.organisation, site=licensed, kind="hw_permit", hw_codes="HW18",
                           capacity_t_per_yr=50_000.0))
    db.session.commit()
    import_listings([
        {"site_id": "CX-POWER", "kind": "offer", "material": "灰渣", "quantity": "60000"},
        {"site_id": "CX-WTE", "kind": "offer", "material": "飞灰", "quantity": "5000"},
        {"site_id": "CX-CHEM", "kind": "offer", "material": "灰渣", "quantity": "900"},
        {"site_id": "CX-CEM", "kind": "want", "material": "粉煤灰", "quantity": "200000"},
        {"site_id": "CX-CEM-HW", "kind": "want", "material": "焚烧飞灰", "quantity": "20000"},
        {"site_id": "CX-CEM-2", "kind": "want", "material": "焚烧飞灰|粉煤灰", "quantity": "20000"},
    ])
    run = start_run()
    links = db.session.scalars(select(Link).where(Link.run_id == run.id)).all()

    def receivers(site, text):
        offer = stored(db, site, text)
        return {link.receiver_site_id for link in links if link.offer_id == offer.id}

    assert cement.id in receivers(plants.power, "灰渣")            # coal ash, as the cement works wants
    assert receivers(plants.wte, "飞灰") == {licensed.id}           # HW18: the permit holder only
    assert unlicensed.id not in receivers(plants.chemicals, "灰渣")  # still possibly hazardous: no permit, no link
    assert cement.id not in receivers(plants.chemicals, "灰渣")


# ----------------------------------------------------------------------------------------------- form

@pytest.fixture
def owner(client, make_user, make_site, auth):
    client.get("/lang/en")
    user = make_user("plant")
    power = make_site(organisation=user.organisation, external_ref="FM-POWER", sector_code="4412")
    shop = make_site(organisation=user.organisation, external_ref="FM-CHEM", sector_code="2614")
    auth.login(user)
    return SimpleNamespace(user=user, power=power, shop=shop)


def form(site, material, **overrides):
    values = {"site": str(site.id), "material": material, "quantity": "20000", "unit": "t/yr", "quality": "",
              "price_cny": "", "available_from": "", "available_to": "", "hazard_code": "", "visibility": "named",
              "note": "", "save": "Save as draft"}
    values.update(overrides)
    return values


def test_the_form_reads_the_material_by_the_chosen_site_and_the_page_says_why(client, db, owner):
    response = client.post("/listings/new/offer", data=form(owner.power, "飞灰"))
    assert response.status_code == 302, response.get_data(as_text=True)
    listing = db.session.scalars(select(Listing).where(Listing.site_id == owner.power.id)).one()
    assert listing.material_codes == ["coal-fly-ash"] and listing.hazard_code is None
    assert [n.reading for n in listing.names] == ["context"]
    page = client.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert 'data-reading="context"' in page and 'data-sector="4412"' in page
    assert "Combined heat and power generation (4412)" in page


def test_editing_a_listing_reads_it_again_on_its_new_site(client, db, owner):
    client.post("/listings/new/offer", data=form(owner.power, "飞灰"))
    listing = db.session.scalars(select(Listing).where(Listing.site_id == owner.power.id)).one()
    response = client.post(f"/listings/{listing.id}/edit", data=form(owner.shop, "飞灰", save="Save"))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(listing)
    assert listing.site_id == owner.shop.id
    assert listing.material_codes == ["incineration-fly-ash"] and listing.possibly_hazardous
    response = client.post(f"/listings/{listing.id}/edit", data=form(owner.power, "危废飞灰", save="Save"))
    assert response.status_code == 302
    db.session.refresh(listing)
    assert listing.material_codes == ["incineration-fly-ash"]


# ----------------------------------------------------------------------------------------------- API

@pytest.fixture
def caller(make_user, make_site):
    user = make_user("plant")
    for ref, sector in (("AP-POWER", "4411"), ("AP-WTE", "4417"), ("AP-CHEM", "2614"), ("AP-EV", "3612")):
        make_site(organisation=user.organisation, external_ref=ref, sector_code=sector)
    return {"Authorization": f"Bearer {issue_api_token(user)}"}


@pytest.mark.parametrize("site_id, material, reading, code, hazard_code, sector", [
    ("AP-POWER", "灰渣", "context", "coal-fly-ash", None, "4411"),
    ("AP-POWER", "石膏", "context", "fgd-gypsum", None, "4411"),
    ("AP-WTE", "飞灰", "context", "incineration-fly-ash", "772-002-18", "4417"),
    ("AP-CHEM", "飞灰", "possibly_hazardous", "incineration-fly-ash", "772-002-18", None),
    ("AP-EV", "废电池", "context", "retired-ev-battery", None, "3612"),
    ("AP-POWER", "飞灰（危废）", "possibly_hazardous", "incineration-fly-ash", "772-002-18", None),
])
def test_the_api_reads_the_material_by_the_site_and_says_why(client, db, caller, site_id, material, reading, code,
                                                             hazard_code, sector):
    response = client.post("/api/v1/listings", headers=caller, json={
        "site_id": site_id, "kind": "offer", "material": material, "quantity": 1000})
    assert response.status_code == 201, response.json
    [name] = response.json["names"]
    assert (name["reading"], name["material_code"], response.json["hazard_code"]) == (reading, code, hazard_code)
    assert name.get("sector") == sector
    if sector:
        assert sector in name["note"]
    again = client.get(f"/api/v1/listings/{response.json['id']}", headers=caller).json
    assert again["names"] == response.json["names"]
    if sector:
        # Why, in the language the client asks for: the material, the sector and the reason all follow.
        english = client.get(f"/api/v1/listings/{response.json['id']}",
                             headers={**caller, "Accept-Language": "en"}).json["names"][0]["note"]
        chinese = client.get(f"/api/v1/listings/{response.json['id']}",
                             headers={**caller, "Accept-Language": "zh-CN"}).json["names"][0]["note"]
        assert english.startswith("read as") and f"({sector})" in english
        assert not re.search("[\u4e00-\u9fff]{2}", english.split(":")[0])
        assert "because" not in chinese and not re.search("[a-z]{4,}", chinese.replace(code, "")), chinese
        assert f"（{sector}）" in chinese


def test_a_sector_still_to_confirm_reads_no_possibly_hazardous_name_as_safe(client, db, make_user, make_site):
    user = make_user("plant")
    make_site(organisation=user.organisation, external_ref="AP-GUESS", sector_code="4411", sector_to_confirm=True)
    headers = {"Authorization": f"Bearer {issue_api_token(user)}"}
    fly_ash = client.post("/api/v1/listings", headers=headers, json={
        "site_id": "AP-GUESS", "kind": "offer", "material": "飞灰", "quantity": 1000}).json
    assert (fly_ash["names"][0]["reading"], fly_ash["possibly_hazardous"]) == ("possibly_hazardous", True)
    gypsum = client.post("/api/v1/listings", headers=headers, json={
        "site_id": "AP-GUESS", "kind": "offer", "material": "石膏", "quantity": 1000}).json
    assert gypsum["names"][0]["material_code"] == "fgd-gypsum"    # kinds of equal hazard follow the guess


def test_the_import_reads_no_possibly_hazardous_name_as_safe_at_a_site_whose_sector_is_a_guess(db, make_site):
    guess = make_site(external_ref="CX-GUESS", sector_code="4412", sector_to_confirm=True)
    import_listings([{"site_id": "CX-GUESS", "kind": "offer", "material": "灰渣", "quantity": "100"}])
    assert [n.reading for n in stored(db, guess, "灰渣").names] == ["possibly_hazardous"]
