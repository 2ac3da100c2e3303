"""Unclassified streams: offers matched by name alone to the wants that name the same stream.

A material the knowledge base does not know yet is kept as a ``name:`` pseudo-code
(:mod:`matching.knowledge.unclassified`). No route says who uses it, how far it travels or what it
replaces, so such an offer is matched only with posted wants that list the same pseudo-code (latent
mode adds no receiver for it), in the same unit, within ``options.unclassified_radius_km`` of road:

- checks: same site, unit, availability window, price, the hazardous-waste permit when the listing gives
  a hazard code, the want's quality limits (each dropped pair counted once, by the first check it fails,
  as for routed materials);
- transport: by road at the road rate, for the estimated road distance;
- net benefit per unit: the want's maximum price − the offer's price − transport, when both prices are
  given; with a price missing the value of the stream is unknown and the net benefit is minus the
  transport cost; such a pair is not dropped as uneconomic (nothing says it is), and ranks by distance;
- CO2: not estimated (0): nothing says what the stream replaces.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from matching.candidate_table import CANDIDATE_COLUMNS, CandidateTable
from matching.candidates import nearest_within
from matching.feasibility import (
    PERMIT_EXPIRED,
    PERMIT_FULL,
    PERMIT_NONE,
    QualityColumns,
    permit_covers,
    want_quality,
    windows_overlap,
)
from matching.scoring import transport_rates
from matching.tables import InputTables
from matching.timing import StepTimer
from matching.types import TRANSPORT_MODES, MatchOptions

__all__ = ["NameMatcher", "name_net_benefit"]

ROAD = TRANSPORT_MODES.index("road")


def name_net_benefit(
    max_price: NDArray[np.float64], price: NDArray[np.float64], transport: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Net benefit per unit of a name-matched pair, and whether both prices were given.

    Examples
    --------
    >>> net, priced = name_net_benefit(np.array([80.0, np.nan]), np.array([20.0, 20.0]), np.array([9.0, 9.0]))
    >>> net.tolist(), priced.tolist()
    ([51.0, -9.0], [True, False])
    """
    priced = ~np.isnan(max_price) & ~np.isnan(price)
    value = np.where(priced, np.nan_to_num(max_price) - np.nan_to_num(price), 0.0)
    return value - transport, priced


