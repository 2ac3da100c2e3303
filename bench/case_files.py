"""The documented cases' own files (tests/cases/<slug>/), read and checked against their format.

The format is that of the case writers' brief (sites.csv, listings.csv and exchanges.csv with fixed
headers, and a README.md citing the sources). A case that breaks it is reported as a broken case, not
measured as a weak product. Nothing here needs the app or a database.
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES_DIR = ROOT / "tests" / "cases"

SITE_COLUMNS = ("site_id", "name", "name_en", "org", "sector", "transport_access", "lon", "lat", "crs", "park",
                "hw_permit", "hw_capacity_t", "hw_permit_expiry", "battery_listing")
LISTING_COLUMNS = ("site_id", "kind", "material", "quantity", "unit", "quality", "price_cny", "available_from",
                   "available_to", "hazard_code", "visibility", "note")
EXCHANGE_COLUMNS = ("offer_site_id", "offer_material", "receiver_site_id", "source", "quote")
CASE_FILES = ("sites.csv", "listings.csv", "exchanges.csv", "README.md")
MIN_DISTRACTORS = 3
FIRST_DATA_ROW = 2  # spreadsheet numbering, as the importer reports rows: the header is row 1


@dataclass(frozen=True)
class Exchange:
    """One documented exchange: the supplier's offer (site and material as written) to a receiver site."""

    row: int
    offer_site: str
    offer_material: str
    receiver_site: str
    source: str
    quote: str

    def label(self) -> str:
        return f"{self.offer_site} {self.offer_material} → {self.receiver_site}"


@dataclass(frozen=True)
class CsvFile:
    columns: tuple[str, ...]
    rows: tuple[dict[str, str], ...]  # by file row number order; data rows start at FIRST_DATA_ROW
    ragged: tuple[int, ...]  # row numbers whose cell count differs from the header's


@dataclass(frozen=True)
class Case:
    slug: str
    path: Path
    sites: CsvFile
    listings: CsvFile
    exchanges: tuple[Exchange, ...]
    exchanges_file: CsvFile


