"""The import page, template downloads and the export of one's own listings."""
import html
import io
import re
from types import SimpleNamespace

import pytest
from openpyxl import Workbook, load_workbook
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
def test_template_downloads_in_the_import_format_on_the_users_own_sites(client, importer, make_site, fmt):
    make_site(organisation=importer.organisation, external_ref="IMP-02")
    page = client.get("/listings/import").get_data(as_text=True)
    assert f"/listings/import/template.{fmt}" in page
    response = client.get(f"/listings/import/template.{fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="listings-template.{fmt}"'
    tables = read_import_file(response.data, filename=f"template.{fmt}")
    assert tables["listings"].columns == LISTING_COLUMNS
    # the example rows are on the user's sites, taken in turn; their sites exist, so no sites sheet
    assert [row["site_id"] for row in tables["listings"].rows] == ["IMP-01", "IMP-02"] * (len(TEMPLATE_LISTINGS) // 2)
    assert "sites" not in tables


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_imports_as_it_is_for_its_user(client, db, importer, fmt):
    raw = client.get(f"/listings/import/template.{fmt}").data
    response = upload(client, raw, f"listings-template.{fmt}")
    assert response.status_code == 302, problems(response.get_data(as_text=True))
    assert listing_count(db) == len(TEMPLATE_LISTINGS)
    # the note keeps its Chinese comma
    assert db.session.scalar(select(Listing.note).where(Listing.note.is_not(None)).order_by(Listing.id)) == "汽运散装，含税价"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_chinese_template_has_chinese_headers_and_imports(client, db, importer, fmt):
    client.get("/lang/zh")
    raw = client.get(f"/listings/import/template.{fmt}").data
    if fmt == "csv":
        header = raw.decode("utf-8-sig").splitlines()[0]
        assert header.startswith("站点编号,类型,物料名称,数量,单位,质量指标") and "site_id" not in header
    else:
        workbook = load_workbook(io.BytesIO(raw))
        assert workbook.sheetnames == ["供需信息", "填写说明"]
        assert [cell.value for cell in workbook["供需信息"][1]][:4] == ["站点编号", "类型", "物料名称", "数量"]
        assert [cell.value for cell in workbook["供需信息"][2]][:2] == ["IMP-01", "需求"]
        guide = [[cell.value for cell in row] for row in workbook["填写说明"].iter_rows()]
        # a header row, then one line per column under its Chinese header (the sentences come from the catalogue)
        assert len(guide[0]) == 5 and [line[0] for line in guide[1:]] == [
            "站点编号", "类型", "物料名称", "数量", "单位", "质量指标", "价格(元/单位)", "起始日期", "截止日期",
            "危险废物代码", "公开方式", "备注"]
        required = {line[0]: line[1] for line in guide[1:]}
        assert required["类型"] == required["数量"] != required["单位"]
        kind_line = next(line for line in guide if line[0] == "类型")
        assert "供应" in kind_line[3] and "需求" in kind_line[3] and kind_line[4] == "供应"
        assert "IMP-01" in next(line for line in guide if line[0] == "站点编号")[3]
    response = upload(client, raw, f"listings-template.{fmt}")
    assert response.status_code == 302, problems(response.get_data(as_text=True))
    assert sorted(db.session.scalars(select(Listing.kind))) == ["offer", "want", "want", "want"]


def test_english_and_chinese_headers_import_alike(client, db, importer):
    english = csv_bytes("IMP-01,offer,粉煤灰,20000,t/yr,Grade=ii,-20,2027-12-31")
    chinese = ("站点编号,类型,物料名称,数量,单位,质量指标,价格（元/单位）,截止日期\n"
               "IMP-01,需求,脱硫石膏,5000,t/yr,CaSO4_2H2O_pct_MIN=90,80,\n").encode("utf-8")
    assert upload(client, english, "en.csv").status_code == 302
    assert upload(client, chinese, "zh.csv").status_code == 302
    rows = db.session.scalars(select(Listing).order_by(Listing.id)).all()
    assert [(r.kind, r.material_codes, r.quality) for r in rows] == [
        ("offer", ["coal-fly-ash"], {"grade": "II"}), ("want", ["fgd-gypsum"], {"caso4_2h2o_pct_min": 90.0})]


def test_an_unknown_chinese_header_is_named_among_the_warnings(client, db, importer):
    raw = "序号,站点编号,类型,物料名称,数量,颜色\n1,IMP-01,供应,粉煤灰,100,灰色\n".encode("utf-8")
    response = upload(client, raw, "zh.csv")
    page = response.get_data(as_text=True)
    warned = re.findall(r'class="warning-row">(\d+)</td><td class="warning-column">([^<]+)<', page)
    assert response.status_code == 200 and {("1", "序号"), ("1", "颜色")} <= set(warned)
    assert listing_count(db) == 1


def test_import_page_explains_every_column(client, importer):
    page = client.get("/listings/import").get_data(as_text=True)
    assert page.count('class="guide-line"') == len(LISTING_COLUMNS)
    assert "IMP-01" in page


# A user whose organisation has no site yet gets the workbook with an example site under its own name, which
# imports as it is; the CSV (listings only) names the unknown site on every row rather than inventing one
# (listings only ever attach to the importer's own, existing sites).
def test_xlsx_template_without_sites_brings_an_example_site_of_ones_own(client, db, auth, make_user):
    client.get("/lang/en")
    user = make_user("plant")
    auth.login(user)
    raw = client.get("/listings/import/template.xlsx").data
    tables = read_import_file(raw, filename="t.xlsx")
    assert [row["org"] for row in tables["sites"].rows] == [user.organisation.name_zh]
    assert {row["site_id"] for row in tables["listings"].rows} == {"WH-CEM-01"}
    assert upload(client, raw, "listings-template.xlsx").status_code == 302
    assert [s.external_ref for s in user.organisation.sites] == ["WH-CEM-01"]
    assert listing_count(db) == len(TEMPLATE_LISTINGS)


def test_csv_template_without_sites_lists_the_unknown_site(client, db, auth, make_user):
    client.get("/lang/en")
    auth.login(make_user("plant"))
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
