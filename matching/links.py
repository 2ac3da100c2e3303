"""The **links** step: allocated flows as :class:`~matching.types.Link` values, each with its explanation.

Proposed links come from the candidates that received a quantity; agreed links are the run's
agreements re-scored with today's figures (:mod:`matching.explain` writes both sentences). A link of an
unclassified stream has no route, coupling or CO2 figure, and its sentences say it was matched by name only.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence

import numpy as np

from geo.distance import great_circle_km
from matching.candidate_table import CandidateTable
from matching.explain import LinkFacts, explain, explain_by_name
from matching.knowledge.unclassified import UNCLASSIFIED_PREFIX, is_unclassified
from matching.name_matcher import name_net_benefit
from matching.knowledge.knowledge_base import Knowledge
from matching.knowledge.models import Route
from matching.placement import Placed
from matching.couplings import link_coupling
from matching.scoring import ALL_MODES, choose_mode, dangerous_goods, park_flags, transport_rates
from matching.tables import InputTables
from matching.types import TRANSPORT_MODES, Agreement, Link, MatchOptions, Offer, Site, Want

__all__ = ["agreed_links", "proposed_links"]


def proposed_links(
    tables: InputTables, found: CandidateTable, placed: Placed, *, knowledge: Knowledge, explain_links: bool = True
) -> list[Link]:
    """A proposed link per candidate with flow, sorted by supplier site, offer, receiver, want and route; without
    their sentences (``explanation_zh``/``_en`` empty) when not ``explain_links``."""
    c = found.columns
    arcs = np.flatnonzero(placed.flow > 0)
    supplier_site = tables.o_site[c["offer"][arcs]]
    same, cross = park_flags(tables.site_park[supplier_site], tables.site_park[c["site"][arcs]])
    # Python lists: element access on them is ten times faster than on NumPy arrays.
    columns = {name: c[name][arcs].tolist() for name in (
        "offer", "want", "site", "route", "mode", "distance_km", "road_km", "transport", "net", "co2", "score",
        "latent", "substitute",
    )}
    flows = placed.flow[arcs].tolist()
    suppliers = supplier_site.tolist()
    same, cross = same.tolist(), cross.tolist()
    implied_of = functools.lru_cache(maxsize=None)(knowledge.implied_quality)
    route_keys = [frozenset(limit.key for limit in route.quality_limits) for route in tables.routes]
    links = []
    for i in range(len(arcs)):
        offer = tables.offers[columns["offer"][i]]
        want_pos = columns["want"][i]
        want = tables.wants[want_pos] if want_pos >= 0 else None
        supplier = tables.sites[suppliers[i]]
        receiver = tables.sites[columns["site"][i]]
        route_pos = columns["route"][i]
        quantity = flows[i]
        mode = TRANSPORT_MODES[columns["mode"][i]]
        net_per_unit = columns["net"][i]
        transport = columns["transport"][i]
        road_km = columns["road_km"][i]
        if route_pos < 0:
            links.append(_name_link(tables.o_unit[columns["offer"][i]], offer, want, supplier, receiver, quantity,
                                    columns["distance_km"][i],
                                    road_km, transport, net_per_unit, columns["score"][i], same[i], cross[i],
                                    explain_link=explain_links))
            continue
        route = tables.routes[route_pos]
        material = knowledge.materials[offer.material]
        coupling = link_coupling(route.coupling, *_coupling_sectors(route, supplier, receiver))
        facts = LinkFacts(
            supplier.name or supplier.id, supplier.name_en or supplier.name or supplier.id,
            receiver.name or receiver.id, receiver.name_en or receiver.name or receiver.id,
            material.name_zh, material.name_en, route.replaces.name_zh, route.replaces.name_en,
            quantity, material.unit, road_km, mode, transport, net_per_unit, net_per_unit * quantity,
            columns["co2"][i] * quantity, same[i], cross[i], coupling, columns["latent"][i], columns["substitute"][i],
        )
        zh, en = explain(facts) if explain_links else ("", "")
        limited = route_keys[route_pos] if want is None else route_keys[route_pos] | tables.w_limit_keys[want_pos]
        links.append(Link(
            offer.id, supplier.id, want.id if want else None, receiver.id, offer.material, route.id, quantity,
            material.unit, columns["distance_km"][i], road_km, mode, transport * quantity, facts.net_benefit_cny,
            net_per_unit, facts.co2_avoided_t, columns["score"][i], same[i], cross[i], coupling, facts.latent,
            facts.substitute,
            tuple(sorted(key for key in limited if key not in offer.quality and key not in implied_of(offer.material))),
            zh, en, "proposed", (route.co2_avoided_t_per_unit - columns["co2"][i]) * quantity,
        ))
    links.sort(key=lambda l: (l.supplier_site_id, l.offer_id, l.receiver_site_id, l.want_id or "", l.route_id or ""))
    return links


def _coupling_sectors(route: Route, supplier: Site, receiver: Site) -> tuple[str | None, str | None]:
    """The sectors a link's coupling is read from: the receiver's sector the route serves (its main one when none
    does), and the supplier's main sector. A chemical complex that also makes cement takes slag as a cement works."""
    if not receiver.extra_sectors:
        return supplier.sector, receiver.sector
    serving = [code for code in receiver.all_sectors if any(code.startswith(user) for user in route.user_sectors)]
    return supplier.sector, serving[0] if serving else receiver.sector


