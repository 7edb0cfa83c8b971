"""The default MIP gap policy by model size (``optimizer.solvers.GAP_POLICY``) and what a
plan's status says was proven.

Hand-checkable models: ``teams(k)`` is k independent copies of one team (k whole-number
columns), each: max 4 s - 3 n with s <= 4 n, s <= 10, n <= 5; by hand n = 3, s = 10, profit
31 a team. The policy gives 1e-7 up to 150 whole-number columns, 1e-4 up to 1 000 and
5e-3 above. A search stopped before it proved its plan (HiGHS's solution limit, standing in
for a time limit: the same "stopped early" status, and deterministic) is ``feasible`` with
its gap and best bound, never ``optimal``, even when its plan happens to be the best.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from optimizer.analysis.result import OPTIMAL_GAP
from optimizer.analysis.solve import assemble, checked, plan_gap, within_gap
from optimizer.model.chain import build_model
from optimizer.model.linear import LinearModel
from optimizer.report.payload import to_json
from optimizer.scenario.loading import load_scenario
from optimizer.solvers import GAP_POLICY, SolverOutput, Status, default_gap, highs

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def teams(k: int):
    m = LinearModel(sense="max")
    terms = []
    for i in range(k):
        n = m.add_vars(f"n{i}", [], integer=True)
        s = m.add_vars(f"s{i}", [])
        m.add_rows(f"capacity{i}", department="t", description="s <= 4 n.", axes=[],
                   lhs=[(1.0, s), (-4.0, n)], sense="<=", rhs=0.0)  # fmt: skip
        m.add_rows(f"demand{i}", department="t", description="s <= 10.", axes=[],
                   lhs=[(1.0, s)], sense="<=", rhs=10.0)  # fmt: skip
        m.add_rows(f"cap{i}", department="t", description="n <= 5.", axes=[],
                   lhs=[(1.0, n)], sense="<=", rhs=5.0)  # fmt: skip
        terms += [(4.0, s), (-3.0, n)]
    m.add_objective(terms)
    return m.arrays()


@pytest.mark.parametrize(
    ("integers", "gap"),
    [(0, 1e-7), (1, 1e-7), (105, 1e-7), (150, 1e-7), (151, 1e-4), (1_000, 1e-4),
     (1_001, 5e-3), (2_436, 5e-3), (24_072, 5e-3)],
)  # fmt: skip
def test_the_policy_gives_each_size_its_gap(integers, gap):
    assert default_gap(integers) == gap


def test_the_policy_is_data_in_one_place_with_its_reasons():
    sizes = [step.up_to for step in GAP_POLICY]
    assert sizes[-1] is None and sizes[:-1] == sorted(sizes[:-1])  # every size has a step
    gaps = [step.gap for step in GAP_POLICY]
    assert gaps == sorted(gaps) and gaps[0] == highs.MIP_GAP == 1e-7
    assert gaps[0] <= OPTIMAL_GAP < gaps[1]  # only the exact step can be called optimal
    assert all(step.why for step in GAP_POLICY)


@pytest.mark.parametrize(("k", "gap"), [(1, 1e-7), (150, 1e-7), (151, 1e-4), (1_001, 5e-3)])
def test_highs_solves_each_size_at_the_policys_gap(k, gap):
    a = teams(k)
    assert int(a.integer.sum()) == k and highs.mip_gap(a) == gap
    h = highs._highs(a, a.lb, a.ub, True)
    assert h.getOptionValue("mip_rel_gap")[1] == gap
    out = highs.solve(a, duals=False)
    assert out.status is Status.OPTIMAL and out.objective == pytest.approx(31.0 * k)
    assert out.mip_gap <= gap and out.mip_bound == pytest.approx(31.0 * k, rel=gap)


def test_mip_gap_overrides_the_policy():
    a = teams(2_000)
    h = highs._highs(a, a.lb, a.ub, True, {"mip_rel_gap": 1e-9})
    assert h.getOptionValue("mip_rel_gap")[1] == 1e-9
    assert highs._highs(a, a.lb, a.ub, False).getOptionValue("mip_rel_gap")[1] != 5e-3  # an LP


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_the_bundled_scenarios_keep_the_exact_gap(path):
    a = build_model(load_scenario(path))[0].arrays()
    assert 0 < int(a.integer.sum()) <= GAP_POLICY[0].up_to
    assert highs.mip_gap(a) == 1e-7


@pytest.fixture(scope="module")
def regional():
    scenario = load_scenario(ROOT / "scenarios" / "regional_sales.yaml")
    model, v = build_model(scenario)
    return scenario, model, v, model.arrays()


def test_a_search_stopped_early_is_feasible_with_its_gap_and_bound_never_optimal(regional):
    scenario, model, v, a = regional
    out = highs.solve(a, duals=False, options={"mip_max_improving_sols": 1})
    assert out.status is Status.TIME_LIMIT and out.x is not None  # stopped with a plan
    assert out.mip_gap > OPTIMAL_GAP
    # the bound is the solver's: the plan's objective plus its proven distance
    assert out.mip_bound == pytest.approx(out.objective * (1 + out.mip_gap), rel=1e-9)
    plan = assemble(scenario, model, v, a, out, objective=scenario.objective)
    assert plan.status is Status.FEASIBLE and plan.verified.ok and plan.solved
    assert "shadow prices left out: the search stopped before the plan was proven" in plan.notes
    assert plan.mip_gap == pytest.approx(out.mip_gap, rel=1e-9) and plan.mip_bound == out.mip_bound
    shown = math.ceil(out.mip_bound)
    assert plan.message == (
        f"feasible, within {out.mip_gap:.3%} of the best possible (the solver stopped early: "
        f"Solution limit reached): no plan reaches more than {shown:,.0f}"
    )
    data = to_json(plan)
    assert data["status"] == "feasible" and data["mip_gap"] == plan.mip_gap
    assert data["mip_bound"] == out.mip_bound


def test_a_proven_plan_is_optimal_and_its_json_has_no_bound(regional):
    scenario, model, v, a = regional
    out = highs.solve(a, duals=False)
    plan = assemble(scenario, model, v, a, out, objective=scenario.objective)
    assert plan.status is Status.OPTIMAL and plan.mip_gap <= OPTIMAL_GAP
    assert "mip_bound" not in to_json(plan)


def test_a_plan_at_a_looser_gap_than_optimal_is_feasible(regional):
    scenario, model, v, a = regional
    out = highs.solve(a, duals=False)
    loose = SolverOutput(
        Status.OPTIMAL, "Optimal", x=out.x, objective=out.objective, mip_gap=5e-3,
        mip_bound=out.objective * 1.004,
    )  # fmt: skip
    _, status, message = checked(scenario, v, a, loose)
    assert status is Status.FEASIBLE
    assert message.startswith("feasible, within 0.500% of the best possible (the solver stopped")


def test_the_gap_is_the_plans_own_distance_to_the_bound():
    # a tie stage may keep a plan a little below the incumbent: the words say its own gap
    out = SolverOutput(Status.OPTIMAL, "Optimal", objective=1000.0, mip_gap=0.001, mip_bound=1003.0)
    assert plan_gap(out) == pytest.approx(0.003)
    assert within_gap(out, "max").startswith("feasible, within 0.300% of the best possible")
    assert within_gap(out, "max").endswith("no plan reaches more than 1,003")
    low = SolverOutput(Status.OPTIMAL, "Optimal", objective=1000.0, mip_gap=0.002, mip_bound=990.5)
    assert within_gap(low, "min").endswith("no plan reaches less than 990")
    proven = SolverOutput(Status.OPTIMAL, "Optimal", objective=1000.0, mip_gap=0.0, mip_bound=1e3)
    assert plan_gap(proven) == 0.0  # a proven plan keeps the solver's own figure
    unknown = SolverOutput(Status.TIME_LIMIT, "Time limit reached", objective=5.0, mip_gap=math.inf)
    assert within_gap(unknown, "max") == (
        "feasible, the best plan found (the solver stopped early: Time limit reached); how far "
        "from the best possible is not known"
    )
