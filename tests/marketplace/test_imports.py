"""Bulk import and export of sites and listings (PRODUCT.md section 4)."""
import csv
import io
import random

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from marketplace.models import Listing, Organisation, Site
from marketplace.services.errors import FieldError, ImportRejected
from marketplace.services.imports import files as import_files
from marketplace.services.imports import import_tables
from marketplace.services.imports.export import site_export_row
from marketplace.services.imports.files import read_import_file
from marketplace.services.imports.template import TEMPLATE_LISTINGS, import_template

LISTING_HEADER = ["site_id", "kind", "material", "quantity", "unit", "quality", "price_cny", "available_from",
                  "available_to", "hazard_code", "visibility", "note"]

GOOD_ROWS = [
    {"kind": "offer", "material": "粉煤灰", "quantity": "120000", "unit": "t/yr", "quality": "grade=II;loi_pct=6.5",
     "price_cny": "25", "available_from": "2026-01-01", "available_to": "2028-12-31", "visibility": "named"},
    {"kind": "offer", "material": "FGD gypsum", "quantity": "3000", "unit": "t/month", "price_cny": "12"},
    {"kind": "want", "material": "粉煤灰|GGBS", "quantity": "50000", "price_cny": "80", "visibility": "named"},
    {"kind": "offer", "material": "steel slag", "quantity": "2", "unit": "万吨/年", "visibility": "anonymous"},
    {"kind": "offer", "material": "废铅蓄电池", "quantity": "800", "hazard_code": "900-052-31", "price_cny": "6000"},
]

# Each planted defect, and the column its report must name.
DEFECTS = [
    ({"material": "S08"}, "material"),                  # a malformed category code; an unknown name is no defect
    ({"unit": "GJ/yr"}, "unit"),                        # a unit of another kind, with no conversion
    ({"unit": "bushels/yr"}, "unit"),
    ({"quantity": "-5"}, "quantity"),
    ({"quantity": ""}, "quantity"),
    ({"quantity": "1e12"}, "quantity"),
    ({"site_id": "NO-SUCH-SITE"}, "site_id"),
    ({"available_from": "2027-05-01", "available_to": "2026-05-01"}, "available_to"),
    ({"available_from": "2026-02-30"}, "available_from"),
    ({"kind": "offer", "material": "废铅蓄电池", "hazard_code": "HW99", "quality": ""}, "hazard_code"),
    ({"visibility": "secret"}, "visibility"),
]


def csv_bytes(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in header})
    return out.getvalue().encode("utf-8")


@pytest.fixture
def two_sites(make_org, make_site):
    organisation = make_org(name_zh="导入测试有限公司")
    return [make_site(organisation=organisation, external_ref=ref, lonlat=(117.2 + i * 0.1, 31.8))
            for i, ref in enumerate(("IMP-01", "IMP-02"))]


def listing_count(db):
    return db.session.scalar(select(func.count(Listing.id)))


def test_big_file_with_planted_bad_rows_reports_exactly_those_and_stores_nothing(db, two_sites):
    rng = random.Random(7)
    rows = []
    for i in range(5000):
        row = dict(GOOD_ROWS[i % len(GOOD_ROWS)], site_id=two_sites[i % 2].external_ref, note=f"lot {i}")
        rows.append(row)
    planted = {}
    for index in rng.sample(range(5000), 50):
        defect, column = DEFECTS[len(planted) % len(DEFECTS)]
        rows[index] = {**rows[index], **defect}
        planted[index + 2] = column  # header is row 1
    tables = read_import_file(csv_bytes(LISTING_HEADER, rows), filename="listings.csv")
    with pytest.raises(ImportRejected) as caught:
        import_tables(tables)
    reported = {(p.row, p.column) for p in caught.value.problems}
    assert {row for row, _ in reported} == set(planted)
    assert reported == set(planted.items())
    assert listing_count(db) == 0


def test_cli_import_reports_rows_and_exits_non_zero(runner, db, two_sites, tmp_path):
    rows = [dict(GOOD_ROWS[0], site_id="IMP-01"), dict(GOOD_ROWS[1], site_id="IMP-01", material="S99")]
    path = tmp_path / "listings.csv"
    path.write_bytes(csv_bytes(LISTING_HEADER, rows))
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code != 0
    assert "row 3, column material" in result.output and "nothing was imported" in result.output
    assert listing_count(db) == 0


