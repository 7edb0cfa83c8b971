"""HiGHS through highspy: the model is passed as arrays in one call.

Integer models are solved as a MILP; then the integers are fixed at their values and
the LP is re-solved for duals and ranging (a MILP has no duals). A headcount at its
cap keeps its cap row active in that LP, so the cap's shadow price is the value of
one more (fractional) person.

The solver's own model status is read: a wrapper's "Optimal" after a time limit (PuLP
reports one for a CBC run stopped with an incumbent) is the trap this avoids. The caller still checks the plan independently.
"""

from __future__ import annotations

import os
import threading
import time

import numpy as np

from optimizer.model.linear import ModelArrays
from optimizer.solvers import FixedLP, SolverOutput, Status

_banner_lock = threading.Lock()
_banner_shown = False

DEFAULT_THREADS = 1
"""HiGHS threads per process. On these models a second thread buys no wall time (it spins
a core that another worker could use), and the thread count can decide which of several
equally good plans HiGHS returns: one thread makes results the same on every machine."""

OPTIONS = {"mip_heuristic_run_feasibility_jump": False}
"""Set on every solve. Feasibility jump, a primal heuristic, took 3.5 of the 5.8 ms HiGHS
spent on the seed scenario's MILP and found nothing its other heuristics did not (see
benchmarks/RESULTS.md); it only looks for a first plan, so the answer does not change."""

MIP_GAP = 1e-7
"""Relative gap at which a MILP counts as solved. Tight, so that the difference of two
plans (one more whole person) is exact on scenarios of the bundled size, where HiGHS closes
the gap at its first node anyway. A company model with thousands of teams may never reach
it: pass ``{"mip_rel_gap": 1e-3}`` in ``options`` (``--mip-gap`` on the command line)."""

FIXED_LP_OPTIONS = {"simplex_strategy": 4}
"""The LP with the plan's whole numbers fixed is solved by the primal simplex method: every
headcount is held, so much of the LP is degenerate, which the dual simplex method pays for.
On a 1 000-team x 24-month model it took 15.6 s against the dual's 70.5 s (the same optimum);
on the bundled scenarios the two are within noise (0.3 to 3.9 ms)."""

_threads = DEFAULT_THREADS


def threads() -> int:
    """The HiGHS thread count this process solves with (0: HiGHS's own choice)."""
    return _threads


def use_threads(count: int | None) -> None:
    """Solve later models with ``count`` HiGHS threads (None: DEFAULT_THREADS; 0: HiGHS's choice).

    HiGHS sizes its scheduler at the first run in a process and refuses to run a model
    whose ``threads`` option differs, so the scheduler is reset here, between solves; do
    not call this while another thread of the process is solving.
    """
    global _threads
    count = DEFAULT_THREADS if count is None else int(count)
    if count == _threads:
        return
    import highspy

    highspy.Highs.resetGlobalScheduler(True)
    _threads = count


def _new_highs():
    """A silent Highs instance; the first one in a process prints a banner on fd 1."""
    global _banner_shown
    import highspy

    with _banner_lock:
        if _banner_shown:
            h = highspy.Highs()
        else:
            saved = os.dup(1)
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 1)
                h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
            _banner_shown = True
            # HiGHS sizes one scheduler per process at its first run and refuses a model
            # whose ``threads`` differs ("Not Set"): if other code in this process ran
            # HiGHS at its own count first, size it again for ours.
            highspy.Highs.resetGlobalScheduler(True)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", _threads)
    for key, value in OPTIONS.items():
        h.setOptionValue(key, value)
    return h


def fixed_lp_highs():
    """A silent Highs instance for the LP with the integers fixed (``FIXED_LP_OPTIONS``)."""
    h = _new_highs()
    for key, value in FIXED_LP_OPTIONS.items():
        h.setOptionValue(key, value)
    return h


