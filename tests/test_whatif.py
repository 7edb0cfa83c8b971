"""What-ifs re-solved in the held model give the plan a fresh solve gives."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, examples
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from optimizer.analysis.solve import solve
from optimizer.analysis.sweep import grid, summary, sweep
from optimizer.analysis.whatif import WhatIf, _same_numbers, affine
from optimizer.cli import app
from optimizer.model.chain import build_model
from optimizer.scenario.inputs import is_int_field, with_values
from optimizer.scenario.loading import ScenarioError, load_scenario
from optimizer.solvers import Status, highs
from optimizer.solvers.session import HighsSession

SEED = ROOT / "scenarios" / "seed_company.yaml"
SOFTWARE = ROOT / "scenarios" / "software_company.yaml"


@functools.cache
def session(name: str, objective: str | None = None) -> WhatIf:
    return WhatIf(load_scenario(ROOT / "scenarios" / f"{name}.yaml"), objective)


def _moved_value(w: WhatIf, path: str, factor: float) -> float:
    value = w.values[path]
    moved = value * factor if value else factor - 0.5
    return float(round(moved)) if is_int_field(w.scenario, path) else moved


def _same_plan(warm, fresh, *, unique: bool) -> None:
    assert warm.status is fresh.status
    if fresh.status is not Status.OPTIMAL:
        return
    assert warm.verified.ok and fresh.verified.ok
    assert warm.objective == pytest.approx(fresh.objective, rel=1e-9, abs=1e-6)
    if unique:
        np.testing.assert_allclose(warm.x, fresh.x, rtol=1e-7, atol=1e-6)


@functools.cache
def _factors(name: str, path: str) -> tuple[float, float]:
    """The factors in [0.5, 1.5] whose moved value the schema accepts for ``path``.

    They form one interval around 1 (a share at most 1, a tier dearer than the one before,
    a minimum below the maximum: one bound each way; scanned at 401 factors for every input
    of both scenarios), so bisection finds its ends. Drawing inside it makes no what-if the
    schema refuses: none is discarded.
    """
    w = session(name)

    def accepted(factor: float) -> bool:
        try:
            with_values(w.scenario, {path: _moved_value(w, path, factor)})
        except ScenarioError:
            return False
        return True

    def end(outer: float) -> float:
        inner = 1.0
        if accepted(outer):
            return outer
        while abs(outer - inner) > 1e-4:
            middle = (inner + outer) / 2
            inner, outer = (middle, outer) if accepted(middle) else (inner, middle)
        return inner

    return end(0.5), end(1.5)


def _what_if(data, name: str) -> tuple[WhatIf, str, float]:
    """A scenario's input and a value for it the schema accepts (0.5 to 1.5 times today's)."""
    w = session(name)
    path = data.draw(st.sampled_from([p for p, _, _ in w.inputs()]), label="path")
    factor = data.draw(st.floats(*_factors(name, path)), label="factor")
    return w, path, _moved_value(w, path, factor)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_warm_resolve_gives_the_plan_a_fresh_solve_gives_seed(data):
    """The seed scenario has one best plan: the warm one is the same, number for number."""
    w, path, value = _what_if(data, "seed_company")
    warm = w.resolve({path: value})
    event(f"what-if: {warm.status.value}")
    _same_plan(warm, w.rebuild({path: value}), unique=True)
    plan = solve(warm.scenario, marginals=False, whole_steps=False)
    assert plan.status is warm.status
    if plan.status is Status.OPTIMAL:
        np.testing.assert_allclose(warm.x, plan.variables["value"], rtol=1e-7, atol=1e-6)


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_warm_resolve_gives_the_plan_a_fresh_solve_gives_software(data):
    """The SaaS plan can swap leads between months at equal profit: the same profit, and
    both plans pass the independent check."""
    w, path, value = _what_if(data, "software_company")
    warm = w.resolve({path: value})
    event(f"what-if: {warm.status.value}")
    _same_plan(warm, w.rebuild({path: value}), unique=False)


def test_the_order_of_what_ifs_does_not_matter():
    w = WhatIf(load_scenario(SEED))
    first = w.resolve({"marketing.ad_budget_per_month": 30_000})
    w.resolve({"sales.teams[field].average_deal_value": 4_000})
    w.resolve({"sales.teams[field].reps.max": 3})
    again = w.resolve({"marketing.ad_budget_per_month": 30_000})
    np.testing.assert_array_equal(first.x, again.x)
    back = w.resolve({"marketing.ad_budget_per_month": 40_000})
    assert back.objective == pytest.approx(35_400)
    assert w.base_result.objective == pytest.approx(35_400)


def test_each_line_holds_anywhere_between_its_ends():
    """Every input's straight line, checked against real builds at values inside it."""
    rng = np.random.default_rng(0)
    for name, objective in (("seed_company", None), ("software_company", "closest_to_current")):
        w = session(name, objective)
        lines = 0
        for path, value, _ in w.inputs():
            line = w._direction(path) if affine(path) else None
            if line is None:
                continue
            lines += 1
            assert line.low <= value <= line.high and line.low < line.high
            for moved in rng.uniform(line.low, line.high, 2):
                moved = float(round(moved)) if is_int_field(w.scenario, path) else moved
                built = build_model(with_values(w.scenario, {path: moved}), w.objective)[0]
                predicted = line.at(w.base, moved - value)
                assert _same_numbers(predicted, built.arrays(drop_zeros=False)), (name, path)
        assert lines > 20


