"""The independent check catches plans that break the scenario, whatever the solver said."""

from __future__ import annotations

import pytest

from optimizer.analysis import check
from optimizer.analysis.solve import solve
from optimizer.model.chain import build_model
from optimizer.scenario.loading import load_scenario
from optimizer.solvers import Status, highs

SEED = "scenarios/seed_company.yaml"


def plan_quantities(scenario):
    model, v = build_model(scenario)
    out = highs.solve(model.arrays())
    return {name: out.x[idx].copy() for name, idx in v.index.items()}


def test_a_solved_plan_passes():
    scenario = load_scenario(SEED)
    result = check.verify(scenario, plan_quantities(scenario))
    assert result.ok
    assert result.max_violation < 1e-9
    assert result.checked > 40


@pytest.mark.parametrize(
    ("change", "broken"),
    [
        (
            lambda q: q["conversations"].__setitem__((0, 0, 3), q["conversations"][0, 0, 3] * 1.5),
            "lead supply",
        ),
        (lambda q: q["ad_spend"].__setitem__(0, 1e6), "ad spend = tier prices"),
        (lambda q: q["reps"].__setitem__((0, 0), 6.5), "reps whole"),
        (lambda q: q["profit"].__setitem__(0, q["profit"][0] + 1000), "profit"),
        (lambda q: q["production"].__setitem__(0, q["production"][0] - 10), "on time 0"),
        (lambda q: q["tickets"].__setitem__(0, 10), "tickets"),
    ],
)
def test_a_tampered_plan_fails_and_names_the_limit(change, broken):
    scenario = load_scenario(SEED)
    q = plan_quantities(scenario)
    change(q)
    result = check.verify(scenario, q)
    assert not result.ok
    assert broken in result.violations
    assert result.max_violation > 1e-3


def test_solver_saying_optimal_is_not_enough(monkeypatch):
    """A solver that reports optimal with a wrong plan is caught and not called optimal."""
    real = highs.solve

    def lying_solver(arrays, **kwargs):
        out = real(arrays, **kwargs)
        out.x = out.x * 1.3  # every quantity 30 % too high, status still "optimal"
        return out

    monkeypatch.setattr(highs, "solve", lying_solver)
    plan = solve(load_scenario(SEED))
    assert plan.status is Status.ERROR
    assert not plan.solved
    assert "not presented as a plan" in plan.message
    assert plan.verified.max_violation > 0.01
