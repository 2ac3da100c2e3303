"""Reading import files: CSV and XLSX into tables of stripped strings, with the size, format and header checks."""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from geo.messages import Message, N_

from ..errors import FieldError, ImportRejected, RowProblem
from .headers import canonical_column, canonical_sheet, header_units

FIRST_DATA_ROW = 2  # spreadsheet numbering: the header is row 1
MAX_IMPORT_BYTES = 50 * 1024 * 1024
# A workbook is a zip: 50 MB of it can unpack to gigabytes. Refuse what would not fit in memory.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
MAX_ROWS = 250_000  # per table; a province's listings are ~100 000
MAX_CELL_CHARS = 32_767  # what one spreadsheet cell holds; a longer CSV field is no listing text
# What Excel and WPS save: UTF-8 (with BOM), "Unicode text" (UTF-16 with BOM, tab-separated), and in China
# the ANSI code page, GBK, of which GB18030 is the superset.
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[dict[str, str]]
    # Units written in a header's brackets ("年产生量（万吨/年）"): column -> unit, for rows that give none.
    header_units: dict[str, str] = field(default_factory=dict)


def decode_text(raw: bytes) -> str:
    """The text of a CSV file: by its byte-order mark, else UTF-8, else GB18030 (GBK)."""
    text = _decode(raw)
    if "\x00" in text:
        raise FieldError("file", Message(N_("the file is binary, not CSV text; XLSX files must end in .xlsx")))
    return text


def _decode(raw: bytes) -> str:
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError as exc:
                raise FieldError("file", Message(N_("the file starts as %(encoding)s text but is not (%(reason)s "
                                                    "at byte %(start)s)"),
                                                 encoding=encoding, reason=exc.reason, start=exc.start)) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise FieldError("file", Message(N_("the file is neither UTF-8 nor GBK/GB18030 text (byte %(start)s); "
                                            "save it as CSV UTF-8"),
                                         start=exc.start)) from None


