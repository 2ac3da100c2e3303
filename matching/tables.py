"""The run's input as sorted tables and columns: the **index** step of ``run_matching``.

Everything is sorted by id, so the output never depends on input order, and turned into NumPy
columns by position. Agreements are subtracted here: what an offer, a want or a hazardous-waste
permit has left is what the candidates and the allocation work with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from matching.candidates import unit_vectors
from matching.feasibility import WantLimit, battery_bits, category_orders, day_number, parse_want_quality, permit_state
from matching.knowledge.knowledge_base import Knowledge
from matching.knowledge.models import Route
from matching.knowledge.unclassified import is_unclassified
from matching.scoring import ALL_MODES, mode_mask
from matching.types import SITE_ACCESS, Agreement, MatchOptions, Offer, Site, Want

__all__ = ["InputTables", "access_mask", "listing_unit"]

# The unit of an unclassified stream whose listing gives none.
DEFAULT_UNIT = "t"


def listing_unit(code: str, given: str | None, knowledge: Knowledge) -> str:
    """The base unit of a listing's material: the knowledge base's, or for an unclassified stream the listing's.

    Examples
    --------
    >>> from matching.knowledge.loader import load_knowledge
    >>> kb = load_knowledge()
    >>> listing_unit("coal-fly-ash", "m3", kb), listing_unit("name:whey", "m3", kb), listing_unit("name:whey", None, kb)
    ('t', 'm3', 't')
    """
    material = knowledge.materials.get(code)
    if material is None and is_unclassified(code):
        return given or DEFAULT_UNIT
    return material.unit  # type: ignore[union-attr]  (validate_inputs let no other code through)


def access_mask(site: Site) -> int:
    """Bit mask of the transport modes a site's declared access opens (rail siding, quay, pipeline).

    Examples
    --------
    >>> access_mask(Site("S", 117.0, 31.0, "4411", transport_access=("quay", "rail"))) == mode_mask(["rail", "barge"])
    True
    """
    return mode_mask([SITE_ACCESS[access] for access in site.transport_access if access in SITE_ACCESS])


@dataclass(eq=False)
class InputTables:
    """Sorted inputs and their columns."""

    sites: tuple[Site, ...]
    offers: tuple[Offer, ...]
    wants: tuple[Want, ...]
    routes: tuple[Route, ...]
    route_pos: dict[str, int]
    site_pos: dict[str, int]
    site_xyz: NDArray[np.float64]
    site_park: NDArray[np.int64]
    site_sector: NDArray[np.int64]       # index into sector_values
    sector_values: list[tuple[str, ...]]  # every sector of a site, main first
    site_access: NDArray[np.uint8]        # modes the site's declared access opens (bit mask)
    site_battery: NDArray[np.uint8]
    site_permit: NDArray[np.int8]         # PERMIT_* state
    permit_left_t: NDArray[np.float64]
    o_site: NDArray[np.intp]
    o_available: NDArray[np.float64]
    o_price: NDArray[np.float64]
    o_from: NDArray[np.int64]
    o_to: NDArray[np.int64]
    o_modes: NDArray[np.uint8]
    # Modes the supplier's declared access may add, where the receiver shares it (0 when the offer names its modes).
    o_access: NDArray[np.uint8]
    o_hazard: list[str | None]
    w_site: NDArray[np.intp]
    w_available: NDArray[np.float64]
    w_max_price: NDArray[np.float64]
    w_from: NDArray[np.int64]
    w_to: NDArray[np.int64]
    w_limits: list[tuple[WantLimit, ...]]
    w_hazardous: NDArray[np.bool_]
    w_limit_keys: list[frozenset[str]]
    # The unit a want's quantity is in: its listing's, else its first material's. It takes only materials in it.
    w_unit: list[str]
    agreed_by_unit: dict[str, float]
    # Agreed to receivers that posted no want, by (site position, material): a latent site's capacity
    # is taken by these before the run offers it more.
    latent_agreed: dict[tuple[int, str], float]
    units: list[str]
    o_unit: list[str]
    want_pos: dict[str, int]
    _sector_cache: dict[str, NDArray[np.bool_]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        offers: Sequence[Offer],
        wants: Sequence[Want],
        sites: Sequence[Site],
        routes: Sequence[Route],
        agreements: Sequence[Agreement],
        *,
        options: MatchOptions,
        knowledge: Knowledge,
    ) -> InputTables:
        sites_s = tuple(sorted(sites, key=lambda s: s.id))
        offers_s = tuple(sorted(offers, key=lambda o: o.id))
        wants_s = tuple(sorted(wants, key=lambda w: w.id))
        routes_s = tuple(sorted(routes, key=lambda r: r.id))
        site_pos = {site.id: i for i, site in enumerate(sites_s)}
        today = options.today

        parks = sorted({s.park for s in sites_s if s.park})
        park_pos = {park: i for i, park in enumerate(parks)}
        site_sectors = [s.all_sectors for s in sites_s]
        sector_values = sorted(set(site_sectors))
        sector_pos = {sectors: i for i, sectors in enumerate(sector_values)}

        agreed_out: dict[str, float] = defaultdict(float)
        agreed_in: dict[str, float] = defaultdict(float)
        hazardous_in_t: dict[str, float] = defaultdict(float)
        agreed_by_unit: dict[str, float] = defaultdict(float)
        latent_agreed: dict[tuple[int, str], float] = defaultdict(float)
        offer_by_id = {o.id: o for o in offers_s}
        for agreement in agreements:
            offer = offer_by_id[agreement.offer_id]
            material = knowledge.materials.get(offer.material)
            agreed_out[offer.id] += agreement.quantity
            agreed_by_unit[listing_unit(offer.material, offer.unit, knowledge)] += agreement.quantity
            if agreement.want_id is not None:
                agreed_in[agreement.want_id] += agreement.quantity
            else:
                latent_agreed[(site_pos[agreement.receiver_site_id], offer.material)] += agreement.quantity
            if material is not None and material.hazardous:
                hazardous_in_t[agreement.receiver_site_id] += agreement.quantity

        permit_states = [
            permit_state(s.permit, today=today, used_t=hazardous_in_t.get(s.id, 0.0)) for s in sites_s
        ]
        permit_left = [
            max(s.permit.capacity_t - s.permit.used_t - hazardous_in_t.get(s.id, 0.0), 0.0) if s.permit else 0.0
            for s in sites_s
        ]
        default_modes = ALL_MODES if options.transport_modes is None else mode_mask(options.transport_modes)

        def hazard_of(offer: Offer) -> str | None:
            material = knowledge.materials.get(offer.material)
            if material is None:  # an unclassified stream is hazardous when its listing gives a hazard code
                return offer.hazard_code
            if not material.hazardous:
                return None
            return offer.hazard_code or material.hw_codes[0]

        o_unit = [listing_unit(o.material, o.unit, knowledge) for o in offers_s]
        units = sorted({m.unit for m in knowledge.materials.values()} | set(o_unit))
        w_limits = [
            parse_want_quality(w.quality, order_for=category_orders(
                [m for m in w.materials if m in knowledge.materials], knowledge))
            for w in wants_s
        ]
        site_access = [access_mask(s) if s.transport_access else 0 for s in sites_s]
        # Only the options' default modes widen with shared access; an offer naming its modes is held to them,
        # and with every mode allowed there is nothing to add.
        widen = options.transport_modes is not None
        return cls(
            sites=sites_s,
            offers=offers_s,
            wants=wants_s,
            routes=routes_s,
            route_pos={route.id: i for i, route in enumerate(routes_s)},
            site_pos=site_pos,
            site_xyz=unit_vectors([s.lon for s in sites_s], [s.lat for s in sites_s]).reshape(-1, 3),
            site_park=np.array([park_pos.get(s.park, -1) if s.park else -1 for s in sites_s], dtype=np.int64),
            site_sector=np.array([sector_pos[sectors] for sectors in site_sectors], dtype=np.int64),
            sector_values=sector_values,
            site_access=np.array(site_access, dtype=np.uint8),
            site_battery=np.array([battery_bits(s.battery_listing) for s in sites_s], dtype=np.uint8),
            site_permit=np.array(permit_states, dtype=np.int8),
            permit_left_t=np.array(permit_left, dtype=np.float64),
            o_site=np.array([site_pos[o.site_id] for o in offers_s], dtype=np.intp),
            o_available=np.array(
                [max(o.quantity - o.committed - agreed_out.get(o.id, 0.0), 0.0) for o in offers_s], dtype=np.float64
            ),
            o_price=np.array([np.nan if o.price_cny is None else o.price_cny for o in offers_s], dtype=np.float64),
            o_from=np.array([day_number(o.available_from, open_end="low") for o in offers_s], dtype=np.int64),
            o_to=np.array([day_number(o.available_to, open_end="high") for o in offers_s], dtype=np.int64),
            o_modes=np.array(
                [mode_mask(o.transport_modes) if o.transport_modes else default_modes for o in offers_s], dtype=np.uint8
            ),
            o_access=np.array(
                [site_access[site_pos[o.site_id]] if widen and not o.transport_modes else 0 for o in offers_s],
                dtype=np.uint8,
            ),
            o_hazard=[hazard_of(o) for o in offers_s],
            w_site=np.array([site_pos[w.site_id] for w in wants_s], dtype=np.intp),
            w_available=np.array(
                [max(w.quantity - w.committed - agreed_in.get(w.id, 0.0), 0.0) for w in wants_s], dtype=np.float64
            ),
            w_max_price=np.array(
                [np.nan if w.max_price_cny is None else w.max_price_cny for w in wants_s], dtype=np.float64
            ),
            w_from=np.array([day_number(w.available_from, open_end="low") for w in wants_s], dtype=np.int64),
            w_to=np.array([day_number(w.available_to, open_end="high") for w in wants_s], dtype=np.int64),
            w_limits=w_limits,
            w_hazardous=np.array(
                [any(m in knowledge.materials and knowledge.materials[m].hazardous for m in w.materials)
                 for w in wants_s], dtype=bool
            ),
            w_limit_keys=[frozenset(limit.key for limit in limits) for limits in w_limits],
            w_unit=[w.unit or listing_unit(w.materials[0], None, knowledge) for w in wants_s],
            agreed_by_unit=dict(agreed_by_unit),
            latent_agreed=dict(latent_agreed),
            units=units,
            o_unit=o_unit,
            want_pos={w.id: i for i, w in enumerate(wants_s)},
        )

    def sector_match(self, route: Route) -> NDArray[np.bool_]:
        """Per site: is one of its sectors (main or other) one of the route's user sectors (by prefix)?"""
        cached = self._sector_cache.get(route.id)
        if cached is None:
            by_sector = np.array(
                [any(value.startswith(code) for value in values for code in route.user_sectors)
                 for values in self.sector_values],
                dtype=bool,
            )
            cached = by_sector[self.site_sector]
            self._sector_cache[route.id] = cached
        return cached

    def pair_modes(self, offer: NDArray[np.intp], site: NDArray[np.intp]) -> NDArray[np.uint8]:
        """Per pair, the transport modes usable: the offer's (or the default), plus what both sites' access opens."""
        return self.o_modes[offer] | (self.o_access[offer] & self.site_access[site])

    def park_number(self, park: str) -> int:
        """Position of ``park`` among the sites' parks; -2 (matching no site) when no site is in it."""
        parks = sorted({s.park for s in self.sites if s.park})
        return parks.index(park) if park in parks else -2
