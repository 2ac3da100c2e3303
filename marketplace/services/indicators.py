"""Bulk industrial solid-waste indicators of a park (or the province), from listings and links.

Definitions follow DOMAIN.md 1.3 (环境统计): utilisation rate = utilised ÷ (generated + prior-year
stock utilised) × 100 %. The marketplace knows no stocks, so the prior-year stock term is 0.

- generated: annual quantity (t) of published bulk-material offers (``Material.bulk``) of the
  sites in scope. An estimate: only what organisations list on the marketplace.
- utilised: tonnage of agreed and active links out of those offers (capped at each offer's quantity).
- stored or disposed: the rest (generated − utilised). An estimate: listings do not say which part is
  stored and which disposed, so the two are reported together.
- proposed: tonnage of links proposed but not yet agreed (a potential, not counted as utilised).

A reporting year (``year``) reads the agreed links' history instead of today's network: a link counts
in a year when it was agreed by the year's end (``agreed_at``) and its offer's availability window
overlaps the year; an offer counts as generated in a year when it was published by the year's end and
its window overlaps the year. Open proposals are today's state, so they count in the current year
only. Without a year the figures are today's network, proposals included.

These solid-waste figures (and the cross-park tonnage) count bulk solid waste only: links of a bulk
material, never gases, steam, water or heat. Every unit family (t, GJ, Nm³, m³: the material's unit
in the knowledge base) has its own totals, Sankey flows and keystone sites in ``families``; no
figure adds quantities of two units.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from matching import network as analysis

from ..extensions import db
from ..models import Link, Listing, ListingMaterial, Material, Park, Site, User
from ..permissions import PUBLIC_LISTING_STATUSES, network_scope
from . import disclosure
from .network_view import engine_link, visible_links

# Anhui's target for the utilisation rate of bulk industrial solid waste (brief; DOMAIN.md 5.4: unverified).
UTILISATION_TARGET_PCT = 62.0
AGREED_STATUSES = ("agreed", "active")
# Offers that were once on offer; a closed offer is left out of every year (nothing says when it closed).
REPORTED_OFFER_STATUSES = (*PUBLIC_LISTING_STATUSES, "expired")
# The reporting calendar is the province's: a year ends at midnight in Shanghai, not in UTC.
REPORTING_ZONE = ZoneInfo("Asia/Shanghai")
# The earliest year the selector offers: links carry no agreement date before the marketplace existed.
FIRST_REPORTING_YEAR = 2020


@dataclass(frozen=True)
class Keystone:
    """A site the flows of one unit family lean on: ``share`` of that family's flow (sent plus taken).

    ``name`` (``name_en`` for English readers, when the site has one) only when the viewer may see the site;
    else show its sector.
    """

    site_id: int
    name: str | None
    sector: str
    unit: str
    share: float
    links: int
    name_en: str | None = None


@dataclass(frozen=True)
class SankeyFlow:
    """``quantity`` a year, in ``unit``, from sites of sector ``source`` to sites of sector ``target`` (GB/T 4754)."""

    source: str
    target: str
    unit: str
    quantity: float
    materials: tuple[str, ...] = ()


@dataclass(frozen=True)
class FlowFamily:
    """The links measured in one unit (``t``, ``GJ``, ``Nm3``, ``m3`` ...), a year.

    ``basis`` says what the Sankey and keystones read: ``agreed`` (agreed and active links) once any
    link of the family is agreed, else ``proposed`` (every shown link: the shape before agreement).
    """

    unit: str
    links: int
    agreed: float
    proposed: float
    cross_park: float
    basis: str
    sankey: tuple[SankeyFlow, ...] = ()
    agreed_links: int = 0
    keystones: tuple[Keystone, ...] = ()


@dataclass(frozen=True)
class Indicators:
    """Figures for one park (``park`` its code) or the province (``park`` None); tonnes per year.

    The ``*_t`` figures, the rates, ``in_park_closure_pct`` and ``cross_park_links`` count bulk solid
    waste only; ``families`` holds every unit family's own flows.
    """

    park: str | None
    # The reporting year, or None for today's network (open proposals included).
    year: int | None = None
    generated_t: float = 0.0
    utilised_t: float = 0.0
    stored_or_disposed_t: float = 0.0
    proposed_t: float = 0.0
    utilisation_rate_pct: float | None = None
    target_pct: float = UTILISATION_TARGET_PCT
    # The rate the park would reach if every open proposal were agreed: what a manager can still steer.
    potential_rate_pct: float | None = None
    in_park_closure_pct: float | None = None
    cross_park_links: int = 0
    cross_park_t: float = 0.0
    co2_avoided_t: float = 0.0
    # Net benefit a year of the agreed and active links (CNY), the matcher's estimate.
    net_benefit_cny: float = 0.0
    couplings: dict[str, int] = field(default_factory=dict)
    families: tuple[FlowFamily, ...] = ()
    estimates: tuple[str, ...] = ("generated_t", "stored_or_disposed_t", "utilisation_rate_pct", "potential_rate_pct")

    @property
    def meets_target(self) -> bool:
        return self.utilisation_rate_pct is not None and self.utilisation_rate_pct >= self.target_pct

    def family(self, unit: str) -> FlowFamily | None:
        return next((f for f in self.families if f.unit == unit), None)

    def as_dict(self) -> dict:
        return {**asdict(self), "meets_target": self.meets_target,
                "prior_year_stock_utilised_t": 0.0}


def _sites_in_scope(user: User, park: Park | None) -> list[int] | None:
    """Site ids whose listings count, or None for every site."""
    if park is not None:
        return [site.id for site in park.sites]
    if network_scope(user, None) == "managed":
        return [site.id for p in user.managed_parks for site in p.sites]
    return None


def this_year() -> int:
    return dt.datetime.now(REPORTING_ZONE).year


def year_bounds(year: int) -> tuple[dt.date, dt.date, dt.datetime]:
    """The year's first and last day, and its end as a naive UTC time (how times are stored).

    >>> year_bounds(2025)[2]
    datetime.datetime(2025, 12, 31, 16, 0)
    """
    end = dt.datetime(year + 1, 1, 1, tzinfo=REPORTING_ZONE).astimezone(dt.timezone.utc).replace(tzinfo=None)
    return dt.date(year, 1, 1), dt.date(year, 12, 31), end


def _window_overlaps(listing: Listing, year: int) -> bool:
    first, last, _ = year_bounds(year)
    return ((listing.available_from is None or listing.available_from <= last)
            and (listing.available_to is None or listing.available_to >= first))


def _bulk_offers(site_ids: list[int] | None, year: int | None = None) -> list[Listing]:
    statuses = PUBLIC_LISTING_STATUSES if year is None else REPORTED_OFFER_STATUSES
    query = (select(Listing).join(ListingMaterial, ListingMaterial.listing_id == Listing.id)
             .join(Material, Material.code == ListingMaterial.material_code)
             .where(Listing.kind == "offer", Listing.status.in_(statuses), Listing.base_unit == "t",
                    Material.bulk.is_(True), ListingMaterial.position == 0)
             .options(joinedload(Listing.site)).order_by(Listing.id))
    if site_ids is not None:
        query = query.where(Listing.site_id.in_(site_ids))
    offers = list(db.session.scalars(query).unique())
    if year is None:
        return offers
    end = year_bounds(year)[2]
    return [offer for offer in offers if _window_overlaps(offer, year)
            and (offer.published_at or offer.created_at or end) < end]


def _agreed_on(link: Link) -> dt.datetime | None:
    """When both sides agreed; a link agreed before the date was recorded counts from its run."""
    return link.agreed_at or (link.run.created_at if link.run is not None else None)


def links_in_year(links: list[Link], year: int) -> list[Link]:
    """The agreed (or active) links whose agreement covers ``year``, plus, in the current year, the open proposals."""
    end = year_bounds(year)[2]
    kept = []
    for link in links:
        if link.status == "proposed":
            if year == this_year():
                kept.append(link)
            continue
        agreed = _agreed_on(link)
        if agreed is not None and agreed < end and _window_overlaps(link.offer, year):
            kept.append(link)
    return kept


def _round(value: float) -> float:
    return round(value, 3)


def _bulk_codes(links: list[Link]) -> set[str]:
    """The codes among the links' materials that are bulk solid waste (unclassified names never are)."""
    codes = {link.material_code for link in links}
    return set(db.session.scalars(select(Material.code).where(Material.code.in_(codes), Material.bulk.is_(True))))


