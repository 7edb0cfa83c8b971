"""The one solve every backend makes: the model, then the LP with its whole numbers fixed.

For the model  opt c.x  subject to  L <= A x <= U,  l <= x <= u,  x_j whole for j in I:

1. the model as given is solved (a MILP, or the LP itself);
2. for an integer model with duals asked, the whole numbers are fixed at the plan's values
   (``fixed_bounds``: x_j = round(x*_j) for j in I, except that a headcount at its cap keeps
   its cap row active, so the cap's price is the value of one more allowed person) and the
   LP is solved again: a MILP has no duals, this LP does;
3. from that LP: the row duals y_i = d(objective)/d(limit_i) and the column duals (reduced
   costs) per unit of a variable's active bound, both in the product's convention (the
   objective's change, in its own sense, max or min, per unit increase), the row ranging where
   the backend has it (NaN elsewhere, ``None`` on HiGHS when not asked), and a ``FixedLP``
   that re-solves it with limits moved, for one-sided prices and marginal values.

Steps 2 and 3 alone are :func:`solve_fixed` (``Backend.solve_fixed``): the LP with whole
numbers the caller has chosen fixed at given bounds, on the engine's own fixed LP, with the
same duals, ranging and ``FixedLP``; the analysis uses it for the plan the tie order chose
(``optimizer.analysis.ties``) and for pricing one backend's plan on another
(``optimizer.analysis.crosscheck``).

Without duals an integer model stops after step 1; with ``polish`` (the cold sessions'
solves, ``optimizer.solvers.session``) its values are replaced by the fixed LP's when they
break a row by more than ``POLISH_TOL``, keeping the headcounts. A plan that is not optimal
keeps its values only when a limit stopped the solver with one in hand (``time_limit``); a
fixed LP that fails is an ``error`` that names it ("fixed LP after MILP: ...").

An :class:`Engine` supplies what differs between backends: its two solver calls (``mip``,
``lp``, returning a :class:`Raw` in the product's convention), its fixed LP (``fixed``:
HiGHS's uses the primal simplex), how a claim of "unbounded" is settled (``settle``: by
default the model is solved without its objective; HiGHS re-solves without presolve),
whether duals are cleaned by complementary slackness (``clean_duals``: a first-order LP such
as PDLP leaves duals of the order of its tolerance on inactive rows; CBC's and GLOP's are
cleaned too, HiGHS's taken as they are), ranging (``row_ranging``), and the ``FixedLP``
(HiGHS keeps its solved LP warm; the others re-solve cold, see :class:`ResolvingFixedLP`).
CBC's and MathOpt's engines keep one solver model per model shape for all of these calls
(the MILP, the fixed LP, "unbounded" settled, polish, re-solves), changed in place
(``optimizer.solvers.held``).
A model held between what-ifs (``highs.HeldModel``) supplies its own step 1 (``first``): the
held model solved again where it stands. Which backend has what is in ``solvers.REGISTRY``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from optimizer.model.linear import ModelArrays
from optimizer.solvers import FixedLP, SolverOutput, Status

ACTIVE_TOL = 1e-6
"""A row is active when its activity is within ACTIVE_TOL * max(1, |limit|) of the limit."""

POLISH_TOL = 1e-9
"""A whole-number plan whose values break a row by more than this (relative to
max(1, |limit|)) is polished when ``polish`` is asked: CBC reads an integer model's values
from its text solution (8 significant digits), which broke the seed company's $40,000 ad
spend identity by $0.0002, more than the independent check allows."""


@dataclass
class Raw:
    """One solver run: status, the solver's own words, and the numbers if there are any."""

    status: Status
    text: str
    x: np.ndarray | None = None
    row_dual: np.ndarray | None = None  # product convention, one per model row
    col_dual: np.ndarray | None = None
    gap: float | None = None
    bound: float | None = None  # a MILP's best proven bound on the objective (product sense)
    message: str = ""
    times: dict[str, float] = field(default_factory=dict)
    held: object = None  # the engine's solved model (HiGHS: its Highs), for ranging and FixedLP


