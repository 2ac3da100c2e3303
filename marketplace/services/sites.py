"""Sites: validation of location, city, sector and park, and their creation."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from sqlalchemy import select

from geo.area import ServiceArea, check_point
from geo.crs import normalise_crs_name, to_wgs84
from geo.distance import great_circle_km
from geo.divisions import load_divisions, resolve_division
from geo.errors import GeoError
from matching.knowledge.errors import KnowledgeError
from matching.knowledge.sectors import resolve_sector

from ..extensions import db
from ..models import Organisation, Park, Site
from .errors import FieldError, field_error_from
from .parks import ParkLocator
from .transaction import unit_of_work


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


@dataclass(frozen=True)
class CheckedSite:
    external_ref: str
    name_zh: str
    name_en: str | None
    sector_code: str
    city_code: str
    location: shapely.Point
    input_crs: str
    park: Park | None


class SiteInvalid(ValueError):
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


def nearest_prefecture_code(lon: float, lat: float) -> str:
    """The prefecture whose seat is nearest: a fallback when neither the user nor a park gives the city."""
    seats = [d for d in load_divisions().values() if d.level == "prefecture" and d.lon is not None]
    distances = great_circle_km(lon, lat, np.array([d.lon for d in seats]), np.array([d.lat for d in seats]))
    return seats[int(np.argmin(distances))].code


def check_site(site: SiteInput, *, service_area: ServiceArea, locator: ParkLocator) -> CheckedSite:
    """Validate every field of ``site``; raise :class:`SiteInvalid` listing each bad one."""
    errors: list[FieldError] = []
    external_ref = (site.external_ref or "").strip()
    if not external_ref:
        errors.append(FieldError("site_id", "a site reference is required"))
    elif len(external_ref) > 64:
        errors.append(FieldError("site_id", "use at most 64 characters"))
    name_zh = (site.name_zh or "").strip()
    if not name_zh:
        errors.append(FieldError("name", "the site's name is required"))

    sector_code = None
    if not (site.sector or "").strip():
        errors.append(FieldError("sector", "the industry sector (GB/T 4754 code or name) is required"))
    else:
        try:
            sector_code = resolve_sector(site.sector).code
        except KnowledgeError as exc:
            errors.append(field_error_from(exc, default_field="sector"))

    location = None
    input_crs = "WGS84"
    try:
        input_crs = normalise_crs_name(site.crs)
        if site.lon in (None, "") or site.lat in (None, ""):
            raise FieldError("lon/lat", "both longitude and latitude are required")
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
            errors.append(FieldError("park", f"no park with the code or name {site.park.strip()!r}"))
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
    return CheckedSite(external_ref, name_zh, (site.name_en or "").strip() or None, sector_code, city_code,
                       location, input_crs, park)


def apply_checked(row: Site, checked: CheckedSite) -> Site:
    row.external_ref = checked.external_ref
    row.name_zh = checked.name_zh
    row.name_en = checked.name_en
    row.sector_code = checked.sector_code
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
        raise SiteInvalid([FieldError("site_id", f"your organisation already has a site {external_ref!r}")])


def create_site(organisation: Organisation, site: SiteInput, *, service_area: ServiceArea) -> Site:
    with unit_of_work():
        checked = check_site(site, service_area=service_area, locator=ParkLocator.from_database())
        _check_ref_free(organisation, checked.external_ref)
        row = apply_checked(Site(organisation=organisation), checked)
        db.session.add(row)
    return row


def update_site(row: Site, site: SiteInput, *, service_area: ServiceArea) -> Site:
    with unit_of_work():
        checked = check_site(site, service_area=service_area, locator=ParkLocator.from_database())
        _check_ref_free(row.organisation, checked.external_ref, exclude_id=row.id)
        apply_checked(row, checked)
    return row


def sites_of(organisation: Organisation) -> list[Site]:
    return list(db.session.scalars(select(Site).where(Site.organisation_id == organisation.id).order_by(Site.id)))