def _name_link(
    unit: str, offer: Offer, want: Want | None, supplier: Site, receiver: Site, quantity: float,
    distance_km: float, road_km: float, transport: float, net_per_unit: float, score: float, same: bool, cross: bool,
    *, explain_link: bool = True,
) -> Link:
    """A link of an unclassified stream, matched by name: no route, no coupling, no CO2 figure."""
    words = offer.material_name or offer.material.removeprefix(UNCLASSIFIED_PREFIX)
    priced = offer.price_cny is not None and want is not None and want.max_price_cny is not None
    facts = LinkFacts(
        supplier.name or supplier.id, supplier.name_en or supplier.name or supplier.id,
        receiver.name or receiver.id, receiver.name_en or receiver.name or receiver.id,
        words, words, "", "", quantity, unit, road_km, "road", transport, net_per_unit, net_per_unit * quantity,
        0.0, same, cross, None, False, False,
    )
    zh, en = explain_by_name(facts, priced=priced) if explain_link else ("", "")
    return Link(
        offer.id, supplier.id, want.id if want else None, receiver.id, offer.material, None, quantity, unit,
        distance_km, road_km, "road", transport * quantity, facts.net_benefit_cny, net_per_unit, 0.0, score,
        same, cross, None, False, False, (), zh, en, "proposed",
    )


