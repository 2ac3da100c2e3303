"""Bulk industrial solid-waste indicators of a park (or the province), from listings and links.

Definitions follow DOMAIN.md 1.3 (环境统计): utilisation rate = utilised ÷ (generated + prior-year
stock utilised) × 100 %. The marketplace knows no stocks, so the prior-year stock term is 0.

- generated: annual quantity (t) of published bulk-material offers (``Material.bulk``) of the
  sites in scope. An estimate: only what organisations list on the marketplace.
- utilised: tonnage of agreed and active links out of those offers (capped at each offer's quantity).
- stored or disposed: the rest (generated − utilised). An estimate: listings do not say which part is
  stored and which disposed, so the two are reported together.
- proposed: tonnage of links proposed but not yet agreed (a potential, not counted as utilised).

These solid-waste figures (and the cross-park tonnage) count bulk solid waste only: links of a bulk
material, never gases, steam, water or heat. Every unit family (t, GJ, Nm³, m³: the material's unit
in the knowledge base) has its own totals, Sankey flows and keystone sites in ``families``; no
figure adds quantities of two units.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field

from sqlalchemy import select
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


@dataclass(frozen=True)
class Keystone:
    """A site the flows of one unit family lean on: ``share`` of that family's flow (sent plus taken).

    ``name`` only when the viewer may see the site; else show its sector.
    """

    site_id: int
    name: str | None
    sector: str
    unit: str
    share: float
    links: int


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
    keystones: tuple[Keystone, ...] = ()


@dataclass(frozen=True)
class Indicators:
    """Figures for one park (``park`` its code) or the province (``park`` None); tonnes per year.

    The ``*_t`` figures, the rates, ``in_park_closure_pct`` and ``cross_park_links`` count bulk solid
    waste only; ``families`` holds every unit family's own flows.
    """

    park: str | None
    generated_t: float
    utilised_t: float
    stored_or_disposed_t: float
    proposed_t: float
    utilisation_rate_pct: float | None
    target_pct: float
    # The rate the park would reach if every open proposal were agreed: what a manager can still steer.
    potential_rate_pct: float | None
    in_park_closure_pct: float | None
    cross_park_links: int
    cross_park_t: float
    co2_avoided_t: float
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


def _bulk_offers(site_ids: list[int] | None) -> list[Listing]:
    query = (select(Listing).join(ListingMaterial, ListingMaterial.listing_id == Listing.id)
             .join(Material, Material.code == ListingMaterial.material_code)
             .where(Listing.kind == "offer", Listing.status.in_(PUBLIC_LISTING_STATUSES), Listing.base_unit == "t",
                    Material.bulk.is_(True), ListingMaterial.position == 0)
             .options(joinedload(Listing.site)).order_by(Listing.id))
    if site_ids is not None:
        query = query.where(Listing.site_id.in_(site_ids))
    return list(db.session.scalars(query).unique())


def _round(value: float) -> float:
    return round(value, 3)


def _bulk_codes(links: list[Link]) -> set[str]:
    """The codes among the links' materials that are bulk solid waste (unclassified names never are)."""
    codes = {link.material_code for link in links}
    return set(db.session.scalars(select(Material.code).where(Material.code.in_(codes), Material.bulk.is_(True))))


def park_indicators(user: User, *, park: Park | None) -> Indicators:
    """The indicators of ``park`` (the province, or the parks ``user`` manages, when None).

    Examples
    --------
    >>> park_indicators(manager, park=park).target_pct  # doctest: +SKIP
    62.0
    """
    site_ids = _sites_in_scope(user, park)
    offers = _bulk_offers(site_ids)
    offer_ids = {offer.id: offer for offer in offers}
    generated = sum(offer.annual_quantity for offer in offers)
    links = [link for link in visible_links(user, park=park)
             if site_ids is None or link.supplier_site_id in site_ids or link.receiver_site_id in site_ids]
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
        park=park.code if park else None, generated_t=_round(generated), utilised_t=_round(utilised),
        stored_or_disposed_t=_round(max(generated - utilised, 0.0)), proposed_t=_round(proposed),
        utilisation_rate_pct=round(rate, 1) if rate is not None else None, target_pct=UTILISATION_TARGET_PCT,
        potential_rate_pct=round(potential_rate, 1) if potential_rate is not None else None,
        in_park_closure_pct=round(closure, 1) if closure is not None else None,
        cross_park_links=len(cross), cross_park_t=_round(sum(link.quantity for link in cross)),
        co2_avoided_t=_round(sum(link.co2_avoided_t for link in agreed)),
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
            sankey=_sankey(basis_links, unit),
            keystones=tuple(Keystone(int(k.site_id), _shown_name(user, sites[int(k.site_id)]),
                                     sites[int(k.site_id)].sector_code, unit, round(k.tonnage_share, 4), k.links)
                            for k in keystones)))
    return tuple(families)


def _inside(link, park: Park | None) -> bool:
    """Whether a link out of the scope's offers ends inside it (the same park, for the province)."""
    if park is None:
        return link.same_park
    return link.receiver_site.park_id == park.id


def _shown_name(user: User, site: Site) -> str | None:
    """The site's name and reference for those who may name it (:func:`.disclosure.site_revealed`)."""
    return f"{site.name_zh} ({site.external_ref})" if disclosure.site_revealed(user, site) else None


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
