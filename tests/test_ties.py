"""Among equally good plans, the tie order picks one: the same whichever solver runs."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest
from conftest import ROOT

from optimizer.analysis import ties
from optimizer.analysis.crosscheck import cross_check, dual_check
from optimizer.analysis.solve import solve
from optimizer.analysis.whatif import WhatIf
from optimizer.model.chain import build_model
from optimizer.report.crosscheck import cross_check_lines
from optimizer.scenario.inputs import with_values
from optimizer.scenario.loading import load_scenario, validate
from optimizer.solvers import Backend, Status
from optimizer.solvers import backend as solver_backend

BACKENDS = ("highs", "cbc", "ortools")
BUNDLED = ("seed_company", "software_company", "regional_sales")

TWO_MONTHS = {
    "name": "two months, a market for seven rep-months",
    "calendar": {
        "start_month": "2027-01",
        "horizon_months": 2,
        "business_days_per_month": 20,
        "hours_per_day": 8,
    },
    "marketing": {
        "ad_budget_per_month": 1_000_000,
        "market_size_leads_per_month": 1_600,
        "total_addressable_market_leads": 2_240,
        "organic_leads_per_month": 0,
        "qualified_lead_share": 1.0,
        "channels": [{"name": "web", "tiers": [{"cost_per_lead": 25}]}],
        "marketers": {"min": 0, "max": 10, "cost_per_person_per_month": 1000},
    },
    "sales": {
        "min_minutes_per_quality_conversation": 0,
        "touches_per_lead": 1,
        "conversation_tiers": [{"minutes": 30, "conversion_rate": 0.1}],
        "teams": [
            {
                "name": "team",
                "reps": {"min": 0, "max": 10, "cost_per_person_per_month": 4000},
                "average_deal_value": 1000,
            }
        ],
    },
    "finance": {"fixed_bills_per_month": 0},
}


def _reps(plan) -> list[float]:
    return [plan.target("reps", period=m, role="team") for m in ("2027-01", "2027-02")]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_two_month_tie_is_settled_by_the_stated_order(backend):
    """Worked by hand. A rep has 20 x 8 x 60 = 9 600 minutes, 320 conversations of 30
    minutes, each needing a $25 lead and worth 0.1 x $1 000 = $100: $75 a conversation,
    320 x 75 - 4 000 = $20 000 a fully used rep-month. The market holds 2 240 leads over
    the two months (1 600 a month at most, five reps' worth): seven fully used rep-months,
    $140 000. An eighth rep-month only adds payroll (8 reps on 2 240 conversations:
    168 000 - 32 000 = $136 000), so every split of seven full rep-months is optimal:
    (2, 5), (3, 4), (4, 3), (5, 2).

    1. steady headcount, |b - a|: 3 for (2, 5) and (5, 2), 1 for (3, 4) and (4, 3);
    2. steady volumes: conversations, deals and leads change by 320, 32 and 320 either way,
       spend by $8 000 = 320 leads at $25: a tie;
    3. early headcount, people[t] x t / 2: (3, 4) costs 1.5 + 4 = 5.5, (4, 3) 2 + 3 = 5.

    So (4, 3): 1 280 conversations in January, 960 in February, $140 000.
    """
    plan = solve(validate(copy.deepcopy(TWO_MONTHS), "inline"), backend=backend)
    assert plan.solved, plan.message
    assert plan.objective == pytest.approx(140_000, rel=1e-8)
    assert _reps(plan) == pytest.approx([4, 3])
    conversations = [
        plan.target("conversations_per_month", period=m, role="team")
        for m in ("2027-01", "2027-02")
    ]
    assert conversations == pytest.approx([1_280, 960], rel=1e-7)
    assert not _partly(plan)


def _partly(plan) -> list[str]:
    return [n for n in plan.notes if "only partly" in n]


def test_a_flat_plan_wins_when_it_is_as_good():
    """With eight rep-months in the market (2 560 leads) the same arithmetic gives (4, 4),
    (3, 5), (5, 3): the fewest headcount changes is (4, 4), 0 changes, $160 000."""
    data = copy.deepcopy(TWO_MONTHS)
    data["marketing"]["total_addressable_market_leads"] = 2_560
    plan = solve(validate(data, "inline"))
    assert plan.objective == pytest.approx(160_000, rel=1e-8)
    assert _reps(plan) == pytest.approx([4, 4])


@pytest.mark.slow
@pytest.mark.parametrize("name", BUNDLED)
def test_published_targets_do_not_depend_on_the_solver(name):
    """HiGHS, CBC and OR-Tools (SCIP, then GLOP) publish the same targets, to 1e-6."""
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    plans = {b: solve(scenario, backend=b, marginals=False, whole_steps=False) for b in BACKENDS}
    reference = plans["highs"].targets
    for backend, plan in plans.items():
        assert plan.solved, (backend, plan.message)
        assert not _partly(plan), (backend, plan.notes)
        assert (
            (plan.targets[["metric", "role", "period"]] == reference[["metric", "role", "period"]])
            .all()
            .all()
        )
        np.testing.assert_allclose(
            plan.targets["value"].to_numpy(float),
            reference["value"].to_numpy(float),
            rtol=1e-6,
            atol=1e-6,
            err_msg=f"{name}: {backend} against highs",
        )


@pytest.mark.parametrize("name", BUNDLED)
def test_the_cross_check_finds_no_differing_target(name):
    """What ``solve --cross-check`` (HiGHS against CBC) reports on every bundled scenario:
    the same whole numbers and not one target differing (regional sales: 161 of 456 did)."""
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    check = cross_check(scenario, backends=("highs", "cbc"))
    assert check.ok, cross_check_lines(check)
    assert check.same_whole_numbers
    assert check.targets.empty, (name, check.targets)


@pytest.mark.slow
@pytest.mark.parametrize("other", ["ortools"])
def test_the_cross_check_with_ortools_finds_no_differing_target(other):
    for name in BUNDLED:
        scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        check = cross_check(scenario, backends=("highs", other))
        assert check.ok, cross_check_lines(check)
        assert check.targets.empty, (name, check.targets)


@pytest.mark.parametrize("name", BUNDLED)
def test_the_tie_stages_give_up_none_of_the_objective(name):
    """The LP stages are restricted to the leader's fixed LP's optimal face, so the plan's
    objective is the optimum to rounding (1e-12 relative), not the optimum less a hold's
    slack; and the plan's duals are an optimal dual of the LP at the plan's headcounts,
    complementary with the published plan (it lies on that LP's optimal face)."""
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    model, v = build_model(scenario, scenario.objective)
    a = model.arrays()
    engine = solver_backend("highs")
    best = engine.solve(a, duals=False)
    plan = solve(scenario, marginals=False, whole_steps=False)
    assert plan.objective == pytest.approx(best.objective, rel=1e-12, abs=1e-9)
    x = plan.variables["value"].to_numpy(float)
    out = engine.solve(a, duals=False)
    settled = ties.settle(scenario, model, v, a, out, engine, objective=scenario.objective)
    np.testing.assert_allclose(settled.x, x, rtol=1e-9, atol=1e-9)
    fixed = replace(a, lb=settled.lp_lb, ub=settled.lp_ub, integer=np.zeros_like(a.integer))
    assert dual_check(fixed, settled.lp_lb, settled.lp_ub, x, settled.row_shadow).ok


def test_an_imprecise_tie_lp_is_solved_again_with_highs():
    """A backend whose tie-stage LPs fail (as GLOP's IMPRECISE did) still publishes HiGHS's
    targets: the stage's LP is solved with HiGHS on its whole numbers, and a note says so."""
    real = solver_backend("cbc")

    def failing(a, **kwargs):
        out = real.solve(a, **kwargs)
        if not a.integer.any() and not kwargs.get("duals", True):  # a tie stage's LP
            return replace(out, status=Status.ERROR, solver_status="IMPRECISE", x=None)
        return out

    flaky = Backend("cbc", real.description, failing, False)
    scenario = load_scenario(ROOT / "scenarios" / "software_company.yaml")
    plan = solve(scenario, backend=flaky, marginals=False, whole_steps=False)
    reference = solve(scenario, marginals=False, whole_steps=False)
    assert plan.solved and not _partly(plan)
    assert any("solved with HiGHS" in n for n in plan.notes), plan.notes
    np.testing.assert_allclose(
        plan.targets["value"].to_numpy(float),
        reference.targets["value"].to_numpy(float),
        rtol=1e-6,
        atol=1e-6,
    )


def test_a_what_if_plan_is_the_plan_solve_gives():
    """A what-if's plan goes through the same tie order (``solve.assemble`` settles an
    output it has not seen), with the people free and with the plan's people held."""
    scenario = load_scenario(ROOT / "scenarios" / "regional_sales.yaml")
    change = {"marketing.ad_budget_per_month": 120_000.0}
    fresh = solve(with_values(scenario, change), marginals=False, whole_steps=False)
    plan = WhatIf(scenario).resolve(change).plan()
    assert plan.objective == pytest.approx(fresh.objective, rel=1e-12)
    np.testing.assert_allclose(
        plan.targets["value"].to_numpy(float),
        fresh.targets["value"].to_numpy(float),
        rtol=1e-6,
        atol=1e-6,
    )
    held = WhatIf(scenario, hold_headcounts=True).resolve(change)
    assert held.plan().objective == pytest.approx(held.objective, rel=1e-12)


def test_a_large_model_runs_only_the_first_stage_and_says_so(monkeypatch):
    """Above ``FULL_TIES_LIMIT`` variables only the first tie stage runs (each integer
    stage is as hard as the plan); the note names the stages left out."""
    import optimizer.analysis.solve as solve_module

    monkeypatch.setattr(solve_module, "FULL_TIES_LIMIT", 10)
    plan = solve(validate(copy.deepcopy(TWO_MONTHS), "inline"), marginals=False)
    assert plan.objective == pytest.approx(140_000, rel=1e-8)
    assert [n for n in plan.notes if "only the first 1 tie stage" in n]
    assert any("'early headcount'" in n for n in plan.notes)


def test_choosing_stops_at_its_time_budget_and_keeps_the_optimum(monkeypatch):
    """With no time allowed for choosing, the leader's optimum is published unchanged in
    profit, with a note that the tie order stopped (the duals are still solved)."""
    scenario = load_scenario(ROOT / "scenarios" / "regional_sales.yaml")
    full = solve(scenario, marginals=False, whole_steps=False)
    monkeypatch.setattr(ties, "TIE_SHARE", 0.0)
    monkeypatch.setattr(ties, "TIE_SECONDS_MIN", 1e-9)
    cut = solve(scenario, marginals=False, whole_steps=False)
    assert cut.status is Status.OPTIMAL and cut.verified.ok
    assert cut.objective == pytest.approx(full.objective, rel=1e-9)
    assert any("allowed for choosing" in n or "time allowed" in n for n in cut.notes), cut.notes
    assert cut.constraints["shadow_price"].notna().any()


@pytest.mark.parametrize("name", ["seed_company", "software_company"])
def test_pdlp_closest_to_current_gives_glops_plan(name):
    """PDLP's fixed LP ended NUMERICAL_ERROR (seed company) or at its iteration limit
    (software company) under closest_to_current: the 1e-13 tie-break costs beside
    deviation weights near 1e-3, at its 1e-11 tolerance. It is solved without them, and the
    plan is the one OR-Tools with GLOP (the same SCIP, an exact LP) publishes."""
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    kwargs = dict(marginals=False, whole_steps=False)
    plan = solve(scenario, "closest_to_current", backend="pdlp", **kwargs)
    reference = solve(scenario, "closest_to_current", backend="ortools", **kwargs)
    assert plan.solved, (plan.solver_status, plan.message)
    assert not _partly(plan), plan.notes
    assert plan.objective == pytest.approx(reference.objective, rel=1e-9)
    assert plan.constraints["shadow_price"].notna().any()
    np.testing.assert_allclose(
        plan.targets["value"].to_numpy(float),
        reference.targets["value"].to_numpy(float),
        rtol=1e-6,
        atol=1e-6,
    )


def test_only_a_first_order_backend_loses_the_tie_break_costs():
    """Exact backends keep the tie-break costs in the fixed LP (the golden files are theirs)."""
    from optimizer.analysis.ties.fixed_lp import for_engine

    scenario = load_scenario(ROOT / "scenarios" / "seed_company.yaml")
    a = build_model(scenario, "closest_to_current")[0].arrays()
    assert np.any(a.c_tiebreak)
    for name in ("highs", "cbc", "ortools"):
        assert for_engine(a, solver_backend(name)) is a
    assert not np.any(for_engine(a, solver_backend("pdlp")).c_tiebreak)
    np.testing.assert_array_equal(for_engine(a, solver_backend("pdlp")).c, a.c)


def _failing_fixed_lp(name: str = "highs") -> Backend:
    """A backend whose fixed LP (an LP solved for its duals) ends NUMERICAL_ERROR, keeping
    the numbers it reached, as PDLP's did."""
    real = solver_backend(name)

    def failing(a, **kwargs):
        out = real.solve(a, **kwargs)
        if not a.integer.any() and kwargs.get("duals", True):
            return replace(out, status=Status.ERROR, solver_status="PDLP: NUMERICAL_ERROR")
        return out

    return Backend(name, real.description, failing, real.ranging)


def test_a_fixed_lp_that_fails_leaves_no_plan_and_says_why():
    """It was an error with an empty message, ``verified.ok`` True and no objective."""
    plan = solve(
        load_scenario(ROOT / "scenarios" / "seed_company.yaml"), backend=_failing_fixed_lp()
    )
    assert plan.status is Status.ERROR and not plan.solved
    assert plan.solver_status == "fixed LP after the tie stages: PDLP: NUMERICAL_ERROR"
    assert "whole numbers were found" in plan.message, plan.message
    assert "NUMERICAL_ERROR" in plan.message and "no plan is presented" in plan.message
    assert not plan.verified.ok and plan.verified.worst == "no plan"
    assert plan.objective is None and plan.targets.empty and plan.constraints.empty


def test_an_error_with_numbers_is_no_plan():
    """Any solver error that leaves numbers in x (a fixed LP failing after the MILP, in an
    adapter) is no plan: never checked as one, never without a message."""
    from optimizer.analysis.solve import assemble
    from optimizer.solvers import SolverOutput

    scenario = load_scenario(ROOT / "scenarios" / "seed_company.yaml")
    model, v = build_model(scenario, scenario.objective)
    a = model.arrays()
    x = solver_backend("highs").solve(a, duals=False).x
    out = SolverOutput(Status.ERROR, "fixed LP after MILP: NUMERICAL_ERROR", x=x, settled=True)
    plan = assemble(scenario, model, v, a, out, objective=scenario.objective)
    assert plan.status is Status.ERROR and not plan.solved
    assert plan.message.startswith("the solver could not use this model (solver: fixed LP")
    assert not plan.verified.ok and plan.objective is None and plan.targets.empty


def test_the_leaders_fixed_lp_is_the_solver_boundarys_step():
    """The tie order solves the plan's fixed LP by ``Backend.solve_fixed`` (the backend's own
    fixed-LP settings: HiGHS's primal simplex), once, at the final plan's headcounts."""
    from optimizer.solvers import highs
    from optimizer.solvers.twostage import fixed_bounds

    calls = []

    class Recording(highs.HighsEngine):
        def fixed(self, a, lb, ub):
            calls.append((lb, ub))
            return super().fixed(a, lb, ub)

    real = solver_backend("highs")
    recording = replace(real, make_engine=Recording)
    scenario = load_scenario(ROOT / "scenarios" / "seed_company.yaml")
    model, v = build_model(scenario, scenario.objective)
    a = model.arrays()
    got = ties.settle(
        scenario, model, v, a, real.solve(a, duals=False), recording, objective=scenario.objective
    )
    ref = ties.settle(
        scenario, model, v, a, real.solve(a, duals=False), real, objective=scenario.objective
    )
    ((lb, ub),) = calls
    expected = fixed_bounds(a, got.x)
    np.testing.assert_array_equal(lb, expected[0])
    np.testing.assert_array_equal(ub, expected[1])
    np.testing.assert_array_equal(got.lp_lb, lb)
    np.testing.assert_array_equal(got.x, ref.x)
    np.testing.assert_array_equal(got.row_shadow, ref.row_shadow)
    np.testing.assert_array_equal(got.range_up, ref.range_up)


def test_the_users_mip_options_reach_only_the_integer_stages_of_a_backend_that_takes_them():
    """``--mip-gap``'s options go to every integer tie stage on a backend with
    ``takes_mip_gap``, never to an LP stage; the fixed LP keeps its own settings."""
    real = solver_backend("highs")
    seen = []

    def solve(a, **kwargs):
        seen.append((bool(a.integer.any()), kwargs.get("options")))
        return real.solve(a, **kwargs)

    engine = replace(real, solve=solve)
    scenario = load_scenario(ROOT / "scenarios" / "regional_sales.yaml")
    model, v = build_model(scenario, scenario.objective)
    a = model.arrays()
    options = {"mip_rel_gap": 1e-6}
    ties.settle(
        scenario,
        model,
        v,
        a,
        real.solve(a, duals=False),
        engine,
        objective=scenario.objective,
        options=options,
    )
    assert [o for integer, o in seen if integer] and all(o == options for i, o in seen if i)
    assert all(o is None for integer, o in seen if not integer)
    seen.clear()
    plain = replace(engine, takes_mip_gap=False)  # a backend without the capability
    ties.settle(
        scenario,
        model,
        v,
        a,
        real.solve(a, duals=False),
        plain,
        objective=scenario.objective,
        options=options,
    )
    assert seen and all(o is None for _, o in seen)


def test_a_plan_proven_only_within_a_gap_keeps_the_solvers_whole_numbers():
    """A plan proven within 0.5 % (a large model's gap policy): which plans are as good as
    it is not known, so no integer tie stage runs (each would be a search as hard as the
    plan's); its headcounts are the solver's, the LP stages and the duals still run, and a
    note says why."""
    real = solver_backend("highs")
    seen = []

    def solve(a, **kwargs):
        seen.append(bool(a.integer.any()))
        return real.solve(a, **kwargs)

    engine = replace(real, solve=solve)
    scenario = load_scenario(ROOT / "scenarios" / "regional_sales.yaml")
    model, v = build_model(scenario, scenario.objective)
    a = model.arrays()
    first = real.solve(a, duals=False)
    loose = replace(first, mip_gap=5e-3, times={})
    out = ties.settle(scenario, model, v, a, loose, engine, objective=scenario.objective)
    assert not any(seen), "no integer stage"
    assert np.array_equal(out.x[a.integer], first.x[a.integer])
    assert out.row_shadow is not None
    assert any(
        n.startswith("ties: the whole numbers are the solver's: the plan is proven only within "
                     "0.500% of the best") for n in out.notes
    ), out.notes  # fmt: skip
    proven = ties.settle(scenario, model, v, a, replace(first, times={}), engine,
                         objective=scenario.objective)  # fmt: skip
    assert any(seen) and not any("whole numbers are the solver's" in n for n in proven.notes)
