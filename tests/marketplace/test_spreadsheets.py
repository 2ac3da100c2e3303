"""Downloads open safely in a spreadsheet: text never runs as a formula, numbers stay numbers."""
import csv
import io

from openpyxl import load_workbook

from marketplace.network.exports import COLUMNS, to_csv
from marketplace.services.spreadsheets import DECIMAL_1, Column, xlsx_bytes
from marketplace.services.imports.export import write_csv, write_xlsx

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)"]


def _csv_cells(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_text_that_looks_like_a_formula_is_quoted_and_numbers_are_kept():
    rows = [{"name": text, "price": "-20"} for text in HOSTILE]
    cells = _csv_cells(write_csv(("name", "price"), rows))
    assert [row[0] for row in cells[1:]] == ["'" + text for text in HOSTILE]
    assert all(row[1] == "-20" for row in cells[1:])


def test_xlsx_text_is_never_a_formula_and_numbers_are_numbers():
    rows = [{"name": text, "price": "-20", "quantity": 1250.5} for text in HOSTILE]
    sheet = load_workbook(io.BytesIO(write_xlsx({"listings": (("name", "price", "quantity"), rows)})))["listings"]
    for row, text in zip(sheet.iter_rows(min_row=2), HOSTILE, strict=True):
        assert row[0].data_type == "s" and row[0].value == text
        assert row[1].value == -20 and row[2].value == 1250.5


def test_links_download_neutralises_site_names():
    row = dict.fromkeys(COLUMNS, "")
    row.update(supplier_name="=1+1", receiver_name="@x", quantity=300.0, net_benefit_cny=-12.5)
    cells = _csv_cells(to_csv([row]))
    header, values = cells[0], cells[1]
    assert values[header.index("supplier_name")] == "'=1+1"
    assert values[header.index("receiver_name")] == "'@x"
    columns = [Column(name, f"={name}", number_format=DECIMAL_1 if name == "net_benefit_cny" else None)
               for name in COLUMNS]
    sheet = load_workbook(io.BytesIO(xlsx_bytes({"links": (columns, [row])})))["links"]
    by_name = {name: sheet.cell(row=2, column=i + 1) for i, name in enumerate(COLUMNS)}
    assert by_name["supplier_name"].data_type == "s" and by_name["supplier_name"].value == "=1+1"
    assert by_name["net_benefit_cny"].value == -12.5 and by_name["net_benefit_cny"].number_format == DECIMAL_1
    # Headers are text too, whatever they start with.
    assert sheet.cell(row=1, column=1).data_type == "s" and sheet.cell(row=1, column=1).value == "=link_id"


def test_identifiers_with_leading_zeros_stay_text():
    sheet = load_workbook(io.BytesIO(write_xlsx({"sites": (("site_id",), [{"site_id": "007"}])})))["sites"]
    assert sheet["A2"].value == "007"


def test_the_writer_examples_hold():
    import doctest

    from marketplace.services import spreadsheets

    assert doctest.testmod(spreadsheets).failed == 0
