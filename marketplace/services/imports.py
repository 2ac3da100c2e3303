"""Bulk import of sites and listings (PRODUCT.md section 4): all or nothing, every bad row reported."""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
import sqlalchemy as sa
from sqlalchemy import select

from ..extensions import db
from ..models import Licence, Organisation, Site
from .errors import FieldError, ImportRejected, RowProblem
from .orgs import LicenceInput, LicenceValues, check_code_for, check_licence
from .parks import ParkLocator
from .sites import SiteInput, SiteInvalid, apply_checked, check_site

SITE_REQUIRED = ("site_id", "name", "org", "sector", "lon", "lat")
SITE_OPTIONAL = ("name_en", "credit_code", "crs", "park", "city", "hw_permit", "hw_capacity_t",
                 "hw_permit_expiry", "battery_listing")
FIRST_DATA_ROW = 2  # spreadsheet numbering: the header is row 1


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[dict[str, str]]


def read_csv(source: str | os.PathLike | bytes) -> Table:
    """Read a UTF-8 CSV (with or without BOM) into header and rows of stripped strings."""
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FieldError("file", f"the file is not UTF-8 text (byte {exc.start})") from exc
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise FieldError("file", "the file is empty") from None
    columns = [h.strip() for h in header]
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            rows.append({})  # keep numbering; blank rows are skipped later
            continue
        rows.append({c: (values[i].strip() if i < len(values) else "") for i, c in enumerate(columns)})
    return Table(columns, rows)


def _on_sheet(problems: list[RowProblem], sheet: str | None) -> list[RowProblem]:
    return [RowProblem(p.row, p.column, p.reason, sheet) for p in problems] if sheet else problems


def check_columns(columns: list[str], *, required: tuple[str, ...], optional: tuple[str, ...],
                  sheet: str | None = None) -> None:
    problems = []
    unknown = [c for c in columns if c not in required + optional]
    for name in unknown:
        problems.append(RowProblem(1, name, "unknown column (expected: " + ", ".join(required + optional) + ")"))
    for name in required:
        if name not in columns:
            problems.append(RowProblem(1, name, "required column is missing"))
    duplicates = {c for c in columns if columns.count(c) > 1}
    for name in sorted(duplicates):
        problems.append(RowProblem(1, name, "column appears more than once"))
    if problems:
        raise ImportRejected(_on_sheet(problems, sheet))


@dataclass
class SiteImportResult:
    organisations_created: int = 0
    sites_created: int = 0
    sites_updated: int = 0
    sites_unchanged: int = 0
    licences_written: int = 0
    created_sites: list[Site] = field(default_factory=list)


def _parse_float(text: str, column: str) -> float | None:
    if not text:
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise FieldError(column, f"{text!r} is not a number") from None


