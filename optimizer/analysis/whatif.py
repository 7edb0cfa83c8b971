"""What-ifs by re-solving one model held by a backend: only the moved inputs change.

``WhatIf(scenario)`` builds the scenario's model once, hands it to HiGHS and solves it.
``resolve({path: value})`` validates the moved scenario as a file would be, changes the
model's numbers where the moved inputs enter it, and solves again in the same HiGHS
instance: an LP restarts from its previous basis; a MILP keeps its model and searches
again (HiGHS keeps no search tree between runs). The plan is then checked independently
against the moved scenario, as every plan is. ``rebuild`` answers the same question the
long way (validate, build, hand over, solve fresh): the baseline, and the reference the
tests hold ``resolve`` to.

``WhatIf(scenario, backend="cbc")`` (any backend in ``optimizer.solvers.REGISTRY``) holds
the model in that backend's session (``optimizer.solvers.session.open_session``). A backend
without ``warm_start`` (CBC, OR-Tools, PDLP) re-solves from scratch each time: the moved
numbers are found the same way, the solve is that backend's own cold solve, and the route
says "cold" where HiGHS's says "warm". ``rebuild`` and a move that changes the model's
shape solve with the same backend. Each result records its backend.

How one input enters the model (its *direction*). Nearly every input enters the model's
numbers linearly when the others stay put:

    data(p') = data(p) + (p' - p) * D,    D = (data(p + h) - data(p)) / h

where data is every cost, bound, limit and coefficient. The first time an input moves,
the model is built at values either side of it (half and one and a half times it where
the schema allows) and D is the slope between them; the line is used only if the model
at the input's own value lies on it, and only between those two values. Outside them, for
an input with no line (a relative gap to today's target divides by it), for inputs listed
in ``NOT_AFFINE`` (the quality floor picks which tiers exist, Erlang staffing tables step)
and for several inputs moved at once (their effects can multiply: hours a day x days a
month), the numbers are built again from the moved scenario, and the solve stays warm. A
move that changes the model's shape (a minimum headcount of 0 has no row) is rebuilt.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from optimizer.analysis.result import BINDING_TOL, Plan, Verification
from optimizer.model.chain import build_model
from optimizer.model.linear import ModelArrays
from optimizer.scenario.inputs import STRUCTURAL, is_int_field, numeric_inputs, with_values
from optimizer.scenario.names import QUALITY_FLOOR, Objective
from optimizer.scenario.schema import Scenario
from optimizer.solvers import Backend, Status, backend
from optimizer.solvers.session import open_session, solve_fresh

NOT_AFFINE_PREFIXES = ("support.live_channels",)
NOT_AFFINE = {QUALITY_FLOOR}
"""Inputs whose effect on the model is a step or a table, never a straight line."""

_FIELDS = ("c", "c_tiebreak", "lb", "ub", "rhs", "vals")
SPANS = (0.5, 0.25, 0.1, 0.01)
"""How far either side of its value an input's straight line is looked for (share of the
value, at least 1): the widest that the schema accepts and that keeps the model's shape."""


def affine(path: str) -> bool:
    """False for inputs known to enter the model through steps or tables."""
    return path not in NOT_AFFINE and not path.startswith(NOT_AFFINE_PREFIXES)


