"""HiGHS through highspy: an engine of the two-stage solve (``optimizer.solvers.twostage``).

The model is passed as arrays in one call (``_lp``). HiGHS is the engine with every
capability: ranging of each row's limit (``row_ranging``), the LP with the whole numbers
fixed solved by the primal simplex (``FIXED_LP_OPTIONS``) and kept warm for what-ifs
(:class:`HighsFixedLP`: changeRowBounds and the last basis on the same Highs), a model held
in place between what-ifs (:class:`HeldModel`), and an IIS (``iis_rows``). HiGHS's duals
are the change of its minimised objective; a max model is passed negated, so they are
negated back into the product's convention.

The solver's own model status is read: a wrapper's "Optimal" after a time limit (PuLP
reports one for a CBC run stopped with an incumbent) is the trap this avoids; "unbounded or
infeasible" from presolve is solved again without presolve. The caller still checks the
plan independently.
"""

from __future__ import annotations

import math
import os
import threading
import time

import numpy as np

from optimizer.model.linear import ModelArrays
from optimizer.solvers import GAP_POLICY, FixedLP, SolverOutput, Status, default_gap, twostage
from optimizer.solvers.twostage import Raw
from optimizer.solvers.twostage import fixed_bounds as fixed_bounds  # tests import it here

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

MIP_GAP = GAP_POLICY[0].gap
"""Relative gap at which a MILP of the bundled size counts as solved (1e-7): the first step
of the default policy by model size, ``optimizer.solvers.GAP_POLICY`` (``mip_gap``), which
gives larger models a looser gap. ``{"mip_rel_gap": g}`` in ``options`` (``--mip-gap`` on
the command line) overrides it."""


def mip_gap(a: ModelArrays) -> float:
    """The relative gap ``a`` is solved to by default (``GAP_POLICY``, by its whole-number
    decisions: a staffing choice counts once a month, not once per roster)."""
    count = a.decisions if a.decisions is not None else int(np.count_nonzero(a.integer))
    return default_gap(count)


FIXED_LP_OPTIONS = {"simplex_strategy": 4}
"""The LP with the plan's whole numbers fixed is solved by the primal simplex method: every
headcount is held, so much of the LP is degenerate, which the dual simplex method pays for.
On a 1 000-team x 24-month model it took 15.6 s against the dual's 70.5 s (the same optimum);
on the bundled scenarios the two are within noise (0.3 to 3.9 ms).

Starting it from the plan's integer solution did not pay (issue #14, measured on that model
at a 1e-3 gap in one session, cold primal 15.3 s, 47 314 iterations after presolve cut it to
43 189 rows x 91 453 columns): ``setSolution`` with the plan's values makes HiGHS build a
basis from them and skip presolve (35.9 s, 87 928 iterations); a basis built from the plan
(its interior columns basic, each matched to an active row) 66 s, 112 482 iterations, and
even one that reproduces the plan's point exactly (a perfect matching, the 32 columns left
over held at their values) needs 36 861 iterations (14.9 s) to become dual feasible: the
cost is the LP's degeneracy at the optimum, not the distance from the plan;
``crossover`` from the plan's point crashes highspy 1.16 (a segmentation fault, on the seed
scenario too); IPM with crossover 77 s; the dual simplex 52 s; primal pricing, scaling and
crash options no faster (Dantzig pricing 17.9 s, with 53 different duals). The plan's
values are degenerate (45 456 interior columns and 25 825 slack rows for 120 769 basic
positions), so a point is far from a basis here."""

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


def _highs(a: ModelArrays, lb, ub, integer: bool, options: dict | None = None):
    """A silent Highs holding ``a`` within ``lb``, ``ub`` (a MILP at the policy's gap,
    ``mip_gap(a)``, if ``integer``), with ``options`` set after the product's own."""
    h = _new_highs()
    if integer:
        h.setOptionValue("mip_rel_gap", mip_gap(a))
    for key, value in (options or {}).items():
        h.setOptionValue(key, value)
    h.passModel(_lp(a, lb, ub, integer))
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


def _run(h, times: dict[str, float]) -> None:
    """Run ``h`` (``times["solve"]``); an "unbounded or infeasible" from presolve is run
    again without presolve, which is switched back on after (a held model's next solves)."""
    t0 = time.perf_counter()
    h.run()
    times["solve"] = time.perf_counter() - t0
    import highspy

    if h.getModelStatus() == highspy.HighsModelStatus.kUnboundedOrInfeasible:
        h.setOptionValue("presolve", "off")
        h.run()
        h.setOptionValue("presolve", "choose")