def test_good_file_imports_and_reimport_changes_nothing(runner, db, two_sites, tmp_path):
    path = tmp_path / "listings.csv"
    path.write_bytes(csv_bytes(LISTING_HEADER, [dict(r, site_id="IMP-01") for r in GOOD_ROWS]))
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "listings: 5 created, 0 unchanged" in result.output
    ids = sorted(db.session.scalars(select(Listing.id)))
    result = runner.invoke(args=["import", str(path)])
    assert "listings: 0 created, 5 unchanged" in result.output
    assert sorted(db.session.scalars(select(Listing.id))) == ids
    gypsum = db.session.scalar(select(Listing).where(Listing.unit == "t/month"))
    assert gypsum.annual_quantity == 36000 and gypsum.status == "published"
    slag = db.session.scalar(select(Listing).where(Listing.visibility == "anonymous"))
    assert slag.annual_quantity == 20000 and slag.unit == "t/yr"
    want = db.session.scalar(select(Listing).where(Listing.kind == "want"))
    assert len(want.material_codes) == 2


def test_bom_and_blank_lines_are_fine(db, two_sites):
    raw = b"\xef\xbb\xbf" + csv_bytes(LISTING_HEADER, [dict(GOOD_ROWS[0], site_id="IMP-01")]) + b"\n\n"
    result = import_tables(read_import_file(raw, filename="x.csv"))
    assert result.listings.created == 1


@pytest.mark.parametrize(("material", "quality", "code", "stored"), [
    ("Ⅱ级粉煤灰", "", "coal-fly-ash", {"grade": "II"}),             # the grade in the name fills quality.grade
    ("II级粉煤灰", "grade=I;loi_pct=4", "coal-fly-ash", {"grade": "I", "loi_pct": 4.0}),  # the row's own wins
    ("Fly Ash (Class F)", "", "coal-fly-ash-class-f", {}),         # the class picks the material
    ("F类Ⅰ级粉煤灰", "", "coal-fly-ash-class-f", {"grade": "I"}),
    ("电厂干排粉煤灰", "", "coal-fly-ash", {}),
    ("三元锂电池", "soh_pct=75", "retired-ncm-battery", {"soh_pct": 75.0}),
    ("EAF dust", "", "eaf-dust", {}),
])
def test_material_names_as_plants_write_them(db, two_sites, material, quality, code, stored):
    row = {"site_id": "IMP-01", "kind": "offer", "material": material, "quantity": "1000", "quality": quality,
           "hazard_code": "312-001-23" if code == "eaf-dust" else ""}
    result = import_tables(read_import_file(csv_bytes(LISTING_HEADER, [row]), filename="listings.csv"))
    assert result.listings.created == 1
    listing = db.session.scalar(select(Listing))
    assert (listing.material_codes, listing.quality) == ([code], stored)


def test_a_grade_in_a_wanted_name_reads_as_that_grade_or_better(db, two_sites):
    row = {"site_id": "IMP-02", "kind": "want", "material": "Ⅱ级粉煤灰", "quantity": "5000"}
    import_tables(read_import_file(csv_bytes(LISTING_HEADER, [row]), filename="listings.csv"))
    assert db.session.scalar(select(Listing)).quality == {"grade": "II"}


def test_a_name_naming_an_nc_battery_as_lfp_is_refused(db, two_sites):
    row = {"site_id": "IMP-01", "kind": "offer", "material": "三元锂电池", "quantity": "1000", "quality": "chemistry=LFP"}
    with pytest.raises(ImportRejected) as caught:
        import_tables(read_import_file(csv_bytes(LISTING_HEADER, [row]), filename="listings.csv"))
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (2, "quality") and "contradicts" in problem.reason
    assert listing_count(db) == 0


# Rows as plants and published cases write them: generic names, a name that may be hazardous, streams the
# knowledge base does not know, steam in GJ, a hazardous category without its 8-digit code.
REAL_WORLD_ROWS = [
    {"kind": "want", "material": "石膏", "quantity": "3", "unit": "万吨/年"},
    {"kind": "offer", "material": "污泥", "quantity": "12000"},
    {"kind": "want", "material": "industrial wastewater", "quantity": "500", "unit": "m3/day"},
    {"kind": "offer", "material": "飞灰", "quantity": "800"},
    {"kind": "offer", "material": "ZK-3回收料", "quantity": "150"},
    {"kind": "want", "material": "ZK3 回收料", "quantity": "100"},
    {"kind": "offer", "material": "钢渣粉煤灰混合料", "quantity": "5000"},
    {"kind": "offer", "material": "低压蒸汽", "quantity": "270000", "unit": "GJ/yr"},
    {"kind": "offer", "material": "废酸", "quantity": "600", "hazard_code": "HW34"},
    {"kind": "offer", "material": "粉煤灰(含焚烧飞灰)", "quantity": "900"},
]


