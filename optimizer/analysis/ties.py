"""Ties: among equally good plans, one chosen by a stated order, whichever solver runs.

Many plans often reach the same optimum (leads moved between months, a technician hired
in May instead of April). A solver returns whichever it meets first, so without a rule the
published targets would depend on the solver. After the leader's objective is solved, the
plan is chosen lexicographically; each stage minimises its own measure while the leader's
objective and every earlier stage's measure are kept:

0. the leader's objective (profit, cost or closeness to today), solved as before;
1. ``steady headcount`` (integer): sum over roles (reps of each team, marketers, workers,
   agents, live-channel agents) and months t > 1 of |people[t] - people[t-1]|;
2. ``steady volumes`` (integer): sum over months t > 1 of |conversations[t] -
   conversations[t-1]| and |deals[t] - deals[t-1]| of each team, |leads[t] - leads[t-1]|
   and |ad spend[t] - ad spend[t-1]| / p, with p the cheapest first-tier price of a lead
   (spend counted in the leads it buys, so every term is a count);
3. ``early headcount`` (integer): sum of people[t] x t / T; it makes the headcounts unique
   (4 then 3 reps rather than 3 then 4);
4. the headcounts are fixed: the leader's fixed LP is solved (its duals and ranging are the
   plan's), and the model is restricted to that LP's optimal face (``_face``); stage 2's
   measure is solved again on it and held;
5. ``even workload`` (LP): sum over months and teams of |conversations[t, team] / days -
   r[t] x reps[t, team]|, r[t] free: each team's conversations per rep per day against the
   month's common rate, weighted by its reps;
6. ``closest to today`` (LP; when the scenario states ``current_targets`` and the
   objective is not already closeness): the weighted relative deviation of
   ``objectives.target_gaps``;
7. ``earliest`` (LP): maximise sum_t (T - t) / T x (leads + conversations + deals)[t]: of
   plans equal in all the above, the one that sells soonest.

Every stage is the same ``ModelArrays`` (extra columns for the absolute values, extra rows
for their definitions and the held measures, a new cost vector) handed to the plan's
backend's ``solve``, so HiGHS, CBC and OR-Tools go through the same stages (PDLP's LP stages
use GLOP; an LP stage a backend does not answer well is solved again with HiGHS, and a note
says so). Shadow prices, ranging and marginal values stay the leader's: the LP of the
original model with the final plan's headcounts fixed.

Holding. In the integer stages the leader's objective and each finished stage are held by a
row ``measure <= z + (gap + HOLD_TOL) x max(1, |z|) + HOLD_ABS``, gap the MIP gap proven.
The LP stages need no such row for the objective: on the optimal face (complementary
slackness with the leader's duals) every point has the optimal objective, so the plan's
objective is the optimum to rounding, within the MIP gap; earlier LP measures are held by
the same row with gap 0.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from optimizer.analysis.result import VERIFY_TOL
from optimizer.model.chain.common import Vars
from optimizer.model.linear import LinearModel, ModelArrays, Term
from optimizer.runtime.deadline import Deadline
from optimizer.scenario.schema import Scenario
from optimizer.solvers import Backend, FixedLP, SolverOutput, Status

HOLD_TOL = 1e-9
"""Relative slack on each held measure, over the MIP gap proven: far below what a leader
reads (a $0.002 on a $2M profit), above the solvers' rounding."""

HOLD_ABS = 1e-6
"""Absolute slack on each held measure: what rounding a headcount of 18.9999999 to 19
moves it by (a solver's integrality tolerance times the model's coefficients)."""

FIXED_LP_OPTIONS = {"simplex_strategy": 4}

TIE_SHARE = 1.0
TIE_SECONDS_MIN = 30.0
"""A safety net, not the rule: choosing among equally good plans may take at most TIE_SHARE
times the plan's own solve (at least TIE_SECONDS_MIN seconds), within the answer's time
limit. Which stages run is decided by the model's size (``solve.tie_stages``), so results
do not depend on the machine's load; the bundled scenarios need 3 ms to 0.2 s. A stage the
budget stops keeps the last settled plan (still the leader's optimum) with a note."""


