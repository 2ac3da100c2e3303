"""Likely duplicates of a listing being entered: the same site, the same kind, a material in common and
availability windows that overlap. The form shows them before saving and lets the author save anyway; an
exact copy (same content) is refused outright by services/listings.py."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ..extensions import db
from ..models import Listing, Site
from .listing_check import ListingInput, ListingInvalid, check_listing

# Listings that still stand: a closed or expired one is no duplicate of a new one.
STANDING = ("draft", "published", "partly_matched", "matched")


def likely_duplicates(site: Site, listing: ListingInput, *, exclude_id: int | None = None) -> list[Listing]:
    """Standing listings of ``site`` of the same kind sharing a material with ``listing`` whose windows overlap.

    An input that does not pass the listing check has no duplicates here: saving it reports its errors.
    """
    from .vocabulary import learned_synonyms

    try:
        checked = check_listing(listing, learned=learned_synonyms(), sectors=site.sector_codes,
                                sectors_confirmed=not site.sector_to_confirm)
    except ListingInvalid:
        return []
    codes = {name.engine_code for name in checked.names} or set(checked.material_codes)
    query = select(Listing).where(Listing.site_id == site.id, Listing.kind == checked.kind,
                                  Listing.status.in_(STANDING))
    if exclude_id is not None:
        query = query.where(Listing.id != exclude_id)
    return [row for row in db.session.scalars(query.order_by(Listing.id))
            if codes.intersection(row.engine_codes)
            and windows_overlap(row.available_from, row.available_to, checked.available_from, checked.available_to)]


def windows_overlap(start: dt.date | None, end: dt.date | None, other_start: dt.date | None,
                    other_end: dt.date | None) -> bool:
    """Whether two availability windows share a day; an open end reaches indefinitely."""
    return (end is None or other_start is None or other_start <= end) and \
        (other_end is None or start is None or start <= other_end)
