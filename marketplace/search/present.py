"""How search results are shown, on the pages and in the API alike."""
from __future__ import annotations

from flask import url_for
from flask_babel import get_locale

from matching.knowledge.loader import load_knowledge

from ..models import Listing

# Where an anonymous offer's site is shown: rounded to 0.01° (about 1 km), so the map does not
# name the supplier the page hides.
HIDDEN_POINT_DECIMALS = 2


def material_name(code: str) -> str:
    material = load_knowledge().materials.get(code)
    if material is None:
        return code
    return material.name_en if str(get_locale()) == "en" else material.name_zh


def listing_url(listing_id: int) -> str:
    return url_for("listings.detail", listing_id=listing_id)


def shown_point(listing: Listing, *, revealed: bool) -> tuple[float, float]:
    site = listing.site
    if revealed:
        return site.lon, site.lat
    return round(site.lon, HIDDEN_POINT_DECIMALS), round(site.lat, HIDDEN_POINT_DECIMALS)
