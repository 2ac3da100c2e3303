"""Compliance and feasibility checks, vectorised over candidate pairs.

Each check returns boolean arrays over the pairs it is given; the engine applies them in the order
of :data:`matching.types.DROP_REASONS` and counts every pair dropped by the first check it fails.

- Quality: a want's ``key_min`` / ``key_max`` bounds, exact values, and graded categories where the
  want's grade means "this grade or better" (:data:`ORDERED_CATEGORIES`); a route's limits
  (:class:`~matching.knowledge.models.QualityLimit`). A property the offer does not state cannot
  fail a limit; it is reported as unknown so the engine can flag or drop it.
- Hazardous waste: the receiver's permit must cover the lot's 8-digit code or its HW category, be
  valid on ``today`` and have yearly capacity left (国务院令第408号; DOMAIN.md section 2.4).
- Retired power batteries: the receiver must be on the compliant-enterprise listing of the kind the
  route needs, cascade use (梯次利用) or recycling (再生利用), or both (DOMAIN.md section 3.1).
- Availability: the two windows overlap and the overlap has not ended before ``today``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from matching.knowledge.knowledge_base import Knowledge
from matching.knowledge.models import QualityLimit
from matching.types import Permit, Site

__all__ = [
    "BATTERY_BITS",
    "ORDERED_CATEGORIES",
    "PERMIT_EXPIRED",
    "PERMIT_FULL",
    "PERMIT_NONE",
    "PERMIT_OK",
    "QualityColumns",
    "WantLimit",
    "battery_bits",
    "category_orders",
    "day_number",
    "permit_covers",
    "permit_state",
    "route_quality",
    "parse_want_quality",
    "want_quality",
    "windows_overlap",
]

# Graded categories, best first: a want for grade II also takes grade I.
# Fly ash: GB/T 1596-2017 grades I/II/III (I strictest); GGBS: GB/T 18046-2017 S105/S95/S75 (S105 best).
ORDERED_CATEGORIES: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("coal-fly-ash", "grade"): ("I", "II", "III"),
    ("ggbs", "grade"): ("S105", "S95", "S75"),
}

PERMIT_NONE, PERMIT_EXPIRED, PERMIT_FULL, PERMIT_OK = 0, 1, 2, 3
# Site listing -> bits; a route's licence needs its bit.
BATTERY_BITS = {None: 0, "cascade": 1, "recycling": 2, "both": 3}
ROUTE_BATTERY_BIT = {"battery_cascade": 1, "battery_recycling": 2}

_NO_DAY_LOW = np.iinfo(np.int64).min // 4
_NO_DAY_HIGH = np.iinfo(np.int64).max // 4
_SUFFIX = re.compile(r"^(.*?)(_min|_max)?$")


def day_number(day: dt.date | None, *, open_end: str) -> int:
    """A date as an integer day; ``None`` as far past (``open_end="low"``) or far future (``"high"``).

    Examples
    --------
    >>> day_number(dt.date(2026, 1, 2), open_end="low") - day_number(dt.date(2026, 1, 1), open_end="low")
    1
    """
    if day is None:
        return int(_NO_DAY_LOW if open_end == "low" else _NO_DAY_HIGH)
    return day.toordinal()


def windows_overlap(
    offer_from: NDArray[np.int64],
    offer_to: NDArray[np.int64],
    want_from: NDArray[np.int64],
    want_to: NDArray[np.int64],
    *,
    today: dt.date,
) -> NDArray[np.bool_]:
    """Whether each pair's availability windows share a day that is not before ``today``.

    Arguments are day numbers from :func:`day_number` (open ends already filled in).

    Examples
    --------
    >>> d = lambda *a: np.array([dt.date(*a).toordinal()])
    >>> windows_overlap(d(2026, 1, 1), d(2026, 6, 30), d(2026, 7, 1), d(2026, 12, 31), today=dt.date(2026, 1, 1)).tolist()
    [False]
    >>> windows_overlap(d(2026, 1, 1), d(2026, 7, 1), d(2026, 7, 1), d(2026, 12, 31), today=dt.date(2026, 1, 1)).tolist()
    [True]
    """
    start = np.maximum(offer_from, want_from)
    end = np.minimum(offer_to, want_to)
    return (start <= end) & (end >= today.toordinal())


def permit_state(permit: Permit | None, *, today: dt.date, used_t: float = 0.0) -> int:
    """One of :data:`PERMIT_NONE`, :data:`PERMIT_EXPIRED`, :data:`PERMIT_FULL`, :data:`PERMIT_OK`.

    ``used_t`` is tonnage already committed to agreed links into the site (besides ``permit.used_t``).

    Examples
    --------
    >>> permit_state(Permit(("HW08",), 100.0, dt.date(2025, 6, 30)), today=dt.date(2026, 1, 1)) == PERMIT_EXPIRED
    True
    """
    if permit is None:
        return PERMIT_NONE
    if permit.expires is not None and permit.expires < today:
        return PERMIT_EXPIRED
    if permit.capacity_t - permit.used_t - used_t <= 0:
        return PERMIT_FULL
    return PERMIT_OK


def permit_covers(
    sites: Sequence[Site], site_index: NDArray[np.intp], hazard_codes: Sequence[str], code_index: NDArray[np.intp]
) -> NDArray[np.bool_]:
    """Whether the permit of each pair's receiver site covers the pair's hazard code.

    ``site_index`` and ``code_index`` give, per pair, positions in ``sites`` and ``hazard_codes``.

    Examples
    --------
    >>> s = [Site("A", 117.0, 31.0, "7724", permit=Permit(("HW08",), 10.0)), Site("B", 117.0, 31.0, "7724")]
    >>> permit_covers(s, np.array([0, 0, 1]), ["900-214-08", "900-052-31"], np.array([0, 1, 0])).tolist()
    [True, False, False]
    """
    result = np.zeros(len(site_index), dtype=bool)
    if len(site_index) == 0:
        return result
    unique_sites, site_pos = np.unique(site_index, return_inverse=True)
    for code_number, code in enumerate(hazard_codes):
        covered = np.array(
            [sites[s].permit is not None and sites[s].permit.covers(code) for s in unique_sites], dtype=bool
        )
        mask = code_index == code_number
        result[mask] = covered[site_pos[mask]]
    return result


def battery_bits(listing: str | None) -> int:
    """Bits of a compliant-enterprise listing: 1 cascade use, 2 recycling.

    Examples
    --------
    >>> battery_bits("both"), battery_bits(None)
    (3, 0)
    """
    return BATTERY_BITS[listing]


# --------------------------------------------------------------------------- quality


@dataclass(frozen=True)
class WantLimit:
    """One parsed limit of a want: ``op`` is ``min``, ``max``, ``eq``, ``rank_le`` or ``rank_ge``.

    For ranks, ``value`` is the position in the best-first order (``rank_le``: this grade or better).
    """

    key: str
    op: str
    value: float | str | int


def category_orders(materials: Sequence[str], knowledge: Knowledge) -> dict[str, tuple[str, ...]]:
    """Quality key -> its best-first grades, for these materials and (inherited) their ancestors.

    Examples
    --------
    >>> from matching.knowledge import load_knowledge
    >>> category_orders(["coal-fly-ash-class-f"], load_knowledge())
    {'grade': ('I', 'II', 'III')}
    """
    orders: dict[str, tuple[str, ...]] = {}
    for code in materials:
        for each in (code, *knowledge.ancestors(code)):
            for (material, key), order in ORDERED_CATEGORIES.items():
                if material == each:
                    orders.setdefault(key, order)
    return orders


def parse_want_quality(
    quality: Mapping[str, float | str], *, order_for: Mapping[str, tuple[str, ...]] | None = None
) -> tuple[WantLimit, ...]:
    """Turn a want's quality mapping into limits.

    ``order_for`` maps keys to their best-first grades for the want's materials.

    Examples
    --------
    >>> parse_want_quality({"grade": "II", "loi_pct_max": 8.0}, order_for={"grade": ("I", "II", "III")})
    (WantLimit(key='grade', op='rank_le', value=1), WantLimit(key='loi_pct', op='max', value=8.0))
    """
    order_for = order_for or {}
    limits = []
    for raw_key in sorted(quality):
        value = quality[raw_key]
        base, suffix = _SUFFIX.match(raw_key).groups()  # type: ignore[union-attr]
        order = order_for.get(base)
        if order is not None and isinstance(value, str) and value in order:
            rank = order.index(value)
            limits.append(WantLimit(base, "rank_ge" if suffix == "_max" else "rank_le", rank))
        elif isinstance(value, str):
            limits.append(WantLimit(base, "eq", value))
        elif suffix == "_min":
            limits.append(WantLimit(base, "min", float(value)))
        elif suffix == "_max":
            limits.append(WantLimit(base, "max", float(value)))
        else:
            limits.append(WantLimit(base, "eq", float(value)))
    return tuple(limits)


class QualityColumns:
    """Quality properties of some offers as columns: numbers (NaN when absent) and text (``None``).

    Examples
    --------
    >>> columns = QualityColumns([{"loi_pct": 5.0, "grade": "II"}, {}])
    >>> columns.numbers("loi_pct").tolist(), columns.texts("grade").tolist()
    ([5.0, nan], ['II', None])
    """

    def __init__(self, qualities: Sequence[Mapping[str, float | str]]) -> None:
        self._qualities = qualities
        self._numbers: dict[str, NDArray[np.float64]] = {}
        self._texts: dict[str, NDArray[np.object_]] = {}

    def __len__(self) -> int:
        return len(self._qualities)

    def numbers(self, key: str) -> NDArray[np.float64]:
        if key not in self._numbers:
            self._numbers[key] = np.array([_as_number(q.get(key)) for q in self._qualities], dtype=np.float64)
        return self._numbers[key]

    def texts(self, key: str) -> NDArray[np.object_]:
        if key not in self._texts:
            column = np.empty(len(self._qualities), dtype=object)
            column[:] = [_as_text(q.get(key)) for q in self._qualities]
            self._texts[key] = column
        return self._texts[key]

    def ranks(self, key: str, order: tuple[str, ...]) -> NDArray[np.int64]:
        """Position of each offer's value in ``order``; -1 when absent or not a known grade."""
        positions = {value: rank for rank, value in enumerate(order)}
        return np.array([positions.get(text, -1) if text is not None else -1 for text in self.texts(key)],
                        dtype=np.int64)


