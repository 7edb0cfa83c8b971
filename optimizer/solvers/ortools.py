"""OR-Tools MathOpt: SCIP (GSCIP) for the integer model, GLOP or PDLP for the LP.

Backend names: ``ortools`` (alias ``glop``, ``scip``) solves the LP with GLOP, Google's
primal/dual simplex; ``pdlp`` solves it with PDLP, a first-order method for very large LPs
(tolerance 1e-11 here, then 1e-9 if that does not converge, with GLOP's presolve, since a
plan must pass the independent check at 1e-6). On these small, degenerate models PDLP is
slow and fragile: the bundled scenarios' fixed LPs take 0.02 to 0.5 s (GLOP: milliseconds),
and the software company's LP relaxation, with its Erlang staffing choice, does not
converge at all (the status is then ``time_limit``). What-if re-solves use GLOP (see
``twostage.ResolvingFixedLP``).

The integer model goes to SCIP through MathOpt, not to CP-SAT: CP-SAT solves only integer
models with integer coefficients, and this model's conversations, leads and dollars are
continuous. Loading it into CP-SAT would put those on a scaled integer grid, which can cut
off the optimum or admit points that violate a row; a plan from it would not be the
model's optimum. (CP-SAT is used where that is sound: proposing conflict sets, see
``optimizer.solvers.cpsat``.)

Signs: MathOpt's dual values and reduced costs are the objective's change, in its own
sense, per unit increase of a constraint's (active) bound. Measured on max 3x + 2y,
x + y <= 4, x <= 3: duals 2 and 1; on min 3x + 2y with x >= 1: 3. That is the product's
convention; no sign is flipped.

Errors: a MathOpt failure (an invalid parameter, a solver that cannot run) can surface as a
secondary exception raised while MathOpt converts the solver's status, with the solver's
own message only in ``e.__context__``. :func:`run` reports that message.
"""

from __future__ import annotations

import datetime
import threading

import numpy as np

from optimizer.model.linear import ModelArrays
from optimizer.solvers import SolverOutput, Status, held, twostage
from optimizer.solvers.twostage import Raw

MIP_REL_GAP = 1e-7
PDLP_ATTEMPTS = ((1e-11, 300_000), (1e-9, 500_000))
"""PDLP's optimality tolerance and iteration cap, tightest first: the plan must pass the
independent check at 1e-6, which PDLP's primal meets at 1e-11 (measured violations 1e-9 to
2e-7) but not always at 1e-9 (up to 6e-6). If neither attempt converges, the status is
``time_limit`` (an iteration limit), never optimal."""


class MathOptError(RuntimeError):
    """A MathOpt call failed; the message is the solver's own."""


def error_message(exc: BaseException) -> str:
    """The real message of a MathOpt error: the innermost context that says something."""
    messages = []
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        text = str(exc).strip()
        if text:
            messages.append(f"{type(exc).__name__}: {text}")
        exc = exc.__context__ or exc.__cause__
    # the first exception is often MathOpt's own conversion failing; the context is the cause
    return messages[-1] if len(messages) > 1 else (messages[0] if messages else "unknown error")


def run(model, solver_type, params=None):
    """``mathopt.solve`` with the solver's own message on failure (``MathOptError``)."""
    from ortools.math_opt.python import mathopt

    try:
        return mathopt.solve(model, solver_type, params=params)
    except Exception as exc:  # noqa: BLE001 - re-raised with the real message
        raise MathOptError(error_message(exc)) from exc


def _model(a: ModelArrays, lb: np.ndarray, ub: np.ndarray, integer: np.ndarray, cost):
    from ortools.math_opt.python import mathopt

    m = mathopt.Model(name="kpi_optimizer")
    xs = [
        m.add_variable(lb=float(lb[j]), ub=float(ub[j]), is_integer=bool(integer[j]), name=f"x{j}")
        for j in range(a.num_vars)
    ]
    cons = [
        m.add_linear_constraint(lb=float(a.row_lower[i]), ub=float(a.row_upper[i]), name=f"r{i}")
        for i in range(a.num_rows)
    ]
    rows, cols, vals = twostage.merged_coo(a)
    for i, j, v in zip(rows.tolist(), cols.tolist(), vals.tolist()):
        cons[i].set_coefficient(xs[j], v)
    for j in np.flatnonzero(cost).tolist():
        m.objective.set_linear_coefficient(xs[j], float(cost[j]))
    m.objective.is_maximize = a.sense == "max"
    return m, xs, cons