class Engine:
    """What a backend supplies to :func:`solve`; see the module docstring."""

    name = ""
    ranging = False  # ``row_ranging`` gives each row's allowable increase and decrease
    clean_duals = True  # zero the duals of inactive rows (``clean_duals``)
    resolver: Engine | None = None  # the engine of what-if re-solves (None: this one)

    def mip(self, a: ModelArrays, time_limit: float | None) -> Raw:
        raise NotImplementedError

    def lp(self, a: ModelArrays, lb, ub, time_limit: float | None = None, duals=True) -> Raw:
        raise NotImplementedError

    def first(self, a: ModelArrays, time_limit: float | None, duals: bool) -> Raw:
        """Step 1: the model as given, timed (``times["solve"]``), "unbounded" settled."""
        is_mip = bool(a.integer.any())
        t0 = time.perf_counter()
        raw = self.mip(a, time_limit) if is_mip else self.lp(a, a.lb, a.ub, time_limit, duals)
        raw.times = {"solve": time.perf_counter() - t0, **raw.times}
        return self.settle(a, is_mip, raw)

    def fixed(self, a: ModelArrays, lb: np.ndarray, ub: np.ndarray) -> Raw:
        """Step 2: the LP over ``a``'s rows within ``lb``, ``ub``, with its duals, solved
        with the engine's fixed-LP settings (by default its ``lp``)."""
        return self.lp(a, lb, ub, None, True)

    def settle(self, a: ModelArrays, is_mip: bool, raw: Raw) -> Raw:
        """'Unbounded' is believed only if the model without its objective has a solution."""
        if raw.status is not Status.UNBOUNDED:
            return raw
        plain = replace(a, c=np.zeros_like(a.c), c_tiebreak=np.zeros_like(a.c))
        check = self.mip(plain, None) if is_mip else self.lp(plain, a.lb, a.ub, None, False)
        if check.status is Status.OPTIMAL:
            return raw
        # without an objective nothing is unbounded: "infeasible or unbounded" is infeasible
        none = check.status in (Status.INFEASIBLE, Status.UNBOUNDED)
        status = Status.INFEASIBLE if none else Status.ERROR
        return Raw(status, f"{raw.text}; without the objective: {check.text}", times=raw.times)

    def row_ranging(self, lp: Raw, a: ModelArrays) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError  # only with ``ranging``

    def col_ranging(self, lp: Raw, a: ModelArrays) -> tuple[np.ndarray, np.ndarray]:
        """Allowable increase and decrease of each column's objective coefficient (in the
        model's own sense) with the LP's basis kept; only with ``ranging``."""
        raise NotImplementedError

    def fixed_lp(
        self, lp: Raw, a: ModelArrays, lb: np.ndarray, ub: np.ndarray, objective: float
    ) -> FixedLP:
        """Step 3's what-if re-solves: cold, by this engine or its ``resolver``."""
        resolver = self.resolver or self
        return ResolvingFixedLP(resolver, a, lb, ub, objective, same_engine=resolver is self)


def solve(
    engine: Engine,
    a: ModelArrays,
    *,
    time_limit: float | None = None,
    ranging: bool = True,
    duals: bool = True,
    polish: bool = False,
) -> SolverOutput:
    """The model on ``engine``, then its fixed LP for duals; see the module docstring."""
    is_mip = bool(a.integer.any())
    first = engine.first(a, time_limit, duals)
    times = dict(first.times)
    if first.status is not Status.OPTIMAL:
        out = SolverOutput(first.status, first.text, message=first.message, times=times)
        if first.status is Status.TIME_LIMIT and first.x is not None:
            out.x, out.objective, out.mip_gap = first.x, a.objective(first.x), first.gap
            out.mip_bound = first.bound
        return out
    x = first.x
    if not duals:
        if is_mip and polish:
            x = _polished(engine, a, x, time_limit, times)
        return SolverOutput(
            Status.OPTIMAL, first.text, x=x, objective=a.objective(x), mip_gap=first.gap,
            mip_bound=first.bound, times=times,
        )  # fmt: skip
    if not is_mip:  # the LP is its own fixed LP
        return _with_duals(engine, a, first, a.lb, a.ub, ranging, times, first.text, first.gap)
    t0 = time.perf_counter()
    lb, ub = fixed_bounds(a, x)
    lp = engine.fixed(a, lb, ub)
    times["fixed_lp"] = time.perf_counter() - t0
    if lp.status is not Status.OPTIMAL:
        return SolverOutput(
            Status.ERROR, f"fixed LP after MILP: {lp.text}", x=x, message=lp.message,
            times=times,
        )  # fmt: skip
    out = _with_duals(engine, a, lp, lb, ub, ranging, times, first.text, first.gap)
    out.mip_bound = first.bound
    return out


