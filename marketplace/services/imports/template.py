"""The import template: a file in the import format with example rows, as CSV or XLSX."""
from __future__ import annotations

from ..errors import FieldError
from .export import SITE_EXPORT_COLUMNS, write_csv, write_xlsx
from .listings import LISTING_OPTIONAL, LISTING_REQUIRED

TEMPLATE_SITES = [{"site_id": "WH-CEM-01", "name": "芜湖示例水泥厂", "name_en": "Example cement works", "org": "示例建材有限公司",
                   # a sector as forms print it (several: "C3011 水泥制造|热电厂"); transport besides road
                   "credit_code": "", "sector": "C3011 水泥制造", "transport_access": "quay",
                   "lon": "118.3760", "lat": "31.3260", "crs": "WGS84",
                   "park": "", "city": "340200"}]
TEMPLATE_LISTINGS = [
    {"site_id": "WH-CEM-01", "kind": "want", "material": "粉煤灰|fly ash", "quantity": "50000", "unit": "t/yr",
     "quality": "grade=II", "price_cny": "60", "available_from": "2027-01-01", "available_to": "2027-12-31",
     "visibility": "named", "note": "汽运散装"},
    {"site_id": "WH-CEM-01", "kind": "offer", "material": "废耐火材料", "quantity": "1200", "unit": "t/yr",
     "price_cny": "-30", "visibility": "anonymous"},
    # A generic name and a unit of another kind are fine: any gypsum, and steam in GJ.
    {"site_id": "WH-CEM-01", "kind": "want", "material": "石膏", "quantity": "3", "unit": "万吨/年"},
    {"site_id": "WH-CEM-01", "kind": "want", "material": "低压蒸汽", "quantity": "80000", "unit": "GJ/yr",
     "note": "0.8 MPa"},
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
