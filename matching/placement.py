"""The **allocate** step: how much of each offer each kept candidate receives.

Two rounds, each one min-cost flow (:func:`matching.allocate.allocate`): posted wants first, then
latent receivers with what the offers have left. A latent receiver is one (site, material); a
site's hazardous-waste permit capacity is shared by every receiver at it, across both rounds.
What no receiver takes is the offer's landfill.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from matching.allocate import FlowProblem, MapParts, allocate
from matching.candidate_table import CandidateTable
from matching.tables import InputTables
from matching.knowledge import Knowledge
from matching.types import MatchOptions

__all__ = ["Placed", "landfill_by_offer", "place", "receiver_capacity"]


# Relative slack when telling whether a receiver is full: capacities are rounded down to the solver's
# integer steps (matching.allocate), so a full receiver may show a hair of room.
FULL_SLACK = 1e-6


@dataclass(eq=False)
class Placed:
    """Quantity allocated per kept candidate, and in total per offer; what the alternatives need to say why."""

    flow: NDArray[np.float64]                 # per candidate
    offer_placed: NDArray[np.float64]         # per offer
    # Per candidate: its receiver (want, latent receiver, or the site's permit) was full after its round.
    receiver_full: NDArray[np.bool_] = None  # type: ignore[assignment]
    # Per offer: what it had left after the posted wants' round.
    left_after_posted: NDArray[np.float64] = None  # type: ignore[assignment]
    # Per material: what a latent receiver is assumed to take a year.
    latent_caps: dict[str, float] = None  # type: ignore[assignment]


def place(tables: InputTables, found: CandidateTable, *, options: MatchOptions,
          knowledge: Knowledge, map_parts: MapParts | None = None) -> tuple[Placed, str]:
    """The allocation of both rounds, and the solver(s) used (``"none"`` when nothing was to allocate).

    ``map_parts`` solves each round's independent parts (:func:`matching.allocate.allocate`); in turn when ``None``.
    """
    c = found.columns
    flow = np.zeros(len(found), dtype=np.float64)
    offer_placed = np.zeros(len(tables.offers), dtype=np.float64)
    unit_code = {unit: i for i, unit in enumerate(tables.units)}
    offer_unit = np.array([unit_code[unit] for unit in tables.o_unit], dtype=np.int64)
    receiver_full = np.zeros(len(found), dtype=bool)
    left_after_posted = tables.o_available.copy()
    latent_materials = {tables.offers[o].material for o in c["offer"][c["latent"]].tolist()}
    latent_caps = latent_capacities(tables, latent_materials, options=options, knowledge=knowledge)
    permit_sites = sorted({int(s) for s in c["site"][_hazardous_arcs(tables, found)].tolist()})
    group_of_site = {site: g for g, site in enumerate(permit_sites)}
    group_left = np.array([tables.permit_left_t[s] for s in permit_sites], dtype=np.float64)
    solvers: list[str] = []
    hazardous_arc = _hazardous_arcs(tables, found)

    for latent in (False, True):
        arcs = np.flatnonzero(c["latent"] == latent)
        if len(arcs) == 0:
            continue
        if latent:
            # One receiver per (site, material): latent_capacity is what a site that posted nothing is
            # assumed to take of one material.
            pairs = [(s, tables.offers[o].material) for s, o in zip(c["site"][arcs].tolist(), c["offer"][arcs].tolist())]
            keys = sorted(set(pairs))
            receiver_of = {key: i for i, key in enumerate(keys)}
            arc_receiver = np.array([receiver_of[pair] for pair in pairs], dtype=np.intp)
            caps = latent_caps
            capacity = np.array([max(caps[material] - tables.latent_agreed.get((site, material), 0.0), 0.0)
                                 for site, material in keys], dtype=np.float64)
            receiver_site = np.array([key[0] for key in keys], dtype=np.intp)
        else:
            arc_receiver = c["want"][arcs]
            capacity = tables.w_available.copy()
            receiver_site = tables.w_site
        receiver_hazardous = np.zeros(len(capacity), dtype=bool)
        receiver_hazardous[arc_receiver[hazardous_arc[arcs]]] = True
        receiver_group = np.array(
            [group_of_site[int(s)] if h else -1 for s, h in zip(receiver_site.tolist(), receiver_hazardous.tolist())],
            dtype=np.int64,
        )
        supply = np.maximum(tables.o_available - offer_placed, 0.0)
        problem = FlowProblem(
            supply=supply, offer_unit=offer_unit, capacity=capacity, receiver_group=receiver_group,
            group_capacity=group_left.copy(), arc_offer=c["offer"][arcs], arc_receiver=arc_receiver,
            arc_value=c["score"][arcs],
        )
        allocation = allocate(problem, solver=options.solver, networkx_max_arcs=options.networkx_max_arcs,
                              map_parts=map_parts)
        solvers.append(allocation.solver)
        flow[arcs] = allocation.flow
        np.add.at(offer_placed, c["offer"][arcs], allocation.flow)
        used = np.zeros(len(group_left))
        grouped = receiver_group[arc_receiver] >= 0
        np.add.at(used, receiver_group[arc_receiver][grouped], allocation.flow[grouped])
        group_left = np.maximum(group_left - used, 0.0)
        taken = np.bincount(arc_receiver, weights=allocation.flow, minlength=len(capacity))
        full = taken >= capacity * (1 - FULL_SLACK) - FULL_SLACK
        group = receiver_group[arc_receiver]
        # A site's permit shared by its receivers: full when what is left of it is (next to) nothing.
        group_full = np.r_[group_left <= FULL_SLACK * np.maximum(problem.group_capacity, 1.0), False]
        receiver_full[arcs] = full[arc_receiver] | group_full[group]
        if not latent:
            left_after_posted = np.maximum(tables.o_available - offer_placed, 0.0)
    return Placed(flow, offer_placed, receiver_full, left_after_posted, latent_caps), \
        "+".join(dict.fromkeys(solvers)) or "none"


def receiver_capacity(
    tables: InputTables, offer: NDArray[np.intp], want: NDArray[np.intp], site: NDArray[np.intp],
    latent_caps: dict[str, float],
) -> NDArray[np.float64]:
    """Per pair, what the receiver could take of the offer before this run's allocation.

    A posted want's open quantity; a latent receiver's assumed capacity less what agreements already
    bring it; for hazardous waste, no more than the site's permit has left; never more than the offer has.
    """
    capacity = np.empty(len(offer), dtype=np.float64)
    for i, (o, w, s) in enumerate(zip(offer.tolist(), want.tolist(), site.tolist())):
        if w >= 0:
            room = float(tables.w_available[w])
        else:
            material = tables.offers[o].material
            room = max(latent_caps.get(material, float("inf")) - tables.latent_agreed.get((s, material), 0.0), 0.0)
        if tables.o_hazard[o] is not None:
            room = min(room, float(tables.permit_left_t[s]))
        capacity[i] = min(room, float(tables.o_available[o]))
    return capacity


def latent_capacities(tables: InputTables, materials: set[str], *, options: MatchOptions,
                      knowledge: Knowledge) -> dict[str, float]:
    """What a site that posted no want is assumed to take of each material a year.

    A cement works that never posted a want still has a mill of a certain size: without a figure of its
    own, the typical posted want for the material (its median) bounds it, so a latent run does not pour
    a province's fly ash into the one nearest works. Where no want names the material, a typical offer of
    it (the median) stands in: a user is assumed to take about what one supplier gives.
    """
    if options.latent_capacity is not None:
        return dict.fromkeys(materials, float(options.latent_capacity))
    caps = dict.fromkeys(materials, float("inf"))
    if not options.latent_capacity_typical:
        return caps
    naming: dict[str, set[int]] = defaultdict(set)  # material -> wants that name it
    for position, want in enumerate(tables.wants):
        for code in want.materials:
            naming[code].add(position)
    offered: dict[str, list[float]] = defaultdict(list)
    for offer in tables.offers:
        offered[offer.material].append(offer.quantity)
    for material in materials:
        asked = set().union(*(naming.get(code, set()) for code in (material, *knowledge.ancestors(material))))
        if asked:
            caps[material] = float(np.median([tables.wants[w].quantity for w in asked]))
        elif offered.get(material):
            caps[material] = float(np.median(offered[material]))
    return caps


def _hazardous_arcs(tables: InputTables, found: CandidateTable) -> NDArray[np.bool_]:
    hazardous_offer = np.array([h is not None for h in tables.o_hazard], dtype=bool)
    return hazardous_offer[found.columns["offer"]] if len(found) else np.zeros(0, dtype=bool)


def landfill_by_offer(tables: InputTables, placed: Placed) -> dict[str, float]:
    """Per offer with something to place: what no receiver takes (it goes to landfill or storage)."""
    left = np.maximum(tables.o_available - placed.offer_placed, 0.0)
    return {
        offer.id: float(left[i]) for i, offer in enumerate(tables.offers) if tables.o_available[i] > 0
    }
