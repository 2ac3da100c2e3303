"""Allocation: split each offer's quantity among its receivers by a min-cost flow.

The network is ``source → offer → receiver [→ permit group] → sink``:

- source → offer: the offer's available quantity;
- offer → receiver: one arc per candidate, unbounded, cost = − value per unit (the score);
- receiver → sink: the want's open quantity (a latent receiver's may be unbounded);
- receiver → group → sink: receivers of hazardous lots at one site share that site's permit
  capacity, so the permit is never over-committed across several wants.

What an offer cannot place stays at the source: that is the overflow to landfill, reported per
offer. The solve is lexicographic: first the **most quantity placed** (a maximum flow), then,
among all maximum flows, the **largest total value** (minimum cost). Both solvers do exactly that:
NetworkX's ``max_flow_min_cost`` (network simplex; the small-case path and the test oracle) and
OR-tools' ``SimpleMinCostFlow.solve_max_flow_with_min_cost`` (cost scaling; large networks).

The network is first split into its connected components (no node shared, so the optimum is the
same), small ones batched together: cost scaling grows faster than linearly with size, and one
province's fly ash should not wait on another material's network.

Integer scaling, per batch (both solvers get the same integer problem, so they reach the same optimum):

- quantities: per unit of measure (t, Nm3 ...), a step that is a power of two with the unit's
  total supply at most 2**30 steps; every capacity is rounded *down* to whole steps, so no offer,
  want or permit is ever promised more than it holds (at most one step, ≤ total/2**30, is lost);
- costs: value per step × one common factor that maps the largest magnitude to 2**24, rounded to
  an integer (error below 3e-8 of the largest arc value; larger factors bought precision nobody
  needs at the price of more cost-scaling phases). Total cost stays below 2**57, inside int64 even
  after OR-tools multiplies costs by the node count for its scaling.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from matching.errors import MatchingError, SolverError
from geo.messages import Message, N_

__all__ = ["Allocation", "FlowProblem", "MapParts", "PartProblem", "allocate", "solve_part"]

_QUANTITY_STEPS = 2**30
_COST_MAGNITUDE = 2**24
# Components smaller than this are solved together, to save the per-solve overhead.
_BATCH_ARCS = 20_000


@dataclass(frozen=True, eq=False)
class FlowProblem:
    """The allocation network as arrays.

    Parameters
    ----------
    supply
        Per offer, the quantity it can place.
    offer_unit
        Per offer, a small integer naming its unit of measure (offers of different units never
        share a receiver; each unit is scaled on its own).
    capacity
        Per receiver, the quantity it can take (``inf``: unbounded).
    receiver_group
        Per receiver, its permit group (-1: none).
    group_capacity
        Per permit group, the quantity all its receivers together can take.
    arc_offer, arc_receiver, arc_value
        Per candidate arc: offer, receiver and value per unit (maximised).
    """

    supply: NDArray[np.float64]
    offer_unit: NDArray[np.int64]
    capacity: NDArray[np.float64]
    receiver_group: NDArray[np.int64]
    group_capacity: NDArray[np.float64]
    arc_offer: NDArray[np.intp]
    arc_receiver: NDArray[np.intp]
    arc_value: NDArray[np.float64]

    @classmethod
    def build(
        cls,
        *,
        supply: list[float] | NDArray[np.float64],
        capacity: list[float] | NDArray[np.float64],
        arcs: list[tuple[int, int, float]],
        offer_unit: list[int] | NDArray[np.int64] | None = None,
        receiver_group: list[int] | NDArray[np.int64] | None = None,
        group_capacity: list[float] | NDArray[np.float64] = (),
    ) -> FlowProblem:
        """Convenience constructor from lists (arcs as ``(offer, receiver, value)``).

        Examples
        --------
        >>> problem = FlowProblem.build(supply=[10.0], capacity=[4.0, 9.0], arcs=[(0, 0, 5.0), (0, 1, 1.0)])
        >>> len(problem.arc_value)
        2
        """
        supply_a = np.asarray(supply, dtype=np.float64)
        capacity_a = np.asarray(capacity, dtype=np.float64)
        arc_array = np.asarray(arcs, dtype=np.float64).reshape(-1, 3)
        return cls(
            supply=supply_a,
            offer_unit=np.zeros(len(supply_a), dtype=np.int64) if offer_unit is None
            else np.asarray(offer_unit, dtype=np.int64),
            capacity=capacity_a,
            receiver_group=np.full(len(capacity_a), -1, dtype=np.int64) if receiver_group is None
            else np.asarray(receiver_group, dtype=np.int64),
            group_capacity=np.asarray(group_capacity, dtype=np.float64),
            arc_offer=arc_array[:, 0].astype(np.intp),
            arc_receiver=arc_array[:, 1].astype(np.intp),
            arc_value=arc_array[:, 2].copy(),
        )


@dataclass(frozen=True, eq=False)
class Allocation:
    """Flow per arc (in the problem's units), the total value, and the integer objective solved."""

    flow: NDArray[np.float64]
    value: float
    placed: float
    integer_cost: int
    solver: str


@dataclass(frozen=True, eq=False)
class _Scaled:
    supply: NDArray[np.int64]
    capacity: NDArray[np.int64]
    group_capacity: NDArray[np.int64]
    arc_cost: NDArray[np.int64]
    arc_step: NDArray[np.float64]
    big: int


def allocate(
    problem: FlowProblem,
    *,
    solver: Literal["auto", "networkx", "ortools"] = "auto",
    networkx_max_arcs: int = 2000,
    map_parts: MapParts | None = None,
) -> Allocation:
    """Place the most quantity at the best total value; the one allocation function of the engine.

    Parameters
    ----------
    problem
        The network (see :class:`FlowProblem`).
    solver
        ``"networkx"``, ``"ortools"`` or ``"auto"`` (NetworkX up to ``networkx_max_arcs`` arcs).
    networkx_max_arcs
        The ``"auto"`` threshold.
    map_parts
        How the independent parts (batches of components) are solved: ``map_parts(solve_part, parts)``
        returns ``solve_part(part)`` for each, in order; one after the other here when ``None``
        (:mod:`matching.distributed` solves them on a cluster's workers). The parts and the answer are the same.

    Returns
    -------
    Allocation
        ``flow[i]`` on arc ``i``; ``value`` = Σ flow × arc value.

    Raises
    ------
    MatchingError
        If the problem is malformed (an arc joins offers and receivers of different units,
        negative or non-finite supply, an unknown solver).
    SolverError
        If a solver reports anything but an optimum.

    Examples
    --------
    One offer of 10 t, two wants taking 4 t and 9 t: all 10 t are placed, the better want filled first.

    >>> problem = FlowProblem.build(supply=[10.0], capacity=[4.0, 9.0], arcs=[(0, 0, 5.0), (0, 1, 1.0)])
    >>> result = allocate(problem, solver="networkx")
    >>> result.flow.tolist(), result.value
    ([4.0, 6.0], 26.0)

    Notes
    -----
    Network simplex is fast to a few thousand arcs (NetworkX needed 45 s for 245 000 arcs on a 2-core
    machine); OR-tools' cost-scaling push-relabel handles millions.
    """
    if solver not in ("auto", "networkx", "ortools"):
        raise MatchingError(Message(N_("options: solver must be auto, networkx or ortools, got %(solver)r"),
                                    solver=solver), field="solver")
    n_arcs = len(problem.arc_value)
    if n_arcs == 0:
        return Allocation(np.zeros(0), 0.0, 0.0, 0, "none")
    flow = np.zeros(n_arcs, dtype=np.float64)
    cost = 0
    used: list[str] = []
    batches = _batches(problem)
    parts = [PartProblem(_subproblem(problem, arcs), solver, networkx_max_arcs) for arcs in batches]
    solved = (map_parts or _map_in_turn)(solve_part, parts)
    for arcs, (part_flow, part_cost, chosen) in zip(batches, solved):
        flow[arcs] = part_flow
        cost += part_cost
        used.append(chosen)
    value = float(np.dot(flow, problem.arc_value))
    return Allocation(flow, value, float(flow.sum()), int(cost), "+".join(sorted(set(used))))


@dataclass(frozen=True, eq=False)
class PartProblem:
    """One batch of components, renumbered, and how to solve it: what :func:`solve_part` needs, nothing more."""

    problem: FlowProblem
    solver: Literal["auto", "networkx", "ortools"]
    networkx_max_arcs: int

    @property
    def arcs(self) -> int:
        return len(self.problem.arc_value)


MapParts = Callable[[Callable[[PartProblem], tuple], list[PartProblem]], list[tuple]]


def solve_part(part: PartProblem) -> tuple[NDArray[np.float64], int, str]:
    """Flow per arc of one batch (in the problem's units), its integer cost and the solver used."""
    scaled = _scale(part.problem)
    solver = part.solver
    chosen = solver if solver != "auto" else ("networkx" if part.arcs <= part.networkx_max_arcs else "ortools")
    if chosen == "networkx":
        flow_steps, cost = _solve_networkx(part.problem, scaled)
    else:
        flow_steps, cost = _solve_ortools(part.problem, scaled)
    return flow_steps.astype(np.float64) * scaled.arc_step, cost, chosen


def _map_in_turn(function: Callable[[PartProblem], tuple], parts: list[PartProblem]) -> list[tuple]:
    return [function(part) for part in parts]


def _batches(problem: FlowProblem, *, batch_arcs: int = _BATCH_ARCS) -> list[NDArray[np.intp]]:
    """Arcs grouped by connected component of the network, small components batched together.

    Components share no node, so solving them apart gives the same optimum; it is much faster
    because cost scaling grows faster than linearly with the network. Batches are formed from
    the structure alone (largest component first, ties by first arc), never from the solver.
    """
    n_offers, n_receivers = len(problem.supply), len(problem.capacity)
    grouped = np.flatnonzero(problem.receiver_group >= 0)
    rows = np.concatenate([problem.arc_offer, n_offers + grouped])
    cols = np.concatenate([n_offers + problem.arc_receiver, n_offers + n_receivers + problem.receiver_group[grouped]])
    size = n_offers + n_receivers + len(problem.group_capacity)
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(size, size))
    _, label = connected_components(graph, directed=False)
    arc_label = label[problem.arc_offer]
    order = np.argsort(arc_label, kind="stable")
    labels, starts, counts = np.unique(arc_label[order], return_index=True, return_counts=True)
    components = sorted(
        (order[start:start + count] for start, count in zip(starts.tolist(), counts.tolist())),
        key=lambda arcs: (-len(arcs), int(arcs[0])),
    )
    batches: list[NDArray[np.intp]] = []
    pending: list[NDArray[np.intp]] = []
    pending_arcs = 0
    for arcs in components:
        if len(arcs) >= batch_arcs:
            batches.append(np.sort(arcs))
            continue
        pending.append(arcs)
        pending_arcs += len(arcs)
        if pending_arcs >= batch_arcs:
            batches.append(np.sort(np.concatenate(pending)))
            pending, pending_arcs = [], 0
    if pending:
        batches.append(np.sort(np.concatenate(pending)))
    return batches