def _csc(a: ModelArrays) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column-wise matrix with duplicate (row, col) entries summed."""
    key = a.cols * max(a.num_rows, 1) + a.rows
    order = np.argsort(key, kind="stable")
    key, vals = key[order], a.vals[order]
    uniq, first = np.unique(key, return_index=True)
    summed = np.add.reduceat(vals, first) if len(vals) else vals
    cols, rows = np.divmod(uniq, max(a.num_rows, 1))
    start = np.searchsorted(cols, np.arange(a.num_vars + 1))
    return start.astype(np.int32), rows.astype(np.int32), summed


def _lp(a: ModelArrays, lb: np.ndarray, ub: np.ndarray, integer: bool):
    import highspy

    lp = highspy.HighsLp()
    lp.num_col_ = a.num_vars
    lp.num_row_ = a.num_rows
    cost = a.solver_cost()
    lp.col_cost_ = -cost if a.sense == "max" else cost
    lp.col_lower_ = lb
    lp.col_upper_ = ub
    lp.row_lower_ = a.row_lower
    lp.row_upper_ = a.row_upper
    start, index, value = _csc(a)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    if integer:
        kinds = [highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger]
        lp.integrality_ = [kinds[i] for i in a.integer.astype(int)]
    return lp


def _status(h) -> tuple[Status, str]:
    import highspy

    ms = h.getModelStatus()
    text = h.modelStatusToString(ms)
    S = highspy.HighsModelStatus
    if ms == S.kOptimal:
        return Status.OPTIMAL, text
    if ms == S.kInfeasible:
        return Status.INFEASIBLE, text
    if ms in (S.kUnbounded, S.kUnboundedOrInfeasible):
        return Status.UNBOUNDED, text
    if ms in (S.kTimeLimit, S.kIterationLimit, S.kInterrupt, S.kSolutionLimit):
        return Status.TIME_LIMIT, text
    return Status.ERROR, text


def _has_solution(h) -> bool:
    return h.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible


def fixed_bounds(a: ModelArrays, x: np.ndarray, tol: float = 1e-6) -> tuple[np.ndarray, np.ndarray]:
    """Bounds that fix each integer at its value, leaving its active one-variable rows in charge.

    A headcount at its cap keeps the cap row active instead of a fixed upper bound, so
    the cap's shadow price says what one more allowed person is worth.
    """
    lb, ub = a.lb.copy(), a.ub.copy()
    ints = np.flatnonzero(a.integer)
    lb[ints] = ub[ints] = np.round(x[ints])
    nnz = np.bincount(a.rows, minlength=a.num_rows)
    single = (nnz[a.rows] == 1) & a.integer[a.cols]
    rows, cols, coef = a.rows[single], a.cols[single], a.vals[single]
    act = coef * np.round(x[cols])
    for limit, at_upper in ((a.row_upper[rows], True), (a.row_lower[rows], False)):
        active = np.isfinite(limit) & (np.abs(act - limit) <= tol * np.maximum(1.0, np.abs(limit)))
        relax_upper = active & ((coef > 0) == at_upper)
        relax_lower = active & ~((coef > 0) == at_upper)
        ub[cols[relax_upper]] = a.ub[cols[relax_upper]]
        lb[cols[relax_lower]] = a.lb[cols[relax_lower]]
    return lb, ub


def solve(
    a: ModelArrays,
    *,
    time_limit: float | None = None,
    ranging: bool = True,
    duals: bool = True,
    options: dict | None = None,
) -> SolverOutput:
    """Solve; with ``duals`` an integer model is re-solved as an LP with its integers fixed.

    ``options`` are HiGHS options for this solve (for example ``{"presolve": "off"}``).
    """
    times = {}
    t0 = time.perf_counter()
    h = _new_highs()
    is_mip = bool(a.integer.any())
    if is_mip:
        h.setOptionValue("mip_rel_gap", MIP_GAP)
    for key, value in (options or {}).items():
        h.setOptionValue(key, value)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    h.passModel(_lp(a, a.lb, a.ub, is_mip))
    times["hand_over"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    h.run()
    times["solve"] = time.perf_counter() - t0
    status, text = _status(h)
    if status is Status.UNBOUNDED and h.getModelStatus().name == "kUnboundedOrInfeasible":
        h.setOptionValue("presolve", "off")
        h.run()
        status, text = _status(h)
    if status is not Status.OPTIMAL:
        out = SolverOutput(status, text, times=times)
        if status is Status.TIME_LIMIT and _has_solution(h):
            out.x = np.array(h.getSolution().col_value)
            out.objective = a.objective(out.x)
            out.mip_gap = h.getInfo().mip_gap if is_mip else None
        return out
    x = np.array(h.getSolution().col_value)
    mip_gap = h.getInfo().mip_gap if is_mip else None
    if is_mip and not duals:
        return SolverOutput(
            Status.OPTIMAL, text, x=x, objective=a.objective(x), mip_gap=mip_gap, times=times
        )
    lb, ub = a.lb, a.ub
    if is_mip:
        t0 = time.perf_counter()
        lb, ub = fixed_bounds(a, x)
        h = fixed_lp_highs()
        h.passModel(_lp(a, lb, ub, False))
        h.run()
        times["fixed_lp"] = time.perf_counter() - t0
        status, text = _status(h)
        if status is not Status.OPTIMAL:
            return SolverOutput(Status.ERROR, f"fixed LP after MILP: {text}", x=x, times=times)
        x = np.array(h.getSolution().col_value)
    sol = h.getSolution()
    flip = -1.0 if a.sense == "max" else 1.0
    out = SolverOutput(
        Status.OPTIMAL,
        text,
        x=x,
        objective=a.objective(x),
        row_shadow=flip * np.array(sol.row_dual),
        col_shadow=flip * np.array(sol.col_dual),
        lp_lb=lb,
        lp_ub=ub,
        mip_gap=mip_gap,
        times=times,
    )
    if ranging:
        t0 = time.perf_counter()
        out.range_up, out.range_down = _row_ranging(h, a)
        times["ranging"] = time.perf_counter() - t0
    out.fixed_lp = HighsFixedLP(h, a, lb, ub)
    return out


class HighsFixedLP(FixedLP):
    def __init__(self, h, a: ModelArrays, lb: np.ndarray, ub: np.ndarray):
        self.h, self.a, self.lb, self.ub = h, a, lb, ub
        self.basis = h.getBasis()

    def _objective(self) -> float | None:
        status, _ = _status(self.h)
        if status is not Status.OPTIMAL:
            return None
        return self.a.objective(np.array(self.h.getSolution().col_value))

    def objective_with(self, rows, cols=None) -> float | None:
        h, a = self.h, self.a
        cols = cols or {}
        for row, (lower, upper) in rows.items():
            h.changeRowBounds(row, lower, upper)
        for col, (lower, upper) in cols.items():
            h.changeColBounds(col, lower, upper)
        h.setBasis(self.basis)
        h.run()
        value = self._objective()
        for row in rows:
            h.changeRowBounds(row, a.row_lower[row], a.row_upper[row])
        for col in cols:
            h.changeColBounds(col, self.lb[col], self.ub[col])
        return value

    def objective_for(self, arrays: ModelArrays) -> float | None:
        h = _new_highs()
        h.passModel(_lp(arrays, self.lb, self.ub, False))
        h.setBasis(self.basis)
        h.run()
        status, _ = _status(h)
        if status is not Status.OPTIMAL:
            return None
        return arrays.objective(np.array(h.getSolution().col_value))


def _row_ranging(h, a: ModelArrays) -> tuple[np.ndarray, np.ndarray]:
    """Allowable increase and decrease of each row's active limit (HiGHS ranging)."""
    status, rng = h.getRanging()
    up = np.full(a.num_rows, np.nan)
    down = np.full(a.num_rows, np.nan)
    if status.name != "kOk":
        return up, down
    act = np.array(h.getSolution().row_value)
    limit = np.where(
        np.isfinite(a.row_upper) & (np.abs(act - a.row_upper) <= np.abs(act - a.row_lower)),
        a.row_upper,
        a.row_lower,
    )
    up = np.array(rng.row_bound_up.value_) - limit
    down = limit - np.array(rng.row_bound_dn.value_)
    return np.maximum(up, 0.0), np.maximum(down, 0.0)