@dataclass
class _Extension:
    """Columns and rows added to a model, kept as lists until ``arrays``."""

    base: ModelArrays
    lb: list[float] = field(default_factory=list)
    ub: list[float] = field(default_factory=list)
    rows: list[np.ndarray] = field(default_factory=list)
    cols: list[np.ndarray] = field(default_factory=list)
    vals: list[np.ndarray] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)

    @property
    def num_vars(self) -> int:
        return self.base.num_vars + len(self.lb)

    @property
    def num_rows(self) -> int:
        return self.base.num_rows + len(self.lower)

    def add_cols(self, count: int, lb: float = 0.0, ub: float = np.inf) -> np.ndarray:
        start = self.num_vars
        self.lb += [lb] * count
        self.ub += [ub] * count
        return np.arange(start, start + count)

    def add_row(self, cols: np.ndarray, vals: np.ndarray, lower: float, upper: float) -> None:
        cols, vals = np.broadcast_arrays(np.asarray(cols).ravel(), np.asarray(vals, float).ravel())
        self.rows.append(np.full(len(cols), self.num_rows, dtype=np.int64))
        self.cols.append(cols.astype(np.int64))
        self.vals.append(vals.astype(float))
        self.lower.append(lower)
        self.upper.append(upper)

    def add_rows(self, cols: np.ndarray, vals: np.ndarray, lower, upper) -> None:
        """Many rows at once: ``cols`` and ``vals`` shaped (rows, entries)."""
        cols, vals = np.broadcast_arrays(np.asarray(cols), np.asarray(vals, float))
        count = cols.shape[0]
        ids = np.arange(self.num_rows, self.num_rows + count)
        self.rows.append(np.repeat(ids, cols.shape[1]).astype(np.int64))
        self.cols.append(cols.reshape(count, -1).ravel().astype(np.int64))
        self.vals.append(vals.reshape(count, -1).ravel())
        self.lower += list(np.broadcast_to(np.asarray(lower, float), (count,)))
        self.upper += list(np.broadcast_to(np.asarray(upper, float), (count,)))

    def add_abs(self, cols: np.ndarray, vals: np.ndarray) -> np.ndarray:
        """u >= |sum(vals x x[cols])| per row of (rows, entries); returns the u columns."""
        cols, vals = np.broadcast_arrays(np.asarray(cols), np.asarray(vals, float))
        u = self.add_cols(cols.shape[0])
        for sign in (1.0, -1.0):
            self.add_rows(
                np.column_stack([u, cols]), np.column_stack([np.ones(len(u)), sign * vals]),
                0.0, np.inf,
            )  # fmt: skip
        return u

    def arrays(self, cost, held, lb=None, ub=None, integer=None) -> ModelArrays:
        """The extended model with ``cost`` and the ``held`` rows (cols, vals, upper)."""
        a, n = self.base, self.num_vars
        extra = len(self.lb)
        first = self.num_rows
        held_rows = [np.full(len(c), first + k, dtype=np.int64) for k, (c, _, _) in enumerate(held)]
        rows = np.concatenate([a.rows, *self.rows, *held_rows])
        cols = np.concatenate([a.cols, *self.cols, *[c for c, _, _ in held]]).astype(np.int64)
        vals = np.concatenate([a.vals, *self.vals, *[w for _, w, _ in held]])
        lower = np.concatenate([a.row_lower, self.lower, np.full(len(held), -np.inf)])
        upper = np.concatenate([a.row_upper, self.upper, [u for _, _, u in held]])
        return ModelArrays(
            c=cost, c0=0.0, c_tiebreak=np.zeros(n),
            lb=np.concatenate([a.lb if lb is None else lb, self.lb]),
            ub=np.concatenate([a.ub if ub is None else ub, self.ub]),
            integer=np.concatenate([a.integer if integer is None else integer,
                                    np.zeros(extra, bool)]),
            rows=rows, cols=cols, vals=vals,
            lhs_mask=np.concatenate([a.lhs_mask, np.ones(len(vals) - len(a.vals), bool)]),
            row_lower=lower, row_upper=upper,
            rhs=np.where(np.isfinite(lower), lower, np.where(np.isfinite(upper), upper, 0.0)),
            sense="min",
        )  # fmt: skip


