"""Hypothesis on generated companies (``benchmarks/scale.py``), 12 draws a run: T teams x M months x C
channels, each valid and feasible by construction. For every draw the plan is solved,
checked independently of the solver, at least as good as the generator's own floor plan,
and the same scenario solved twice gives the same targets (no hidden state)."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from optimizer.analysis.solve import solve
from optimizer.scenario.loading import validate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import scale  # noqa: E402

companies = st.builds(
    lambda teams, months, channels, seed: (teams, months, channels, seed),
    st.integers(1, 4),
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(0, 10_000),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(companies)
def test_every_generated_company_has_a_checked_plan_at_least_as_good_as_its_floor(company):
    teams, months, channels, seed = company
    data = scale.generate(teams, months, channels, seed=seed)
    scenario = validate(data, f"generated {company}")
    plan = solve(scenario, marginals=False, whole_steps=False)
    event(f"{plan.status.value}")
    assert plan.status.value == "optimal", (company, plan.message)
    assert plan.verified.ok, (company, plan.verified)
    floor = scale.floor_plan(data)
    bills = data["finance"]["fixed_bills_per_month"] * months
    # the floor plan meets every limit, so the best plan earns at least its profit
    floor_profit = floor["margin"] * months - bills
    assert plan.objective >= floor_profit - 1e-6 * max(1.0, abs(floor_profit)), company
    again = solve(scenario, marginals=False, whole_steps=False)
    assert again.targets["value"].tolist() == plan.targets["value"].tolist()
