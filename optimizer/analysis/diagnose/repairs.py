"""Repairs: the cheapest change of the levers that makes a plan possible (see
``optimizer.analysis.diagnose``), and the one-lever alternatives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from optimizer.analysis.diagnose.held import HeldDiagnosis
from optimizer.model.linear import ModelArrays
from optimizer.runtime.deadline import Deadline
from optimizer.scenario import labels
from optimizer.scenario.inputs import moved
from optimizer.scenario.names import QUALITY_FLOOR
from optimizer.scenario.paths import bounds_of
from optimizer.scenario.schema import Scenario, lever_setting
from optimizer.solvers import Backend, Status
from optimizer.solvers import backend as solver_backend

HOURS_TOLERANCE = 1e-4  # hours: the bisection's resolution
MARGIN = 1e-7  # a repair moves a lever this much (relative) past the exact boundary
WORDS = {
    "marketing.ad_budget_per_month": ("the ad budget", "$/month"),
    "marketing.marketers.max": ("the cap on marketers", "people"),
    "delivery.workers.max": ("the cap on delivery workers", "people"),
    "support.agents.max": ("the cap on support agents", "people"),
    "calendar.hours_per_day": ("the working day", "hours/day"),
    QUALITY_FLOOR: ("the quality floor", "minutes"),
    "finance.profit_target_per_month": ("the profit target", "$/month"),
    "finance.retained_earnings_per_month": ("the retained earnings goal", "$/month"),
    "finance.cash.minimum": ("the minimum cash", "$"),
}
HIRING = ".hiring_lead_time_months"
"""A hiring lead time: a lever that changes the model's shape, searched month by month."""
LOWER = {
    QUALITY_FLOOR,
    "finance.profit_target_per_month",
    "finance.retained_earnings_per_month",
    "finance.cash.minimum",
}
GOALS = "finance.goals."
"""A finance goal beside profit (``finance.goals.cash.at_least``): a repair lowers it."""


@dataclass(frozen=True)
class Lever:
    """A value leadership controls (``Scenario.lever_paths``) and how a repair may move it."""

    path: str
    value: float
    direction: int  # +1: the repair raises it; -1: it lowers it
    weight: float
    integer: bool
    words: str  # "the ad budget" (``WORDS``)
    unit: str


@dataclass(frozen=True)
class Repair:
    """A set of lever changes that makes a plan possible, and its weighted cost; in words,
    ``optimizer.report.diagnosis.repair_sentence``."""

    changes: pd.DataFrame  # path, current, proposed, change, unit, weight, cost
    cost: float
    kind: str  # "cheapest" or "single"
    levers: tuple[Lever, ...]  # the levers it moves, one per row of ``changes``

    def apply(self, scenario: Scenario) -> Scenario:
        for _, row in self.changes.iterrows():
            scenario = moved(scenario, row["path"], row["proposed"])
        return scenario


def levers(scenario: Scenario) -> list[Lever]:
    out = []
    for path in scenario.lever_paths():
        setting = lever_setting(scenario, path)
        if setting is not None and setting.fixed:
            continue
        value = _value(scenario, path)
        whole, month = labels.split_month(path)  # a month of the ad budget: a lever a month
        if whole in WORDS:
            words, unit = WORDS[whole]
            words = f"{words} in {labels.month_label(month)}" if month else words
        elif path.endswith(HIRING):  # "the hiring lead time, reps, north team"
            words, unit = labels.input_label(path).lower().replace("hiring", "the hiring"), "months"
        elif path.startswith(GOALS):  # finance.goals.recurring_revenue.at_least
            measure = path[len(GOALS) :].split(".")[0]
            words = f"the {measure.replace('_', ' ')} goal"
            unit = "customers" if measure == "customers" else "$"
        elif path.endswith(".max_hires_per_month"):
            words, unit = "the " + labels.input_label(path).lower(), "people"
        elif path.startswith("sales.teams["):  # sales.teams[NAME].reps.max
            words, unit = f"the cap on {path.split('[')[1].split(']')[0]} reps", "people"
        else:  # a live channel's agents: "the cap on agents, phone"
            words, unit = (
                "the " + labels.input_label(path).lower().replace("most ", "cap on "),
                "people",
            )
        weight = (
            setting.weight if setting and setting.weight else 1.0 / _size(scenario, value, unit)
        )
        direction = -1 if path in LOWER or path.startswith(GOALS) or path.endswith(HIRING) else 1
        whole_number = path.endswith((".max", HIRING, ".max_hires_per_month"))
        out.append(Lever(path, value, direction, weight, whole_number, words, unit))
    return out


