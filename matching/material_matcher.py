"""One offer material, one chunk of its offers at a time: candidates, feasibility, scoring.

For the chunk and a set of receivers (posted wants, or latent receiver sites):

1. **candidates**: the nearest ``candidate_pool`` receivers within the largest radius of the
   material's routes for the modes the offer may use (:func:`matching.candidates.nearest_within`), in
   the run's park if it has one;
2. **feasibility** without a route: same site, window, price, hazardous permit, want quality
   (:mod:`matching.feasibility`); each dropped pair counted once, by the first check it fails. An
   offer's quality is what its listing states over what its material implies
   (:meth:`~matching.knowledge.knowledge_base.Knowledge.implied_quality`);
3. per route: sector, battery listing, route quality, distance, then the **scoring**
   (:mod:`matching.route_choice`),

and returns every feasible pair's columns; the **select** step (:mod:`matching.selection`) then ranks
posted wants and latent receivers of each offer together.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from matching.candidate_table import CandidateTable
from matching.candidates import nearest_within
from matching.feasibility import (
    PERMIT_EXPIRED,
    PERMIT_FULL,
    PERMIT_NONE,
    QualityColumns,
    category_orders,
    permit_covers,
    want_quality,
    windows_overlap,
)
from matching.knowledge.knowledge_base import Knowledge
from matching.knowledge.models import Route
from matching.route_choice import MaterialRoutes, Pairs, count_route_drops
from matching.tables import InputTables
from matching.timing import StepTimer
from matching.types import MatchOptions

__all__ = ["MaterialMatcher"]


class MaterialMatcher:
    """Everything about one offer material that does not depend on the receiver, and the matching of its offers."""

    def __init__(
        self,
        tables: InputTables,
        material: str,
        routes: list[Route],
        offer_ids: NDArray[np.intp],
        *,
        options: MatchOptions,
        knowledge: Knowledge,
    ) -> None:
        self.tables = tables
        self.material = knowledge.materials[material]
        self.options = options
        self.offer_ids = offer_ids
        # What a lot's listing states, over what its material implies: an offer of retired-ncm-battery is
        # NCM even when the listing leaves chemistry out, so a route limited to LFP does not take it.
        implied = knowledge.implied_quality(material)
        self.quality = QualityColumns([
            {**implied, **tables.offers[o].quality} if implied else tables.offers[o].quality
            for o in offer_ids.tolist()
        ])
        self.routes = MaterialRoutes(
            tables, material, routes, offer_ids, self.quality, options=options, knowledge=knowledge
        )
        self.order_for = category_orders([material], knowledge)
        self.route_saving = np.array([route.co2_avoided_t_per_unit for route in tables.routes], dtype=np.float64)

    def match(
        self,
        chunk: NDArray[np.intp],
        receiver_sites: NDArray[np.intp],
        want_ids: NDArray[np.intp] | None,
        declared: list[frozenset[str] | None] | None,
        *,
        found: CandidateTable,
        steps: StepTimer,
    ) -> dict[str, NDArray]:
        """Find, check and score candidates of ``chunk`` offers among these receivers: every feasible one's columns.

        ``declared`` gives, per want, ``None`` when it takes the material as such, else the ids of the routes
        declaring the material a substitute for it (:func:`matching.candidate_search.accepting_wants`).
        The selection (:func:`matching.selection.rank_and_select`) ranks posted and latent receivers together.
        """
        latent = want_ids is None
        with steps("candidates"):
            if self.routes.search_km < 0:
                return {}
            offer, entry, site, distance_km = self._in_radius(chunk, receiver_sites, found=found)

        with steps("feasibility"):
            pairs = self._check_listings(offer, entry, site, distance_km, want_ids, declared, dropped=found.dropped)

        best, stage_max = self.routes.best(pairs, latent=latent, steps=steps)

        with steps("feasibility"):
            passed = count_route_drops(
                best, stage_max, found.dropped, min_net=self.options.min_net_benefit_cny_per_unit,
                route_saving=self.route_saving if self.options.drop_co2_negative else None,
            )
            found.feasible += int(passed.sum())
            keep = np.flatnonzero(passed)
            part = {name: best[name][keep] for name in best}
            part.update(
                offer=pairs.offer[keep], want=pairs.want[keep], site=pairs.site[keep],
                distance_km=pairs.distance_km[keep], road_km=pairs.road_km[keep],
                substitute=pairs.substitute[keep], latent=np.full(len(keep), latent, dtype=bool),
            )
        return part

    def _in_radius(
        self, chunk: NDArray[np.intp], receiver_sites: NDArray[np.intp], *, found: CandidateTable
    ) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
        """Offer, receiver entry, receiver site and distance of the pairs within the search radius (and park).

        Every receiver within the reach of the modes the offer may use anywhere (road and pipeline by default),
        nearest ``candidate_pool`` first; then, for an offer whose site has a siding, a quay or a pipeline, the
        receivers sharing that access beyond that reach and within the farther one it opens, nearest
        ``candidate_pool`` first: a works with a quay 500 km downriver is not crowded out by the forty nearest
        works that only a lorry reaches. The two searches never meet (one ends where the other begins).
        """
        t, options = self.tables, self.options
        local = np.searchsorted(self.offer_ids, chunk)
        base, wide = self.routes.offer_base_km[local], self.routes.offer_search_km[local]
        blocks = []
        for radius in np.unique(base).tolist():
            if radius < 0:
                continue
            offers = chunk[base == radius]
            block = nearest_within(
                t.site_xyz[t.o_site[offers]], t.site_xyz[receiver_sites], radius_km=radius, pool=options.candidate_pool,
            )
            found.pairs_in_radius += block.in_radius
            found.cut_by_pool += block.in_radius - len(block)
            blocks.append((offers[block.query], block.index, block.distance_km))
        farther = wide > base
        if farther.any():
            access = t.o_access[chunk]
            groups = sorted({(float(w), float(b), int(a))
                             for w, b, a in zip(wide[farther], base[farther], access[farther])})
            for radius, near, mask in groups:
                offers = chunk[farther & (wide == radius) & (base == near) & (access == mask)]
                sharing = np.flatnonzero(t.site_access[receiver_sites] & mask)
                if len(sharing) == 0:
                    continue
                xyz = t.site_xyz[t.o_site[offers]]
                block = nearest_within(xyz, t.site_xyz[receiver_sites[sharing]], radius_km=radius,
                                       pool=options.candidate_pool)
                inside = nearest_within(xyz, t.site_xyz[receiver_sites[sharing]], radius_km=max(near, 0.0), pool=1)
                beyond = block.distance_km > max(near, 0.0)
                in_radius = block.in_radius - inside.in_radius
                found.pairs_in_radius += in_radius
                found.cut_by_pool += in_radius - int(beyond.sum())
                blocks.append((offers[block.query[beyond]], sharing[block.index[beyond]], block.distance_km[beyond]))
        if not blocks:
            empty = np.empty(0, dtype=np.intp)
            return empty, empty, empty, np.empty(0, dtype=np.float64)
        offer = np.concatenate([b[0] for b in blocks])
        entry = np.concatenate([b[1] for b in blocks])
        distance_km = np.concatenate([b[2] for b in blocks])
        site = receiver_sites[entry]
        if options.park is not None:
            park = t.site_park
            wanted = t.park_number(options.park)
            keep = (park[t.o_site[offer]] == wanted) | (park[site] == wanted)
            offer, entry, site, distance_km = offer[keep], entry[keep], site[keep], distance_km[keep]
        found.examined += len(offer)
        return offer, entry, site, distance_km

    def _check_listings(
        self,
        offer: NDArray[np.intp],
        entry: NDArray[np.intp],
        site: NDArray[np.intp],
        distance_km: NDArray[np.float64],
        want_ids: NDArray[np.intp] | None,
        declared: list[frozenset[str] | None] | None,
        *,
        dropped: dict[str, int],
    ) -> Pairs:
        """The pairs that pass the checks needing no route; each dropped one counted by its first failure."""
        t, options = self.tables, self.options
        latent = want_ids is None
        alive = np.ones(len(offer), dtype=bool)

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
            hazard = np.array([t.o_hazard[o] for o in offer.tolist()], dtype=object)
            code_index = np.searchsorted(np.array(codes, dtype=object), hazard)
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
        # Each want's declaring routes as a number into the distinct sets (-1: taken as such), so the route
        # checks can test a whole column at once.
        sets = sorted({ids for ids in declared if ids is not None}, key=sorted) if declared else []
        number = {ids: i for i, ids in enumerate(sets)}
        by_entry = np.array([-1 if ids is None else number[ids] for ids in declared or ()], dtype=np.intp)
        declaring = by_entry[entry] if declared else np.full(len(offer), -1, dtype=np.intp)
        return Pairs(
            offer=offer, want=want, site=site, local=local, distance_km=distance_km,
            road_km=distance_km * options.detour_factor, substitute=declaring >= 0,
            declaring=declaring, declaring_sets=tuple(sets),
        )
