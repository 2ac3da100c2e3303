"""``run_matching``: offers, wants, sites and routes in; proposed links, counts and timings out.

The run, step by step (each timed in :attr:`RunSummary.timings_s`):

1. **validate** the input (:mod:`matching.validate`); nothing else runs on bad input.
2. **index**: sort everything by id (the output never depends on input order) and turn it into arrays.
3. per offer material, **candidates**: the nearest ``candidate_pool`` receivers within the largest
   radius of the material's routes (:mod:`matching.candidates`), posted wants and latent receivers apart;
4. **feasibility**: window, price, hazardous permit, want quality, then per route: sector, battery
   listing, route quality, distance (:mod:`matching.feasibility`); each dropped pair counted once, by
   the first check it fails (for route checks: the furthest any route got);
5. **scoring**: the best feasible route per pair (:mod:`matching.scoring`); uneconomic pairs dropped;
6. **select**: the ``k_per_offer`` best-scoring candidates per offer;
7. **allocate**: posted wants first, then latent receivers with what is left (:mod:`matching.allocate`);
8. **links**: every arc with flow becomes a :class:`Link` with its explanation (:mod:`matching.explain`);
9. **network**: cascades, couplings and keystone sites over proposed and agreed links.
"""

from __future__ import annotations

import functools
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from geo.distance import great_circle_km
from matching.allocate import FlowProblem, allocate
from matching.candidates import nearest_within, unit_vectors
from matching.explain import LinkFacts, explain
from matching.feasibility import (
    ORDERED_CATEGORIES,
    PERMIT_EXPIRED,
    PERMIT_FULL,
    PERMIT_NONE,
    ROUTE_BATTERY_BIT,
    QualityColumns,
    WantLimit,
    battery_bits,
    day_number,
    parse_want_quality,
    permit_covers,
    permit_state,
    route_quality,
    want_quality,
    windows_overlap,
)
from matching.knowledge.loader import Knowledge, Route, load_knowledge
from matching.network import analyse_network
from matching.scoring import choose_mode, link_coupling, mode_mask, park_flags
from matching.types import (
    DROP_REASONS,
    TRANSPORT_MODES,
    Agreement,
    Candidate,
    Link,
    MatchOptions,
    Offer,
    Result,
    RunSummary,
    Site,
    Want,
)
from matching.validate import validate_inputs, validate_options

__all__ = ["run_matching"]

STEPS = ("validate", "index", "candidates", "feasibility", "scoring", "select", "allocate", "links", "network")
_ALL_MODES = mode_mask(TRANSPORT_MODES)
# Route-level failure stages, in check order; a pair that fails every route is counted at the furthest.
_ROUTE_STAGES = ("sector", "battery_listing", "quality_route", "distance", "uneconomic")
# Offers of one material are examined this many at a time, to bound memory on large runs.
_OFFER_CHUNK = 25_000


def run_matching(
    offers: Sequence[Offer],
    wants: Sequence[Want],
    sites: Sequence[Site],
    routes: Sequence[Route],
    *,
    options: MatchOptions,
    knowledge: Knowledge | None = None,
    agreements: Sequence[Agreement] = (),
) -> Result:
    """Match offers to wants (and, in latent mode, to sites that posted none) and allocate quantities.

    Parameters
    ----------
    offers, wants, sites
        The listings and every site they, and latent receivers, are at.
    routes
        The utilisation routes to use (usually ``load_knowledge().routes``).
    options
        See :class:`~matching.types.MatchOptions`.
    knowledge
        Materials (lineage, units, hazard flags); the shipped knowledge base when ``None``.
    agreements
        Links both sides accepted: fixed, their quantities reduce what offers, wants and permits have left.

    Returns
    -------
    Result
        Proposed links (sorted by supplier site, offer, receiver), agreed links re-scored, what each
        offer still has unplaced, the run summary and the network analysis.

    Raises
    ------
    MatchingError
        On any bad input, naming the listing, site, agreement or option at fault.

    Examples
    --------
    >>> import datetime as dt
    >>> kb = load_knowledge()
    >>> sites = [Site("PWR", 116.90, 32.80, "4411"), Site("CEM", 117.00, 32.70, "3011")]
    >>> offers = [Offer("O1", "PWR", "coal-fly-ash", 10000.0, {"loi_pct": 5.0}, price_cny=20.0)]
    >>> wants = [Want("W1", "CEM", ("coal-fly-ash",), 6000.0, {"loi_pct_max": 8.0}, max_price_cny=70.0)]
    >>> result = run_matching(offers, wants, sites, kb.routes, options=MatchOptions(today=dt.date(2026, 1, 1)))
    >>> [(link.want_id, link.quantity, link.route_id) for link in result.links]
    [('W1', 6000.0, 'fly-ash-cement-admixture')]
    >>> result.landfill
    {'O1': 4000.0}
    """
    validate_options(options)
    steps = _Steps(trace=options.trace_memory)
    try:
        with steps("validate"):
            kb = knowledge or load_knowledge()
            validate_inputs(offers, wants, sites, routes, agreements, knowledge=kb)
        with steps("index"):
            tables = _Tables.build(offers, wants, sites, routes, agreements, options=options, knowledge=kb)
        found = _find_candidates(tables, options=options, knowledge=kb, steps=steps)
        with steps("allocate"):
            placed, solver = _allocate(tables, found, options=options)
        with steps("links"):
            links = _links(tables, found, placed, knowledge=kb)
            agreed = _agreed_links(tables, agreements, options=options, knowledge=kb)
            landfill = _landfill(tables, found, placed)
        with steps("network"):
            network = analyse_network(
                [*links, *agreed],
                exact_max_nodes=options.betweenness_exact_max_nodes,
                samples=options.betweenness_samples,
                seed=options.seed,
            )
    finally:
        steps.close()
    summary = _summary(tables, found, placed, links, agreed, landfill, solver, steps, options=options, knowledge=kb)
    return Result(
        links=tuple(links),
        agreed=tuple(agreed),
        landfill={offer_id: quantity for offer_id, quantity in landfill.items() if quantity > 0},
        summary=summary,
        network=network,
        candidates=found.as_candidates(tables) if options.keep_candidates else (),
    )