def _series(idx: np.ndarray) -> np.ndarray:
    """Index array (months, ...) as (months, groups, summed): trailing axes are summed."""
    idx = np.asarray(idx)
    return idx.reshape(idx.shape[0], -1, 1) if idx.ndim <= 2 else idx.reshape(*idx.shape[:2], -1)


def _changes(ext: _Extension, idx: np.ndarray, weight: float = 1.0) -> tuple[np.ndarray, float]:
    """Columns u >= |x[t] - x[t-1]| for each month t > 1 and group; returns (u, weight)."""
    s = _series(idx)
    months, groups, summed = s.shape
    if months < 2:
        return np.zeros(0, dtype=np.int64), weight
    now = s[1:].reshape(-1, summed)
    before = s[:-1].reshape(-1, summed)
    cols = np.hstack([now, before])
    vals = np.hstack([np.ones(now.shape), -np.ones(before.shape)])
    return ext.add_abs(cols, vals), weight


def _cost(ext: _Extension, parts: list[tuple[np.ndarray, float | np.ndarray]]) -> np.ndarray:
    cost = np.zeros(ext.num_vars)
    for cols, weight in parts:
        np.add.at(cost, cols, np.broadcast_to(np.asarray(weight, float), np.shape(cols)))
    return cost


@dataclass
class Context:
    scenario: Scenario
    model: LinearModel
    v: Vars
    objective: str


# Each stage adds its columns and rows to the extension and returns its cost vector over
# all columns so far (None: the stage does not apply to this scenario).
StageFn = Callable[[_Extension, Context, np.ndarray], np.ndarray | None]


def steady_headcount(ext: _Extension, ctx: Context, x: np.ndarray) -> np.ndarray | None:
    parts = []
    for block in ctx.model.var_blocks.values():
        if block.integer and block.unit == "people" and block.axes[0].name == "month":
            idx = np.arange(block.start, block.start + block.size).reshape(block.shape)
            parts.append(_changes(ext, idx))
    parts = [p for p in parts if len(p[0])]
    return _cost(ext, parts) if parts else None


def steady_volumes(ext: _Extension, ctx: Context, x: np.ndarray) -> np.ndarray | None:
    v = ctx.v
    if len(v.months) < 2:
        return None
    prices = [ch.tiers[0].cost_per_lead for ch in ctx.scenario.marketing.channels if ch.tiers]
    per_lead = max(1.0, min(prices)) if prices else 1.0
    parts = [
        _changes(ext, v["conversations"]),
        _changes(ext, v["deals"]),
        _changes(ext, v["leads"]),
        _changes(ext, v["ad_spend"], 1.0 / per_lead),
    ]
    return _cost(ext, parts)


def even_workload(ext: _Extension, ctx: Context, x: np.ndarray) -> np.ndarray | None:
    v = ctx.v
    reps = np.round(x[v["reps"]])  # fixed from this stage on
    months, teams = reps.shape
    if teams < 2:
        return None
    days = ctx.scenario.calendar.business_days_per_month
    rate = ext.add_cols(months, lb=-np.inf)
    conv = v["conversations"].reshape(months, teams, -1)
    tiers = conv.shape[2]
    cols = np.concatenate(
        [conv.reshape(months * teams, tiers), np.repeat(rate, teams)[:, None]], axis=1
    )
    vals = np.concatenate(
        [np.full((months * teams, tiers), 1.0 / days), -reps.reshape(-1, 1)], axis=1
    )
    return _cost(ext, [(ext.add_abs(cols, vals), 1.0)])


