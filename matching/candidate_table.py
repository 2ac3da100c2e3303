"""The candidates a run keeps, one NumPy column per field, and the counts of what fell away on the way.

Each chunk of offers adds the candidates it selected; :meth:`CandidateTable.finish` joins them into
columns that the allocation and the links read by position (offer, want, site and route are
positions in :class:`~matching.tables.InputTables`; a want of -1 is a latent receiver).
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
    ("score", np.float64), ("substitute", np.bool_), ("latent", np.bool_),
)


@dataclass(eq=False)
class CandidateTable:
    """Candidates kept after selection (one column per field), and the counts on the way."""

    columns: dict[str, NDArray] = field(default_factory=dict)
    pairs_in_radius: int = 0
    cut_by_pool: int = 0
    examined: int = 0
    dropped: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DROP_REASONS, 0))
    feasible: int = 0
    cut_by_k: int = 0
    offers_without_route: int = 0
    latent_receivers: int = 0
    _parts: list[dict[str, NDArray]] = field(default_factory=list)

    def add(self, part: dict[str, NDArray]) -> None:
        if len(part["offer"]):
            self._parts.append(part)

    def finish(self) -> None:
        self.columns = {
            name: np.concatenate([part[name] for part in self._parts]) if self._parts else np.empty(0, dtype=dtype)
            for name, dtype in CANDIDATE_COLUMNS
        }
        self._parts.clear()

    def __len__(self) -> int:
        return len(self.columns.get("offer", ()))

    def as_candidates(self, tables: InputTables) -> tuple[Candidate, ...]:
        c = self.columns
        return tuple(
            Candidate(
                offer_id=tables.offers[c["offer"][i]].id,
                receiver_site_id=tables.sites[c["site"][i]].id,
                want_id=tables.wants[c["want"][i]].id if c["want"][i] >= 0 else None,
                route_id=tables.routes[c["route"][i]].id,
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
            )
            for i in range(len(self))
        )