class Model:
    """The MathOpt model of one model shape, held (``optimizer.solvers.held``): built once
    (``_model``), then each solve changes its objective, variable bounds and integrality,
    constraint bounds and coefficients in place, where they differ from the numbers it
    holds. MathOpt exports the model it holds to its solver at each solve, and that model is
    the one a fresh build gives (``export_model`` is equal; tested), so SCIP, GLOP and PDLP
    get the same input and give the same answer. Each solve is cold: a warm GLOP start
    (``IncrementalSolver`` or an initial basis) changed re-solved objectives in their last
    digits (up to 1.4e-9 on 2.1e6, regional sales) and saved about 15 % of a 3 ms solve.
    """

    def __init__(self, a: ModelArrays, lb: np.ndarray, ub: np.ndarray, integer: np.ndarray):
        self.lock = threading.Lock()
        self.shape = held.Shape(a)
        self.cost = a.solver_cost().copy()
        self.m, self.xs, self.cons = _model(a, lb, ub, integer, self.cost)
        self.sense = a.sense
        self.lb, self.ub, self.integer = lb.copy(), ub.copy(), integer.copy()
        self.row_lower, self.row_upper = a.row_lower.copy(), a.row_upper.copy()

    def load(self, a: ModelArrays, lb: np.ndarray, ub: np.ndarray, integer: np.ndarray) -> bool:
        """Hold ``a``'s numbers with these column bounds and integrality; False (nothing
        changed) for another shape."""
        vals = self.shape.coefficients(a)
        if vals is None:
            return False
        xs, cons, objective = self.xs, self.cons, self.m.objective
        if a.sense != self.sense:
            objective.is_maximize = a.sense == "max"
            self.sense = a.sense
        cost = a.solver_cost()
        for j in held.changed(cost, self.cost).tolist():
            objective.set_linear_coefficient(xs[j], float(cost[j]))
        for j in held.changed(lb, self.lb).tolist():
            _put(xs[j], "lower_bound", float(lb[j]))
        for j in held.changed(ub, self.ub).tolist():
            _put(xs[j], "upper_bound", float(ub[j]))
        for j in np.flatnonzero(integer != self.integer).tolist():
            xs[j].integer = bool(integer[j])
        for i in held.changed(a.row_lower, self.row_lower).tolist():
            _put(cons[i], "lower_bound", float(a.row_lower[i]))
        for i in held.changed(a.row_upper, self.row_upper).tolist():
            _put(cons[i], "upper_bound", float(a.row_upper[i]))
        for k in held.changed(vals, self.shape.vals).tolist():
            cons[self.shape.rows[k]].set_coefficient(xs[self.shape.cols[k]], float(vals[k]))
        self.shape.hold(a, vals)
        self.cost, self.lb, self.ub = cost.copy(), lb.copy(), ub.copy()
        self.integer = integer.copy()
        self.row_lower, self.row_upper = a.row_lower.copy(), a.row_upper.copy()
        return True


def _put(element, attribute: str, value: float) -> None:
    """``element.attribute = value`` for a value that differs to the bit from the one held.
    MathOpt ignores a set to a value equal to the current one, so 0.0 -> -0.0 would not
    reach the model (and the sign of a zero bound reaches GLOP's answer: measured, -0.0
    against 0.0 in a what-if's x); it goes through another value first."""
    if value == 0.0 and getattr(element, attribute) == 0.0:
        setattr(element, attribute, 1.0)
    setattr(element, attribute, value)


