"""Sites: validation of location, city, sector and park, and their creation.

A sector is never a reason to refuse a site (PRODUCT 2.2): whatever the user wrote is read by
:func:`matching.knowledge.sector_reading.read_sectors`, stored as its best reading and, when that is
a guess, marked to confirm until the owner or an administrator confirms or corrects it.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import shapely
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from geo.area import ServiceArea, check_point
from geo.crs import normalise_crs_name, to_wgs84
from geo.distance import great_circle_km
from geo.divisions import load_divisions, resolve_division
from geo.errors import GeoError
from matching.knowledge.sector_reading import SectorReading, read_sectors
from geo.messages import Message, N_

from ..extensions import db
from ..models import Organisation, Park, Site
from .errors import FieldError, field_error_from
from .parks import ParkLocator
from .transaction import is_unique_violation, unit_of_work
from .transport_access import AccessReading, read_transport_access


@dataclass(frozen=True)
class SiteInput:
    """A site as typed in a form, an API call or an import row (strings allowed)."""

    external_ref: str
    name_zh: str
    sector: str
    lon: str | float
    lat: str | float
    name_en: str | None = None
    crs: str | None = None
    city: str | None = None
    park: str | None = None
    # "rail,quay", "公路|铁路|码头" or a list; see services/transport_access.py.
    transport_access: str | Iterable[str] | None = None


@dataclass(frozen=True)
class CheckedSite:
    external_ref: str
    name_zh: str
    name_en: str | None
    sector: SectorReading
    city_code: str
    location: shapely.Point
    input_crs: str
    park: Park | None
    transport_access: tuple[str, ...] = field(default=())
    # Words of transport_access that named no way of shipping the matcher knows (left out; tell the author).
    access_warning: FieldError | None = None

    @property
    def sector_code(self) -> str:
        return self.sector.main or ""


class SiteInvalid(ValueError):
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


def nearest_prefecture_code(lon: float, lat: float) -> str:
    """The prefecture whose real boundary holds the point (the nearest seat for a point in none, e.g. at sea):
    the city when neither the user nor a park gives it."""
    from geo.divisions import city_code_at

    code = city_code_at(lon, lat)
    if code is not None:
        return code
    seats = [d for d in load_divisions().values() if d.level == "prefecture" and d.lon is not None]
    distances = great_circle_km(lon, lat, np.array([d.lon for d in seats]), np.array([d.lat for d in seats]))
    return seats[int(np.argmin(distances))].code


def check_site(site: SiteInput, *, service_area: ServiceArea, locator: ParkLocator) -> CheckedSite:
    """Validate every field of ``site``; raise :class:`SiteInvalid` listing each bad one."""
    errors: list[FieldError] = []
    external_ref = (site.external_ref or "").strip()
    if not external_ref:
        errors.append(FieldError("site_id", Message(N_("a site reference is required"))))
    elif len(external_ref) > 64:
        errors.append(FieldError("site_id", Message(N_("use at most 64 characters"))))
    name_zh = (site.name_zh or "").strip()
    if not name_zh:
        errors.append(FieldError("name", Message(N_("the site's name is required"))))

    sector = None
    if not (site.sector or "").strip():
        errors.append(FieldError("sector", Message(N_("the industry sector (GB/T 4754 code or name) is required"))))
    else:
        sector = read_sectors(site.sector.strip())

    access = AccessReading()
    try:
        access = read_transport_access(site.transport_access)
    except FieldError as exc:
        errors.append(exc)

    location = None
    input_crs = "WGS84"
    try:
        input_crs = normalise_crs_name(site.crs)
        if site.lon in (None, "") or site.lat in (None, ""):
            raise FieldError("lon/lat", Message(N_("both longitude and latitude are required")))
        lon, lat = check_point(site.lon, site.lat, area=service_area, field="lon/lat")
        location = shapely.Point(*to_wgs84(lon, lat, crs=input_crs))
    except GeoError as exc:
        errors.append(field_error_from(exc, default_field="lon/lat"))
    except FieldError as exc:
        errors.append(exc)

    park = None
    if (site.park or "").strip():
        park = locator.by_reference(site.park.strip())
        if park is None:
            errors.append(FieldError("park", Message(N_("no park with the code or name %(park)r"),
                                                     park=site.park.strip())))
    elif location is not None:
        park = locator.containing(location.x, location.y)

    city_code = None
    if (site.city or "").strip():
        try:
            city_code = resolve_division(site.city.strip()).code
        except GeoError as exc:
            errors.append(field_error_from(exc, default_field="city"))
    elif park is not None and park.city_code:
        city_code = park.city_code
    elif location is not None:
        city_code = nearest_prefecture_code(location.x, location.y)

    if errors:
        raise SiteInvalid(errors)
    return CheckedSite(external_ref, name_zh, (site.name_en or "").strip() or None, sector, city_code,
                       location, input_crs, park, access.modes, access.warning())


def sector_unchanged(row: Site, reading: SectorReading) -> bool:
    """The row already holds what ``reading`` says: same text, or the same codes given as codes."""
    if row.sector_code is None:
        return False
    return _kept(reading.written) == row.sector_written or (
        not reading.to_confirm and reading.codes == row.sector_codes and not row.sector_to_confirm)


def _kept(written: str) -> str | None:
    # The column holds 500 characters; a longer description is still read whole.
    return written[:500] or None


def apply_sector(row: Site, reading: SectorReading, *, confirmed: bool = False) -> None:
    """Store a reading; ``confirmed`` when the owner or an administrator gave it (no longer a guess)."""
    row.sector_code = reading.main or ""
    row.extra_sector_codes = list(reading.extra)
    row.sector_written = _kept(reading.written)
    row.sector_to_confirm = not confirmed and reading.to_confirm
    # Notes are stored as messages (template and values) so that each reader gets them in their language.
    row.sector_notes = [] if confirmed and reading.codes else [note.as_data() for note in reading.notes]


def apply_checked(row: Site, checked: CheckedSite) -> Site:
    row.external_ref = checked.external_ref
    row.name_zh = checked.name_zh
    row.name_en = checked.name_en
    # A re-import of the same text keeps a reading the owner has since confirmed or corrected.
    if not sector_unchanged(row, checked.sector):
        apply_sector(row, checked.sector)
    if list(row.transport_access or []) != list(checked.transport_access):
        row.transport_access = list(checked.transport_access)
    row.city_code = checked.city_code
    # Re-binding an equal point would still mark the row dirty; keep re-imports free of writes.
    if row.location is None or not row.location.equals_exact(checked.location, 1e-9):
        row.location = checked.location
    row.input_crs = checked.input_crs
    row.park = checked.park
    return row


def _check_ref_free(organisation: Organisation, external_ref: str, *, exclude_id: int | None = None) -> None:
    query = select(Site.id).where(Site.organisation_id == organisation.id, Site.external_ref == external_ref)
    if exclude_id is not None:
        query = query.where(Site.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise SiteInvalid([FieldError("site_id", Message(N_("your organisation already has a site %(external_ref)r"),
                                                         external_ref=external_ref))])


def create_site(organisation: Organisation, site: SiteInput, *, service_area: ServiceArea) -> Site:
    checked = check_site(site, service_area=service_area, locator=ParkLocator.from_database())
    with _ref_taken_meanwhile(checked.external_ref), unit_of_work():
        _check_ref_free(organisation, checked.external_ref)
        row = apply_checked(Site(organisation=organisation), checked)
        db.session.add(row)
    return row


def update_site(row: Site, site: SiteInput, *, service_area: ServiceArea) -> Site:
    checked = check_site(site, service_area=service_area, locator=ParkLocator.from_database())
    with _ref_taken_meanwhile(checked.external_ref), unit_of_work():
        _check_ref_free(row.organisation, checked.external_ref, exclude_id=row.id)
        apply_checked(row, checked)
    return row


@contextmanager
def _ref_taken_meanwhile(external_ref: str) -> Iterator[None]:
    """The reference was free when checked, but a request at the same moment stored a site under it first:
    the unique key refuses the second, and this names the field instead of a raw IntegrityError."""
    try:
        yield
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        raise SiteInvalid([FieldError("site_id", Message(N_("your organisation already has a site %(external_ref)r"),
                                                         external_ref=external_ref))]) from None


def confirm_sectors(row: Site) -> Site:
    """The owner or an administrator accepts the stored reading as it is."""
    if not row.sector_codes:
        raise FieldError("sector", Message(N_("no sector could be read from what was written; give a code or a "
                                              "name")))
    with unit_of_work():
        row.sector_to_confirm = False
        row.sector_notes = []
    return row


def correct_sectors(row: Site, text: str) -> SectorReading:
    """Replace the sectors by what the owner or an administrator now writes.

    A reading that is still a guess stays marked to confirm, with its notes, so the person sees what
    was understood; codes or exact names are taken as confirmed.
    """
    text = (text or "").strip()
    if not text:
        raise FieldError("sector", Message(N_("the industry sector (GB/T 4754 code or name) is required")))
    reading = read_sectors(text)
    if not reading.codes:
        raise FieldError("sector", _one_after_the_other(reading.notes)
                         or Message(N_("no sector could be read from %(text)r"), text=text))
    with unit_of_work():
        apply_sector(row, reading, confirmed=not reading.to_confirm)
    return reading


def _one_after_the_other(notes) -> Message | None:
    """Several notes as one message (``a; b``), each in the reader's language; None for none."""
    joined = None
    for note in reversed(notes):
        joined = note if joined is None else Message(N_("%(first)s; %(rest)s"), first=note, rest=joined)
    return joined


def sites_to_confirm(organisation: Organisation | None) -> list[Site]:
    """Sites whose sector reading is still a guess: an organisation's, or every one (``None``, administrators)."""
    query = select(Site).where(Site.sector_to_confirm.is_(True)).order_by(Site.organisation_id, Site.id)
    if organisation is not None:
        query = query.where(Site.organisation_id == organisation.id)
    return list(db.session.scalars(query))


def sites_of(organisation: Organisation) -> list[Site]:
    return list(db.session.scalars(select(Site).where(Site.organisation_id == organisation.id).order_by(Site.id)))