# --------------------------------------------------------------------------- timing


class _Steps:
    """Wall time and (optionally) peak traced memory per step, summed over repeated entries."""

    def __init__(self, *, trace: bool) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.peak_mb: dict[str, float] = defaultdict(float)
        self.trace = trace
        self._started_tracing = False
        self._start = time.perf_counter()
        if trace and not tracemalloc.is_tracing():
            tracemalloc.start()
            self._started_tracing = True

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        if self.trace:
            tracemalloc.reset_peak()
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - start
            if self.trace:
                peak = tracemalloc.get_traced_memory()[1] / 2**20
                self.peak_mb[name] = max(self.peak_mb[name], peak)

    def close(self) -> None:
        self.seconds["total"] = time.perf_counter() - self._start
        if self.trace:
            self.peak_mb["total"] = max(self.peak_mb.values(), default=0.0)
        if self._started_tracing:
            tracemalloc.stop()
            self._started_tracing = False


# --------------------------------------------------------------------------- input tables


@dataclass(eq=False)
class _Tables:
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
    sector_values: list[str]
    site_battery: NDArray[np.uint8]
    site_permit: NDArray[np.int8]         # PERMIT_* state
    permit_left_t: NDArray[np.float64]
    o_site: NDArray[np.intp]
    o_available: NDArray[np.float64]
    o_price: NDArray[np.float64]
    o_from: NDArray[np.int64]
    o_to: NDArray[np.int64]
    o_modes: NDArray[np.uint8]
    o_hazard: list[str | None]
    w_site: NDArray[np.intp]
    w_available: NDArray[np.float64]
    w_max_price: NDArray[np.float64]
    w_from: NDArray[np.int64]
    w_to: NDArray[np.int64]
    w_limits: list[tuple[WantLimit, ...]]
    w_hazardous: NDArray[np.bool_]
    w_limit_keys: list[frozenset[str]]
    agreed_by_unit: dict[str, float]
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
    ) -> _Tables:
        sites_s = tuple(sorted(sites, key=lambda s: s.id))
        offers_s = tuple(sorted(offers, key=lambda o: o.id))
        wants_s = tuple(sorted(wants, key=lambda w: w.id))
        routes_s = tuple(sorted(routes, key=lambda r: r.id))
        site_pos = {site.id: i for i, site in enumerate(sites_s)}
        today = options.today

        parks = sorted({s.park for s in sites_s if s.park})
        park_pos = {park: i for i, park in enumerate(parks)}
        sector_values = sorted({s.sector or "" for s in sites_s})
        sector_pos = {sector: i for i, sector in enumerate(sector_values)}

        agreed_out: dict[str, float] = defaultdict(float)
        agreed_in: dict[str, float] = defaultdict(float)
        hazardous_in_t: dict[str, float] = defaultdict(float)
        agreed_by_unit: dict[str, float] = defaultdict(float)
        offer_by_id = {o.id: o for o in offers_s}
        for agreement in agreements:
            offer = offer_by_id[agreement.offer_id]
            material = knowledge.materials[offer.material]
            agreed_out[offer.id] += agreement.quantity
            agreed_by_unit[material.unit] += agreement.quantity
            if agreement.want_id is not None:
                agreed_in[agreement.want_id] += agreement.quantity
            if material.hazardous:
                hazardous_in_t[agreement.receiver_site_id] += agreement.quantity

        permit_states = [
            permit_state(s.permit, today=today, used_t=hazardous_in_t.get(s.id, 0.0)) for s in sites_s
        ]
        permit_left = [
            max(s.permit.capacity_t - s.permit.used_t - hazardous_in_t.get(s.id, 0.0), 0.0) if s.permit else 0.0
            for s in sites_s
        ]
        default_modes = _ALL_MODES if options.transport_modes is None else mode_mask(options.transport_modes)

        def hazard_of(offer: Offer) -> str | None:
            material = knowledge.materials[offer.material]
            if not material.hazardous:
                return None
            return offer.hazard_code or material.hw_codes[0]

        units = sorted({m.unit for m in knowledge.materials.values()})
        w_limits = [parse_want_quality(w.quality, order_for=_orders(w.materials, knowledge)) for w in wants_s]
        return cls(
            sites=sites_s,
            offers=offers_s,
            wants=wants_s,
            routes=routes_s,
            route_pos={route.id: i for i, route in enumerate(routes_s)},
            site_pos=site_pos,
            site_xyz=unit_vectors([s.lon for s in sites_s], [s.lat for s in sites_s]).reshape(-1, 3),
            site_park=np.array([park_pos.get(s.park, -1) if s.park else -1 for s in sites_s], dtype=np.int64),
            site_sector=np.array([sector_pos[s.sector or ""] for s in sites_s], dtype=np.int64),
            sector_values=sector_values,
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
                [any(knowledge.materials[m].hazardous for m in w.materials) for w in wants_s], dtype=bool
            ),
            w_limit_keys=[frozenset(limit.key for limit in limits) for limits in w_limits],
            agreed_by_unit=dict(agreed_by_unit),
            units=units,
            o_unit=[knowledge.materials[o.material].unit for o in offers_s],
            want_pos={w.id: i for i, w in enumerate(wants_s)},
        )

    def sector_match(self, route: Route) -> NDArray[np.bool_]:
        """Per site: is its sector one of the route's user sectors (by prefix)?"""
        cached = self._sector_cache.get(route.id)
        if cached is None:
            by_sector = np.array(
                [bool(value) and any(value.startswith(code) for code in route.user_sectors)
                 for value in self.sector_values],
                dtype=bool,
            )
            cached = by_sector[self.site_sector]
            self._sector_cache[route.id] = cached
        return cached


