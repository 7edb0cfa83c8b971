"""The command line's default answer (issue 14): every step valued with the plan's people
held, from the held model (the rate of its shadow prices and ranges, or a warm re-solve),
equals the same question answered the long way (the scenario moved, validated, built and
solved from scratch with the plan's people fixed); a headcount limit's step, valued with
hiring free, equals a fresh whole-number solve. The full explanation (``--hiring-free``)
ranks the same: ``value`` does not depend on the depth. On every bundled scenario and on
generated companies (``benchmarks/scale.py``). Nothing here is timed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from optimizer.analysis.explain import FULL, HIRING_FREE, PEOPLE_HELD, PEOPLE_HELD_ONLY, explain
from optimizer.analysis.explain.steps import is_headcount_limit
from optimizer.analysis.solve import solve
from optimizer.analysis.whatif import WhatIf
from optimizer.scenario.inputs import numeric_inputs, with_values
from optimizer.scenario.loading import load_scenario, validate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import scale  # noqa: E402

CASES = [
    "seed_company",
    "software_company",
    pytest.param("regional_sales", marks=pytest.mark.slow),
    "generated 2x1x1@3",
    pytest.param("generated 3x2x2@7", marks=pytest.mark.slow),
]


def scenario_of(case: str):
    if case.startswith("generated"):
        teams, months, channels, seed = map(int, case.split()[1].replace("@", "x").split("x"))
        return validate(scale.generate(teams, months, channels, seed=seed), case)
    return load_scenario(ROOT / "scenarios" / f"{case}.yaml")


def close(a, b, scale_):
    return abs(a - b) <= 1e-6 * max(1.0, abs(scale_)) + 1e-6


@pytest.mark.parametrize("case", CASES)
def test_each_default_step_is_the_answer_of_a_fresh_build(case):
    scenario = scenario_of(case)
    plan = solve(scenario)
    assert plan.solved
    found = explain(scenario, plan, full=False)
    assert found.depth == PEOPLE_HELD_ONLY
    assert not found.headcounts and found.quality_floor is None and not found.unpriced
    people = dict(zip(plan.variables["name"], plan.variables["value"]))
    held = WhatIf(scenario, hold_headcounts=True, headcounts=people)
    values = {p: v for p, v, _ in numeric_inputs(scenario, scenario.objective)}
    units = {p: u for p, _, u in numeric_inputs(scenario, scenario.objective)}
    by_rate = checked = headcount_limits = 0
    for step in found.steps:
        headcount = is_headcount_limit(step.subject, units[step.subject])
        assert step.basis == (HIRING_FREE if headcount else PEOPLE_HELD), step
        if step.value is None:  # outside its range, out of time, or no plan after the step
            assert step.note.startswith(("not valued", "no plan")), step
            if step.note.startswith("no plan"):
                target = values[step.subject] + step.step
                assert not held.rebuild({step.subject: target}).solved, step
            continue
        target = values[step.subject] + step.step
        again = held.rebuild({step.subject: target})  # built from the moved file, people fixed
        if step.value_people_held is None:  # a headcount limit the held people break
            assert headcount and not again.solved, step
        else:
            gain = again.objective - plan.objective
            assert close(step.value_people_held, gain, plan.objective), step
        by_rate += step.method == "rate"
        if headcount:
            free = solve(with_values(scenario, {step.subject: target}), marginals=False,
                         whole_steps=False)  # fmt: skip
            assert close(step.value, free.objective - plan.objective, plan.objective), step
            assert step.value == step.value_hiring_free
            headcount_limits += 1
        else:
            assert step.value == step.value_people_held and step.value_hiring_free is None
        checked += 1
    assert checked >= 0.8 * len(found.steps), case
    assert by_rate > 0 and headcount_limits > 0, case


@pytest.mark.parametrize("case", ["seed_company", "generated 2x1x1@3"])
def test_the_full_explanation_ranks_as_the_default_answer(case):
    scenario = scenario_of(case)
    plan = solve(scenario)
    default = explain(scenario, plan, full=False)
    full = explain(scenario, plan)
    assert full.depth == FULL and default.depth == PEOPLE_HELD_ONLY
    assert default.ranking == full.ranking
    for a, b in zip(default.steps, full.steps):
        assert a.subject == b.subject and a.value == b.value, a
        assert a.value_people_held == b.value_people_held
    # the full explanation adds the hiring-free value of every valued step: never below
    # the people-held one (hiring free can keep the plan's people)
    for s in full.steps:
        if s.value_people_held is not None and s.value_hiring_free is not None:
            assert s.value_hiring_free >= s.value_people_held - 1e-6 * abs(plan.objective)


def test_the_seed_reps_cap_is_valued_with_hiring_free():
    """The seed's field team may have at most N reps and the plan hires 5: a step of one
    more allowed rep re-plans the people (the whole-number model again), and is worth what
    a fresh solve with the cap one higher gains. With the people held it would be $0 by
    construction, so that is never its value."""
    scenario = load_scenario(ROOT / "scenarios" / "seed_company.yaml")
    plan = solve(scenario)
    found = explain(scenario, plan, full=False)
    cap = found.step("sales.teams[field].reps.max")
    assert cap.basis == HIRING_FREE and cap.step == 1
    assert cap.value_people_held == pytest.approx(0.0, abs=1e-6)
    moved = with_values(scenario, {cap.subject: scenario.sales.teams[0].reps.max + 1})
    fresh = solve(moved, marginals=False, whole_steps=False)
    assert cap.value == pytest.approx(fresh.objective - plan.objective, abs=1e-6)


@pytest.mark.parametrize("case", CASES)
def test_marginal_values_read_off_the_lines_are_those_of_builds(case):
    """The default answer reads each input's model at p + h off its straight line
    (``marginal_values(lines=True)``); a plan solved alone builds it. Same values to
    rounding, same notes, and most inputs read off a line (no build of their own)."""
    from optimizer.analysis.patterns import Patterns

    scenario = scenario_of(case)
    built = solve(scenario)
    patterns = Patterns(scenario)
    read = solve(scenario, patterns=patterns)
    a, b = built.parameters, read.parameters
    assert list(a["path"]) == list(b["path"]) and list(a["note"]) == list(b["note"])
    scale_ = max(1.0, abs(built.objective))
    for path, x, y in zip(a["path"], a["marginal_value"], b["marginal_value"]):
        assert (x != x and y != y) or abs(x - y) <= 1e-9 * scale_ + 1e-9 * abs(x), path
    valued = int(a["marginal_value"].notna().sum())
    assert valued >= 0.8 * len(a), case
    lines = sum(patterns.line(p) is not None for p in a["path"])
    assert lines >= 0.6 * len(a), case


def test_a_plan_proven_only_within_a_loose_gap_says_how_far_its_re_solved_steps_may_be_off():
    """A plan (and each whole-number re-solve, at the same gap policy) proven within 0.1 %
    of its best: a step's value compares two such plans, so it may be off by up to twice
    0.1 % of the objective: 2 x 0.001 x $35,400 = $70.80, shown as $71."""
    from dataclasses import replace

    scenario = load_scenario(ROOT / "scenarios" / "seed_company.yaml")
    plan = solve(scenario)
    assert plan.objective == pytest.approx(35_400)
    exact = explain(scenario, plan, full=False)
    assert not any("proven only within" in n for n in exact.notes)
    loose = explain(scenario, replace(plan, mip_gap=1e-3), full=False)
    assert (
        "values re-solved with hiring free compare two plans, each proven only within 0.100% "
        "of its best: each may be off by up to $71"
    ) in loose.notes


def test_a_model_above_the_detail_limit_is_not_explained_by_default(monkeypatch):
    """Each step of a large model needs a build of the whole model (a 200-team company:
    93 s of explanation after a 26 s solve), so the default answer (``explain=None``)
    explains up to ``DETAIL_LIMIT`` variables and says why above it; asked explicitly,
    it explains."""
    import optimizer.analysis.solve as solve_module
    from optimizer.analysis.answers import answer

    scenario = load_scenario(ROOT / "scenarios" / "seed_company.yaml")  # 27 variables
    monkeypatch.setattr(solve_module, "DETAIL_LIMIT", 20)
    found = answer(scenario, explain=None, hiring_free=False)
    assert found.plan.solved and not found.explanation.steps
    assert found.explanation.notes == [
        "not explained: the model has 27 variables (more than 20), and each input's step "
        "would need a build of the whole model; ask for it explicitly (--explain)"
    ]
    asked = answer(scenario, explain=True, hiring_free=False)
    assert asked.explanation.steps and asked.explanation.notes[0].startswith("only rates")
    monkeypatch.setattr(solve_module, "DETAIL_LIMIT", 5_000)
    small = answer(scenario, explain=None, hiring_free=False)
    assert small.explanation.steps and not small.explanation.notes
