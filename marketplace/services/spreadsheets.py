"""CSV and XLSX files for download: one writer for every export, safe to open in a spreadsheet.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` is run as a formula by Excel, WPS and
LibreOffice: a site name or note typed as ``=HYPERLINK(...)`` would act on the reader's machine. Text
cells are written as text (a leading apostrophe in CSV, a string cell in XLSX); numbers, and text that
is just a number such as ``-20``, are written as numbers.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["csv_bytes", "csv_cell", "xlsx_bytes"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A leading zero marks an identifier ("007", a site reference), which stays text.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:(?:0|[1-9]\d*)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value.strip()):
        number = float(value)
        return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
    return None


def csv_cell(value: Any) -> str:
    """The text of one CSV cell: numbers as they are, text that would run as a formula behind an apostrophe.

    >>> csv_cell("=1+1"), csv_cell("-20"), csv_cell(-20.5), csv_cell("@SUM(A1)"), csv_cell(None)
    ("'=1+1", '-20', '-20.5', "'@SUM(A1)", '')
    >>> csv_cell("-007")
    "'-007"
    """
    if value is None:
        return ""
    if _number(value) is not None:
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_bytes(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], *, line_end: str = "\r\n") -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens Chinese text intact."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(column)) for column in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(sheets: Mapping[str, tuple[Sequence[str], Iterable[Mapping[str, Any]]]]) -> bytes:
    """A workbook with one sheet per entry (name -> columns and rows), header row frozen."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    for name, (columns, rows) in sheets.items():
        sheet = workbook.create_sheet(name)
        sheet.freeze_panes = "A2"
        sheet.append(list(columns))
        for row in rows:
            cells = []
            for column in columns:
                value = row.get(column)
                number = _number(value)
                if number is not None or value is None or isinstance(value, bool):
                    cells.append(number if number is not None else value)
                    continue
                cell = WriteOnlyCell(sheet, value=str(value))
                cell.data_type = "s"  # never a formula, whatever the text starts with
                cells.append(cell)
            sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