def _orders(materials: Sequence[str], knowledge: Knowledge) -> dict[str, tuple[str, ...]]:
    orders: dict[str, tuple[str, ...]] = {}
    for code in materials:
        for each in (code, *knowledge.ancestors(code)):
            for (material, key), order in ORDERED_CATEGORIES.items():
                if material == each:
                    orders.setdefault(key, order)
    return orders


# --------------------------------------------------------------------------- candidates


_COLUMNS = (
    ("offer", np.intp), ("want", np.intp), ("site", np.intp), ("route", np.intp), ("mode", np.int8),
    ("distance_km", np.float64), ("road_km", np.float64), ("avoided", np.float64), ("price", np.float64),
    ("transport", np.float64), ("disposal", np.float64), ("net", np.float64), ("co2", np.float64),
    ("score", np.float64), ("substitute", np.bool_), ("latent", np.bool_),
)


@dataclass(eq=False)
class _Found:
    """Candidates kept after selection (one column per field), and the counts on the way."""

    columns: dict[str, NDArray] = field(default_factory=dict)
    pairs_in_radius: int = 0
    cut_by_pool: int = 0
    examined: int = 0
    dropped: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DROP_REASONS, 0))
    feasible: int = 0
    cut_by_k: int = 0
    offers_without_route: int = 0
    latent_receivers: int = 0
    _parts: list[dict[str, NDArray]] = field(default_factory=list)

    def add(self, part: dict[str, NDArray]) -> None:
        if len(part["offer"]):
            self._parts.append(part)

    def finish(self) -> None:
        self.columns = {
            name: np.concatenate([part[name] for part in self._parts]) if self._parts else np.empty(0, dtype=dtype)
            for name, dtype in _COLUMNS
        }
        self._parts.clear()

    def __len__(self) -> int:
        return len(self.columns.get("offer", ()))

    def as_candidates(self, tables: _Tables) -> tuple[Candidate, ...]:
        c = self.columns
        return tuple(
            Candidate(
                offer_id=tables.offers[c["offer"][i]].id,
                receiver_site_id=tables.sites[c["site"][i]].id,
                want_id=tables.wants[c["want"][i]].id if c["want"][i] >= 0 else None,
                route_id=tables.routes[c["route"][i]].id,
                mode=TRANSPORT_MODES[c["mode"][i]],
                distance_km=float(c["distance_km"][i]),
                road_km=float(c["road_km"][i]),
                avoided_cost_cny_per_unit=float(c["avoided"][i]),
                price_cny_per_unit=float(c["price"][i]),
                transport_cny_per_unit=float(c["transport"][i]),
                disposal_avoided_cny_per_unit=float(c["disposal"][i]),
                net_benefit_cny_per_unit=float(c["net"][i]),
                co2_avoided_t_per_unit=float(c["co2"][i]),
                score=float(c["score"][i]),
                latent=bool(c["latent"][i]),
                substitute=bool(c["substitute"][i]),
            )
            for i in range(len(self))
        )