def _size(scenario: Scenario, value: float, unit: str) -> float:
    """What a lever's change is measured against: its value, or a typical month's money."""
    if unit.startswith("$"):
        budget = float(scenario.per_month(scenario.marketing.ad_budget_per_month).max())
        typical = scenario.finance.fixed_bills_per_month + budget
        return max(abs(value), typical, 1.0)
    return max(abs(value), 1.0)


def _value(scenario: Scenario, path: str) -> float:
    from optimizer.scenario.inputs import numeric_inputs

    if path.endswith(HIRING):  # not an input the explanation moves: it changes the shape
        head = next(h for p, h in scenario.headcounts() if f"{p}{HIRING}" == path)
        return float(head.hiring_lead_time_months)
    for p, value, _ in numeric_inputs(scenario, scenario.objective):
        if p == path:
            return value
    raise KeyError(path)


def repairs(
    scenario: Scenario,
    deadline: Deadline | None = None,
    notes: list[str] | None = None,
    backend: str | Backend | None = "highs",
    held: HeldDiagnosis | None = None,
) -> tuple[Repair | None, list[Repair]]:
    """The cheapest repair and the one-lever-at-a-time alternatives, cheapest first.

    The joint repair is searched first; alternatives the time limit leaves are noted.
    ``backend`` solves the repair models and the one-lever searches; ``held`` is the
    diagnosis's model (built here if not given; ``backend`` is then its engine's).
    """
    deadline = deadline or Deadline()
    held = held or HeldDiagnosis(scenario, backend)
    engine = held.engine
    base = held.arrays
    limit_levers, other_levers, shifts = [], [], {}
    for lever in levers(scenario):
        shift = _limit_shift(held, lever)
        if shift is None:
            other_levers.append(lever)
        else:
            limit_levers.append(lever)
            shifts[lever.path] = shift
    joint = None
    if limit_levers:
        joint = _solve_repair(
            base, limit_levers, shifts, "cheapest", deadline, notes, engine, held.work
        )
    alternatives = []
    skipped = 0
    for lever in limit_levers:
        found = None
        if deadline.expired():
            skipped += 1
        else:
            found = _solve_repair(
                base, [lever], shifts, "single", deadline, engine=engine, work=held.work
            )
        if found is not None:
            alternatives.append(found)
    for lever in other_levers:
        found = None
        if deadline.expired():
            skipped += 1
        else:
            found = _search_single(held, lever, deadline)
        if found is not None:
            alternatives.append(found)
    if skipped and notes is not None:
        notes.append(
            f"{skipped} of {len(limit_levers) + len(other_levers)} one-lever alternatives not "
            "searched: the time limit ran out"
        )
    candidates = [joint] if joint is not None else []
    candidates += [
        _as_cheapest(r)
        for r in alternatives
        if r.changes["path"].iloc[0] in {lev.path for lev in other_levers}
    ]
    cheapest = min(candidates, key=lambda r: r.cost) if candidates else None
    alternatives.sort(key=lambda r: r.cost)
    return cheapest, alternatives


def _as_cheapest(repair: Repair) -> Repair:
    return replace(repair, kind="cheapest")


def _limit_shift(held: HeldDiagnosis, lever: Lever) -> np.ndarray | None:
    """How each row's limit moves per unit change of the lever, or None if it is no limit.

    One build of the scenario with the lever moved one step (the model's rows say which
    limits an input sets, not by how much)."""
    base = held.arrays
    try:
        other = held.model_at(lever.path, _step(lever, 1))[0].arrays()
    except Exception:  # noqa: BLE001 - the moved value is invalid (a bound was hit)
        return None
    same_shape = other.num_rows == base.num_rows and len(other.vals) == len(base.vals)
    if (
        not same_shape
        or not np.array_equal(other.vals, base.vals)
        or not np.array_equal(other.c, base.c)
    ):
        return None
    return other.rhs - base.rhs  # the step already points in the lever's direction


def _step(lever: Lever, amount: float) -> float:
    value = lever.value + lever.direction * amount
    return int(round(value)) if lever.integer else value


