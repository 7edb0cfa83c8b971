"""Results hold numbers; words and tables are built from them.

- The constraint table is assembled from given numbers: the pipeline (``solve.assemble``)
  prices the rows once (``pricing.prices``), and the table itself solves nothing.
- A cross-check's findings in words (``optimizer.report.crosscheck``) are a function of its
  numbers and verdicts, so every branch can be read on a hand-made result, including those
  no bundled scenario reaches.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from optimizer.analysis import pricing
from optimizer.analysis import solve as solve_module
from optimizer.analysis.crosscheck import PRICE_COLUMNS, CrossCheck, DualCheck
from optimizer.model.chain import build_model
from optimizer.report.crosscheck import (
    cross_check_lines,
    cross_check_notes,
    explained_prices,
    price_explanations,
)
from optimizer.scenario.loading import load_scenario
from optimizer.solvers import Status, highs

SEED = ROOT / "scenarios" / "seed_company.yaml"
REGIONAL = ROOT / "scenarios" / "regional_sales.yaml"  # a binding headcount: a whole step


def test_the_constraint_table_solves_nothing(monkeypatch):
    model, _ = build_model(load_scenario(REGIONAL))
    a = model.arrays()
    out = highs.solve(a)
    priced = solve_module.constraint_table(model, a, out)
    at = solve_module.positions(model, a, out)
    worth = pricing.prices(
        a,
        out,
        at.binding,
        at.increase,
        at.sense,
        at.limit,
        most=solve_module.forward_limit(a),
        whole=True,
    )

    def no_solve(*args, **kwargs):
        raise AssertionError("the table must not solve")

    monkeypatch.setattr(highs, "solve", no_solve)
    monkeypatch.setattr(out.fixed_lp, "objective_with", no_solve)
    table = solve_module.limit_table(model, out, at, worth)
    pd.testing.assert_frame_equal(table, priced)
    np.testing.assert_array_equal(table["shadow_price"], worth.shadow)
    np.testing.assert_array_equal(table["whole_step_value"], worth.whole_step)
    assert table["binding"].any() and np.isfinite(worth.whole_step).any()


def test_the_pipeline_prices_the_rows_once(monkeypatch):
    calls = []
    original = pricing.prices

    def counted(*args, **kwargs):
        calls.append(kwargs["whole"])
        return original(*args, **kwargs)

    monkeypatch.setattr(pricing, "prices", counted)
    plan = solve_module.solve(load_scenario(SEED))
    assert plan.solved and calls == [True]


# ---- a cross-check's words -------------------------------------------------------------------


def plan(status=Status.OPTIMAL, targets=3):
    return SimpleNamespace(
        solved=status is Status.OPTIMAL,
        status=status,
        objective_name="max_profit",
        targets=pd.DataFrame({"value": range(targets)}),
    )


OK = DualCheck(True, 0.0, "")
HEADS = pd.DataFrame({"name": ["reps[field,2027-01]"], "a": [5.0], "b": [6.0]})
NO_TARGETS = pd.DataFrame(
    columns=["department", "role", "metric", "period", "unit", "a", "b", "difference", "verdict"]
)
AGREE = {"a": 100.0, "b": 100.0, "difference": 0.0, "relative": 0.0, "agree": True}


def check(**fields) -> CrossCheck:
    base = dict(
        backends=("highs", "cbc"),
        plans=(plan(), plan()),
        objective=AGREE,
        same_whole_numbers=True,
        headcounts=HEADS.iloc[:0],
        targets=NO_TARGETS,
        shadow_prices=pd.DataFrame(columns=PRICE_COLUMNS),
        dual_checks=(OK, OK),
        limits=4,
    )
    return CrossCheck(**(base | fields))


def test_two_plans_that_both_fail_agree_there_is_no_plan():
    none = plan(Status.INFEASIBLE)
    cc = check(plans=(none, none), objective=dict(AGREE, agree=True), ok=True)
    assert cross_check_notes(cc) == [
        "status: infeasible (highs) and infeasible (cbc): they agree there is no plan"
    ]
    cc = check(plans=(plan(), none), objective=dict(AGREE, agree=False), ok=False)
    assert cross_check_notes(cc) == ["status: optimal (highs) and infeasible (cbc): they disagree"]


def test_another_whole_number_plan_is_re_priced_and_said_so():
    cc = check(same_whole_numbers=False, headcounts=HEADS, repriced=True)
    assert cross_check_notes(cc) == [
        "objective (max_profit): 100.000000 and 100.000000, relative difference 0: agree",
        "whole-number plan: 1 headcounts differ (an alternative optimum: the objective is the same)",
        "targets: all 3 agree",
        "re-pricing: cbc priced highs's whole-number plan, so the shadow prices below are both "
        "prices of the same LP",
        "shadow prices: all 4 limits agree, and so do the solvers' duals",
    ]
    assert "    reps[field,2027-01]: 5 (highs) against 6 (cbc)" in cross_check_lines(cc)


def test_a_fixed_lp_that_fails_ends_the_findings():
    cc = check(dual_checks=(None, None), fixed_lp_failed=("Infeasible", "Error"), ok=False)
    assert cross_check_notes(cc)[-1] == "the fixed LP did not solve: Infeasible / Error"
    assert (
        cross_check_lines(cc)[-1] == "Verdict: the backends DISAGREE beyond tolerance; see above."
    )


def test_each_verdict_on_a_price_has_its_explanation():
    rows = pd.DataFrame(
        [
            ["a[1]", "limit", True, 2.0, 2.0, 1.0, 3.0, True, False, "dual_invalid"],
            ["b[1]", "limit", True, 2.0, 5.0, 2.0, 5.0, True, True, "disagree"],
        ],
        columns=PRICE_COLUMNS,
    )
    invalid, disagree = price_explanations(rows, ("highs", "cbc"), a_ok=True)
    assert invalid == (
        "a[1]: the reported shadow prices agree (2), but the duals differ (1 / 3) and cbc's "
        "duals fail the optimality check."
    )
    assert disagree.startswith("b[1]: shadow price 2 from highs against 5 from cbc (duals 2 / 5).")
    assert "a breakpoint may lie within the re-solve's step" in disagree
    cc = check(shadow_prices=rows, dual_checks=(OK, DualCheck(False, 0.5, "column 5")), ok=False)
    explained = explained_prices(cc)
    assert list(explained.columns) == [*PRICE_COLUMNS, "explanation"]
    assert list(explained["explanation"]) == [invalid, disagree]
    assert cross_check_notes(cc)[-2:] == [
        "shadow prices: 3 of 4 limits agree",
        "cbc's duals are NOT an optimal dual solution of the LP: worst violation 0.5 at column 5",
    ]


@pytest.mark.parametrize("limit", [1, 12])
def test_lines_show_at_most_limit_details_of_each_finding(limit):
    heads = pd.DataFrame({"name": [f"x[{i}]" for i in range(3)], "a": [1.0] * 3, "b": [2.0] * 3})
    lines = cross_check_lines(
        check(same_whole_numbers=False, headcounts=heads, repriced=True), limit
    )
    shown = [line for line in lines if line.startswith("    x[")]
    assert len(shown) == min(limit, 3)
    assert ("    ... and 2 more" in lines) == (limit == 1)