def park_indicators(user: User, *, park: Park | None, year: int | None = None) -> Indicators:
    """The indicators of ``park`` (the province, or the parks ``user`` manages, when None), today or in ``year``.

    Examples
    --------
    >>> park_indicators(manager, park=park).target_pct  # doctest: +SKIP
    62.0
    """
    site_ids = _sites_in_scope(user, park)
    offers = _bulk_offers(site_ids, year)
    offer_ids = {offer.id: offer for offer in offers}
    generated = sum(offer.annual_quantity for offer in offers)
    links = [link for link in visible_links(user, park=park)
             if site_ids is None or link.supplier_site_id in site_ids or link.receiver_site_id in site_ids]
    if year is not None:
        links = links_in_year(links, year)
    bulk = _bulk_codes(links)
    solid = [link for link in links if link.material_code in bulk and link.unit == "t"]
    out_of_offers = [link for link in solid if link.offer_id in offer_ids]

    utilised_by_offer: dict[int, float] = defaultdict(float)
    for link in out_of_offers:
        if link.status in AGREED_STATUSES:
            utilised_by_offer[link.offer_id] += link.quantity
    utilised = sum(min(t, offer_ids[k].annual_quantity) for k, t in utilised_by_offer.items())
    proposed = sum(link.quantity for link in out_of_offers if link.status == "proposed")
    rate = utilised / generated * 100.0 if generated > 0 else None
    potential_by_offer = defaultdict(float, utilised_by_offer)
    for link in out_of_offers:
        if link.status == "proposed":
            potential_by_offer[link.offer_id] += link.quantity
    potential = sum(min(t, offer_ids[k].annual_quantity) for k, t in potential_by_offer.items())
    potential_rate = potential / generated * 100.0 if generated > 0 else None

    agreed = [link for link in links if link.status in AGREED_STATUSES]
    agreed_out = [link for link in out_of_offers if link.status in AGREED_STATUSES]
    inside = sum(link.quantity for link in agreed_out if _inside(link, park))
    closure = inside / utilised * 100.0 if utilised > 0 else None
    cross = [link for link in solid if link.status in AGREED_STATUSES and not link.same_park]
    couplings: dict[str, int] = defaultdict(int)
    for link in agreed:
        if link.coupling:
            couplings[link.coupling] += 1

    return Indicators(
        park=park.code if park else None, year=year, generated_t=_round(generated), utilised_t=_round(utilised),
        stored_or_disposed_t=_round(max(generated - utilised, 0.0)), proposed_t=_round(proposed),
        utilisation_rate_pct=round(rate, 1) if rate is not None else None, target_pct=UTILISATION_TARGET_PCT,
        potential_rate_pct=round(potential_rate, 1) if potential_rate is not None else None,
        in_park_closure_pct=round(closure, 1) if closure is not None else None,
        cross_park_links=len(cross), cross_park_t=_round(sum(link.quantity for link in cross)),
        co2_avoided_t=_round(sum(link.co2_avoided_t for link in agreed)),
        net_benefit_cny=round(sum(link.net_benefit_cny for link in agreed), 2),
        couplings=dict(sorted(couplings.items())), families=_families(user, links))