FIXED_SETTINGS = ("fixed", "model")
"""How :func:`solve_fixed` solves its LP: ``"fixed"``, with the engine's fixed-LP settings
(``Engine.fixed``, step 2 of :func:`solve`); ``"model"``, as the engine solves an LP model
(step 1 on the LP: ``Engine.lp`` with its default settings, "unbounded" settled)."""


def solve_fixed(
    engine: Engine,
    a: ModelArrays,
    lb: np.ndarray,
    ub: np.ndarray,
    *,
    ranging: bool = True,
    settings: str = "fixed",
) -> SolverOutput:
    """Steps 2 and 3 alone: the LP over ``a``'s rows and costs with the columns within
    ``lb``, ``ub`` (the caller's whole numbers fixed there, e.g. by ``fixed_bounds``).

    With ``settings="fixed"`` it is solved by the engine's own fixed LP (``Engine.fixed``:
    HiGHS's primal simplex, the others' default LP), as step 2 of :func:`solve`; with
    ``"model"`` as an LP model (:func:`solve` on it: HiGHS's default, the dual simplex).
    ``a``'s integer flags are not read. Returns the LP's values and objective, its row and
    column duals in the product's convention (cleaned by complementary slackness where the
    engine asks), ranging where the engine has it and ``ranging`` is asked (NaN on an engine
    without it), ``lp_lb``, ``lp_ub`` = ``lb``, ``ub``, and its ``FixedLP`` for what-ifs. An
    LP that is not optimal gives its own status and words (``solver_status``), no plan.
    """
    if settings not in FIXED_SETTINGS:
        raise ValueError(f"unknown fixed-LP settings {settings!r}: expected fixed or model")
    if settings == "model":
        lp_model = replace(a, lb=lb, ub=ub, integer=np.zeros_like(a.integer))
        return solve(engine, lp_model, ranging=ranging, duals=True)
    t0 = time.perf_counter()
    lp = engine.fixed(a, lb, ub)
    times = {"fixed_lp": time.perf_counter() - t0}
    if lp.status is not Status.OPTIMAL:
        return SolverOutput(lp.status, lp.text, message=lp.message, times=times)
    return _with_duals(engine, a, lp, lb, ub, ranging, times, lp.text, None)


def _with_duals(
    engine: Engine, a: ModelArrays, lp: Raw, lb, ub, ranging: bool, times, text, gap
) -> SolverOutput:
    """Step 3: the output of the solved LP ``lp`` (bounds ``lb``, ``ub``): its values, duals,
    ranging and ``FixedLP``; ``text`` and ``gap`` are the model's solve's."""
    x = lp.x
    row_dual = clean_duals(a, x, lp.row_dual) if engine.clean_duals else lp.row_dual
    out = SolverOutput(
        Status.OPTIMAL, text, x=x, objective=a.objective(x), row_shadow=row_dual,
        col_shadow=lp.col_dual, lp_lb=lb, lp_ub=ub, mip_gap=gap, times=times,
    )  # fmt: skip
    if not engine.ranging:
        out.range_up, out.range_down = np.full(a.num_rows, np.nan), np.full(a.num_rows, np.nan)
        out.cost_up, out.cost_down = np.full(a.num_vars, np.nan), np.full(a.num_vars, np.nan)
    elif ranging:
        t0 = time.perf_counter()
        out.range_up, out.range_down = engine.row_ranging(lp, a)
        out.cost_up, out.cost_down = engine.col_ranging(lp, a)
        times["ranging"] = time.perf_counter() - t0
    out.fixed_lp = engine.fixed_lp(lp, a, lb, ub, out.objective)
    return out


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


def _polished(engine: Engine, a: ModelArrays, x: np.ndarray, time_limit, times) -> np.ndarray:
    """``x``, or the fixed LP's values at its headcounts if those break the rows less."""
    if worst_break(a, x) <= POLISH_TOL:
        return x
    t0 = time.perf_counter()
    lp = engine.lp(a, *fixed_bounds(a, x), time_limit, False)
    times["polish"] = time.perf_counter() - t0
    better = lp.status is Status.OPTIMAL and worst_break(a, lp.x) < worst_break(a, x)
    return lp.x if better else x


