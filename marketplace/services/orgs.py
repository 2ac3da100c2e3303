"""Organisations and their licences."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from geo.messages import Message, N_

from ..extensions import db
from ..identifiers import CreditCodeError, check_credit_code
from ..models import BATTERY_SCOPES, Licence, Organisation, Site
from .errors import FieldError
from .transaction import unit_of_work

# A hazardous-waste permit names HW categories (HW01–HW50) or 8-digit codes (NNN-NNN-CC).
HW_CATEGORY = re.compile(r"^HW(0[1-9]|[1-4]\d|50)$")
HW_CODE = re.compile(r"^\d{3}-\d{3}-(0[1-9]|[1-4]\d|50)$")


@dataclass(frozen=True)
class OrganisationInput:
    name_zh: str
    name_en: str | None = None
    credit_code: str | None = None


@dataclass(frozen=True)
class CheckedCreditCode:
    code: str | None
    flagged: bool


def check_code_for(credit_code: str | None, *, field: str = "credit_code") -> CheckedCreditCode:
    """Refuse a malformed code; accept but flag a well-formed one whose check character fails."""
    text = (credit_code or "").strip()
    if not text:
        return CheckedCreditCode(None, False)
    try:
        result = check_credit_code(text)
    except CreditCodeError as exc:
        raise FieldError(field, str(exc)) from exc
    return CheckedCreditCode(result.code, not result.check_ok)


def find_organisation(name_zh: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.name_zh == name_zh.strip()))


def _check_unique(name_zh: str, code: str | None, *, exclude_id: int | None = None) -> None:
    same_name = select(Organisation.id).where(Organisation.name_zh == name_zh)
    if exclude_id is not None:
        same_name = same_name.where(Organisation.id != exclude_id)
    if db.session.scalar(same_name) is not None:
        raise FieldError("name_zh", Message(N_("an organisation named %(name)s is already registered"),
                                            name=name_zh))
    if code:
        same_code = select(Organisation.id).where(Organisation.credit_code == code)
        if exclude_id is not None:
            same_code = same_code.where(Organisation.id != exclude_id)
        if db.session.scalar(same_code) is not None:
            raise FieldError("credit_code", Message(N_("the credit code %(code)s is already registered"), code=code))


def create_organisation(org: OrganisationInput, *, commit: bool = True, is_demo: bool = False) -> Organisation:
    """Store a new organisation; ``commit=False`` adds it to the caller's unit of work (a sign-up, a new user)."""
    with unit_of_work(commit=commit):
        name_zh = (org.name_zh or "").strip()
        if not name_zh:
            raise FieldError("name_zh", Message(N_("the organisation's name is required")))
        checked = check_code_for(org.credit_code)
        _check_unique(name_zh, checked.code)
        organisation = Organisation(
            name_zh=name_zh,
            name_en=(org.name_en or "").strip() or None,
            credit_code=checked.code,
            credit_code_flagged=checked.flagged,
            is_demo=is_demo,
        )
        db.session.add(organisation)
    return organisation


def update_organisation(organisation: Organisation, org: OrganisationInput) -> Organisation:
    with unit_of_work():
        name_zh = (org.name_zh or "").strip()
        if not name_zh:
            raise FieldError("name_zh", Message(N_("the organisation's name is required")))
        checked = check_code_for(org.credit_code)
        _check_unique(name_zh, checked.code, exclude_id=organisation.id)
        if checked.code != organisation.credit_code:
            # A changed code must be verified again.
            organisation.verified = False
        organisation.name_zh = name_zh
        organisation.name_en = (org.name_en or "").strip() or None
        organisation.credit_code = checked.code
        organisation.credit_code_flagged = checked.flagged
    return organisation


def set_verified(organisation: Organisation, verified: bool) -> None:
    with unit_of_work():
        organisation.verified = verified


def parse_hw_codes(text: str | None, *, field: str = "hw_permit") -> list[str]:
    """Split 'HW31, 900-052-31' into validated, upper-cased codes."""
    codes = [c.strip().upper() for c in re.split(r"[,，;；|\s]+", text or "") if c.strip()]
    bad = [c for c in codes if not (HW_CATEGORY.match(c) or HW_CODE.match(c))]
    if bad:
        raise FieldError(field, Message(N_("not a hazardous-waste category (HW01–HW50) or 8-digit code "
                                           "(NNN-NNN-CC): %(bad)s"),
                                        bad=', '.join(bad)))
    return codes


@dataclass(frozen=True)
class LicenceInput:
    kind: str
    site: Site | None = None
    number: str | None = None
    hw_codes: str | None = None
    capacity_t_per_yr: float | None = None
    expires_on: dt.date | None = None
    battery_scope: str | None = None


