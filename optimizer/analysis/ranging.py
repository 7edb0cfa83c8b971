"""Ranging the plan's own point: how far each objective coefficient can move with the plan
still optimal, and each unused variable's true reduced cost.

A solver's cost ranging describes its basis. The product's plan is chosen among equally
good plans (``optimizer.analysis.ties``) and need not be that basis's point, and at a
degenerate point a basis understates how far a coefficient can move. So the ranges are
taken from the plan itself. For the plan's LP (whole numbers held)  max s.x  over
L <= A x <= U, l <= x <= u  (s: the costs the solver optimised, tie-break included; a min
model is ranged as the max of -s), x is optimal exactly for the costs some prices y prove
optimal. With the plan's rows and bounds classified (a limit met exactly, or not; a
variable at a bound, between its bounds, or fixed), those prices are

    D = { y : y_i = 0 on rows x does not meet exactly; y_i >= 0 on an upper limit met,
          <= 0 on a lower one, free on an equality;
          A_k . y = s_k for k between its bounds, >= s_k at its lower bound,
          <= s_k at its upper bound; nothing for a fixed k }

(A_k: column k). Moving s_j by t keeps x optimal while column j's own condition holds for
some y in D without it (D_j). So, with hi_j = max and lo_j = min of A_j . y over D_j:

- between its bounds: allowable increase hi_j - s_j, decrease s_j - lo_j;
- at its lower bound: increase hi_j - s_j (then it enters), decrease unlimited; its
  reduced cost (the objective's change per unit forced in) is s_j - hi_j;
- at its upper bound: decrease s_j - lo_j, increase unlimited; reduced cost s_j - lo_j.

An unbounded hi_j is an unlimited range (or a variable no price brings in: the plan has no
room for it at all). Each is one LP over the prices, re-solved warm per variable in one
held model; the plan's D is checked to be non-empty first (tolerances classify the rows:
``ACTIVE_TOL``), and when it is empty the solver's own ranging is kept, and said.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from optimizer.model.linear import ModelArrays
from optimizer.solvers import Status
from optimizer.solvers.session import open_session

ACTIVE_TOL = 1e-7
"""A limit is met exactly within ACTIVE_TOL x max(1, |limit|, the sum of its terms' sizes)."""

BOUND_TOL = 1e-6
"""A variable is at a bound within BOUND_TOL x max(1, |bound|): the plan is chosen on its
LP's optimal face to about 1e-8 relative, and regional sales has deals 3e-7 above a bound
they sit at (classed between, their range read 0 where it is not)."""


SNAP = 1e-9
"""A range or reduced cost within SNAP x max(1, |cost|) of 0 is 0 (the price LP's rounding:
6.7e-16 is no room)."""


@dataclass
class Ranges:
    """Per variable, in the model's own sense: the allowable increase and decrease of its
    objective coefficient and its reduced cost (NaN where not ranged: fixed variables)."""

    increase: np.ndarray
    decrease: np.ndarray
    reduced_cost: np.ndarray
    solves: int


def plan_ranges(
    a: ModelArrays, x: np.ndarray, lb: np.ndarray, ub: np.ndarray, only=None
) -> Ranges | None:
    """The ranges of the plan ``x`` in the LP ``a`` with bounds ``lb``, ``ub`` (see the
    module docstring); ``only``: the variables to range (default: every one not fixed).
    None when the plan's prices cannot be found (the solver's ranging is then kept)."""
    n = a.num_vars
    sign = 1.0 if a.sense == "max" else -1.0
    s = sign * a.solver_cost()
    left = a.row_activity(x)
    size = np.zeros(a.num_rows)  # a row's scale: its limit, or its terms (a limit of 0 with
    np.add.at(size, a.rows, np.abs(a.vals * x[a.cols]))  # minutes on both sides)
    tol_u = ACTIVE_TOL * np.maximum(
        size, np.maximum(1.0, np.abs(np.nan_to_num(a.row_upper, posinf=0, neginf=0)))
    )
    tol_l = ACTIVE_TOL * np.maximum(
        size, np.maximum(1.0, np.abs(np.nan_to_num(a.row_lower, posinf=0, neginf=0)))
    )
    at_u = np.isfinite(a.row_upper) & (np.abs(left - a.row_upper) <= tol_u)
    at_l = np.isfinite(a.row_lower) & (np.abs(left - a.row_lower) <= tol_l)
    rows = np.flatnonzero(at_u | at_l)  # the prices that may be nonzero
    y_lb = np.where(at_l[rows], -np.inf, 0.0)
    y_ub = np.where(at_u[rows], np.inf, 0.0)
    bounded = np.isfinite(lb) & np.isfinite(ub)
    fixed = bounded & (ub - lb <= ACTIVE_TOL * np.maximum(1.0, np.abs(np.where(bounded, lb, 0.0))))
    v_tol = BOUND_TOL * np.maximum(1.0, np.abs(np.nan_to_num(lb, posinf=0, neginf=0)))
    at_lb = ~fixed & np.isfinite(lb) & (x - lb <= v_tol)
    at_ub = (
        ~fixed
        & ~at_lb
        & np.isfinite(ub)
        & (ub - x <= ACTIVE_TOL * np.maximum(1.0, np.abs(np.nan_to_num(ub, posinf=0, neginf=0))))
    )
    cols = np.flatnonzero(~fixed)  # a row of the price LP each
    where = -np.ones(a.num_rows, dtype=np.int64)
    where[rows] = np.arange(len(rows))
    row_of = -np.ones(n, dtype=np.int64)
    row_of[cols] = np.arange(len(cols))
    keep = (where[a.rows] >= 0) & (row_of[a.cols] >= 0)
    # the price LP: variables y (one per row met exactly), rows: one per free column k
    p_rows = row_of[a.cols[keep]]
    p_cols = where[a.rows[keep]]
    p_vals = a.vals[keep]
    low = np.where(at_ub[cols], -np.inf, s[cols])  # A_k.y >= s_k at a lower bound
    high = np.where(at_lb[cols], np.inf, s[cols])  # <= s_k at an upper bound, = between
    lp = ModelArrays(
        c=np.zeros(len(rows)), c0=0.0, c_tiebreak=np.zeros(len(rows)), lb=y_lb, ub=y_ub,
        integer=np.zeros(len(rows), dtype=bool), rows=p_rows, cols=p_cols, vals=p_vals,
        lhs_mask=np.ones(len(p_vals), dtype=bool), row_lower=low, row_upper=high,
        rhs=np.where(np.isfinite(low), low, high), sense="max",
    )  # fmt: skip
    session = open_session("highs", lp)
    base = session.solve(duals=False, ranging=False)
    if base.status is not Status.OPTIMAL:
        return None
    solves = 1
    increase = np.full(n, np.nan)
    decrease = np.full(n, np.nan)
    reduced = np.full(n, np.nan)
    targets = cols if only is None else np.intersect1d(cols, np.asarray(only, dtype=np.int64))
    column = {}
    order = np.argsort(a.cols[keep], kind="stable")
    sorted_cols = a.cols[keep][order]
    for j in targets:
        start, stop = np.searchsorted(sorted_cols, [j, j + 1])
        column[j] = (p_cols[order][start:stop], p_vals[order][start:stop])
    for j in targets:
        k = row_of[j]
        idx, val = column[j]
        objective = np.zeros(len(rows))
        np.add.at(objective, idx, val)
        lower, upper = low.copy(), high.copy()
        lower[k], upper[k] = -np.inf, np.inf
        hi = _extreme(session, lp, objective, lower, upper)
        lowest = _extreme(session, lp, -objective, lower, upper)
        solves += 2
        if hi is None or lowest is None:
            continue
        lo = -lowest
        if at_lb[j]:
            increase[j], decrease[j] = hi - s[j], np.inf
            reduced[j] = s[j] - hi
        elif at_ub[j]:
            increase[j], decrease[j] = np.inf, s[j] - lo
            reduced[j] = s[j] - lo
        else:
            increase[j], decrease[j] = hi - s[j], s[j] - lo
            reduced[j] = 0.0
    snap = SNAP * np.maximum(1.0, np.abs(s))  # rounding of the price LP: no room at all
    increase = np.where(increase <= snap, 0.0, increase)
    decrease = np.where(decrease <= snap, 0.0, decrease)
    reduced = np.where(np.abs(reduced) <= snap, 0.0, reduced)
    if sign < 0:  # a min model: its coefficients are the negated max's
        increase, decrease, reduced = decrease, increase, -reduced
    return Ranges(increase, decrease, reduced, solves)


def _extreme(session, lp: ModelArrays, objective, lower, upper) -> float | None:
    """max objective.y over the price LP with the given rows (inf: unbounded; None: none)."""
    session.load(replace(lp, c=objective, row_lower=lower, row_upper=upper,
                         rhs=np.where(np.isfinite(lower), lower, upper)))  # fmt: skip
    out = session.solve(duals=False, ranging=False)
    if out.status is Status.UNBOUNDED:
        return np.inf
    if out.status is not Status.OPTIMAL:
        return None
    return float(out.objective)
