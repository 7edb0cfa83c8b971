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

How one input enters the model (its *pattern*, ``optimizer.analysis.patterns``). Nearly
every input enters the model's numbers linearly when the others stay put:

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

Every model a what-if needs (the base, each line's two ends, a value off its line) comes
from a :class:`~optimizer.analysis.patterns.Patterns`, which validates and builds each
``(input, value)`` once: ``WhatIf(..., patterns=)`` shares one between what-ifs of the same
scenario (the explanation's held and hiring-free models, the plan's marginal values), and
a moved scenario met again is neither validated nor built again. ``rebuild`` builds afresh.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from optimizer.analysis.patterns import (
    NOT_AFFINE,
    NOT_AFFINE_PREFIXES,
    SPANS,
    Pattern,
    Patterns,
    affine,
    same_numbers,
)
from optimizer.analysis.result import BINDING_TOL, Plan, Verification
from optimizer.model.chain import build_model
from optimizer.model.linear import ModelArrays
from optimizer.scenario.inputs import numeric_inputs, with_values
from optimizer.scenario.schema import Scenario
from optimizer.solvers import Backend, Status, backend
from optimizer.solvers.session import open_session, solve_fresh

__all__ = [
    "NOT_AFFINE", "NOT_AFFINE_PREFIXES", "SPANS", "Pattern", "Patterns", "WhatIf",
    "WhatIfResult", "affine",
]  # fmt: skip

_same_numbers = same_numbers  # the tests' name for it


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
        patterns: Patterns | None = None,
    ):
        """``hold_headcounts`` answers the short-term question: every headcount (and staffing
        choice) stays at the base plan's, so a what-if is an LP, re-solved from the last basis.
        ``headcounts`` (whole-number variables by name, as in ``Plan.variables``) holds those
        values instead of the held model's own plan: a given plan's people.
        ``backend`` solves every what-if (``optimizer.solvers.backend``; see the module
        docstring for a backend without a warm start). ``patterns`` (of this scenario and
        objective) is the store of built models and lines to share with other what-ifs of
        it; by default the what-if has its own.
        """
        self.engine = _backend(backend)
        self.scenario = scenario
        self.objective = objective or scenario.objective
        if patterns is None:
            patterns = Patterns(scenario, self.objective)
        elif patterns.scenario is not scenario or patterns.objective != self.objective:
            raise ValueError("the patterns are another scenario's or objective's")
        self.patterns = patterns
        self.model, self.vars = patterns.model, patterns.vars
        self.base = patterns.base
        self.values = patterns.values
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
        scenario = self.patterns.scenario_at(changes)
        times["validate"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        arrays, route = self._arrays_for(changes)
        times["build"] = time.perf_counter() - t0
        if arrays is None:  # the model's shape moved (a row or a tier came or went)
            built = self.patterns.model_at(changes)
            return self._rebuilt(changes, scenario, built, duals, ranging, times, time_limit)
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

    def direction(self, path: str) -> Pattern | None:
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
        t0 = time.perf_counter()
        built = build_model(scenario, self.objective)
        times["build"] = time.perf_counter() - t0
        return self._rebuilt(changes, scenario, built, duals, ranging, times)

    def _rebuilt(
        self, changes, scenario, built, duals, ranging, times, time_limit=None
    ) -> WhatIfResult:
        """Solved from scratch: the model ``built`` (model, vars) from ``scenario``."""
        t0 = time.perf_counter()
        model, v = built
        model.objective_name = self.objective
        arrays = self._holding(model, model.arrays())
        times["build"] = times.get("build", 0.0) + time.perf_counter() - t0
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
    def _arrays_for(self, changes: dict[str, float]) -> tuple:
        """The moved model's numbers and how they were found; None when its shape moved."""
        if len(changes) == 1:
            ((path, value),) = changes.items()
            direction = self._direction(path) if affine(path) else None
            if direction is not None and direction.low <= value <= direction.high:
                return direction.at(self.base, value - self.values[path]), "warm"
        if not self.patterns.keeps_shape(changes):
            return None, "warm, data rebuilt"
        return self.patterns.arrays_at(changes), "warm, data rebuilt"

    def _direction(self, path: str) -> Pattern | None:
        """The input's straight line, verified on three values; None if it has none."""
        return self.patterns.line(path)

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
