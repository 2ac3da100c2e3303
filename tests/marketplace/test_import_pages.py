"""The import page, template downloads and the export of one's own listings."""
import html
import io
import re
from types import SimpleNamespace

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from marketplace.models import Listing, Organisation, Site
from marketplace.services.imports import import_tables
from marketplace.services.imports.files import read_import_file
from marketplace.services.imports.template import TEMPLATE_LISTINGS

LISTING_COLUMNS = ["site_id", "kind", "material", "quantity", "unit", "quality", "price_cny", "available_from",
                   "available_to", "hazard_code", "visibility", "note"]


@pytest.fixture
def importer(client, make_user, make_site, auth):
    client.get("/lang/en")
    user = make_user("plant")
    site = make_site(organisation=user.organisation, external_ref="IMP-01")
    auth.login(user)
    return SimpleNamespace(user=user, site=site, organisation=user.organisation)


def csv_bytes(*rows: str, header: str = "site_id,kind,material,quantity,unit,quality,price_cny,available_to") -> bytes:
    return ("\n".join((header,) + rows) + "\n").encode("utf-8")


GOOD_ROWS = ("IMP-01,offer,粉煤灰,20000,t/yr,grade=II,-20,2027-12-31",
             "IMP-01,want,脱硫石膏|矿渣粉,5000,t/yr,,80,")


def upload(client, raw: bytes, filename: str, *, publish: bool = True):
    data = {"file": (io.BytesIO(raw), filename)}
    if publish:
        data["publish"] = "y"
    return client.post("/listings/import", data=data, content_type="multipart/form-data")


def listing_count(db):
    return db.session.scalar(select(func.count(Listing.id)))


def problems(page: str) -> list[tuple[str, str]]:
    """(row, column) of each line of the problem table."""
    return re.findall(r'class="problem-row">(\d+)</td><td class="problem-column">([^<]+)<', page)


def test_good_file_is_imported_and_the_summary_shown(client, db, importer):
    response = upload(client, csv_bytes(*GOOD_ROWS), "listings.csv")
    assert response.status_code == 302 and response.headers["Location"].endswith("/listings/mine")
    page = client.get("/listings/mine").get_data(as_text=True)
    assert "Listings: 2 created, 0 already there" in page
    listings = db.session.scalars(select(Listing).order_by(Listing.id)).all()
    assert [(row.kind, row.material_codes, row.status) for row in listings] == [
        ("offer", ["coal-fly-ash"], "published"), ("want", ["fgd-gypsum", "ggbs"], "published")]
    upload(client, csv_bytes(*GOOD_ROWS), "listings.csv")
    assert "Listings: 0 created, 2 already there" in client.get("/listings/mine").get_data(as_text=True)
    assert listing_count(db) == 2


def test_without_publish_now_the_listings_are_drafts(client, db, importer):
    assert upload(client, csv_bytes(*GOOD_ROWS), "listings.csv", publish=False).status_code == 302
    assert set(db.session.scalars(select(Listing.status))) == {"draft"}


def test_every_bad_row_is_listed_and_nothing_is_stored(client, db, importer):
    raw = csv_bytes(GOOD_ROWS[0],
                    "IMP-01,offer,S08,100,t/yr,,,",              # row 3: no such category (an unknown name is fine)
                    "IMP-01,offer,粉煤灰,100,t/yr,,,2027-02-30",  # row 4
                    GOOD_ROWS[1],
                    "IMP-01,offer,钢渣,-5,t/week,,,",             # row 6: two problems
                    "NOPE-9,offer,钢渣,100,t/yr,,,")              # row 7
    response = upload(client, raw, "listings.csv")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert problems(page) == [("3", "material"), ("4", "available_to"), ("6", "quantity"), ("6", "unit"),
                              ("7", "site_id")]
    assert "5 problems; nothing was stored." in page
    assert listing_count(db) == 0


def test_sites_of_other_organisations_are_refused(client, db, importer, make_site):
    make_site(external_ref="FOREIGN-1")
    response = upload(client, csv_bytes("FOREIGN-1,offer,粉煤灰,100,t/yr,,,"), "listings.csv")
    assert response.status_code == 400 and problems(response.get_data(as_text=True)) == [("2", "site_id")]
    assert "among your organisation&#39;s sites" in response.get_data(as_text=True)
    assert listing_count(db) == 0


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_with_sites_and_listings(client, db, importer):
    raw = workbook_bytes({
        "sites": [["site_id", "name", "org", "sector", "lon", "lat", "city"],
                  ["IMP-02", "马鞍山二厂", importer.organisation.name_zh, "3120", 118.5, 31.7, "340500"]],
        "listings": [["site_id", "kind", "material", "quantity", "unit"],
                     ["IMP-02", "offer", "钢渣", 80000, "t/yr"], ["IMP-01", "want", "fly ash", 3000, "t/month"]]})
    response = upload(client, raw, "book.xlsx")
    assert response.status_code == 302
    page = client.get("/listings/mine").get_data(as_text=True)
    assert "Sites: 1 created" in page and "Listings: 2 created" in page
    new_site = db.session.scalar(select(Site).where(Site.external_ref == "IMP-02"))
    assert new_site.organisation_id == importer.organisation.id
    want = db.session.scalar(select(Listing).where(Listing.kind == "want"))
    assert want.annual_quantity == 36000 and want.site_id == importer.site.id