@dataclass(frozen=True)
class Direction:
    """How the model's numbers move per unit of one input (sparse: index, slope)."""

    slopes: dict[str, tuple[np.ndarray, np.ndarray]]
    c0: float
    low: float  # the values it was verified between
    high: float

    @classmethod
    def between(
        cls, base: ModelArrays, other: ModelArrays, h: float, low: float, high: float
    ) -> Direction | None:
        """The slope from ``base`` to ``other`` (built h further on); None if the shape moved."""
        if not _same_shape(base, other):
            return None
        slopes = {}
        for name in _FIELDS:
            a, b = getattr(base, name), getattr(other, name)
            finite = np.isfinite(a)
            if not np.array_equal(finite, np.isfinite(b)):
                return None  # a bound appeared or went away: not a straight line
            delta = b - a if finite.all() else np.where(finite, b - np.where(finite, a, 0.0), 0.0)
            idx = np.flatnonzero(delta)
            slopes[name] = (idx, delta[idx] / h)
        return cls(slopes, (other.c0 - base.c0) / h, low, high)

    def at(self, base: ModelArrays, step: float) -> ModelArrays:
        """The model's numbers with the input moved by ``step``."""
        changed = {}
        for name, (idx, slope) in self.slopes.items():
            if len(idx):
                values = getattr(base, name).copy()
                values[idx] += step * slope
                changed[name] = values
        if "rhs" in changed:
            rhs = changed["rhs"]
            changed["row_lower"] = np.where(np.isfinite(base.row_lower), rhs, -np.inf)
            changed["row_upper"] = np.where(np.isfinite(base.row_upper), rhs, np.inf)
        return replace(base, c0=base.c0 + step * self.c0, **changed)


def _same_shape(a: ModelArrays, b: ModelArrays) -> bool:
    return (
        a.num_rows == b.num_rows
        and a.num_vars == b.num_vars
        and np.array_equal(a.rows, b.rows)
        and np.array_equal(a.cols, b.cols)
        and np.array_equal(a.integer, b.integer)
        and np.array_equal(np.isfinite(a.row_lower), np.isfinite(b.row_lower))
        and np.array_equal(np.isfinite(a.row_upper), np.isfinite(b.row_upper))
    )


def _same_numbers(a: ModelArrays, b: ModelArrays, tol: float = 1e-9) -> bool:
    """Equal up to rounding: what a straight-line prediction must meet."""
    if not _same_shape(a, b) or not np.isclose(a.c0, b.c0, rtol=tol, atol=tol):
        return False
    for name in (*_FIELDS, "row_lower", "row_upper"):
        x, y = getattr(a, name), getattr(b, name)
        if not np.allclose(x, y, rtol=tol, atol=tol * max(1.0, float(np.max(np.abs(
            np.nan_to_num(x, posinf=0, neginf=0)), initial=0.0)))):  # fmt: skip
            return False
    return True


@dataclass
class WhatIfResult:
    """One what-if: the moved scenario, its plan and how it was reached."""

    changes: dict[str, float]
    scenario: Scenario
    status: Status
    objective: float | None
    x: np.ndarray | None
    verified: Verification
    route: str  # "warm", "warm, data rebuilt", "warm, forced" or "rebuilt" ("cold" for "warm"
    # on a backend without a warm start)
    times: dict[str, float] = field(default_factory=dict)
    message: str = ""
    _parts: tuple | None = None  # (model, vars, arrays, solver output) for ``plan``
    backend: str = "highs"  # the backend that solved it

    @property
    def solved(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.FEASIBLE) and self.verified.ok

    @property
    def arrays(self) -> ModelArrays:
        """The model's numbers this what-if was solved with."""
        return self._parts[2]

    def binding(self) -> list[str]:
        """Names of the limits and goals that bind in this plan (none without a plan)."""
        if self.x is None:
            return []
        names, sense, is_limit = _row_info(self._parts[0])
        activity, limit = self.arrays.sides(self.x)
        slack = np.where(sense == "<=", limit - activity, activity - limit)
        slack = np.where(sense == "==", -np.abs(activity - limit), slack)
        tol = BINDING_TOL * np.maximum(1.0, np.abs(limit))
        return list(names[is_limit & (np.abs(slack) <= tol)])

    def plan(self, *, marginals: bool | None = False, whole_steps: bool | None = False) -> Plan:
        """The full plan: targets, limits (shadow prices when asked for), variables.

        ``marginals`` and ``whole_steps`` add what ``solve`` adds by default (each costs
        extra builds or integer re-solves; None: as ``solve``, by the model's size).
        """
        from optimizer.analysis.solve import assemble

        model, v, arrays, out = self._parts
        return assemble(
            self.scenario, model, v, arrays, out, objective=model.objective_name,
            engine=backend(self.backend), marginals=marginals, whole_steps=whole_steps,
            overrides=tuple(f"{p}={value:g}" for p, value in self.changes.items()),
            times=dict(self.times), verified=(self.verified, self.status, self.message),
        )  # fmt: skip


