"""The optimal face of an LP: the plans exactly as good, by complementary slackness.

A feasible x is optimal for the LP exactly when

- every column j with a nonzero reduced cost d[j] sits at the bound it is priced at, and
- every row i with a nonzero dual y[i] sits at its active limit.

Whichever optimal dual the solver gave, that set is the face of optimal plans. ``FACE_TOL``
decides what counts as nonzero. The face is written as the same model with those columns
fixed (at the bound nearer the plan) and those rows held (at the limit nearer the plan's
activity), so the solver's rounding is not carried over; every LP tie stage runs on it, and
so gives up none of the leader's objective.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from optimizer.model.linear import ModelArrays
from optimizer.solvers import SolverOutput

FACE_TOL = 1e-9
"""A reduced cost or dual counts as nonzero above FACE_TOL x max(1, |largest cost|)."""


def optimal_face(
    arrays: ModelArrays, lp: SolverOutput, lb: np.ndarray, ub: np.ndarray
) -> ModelArrays:
    """``arrays`` (bounds ``lb``, ``ub``) restricted to the optimal face of ``lp``.

    Complementary slackness: x is optimal exactly when it is feasible and every column
    with a nonzero reduced cost sits at the bound it is priced at, every row with a
    nonzero dual at its active limit. Whichever optimal dual the solver gave, that set is
    the face of optimal plans. Columns are fixed at the bound nearer the plan, rows held
    at the limit nearer its activity, so the solver's rounding is not carried over.
    """
    lb, ub = lb.copy(), ub.copy()
    lower, upper = arrays.row_lower.copy(), arrays.row_upper.copy()
    tol = FACE_TOL * max(1.0, float(np.max(np.abs(arrays.solver_cost()), initial=0.0)))
    x = lp.x
    d = np.nan_to_num(lp.col_shadow) if lp.col_shadow is not None else np.zeros(len(x))
    for j in np.flatnonzero(np.abs(d) > tol):
        if lb[j] == ub[j]:
            continue
        near_lb = abs(x[j] - lb[j]) <= abs(x[j] - ub[j]) if np.isfinite(lb[j]) else False
        if near_lb:
            ub[j] = lb[j]
        elif np.isfinite(ub[j]):
            lb[j] = ub[j]
    y = np.nan_to_num(lp.row_shadow) if lp.row_shadow is not None else np.zeros(len(lower))
    act = arrays.row_activity(x)
    for i in np.flatnonzero(np.abs(y) > tol):
        if lower[i] == upper[i]:
            continue
        to_lower = abs(act[i] - lower[i]) if np.isfinite(lower[i]) else np.inf
        to_upper = abs(act[i] - upper[i]) if np.isfinite(upper[i]) else np.inf
        if to_lower <= to_upper and np.isfinite(to_lower):
            upper[i] = lower[i]
        elif np.isfinite(to_upper):
            lower[i] = upper[i]
    return replace(
        arrays,
        lb=lb,
        ub=ub,
        row_lower=lower,
        row_upper=upper,
        integer=np.zeros(arrays.num_vars, bool),
    )
