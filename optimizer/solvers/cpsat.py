"""CP-SAT assumptions name limits that conflict only in whole people.

When the integer model has no solution but its LP relaxation has one, CP-SAT is asked
which limits conflict: each candidate limit is enforced only if its own assumption
literal holds, every literal is assumed true, and CP-SAT's
``sufficient_assumptions_for_infeasibility`` names a subset that is already infeasible.
The model has no objective: with one, CP-SAT returned every assumption as the reason
(measured on this model with OR-Tools 9.x).

CP-SAT solves only integer models with integer coefficients; this model's leads,
conversations and dollars are continuous and its coefficients are real. A plain rounding
of either is unsound: it can make a feasible set of limits look infeasible, or the
reverse. So the CP-SAT model is built as a *relaxation* of the MILP:

- a continuous x_j becomes q_j * y_j with y_j an integer on a grid of step q_j;
- each row is multiplied by a power of two and its coefficients rounded to integers;
- each row's limits are widened by the most the grid and the rounding can move its
  activity, so every whole-number solution of the MILP maps to a solution of the CP-SAT
  model (y_j = the grid point nearest x_j).

Two things keep it from being exact: the widening (the relaxation is a little looser
than the MILP, so a conflict that hangs on a hair may be missed), and CP-SAT needs finite
domains, so an unbounded variable is capped at a generous multiple of its scale (a
conflict that only exists beyond that cap could be reported). CP-SAT's answer is
therefore a *proposal*: ``optimizer.analysis.diagnose`` confirms it with HiGHS on the MILP, then
makes it irreducible with the deletion filter over the proposal only (a few MILPs instead
of one per limit). If HiGHS does not confirm it, the full deletion filter runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from optimizer.model.linear import ModelArrays
from optimizer.solvers import twostage

GRID_BITS = 24  # a continuous variable's domain spans at most 2**24 grid steps
ROW_BITS = 60  # a row's largest possible |activity| after scaling stays below 2**60
CAP_FACTOR = 100.0  # an unbounded variable is capped at 100 x its scale
MIN_SCALE = 100.0  # ... and its scale is at least 100 units
INT_CAP = 1_000_000  # an integer (headcount) with no upper bound


@dataclass(frozen=True)
class Proposal:
    status: str  # "infeasible" (rows named), "feasible", "unknown"
    rows: np.ndarray  # the limits CP-SAT named (indices into the model's rows)
    seconds: float
    message: str = ""


def _scales(a: ModelArrays, x_relaxed: np.ndarray | None) -> np.ndarray:
    """A variable's natural size: its LP relaxation value, or the limits of its rows."""
    rows, cols, vals = twostage.merged_coo(a)
    bound = np.where(np.isfinite(a.row_upper), np.abs(a.row_upper), 0.0)
    bound = np.maximum(bound, np.where(np.isfinite(a.row_lower), np.abs(a.row_lower), 0.0))
    per_entry = bound[rows] / np.abs(vals)
    scale = np.full(a.num_vars, MIN_SCALE)
    np.maximum.at(scale, cols, per_entry)
    if x_relaxed is not None:
        scale = np.maximum(scale, np.abs(x_relaxed))
    return scale


def propose_conflict(
    a: ModelArrays,
    candidates: np.ndarray,
    *,
    x_relaxed: np.ndarray | None = None,
    time_limit: float = 10.0,
) -> Proposal:
    """Ask CP-SAT which of the ``candidates`` (a row mask) conflict in whole numbers.

    Rows outside ``candidates`` always hold. ``x_relaxed`` (the LP relaxation's solution;
    solved here with HiGHS if not given) sizes the caps on unbounded variables.
    """
    from dataclasses import replace

    from ortools.sat.python import cp_model

    if x_relaxed is None:
        from optimizer.solvers import highs

        relaxed = replace(a, integer=np.zeros_like(a.integer))
        x_relaxed = highs.solve(relaxed, ranging=False, duals=False).x

    scale = _scales(a, x_relaxed)
    lo = np.where(np.isfinite(a.lb), a.lb, -CAP_FACTOR * scale)
    hi = np.where(np.isfinite(a.ub), a.ub, CAP_FACTOR * scale)
    lo = np.minimum(lo, hi)
    integer = a.integer
    step = np.where(
        integer, 1.0, np.maximum(np.maximum(np.abs(lo), np.abs(hi)), 1.0) / 2**GRID_BITS
    )
    y_lo = np.where(integer, np.ceil(lo - 1e-9), np.floor(lo / step))
    y_hi = np.where(integer, np.floor(np.minimum(hi, INT_CAP) + 1e-9), np.ceil(hi / step))
    y_lo = np.minimum(y_lo, y_hi)
    y_max = np.maximum(np.abs(y_lo), np.abs(y_hi))

    model = cp_model.CpModel()
    y = [model.new_int_var(int(y_lo[j]), int(y_hi[j]), f"x{j}") for j in range(a.num_vars)]
    rows, cols, vals = twostage.merged_coo(a)
    start = twostage.row_starts(rows, a.num_rows)
    literals: dict[int, int] = {}
    assumptions = []
    for i in range(a.num_rows):
        lower, upper = a.row_lower[i], a.row_upper[i]
        if not (np.isfinite(lower) or np.isfinite(upper)):
            continue
        s, e = start[i], start[i + 1]
        j, real = cols[s:e], vals[s:e] * step[cols[s:e]]  # coefficient of y_j
        reach = float(np.sum(np.abs(real) * y_max[j])) + max(
            abs(lower) if np.isfinite(lower) else 0.0, abs(upper) if np.isfinite(upper) else 0.0
        )
        factor = 2.0 ** (ROW_BITS - math.ceil(math.log2(max(reach, 1e-300)))) if reach else 1.0
        coef = np.round(real * factor)
        widen = (
            float(np.sum(np.abs(coef - real * factor) * y_max[j]))  # coefficient rounding
            + float(np.sum(np.abs(real) * factor * ~integer[j])) / 2.0  # grid: |x - q y| <= q/2
            + 1.0
        )
        lo_i = math.floor(lower * factor - widen) if np.isfinite(lower) else -(2**62)
        hi_i = math.ceil(upper * factor + widen) if np.isfinite(upper) else 2**62
        expr = cp_model.LinearExpr.weighted_sum([y[k] for k in j], [int(c) for c in coef])
        constraint = model.add_linear_constraint(expr, lo_i, hi_i)
        if candidates[i]:
            literal = model.new_bool_var(f"limit{i}")
            constraint.only_enforce_if(literal)
            literals[literal.index] = i
            assumptions.append(literal)
    model.add_assumptions(assumptions)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = 1  # cores from assumptions need a single worker
    # the full linearisation puts the enforced rows into CP-SAT's LP; without it,
    # bound propagation over the fine grid crawls (seconds instead of milliseconds)
    solver.parameters.linearization_level = 2
    solver.parameters.add_lp_constraints_lazily = False
    status = solver.solve(model)
    seconds = solver.wall_time
    if status == cp_model.INFEASIBLE:
        named = [literals[k] for k in solver.sufficient_assumptions_for_infeasibility()]
        return Proposal("infeasible", np.array(sorted(named), dtype=int), seconds)
    if status in (cp_model.FEASIBLE, cp_model.OPTIMAL):
        return Proposal("feasible", np.zeros(0, dtype=int), seconds)
    return Proposal("unknown", np.zeros(0, dtype=int), seconds, solver.status_name(status))