def _backend(name: str | Backend | None) -> Backend:
    """The backend by name (``WhatIf``'s ``backend`` argument shadows the function)."""
    return backend(name)


def _row_info(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's name, sense and whether it is a limit or goal (kept on the model)."""
    cached = getattr(model, "_row_info", None)
    if cached is not None:
        return cached
    names = np.array(model.row_names(), dtype=object)
    sense = np.empty(model.num_rows, dtype=object)
    is_limit = np.zeros(model.num_rows, dtype=bool)
    for block in model.row_blocks.values():
        sense[block.start : block.stop] = block.sense
        is_limit[block.start : block.stop] = block.kind != "definition"
    model._row_info = (names, sense, is_limit)
    return model._row_info


class WhatIf:
    """A scenario's model held by a backend for fast what-ifs (one at a time: it holds a
    lock); HiGHS by default."""

    def __init__(
        self,
        scenario: Scenario,
        objective: str | None = None,
        *,
        hold_headcounts: bool = False,
        headcounts: Mapping[str, float] | None = None,
        backend: str | Backend | None = "highs",
    ):
        """``hold_headcounts`` answers the short-term question: every headcount (and staffing
        choice) stays at the base plan's, so a what-if is an LP, re-solved from the last basis.
        ``headcounts`` (whole-number variables by name, as in ``Plan.variables``) holds those
        values instead of the held model's own plan: a given plan's people.
        ``backend`` solves every what-if (``optimizer.solvers.backend``; see the module
        docstring for a backend without a warm start).
        """
        self.engine = _backend(backend)
        self.scenario = scenario
        self.objective = objective or scenario.objective
        self.model, self.vars = build_model(scenario, self.objective)
        self.model.objective_name = self.objective
        self.base = self.model.arrays(drop_zeros=False)
        self.values = {p: v for p, v, _ in numeric_inputs(scenario, Objective.closest_to_current)}
        self._directions: dict[str, Direction | None] = {}
        self._lock = threading.Lock()
        self.held: dict[str, float] = {}
        if hold_headcounts and headcounts is not None:
            names = np.array(self.model.var_names(), dtype=object)[self.base.integer]
            self.held = {name: float(np.round(headcounts[name])) for name in names}
        elif hold_headcounts:
            plan = open_session(self.engine, self.base).solve(duals=False, ranging=False)
            if plan.x is None:
                raise ValueError(f"no plan whose headcounts could be held: {plan.solver_status}")
            names = np.array(self.model.var_names(), dtype=object)[self.base.integer]
            self.held = dict(zip(names, np.round(plan.x[self.base.integer])))
        self._warm = open_session(self.engine, self._holding(self.model, self.base))
        self._base_result: WhatIfResult | None = None

    @property
    def base_result(self) -> WhatIfResult:
        """The scenario itself, solved in the held model (on first use)."""
        if self._base_result is None:
            with self._lock:
                self._base_result = self._solve(
                    {}, self.scenario, self.base, "warm", duals=False, ranging=False, times={}
                )
        return self._base_result

    def inputs(self) -> list[tuple[str, float, str]]:
        """(path, value, unit) of every input a what-if can move."""
        return list(numeric_inputs(self.scenario, self.objective))

    def resolve(
        self,
        changes: Mapping[str, float],
        *,
        duals: bool = False,
        ranging: bool = False,
        time_limit: float | None = None,
    ) -> WhatIfResult:
        """The plan with ``changes`` applied, re-solved in the held model, within
        ``time_limit`` seconds (none: no limit; past it the status is ``time_limit``).

        Raises ``ScenarioError`` when a moved value breaks the schema's rules.
        """
        changes = {p: float(v) for p, v in changes.items()}
        times: dict[str, float] = {}
        t0 = time.perf_counter()
        scenario = with_values(self.scenario, changes)
        times["validate"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        arrays, route = self._arrays_for(scenario, changes)
        times["build"] = time.perf_counter() - t0
        if arrays is None:  # the model's shape moved (a row or a tier came or went)
            return self._rebuilt(changes, scenario, duals, ranging, times, time_limit)
        with self._lock:
            return self._solve(changes, scenario, arrays, route, duals, ranging, times, time_limit)

    def forced(self, values: Mapping[str, float], time_limit: float | None = None) -> WhatIfResult:
        """The scenario re-solved with the named variables fixed at ``values`` (the rest as
        they are: free, or held): "what if we had one more rep?". Warm, in the held model."""
        names = self.model.var_names()
        where = {name: j for j, name in enumerate(names)}
        columns = np.array([where[name] for name in values], dtype=np.int64)
        arrays = self._holding(self.model, self.base)
        lb, ub = arrays.lb.copy(), arrays.ub.copy()
        lb[columns] = ub[columns] = np.array([float(v) for v in values.values()])
        arrays = replace(arrays, lb=lb, ub=ub)
        with self._lock:
            t0 = time.perf_counter()
            self._warm.load(arrays)
            times = {"hand_over": time.perf_counter() - t0}
            out = self._warm.solve(duals=False, ranging=False, time_limit=time_limit)
            times.update(out.times)
            result = self._result({}, self.scenario, self.model, self.vars, arrays, out,
                                  self._route("warm, forced"), times)  # fmt: skip
            self._warm.load(self._holding(self.model, self.base))  # back to the scenario's
        return result

    def direction(self, path: str) -> Direction | None:
        """How the model's numbers move per unit of the input at ``path`` (None: no line)."""
        return self._direction(path) if affine(path) else None

    def rebuild(
        self, changes: Mapping[str, float], *, duals: bool = False, ranging: bool = False
    ) -> WhatIfResult:
        """The same what-if the long way: validate, build, hand over, solve fresh."""
        changes = {p: float(v) for p, v in changes.items()}
        times: dict[str, float] = {}
        t0 = time.perf_counter()
        scenario = with_values(self.scenario, changes)
        times["validate"] = time.perf_counter() - t0
        return self._rebuilt(changes, scenario, duals, ranging, times)

    def _rebuilt(self, changes, scenario, duals, ranging, times, time_limit=None) -> WhatIfResult:
        t0 = time.perf_counter()
        model, v = build_model(scenario, self.objective)
        model.objective_name = self.objective
        arrays = self._holding(model, model.arrays())
        times["build"] = time.perf_counter() - t0
        out = solve_fresh(self.engine, arrays, ranging=ranging, duals=duals, time_limit=time_limit)
        times.update(out.times)
        return self._result(changes, scenario, model, v, arrays, out, "rebuilt", times)

    def _holding(self, model, arrays: ModelArrays) -> ModelArrays:
        """With ``hold_headcounts``: the whole-number columns fixed at the base plan's values."""
        if not self.held:
            return arrays
        if model is self.model:
            columns = np.flatnonzero(self.base.integer)
            values = np.array(list(self.held.values()))
        else:  # a model of another shape: its whole-number columns by name
            names = model.var_names()
            columns = np.array([j for j in np.flatnonzero(arrays.integer) if names[j] in self.held])
            values = np.array([self.held[names[j]] for j in columns])
        lb, ub, integer = arrays.lb.copy(), arrays.ub.copy(), arrays.integer.copy()
        if len(columns):
            lb[columns] = ub[columns] = values
            integer[columns] = False
        return replace(arrays, lb=lb, ub=ub, integer=integer)

    # ---- the model's numbers for a what-if --------------------------------------------
    def _arrays_for(self, scenario: Scenario, changes: dict[str, float]) -> tuple:
        """The moved model's numbers and how they were found; None when its shape moved."""
        if len(changes) == 1:
            ((path, value),) = changes.items()
            direction = self._direction(path) if affine(path) else None
            if direction is not None and direction.low <= value <= direction.high:
                return direction.at(self.base, value - self.values[path]), "warm"
        built = build_model(scenario, self.objective)[0].arrays(drop_zeros=False)
        return (built if _same_shape(self.base, built) else None), "warm, data rebuilt"

    def _direction(self, path: str) -> Direction | None:
        """The input's straight line, verified on three values; None if it has none."""
        if path not in self._directions:
            self._directions[path] = (
                None if path in STRUCTURAL or path not in self.values else self._find_line(path)
            )
        return self._directions[path]

    def _find_line(self, path: str) -> Direction | None:
        value = self.values[path]
        whole = is_int_field(self.scenario, path)
        reach = max(abs(value), 1.0)
        sides = {}
        for sign in (-1.0, 1.0):
            for share in SPANS:
                step = sign * (max(1.0, round(share * reach)) if whole else share * reach)
                arrays = self._built_at(path, value + step)
                if arrays is not None:
                    sides[sign] = (value + step, arrays)
                    break
        if len(sides) == 2:
            (low, a_low), (high, a_high) = sides[-1.0], sides[1.0]
            check_at, check = value, self.base
        elif len(sides) == 1:  # one side only (a share near 1): check half way to it
            ((far, a_far),) = sides.values()
            middle = value + (far - value) / 2
            if whole and not float(middle).is_integer():
                return None
            low, high = sorted((value, far))
            a_low, a_high = (self.base, a_far) if far > value else (a_far, self.base)
            check_at, check = middle, self._built_at(path, middle)
            if check is None:
                return None
        else:
            return None
        line = Direction.between(a_low, a_high, high - low, low, high)
        if line is None or not _same_numbers(line.at(a_low, check_at - low), check):
            return None
        return line

    def _built_at(self, path: str, value: float) -> ModelArrays | None:
        """The model's numbers with one input moved, or None (refused, or another shape)."""
        try:
            other = with_values(self.scenario, {path: value})
        except Exception:  # outside the input's valid range
            return None
        arrays = build_model(other, self.objective)[0].arrays(drop_zeros=False)
        return arrays if _same_shape(self.base, arrays) else None

    # ---- solving --------------------------------------------------------------------------
    def _solve(
        self, changes, scenario, arrays, route, duals, ranging, times, time_limit=None
    ) -> WhatIfResult:
        t0 = time.perf_counter()
        arrays = self._holding(self.model, arrays)
        self._warm.load(arrays)
        times["hand_over"] = time.perf_counter() - t0
        out = self._warm.solve(duals=duals, ranging=ranging, time_limit=time_limit)
        times.update(out.times)
        route = self._route(route)
        return self._result(changes, scenario, self.model, self.vars, arrays, out, route, times)

    def _route(self, route: str) -> str:
        """``route`` as said of the held session: "warm" becomes "cold" without a warm start."""
        return route if self._warm.warm_start else route.replace("warm", "cold")

    def _result(self, changes, scenario, model, v, arrays, out, route, times) -> WhatIfResult:
        from optimizer.analysis.solve import checked

        if out.x is None:
            empty = Verification(ok=False, max_violation=float("nan"), worst="no plan")
            return WhatIfResult(
                changes, scenario, out.status, None, None, empty, route, times,
                out.message or out.solver_status, (model, v, arrays, out), self.engine.name,
            )  # fmt: skip
        t0 = time.perf_counter()
        verification, status, message = checked(scenario, v, arrays, out)
        times["check"] = time.perf_counter() - t0
        return WhatIfResult(
            changes, scenario, status, out.objective, out.x, verification, route, times,
            message, (model, v, arrays, out), self.engine.name,
        )  # fmt: skip