def case_dirs(root: Path = CASES_DIR) -> list[Path]:
    """Every case folder under ``root``, sorted by name."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def read_csv_file(path: Path) -> CsvFile:
    """A UTF-8 CSV (BOM allowed) as stripped strings; blank lines are kept as empty rows to keep the numbering."""
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    columns = tuple(h.strip() for h in header)
    rows, ragged = [], []
    for number, values in enumerate(reader, start=FIRST_DATA_ROW):
        if not any(v.strip() for v in values):
            rows.append({})
            continue
        if len(values) != len(columns):
            ragged.append(number)
        rows.append({c: (values[i].strip() if i < len(values) else "") for i, c in enumerate(columns)})
    return CsvFile(columns, tuple(rows), tuple(ragged))


def read_case(path: Path) -> Case:
    """The case in ``path``; raises OSError / UnicodeDecodeError if a file is missing or not UTF-8."""
    exchanges_file = read_csv_file(path / "exchanges.csv")
    exchanges = tuple(
        Exchange(number, row.get("offer_site_id", ""), row.get("offer_material", ""), row.get("receiver_site_id", ""),
                 row.get("source", ""), row.get("quote", ""))
        for number, row in enumerate(exchanges_file.rows, start=FIRST_DATA_ROW) if row)
    return Case(path.name, path, read_csv_file(path / "sites.csv"), read_csv_file(path / "listings.csv"),
                exchanges, exchanges_file)


def numbered(table: CsvFile) -> list[tuple[int, dict[str, str]]]:
    """(file row number, row) of every non-blank row."""
    return [(number, row) for number, row in enumerate(table.rows, start=FIRST_DATA_ROW) if row]


def site_points(case: Case) -> list[tuple[float, float]]:
    """The (lon, lat) of every site row whose coordinates are finite numbers in range."""
    points = []
    for _, row in numbered(case.sites):
        try:
            lon, lat = float(row.get("lon", "")), float(row.get("lat", ""))
        except ValueError:
            continue
        if math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90:
            points.append((lon, lat))
    return points


def format_problems(path: Path) -> list[str]:
    """Everything in the case folder that breaks the case format; empty when the case is well formed."""
    missing = [name for name in CASE_FILES if not (path / name).is_file()]
    if missing:
        return [f"missing file(s): {', '.join(missing)}"]
    try:
        case = read_case(path)
        readme = (path / "README.md").read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return [f"a file is not UTF-8 text ({exc})"]
    problems: list[str] = []
    for name, table, expected in (("sites.csv", case.sites, SITE_COLUMNS),
                                  ("listings.csv", case.listings, LISTING_COLUMNS),
                                  ("exchanges.csv", case.exchanges_file, EXCHANGE_COLUMNS)):
        if table.columns != expected:
            problems.append(f"{name}: header is {','.join(table.columns)}; expected {','.join(expected)}")
        for number in table.ragged:
            problems.append(f"{name} row {number}: {len(table.columns)} columns expected")
        if not numbered(table):
            problems.append(f"{name}: no rows")

    site_rows: dict[str, int] = {}
    for number, row in numbered(case.sites):
        ref = row.get("site_id", "")
        if not ref:
            problems.append(f"sites.csv row {number}: site_id is empty")
        elif ref in site_rows:
            problems.append(f"sites.csv row {number}: site_id {ref!r} already in row {site_rows[ref]}")
        site_rows.setdefault(ref, number)
        try:
            lon, lat = float(row.get("lon", "")), float(row.get("lat", ""))
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ValueError
        except ValueError:
            problems.append(f"sites.csv row {number}: lon/lat {row.get('lon')!r}, {row.get('lat')!r} "
                            "are not WGS-84 degrees")

    offers: dict[tuple[str, str], int] = {}
    wanting: set[str] = set()
    for number, row in numbered(case.listings):
        ref, kind, material = row.get("site_id", ""), row.get("kind", ""), row.get("material", "")
        if ref not in site_rows:
            problems.append(f"listings.csv row {number}: site_id {ref!r} is not in sites.csv")
        if kind not in ("offer", "want"):
            problems.append(f"listings.csv row {number}: kind {kind!r} is neither offer nor want")
        if not material:
            problems.append(f"listings.csv row {number}: material is empty")
        if kind == "offer":
            if (ref, material) in offers:
                problems.append(f"listings.csv row {number}: {ref} already offers {material!r} in row "
                                f"{offers[(ref, material)]}; a supplier's offer materials must be distinct")
            offers.setdefault((ref, material), number)
        elif kind == "want":
            wanting.add(ref)

    parties: set[str] = set()
    pairs: dict[tuple[str, str, str], int] = {}
    for exchange in case.exchanges:
        where = f"exchanges.csv row {exchange.row}"
        parties.update((exchange.offer_site, exchange.receiver_site))
        if (exchange.offer_site, exchange.offer_material) not in offers:
            problems.append(f"{where}: {exchange.offer_site} has no offer row with the material "
                            f"{exchange.offer_material!r} in listings.csv")
        if exchange.receiver_site not in site_rows:
            problems.append(f"{where}: receiver {exchange.receiver_site!r} is not in sites.csv")
        elif exchange.receiver_site not in wanting:
            problems.append(f"{where}: receiver {exchange.receiver_site} posts no want in listings.csv")
        if exchange.receiver_site == exchange.offer_site:
            problems.append(f"{where}: the supplier is its own receiver")
        key = (exchange.offer_site, exchange.offer_material, exchange.receiver_site)
        if key in pairs:
            problems.append(f"{where}: the same exchange as row {pairs[key]}")
        pairs.setdefault(key, exchange.row)
        if not exchange.source:
            problems.append(f"{where}: source is empty")
        elif exchange.source not in readme:
            problems.append(f"{where}: source key {exchange.source!r} is not cited in README.md")
        if not exchange.quote:
            problems.append(f"{where}: quote is empty")
    if not case.exchanges:
        problems.append("exchanges.csv: no documented exchange")
    bystanders = [ref for ref in site_rows if ref and ref not in parties]
    if len(bystanders) < MIN_DISTRACTORS:
        problems.append(f"only {len(bystanders)} site(s) take part in no documented exchange; a case has at "
                        f"least {MIN_DISTRACTORS} distractors")
    return problems
