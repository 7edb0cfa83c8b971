"""One point of a trade-off curve: the scenario solved again, checked twice."""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.analysis import ties
from optimizer.analysis.result import VERIFY_TOL, Plan
from optimizer.analysis.solve import assemble, solve, tie_stages
from optimizer.analysis.tradeoff import limits
from optimizer.analysis.tradeoff.front import Point
from optimizer.model.chain import Vars, build_model
from optimizer.runtime.deadline import Deadline
from optimizer.scenario.inputs import with_values
from optimizer.scenario.schema import Scenario
from optimizer.solvers import Status
from optimizer.solvers import backend as solver_backend
from optimizer.solvers.session import solve_fresh


@dataclass
class Solver:
    scenario: Scenario
    objective: str
    long_minutes: float

    def moved(self, changes: dict[str, float], value: float, own: bool) -> Point:
        """The scenario solved again with inputs moved (the input axes)."""
        try:
            scenario = with_values(self.scenario, changes)
        except Exception as exc:  # noqa: BLE001 - a value the schema refuses is no plan
            return _no_plan(value, f"the input is refused: {exc}", self.scenario, own)
        plan = solve(scenario, self.objective, marginals=False, whole_steps=False)
        _, v = build_model(scenario, self.objective)
        return self._point(plan, scenario, v, value, None, own)

    def limited(self, axis: str, eps: float, own: bool) -> Point:
        """The scenario solved with the axis's epsilon row added (``limits``)."""
        scenario, objective = self.scenario, self.objective
        model, v = build_model(scenario, objective)
        limits.adder(axis, scenario, eps, self.long_minutes)(model, v)
        arrays = model.arrays()
        engine = solver_backend("highs")
        lp = not arrays.integer.any()
        out = solve_fresh(engine, arrays, duals=lp, ranging=lp)
        out = ties.settle(
            scenario, model, v, arrays, out, engine, objective=objective,
            deadline=Deadline(), stages=tie_stages(arrays),
        )  # fmt: skip
        plan = assemble(
            scenario, model, v, arrays, out, objective=objective, engine=engine,
            marginals=False, whole_steps=False,
        )  # fmt: skip
        return self._point(plan, scenario, v, eps, axis, own)

    def _point(
        self, plan: Plan, scenario: Scenario, v: Vars, eps: float, axis: str | None, own: bool
    ) -> Point:
        floor = float(scenario.sales.min_minutes_per_quality_conversation)
        if not plan.solved or plan.objective is None:
            return _no_plan(eps, plan.message, scenario, own, plan)
        x = plan.variables["value"].to_numpy(dtype=float)
        worst, violation = plan.verified.worst, max(0.0, float(plan.verified.max_violation))
        value = eps
        if axis is not None:
            value = limits.measure(axis, x, v, scenario, self.long_minutes)
            over = limits.excess(axis, value, eps)
            if over > violation:
                worst, violation = f"the {axis} limit", over
        ok = (
            plan.status in (Status.OPTIMAL, Status.FEASIBLE)
            and plan.verified.ok
            and violation <= VERIFY_TOL
        )
        return Point(
            epsilon=float(eps),
            value=float(value),
            objective=float(plan.objective),
            profit=_profit(plan),
            status=plan.status.value,
            verified=bool(ok),
            worst_violation=violation,
            worst=worst,
            reason="" if ok else (plan.message or f"fails the check: {worst}"),
            headcount=limits.headcount(x, v, scenario),
            long_share=limits.long_share(x, v, scenario, self.long_minutes),
            quality_floor=floor,
            own=own,
            plan=plan,
        )


def _no_plan(eps, reason, scenario, own, plan=None) -> Point:
    return Point(
        epsilon=float(eps), value=None, objective=None, profit=None,
        status=plan.status.value if plan is not None else "refused", verified=False,
        worst_violation=float("nan"), worst="no plan", reason=reason or "no plan",
        headcount=None, long_share=None,
        quality_floor=float(scenario.sales.min_minutes_per_quality_conversation), own=own,
        plan=plan,
    )  # fmt: skip


def _profit(plan: Plan) -> float | None:
    """Profit over the horizon: the sum of the plan's monthly profit."""
    t = plan.targets
    rows = t[(t["metric"] == "profit") & (t["role"] == "finance")]
    return float(rows["value"].sum()) if len(rows) else None
