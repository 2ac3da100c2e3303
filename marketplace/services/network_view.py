"""The symbiosis network as GeoJSON: sites as points, links (proposed, agreed, active) as lines, and the
cascades among those links (:func:`link_cascades`).

What a viewer sees follows :func:`marketplace.permissions.network_scope`: park managers and admins
see every link of the park (or province), plants and recyclers only the links they are party to.
A site's company, name and exact point are shown only to those who may see them (:mod:`.disclosure`);
other sites keep their sector and sit on its grid, distances to them are rounded, and each link's
explanation is rendered for the viewer (:mod:`.explanations`).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased, joinedload

from matching import network as analysis
from matching import types as engine

from ..extensions import db
from ..models import Link, Material, Park, Site, User
from ..permissions import network_scope
from . import disclosure, explanations

# Links still alive: declined and superseded ones are history, not network.
SHOWN_STATUSES = ("proposed", "agreed", "active")
# Chains listed on the map: the longest first; more would not fit a side panel.
MAP_CASCADES = 50


@dataclass(frozen=True)
class NetworkData:
    """The links a viewer may see, and the sites at their ends (plus the park's own sites)."""

    park: Park | None
    scope: str
    links: tuple[Link, ...]
    sites: tuple[Site, ...]


def visible_links(user: User, *, park: Park | None, statuses: tuple[str, ...] = SHOWN_STATUSES,
                  site: Site | None = None) -> list[Link]:
    """Links with either end in ``park`` (every link when None) that ``user`` may see, by id.

    With ``site``, only the links that site sends or takes.

    Examples
    --------
    >>> visible_links(admin, park=None)  # doctest: +SKIP
    [<Link 1 3->4 1200>]
    """
    scope = network_scope(user, park)
    if scope is None:
        return []
    query = (select(Link).where(Link.status.in_(statuses)).order_by(Link.id)
             .options(joinedload(Link.supplier_site).joinedload(Site.organisation),
                      joinedload(Link.receiver_site).joinedload(Site.organisation),
                      joinedload(Link.offer), joinedload(Link.want)))
    supplier = aliased(Site)
    receiver = aliased(Site)
    query = query.join(supplier, Link.supplier_site_id == supplier.id).join(receiver, Link.receiver_site_id == receiver.id)
    if park is not None:
        query = query.where(or_(supplier.park_id == park.id, receiver.park_id == park.id))
    if site is not None:
        query = query.where(or_(Link.supplier_site_id == site.id, Link.receiver_site_id == site.id))
    if scope == "managed":
        managed = [p.id for p in user.managed_parks]
        query = query.where(or_(supplier.park_id.in_(managed), receiver.park_id.in_(managed)))
    elif scope == "party":
        query = query.where(or_(supplier.organisation_id == user.organisation_id,
                                receiver.organisation_id == user.organisation_id))
    return list(db.session.scalars(query).unique())


def network_data(user: User, *, park: Park | None) -> NetworkData:
    """What :func:`network_geojson` draws: the visible links, their end sites and the park's sites."""
    scope = network_scope(user, park)
    links = visible_links(user, park=park)
    sites: dict[int, Site] = {}
    if park is not None:
        sites |= {site.id: site for site in park.sites}
    for link in links:
        sites.setdefault(link.supplier_site_id, link.supplier_site)
        sites.setdefault(link.receiver_site_id, link.receiver_site)
    return NetworkData(park, scope or "", tuple(links), tuple(sites[k] for k in sorted(sites)))


def engine_link(link: Link) -> engine.Link:
    """A stored link as :mod:`matching.network` reads it (site ids as strings), to reuse the engine's analysis."""
    return engine.Link(
        offer_id=str(link.offer_id), supplier_site_id=str(link.supplier_site_id),
        want_id=None if link.want_id is None else str(link.want_id), receiver_site_id=str(link.receiver_site_id),
        material=link.material_code, route_id=link.route_id, quantity=link.quantity, unit=link.unit,
        distance_km=link.distance_km, road_km=link.distance_km, mode=None, transport_cost_cny=link.transport_cost_cny,
        net_benefit_cny=link.net_benefit_cny, net_benefit_cny_per_unit=link.net_benefit_cny / link.quantity,
        co2_avoided_t=link.co2_avoided_t, score=link.score, same_park=link.same_park, cross_park=not link.same_park,
        coupling=link.coupling, latent=link.latent, status=link.status)


def link_cascades(links: tuple[Link, ...] | list[Link], *, limit: int = MAP_CASCADES) -> list[dict]:
    """Chains A → B → C among ``links`` (:func:`matching.network.cascades`), with the link ids of each step.

    Each chain: ``sites`` (ids, in order), ``materials`` (one code per step), ``links`` (the ids of
    the links of each step: a step may be several links of one material) and ``status``: ``agreed``
    when every step has an agreed or active link, else ``proposed``. Sites are ids only, so a chain
    names nobody: the map shows each site as the viewer may see it.

    Examples
    --------
    >>> link_cascades([])
    []
    """
    by_step: dict[tuple[int, int, str], list[Link]] = defaultdict(list)
    for link in links:
        by_step[(link.supplier_site_id, link.receiver_site_id, link.material_code)].append(link)
    chains = []
    for chain in analysis.cascades([engine_link(link) for link in links], limit=limit):
        sites = [int(site) for site in chain.sites]
        steps = [by_step[(sites[i], sites[i + 1], material)] for i, material in enumerate(chain.materials)]
        agreed = all(any(link.status in ("agreed", "active") for link in step) for step in steps)
        chains.append({"sites": sites, "materials": list(chain.materials),
                       "links": [[link.id for link in step] for step in steps],
                       "status": "agreed" if agreed else "proposed"})
    return chains


def revealed_sites(user: User, links: tuple[Link, ...], sites: tuple[Site, ...]) -> set[int]:
    """Ids of the sites whose company, name and exact point ``user`` may see on a network map.

    A site is one point however many links it has, so it is named when :func:`~.disclosure.revealed_sites`
    names it (it hides behind no anonymous listing the viewer cannot see through), or when every end of
    a visible link at it may be named to the viewer (:func:`~.disclosure.link_end_revealed`).
    """
    shown = disclosure.revealed_sites(user, sites)
    ends: dict[int, list[bool]] = defaultdict(list)
    for link in links:
        for side, site_id in (("supplier", link.supplier_site_id), ("receiver", link.receiver_site_id)):
            if site_id not in shown:
                ends[site_id].append(disclosure.link_end_revealed(user, link, side))
    return shown | {site_id for site_id, revealed in ends.items() if all(revealed)}


def _site_feature(site: Site, *, revealed: bool) -> dict:
    view = disclosure.site_view(site, revealed=revealed)
    properties = {"pk": site.id, "kind": "site", "sector": view.sector, "park": view.park, "park_id": view.park_id,
                  "revealed": revealed, "site_id": view.external_ref, "name": view.name, "name_en": view.name_en,
                  "organisation": view.organisation}
    # Feature ids are unique across sites and links (RFC 7946 allows strings), or GIS software renumbers them.
    return {"type": "Feature", "id": f"site-{site.id}",
            "geometry": {"type": "Point", "coordinates": [view.lon, view.lat]}, "properties": properties}


def _explained(link: Link, supplier_shown: bool, receiver_shown: bool) -> dict:
    """The distance, the figures that follow from it and the explanation as the map's reader may see them
    (hidden sides unnamed, distance rounded, money and CO2 for the rounded distance)."""
    texts = explanations.both(link, supplier_shown=supplier_shown, receiver_shown=receiver_shown)
    figures = disclosure.link_figures(link, revealed=supplier_shown and receiver_shown)
    return {"distance_km": figures.distance_km, "net_benefit_cny": figures.net_benefit_cny,
            "co2_avoided_t": figures.co2_avoided_t, "explanation_zh": texts["zh"], "explanation_en": texts["en"]}


def network_geojson(user: User, *, park: Park | None) -> dict:
    """A FeatureCollection of sites (points) then links (lines from supplier to receiver).

    Examples
    --------
    >>> network_geojson(admin, park=park)["features"][0]["properties"]["kind"]  # doctest: +SKIP
    'site'
    """
    data = network_data(user, park=park)
    revealed = revealed_sites(user, data.links, data.sites)
    site_features = {site.id: _site_feature(site, revealed=site.id in revealed) for site in data.sites}
    materials = {m.code: m for m in db.session.scalars(
        select(Material).where(Material.code.in_({link.material_code for link in data.links})))}
    link_features = []
    for link in data.links:
        material = materials.get(link.material_code)
        start = site_features[link.supplier_site_id]["geometry"]["coordinates"]
        end = site_features[link.receiver_site_id]["geometry"]["coordinates"]
        link_features.append({"type": "Feature", "id": f"link-{link.id}",
                              "geometry": {"type": "LineString", "coordinates": [start, end]},
                              "properties": {
            "pk": link.id, "kind": "link", "supplier": link.supplier_site_id, "receiver": link.receiver_site_id,
            "supplier_sector": link.supplier_site.sector_code, "receiver_sector": link.receiver_site.sector_code,
            "material_code": link.material_code, "material_family": material.family if material else None,
            "material_name": material.name_zh if material else link.material_code,
            "material_name_en": material.name_en if material else link.material_code,
            "quantity": link.quantity, "unit": link.unit, "status": link.status, "coupling": link.coupling,
            "latent": link.latent, "same_park": link.same_park,
            **_explained(link, link.supplier_site_id in revealed, link.receiver_site_id in revealed)}})
    # "cascades" is a foreign member (RFC 7946 section 6.1): GIS software ignores it, the map lists it.
    return {"type": "FeatureCollection",
            "properties": {"park": park.code if park else None, "park_id": park.id if park else None,
                           "scope": data.scope},
            "features": [*site_features.values(), *link_features],
            "cascades": link_cascades(data.links)}