def _subproblem(problem: FlowProblem, arcs: NDArray[np.intp]) -> FlowProblem:
    """The part of the network these arcs touch, renumbered."""
    offers, arc_offer = np.unique(problem.arc_offer[arcs], return_inverse=True)
    receivers, arc_receiver = np.unique(problem.arc_receiver[arcs], return_inverse=True)
    group = problem.receiver_group[receivers]
    groups, group_index = np.unique(group[group >= 0], return_inverse=True)
    receiver_group = np.full(len(receivers), -1, dtype=np.int64)
    receiver_group[group >= 0] = group_index
    return FlowProblem(
        supply=problem.supply[offers], offer_unit=problem.offer_unit[offers], capacity=problem.capacity[receivers],
        receiver_group=receiver_group, group_capacity=problem.group_capacity[groups],
        arc_offer=arc_offer.astype(np.intp), arc_receiver=arc_receiver.astype(np.intp),
        arc_value=problem.arc_value[arcs],
    )


def _scale(problem: FlowProblem) -> _Scaled:
    supply = np.asarray(problem.supply, dtype=np.float64)
    if supply.size and (not np.all(np.isfinite(supply)) or supply.min() < 0):
        raise MatchingError(Message(N_("allocation: supplies must be finite and not negative")), field="quantity")
    n_receivers = len(problem.capacity)
    if np.any(problem.capacity < 0) or np.any(problem.group_capacity < 0):
        raise MatchingError(Message(N_("allocation: capacities must not be negative")), field="quantity")

    units = np.unique(problem.offer_unit)
    step_of_unit: dict[int, float] = {}
    for unit in units.tolist():
        total = float(supply[problem.offer_unit == unit].sum())
        exponent = math.ceil(math.log2(total / _QUANTITY_STEPS)) if total > 0 else 0
        step_of_unit[unit] = math.ldexp(1.0, exponent)
    offer_step = np.array([step_of_unit[u] for u in problem.offer_unit.tolist()], dtype=np.float64)

    receiver_unit = np.full(n_receivers, -1, dtype=np.int64)
    arc_unit = problem.offer_unit[problem.arc_offer]
    receiver_unit[problem.arc_receiver] = arc_unit
    if np.any(receiver_unit[problem.arc_receiver] != arc_unit):
        raise MatchingError(Message(N_("allocation: a receiver has arcs from offers measured in different units")))
    receiver_step = np.array(
        [step_of_unit.get(u, 1.0) for u in receiver_unit.tolist()], dtype=np.float64
    )
    n_groups = len(problem.group_capacity)
    group_step = np.ones(n_groups, dtype=np.float64)
    grouped = problem.receiver_group >= 0
    if n_groups:
        group_unit = np.full(n_groups, -1, dtype=np.int64)
        active = grouped & (receiver_unit >= 0)
        group_unit[problem.receiver_group[active]] = receiver_unit[active]
        if np.any(group_unit[problem.receiver_group[active]] != receiver_unit[active]):
            raise MatchingError(Message(N_("allocation: a permit group joins receivers measured in different units")))
        group_step = np.array([step_of_unit.get(u, 1.0) for u in group_unit.tolist()], dtype=np.float64)

    supply_steps = np.floor(supply / offer_step).astype(np.int64)
    big = int(supply_steps.sum()) + 1
    capacity_steps = _floor_steps(problem.capacity, receiver_step, big)
    group_steps = _floor_steps(problem.group_capacity, group_step, big)

    arc_step = offer_step[problem.arc_offer]
    per_step = np.asarray(problem.arc_value, dtype=np.float64) * arc_step
    if not np.all(np.isfinite(per_step)):
        raise MatchingError(Message(N_("allocation: arc values must be finite")), field="score")
    largest = float(np.abs(per_step).max()) if per_step.size else 0.0
    factor = _COST_MAGNITUDE / largest if largest > 0 else 1.0
    arc_cost = np.rint(-per_step * factor).astype(np.int64)
    return _Scaled(supply_steps, capacity_steps, group_steps, arc_cost, arc_step, big)