def test_an_input_without_a_line_is_rebuilt_and_still_right():
    """Today's targets enter the closest-to-current objective through a relative gap."""
    w = WhatIf(load_scenario(SEED), "closest_to_current")
    path = "current_targets.calls_per_rep_per_day"
    assert w._direction(path) is None
    warm = w.resolve({path: 30})
    assert warm.route == "warm, data rebuilt"
    _same_plan(warm, w.rebuild({path: 30}), unique=False)


def test_a_move_that_changes_the_model_shape_is_rebuilt():
    """A minimum headcount of 0 has no row; a tier below the quality floor is no choice."""
    w = WhatIf(load_scenario(SEED))
    for path, value in (
        ("marketing.marketers.min", 0),
        ("sales.conversation_tiers[2].minutes", 12),
    ):
        warm = w.resolve({path: value})
        assert warm.route == "rebuilt"
        _same_plan(warm, w.rebuild({path: value}), unique=True)


def test_a_quality_floor_move_crossing_a_tier_is_not_taken_as_a_line():
    w = WhatIf(load_scenario(SEED))
    path = "sales.min_minutes_per_quality_conversation"
    assert not affine(path)
    for value in (10, 25, 35):
        warm = w.resolve({path: value})
        assert warm.route != "warm"
        _same_plan(warm, w.rebuild({path: value}), unique=True)
    assert w.resolve({path: 35}).objective < w.resolve({path: 20}).objective


def test_several_inputs_moved_at_once_are_built_not_added():
    """Hours a day times days a month: two lines do not add up to the joint move."""
    w = WhatIf(load_scenario(SEED))
    changes = {"calendar.hours_per_day": 9, "calendar.business_days_per_month": 22}
    warm = w.resolve(changes)
    assert warm.route == "warm, data rebuilt"
    _same_plan(warm, w.rebuild(changes), unique=True)


def test_warm_duals_ranging_and_targets_match_a_fresh_solve():
    w = WhatIf(load_scenario(SOFTWARE))
    for path, value in (
        ("sales.teams[inside].average_deal_value", 10_500.0),
        ("marketing.ad_budget_per_month", 70_000.0),
        ("support.live_channels[phone].bands[fast].answer_within_seconds", 25.0),
    ):
        plan = w.resolve({path: value}, duals=True, ranging=True).plan()
        fresh = solve(with_values(w.scenario, {path: value}), marginals=False, whole_steps=False)
        assert plan.solved and fresh.solved
        for column in ("shadow_price", "allowable_increase", "allowable_decrease", "activity"):
            np.testing.assert_allclose(
                plan.constraints[column].to_numpy(float),
                fresh.constraints[column].to_numpy(float), rtol=1e-7, atol=1e-6,
            )  # fmt: skip
        pd.testing.assert_frame_equal(plan.targets, fresh.targets, rtol=1e-7)
        assert plan.overrides == (f"{path}={value:g}",)


def test_a_value_the_schema_refuses_names_the_input():
    w = session("seed_company")
    with pytest.raises(ScenarioError) as caught:
        w.resolve({"marketing.qualified_lead_share": 1.5})
    assert "marketing.qualified_lead_share" in str(caught.value)
    assert w.resolve({"marketing.qualified_lead_share": 0.55}).objective == pytest.approx(35_400)


def test_an_infeasible_what_if_has_no_plan_and_the_next_one_recovers():
    w = WhatIf(load_scenario(SEED))
    dead = w.resolve({"finance.profit_target_per_month": 90_000})
    assert dead.status is Status.INFEASIBLE and dead.x is None and not dead.solved
    assert dead.binding() == [] and dead.plan().targets.empty
    assert w.resolve({"finance.profit_target_per_month": 15_000}).objective == pytest.approx(35_400)


def test_the_held_lp_restarts_warm_and_agrees_with_a_cold_solve():
    """A model without whole numbers keeps its basis between re-solves."""
    scenario = load_scenario(SEED)
    base = build_model(scenario)[0].arrays(drop_zeros=False)
    relaxed = type(base)(**{**base.__dict__, "integer": np.zeros_like(base.integer)})
    warm = HighsSession(relaxed)
    first = warm.solve(duals=True, ranging=False)
    for budget in (30_000, 45_000, 38_000):
        moved = with_values(scenario, {"marketing.ad_budget_per_month": budget})
        arrays = build_model(moved)[0].arrays(drop_zeros=False)
        arrays = type(arrays)(**{**arrays.__dict__, "integer": np.zeros_like(arrays.integer)})
        warm.load(arrays)
        out = warm.solve(duals=True, ranging=False)
        cold = highs.solve(arrays, ranging=False)
        assert out.objective == pytest.approx(cold.objective, rel=1e-9)
        assert warm.h.getInfo().simplex_iteration_count <= 10  # from the last basis
    assert first.objective > 0