def _as_number(value: object) -> float:
    if isinstance(value, bool) or value is None:
        return math.nan
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return math.nan


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def want_quality(
    pair_offer: NDArray[np.intp],
    pair_want: NDArray[np.intp],
    offers: QualityColumns,
    limits: Sequence[tuple[WantLimit, ...]],
    *,
    order_for: Mapping[str, tuple[str, ...]] | None = None,
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Check each pair's offer against its want's limits.

    Parameters
    ----------
    pair_offer, pair_want
        Per pair, positions in ``offers`` and ``limits``.
    offers
        The offers' quality columns.
    limits
        Per want, from :func:`parse_want_quality`.
    order_for
        Best-first grades by key, for the ranks.

    Returns
    -------
    (fails, unknown)
        ``fails``: some limit is missed; ``unknown``: some limited property is not stated.

    Examples
    --------
    >>> offers = QualityColumns([{"grade": "I"}, {"grade": "III"}, {}])
    >>> limits = [(WantLimit("grade", "rank_le", 1),)]
    >>> fails, unknown = want_quality(np.array([0, 1, 2]), np.array([0, 0, 0]), offers, limits,
    ...                               order_for={"grade": ("I", "II", "III")})
    >>> fails.tolist(), unknown.tolist()
    ([False, True, False], [False, False, True])
    """
    order_for = order_for or {}
    n = len(pair_offer)
    fails = np.zeros(n, dtype=bool)
    unknown = np.zeros(n, dtype=bool)
    if n == 0:
        return fails, unknown
    used_wants = np.unique(pair_want)
    keyed: dict[tuple[str, str], dict[int, float | str | int]] = {}
    for want in used_wants.tolist():
        for limit in limits[want]:
            keyed.setdefault((limit.key, limit.op), {})[want] = limit.value
    n_wants = len(limits)
    for (key, op), by_want in sorted(keyed.items()):
        has = np.zeros(n_wants, dtype=bool)
        has[list(by_want)] = True
        applies = has[pair_want]
        if op in ("min", "max") or (op == "eq" and not isinstance(next(iter(by_want.values())), str)):
            bound = np.full(n_wants, np.nan)
            bound[list(by_want)] = [float(v) for v in by_want.values()]
            value = offers.numbers(key)[pair_offer]
            limit = bound[pair_want]
            missing = np.isnan(value)
            if op == "min":
                miss = value < limit
            elif op == "max":
                miss = value > limit
            else:
                miss = ~np.isclose(value, limit, rtol=1e-9, atol=1e-12)
            fails |= applies & ~missing & miss
            unknown |= applies & missing
        elif op == "eq":
            wanted = np.empty(n_wants, dtype=object)
            for want, value in by_want.items():
                wanted[want] = value
            offered = offers.texts(key)[pair_offer]
            missing = np.array([v is None for v in offered], dtype=bool)
            miss = offered != wanted[pair_want]
            fails |= applies & ~missing & miss
            unknown |= applies & missing
        else:  # rank_le / rank_ge
            order = order_for.get(key, ())
            bound = np.full(n_wants, -1, dtype=np.int64)
            bound[list(by_want)] = [int(v) for v in by_want.values()]
            rank = offers.ranks(key, order)[pair_offer]
            missing = rank < 0
            limit = bound[pair_want]
            miss = rank > limit if op == "rank_le" else rank < limit
            fails |= applies & ~missing & miss
            unknown |= applies & missing
    return fails, unknown


def category_unknown(limits: Sequence[QualityLimit], offers: QualityColumns) -> NDArray[np.bool_]:
    """Per offer, whether a category limit of the route (``in``: chemistry, grade, class) names a value
    the offer does not state: passing such a route is a bet on the unknown value.

    Examples
    --------
    >>> limits = [QualityLimit("chemistry", "in", ("NCM", "NCA"), "project estimate")]
    >>> category_unknown(limits, QualityColumns([{"chemistry": "LFP"}, {}])).tolist()
    [False, True]
    """
    unknown = np.zeros(len(offers), dtype=bool)
    for limit in limits:
        if limit.op == "in":
            unknown |= np.array([text is None for text in offers.texts(limit.key)], dtype=bool)
    return unknown


def route_quality(
    limits: Sequence[QualityLimit], offers: QualityColumns
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Check every offer against a route's limits: ``(fails, unknown)`` per offer.

    Examples
    --------
    >>> limits = [QualityLimit("loi_pct", "<=", 8.0, "GB/T 1596-2017"), QualityLimit("grade", "in", ("I", "II"), "GB/T 1596-2017")]
    >>> fails, unknown = route_quality(limits, QualityColumns([{"loi_pct": 5.0, "grade": "III"}, {"loi_pct": 5.0}]))
    >>> fails.tolist(), unknown.tolist()
    ([True, False], [False, True])
    """
    n = len(offers)
    fails = np.zeros(n, dtype=bool)
    unknown = np.zeros(n, dtype=bool)
    for limit in limits:
        if limit.op == "in":
            texts = offers.texts(limit.key)
            missing = np.array([text is None for text in texts], dtype=bool)
            allowed = set(limit.value)  # type: ignore[arg-type]
            miss = np.array([text not in allowed for text in texts], dtype=bool)
        else:
            values = offers.numbers(limit.key)
            missing = np.isnan(values)
            with np.errstate(invalid="ignore"):
                miss = values > float(limit.value) if limit.op == "<=" else values < float(limit.value)  # type: ignore[arg-type]
        fails |= ~missing & miss
        unknown |= missing
    return fails, unknown
