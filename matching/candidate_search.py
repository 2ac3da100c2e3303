"""The candidates of a run, offer material by offer material: who could receive each, and the matching in chunks.

Receivers of a material are the posted wants that accept it (as named, as a kind of what they name, as
serving a product they name, or, with ``allow_substitutes``, as a substitute a route declares) and, in latent
mode, the sites whose sector a route naming the material or its parent names (any of its sectors; never a
catch-all route) and that posted no such want: the rules are :mod:`matching.acceptance`'s. Offers are matched
a chunk at a time (:class:`~matching.material_matcher.MaterialMatcher`) to bound memory on large runs; each
chunk's feasible receivers, posted and latent, are then ranked together (:func:`matching.selection.rank_and_select`).
An unclassified (``name:``) stream has no route: its offers go only to wants naming the same stream
(:mod:`matching.name_matcher`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from matching.acceptance import acceptance_for
from matching.candidate_table import CandidateTable
from matching.knowledge.knowledge_base import Knowledge
from matching.knowledge.models import Route
from matching.knowledge.unclassified import is_unclassified
from matching.material_matcher import MaterialMatcher
from matching.name_matcher import NameMatcher
from matching.selection import rank_and_select
from matching.tables import InputTables, listing_unit
from matching.timing import StepTimer
from matching.types import MatchOptions

__all__ = ["OFFER_CHUNK", "accepting_wants", "find_candidates", "latent_receivers"]

# Offers of one material are examined this many at a time, to bound memory on large runs.
OFFER_CHUNK = 25_000


def find_candidates(
    tables: InputTables, *, options: MatchOptions, knowledge: Knowledge, steps: StepTimer
) -> CandidateTable:
    """Every offer material's selected candidates, joined, with the counts on the way."""
    found = CandidateTable(feasible_by_offer=np.zeros(len(tables.offers), dtype=np.int64))
    with steps("candidates"):
        accepting = accepting_wants(tables, options=options, knowledge=knowledge)
        materials = sorted({o.material for o in tables.offers})
        by_material: dict[str, list[int]] = defaultdict(list)
        for position, o in enumerate(tables.offers):
            by_material[o.material].append(position)
        latent_sites: set[int] = set()
    for material in materials:
        with steps("candidates"):
            offer_ids = np.array(by_material[material], dtype=np.intp)
            offer_ids = offer_ids[tables.o_available[offer_ids] > 0]
            if len(offer_ids) == 0:
                continue
            wanted = accepting.get(material, {})
            want_ids = np.array(sorted(w for w in wanted if tables.w_available[w] > 0), dtype=np.intp)
        if is_unclassified(material):
            _match_by_name(tables, material, offer_ids, want_ids, found=found, options=options,
                           knowledge=knowledge, steps=steps)
            continue
        with steps("candidates"):
            lineage = set(knowledge.route_lineage(material))
            routes = [r for r in tables.routes if lineage.intersection(r.materials)]
            if not routes:
                found.offers_without_route += len(offer_ids)
                continue
            declared = [wanted[w] for w in want_ids.tolist()]
            latent_ids = np.empty(0, dtype=np.intp)
            if options.latent:
                latent_ids = latent_receivers(tables, material, routes, wanted, by_material, knowledge=knowledge)
                latent_sites.update(latent_ids.tolist())
            matcher = MaterialMatcher(tables, material, routes, offer_ids, options=options, knowledge=knowledge)
        for start in range(0, len(offer_ids), OFFER_CHUNK):
            chunk = offer_ids[start:start + OFFER_CHUNK]
            parts = []
            if len(want_ids):
                parts.append(matcher.match(chunk, tables.w_site[want_ids], want_ids, declared,
                                           found=found, steps=steps))
            if len(latent_ids):
                parts.append(matcher.match(chunk, latent_ids, None, None, found=found, steps=steps))
            with steps("select"):
                _select(parts, found, options=options)
    found.latent_receivers = len(latent_sites)
    found.finish()
    return found


