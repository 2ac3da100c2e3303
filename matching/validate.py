"""Check the engine's input before any work: every problem is a :class:`MatchingError` naming it.

A run either gets clean input or stops here; nothing downstream has to guess.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Sequence

from matching.errors import MatchingError
from matching.knowledge.knowledge_base import Knowledge
from matching.knowledge.models import Route
from matching.knowledge.unclassified import UNCLASSIFIED_PREFIX, is_unclassified
from matching.types import BATTERY_LISTINGS, TRANSPORT_MODES, Agreement, MatchOptions, Offer, Site, Want
from geo.messages import Message, N_

__all__ = ["validate_inputs", "validate_options"]

_HW_CODE = re.compile(r"\d{3}-\d{3}-(\d{2})")
_HW_CATEGORY = re.compile(r"HW\d{2}")


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def validate_options(options: MatchOptions) -> None:
    """Raise :class:`MatchingError` for contradictory or impossible options.

    Examples
    --------
    >>> validate_options(MatchOptions(today=dt.date(2026, 1, 1), k_per_offer=0))
    Traceback (most recent call last):
    ...
    matching.errors.MatchingError: options: k_per_offer must be a whole number of at least 1, got 0
    """
    def fail(name: str, message: str) -> None:
        raise MatchingError(Message(N_("options: %(name)s %(message)s"), name=name, message=message), field=name)

    if not isinstance(options, MatchOptions):
        raise MatchingError(Message(N_("options: expected a MatchOptions value")), field="options")
    if not isinstance(options.today, dt.date):
        fail("today", f"must be a date, got {options.today!r}")
    for name in ("k_per_offer", "candidate_pool"):
        value = getattr(options, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            fail(name, f"must be a whole number of at least 1, got {value!r}")
    value = options.alternatives_per_offer
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        fail("alternatives_per_offer", f"must be a whole number (0: none), got {value!r}")
    if not _finite(options.unclassified_radius_km) or options.unclassified_radius_km < 0:
        fail("unclassified_radius_km", f"must be a number of km not below zero, got {options.unclassified_radius_km!r}")
    if not _finite(options.detour_factor) or options.detour_factor < 1:
        fail("detour_factor", f"must be a number of at least 1 (road is never shorter than the great circle), "
                              f"got {options.detour_factor!r}")
    if options.max_radius_km is not None and (not _finite(options.max_radius_km) or options.max_radius_km < 0):
        fail("max_radius_km", f"must not be negative, got {options.max_radius_km!r}")
    if options.transport_modes is not None:
        if not options.transport_modes:
            fail("transport_modes", "must name at least one mode, or be None for every mode")
        for mode in options.transport_modes:
            if mode not in TRANSPORT_MODES:
                fail("transport_modes", f"has unknown mode {mode!r}; use {', '.join(TRANSPORT_MODES)}")
    for name in ("transport_cny_per_t_km", "transport_co2_kg_per_t_km"):
        table = getattr(options, name)
        for mode in TRANSPORT_MODES:
            value = table.get(mode)
            if not _finite(value) or value < 0:
                fail(name, f"needs a non-negative number for {mode}, got {value!r}")
    for name in ("dangerous_goods_cny_per_t_km", "dangerous_goods_co2_kg_per_t_km"):
        for mode, value in getattr(options, name).items():
            if mode not in TRANSPORT_MODES:
                fail(name, f"has unknown mode {mode!r}; use {', '.join(TRANSPORT_MODES)}")
            if not _finite(value) or value < 0:
                fail(name, f"needs a non-negative number for {mode}, got {value!r}")
    for unit, value in options.freight_t_per_unit.items():
        if not _finite(value) or value < 0:
            fail("freight_t_per_unit", f"needs a non-negative number for {unit}, got {value!r}")
    if options.min_net_benefit_cny_per_unit is not None and not _finite(options.min_net_benefit_cny_per_unit):
        fail("min_net_benefit_cny_per_unit", "must be a finite number or None")
    if not _finite(options.co2_price_cny_per_t) or options.co2_price_cny_per_t < 0:
        fail("co2_price_cny_per_t", f"must not be negative, got {options.co2_price_cny_per_t!r}")
    if options.latent_capacity is not None and (not _finite(options.latent_capacity) or options.latent_capacity < 0):
        fail("latent_capacity", f"must not be negative, got {options.latent_capacity!r}")
    if options.solver not in ("auto", "networkx", "ortools"):
        fail("solver", f"must be auto, networkx or ortools, got {options.solver!r}")
    for name in ("networkx_max_arcs", "betweenness_exact_max_nodes", "betweenness_samples"):
        value = getattr(options, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            fail(name, f"must be a whole number, got {value!r}")
    if isinstance(options.seed, bool) or not isinstance(options.seed, int):
        fail("seed", f"must be an integer, got {options.seed!r}")


def validate_inputs(
    offers: Sequence[Offer],
    wants: Sequence[Want],
    sites: Sequence[Site],
    routes: Sequence[Route],
    agreements: Sequence[Agreement],
    *,
    knowledge: Knowledge,
) -> None:
    """Raise :class:`MatchingError` for the first problem in the listings, sites, routes or agreements.

    Examples
    --------
    >>> from matching.knowledge.loader import load_knowledge
    >>> validate_inputs([Offer("O1", "S9", "coal-fly-ash", 10.0)], [], [], [], [], knowledge=load_knowledge())
    Traceback (most recent call last):
    ...
    matching.errors.MatchingError: offer 'O1': unknown site 'S9'
    """
    site_by_id: dict[str, Site] = {}
    for site in sites:
        where = f"site {site.id!r}"
        if site.id in site_by_id:
            raise MatchingError(Message(N_("%(where)s: listed twice"), where=where), field="site_id", where=where)
        if not _finite(site.lon) or not _finite(site.lat):
            raise MatchingError(Message(N_("%(where)s: has no coordinates (lon/lat)"), where=where),
                                field="lon/lat", where=where)
        if not (-180 <= site.lon <= 180 and -90 <= site.lat <= 90):  # type: ignore[operator]
            raise MatchingError(Message(N_("%(where)s: lon/lat (%(lon)s, %(lat)s) out of range"),
                                        where=where, lon=site.lon, lat=site.lat), field="lon/lat", where=where)
        if site.battery_listing is not None and site.battery_listing not in BATTERY_LISTINGS:
            raise MatchingError(
                Message(N_("%(where)s: battery_listing must be one of %(BATTERY_LISTINGS)s, got "
                           "%(battery_listing)r"),
                        where=where, BATTERY_LISTINGS=', '.join(BATTERY_LISTINGS),
                        battery_listing=site.battery_listing),
                field="battery_listing", where=where,
            )
        if site.permit is not None:
            if not _finite(site.permit.capacity_t) or site.permit.capacity_t < 0:
                raise MatchingError(Message(N_("%(where)s: permit capacity must not be negative"), where=where),
                                    field="hw_capacity_t", where=where)
            for code in site.permit.codes:
                if not (re.fullmatch(r"HW\d{2}", code) or _HW_CODE.fullmatch(code)):
                    raise MatchingError(
                        Message(N_("%(where)s: permit code %(code)r is neither HWnn nor NNN-NNN-CC"),
                                where=where, code=code), field="hw_permit", where=where
                    )
        site_by_id[site.id] = site

    for route in routes:
        for mode, radius in route.transport:
            if mode not in TRANSPORT_MODES:
                raise MatchingError(Message(N_("route %(id)r: unknown transport mode %(mode)r"),
                                            id=route.id, mode=mode), field="transport")
            if not _finite(radius) or radius < 0:
                raise MatchingError(Message(N_("route %(id)r: negative radius %(radius)s km for %(mode)s"),
                                            id=route.id, radius=radius, mode=mode), field="transport")

    offer_by_id: dict[str, Offer] = {}
    for offer in offers:
        where = f"offer {offer.id!r}"
        if offer.id in offer_by_id:
            raise MatchingError(Message(N_("%(where)s: listed twice"), where=where), field="id", where=where)
        _check_listing_common(offer, where, site_by_id)
        _check_unit(offer.unit, where)
        if offer.price_cny is not None and not _finite(offer.price_cny):
            raise MatchingError(Message(N_("%(where)s: price_cny must be a finite number"), where=where),
                                field="price_cny", where=where)
        for mode in offer.transport_modes:
            if mode not in TRANSPORT_MODES:
                raise MatchingError(Message(N_("%(where)s: unknown transport mode %(mode)r"),
                                            where=where, mode=mode), field="transport_modes", where=where)
        hazard = _hazard_category(offer.hazard_code, where)
        if _check_material(offer.material, where, knowledge):
            offer_by_id[offer.id] = offer  # an unclassified stream: any hazard code given is its own word
            continue
        material = knowledge.materials[offer.material]
        if offer.hazard_code is not None:
            if not material.hazardous:
                raise MatchingError(Message(N_("%(where)s: hazard_code given but %(code)s is not hazardous waste"),
                                            where=where, code=material.code),
                                    field="hazard_code", where=where)
            if hazard != material.category:
                raise MatchingError(Message(N_("%(where)s: hazard_code %(hazard_code)s is %(hazard)s, but "
                                               "%(code)s is %(category)s"),
                                            where=where, hazard_code=offer.hazard_code, hazard=hazard,
                                            code=material.code, category=material.category),
                                    field="hazard_code", where=where)
        elif material.hazardous and len(material.hw_codes) != 1:
            raise MatchingError(Message(N_("%(where)s: %(code)s is hazardous waste; give its 8-digit hazard_code"),
                                        where=where, code=material.code),
                                field="hazard_code", where=where)
        offer_by_id[offer.id] = offer

    want_by_id: dict[str, Want] = {}
    for want in wants:
        where = f"want {want.id!r}"
        if want.id in want_by_id:
            raise MatchingError(Message(N_("%(where)s: listed twice"), where=where), field="id", where=where)
        _check_listing_common(want, where, site_by_id)
        if not want.materials:
            raise MatchingError(Message(N_("%(where)s: accepts no material"), where=where),
                                field="material", where=where)
        _check_unit(want.unit, where)
        # Materials in several units are no error: the want takes those in its own unit (candidate_search).
        for code in want.materials:
            _check_material(code, where, knowledge)
        if want.max_price_cny is not None and not _finite(want.max_price_cny):
            raise MatchingError(Message(N_("%(where)s: max_price_cny must be a finite number"), where=where),
                                field="price_cny", where=where)
        want_by_id[want.id] = want

    agreed_out: dict[str, float] = defaultdict(float)
    agreed_in: dict[str, float] = defaultdict(float)
    for number, agreement in enumerate(agreements, start=1):
        where = f"agreement #{number} ({agreement.offer_id} -> {agreement.want_id or agreement.receiver_site_id})"
        offer = offer_by_id.get(agreement.offer_id)
        if offer is None:
            raise MatchingError(Message(N_("%(where)s: unknown offer %(offer_id)r"),
                                        where=where, offer_id=agreement.offer_id), field="offer_id", where=where)
        if not _finite(agreement.quantity) or agreement.quantity <= 0:
            raise MatchingError(Message(N_("%(where)s: quantity must be more than zero"), where=where),
                                field="quantity", where=where)
        if agreement.status not in ("agreed", "active"):
            raise MatchingError(Message(N_("%(where)s: status must be agreed or active"), where=where),
                                field="status", where=where)
        if agreement.receiver_site_id not in site_by_id:
            raise MatchingError(Message(N_("%(where)s: unknown site %(receiver_site_id)r"),
                                        where=where, receiver_site_id=agreement.receiver_site_id),
                                field="site_id", where=where)
        if agreement.want_id is not None:
            want = want_by_id.get(agreement.want_id)
            if want is None:
                raise MatchingError(Message(N_("%(where)s: unknown want %(want_id)r"),
                                            where=where, want_id=agreement.want_id), field="want_id", where=where)
            if want.site_id != agreement.receiver_site_id:
                raise MatchingError(Message(N_("%(where)s: want %(id)r is at site %(site_id)r, not "
                                               "%(receiver_site_id)r"),
                                            where=where, id=want.id, site_id=want.site_id,
                                            receiver_site_id=agreement.receiver_site_id), field="site_id", where=where)
            agreed_in[want.id] += agreement.quantity
        agreed_out[offer.id] += agreement.quantity
    _check_not_overcommitted(agreed_out, offer_by_id, "offer")
    _check_not_overcommitted(agreed_in, want_by_id, "want")


def _check_material(code: object, where: str, knowledge: Knowledge) -> bool:
    """Raise unless ``code`` is a known material or an unclassified stream's pseudo-code; True for the latter."""
    if code in knowledge.materials:
        return False
    if isinstance(code, str) and is_unclassified(code):
        if not code.removeprefix(UNCLASSIFIED_PREFIX).strip():
            raise MatchingError(Message(N_("%(where)s: unclassified stream %(code)r has no name"),
                                        where=where, code=code), field="material", where=where)
        return True
    raise MatchingError(Message(N_("%(where)s: unknown material %(code)r"), where=where, code=code),
                        field="material", where=where)


