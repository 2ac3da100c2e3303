"""The candidates a run keeps, one NumPy column per field, and the counts of what fell away on the way.

Each chunk of offers adds the candidates it selected; :meth:`CandidateTable.finish` joins them into
columns that the allocation and the links read by position (offer, want, site and route are
positions in :class:`~matching.tables.InputTables`; a want of -1 is a latent receiver; a route of
-1 an unclassified stream matched by name). ``rank`` is the pair's 0-based place among its offer's
feasible receivers. Candidates ranked beyond what the allocation sees, kept only to list an offer's
alternatives, are in :attr:`CandidateTable.ranked_only`, with the same columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from matching.tables import InputTables
from matching.types import DROP_REASONS, TRANSPORT_MODES, Candidate

__all__ = ["CANDIDATE_COLUMNS", "CandidateTable"]

CANDIDATE_COLUMNS = (
    ("offer", np.intp), ("want", np.intp), ("site", np.intp), ("route", np.intp), ("mode", np.int8),
    ("distance_km", np.float64), ("road_km", np.float64), ("avoided", np.float64), ("price", np.float64),
    ("transport", np.float64), ("disposal", np.float64), ("net", np.float64), ("co2", np.float64),
    ("score", np.float64), ("substitute", np.bool_), ("latent", np.bool_), ("rank", np.int64),
)


@dataclass(eq=False)
class CandidateTable:
    """Candidates kept after selection (one column per field), and the counts on the way."""

    columns: dict[str, NDArray] = field(default_factory=dict)
    ranked_only: dict[str, NDArray] = field(default_factory=dict)
    # Per offer position, how many feasible receivers it has (posted and latent).
    feasible_by_offer: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pairs_in_radius: int = 0
    cut_by_pool: int = 0
    examined: int = 0
    dropped: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DROP_REASONS, 0))
    feasible: int = 0
    cut_by_k: int = 0
    offers_without_route: int = 0
    latent_receivers: int = 0
    _parts: list[dict[str, NDArray]] = field(default_factory=list)
    _ranked_parts: list[dict[str, NDArray]] = field(default_factory=list)

    def add(self, part: dict[str, NDArray], ranked_only: dict[str, NDArray] | None = None) -> None:
        if len(part["offer"]):
            self._parts.append(part)
        if ranked_only is not None and len(ranked_only["offer"]):
            self._ranked_parts.append(ranked_only)

    def finish(self) -> None:
        def join(parts: list[dict[str, NDArray]]) -> dict[str, NDArray]:
            return {
                name: np.concatenate([part[name] for part in parts]).astype(dtype, copy=False) if parts
                else np.empty(0, dtype=dtype)
                for name, dtype in CANDIDATE_COLUMNS
            }

        self.columns = join(self._parts)
        self.ranked_only = join(self._ranked_parts)
        self._parts.clear()
        self._ranked_parts.clear()

    def __len__(self) -> int:
        return len(self.columns.get("offer", ()))

    def as_candidates(self, tables: InputTables) -> tuple[Candidate, ...]:
        c = self.columns
        return tuple(
            Candidate(
                offer_id=tables.offers[c["offer"][i]].id,
                receiver_site_id=tables.sites[c["site"][i]].id,
                want_id=tables.wants[c["want"][i]].id if c["want"][i] >= 0 else None,
                route_id=tables.routes[c["route"][i]].id if c["route"][i] >= 0 else None,
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
                rank=int(c["rank"][i]) + 1,
            )
            for i in range(len(self))
        )