def latent_receivers(
    tables: InputTables, material: str, routes: list[Route], wanted: Mapping[int, object],
    by_material: Mapping[str, Sequence[int]], *, knowledge: Knowledge,
) -> NDArray[np.intp]:
    """Site positions that are latent receivers of ``material``: a sector a route finding latent users names,
    and neither a want of it (``wanted``: the want positions accepting it) nor an offer of a related material.

    ``by_material`` gives each material's offer positions (whatever is left of them).
    """
    rules = acceptance_for(knowledge)
    posted = {int(tables.w_site[w]) for w in wanted}
    # A site that itself offers the material has it to spare: it is no latent user of it.
    related = {material, *knowledge.ancestors(material), *knowledge.descendants(material)}
    posted |= {int(tables.o_site[o]) for kin in related for o in by_material.get(kin, ())}
    users = np.zeros(len(tables.sites), dtype=bool)
    for route in routes:
        if rules.finds_latent(route, material):
            users |= tables.sector_match(route)
    return np.array([s for s in np.flatnonzero(users).tolist() if s not in posted], dtype=np.intp)


def _match_by_name(
    tables: InputTables, material: str, offer_ids: NDArray[np.intp], want_ids: NDArray[np.intp], *,
    found: CandidateTable, options: MatchOptions, knowledge: Knowledge, steps: StepTimer,
) -> None:
    """An unclassified stream: only the wants naming it, no route, no latent receiver (:mod:`matching.name_matcher`)."""
    if len(want_ids) == 0:
        return
    matcher = NameMatcher(tables, offer_ids, options=options)
    want_units = [listing_unit(material, tables.wants[w].unit, knowledge) for w in want_ids.tolist()]
    for start in range(0, len(offer_ids), OFFER_CHUNK):
        chunk = offer_ids[start:start + OFFER_CHUNK]
        part = matcher.match(chunk, want_ids, want_units, found=found, steps=steps)
        with steps("select"):
            _select([part], found, options=options)


def _select(parts: list[dict[str, NDArray]], found: CandidateTable, *, options: MatchOptions) -> None:
    """Rank a chunk's feasible pairs (posted and latent together); keep what the allocation and the alternatives need."""
    parts = [part for part in parts if part and len(part["offer"])]
    if not parts:
        return
    joined = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    chosen, extra, rank = rank_and_select(
        joined["offer"], joined["latent"], joined["score"], joined["distance_km"], joined["site"], joined["want"],
        k=options.k_per_offer, extra=options.alternatives_per_offer,
    )
    joined["rank"] = rank
    found.cut_by_k += len(rank) - len(chosen)
    found.feasible_by_offer += np.bincount(joined["offer"], minlength=len(found.feasible_by_offer))
    found.add({name: column[chosen] for name, column in joined.items()},
              {name: column[extra] for name, column in joined.items()})


def accepting_wants(
    tables: InputTables, *, options: MatchOptions, knowledge: Knowledge
) -> dict[str, dict[int, frozenset[str] | None]]:
    """Offer material -> {want position: ``None`` when the want takes it as such, else the ids of the routes
    declaring it a substitute for what the want names}; taking it as such wins over a substitute.

    What a want takes is :mod:`matching.acceptance`'s rule. A want takes only materials measured in its own unit
    (:attr:`InputTables.w_unit`): its quantity is in that unit, and tonnes of one stream cannot fill gigajoules of
    another. A want listing streams of several units (a plant asking for desalinated water, steam and waste heat
    on one row) is served in its own unit only.
    """
    # Offered materials and their units; an unclassified stream's ("") is checked per pair (it varies by listing).
    offered = {o.material: ("" if is_unclassified(o.material) else knowledge.materials[o.material].unit)
               for o in tables.offers}
    rules = acceptance_for(knowledge)
    accepting: dict[str, dict[int, frozenset[str] | None]] = defaultdict(dict)
    for position, want in enumerate(tables.wants):
        takes = (tables.w_unit[position], "")
        for accepted in want.materials:
            if is_unclassified(accepted):  # an unclassified stream: only the very same name
                if accepted in offered:
                    accepting[accepted][position] = None
                continue
            for code in rules.accepted(accepted):  # kinds under it, and what serves it
                if offered.get(code) in takes:
                    accepting[code][position] = None
        if options.allow_substitutes:
            sectors = tables.sites[int(tables.w_site[position])].all_sectors
            for accepted in want.materials:
                if is_unclassified(accepted):
                    continue
                for code, route_ids in rules.substitutes(accepted, sectors).items():
                    if offered.get(code) not in takes:
                        continue
                    held = accepting[code].get(position, frozenset())
                    if held is not None:  # several named materials may declare it: any of their routes
                        accepting[code][position] = held | route_ids
    return accepting
