"""Why no plan exists: a minimal set of conflicting limits, and the cheapest repair.

The conflict set is irreducible: the limits in it cannot all hold, and dropping any one
of them makes the rest possible. When the LP relaxation is already infeasible, HiGHS
computes it (``iis_strategy`` 6; the default strategy returns an empty set, see
DOMAIN.md) and a deletion filter confirms it; when only whole headcounts make it
infeasible, a deletion filter over the integer model finds it.

The cheapest repair moves the levers leadership controls (``Scenario.lever_paths``)
by the least weighted total change. Levers that only move limits (ad budget, headcount
caps, finance goals) enter one integer model together:

    min sum_k weight_k * change_k   s.t.  every limit moved by its levers' changes holds

Hours per day (a coefficient) and the quality floor (a step between conversation tiers)
are searched one at a time. The default weight of a lever is 1 / |its value|, so a
change costs its relative size: raising the budget 10 % costs as much as a 10 % longer day.
(A lever at zero is measured against a typical month's money, or one person.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from optimizer.chain import build_model
from optimizer.inputs import moved
from optimizer.model import LinearModel, ModelArrays
from optimizer.result import Plan
from optimizer.schema import Scenario
from optimizer.solvers import Status, highs

CONFLICT_COLUMNS = ["name", "department", "kind", "description", "unit", "parameter", "sentence"]
HOURS_TOLERANCE = 1e-4  # hours: the bisection's resolution
MARGIN = 1e-7  # a repair moves a lever this much (relative) past the exact boundary
CPSAT_SECONDS = 5.0  # CP-SAT's time to propose a whole-number conflict set
WORDS = {
    "marketing.ad_budget_per_month": ("the ad budget", "$/month"),
    "marketing.marketers.max": ("the cap on marketers", "people"),
    "delivery.workers.max": ("the cap on delivery workers", "people"),
    "support.agents.max": ("the cap on support agents", "people"),
    "calendar.hours_per_day": ("the working day", "hours/day"),
    "sales.min_minutes_per_quality_conversation": ("the quality floor", "minutes"),
    "finance.profit_target_per_month": ("the profit target", "$/month"),
    "finance.retained_earnings_per_month": ("the retained earnings goal", "$/month"),
}
LOWER = {
    "sales.min_minutes_per_quality_conversation",
    "finance.profit_target_per_month",
    "finance.retained_earnings_per_month",
}


@dataclass(frozen=True)
class Lever:
    path: str
    value: float
    direction: int  # +1: the repair raises it; -1: it lowers it
    weight: float
    integer: bool
    words: str
    unit: str


@dataclass(frozen=True)
class Repair:
    """A set of lever changes that makes a plan possible, and its weighted cost."""

    changes: pd.DataFrame  # path, current, proposed, change, unit, weight, cost, sentence
    cost: float
    kind: str  # "cheapest" or "single"

    @property
    def sentence(self) -> str:
        return "; ".join(self.changes["sentence"]) + f" (weighted cost {self.cost:.4g})."

    def apply(self, scenario: Scenario) -> Scenario:
        for _, row in self.changes.iterrows():
            scenario = moved(scenario, row["path"], row["proposed"])
        return scenario


@dataclass(frozen=True)
class Diagnosis:
    conflict: pd.DataFrame
    relaxation: str  # "lp": the limits conflict outright; "integer": only in whole people
    cheapest: Repair | None
    alternatives: list[Repair]
    repaired: Plan | None
    message: str


def diagnose(scenario: Scenario, objective: str | None = None) -> Diagnosis:
    """Conflict set, cheapest repair, one-lever alternatives, and the repaired plan."""
    from optimizer.solve import solve

    conflict, relaxation = conflict_set(scenario)
    cheapest, alternatives = repairs(scenario)
    repaired = None
    message = ""
    if cheapest is not None:
        repaired = solve(cheapest.apply(scenario), objective)
        if not repaired.solved:
            message = f"the repaired scenario did not solve: {repaired.status.value}"
    else:
        message = "no change to the levers makes a plan possible"
    return Diagnosis(conflict, relaxation, cheapest, alternatives, repaired, message)


# ---- the conflict set ------------------------------------------------------------------


def _feasible(a: ModelArrays, integer: bool) -> bool:
    lp = replace(
        a,
        c=np.zeros_like(a.c),
        c_tiebreak=np.zeros_like(a.c),
        integer=a.integer if integer else np.zeros_like(a.integer),
    )
    return highs.solve(lp, ranging=False, duals=False).status is Status.OPTIMAL


def _keep_only(a: ModelArrays, keep: np.ndarray) -> ModelArrays:
    """The model with every limit not in ``keep`` removed (definitions always stay)."""
    lower, upper = a.row_lower.copy(), a.row_upper.copy()
    lower[~keep], upper[~keep] = -np.inf, np.inf
    return replace(a, row_lower=lower, row_upper=upper)


def conflict_set(scenario: Scenario) -> tuple[pd.DataFrame, str]:
    model, _ = build_model(scenario)
    a = model.arrays()
    limit = _limit_rows(model)
    definitions = ~limit
    if _feasible(a, integer=False):
        relaxation, integer, candidates = "integer", True, limit
        proposed = _cpsat_proposal(a, limit, definitions)
        if proposed is not None:
            candidates = proposed  # confirmed by HiGHS; the filter below makes it irreducible
    else:
        relaxation, integer = "lp", False
        candidates = np.zeros(a.num_rows, bool)
        candidates[_highs_iis(a)] = True
        candidates &= limit
        if _feasible(_keep_only(a, candidates | definitions), integer=False):
            candidates = limit  # the IIS was not usable on its own: filter everything
    keep = candidates | definitions
    for row in np.flatnonzero(candidates):
        keep[row] = False
        if _feasible(_keep_only(a, keep), integer):
            keep[row] = True  # needed: without it the rest is possible
    members = np.flatnonzero(keep & limit)
    return _conflict_table(model, members), relaxation


def _cpsat_proposal(a: ModelArrays, limit: np.ndarray, definitions: np.ndarray):
    """The limits CP-SAT's assumptions name (``optimizer.solvers.cpsat``), as a row mask,
    if HiGHS confirms on the MILP that they conflict; otherwise None."""
    from optimizer.solvers.cpsat import propose_conflict

    relaxed = highs.solve(replace(a, integer=np.zeros_like(a.integer)), ranging=False, duals=False)
    try:
        proposal = propose_conflict(a, limit, x_relaxed=relaxed.x, time_limit=CPSAT_SECONDS)
    except Exception:  # noqa: BLE001 - CP-SAT only speeds the filter up; it may fail
        return None
    if proposal.status != "infeasible":
        return None
    rows = np.zeros(a.num_rows, bool)
    rows[proposal.rows] = True
    rows &= limit
    if _feasible(_keep_only(a, rows | definitions), integer=True):
        return None  # not a conflict of the MILP itself (see the cpsat module)
    return rows


def _limit_rows(model: LinearModel) -> np.ndarray:
    limit = np.zeros(model.num_rows, bool)
    for block in model.row_blocks.values():
        if block.kind != "definition":
            limit[block.start : block.stop] = True
    return limit


def _highs_iis(a: ModelArrays) -> np.ndarray:
    h = highs._new_highs()
    h.passModel(highs._lp(a, a.lb, a.ub, False))
    h.run()
    for strategy in (6, 2):
        h.setOptionValue("iis_strategy", strategy)
        status, iis = h.getIis()
        rows = np.array(list(iis.row_index_), dtype=int)
        if status.name == "kOk" and iis.valid_ and rows.size:
            return rows
    return np.zeros(0, dtype=int)


def _conflict_table(model: LinearModel, members: np.ndarray) -> pd.DataFrame:
    names = model.row_names()
    rows = []
    for block in model.row_blocks.values():
        params = block.parameters()
        for row in members[(members >= block.start) & (members < block.stop)]:
            param = params[row - block.start]
            where = f" (set by {param})" if param else ""
            rows.append({
                "name": names[row], "department": block.department, "kind": block.kind,
                "description": block.description, "unit": block.unit, "parameter": param,
                "sentence": f"{names[row]}: {block.description}{where}",
            })  # fmt: skip
    return pd.DataFrame(rows, columns=CONFLICT_COLUMNS)


# ---- repairs ---------------------------------------------------------------------------


def levers(scenario: Scenario) -> list[Lever]:
    out = []
    for path in scenario.lever_paths():
        setting = scenario.levers.get(path)
        if setting is not None and setting.fixed:
            continue
        value = _value(scenario, path)
        if path in WORDS:
            words, unit = WORDS[path]
        else:  # sales.teams[NAME].reps.max
            words, unit = f"the cap on {path.split('[')[1].split(']')[0]} reps", "people"
        weight = (
            setting.weight if setting and setting.weight else 1.0 / _size(scenario, value, unit)
        )
        direction = -1 if path in LOWER else 1
        out.append(Lever(path, value, direction, weight, path.endswith(".max"), words, unit))
    return out


def _size(scenario: Scenario, value: float, unit: str) -> float:
    """What a lever's change is measured against: its value, or a typical month's money."""
    if unit.startswith("$"):
        typical = scenario.finance.fixed_bills_per_month + scenario.marketing.ad_budget_per_month
        return max(abs(value), typical, 1.0)
    return max(abs(value), 1.0)


def _value(scenario: Scenario, path: str) -> float:
    from optimizer.inputs import numeric_inputs

    for p, value, _ in numeric_inputs(scenario, scenario.objective):
        if p == path:
            return value
    raise KeyError(path)


def repairs(scenario: Scenario) -> tuple[Repair | None, list[Repair]]:
    """The cheapest repair and the one-lever-at-a-time alternatives, cheapest first."""
    model, _ = build_model(scenario)
    base = model.arrays()
    limit_levers, other_levers, shifts = [], [], {}
    for lever in levers(scenario):
        shift = _limit_shift(scenario, base, lever)
        if shift is None:
            other_levers.append(lever)
        else:
            limit_levers.append(lever)
            shifts[lever.path] = shift
    alternatives = []
    for lever in limit_levers:
        found = _solve_repair(model, [lever], shifts, "single")
        if found is not None:
            alternatives.append(found)
    for lever in other_levers:
        found = _search_single(scenario, lever)
        if found is not None:
            alternatives.append(found)
    joint = _solve_repair(model, limit_levers, shifts, "cheapest") if limit_levers else None
    candidates = [joint] if joint is not None else []
    candidates += [_as_cheapest(r) for r in alternatives if r.changes["path"].iloc[0] in
                   {lev.path for lev in other_levers}]  # fmt: skip
    cheapest = min(candidates, key=lambda r: r.cost) if candidates else None
    alternatives.sort(key=lambda r: r.cost)
    return cheapest, alternatives


def _as_cheapest(repair: Repair) -> Repair:
    return Repair(repair.changes, repair.cost, "cheapest")


def _limit_shift(scenario: Scenario, base: ModelArrays, lever: Lever) -> np.ndarray | None:
    """How each row's limit moves per unit change of the lever, or None if it is no limit."""
    try:
        other = build_model(moved(scenario, lever.path, _step(lever, 1)))[0].arrays()
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
    model: LinearModel, chosen: list[Lever], shifts: dict, kind: str
) -> Repair | None:
    a = model.arrays()
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
    # HiGHS's MIP presolve returned a repair 10 % too dear on this model (seed scenario, profit
    # target 10 000 000: 10 206 901 instead of 9 974 600), so the repair is solved without it.
    exact = {"presolve": "off", "mip_rel_gap": 1e-9, "mip_abs_gap": 1e-12}
    out = highs.solve(extended, ranging=False, duals=False, options=exact)
    if out.status is not Status.OPTIMAL:
        return None
    if extended.integer.any():  # polish: the exact changes for these whole numbers, as an LP
        whole = np.round(out.x[extended.integer])
        lb, ub = extended.lb.copy(), extended.ub.copy()
        lb[extended.integer] = ub[extended.integer] = whole
        lp = replace(extended, lb=lb, ub=ub, integer=np.zeros_like(extended.integer))
        polished = highs.solve(lp, ranging=False, duals=False)
        if polished.status is Status.OPTIMAL:
            out = polished
    change = out.x[n:]
    return _repair([(lever, c) for lever, c in zip(chosen, change) if c > 1e-9], kind)


