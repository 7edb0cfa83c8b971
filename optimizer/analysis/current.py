"""The plan today's targets imply: met exactly where possible, limits broken where not.

Today's targets (calls per rep per day, reps, leads, ...) are imposed on the model and
every limit is made elastic. Then, in order, the solver
  0. meets the targets as closely as it can: exactly, unless they contradict each other
     through the facts of the market (lead prices, market size), which never give,
  1. breaks the capacities (minutes in a day, what workers can build) as little as
     possible, then the lead supply (calls that find no new prospect),
  2. then the policies (quality floor, budget, headcount caps, occupancy, promises),
  3. then the finance goals,
  4. and finally makes as much profit as it can with what is left.
Each stage's result is held while the next is solved. What remains broken is what the
targets break: by name, by how much, in each limit's own unit.

Where people flow (``Headcount.opening``), hires and departures are expected numbers of
people here, fractions allowed: holding today's headcount under attrition replaces the
expected leavers (0.16 of a person a month for 8 reps at 2 %), and in whole people the
staged solves were a hard integer search (the 12-month growth plan's second stage had not
closed a 3 % gap after 20 s; relaxed, each stage takes milliseconds).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from optimizer.model.chain import build_model, funnel
from optimizer.model.chain.objectives import NoCurrentTargets, add_gap_rows, target_gaps
from optimizer.model.chain.sales import entry_family
from optimizer.model.chain.workforce import flow_columns
from optimizer.model.elastic import STAGES, Breaks, add_breaks
from optimizer.model.linear import LinearModel, ModelArrays
from optimizer.scenario.names import Objective
from optimizer.scenario.schema import Scenario
from optimizer.solvers import Backend, Status
from optimizer.solvers import backend as solver_backend
from optimizer.solvers.session import solve_fresh

STAGE_TOLERANCES = (1e-9, 1e-7, 1e-5)
BREAK_TOL = 1e-4  # a limit broken by less than this share of its size is not reported


class CurrentPlanError(RuntimeError):
    """The solver could not evaluate today's targets (a status other than optimal)."""


@dataclass
class CurrentPlan:
    """Quantities of the plan today's targets imply, and how far each limit is broken."""

    quantities: dict[str, np.ndarray]
    x: np.ndarray
    arrays: ModelArrays  # the plain model's rows, without targets or breaks
    broken: np.ndarray  # per row of ``arrays``
    model: LinearModel
    target_deviation: float


def evaluate(
    scenario: Scenario,
    scale: np.ndarray | None = None,
    backend: str | Backend | None = "highs",
) -> CurrentPlan:
    """The plan that follows today's targets; ``scale`` sizes each row's breaks (default
    |limit|); ``backend`` solves every stage (default HiGHS; others through
    ``optimizer.solvers.session.solve_fresh``).

    Each stage's value is unique, so every backend holds the same ones; the plan within
    the last stage need not be (no tie order is applied here). Measured: on the seed and
    software companies CBC and OR-Tools give HiGHS's quantities and breaks (within 1e-11 and
    2e-7 relative); on regional sales the stage values and profit agree (1e-8) and the same
    limits are broken, but by other amounts (up to 74 % apart) and with other quantities."""
    engine = solver_backend(backend)
    plain, _ = build_model(scenario, Objective.max_profit.value)
    plain_arrays = plain.arrays()
    model, v = build_model(scenario, Objective.max_profit.value)
    gaps = target_gaps(scenario, v)
    if not gaps:
        raise NoCurrentTargets("current_targets: the scenario states no current target to compare")
    skip = {"sales-lead_supply", "sales-selling_time"}
    breaks = add_breaks(model, skip=skip) + _add_missed_calls(model, v, scenario)
    deviations = add_gap_rows(model, v, gaps, weights={})
    if scale is None:
        scale = np.maximum(1.0, np.abs(plain_arrays.rhs))
    weight = 1.0 / np.maximum(1.0, scale[breaks.rows])

    profit_terms = list(model.objective_terms)
    stage_terms = [("targets", deviations)] + [
        (name, [(weight[breaks.stage == name], breaks.cols[breaks.stage == name])])
        for name in STAGES
    ]
    deviation = 0.0
    held: list[tuple[str, float]] = []  # each stage's row block and its best value
    for name, terms in stage_terms:
        if not any(np.asarray(idx).size for _, idx in terms):
            continue
        value = _minimise(model, terms, held, engine)
        if name == "targets":
            deviation = value
        model.add_rows(
            f"stage_{name}",
            department="evaluation",
            kind="definition",
            description=f"Hold the {name} stage at its best value.",
            axes=[],
            lhs=terms,
            sense="<=",
            rhs=value,
        )
        held.append((f"evaluation-stage_{name}", value))
    model.clear_objective()
    model.sense = "max"
    model.add_objective(profit_terms)
    out = _solve_held(model, held, engine)
    x = out.x
    quantities = {name: x[idx] for name, idx in v.index.items()}
    return CurrentPlan(
        quantities=quantities,
        x=x,
        arrays=plain_arrays,
        broken=_broken(breaks, x, plain_arrays),
        model=model,
        target_deviation=deviation,
    )


