"""What of an anonymous listing a viewer may see, for the listing pages: the rule itself is
:mod:`marketplace.services.disclosure`'s; these are its listing-shaped entry points."""
from __future__ import annotations

from ..models import Listing, User
from ..services.disclosure import listing_revealed, shown_point, site_view
from ..services.disclosure import site_geojson as _site_feature


def is_revealed(user: User, listing: Listing) -> bool:
    """Named listings, answered enquirers, and whoever sees the site in full (owners, its park's managers, admins)."""
    return listing_revealed(user, listing)


def shown_location(listing: Listing, *, revealed: bool) -> tuple[float, float]:
    """The site's lon/lat, exact when revealed, else snapped to the grid."""
    return shown_point(listing.site, revealed=revealed)


def site_geojson(listing: Listing, *, revealed: bool) -> dict:
    """The listing's site as a one-feature collection for the map() macro."""
    return {"type": "FeatureCollection", "features": [_site_feature(site_view(listing.site, revealed=revealed))]}