def _read(h, a: ModelArrays, is_mip: bool, duals: bool, times: dict[str, float]) -> Raw:
    """What ``h`` solved: status, values (also at a limit, if it has some), duals if asked."""
    status, text = _status(h)
    raw = Raw(status, text, times=times, held=h)
    if status is Status.OPTIMAL or (status is Status.TIME_LIMIT and _has_solution(h)):
        sol = h.getSolution()
        raw.x = np.array(sol.col_value)
        if is_mip:
            info = h.getInfo()
            raw.gap, raw.bound = info.mip_gap, _bound(a, raw.x, info)
        if status is Status.OPTIMAL and duals and not is_mip:
            flip = -1.0 if a.sense == "max" else 1.0
            raw.row_dual = flip * np.array(sol.row_dual)
            raw.col_dual = flip * np.array(sol.col_dual)
    return raw


def _bound(a: ModelArrays, x: np.ndarray, info) -> float | None:
    """HiGHS's best bound on a MILP's objective, in the product's sense and units: the plan's
    own objective moved by the solver's proven distance (so any constant term stays)."""
    bound, value = info.mip_dual_bound, info.objective_function_value
    if not (math.isfinite(bound) and math.isfinite(value)):
        return None
    distance = value - bound  # >= 0: HiGHS minimises (a max model is passed negated)
    return a.objective(x) + (distance if a.sense == "max" else -distance)


def solve(
    a: ModelArrays,
    *,
    time_limit: float | None = None,
    ranging: bool = True,
    duals: bool = True,
    options: dict | None = None,
    polish: bool = False,
) -> SolverOutput:
    """``twostage.solve`` on HiGHS (:class:`HighsEngine`).

    ``options`` are HiGHS options for the model's solve (for example ``{"presolve":
    "off"}``); the fixed LP has ``FIXED_LP_OPTIONS``. An LP's duals, ranging and warm
    ``FixedLP`` come with its solve, asked for or not.
    """
    duals = duals or not a.integer.any()
    return twostage.solve(
        HighsEngine(options), a, time_limit=time_limit, ranging=ranging, duals=duals,
        polish=polish,
    )  # fmt: skip


class HighsEngine(twostage.Engine):
    """HiGHS in the two-stage solve: each call on a new Highs, the fixed LP by the primal
    simplex, ranging, and the solved LP kept warm for what-ifs (:class:`HighsFixedLP`)."""

    name = "highs"
    ranging = True
    clean_duals = False  # simplex duals, taken as they are

    def __init__(self, options: dict | None = None):
        self.options = options or {}

    def _new(self, a: ModelArrays, lb, ub, integer: bool, time_limit, duals: bool) -> Raw:
        t0 = time.perf_counter()
        h = _highs(a, lb, ub, integer, self.options)
        if time_limit is not None:
            h.setOptionValue("time_limit", float(time_limit))
        times = {"hand_over": time.perf_counter() - t0}
        _run(h, times)
        return _read(h, a, integer, duals, times)

    def mip(self, a: ModelArrays, time_limit: float | None) -> Raw:
        return self._new(a, a.lb, a.ub, True, time_limit, False)

    def lp(self, a: ModelArrays, lb, ub, time_limit: float | None = None, duals=True) -> Raw:
        return self._new(a, lb, ub, False, time_limit, duals)

    def settle(self, a: ModelArrays, is_mip: bool, raw: Raw) -> Raw:
        return raw  # HiGHS's answer, "unbounded or infeasible" already run without presolve

    def fixed(self, a: ModelArrays, lb: np.ndarray, ub: np.ndarray) -> Raw:
        """The fixed LP (step 2, ``twostage.solve_fixed``) on a new Highs, by the primal
        simplex (``FIXED_LP_OPTIONS``), with its duals."""
        h = _highs(a, lb, ub, False, FIXED_LP_OPTIONS)
        h.run()
        return _read(h, a, False, True, {})

    def row_ranging(self, lp: Raw, a: ModelArrays) -> tuple[np.ndarray, np.ndarray]:
        return _row_ranging(lp.held, a)

    def col_ranging(self, lp: Raw, a: ModelArrays) -> tuple[np.ndarray, np.ndarray]:
        return _col_ranging(lp.held, a)

    def fixed_lp(self, lp: Raw, a: ModelArrays, lb, ub, objective: float) -> HighsFixedLP:
        return HighsFixedLP(lp.held, a, lb, ub)


