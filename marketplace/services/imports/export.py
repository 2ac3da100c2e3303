"""Export of listings in the import format (plus ``material_code`` and ``hazardous``), as CSV or XLSX.

``material`` is what the listing's author wrote; ``material_code`` the codes it was read as (an
unclassified name's pseudo-code ``name:…`` while no administrator has classified it).
"""
from __future__ import annotations
from geo.messages import Message, N_

from ...models import Site
from ..spreadsheets import csv_bytes, xlsx_bytes
from ..errors import FieldError
from .listings import EXPORT_ONLY, LISTING_OPTIONAL, LISTING_REQUIRED
from .sites import SITE_OPTIONAL, SITE_REQUIRED

EXPORT_COLUMNS = ("site_id", *LISTING_REQUIRED, *(c for c in LISTING_OPTIONAL if c != "site_id"), *EXPORT_ONLY)
SITE_EXPORT_COLUMNS = SITE_REQUIRED + SITE_OPTIONAL


def _number_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def listing_export_row(listing) -> dict[str, str]:
    return {
        "site_id": listing.site.external_ref, "kind": listing.kind,
        "material": listing.material or "|".join(listing.material_codes),
        "quantity": _number_text(listing.quantity), "unit": listing.unit,
        "quality": ";".join(f"{k}={_number_text(v) if isinstance(v, float) else v}" for k, v in listing.quality.items()),
        "price_cny": _number_text(listing.price_cny),
        "available_from": listing.available_from.isoformat() if listing.available_from else "",
        "available_to": listing.available_to.isoformat() if listing.available_to else "",
        "hazard_code": listing.hazard_code or "", "visibility": listing.visibility, "note": listing.note or "",
        "material_code": "|".join(listing.engine_codes),
        "hazardous": "yes" if listing.hazard_code or any(m.material.hazardous for m in listing.materials) else "no",
    }


def site_export_row(site: Site) -> dict[str, str]:
    permit = next((l for l in site.licences if l.kind == "hw_permit"), None)
    battery = next((l for l in site.licences if l.kind == "battery_listing"), None)
    return {
        "site_id": site.external_ref, "name": site.name_zh, "org": site.organisation.name_zh,
        # A reading still to confirm goes out as written, so importing the file back keeps it to confirm.
        "sector": (site.sector_written if site.sector_to_confirm and site.sector_written
                   else "|".join(site.sector_codes)),
        "transport_access": ",".join(site.transport_access or ()), "lon": f"{site.lon:.6f}", "lat": f"{site.lat:.6f}",
        "name_en": site.name_en or "", "credit_code": site.organisation.credit_code or "", "crs": "WGS84",
        "park": site.park.code if site.park else "", "city": site.city_code,
        "hw_permit": permit.hw_codes if permit else "",
        "hw_capacity_t": _number_text(permit.capacity_t_per_yr) if permit else "",
        "hw_permit_expiry": permit.expires_on.isoformat() if permit and permit.expires_on else "",
        "battery_listing": battery.battery_scope if battery else "",
    }


def write_csv(columns, rows) -> bytes:
    return csv_bytes(columns, rows, line_end="\n")


def write_xlsx(sheets: dict[str, tuple[tuple[str, ...], list[dict]]]) -> bytes:
    return xlsx_bytes(sheets)


def export_listings(listings: list, fmt: str) -> bytes:
    """Listings in the import format plus material_code and hazardous: CSV, or XLSX with their sites too."""
    rows = [listing_export_row(listing) for listing in listings]
    if fmt == "csv":
        return write_csv(EXPORT_COLUMNS, rows)
    if fmt == "xlsx":
        sites = list({listing.site.id: listing.site for listing in listings}.values())
        return write_xlsx({"sites": (SITE_EXPORT_COLUMNS, [site_export_row(s) for s in sites]),
                           "listings": (EXPORT_COLUMNS, rows)})
    raise FieldError("format", Message(N_("export as csv or xlsx")))

