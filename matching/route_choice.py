"""Per candidate pair, the best route of the offer's material: the route checks and the **scoring**.

A pair is checked route by route, in the order of :data:`ROUTE_STAGES`: the receiver's sector, its
battery listing, the route's quality limits, then a transport mode whose radius covers the road
distance (:mod:`matching.feasibility`, :func:`matching.scoring.choose_mode`). A pair may use the
offer's modes (or the run's default, road and pipeline) and those that both sites' declared access
opens: two rail sidings rail, two quays barge. A receiver's sector is any of its sectors. A latent receiver
counts only routes that may find one, a substitute only the routes declaring it (:mod:`matching.acceptance`).
Among the routes a
pair passes, one written for the material itself beats one inherited from a parent; among equals
the higher score wins. A pair that passes no route is counted once, at the furthest stage any
route got; one whose best route loses money is counted as uneconomic, and (``drop_co2_negative``) one whose
transport emits more CO2 than its route says the use avoids as ``co2_negative``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from matching.acceptance import acceptance_for
from matching.candidate_table import CANDIDATE_COLUMNS
from matching.feasibility import ROUTE_BATTERY_BIT, QualityColumns, category_unknown, route_quality
from matching.knowledge.knowledge_base import Knowledge
from matching.knowledge.models import Route
from matching.scoring import choose_mode, dangerous_goods, transport_rates
from matching.tables import InputTables
from matching.timing import StepTimer
from matching.types import TRANSPORT_MODES, MatchOptions

__all__ = ["ROUTE_STAGES", "MaterialRoutes", "Pairs", "count_route_drops"]

# Route-level failure stages, in check order; a pair that fails every route is counted at the furthest.
ROUTE_STAGES = ("sector", "battery_listing", "quality_route", "distance", "uneconomic")


@dataclass(frozen=True, eq=False)
class Pairs:
    """Candidate pairs that passed the checks needing no route, as parallel columns of positions and distances."""

    offer: NDArray[np.intp]
    want: NDArray[np.intp]              # -1: a latent receiver
    site: NDArray[np.intp]              # the receiver's site
    local: NDArray[np.intp]             # the offer's row among its material's offers (its quality row)
    distance_km: NDArray[np.float64]
    road_km: NDArray[np.float64]
    substitute: NDArray[np.bool_]
    # A substitute's declaring routes: a number into ``declaring_sets`` (-1: the want takes the material as such).
    declaring: NDArray[np.intp] | None = None
    declaring_sets: tuple[frozenset[str], ...] = ()

    def __len__(self) -> int:
        return len(self.offer)


class MaterialRoutes:
    """The routes one offer material can take, with what does not depend on the receiver: lineage, radii,
    the search radius and each route's verdict on the offers' quality."""

    def __init__(
        self,
        tables: InputTables,
        material: str,
        routes: list[Route],
        offer_ids: NDArray[np.intp],
        quality: QualityColumns,
        *,
        options: MatchOptions,
        knowledge: Knowledge,
    ) -> None:
        self.tables = tables
        self.routes = routes
        self.options = options
        self.freight = float(options.freight_t_per_unit.get(knowledge.materials[material].unit, 1.0))
        self.cny_per_t_km, self.co2_kg_per_t_km = transport_rates(
            options, dangerous=dangerous_goods(knowledge.materials[material]))
        cap = options.max_radius_km
        # How far up the material's lineage each route sits: 0 = written for this material itself.
        lineage = knowledge.route_lineage(material)
        self.specificity = [
            min(lineage.index(code) for code in route.materials if code in lineage) for route in routes
        ]
        self.radii = [
            {mode: (radius if cap is None else min(radius, cap)) for mode, radius in route.transport}
            for route in routes
        ]
        # Per offer, the farthest any route reaches (great circle) with the modes it may use towards any receiver
        # (its own or the default), and with what its site's access may open towards a receiver sharing it.
        reach: dict[int, float] = {}

        def reach_of(masks: NDArray[np.uint8]) -> NDArray[np.float64]:
            for mask in np.unique(masks).tolist():
                if mask not in reach:
                    usable = [
                        radius for radii in self.radii for mode, radius in radii.items()
                        if mask >> TRANSPORT_MODES.index(mode) & 1
                    ]
                    reach[mask] = max(usable, default=-1.0) / options.detour_factor
            return np.array([reach[mask] for mask in masks.tolist()], dtype=np.float64)

        self.offer_base_km = reach_of(tables.o_modes[offer_ids])
        self.offer_search_km = reach_of(tables.o_modes[offer_ids] | tables.o_access[offer_ids])
        self.search_km = float(self.offer_search_km.max()) if len(offer_ids) else -1.0
        # Latent receivers only by routes naming the material or its parent, never a catch-all
        # (:mod:`matching.acceptance`): without a want, only the route's word proves the use.
        rules = acceptance_for(knowledge)
        self.finds_latent = [rules.finds_latent(route, material) for route in routes]
        self.route_quality = [route_quality(route.quality_limits, quality) for route in routes]
        self.route_bets = [category_unknown(route.quality_limits, quality) for route in routes]

    def best(
        self, pairs: Pairs, *, latent: bool, steps: StepTimer
    ) -> tuple[dict[str, NDArray], NDArray[np.int8]]:
        """Per pair, the best route's candidate columns (``route`` -1: none passed) and the furthest stage reached."""
        t, options = self.tables, self.options
        offer, want, site, local, road_km = pairs.offer, pairs.want, pairs.site, pairs.local, pairs.road_km
        with steps("feasibility"):
            sector_ok = [
                t.sector_match(r)[site] if not latent or self.finds_latent[i] else np.zeros(len(offer), dtype=bool)
                for i, r in enumerate(self.routes)
            ]
            if pairs.substitute.any():
                # A substitute goes only by a route declaring it one (it serves what the want is used as).
                sets, number = pairs.declaring_sets, pairs.declaring
                for i, r in enumerate(self.routes):
                    # The last entry, read by -1, is for wants taking the material as such: every route.
                    declares = np.array([r.id in ids for ids in sets] + [True], dtype=bool)
                    sector_ok[i] = sector_ok[i] & declares[number]
            any_sector = np.logical_or.reduce(sector_ok) if sector_ok else np.zeros(len(offer), dtype=bool)
            # A posted want proves the use even when no route lists the site's sector; latent receivers
            # and substitutes have only the routes' word, so they need the sector.
            fallback = ~any_sector & ~pairs.substitute & (not latent)
            # A material inherits its parents' routes only for sectors its own routes do not serve: carbide
            # slag goes to a cement works by its own route (radius, disposal cost), never by chemical waste's.
            nearest_lineage = np.full(len(offer), np.iinfo(np.int64).max, dtype=np.int64)
            for r, matches in enumerate(sector_ok):
                nearest_lineage = np.where(matches, np.minimum(nearest_lineage, self.specificity[r]), nearest_lineage)

        n = len(offer)
        allowed = t.pair_modes(offer, site)
        best = {name: np.zeros(n, dtype=dtype) for name, dtype in CANDIDATE_COLUMNS}
        best["route"][:] = -1
        best["score"][:] = -np.inf
        best_specificity = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        best_breadth = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        best_bet = np.ones(n, dtype=bool)
        stage_max = np.zeros(n, dtype=np.int8)
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
                    road_km, radius_km=self.radii[r], allowed=allowed, freight_t_per_unit=self.freight,
                    cny_per_t_km=self.cny_per_t_km, co2_kg_per_t_km=self.co2_kg_per_t_km,
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
                # Then a route the offer is known to meet beats one that bets on a category the offer does not
                # state: a battery pack of unstated chemistry is priced as the common LFP, not as NCM.
                specificity, breadth = self.specificity[r], len(route.user_sectors)
                bet = self.route_bets[r][local]
                tie = np.abs(score - best["score"]) <= 1e-9 * np.maximum(np.abs(score), 1.0)
                same_tier = (specificity == best_specificity) & (bet == best_bet)
                better = ok & (
                    (specificity < best_specificity)
                    | ((specificity == best_specificity) & ~bet & best_bet)
                    | (same_tier & ((score > best["score"]) & ~tie | tie & (breadth < best_breadth)))
                )
                best_specificity = np.where(better, specificity, best_specificity)
                best_breadth = np.where(better, breadth, best_breadth)
                best_bet = np.where(better, bet, best_bet)
                for name, values in (
                    ("route", t.route_pos[route.id]), ("mode", choice.mode), ("avoided", avoided), ("price", price),
                    ("transport", transport), ("disposal", disposal), ("net", net), ("co2", co2), ("score", score),
                ):
                    best[name] = np.where(better, values, best[name]).astype(best[name].dtype)
                np.maximum(stage_max, stage, out=stage_max)
        return best, stage_max


