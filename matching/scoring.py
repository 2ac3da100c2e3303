"""Score a candidate: transport, net benefit, CO2 and the flags a link carries.

Per unit of material (vectorised over pairs):

- road distance ``road_km = great-circle km × detour factor``;
- transport mode: the cheapest mode the route offers whose radius covers ``road_km`` (and that the
  offer allows), costing ``road_km × CNY per t·km × freight tonnes per unit``;
- net benefit = avoided cost of the receiver (the replaced virgin input's price × replacement ratio,
  or the want's maximum price when it gives one) − the offer's price (the route's typical price when
  the offer gives none) − transport + the supplier's avoided disposal cost;
- CO2 avoided = the route's substitution saving − transport emissions
  (``road_km × kg CO2 per t·km × freight tonnes per unit / 1000``);
- score = net benefit + CO2 avoided × ``co2_price_cny_per_t``.

Dangerous goods (hazardous waste, retired batteries) travel at their own rates (:func:`transport_rates`).

A link's coupling is named by :mod:`matching.couplings`, from both sites' sectors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from matching.knowledge.models import Material
from matching.types import TRANSPORT_MODES, MatchOptions

__all__ = [
    "ALL_MODES",
    "ModeChoice",
    "choose_mode",
    "dangerous_goods",
    "mode_mask",
    "co2_avoided_per_unit",
    "net_benefit_per_unit",
    "park_flags",
    "transport_rates",
]


@dataclass(frozen=True, eq=False)
class ModeChoice:
    """Per pair: chosen mode (index into :data:`~matching.types.TRANSPORT_MODES`, -1 none),
    transport cost and emissions per unit of material."""

    mode: NDArray[np.int8]
    cny_per_unit: NDArray[np.float64]
    co2_t_per_unit: NDArray[np.float64]

    @property
    def feasible(self) -> NDArray[np.bool_]:
        return self.mode >= 0


def choose_mode(
    road_km: NDArray[np.float64],
    *,
    radius_km: Mapping[str, float],
    allowed: NDArray[np.uint8],
    freight_t_per_unit: float,
    cny_per_t_km: Mapping[str, float],
    co2_kg_per_t_km: Mapping[str, float],
) -> ModeChoice:
    """The cheapest usable transport mode of a route for each pair.

    Parameters
    ----------
    road_km
        Estimated road distance per pair.
    radius_km
        The route's economic radius by mode.
    allowed
        Per pair, a bit mask of usable modes (bit ``i`` = ``TRANSPORT_MODES[i]``).
    freight_t_per_unit
        Tonnes hauled per unit of the route's material.
    cny_per_t_km, co2_kg_per_t_km
        By mode.

    Examples
    --------
    >>> choice = choose_mode(np.array([100.0, 300.0, 900.0]), radius_km={"road": 150.0, "rail": 500.0},
    ...                      allowed=np.array([3, 3, 3], dtype=np.uint8), freight_t_per_unit=1.0,
    ...                      cny_per_t_km={"road": 0.45, "rail": 0.15}, co2_kg_per_t_km={"road": 0.09, "rail": 0.011})
    >>> choice.mode.tolist(), choice.cny_per_unit.round(2).tolist()
    ([1, 1, -1], [15.0, 45.0, inf])
    """
    n = len(road_km)
    best_cost = np.full(n, np.inf)
    best_mode = np.full(n, -1, dtype=np.int8)
    best_co2 = np.zeros(n)
    # Ties (same cost) keep the earlier mode in TRANSPORT_MODES: road before rail before barge.
    for position, mode in enumerate(TRANSPORT_MODES):
        radius = radius_km.get(mode)
        if radius is None:
            continue
        cost_per_km = cny_per_t_km[mode] * freight_t_per_unit
        usable = ((allowed >> position) & 1).astype(bool) & (road_km <= radius)
        cost = np.where(usable, road_km * cost_per_km, np.inf)
        better = cost < best_cost
        best_cost = np.where(better, cost, best_cost)
        best_mode = np.where(better, np.int8(position), best_mode).astype(np.int8)
        best_co2 = np.where(better, road_km * co2_kg_per_t_km[mode] * freight_t_per_unit / 1000.0, best_co2)
    return ModeChoice(best_mode, best_cost, best_co2)


def net_benefit_per_unit(
    *,
    avoided_cny: NDArray[np.float64],
    price_cny: NDArray[np.float64],
    transport_cny: NDArray[np.float64],
    disposal_avoided_cny: float | NDArray[np.float64],
) -> NDArray[np.float64]:
    """Net benefit per unit: avoided cost − price − transport + avoided disposal.

    Examples
    --------
    >>> net_benefit_per_unit(avoided_cny=np.array([300.0]), price_cny=np.array([60.0]),
    ...                      transport_cny=np.array([45.0]), disposal_avoided_cny=30.0).tolist()
    [225.0]
    """
    return avoided_cny - price_cny - transport_cny + disposal_avoided_cny


def co2_avoided_per_unit(
    substitution_t: float | NDArray[np.float64], transport_t: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Tonnes of CO2 avoided per unit: the route's substitution saving minus transport emissions.

    Examples
    --------
    >>> co2_avoided_per_unit(0.8, np.array([0.0135])).round(4).tolist()
    [0.7865]
    """
    return np.asarray(substitution_t, dtype=np.float64) - transport_t


