"""The sample average approximation as one model: the people shared, a month per draw.

For ``N`` drawn versions ``s`` of the uncertain inputs, the scenario's model ``s`` (its
numbers moved to draw ``s``, ``Recourse.arrays``) is copied once per draw, except its
first-stage columns ``F`` (every whole-number column: people and staffing choices; with
``hold: [.., ads]`` also the paid leads), which all copies share:

    x = (x_F, y_1, ..., y_N);  every row of model s:  A_s,F x_F + A_s,R y_s  within its limits

and one of two objectives (profit ``p_s = c_s . (x_F, y_s)``, the scenario's profit):

- ``expected_profit``: maximise ``(1/N) sum_s p_s``, the goals left out (as in the
  recourse);
- ``probability`` (a chance constraint turned objective): a 0/1 column ``z_s`` per draw and
  each goal row ``g`` of copy ``s`` relaxed where ``z_s = 0``:

      a_g . (x_F, y_s)  >=  L_g - M_s,g (1 - z_s)

  maximising ``(1/N) sum_s z_s + w (1/N) sum_s p_s`` with ``w`` small enough that no profit
  outweighs one draw (``w = 1 / (10 N P)``, ``P`` a bound on the profit's size). ``M_s,g`` is
  the goal's shortfall at the worst plan of copy ``s`` (``L_g`` less the least activity of
  the goal row over copy ``s``'s rows, an LP), so the relaxation is exact.

The limits (not goals) hold in every draw for the chosen people: a choice that breaks a
limit in some draw is not offered. The answer's people are then measured exactly, draw by
draw, by ``odds`` (never by this model's objective alone).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from optimizer.model.linear import ModelArrays
from optimizer.solvers.session import solve_fresh


def first_stage(a: ModelArrays, extra: np.ndarray | None = None) -> np.ndarray:
    """The shared columns: whole-number ones, and ``extra`` (held paid leads)."""
    shared = a.integer.copy()
    if extra is not None and len(extra):
        shared[extra] = True
    return shared


def stack(copies: list[ModelArrays], shared: np.ndarray, goal_rows: np.ndarray,
          objective: str, big_m: np.ndarray | None = None) -> ModelArrays:  # fmt: skip
    """The extensive form of ``copies`` (one model per draw, same shape); see the module
    docstring. Columns: the shared ones, then each copy's own, then (``probability``) one
    0/1 column per copy."""
    n = len(copies)
    base = copies[0]
    F = np.flatnonzero(shared)
    R = np.flatnonzero(~shared)
    nF, nR, m = len(F), len(R), base.num_rows
    where = np.empty(base.num_vars, dtype=np.int64)  # a column's position in its copy's block
    where[F] = np.arange(nF)
    where[R] = np.arange(nR)
    z0 = nF + n * nR
    num_vars = z0 + (n if objective == "probability" else 0)
    c = np.zeros(num_vars)
    lb, ub = np.zeros(num_vars), np.zeros(num_vars)
    integer = np.zeros(num_vars, dtype=bool)
    lb[:nF], ub[:nF], integer[:nF] = base.lb[F], base.ub[F], base.integer[F]
    rows, cols, vals, lower, upper = [], [], [], [], []
    for s, a in enumerate(copies):
        col = np.where(shared[a.cols], where[a.cols], nF + s * nR + where[a.cols])
        rows.append(a.rows + s * m)
        cols.append(col)
        vals.append(a.vals)
        lo, hi = a.row_lower.copy(), a.row_upper.copy()
        if objective == "expected_profit":
            lo[goal_rows], hi[goal_rows] = -np.inf, np.inf
        elif len(goal_rows):  # a_g x + M z_s >= L + M  ... i.e. >= L - M (1 - z_s)
            rows.append(goal_rows + s * m)
            cols.append(np.full(len(goal_rows), z0 + s))
            vals.append(-big_m[s])
            lo[goal_rows] = lo[goal_rows] - big_m[s]
        lower.append(lo)
        upper.append(hi)
        own = slice(nF + s * nR, nF + (s + 1) * nR)
        c[:nF] += a.c[F] / n
        c[own] = a.c[R] / n
        lb[own], ub[own] = a.lb[R], a.ub[R]
    if objective == "probability":
        size = _profit_size(copies)
        c *= 1.0 / (10.0 * n * size) if size > 0 else 0.0
        c[z0:] = 1.0 / n
        lb[z0:], ub[z0:], integer[z0:] = 0.0, 1.0, True
    rows_all = np.concatenate(rows)
    return ModelArrays(
        c=c, c0=0.0, c_tiebreak=np.zeros(num_vars), lb=lb, ub=ub, integer=integer,
        rows=rows_all, cols=np.concatenate(cols), vals=np.concatenate(vals),
        lhs_mask=np.ones(len(rows_all), dtype=bool), row_lower=np.concatenate(lower),
        row_upper=np.concatenate(upper), rhs=np.zeros(n * m), sense=base.sense,
    )  # fmt: skip


def _profit_size(copies: list[ModelArrays]) -> float:
    """A bound on the size of any copy's profit: the largest |c_j| x |bound_j| summed, with
    infinite bounds read as the copy's largest finite limit."""
    a = copies[0]
    finite = np.abs(np.concatenate([a.row_lower, a.row_upper]))
    big = float(np.max(finite[np.isfinite(finite)], initial=1.0))
    bound = np.maximum(
        np.nan_to_num(np.abs(a.lb), posinf=big), np.nan_to_num(np.abs(a.ub), posinf=big)
    )
    return float(np.sum(np.abs(a.c) * np.minimum(bound, big))) + abs(a.c0)


def shortfalls(copies: list[ModelArrays], goal_rows: np.ndarray) -> np.ndarray:
    """``M[s, g]``: goal ``g``'s largest shortfall over copy ``s``'s plans (one LP per copy
    and goal: the least activity of the goal row, every other row kept, the goals left
    out); at least 1."""
    out = np.ones((len(copies), len(goal_rows)))
    for s, a in enumerate(copies):
        free = replace(
            a,
            row_lower=np.where(np.isin(np.arange(a.num_rows), goal_rows), -np.inf, a.row_lower),
            row_upper=np.where(np.isin(np.arange(a.num_rows), goal_rows), np.inf, a.row_upper),
            integer=np.zeros_like(a.integer),
            c_tiebreak=np.zeros_like(a.c),
            c0=0.0,
        )
        for k, g in enumerate(goal_rows):
            row = a.rows == g
            c = np.zeros(a.num_vars)
            np.add.at(c, a.cols[row], a.vals[row])
            least = solve_fresh("highs", replace(free, c=c, sense="min"))
            if least.x is None or least.objective is None:
                raise ValueError(f"no bound on how far a draw can fall short of goal row {g}")
            out[s, k] = max(1.0, float(a.row_lower[g] - least.objective)) * 1.001
    return out