def _solve_repair(
    a: ModelArrays,
    chosen: list[Lever],
    shifts: dict,
    kind: str,
    deadline: Deadline | None = None,
    notes: list[str] | None = None,
    engine: Backend | None = None,
    work: dict | None = None,
) -> Repair | None:
    """The least weighted change of ``chosen`` that makes a plan possible; a plan the
    time limit stopped is used (it still works) and noted as perhaps not the cheapest.
    ``engine`` solves it (default HiGHS, the only one given ``EXACT`` options)."""
    deadline = deadline or Deadline()
    engine = engine or solver_backend("highs")
    work = work if work is not None else {}
    n = a.num_vars
    k = len(chosen)
    cols = np.arange(n, n + k)
    rows, entries, vals = [], [], []
    for j, lever in enumerate(chosen):
        g = shifts[lever.path]
        touched = np.flatnonzero(g != 0)
        rows.append(touched)
        entries.append(np.full(touched.size, cols[j]))
        vals.append(-g[touched])  # lhs - g * change <= rhs: the limit moves by g * change
    upper = np.array([_max_change(lever) for lever in chosen])
    weight = np.array([lever.weight for lever in chosen])
    extended = replace(
        a,
        c=np.concatenate([np.zeros(n), weight]),
        c_tiebreak=np.zeros(n + k),
        lb=np.concatenate([a.lb, np.zeros(k)]),
        ub=np.concatenate([a.ub, upper]),
        integer=np.concatenate([a.integer, [lever.integer for lever in chosen]]),
        rows=np.concatenate([a.rows, *rows]),
        cols=np.concatenate([a.cols, *entries]),
        vals=np.concatenate([a.vals, *vals]),
        lhs_mask=np.concatenate([a.lhs_mask, np.ones(sum(r.size for r in rows), bool)]),
        sense="min",
    )
    if engine.name == "highs":
        options = {"options": EXACT}
    else:  # no options: the costs are scaled above the solver's tolerances instead
        options = {}
        extended = replace(extended, c=extended.c * _cost_scale(weight))
    work["repair_models"] = work.get("repair_models", 0) + 1
    out = engine.solve(
        extended, ranging=False, duals=False, time_limit=deadline.remaining(), **options
    )
    if out.status is Status.TIME_LIMIT and out.x is not None:
        if notes is not None:
            notes.append(
                "the repair shown works but may not be the cheapest: the time limit stopped "
                f"its search{f' within {out.mip_gap:.1%} of the cheapest' if out.mip_gap else ''}"
            )
    elif out.status is not Status.OPTIMAL:
        return None
    if extended.integer.any():  # polish: the exact changes for these whole numbers, as an LP
        whole = np.round(out.x[extended.integer])
        lb, ub = extended.lb.copy(), extended.ub.copy()
        lb[extended.integer] = ub[extended.integer] = whole
        lp = replace(extended, lb=lb, ub=ub, integer=np.zeros_like(extended.integer))
        work["repair_polish"] = work.get("repair_polish", 0) + 1
        polished = engine.solve(lp, ranging=False, duals=False, time_limit=deadline.remaining())
        if polished.status is Status.OPTIMAL:
            out = polished
    change = out.x[n:]
    return _repair([(lever, c) for lever, c in zip(chosen, change) if c > 1e-9], kind)


EXACT = {"presolve": "off", "mip_rel_gap": 1e-9, "mip_abs_gap": 1e-12}
"""HiGHS's options for the repair model. Its MIP presolve returned a repair 10 % too dear on
this model (seed scenario, profit target 10 000 000: 10 206 901 instead of 9 974 600), so
the repair is solved without it. Other backends take no options: their own solve is used
(CBC and SCIP at a relative gap of 1e-7), with the costs scaled (``COST_FLOOR``)."""

COST_FLOOR = 1e-3
"""The smallest lever weight a backend other than HiGHS is handed in the repair model (all
weights are scaled by one factor, so the cheapest repair is the same). A weight of 1e-7 (a
$10M profit target) sits at the solvers' dual feasibility tolerance: CBC then called a
repair 0.4 % too dear optimal (seed scenario, profit target 10 000 000: 10 013 558 instead
of 9 974 600; scaled by 1e3 or more it finds 9 974 600)."""


def _cost_scale(weight: np.ndarray) -> float:
    """The factor that lifts the smallest positive weight to ``COST_FLOOR`` (at least 1)."""
    positive = weight[weight > 0]
    return max(1.0, COST_FLOOR / float(positive.min())) if positive.size else 1.0


FAR_BOUND = 1e8
"""A lever's change is bounded in the repair model only when its bound is nearer than this:
with a bound of 1e10 on the change, HiGHS (presolve off) proposed a profit target $18 off
the exact one. A farther bound is enforced by ``_repair``, which clamps the proposal."""


