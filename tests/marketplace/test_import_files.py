"""Import files as Excel, WPS and other programs really save them, and files built to hurt the server."""
import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from marketplace.models import Listing
from marketplace.services.errors import FieldError, ImportRejected
from marketplace.services.imports import files as import_files
from marketplace.services.imports import import_tables
from marketplace.services.imports.files import read_import_file

HEADER = "site_id,kind,material,quantity,unit,note"
ROWS = ["IMP-01,offer,粉煤灰,1200,t/yr,干灰 罐车运输", "IMP-01,offer,脱硫石膏,300,t/month,", "IMP-02,want,粉煤灰,500,t/yr,"]


def _text(line_end: str) -> str:
    return line_end.join([HEADER, *ROWS]) + line_end


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_every_line_end_reads_the_same_rows(line_end):
    table = read_import_file(_text(line_end).encode("utf-8"), filename="listings.csv")["listings"]
    assert [row["material"] for row in table.rows] == ["粉煤灰", "脱硫石膏", "粉煤灰"]
    assert table.rows[0]["note"] == "干灰 罐车运输"


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_chinese_excel_encodings_are_detected(encoding):
    table = read_import_file(_text("\r\n").encode(encoding), filename="listings.csv")["listings"]
    assert table.rows[1]["material"] == "脱硫石膏"


def test_excel_unicode_text_is_utf16_with_tabs_not_binary():
    raw = _text("\r\n").replace(",", "\t").encode("utf-16")
    table = read_import_file(raw, filename="listings.txt")["listings"]
    assert table.columns == HEADER.split(",")
    assert table.rows[2]["kind"] == "want"


@pytest.mark.parametrize("size", [40_000, 200_000])
def test_an_overlong_field_is_a_row_error_not_a_crash(size):
    raw = (HEADER + "\n" + ROWS[0] + "\n" + "IMP-01,offer,粉煤灰,1,t/yr," + "x" * size + "\n").encode("utf-8")
    with pytest.raises((FieldError, ImportRejected)) as caught:
        read_import_file(raw, filename="listings.csv")
    assert "row 3" in str(caught.value) or "3" in str(getattr(caught.value, "problems", [""])[0])


def _workbook(rows: int) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "listings"
    sheet.append(HEADER.split(","))
    for i in range(rows):
        sheet.append(["IMP-01", "offer", "粉煤灰", 100 + i, "t/yr", ""])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _understate_dimension(raw: bytes) -> bytes:
    """Rewrite the sheet's <dimension> to claim three rows, as some writers leave it."""
    source, out = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            body = source.read(member)
            if member.filename.startswith("xl/worksheets/"):
                body = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:F3"', body)
            target.writestr(member, body)
    return out.getvalue()


def test_a_workbook_that_understates_its_size_loses_no_row():
    raw = _understate_dimension(_workbook(500))
    assert b'ref="A1:F3"' in zipfile.ZipFile(io.BytesIO(raw)).read("xl/worksheets/sheet1.xml")
    assert len(read_import_file(raw, filename="big.xlsx")["listings"].rows) == 500


def test_too_many_rows_are_refused_by_name(monkeypatch):
    monkeypatch.setattr(import_files, "MAX_ROWS", 100)
    with pytest.raises(FieldError, match="more than 100 rows"):
        read_import_file(_understate_dimension(_workbook(150)), filename="big.xlsx")
    with pytest.raises(FieldError, match="more than 100 rows"):
        read_import_file(("\n".join([HEADER] + [ROWS[0]] * 150)).encode(), filename="big.csv")


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused_before_it_is_read(monkeypatch):
    raw = _workbook(2000)
    monkeypatch.setattr(import_files, "MAX_UNPACKED_BYTES", 50_000)
    with pytest.raises(FieldError, match="unpacks to"):
        read_import_file(raw, filename="bomb.xlsx")


def test_a_gbk_file_imports_end_to_end(app, make_org, make_site):
    organisation = make_org(name_zh="编码测试有限公司")
    for i, ref in enumerate(("IMP-01", "IMP-02")):
        make_site(organisation=organisation, external_ref=ref, lonlat=(117.2 + i * 0.1, 31.8))
    import_tables(read_import_file(_text("\r\n").encode("gbk"), filename="listings.csv"))
    from marketplace.extensions import db

    assert db.session.scalar(select(func.count(Listing.id))) == 3