SHELF = held.Shelf(Model)
"""MathOpt's held models (``optimizer.solvers.held``): one per model shape, shared by SCIP,
GLOP and PDLP."""


def _status(result) -> tuple[Status, bool, str]:
    """Map MathOpt's termination to a status, whether a solution came back, and words."""
    from ortools.math_opt.python import mathopt

    term = result.termination
    R = mathopt.TerminationReason
    text = term.reason.name
    if term.limit is not None and term.reason in (R.FEASIBLE, R.NO_SOLUTION_FOUND):
        text += f" (limit: {term.limit.name})"
    if term.detail:
        text += f": {term.detail}"
    if term.reason == R.OPTIMAL:
        return Status.OPTIMAL, True, text
    if term.reason == R.INFEASIBLE:
        return Status.INFEASIBLE, False, text
    if term.reason in (R.UNBOUNDED, R.INFEASIBLE_OR_UNBOUNDED):
        return Status.UNBOUNDED, False, text
    if term.reason == R.FEASIBLE:  # a limit stopped it with a solution in hand
        return Status.TIME_LIMIT, result.has_primal_feasible_solution(), text
    if term.reason == R.NO_SOLUTION_FOUND:
        return Status.TIME_LIMIT, False, text
    return Status.ERROR, False, text  # IMPRECISE, NUMERICAL_ERROR, OTHER_ERROR


def _params(time_limit: float | None, **kwargs):
    from ortools.math_opt.python import mathopt

    params = mathopt.SolveParameters(threads=1, **kwargs)
    if time_limit is not None:
        params.time_limit = datetime.timedelta(seconds=float(time_limit))
    return params


