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

import numpy as np

from optimizer.model.linear import ModelArrays
from optimizer.solvers import SolverOutput, Status, twostage
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
    cleaning by complementary slackness (``twostage.clean_duals``)."""

    def __init__(self, lp_solver: str = "glop"):
        if lp_solver not in ("glop", "pdlp"):
            raise ValueError(f"unknown MathOpt LP solver {lp_solver!r}: expected glop or pdlp")
        self.lp_solver = lp_solver
        self.name = "ortools" if lp_solver == "glop" else "pdlp"
        # what-if re-solves of the fixed LP (see twostage.ResolvingFixedLP)
        self.resolver = self if lp_solver == "glop" else MathOptEngine("glop")

    def _solve(self, model, solver_type, params, label: str) -> tuple[object | None, Raw | None]:
        try:
            return run(model, solver_type, params), None
        except MathOptError as exc:
            return None, Raw(Status.ERROR, f"{label}: error", message=str(exc))

    def mip(self, a: ModelArrays, time_limit: float | None) -> Raw:
        from ortools.math_opt.python import mathopt

        m, xs, _ = _model(a, a.lb, a.ub, a.integer, a.solver_cost())
        params = _params(time_limit, relative_gap_tolerance=MIP_REL_GAP)
        result, failed = self._solve(m, mathopt.SolverType.GSCIP, params, "SCIP")
        if failed is not None:
            return self._unbounded_or(a, failed)
        status, has_solution, text = _status(result)
        raw = Raw(status, f"SCIP: {text}")
        if has_solution:
            raw.x = np.array(result.variable_values(xs), dtype=float)
            bounds = result.termination.objective_bounds
            primal, dual = bounds.primal_bound, bounds.dual_bound
            if np.isfinite(primal) and np.isfinite(dual):
                raw.gap = abs(primal - dual) / max(abs(primal), 1e-9)
        return raw

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
        from ortools.math_opt.python import mathopt

        m, xs, cons = _model(a, lb, ub, np.zeros(a.num_vars, bool), a.solver_cost())
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
