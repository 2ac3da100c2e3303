"""How search results are shown, on the pages and in the API alike.

An anonymous offer the viewer may not see through (:mod:`marketplace.services.disclosure`) is shown at
its grid point, and every figure that grows with distance — distance, road distance, transport cost,
delivered cost, CO₂ — is worked out from that point's rounded distance, never from the exact one:
three searches from three places would otherwise locate the plant.
"""
from __future__ import annotations

import dataclasses

from flask import url_for
from flask_babel import get_locale

from matching.knowledge.loader import load_knowledge

from ..models import Listing, User
from ..services.search import ROAD_DETOUR_FACTOR, SCORE_WEIGHTS
from ..services.disclosure import hidden_km, listing_revealed
from ..services.disclosure import shown_point as _site_point


def material_name(code: str) -> str:
    material = load_knowledge().materials.get(code)
    if material is None:
        return code
    return material.name_en if str(get_locale()) == "en" else material.name_zh


def listing_url(listing_id: int) -> str:
    return url_for("listings.detail", listing_id=listing_id)


def shown_point(listing: Listing, *, revealed: bool) -> tuple[float, float]:
    return _site_point(listing.site, revealed=revealed)


def revealed(user: User, listing: Listing) -> bool:
    return listing_revealed(user, listing)


def shown_hit(user: User, hit, query):
    """``(hit, revealed)``: the hit as ``user`` may see it; a hidden offer's distance-dependent figures are
    worked out from its rounded grid distance (:func:`~marketplace.services.disclosure.hidden_km`).

    Transport cost and CO₂ grow in proportion to distance and the score's closeness term falls with it,
    so each is moved to the shown distance; the delivered cost follows the transport cost.
    """
    shown = listing_revealed(user, hit.listing)
    if shown:
        return hit, True
    km = float(hidden_km(query.lon, query.lat, hit.listing.site))
    ratio = km / hit.distance_km if hit.distance_km > 0 else 1.0
    transport = None if hit.transport_cost_cny is None else hit.transport_cost_cny * ratio
    delivered = hit.delivered_cost_cny
    if delivered is not None and transport is not None:
        delivered = delivered - hit.transport_cost_cny + transport
    closeness_shift = SCORE_WEIGHTS["closeness"] * (hit.distance_km - km) / query.radius_km
    return dataclasses.replace(
        hit, distance_km=km, road_distance_km=round(km * ROAD_DETOUR_FACTOR, 1), transport_cost_cny=transport,
        delivered_cost_cny=delivered, co2_t=None if hit.co2_t is None else hit.co2_t * ratio,
        score=round(hit.score + closeness_shift, 2)), False


def notification_target(note) -> str | None:
    """Where a notification leads: the offer it announces, or the run page of the park a plant asks about."""
    if note.listing_id is not None:
        return listing_url(note.listing_id)
    if note.park is not None:
        return url_for("links.runs", park=note.park.code)
    return None
