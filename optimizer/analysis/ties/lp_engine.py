"""Which solver answers a tie stage's LP, and when its answer is good enough to use.

The integer stages use the plan's own backend. The LP stages use it too, except PDLP, whose
first-order answers break the plan's rows by more than the check allows: GLOP answers them
instead (as for PDLP's what-if re-solves). An LP answer is used when it is optimal and

    max over rows of  max(lower - activity, activity - upper) / max(1, |limit|)   and
    max over columns of  max(lb - x, x - ub) / max(1, |x|)

are both at most ``GOOD_TOL``; otherwise ``settle`` solves that stage, and every later LP
stage, with HiGHS, and a note says so.
"""

from __future__ import annotations

import numpy as np

from optimizer.model.linear import ModelArrays
from optimizer.solvers import Backend, SolverOutput, Status

GOOD_TOL = 1e-7
"""A tie stage's LP answer is used when it keeps every row and bound to GOOD_TOL x
max(1, |limit|), a tenth of the plan check's tolerance (measured: GLOP and CBC within
9e-8 on the bundled scenarios); otherwise the stage is solved again with HiGHS."""


def lp_engine(engine: Backend) -> Backend:
    """The backend for the tie stages' LPs: the plan's own, except PDLP, whose first-order
    answers break the plan's rows by more than the check allows: GLOP, as for its
    what-if re-solves."""
    from optimizer.solvers import backend as solver_backend

    return solver_backend("ortools") if engine.name == "pdlp" else engine


def good(result: SolverOutput, a: ModelArrays, tol: float = GOOD_TOL) -> bool:
    """An optimal answer whose plan keeps every row and bound to ``tol`` (relative)."""
    if result.status is not Status.OPTIMAL or result.x is None:
        return False
    x, act = result.x, a.row_activity(result.x)
    lo = np.nan_to_num(a.row_lower, neginf=-1e300, posinf=1e300)
    up = np.nan_to_num(a.row_upper, neginf=-1e300, posinf=1e300)
    scale = np.maximum(
        1.0,
        np.maximum(
            np.abs(np.where(np.isfinite(a.row_lower), lo, 0)),
            np.abs(np.where(np.isfinite(a.row_upper), up, 0)),
        ),
    )
    rows = np.max(np.maximum(lo - act, act - up) / scale, initial=0.0)
    cols = np.max(np.maximum(a.lb - x, x - a.ub) / np.maximum(1.0, np.abs(x)), initial=0.0)
    return max(rows, cols) <= tol
