"""The **select** step: each offer's feasible receivers ranked; the ``k_per_offer`` best go to the allocation."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["best_per_offer", "rank_and_select"]


def best_per_offer(
    keep: NDArray[np.intp],
    offer: NDArray[np.intp],
    score: NDArray[np.float64],
    distance_km: NDArray[np.float64],
    site: NDArray[np.intp],
    *,
    k: int,
) -> NDArray[np.intp]:
    """The pairs among ``keep`` that rank in their offer's first ``k``, grouped by offer, best first.

    Best score first within each offer; ties go to the nearer receiver, then to the lower site position.

    Examples
    --------
    >>> offer = np.array([0, 0, 0, 1])
    >>> score = np.array([5.0, 9.0, 9.0, 1.0])
    >>> distance_km = np.array([1.0, 30.0, 20.0, 5.0])
    >>> best_per_offer(np.arange(4), offer, score, distance_km, np.array([7, 8, 9, 7]), k=2).tolist()
    [2, 1, 3]
    """
    order = np.lexsort((site[keep], distance_km[keep], -score[keep], offer[keep]))
    keep = keep[order]
    offer_sorted = offer[keep]
    first = np.r_[True, offer_sorted[1:] != offer_sorted[:-1]] if len(keep) else np.empty(0, dtype=bool)
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(keep)), 0)) if len(keep) else first
    rank = np.arange(len(keep)) - group_start
    return keep[rank < k]


def rank_and_select(
    offer: NDArray[np.intp],
    latent: NDArray[np.bool_],
    score: NDArray[np.float64],
    distance_km: NDArray[np.float64],
    site: NDArray[np.intp],
    want: NDArray[np.intp],
    *,
    k: int,
    extra: int,
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.int64]]:
    """Rank every feasible receiver of each offer; pick those the allocation sees and those kept for ranking only.

    Receivers are ranked per offer, posted wants and latent receivers together: best score first, ties to
    the nearer receiver, then the lower site and want position. The allocation sees the ``k`` best posted
    wants and the ``k`` best latent receivers of each offer (counted apart, as latent ones are offered only
    what posted wants leave); the ``extra`` best of the rest are kept so that an offer's alternatives can
    be listed even where the allocation used few of its ``k``.

    Returns
    -------
    (selected, ranked_only, rank)
        Positions of the selected pairs and of the extra ones, each grouped by offer in rank order, and
        per pair (over all given) its 0-based rank among its offer's feasible receivers.

    Examples
    --------
    >>> offer = np.array([0, 0, 0, 0])
    >>> latent = np.array([False, False, True, False])
    >>> score = np.array([5.0, 9.0, 7.0, 1.0])
    >>> chosen, extra, rank = rank_and_select(offer, latent, score, np.ones(4), np.arange(4), np.array([0, 1, -1, 2]),
    ...                                       k=1, extra=1)
    >>> chosen.tolist(), extra.tolist(), rank.tolist()
    ([1, 2], [0], [2, 0, 1, 3])
    """
    n = len(offer)
    rank = np.zeros(n, dtype=np.int64)
    if n == 0:
        empty = np.empty(0, dtype=np.intp)
        return empty, empty, rank
    order = np.lexsort((want, site, distance_km, -score, offer))
    offer_sorted = offer[order]
    first = np.r_[True, offer_sorted[1:] != offer_sorted[:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    position = np.arange(n) - start
    rank[order] = position

    def before_in_offer(flag: NDArray[np.bool_]) -> NDArray[np.int64]:
        # Per sorted row, how many earlier rows of the same offer carry ``flag``.
        counted = np.cumsum(flag) - flag
        return counted - counted[start]

    is_latent = latent[order].astype(np.int64)
    latent_before = before_in_offer(is_latent)
    kind_rank = np.where(is_latent == 1, latent_before, position - latent_before)
    chosen = kind_rank < k
    others_before = before_in_offer((~chosen).astype(np.int64))
    kept_extra = ~chosen & (others_before < extra)
    return order[chosen], order[kept_extra], rank