def _add_missed_calls(model: LinearModel, v, scenario: Scenario) -> Breaks:
    """Calls a target asks for that cannot happen as sales conversations.

    Unmade calls do not fit in the selling time even at the shortest conversation length
    (they are counted at that length, so the time they would need is the least the target
    asks for): they take no time, need no lead and close nothing. Unreached calls are made but find no new prospect beyond the lead
    pool: they take a rep's time, need no lead and close nothing. They are how a calls
    target breaks the selling time and the lead supply, without counting phantom deals.

        selling time: sum_k (m_k + admin) * (calls_k - unmade_k) <= minutes per rep * reps
        lead supply:  sum(calls - unmade - unreached) <= touches * qualified share * leads
        deals:        deals = sum_k rate_k * (calls_k - unmade_k - unreached_k)
                      unmade + unreached <= calls
    """
    conv = v["conversations"]  # month x team x tier
    months, teams, _ = conv.shape
    axes = [(a.name, list(a.labels)) for a in model.var_blocks["conversations"].axes]
    shortest_only = np.where(np.arange(conv.shape[2]) == 0, np.inf, 0.0)
    unmade = model.add_vars("unmade_calls", axes, ub=shortest_only, unit="conversations")
    unreached = model.add_vars("unreached_calls", axes, unit="conversations")
    length = funnel.conversation_minutes(scenario)[None, :, :]  # with admin, follow-up, dials
    rate = funnel.tier_rates(scenario)  # each month's, (month, team, tier)

    def rows(family: str, shape: tuple) -> np.ndarray:
        ids = model.row_blocks[family].start + np.arange(int(np.prod(shape)))
        return np.broadcast_to(ids.reshape(shape + (1,) * (3 - len(shape))), conv.shape)

    time_rows = rows("sales-selling_time", (months, teams))
    if scenario.marketing.lead_grades:  # a missed call needs no lead of any grade
        lead_rows = rows("sales-grade_split", (months, teams, conv.shape[2]))
        lead_sign = 1.0  # graded + own + missed = conversations
    else:
        lead_rows = rows("sales-lead_supply", (months,))
        lead_sign = -1.0  # conversations - own - missed <= leads
    deal_rows = rows(entry_family(scenario), (months, teams))
    model.add_row_terms(time_rows, unmade, -length)
    for missed in (unmade, unreached):
        model.add_row_terms(lead_rows, missed, lead_sign)
        model.add_row_terms(deal_rows, missed, rate)
    model.add_rows(
        "missed_within_calls",
        department="evaluation",
        kind="definition",
        description="Only calls asked for can be missed.",
        axes=axes,
        lhs=[(1.0, unmade), (1.0, unreached), (-1.0, conv)],
        sense="<=",
    )
    # calls go unmade only when the day truly has no time for them; unreached calls are
    # counted after, so a rep told to make them spends the time (and the quality suffers)
    unmade_breaks = Breaks(
        time_rows.ravel(),
        unmade.ravel(),
        np.full(conv.size, "capacity"),
        np.broadcast_to(length, conv.shape).ravel(),
    )
    return unmade_breaks + Breaks(lead_rows.ravel(), unreached.ravel(), np.full(conv.size, "leads"))


def _minimise(model: LinearModel, terms: list, held: list, engine: Backend | None = None) -> float:
    model.clear_objective()
    model.sense = "min"
    model.add_objective(terms)
    return float(_solve_held(model, held, engine).objective)


def _solve_held(model: LinearModel, held: list, engine: Backend | None = None):
    """Solve with each earlier stage held at its best value, loosening only as needed.

    A stage's best value holds to the solver's tolerance, so holding it exactly can be
    infeasible by a hair; the hold is then relaxed step by step.
    """
    flows = flow_columns(model)
    for tolerance in STAGE_TOLERANCES:
        for key, value in held:
            model.set_limit(key, value + tolerance * (1.0 + abs(value)))
        arrays = model.arrays()
        if flows.size:  # hires and departures as expected numbers (see ``evaluate``)
            integer = arrays.integer.copy()
            integer[flows] = False
            arrays = replace(arrays, integer=integer)
        out = solve_fresh(engine or "highs", arrays)
        if out.status is Status.OPTIMAL:
            return out
    raise CurrentPlanError(f"evaluating today's targets: the solver said {out.solver_status}")


def _broken(breaks: Breaks, x: np.ndarray, plain: ModelArrays) -> np.ndarray:
    """Breaks within the solver's tolerance of the row's size are no breaks."""
    amount = breaks.amount(x, plain.num_rows)
    activity, limit = plain.sides(x[: plain.num_vars])
    size = np.maximum(1.0, np.maximum(np.abs(activity), np.abs(limit)))
    amount[amount <= BREAK_TOL * size] = 0.0
    return amount
