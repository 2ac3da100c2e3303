"""What a viewer may see of a site: its name, organisation, exact point and the distance to it.

The one owner of this decision; pages, API, maps, exports and reports all ask here.

The rule (PRODUCT.md 2.3): a listing posted ``anonymous`` hides its site — organisation, site name and
exact point — from every other plant and recycler until the site's organisation answers an enquiry
from theirs, and from park managers unless the site is in a park they manage; its own organisation
and administrators always see it. A hidden site is drawn on one coarse grid (:data:`GRID_DEG`) with its
sector, and distances to it are measured from that grid point and rounded (:func:`hidden_km`), so that
repeated looks from several places cannot trilaterate it.

Three contexts ask:

- a listing (:func:`listing_revealed`): the listing's own visibility decides;
- a link's end (:func:`link_end_revealed`): its listing's, plus the side's acceptance of the link,
  which names it to the other party (and only to it);
- a site with no listing in hand (:func:`site_revealed`: the park page, a latent receiver, a network
  end): hidden when the site has an anonymous listing the viewer may not see through, for otherwise
  the named site would give the anonymous listing away (same sector, same grid cell).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from geo.distance import great_circle_km
from matching import types as engine
from matching.knowledge import load_knowledge
from matching.scoring import dangerous_goods, transport_rates

from ..extensions import db
from ..models import Link, Listing, Organisation, Site, User
from ..models.link import RunAlternative

# Hidden sites are shown on a 0.05° grid (about 5 km): enough to judge transport distance,
# too coarse to pick out the plant on a satellite image.
GRID_DEG = 0.05
# Distances to a hidden site are whole km in steps this coarse, never less than one step.
HIDDEN_DISTANCE_STEP_KM = 5
# The road distance the engine assumed for a stored link (great circle times the detour factor), and the
# price runs put on CO2 in a link's score (runs take the engine's defaults).
DETOUR_FACTOR = engine.MatchOptions.__dataclass_fields__["detour_factor"].default
CO2_PRICE_CNY_PER_T = engine.MatchOptions.__dataclass_fields__["co2_price_cny_per_t"].default


def _signed_in(user: User | None) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _organisation(user: User | None) -> Organisation | None:
    return getattr(user, "organisation", None) if _signed_in(user) else None


def sees_in_full(user: User | None, site: Site) -> bool:
    """Its own organisation, managers of its park, administrators: they see every site detail."""
    if not _signed_in(user):
        return False
    if user.has_role("admin"):
        return True
    if user.organisation_id is not None and user.organisation_id == site.organisation_id:
        return True
    return (user.has_role("park_manager") and site.park_id is not None
            and any(park.id == site.park_id for park in user.managed_parks))


def answered(listing: Listing, organisation: Organisation | None) -> bool:
    """Whether the listing's organisation has answered an enquiry of ``organisation`` about it."""
    if organisation is None:
        return False
    owner = listing.site.organisation_id
    return any(enquiry.organisation_id == organisation.id
               and any(message.organisation_id == owner for message in enquiry.messages)
               for enquiry in listing.enquiries)


def listing_revealed(user: User | None, listing: Listing) -> bool:
    """Whether ``user`` may see the company, site name and exact point of ``listing``."""
    if listing.visibility != "anonymous" or sees_in_full(user, listing.site):
        return True
    return answered(listing, _organisation(user))


def revealed_sites(user: User | None, sites) -> set[int]:
    """Ids of ``sites`` (seen without a listing in hand) that ``user`` may name: those it sees in full, and
    those with no anonymous listing it may not see through (else the named site would give it away)."""
    shown = {site.id for site in sites if sees_in_full(user, site)}
    rest = [site.id for site in sites if site.id not in shown]
    if not rest:
        return shown
    organisation = _organisation(user)
    anonymous = db.session.scalars(select(Listing).where(Listing.site_id.in_(rest),
                                                         Listing.visibility == "anonymous")).all()
    hiding = {listing.site_id for listing in anonymous if not answered(listing, organisation)}
    return shown | (set(rest) - hiding)


def site_revealed(user: User | None, site: Site) -> bool:
    """A site seen without a listing in hand (:func:`revealed_sites`)."""
    return site.id in revealed_sites(user, [site])