class MathOptEngine(twostage.Engine):
    """SCIP for integer models; GLOP or PDLP for LPs. No ranging; PDLP's duals need the
    cleaning by complementary slackness (``twostage.clean_duals``). Every solve is on the
    held model of the model's shape (``SHELF``; ``held`` is this engine's last one)."""

    def __init__(self, lp_solver: str = "glop"):
        if lp_solver not in ("glop", "pdlp"):
            raise ValueError(f"unknown MathOpt LP solver {lp_solver!r}: expected glop or pdlp")
        self.lp_solver = lp_solver
        self.name = "ortools" if lp_solver == "glop" else "pdlp"
        self.held: Model | None = None
        # what-if re-solves of the fixed LP (see twostage.ResolvingFixedLP)
        self.resolver = self if lp_solver == "glop" else MathOptEngine("glop")

    def _solve(self, model, solver_type, params, label: str) -> tuple[object | None, Raw | None]:
        try:
            return run(model, solver_type, params), None
        except MathOptError as exc:
            return None, Raw(Status.ERROR, f"{label}: error", message=str(exc))

    def _on_held(self, a: ModelArrays, lb, ub, integer, run_it):
        answer, self.held = SHELF.solve(a, lb, ub, integer, run_it, last=self.held)
        return answer

    def mip(self, a: ModelArrays, time_limit: float | None) -> Raw:
        raw, failed = self._on_held(a, a.lb, a.ub, a.integer, lambda m: self._mip(m, time_limit))
        return self._unbounded_or(a, raw) if failed else raw

    def _mip(self, held_model: Model, time_limit: float | None) -> tuple[Raw, bool]:
        """SCIP on the held model: (its answer, whether MathOpt failed)."""
        from ortools.math_opt.python import mathopt

        params = _params(time_limit, relative_gap_tolerance=MIP_REL_GAP)
        result, failed = self._solve(held_model.m, mathopt.SolverType.GSCIP, params, "SCIP")
        if failed is not None:
            return failed, True
        status, has_solution, text = _status(result)
        raw = Raw(status, f"SCIP: {text}")
        if has_solution:
            raw.x = np.array(result.variable_values(held_model.xs), dtype=float)
            bounds = result.termination.objective_bounds
            primal, dual = bounds.primal_bound, bounds.dual_bound
            if np.isfinite(primal) and np.isfinite(dual):
                raw.gap = abs(primal - dual) / max(abs(primal), 1e-9)
        return raw, False

    def _unbounded_or(self, a: ModelArrays, failed: Raw) -> Raw:
        """SCIP's answer on an unbounded MIP can fail MathOpt's own check (measured:
        "Expected no NaN or inf ... objective_value [INTERNAL]"). A feasible MIP whose LP
        relaxation is unbounded is unbounded (rational data), so that is checked instead."""
        if a.integer.any() and (np.any(a.c != 0) or np.any(a.c_tiebreak != 0)):
            from dataclasses import replace

            zero = replace(a, c=np.zeros_like(a.c), c_tiebreak=np.zeros_like(a.c))
            feasible = self.mip(zero, None)
            relaxed = self.lp(a, a.lb, a.ub, None, False)
            if feasible.status is Status.OPTIMAL and relaxed.status is Status.UNBOUNDED:
                return Raw(
                    Status.UNBOUNDED,
                    "SCIP: UNBOUNDED (a feasible MIP with an unbounded LP relaxation)",
                    message=f"SCIP's own answer failed MathOpt's check: {failed.message}",
                )
        return failed

    def lp(self, a, lb, ub, time_limit=None, duals=True) -> Raw:
        integer = np.zeros(a.num_vars, bool)
        return self._on_held(a, lb, ub, integer, lambda m: self._lp(m, time_limit, duals))

    def _lp(self, held_model: Model, time_limit, duals) -> Raw:
        from ortools.math_opt.python import mathopt

        m, xs, cons = held_model.m, held_model.xs, held_model.cons
        if self.lp_solver == "pdlp":
            solver, label = mathopt.SolverType.PDLP, "PDLP"
            for eps, iterations in PDLP_ATTEMPTS:
                params = _params(time_limit)
                criteria = params.pdlp.termination_criteria.simple_optimality_criteria
                criteria.eps_optimal_relative = eps
                criteria.eps_optimal_absolute = eps
                params.pdlp.termination_criteria.iteration_limit = iterations
                params.pdlp.presolve_options.use_glop = True
                result, failed = self._solve(m, solver, params, label)
                if failed is not None:
                    return failed
                if result.termination.reason != mathopt.TerminationReason.NO_SOLUTION_FOUND:
                    break
                if result.termination.limit != mathopt.Limit.ITERATION:
                    break  # a time limit: no second attempt
        else:
            solver, label = mathopt.SolverType.GLOP, "GLOP"
            result, failed = self._solve(m, solver, _params(time_limit), label)
            if failed is not None:
                return failed
        status, has_solution, text = _status(result)
        raw = Raw(status, f"{label}: {text}")
        if not has_solution:
            return raw
        raw.x = np.array(result.variable_values(xs), dtype=float)
        if duals and status is Status.OPTIMAL:
            if not result.has_dual_feasible_solution():
                return Raw(Status.ERROR, f"{label}: {text}; no dual solution")
            raw.row_dual = np.array(result.dual_values(cons), dtype=float)
            raw.col_dual = np.array(result.reduced_costs(xs), dtype=float)
        return raw


def solve(
    a: ModelArrays,
    *,
    time_limit: float | None = None,
    ranging: bool = True,
    duals: bool = True,
    polish: bool = False,
    lp_solver: str = "glop",
) -> SolverOutput:
    """``twostage.solve`` on MathOpt; ``ranging`` is accepted for the common signature (NaN)."""
    return twostage.solve(
        MathOptEngine(lp_solver), a, time_limit=time_limit, ranging=ranging, duals=duals,
        polish=polish,
    )  # fmt: skip


def solve_pdlp(a: ModelArrays, **kwargs) -> SolverOutput:
    return solve(a, lp_solver="pdlp", **kwargs)


def pdlp_engine() -> MathOptEngine:
    """The ``pdlp`` backend's engine: SCIP, then PDLP for the LP (what-ifs by GLOP)."""
    return MathOptEngine("pdlp")