def test_real_world_rows_all_import_and_the_doubtful_ones_are_reported(db, two_sites):
    rows = [dict(r, site_id="IMP-01") for r in REAL_WORLD_ROWS]
    result = import_tables(read_import_file(csv_bytes(LISTING_HEADER, rows), filename="listings.csv"))
    assert result.listings.created == len(REAL_WORLD_ROWS)
    by_material = {listing.material: listing for listing in db.session.scalars(select(Listing))}
    assert by_material["石膏"].material_codes == ["byproduct-gypsum"]
    assert by_material["石膏"].annual_quantity == 30000
    assert by_material["污泥"].material_codes == ["sludge-any-kind"]
    assert by_material["industrial wastewater"].material_codes == ["wastewater-any-kind"]
    assert by_material["industrial wastewater"].annual_quantity == 500 * 365
    # possibly hazardous: stored as the hazardous reading, with its code, never the safe one
    for name in ("飞灰", "粉煤灰(含焚烧飞灰)"):
        assert by_material[name].material_codes == ["incineration-fly-ash"] and by_material[name].possibly_hazardous
        assert by_material[name].hazard_code == "772-002-18"
    # unknown: kept in the author's words; two spellings of one stream share a pseudo-code
    assert by_material["ZK-3回收料"].material_codes == [] and by_material["ZK-3回收料"].engine_codes == ["name:zk3回收料"]
    assert by_material["ZK3 回收料"].engine_codes == ["name:zk3回收料"]
    assert by_material["钢渣粉煤灰混合料"].unclassified_names
    assert by_material["低压蒸汽"].base_unit == "t" and 90_000 < by_material["低压蒸汽"].annual_quantity < 110_000
    assert by_material["废酸"].hazard_code == "HW34"
    # the report: row and column of every doubtful row, with the closest materials
    warned = {(w.row, w.column) for w in result.listings.warnings}
    assert {(5, "material"), (6, "material"), (7, "material"), (8, "material"), (11, "material")} <= warned
    mixture = next(w for w in result.listings.warnings if w.row == 8)
    assert "steel-slag" in mixture.reason and "coal-fly-ash" in mixture.reason
    assert not {(2, "material"), (3, "material"), (4, "material"), (9, "material")} & warned