def _floor_steps(quantity: NDArray[np.float64], step: NDArray[np.float64], big: int) -> NDArray[np.int64]:
    quantity = np.asarray(quantity, dtype=np.float64)
    finite = np.isfinite(quantity)
    out = np.full(len(quantity), big, dtype=np.int64)
    out[finite] = np.minimum(np.floor(quantity[finite] / step[finite]), big).astype(np.int64)
    return out


def _node_layout(problem: FlowProblem) -> tuple[int, int, int]:
    n_offers = len(problem.supply)
    n_receivers = len(problem.capacity)
    first_receiver = 2 + n_offers
    first_group = first_receiver + n_receivers
    return first_receiver, first_group, first_group + len(problem.group_capacity)


def _solve_networkx(problem: FlowProblem, scaled: _Scaled) -> tuple[NDArray[np.int64], int]:
    import networkx as nx  # only for small parts (auto) or when asked: not at every import of the engine

    source, sink = 0, 1
    first_receiver, first_group, _ = _node_layout(problem)
    G = nx.DiGraph()
    G.add_nodes_from(range(first_group + len(problem.group_capacity)))
    used_offers = np.unique(problem.arc_offer)
    used_receivers = np.unique(problem.arc_receiver)
    G.add_edges_from((source, 2 + int(o), {"capacity": int(scaled.supply[o])}) for o in used_offers)
    for position, (o, r, cost) in enumerate(
        zip(problem.arc_offer.tolist(), problem.arc_receiver.tolist(), scaled.arc_cost.tolist())
    ):
        G.add_edge(2 + o, first_receiver + r, weight=cost, arc=position)
    used_groups: set[int] = set()
    for r in used_receivers.tolist():
        group = int(problem.receiver_group[r])
        head = sink if group < 0 else first_group + group
        if group >= 0:
            used_groups.add(group)
        G.add_edge(first_receiver + r, head, capacity=int(scaled.capacity[r]))
    for group in sorted(used_groups):
        G.add_edge(first_group + group, sink, capacity=int(scaled.group_capacity[group]))
    flow_dict = nx.max_flow_min_cost(G, source, sink, capacity="capacity", weight="weight")
    flow = np.zeros(len(problem.arc_value), dtype=np.int64)
    for o, r, position in G.edges(data="arc"):
        if position is not None:
            flow[position] = flow_dict[o][r]
    cost = int(np.dot(flow, scaled.arc_cost))
    return flow, cost