def agreed_links(
    tables: InputTables, agreements: Sequence[Agreement], *, options: MatchOptions, knowledge: Knowledge
) -> list[Link]:
    """Agreements as links with today's numbers; no check can undo an agreement, so none is applied."""
    offer_pos = {o.id: i for i, o in enumerate(tables.offers)}
    links = []
    for agreement in agreements:
        o = offer_pos[agreement.offer_id]
        offer = tables.offers[o]
        supplier = tables.sites[int(tables.o_site[o])]
        receiver = tables.sites[tables.site_pos[agreement.receiver_site_id]]
        want = tables.wants[tables.want_pos[agreement.want_id]] if agreement.want_id else None
        distance = float(great_circle_km(supplier.lon, supplier.lat, receiver.lon, receiver.lat))
        road_km = distance * options.detour_factor
        same, cross = park_flags(
            np.array([tables.site_park[tables.o_site[o]]]), np.array([tables.site_park[tables.site_pos[receiver.id]]])
        )
        if is_unclassified(offer.material):
            unit = tables.o_unit[o]
            freight = float(options.freight_t_per_unit.get(unit, 1.0))
            rates = transport_rates(options, dangerous=tables.o_hazard[o] is not None)[0]
            transport = road_km * rates["road"] * freight
            net = float(name_net_benefit(np.array([np.nan if want is None or want.max_price_cny is None
                                                   else want.max_price_cny]),
                                         np.array([np.nan if offer.price_cny is None else offer.price_cny]),
                                         np.array([transport]))[0][0])
            link = _name_link(unit, offer, want, supplier, receiver, agreement.quantity, distance, road_km, transport,
                              net, net, bool(same[0]), bool(cross[0]))
            links.append(dataclasses.replace(link, status=agreement.status))
            continue
        material = knowledge.materials[offer.material]
        lineage = set(knowledge.route_lineage(offer.material))
        if agreement.route_id in tables.route_pos:
            candidates = [tables.routes[tables.route_pos[agreement.route_id]]]
        else:
            usable = [r for r in tables.routes if lineage.intersection(r.materials)]
            site_row = tables.site_pos[receiver.id]
            candidates = [r for r in usable if tables.sector_match(r)[site_row]] or usable
        cny_per_t_km, co2_kg_per_t_km = transport_rates(options, dangerous=dangerous_goods(material))
        best: tuple[float, Route, str | None, float, float, float] | None = None
        modes = int(tables.pair_modes(np.array([o]), np.array([tables.site_pos[receiver.id]]))[0])
        for route in candidates:
            any_mode = any(modes >> TRANSPORT_MODES.index(mode) & 1 for mode, _ in route.transport)
            allowed = modes if any_mode else ALL_MODES
            choice = choose_mode(
                np.array([road_km]), radius_km={mode: np.inf for mode, _ in route.transport},
                allowed=np.array([allowed], dtype=np.uint8),
                freight_t_per_unit=float(options.freight_t_per_unit.get(material.unit, 1.0)),
                cny_per_t_km=cny_per_t_km, co2_kg_per_t_km=co2_kg_per_t_km,
            )
            ceiling = want.max_price_cny if want is not None else None
            avoided = ceiling if ceiling is not None else route.replaces.price_cny * route.replacement_ratio
            price = offer.price_cny if offer.price_cny is not None else route.typical_price_cny_per_unit
            transport = float(choice.cny_per_unit[0])
            net = avoided - price - transport + route.supplier_disposal_cost_cny_per_unit
            co2 = route.co2_avoided_t_per_unit - float(choice.co2_t_per_unit[0])
            score = net + options.co2_price_cny_per_t * co2
            mode = TRANSPORT_MODES[int(choice.mode[0])]
            if best is None or score > best[0]:
                best = (score, route, mode, transport, net, co2)
        quantity = agreement.quantity
        if best is None:
            score, route, mode, transport, net, co2 = 0.0, None, None, 0.0, 0.0, 0.0
        else:
            score, route, mode, transport, net, co2 = best
        coupling = link_coupling(route.coupling, *_coupling_sectors(route, supplier, receiver)) if route else None
        zh = en = ""
        if route is not None:
            zh, en = explain(LinkFacts(
                supplier_zh=supplier.name or supplier.id, supplier_en=supplier.name_en or supplier.name or supplier.id,
                receiver_zh=receiver.name or receiver.id, receiver_en=receiver.name_en or receiver.name or receiver.id,
                material_zh=material.name_zh, material_en=material.name_en,
                replaces_zh=route.replaces.name_zh, replaces_en=route.replaces.name_en, quantity=quantity,
                unit=material.unit, road_km=road_km, mode=mode, transport_cny_per_unit=transport,
                net_benefit_cny_per_unit=net, net_benefit_cny=net * quantity, co2_avoided_t=co2 * quantity,
                same_park=bool(same[0]), cross_park=bool(cross[0]), coupling=coupling, latent=want is None,
            ))
        links.append(Link(
            offer_id=offer.id, supplier_site_id=supplier.id, want_id=agreement.want_id, receiver_site_id=receiver.id,
            material=offer.material, route_id=route.id if route else None, quantity=quantity, unit=material.unit,
            distance_km=distance, road_km=road_km, mode=mode, transport_cost_cny=transport * quantity,
            net_benefit_cny=net * quantity, net_benefit_cny_per_unit=net, co2_avoided_t=co2 * quantity, score=score,
            same_park=bool(same[0]), cross_park=bool(cross[0]), coupling=coupling, latent=want is None,
            explanation_zh=zh, explanation_en=en, status=agreement.status,
            transport_co2_t=(route.co2_avoided_t_per_unit - co2) * quantity if route else 0.0,
        ))
    links.sort(key=lambda l: (l.supplier_site_id, l.offer_id, l.receiver_site_id, l.want_id or ""))
    return links