def _max_change(lever: Lever) -> float:
    if lever.path == "finance.retained_earnings_per_month":
        return lever.value
    return math.inf


def _search_single(scenario: Scenario, lever: Lever) -> Repair | None:
    """Hours by bisection (more hours never hurt), the floor tier by tier (lower never hurts)."""
    if lever.path == "sales.min_minutes_per_quality_conversation":
        minutes = sorted({t.minutes for t in scenario.sales.conversation_tiers}, reverse=True)
        for m in (m for m in minutes if m < lever.value):
            if _solvable(moved(scenario, lever.path, m)):
                return _repair([(lever, lever.value - m)], "single")
        if _solvable(moved(scenario, lever.path, 0.0)):
            return _repair([(lever, lever.value)], "single")
        return None
    if lever.path == "calendar.hours_per_day":
        low, high = lever.value, 24.0
        if not _solvable(moved(scenario, lever.path, high)):
            return None
        while high - low > HOURS_TOLERANCE:
            mid = (low + high) / 2
            low, high = (low, mid) if _solvable(moved(scenario, lever.path, mid)) else (mid, high)
        return _repair([(lever, high - lever.value)], "single")
    return None


def _solvable(scenario: Scenario) -> bool:
    return _feasible(build_model(scenario)[0].arrays(), integer=True)