class NameMatcher:
    """The offers of one unclassified stream, matched a chunk at a time with the wants naming it."""

    def __init__(self, tables: InputTables, offer_ids: NDArray[np.intp], *, options: MatchOptions) -> None:
        self.tables = tables
        self.options = options
        self.offer_ids = offer_ids
        radius = options.unclassified_radius_km
        if options.max_radius_km is not None:
            radius = min(radius, options.max_radius_km)
        self.radius_km = radius
        self.quality = QualityColumns([tables.offers[o].quality for o in offer_ids.tolist()])

    def _check_permits(
        self, offer: NDArray[np.intp], site: NDArray[np.intp], drop: Callable[[str, NDArray[np.bool_]], None]
    ) -> None:
        """A stream whose listing gives a hazard code goes only to a permit that covers it, valid and not full."""
        t = self.tables
        hazard = [t.o_hazard[o] for o in offer.tolist()]
        hazardous = np.array([code is not None for code in hazard], dtype=bool)
        if not hazardous.any():
            return
        state = t.site_permit[site]
        drop("permit_missing", hazardous & (state == PERMIT_NONE))
        codes = sorted({code for code in hazard if code is not None})
        code_index = np.array([codes.index(code) if code is not None else 0 for code in hazard], dtype=np.intp)
        drop("permit_code", hazardous & ~permit_covers(t.sites, site, codes, code_index))
        drop("permit_expired", hazardous & (state == PERMIT_EXPIRED))
        drop("permit_capacity", hazardous & (state == PERMIT_FULL))

    def match(
        self, chunk: NDArray[np.intp], want_ids: NDArray[np.intp], want_units: list[str], *,
        found: CandidateTable, steps: StepTimer,
    ) -> dict[str, NDArray]:
        """Every feasible pair of ``chunk`` offers and these wants, as candidate columns (route -1)."""
        t, options = self.tables, self.options
        with steps("candidates"):
            block = nearest_within(
                t.site_xyz[t.o_site[chunk]], t.site_xyz[t.w_site[want_ids]],
                radius_km=self.radius_km / options.detour_factor, pool=options.candidate_pool,
            )
            found.pairs_in_radius += block.in_radius
            found.cut_by_pool += block.in_radius - len(block)
            offer, entry, distance_km = chunk[block.query], block.index, block.distance_km
            want = want_ids[entry]
            site = t.w_site[want]
            if options.park is not None:
                wanted = t.park_number(options.park)
                keep = (t.site_park[t.o_site[offer]] == wanted) | (t.site_park[site] == wanted)
                offer, entry, want = offer[keep], entry[keep], want[keep]
                site, distance_km = site[keep], distance_km[keep]
            found.examined += len(offer)

        with steps("feasibility"):
            alive = np.ones(len(offer), dtype=bool)

            def drop(reason: str, failing: NDArray[np.bool_]) -> None:
                hit = alive & failing
                found.dropped[reason] += int(hit.sum())
                alive[hit] = False

            drop("same_site", t.o_site[offer] == site)
            offer_unit = np.array([t.o_unit[o] for o in offer.tolist()], dtype=object)
            want_unit = np.array([want_units[e] for e in entry.tolist()], dtype=object)
            drop("unit", offer_unit != want_unit if len(offer) else np.zeros(0, dtype=bool))
            drop("window", ~windows_overlap(t.o_from[offer], t.o_to[offer], t.w_from[want], t.w_to[want],
                                            today=options.today))
            price, ceiling = t.o_price[offer], t.w_max_price[want]
            drop("price", ~np.isnan(price) & ~np.isnan(ceiling) & (price > ceiling))
            self._check_permits(offer, site, drop)
            local = np.searchsorted(self.offer_ids, offer)
            fails, unknown = want_quality(local, want, self.quality, t.w_limits)
            drop("quality_want", fails)
            if options.require_quality_data:
                drop("quality_unknown", unknown)
            road_km = distance_km * options.detour_factor
            drop("distance", road_km > self.radius_km * (1 + 1e-12))

        with steps("scoring"):
            freight = np.array([float(options.freight_t_per_unit.get(u, 1.0)) for u in offer_unit.tolist()],
                               dtype=np.float64)
            # An unclassified stream with a hazard code travels as dangerous goods.
            dangerous = np.array([t.o_hazard[o] is not None for o in offer.tolist()], dtype=bool)
            rate = np.where(dangerous, transport_rates(options, dangerous=True)[0]["road"],
                            options.transport_cny_per_t_km["road"])
            transport = road_km * rate * freight
            net, priced = name_net_benefit(ceiling, price, transport)
            co2 = np.zeros(len(offer))
            if options.min_net_benefit_cny_per_unit is not None:
                drop("uneconomic", priced & (net < options.min_net_benefit_cny_per_unit))
            keep = np.flatnonzero(alive)
            found.feasible += len(keep)
            part = {name: np.zeros(len(keep), dtype=dtype) for name, dtype in CANDIDATE_COLUMNS}
            part.update(
                offer=offer[keep], want=want[keep], site=site[keep], route=np.full(len(keep), -1, dtype=np.intp),
                mode=np.full(len(keep), ROAD, dtype=np.int8), distance_km=distance_km[keep], road_km=road_km[keep],
                avoided=np.nan_to_num(ceiling[keep]), price=np.nan_to_num(price[keep]), transport=transport[keep],
                net=net[keep], co2=co2[keep], score=net[keep],
            )
        return part