def test_export_keeps_the_authors_words_and_adds_the_codes(runner, db, two_sites, tmp_path):
    rows = [dict(r, site_id="IMP-02") for r in REAL_WORLD_ROWS]
    import_tables(read_import_file(csv_bytes(LISTING_HEADER, rows), filename="a.csv"))
    path = tmp_path / "out.csv"
    assert runner.invoke(args=["export", "listings", str(path)]).exit_code == 0
    exported = {row["material"]: row for row in csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig")))}
    assert set(exported) == {row["material"] for row in REAL_WORLD_ROWS}
    assert exported["石膏"]["material_code"] == "byproduct-gypsum"
    assert exported["ZK-3回收料"]["material_code"] == "name:zk3回收料"
    assert exported["飞灰"]["material_code"] == "incineration-fly-ash" and exported["飞灰"]["hazardous"] == "yes"
    again = import_tables(read_import_file(path))
    assert again.listings.created == 0 and again.listings.unchanged == len(REAL_WORLD_ROWS)


def workbook_bytes(sheets) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(name)
        sheet.append(header)
        for row in rows:
            sheet.append([row.get(k) for k in header])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


SITE_HEADER = ["site_id", "name", "org", "credit_code", "sector", "lon", "lat", "city", "hw_permit", "hw_capacity_t",
               "hw_permit_expiry", "battery_listing"]


def test_xlsx_with_sites_and_listings_creates_everything_at_once(db):
    raw = workbook_bytes({
        "sites": (SITE_HEADER, [
            {"site_id": "X-1", "name": "新厂", "org": "新公司（测试）", "sector": 4411, "lon": 117.0, "lat": 32.6,
             "city": 340400},
            {"site_id": "X-2", "name": "回收厂", "org": "回收公司（测试）", "sector": "7724", "lon": 117.3, "lat": 31.9,
             "hw_permit": "HW31", "hw_capacity_t": 30000, "hw_permit_expiry": "2029-12-31"}]),
        "listings": (LISTING_HEADER, [
            {"site_id": "X-1", "kind": "offer", "material": "粉煤灰", "quantity": 300000},
            {"site_id": "X-2", "kind": "want", "material": "废铅蓄电池", "quantity": 20000}]),
    })
    result = import_tables(read_import_file(raw, filename="book.xlsx"))
    assert result.sites.sites_created == 2 and result.sites.organisations_created == 2
    assert result.listings.created == 2
    again = import_tables(read_import_file(raw, filename="book.xlsx"))
    assert again.sites.sites_created == 0 and again.listings.created == 0 and again.listings.unchanged == 2
    assert again.sites.sites_updated == 0 and again.sites.sites_unchanged == 2


def test_reimport_with_a_changed_site_counts_it_as_updated(db):
    rows = [{"site_id": "X-1", "name": "新厂", "org": "新公司（测试）", "sector": 4411, "lon": 117.0, "lat": 32.6}]
    import_tables(read_import_file(workbook_bytes({"sites": (SITE_HEADER, rows)}), filename="a.xlsx"))
    rows[0]["name"] = "改名后的新厂"
    result = import_tables(read_import_file(workbook_bytes({"sites": (SITE_HEADER, rows)}), filename="a.xlsx"))
    assert (result.sites.sites_created, result.sites.sites_updated, result.sites.sites_unchanged) == (0, 1, 0)
    assert db.session.scalar(select(Site.name_zh)) == "改名后的新厂"


def test_bad_row_in_either_sheet_stores_nothing_from_both(db):
    raw = workbook_bytes({
        "sites": (SITE_HEADER, [{"site_id": "X-1", "name": "新厂", "org": "新公司（测试）", "sector": 4411,
                                 "lon": 117.0, "lat": 32.6}]),
        "listings": (LISTING_HEADER, [{"site_id": "X-1", "kind": "offer", "material": "粉煤灰", "quantity": -1}]),
    })
    with pytest.raises(ImportRejected) as caught:
        import_tables(read_import_file(raw, filename="book.xlsx"))
    assert [(p.sheet, p.row, p.column) for p in caught.value.problems] == [("listings", 2, "quantity")]
    assert db.session.scalar(select(func.count(Site.id))) == 0
    assert db.session.scalar(select(func.count(Organisation.id))) == 0


@pytest.mark.parametrize(("raw", "filename", "words"), [
    (b"not a zip at all", "book.xlsx", "not an XLSX"),
    (b"PK\x03\x04garbage", "book.xlsx", "not an XLSX"),
    (b"PK\x03\x04\x00\x00", "data.csv", "binary"),
    (b"a,b,c\n1,2,3\n", "data.csv", "cannot tell"),
    (b"\xff\xfe\x00\x00", "data.csv", "binary"),
    (b"site_id,kind\n\xff\xfe\xfd\n", "data.csv", "neither UTF-8 nor GBK"),
    (b"", "data.csv", "empty"),
])
def test_files_not_in_the_format_they_claim(raw, filename, words):
    with pytest.raises(FieldError, match=words):
        read_import_file(raw, filename=filename)


def test_file_over_the_size_limit(monkeypatch):
    monkeypatch.setattr(import_files, "MAX_IMPORT_BYTES", 100)
    with pytest.raises(FieldError, match="limit"):
        read_import_file(b"x" * 101, filename="a.csv")


def test_unknown_columns_are_named_and_left_unread_and_missing_ones_refuse_the_file(db, two_sites):
    # A plant's own sheet carries columns of its own (序号, 联系人, colour): they are not read, and the import says so.
    raw = b"site_id,kind,material,quantity,colour\nIMP-01,offer,fly ash,10,red\n"
    result = import_tables(read_import_file(raw, filename="a.csv"))
    assert result.listings.created == 1
    assert [(p.row, p.column) for p in result.listings.warnings if p.row == 1] == [(1, "colour")]
    raw = b"site_id,kind,material,unit\nIMP-01,offer,fly ash,t/yr\n"
    with pytest.raises(ImportRejected) as caught:
        import_tables(read_import_file(raw, filename="a.csv"))
    assert [(p.row, p.column) for p in caught.value.problems] == [(1, "quantity")]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_reimports_unchanged(runner, db, two_sites, tmp_path, fmt):
    import_tables(read_import_file(csv_bytes(LISTING_HEADER, [dict(r, site_id="IMP-02") for r in GOOD_ROWS]),
                                   filename="a.csv"))
    path = tmp_path / f"out.{fmt}"
    result = runner.invoke(args=["export", "listings", str(path)])
    assert result.exit_code == 0 and "5 listings written" in result.output
    if fmt == "csv":
        text = path.read_bytes().decode("utf-8-sig")
        header = text.splitlines()[0].split(",")
        assert header[:4] == ["site_id", "kind", "material", "quantity"] and header[-2:] == ["material_code", "hazardous"]
        assert "900-052-31" in text and ",yes" in text
    else:
        assert load_workbook(path).sheetnames == ["sites", "listings"]
    again = import_tables(read_import_file(path))
    assert again.listings.created == 0 and again.listings.unchanged == 5


def test_template_is_in_the_import_format():
    raw = import_template("xlsx")
    tables = read_import_file(raw, filename="template.xlsx")
    assert set(tables) == {"sites", "listings"}
    assert tables["listings"].columns[:4] == ["site_id", "kind", "material", "quantity"]


def test_template_imports_cleanly(db):
    result = import_tables(read_import_file(import_template("xlsx"), filename="template.xlsx"))
    assert result.sites.sites_created == 1 and result.listings.created == len(TEMPLATE_LISTINGS)


def test_export_of_sites_in_workbook_is_importable(db, two_sites):
    rows = site_export_row(two_sites[0])
    assert rows["site_id"] == "IMP-01" and rows["org"] == "导入测试有限公司"


def test_a_file_of_only_unclassified_names_imports(db, two_sites):
    rows = [{"site_id": "IMP-01", "kind": "offer", "material": "ZK-5 喆昊料", "quantity": "100"}]
    result = import_tables(read_import_file(csv_bytes(LISTING_HEADER, rows), filename="listings.csv"))
    assert result.listings.created == 1
    listing = db.session.scalar(select(Listing))
    assert listing.material_codes == [] and listing.engine_codes == ["name:zk5喆昊料"]


@pytest.mark.parametrize(("header", "column"), [
    ("废物名称", "material"), ("年产生量（吨）", "quantity"), ("计量单位", "unit"), ("Remarks", "note"),
    ("Longitude", "lon"), ("纬度", "lat"), ("所属行业", "sector"), ("Company", "org"), ("HW code", "hazard_code"),
])
def test_headers_people_write_are_read_as_the_format_columns(header, column):
    from marketplace.services.imports.headers import canonical_column

    assert canonical_column(header) == column


@pytest.mark.parametrize(("written", "kind"), [("供", "offer"), ("Supply", "offer"), ("demand", "want"), ("需", "want")])
def test_kind_words_people_write(written, kind):
    from marketplace.services.imports.headers import canonical_value

    assert canonical_value("kind", written) == kind


def test_a_unit_written_in_the_quantity_header_counts_for_rows_without_one(db, two_sites):
    # The row's unit column, then a unit written in the quantity cell, then the header's.
    raw = ("站点编号,类型,废物名称,年产生量（万吨/年）,单位\nIMP-01,供应,粉煤灰,5,\nIMP-01,供应,钢渣,3000,吨/年\n"
           "IMP-01,供应,炉渣,约3000吨,\n").encode()
    import_tables(read_import_file(raw, filename="a.csv"))
    stored = {listing.material: listing.annual_quantity for listing in db.session.scalars(select(Listing))}
    assert stored == {"粉煤灰": 50_000, "钢渣": 3000, "炉渣": 3000}


def test_a_plant_with_one_site_may_leave_the_site_out_and_others_may_name_it(db, make_org, make_site):
    plant = make_org(name_zh="单厂企业")
    only = make_site(organisation=plant, external_ref="ONE-1", name_zh="一号厂区", lonlat=(117.2, 31.8))
    raw = "类型,物料名称,数量\n供应,粉煤灰,100\n".encode()
    import_tables(read_import_file(raw, filename="a.csv"), acting_organisation=plant)
    assert [listing.site_id for listing in db.session.scalars(select(Listing))] == [only.id]

    other = make_org(name_zh="两厂企业")
    sites = [make_site(organisation=other, external_ref=f"TWO-{i}", name_zh=f"{i}号厂区", lonlat=(117.3, 31.8))
             for i in (1, 2)]
    by_name = "站点编号,类型,物料名称,数量\n2号厂区,供应,钢渣,100\n".encode()
    import_tables(read_import_file(by_name, filename="b.csv"), acting_organisation=other)
    assert db.session.scalar(select(Listing.site_id).where(Listing.material == "钢渣")) == sites[1].id
    with pytest.raises(ImportRejected) as caught:
        import_tables(read_import_file("类型,物料名称,数量\n供应,炉渣,100\n".encode(), filename="c.csv"),
                      acting_organisation=other)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "site_id")]


def test_a_sites_sheet_without_references_names_its_sites_by_name(db):
    raw = ("单位名称,站点名称,行业,经度,纬度\n示例化工有限公司,示例化工一厂,C2614 有机化学原料制造,117.2,31.8\n"
           "示例化工有限公司,示例化工二厂,2614,117.3,31.9\n").encode()
    import_tables(read_import_file(raw, filename="sites.csv"))
    assert sorted(db.session.scalars(select(Site.external_ref))) == ["示例化工一厂", "示例化工二厂"]
