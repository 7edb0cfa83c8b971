"""Shadow prices and marginal values against finite differences, on every bundled scenario.

Convention under test: the change of the objective per unit INCREASE of a limit (or an
input), with the plan's whole-number headcounts held. Each finite difference re-solves
a fresh LP with the limit (or the input) moved, independently of the code that computed
the reported value.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from optimizer.model.chain import build_model
from optimizer.scenario.inputs import moved
from optimizer.scenario.paths import holds_whole_number
from optimizer.solvers import Status, highs


def fixed_lp_objective(arrays, x, base=None, shift_col=None, shift=0.0):
    """Optimal objective of the LP with the plan's integers held (fresh HiGHS solve).

    The integers are held as in the base model's plan, whatever the moved model says;
    ``shift_col`` moves one held variable (a minimum headcount raised past the plan).
    """
    lb, ub = highs.fixed_bounds(base if base is not None else arrays, x)
    if shift_col is not None:
        lb[shift_col] += shift
        ub[shift_col] += shift
    lp = dataclasses.replace(arrays, lb=lb, ub=ub, integer=np.zeros_like(arrays.integer))
    out = highs.solve(lp, ranging=False)
    return out.objective if out.status is Status.OPTIMAL else None


def base_arrays(scenario, plan):
    model, _ = build_model(scenario, plan.objective_name)
    return model.arrays(), plan.variables["value"].to_numpy()


def test_bundled_plans_are_verified_optima(bundled):
    scenario, plan = bundled
    assert plan.status is Status.OPTIMAL
    assert plan.verified.ok, plan.verified
    assert plan.verified.max_violation < 1e-6
    arrays, x = base_arrays(scenario, plan)
    assert fixed_lp_objective(arrays, x) == pytest.approx(plan.objective, rel=1e-9, abs=1e-6)


def test_every_binding_shadow_price_matches_a_finite_difference(bundled):
    scenario, plan = bundled
    arrays, x = base_arrays(scenario, plan)
    binding = plan.constraints[plan.constraints["binding"]]
    assert len(binding) > 0
    checked = 0
    for row_index, row in binding.iterrows():
        price = row["shadow_price"]
        if not math.isfinite(price):
            continue
        scale = max(1.0, abs(row["limit"]))
        room = row["allowable_increase"]
        step = min(room / 2, 1e-3 * scale) if room > 1e-9 else 1e-4 * scale
        moved_arrays = dataclasses.replace(
            arrays, row_lower=arrays.row_lower.copy(), row_upper=arrays.row_upper.copy()
        )
        if np.isfinite(arrays.row_upper[row_index]):
            moved_arrays.row_upper[row_index] += step
        if np.isfinite(arrays.row_lower[row_index]):
            moved_arrays.row_lower[row_index] += step
        after = fixed_lp_objective(moved_arrays, x, arrays)
        entries = np.flatnonzero(arrays.rows == row_index)
        if after is None and len(entries) == 1:  # a minimum headcount: the person comes too
            col, coef = arrays.cols[entries[0]], arrays.vals[entries[0]]
            after = fixed_lp_objective(moved_arrays, x, arrays, shift_col=col, shift=step / coef)
        assert after is not None, row["name"]
        difference = (after - plan.objective) / step
        assert difference == pytest.approx(price, rel=1e-4, abs=1e-4 * max(1.0, abs(price))), row[
            "name"
        ]
        checked += 1
    assert checked > 0


def test_nonbinding_limits_are_worth_nothing(bundled):
    _, plan = bundled
    c = plan.constraints  # identities and limits held at zero are not limits with room
    limits = c[(c["row_kind"] != "identity") & ~c["binding"] & ~c["held_at_zero"]]
    assert (limits["shadow_price"].abs() < 1e-9).all()
    assert (limits["slack"] > 0).all()


def test_every_marginal_value_matches_a_finite_difference(bundled):
    scenario, plan = bundled
    arrays, x = base_arrays(scenario, plan)
    params = plan.parameters.dropna(subset=["marginal_value"])
    assert len(params) > 10
    checked = 0
    for _, p in params.iterrows():
        value, expected = p["value"], p["marginal_value"]
        if holds_whole_number(p["path"]) and not p["path"].endswith((".min", ".max")):
            # people employed at the start, most hires or departures a month: whole people,
            # and the value is concave in them (the LP's value in a limit's right-hand side,
            # the plan's hires held), so its rate lies between the differences of one
            # person fewer and one more
            up, down = (
                fixed_lp_objective(build_model(moved(scenario, p["path"], value + d),
                                               plan.objective_name)[0].arrays(), x, arrays)
                for d in (1, -1)
            )  # fmt: skip
            slack = 1e-6 * max(1.0, abs(expected))
            assert up is not None, p["path"]  # one more never breaks the plan's hires
            assert up - plan.objective - slack <= expected, p["path"]
            if down is not None:  # one fewer may leave the plan's hires no room at all
                assert expected <= plan.objective - down + slack, p["path"]
            checked += 1
            continue
        if p["path"].endswith((".min", ".max")):
            rows = plan.constraints[plan.constraints["parameter"] == p["path"]]
            if (rows["binding"] & (rows["allowable_increase"] < 1)).any():
                continue  # a whole step of one person would cross a breakpoint
            steps = [1]
            value = int(value)
        else:
            # the value function is piecewise linear: a breakpoint may sit within a step,
            # so a smaller step must then agree
            steps = [r * max(abs(value), 1e-2) for r in (1e-4, 1e-5, 1e-6)]
            if value == 0:  # an input left at zero (no commission, no follow-up minutes):
                # the schema refuses specks below its unit's smallest value (1e-3 minutes,
                # 1e-6 of a share), so the steps go down only as far as it allows
                steps = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6]
        differences = []
        for step in steps:
            other = None
            for signed in (step, -step):  # an input at its bound moves the other way
                try:
                    other = moved(scenario, p["path"], value + signed)
                except Exception:
                    continue  # out of range, or a speck the schema refuses (1e-6 minutes)
                step = signed
                break
            if other is None:
                continue
            model, _ = build_model(other, plan.objective_name)
            after = fixed_lp_objective(model.arrays(), x, arrays)
            assert after is not None, p["path"]
            differences.append((after - plan.objective) / step)
        tolerance = 1e-3 * max(1.0, abs(expected))
        assert differences, p["path"]
        assert min(abs(d - expected) for d in differences) <= tolerance, (p["path"], differences)
        checked += 1
    assert checked > 10