class HeldModel(HighsEngine):
    """One model held in one Highs, changed in place (``load``) and solved again there: the
    engine of a HiGHS session (``optimizer.solvers.session.HighsSession``).

    An LP restarts from its last basis and is its own fixed LP; a MILP's search starts
    afresh, and its fixed LP is solved cold on a new Highs, as in every solve: when that LP
    has several optimal vertices (months that could swap leads), a warm start could land on
    another one, and the plan would differ from a fresh solve's for no reason the user sees.
    """

    def __init__(self, a: ModelArrays):
        super().__init__()
        self.is_mip = bool(a.integer.any())
        n = max(a.num_rows, 1)
        unique, self.entry = np.unique(a.cols * n + a.rows, return_inverse=True)
        self.ucols, self.urows = np.divmod(unique, n)
        self.h = _highs(a, a.lb, a.ub, self.is_mip)
        self.loaded, self.coef = a, self._summed(a)

    def _summed(self, a: ModelArrays) -> np.ndarray:
        return np.bincount(self.entry, weights=a.vals, minlength=len(self.ucols))

    def load(self, new: ModelArrays) -> None:
        """Change the held model's numbers to ``new``'s (same shape), only where they differ."""
        h, old = self.h, self.loaded
        flip = -1.0 if new.sense == "max" else 1.0
        cost = new.solver_cost()
        idx = np.flatnonzero(cost != old.solver_cost())
        if len(idx):
            h.changeColsCost(len(idx), idx.astype(np.int32), flip * cost[idx])
        idx = np.flatnonzero((new.lb != old.lb) | (new.ub != old.ub))
        if len(idx):
            h.changeColsBounds(len(idx), idx.astype(np.int32), new.lb[idx], new.ub[idx])
        idx = np.flatnonzero((new.row_lower != old.row_lower) | (new.row_upper != old.row_upper))
        if len(idx):
            lower, upper = new.row_lower[idx], new.row_upper[idx]
            h.changeRowsBounds(len(idx), idx.astype(np.int32), lower, upper)
        coef = self._summed(new)
        for k in np.flatnonzero(coef != self.coef):  # the entries the move touched: few
            h.changeCoeff(int(self.urows[k]), int(self.ucols[k]), float(coef[k]))
        self.loaded, self.coef = new, coef

    def first(self, a: ModelArrays, time_limit: float | None, duals: bool) -> Raw:
        """The held model (``a`` is ``loaded``), solved again where it stands."""
        if self.is_mip:
            self.h.clearSolver()
        limit = math.inf if time_limit is None else max(0.0, time_limit)
        self.h.setOptionValue("time_limit", limit)
        times = {}
        _run(self.h, times)
        return _read(self.h, a, self.is_mip, duals, times)


class HighsFixedLP(FixedLP):
    """The solved LP kept in its Highs: a what-if moves its limits in place and re-solves
    from the solved basis (``objective_with``), then puts them back."""

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
        h = _highs(arrays, self.lb, self.ub, False)
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


RANGE_INF = 1e20
"""HiGHS reports an unlimited range as its infinity (1e30); anything above this is none."""


def _col_ranging(h, a: ModelArrays) -> tuple[np.ndarray, np.ndarray]:
    """Allowable increase and decrease of each column's objective coefficient, in the
    model's own sense, with the basis kept (HiGHS's cost ranging).

    HiGHS minimises; a max model is passed with its costs negated, so HiGHS's range
    [dn, up] of the cost -c_j is the range [-up, -dn] of c_j: its increase is the room
    below the HiGHS cost, its decrease the room above."""
    up = np.full(a.num_vars, np.nan)
    down = np.full(a.num_vars, np.nan)
    status, rng = h.getRanging()
    if status.name != "kOk":
        return up, down
    n = a.num_vars  # HiGHS pads its column ranges to columns + rows
    cost = np.array(h.getLp().col_cost_)[:n]
    hi = np.array(rng.col_cost_up.value_, dtype=float)[:n]
    lo = np.array(rng.col_cost_dn.value_, dtype=float)[:n]
    room_up = np.where(np.abs(hi) >= RANGE_INF, np.inf, hi - cost)
    room_down = np.where(np.abs(lo) >= RANGE_INF, np.inf, cost - lo)
    if a.sense == "max":
        room_up, room_down = room_down, room_up
    return np.maximum(room_up, 0.0), np.maximum(room_down, 0.0)


def iis_rows(a: ModelArrays, time_limit: float | None = None) -> np.ndarray:
    """Rows of an irreducible infeasible subset of the LP relaxation (HiGHS's IIS, two
    strategies tried); empty where HiGHS finds none in time.

    Strategy 6 (the elastic LP, then HiGHS's own reduction to an irreducible set) comes
    first; its reduction can run for minutes on a large model (20 s on a 120-month
    company), so with ``time_limit`` it gets half of the seconds (``iis_time_limit``,
    which HiGHS honours; ``time_limit`` does not stop ``getIis``) and strategy 2 (the
    elastic LP alone, reducible, 1.7 s there) the rest. The caller's deletion filter makes
    a reducible set irreducible."""
    h = _highs(a, a.lb, a.ub, False)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    start = time.monotonic()
    h.run()
    for strategy, share in ((6, 0.5), (2, 1.0)):
        h.setOptionValue("iis_strategy", strategy)
        if time_limit is not None:
            left = time_limit - (time.monotonic() - start)
            if left <= 0:
                break
            h.setOptionValue("iis_time_limit", max(0.05, left * share))
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
