"""The plan with something forced: today's targets met exactly, or an option a user names.

A *question* is the scenario's model with extra conditions: today's targets as equalities
(``today``: each target's linear gap, ``optimizer.model.chain.objectives.target_gaps``,
held at 0: 50 calls a rep a day is ``conversations = 50 x days x reps`` exactly, every call
a real conversation with a lead), or named variables held at a value or above one
(``named``: "8 reps", "some leads from social tier 2"). Everything else is the scenario's:
its limits, goals and objective. ``value`` solves such a model in whole people and says
whether it has a plan and what the plan earns; ``binding`` lists the limits a plan meets
exactly, in the leader's words, for the "which limits would bind instead" answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from optimizer.model.chain import Vars, build_model
from optimizer.model.chain.objectives import target_gaps
from optimizer.model.linear import LinearModel, ModelArrays
from optimizer.scenario import labels
from optimizer.scenario.names import Objective
from optimizer.scenario.schema import Scenario
from optimizer.solvers import Status
from optimizer.solvers import backend as solver_backend

BIND_TOL = 1e-6
"""A limit binds when within BIND_TOL x max(1, |limit|) of its activity."""

Condition = Callable[[LinearModel, Vars, Scenario], None]


def objective_of(scenario: Scenario) -> str:
    """The objective the question is asked under: the scenario's, unless it is closeness to
    today's targets (then today's targets are trivially best): profit."""
    if scenario.objective == Objective.closest_to_current.value:
        return Objective.max_profit.value
    return scenario.objective


def today(model: LinearModel, v: Vars, scenario: Scenario, only: str | None = None) -> None:
    """Today's targets, each met exactly (``today-{target}`` rows); ``only``: one of them."""
    for gap in target_gaps(scenario, v):
        if only is not None and gap.name != only:
            continue
        axes = [("month", list(v.months))]
        if gap.by_team is not None:
            axes.append(("team", list(gap.by_team)))
        shape = tuple(len(a[1]) for a in axes)
        model.add_rows(
            f"today-{gap.name}",
            department="today",
            description=f"Today's target: {labels.metric_label(gap.name).lower()}, met exactly.",
            axes=axes,
            lhs=gap.terms,
            sense="==",
            rhs=np.broadcast_to(np.asarray(gap.target, dtype=float), shape).copy(),
            kind="limit",
            unit=gap.unit,
        )


SPEC = re.compile(
    r"^\s*(?P<name>[A-Za-z_][\w]*(\[[^\]]*\])?)\s*(?P<op>>=|=|==)\s*(?P<value>[-+0-9.eE]+)\s*$"
)


@dataclass(frozen=True)
class Force:
    """One condition a user names: variables (a name, or a block: every one of it) held at
    ``value`` (``==``) or at least at it (``>=``)."""

    target: str
    op: str
    value: float

    @classmethod
    def parse(cls, text: str) -> Force:
        found = SPEC.match(text)
        if not found:
            raise ValueError(
                f"{text!r}: expected NAME=VALUE or NAME>=VALUE, e.g. 'reps=8' or "
                "'paid_leads[2027-01,social:2]>=100'"
            )
        op = ">=" if found["op"] == ">=" else "=="
        return cls(found["name"], op, float(found["value"]))

    def columns(self, model: LinearModel) -> np.ndarray:
        names = model.var_names()
        if "[" in self.target:
            cols = [j for j, n in enumerate(names) if n == self.target]
        else:
            block = model.var_blocks.get(self.target)
            cols = [] if block is None else list(range(block.start, block.start + block.size))
        if not cols:
            raise KeyError(
                f"{self.target!r}: no such variable in the plan (names are as in the plan's "
                "variables, e.g. reps or reps[2027-01,field])"
            )
        return np.array(cols, dtype=np.int64)

    def words(self, model: LinearModel | None = None) -> str:
        """'8 reps', 'at least 300 leads bought, social tier 2, Jan 2027' (axes named by
        ``model``'s block, when given)."""
        from optimizer.scenario.labels import number, variable_label, variable_words

        block, _, rest = self.target.partition("[")
        what = variable_words(block)[0]
        found = model.var_blocks.get(block) if model is not None else None
        if rest and found is not None:
            values = rest.rstrip("]").split(",")
            what = variable_label(block, dict(zip([a.name for a in found.axes], values)))
        elif rest:
            what = f"{what} {rest.rstrip(']')}"
        prefix = "at least " if self.op == ">=" else ""
        return f"{prefix}{number(self.value)} {what[:1].lower() + what[1:]}"


