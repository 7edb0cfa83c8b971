"""Why no plan exists: a minimal set of conflicting limits, and the cheapest repair.

The conflict set is irreducible: the limits in it cannot all hold, and dropping any one
of them makes the rest possible. When the LP relaxation is already infeasible, HiGHS
computes it (``iis_strategy`` 6; HiGHS's default strategy returned an empty set on
these models) and a deletion filter confirms it; when only whole headcounts make it
infeasible, a deletion filter over the integer model finds it.

Every solve that decides anything runs on one backend (``diagnose(..., backend="cbc")``;
default HiGHS): each feasibility question of the deletion filter, the repair model and its
polish, the bisection of the working day and the repaired plan. A backend without an IIS
(the ``iis`` capability: CBC, OR-Tools, PDLP) is handed HiGHS's IIS as a proposal only, as
CP-SAT's whole-number proposal is: the chosen backend must find the proposed limits
infeasible together (otherwise it tests every limit), and its own deletion filter then
tests each one, so every member is one the chosen backend cannot drop. The proposal
matters: an infeasible model can have several irreducible sets (the seed company with a
$10M profit target has at least two: with the delivery or with the support department),
and the filter alone, over every limit, can end at another one. The repair model is
solved with HiGHS's ``EXACT`` options on HiGHS and with its costs scaled (``COST_FLOOR``)
elsewhere. On a backend other than HiGHS the notes say which backend answered and what it
did instead of the capabilities it lacks; HiGHS's notes are as they were
(``Diagnosis.backend`` names it).

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

from optimizer.analysis import wording
from optimizer.analysis.result import Plan
from optimizer.model.chain import build_model
from optimizer.model.linear import LinearModel, ModelArrays
from optimizer.runtime.deadline import Deadline
from optimizer.scenario import labels
from optimizer.scenario.inputs import moved
from optimizer.scenario.names import QUALITY_FLOOR
from optimizer.scenario.schema import Scenario, bounds_of
from optimizer.solvers import Backend, Status
from optimizer.solvers import backend as solver_backend

CONFLICT_COLUMNS = ["name", "department", "kind", "description", "unit", "parameter", "label"]
HOURS_TOLERANCE = 1e-4  # hours: the bisection's resolution
MARGIN = 1e-7  # a repair moves a lever this much (relative) past the exact boundary
CPSAT_SECONDS = 5.0  # CP-SAT's time to propose a whole-number conflict set
WORDS = {
    "marketing.ad_budget_per_month": ("the ad budget", "$/month"),
    "marketing.marketers.max": ("the cap on marketers", "people"),
    "delivery.workers.max": ("the cap on delivery workers", "people"),
    "support.agents.max": ("the cap on support agents", "people"),
    "calendar.hours_per_day": ("the working day", "hours/day"),
    QUALITY_FLOOR: ("the quality floor", "minutes"),
    "finance.profit_target_per_month": ("the profit target", "$/month"),
    "finance.retained_earnings_per_month": ("the retained earnings goal", "$/month"),
}
LOWER = {
    QUALITY_FLOOR,
    "finance.profit_target_per_month",
    "finance.retained_earnings_per_month",
}


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
    """A set of lever changes that makes a plan possible, and its weighted cost."""

    changes: pd.DataFrame  # path, current, proposed, change, unit, weight, cost
    cost: float
    kind: str  # "cheapest" or "single"
    levers: tuple[Lever, ...]  # the levers it moves, one per row of ``changes``

    @property
    def sentence(self) -> str:
        """The repair in words (``wording.repair_sentence``)."""
        return wording.repair_sentence(self)

    def apply(self, scenario: Scenario) -> Scenario:
        for _, row in self.changes.iterrows():
            scenario = moved(scenario, row["path"], row["proposed"])
        return scenario


@dataclass(frozen=True)
class Diagnosis:
    """Why a scenario has no plan, and what would make one possible."""

    conflict: pd.DataFrame  # CONFLICT_COLUMNS: each conflicting limit, its words and input
    relaxation: str  # "lp": the limits conflict outright; "integer": only in whole people
    cheapest: Repair | None
    alternatives: list[Repair]
    repaired: Plan | None
    message: str
    notes: tuple[str, ...] = ()  # what the time limit left unfinished; on a backend other
    # than HiGHS, which backend answered and what it did instead of a missing capability
    backend: str = "highs"  # the backend every solve of the diagnosis ran on


def diagnose(
    scenario: Scenario,
    objective: str | None = None,
    time_limit: Deadline | float | None = None,
    backend: str | Backend | None = "highs",
) -> Diagnosis:
    """Conflict set, cheapest repair, one-lever alternatives, and the repaired plan.

    ``time_limit`` (seconds, or the ``Deadline`` of the solve that found no plan) bounds
    every solve here; what it stops is said in ``notes``, and what was found stays valid:
    a conflict set the filter did not finish still conflicts (it may not be minimal), and
    a repair the search did not finish still works (it may not be the cheapest).

    ``backend`` answers every solve (see the module docstring); without an IIS it confirms
    and filters another backend's IIS, and the notes say so.
    """
    from optimizer.analysis.solve import solve
    from optimizer.runtime.isolation import stage
    from optimizer.scenario.loading import ScenarioError

    engine = solver_backend(backend)
    deadline = Deadline.of(time_limit)
    notes: list[str] = []
    if engine.name != "highs":
        notes.append(
            f"every feasibility test, repair and repaired plan of this diagnosis was solved on "
            f"{engine.name} ({engine.description})"
        )
    stage("the search for conflicting limits")
    conflict, relaxation = conflict_set(scenario, deadline, notes, engine)
    stage("the repair search")
    cheapest, alternatives = repairs(scenario, deadline, notes, engine)
    repaired = None
    message = ""
    if cheapest is None:
        message = "no change to the levers makes a plan possible"
        if deadline.expired():
            message = "the time limit ran out before a repair was found"
    elif deadline.expired():
        notes.append("the repaired plan was not solved: the time limit ran out")
    else:
        stage("the repaired plan")
        try:
            repaired = solve(
                cheapest.apply(scenario), objective, time_limit=deadline, backend=engine
            )
        except ScenarioError as exc:  # a repair past a bound the schema sets
            message = f"the repaired scenario is not valid: {exc.problems[0]}"
        else:
            if not repaired.solved:
                message = f"the repaired scenario did not solve: {repaired.status.value}"
    return Diagnosis(
        conflict, relaxation, cheapest, alternatives, repaired, message, tuple(notes), engine.name
    )


# ---- the conflict set ------------------------------------------------------------------


def _feasible(
    a: ModelArrays,
    integer: bool,
    deadline: Deadline | None = None,
    engine: Backend | None = None,
) -> bool | None:
    """True or False; None when the time limit stopped the solve before it could tell.
    ``engine`` answers (default HiGHS)."""
    lp = replace(
        a,
        c=np.zeros_like(a.c),
        c_tiebreak=np.zeros_like(a.c),
        integer=a.integer if integer else np.zeros_like(a.integer),
    )
    limit = deadline.remaining() if deadline is not None else None
    engine = engine or solver_backend("highs")
    status = engine.solve(lp, ranging=False, duals=False, time_limit=limit).status
    if status is Status.TIME_LIMIT:
        return None
    return status is Status.OPTIMAL


def _keep_only(a: ModelArrays, keep: np.ndarray) -> ModelArrays:
    """The model with every limit not in ``keep`` removed (definitions always stay)."""
    lower, upper = a.row_lower.copy(), a.row_upper.copy()
    lower[~keep], upper[~keep] = -np.inf, np.inf
    return replace(a, row_lower=lower, row_upper=upper)


def conflict_set(
    scenario: Scenario,
    deadline: Deadline | None = None,
    notes: list[str] | None = None,
    backend: str | Backend | None = "highs",
) -> tuple[pd.DataFrame, str]:
    """The conflicting limits and whether they conflict outright ("lp") or only in whole
    people ("integer"). A limit the deletion filter could not test in time stays in.

    ``backend`` answers every feasibility question; its IIS proposes the set when it has
    one (``iis``), otherwise the deletion filter runs over every limit, and ``notes`` say so.
    """
    deadline = deadline or Deadline()
    engine = solver_backend(backend)
    model, _ = build_model(scenario)
    a = model.arrays()
    limit = _limit_rows(model)
    definitions = ~limit
    if _feasible(a, integer=False, engine=engine):
        relaxation, integer, candidates = "integer", True, limit
        proposed = _cpsat_proposal(a, limit, definitions, deadline, engine)
        if proposed is not None:
            candidates = proposed  # confirmed by the backend; the filter makes it irreducible
    else:
        relaxation, integer = "lp", False
        proposer = engine if engine.iis and engine.iis_rows is not None else _iis_backend()
        candidates = np.zeros(a.num_rows, bool)
        if proposer is not None:
            candidates[proposer.iis_rows(a)] = True
        candidates &= limit
        confirmed = not _feasible(
            _keep_only(a, candidates | definitions), integer=False, engine=engine
        )
        if not confirmed:
            candidates = limit  # the IIS was not usable on its own: filter everything
        if proposer is not engine and notes is not None:
            notes.append(_proposal_note(engine, proposer, confirmed, int(candidates.sum())))
    keep = candidates | definitions
    rows = np.flatnonzero(candidates)
    untested = 0
    for row in rows:
        if deadline.expired():
            untested += 1
            continue
        keep[row] = False
        if _feasible(_keep_only(a, keep), integer, deadline, engine) is not False:
            keep[row] = True  # needed (or not shown unneeded in time): it stays
    if untested and notes is not None:
        notes.append(
            f"the conflicting limits may not be the fewest: the time limit stopped the search "
            f"with {untested} of {len(rows)} limits untested (they are listed)"
        )
    members = np.flatnonzero(keep & limit)
    return _conflict_table(model, members), relaxation


def _proposal_note(engine: Backend, proposer: Backend | None, confirmed: bool, count: int) -> str:
    """What a backend without an IIS did instead (``conflict_set``)."""
    lacks = f"{engine.name} computes no irreducible infeasible subset (IIS): "
    if confirmed:
        return lacks + (
            f"the {proposer.name} backend's IIS was used only as a proposal; {engine.name} "
            f"confirmed that its {count} limits conflict and tested each in turn (a deletion "
            "filter)"
        )
    why = (
        f", as the {proposer.name} backend's IIS did not conflict there"
        if proposer is not None
        else ""
    )
    return lacks + f"each of the {count} limits was tested in turn on {engine.name}{why}"


def _iis_backend() -> Backend | None:
    """The first backend in the registry that computes an IIS (HiGHS), or None."""
    from optimizer.solvers import REGISTRY

    name = next((name for name, spec in REGISTRY.items() if spec.iis), None)
    return solver_backend(name) if name is not None else None


def _cpsat_proposal(
    a: ModelArrays,
    limit: np.ndarray,
    definitions: np.ndarray,
    deadline: Deadline,
    engine: Backend | None = None,
):
    """The limits CP-SAT's assumptions name (``optimizer.solvers.cpsat``), as a row mask,
    if ``engine`` (default HiGHS) confirms on the MILP that they conflict; otherwise None."""
    from optimizer.solvers.cpsat import propose_conflict

    engine = engine or solver_backend("highs")
    relaxed = engine.solve(
        replace(a, integer=np.zeros_like(a.integer)), ranging=False, duals=False,
        time_limit=deadline.remaining(),
    )  # fmt: skip
    if deadline.expired():
        return None
    try:
        proposal = propose_conflict(
            a, limit, x_relaxed=relaxed.x, time_limit=deadline.capped(CPSAT_SECONDS)
        )
    except Exception:  # noqa: BLE001 - CP-SAT only speeds the filter up; it may fail
        return None
    if proposal.status != "infeasible":
        return None
    rows = np.zeros(a.num_rows, bool)
    rows[proposal.rows] = True
    rows &= limit
    kept = _keep_only(a, rows | definitions)
    if _feasible(kept, integer=True, deadline=deadline, engine=engine) is not False:
        return None  # not a conflict of the MILP itself (see the cpsat module), or no time
    return rows


def _limit_rows(model: LinearModel) -> np.ndarray:
    limit = np.zeros(model.num_rows, bool)
    for block in model.row_blocks.values():
        if block.kind != "definition":
            limit[block.start : block.stop] = True
    return limit


def _conflict_table(model: LinearModel, members: np.ndarray) -> pd.DataFrame:
    """The rows ``members``: identifier, the family's words, the input that sets it, label."""
    names = model.row_names()
    rows = []
    for family, block in model.row_blocks.items():
        params = block.parameters()
        for row in members[(members >= block.start) & (members < block.stop)]:
            rows.append({
                "name": names[row], "department": block.department, "kind": block.kind,
                "description": block.description, "unit": block.unit,
                "parameter": params[row - block.start],
                "label": labels.row_label(family, labels.row_axes(names[row], family)),
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
    from optimizer.scenario.inputs import numeric_inputs

    for p, value, _ in numeric_inputs(scenario, scenario.objective):
        if p == path:
            return value
    raise KeyError(path)


def repairs(
    scenario: Scenario,
    deadline: Deadline | None = None,
    notes: list[str] | None = None,
    backend: str | Backend | None = "highs",
) -> tuple[Repair | None, list[Repair]]:
    """The cheapest repair and the one-lever-at-a-time alternatives, cheapest first.

    The joint repair is searched first; alternatives the time limit leaves are noted.
    ``backend`` solves the repair models and the one-lever searches.
    """
    deadline = deadline or Deadline()
    engine = solver_backend(backend)
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
    joint = None
    if limit_levers:
        joint = _solve_repair(model, limit_levers, shifts, "cheapest", deadline, notes, engine)
    alternatives = []
    skipped = 0
    for lever in limit_levers:
        found = None
        if deadline.expired():
            skipped += 1
        else:
            found = _solve_repair(model, [lever], shifts, "single", deadline, engine=engine)
        if found is not None:
            alternatives.append(found)
    for lever in other_levers:
        found = None
        if deadline.expired():
            skipped += 1
        else:
            found = _search_single(scenario, lever, deadline, engine)
        if found is not None:
            alternatives.append(found)
    if skipped and notes is not None:
        notes.append(
            f"{skipped} of {len(limit_levers) + len(other_levers)} one-lever alternatives not "
            "searched: the time limit ran out"
        )
    candidates = [joint] if joint is not None else []
    candidates += [_as_cheapest(r) for r in alternatives if r.changes["path"].iloc[0] in
                   {lev.path for lev in other_levers}]  # fmt: skip
    cheapest = min(candidates, key=lambda r: r.cost) if candidates else None
    alternatives.sort(key=lambda r: r.cost)
    return cheapest, alternatives


def _as_cheapest(repair: Repair) -> Repair:
    return replace(repair, kind="cheapest")


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
    model: LinearModel,
    chosen: list[Lever],
    shifts: dict,
    kind: str,
    deadline: Deadline | None = None,
    notes: list[str] | None = None,
    engine: Backend | None = None,
) -> Repair | None:
    """The least weighted change of ``chosen`` that makes a plan possible; a plan the
    time limit stopped is used (it still works) and noted as perhaps not the cheapest.
    ``engine`` solves it (default HiGHS, the only one given ``EXACT`` options)."""
    deadline = deadline or Deadline()
    engine = engine or solver_backend("highs")
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
    if engine.name == "highs":
        options = {"options": EXACT}
    else:  # no options: the costs are scaled above the solver's tolerances instead
        options = {}
        extended = replace(extended, c=extended.c * _cost_scale(weight))
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


def _search_single(
    scenario: Scenario, lever: Lever, deadline: Deadline, engine: Backend | None = None
) -> Repair | None:
    """Hours by bisection (more hours never hurt), the floor tier by tier (lower never hurts).

    A bisection the time limit stops returns the shortest day found to work so far."""
    if lever.path == QUALITY_FLOOR:
        minutes = sorted({t.minutes for t in scenario.sales.conversation_tiers}, reverse=True)
        for m in (m for m in minutes if m < lever.value):
            if _solvable(moved(scenario, lever.path, m), deadline, engine):
                return _repair([(lever, lever.value - m)], "single")
        if _solvable(moved(scenario, lever.path, 0.0), deadline, engine):
            return _repair([(lever, lever.value)], "single")
        return None
    if lever.path == "calendar.hours_per_day":
        low, high = lever.value, bounds_of(lever.path)[1]
        if not _solvable(moved(scenario, lever.path, high), deadline, engine):
            return None
        while high - low > HOURS_TOLERANCE and not deadline.expired():
            mid = (low + high) / 2
            works = _solvable(moved(scenario, lever.path, mid), deadline, engine)
            low, high = (low, mid) if works else (mid, high)
        return _repair([(lever, high - lever.value)], "single")
    return None


def _solvable(scenario: Scenario, deadline: Deadline, engine: Backend | None = None) -> bool:
    """True only when a plan was shown to exist (not when time ran out first)."""
    a = build_model(scenario)[0].arrays()
    return _feasible(a, integer=True, deadline=deadline, engine=engine) is True


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
        rows.append({
            "path": lever.path, "current": lever.value, "proposed": proposed,
            "change": proposed - lever.value, "unit": lever.unit, "weight": lever.weight,
            "cost": lever.weight * abs(proposed - lever.value),
        })  # fmt: skip
    frame = pd.DataFrame(rows)
    return Repair(frame, float(frame["cost"].sum()), kind, tuple(lever for lever, _ in changes))