def _repair(changes: list[tuple[Lever, float]], kind: str) -> Repair | None:
    if not changes:
        return None
    rows = []
    for lever, change in changes:
        if lever.integer:
            change = math.ceil(change - 1e-6)
        elif lever.path != "sales.min_minutes_per_quality_conversation":
            change = change * (1 + MARGIN) + MARGIN
        proposed = lever.value + lever.direction * change
        if lever.path == "finance.retained_earnings_per_month":
            proposed = max(0.0, proposed)
        rows.append({
            "path": lever.path, "current": lever.value, "proposed": proposed,
            "change": proposed - lever.value, "unit": lever.unit, "weight": lever.weight,
            "cost": lever.weight * abs(proposed - lever.value),
            "sentence": _sentence(lever, proposed),
        })  # fmt: skip
    frame = pd.DataFrame(rows)
    return Repair(frame, float(frame["cost"].sum()), kind)


def _sentence(lever: Lever, proposed: float) -> str:
    verb = "raise" if proposed > lever.value else "lower"
    if lever.unit.startswith("$"):
        return (
            f"{verb} {lever.words} from ${lever.value:,.0f} to ${proposed:,.0f} a month "
            f"({'+' if proposed > lever.value else '-'}${abs(proposed - lever.value):,.0f})"
        )
    if lever.integer:
        return f"{verb} {lever.words} from {lever.value:g} to {proposed:g} people"
    return f"{verb} {lever.words} from {lever.value:g} to {proposed:.4g} {lever.unit}"