def iis_rows(a: ModelArrays) -> np.ndarray:
    """Rows of an irreducible infeasible subset of the LP relaxation (HiGHS's IIS, two
    strategies tried); empty where HiGHS finds none."""
    h = _new_highs()
    h.passModel(_lp(a, a.lb, a.ub, False))
    h.run()
    for strategy in (6, 2):
        h.setOptionValue("iis_strategy", strategy)
        status, iis = h.getIis()
        rows = np.array(list(iis.row_index_), dtype=int)
        if status.name == "kOk" and iis.valid_ and rows.size:
            return rows
    return np.zeros(0, dtype=int)


def model_text(a: ModelArrays, col_names: list[str], row_names: list[str], fmt: str) -> str:
    """The model as LP or MPS text, written by HiGHS in the model's own sense (the
    objective as stated, not negated), with the names given."""
    import tempfile
    from pathlib import Path

    import highspy

    lp = _lp(a, a.lb, a.ub, bool(a.integer.any()))
    lp.col_cost_ = a.solver_cost()
    lp.sense_ = highspy.ObjSense.kMaximize if a.sense == "max" else highspy.ObjSense.kMinimize
    lp.offset_ = float(a.c0)
    lp.col_names_ = col_names
    lp.row_names_ = row_names
    h = _new_highs()
    h.passModel(lp)
    with tempfile.TemporaryDirectory(prefix="kpi-export-") as tmp:
        path = Path(tmp) / f"model.{fmt}"
        status = h.writeModel(str(path))
        if status.name == "kError" or not path.exists():
            raise RuntimeError(f"HiGHS could not write the model as {fmt}: {status.name}")
        return path.read_text(encoding="utf-8")
