"""Keeping what is settled: the row that holds a stage's optimum in every later stage.

A finished measure ``cost . x`` with optimum z is held by the row

    cost . x <= z + (gap + HOLD_TOL) x max(1, |z|) + HOLD_ABS,

gap the MIP gap the solver proved (0 for an LP). In the integer stages the leader's
objective is held the same way. The LP stages need no such row for the objective: they run
on the leader's optimal face (``face``), where every point has the optimal objective.
"""

from __future__ import annotations

import numpy as np

HOLD_TOL = 1e-7
"""Relative slack on each held measure, over the MIP gap proven: far below what a leader
reads ($0.0035 on the seed's $35,400, $1.46 on the subscription company's $14.6 million
objective), above the solvers' rounding: at 1e-9 and 1e-8 CBC's integer tie stages could not
hold that $14.6 million to it and answered 'integer infeasible'."""

HOLD_ABS = 1e-6
"""Absolute slack on each held measure: what rounding a headcount of 18.9999999 to 19
moves it by (a solver's integrality tolerance times the model's coefficients)."""


def hold(cost: np.ndarray, x: np.ndarray, gap: float | None) -> tuple:
    """The row ``cost . x <= best + tol`` that keeps a stage's optimum."""
    cols = np.flatnonzero(cost)
    z = float(cost[cols] @ x[cols])
    return cols, cost[cols], z + slack(z, gap)


def slack(z: float, gap: float | None) -> float:
    """How far a held measure with optimum ``z`` may rise: the gap proven, and rounding."""
    return ((gap or 0.0) + HOLD_TOL) * max(1.0, abs(z)) + HOLD_ABS
