"""Properties that must hold on any scenario in the family: more room never hurts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.inputs import moved
from optimizer.loading import load_scenario
from optimizer.solve import solve
from optimizer.solvers import Status

SEED = load_scenario("scenarios/seed_company.yaml")


def objective(path: str, value: float, objective: str = "max_profit") -> float | None:
    plan = solve(moved(SEED, path, value), objective, marginals=False)
    return plan.objective if plan.status is Status.OPTIMAL else None


def cents(low: float, high: float):
    """Money as people write it: whole cents (the schema refuses specks below a cent)."""
    return st.floats(low, high).map(lambda v: round(v, 2))


@settings(max_examples=25, deadline=None)
@given(cents(0, 80_000), cents(0, 40_000))
def test_more_ad_budget_never_lowers_the_best_profit(budget, extra):
    low = objective("marketing.ad_budget_per_month", budget)
    high = objective("marketing.ad_budget_per_month", budget + extra)
    if low is not None:  # the larger budget admits every plan the smaller one did
        assert high is not None
        assert high >= low - 1e-6 * max(1.0, abs(low))


@settings(max_examples=25, deadline=None)
@given(cents(-50_000, 60_000), cents(0, 30_000))
def test_raising_the_profit_goal_never_lowers_the_least_cost(target, extra):
    low = objective("finance.profit_target_per_month", target, "min_cost")
    high = objective("finance.profit_target_per_month", target + extra, "min_cost")
    if high is not None:  # a plan for the higher goal also meets the lower one
        assert low is not None
        assert high >= low - 1e-6 * max(1.0, abs(low))


@settings(max_examples=20, deadline=None)
@given(st.floats(5.0, 8.0), st.floats(0.0, 2.0))
def test_more_hours_never_lower_the_best_profit(hours, extra):
    low = objective("calendar.hours_per_day", hours)
    high = objective("calendar.hours_per_day", min(hours + extra, 24.0))
    if low is not None:
        assert high is not None and high >= low - 1e-6 * max(1.0, abs(low))