def _check_unit(unit: object, where: str) -> None:
    if unit is not None and (not isinstance(unit, str) or not unit.strip()):
        raise MatchingError(Message(N_("%(where)s: unit must be a unit's name such as t or m3, got %(unit)r"),
                                    where=where, unit=unit), field="unit",
                            where=where)


def _hazard_category(code: str | None, where: str) -> str | None:
    """The HW category of an offer's hazard code (8-digit ``NNN-NNN-CC`` or the category ``HWnn``), checked."""
    if code is None:
        return None
    match = _HW_CODE.fullmatch(code)
    if match:
        return f"HW{match.group(1)}"
    if _HW_CATEGORY.fullmatch(code):
        return code
    raise MatchingError(Message(N_("%(where)s: hazard_code %(code)r is neither NNN-NNN-CC nor HWnn"),
                                where=where, code=code), field="hazard_code",
                        where=where)


def _check_listing_common(listing: Offer | Want, where: str, site_by_id: dict[str, Site]) -> None:
    if listing.site_id not in site_by_id:
        raise MatchingError(Message(N_("%(where)s: unknown site %(site_id)r"), where=where, site_id=listing.site_id),
                            field="site_id", where=where)
    if not _finite(listing.quantity) or listing.quantity < 0:
        raise MatchingError(Message(N_("%(where)s: quantity must be a number not below zero, got %(quantity)r"),
                                    where=where, quantity=listing.quantity),
                            field="quantity", where=where)
    if not _finite(listing.committed) or not 0 <= listing.committed <= listing.quantity:
        raise MatchingError(Message(N_("%(where)s: committed %(committed)r must lie between 0 and the quantity "
                                       "%(quantity)g"),
                                    where=where, committed=listing.committed, quantity=listing.quantity),
                            field="committed_quantity", where=where)
    start, end = listing.available_from, listing.available_to
    if start is not None and end is not None and end < start:
        raise MatchingError(Message(N_("%(where)s: available_to (%(end)s) is before available_from (%(start)s)"),
                                    where=where, end=end, start=start),
                            field="available_to", where=where)


def _check_not_overcommitted(agreed: dict[str, float], listings: dict, kind: str) -> None:
    for listing_id, quantity in sorted(agreed.items()):
        listing = listings[listing_id]
        open_quantity = listing.quantity - listing.committed
        if quantity > open_quantity * (1 + 1e-9) + 1e-9:
            raise MatchingError(
                Message(N_("%(kind)s %(listing_id)r: agreed links total %(quantity)g, more than its open "
                           "%(open_quantity)g"),
                        kind=kind, listing_id=listing_id, quantity=quantity, open_quantity=open_quantity),
                field="quantity", where=f"{kind} {listing_id!r}",
            )
