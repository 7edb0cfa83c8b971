"""Scenario in, plan out: build, solve, check independently, derive targets, report limits."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.analysis import check, funnel, money, pricing, targets, ties
from optimizer.analysis.horizon import starved_last_month
from optimizer.analysis.marginal import COLUMNS as PARAM_COLUMNS
from optimizer.analysis.marginal import OUT_OF_TIME, marginal_values
from optimizer.analysis.patterns import Patterns
from optimizer.analysis.result import (
    BINDING_TOL,
    OPTIMAL_GAP,
    VERIFY_TOL,
    Plan,
    Verification,
    describe,
)
from optimizer.analysis.variables import variable_table
from optimizer.model.chain import Vars, build_model
from optimizer.model.linear import LinearModel, ModelArrays
from optimizer.runtime.deadline import Deadline
from optimizer.scenario.labels import check_label
from optimizer.scenario.schema import Scenario
from optimizer.solvers import Backend, SolverOutput, Status
from optimizer.solvers import backend as solver_backend

CONSTRAINT_COLUMNS = [
    "name",
    "family",
    "department",
    "kind",
    "description",
    "period",
    "activity",
    "limit",
    "slack",
    "binding",
    "shadow_price",
    "lp_dual",
    "allowable_increase",
    "allowable_decrease",
    "degenerate",
    "whole_step_value",
    "whole_fewer_value",
    "binds_in_whole_people",
    "step_limit",
    "parameter",
    "unit",
]


def solve(
    scenario: Scenario,
    objective: str | None = None,
    *,
    time_limit: float | Deadline | None = None,
    marginals: bool | None = None,
    whole_steps: bool | None = None,
    mip_gap: float | None = None,
    source: str = "",
    overrides: tuple[str, ...] = (),
    backend: str | Backend = "highs",
    patterns: Patterns | None = None,
) -> Plan:
    """Solve a validated scenario and return a checked plan (never a solver object).

    ``backend`` names the solver (``optimizer.solvers.BACKENDS``: highs, cbc, ortools,
    pdlp); the plan has the same shape and sign conventions whichever runs.

    ``marginals`` adds the marginal value of every input; ``whole_steps`` re-solves the
    integer model for the value of one more whole person at each binding headcount limit.
    Both cost extra solves; None (the default) computes them for models of at most
    ``DETAIL_LIMIT`` variables and says so in the plan's notes above that. ``mip_gap`` is
    HiGHS's relative gap for an integer model (default ``highs.MIP_GAP``); a plan whose
    proven gap is above ``OPTIMAL_GAP`` is ``feasible``, never ``optimal``.

    ``time_limit`` (seconds, or a ``Deadline`` shared with later stages) bounds the whole
    answer: the solve, then shadow prices, whole-person values and marginal values, each
    stopping when time runs out with a note saying what was left undone.

    ``patterns`` (``optimizer.analysis.patterns``, of this scenario and objective) is the
    answer's store of moved models and input lines, shared with the explanation that
    follows: the marginal values then take each input's derivative from its line (learnt
    once for both) instead of a build of their own.
    """
    objective = objective or scenario.objective
    deadline = Deadline.of(time_limit)
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    model, v = build_model(scenario, objective)
    arrays = model.arrays()
    times["build"] = time.perf_counter() - t0
    engine = solver_backend(backend)
    if mip_gap is not None and not engine.takes_mip_gap:
        raise ValueError(f"mip_gap is set for HiGHS only, not for the {engine.name} backend")
    options = {"options": {"mip_rel_gap": float(mip_gap)}} if mip_gap is not None else {}
    from optimizer.runtime.isolation import stage

    stage("the solve")
    # an integer model's duals come after the ties, at the final plan's headcounts
    duals = {"duals": False} if arrays.integer.any() else {}
    out = engine.solve(arrays, time_limit=deadline.remaining(), **duals, **options)
    times.update(out.times)
    stage("the choice among equally good plans")
    out = ties.settle(
        scenario,
        model,
        v,
        arrays,
        out,
        engine,
        objective=objective,
        deadline=deadline,
        options=options.get("options"),
        stages=tie_stages(arrays),
    )
    times.update(out.times)
    stage("the shadow prices and values of the plan")
    return assemble(
        scenario,
        model,
        v,
        arrays,
        out,
        objective=objective,
        engine=engine,
        marginals=marginals,
        whole_steps=whole_steps,
        source=source,
        overrides=overrides,
        times=times,
        deadline=deadline,
        patterns=patterns,
    )


DETAIL_LIMIT = 5_000
"""Models with more variables than this get no marginal values and no whole-person
re-solves unless asked for: each costs a model build per input or an integer re-solve,
which on a company of a thousand teams would take hours."""


def tie_stages(arrays: ModelArrays) -> int | None:
    """How many tie stages a model gets (None: all of them; see ``optimizer.analysis.ties``).

    Above ``FULL_TIES_LIMIT`` variables only the first (fewest headcount changes): each
    integer stage is an integer model as hard as the plan's own (measured on a 50-team,
    12-month model of 3 840 variables: the plan 24 s, the first stage 22 s more, the whole
    order 140 s more). Decided by size, not by a clock, so the same model always gets the
    same stages whatever the machine's load.
    """
    return 1 if arrays.num_vars > FULL_TIES_LIMIT else None


FULL_TIES_LIMIT = 1_000
"""Models of at most this many variables (the bundled ones have 24 to 246) get every tie
stage; larger ones the first only, with a note."""


def assemble(
    scenario: Scenario,
    model: LinearModel,
    v: Vars,
    arrays: ModelArrays,
    out: SolverOutput,
    *,
    objective: str,
    engine: Backend | None = None,
    marginals: bool | None = None,
    whole_steps: bool | None = None,
    source: str = "",
    overrides: tuple[str, ...] = (),
    times: dict[str, float] | None = None,
    verified: tuple[Verification, Status, str] | None = None,
    deadline: Deadline | None = None,
    patterns: Patterns | None = None,
) -> Plan:
    """The plan from a solver's output: checked independently, with targets and limits.

    The steps, in order: ``checked`` (the independent check), ``targets.derive``,
    ``positions`` (each limit's slack and range, from the output), ``pricing.prices``
    (the re-solves for degenerate limits and whole people), ``limit_table`` (assembly
    only), ``marginal_values`` (a model build per input). An output that ``ties.settle``
    has not seen (a what-if's) is settled here first.

    ``verified`` is ``checked``'s answer for this output when the caller already has it.
    """
    times = {} if times is None else times
    deadline = deadline or Deadline()
    if not out.settled and out.status is Status.OPTIMAL and out.x is not None:
        # a plan solved elsewhere (a what-if's held model): the same choice among equally
        # good plans as ``solve`` makes, so its targets are ``solve``'s
        t0 = time.perf_counter()
        out = ties.settle(
            scenario,
            model,
            v,
            arrays,
            out,
            engine or solver_backend("highs"),
            objective=objective,
            deadline=deadline,
            duals=out.row_shadow is not None,
            ranging=out.range_up is not None,
            stages=tie_stages(arrays),
        )
        times["ties"] = time.perf_counter() - t0
        verified = None
    notes = list(out.notes)
    large = arrays.num_vars > DETAIL_LIMIT
    for name, asked in (("marginal values", marginals), ("whole-person values", whole_steps)):
        if asked is None and large:
            notes.append(
                f"{name} left out: the model has {arrays.num_vars:,} variables (more than "
                f"{DETAIL_LIMIT:,}); ask for them explicitly"
            )
    marginals = not large if marginals is None else marginals
    whole_steps = not large if whole_steps is None else whole_steps
    common = dict(
        scenario=scenario.name,
        source=source,
        objective_name=objective,
        objective_sense=model.sense,
        objective_unit=model.objective_unit,
        solver_status=out.solver_status,
        overrides=tuple(overrides),
        mip_gap=plan_gap(out),
        mip_bound=out.mip_bound,
        times=times,
        backend=engine.name if engine is not None else "highs",
    )
    if out.x is None or out.status is Status.ERROR:
        # a solver's error is no plan, whatever it left in x (the whole numbers of a model
        # whose fixed LP then failed): it says why, and nothing is checked or presented
        return _unsolved(out, common, scenario)

    if verified is None:
        t0 = time.perf_counter()
        verified = checked(scenario, v, arrays, out)
        times["check"] = time.perf_counter() - t0
    verification, status, message = verified
    if status is Status.FEASIBLE and out.row_shadow is None and out.status is Status.TIME_LIMIT:
        notes.append("shadow prices left out: the search stopped before the plan was proven")
    q = {name: out.x[idx] for name, idx in v.index.items()}
    t0 = time.perf_counter()
    target_table = targets.derive(scenario, q, v.months)
    at, worth = priced(model, arrays, out, whole_steps, engine, notes, deadline)
    constraints = limit_table(model, out, at, worth)
    variables = variable_table(model, arrays, out, resolve=not large)
    times["report"] = time.perf_counter() - t0
    parameters = pd.DataFrame(columns=PARAM_COLUMNS)
    if marginals and out.row_shadow is not None:
        t0 = time.perf_counter()
        parameters = marginal_values(
            scenario,
            objective,
            arrays,
            out.x,
            out.row_shadow,
            worth.degenerate,
            out.fixed_lp,
            out.objective,
            worth.shadow,
            deadline=deadline,
            patterns=patterns,
            lines=patterns is not None,
        )
        undone = int(parameters["note"].eq(OUT_OF_TIME).sum())
        if undone:
            notes.append(
                f"marginal values of {undone} of {len(parameters)} inputs not computed: "
                "the time limit ran out"
            )
        times["marginal_values"] = time.perf_counter() - t0
    describe(constraints, parameters, common["objective_sense"])
    notes += money.notes(scenario, target_table)
    notes += funnel.notes(scenario, target_table, constraints)
    starved = starved_last_month(scenario, target_table)
    if starved:
        notes.append(starved)
    return Plan(
        status=status,
        objective=out.objective,
        verified=verification,
        targets=target_table,
        constraints=constraints,
        parameters=parameters,
        variables=variables,
        message=message,
        notes=tuple(notes),
        **common,
    )


def checked(
    scenario: Scenario, v: Vars, arrays: ModelArrays, out: SolverOutput
) -> tuple[Verification, Status, str]:
    """The independent check of a solver's plan, and the status and message it leaves.

    A plan the solver calls optimal that fails the check is an ``error``, never optimal.
    """
    q = {name: out.x[idx] for name, idx in v.index.items()}
    verification = _verify(scenario, arrays, out.x, q, out)
    status, message = out.status, out.message
    if unproven(out):  # a whole-number plan not proven optimal: feasible, with its gap
        status, message = Status.FEASIBLE, within_gap(out, arrays.sense)
    if status in (Status.OPTIMAL, Status.FEASIBLE) and not verification.ok:
        status = Status.ERROR
        message = (
            f"the solver reported {out.status.value}, but the plan breaks "
            f"{check_label(verification.worst)} "
            f"by {verification.max_violation:.3g} (relative); it is not presented as a plan"
        )
    return verification, status, message


def unproven(out: SolverOutput) -> bool:
    """A whole-number plan the solver did not prove within ``OPTIMAL_GAP`` of the best
    possible: it stopped at a looser gap (``GAP_POLICY``, ``--mip-gap``) or at its time limit
    with a plan in hand. Such a plan is ``feasible``, never ``optimal``."""
    return out.x is not None and _short_of_proof(out)


def _short_of_proof(out: SolverOutput) -> bool:
    if out.mip_gap is None:
        return False
    if out.status is Status.TIME_LIMIT:
        return True
    return out.status is Status.OPTIMAL and not out.mip_gap <= OPTIMAL_GAP


def plan_gap(out: SolverOutput) -> float | None:
    """The plan's proven relative gap: the solver's, or, for a plan not proven optimal, its own
    distance to the solver's best bound where that is larger (a tie stage may keep a plan
    below the solver's best, within the gap)."""
    gap, bound, objective = out.mip_gap, out.mip_bound, out.objective
    if not _short_of_proof(out) or bound is None or objective is None or not math.isfinite(bound):
        return gap
    return max(gap, abs(bound - objective) / max(1.0, abs(objective)))


def within_gap(out: SolverOutput, sense: str) -> str:
    """'feasible, within 0.030 % of the best possible (...): no plan reaches more than
    3,196,006,119', from the solver's proven gap and best bound (``out.mip_bound``; without
    one, the bound the gap implies)."""
    objective, gap, bound = out.objective, plan_gap(out), out.mip_bound
    stopped = (
        f"the solver stopped early: {out.solver_status or 'time limit'}"
        if out.status is Status.TIME_LIMIT
        else "the solver stopped at the gap it was given"
    )
    if gap is None or not math.isfinite(gap):
        return f"feasible, the best plan found ({stopped}); how far from the best possible is not known"
    if bound is None or not math.isfinite(bound):
        slack = gap * max(1.0, abs(objective))
        bound = objective + slack if sense == "max" else objective - slack
    better = "more than" if sense == "max" else "less than"
    shown = math.ceil(bound) if sense == "max" else math.floor(bound)  # rounded outwards: true
    return (
        f"feasible, within {gap:.3%} of the best possible ({stopped}): no plan reaches "
        f"{better} {shown:,.0f}"
    )


NO_PLAN = {
    Status.INFEASIBLE: "no plan meets every limit and goal",
    Status.UNBOUNDED: "the objective has no bound: some quantity can grow without limit",
    Status.TIME_LIMIT: "the time limit ran out before any plan was found",
    Status.ERROR: "the solver could not use this model",
}


def no_plan_message(status: Status, solver_status: str, scenario: Scenario) -> str:
    """Why there is no plan, in words (never empty); for a solver error, the inputs
    nearest the edge of their range, the first place to look."""
    from optimizer.scenario.inputs import nearest_bounds

    text = f"{NO_PLAN.get(status, 'no plan')} (solver: {solver_status or 'no status'})"
    if status is Status.ERROR:
        suspects = nearest_bounds(scenario)
        if suspects:
            text += "; the inputs nearest the edge of their range: " + ", ".join(suspects)
    return text


def _unsolved(out: SolverOutput, common: dict, scenario: Scenario) -> Plan:
    empty = Verification(ok=False, max_violation=float("nan"), worst="no plan")
    message = out.message or no_plan_message(out.status, out.solver_status, scenario)
    constraints = pd.DataFrame(columns=CONSTRAINT_COLUMNS)
    parameters = pd.DataFrame(columns=PARAM_COLUMNS)
    describe(constraints, parameters)  # the same columns as a plan's, empty
    return Plan(
        status=out.status,
        objective=None,
        verified=empty,
        message=message,
        targets=pd.DataFrame(columns=targets.COLUMNS),
        constraints=constraints,
        parameters=parameters,
        variables=pd.DataFrame(columns=["name", "block", "value"]),
        **common,
    )


def _verify(
    scenario: Scenario, a: ModelArrays, x: np.ndarray, q: dict, out: SolverOutput
) -> Verification:
    """The scenario-level check, and the model's own rows and bounds re-evaluated here."""
    domain = check.verify(scenario, q)
    act = a.row_activity(x)
    scale = np.maximum(
        1.0,
        np.maximum(
            np.abs(np.nan_to_num(a.row_lower, posinf=0, neginf=0)),
            np.abs(np.nan_to_num(a.row_upper, posinf=0, neginf=0)),
        ),
    )
    row_excess = np.maximum(a.row_lower - act, act - a.row_upper) / scale
    bound_excess = np.maximum(a.lb - x, x - a.ub) / np.maximum(1.0, np.abs(x))
    int_excess = np.abs(x - np.round(x))[a.integer]
    model_worst = float(np.max(np.concatenate([row_excess, bound_excess, int_excess, [0.0]])))
    if model_worst > domain.max_violation:
        return Verification(model_worst <= VERIFY_TOL, model_worst, "a model row", domain.checked)
    return domain


@dataclass(frozen=True)
class Positions:
    """Where a plan puts each row of the model: arithmetic on the solver's output, no solve.

    ``activity`` and ``limit`` are the row's two sides at the plan (``ModelArrays.sides``);
    slack = limit - activity (<=), activity - limit (>=), -|activity - limit| (==); a
    limit binds when |slack| <= ``tolerance`` = BINDING_TOL * max(1, |limit|).
    ``increase`` and ``decrease`` are how far the limit moves before the plan's shape
    changes: the solver's ranging where it binds (NaN from a backend without ranging),
    its slack one way and no end the other where it has room.
    """

    sense: np.ndarray
    activity: np.ndarray
    limit: np.ndarray
    slack: np.ndarray
    tolerance: np.ndarray
    binding: np.ndarray
    increase: np.ndarray
    decrease: np.ndarray


def positions(model: LinearModel, a: ModelArrays, out: SolverOutput) -> Positions:
    """Each row's activity, limit, slack, whether it binds and its allowable range."""
    blocks = list(model.row_blocks.values())
    sizes = [b.size for b in blocks]
    sense = np.repeat(np.array([b.sense for b in blocks], dtype=object), sizes)
    kind = np.repeat(np.array([b.kind for b in blocks], dtype=object), sizes)
    activity, limit = a.sides(out.x)
    slack = np.where(
        sense == "<=",
        limit - activity,
        np.where(sense == ">=", activity - limit, -np.abs(activity - limit)),
    )
    tol = BINDING_TOL * np.maximum(1.0, np.abs(limit))
    binding = (np.abs(slack) <= tol) & (kind != "definition") & np.isfinite(limit)
    up = out.range_up if out.range_up is not None else np.full(a.num_rows, np.nan)
    down = out.range_down if out.range_down is not None else np.full(a.num_rows, np.nan)
    # a limit with slack can move by its slack one way and without end the other way
    ranged = binding | (kind == "definition")
    inc = np.where(ranged, up, np.where(sense == "<=", np.inf, slack))
    dec = np.where(ranged, down, np.where(sense == "<=", slack, np.inf))
    return Positions(sense, activity, limit, slack, tol, binding, inc, dec)


def forward_limit(a: ModelArrays) -> int:
    """How many degenerate limits get a re-solved rate: fewer above ``DETAIL_LIMIT``."""
    return pricing.FORWARD_LIMIT if a.num_vars <= DETAIL_LIMIT else pricing.FORWARD_LIMIT_LARGE


def limit_table(
    model: LinearModel, out: SolverOutput, at: Positions, worth: pricing.Prices
) -> pd.DataFrame:
    """One row per constraint, assembled from given numbers (nothing is solved here).

    The family's words (name, department, kind, description, period, parameter, unit)
    come from the model's row blocks; activity, limit, slack, binding and the allowable
    range from ``positions``; shadow_price, degenerate, whole_step_value and
    whole_fewer_value from
    ``pricing.prices``; step_limit (the most one person fewer could handle) from each
    block's ``step_limit`` at the plan, and a limit in whole people binds when one person
    fewer could not meet it (``binds_in_whole_people``).
    """
    blocks = list(model.row_blocks.values())
    if not blocks:
        return pd.DataFrame(columns=CONSTRAINT_COLUMNS)
    sizes = [b.size for b in blocks]
    step = np.full(len(at.limit), np.nan)
    for block, size in zip(blocks, sizes):
        values = block.step_limit(out.x)
        if values is not None:
            step[block.start : block.start + size] = values
    table = _row_words(blocks, sizes)
    table.update(
        {
            "activity": at.activity,
            "limit": at.limit,
            "slack": at.slack,
            "binding": at.binding,
            "shadow_price": worth.shadow,
            "lp_dual": _lp_duals(out, len(at.limit)),
            "allowable_increase": at.increase,
            "allowable_decrease": at.decrease,
            "degenerate": worth.degenerate,
            "whole_step_value": worth.whole_step,
            "whole_fewer_value": worth.whole_fewer,
            "binds_in_whole_people": np.isfinite(step) & (at.activity > step + at.tolerance),
            "step_limit": step,
        }
    )
    return pd.DataFrame({column: table[column] for column in CONSTRAINT_COLUMNS})


def _lp_duals(out: SolverOutput, rows: int) -> np.ndarray:
    """The LP's own row duals (the basis's, before degenerate limits are re-priced): what
    the variables' reduced costs and their entering thresholds are computed from."""
    if out.row_shadow is None:
        return np.full(rows, np.nan)
    return np.asarray(out.row_shadow, dtype=float)


def constraint_table(
    model: LinearModel,
    a: ModelArrays,
    out: SolverOutput,
    whole_steps: bool = True,
    engine: Backend | None = None,
    notes: list[str] | None = None,
    deadline: Deadline | None = None,
) -> pd.DataFrame:
    """A solver output's constraint table, priced: ``positions``, then ``pricing.prices``
    (its re-solves: up to ``forward_limit`` LPs, and with ``whole_steps`` up to
    ``pricing.WHOLE_STEP_LIMIT`` integer models), then ``limit_table``. For an output
    priced on its own (the cross-check's second backend); ``assemble`` takes the same
    steps in the pipeline."""
    return limit_table(model, out, *priced(model, a, out, whole_steps, engine, notes, deadline))


def priced(model, a, out, whole_steps, engine, notes, deadline):
    """Each row's position (``positions``) and its prices (``pricing.prices``: the re-solves
    for degenerate limits and one more whole person), as the constraint table takes them."""
    at = positions(model, a, out)
    worth = pricing.prices(
        a,
        out,
        at.binding,
        at.increase,
        at.sense,
        at.limit,
        most=forward_limit(a),
        whole=whole_steps,
        engine=engine,
        deadline=deadline,
        notes=notes,
    )
    return at, worth


def _row_words(blocks: list, sizes: list[int]) -> dict:
    """name, family, department, kind, description, period, parameter and unit of every row.

    A family's own words repeat over its rows; names, months and input paths come from
    the family's axes. ``parameter`` is text where every family names an input, and an
    object column holding None (no input) otherwise.
    """
    names: list[str] = []
    periods: list[np.ndarray] = []
    parameters: list = []
    every_input = True
    for block, size in zip(blocks, sizes):
        block_names = _block_names(block)
        names += block_names
        periods.append(_periods(block, block_names))
        values = block.parameters() if block.parameter is not None else [None] * size
        if isinstance(block.parameter, list):
            named = any(v is not None for v in values)
            if named and None in values:  # a family's text with gaps: the gaps are NaN
                values = [np.nan if v is None else v for v in values]
        else:
            named = block.parameter is not None and size > 0
        every_input = every_input and named
        parameters += values

    def each(attr: str) -> np.ndarray:
        return np.repeat(np.array([getattr(b, attr) for b in blocks], dtype=object), sizes)

    return {
        "name": names,
        "family": each("name"),
        "department": each("department"),
        "kind": each("kind"),
        "description": each("description"),
        "period": np.concatenate(periods),
        "parameter": pd.Series(parameters, dtype=None if every_input else object),
        "unit": each("unit"),
    }


def _periods(block, names: list[str]) -> np.ndarray:
    """Each row's month label (the month axis of its name), or 'horizon' without one."""
    month_axis = [i for i, ax in enumerate(block.axes) if ax.name == "month"]
    if not month_axis:
        return np.full(len(names), "horizon", dtype=object)
    i = month_axis[0]
    labels = [ax.labels for ax in block.axes]
    # the label itself, where reading it back out of the name gives the same text
    plain = "[" not in block.name and not any("," in x for ax in labels[: i + 1] for x in ax)
    if plain and (i < len(labels) - 1 or not any(x.endswith("]") for x in labels[i])):
        shape = [len(ax) if k == i else 1 for k, ax in enumerate(labels)]
        month = np.array(labels[i], dtype=object).reshape(shape)
        return np.broadcast_to(month, [len(ax) for ax in labels]).ravel()
    return np.array([n.split("[", 1)[1].rstrip("]").split(",")[i] for n in names], dtype=object)


def _block_names(block) -> list[str]:
    from optimizer.model.linear import _names

    return _names(block.name, block.axes)