def _find_candidates(tables: _Tables, *, options: MatchOptions, knowledge: Knowledge, steps: _Steps) -> _Found:
    found = _Found()
    with steps("candidates"):
        accepting = _accepting_wants(tables, options=options, knowledge=knowledge)
        materials = sorted({o.material for o in tables.offers})
        by_material: dict[str, list[int]] = defaultdict(list)
        for position, o in enumerate(tables.offers):
            by_material[o.material].append(position)
        latent_sites: set[int] = set()
    for material in materials:
        with steps("candidates"):
            lineage = {material, *knowledge.ancestors(material)}
            routes = [r for r in tables.routes if lineage.intersection(r.materials)]
            offer_ids = np.array(by_material[material], dtype=np.intp)
            offer_ids = offer_ids[tables.o_available[offer_ids] > 0]
            if len(offer_ids) == 0:
                continue
            if not routes:
                found.offers_without_route += len(offer_ids)
                continue
            wanted = accepting.get(material, {})
            want_ids = np.array(sorted(w for w in wanted if tables.w_available[w] > 0), dtype=np.intp)
            substitute = np.array([wanted[w] for w in want_ids.tolist()], dtype=bool)
            latent_ids = np.empty(0, dtype=np.intp)
            if options.latent:
                posted = {int(tables.w_site[w]) for w in wanted}
                users = np.zeros(len(tables.sites), dtype=bool)
                for route in routes:
                    users |= tables.sector_match(route)
                latent_ids = np.array([s for s in np.flatnonzero(users).tolist() if s not in posted], dtype=np.intp)
                latent_sites.update(latent_ids.tolist())
            context = _MaterialContext(tables, material, routes, offer_ids, options=options, knowledge=knowledge)
        for start in range(0, len(offer_ids), _OFFER_CHUNK):
            chunk = offer_ids[start:start + _OFFER_CHUNK]
            if len(want_ids):
                context.match(chunk, tables.w_site[want_ids], want_ids, substitute, found=found, steps=steps)
            if len(latent_ids):
                context.match(chunk, latent_ids, None, None, found=found, steps=steps)
    found.latent_receivers = len(latent_sites)
    found.finish()
    return found


def _accepting_wants(
    tables: _Tables, *, options: MatchOptions, knowledge: Knowledge
) -> dict[str, dict[int, bool]]:
    """Offer material -> {want position: served as a substitute?}; a direct match wins over a substitute."""
    offered = {o.material for o in tables.offers}
    descendants = functools.lru_cache(maxsize=None)(knowledge.descendants)
    alternatives = functools.lru_cache(maxsize=None)(knowledge.alternatives)
    accepting: dict[str, dict[int, bool]] = defaultdict(dict)
    for position, want in enumerate(tables.wants):
        for accepted in want.materials:
            for code in (accepted, *descendants(accepted)):
                if code in offered:
                    accepting[code][position] = False
        if options.allow_substitutes:
            for accepted in want.materials:
                for alternative in alternatives(accepted):
                    for code in (alternative, *descendants(alternative)):
                        if code in offered:
                            accepting[code].setdefault(position, True)
    return accepting


