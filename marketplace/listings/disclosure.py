"""What of an anonymous listing a viewer may see: its company, site name and exact location."""
from __future__ import annotations

from ..models import Listing, User
from ..permissions import can
from ..services.listings import is_name_revealed

# Hidden sites are shown on a 0.05° grid (about 5 km): enough to judge transport distance,
# too coarse to pick out the plant on a satellite image.
APPROXIMATE_STEP_DEG = 0.05


def is_revealed(user: User, listing: Listing) -> bool:
    """Named listings, answered enquirers, and whoever may see the site anyway (owners, its park's managers, admins)."""
    organisation = getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None
    return is_name_revealed(listing, organisation) or can(user, "site.view", listing.site)


def _approximate(value: float) -> float:
    return round(round(value / APPROXIMATE_STEP_DEG) * APPROXIMATE_STEP_DEG, 4)


def shown_location(listing: Listing, *, revealed: bool) -> tuple[float, float]:
    """The site's lon/lat, exact when revealed, else snapped to the coarse grid."""
    site = listing.site
    if revealed:
        return site.lon, site.lat
    return _approximate(site.lon), _approximate(site.lat)


def site_geojson(listing: Listing, *, revealed: bool) -> dict:
    """The listing's site as a one-feature collection for the map() macro."""
    site = listing.site
    lon, lat = shown_location(listing, revealed=revealed)
    properties = {"sector": site.sector_code}
    if revealed:
        properties |= {"name": site.name_zh, "name_en": site.name_en, "organisation": site.organisation.name_zh}
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": properties}]}