def closest_to_today(ext: _Extension, ctx: Context, x: np.ndarray) -> np.ndarray | None:
    from optimizer.model.chain.objectives import target_gaps

    if ctx.objective == "closest_to_current":
        return None
    gaps = target_gaps(ctx.scenario, ctx.v)
    if not gaps:
        return None
    weights = ctx.scenario.current_targets.weights
    parts = []
    for gap in gaps:
        cols, vals, shape = _term_matrix(gap.terms)
        count = cols.shape[0]
        over, under = ext.add_cols(count), ext.add_cols(count)
        target = np.broadcast_to(np.asarray(gap.target, float), shape).ravel()
        ext.add_rows(
            np.column_stack([cols, over, under]),
            np.column_stack([vals, -np.ones(count), np.ones(count)]),
            target, target,
        )  # fmt: skip
        w = weights.get(gap.name, 1.0) / np.broadcast_to(gap.scale, shape).ravel()
        parts += [(over, w), (under, w)]
    return _cost(ext, parts)


def _term_matrix(terms: list[Term]) -> tuple[np.ndarray, np.ndarray, tuple]:
    """Linear terms over a row shape (the shape of the first term's leading axes, with
    trailing axes summed, as ``LinearModel.add_rows``) as (rows, entries) arrays."""
    shape = None
    cols, vals = [], []
    for coef, idx in terms:
        idx = np.asarray(idx)
        if shape is None:
            shape = idx.shape if idx.ndim <= 2 else idx.shape[:2]
        count = int(np.prod(shape, dtype=np.int64))
        values = np.broadcast_to(np.asarray(coef, float), idx.shape)
        cols.append(idx.reshape(count, -1))
        vals.append(values.reshape(count, -1))
    return np.hstack(cols), np.hstack(vals), shape


def earliest(ext: _Extension, ctx: Context, x: np.ndarray) -> np.ndarray | None:
    v = ctx.v
    months = len(v.months)
    parts = []
    weight = -(months - np.arange(months)) / months
    for name in ("leads", "conversations", "deals"):
        s = _series(v[name])
        parts.append((s, np.broadcast_to(weight[:, None, None], s.shape)))
    return _cost(ext, parts)


def early_headcount(ext: _Extension, ctx: Context, x: np.ndarray) -> np.ndarray | None:
    parts = []
    for block in ctx.model.var_blocks.values():
        if block.integer and block.unit == "people" and block.axes[0].name == "month":
            idx = np.arange(block.start, block.start + block.size).reshape(block.shape)
            months = block.shape[0]
            weight = (np.arange(months) + 1.0) / months
            parts.append((idx, weight.reshape((months,) + (1,) * (idx.ndim - 1))))
    return _cost(ext, parts) if parts else None


STAGES: tuple[tuple[str, StageFn, bool], ...] = (
    ("steady headcount", steady_headcount, True),
    ("steady volumes", steady_volumes, True),
    ("early headcount", early_headcount, True),
    ("even workload", even_workload, False),
    ("closest to today", closest_to_today, False),
    ("earliest", earliest, False),
)
"""(name, stage, integer): an integer stage may still change headcounts."""

HEADCOUNT_ONLY = ("steady headcount", "early headcount")
"""Stages whose measure is fixed once the headcounts are: not held again as LPs."""

FACE_TOL = 1e-9
"""A reduced cost or dual counts as nonzero above FACE_TOL x max(1, |largest cost|)."""


GOOD_TOL = 1e-7
"""A tie stage's LP answer is used when it keeps every row and bound to GOOD_TOL x
max(1, |limit|), a tenth of the plan check's tolerance (measured: GLOP and CBC within
9e-8 on the bundled scenarios); otherwise the stage is solved again with HiGHS."""