class _MaterialContext:
    """Everything about one offer material that does not depend on the receiver: routes, radii, route quality."""

    def __init__(
        self,
        tables: _Tables,
        material: str,
        routes: list[Route],
        offer_ids: NDArray[np.intp],
        *,
        options: MatchOptions,
        knowledge: Knowledge,
    ) -> None:
        self.tables = tables
        self.material = knowledge.materials[material]
        self.routes = routes
        self.options = options
        self.offer_ids = offer_ids
        self.quality = QualityColumns([tables.offers[o].quality for o in offer_ids.tolist()])
        self.freight = float(options.freight_t_per_unit.get(self.material.unit, 1.0))
        cap = options.max_radius_km
        # How far up the material's lineage each route sits: 0 = written for this material itself.
        lineage = (material, *knowledge.ancestors(material))
        self.specificity = [
            min(lineage.index(code) for code in route.materials if code in lineage) for route in routes
        ]
        self.radii = [
            {mode: (radius if cap is None else min(radius, cap)) for mode, radius in route.transport}
            for route in routes
        ]
        modes_used = int(np.bitwise_or.reduce(tables.o_modes[offer_ids])) if len(offer_ids) else 0
        usable = [
            radius for radii in self.radii for mode, radius in radii.items()
            if modes_used >> TRANSPORT_MODES.index(mode) & 1
        ]
        self.search_km = max(usable, default=-1.0) / options.detour_factor
        self.route_quality = [route_quality(route.quality_limits, self.quality) for route in routes]
        order_for: dict[str, tuple[str, ...]] = {}
        for each in (material, *knowledge.ancestors(material)):
            for (code, key), order in ORDERED_CATEGORIES.items():
                if code == each:
                    order_for.setdefault(key, order)
        self.order_for = order_for

    def match(
        self,
        chunk: NDArray[np.intp],
        receiver_sites: NDArray[np.intp],
        want_ids: NDArray[np.intp] | None,
        substitute: NDArray[np.bool_] | None,
        *,
        found: _Found,
        steps: _Steps,
    ) -> None:
        """Find, check, score and select candidates of ``chunk`` offers among these receivers."""
        t, options = self.tables, self.options
        latent = want_ids is None
        with steps("candidates"):
            if self.search_km < 0:
                return
            block = nearest_within(
                t.site_xyz[t.o_site[chunk]], t.site_xyz[receiver_sites],
                radius_km=self.search_km, pool=options.candidate_pool,
            )
            found.pairs_in_radius += block.in_radius
            found.cut_by_pool += block.in_radius - len(block)
            offer = chunk[block.query]
            entry = block.index
            site = receiver_sites[entry]
            distance_km = block.distance_km
            if options.park is not None:
                park = t.site_park
                wanted = _park_number(t, options.park)
                keep = (park[t.o_site[offer]] == wanted) | (park[site] == wanted)
                offer, entry, site, distance_km = offer[keep], entry[keep], site[keep], distance_km[keep]
            found.examined += len(offer)

        with steps("feasibility"):
            alive = np.ones(len(offer), dtype=bool)
            dropped = found.dropped

            def drop(reason: str, failing: NDArray[np.bool_]) -> None:
                hit = alive & failing
                dropped[reason] += int(hit.sum())
                alive[hit] = False

            drop("same_site", t.o_site[offer] == site)
            want = want_ids[entry] if not latent else np.full(len(offer), -1, dtype=np.intp)
            if latent:
                drop("window", t.o_to[offer] < options.today.toordinal())
            else:
                drop("window", ~windows_overlap(t.o_from[offer], t.o_to[offer], t.w_from[want], t.w_to[want],
                                                today=options.today))
                price, ceiling = t.o_price[offer], t.w_max_price[want]
                drop("price", ~np.isnan(price) & ~np.isnan(ceiling) & (price > ceiling))
            if self.material.hazardous:
                state = t.site_permit[site]
                drop("permit_missing", state == PERMIT_NONE)
                codes = sorted({t.o_hazard[o] for o in offer.tolist()})
                code_index = np.searchsorted(np.array(codes, dtype=object), np.array([t.o_hazard[o] for o in offer.tolist()], dtype=object))
                drop("permit_code", ~permit_covers(t.sites, site, codes, code_index))
                drop("permit_expired", state == PERMIT_EXPIRED)
                drop("permit_capacity", state == PERMIT_FULL)
            local = np.searchsorted(self.offer_ids, offer)  # offer_ids ascend: position = local index
            if not latent:
                fails, unknown = want_quality(local, want, self.quality, t.w_limits, order_for=self.order_for)
                drop("quality_want", fails)
                if options.require_quality_data:
                    drop("quality_unknown", unknown)

            idx = np.flatnonzero(alive)
            offer, want, site, local, distance_km = offer[idx], want[idx], site[idx], local[idx], distance_km[idx]
            entry = entry[idx]
            road_km = distance_km * options.detour_factor
            is_substitute = substitute[entry] if substitute is not None else np.zeros(len(offer), dtype=bool)
            sector_ok = [route_match[site] for route_match in (t.sector_match(r) for r in self.routes)]
            any_sector = np.logical_or.reduce(sector_ok) if sector_ok else np.zeros(len(offer), dtype=bool)
            # A posted want proves the use even when no route lists the site's sector; latent receivers
            # and substitutes have only the routes' word, so they need the sector.
            fallback = ~any_sector & ~is_substitute & (not latent)
            # A material inherits its parents' routes only for sectors its own routes do not serve: carbide
            # slag goes to a cement works by its own route (radius, disposal cost), never by chemical waste's.
            nearest_lineage = np.full(len(offer), np.iinfo(np.int64).max, dtype=np.int64)
            for r, matches in enumerate(sector_ok):
                nearest_lineage = np.where(matches, np.minimum(nearest_lineage, self.specificity[r]), nearest_lineage)

        n = len(offer)
        best = {name: np.zeros(n, dtype=dtype) for name, dtype in _COLUMNS}
        best["route"][:] = -1
        best["score"][:] = -np.inf
        best_specificity = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        best_breadth = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        stage_max = np.zeros(n, dtype=np.int8)
        min_net = options.min_net_benefit_cny_per_unit
        for r, route in enumerate(self.routes):
            with steps("feasibility"):
                stage = np.zeros(n, dtype=np.int8)
                ok = (sector_ok[r] & (nearest_lineage == self.specificity[r])) | fallback
                stage[ok] = 1
                bit = ROUTE_BATTERY_BIT.get(route.receiver_licence)
                if bit is not None:
                    ok &= (t.site_battery[site] & bit) != 0
                stage[ok] = 2
                q_fails, q_unknown = self.route_quality[r]
                q_bad = q_fails[local] | (q_unknown[local] if options.require_quality_data else False)
                ok &= ~q_bad
                stage[ok] = 3
                choice = choose_mode(
                    road_km, radius_km=self.radii[r], allowed=t.o_modes[offer], freight_t_per_unit=self.freight,
                    cny_per_t_km=options.transport_cny_per_t_km, co2_kg_per_t_km=options.transport_co2_kg_per_t_km,
                )
                ok &= choice.feasible
                stage[ok] = 4
            with steps("scoring"):
                replaced = route.replaces.price_cny * route.replacement_ratio
                ceiling = t.w_max_price[want] if not latent else np.full(n, np.nan)
                avoided = np.where(np.isnan(ceiling), replaced, ceiling)
                price = t.o_price[offer]
                price = np.where(np.isnan(price), route.typical_price_cny_per_unit, price)
                transport = np.where(choice.feasible, choice.cny_per_unit, 0.0)
                disposal = route.supplier_disposal_cost_cny_per_unit
                net = avoided - price - transport + disposal
                co2 = route.co2_avoided_t_per_unit - choice.co2_t_per_unit
                score = net + options.co2_price_cny_per_t * co2
                # A route written for the material itself beats one inherited from a parent, even when the
                # parent's figures look better (carbide slag's own cement route, with carbide slag's disposal
                # cost, over the generic chemical-waste one); among equals, the higher score. The economic
                # test comes after, on the route chosen.
                # Equal scores go to the route that names fewer sectors, the one closer to this receiver's
                # use (plasterboard rather than "plaster or plasterboard" at a plasterboard works).
                specificity, breadth = self.specificity[r], len(route.user_sectors)
                tie = np.abs(score - best["score"]) <= 1e-9 * np.maximum(np.abs(score), 1.0)
                better = ok & (
                    (specificity < best_specificity)
                    | ((specificity == best_specificity) & ((score > best["score"]) & ~tie | tie & (breadth < best_breadth)))
                )
                best_specificity = np.where(better, specificity, best_specificity)
                best_breadth = np.where(better, breadth, best_breadth)
                for name, values in (
                    ("route", t.route_pos[route.id]), ("mode", choice.mode), ("avoided", avoided), ("price", price),
                    ("transport", transport), ("disposal", disposal), ("net", net), ("co2", co2), ("score", score),
                ):
                    best[name] = np.where(better, values, best[name]).astype(best[name].dtype)
                np.maximum(stage_max, stage, out=stage_max)

        with steps("feasibility"):
            routed = best["route"] >= 0
            passed = routed if min_net is None else routed & (best["net"] >= min_net)
            dropped["uneconomic"] += int((routed & ~passed).sum())
            for number, reason in enumerate(_ROUTE_STAGES[:-1]):
                dropped[reason] += int(((stage_max == number) & ~routed).sum())
            found.feasible += int(passed.sum())

        with steps("select"):
            keep = np.flatnonzero(passed)
            # Best score first within each offer; ties go to the nearer receiver, then to the lower position.
            order = np.lexsort((site[keep], distance_km[keep], -best["score"][keep], offer[keep]))
            keep = keep[order]
            offer_sorted = offer[keep]
            first = np.r_[True, offer_sorted[1:] != offer_sorted[:-1]] if len(keep) else np.empty(0, dtype=bool)
            group_start = np.maximum.accumulate(np.where(first, np.arange(len(keep)), 0)) if len(keep) else first
            rank = np.arange(len(keep)) - group_start
            selected = keep[rank < options.k_per_offer]
            found.cut_by_k += len(keep) - len(selected)
            part = {name: best[name][selected] for name in best}
            part.update(
                offer=offer[selected], want=want[selected], site=site[selected], distance_km=distance_km[selected],
                road_km=road_km[selected], substitute=is_substitute[selected],
                latent=np.full(len(selected), latent, dtype=bool),
            )
            found.add(part)