def _families(user: User, links: list[Link]) -> tuple[FlowFamily, ...]:
    """Each unit family's totals, Sankey and keystones, in :data:`matching.network.UNIT_ORDER`."""
    engine_links = {link.id: engine_link(link) for link in links}
    families = []
    for unit in analysis.flow_units(engine_links.values()):
        own = [link for link in links if link.unit == unit]
        agreed = [link for link in own if link.status in AGREED_STATUSES]
        # The Sankey and keystones read agreed flows; before anything is agreed, the proposals show the shape.
        basis_links, basis = (agreed, "agreed") if agreed else (own, "proposed")
        keystones = analysis.keystone_sites([engine_links[link.id] for link in basis_links], unit=unit, top=5)
        sites = {site.id: site for link in own for site in (link.supplier_site, link.receiver_site)}
        families.append(FlowFamily(
            unit=unit, links=len(own), agreed=_round(sum(link.quantity for link in agreed)),
            proposed=_round(sum(link.quantity for link in own if link.status == "proposed")),
            cross_park=_round(sum(link.quantity for link in agreed if not link.same_park)), basis=basis,
            sankey=_sankey(basis_links, unit), agreed_links=len(agreed),
            keystones=tuple(Keystone(int(k.site_id), _shown_name(user, sites[int(k.site_id)]),
                                     sites[int(k.site_id)].sector_code, unit, round(k.tonnage_share, 4), k.links,
                                     _shown_name(user, sites[int(k.site_id)], english=True))
                            for k in keystones)))
    return tuple(families)


