"""The variable half of the sensitivity report: Excel Solver's "Variable Cells".

For the LP that gives the plan's prices (an integer model's whole numbers held at the
plan's), one row per variable:

- ``value``: the plan's value (Solver's "Final Value");
- ``reduced_cost``: the objective's change per unit the variable is pushed past the bound
  it sits at (product convention: per unit increase of the variable, in the objective's own
  sense, so forcing one unused conversation into a profit plan costs ``-reduced_cost``);
  0 for a variable strictly between its bounds;
- ``objective_coefficient``: its coefficient in the model's objective. The model states
  profit through definitions (revenue, payroll, cost of goods), so most decisions have 0
  here and earn through those rows; the ranges are the same either way: they say how much
  more (or less) one unit would have to earn before the plan changes;
- ``allowable_increase`` / ``allowable_decrease``: how far that coefficient can move with
  the plan staying optimal (HiGHS's cost ranging; NaN on a backend without ranging). For an
  unused variable the room towards using it is exactly its reduced cost: one more cent
  and it enters the plan.

A variable at a bound whose reduced cost the LP's basis understates (a primal-degenerate
vertex: another optimal dual solution prices it higher) would enter later than the
solver's number says. ``RESOLVE`` of them are re-solved: the one-sided rate of pushing the
variable off its bound by ``STEP`` is the true entering threshold (the largest reduced
cost over the optimal duals), and replaces the solver's where they differ
(``degenerate``). Whole numbers (headcounts) are held, so they get their rate per person
(``reduced_cost``, the value of a fraction of a person) and no range.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from optimizer.model.linear import LinearModel, ModelArrays
from optimizer.scenario import labels
from optimizer.solvers import SolverOutput

COLUMNS = [
    "name", "block", "label", "unit", "decision", "value", "at", "reduced_cost",
    "objective_coefficient", "allowable_increase", "allowable_decrease", "degenerate",
]  # fmt: skip

AT_TOL = 1e-7
"""A variable is at a bound when within AT_TOL x max(1, |bound|) of it."""

STEP = 1e-4
"""The one-sided re-solve moves a variable off its bound by STEP x max(1, |value|)."""

RATE_TOL = 1e-6
"""A re-solved rate differs from the solver's reduced cost above RATE_TOL x max(1, |rate|)."""

RESOLVE = 400
"""At most this many variables at a bound are re-solved, decisions first."""