def park_flags(
    supplier_park: NDArray[np.int64], receiver_park: NDArray[np.int64]
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """``(same_park, cross_park)`` from park numbers (-1: not in a park).

    Cross-park means both sites are in parks, different ones.

    Examples
    --------
    >>> same, cross = park_flags(np.array([0, 0, -1]), np.array([0, 1, 1]))
    >>> same.tolist(), cross.tolist()
    ([True, False, False], [False, True, False])
    """
    both = (supplier_park >= 0) & (receiver_park >= 0)
    return both & (supplier_park == receiver_park), both & (supplier_park != receiver_park)


def mode_mask(modes: Sequence[str]) -> int:
    """Bit mask of transport modes (bit ``i`` = ``TRANSPORT_MODES[i]``).

    Examples
    --------
    >>> mode_mask(["road", "barge"])
    5
    """
    mask = 0
    for mode in modes:
        mask |= 1 << TRANSPORT_MODES.index(mode)
    return mask


# Every transport mode: what an offer may use when neither it nor the run options restrict them.
ALL_MODES = mode_mask(TRANSPORT_MODES)


def dangerous_goods(material: Material) -> bool:
    """Whether a material travels as dangerous goods: hazardous waste, and retired traction batteries.

    Examples
    --------
    >>> from matching.knowledge.loader import load_knowledge
    >>> kb = load_knowledge()
    >>> [dangerous_goods(kb.materials[code]) for code in ("retired-lfp-battery", "waste-mineral-oil", "coal-fly-ash")]
    [True, True, False]
    """
    return material.hazardous or material.receiver_licence.startswith("battery")


def transport_rates(
    options: MatchOptions, *, dangerous: bool
) -> tuple[Mapping[str, float], Mapping[str, float]]:
    """CNY and kg CO2 per t·km by mode: the bulk figures, or for dangerous goods their own where given.

    Examples
    --------
    >>> import datetime as dt
    >>> options = MatchOptions(today=dt.date(2026, 1, 1))
    >>> cny, co2 = transport_rates(options, dangerous=True)
    >>> cny["road"] > options.transport_cny_per_t_km["road"], cny["rail"] == options.transport_cny_per_t_km["rail"]
    (True, True)
    """
    if not dangerous:
        return options.transport_cny_per_t_km, options.transport_co2_kg_per_t_km
    return ({**options.transport_cny_per_t_km, **options.dangerous_goods_cny_per_t_km},
            {**options.transport_co2_kg_per_t_km, **options.dangerous_goods_co2_kg_per_t_km})