def worst_break(a: ModelArrays, x: np.ndarray) -> float:
    """The largest amount by which ``x`` breaks a row, relative to max(1, |limit|)."""
    act = a.row_activity(x)
    with np.errstate(invalid="ignore"):
        over = np.maximum(np.nan_to_num(a.row_lower - act, nan=0.0), 0.0)
        over = np.maximum(over, np.nan_to_num(act - a.row_upper, nan=0.0))
    limit = np.where(np.isfinite(a.row_upper), a.row_upper, a.row_lower)
    scale = np.maximum(1.0, np.abs(np.nan_to_num(limit, posinf=0.0, neginf=0.0)))
    return float(np.max(over / scale, initial=0.0))


def clean_duals(a: ModelArrays, x: np.ndarray, row_dual: np.ndarray) -> np.ndarray:
    """Zero the dual of every row that is not active (complementary slackness).

    Exact simplex solvers already return zeros there; a first-order method (PDLP) returns
    values of the order of its tolerance. An equality row is always active: PDLP's activity
    of a $1M revenue identity can miss it by more than ACTIVE_TOL, and its dual (1) is kept.
    """
    act = a.row_activity(x)
    scale_lo = ACTIVE_TOL * np.maximum(1.0, np.abs(np.nan_to_num(a.row_lower, posinf=0, neginf=0)))
    scale_up = ACTIVE_TOL * np.maximum(1.0, np.abs(np.nan_to_num(a.row_upper, posinf=0, neginf=0)))
    active = (np.abs(act - a.row_lower) <= scale_lo) | (np.abs(act - a.row_upper) <= scale_up)
    active |= a.row_lower == a.row_upper
    return np.where(active, row_dual, 0.0)


class ResolvingFixedLP(FixedLP):
    """What-if re-solves of the fixed LP, each one a cold solve by ``engine.lp``.

    CBC and MathOpt do not build their model again for these: the engine solves on the
    model it holds for the LP's shape (``optimizer.solvers.held``), with only the moved
    limits, bounds or numbers changed, and gives what a fresh build would.
    ``engine`` is the backend's own engine, or the one it names as its ``resolver`` (PDLP
    re-solves with GLOP: a cold PDLP solve costs up to a second, and a plan needs one per
    binding limit). A resolver other than the engine that solved the plan is measured
    against its own solve of the unmoved LP, so a difference quotient compares like with
    like: ``objective + (resolver's moved - resolver's unmoved)``.
    """

    def __init__(
        self,
        engine: Engine,
        a: ModelArrays,
        lb: np.ndarray,
        ub: np.ndarray,
        objective: float | None = None,
        same_engine: bool = True,
    ):
        self.engine, self.a, self.lb, self.ub = engine, a, lb, ub
        self.objective, self.same_engine = objective, same_engine
        self._offset: float | None = 0.0 if same_engine or objective is None else None

    def _raw_objective(self, arrays, lb, ub) -> float | None:
        raw = self.engine.lp(arrays, lb, ub, None, False)
        if raw.status is not Status.OPTIMAL:
            return None
        return arrays.objective(raw.x)

    def _objective(self, arrays: ModelArrays, lb: np.ndarray, ub: np.ndarray) -> float | None:
        if self._offset is None:
            base = self._raw_objective(self.a, self.lb, self.ub)
            self._offset = 0.0 if base is None else self.objective - base
        value = self._raw_objective(arrays, lb, ub)
        return None if value is None else value + self._offset

    def objective_with(self, rows, cols=None) -> float | None:
        lower, upper = self.a.row_lower.copy(), self.a.row_upper.copy()
        for row, (lo, up) in rows.items():
            lower[row], upper[row] = lo, up
        lb, ub = self.lb.copy(), self.ub.copy()
        for col, (lo, up) in (cols or {}).items():
            lb[col], ub[col] = lo, up
        return self._objective(replace(self.a, row_lower=lower, row_upper=upper), lb, ub)

    def objective_for(self, arrays: ModelArrays) -> float | None:
        return self._objective(arrays, self.lb, self.ub)


def merged_coo(a: ModelArrays) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, cols, vals) with duplicate entries summed and zeros dropped, sorted by row."""
    key = a.rows * max(a.num_vars, 1) + a.cols
    uniq, inverse = np.unique(key, return_inverse=True)
    vals = np.zeros(len(uniq))
    np.add.at(vals, inverse, a.vals)
    rows, cols = np.divmod(uniq, max(a.num_vars, 1))
    keep = vals != 0.0
    return rows[keep], cols[keep], vals[keep]


def row_starts(rows: np.ndarray, num_rows: int) -> np.ndarray:
    return np.searchsorted(rows, np.arange(num_rows + 1))
