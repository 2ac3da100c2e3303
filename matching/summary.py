"""The run summary: counts at every step, totals by unit, the solver, timings and the options used."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from matching.candidate_table import CandidateTable
from matching.tables import InputTables
from matching.timing import STEPS, StepTimer
from matching.types import Link, MatchOptions, RunSummary

__all__ = ["run_summary"]


def _by_unit(pairs: Sequence[tuple[str, float]]) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for unit, quantity in pairs:
        totals[unit] += quantity
    return {unit: totals[unit] for unit in sorted(totals)}


def run_summary(
    tables: InputTables,
    found: CandidateTable,
    links: list[Link],
    agreed: list[Link],
    landfill: dict[str, float],
    solver: str,
    steps: StepTimer,
    *,
    options: MatchOptions,
    executor: Literal["local", "dask"] = "local",
    partitions: int = 1,
    partition_timings: Sequence[Mapping[str, Any]] = (),
) -> RunSummary:
    """Everything the run counted, for the summary a caller shows and the benchmark records.

    ``executor``, ``partitions`` and ``partition_timings``: where the run ran (see :class:`RunSummary`).
    """
    unit_of_offer = {o.id: tables.o_unit[i] for i, o in enumerate(tables.offers)}
    return RunSummary(
        offers=len(tables.offers),
        wants=len(tables.wants),
        sites=len(tables.sites),
        agreements=len(agreed),
        offers_without_route=found.offers_without_route,
        latent_receivers=found.latent_receivers,
        pairs_in_radius=found.pairs_in_radius,
        cut_by_pool=found.cut_by_pool,
        examined=found.examined,
        dropped=dict(found.dropped),
        feasible=found.feasible,
        cut_by_k=found.cut_by_k,
        arcs=len(found),
        links=len(links),
        allocated=_by_unit([(link.unit, link.quantity) for link in links]),
        landfill=_by_unit([(unit_of_offer[offer_id], quantity) for offer_id, quantity in landfill.items()]),
        agreed=dict(sorted(tables.agreed_by_unit.items())),
        net_benefit_cny=float(sum(link.net_benefit_cny for link in links)),
        co2_avoided_t=float(sum(link.co2_avoided_t for link in links)),
        solver=solver,
        timings_s={step: round(steps.seconds.get(step, 0.0), 6) for step in (*STEPS, "total")},
        peak_memory_mb={step: round(mb, 3) for step, mb in steps.peak_mb.items()} if options.trace_memory else {},
        options=options.as_dict(),
        executor=executor,
        partitions=partitions,
        partition_timings=tuple(partition_timings),
    )