class _Shifted(FixedLP):
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


def settle(
    scenario: Scenario,
    model: LinearModel,
    v: Vars,
    arrays: ModelArrays,
    out: SolverOutput,
    engine: Backend,
    *,
    objective: str,
    deadline: Deadline | None = None,
    duals: bool = True,
    ranging: bool = True,
    options: dict | None = None,
    stages: int | None = None,
) -> SolverOutput:
    """The plan ``out`` (the leader's optimum) replaced by the one the tie order picks.

    ``stages`` runs only the first so many tie stages (None: all). If time runs out or a
    stage fails, the last finished stage's plan is kept and a note says so. Duals, ranging
    and the fixed LP are those of the original objective at the final plan's headcounts.

    Integer stages hold the leader's objective (and each other's measure) by a row with
    the proven gap as slack. Once the headcounts are fixed, the leader's fixed LP is solved
    (it gives the duals) and the LP stages are restricted to its optimal face exactly, by
    complementary slackness: every column with a nonzero reduced cost is fixed at its
    bound, every row with a nonzero dual is held at its active limit. Every point of that
    face has the fixed LP's optimal objective, so no LP stage gives up any of it.
    """
    out.settled = True
    if out.status is not Status.OPTIMAL or out.x is None or not _whole(out.x, arrays):
        return out  # no plan, or one the independent check will refuse: nothing to choose
    deadline = deadline or Deadline()
    budget = Deadline(max(TIE_SECONDS_MIN, TIE_SHARE * out.times.get("solve", 0.0)))

    def time_left() -> float | None:
        left = deadline.remaining()
        return budget.remaining() if left is None else min(left, budget.remaining())

    t_start = time.perf_counter()
    times = dict(out.times)
    ctx = Context(scenario, model, v, objective)
    ext = _Extension(arrays)
    n = arrays.num_vars
    is_mip = bool(arrays.integer.any())
    sign = 1.0 if arrays.sense == "min" else -1.0
    primary = sign * arrays.solver_cost()
    x_ext = out.x
    held = [_hold(primary, x_ext, out.mip_gap)] if is_mip else []
    notes: list[str] = []
    done: list[tuple[str, np.ndarray]] = []  # finished stages and their costs
    extra = options or {}
    chosen = list(STAGES if stages is None else STAGES[:stages])
    lp = None  # the leader's fixed LP at the final headcounts (an LP: the LP itself)
    lp_engine = _lp_engine(engine)
    if not is_mip:
        lp = out
        if out.row_shadow is None or out.col_shadow is None:  # the face needs the duals
            t0 = time.perf_counter()
            options = {"options": FIXED_LP_OPTIONS} if engine.name == "highs" else {}
            lp = engine.solve(arrays, ranging=ranging, duals=True, **options)
            times["fixed_lp"] = time.perf_counter() - t0
            if lp.status is not Status.OPTIMAL or lp.row_shadow is None:
                out.notes = (*out.notes, _stopped([], STAGES[0][0], lp.solver_status))
                return out
            lp.lp_lb, lp.lp_ub = arrays.lb, arrays.ub
            x_ext = lp.x
        ext.base = _face(arrays, lp, arrays.lb, arrays.ub)

    def run(cost, held, integer_stage):
        nonlocal lp_engine
        a = ext.arrays(_pad(cost, ext.num_vars), held)
        use = engine if integer_stage else lp_engine
        kwargs = {"options": extra} if extra and use.name == "highs" and a.integer.any() else {}
        result = use.solve(a, time_limit=time_left(), duals=False, ranging=False, **kwargs)
        if not integer_stage and use.name != "highs" and not _good(result, a):
            from optimizer.solvers import backend as solver_backend

            notes.append(
                f"tie stages: {lp_engine.name} answered {result.solver_status} on a tie stage's "
                f"LP; the tie stages' LPs were solved with HiGHS on {engine.name}'s whole numbers"
            )
            lp_engine = solver_backend("highs")
            result = lp_engine.solve(a, time_limit=time_left(), duals=False, ranging=False)
        return result

    for name, stage, integer_stage in chosen:
        if deadline.expired():
            notes.append(_stopped(done, name, "the time limit ran out"))
            break
        if budget.expired():
            why = f"the {budget.seconds:,.1f} s allowed for choosing, as long as the solve, ran out"
            notes.append(_stopped(done, name, why))
            break
        if is_mip and not integer_stage and lp is None:
            lp, held, x_ext, why = _fix_headcounts(
                arrays, x_ext, out, engine, ranging, times, ext, done, run
            )
            if why:
                notes.append(_stopped(done, name, why))
                break
        cost = stage(ext, ctx, x_ext[:n])
        if cost is None or not np.any(cost):
            continue
        result = run(cost, held, integer_stage and is_mip)
        if result.status is not Status.OPTIMAL or result.x is None:
            why = (
                "the time allowed for choosing ran out"
                if result.status is Status.TIME_LIMIT
                else f"the solver answered {result.solver_status}"
            )
            notes.append(_stopped(done, name, why))
            break
        x_ext = result.x
        held.append(_hold(_pad(cost, len(x_ext)), x_ext, result.mip_gap))
        done.append((name, cost))
    if stages is not None and stages < len(STAGES) and not [m for m in notes if m[:5] == "ties:"]:
        left = ", ".join(f"'{name}'" for name, _, _ in STAGES[stages:])
        notes.append(
            f"ties: the plan was chosen among equally good ones only partly: on a model of "
            f"{n:,} variables only the first {stages} tie stage(s) ran ({left} did not); "
            "its targets other than headcounts may depend on the solver"
        )
    x = x_ext[:n]
    times["ties"] = time.perf_counter() - t_start
    if lp is None and duals and is_mip:
        # headcounts never fixed here (integer stages only, or a stop): the fixed LP now
        lp_out, lp = _primary_duals(arrays, x, out, engine, ranging, times)
        if lp_out.status is not Status.OPTIMAL:
            return lp_out
        x = lp.x  # the continuous part as the leader's LP leaves it
    elif lp is None:
        lp = out  # integer stages only, no duals asked for
    settled = replace(
        lp, x=x, objective=arrays.objective(x), mip_gap=out.mip_gap, status=out.status,
        solver_status=out.solver_status, message=out.message, times=times,
        notes=(*out.notes, *notes), settled=True,
    )  # fmt: skip
    settled.lp_lb, settled.lp_ub = lp.lp_lb, lp.lp_ub
    if settled.fixed_lp is not None and lp.objective is not None:
        settled.fixed_lp = _Shifted(settled.fixed_lp, settled.objective - lp.objective)
    if not duals:
        settled.row_shadow = settled.col_shadow = settled.fixed_lp = None
        settled.range_up = settled.range_down = None
    return settled