def read_csv(source: str | os.PathLike | bytes) -> Table:
    """Read a CSV (UTF-8 with or without BOM, UTF-16, or GBK/GB18030) into header and rows of stripped strings.

    Line ends may be LF, CRLF or CR alone; a tab-separated file ("Unicode text" from Excel) is read too.
    """
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    text = decode_text(raw)
    first_line = text.split("\n", 1)[0].split("\r", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    # newline="" hands every line end (LF, CRLF, CR) to the csv module, which reads them all.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise FieldError("file", Message(N_("the file is empty"))) from None
    except csv.Error as exc:
        raise FieldError("file", Message(N_("the header row cannot be read as CSV (%(exc)s)"), exc=exc),
                                 row=1) from None
    columns = [canonical_column(h) for h in header]  # Chinese headers read as the format's names
    rows = []
    try:
        for values in reader:
            if len(rows) >= MAX_ROWS:
                raise FieldError("file", Message(N_("the file has more than %(MAX_ROWS)s rows; split it into "
                                                    "several files"),
                                                 MAX_ROWS=f"{MAX_ROWS:,}"))
            if not any(v.strip() for v in values):
                rows.append({})  # keep numbering; blank rows are skipped later
                continue
            for position, value in enumerate(values):
                if len(value) > MAX_CELL_CHARS:
                    column = columns[position] if position < len(columns) else f"#{position + 1}"
                    raise ImportRejected([RowProblem(len(rows) + FIRST_DATA_ROW, column,
                                                     Message(N_("the value has %(value)s characters; at most "
                                                                "%(MAX_CELL_CHARS)s are kept"),
                                                             value=f"{len(value):,}",
                                                             MAX_CELL_CHARS=f"{MAX_CELL_CHARS:,}"))])
            rows.append({c: (values[i].strip() if i < len(values) else "") for i, c in enumerate(columns)})
    except csv.Error as exc:
        raise FieldError("file", Message(N_("the file is not valid CSV (%(exc)s)"), exc=exc),
                                 row=len(rows) + FIRST_DATA_ROW) from None
    return Table(columns, rows, header_units(header))


def on_sheet(problems: list[RowProblem], sheet: str | None) -> list[RowProblem]:
    """The problems labelled with their sheet, when the file is a workbook of several."""
    return [RowProblem(p.row, p.column, p.reason, sheet) for p in problems] if sheet else problems


def check_columns(columns: list[str], *, required: tuple[str, ...], optional: tuple[str, ...],
                  sheet: str | None = None) -> list[RowProblem]:
    """Refuse a table missing a required column or naming one twice; columns the format does not know (序号,
    联系人, a plant's own notes) are no reason to refuse a sheet: they come back as warnings and are not read."""
    problems = []
    for name in required:
        if name not in columns:
            problems.append(RowProblem(1, name, Message(N_("required column is missing"))))
    duplicates = {c for c in columns if columns.count(c) > 1}
    for name in sorted(duplicates):
        problems.append(RowProblem(1, name, Message(N_("column appears more than once"))))
    if problems:
        raise ImportRejected(on_sheet(problems, sheet))
    known = required + optional
    return on_sheet([RowProblem(1, name, Message(N_("column not read by the import (the columns read are: "
                                                   "%(columns)s)"), columns=", ".join(known)))
                     for name in columns if name and name not in known], sheet)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_xlsx(raw: bytes) -> dict[str, Table]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_unpacked_size(raw)
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise FieldError("file", Message(N_("the file is not an XLSX workbook (%(exc)s)"),
                                         exc=exc.__class__.__name__)) from None
    tables = {}
    try:
        names = {canonical_sheet(name): name for name in workbook.sheetnames}
        for wanted in ("sites", "listings"):
            if wanted not in names:
                continue
            sheet = workbook[names[wanted]]
            # The stored <dimension> may understate the sheet (some writers never update it): read to the end.
            sheet.reset_dimensions()
            rows = sheet.iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                continue
            columns = [canonical_column(_cell_text(h)) for h in header]
            while columns and not columns[-1]:
                columns.pop()
            body = []
            for values in rows:
                if len(body) >= MAX_ROWS:
                    raise FieldError("file", Message(N_("the sheet %(wanted)s has more than %(MAX_ROWS)s rows; "
                                                        "split it into several files"),
                                                     wanted=wanted, MAX_ROWS=f"{MAX_ROWS:,}"))
                texts = [_cell_text(v) for v in values[:len(columns)]]
                body.append({} if not any(texts) else dict(zip(columns, texts + [""] * (len(columns) - len(texts)))))
            while body and not body[-1]:
                body.pop()
            tables[wanted] = Table(columns, body, header_units([_cell_text(h) for h in header]))
    finally:
        workbook.close()
    if not tables:
        raise FieldError("file", Message(N_("the workbook has no sheet named 'sites' or 'listings' (站点, 供需信息)")))
    return tables


def _check_unpacked_size(raw: bytes) -> None:
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        raise FieldError("file", Message(N_("the file is not an XLSX workbook (BadZipFile)"))) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise FieldError("file", Message(N_("the workbook unpacks to %(unpacked)s MB; the limit is "
                                            "%(MAX_UNPACKED_BYTES)s MB"),
                                         unpacked=f"{unpacked / 1e6:,.0f}",
                                         MAX_UNPACKED_BYTES=f"{MAX_UNPACKED_BYTES / 1e6:,.0f}"))


def read_import_file(source: bytes | str | os.PathLike, *, filename: str | None = None) -> dict[str, Table]:
    """The tables of a CSV (sites or listings, told apart by the header) or an XLSX workbook."""
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    name = (filename or (str(source) if not isinstance(source, bytes) else "")).lower()
    if len(raw) > MAX_IMPORT_BYTES:
        raise FieldError("file", Message(N_("the file is %(raw).1f MB; the limit is %(MAX_IMPORT_BYTES).0f MB"),
                                         raw=len(raw) / 1e6, MAX_IMPORT_BYTES=MAX_IMPORT_BYTES / 1e6))
    is_zip = raw[:4] == b"PK\x03\x04"
    if name.endswith((".xlsx", ".xlsm")):
        if not is_zip:
            raise FieldError("file", Message(N_("the file is named .xlsx but is not an XLSX workbook")))
        return read_xlsx(raw)
    if name.endswith(".xls"):
        raise FieldError("file", Message(N_("old .xls workbooks are not read; save it as .xlsx or CSV")))
    has_bom = raw.startswith(tuple(bom for bom, _ in _BOMS))
    if is_zip or (b"\x00" in raw[:4096] and not has_bom):
        raise FieldError("file", Message(N_("the file is binary, not CSV text; XLSX files must end in .xlsx")))
    table = read_csv(raw)
    columns = set(table.columns)
    if {"kind", "material"} <= columns:
        return {"listings": table}
    if {"lon", "lat"} & columns or "sector" in columns:
        return {"sites": table}
    raise FieldError("file", Message(N_("cannot tell whether this CSV holds sites or listings: expected the "
                                        "header of the import template (sites: site_id,name,org,sector,lon,lat…; "
                                        "listings: site_id,kind,material,quantity…)")))