def _park_number(tables: _Tables, park: str) -> int:
    parks = sorted({s.park for s in tables.sites if s.park})
    return parks.index(park) if park in parks else -2


# --------------------------------------------------------------------------- allocation


@dataclass(eq=False)
class _Placed:
    flow: NDArray[np.float64]                 # per candidate
    offer_placed: NDArray[np.float64]         # per offer


def _allocate(tables: _Tables, found: _Found, *, options: MatchOptions) -> tuple[_Placed, str]:
    c = found.columns
    flow = np.zeros(len(found), dtype=np.float64)
    offer_placed = np.zeros(len(tables.offers), dtype=np.float64)
    unit_code = {unit: i for i, unit in enumerate(tables.units)}
    offer_unit = np.array([unit_code[unit] for unit in tables.o_unit], dtype=np.int64)
    permit_sites = sorted({int(s) for s in c["site"][_hazardous_arcs(tables, found)].tolist()})
    group_of_site = {site: g for g, site in enumerate(permit_sites)}
    group_left = np.array([tables.permit_left_t[s] for s in permit_sites], dtype=np.float64)
    solvers: list[str] = []
    hazardous_arc = _hazardous_arcs(tables, found)

    for latent in (False, True):
        arcs = np.flatnonzero(c["latent"] == latent)
        if len(arcs) == 0:
            continue
        if latent:
            # One receiver per (site, material): latent_capacity is what a site that posted nothing is
            # assumed to take of one material.
            pairs = [(s, tables.offers[o].material) for s, o in zip(c["site"][arcs].tolist(), c["offer"][arcs].tolist())]
            keys = sorted(set(pairs))
            receiver_of = {key: i for i, key in enumerate(keys)}
            arc_receiver = np.array([receiver_of[pair] for pair in pairs], dtype=np.intp)
            cap = np.inf if options.latent_capacity is None else options.latent_capacity
            capacity = np.full(len(keys), cap, dtype=np.float64)
            receiver_site = np.array([key[0] for key in keys], dtype=np.intp)
        else:
            arc_receiver = c["want"][arcs]
            capacity = tables.w_available.copy()
            receiver_site = tables.w_site
        receiver_hazardous = np.zeros(len(capacity), dtype=bool)
        receiver_hazardous[arc_receiver[hazardous_arc[arcs]]] = True
        receiver_group = np.array(
            [group_of_site[int(s)] if h else -1 for s, h in zip(receiver_site.tolist(), receiver_hazardous.tolist())],
            dtype=np.int64,
        )
        supply = np.maximum(tables.o_available - offer_placed, 0.0)
        problem = FlowProblem(
            supply=supply, offer_unit=offer_unit, capacity=capacity, receiver_group=receiver_group,
            group_capacity=group_left.copy(), arc_offer=c["offer"][arcs], arc_receiver=arc_receiver,
            arc_value=c["score"][arcs],
        )
        allocation = allocate(problem, solver=options.solver, networkx_max_arcs=options.networkx_max_arcs)
        solvers.append(allocation.solver)
        flow[arcs] = allocation.flow
        np.add.at(offer_placed, c["offer"][arcs], allocation.flow)
        used = np.zeros(len(group_left))
        grouped = receiver_group[arc_receiver] >= 0
        np.add.at(used, receiver_group[arc_receiver][grouped], allocation.flow[grouped])
        group_left = np.maximum(group_left - used, 0.0)
    return _Placed(flow, offer_placed), "+".join(dict.fromkeys(solvers)) or "none"