def named(
    forces: list[Force], scenario: Scenario
) -> Callable[[ModelArrays, LinearModel], ModelArrays]:
    """Bounds that hold the named variables (applied to the model's arrays). The names are
    found once, in ``scenario``'s model: a moved input may rename a column (a conversation
    length names its tier) but never moves it."""
    model, _ = build_model(scenario, objective_of(scenario))
    columns = [(force.columns(model), force) for force in forces]

    def apply(a: ModelArrays, model: LinearModel) -> ModelArrays:
        lb, ub = a.lb.copy(), a.ub.copy()
        for cols, force in columns:
            lb[cols] = force.value
            if force.op == "==":
                ub[cols] = force.value
        return replace(a, lb=lb, ub=ub)

    return apply


@dataclass
class Question:
    """What is forced: rows (``condition``) and/or bounds (``bounds``) on the model."""

    words: str
    condition: Condition | None = None
    bounds: Callable[[ModelArrays, LinearModel], ModelArrays] | None = None
    hold_people: bool = False  # "best" compares plans with the forced plan's people

    def model(
        self, scenario: Scenario, forced: bool = True
    ) -> tuple[LinearModel, Vars, ModelArrays]:
        """The scenario's model (under ``objective_of``), with the question's conditions
        when ``forced``."""
        model, v = build_model(scenario, objective_of(scenario))
        if forced and self.condition is not None:
            self.condition(model, v, scenario)
        a = model.arrays(drop_zeros=False)
        if forced and self.bounds is not None:
            a = self.bounds(a, model)
        return model, v, a


@dataclass(frozen=True)
class Solved:
    """A model solved in whole people: its plan's value, or None for no plan."""

    value: float | None
    x: np.ndarray | None
    status: str


def value(a: ModelArrays, time_limit: float | None = None) -> Solved:
    """``a`` solved (whole people), its objective or None."""
    out = solver_backend("highs").solve(a, duals=False, ranging=False, time_limit=time_limit)
    if out.status is Status.OPTIMAL and out.x is not None:
        return Solved(float(out.objective), out.x, "optimal")
    return Solved(None, None, out.status.value)


def without_goals(model: LinearModel, a: ModelArrays) -> ModelArrays:
    """``a`` with its goals (rows of kind goal) lifted: what the plan would reach."""
    lower, upper = a.row_lower.copy(), a.row_upper.copy()
    for block in model.row_blocks.values():
        if block.kind == "goal":
            lower[block.start : block.stop] = -np.inf
            upper[block.start : block.stop] = np.inf
    return replace(a, row_lower=lower, row_upper=upper)


def goal_shortfalls(
    model: LinearModel, a: ModelArrays, x: np.ndarray
) -> list[tuple[str, float, float]]:
    """Each goal ``x`` misses: (words, reached, goal), from the goal rows' two sides."""
    left, right = a.sides(x)
    names = model.row_names()
    out = []
    for block in model.row_blocks.values():
        if block.kind != "goal":
            continue
        for i in range(block.start, block.stop):
            short = right[i] - left[i] if block.sense == ">=" else left[i] - right[i]
            if short > BIND_TOL * max(1.0, abs(right[i])):
                words = labels.row_label(block.name, labels.row_axes(names[i], block.name))
                out.append((words, float(left[i]), float(right[i])))
    return out


def binding(model: LinearModel, a: ModelArrays, x: np.ndarray) -> dict[str, str]:
    """The limits and goals ``x`` meets exactly (not definitions): row name -> words."""
    left, right = a.sides(x)
    out = {}
    names = model.row_names()
    for block in model.row_blocks.values():
        if block.kind == "definition" or block.sense == "==" or block.department == "today":
            continue
        for i in range(block.start, block.stop):
            if not (np.isfinite(a.row_upper[i]) or np.isfinite(a.row_lower[i])):
                continue
            if abs(left[i] - right[i]) <= BIND_TOL * max(1.0, abs(right[i])):
                if abs(right[i]) <= 1e-9 and abs(left[i]) <= 1e-9:
                    continue  # a limit of zero met at zero (a floor no one is below)
                family = block.name
                axes = labels.row_axes(names[i], family)
                out[names[i]] = labels.row_label(family, axes)
    return out
