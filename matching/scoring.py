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

Couplings come from the route and, where the two sites' sectors name a more precise one of the same
family (steel-chemical, refining-chemical, coal-chemical; power-, steel-, chemical-building materials
...), from the sectors, because they say who actually trades (:func:`link_coupling`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from matching.types import TRANSPORT_MODES

__all__ = [
    "ALL_MODES",
    "SECTOR_GROUPS",
    "SECTOR_COUPLINGS",
    "ModeChoice",
    "choose_mode",
    "coupling_family",
    "link_coupling",
    "mode_mask",
    "co2_avoided_per_unit",
    "net_benefit_per_unit",
    "park_flags",
    "sector_coupling",
    "sector_group",
]

# GB/T 4754-2017 code prefixes -> industry group, longest prefix first wins.
SECTOR_GROUPS: Mapping[str, str] = {
    "06": "coal",        # coal mining and washing
    "2521": "coking",    # 炼焦
    "2522": "coal-chemical", "2523": "coal-chemical", "2524": "coal-chemical",  # coal to syngas, liquids, products
    "251": "refining",   # 精炼石油产品
    "26": "chemical",
    "31": "steel",
    "32": "nonferrous",
    "08": "mining", "09": "mining", "10": "mining",
    "30": "building materials",
    "441": "power", "443": "power",
    "3841": "battery", "3842": "battery", "3849": "battery", "3612": "battery",  # cells and NEV makers
    "42": "recycling", "7724": "recycling",
}

# (supplier group, receiver group) -> coupling name (the knowledge base's COUPLINGS spelling).
SECTOR_COUPLINGS: Mapping[tuple[str, str], str] = {
    ("steel", "chemical"): "steel-chemical",
    ("coking", "chemical"): "coal-chemical",
    ("coal-chemical", "chemical"): "coal-chemical",
    ("coal", "chemical"): "coal-chemical",
    ("refining", "chemical"): "refining-chemical",
    ("chemical", "refining"): "refining-chemical",
    ("power", "building materials"): "power-building materials",
    ("steel", "building materials"): "steel-building materials",
    ("nonferrous", "building materials"): "nonferrous-building materials",
    ("chemical", "building materials"): "chemical-building materials",
    ("coal", "building materials"): "mining-building materials",
    ("mining", "building materials"): "mining-building materials",
    ("battery", "recycling"): "battery make-recycle",
    ("recycling", "battery"): "battery make-recycle",
}


def sector_group(sector: str | None) -> str | None:
    """The industry group of a GB/T 4754 code, by its longest listed prefix.

    Examples
    --------
    >>> sector_group("3120"), sector_group("2521"), sector_group("2511"), sector_group("5191")
    ('steel', 'coking', 'refining', None)
    """
    if not sector:
        return None
    for length in (4, 3, 2):
        group = SECTOR_GROUPS.get(sector[:length])
        if group is not None:
            return group
    return None


def sector_coupling(supplier_sector: str | None, receiver_sector: str | None) -> str | None:
    """The coupling the two sectors make, if they make one of :data:`SECTOR_COUPLINGS`.

    Examples
    --------
    >>> sector_coupling("3120", "2614"), sector_coupling("2521", "2614"), sector_coupling("3011", "3011")
    ('steel-chemical', 'coal-chemical', None)
    """
    first, second = sector_group(supplier_sector), sector_group(receiver_sector)
    if first is None or second is None:
        return None
    return SECTOR_COUPLINGS.get((first, second))


def coupling_family(coupling: str) -> str:
    """Couplings that differ only by the supplying industry form one family.

    Examples
    --------
    >>> coupling_family("steel-chemical"), coupling_family("power-building materials"), coupling_family("energy cascade")
    ('chemical', 'building materials', 'energy cascade')
    """
    if coupling.endswith("building materials"):
        return "building materials"
    if coupling.endswith("-chemical"):
        return "chemical"
    return coupling


def link_coupling(route_coupling: str, supplier_sector: str | None, receiver_sector: str | None) -> str:
    """The coupling a link makes: the sectors' one when it refines the route's, else the route's.

    The sectors only refine within a family: coke-oven gas from an independent coking plant to a
    methanol plant is coal-chemical rather than the route's steel-chemical; steam between the same
    two plants stays an energy cascade, and drums from a battery maker stay waste-to-resource.

    Examples
    --------
    >>> link_coupling("steel-chemical", "2521", "2614"), link_coupling("energy cascade", "2521", "2614")
    ('coal-chemical', 'energy cascade')
    """
    by_sectors = sector_coupling(supplier_sector, receiver_sector)
    if by_sectors is not None and coupling_family(by_sectors) == coupling_family(route_coupling):
        return by_sectors
    return route_coupling


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