def _whole(x: np.ndarray, arrays: ModelArrays) -> bool:
    """The plan's whole numbers are whole (to the check's tolerance): a solver's plan that
    is not is refused by the independent check, and there is no choice to make among it."""
    ints = x[arrays.integer]
    return bool(np.all(np.abs(ints - np.round(ints)) <= VERIFY_TOL))


def _lp_engine(engine: Backend) -> Backend:
    """The backend for the tie stages' LPs: the plan's own, except PDLP, whose first-order
    answers break the plan's rows by more than the check allows: GLOP, as for its
    what-if re-solves."""
    from optimizer.solvers import backend as solver_backend

    return solver_backend("ortools") if engine.name == "pdlp" else engine


def _good(result: SolverOutput, a: ModelArrays, tol: float = GOOD_TOL) -> bool:
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


def _face(arrays: ModelArrays, lp: SolverOutput, lb: np.ndarray, ub: np.ndarray) -> ModelArrays:
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
        arrays, lb=lb, ub=ub, row_lower=lower, row_upper=upper,
        integer=np.zeros(arrays.num_vars, bool),
    )  # fmt: skip


def _pad(cost: np.ndarray, size: int) -> np.ndarray:
    return np.concatenate([cost, np.zeros(size - len(cost))])


def _hold(cost: np.ndarray, x: np.ndarray, gap: float | None) -> tuple:
    """The row ``cost . x <= best + tol`` that keeps a stage's optimum."""
    cols = np.flatnonzero(cost)
    z = float(cost[cols] @ x[cols])
    return cols, cost[cols], z + _tol(z, gap)