# ---- sweeps ----------------------------------------------------------------------------------


def test_grid_moves_each_input_over_its_range_in_whole_numbers_where_needed():
    scenario = load_scenario(SEED)
    changes = grid(scenario, ["marketing.ad_budget_per_month", "sales.teams[field].reps.max"],
                   low=0.5, high=1.5, points=5)  # fmt: skip
    budget = [c["marketing.ad_budget_per_month"] for c in changes if "marketing." in next(iter(c))]
    assert budget == [20_000, 30_000, 40_000, 50_000, 60_000]
    reps = [c["sales.teams[field].reps.max"] for c in changes if "reps" in next(iter(c))]
    assert reps == [6, 9, 12, 15, 18]
    with pytest.raises(KeyError, match="no.such"):
        grid(scenario, ["no.such"])


def test_a_sweep_on_two_processes_equals_one_and_keeps_bad_values_as_rows():
    scenario = load_scenario(SEED)
    changes = grid(scenario, ["marketing.ad_budget_per_month", "marketing.qualified_lead_share"],
                   low=0.5, high=2.0, points=4)  # fmt: skip
    one = sweep(scenario, changes, jobs=1)
    two = sweep(scenario, changes, jobs=2)
    assert len(one) == len(changes) == 8
    pd.testing.assert_series_equal(one["status"], two["status"])
    np.testing.assert_allclose(one["objective"].astype(float), two["objective"].astype(float))
    refused = one[one["status"] == "bad_input"]
    assert list(refused["value"]) == [pytest.approx(1.1)]  # a share above 1
    assert refused["message"].str.contains("qualified_lead_share").all()
    budget = one[one["path"] == "marketing.ad_budget_per_month"]
    assert list(budget["value"]) == [20_000, 40_000, 60_000, 80_000]
    assert budget["objective"].iloc[1] == pytest.approx(35_400)
    assert budget["objective_change"].iloc[1] == pytest.approx(0.0, abs=1e-6)
    assert "marketing-ad_budget" in budget["binding"].iloc[1]
    assert budget["status"].iloc[0] == "infeasible"  # half the budget cannot pay for the goal
    table = summary(one).set_index("path")
    assert list(table.index) == ["marketing.qualified_lead_share", "marketing.ad_budget_per_month"]
    share = table.loc["marketing.qualified_lead_share"]
    assert share["swing"] == pytest.approx(108_100 - 35_400) and share["no_plan"] == 2


def test_sweep_command_writes_every_what_if(tmp_path):
    out = tmp_path / "sweep.csv"
    result = CliRunner().invoke(app, [
        "sweep", str(SEED), "-i", "marketing.ad_budget_per_month", "-i",
        "sales.teams[field].average_deal_value", "--low", "1", "--points", "3", "-j", "1",
        "--out", str(out),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert len(table) == 6 and set(table["status"]) == {"optimal"}
    deal = table[table["path"] == "sales.teams[field].average_deal_value"]
    assert list(deal["value"]) == [3_500, 4_375, 5_250]
    assert deal["objective"].is_monotonic_increasing
    assert "Seed company" in result.output and "Ad budget" in result.output  # by label
    bad = CliRunner().invoke(app, ["sweep", str(SEED), "-i", "nope", "--points", "3"])
    assert bad.exit_code == 2 and "nope" in bad.output
    assert (table["seconds"] > 0).all() and table["verified"].all()


def test_what_ifs_holding_headcounts_keep_people_and_match_a_fresh_lp():
    """The short-term question: the same people, the budget moved. Each what-if is an LP."""
    scenario = load_scenario(SEED)
    held = WhatIf(scenario, hold_headcounts=True)
    assert held.held == {"marketers[2027-01]": 2, "reps[2027-01,field]": 5,
                         "workers[2027-01]": 4, "agents[2027-01]": 2}  # fmt: skip
    assert held.base_result.objective == pytest.approx(35_400)
    names = held.model.var_names()
    free = WhatIf(scenario)
    for budget in (36_000, 44_000, 52_000):
        warm = held.resolve({"marketing.ad_budget_per_month": budget})
        fresh = held.rebuild({"marketing.ad_budget_per_month": budget})
        _same_plan(warm, fresh, unique=False)
        assert {names[j]: warm.x[j] for j in np.flatnonzero(held.base.integer)} == held.held
        # hiring is allowed in the long-term answer, so it is never worse
        assert free.resolve({"marketing.ad_budget_per_month": budget}).objective >= (
            warm.objective - 1e-6
        )
    assert not warm.arrays.integer.any()
    moved = held.resolve({"marketing.marketers.min": 0})  # another shape: held by name
    assert moved.route == "rebuilt" and moved.objective == pytest.approx(35_400)
