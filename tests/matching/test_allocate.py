"""Allocation: the optimum against an independent LP, solver agreement, and never over-committing."""

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.sparse import lil_matrix

from matching.allocate import FlowProblem, allocate
from matching.errors import MatchingError

SOLVERS = ("networkx", "ortools")


def random_problem(seed: int, *, offers: int = 6, receivers: int = 6, density: float = 0.5) -> FlowProblem:
    rng = np.random.default_rng(seed)
    arcs = [
        (o, r, round(float(rng.uniform(-5.0, 50.0)), 2))
        for o in range(offers) for r in range(receivers) if rng.random() < density
    ] or [(0, 0, 1.0)]
    capacity = rng.integers(1, 100, receivers).astype(float)
    capacity[rng.random(receivers) < 0.2] = np.inf
    groups = rng.integers(-1, 2, receivers)  # two permit groups and some receivers in none
    return FlowProblem.build(
        supply=rng.integers(1, 100, offers).astype(float), capacity=capacity, arcs=arcs,
        receiver_group=groups, group_capacity=rng.integers(20, 120, 2).astype(float),
    )


def lp_optimum(problem: FlowProblem) -> tuple[float, float]:
    """(most quantity placed, best value at that quantity) by two linear programmes (HiGHS)."""
    n = len(problem.arc_value)
    rows, bounds = [], []
    for o, supply in enumerate(problem.supply):
        rows.append(problem.arc_offer == o)
        bounds.append(supply)
    for r, capacity in enumerate(problem.capacity):
        if np.isfinite(capacity):
            rows.append(problem.arc_receiver == r)
            bounds.append(capacity)
    for g, capacity in enumerate(problem.group_capacity):
        rows.append(problem.receiver_group[problem.arc_receiver] == g)
        bounds.append(capacity)
    A = lil_matrix((len(rows), n))
    for i, row in enumerate(rows):
        A[i, np.flatnonzero(row)] = 1.0
    A = A.tocsr()
    most = linprog(-np.ones(n), A_ub=A, b_ub=bounds, bounds=(0, None), method="highs")
    assert most.status == 0
    placed = -most.fun
    best = linprog(-problem.arc_value, A_ub=A, b_ub=bounds, A_eq=np.ones((1, n)), b_eq=[placed],
                   bounds=(0, None), method="highs")
    assert best.status == 0
    return placed, -best.fun


@pytest.mark.parametrize("seed", range(25))
def test_both_solvers_reach_the_lp_optimum(seed):
    problem = random_problem(seed)
    placed, value = lp_optimum(problem)
    results = {solver: allocate(problem, solver=solver) for solver in SOLVERS}
    for result in results.values():
        assert result.placed == pytest.approx(placed, rel=1e-9, abs=1e-9)
        assert result.value == pytest.approx(value, rel=1e-6, abs=1e-6)
    assert results["networkx"].integer_cost == results["ortools"].integer_cost


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("solver", SOLVERS)
def test_no_offer_gives_and_no_receiver_or_permit_takes_more_than_it_holds(seed, solver):
    problem = random_problem(100 + seed, offers=15, receivers=12, density=0.4)
    flow = allocate(problem, solver=solver).flow
    assert np.all(flow >= 0)
    given = np.bincount(problem.arc_offer, weights=flow, minlength=len(problem.supply))
    taken = np.bincount(problem.arc_receiver, weights=flow, minlength=len(problem.capacity))
    group = problem.receiver_group[problem.arc_receiver]
    grouped = group >= 0
    by_group = np.bincount(group[grouped], weights=flow[grouped], minlength=len(problem.group_capacity))
    assert np.all(given <= problem.supply + 1e-9)
    assert np.all(taken <= problem.capacity + 1e-9)
    assert np.all(by_group <= problem.group_capacity + 1e-9)


@pytest.mark.parametrize("solver", SOLVERS)
def test_more_quantity_placed_beats_a_higher_value(solver):
    # Offer 0 can go to A (value 100) or B (value 1); offer 1 only to A. Placing both needs 0 -> B.
    problem = FlowProblem.build(supply=[10.0, 10.0], capacity=[10.0, 10.0], arcs=[(0, 0, 100.0), (0, 1, 1.0), (1, 0, 5.0)])
    result = allocate(problem, solver=solver)
    assert result.flow.tolist() == [0.0, 10.0, 10.0]
    assert result.placed == 20.0


@pytest.mark.parametrize("solver", SOLVERS)
def test_fractional_quantities_are_rounded_down_by_less_than_one_step(solver):
    total = 0.3 + 1e6 / 3
    step = 2.0 ** np.ceil(np.log2(total / 2**30))  # the documented resolution: total / 2**30, as a power of two
    problem = FlowProblem.build(supply=[0.3, 1e6 / 3], capacity=[0.1, np.inf], arcs=[(0, 0, 1.0), (1, 1, 1.0)])
    flow = allocate(problem, solver=solver).flow
    assert 0.1 - step < flow[0] <= 0.1
    assert 1e6 / 3 - step < flow[1] <= 1e6 / 3


def test_units_are_scaled_apart_so_small_lots_keep_their_precision():
    # A billion Nm3 of gas and a 3-tonne lot of batteries in one problem: both placed in full.
    problem = FlowProblem.build(supply=[1e9, 3.0], capacity=[np.inf, 3.0], offer_unit=[0, 1],
                                arcs=[(0, 0, 0.5), (1, 1, 20000.0)])
    assert allocate(problem, solver="ortools").flow.tolist() == [1e9, 3.0]


def test_separate_components_give_what_solving_them_alone_gives():
    a = random_problem(1)
    b = random_problem(2)
    n_o, n_r = len(a.supply), len(a.capacity)
    joined = FlowProblem(
        supply=np.concatenate([a.supply, b.supply]), offer_unit=np.zeros(2 * n_o, dtype=np.int64),
        capacity=np.concatenate([a.capacity, b.capacity]),
        receiver_group=np.concatenate([a.receiver_group, np.where(b.receiver_group >= 0, b.receiver_group + 2, -1)]),
        group_capacity=np.concatenate([a.group_capacity, b.group_capacity]),
        arc_offer=np.concatenate([a.arc_offer, b.arc_offer + n_o]),
        arc_receiver=np.concatenate([a.arc_receiver, b.arc_receiver + n_r]),
        arc_value=np.concatenate([a.arc_value, b.arc_value]),
    )
    together = allocate(joined, solver="ortools")
    assert together.value == pytest.approx(allocate(a).value + allocate(b).value, rel=1e-9)


def test_auto_uses_networkx_for_small_networks_and_ortools_above_the_threshold():
    problem = random_problem(3)
    assert allocate(problem).solver == "networkx"
    assert allocate(problem, networkx_max_arcs=0).solver == "ortools"


def test_an_empty_network_places_nothing():
    problem = FlowProblem.build(supply=[5.0], capacity=[5.0], arcs=[])
    result = allocate(problem)
    assert (result.placed, result.value, len(result.flow)) == (0.0, 0.0, 0)


@pytest.mark.parametrize("kwargs, message", [
    ({"solver": "glpk"}, "solver must be auto, networkx or ortools"),
])
def test_bad_solver_is_refused(kwargs, message):
    with pytest.raises(MatchingError, match=message):
        allocate(random_problem(0), **kwargs)


def test_negative_supply_is_refused():
    with pytest.raises(MatchingError, match="supplies must be finite and not negative"):
        allocate(FlowProblem.build(supply=[-1.0], capacity=[1.0], arcs=[(0, 0, 1.0)]))