def count_route_drops(
    best: dict[str, NDArray], stage_max: NDArray[np.int8], dropped: dict[str, int], *, min_net: float | None,
    route_saving: NDArray[np.float64] | None = None,
) -> NDArray[np.bool_]:
    """Count the pairs no route took (at their furthest stage), the uneconomic ones and, given each route's
    stated CO2 saving per unit (``route_saving``, by route position), those whose transport emits more CO2 than
    the route says the use avoids; return which passed.

    A route stating no saving (acids, brines, water: traded for the material, the CO2 not estimated) makes no
    claim for transport to outweigh; its links keep their figure, negative by the transport's emissions.
    """
    routed = best["route"] >= 0
    passed = routed if min_net is None else routed & (best["net"] >= min_net)
    dropped["uneconomic"] += int((routed & ~passed).sum())
    if route_saving is not None:
        claims = np.zeros(len(passed), dtype=bool)
        claims[routed] = route_saving[best["route"][routed]] > 0
        # A hair below zero is rounding, not a balance worth refusing a link for.
        emitting = passed & claims & (best["co2"] < -1e-9)
        dropped["co2_negative"] += int(emitting.sum())
        passed = passed & ~emitting
    for number, reason in enumerate(ROUTE_STAGES[:-1]):
        dropped[reason] += int(((stage_max == number) & ~routed).sum())
    return passed