@dataclass(frozen=True)
class LicenceValues:
    """A licence's validated, normalised fields."""

    kind: str
    hw_codes: str | None = None
    capacity_t_per_yr: float | None = None
    expires_on: dt.date | None = None
    battery_scope: str | None = None


def check_licence(licence: LicenceInput) -> LicenceValues:
    if licence.kind == "hw_permit":
        codes = parse_hw_codes(licence.hw_codes)
        if not codes:
            raise FieldError("hw_permit", Message(N_("a hazardous-waste permit names at least one category or code")))
        if licence.capacity_t_per_yr is None or licence.capacity_t_per_yr <= 0:
            raise FieldError("hw_capacity_t", Message(N_("the permit's yearly capacity must be a positive number "
                                                         "of tonnes")))
        if licence.capacity_t_per_yr > 10_000_000:
            raise FieldError("hw_capacity_t", Message(N_("%(capacity_t_per_yr)g t/yr is beyond any licensed "
                                                         "facility"),
                                                      capacity_t_per_yr=licence.capacity_t_per_yr))
        return LicenceValues("hw_permit", hw_codes=",".join(codes), capacity_t_per_yr=licence.capacity_t_per_yr,
                             expires_on=licence.expires_on)
    if licence.kind == "battery_listing":
        if licence.battery_scope not in BATTERY_SCOPES:
            raise FieldError("battery_listing", Message(N_("choose one of: %(BATTERY_SCOPES)s"),
                                                        BATTERY_SCOPES=', '.join(BATTERY_SCOPES)))
        return LicenceValues("battery_listing", battery_scope=licence.battery_scope)
    raise FieldError("kind", Message(N_("a licence is a hazardous-waste permit or a battery listing")))


def build_licence(organisation: Organisation, licence: LicenceInput) -> Licence:
    """A validated, unsaved licence for ``organisation``."""
    if licence.site is not None and licence.site.organisation_id != organisation.id:
        raise FieldError("site", Message(N_("the site belongs to another organisation")))
    values = check_licence(licence)
    return Licence(organisation=organisation, site=licence.site, number=licence.number, **values.__dict__)


def add_licence(organisation: Organisation, licence: LicenceInput) -> Licence:
    with unit_of_work():
        row = build_licence(organisation, licence)
        db.session.add(row)
    return row


def count_organisations() -> int:
    return db.session.scalar(select(func.count(Organisation.id))) or 0


ORG_STATUSES = ("all", "unverified", "verified")
ORGS_PER_PAGE = 25


@dataclass(frozen=True)
class OrganisationPage:
    items: list[Organisation]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search_organisations(text: str = "", *, status: str = "all", page: int = 1,
                         per_page: int = ORGS_PER_PAGE) -> OrganisationPage:
    """Organisations whose zh or en name or credit code contains ``text``, unverified and flagged first."""
    query = select(Organisation)
    needle = (text or "").strip()
    if needle:
        pattern = f"%{needle.lower()}%"
        query = query.where(func.lower(Organisation.name_zh).like(pattern)
                            | func.lower(func.coalesce(Organisation.name_en, "")).like(pattern)
                            | func.lower(func.coalesce(Organisation.credit_code, "")).like(pattern))
    if status == "verified":
        query = query.where(Organisation.verified.is_(True))
    elif status == "unverified":
        query = query.where(Organisation.verified.is_(False))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    items = list(db.session.scalars(query.order_by(
        Organisation.verified, Organisation.credit_code_flagged.desc(), Organisation.name_zh, Organisation.id)
        .limit(per_page).offset((page - 1) * per_page)))
    return OrganisationPage(items, total, page, per_page)


def credit_code_warning(organisation: Organisation) -> str | None:
    """Why the organisation's credit code needs a second look before verifying: 'missing', 'check' (its
    check character fails) or 'malformed'; None when the code is well formed and checks."""
    if not organisation.credit_code:
        return "missing"
    try:
        result = check_credit_code(organisation.credit_code)
    except CreditCodeError:
        return "malformed"
    return None if result.check_ok else "check"


def verify_organisation(organisation: Organisation, verified: bool, *, confirmed: bool = False) -> None:
    """Verify (or withdraw verification of) an organisation; a code that is missing or fails its check is
    verified only when the administrator ``confirmed`` having looked it up by other means."""
    if verified and not confirmed:
        warning = credit_code_warning(organisation)
        if warning is not None:
            raise FieldError("confirm", {
                "missing": "the organisation has no credit code: confirm to verify it anyway",
                "check": "the credit code's check character does not match: confirm to verify it anyway",
                "malformed": "the credit code is malformed: confirm to verify it anyway",
            }[warning])
    with unit_of_work():
        organisation.verified = verified


def listing_count(organisation: Organisation) -> int:
    from ..models import Listing

    return db.session.scalar(select(func.count(Listing.id)).join(Site, Listing.site_id == Site.id)
                             .where(Site.organisation_id == organisation.id)) or 0
