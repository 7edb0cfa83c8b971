"""The leader's fixed LP: the plan's own objective with its headcounts fixed.

For an integer model, once the tie stages have chosen the headcounts, the LP

    optimise  c . x   (the leader's objective, with the model's tie-break costs)
    over the model's rows, every integer column fixed at the plan's whole number

is solved, by the solver boundary's fixed-LP step (``Backend.solve_fixed``, with the
backend's own fixed-LP settings). Its duals, reduced costs and ranging are the plan's shadow
prices, and its optimal face (``face``) is where the LP tie stages choose the continuous
part of the plan.
``fix_headcounts`` does that in the middle of the tie order (and solves each earlier stage
that is not about headcounts again on that face, then holds it); ``primary_duals`` is the
LP alone, for a plan whose headcounts were never fixed during the order.

``Shifted`` moves that LP's what-if answers onto the final plan's objective, which differs
from the LP's own optimum by rounding only.

Tie-break costs (``LinearModel.add_tiebreak``: closest_to_current's 1e-7 per dollar of cost
over a month's budget and bills, about 1e-13 beside deviation weights near 1e-3) are left
out of the LP for a backend in ``FIRST_ORDER`` (``for_engine``): PDLP solves to 1e-11 and
cannot resolve them, and with them it ended NUMERICAL_ERROR (seed company) or at its
iteration limit (software company). Without them it is optimal, and they choose nothing
PDLP could honour anyway: the tie stages choose the plan on the LP's optimal face, which
counts a reduced cost or dual as nonzero only above ``face.FACE_TOL`` (1e-9), and the
reported objective leaves them out. Exact (simplex) backends keep them.

An LP that fails leaves no plan: ``primary_duals`` returns an ``error`` without ``x`` and
with a ``message`` that says why.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from optimizer.analysis.ties.extension import pad
from optimizer.analysis.ties.face import optimal_face
from optimizer.analysis.ties.holding import hold
from optimizer.analysis.ties.stages import HEADCOUNT_ONLY
from optimizer.model.linear import ModelArrays
from optimizer.solvers import FixedLP, SolverOutput, Status
from optimizer.solvers.twostage import fixed_bounds

FIRST_ORDER = ("pdlp",)
"""Backends whose LP is solved by a first-order method to a tolerance (PDLP: 1e-11, then
1e-9) far above the model's tie-break costs: their fixed LP is solved without them."""


def for_engine(arrays: ModelArrays, engine) -> ModelArrays:
    """``arrays`` as ``engine``'s fixed LP gets them: without tie-break costs on a
    first-order backend (see the module's docstring), else unchanged."""
    if engine.name in FIRST_ORDER and np.any(arrays.c_tiebreak):
        return replace(arrays, c_tiebreak=np.zeros_like(arrays.c_tiebreak))
    return arrays


class Shifted(FixedLP):
    """The primary fixed LP, its answers moved onto the final plan's objective.

    The final plan lies on the fixed LP's optimal face, so the shift is the objective's
    rounding; a difference quotient compares the moved LP with the same LP unmoved.
    """

    def __init__(self, inner: FixedLP, shift: float):
        self.inner, self.shift = inner, shift

    def objective_with(self, rows, cols=None):
        value = self.inner.objective_with(rows, cols)
        return None if value is None else value + self.shift

    def objective_for(self, arrays):
        value = self.inner.objective_for(arrays)
        return None if value is None else value + self.shift


def headcount_bounds(arrays: ModelArrays, x: np.ndarray):
    """The original columns' bounds with every headcount fixed at its whole number."""
    ints = np.flatnonzero(arrays.integer)
    lb, ub = arrays.lb.copy(), arrays.ub.copy()
    lb[ints] = ub[ints] = np.round(x[ints])
    return lb, ub


def fix_headcounts(arrays, x_ext, out, engine, ranging, times, ext, done, run):
    """Fix the headcounts on the leader's optimal face; hold earlier stages anew.

    The leader's fixed LP is solved (its duals are the plan's); the extension's base
    becomes that LP's optimal face, and each earlier stage whose measure is not fixed with
    the headcounts is solved again on it and held. Returns (the leader's fixed LP output,
    held rows, plan, why it failed or "").
    """
    n = arrays.num_vars
    lp_out, lp = primary_duals(arrays, x_ext[:n], out, engine, ranging, times)
    if lp_out.status is not Status.OPTIMAL:
        return None, [], x_ext, lp_out.solver_status
    ext.base = optimal_face(arrays, lp, *headcount_bounds(arrays, x_ext))
    held = []
    x_ext = np.concatenate([lp.x, x_ext[n:]])
    for name, cost in done:
        if name in HEADCOUNT_ONLY:
            continue
        result = run(cost, held, False)
        if result.status is not Status.OPTIMAL or result.x is None:
            return lp, held, x_ext, f"the solver answered {result.solver_status}"
        x_ext = result.x
        held.append(hold(pad(cost, len(x_ext)), x_ext, None))
    return lp, held, x_ext, ""


def primary_duals(arrays, x, out, engine, ranging, times) -> tuple[SolverOutput, SolverOutput]:
    """The LP of the leader's objective with the plan's headcounts fixed (for the duals):
    ``engine.solve_fixed`` at ``fixed_bounds(arrays, x)``."""
    lb, ub = fixed_bounds(arrays, x)
    t0 = time.perf_counter()
    lp = engine.solve_fixed(for_engine(arrays, engine), lb, ub, ranging=ranging)
    times["fixed_lp"] = time.perf_counter() - t0
    if "ranging" in lp.times:
        times["ranging"] = lp.times["ranging"]
    if lp.status is not Status.OPTIMAL:
        failed = f"fixed LP after the tie stages: {lp.solver_status}"
        why = (
            f"the plan's whole numbers were found ({out.solver_status}), but the LP with them "
            f"fixed, which gives its shadow prices, could not be solved ({lp.solver_status}"
            + (f": {lp.message}" if lp.message else "")
            + "); no plan is presented"
        )
        return SolverOutput(Status.ERROR, failed, message=why, times=times), lp
    return lp, lp