def variable_table(
    model: LinearModel, arrays: ModelArrays, out: SolverOutput, resolve: bool = True
) -> pd.DataFrame:
    """The variable half of the sensitivity report of ``out`` (see the module docstring).

    ``resolve`` re-solves the variables at a bound in ``out.fixed_lp`` (one warm LP each,
    at most ``RESOLVE``) to confirm their reduced costs; without it, or without a fixed LP,
    the solver's are reported as they are."""
    n = arrays.num_vars
    names = model.var_names()
    block_of, axes_of = _blocks(model)
    x = out.x if out.x is not None else np.full(n, np.nan)
    lb = out.lp_lb if out.lp_lb is not None else arrays.lb
    ub = out.lp_ub if out.lp_ub is not None else arrays.ub
    d = out.col_shadow if out.col_shadow is not None else np.full(n, np.nan)
    d = np.asarray(d, dtype=float).copy()
    up = out.cost_up if out.cost_up is not None else np.full(n, np.nan)
    down = out.cost_down if out.cost_down is not None else np.full(n, np.nan)
    up, down = np.asarray(up, dtype=float).copy(), np.asarray(down, dtype=float).copy()
    held = arrays.integer & (lb == ub)
    at = np.full(n, "between", dtype=object)
    at_lower = np.isfinite(lb) & (np.abs(x - lb) <= AT_TOL * np.maximum(1.0, np.abs(lb)))
    at_upper = np.isfinite(ub) & (np.abs(x - ub) <= AT_TOL * np.maximum(1.0, np.abs(ub)))
    at[at_upper] = "upper"
    at[at_lower] = "lower"
    at[held] = "held"
    words = [labels.variable_words(block_of[j]) for j in range(n)]
    decision = np.array([w[2] for w in words], dtype=bool)
    degenerate = np.zeros(n, dtype=bool)
    if resolve and out.fixed_lp is not None and out.objective is not None:
        degenerate = _confirm(arrays, out, x, lb, ub, at, decision, d)
    sign = 1.0 if arrays.sense == "max" else -1.0
    # an unused variable: the room towards using it is its (confirmed) reduced cost
    lower = (at == "lower") & ~np.isnan(d)
    upper = (at == "upper") & ~lower & ~np.isnan(d)
    helps_up = sign > 0  # for max, raising a coefficient makes a variable more attractive
    room = np.abs(d)
    if helps_up:
        up = np.where(lower, room, up)
        down = np.where(upper, room, down)
        down = np.where(lower & ~upper, np.inf, down)
        up = np.where(upper & ~lower, np.inf, up)
    else:
        down = np.where(lower, room, down)
        up = np.where(upper, room, up)
        up = np.where(lower & ~upper, np.inf, up)
        down = np.where(upper & ~lower, np.inf, down)
    up[held], down[held] = np.nan, np.nan
    d = np.where(at == "between", 0.0, d)
    return pd.DataFrame(
        {
            "name": names,
            "block": [block_of[j] for j in range(n)],
            "label": [labels.variable_label(block_of[j], axes_of[j]) for j in range(n)],
            "unit": [w[1] for w in words],
            "decision": decision,
            "value": x,
            "at": at,
            "reduced_cost": d,
            "objective_coefficient": arrays.c.astype(float),
            "allowable_increase": up,
            "allowable_decrease": down,
            "degenerate": degenerate,
        },
        columns=COLUMNS,
    )


def _blocks(model: LinearModel) -> tuple[list[str], list[dict[str, str]]]:
    """Each variable's block name and its axes (name -> label), in column order."""
    block_of: list[str] = []
    axes_of: list[dict[str, str]] = []
    for block in model.var_blocks.values():
        names = [a.name for a in block.axes]
        for combo in itertools.product(*(a.labels for a in block.axes)):
            block_of.append(block.name)
            axes_of.append(dict(zip(names, combo)))
    return block_of, axes_of


def _confirm(arrays, out, x, lb, ub, at, decision, d) -> np.ndarray:
    """Re-solve the reduced cost of variables at a bound (decisions first, at most
    ``RESOLVE``): the one-sided rate of pushing each off its bound; ``d`` is updated in
    place where it differs from the solver's. Returns the flags of those that differed."""
    flags = np.zeros(len(x), dtype=bool)
    candidates = np.flatnonzero((at == "lower") | (at == "upper"))
    order = candidates[np.argsort(~decision[candidates], kind="stable")][:RESOLVE]
    base = float(out.objective)
    for j in order:
        h = STEP * max(1.0, abs(x[j]))
        if at[j] == "lower":
            if ub[j] - lb[j] < h:
                continue
            moved = out.fixed_lp.objective_with({}, {int(j): (lb[j] + h, ub[j])})
            direction = 1.0
        else:
            if ub[j] - lb[j] < h:
                continue
            moved = out.fixed_lp.objective_with({}, {int(j): (lb[j], ub[j] - h)})
            direction = -1.0
        if moved is None:  # no plan with it pushed off: a limit forbids it (quality floor)
            rate = -math.inf * direction if arrays.sense == "max" else math.inf * direction
        else:
            rate = (moved - base) / (direction * h)
        same = math.isfinite(rate) and abs(rate - d[j]) <= RATE_TOL * max(1.0, abs(rate))
        if not same:
            flags[j] = bool(np.isfinite(d[j]))
            d[j] = rate
    return flags