def _fixed_bounds(arrays: ModelArrays, x: np.ndarray):
    """The original columns' bounds with every headcount fixed at its whole number."""
    ints = np.flatnonzero(arrays.integer)
    lb, ub = arrays.lb.copy(), arrays.ub.copy()
    lb[ints] = ub[ints] = np.round(x[ints])
    return lb, ub


def _fix_headcounts(arrays, x_ext, out, engine, ranging, times, ext, done, run):
    """Fix the headcounts on the leader's optimal face; hold earlier stages anew.

    The leader's fixed LP is solved (its duals are the plan's); the extension's base
    becomes that LP's optimal face, and each earlier stage whose measure is not fixed with
    the headcounts is solved again on it and held. Returns (the leader's fixed LP output,
    held rows, plan, why it failed or "").
    """
    n = arrays.num_vars
    lp_out, lp = _primary_duals(arrays, x_ext[:n], out, engine, ranging, times)
    if lp_out.status is not Status.OPTIMAL:
        return None, [], x_ext, lp_out.solver_status
    ext.base = _face(arrays, lp, *_fixed_bounds(arrays, x_ext))
    held = []
    x_ext = np.concatenate([lp.x, x_ext[n:]])
    for name, cost in done:
        if name in HEADCOUNT_ONLY:
            continue
        result = run(cost, held, False)
        if result.status is not Status.OPTIMAL or result.x is None:
            return lp, held, x_ext, f"the solver answered {result.solver_status}"
        x_ext = result.x
        held.append(_hold(_pad(cost, len(x_ext)), x_ext, None))
    return lp, held, x_ext, ""


def _primary_duals(arrays, x, out, engine, ranging, times) -> tuple[SolverOutput, SolverOutput]:
    """The LP of the leader's objective with the plan's headcounts fixed (for the duals)."""
    from optimizer.solvers.highs import fixed_bounds

    lb, ub = fixed_bounds(arrays, x)
    fixed = replace(arrays, lb=lb, ub=ub, integer=np.zeros_like(arrays.integer))
    t0 = time.perf_counter()
    options = {"options": FIXED_LP_OPTIONS} if engine.name == "highs" else {}
    lp = engine.solve(fixed, ranging=ranging, duals=True, **options)
    times["fixed_lp"] = time.perf_counter() - t0
    if "ranging" in lp.times:
        times["ranging"] = lp.times["ranging"]
    if lp.status is not Status.OPTIMAL:
        failed = f"fixed LP after the tie stages: {lp.solver_status}"
        return SolverOutput(Status.ERROR, failed, x=x, times=times), lp
    lp.lp_lb, lp.lp_ub = lb, ub
    return lp, lp


def _tol(z: float, gap: float | None) -> float:
    return ((gap or 0.0) + HOLD_TOL) * max(1.0, abs(z)) + HOLD_ABS


def _stopped(done: list, name: str, why: str) -> str:
    kept = f"after '{done[-1][0]}'" if done else "at the leader's optimum"
    return (
        f"ties: the plan was chosen among equally good ones only partly: '{name}' was not "
        f"settled ({why}); the plan {kept} is kept, and its targets may depend on the solver"
    )
