"""The **select** step: the ``k_per_offer`` best-scoring candidates of each offer."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["best_per_offer"]


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