def _max_change(lever: Lever) -> float:
    """How far the lever may move before the value leaves the range the schema accepts."""
    low, high = bounds_of(lever.path)
    room = max(0.0, high - lever.value if lever.direction > 0 else lever.value - low)
    return room if room < FAR_BOUND else math.inf


def _search_single(held: HeldDiagnosis, lever: Lever, deadline: Deadline) -> Repair | None:
    """Hours by bisection (more hours never hurt), the floor tier by tier (lower never hurts).

    A bisection the time limit stops returns the shortest day found to work so far."""
    scenario = held.scenario
    if lever.path == QUALITY_FLOOR:
        minutes = sorted({t.minutes for t in scenario.sales.conversation_tiers}, reverse=True)
        for m in (m for m in minutes if m < lever.value):
            if _solvable(held, lever.path, m, deadline):
                return _repair([(lever, lever.value - m)], "single")
        if _solvable(held, lever.path, 0.0, deadline):
            return _repair([(lever, lever.value)], "single")
        return None
    if lever.path == "calendar.hours_per_day":
        low, high = lever.value, bounds_of(lever.path)[1]
        top = held.model_at(lever.path, high)[0]
        if not _works(held, top.arrays(), deadline):
            return None
        hours = _Hours(held, lever, top)
        while high - low > HOURS_TOLERANCE and not deadline.expired():
            mid = (low + high) / 2
            works = _works(held, hours.at(mid), deadline)
            low, high = (low, mid) if works else (mid, high)
        return _repair([(lever, high - lever.value)], "single")
    if lever.path.endswith(HIRING):  # a month shorter at a time: the shortest lead that works
        for months in range(int(lever.value) - 1, -1, -1):
            if deadline.expired():
                return None
            if _solvable(held, lever.path, months, deadline):
                return _repair([(lever, lever.value - months)], "single")
        return None
    return None


class _Hours:
    """The model's numbers along the working day, for its bisection: the day enters the
    model in a straight line (selling minutes per rep), so between today's day and the
    longest the schema accepts the numbers are the line's (``optimizer.analysis.patterns``,
    ``Pattern``) once one build inside confirms it; each other day is then loaded into the
    held model instead of built. Where the line does not hold, each day is built."""

    def __init__(self, held: HeldDiagnosis, lever: Lever, top):
        from optimizer.analysis.patterns import Pattern

        self.held, self.lever = held, lever
        self.base = held.model.arrays(drop_zeros=False)
        high = bounds_of(lever.path)[1]
        self.line = Pattern.between(
            self.base, top.arrays(drop_zeros=False), high - lever.value, lever.value, high
        )
        self.checked = self.line is None  # nothing to check: every day is built

    def at(self, hours: float) -> ModelArrays:
        from optimizer.analysis.patterns import same_numbers

        if self.checked and self.line is not None:
            return self.line.at(self.base, hours - self.lever.value)
        built = self.held.model_at(self.lever.path, hours)[0]
        if not self.checked:  # the first day inside: the line holds there, or is dropped
            predicted = self.line.at(self.base, hours - self.lever.value)
            if not same_numbers(predicted, built.arrays(drop_zeros=False)):
                self.line = None
            self.checked = True
        return built.arrays()


def _works(held: HeldDiagnosis, arrays: ModelArrays, deadline: Deadline) -> bool:
    """True only when a plan in whole people was shown to exist (not when time ran out
    first); the LP relaxation is asked first and its "infeasible" is the answer."""
    return held.feasible(arrays=arrays, integer=True, deadline=deadline) is True


def _solvable(held: HeldDiagnosis, path: str, value: float, deadline: Deadline) -> bool:
    """True only when a plan was shown to exist with the input at ``path`` at ``value``."""
    return _works(held, held.model_at(path, value)[0].arrays(), deadline)


def _repair(changes: list[tuple[Lever, float]], kind: str) -> Repair | None:
    if not changes:
        return None
    rows = []
    for lever, change in changes:
        if lever.integer:
            change = math.ceil(change - 1e-6)
        elif lever.path != QUALITY_FLOOR:
            change = change * (1 + MARGIN) + MARGIN
        low, high = bounds_of(lever.path)
        proposed = min(max(lever.value + lever.direction * change, low), high)
        rows.append(
            {
                "path": lever.path,
                "current": lever.value,
                "proposed": proposed,
                "change": proposed - lever.value,
                "unit": lever.unit,
                "weight": lever.weight,
                "cost": lever.weight * abs(proposed - lever.value),
            }
        )
    frame = pd.DataFrame(rows)
    return Repair(frame, float(frame["cost"].sum()), kind, tuple(lever for lever, _ in changes))