def _parse_date(text: str, column: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise FieldError(column, f"{text!r} is not an ISO date (YYYY-MM-DD)") from None


def _row_licences(row: dict[str, str]) -> list[LicenceValues]:
    licences: list[LicenceInput] = []
    if row.get("hw_permit"):
        licences.append(LicenceInput(
            kind="hw_permit", hw_codes=row["hw_permit"],
            capacity_t_per_yr=_parse_float(row.get("hw_capacity_t", ""), "hw_capacity_t"),
            expires_on=_parse_date(row.get("hw_permit_expiry", ""), "hw_permit_expiry")))
    elif row.get("hw_capacity_t") or row.get("hw_permit_expiry"):
        raise FieldError("hw_permit", "hw_capacity_t or hw_permit_expiry is given without hw_permit")
    if row.get("battery_listing"):
        licences.append(LicenceInput(kind="battery_listing", battery_scope=row["battery_listing"].lower()))
    return [check_licence(licence) for licence in licences]


def import_sites(table: Table, *, acting_organisation: Organisation | None = None, commit: bool = True,
                 sheet: str | None = None) -> SiteImportResult:
    """Import a ``sites`` table; ``acting_organisation`` None means an administrator (who may create organisations).

    Raises :class:`ImportRejected` listing every problem; then nothing is stored. With
    ``commit=False`` the rows are only flushed, for a caller that imports more in the same transaction.
    """
    check_columns(table.columns, required=SITE_REQUIRED if acting_organisation is None else
                  tuple(c for c in SITE_REQUIRED if c != "org"),
                  optional=SITE_OPTIONAL + (("org",) if acting_organisation is not None else ()), sheet=sheet)
    service_area = current_app.config["SERVICE_AREA"]
    locator = ParkLocator.from_database()
    organisations = {o.name_zh: o for o in db.session.scalars(select(Organisation))}
    problems: list[RowProblem] = []
    planned = []  # (row number, organisation name, credit code, checked site, licences)
    seen_refs: dict[str, int] = {}
    org_codes: dict[str, tuple[str | None, int]] = {}

    for offset, row in enumerate(table.rows):
        number = FIRST_DATA_ROW + offset
        if not row:
            continue
        row_problems: list[RowProblem] = []
        org_name = acting_organisation.name_zh if acting_organisation else row.get("org", "")
        if acting_organisation is not None and row.get("org") and row["org"] != acting_organisation.name_zh:
            row_problems.append(RowProblem(number, "org", "you can import sites of your own organisation only"))
        if not org_name:
            row_problems.append(RowProblem(number, "org", "the organisation's name is required"))
        ref = row.get("site_id", "")
        if ref and ref in seen_refs:
            row_problems.append(RowProblem(number, "site_id", f"{ref!r} already appears in row {seen_refs[ref]}"))
        seen_refs.setdefault(ref, number)
        code = None
        try:
            code = check_code_for(row.get("credit_code")).code
        except FieldError as exc:
            row_problems.append(RowProblem(number, "credit_code", exc.message))
        if org_name and code:
            first = org_codes.setdefault(org_name, (code, number))
            if first[0] != code:
                row_problems.append(RowProblem(number, "credit_code",
                                               f"differs from the code given for {org_name} in row {first[1]}"))
        checked = None
        try:
            checked = check_site(SiteInput(
                external_ref=ref, name_zh=row.get("name", ""), name_en=row.get("name_en"),
                sector=row.get("sector", ""), lon=row.get("lon", ""), lat=row.get("lat", ""),
                crs=row.get("crs"), city=row.get("city"), park=row.get("park")),
                service_area=service_area, locator=locator)
        except SiteInvalid as exc:
            row_problems.extend(RowProblem(number, e.field, e.message) for e in exc.errors)
        licences = []
        try:
            licences = _row_licences(row)
        except FieldError as exc:
            row_problems.append(RowProblem(number, exc.field, exc.message))
        problems.extend(_on_sheet(row_problems, sheet))
        if not row_problems:
            planned.append((number, org_name, code, checked, licences))
    if problems:
        raise ImportRejected(problems)

    result = SiteImportResult()
    try:
        with db.session.no_autoflush:
            for number, org_name, code, checked, licences in planned:
                organisation = organisations.get(org_name)
                if organisation is None:
                    organisation = Organisation(name_zh=org_name, credit_code=code,
                                                credit_code_flagged=bool(code) and check_code_for(code).flagged)
                    db.session.add(organisation)
                    organisations[org_name] = organisation
                    result.organisations_created += 1
                elif code and organisation.credit_code != code:
                    organisation.credit_code = code
                    organisation.credit_code_flagged = check_code_for(code).flagged
                site = None
                if organisation.id is not None:
                    site = db.session.scalar(select(Site).where(
                        Site.organisation_id == organisation.id, Site.external_ref == checked.external_ref))
                if site is None:
                    site = Site(organisation=organisation)
                    db.session.add(site)
                    result.sites_created += 1
                    result.created_sites.append(site)
                apply_checked(site, checked)
                result.licences_written += _sync_site_licences(organisation, site, licences)
            # Counted before the flush, which clears what the session knows as modified.
            result.sites_updated = sum(1 for obj in db.session.dirty
                                       if isinstance(obj, Site) and obj.id is not None and db.session.is_modified(obj))
            db.session.flush()
            result.sites_unchanged = len(planned) - result.sites_created - result.sites_updated
        if commit:
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


def _sync_site_licences(organisation: Organisation, site: Site, licences: list[LicenceValues]) -> int:
    """Make the site's licence of each kind given equal the row's; returns how many rows changed."""
    changed = 0
    current = {lic.kind: lic for lic in site.licences} if site.id is not None else {}
    for values in licences:
        existing = current.get(values.kind)
        if existing is None:
            db.session.add(Licence(organisation=organisation, site=site, **values.__dict__))
            changed += 1
            continue
        for attr, value in values.__dict__.items():
            if getattr(existing, attr) != value:
                setattr(existing, attr, value)
                changed += 1
    return changed


# ---------------------------------------------------------------------------------------------
# Listings

LISTING_REQUIRED = ("site_id", "kind", "material", "quantity")
LISTING_OPTIONAL = ("unit", "quality", "price_cny", "available_from", "available_to", "hazard_code", "visibility",
                    "note")
# Columns an export adds; accepted and ignored on import so an exported file imports unchanged.
EXPORT_ONLY = ("material_code", "hazardous")
MAX_IMPORT_BYTES = 50 * 1024 * 1024
BULK_ANALYSE_ROWS = 1000


@dataclass
class ListingImportResult:
    created: int = 0
    unchanged: int = 0
    created_ids: list[int] = field(default_factory=list)


@dataclass
class ImportResult:
    sites: SiteImportResult | None = None
    listings: ListingImportResult | None = None

    def summary(self) -> str:
        parts = []
        if self.sites:
            parts.append(f"sites: {self.sites.sites_created} created, {self.sites.sites_updated} updated, "
                         f"{self.sites.sites_unchanged} unchanged; {self.sites.organisations_created} organisations "
                         "created")
        if self.listings:
            parts.append(f"listings: {self.listings.created} created, {self.listings.unchanged} unchanged")
        return "; ".join(parts)


def _site_finder(acting_organisation: Organisation | None, sheet_orgs: dict[str, str]):
    """site_id -> Site, within the acting organisation, or for an administrator across all of them."""
    query = select(Site)
    if acting_organisation is not None:
        query = query.where(Site.organisation_id == acting_organisation.id)
    by_ref: dict[str, list[Site]] = {}
    for site in db.session.scalars(query):
        by_ref.setdefault(site.external_ref, []).append(site)

    def find(ref: str) -> Site:
        candidates = by_ref.get(ref, [])
        if ref in sheet_orgs:  # the sites sheet of the same workbook says whose site it is
            candidates = [s for s in candidates if s.organisation.name_zh == sheet_orgs[ref]]
        if not candidates:
            raise FieldError("site_id", f"unknown site_id {ref!r}" + (
                "" if acting_organisation is None else " among your organisation's sites"))
        if len(candidates) > 1:
            raise FieldError("site_id", f"site_id {ref!r} belongs to several organisations; import it together "
                                        "with its sites sheet")
        return candidates[0]

    return find


def import_listings(table: Table, *, acting_organisation: Organisation | None = None, publish: bool = True,
                    commit: bool = True, sheet: str | None = None,
                    sheet_orgs: dict[str, str] | None = None) -> ListingImportResult:
    """Import a ``listings`` table; identical rows already stored (same site and content) are left alone."""
    from .listings import ListingInput, ListingInvalid
    from .listings import apply_checked as apply_listing
    from .listings import check_listing

    from matching.knowledge.loader import load_knowledge

    from ..models import Listing, ListingMaterial

    check_columns(table.columns, required=LISTING_REQUIRED, optional=LISTING_OPTIONAL + EXPORT_ONLY, sheet=sheet)
    knowledge = load_knowledge()
    find_site = _site_finder(acting_organisation, sheet_orgs or {})
    problems: list[RowProblem] = []
    planned = []
    for offset, row in enumerate(table.rows):
        number = FIRST_DATA_ROW + offset
        if not row:
            continue
        row_problems = []
        site = None
        try:
            site = find_site(row.get("site_id", ""))
        except FieldError as exc:
            row_problems.append(RowProblem(number, exc.field, exc.message))
        try:
            checked = check_listing(ListingInput(
                kind=row.get("kind", ""), material=row.get("material", ""), quantity=row.get("quantity", ""),
                unit=row.get("unit"), quality=row.get("quality"), price_cny=row.get("price_cny"),
                available_from=row.get("available_from"), available_to=row.get("available_to"),
                hazard_code=row.get("hazard_code"), visibility=row.get("visibility"), note=row.get("note")),
                knowledge=knowledge)
        except ListingInvalid as exc:
            row_problems.extend(RowProblem(number, e.field, e.message + (
                f" (did you mean: {', '.join(e.suggestions)}?)" if e.suggestions else "")) for e in exc.errors)
            checked = None
        problems.extend(_on_sheet(row_problems, sheet))
        if not row_problems:
            planned.append((site, checked))
    if problems:
        raise ImportRejected(problems)

    result = ListingImportResult()
    try:
        if any(site.id is None for site, _ in planned):
            db.session.flush()  # sites created by the same workbook need their ids
        site_ids = {site.id for site, _ in planned}
        stored = set(db.session.scalars(select(Listing.content_hash).where(Listing.site_id.in_(site_ids)))) \
            if site_ids else set()
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        rows, codes = [], []
        for site, checked in planned:
            content_hash = checked.content_hash(site.id)
            if content_hash in stored:
                result.unchanged += 1
                continue
            stored.add(content_hash)
            rows.append(listing_values(checked, site_id=site.id, content_hash=content_hash,
                                       status="published" if publish else "draft",
                                       published_at=now if publish else None))
            codes.append(checked.material_codes)
        if rows:
            # Bulk INSERT … RETURNING: at 100 000 rows the unit of work's per-object bookkeeping dominates.
            ids = list(db.session.scalars(
                sa.insert(Listing).returning(Listing.id, sort_by_parameter_order=True), rows))
            db.session.execute(sa.insert(ListingMaterial), [
                {"listing_id": listing_id, "material_code": code, "position": position}
                for listing_id, material_codes in zip(ids, codes) for position, code in enumerate(material_codes)])
            result.created = len(ids)
            result.created_ids = ids
        if commit:
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


def listing_values(checked, *, site_id: int, content_hash: str, status: str, published_at) -> dict:
    """Column values of a new listing row (the bulk-insert twin of listings.apply_checked)."""
    return {"site_id": site_id, "kind": checked.kind, "status": status, "quantity": checked.quantity,
            "unit": checked.unit, "annual_quantity": checked.annual_quantity, "base_unit": checked.base_unit,
            "committed_quantity": 0.0, "quality": checked.quality, "price_cny": checked.price_cny,
            "available_from": checked.available_from, "available_to": checked.available_to,
            "hazard_code": checked.hazard_code, "visibility": checked.visibility, "note": checked.note,
            "transport_modes": checked.transport_modes, "content_hash": content_hash, "published_at": published_at}


def analyse_after_bulk_load(rows: int) -> None:
    """Refresh PostgreSQL's planner statistics after a big import.

    Right after loading, the planner still believes the tables are tiny and picks plans that are
    orders of magnitude slower (measured: a 50 km search took 1.3 s instead of 32 ms).
    """
    if rows >= BULK_ANALYSE_ROWS and db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE site, listing, listing_material"))
        db.session.commit()


def import_tables(tables: dict[str, Table], *, acting_organisation: Organisation | None = None,
                  publish: bool = True) -> ImportResult:
    """Import sites, then listings, in one transaction: any bad row in either and nothing is stored."""
    from .listings import after_publish_many

    result = ImportResult()
    problems: list[RowProblem] = []
    sheeted = len(tables) > 1
    try:
        if "sites" in tables:
            try:
                result.sites = import_sites(tables["sites"], acting_organisation=acting_organisation, commit=False,
                                            sheet="sites" if sheeted else None)
            except ImportRejected as exc:
                problems.extend(exc.problems)
        if "listings" in tables:
            sheet_orgs = {}
            if "sites" in tables and acting_organisation is None:
                sheet_orgs = {r.get("site_id", ""): r.get("org", "") for r in tables["sites"].rows if r}
            try:
                result.listings = import_listings(tables["listings"], acting_organisation=acting_organisation,
                                                  publish=publish, commit=False,
                                                  sheet="listings" if sheeted else None, sheet_orgs=sheet_orgs)
            except ImportRejected as exc:
                problems.extend(exc.problems)
        if problems:
            raise ImportRejected(problems)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if result.listings:
        analyse_after_bulk_load(result.listings.created)
        if publish:
            after_publish_many(result.listings.created_ids)
    return result


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

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise FieldError("file", f"the file is not an XLSX workbook ({exc.__class__.__name__})") from None
    tables = {}
    try:
        names = {name.strip().lower(): name for name in workbook.sheetnames}
        for wanted in ("sites", "listings"):
            if wanted not in names:
                continue
            rows = workbook[names[wanted]].iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                continue
            columns = [_cell_text(h) for h in header]
            while columns and not columns[-1]:
                columns.pop()
            body = []
            for values in rows:
                texts = [_cell_text(v) for v in values[:len(columns)]]
                body.append({} if not any(texts) else dict(zip(columns, texts + [""] * (len(columns) - len(texts)))))
            while body and not body[-1]:
                body.pop()
            tables[wanted] = Table(columns, body)
    finally:
        workbook.close()
    if not tables:
        raise FieldError("file", "the workbook has no sheet named 'sites' or 'listings'")
    return tables


def read_import_file(source: bytes | str | os.PathLike, *, filename: str | None = None) -> dict[str, Table]:
    """The tables of a CSV (sites or listings, told apart by the header) or an XLSX workbook."""
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    name = (filename or (str(source) if not isinstance(source, bytes) else "")).lower()
    if len(raw) > MAX_IMPORT_BYTES:
        raise FieldError("file", f"the file is {len(raw) / 1e6:.1f} MB; the limit is {MAX_IMPORT_BYTES / 1e6:.0f} MB")
    is_zip = raw[:4] == b"PK\x03\x04"
    if name.endswith((".xlsx", ".xlsm")):
        if not is_zip:
            raise FieldError("file", "the file is named .xlsx but is not an XLSX workbook")
        return read_xlsx(raw)
    if name.endswith(".xls"):
        raise FieldError("file", "old .xls workbooks are not read; save it as .xlsx or CSV")
    if is_zip or b"\x00" in raw[:4096]:
        raise FieldError("file", "the file is binary, not CSV text; XLSX files must end in .xlsx")
    table = read_csv(raw)
    columns = set(table.columns)
    if {"kind", "material"} <= columns:
        return {"listings": table}
    if {"lon", "lat"} & columns or "sector" in columns:
        return {"sites": table}
    raise FieldError("file", "cannot tell whether this CSV holds sites or listings: expected the header of "
                             "PRODUCT section 4 (sites: site_id,name,org,sector,lon,lat…; listings: "
                             "site_id,kind,material,quantity…)")


# ---------------------------------------------------------------------------------------------
# Export

EXPORT_COLUMNS = ("site_id",) + tuple(c for c in LISTING_REQUIRED if c != "site_id") + LISTING_OPTIONAL + EXPORT_ONLY
SITE_EXPORT_COLUMNS = SITE_REQUIRED + SITE_OPTIONAL


def _number_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def listing_export_row(listing) -> dict[str, str]:
    return {
        "site_id": listing.site.external_ref, "kind": listing.kind, "material": "|".join(listing.material_codes),
        "quantity": _number_text(listing.quantity), "unit": listing.unit,
        "quality": ";".join(f"{k}={_number_text(v) if isinstance(v, float) else v}" for k, v in listing.quality.items()),
        "price_cny": _number_text(listing.price_cny),
        "available_from": listing.available_from.isoformat() if listing.available_from else "",
        "available_to": listing.available_to.isoformat() if listing.available_to else "",
        "hazard_code": listing.hazard_code or "", "visibility": listing.visibility, "note": listing.note or "",
        "material_code": "|".join(listing.material_codes),
        "hazardous": "yes" if any(m.material.hazardous for m in listing.materials) else "no",
    }


def site_export_row(site: Site) -> dict[str, str]:
    permit = next((l for l in site.licences if l.kind == "hw_permit"), None)
    battery = next((l for l in site.licences if l.kind == "battery_listing"), None)
    return {
        "site_id": site.external_ref, "name": site.name_zh, "org": site.organisation.name_zh,
        "sector": site.sector_code, "lon": f"{site.lon:.6f}", "lat": f"{site.lat:.6f}",
        "name_en": site.name_en or "", "credit_code": site.organisation.credit_code or "", "crs": "WGS84",
        "park": site.park.code if site.park else "", "city": site.city_code,
        "hw_permit": permit.hw_codes if permit else "",
        "hw_capacity_t": _number_text(permit.capacity_t_per_yr) if permit else "",
        "hw_permit_expiry": permit.expires_on.isoformat() if permit and permit.expires_on else "",
        "battery_listing": battery.battery_scope if battery else "",
    }


def write_csv(columns, rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    # The BOM lets Excel open the UTF-8 file with Chinese text intact.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(sheets: dict[str, tuple[tuple[str, ...], list[dict]]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for name, (columns, rows) in sheets.items():
        sheet = workbook.create_sheet(name)
        sheet.append(list(columns))
        for row in rows:
            sheet.append([row.get(c, "") for c in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_listings(listings: list, fmt: str) -> bytes:
    """Listings in the import format plus material_code and hazardous: CSV, or XLSX with their sites too."""
    rows = [listing_export_row(listing) for listing in listings]
    if fmt == "csv":
        return write_csv(EXPORT_COLUMNS, rows)
    if fmt == "xlsx":
        sites = list({listing.site.id: listing.site for listing in listings}.values())
        return write_xlsx({"sites": (SITE_EXPORT_COLUMNS, [site_export_row(s) for s in sites]),
                           "listings": (EXPORT_COLUMNS, rows)})
    raise FieldError("format", "export as csv or xlsx")


TEMPLATE_SITES = [{"site_id": "WH-CEM-01", "name": "芜湖示例水泥厂", "name_en": "Example cement works", "org": "示例建材有限公司",
                   "credit_code": "", "sector": "3011", "lon": "118.3760", "lat": "31.3260", "crs": "WGS84",
                   "park": "", "city": "340200"}]
TEMPLATE_LISTINGS = [
    {"site_id": "WH-CEM-01", "kind": "want", "material": "粉煤灰|fly ash", "quantity": "50000", "unit": "t/yr",
     "quality": "grade=II", "price_cny": "60", "available_from": "2027-01-01", "available_to": "2027-12-31",
     "visibility": "named", "note": "汽运散装"},
    {"site_id": "WH-CEM-01", "kind": "offer", "material": "废耐火材料", "quantity": "1200", "unit": "t/yr",
     "price_cny": "-30", "visibility": "anonymous"},
]


def import_template(fmt: str) -> bytes:
    """An empty-to-fill file in the import format, with example rows."""
    if fmt == "csv":
        return write_csv(("site_id",) + tuple(c for c in LISTING_REQUIRED if c != "site_id") + LISTING_OPTIONAL,
                         TEMPLATE_LISTINGS)
    if fmt == "xlsx":
        return write_xlsx({"sites": (SITE_EXPORT_COLUMNS, TEMPLATE_SITES),
                           "listings": (("site_id",) + tuple(c for c in LISTING_REQUIRED if c != "site_id")
                                        + LISTING_OPTIONAL, TEMPLATE_LISTINGS)})
    raise FieldError("format", "the template comes as csv or xlsx")