def link_end_revealed(user: User | None, link: Link, side: str) -> bool:
    """Whether ``user`` may name the ``supplier`` or ``receiver`` end of ``link``.

    The end's listing decides (a latent receiver has none: its site does); a side that accepted the
    link has answered the other party, which may then see it — nobody else learns it that way.
    """
    site = link.supplier_site if side == "supplier" else link.receiver_site
    listing = link.offer if side == "supplier" else link.want
    if listing is None:
        revealed = site_revealed(user, site)
    else:
        revealed = listing_revealed(user, listing)
    if revealed:
        return True
    other = link.receiver_site if side == "supplier" else link.supplier_site
    decision = link.supplier_decision if side == "supplier" else link.receiver_decision
    organisation = _organisation(user)
    return (decision == "accepted" and organisation is not None
            and organisation.id == other.organisation_id and organisation.id != site.organisation_id)


def grid(value: float) -> float:
    """A coordinate snapped to the hiding grid.

    Examples
    --------
    >>> grid(117.2834), grid(31.8612)
    (117.3, 31.85)
    """
    return round(round(value / GRID_DEG) * GRID_DEG, 4)


def grid_points(values: np.ndarray) -> np.ndarray:
    """:func:`grid` for an array of coordinates (the same rounding, half to even).

    Examples
    --------
    >>> grid_points(np.array([117.2834, 31.8612])).tolist()
    [117.3, 31.85]
    """
    return np.round(np.round(np.asarray(values, dtype=np.float64) / GRID_DEG) * GRID_DEG, 4)


def shown_point(site: Site, *, revealed: bool) -> tuple[float, float]:
    """The site's lon/lat: exact when revealed, else its grid point."""
    if revealed:
        return site.lon, site.lat
    return grid(site.lon), grid(site.lat)


def rounded_km(km: float) -> int:
    """A distance to a hidden site: whole km, to the nearest step, never below one step.

    Examples
    --------
    >>> rounded_km(0.4), rounded_km(7.4), rounded_km(7.6), rounded_km(132.0)
    (5, 5, 10, 130)
    """
    step = HIDDEN_DISTANCE_STEP_KM
    return int(max(step, step * math.floor(km / step + 0.5)))


def hidden_km(lon: float, lat: float, site: Site) -> int:
    """The distance from (lon, lat) to a hidden site as shown: from its grid point, rounded."""
    return rounded_km(float(great_circle_km(lon, lat, grid(site.lon), grid(site.lat))))


def shown_km(km: float, *, revealed: bool) -> float:
    """A distance between two sites, one of which may be hidden: exact, or rounded."""
    return km if revealed else float(rounded_km(km))


@dataclass(frozen=True)
class LinkFigures:
    """A link's figures as one reader may see them (totals a year; ``road_km`` the road distance assumed)."""

    distance_km: float
    road_km: float
    transport_cost_cny: float
    net_benefit_cny: float
    co2_avoided_t: float
    score: float

    def per_unit(self, quantity: float) -> tuple[float, float]:
        """``(transport, net benefit)`` per unit of ``quantity``."""
        quantity = quantity or 1.0
        return self.transport_cost_cny / quantity, self.net_benefit_cny / quantity


def link_figures(link: Link, *, revealed: bool) -> LinkFigures:
    """The link's distance and the figures that follow from it, for a reader who may (``revealed``: both sides
    shown) or may not know where both sides are.

    For the latter the distance is rounded, and transport, which the engine costs and counts in proportion to
    the road distance, is worked out again for the rounded one; the net benefit, CO2 balance and score move by
    the difference. Any exact figure would give the exact distance back (the value of the use is public).
    The CO2 balance keeps its sign: rounding does not turn a saving into a loss.
    """
    road_km = link.distance_km * DETOUR_FACTOR
    exact = LinkFigures(link.distance_km, road_km, link.transport_cost_cny, link.net_benefit_cny,
                        link.co2_avoided_t, link.score)
    if revealed:
        return exact
    shown_road = float(rounded_km(road_km))
    ratio = shown_road / road_km if road_km > 0 else 1.0
    transport = link.transport_cost_cny * ratio
    net = link.net_benefit_cny + link.transport_cost_cny - transport
    co2 = link.co2_avoided_t + (link.transport_co2_t or 0.0) * (1.0 - ratio)
    if (co2 < 0) != (link.co2_avoided_t < 0):
        co2 = 0.0
    quantity = link.quantity or 1.0
    score = (link.score + (net - link.net_benefit_cny) / quantity
             + CO2_PRICE_CNY_PER_T * (co2 - link.co2_avoided_t) / quantity)
    return LinkFigures(shown_km(link.distance_km, revealed=False), shown_road, transport, net, co2, score)


