"""CSV and XLSX files for download: one writer for every export, safe to open in a spreadsheet.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` is run as a formula by Excel, WPS and
LibreOffice: a site name or note typed as ``=HYPERLINK(...)`` would act on the reader's machine. Text
cells are written as text (a leading apostrophe in CSV, a string cell in XLSX); numbers, and text that
is just a number such as ``-20``, are written as numbers.

A column is a key of the rows, or a :class:`Column` that also names its header for the reader (in the
page's language), its width in characters and the number format of its cells.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Column", "csv_bytes", "csv_cell", "xlsx_bytes", "INTEGER", "DECIMAL_1", "DECIMAL_3", "PERCENT_1"]

# Number formats (Excel codes): thousands separators, and no more decimals than the figure deserves.
INTEGER = "#,##0"
DECIMAL_1 = "#,##0.0"
DECIMAL_3 = "#,##0.000"
PERCENT_1 = '0.0"%"'  # a figure already in per cent (62.0), not a fraction
# Widths in characters; a CJK character takes two.
_MIN_WIDTH, _MAX_WIDTH = 6, 60


@dataclass(frozen=True)
class Column:
    """One column of a download: the row ``key``, the ``header`` shown, a ``width`` and a ``number_format``.

    >>> Column("quantity", "数量", number_format=DECIMAL_1).title
    '数量'
    >>> Column("quantity").title
    'quantity'
    """

    key: str
    header: str | None = None
    width: float | None = None
    number_format: str | None = None

    @property
    def title(self) -> str:
        return self.header if self.header is not None else self.key


def _column(column: str | Column) -> Column:
    return column if isinstance(column, Column) else Column(column)


def _text_width(text: str) -> int:
    """Display width: CJK and full-width characters take two columns.

    >>> _text_width("粉煤灰 ash")
    10
    """
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)

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


def csv_bytes(columns: Sequence[str | Column], rows: Iterable[Mapping[str, Any]], *,
              line_end: str = "\r\n") -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens Chinese text intact."""
    specs = [_column(column) for column in columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow([csv_cell(spec.title) for spec in specs])
    for row in rows:
        writer.writerow([csv_cell(row.get(spec.key)) for spec in specs])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _width(spec: Column, rows: list[Mapping[str, Any]]) -> float:
    """The column's width: as given, else its longest cell among the first rows, within bounds."""
    if spec.width is not None:
        return spec.width
    texts = [spec.title, *(str(row.get(spec.key)) for row in rows[:200] if row.get(spec.key) is not None)]
    return float(min(max(max(_text_width(t) for t in texts) + 2, _MIN_WIDTH), _MAX_WIDTH))


def xlsx_bytes(sheets: Mapping[str, tuple[Sequence[str | Column], Iterable[Mapping[str, Any]]]]) -> bytes:
    """A workbook with one sheet per entry (name -> columns and rows), header row bold and frozen,
    columns as wide as their content (or as given) and numbers in each column's format."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, (columns, rows) in sheets.items():
        specs = [_column(column) for column in columns]
        rows = list(rows)
        sheet = workbook.create_sheet(name)
        sheet.freeze_panes = "A2"
        # Widths must be set before the first row of a write-only sheet.
        for index, spec in enumerate(specs, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = _width(spec, rows)
        header = []
        for spec in specs:
            cell = WriteOnlyCell(sheet, value=spec.title)
            cell.data_type = "s"
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            header.append(cell)
        sheet.append(header)
        for row in rows:
            cells = []
            for spec in specs:
                value = row.get(spec.key)
                number = _number(value)
                if number is not None and spec.number_format:
                    cell = WriteOnlyCell(sheet, value=number)
                    cell.number_format = spec.number_format
                    cells.append(cell)
                    continue
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
