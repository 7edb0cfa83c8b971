"""Marginal value of every numeric scenario input, by the envelope theorem.

With the plan's whole-number headcounts held, the plan is an LP optimum x with
shadow prices y (objective change per unit increase of each row's limit). For an
input p that moves the objective coefficients c, the limits b and the coefficients A,

    dV/dp = dc/dp . x + y . (db/dp - dA/dp x)

The data derivatives come from building the model at p and at p + h (at p - h where the
schema refuses p + h; h is one for a whole number, else 1e-3 x max(1, |p|)): every input
enters the model linearly, so the difference quotient is exact. Where the move
touches a degenerate binding limit (one whose dual describes only a decrease), the
envelope does not give the rate for an increase, so that input is re-solved instead,
warm, with the headcounts held.

Given the answer's ``Patterns`` (``optimizer.analysis.patterns``), the model at p + h is
asked of it: built once in the answer and shared with the explanation and what-ifs, which
meet some of the same values (a headcount's minimum one person on). The numbers are the
build's, bit for bit, so the values are the same either way.

With ``lines`` (the command line's default answer, whose explanation learns every input's
straight line anyway: ``Patterns.line``), the model at p + h of an input with a line that
covers p + h is read off the line instead of being built and validated: the same numbers
to rounding (the line is verified against builds at three values to 1e-9), so a value
may differ from the built one in its last digits. ``tests/test_default_answer.py`` holds
the two to each other on bundled and generated companies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.analysis.patterns import Patterns, affine
from optimizer.model.chain import build_model
from optimizer.model.linear import ModelArrays
from optimizer.scenario.inputs import is_int_field, moved, numeric_inputs
from optimizer.scenario.names import QUALITY_FLOOR
from optimizer.scenario.schema import Scenario

STEP = {QUALITY_FLOOR}
"""Inputs whose effect is a step, not a slope: the quality floor decides which tiers
are allowed. Its value shows in the quality_floor constraint's shadow price."""

COLUMNS = ["path", "value", "marginal_value", "unit", "note"]
OUT_OF_TIME = "not computed: the time limit ran out"


def marginal_values(
    scenario: Scenario,
    objective: str,
    base: ModelArrays,
    x: np.ndarray,
    row_shadow: np.ndarray,
    degenerate: np.ndarray,
    fixed_lp,
    objective_value: float,
    forward_shadow: np.ndarray | None = None,
    deadline=None,
    patterns: Patterns | None = None,
    lines: bool = False,
) -> pd.DataFrame:
    """``forward_shadow`` is the constraint table's shadow price (per unit increase).
    Inputs reached after ``deadline`` has run out get no value and the note OUT_OF_TIME.
    ``patterns`` (of this scenario and objective) builds the moved models, each once in
    the answer; without it each is built here. ``lines`` reads the model at p + h off the
    input's line where it has one (see the module docstring)."""
    if patterns is not None and (
        patterns.scenario is not scenario or patterns.objective != objective
    ):
        raise ValueError("the patterns are another scenario's or objective's")
    rows = []
    ctx = (base, x, row_shadow, degenerate, fixed_lp, objective_value, forward_shadow, patterns,
           lines and patterns is not None)  # fmt: skip
    for path, value, unit in numeric_inputs(scenario, objective):
        if deadline is not None and deadline.expired():
            rows.append((path, value, np.nan, unit, OUT_OF_TIME))
            continue
        if path in STEP:
            rows.append(
                (
                    path,
                    value,
                    np.nan,
                    unit,
                    "a step, not a slope: see the quality_floor shadow price",
                )
            )
            continue
        derivative, note = _derivative(scenario, objective, ctx, path, value)
        rows.append((path, value, derivative, unit, note))
    return pd.DataFrame(rows, columns=COLUMNS)


def _derivative(scenario, objective, ctx, path, value) -> tuple[float, str]:
    base, x, y, degenerate, fixed_lp, obj, forward, patterns, lines = ctx
    is_int = is_int_field(scenario, path)
    h = 1.0 if is_int else 1e-3 * max(1.0, abs(value))
    line = patterns.line(path) if lines and affine(path) else None
    for step in (h, -h):
        changes = {path: int(value + step) if is_int else value + step}
        if line is not None and line.low <= changes[path] <= line.high:
            # inside the line's verified values: accepted by the schema, same shape
            arrays = line.at(patterns.base, changes[path] - value).without_zeros()
            return _rate(arrays, ctx, step)
        try:
            other = (patterns.scenario_at(changes) if patterns is not None
                     else moved(scenario, path, changes[path]))  # fmt: skip
        except Exception:  # the moved value is outside the input's valid range
            continue
        if patterns is not None:  # the build's numbers, zero entries left out as in ``base``
            arrays = patterns.arrays_at(changes).without_zeros()
        else:
            arrays = build_model(other, objective)[0].arrays()
        if arrays.num_rows != base.num_rows or arrays.num_vars != base.num_vars:
            return np.nan, "changes the model's shape; compare re-solves instead"
        return _rate(arrays, ctx, step)
    return np.nan, "no valid neighbouring value"


def _rate(arrays, ctx, step) -> tuple[float, str]:
    """The objective's rate of change per unit of the input, from the model at p + step."""
    base, x, y, degenerate, fixed_lp, obj, forward = ctx[:7]
    dc = (arrays.c - base.c) @ x + (arrays.c0 - base.c0)
    dax = arrays.row_activity(x) - base.row_activity(x)
    shift = (arrays.rhs - base.rhs) - dax
    if dc == 0 and not np.any(dax) and forward is not None:
        # the input only moves limits: the reported (one-sided) shadow prices price it
        moved_rows = shift != 0
        return float(forward[moved_rows] @ shift[moved_rows] / step), ""
    if np.any(degenerate & (np.abs(shift) > 1e-12)) and fixed_lp is not None:
        moved_objective = fixed_lp.objective_for(arrays)
        if moved_objective is None:
            return np.nan, "the move makes the plan's headcounts infeasible"
        return float((moved_objective - obj) / step), "re-solved: a degenerate limit"
    return float((dc + y @ shift) / step), ""