def _hazardous_arcs(tables: _Tables, found: _Found) -> NDArray[np.bool_]:
    hazardous_offer = np.array([h is not None for h in tables.o_hazard], dtype=bool)
    return hazardous_offer[found.columns["offer"]] if len(found) else np.zeros(0, dtype=bool)


# --------------------------------------------------------------------------- links


def _links(tables: _Tables, found: _Found, placed: _Placed, *, knowledge: Knowledge) -> list[Link]:
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
    coupling_of = functools.lru_cache(maxsize=None)(link_coupling)
    route_keys = [frozenset(limit.key for limit in route.quality_limits) for route in tables.routes]
    links = []
    for i in range(len(arcs)):
        offer = tables.offers[columns["offer"][i]]
        want_pos = columns["want"][i]
        want = tables.wants[want_pos] if want_pos >= 0 else None
        supplier = tables.sites[suppliers[i]]
        receiver = tables.sites[columns["site"][i]]
        route_pos = columns["route"][i]
        route = tables.routes[route_pos]
        material = knowledge.materials[offer.material]
        quantity = flows[i]
        mode = TRANSPORT_MODES[columns["mode"][i]]
        net_per_unit = columns["net"][i]
        transport = columns["transport"][i]
        road_km = columns["road_km"][i]
        coupling = coupling_of(route.coupling, supplier.sector, receiver.sector)
        facts = LinkFacts(
            supplier.name or supplier.id, supplier.name_en or supplier.name or supplier.id,
            receiver.name or receiver.id, receiver.name_en or receiver.name or receiver.id,
            material.name_zh, material.name_en, route.replaces.name_zh, route.replaces.name_en,
            quantity, material.unit, road_km, mode, transport, net_per_unit, net_per_unit * quantity,
            columns["co2"][i] * quantity, same[i], cross[i], coupling, columns["latent"][i], columns["substitute"][i],
        )
        zh, en = explain(facts)
        limited = route_keys[route_pos] if want is None else route_keys[route_pos] | tables.w_limit_keys[want_pos]
        links.append(Link(
            offer.id, supplier.id, want.id if want else None, receiver.id, offer.material, route.id, quantity,
            material.unit, columns["distance_km"][i], road_km, mode, transport * quantity, facts.net_benefit_cny,
            net_per_unit, facts.co2_avoided_t, columns["score"][i], same[i], cross[i], coupling, facts.latent,
            facts.substitute, tuple(sorted(key for key in limited if key not in offer.quality)), zh, en, "proposed",
        ))
    links.sort(key=lambda l: (l.supplier_site_id, l.offer_id, l.receiver_site_id, l.want_id or "", l.route_id or ""))
    return links


