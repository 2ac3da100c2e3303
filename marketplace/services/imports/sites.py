"""Import of a ``sites`` table: organisations, sites and their licences, all rows checked before any is stored."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from matching.knowledge.sector_reading import SectorReading
from matching.knowledge.sectors import load_sectors
from geo.messages import Listed, Message, N_, Names

from ...config import service_area as configured_service_area
from ...extensions import db
from ...models import Licence, Organisation, Site
from ..errors import FieldError, ImportRejected, RowProblem
from ..orgs import LicenceInput, LicenceValues, check_code_for, check_licence
from ..parks import ParkLocator
from ..sites import SiteInput, SiteInvalid, apply_checked, check_site
from ..transaction import unit_of_work
from .files import FIRST_DATA_ROW, Table, check_columns, on_sheet

SITE_REQUIRED = ("site_id", "name", "org", "sector", "lon", "lat")
SITE_OPTIONAL = ("name_en", "credit_code", "transport_access", "crs", "park", "city", "hw_permit",
                 "hw_capacity_t", "hw_permit_expiry", "battery_listing")


@dataclass
class SiteImportResult:
    organisations_created: int = 0
    sites_created: int = 0
    sites_updated: int = 0
    sites_unchanged: int = 0
    licences_written: int = 0
    created_sites: list[Site] = field(default_factory=list)
    # Rows stored with a doubtful reading (a sector to confirm): the import report lists them.
    warnings: list[RowProblem] = field(default_factory=list)


def sector_warning(number: int, reading: SectorReading) -> RowProblem:
    """The report line of a sector stored as a guess (or as nothing) and marked to confirm."""
    sectors = load_sectors()
    details = Listed([note for note in reading.notes if "please confirm" not in note], "; ")
    if reading.codes:
        read_as = Listed([Names(f"{code} {sectors[code].name_zh}", f"{code} {sectors[code].name_en}")
                          for code in reading.codes])
        if details:
            reason = Message(N_("%(written)r read as %(read_as)s; to confirm on the site page (%(details)s)"),
                             written=reading.written, read_as=read_as, details=details)
        else:
            reason = Message(N_("%(written)r read as %(read_as)s; to confirm on the site page"),
                             written=reading.written, read_as=read_as)
    elif details:
        reason = Message(N_("%(written)r could not be read as a GB/T 4754 sector; stored without one, to confirm "
                            "(%(details)s)"), written=reading.written, details=details)
    else:
        reason = Message(N_("%(written)r could not be read as a GB/T 4754 sector; stored without one, to confirm"),
                         written=reading.written)
    return RowProblem(number, "sector", reason)


def _parse_float(text: str, column: str) -> float | None:
    if not text:
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise FieldError(column, Message(N_("%(text)r is not a number"), text=text)) from None


def _parse_date(text: str, column: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise FieldError(column, Message(N_("%(text)r is not an ISO date (YYYY-MM-DD)"), text=text)) from None


def _row_licences(row: dict[str, str]) -> list[LicenceValues]:
    licences: list[LicenceInput] = []
    if row.get("hw_permit"):
        licences.append(LicenceInput(
            kind="hw_permit", hw_codes=row["hw_permit"],
            capacity_t_per_yr=_parse_float(row.get("hw_capacity_t", ""), "hw_capacity_t"),
            expires_on=_parse_date(row.get("hw_permit_expiry", ""), "hw_permit_expiry")))
    elif row.get("hw_capacity_t") or row.get("hw_permit_expiry"):
        raise FieldError("hw_permit", Message(N_("hw_capacity_t or hw_permit_expiry is given without hw_permit")))
    if row.get("battery_listing"):
        licences.append(LicenceInput(kind="battery_listing", battery_scope=row["battery_listing"].lower()))
    return [check_licence(licence) for licence in licences]


def import_sites(table: Table, *, acting_organisation: Organisation | None = None, commit: bool = True,
                 sheet: str | None = None) -> SiteImportResult:
    """Import a ``sites`` table; ``acting_organisation`` None means an administrator (who may create organisations).

    Raises :class:`ImportRejected` listing every problem; then nothing is stored. With
    ``commit=False`` the rows are only flushed, for a caller that imports more in the same transaction.
    """
    # A sheet without references names its sites by name (the name is then the reference); a plant's own
    # sites need no organisation column.
    waived = ("site_id",) if acting_organisation is None else ("site_id", "org")
    ignored = check_columns(table.columns, required=tuple(c for c in SITE_REQUIRED if c not in waived),
                            optional=SITE_OPTIONAL + waived, sheet=sheet)
    service_area = configured_service_area(current_app.config)
    locator = ParkLocator.from_database()
    organisations = {o.name_zh: o for o in db.session.scalars(select(Organisation))}
    problems: list[RowProblem] = []
    warnings: list[RowProblem] = list(ignored)
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
            row_problems.append(RowProblem(number, "org", Message(N_("you can import sites of your own "
                                                                     "organisation only"))))
        if not org_name:
            row_problems.append(RowProblem(number, "org", Message(N_("the organisation's name is required"))))
        ref = row.get("site_id") or row.get("name", "")[:64]
        if ref and ref in seen_refs:
            row_problems.append(RowProblem(number, "site_id", Message(N_("%(ref)r already appears in row "
                                                                         "%(seen_refs)s"),
                                                                      ref=ref, seen_refs=seen_refs[ref])))
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
                                               Message(N_("differs from the code given for %(org_name)s in row "
                                                          "%(first)s"),
                                                       org_name=org_name, first=first[1])))
        checked = None
        try:
            checked = check_site(SiteInput(
                external_ref=ref, name_zh=row.get("name", ""), name_en=row.get("name_en"),
                sector=row.get("sector", ""), lon=row.get("lon", ""), lat=row.get("lat", ""),
                crs=row.get("crs"), city=row.get("city"), park=row.get("park"),
                transport_access=row.get("transport_access")),
                service_area=service_area, locator=locator)
        except SiteInvalid as exc:
            row_problems.extend(RowProblem(number, e.field, e.message) for e in exc.errors)
        else:
            if checked.sector.to_confirm:
                warnings.extend(on_sheet([sector_warning(number, checked.sector)], sheet))
            if checked.access_warning is not None:
                warnings.extend(on_sheet([RowProblem(number, checked.access_warning.field,
                                                     checked.access_warning.message)], sheet))
        licences = []
        try:
            licences = _row_licences(row)
        except FieldError as exc:
            row_problems.append(RowProblem(number, exc.field, exc.message))
        problems.extend(on_sheet(row_problems, sheet))
        if not row_problems:
            planned.append((number, org_name, code, checked, licences))
    if problems:
        raise ImportRejected(problems)

    result = SiteImportResult(warnings=warnings)
    with unit_of_work(commit=commit):
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
