"""Import of a ``listings`` table: every row checked against the knowledge base, then one bulk insert."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import select
from geo.messages import Message, N_

from ...extensions import db
from ...models import Organisation, Site
from ..errors import FieldError, ImportRejected, RowProblem
from ..transaction import unit_of_work
from .files import FIRST_DATA_ROW, Table, check_columns, on_sheet
from .headers import canonical_value

LISTING_REQUIRED = ("kind", "material", "quantity")
# site_id may be left out by a plant with one site (services/imports/listings._site_finder).
LISTING_OPTIONAL = ("site_id", "unit", "quality", "price_cny", "available_from", "available_to", "hazard_code", "visibility",
                    "note")
# Columns an export adds; accepted and ignored on import so an exported file imports unchanged.
EXPORT_ONLY = ("material_code", "hazardous")
BULK_ANALYSE_ROWS = 1000


@dataclass
class ListingImportResult:
    created: int = 0
    unchanged: int = 0
    created_ids: list[int] = field(default_factory=list)
    # Rows stored as they are but worth a look (unclassified or possibly hazardous names, names read from
    # the site's sector, inferred hazard codes), each with row, column and suggestions.
    warnings: list[RowProblem] = field(default_factory=list)


def _header_unit(table: Table, quantity: str) -> str | None:
    """The unit the quantity header writes ("年产生量（万吨/年）"), for a row whose quantity cell writes none."""
    from ..listing_values import read_amount

    try:
        written_in_cell = read_amount(quantity, "quantity").unit
    except FieldError:
        written_in_cell = None
    return None if written_in_cell else table.header_units.get("quantity")


def _site_finder(acting_organisation: Organisation | None, sheet_orgs: dict[str, str]):
    """site_id -> Site, within the acting organisation, or for an administrator across all of them.

    A sheet may name the site by its name instead of its reference, and a plant with one site may leave the
    column out or empty.
    """
    query = select(Site)
    if acting_organisation is not None:
        query = query.where(Site.organisation_id == acting_organisation.id)
    by_ref: dict[str, list[Site]] = {}
    by_name: dict[str, list[Site]] = {}
    for site in db.session.scalars(query):
        by_ref.setdefault(site.external_ref, []).append(site)
        for name in {site.name_zh, site.name_en} - {None, ""}:
            by_name.setdefault(name.strip().casefold(), []).append(site)
    only = [sites[0] for sites in by_ref.values()] if acting_organisation is not None else []

    def find(ref: str) -> Site:
        if not ref.strip():
            if len(only) == 1:
                return only[0]
            raise FieldError("site_id", Message(N_("say which of your organisation's sites (by its reference or "
                                                   "name)")))
        candidates = by_ref.get(ref) or by_name.get(ref.strip().casefold(), [])
        if ref in sheet_orgs:  # the sites sheet of the same workbook says whose site it is
            candidates = [s for s in candidates if s.organisation.name_zh == sheet_orgs[ref]]
        if not candidates:
            if acting_organisation is None:
                raise FieldError("site_id", Message(N_("unknown site_id %(ref)r"), ref=ref))
            raise FieldError("site_id", Message(N_("unknown site_id %(ref)r among your organisation's sites"),
                                                ref=ref))
        if len(candidates) > 1:
            raise FieldError("site_id", Message(N_("site_id %(ref)r belongs to several organisations; import it "
                                                   "together with its sites sheet"),
                                                ref=ref))
        return candidates[0]

    return find


def import_listings(table: Table, *, acting_organisation: Organisation | None = None, publish: bool = True,
                    commit: bool = True, sheet: str | None = None,
                    sheet_orgs: dict[str, str] | None = None) -> ListingImportResult:
    """Import a ``listings`` table; identical rows already stored (same site and content) are left alone."""
    from matching.knowledge.loader import load_knowledge

    from ...models import Listing, ListingMaterial, ListingName
    from ..listing_check import ListingInput, ListingInvalid, check_listing, name_values
    from ..vocabulary import learned_synonyms

    warnings: list[RowProblem] = check_columns(table.columns, required=LISTING_REQUIRED,
                                               optional=LISTING_OPTIONAL + EXPORT_ONLY, sheet=sheet)
    knowledge = load_knowledge()
    learned = learned_synonyms()
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
                kind=canonical_value("kind", row.get("kind", "")), material=row.get("material", ""), quantity=row.get("quantity", ""),
                unit=row.get("unit") or _header_unit(table, row.get("quantity", "")), quality=row.get("quality"), price_cny=row.get("price_cny"),
                available_from=row.get("available_from"), available_to=row.get("available_to"),
                hazard_code=row.get("hazard_code"), visibility=canonical_value("visibility", row.get("visibility", "")),
                note=row.get("note")),
                knowledge=knowledge, learned=learned, sectors=site.sector_codes if site is not None else (),
                sectors_confirmed=site is None or not site.sector_to_confirm)
        except ListingInvalid as exc:
            row_problems.extend(RowProblem(number, e.field, Message(
                N_("%(message)s (did you mean: %(suggestions)s?)"), message=e.message,
                suggestions=", ".join(e.suggestions)) if e.suggestions else e.message) for e in exc.errors)
            checked = None
        else:
            warnings.extend(on_sheet([RowProblem(number, w.field, Message(
                N_("%(message)s (closest: %(suggestions)s)"), message=w.message,
                suggestions=", ".join(w.suggestions)) if w.suggestions else w.message)
                for w in checked.warnings], sheet))
        problems.extend(on_sheet(row_problems, sheet))
        if not row_problems:
            planned.append((site, checked))
    if problems:
        raise ImportRejected(problems)

    result = ListingImportResult(warnings=warnings)
    with unit_of_work(commit=commit):
        if any(site.id is None for site, _ in planned):
            db.session.flush()  # sites created by the same workbook need their ids
        site_ids = {site.id for site, _ in planned}
        stored = set(db.session.scalars(select(Listing.content_hash).where(Listing.site_id.in_(site_ids)))) \
            if site_ids else set()
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        rows, codes, names = [], [], []
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
            names.append(checked.names)
        if rows:
            # Bulk INSERT … RETURNING: at 100 000 rows the unit of work's per-object bookkeeping dominates.
            ids = list(db.session.scalars(
                sa.insert(Listing).returning(Listing.id, sort_by_parameter_order=True), rows))
            material_rows = [{"listing_id": listing_id, "material_code": code, "position": position}
                             for listing_id, material_codes in zip(ids, codes)
                             for position, code in enumerate(material_codes)]
            name_rows = [{"listing_id": listing_id, "position": position, **name_values(name)}
                         for listing_id, readings in zip(ids, names) for position, name in enumerate(readings)]
            # An empty list would run one INSERT of NULLs: a file of unclassified names has no material rows.
            if material_rows:
                db.session.execute(sa.insert(ListingMaterial), material_rows)
            if name_rows:
                db.session.execute(sa.insert(ListingName), name_rows)
            result.created = len(ids)
            result.created_ids = ids
    return result


def listing_values(checked, *, site_id: int, content_hash: str, status: str, published_at) -> dict:
    """Column values of a new listing row (the bulk-insert twin of listings.apply_checked)."""
    return {**checked.columns(), "site_id": site_id, "status": status, "committed_quantity": 0.0,
            "content_hash": content_hash, "published_at": published_at}


def analyse_after_bulk_load(rows: int) -> None:
    """Refresh PostgreSQL's planner statistics after a big import.

    Right after loading, the planner still believes the tables are tiny and picks plans that are
    orders of magnitude slower (measured: a 50 km search took 1.3 s instead of 32 ms).
    """
    if rows >= BULK_ANALYSE_ROWS and db.session.get_bind().dialect.name == "postgresql":
        with unit_of_work():
            db.session.execute(sa.text("ANALYZE site, listing, listing_material, listing_name"))
