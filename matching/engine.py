"""``run_matching``: offers, wants, sites and routes in; proposed links, counts and timings out.

The run, step by step (each timed in :attr:`RunSummary.timings_s`, :mod:`matching.timing`):

1. **validate** the input (:mod:`matching.validate`); nothing else runs on bad input.
2. **index**: sort everything by id (the output never depends on input order) and turn it into arrays
   (:mod:`matching.tables`).
3. per offer material, **candidates** (:mod:`matching.candidate_search`): the nearest ``candidate_pool``
   receivers within the largest radius of the material's routes for the modes the offer may use, and
   beyond it those sharing the supplier's siding, quay or pipeline within the radius that opens
   (:mod:`matching.candidates`, :mod:`matching.material_matcher`), posted wants and latent receivers apart, who
   takes what being :mod:`matching.acceptance`'s rule (no sibling under a catch-all category, substitutes only
   where a route declares them); an unclassified (``name:``)
   stream only to the wants naming it, within ``unclassified_radius_km`` (:mod:`matching.name_matcher`);
4. **feasibility**: window, price, hazardous permit, want quality, then per route: sector, battery
   listing (a site's sectors are all of them), route quality, distance (:mod:`matching.material_matcher`,
   :mod:`matching.feasibility`);
   each dropped pair counted once, by the first check it fails (for route checks: the furthest any
   route got);
5. **scoring**: the best feasible route per pair (:mod:`matching.route_choice`, :mod:`matching.scoring`);
   uneconomic pairs dropped, and (``drop_co2_negative``) those whose transport emits more CO2 than the use avoids;
6. **select**: each offer's feasible receivers ranked, posted and latent together; the ``k_per_offer`` best
   of each kind go to the allocation, and up to ``alternatives_per_offer`` more are kept for ranking only
   (:mod:`matching.selection`);
7. **allocate**: posted wants first, then latent receivers with what is left (:mod:`matching.placement`,
   :mod:`matching.allocate`);
8. **links**: every arc with flow becomes a :class:`Link` with its explanation and its coupling, named from both
   sites' industries (:mod:`matching.links`, :mod:`matching.explain`, :mod:`matching.couplings`);
9. **alternatives**: per offer, the best-ranked receivers that got none of it and why
   (:mod:`matching.alternatives`);
10. **network**: cascades, couplings and keystone sites over proposed and agreed links (:mod:`matching.network`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matching.alternatives import rank_alternatives
from matching.candidate_search import find_candidates
from matching.knowledge.knowledge_base import Knowledge
from matching.knowledge.loader import load_knowledge
from matching.knowledge.models import Route
from matching.links import agreed_links, proposed_links
from matching.network import analyse_network
from matching.placement import landfill_by_offer, place
from matching.summary import run_summary
from matching.tables import InputTables
from matching.timing import StepTimer
from matching.types import Agreement, Link, MatchOptions, NetworkSummary, Offer, Result, RunSummary, Site, Want
from matching.validate import validate_inputs, validate_options

__all__ = ["run_matching"]


def run_matching(
    offers: Sequence[Offer],
    wants: Sequence[Want],
    sites: Sequence[Site],
    routes: Sequence[Route],
    *,
    options: MatchOptions,
    knowledge: Knowledge | None = None,
    agreements: Sequence[Agreement] = (),
    explain: bool = True,
) -> Result:
    """Match offers to wants (and, in latent mode, to sites that posted none) and allocate quantities.

    Parameters
    ----------
    offers, wants, sites
        The listings and every site they, and latent receivers, are at.
    routes
        The utilisation routes to use (usually ``load_knowledge().routes``).
    options
        See :class:`~matching.types.MatchOptions`.
    knowledge
        Materials (lineage, units, hazard flags); the shipped knowledge base when ``None``.
    agreements
        Links both sides accepted: fixed, their quantities reduce what offers, wants and permits have left.
    explain
        Write each proposed link's two sentences (``explanation_zh``, ``explanation_en``); a caller that words
        its links itself (the web app keeps a template per link, for each reader's view) passes False and
        gets them empty, a few tenths of a second sooner for a province.

    Returns
    -------
    Result
        Proposed links (sorted by supplier site, offer, receiver), agreed links re-scored, what each
        offer still has unplaced, each offer's best unallocated receivers, the run summary and the
        network analysis.

    Raises
    ------
    MatchingError
        On any bad input, naming the listing, site, agreement or option at fault.

    Examples
    --------
    >>> import datetime as dt
    >>> kb = load_knowledge()
    >>> sites = [Site("PWR", 116.90, 32.80, "4411"), Site("CEM", 117.00, 32.70, "3011")]
    >>> offers = [Offer("O1", "PWR", "coal-fly-ash", 10000.0, {"loi_pct": 5.0}, price_cny=20.0)]
    >>> wants = [Want("W1", "CEM", ("coal-fly-ash",), 6000.0, {"loi_pct_max": 8.0}, max_price_cny=70.0)]
    >>> result = run_matching(offers, wants, sites, kb.routes, options=MatchOptions(today=dt.date(2026, 1, 1)))
    >>> [(link.want_id, link.quantity, link.route_id) for link in result.links]
    [('W1', 6000.0, 'fly-ash-cement-admixture')]
    >>> result.landfill
    {'O1': 4000.0}
    >>> result.alternatives
    ()
    """
    validate_options(options)
    steps = StepTimer(trace=options.trace_memory)
    try:
        with steps("validate"):
            kb = knowledge or load_knowledge()
            validate_inputs(offers, wants, sites, routes, agreements, knowledge=kb)
        with steps("index"):
            tables = InputTables.build(offers, wants, sites, routes, agreements, options=options, knowledge=kb)
        found = find_candidates(tables, options=options, knowledge=kb, steps=steps)
        with steps("allocate"):
            placed, solver = place(tables, found, options=options, knowledge=kb)
        outcome = outcome_of(tables, found, placed, agreements, steps, options=options, knowledge=kb, explain=explain)
    finally:
        steps.close()
    summary = run_summary(tables, found, outcome.links, outcome.agreed, outcome.landfill, solver, steps,
                          options=options)
    return outcome.result(summary, found.as_candidates(tables) if options.keep_candidates else ())


@dataclass(frozen=True)
class Outcome:
    """What an allocation comes to, whoever computed it (this process, or a cluster: matching.distributed)."""

    links: list[Link]
    agreed: list[Link]
    landfill: dict[str, float]
    alternatives: list
    network: NetworkSummary

    def result(self, summary: RunSummary, candidates: tuple = ()) -> Result:
        return Result(
            links=tuple(self.links),
            agreed=tuple(self.agreed),
            landfill={offer_id: quantity for offer_id, quantity in self.landfill.items() if quantity > 0},
            summary=summary,
            network=self.network,
            candidates=candidates,
            alternatives=tuple(self.alternatives),
        )


def outcome_of(tables, found, placed, agreements: Sequence[Agreement], steps, *, options: MatchOptions,
               knowledge: Knowledge, explain: bool = True) -> Outcome:
    """The links (proposed and agreed), what is left to landfill, the alternatives and the network analysis of
    an allocation, each step timed."""
    with steps("links"):
        links = proposed_links(tables, found, placed, knowledge=knowledge, explain_links=explain)
        agreed = agreed_links(tables, agreements, options=options, knowledge=knowledge)
        landfill = landfill_by_offer(tables, placed)
    with steps("alternatives"):
        alternatives = rank_alternatives(tables, found, placed, options=options)
    with steps("network"):
        network = analyse_network(
            [*links, *agreed],
            exact_max_nodes=options.betweenness_exact_max_nodes,
            samples=options.betweenness_samples,
            seed=options.seed,
        )
    return Outcome(links, agreed, landfill, alternatives, network)
