"""Properties that must hold on any scenario in the family: more room never hurts.

Each property compares two plans, the second with more room than the first. Draws where the
first plan does not exist test nothing, so the strategies do not make them: the seed company
has a plan from some budget (and hours a day) upwards and up to some profit target, found
once by bisection (``edge``), and the first plan's input is drawn on the side of that edge
where plans exist. That the first plan then exists is itself asserted: the edge's own plan
and monotonicity promise it. No draw is discarded.
"""

from __future__ import annotations

import functools
import math

from conftest import examples
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from optimizer.analysis.solve import solve
from optimizer.scenario.inputs import moved
from optimizer.scenario.loading import load_scenario
from optimizer.solvers import Status

SEED = load_scenario("scenarios/seed_company.yaml")

BUDGET = "marketing.ad_budget_per_month"
TARGET = "finance.profit_target_per_month"
HOURS = "calendar.hours_per_day"


def objective(path: str, value: float, objective: str = "max_profit") -> float | None:
    plan = solve(moved(SEED, path, value), objective, marginals=False)
    return plan.objective if plan.status is Status.OPTIMAL else None


def cents(low: float, high: float):
    """Money as people write it: whole cents (the schema refuses specks below a cent)."""
    return st.floats(low, high).map(lambda v: round(v, 2))


@functools.cache
def edge(path: str, without: float, with_plan: float, sense: str, step: float) -> float:
    """The value of ``path`` nearest ``without`` (no plan) at which the seed still has a
    plan, to within ``step`` and rounded away from ``without`` to a multiple of ``step``."""
    assert objective(path, without, sense) is None, f"{path} = {without} has a plan"
    assert objective(path, with_plan, sense) is not None, f"{path} = {with_plan} has none"
    while abs(with_plan - without) > step:
        middle = (with_plan + without) / 2
        if objective(path, middle, sense) is None:
            without = middle
        else:
            with_plan = middle
    rounding = math.ceil if with_plan > without else math.floor
    return round(rounding(with_plan / step) * step, 6)


def budget_edge() -> float:
    return edge(BUDGET, 0.0, 80_000.0, "max_profit", 1.0)  # $23 544


def target_edge() -> float:
    return edge(TARGET, 90_000.0, -50_000.0, "min_cost", 1.0)  # $25 400: best profit - retained


def hours_edge() -> float:
    return edge(HOURS, 5.0, 8.0, "max_profit", 0.01)  # 6.56 h


def gain(low: float, high: float) -> str:
    """For the statistics: whether the pair of plans differs (a property seen at work)."""
    return "the same objective" if abs(high - low) <= 1e-6 * max(1.0, abs(low)) else "different"


def exists(value: float | None, what: str) -> float:
    assert value is not None, f"no plan at {what}, though there is one at the edge"
    return value


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.deferred(lambda: cents(budget_edge(), 80_000)), cents(0, 40_000))
def test_more_ad_budget_never_lowers_the_best_profit(budget, extra):
    low = exists(objective(BUDGET, budget), f"budget {budget}")
    high = objective(BUDGET, budget + extra)
    assert high is not None  # the larger budget admits every plan the smaller one did
    assert high >= low - 1e-6 * max(1.0, abs(low))
    event(gain(low, high))


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.deferred(lambda: cents(-50_000, target_edge())), cents(0, 30_000))
def test_raising_the_profit_goal_never_lowers_the_least_cost(target, extra):
    """``target`` is the higher goal (drawn where it has a plan), ``target - extra`` the lower."""
    high = exists(objective(TARGET, target, "min_cost"), f"target {target}")
    low = objective(TARGET, round(target - extra, 2), "min_cost")
    assert low is not None  # a plan for the higher goal also meets the lower one
    assert high >= low - 1e-6 * max(1.0, abs(low))
    event(gain(low, high))


@settings(max_examples=examples(20), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.deferred(lambda: st.floats(hours_edge(), 8.0)), st.floats(0.0, 2.0))
def test_more_hours_never_lower_the_best_profit(hours, extra):
    low = exists(objective(HOURS, hours), f"{hours} hours a day")
    high = objective(HOURS, min(hours + extra, 24.0))
    assert high is not None and high >= low - 1e-6 * max(1.0, abs(low))
    event(gain(low, high))
