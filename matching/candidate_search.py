"""The candidates of a run, offer material by offer material: who could receive each, and the matching in chunks.

Receivers of a material are the posted wants that accept it (directly, through a parent, or, with
``allow_substitutes``, as a substitute) and, in latent mode, the sites whose sector one of its
routes names and that posted no such want. Offers are matched a chunk at a time
(:class:`~matching.material_matcher.MaterialMatcher`) to bound memory on large runs.
"""

from __future__ import annotations

import functools
from collections import defaultdict

import numpy as np

from matching.candidate_table import CandidateTable
from matching.knowledge.knowledge_base import Knowledge
from matching.material_matcher import MaterialMatcher
from matching.tables import InputTables
from matching.timing import StepTimer
from matching.types import MatchOptions

__all__ = ["OFFER_CHUNK", "accepting_wants", "find_candidates"]

# Offers of one material are examined this many at a time, to bound memory on large runs.
OFFER_CHUNK = 25_000


def find_candidates(
    tables: InputTables, *, options: MatchOptions, knowledge: Knowledge, steps: StepTimer
) -> CandidateTable:
    """Every offer material's selected candidates, joined, with the counts on the way."""
    found = CandidateTable()
    with steps("candidates"):
        accepting = accepting_wants(tables, options=options, knowledge=knowledge)
        materials = sorted({o.material for o in tables.offers})
        by_material: dict[str, list[int]] = defaultdict(list)
        for position, o in enumerate(tables.offers):
            by_material[o.material].append(position)
        latent_sites: set[int] = set()

        def related(material: str) -> set[str]:
            return {material, *knowledge.ancestors(material), *knowledge.descendants(material)}
    for material in materials:
        with steps("candidates"):
            lineage = set(knowledge.route_lineage(material))
            routes = [r for r in tables.routes if lineage.intersection(r.materials)]
            offer_ids = np.array(by_material[material], dtype=np.intp)
            offer_ids = offer_ids[tables.o_available[offer_ids] > 0]
            if len(offer_ids) == 0:
                continue
            if not routes:
                found.offers_without_route += len(offer_ids)
                continue
            wanted = accepting.get(material, {})
            want_ids = np.array(sorted(w for w in wanted if tables.w_available[w] > 0), dtype=np.intp)
            substitute = np.array([wanted[w] for w in want_ids.tolist()], dtype=bool)
            latent_ids = np.empty(0, dtype=np.intp)
            if options.latent:
                posted = {int(tables.w_site[w]) for w in wanted}
                # A site that itself offers the material has it to spare: it is no latent user of it.
                posted |= {int(tables.o_site[o]) for kin in related(material) for o in by_material.get(kin, ())}
                users = np.zeros(len(tables.sites), dtype=bool)
                for route in routes:
                    users |= tables.sector_match(route)
                latent_ids = np.array([s for s in np.flatnonzero(users).tolist() if s not in posted], dtype=np.intp)
                latent_sites.update(latent_ids.tolist())
            matcher = MaterialMatcher(tables, material, routes, offer_ids, options=options, knowledge=knowledge)
        for start in range(0, len(offer_ids), OFFER_CHUNK):
            chunk = offer_ids[start:start + OFFER_CHUNK]
            if len(want_ids):
                matcher.match(chunk, tables.w_site[want_ids], want_ids, substitute, found=found, steps=steps)
            if len(latent_ids):
                matcher.match(chunk, latent_ids, None, None, found=found, steps=steps)
    found.latent_receivers = len(latent_sites)
    found.finish()
    return found


def accepting_wants(
    tables: InputTables, *, options: MatchOptions, knowledge: Knowledge
) -> dict[str, dict[int, bool]]:
    """Offer material -> {want position: served as a substitute?}; a direct match wins over a substitute."""
    offered = {o.material for o in tables.offers}
    descendants = functools.lru_cache(maxsize=None)(knowledge.descendants)
    alternatives = functools.lru_cache(maxsize=None)(knowledge.alternatives)
    accepting: dict[str, dict[int, bool]] = defaultdict(dict)
    for position, want in enumerate(tables.wants):
        for accepted in want.materials:
            for code in (accepted, *descendants(accepted)):
                if code in offered:
                    accepting[code][position] = False
        if options.allow_substitutes:
            for accepted in want.materials:
                for alternative in alternatives(accepted):
                    for code in (alternative, *descendants(alternative)):
                        if code in offered:
                            accepting[code].setdefault(position, True)
    return accepting