@dataclass(frozen=True)
class AlternativeFigures:
    """A run alternative's distance and the figures that follow from it, as one reader may see them."""

    distance_km: float
    net_benefit_cny: float
    net_benefit_cny_per_unit: float
    score: float


def alternative_figures(alternative: RunAlternative, *, revealed: bool) -> AlternativeFigures:
    """Like :func:`link_figures`, for another receiver that could take an offer (a run stores no transport
    figure for those, so it is costed again at the engine's rates for its material and mode)."""
    exact = AlternativeFigures(alternative.distance_km, alternative.net_benefit_cny,
                               alternative.net_benefit_cny_per_unit, alternative.score)
    if revealed:
        return exact
    road_km = alternative.distance_km * DETOUR_FACTOR
    cny, co2_kg = _rates_per_unit_km(alternative.material_code, alternative.unit, alternative.mode or "road")
    saved_km = road_km - rounded_km(road_km)  # negative when the shown distance is the longer
    net_per_unit = alternative.net_benefit_cny_per_unit + cny * saved_km
    score = alternative.score + cny * saved_km + CO2_PRICE_CNY_PER_T * co2_kg / 1000.0 * saved_km
    return AlternativeFigures(shown_km(alternative.distance_km, revealed=False), net_per_unit * alternative.quantity,
                              net_per_unit, score)


def _rates_per_unit_km(material_code: str, unit: str, mode: str) -> tuple[float, float]:
    """CNY and kg CO2 per unit and road km the engine charges a material by ``mode``."""
    material = load_knowledge().materials.get(material_code)
    dangerous = material is not None and dangerous_goods(material)
    cny, co2 = transport_rates(engine.MatchOptions(today=dt.date.today()), dangerous=dangerous)
    freight = engine.DEFAULT_FREIGHT_T_PER_UNIT.get(unit, 1.0)
    return cny.get(mode, cny["road"]) * freight, co2.get(mode, co2["road"]) * freight


@dataclass(frozen=True)
class SiteView:
    """A site as one viewer may see it: names None when hidden, the point on the grid."""

    id: int
    revealed: bool
    sector: str
    park: str | None
    park_id: int | None
    lon: float
    lat: float
    name: str | None = None
    name_en: str | None = None
    organisation: str | None = None
    external_ref: str | None = None

    def label(self, *, english: bool = False, hidden: str = "") -> str:
        """The site's name in the page's language, or ``hidden`` when it may not be named."""
        if not self.revealed:
            return hidden
        return (self.name_en or self.name or "") if english else (self.name or "")


def site_view(site: Site, *, revealed: bool) -> SiteView:
    lon, lat = shown_point(site, revealed=revealed)
    park = site.park.code if site.park else None
    if not revealed:
        return SiteView(site.id, False, site.sector_code, park, site.park_id, lon, lat)
    return SiteView(site.id, True, site.sector_code, park, site.park_id, lon, lat, site.name_zh, site.name_en,
                    site.organisation.name_zh, site.external_ref)


def view_site(user: User | None, site: Site) -> SiteView:
    """``site`` as ``user`` may see it, with no listing in hand (:func:`site_revealed`)."""
    return site_view(site, revealed=site_revealed(user, site))


def view_listing_site(user: User | None, listing: Listing) -> SiteView:
    """The site of ``listing`` as ``user`` may see it (:func:`listing_revealed`)."""
    return site_view(listing.site, revealed=listing_revealed(user, listing))


def view_link_end(user: User | None, link: Link, side: str) -> SiteView:
    """The ``supplier`` or ``receiver`` end of ``link`` as ``user`` may see it (:func:`link_end_revealed`)."""
    site = link.supplier_site if side == "supplier" else link.receiver_site
    return site_view(site, revealed=link_end_revealed(user, link, side))


def site_geojson(view: SiteView, **extra) -> dict:
    """A point feature of a site as seen: sector always, names only when revealed."""
    properties = {"sector": view.sector, "revealed": view.revealed, **extra}
    if view.revealed:
        properties |= {"name": view.name, "name_en": view.name_en, "organisation": view.organisation}
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [view.lon, view.lat]},
            "properties": properties}
