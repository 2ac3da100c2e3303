"""The **alternatives** step: per offer, the best receivers that got none of it, and why.

A documented receiver ranked second of an offer that went elsewhere is as much an answer as the link:
"who else could take this". For each offer the feasible receivers that received nothing are listed in
rank order (the rank counts every feasible receiver of the offer, allocated ones included, posted wants
and latent receivers together), at most ``options.alternatives_per_offer``. Each says why it lost
(:data:`~matching.types.ALTERNATIVE_REASONS`):

- ``capacity_taken``: it was in the allocation, but its open quantity (a latent receiver's assumed
  capacity, or its site's hazardous-waste permit) went to other offers;
- ``posted_first``: a latent receiver; posted wants took the offer's quantity first;
- ``lower_score``: the offer's whole quantity went to receivers ranked above it;
- ``cut_by_k``: ranked beyond the ``k_per_offer`` best of its kind, so the allocation never saw it.

The receivers beyond ``k_per_offer`` come from :attr:`~matching.candidate_table.CandidateTable.ranked_only`,
kept by the select step for this.
"""

from __future__ import annotations

import numpy as np

from matching.candidate_table import CandidateTable
from matching.placement import FULL_SLACK, Placed, receiver_capacity
from matching.tables import InputTables
from matching.types import ALTERNATIVE_REASONS, TRANSPORT_MODES, Alternative, MatchOptions

__all__ = ["rank_alternatives"]

_CAPACITY, _LOWER, _POSTED, _CUT = (ALTERNATIVE_REASONS.index(r) for r in
                                    ("capacity_taken", "lower_score", "posted_first", "cut_by_k"))
_FIELDS = ("offer", "want", "site", "route", "mode", "distance_km", "road_km", "net", "co2", "score", "latent",
           "substitute", "rank")
_NAMES = tuple(Alternative.__dataclass_fields__)


def _alternative(*values: object) -> Alternative:
    """An :class:`Alternative` from its field values in order, without the per-field cost of the frozen ``__init__``.

    Examples
    --------
    >>> a = _alternative("O1", "S1", None, "S2", "coal-fly-ash", "r", "road", 2, 3, 1.0, 1.0, 5.0, "t", 5.0, 10.0,
    ...                  13.0, 0.5, True, False, "posted_first")
    >>> a == Alternative("O1", "S1", None, "S2", "coal-fly-ash", "r", "road", 2, 3, 1.0, 1.0, 5.0, "t", 5.0, 10.0,
    ...                  13.0, 0.5, True, False, "posted_first")
    True
    """
    alternative = object.__new__(Alternative)
    alternative.__dict__.update(zip(_NAMES, values))
    return alternative




def rank_alternatives(
    tables: InputTables, found: CandidateTable, placed: Placed, *, options: MatchOptions
) -> list[Alternative]:
    """The alternatives of every offer, sorted by supplier site, offer and rank."""
    limit = options.alternatives_per_offer
    if limit <= 0 or (len(found) == 0 and len(found.ranked_only.get("offer", ())) == 0):
        return []
    c, extra = found.columns, found.ranked_only
    idle = np.flatnonzero(placed.flow <= 0)
    offer = c["offer"][idle]
    available = tables.o_available[offer]
    spent = placed.left_after_posted[offer] <= FULL_SLACK * np.maximum(available, 1.0)
    placed_all = (available - placed.offer_placed[offer]) <= FULL_SLACK * np.maximum(available, 1.0)
    reason = np.where(
        placed.receiver_full[idle], _CAPACITY,
        np.where(c["latent"][idle] & spent, _POSTED, np.where(placed_all, _LOWER, _CAPACITY)),
    )
    rows = {name: np.concatenate([c[name][idle], extra[name]]) for name in _FIELDS}
    rows["reason"] = np.concatenate([reason, np.full(len(extra["offer"]), _CUT)]).astype(np.int64)

    # The ``limit`` best-ranked per offer, grouped by supplier site then offer (both sorted by id).
    order = np.lexsort((rows["rank"], rows["offer"], tables.o_site[rows["offer"]]))
    offer_sorted = rows["offer"][order]
    n = len(order)
    first = np.r_[True, offer_sorted[1:] != offer_sorted[:-1]] if n else np.empty(0, dtype=bool)
    start = np.maximum.accumulate(np.where(first, np.arange(n), 0)) if n else first
    order = order[(np.arange(n) - start) < limit]
    rows = {name: column[order] for name, column in rows.items()}

    capacity = receiver_capacity(tables, rows["offer"], rows["want"], rows["site"], placed.latent_caps)
    net = rows["net"]
    offer_ids = [o.id for o in tables.offers]
    want_ids = [w.id for w in tables.wants] + [None]  # -1: a latent receiver
    site_ids = [s.id for s in tables.sites]
    route_ids = [r.id for r in tables.routes] + [None]  # -1: an unclassified stream
    offers = rows["offer"].tolist()
    # One list per field, then each row's attributes set in one go: a frozen dataclass's __init__ sets its
    # twenty fields one by one, which made this step a fifth of a province run for tens of thousands of rows.
    return list(map(
        _alternative,
        [offer_ids[o] for o in offers],
        [site_ids[s] for s in tables.o_site[rows["offer"]].tolist()],
        [want_ids[w] for w in rows["want"].tolist()],
        [site_ids[s] for s in rows["site"].tolist()],
        [tables.offers[o].material for o in offers],
        [route_ids[r] for r in rows["route"].tolist()],
        [TRANSPORT_MODES[m] for m in rows["mode"].tolist()],
        (rows["rank"] + 1).tolist(),
        found.feasible_by_offer[rows["offer"]].tolist(),
        rows["score"].tolist(),
        net.tolist(),
        capacity.tolist(),
        [tables.o_unit[o] for o in offers],
        (net * capacity).tolist(),
        rows["distance_km"].tolist(),
        rows["road_km"].tolist(),
        rows["co2"].tolist(),
        rows["latent"].tolist(),
        rows["substitute"].tolist(),
        [ALTERNATIVE_REASONS[r] for r in rows["reason"].tolist()],
    ))