def _inside(link, park: Park | None) -> bool:
    """Whether a link out of the scope's offers ends inside it (the same park, for the province)."""
    if park is None:
        return link.same_park
    return link.receiver_site.park_id == park.id


def _shown_name(user: User, site: Site, *, english: bool = False) -> str | None:
    """The site's name and reference for those who may name it (:func:`.disclosure.site_revealed`); in
    English its English name where it has one."""
    if not disclosure.site_revealed(user, site):
        return None
    name = (site.name_en or site.name_zh) if english else site.name_zh
    return f"{name} ({site.external_ref})"


def _sankey(links: list[Link], unit: str) -> tuple[SankeyFlow, ...]:
    """Quantities of ``unit`` from the supplier's sector to the receiver's sector, largest first."""
    flows: dict[tuple[str, str], float] = defaultdict(float)
    materials: dict[tuple[str, str], set[str]] = defaultdict(set)
    for link in links:
        if link.unit == unit:
            pair = (link.supplier_site.sector_code, link.receiver_site.sector_code)
            flows[pair] += link.quantity
            materials[pair].add(link.material_code)
    return tuple(SankeyFlow(s, t, unit, _round(q), tuple(sorted(materials[(s, t)])))
                 for (s, t), q in sorted(flows.items(), key=lambda item: (-item[1], item[0])))


def reporting_years(user: User, *, park: Park | None) -> list[int]:
    """The years a selector offers, latest first: from the first agreement or publication in scope to this year."""
    site_ids = _sites_in_scope(user, park)
    agreed = select(func.min(Link.agreed_at)).where(Link.status.in_(AGREED_STATUSES))
    published = select(func.min(Listing.published_at)).where(Listing.kind == "offer")
    if site_ids is not None:
        agreed = agreed.where(or_(Link.supplier_site_id.in_(site_ids), Link.receiver_site_id.in_(site_ids)))
        published = published.where(Listing.site_id.in_(site_ids))
    firsts = [value for value in (db.session.scalar(agreed), db.session.scalar(published)) if value is not None]
    current = this_year()
    first = max(min([v.year for v in firsts], default=current), FIRST_REPORTING_YEAR)
    return list(range(current, min(first, current) - 1, -1))


@dataclass(frozen=True)
class TrendPoint:
    """One year of the trend: the agreed links covering it and what they did."""

    year: int
    generated_t: float
    utilised_t: float
    utilisation_rate_pct: float | None
    co2_avoided_t: float
    net_benefit_cny: float
    links: int
    # Agreed quantity a year by unit family (t, GJ, Nm3, m3): never added across units.
    agreed: dict[str, float] = field(default_factory=dict)


def indicator_trend(user: User, *, park: Park | None, years: list[int] | None = None) -> list[TrendPoint]:
    """The figures of every reporting year, oldest first, from the agreed links' history."""
    points = []
    for year in sorted(years if years is not None else reporting_years(user, park=park)):
        ind = park_indicators(user, park=park, year=year)
        points.append(TrendPoint(year, ind.generated_t, ind.utilised_t, ind.utilisation_rate_pct, ind.co2_avoided_t,
                                 ind.net_benefit_cny, sum(f.agreed_links for f in ind.families),
                                 {f.unit: f.agreed for f in ind.families if f.agreed > 0}))
    return points


def scope_parks(user: User) -> list[Park] | None:
    """The parks a province page shows ``user``: those it manages, or None for the whole province."""
    if network_scope(user, None) == "managed":
        return sorted(user.managed_parks, key=lambda p: p.code)
    return None


def park_comparison(user: User, *, year: int | None = None) -> list[tuple[Park, Indicators]]:
    """Every park in the user's province view side by side (a manager's own parks; all parks for others
    who see the whole network), by park code."""
    parks = scope_parks(user)
    if parks is None:
        if network_scope(user, None) != "all":
            return []
        parks = list(db.session.scalars(select(Park).order_by(Park.code)))
    return [(park, park_indicators(user, park=park, year=year)) for park in parks]