def test_bad_xlsx_row_names_its_sheet(client, db, importer):
    raw = workbook_bytes({"listings": [["site_id", "kind", "material", "quantity"], ["IMP-01", "offer", "钢渣", -1]]})
    response = upload(client, raw, "book.xlsx")
    assert response.status_code == 400 and problems(response.get_data(as_text=True)) == [("2", "quantity")]


@pytest.mark.parametrize(("raw", "filename", "words"), [
    (b"\xd0\xcf\x11\xe0 old workbook", "book.xls", "old .xls"),
    (b"site_id,kind\n", "book.xlsx", "not an XLSX"),
    (b"", "empty.csv", "empty"),
    (b"a,b\n1,2\n", "other.csv", "cannot tell"),
])
def test_files_that_are_not_what_they_claim(client, db, importer, raw, filename, words):
    response = upload(client, raw, filename)
    assert response.status_code == 400
    errors = html.unescape(" ".join(re.findall(r'data-field="file">([^<]*)<', response.get_data(as_text=True))))
    assert words in errors


def test_a_file_is_required(client, importer):
    response = client.post("/listings/import", data={"publish": "y"}, content_type="multipart/form-data")
    assert response.status_code == 400 and 'data-field="file"' in response.get_data(as_text=True)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_downloads_in_the_import_format(client, importer, fmt):
    page = client.get("/listings/import").get_data(as_text=True)
    assert f"/listings/import/template.{fmt}" in page
    response = client.get(f"/listings/import/template.{fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="listings-template.{fmt}"'
    tables = read_import_file(response.data, filename=f"template.{fmt}")
    assert tables["listings"].columns == LISTING_COLUMNS
    assert {row["site_id"] for row in tables["listings"].rows} == {"WH-CEM-01"}
    if fmt == "xlsx":
        assert tables["sites"].columns[:6] == ["site_id", "name", "org", "sector", "lon", "lat"]


# The template's example rows refer to the site WH-CEM-01. An organisation that has such a site imports the
# CSV template as it is; one that has not gets a problem list naming the unknown site on every row, rather
# than a site being invented for it (listings only ever attach to the importer's own, existing sites).
def test_csv_template_imports_cleanly_for_an_organisation_with_its_site(client, db, importer, make_site):
    make_site(organisation=importer.organisation, external_ref="WH-CEM-01")
    raw = client.get("/listings/import/template.csv").data
    response = upload(client, raw, "listings-template.csv")
    assert response.status_code == 302, problems(response.get_data(as_text=True))
    assert listing_count(db) == len(TEMPLATE_LISTINGS)


def test_csv_template_for_an_organisation_without_its_site_lists_the_problem(client, db, importer):
    raw = client.get("/listings/import/template.csv").data
    response = upload(client, raw, "listings-template.csv")
    assert response.status_code == 400
    assert problems(response.get_data(as_text=True)) == [
        (str(row), "site_id") for row in range(2, 2 + len(TEMPLATE_LISTINGS))]
    assert listing_count(db) == 0


def test_xlsx_template_as_an_administrator_creates_its_example_company(client, db, auth, make_user):
    auth.login(make_user("admin"))
    raw = client.get("/listings/import/template.xlsx").data
    assert upload(client, raw, "listings-template.xlsx").status_code == 302
    organisation = db.session.scalar(select(Organisation).where(Organisation.name_zh == "示例建材有限公司"))
    assert organisation is not None and [s.external_ref for s in organisation.sites] == ["WH-CEM-01"]
    assert listing_count(db) == len(TEMPLATE_LISTINGS)


def test_xlsx_template_for_another_company_is_refused_on_the_org_column(client, db, importer):
    raw = client.get("/listings/import/template.xlsx").data
    response = upload(client, raw, "listings-template.xlsx")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert ("2", "org") in problems(page) and "your own organisation" in page
    assert listing_count(db) == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_of_my_listings_parses_back_and_reimports_unchanged(client, db, importer, make_listing, fmt):
    make_listing(site=importer.site, kind="offer", quality="grade=II;loi_pct=4.5", price_cny="-10")
    make_listing(site=importer.site, kind="want", material="脱硫石膏|矿渣粉", quantity=3000, unit="t/month")
    make_listing()  # someone else's: not exported
    response = client.get(f"/listings/export.{fmt}")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    tables = read_import_file(response.data, filename=f"export.{fmt}")
    rows = tables["listings"].rows
    # the material as its author wrote it, and the codes it was read as beside it
    assert [(r["site_id"], r["kind"], r["material"], r["material_code"]) for r in rows] == [
        ("IMP-01", "offer", "coal-fly-ash", "coal-fly-ash"), ("IMP-01", "want", "脱硫石膏|矿渣粉", "fgd-gypsum|ggbs")]
    assert rows[0]["quality"] == "grade=II;loi_pct=4.5" and rows[1]["unit"] == "t/month"
    result = import_tables(tables, acting_organisation=importer.organisation)
    assert result.listings.created == 0 and result.listings.unchanged == 2
