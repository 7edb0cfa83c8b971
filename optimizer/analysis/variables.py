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
  the plan staying optimal. For an unused variable the room towards using it is its
  reduced cost: one more cent and it enters the plan.

The ranges and reduced costs are the plan's own (``optimizer.analysis.ranging``): the plan
is chosen among equally good ones and need not be the solver's basis point, and at a
degenerate point a basis understates both (a variable would enter later than the basis's
reduced cost says; a coefficient could move further). ``degenerate`` marks where the
plan's differ from the solver's. On models of more than ``RESOLVE`` variables, or where
the plan's prices cannot be found, the solver's basis ranging is reported as it is (NaN
on a backend without ranging). A reduced cost of minus infinity: no price brings the
variable in (a limit forbids it: a conversation shorter than the quality floor).
Whole numbers (headcounts) are held, so they get the solver's rate per person
(``reduced_cost``: the value of a fraction of a person) and no range.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from optimizer.analysis.ranging import BOUND_TOL, plan_ranges
from optimizer.model.linear import LinearModel, ModelArrays
from optimizer.scenario import labels
from optimizer.solvers import SolverOutput

COLUMNS = [
    "name", "block", "label", "unit", "decision", "value", "at", "reduced_cost",
    "objective_coefficient", "allowable_increase", "allowable_decrease", "degenerate",
]  # fmt: skip

AT_TOL = BOUND_TOL
"""A variable is at a bound within AT_TOL x max(1, |bound|): the ranging's own tolerance
(``ranging.BOUND_TOL``), so a variable's ``at`` and its ranges read the plan alike."""

RATE_TOL = 1e-6
"""A re-solved rate differs from the solver's reduced cost above RATE_TOL x max(1, |rate|)."""

RESOLVE = 5_000
"""Models of at most this many variables are ranged at the plan's own point (two small LPs
a variable: 0.007 s on the seed company, 1.1 s on the 421-variable growth plan)."""


def variable_table(
    model: LinearModel, arrays: ModelArrays, out: SolverOutput, resolve: bool = True
) -> pd.DataFrame:
    """The variable half of the sensitivity report of ``out`` (see the module docstring).

    ``resolve`` ranges the plan's own point (``optimizer.analysis.ranging``); without it
    the solver's basis ranging is reported."""
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
    ranged = None
    if resolve and out.x is not None and len(x) and len(x) <= RESOLVE:
        ranged = plan_ranges(arrays, x, lb, ub)
    if ranged is not None:  # the plan's own point (see the module docstring)
        free = ~np.isnan(ranged.reduced_cost)
        solver_d = d.copy()
        d = np.where(free, ranged.reduced_cost, d)
        up = np.where(free, ranged.increase, up)
        down = np.where(free, ranged.decrease, down)
        differ = np.abs(d - solver_d) > RATE_TOL * np.maximum(1.0, np.abs(d))
        degenerate = free & (differ | (np.isinf(d) & ~np.isinf(solver_d)))
    else:  # the solver's basis; an unused variable's room is its reduced cost
        sign = 1.0 if arrays.sense == "max" else -1.0
        lower = (at == "lower") & ~np.isnan(d)
        upper = (at == "upper") & ~lower & ~np.isnan(d)
        room = np.abs(d)
        if sign > 0:
            up, down = np.where(lower, room, up), np.where(upper, room, down)
            down, up = np.where(lower, np.inf, down), np.where(upper, np.inf, up)
        else:
            down, up = np.where(lower, room, down), np.where(upper, room, up)
            up, down = np.where(lower, np.inf, up), np.where(upper, np.inf, down)
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