def _agreed_links(
    tables: _Tables, agreements: Sequence[Agreement], *, options: MatchOptions, knowledge: Knowledge
) -> list[Link]:
    """Agreements as links with today's numbers; no check can undo an agreement, so none is applied."""
    offer_pos = {o.id: i for i, o in enumerate(tables.offers)}
    links = []
    for agreement in agreements:
        o = offer_pos[agreement.offer_id]
        offer = tables.offers[o]
        material = knowledge.materials[offer.material]
        supplier = tables.sites[int(tables.o_site[o])]
        receiver = tables.sites[tables.site_pos[agreement.receiver_site_id]]
        want = tables.wants[tables.want_pos[agreement.want_id]] if agreement.want_id else None
        distance = float(great_circle_km(supplier.lon, supplier.lat, receiver.lon, receiver.lat))
        road_km = distance * options.detour_factor
        lineage = {offer.material, *knowledge.ancestors(offer.material)}
        if agreement.route_id in tables.route_pos:
            candidates = [tables.routes[tables.route_pos[agreement.route_id]]]
        else:
            usable = [r for r in tables.routes if lineage.intersection(r.materials)]
            site_row = tables.site_pos[receiver.id]
            candidates = [r for r in usable if tables.sector_match(r)[site_row]] or usable
        best: tuple[float, Route, str | None, float, float, float] | None = None
        for route in candidates:
            allowed = int(tables.o_modes[o]) if any(
                int(tables.o_modes[o]) >> TRANSPORT_MODES.index(mode) & 1 for mode, _ in route.transport
            ) else _ALL_MODES
            choice = choose_mode(
                np.array([road_km]), radius_km={mode: np.inf for mode, _ in route.transport},
                allowed=np.array([allowed], dtype=np.uint8),
                freight_t_per_unit=float(options.freight_t_per_unit.get(material.unit, 1.0)),
                cny_per_t_km=options.transport_cny_per_t_km, co2_kg_per_t_km=options.transport_co2_kg_per_t_km,
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
        same, cross = park_flags(
            np.array([tables.site_park[tables.o_site[o]]]), np.array([tables.site_park[tables.site_pos[receiver.id]]])
        )
        quantity = agreement.quantity
        if best is None:
            score, route, mode, transport, net, co2 = 0.0, None, None, 0.0, 0.0, 0.0
        else:
            score, route, mode, transport, net, co2 = best
        coupling = link_coupling(route.coupling, supplier.sector, receiver.sector) if route else None
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
        ))
    links.sort(key=lambda l: (l.supplier_site_id, l.offer_id, l.receiver_site_id, l.want_id or ""))
    return links


def _landfill(tables: _Tables, found: _Found, placed: _Placed) -> dict[str, float]:
    """Per offer with something to place: what no receiver takes (it goes to landfill or storage)."""
    left = np.maximum(tables.o_available - placed.offer_placed, 0.0)
    return {
        offer.id: float(left[i]) for i, offer in enumerate(tables.offers) if tables.o_available[i] > 0
    }


def _by_unit(pairs: Sequence[tuple[str, float]]) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for unit, quantity in pairs:
        totals[unit] += quantity
    return {unit: totals[unit] for unit in sorted(totals)}


def _summary(
    tables: _Tables,
    found: _Found,
    placed: _Placed,
    links: list[Link],
    agreed: list[Link],
    landfill: dict[str, float],
    solver: str,
    steps: _Steps,
    *,
    options: MatchOptions,
    knowledge: Knowledge,
) -> RunSummary:
    unit_of_offer = {o.id: tables.o_unit[i] for i, o in enumerate(tables.offers)}
    return RunSummary(
        offers=len(tables.offers),
        wants=len(tables.wants),
        sites=len(tables.sites),
        agreements=len(agreed),
        offers_without_route=found.offers_without_route,
        latent_receivers=found.latent_receivers,
        pairs_in_radius=found.pairs_in_radius,
        cut_by_pool=found.cut_by_pool,
        examined=found.examined,
        dropped=dict(found.dropped),
        feasible=found.feasible,
        cut_by_k=found.cut_by_k,
        arcs=len(found),
        links=len(links),
        allocated=_by_unit([(link.unit, link.quantity) for link in links]),
        landfill=_by_unit([(unit_of_offer[offer_id], quantity) for offer_id, quantity in landfill.items()]),
        agreed=dict(sorted(tables.agreed_by_unit.items())),
        net_benefit_cny=float(sum(link.net_benefit_cny for link in links)),
        co2_avoided_t=float(sum(link.co2_avoided_t for link in links)),
        solver=solver,
        timings_s={step: round(steps.seconds.get(step, 0.0), 6) for step in (*STEPS, "total")},
        peak_memory_mb={step: round(mb, 3) for step, mb in steps.peak_mb.items()} if options.trace_memory else {},
        options=options.as_dict(),
    )
