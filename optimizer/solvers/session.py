"""A model held by a backend for what-ifs: loaded once, changed, re-solved.

The persistent session of the solver boundary: ``optimizer.analysis.whatif`` holds one per
scenario and hands it each what-if's numbers. ``open_session(backend, arrays)`` gives one
for any backend, with one shape (:class:`Session`):

- ``load(arrays)``: the model's new numbers (same shape as the first);
- ``solve(duals, ranging, time_limit=None) -> SolverOutput``: in the conventions of the
  backend's own ``solve`` (shadow prices in the objective's sense; ranging NaN or None on a
  backend without it);
- ``backend`` (its name) and ``warm_start`` (whether a re-solve starts from the last one).

HiGHS (``warm_start``) gets :class:`HighsSession`: the model is changed in place (costs,
bounds, limits, coefficients) and re-solved warm; an LP restarts from its last basis. Every
other backend gets :class:`RebuildSession`: it keeps the numbers and hands them to the
backend's ``solve`` each time, from scratch (CBC is a subprocess, MathOpt builds its model
anew), so its answers are the backend's cold answers. Nothing outside ``optimizer.solvers``
touches a solver.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Protocol

import numpy as np

from optimizer.model.linear import ModelArrays
from optimizer.solvers import Backend, SolverOutput, Status, backend
from optimizer.solvers.highs import (
    MIP_GAP,
    HighsFixedLP,
    _lp,
    _new_highs,
    _row_ranging,
    _status,
    fixed_bounds,
    fixed_lp_highs,
)


class Session(Protocol):
    """A model held by one backend: ``load`` new numbers, ``solve`` again."""

    backend: str
    warm_start: bool

    def load(self, new: ModelArrays) -> None: ...

    def solve(
        self, duals: bool, ranging: bool, time_limit: float | None = None
    ) -> SolverOutput: ...


def open_session(name: str | Backend | None, arrays: ModelArrays) -> Session:
    """A session holding ``arrays`` on the backend ``name`` (default HiGHS): warm where the
    backend has ``warm_start`` (HiGHS), otherwise a :class:`RebuildSession`."""
    engine = backend(name)
    if engine.warm_start and engine.name == "highs":
        return HighsSession(arrays)
    return RebuildSession(engine, arrays)


def solve_fresh(
    name: str | Backend | None,
    arrays: ModelArrays,
    *,
    duals: bool = False,
    ranging: bool = False,
    time_limit: float | None = None,
) -> SolverOutput:
    """One cold solve of ``arrays`` on the backend ``name``, as its session would give it:
    HiGHS's own ``solve``; on a backend without a warm start, a :class:`RebuildSession`'s
    (whole-number values that break a row polished, see there)."""
    engine = backend(name)
    if engine.warm_start and engine.name == "highs":
        return engine.solve(arrays, time_limit=time_limit, ranging=ranging, duals=duals)
    return RebuildSession(engine, arrays).solve(duals, ranging, time_limit)


POLISH_TOL = 1e-9
"""A whole-number plan whose values break a row by more than this (relative to
max(1, |limit|)) is polished: see ``RebuildSession.solve``."""


class RebuildSession:
    """A model for a backend without a warm start: each solve is the backend's own, cold.

    ``load`` only keeps the new numbers; ``solve`` calls the backend's
    ``solve(arrays, time_limit=..., ranging=..., duals=...)``, so the output is what a
    fresh solve on that backend gives (nothing is held between solves), with one addition.
    Without ``duals`` an integer model's values are the integer solver's own, and CBC's are
    read from its text solution (8 significant digits: measured, the seed company's
    $40,000 ad spend identity broken by $0.0002, which the independent check refuses).
    Where the values break a row by more than ``POLISH_TOL``, the LP with the plan's whole
    numbers fixed is solved by the same backend (CBC reads that one as doubles) and its
    values are used: the headcounts are unchanged (``times["polish"]``). With ``duals`` the
    backend's fixed LP already gives the values, as in every plan.
    """

    warm_start = False

    def __init__(self, engine: str | Backend, a: ModelArrays):
        self.engine = backend(engine)
        self.backend = self.engine.name
        self.loaded = a

    def load(self, new: ModelArrays) -> None:
        self.loaded = new

    def solve(self, duals: bool, ranging: bool, time_limit: float | None = None) -> SolverOutput:
        a = self.loaded
        limit = None if time_limit is None else max(0.0, time_limit)
        out = self.engine.solve(a, time_limit=limit, ranging=ranging, duals=duals)
        if duals or out.status is not Status.OPTIMAL or out.x is None or not a.integer.any():
            return out
        if _worst_break(a, out.x) <= POLISH_TOL:
            return out
        t0 = time.perf_counter()
        lb, ub = fixed_bounds(a, out.x)
        fixed = replace(a, lb=lb, ub=ub, integer=np.zeros_like(a.integer))
        lp = self.engine.solve(fixed, time_limit=limit, ranging=False, duals=False)
        out.times["polish"] = time.perf_counter() - t0
        if lp.status is Status.OPTIMAL and _worst_break(a, lp.x) < _worst_break(a, out.x):
            out.x, out.objective = lp.x, a.objective(lp.x)
        return out


def _worst_break(a: ModelArrays, x: np.ndarray) -> float:
    """The largest amount by which ``x`` breaks a row, relative to max(1, |limit|)."""
    act = a.row_activity(x)
    with np.errstate(invalid="ignore"):
        over = np.maximum(np.nan_to_num(a.row_lower - act, nan=0.0), 0.0)
        over = np.maximum(over, np.nan_to_num(act - a.row_upper, nan=0.0))
    limit = np.where(np.isfinite(a.row_upper), a.row_upper, a.row_lower)
    scale = np.maximum(1.0, np.abs(np.nan_to_num(limit, posinf=0.0, neginf=0.0)))
    return float(np.max(over / scale, initial=0.0))


class HighsSession:
    """One model in HiGHS, changed in place; an LP restarts from its last basis."""

    backend = "highs"
    warm_start = True

    def __init__(self, a: ModelArrays):
        self.is_mip = bool(a.integer.any())
        n = max(a.num_rows, 1)
        key = a.cols * n + a.rows
        unique, self.entry = np.unique(key, return_inverse=True)
        self.ucols, self.urows = np.divmod(unique, n)
        self.h = self._load_new(a, a.lb, a.ub, self.is_mip)
        self.loaded = a
        self.coef = self._summed(a)

    def _summed(self, a: ModelArrays) -> np.ndarray:
        return np.bincount(self.entry, weights=a.vals, minlength=len(self.ucols))

    @staticmethod
    def _load_new(a: ModelArrays, lb, ub, integer: bool, fixed: bool = False):
        h = fixed_lp_highs() if fixed else _new_highs()
        if integer:
            h.setOptionValue("mip_rel_gap", MIP_GAP)
        h.passModel(_lp(a, lb, ub, integer))
        return h

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

    def solve(self, duals: bool, ranging: bool, time_limit: float | None = None) -> SolverOutput:
        a, h, times = self.loaded, self.h, {}
        t0 = time.perf_counter()
        if self.is_mip:
            h.clearSolver()
        h.setOptionValue("time_limit", math.inf if time_limit is None else max(0.0, time_limit))
        h.run()
        times["solve"] = time.perf_counter() - t0
        status, text = _status(h)
        if status is not Status.OPTIMAL:
            return SolverOutput(status, text, times=times)
        x = np.array(h.getSolution().col_value)
        out = SolverOutput(Status.OPTIMAL, text, x=x, objective=a.objective(x), times=times)
        if self.is_mip:
            out.mip_gap = h.getInfo().mip_gap
        if not duals:
            return out
        lb, ub = fixed_bounds(a, x) if self.is_mip else (a.lb, a.ub)
        t0 = time.perf_counter()
        lp = self._fixed_lp(a, lb, ub) if self.is_mip else h
        if self.is_mip:
            lp.run()
            status, text = _status(lp)
            if status is not Status.OPTIMAL:
                return SolverOutput(Status.ERROR, f"fixed LP after MILP: {text}", x=x, times=times)
            out.x = x = np.array(lp.getSolution().col_value)
            out.objective = a.objective(x)
        times["fixed_lp"] = time.perf_counter() - t0
        sol, flip = lp.getSolution(), (-1.0 if a.sense == "max" else 1.0)
        out.row_shadow = flip * np.array(sol.row_dual)
        out.col_shadow = flip * np.array(sol.col_dual)
        out.lp_lb, out.lp_ub = lb, ub
        out.fixed_lp = HighsFixedLP(lp, a, lb, ub)
        if ranging:
            t0 = time.perf_counter()
            out.range_up, out.range_down = _row_ranging(lp, a)
            times["ranging"] = time.perf_counter() - t0
        return out

    def _fixed_lp(self, a: ModelArrays, lb: np.ndarray, ub: np.ndarray):
        """The LP with the integers fixed at the plan's values, solved cold.

        Cold on purpose: when the plan's LP has several optimal vertices (months that
        could swap leads), a warm start could land on another one than ``solve`` does,
        and the plan would differ from a fresh solve's for no reason the user can see.
        The LP costs a fraction of the MILP before it.
        """
        return self._load_new(a, lb, ub, False, fixed=True)
