"""What closing a site would strand, and who could take over each lost link ("if this site closed").

Downstream: the supply its receivers lose (the links it sends). Upstream: the outlets its suppliers
lose (the links it takes), which they must find elsewhere or landfill. Totals are per unit family
(t, GJ, Nm³, m³), from :func:`matching.network.stranded_if_closed`, separately for agreed (agreed and
active) and proposed links; only the links the viewer may see on the network count
(:func:`~marketplace.services.network_view.visible_links`).

Alternatives (method ``nearest-posted-listing``): for a lost outlet, posted wants that accept the
material (naming it or a broader kind of it); for lost supply, posted offers of the material or a
narrower kind of it; in the link's unit, with some quantity still free, at another site than the
closing one and the partner, and whose site lies within the route's transport radius of the
partner (great-circle distance times the engine's detour factor, as the matcher measures road
distance; by the modes the engine assumes, road and pipeline, plus rail or barge where both sites
have the siding or quay). Nearest first. They are listings, not feasibility-checked links: quality, permits and
timing are checked by the next match run.

Each site is shown as the viewer may see it (:mod:`.disclosure` decides); a hidden site keeps its
sector only, and the distance to it is measured from its grid point and rounded.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from geo.distance import great_circle_km
from geo.messages import Message, N_
from matching import network as analysis
from matching.knowledge import Knowledge, load_knowledge
from matching.types import SITE_ACCESS, MatchOptions

from ..extensions import db
from ..models import Link, Listing, ListingMaterial, Material, Site, User
from ..permissions import ENQUIRABLE_LISTING_STATUSES, can, network_scope
from . import disclosure
from .network_view import engine_link, revealed_sites, visible_links

ALTERNATIVES_METHOD = "nearest-posted-listing"
# At most this many alternatives per lost link: the nearest; a panel, not a search page.
ALTERNATIVES_PER_LINK = 3
AGREED = ("agreed", "active")


class ClosureRefused(Exception):
    """The viewer may not look at this site's network."""


@dataclass(frozen=True)
class SiteRef:
    """A site as the viewer may see it: ``name`` and ``organisation`` None when hidden."""

    id: int
    revealed: bool
    sector: str
    park: str | None
    name: str | None = None
    name_en: str | None = None
    organisation: str | None = None


@dataclass(frozen=True)
class Alternative:
    """A posted listing that could take over a lost link: ``kind`` ``want`` (an outlet) or ``offer`` (supply)."""

    listing_id: int
    kind: str
    site: SiteRef
    material_code: str
    available: float
    unit: str
    distance_km: float
    distance_rounded: bool


@dataclass(frozen=True)
class LostLink:
    """A link that stops: ``direction`` ``downstream`` (the site sends it) or ``upstream`` (it takes it)."""

    link_id: int
    direction: str
    status: str
    partner: SiteRef
    material_code: str
    quantity: float
    unit: str
    radius_km: float
    alternatives: tuple[Alternative, ...] = ()


@dataclass(frozen=True)
class Closure:
    """What closing ``site`` strands: quantities per unit family, for agreed and for proposed links."""

    site: SiteRef
    downstream_agreed: dict[str, float]
    downstream_proposed: dict[str, float]
    upstream_agreed: dict[str, float]
    upstream_proposed: dict[str, float]
    receivers: int
    suppliers: int
    links: tuple[LostLink, ...] = field(default=())
    alternatives_method: str = ALTERNATIVES_METHOD


def _site_ref(site: Site, *, revealed: bool) -> SiteRef:
    park = site.park.code if site.park else None
    if not revealed:
        return SiteRef(site.id, False, site.sector_code, park)
    return SiteRef(site.id, True, site.sector_code, park, site.name_zh, site.name_en, site.organisation.name_zh)


def _in_network(user: User, site: Site, links: list[Link]) -> bool:
    """The viewer sees the site on some network map: an end of a link it may see, or a site it may view."""
    return bool(links) or can(user, "site.view", site)


def site_closure(user: User, site: Site, *, knowledge: Knowledge | None = None,
                 options: MatchOptions | None = None) -> Closure:
    """What closing ``site`` strands, over the links ``user`` may see, with alternatives for each lost link.

    Raises
    ------
    ClosureRefused
        ``user`` sees no network, or ``site`` is on none of the networks ``user`` sees.

    Examples
    --------
    >>> site_closure(manager, chp).upstream_agreed  # doctest: +SKIP
    {'Nm3': 370000000.0}
    """
    if network_scope(user, None) is None:
        raise ClosureRefused(Message(N_("you see no symbiosis network")))
    links = visible_links(user, park=None, site=site)
    if not _in_network(user, site, links):
        raise ClosureRefused(Message(N_("this site is not on a network you may see")))
    knowledge = knowledge or load_knowledge()
    options = options or MatchOptions(today=dt.date.today())
    ends = {s.id: s for link in links for s in (link.supplier_site, link.receiver_site)} | {site.id: site}
    shown = revealed_sites(user, tuple(links), tuple(ends.values()))
    engine_links = [engine_link(link) for link in links]
    agreed = analysis.stranded_if_closed(engine_links, str(site.id), statuses=AGREED)
    proposed = analysis.stranded_if_closed(engine_links, str(site.id), statuses=("proposed",))
    alternatives = _alternatives(user, site, links, knowledge=knowledge, options=options)
    lost = []
    for link in links:
        downstream = link.supplier_site_id == site.id
        partner = link.receiver_site if downstream else link.supplier_site
        lost.append(LostLink(
            link.id, "downstream" if downstream else "upstream", link.status,
            _site_ref(partner, revealed=partner.id in shown), link.material_code, link.quantity, link.unit,
            _reach_km(_transports(link, knowledge), options), alternatives.get(link.id, ())))
    lost.sort(key=lambda item: (item.direction, item.status not in AGREED, item.unit, -item.quantity, item.link_id))
    return Closure(
        _site_ref(site, revealed=site.id in shown),
        downstream_agreed=agreed.supply_lost, downstream_proposed=proposed.supply_lost,
        upstream_agreed=agreed.outlet_lost, upstream_proposed=proposed.outlet_lost,
        receivers=len({link.receiver_site_id for link in links if link.supplier_site_id == site.id}),
        suppliers=len({link.supplier_site_id for link in links if link.receiver_site_id == site.id}),
        links=tuple(lost))


