"""The flow every backend follows, for adapters that are not HiGHS (CBC, OR-Tools).

An integer model is solved first; then its integers are fixed (``highs.fixed_bounds``: a
headcount at its cap keeps the cap row active) and the LP is solved again for duals, as the
HiGHS adapter does. An engine supplies two calls, ``mip`` and ``lp``, that return a
:class:`Raw` with duals already in the product's convention (objective change, in its own
sense, per unit increase of a row's limit or a variable's bound).

What differs from HiGHS: no ranging (``range_up``/``range_down`` are NaN; the plan then
tests each binding limit's dual against a re-solve, see ``optimizer.analysis.solve``), and the
fixed LP for what-if re-solves is solved cold by the same engine.

A solver's claim is never taken alone: "unbounded" (or "infeasible or unbounded") is
settled by solving the model without its objective, and the plan is checked against the
model's rows by the caller.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from optimizer.model.linear import ModelArrays
from optimizer.solvers import FixedLP, SolverOutput, Status
from optimizer.solvers.highs import fixed_bounds

ACTIVE_TOL = 1e-6
"""A row is active when its activity is within ACTIVE_TOL * max(1, |limit|) of the limit."""


@dataclass
class Raw:
    """One solver run: status, the solver's own words, and the numbers if there are any."""

    status: Status
    text: str
    x: np.ndarray | None = None
    row_dual: np.ndarray | None = None  # product convention, one per model row
    col_dual: np.ndarray | None = None
    gap: float | None = None
    message: str = ""
    times: dict[str, float] = field(default_factory=dict)


class Engine(Protocol):
    name: str

    def mip(self, a: ModelArrays, time_limit: float | None) -> Raw: ...

    def lp(
        self,
        a: ModelArrays,
        lb: np.ndarray,
        ub: np.ndarray,
        time_limit: float | None,
        duals: bool = True,
    ) -> Raw: ...


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


def _feasibility(a: ModelArrays) -> ModelArrays:
    return replace(a, c=np.zeros_like(a.c), c_tiebreak=np.zeros_like(a.c))


def _settle_unbounded(engine: Engine, a: ModelArrays, is_mip: bool, raw: Raw) -> Raw:
    """'Unbounded' is believed only if the model without its objective has a solution."""
    if raw.status is not Status.UNBOUNDED:
        return raw
    check = (
        engine.mip(_feasibility(a), None)
        if is_mip
        else engine.lp(_feasibility(a), a.lb, a.ub, None, False)
    )
    if check.status in (Status.INFEASIBLE, Status.UNBOUNDED):
        # without an objective nothing is unbounded: "infeasible or unbounded" is infeasible
        return Raw(Status.INFEASIBLE, f"{raw.text}; without the objective: {check.text}")
    if check.status is Status.OPTIMAL:
        return raw
    return Raw(Status.ERROR, f"{raw.text}; without the objective: {check.text}")


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


def solve(
    engine: Engine,
    a: ModelArrays,
    *,
    time_limit: float | None = None,
    ranging: bool = True,
    duals: bool = True,
) -> SolverOutput:
    """MILP (or LP), then the LP with the integers fixed for duals; see the module docstring.

    ``ranging`` is accepted for the common signature: these backends give no ranging.
    """
    del ranging
    times: dict[str, float] = {}
    is_mip = bool(a.integer.any())
    t0 = time.perf_counter()
    first = engine.mip(a, time_limit) if is_mip else engine.lp(a, a.lb, a.ub, time_limit, duals)
    times["solve"] = time.perf_counter() - t0
    times.update(first.times)
    first = _settle_unbounded(engine, a, is_mip, first)
    if first.status is not Status.OPTIMAL:
        out = SolverOutput(first.status, first.text, message=first.message, times=times)
        if first.status is Status.TIME_LIMIT and first.x is not None:
            out.x = first.x
            out.objective = a.objective(first.x)
            out.mip_gap = first.gap
        return out
    x = first.x
    if not duals:
        return SolverOutput(
            Status.OPTIMAL, first.text, x=x, objective=a.objective(x), mip_gap=first.gap,
            times=times,
        )  # fmt: skip
    lb, ub, lp = a.lb, a.ub, first
    if is_mip:
        t0 = time.perf_counter()
        lb, ub = fixed_bounds(a, x)
        lp = engine.lp(a, lb, ub, None, True)
        times["fixed_lp"] = time.perf_counter() - t0
        if lp.status is not Status.OPTIMAL:
            return SolverOutput(
                Status.ERROR, f"fixed LP after MILP: {lp.text}", x=x, message=lp.message,
                times=times,
            )  # fmt: skip
        x = lp.x
    nan = np.full(a.num_rows, np.nan)
    resolver = getattr(engine, "resolver", engine)
    return SolverOutput(
        Status.OPTIMAL,
        first.text,
        x=x,
        objective=a.objective(x),
        row_shadow=clean_duals(a, x, lp.row_dual),
        col_shadow=lp.col_dual,
        range_up=nan,
        range_down=nan.copy(),
        lp_lb=lb,
        lp_ub=ub,
        mip_gap=first.gap,
        times=times,
        fixed_lp=ResolvingFixedLP(
            resolver, a, lb, ub, a.objective(x), same_engine=resolver is engine
        ),
    )


class ResolvingFixedLP(FixedLP):
    """What-if re-solves of the fixed LP, each one a fresh solve.

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
