"""Offers and wants: validation, life cycle, and who may see whose name."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import select

from matching.knowledge.errors import KnowledgeError
from matching.knowledge import Knowledge, load_knowledge, resolve_material_text

from ..extensions import db
from ..models import LISTING_KINDS, VISIBILITIES, Listing, ListingMaterial, Organisation, Site
from .errors import FieldError, field_error_from
from .transaction import unit_of_work

# Unit as written -> (base unit, factor to the base unit per year).
UNITS = {
    "t/yr": ("t", 1.0), "t/month": ("t", 12.0), "t/day": ("t", 365.0),
    "GJ/yr": ("GJ", 1.0), "MWh/yr": ("MWh", 1.0), "m3/yr": ("m3", 1.0), "Nm3/yr": ("Nm3", 1.0),
}
# What plants write in their own sheets, mapped to the units above (and a multiplier).
UNIT_ALIASES = {
    "t/a": ("t/yr", 1), "t/year": ("t/yr", 1), "吨/年": ("t/yr", 1), "t/y": ("t/yr", 1),
    "万吨/年": ("t/yr", 10_000), "万t/a": ("t/yr", 10_000), "万t/yr": ("t/yr", 10_000), "kt/yr": ("t/yr", 1000),
    "t/mo": ("t/month", 1), "吨/月": ("t/month", 1), "t/d": ("t/day", 1), "吨/天": ("t/day", 1), "吨/日": ("t/day", 1),
    "GJ/a": ("GJ/yr", 1), "MWh/a": ("MWh/yr", 1), "m³/yr": ("m3/yr", 1), "立方米/年": ("m3/yr", 1),
    "Nm³/yr": ("Nm3/yr", 1), "Nm3/a": ("Nm3/yr", 1), "标立方米/年": ("Nm3/yr", 1), "标方/年": ("Nm3/yr", 1),
    "万Nm3/yr": ("Nm3/yr", 10_000), "万标方/年": ("Nm3/yr", 10_000),
}
# 1 MWh = 3.6 GJ: heat listed in either unit can meet a material measured in the other.
ENERGY_FACTORS = {("MWh", "GJ"): 3.6, ("GJ", "MWh"): 1 / 3.6}
# More than any single site could generate or take in a year (China's whole industrial solid waste is ~4e9 t/yr).
ABSURD_PER_YEAR = {"t": 1e8, "GJ": 1e9, "MWh": 3e8, "m3": 1e10, "Nm3": 1e11}
HW_CODE = re.compile(r"^\d{3}-\d{3}-(0[1-9]|[1-4]\d|50)$")
MAX_NOTE = 2000


class ListingInvalid(ValueError):
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


@dataclass(frozen=True)
class ListingInput:
    """A listing as written in a form, an API call or an import row (strings allowed)."""

    kind: str
    material: str | list[str]
    quantity: str | float
    unit: str | None = None
    quality: str | dict | None = None
    price_cny: str | float | None = None
    available_from: str | dt.date | None = None
    available_to: str | dt.date | None = None
    hazard_code: str | None = None
    visibility: str | None = None
    note: str | None = None
    transport_modes: str | None = None


@dataclass(frozen=True)
class CheckedListing:
    kind: str
    material_codes: tuple[str, ...]
    quantity: float
    unit: str
    annual_quantity: float
    base_unit: str
    quality: dict
    price_cny: float | None
    available_from: dt.date | None
    available_to: dt.date | None
    hazard_code: str | None
    visibility: str
    note: str | None
    transport_modes: str | None = None
    warnings: tuple[str, ...] = field(default=())

    # The listing columns a checked listing sets as they are (materials and the hash are set apart).
    COLUMNS = ("kind", "quantity", "unit", "annual_quantity", "base_unit", "quality", "price_cny", "available_from",
               "available_to", "hazard_code", "visibility", "note", "transport_modes")

    def columns(self) -> dict:
        return {name: getattr(self, name) for name in self.COLUMNS}

    def content_hash(self, site_id: int) -> str:
        content = [site_id, self.kind, list(self.material_codes), self.quantity, self.unit,
                   sorted(self.quality.items()), self.price_cny, str(self.available_from or ""),
                   str(self.available_to or ""), self.hazard_code, self.visibility, self.note or ""]
        return hashlib.sha1(json.dumps(content, ensure_ascii=False, default=str).encode()).hexdigest()


def _clean(text) -> str:
    # Full-width digits, letters and punctuation from Chinese input methods become ASCII.
    return unicodedata.normalize("NFKC", str(text)).strip() if text is not None else ""


def parse_number(text, field_name: str) -> float:
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = float(text)
    else:
        cleaned = _clean(text).replace(",", "").replace(" ", "")
        if not cleaned:
            raise FieldError(field_name, "a number is required")
        try:
            value = float(cleaned)
        except ValueError:
            raise FieldError(field_name, f"{_clean(text)!r} is not a number") from None
    if not math.isfinite(value):
        raise FieldError(field_name, "the number must be finite")
    return value


def parse_unit(text: str | None) -> tuple[str, float]:
    """The canonical unit and a multiplier (for 万吨/年 and the like)."""
    cleaned = _clean(text) or "t/yr"
    if cleaned in UNITS:
        return cleaned, 1.0
    alias = UNIT_ALIASES.get(cleaned) or UNIT_ALIASES.get(cleaned.replace(" ", ""))
    if alias:
        return alias[0], float(alias[1])
    raise FieldError("unit", f"unknown unit {cleaned!r}; use one of {', '.join(UNITS)}")


def parse_date(value, field_name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(_clean(value)[:10])
    except ValueError:
        raise FieldError(field_name, f"{_clean(value)!r} is not a date (YYYY-MM-DD)") from None


QUALITY_PAIR = re.compile(r"^\s*([^=:]+?)\s*[=:]\s*(.+?)\s*$")


def parse_quality(value) -> dict:
    """'grade=II;loi_pct=6.5' -> {'grade': 'II', 'loi_pct': 6.5}; numbers become floats."""
    if not value:
        return {}
    if isinstance(value, dict):
        pairs = [(str(k).strip(), v) for k, v in value.items()]
    else:
        pairs = []
        for part in filter(str.strip, re.split(r"[;\n]+", _clean(value))):
            match = QUALITY_PAIR.match(part)
            if match is None:
                raise FieldError("quality", f"{part.strip()!r} is not key=value")
            pairs.append((match.group(1), match.group(2)))
    quality = {}
    for key, raw in pairs:
        try:
            quality[key] = float(raw)
        except (TypeError, ValueError):
            quality[key] = str(raw).strip()
    return quality


def _check_quality(quality: dict, materials: list, kind: str, knowledge: Knowledge) -> dict:
    """Validate keys and values against the materials' attributes; keys come back canonical.

    Plants write keys their own way (``moisture_pct`` for FGD gypsum's free water): aliases are
    resolved, so matching compares like with like. Wants may give limits as ``key_min`` / ``key_max``.
    """
    checked = {}
    for key, value in quality.items():
        base, suffix = re.match(r"^(.*?)(_min|_max)?$", key).groups()
        attribute, first_error = None, None
        for material in materials:
            try:
                attribute = knowledge.quality_attribute(material.code, base)
                break
            except KnowledgeError as exc:
                first_error = first_error or exc
        if attribute is None:
            known = ", ".join(a.key for a in knowledge.quality_attributes(materials[0].code)) or "none"
            hint = f" (did you mean {', '.join(first_error.suggestions)}?)" if first_error.suggestions else ""
            raise FieldError("quality", f"unknown quality key {key!r} for {materials[0].name_zh}{hint}; "
                                        f"known keys: {known}")
        if suffix and kind == "offer":
            raise FieldError("quality", f"{key!r}: an offer states its quality ({base}=…); limits are for wants")
        if attribute.kind == "category":
            if str(value) not in attribute.values:
                raise FieldError("quality", f"{key}={value!r} is not one of {', '.join(attribute.values)}")
            value = str(value)
        elif attribute.kind == "number":
            if not isinstance(value, float):
                raise FieldError("quality", f"{key}={value!r} must be a number ({attribute.unit})")
        else:
            value = _number_text_or_str(value)
        checked[attribute.key + (suffix or "")] = value
    return checked


def _quality_from_names(named: list[dict]) -> dict:
    """Grades and classes written into the material names ("II级粉煤灰"), for keys the row does not state.

    For a want they read as "this grade or better", as a stated grade does. A key two names give
    different values is left out: the row has to say which it means.
    """
    merged: dict = {}
    clashing = set()
    for quality in named:
        for key, value in quality.items():
            if merged.setdefault(key, value) != value:
                clashing.add(key)
    return {key: value for key, value in merged.items() if key not in clashing}


def _check_not_contradicting(quality: dict, material, knowledge: Knowledge) -> None:
    """An offer may not state a value its material rules out (chemistry=LFP on an NCM battery)."""
    for key, value in knowledge.implied_quality(material.code).items():
        if key in quality and str(quality[key]) != value:
            raise FieldError("quality", f"{key}={quality[key]} contradicts the material: {material.name_zh} is "
                                        f"{key}={value}; choose the material that matches the lot")


def _number_text_or_str(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_listing(listing: ListingInput, *, knowledge: Knowledge | None = None,
                  today: dt.date | None = None) -> CheckedListing:
    """Validate every field; raise :class:`ListingInvalid` listing each bad one."""
    knowledge = knowledge or load_knowledge()
    errors: list[FieldError] = []

    def attempt(fn, *args):
        try:
            return fn(*args)
        except FieldError as exc:
            errors.append(exc)
            return None

    kind = _clean(listing.kind).lower()
    if kind not in LISTING_KINDS:
        errors.append(FieldError("kind", "kind must be offer or want"))

    texts = listing.material if isinstance(listing.material, list) else \
        [t for t in re.split(r"\s*[|｜]\s*", _clean(listing.material)) if t]
    materials = []
    named_quality: list[dict] = []
    if not texts:
        errors.append(FieldError("material", "a material is required (code or name)"))
    elif kind == "offer" and len(texts) > 1:
        errors.append(FieldError("material", "an offer is one material; list several only in a want"))
    for text in texts:
        try:
            found = resolve_material_text(text, knowledge=knowledge)
        except KnowledgeError as exc:
            errors.append(field_error_from(exc, default_field="material"))
        else:
            materials.append(found.material)
            named_quality.append(dict(found.quality))
    codes = tuple(dict.fromkeys(m.code for m in materials))

    quantity = attempt(parse_number, listing.quantity, "quantity")
    if quantity is not None and quantity <= 0:
        errors.append(FieldError("quantity", "the quantity must be more than zero"))
        quantity = None
    parsed_unit = attempt(parse_unit, listing.unit)
    annual = base_unit = unit = None
    if parsed_unit and materials:
        unit, multiplier = parsed_unit
        base_unit, per_year = UNITS[unit]
        material_unit = materials[0].unit
        other_units = {m.unit for m in materials} - {material_unit}
        if other_units:
            errors.append(FieldError("material", "the accepted materials are measured in different units: "
                                                 f"{material_unit}, {', '.join(sorted(other_units))}"))
        elif base_unit != material_unit and (base_unit, material_unit) not in ENERGY_FACTORS:
            errors.append(FieldError("unit", f"{materials[0].name_zh} is measured in {material_unit}, not {base_unit}"))
        elif quantity is not None:
            factor = ENERGY_FACTORS.get((base_unit, material_unit), 1.0)
            quantity = quantity * multiplier
            annual = quantity * per_year * factor
            base_unit = material_unit
            if annual > ABSURD_PER_YEAR.get(base_unit, math.inf):
                errors.append(FieldError("quantity", f"{annual:,.0f} {base_unit} a year is more than any site handles; "
                                                     "check the unit"))

    quality = {}
    try:
        quality = parse_quality(listing.quality)
        if materials:
            quality = _check_quality(quality, materials, kind, knowledge)
            stated = {re.sub(r"_(min|max)$", "", key) for key in quality}
            quality = {**{key: value for key, value in _quality_from_names(named_quality).items()
                          if key not in stated}, **quality}
            if kind == "offer":
                _check_not_contradicting(quality, materials[0], knowledge)
    except FieldError as exc:
        errors.append(exc)

    price = None
    if listing.price_cny not in (None, ""):
        price = attempt(parse_number, listing.price_cny, "price_cny")
        if price is not None and abs(price) > 1e6:
            errors.append(FieldError("price_cny", f"{price:g} CNY per unit is not plausible"))

    start = attempt(parse_date, listing.available_from, "available_from")
    end = attempt(parse_date, listing.available_to, "available_to")
    if start and end and end < start:
        errors.append(FieldError("available_to", f"ends ({end}) before it starts ({start})"))

    hazard_code = _clean(listing.hazard_code) or None
    hazardous = [m for m in materials if m.hazardous]
    if hazard_code and not HW_CODE.match(hazard_code):
        errors.append(FieldError("hazard_code", f"{hazard_code!r} is not an 8-digit hazardous-waste code (NNN-NNN-CC)"))
    elif kind == "offer" and materials:
        material = materials[0]
        if material.hazardous and not hazard_code:
            errors.append(FieldError("hazard_code", f"{material.name_zh} is hazardous waste: give its 8-digit code "
                                                    f"(e.g. {material.hw_codes[0] if material.hw_codes else 'NNN-NNN-CC'})"))
        elif hazard_code and not material.hazardous:
            errors.append(FieldError("hazard_code", f"{material.name_zh} is not hazardous waste; choose the hazardous "
                                                    "material or leave hazard_code empty"))
        elif hazard_code and material.category.startswith("HW") and hazard_code[-2:] != material.category[2:]:
            errors.append(FieldError("hazard_code", f"{hazard_code} is category HW{hazard_code[-2:]}, "
                                                    f"but {material.name_zh} is {material.category}"))
    elif kind == "want" and hazard_code and not hazardous:
        errors.append(FieldError("hazard_code", "none of the accepted materials is hazardous waste"))

    visibility = _clean(listing.visibility).lower() or "named"
    if visibility not in VISIBILITIES:
        errors.append(FieldError("visibility", "visibility must be named or anonymous"))
    note = _clean(listing.note) or None
    if note and len(note) > MAX_NOTE:
        errors.append(FieldError("note", f"at most {MAX_NOTE} characters"))

    if errors:
        raise ListingInvalid(errors)
    return CheckedListing(kind, codes, quantity, unit, annual, base_unit, quality, price, start, end, hazard_code,
                          visibility, note, _clean(listing.transport_modes) or None)


def apply_checked(row: Listing, checked: CheckedListing, site: Site) -> Listing:
    if row.committed_quantity and checked.annual_quantity < row.committed_quantity:
        raise ListingInvalid([FieldError("quantity", f"{row.committed_quantity:,.0f} {row.base_unit} a year are "
                                                     "already promised to agreed links; the quantity cannot be less")])
    row.site = site
    for name, value in checked.columns().items():
        setattr(row, name, value)
    if row.material_codes != list(checked.material_codes):
        row.materials = [ListingMaterial(material_code=c, position=i) for i, c in enumerate(checked.material_codes)]
    row.content_hash = checked.content_hash(site.id)
    return row


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def create_listing(site: Site, listing: ListingInput, *, publish: bool = False) -> Listing:
    with unit_of_work():
        checked = check_listing(listing)
        row = apply_checked(Listing(committed_quantity=0.0, status="draft"), checked, site)
        db.session.add(row)
        if publish:
            _mark_published(row)
    if publish:
        after_publish(row)
    return row


def update_listing(row: Listing, listing: ListingInput, *, site: Site | None = None) -> Listing:
    """Store the new values; ``site`` moves the listing to another site (by default it stays where it is)."""
    with unit_of_work():
        checked = check_listing(listing)
        if checked.kind != row.kind:
            raise ListingInvalid([FieldError("kind", "an offer cannot become a want or the other way round")])
        apply_checked(row, checked, site or row.site)
    return row


def _mark_published(row: Listing) -> None:
    row.status = "published"
    row.published_at = _now()


def publish_listing(row: Listing) -> None:
    if row.status not in ("draft", "closed", "expired"):
        return
    with unit_of_work():
        if row.available_to and row.available_to < dt.date.today():
            raise FieldError("available_to", "the availability window has ended; change it before publishing")
        _mark_published(row)
    after_publish(row)


def close_listing(row: Listing) -> None:
    row.status = "closed"
    db.session.commit()


def after_publish(row: Listing) -> None:
    """Tell saved searches about a newly published offer."""
    if row.kind != "offer":
        return
    from .saved_searches import notify_matching_searches  # the search feature owns saved searches

    notify_matching_searches(row)


def after_publish_many(listing_ids: list[int]) -> None:
    """after_publish for a batch (an import): one query decides whether any saved search could care."""
    from ..models import SavedSearch

    if not listing_ids or db.session.scalar(select(SavedSearch.id).limit(1)) is None:
        return
    for row in db.session.scalars(select(Listing).where(Listing.id.in_(listing_ids), Listing.kind == "offer")):
        after_publish(row)


def expire_listings(today: dt.date | None = None) -> int:
    """Mark published listings whose window has ended as expired; returns how many."""
    today = today or dt.date.today()
    rows = db.session.scalars(select(Listing).where(
        Listing.status.in_(("published", "partly_matched")), Listing.available_to < today)).all()
    for row in rows:
        row.status = "expired"
    db.session.commit()
    return len(rows)


def all_listings(organisation: Organisation | None = None) -> list[Listing]:
    query = select(Listing).join(Site)
    if organisation is not None:
        query = query.where(Site.organisation_id == organisation.id)
    return list(db.session.scalars(query.order_by(Listing.id)))


def listings_of(organisation: Organisation, *, kind: str | None = None) -> list[Listing]:
    query = select(Listing).join(Site).where(Site.organisation_id == organisation.id)
    if kind:
        query = query.where(Listing.kind == kind)
    return list(db.session.scalars(query.order_by(Listing.kind, Listing.id)))


def is_name_revealed(row: Listing, viewer: Organisation | None) -> bool:
    """Anonymous offers show their company only to those the supplier has answered."""
    if row.visibility == "named":
        return True
    if viewer is None:
        return False
    if viewer.id == row.site.organisation_id:
        return True
    return any(enquiry.organisation_id == viewer.id and
               any(message.organisation_id == row.site.organisation_id for message in enquiry.messages)
               for enquiry in row.enquiries)