def _transports(link: Link, knowledge: Knowledge) -> tuple[tuple[str, float], ...] | None:
    """(mode, radius km) pairs of the link's route, else of every route of its material; None when it has none."""
    routes = {route.id: route for route in knowledge.routes}
    if link.route_id in routes:
        return routes[link.route_id].transport
    if link.material_code in knowledge.materials:
        pairs = tuple(pair for route in knowledge.routes_for(link.material_code) for pair in route.transport)
        return pairs or None
    return None


def _reach_km(transports: tuple[tuple[str, float], ...] | None, options: MatchOptions,
              ends: tuple[Site, ...] = ()) -> float:
    """How far the material travels between ``ends``, as the engine decides: the modes assumed usable (road,
    pipeline) plus those every end's access opens (a rail siding, a quay); an unnamed stream by road only."""
    if transports is None:
        reach = options.unclassified_radius_km
    else:
        usable = set(options.transport_modes or (mode for mode, _ in transports))
        if ends:
            shared = set.intersection(*(set(site.transport_access or ()) for site in ends))
            usable |= {SITE_ACCESS[access] for access in shared if access in SITE_ACCESS}
        reach = max((radius for mode, radius in transports if mode in usable), default=0.0)
    return reach if options.max_radius_km is None else min(reach, options.max_radius_km)


def _accepted_codes(link: Link, knowledge: Knowledge, *, want: bool) -> set[str]:
    """Codes a listing may name to take over ``link``: a want the material or a broader kind, an offer a narrower one."""
    code = link.material_code
    if code not in knowledge.materials:
        return {code}
    related = knowledge.ancestors(code) if want else knowledge.descendants(code)
    return {code, *related}


def _alternatives(user: User, site: Site, links: list[Link], *, knowledge: Knowledge,
                  options: MatchOptions) -> dict[int, tuple[Alternative, ...]]:
    """For each lost link, the nearest posted listings of the other side that could take it over."""
    wanted = {link.id: _accepted_codes(link, knowledge, want=link.receiver_site_id == site.id) for link in links}
    codes = {code for found in wanted.values() for code in found}
    if not codes:
        return {}
    rows = db.session.execute(
        select(ListingMaterial.material_code, Listing)
        .join(Listing, Listing.id == ListingMaterial.listing_id)
        .where(ListingMaterial.material_code.in_(codes), Listing.status.in_(ENQUIRABLE_LISTING_STATUSES),
               Listing.site_id != site.id)
        .options(joinedload(Listing.site).joinedload(Site.organisation))).all()
    by_code: dict[tuple[str, str], list[Listing]] = defaultdict(list)
    for code, listing in rows:
        if listing.available_quantity > 0:
            by_code[(listing.kind, code)].append(listing)
    out = {}
    for link in links:
        upstream = link.receiver_site_id == site.id
        kind, partner = ("want", link.supplier_site) if upstream else ("offer", link.receiver_site)
        transports = _transports(link, knowledge)
        seen: dict[int, Listing] = {}
        for code in sorted(wanted[link.id]):
            for listing in by_code.get((kind, code), ()):
                if listing.site_id != partner.id and listing.base_unit == link.unit:
                    seen[listing.id] = listing
        found = []
        for listing in seen.values():
            km = float(great_circle_km(partner.lon, partner.lat, listing.site.lon, listing.site.lat))
            if km * options.detour_factor > _reach_km(transports, options, (partner, listing.site)):
                continue
            found.append((km, listing))
        found.sort(key=lambda item: (item[0], item[1].id))
        out[link.id] = tuple(_alternative(user, partner, listing, km) for km, listing in found[:ALTERNATIVES_PER_LINK])
    return out


def _alternative(user: User, partner: Site, listing: Listing, km: float) -> Alternative:
    revealed = disclosure.listing_revealed(user, listing)
    if not revealed:
        km = float(disclosure.hidden_km(partner.lon, partner.lat, listing.site))
    code = next((c for c in listing.material_codes if c), "")
    return Alternative(listing.id, listing.kind, _site_ref(listing.site, revealed=revealed), code,
                       round(listing.available_quantity, 3), listing.base_unit, round(km, 1), not revealed)


def material_names(codes: set[str], *, english: bool) -> dict[str, str]:
    """Names of the material codes, in the page's language (codes that are not materials stay codes)."""
    return {m.code: (m.name_en if english else m.name_zh)
            for m in db.session.scalars(select(Material).where(Material.code.in_(codes)))}