def _solve_ortools(problem: FlowProblem, scaled: _Scaled) -> tuple[NDArray[np.int64], int]:
    from ortools.graph.python import min_cost_flow  # imported here: only large runs need it

    source, sink = 0, 1
    first_receiver, first_group, n_nodes = _node_layout(problem)
    n_offers = len(problem.supply)
    n_receivers = len(problem.capacity)
    offers = np.arange(n_offers, dtype=np.int64)
    receivers = np.arange(n_receivers, dtype=np.int64)
    groups = np.arange(len(problem.group_capacity), dtype=np.int64)
    grouped = problem.receiver_group >= 0
    receiver_head = np.where(grouped, first_group + problem.receiver_group, sink)
    arc_cap = np.minimum(scaled.supply[problem.arc_offer], scaled.big)
    tails = np.concatenate([
        np.full(n_offers, source), 2 + problem.arc_offer.astype(np.int64), first_receiver + receivers,
        first_group + groups,
    ])
    heads = np.concatenate([
        2 + offers, first_receiver + problem.arc_receiver.astype(np.int64), receiver_head,
        np.full(len(groups), sink),
    ])
    capacities = np.concatenate([scaled.supply, arc_cap, scaled.capacity, scaled.group_capacity])
    costs = np.concatenate([
        np.zeros(n_offers, dtype=np.int64), scaled.arc_cost, np.zeros(n_receivers + len(groups), dtype=np.int64)
    ])
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), capacities.astype(np.int64), costs.astype(np.int64)
    )
    total = int(scaled.supply.sum())
    supplies = np.zeros(n_nodes, dtype=np.int64)
    supplies[source] = total
    supplies[sink] = -total
    solver.set_nodes_supplies(np.arange(n_nodes, dtype=np.int32), supplies)
    status = solver.solve_max_flow_with_min_cost()
    if status != solver.OPTIMAL:
        raise SolverError(Message(N_("allocation: OR-tools min-cost flow ended with status %(status)s"),
                                  status=status))
    first_arc = n_offers
    flow = np.asarray(
        solver.flows(np.arange(first_arc, first_arc + len(problem.arc_value), dtype=np.int32)), dtype=np.int64
    )
    return flow, int(np.dot(flow, scaled.arc_cost))
