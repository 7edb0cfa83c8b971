"""The smallest change of the inputs that makes a question's model possible.

For today's targets: what would have to be true for them to be met, every limit kept and
every goal reached. The inputs multiply the plan's quantities (a conversion rate times
conversations), so the exact question is not linear. It is solved by sequential linear
programming, the way counterfactual explanations of linear programs are computed (Kurtz,
Birbil and den Hertog): at a point (plan x0, changes d0), each row's numbers are
linearised in the changes,

    A(d) x  ~  A(d0) x + sum_c (d_c - d0_c) (dA_c . x0),     b(d) = b(d0) + sum_c (d_c - d0_c) db_c

and the LP  min sum_c w_c |d_c|  over the plan x and the changes d, within each input's
range, gives the next point. Its changes are then applied to the scenario, built and solved
in whole people (``forced.value``): if that has a plan, the answer is found; if not, the LP
is linearised again at the new point (``ROUNDS`` at most). The first linearisation is at the
plan the question implies with its limits broken as little as possible (today's targets:
``optimizer.analysis.current.evaluate``).

Then each change is cut back on its own, the others held, by bisection to ``PRECISION`` of
it, to the least that still gives a plan. So the answer's statement "no smaller change in
any single input does" is re-solved, not assumed: just short of each stated value
(``SHORT``) there is no plan. The quality floor, which picks the conversation lengths
allowed, is searched tier by tier around that: each lower floor is a question of its own.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from optimizer.analysis.whynot.forced import Question, value
from optimizer.analysis.whynot.inputs import (
    Candidate,
    candidates,
    changes,
    moved_arrays,
    rounded,
)
from optimizer.model.linear import ModelArrays
from optimizer.runtime.deadline import Deadline
from optimizer.scenario.inputs import with_values
from optimizer.scenario.loading import ScenarioError
from optimizer.scenario.names import QUALITY_FLOOR
from optimizer.scenario.schema import Scenario
from optimizer.solvers import Status
from optimizer.solvers import backend as solver_backend

ROUNDS = 8
"""Linearisations at most before the search gives up."""

PRECISION = 1e-3
"""Each change is cut back to within this share of itself (bisection)."""

SHORT = 1 - 2 * PRECISION
"""Each stated change is confirmed to be needed: at this share of it, no plan."""

DROP = 1e-9
"""Changes below this share of the input's size are no change."""


@dataclass
class Change:
    """One input moved: from its value to ``proposed``."""

    path: str
    words: str
    unit: str
    current: float
    proposed: float
    weight: float
    needed: bool = False  # re-solved: at SHORT of the change, no plan

    @property
    def change(self) -> float:
        return self.proposed - self.current

    @property
    def cost(self) -> float:
        return self.weight * abs(self.change)


@dataclass
class Found:
    """The changes that make the question's model possible, and how they were checked."""

    changes: list[Change] = field(default_factory=list)
    feasible: bool = False  # re-solved with every change: a plan in whole people
    value: float | None = None  # that plan's objective
    solves: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def cost(self) -> float:
        return sum(c.cost for c in self.changes)

    def values(self) -> dict[str, float]:
        return {c.path: c.proposed for c in self.changes}


def smallest_change(
    scenario: Scenario,
    question: Question,
    start: np.ndarray | None = None,
    deadline: Deadline | None = None,
) -> Found:
    """The cheapest change found that gives ``question`` a plan (see the module docstring).
    ``start`` is the plan to linearise at first (default: the unforced plan)."""
    deadline = deadline or Deadline()
    floor_weight = _floor_weight(scenario)
    floors = _floors(scenario)
    if not math.isfinite(floor_weight):  # the floor is fixed (levers:): it stays where it is
        floors = floors[:1]
    best: Found | None = None
    for floor in floors:
        floor_cost = floor_weight * abs(floor - floors[0])
        if best is not None and best.feasible and floor_cost >= best.cost:
            break
        if deadline.expired():
            break
        here = scenario if floor == floors[0] else with_values(scenario, {QUALITY_FLOOR: floor})
        found = _search(here, question, start, deadline)
        if floor != floors[0]:
            found.changes.insert(0, changes(scenario, {QUALITY_FLOOR: floor})[0])
        if found.feasible and (best is None or not best.feasible or found.cost < best.cost):
            best = found
        elif best is None:
            best = found
    best = best or Found(notes=["no change found"])
    if best.feasible:
        _confirm_floor(scenario, question, best)
    return best


def _floors(scenario: Scenario) -> list[float]:
    """Today's quality floor, then each conversation length below it, longest first."""
    floor = float(scenario.sales.min_minutes_per_quality_conversation)
    lower = sorted(
        {float(t.minutes) for t in scenario.sales.conversation_tiers if t.minutes < floor},
        reverse=True,
    )
    return [floor, *lower]


def _floor_weight(scenario: Scenario) -> float:
    """The quality floor's weight as a lever; infinite when ``levers:`` fixes it."""
    from optimizer.analysis.diagnose.repairs import levers

    for lever in levers(scenario):
        if lever.path == QUALITY_FLOOR:
            return lever.weight
    return math.inf


def _search(scenario: Scenario, question: Question, start, deadline: Deadline) -> Found:
    found = Found()
    model, v, base = question.model(scenario)
    solved = value(base)
    found.solves += 1
    if solved.value is not None:
        found.feasible, found.value = True, solved.value
        return found
    cands = candidates(scenario, question, base)
    if not cands:
        found.notes.append("no input can move")
        return found
    x0 = _start(scenario, question, base, start)
    moves = np.zeros(len(cands))
    rounds = 0
    while rounds < ROUNDS:
        rounds += 1
        if deadline.expired():
            found.notes.append("the time limit ran out")
            return found
        step = _linearised(base, cands, moves, x0)
        found.solves += 1
        if step is not None and _fractional(base, step[1]):
            # whole people: the same LP with each headcount fixed at the plan's, rounded
            for whole in (np.round, np.ceil):
                fixed = _linearised(base, cands, moves, x0, whole(step[1]))
                found.solves += 1
                if fixed is not None:
                    step = fixed
                    break
        if step is None:
            found.notes.append("no change of the inputs within their ranges gives a plan")
            return found
        moves, x0 = step
        moves = np.array([rounded(c, m) for c, m in zip(cands, moves)])
        proposal = _changes(cands, moves)
        try:
            moved = with_values(scenario, {c.path: c.proposed for c in proposal})
        except ScenarioError as error:  # a rule across inputs (tiers in order): leave them
            paths = [p.path for p in error.problems if p.path]
            keep = [
                i for i, c in enumerate(cands)
                if not (moves[i] and any(c.path.startswith(p) for p in paths))
            ]  # fmt: skip
            if len(keep) == len(cands):
                found.notes.append(f"a proposal was refused: {error}")
                return found
            cands, moves = [cands[i] for i in keep], np.zeros(len(keep))
            rounds -= 1
            continue
        solved = value(question.model(moved)[2])
        found.solves += 1
        if solved.value is not None:
            found.changes, found.feasible, found.value = proposal, True, solved.value
            _cut_back(scenario, question, found, deadline)
            return found
    found.notes.append(f"no plan after {ROUNDS} linearisations")
    return found


def _start(scenario, question, base, start) -> np.ndarray:
    """Where to linearise first: ``start``, else the plan with the question's rows lifted."""
    if start is not None:
        return np.asarray(start, dtype=float)[: base.num_vars]
    model, v, plain = question.model(scenario, forced=False)
    solved = value(plain)
    x = np.zeros(base.num_vars)
    if solved.x is not None:
        x[: len(solved.x)] = solved.x[: base.num_vars]
    return x


def _fractional(base: ModelArrays, x: np.ndarray) -> bool:
    ints = base.integer
    return bool(np.any(np.abs(x[ints] - np.round(x[ints])) > 1e-6))


def _linearised(
    base: ModelArrays, cands: list[Candidate], moves: np.ndarray, x0: np.ndarray, whole=None
):
    """One LP of the sequence: the cheapest total changes with the rows linearised at
    (x0, moves); ``whole``: a plan whose whole-number columns are held at its values.
    Returns (changes, plan) or None when the LP has no solution."""
    here = moved_arrays(base, list(zip(cands, moves)))
    if whole is not None:
        lb, ub = here.lb.copy(), here.ub.copy()
        lb[base.integer] = ub[base.integer] = whole[base.integer]
        here = replace(here, lb=lb, ub=ub)
    n, m = here.num_vars, len(cands)
    g_rows, g_cols, g_vals = [], [], []
    shift = np.zeros(here.num_rows)
    for k, cand in enumerate(cands):
        g = np.zeros(here.num_rows)
        idx, slope = cand.slopes.get("vals", (np.zeros(0, dtype=np.int64), np.zeros(0)))
        if len(idx):
            np.add.at(g, base.rows[idx], slope * x0[base.cols[idx]])
        idx, slope = cand.slopes.get("rhs", (np.zeros(0, dtype=np.int64), np.zeros(0)))
        if len(idx):
            g[idx] -= slope
        nz = np.flatnonzero(g)
        shift += moves[k] * g
        for sign, col in ((1.0, n + k), (-1.0, n + m + k)):
            g_rows.append(nz)
            g_cols.append(np.full(len(nz), col))
            g_vals.append(sign * g[nz])
    cost = np.array([c.weight for c in cands])
    up = np.array([max(0.0, c.high - c.value) for c in cands])
    down = np.array([max(0.0, c.value - c.low) for c in cands])
    lp = replace(
        here,
        c=np.concatenate([np.zeros(n), cost, cost]),
        c_tiebreak=np.zeros(n + 2 * m),
        c0=0.0,
        lb=np.concatenate([here.lb, np.zeros(2 * m)]),
        ub=np.concatenate(
            [here.ub, np.where(up > 1e12, np.inf, up), np.where(down > 1e12, np.inf, down)]
        ),
        integer=np.zeros(n + 2 * m, dtype=bool),
        rows=np.concatenate([here.rows, *g_rows]),
        cols=np.concatenate([here.cols, *g_cols]),
        vals=np.concatenate([here.vals, *g_vals]),
        lhs_mask=np.concatenate([here.lhs_mask, np.ones(sum(len(r) for r in g_rows), dtype=bool)]),
        row_lower=here.row_lower + shift,
        row_upper=here.row_upper + shift,
        rhs=here.rhs + shift,
        sense="min",
        decisions=None,
    )
    out = solver_backend("highs").solve(lp, duals=False, ranging=False)
    if out.status is not Status.OPTIMAL or out.x is None:
        return None
    x = out.x
    return x[n : n + m] - x[n + m :], x[:n]


def _changes(cands: list[Candidate], moves: np.ndarray) -> list[Change]:
    out = []
    for cand, move in zip(cands, moves):
        if abs(move) <= DROP * max(1.0, abs(cand.value)):
            continue
        proposed = min(max(cand.value + move, cand.low), cand.high)
        out.append(Change(cand.path, cand.words, cand.unit, cand.value, proposed, cand.weight))
    return out


def _possible(scenario: Scenario, question: Question, values: dict[str, float]) -> bool:
    try:
        moved = with_values(scenario, values)
    except Exception:  # noqa: BLE001 - the schema refuses it: not a possible scenario
        return False
    return value(question.model(moved)[2]).value is not None


Works = Callable[[dict[str, float]], bool]


def _cut_back(scenario: Scenario, question: Question, found: Found, deadline: Deadline) -> None:
    cut_back(found, lambda values: _possible(scenario, question, values), deadline)


def cut_back(found: Found, works: Works, deadline: Deadline) -> None:
    """Each change cut back alone to the least that still ``works`` (bisection), the
    dearest first; a change not needed at all is dropped. Marks each ``needed`` when at
    ``SHORT`` of it, the others held, it does not work. ``found.feasible`` says whether
    all of them together work (re-solved)."""
    for change in sorted(found.changes, key=lambda c: -c.cost):
        if deadline.expired():
            break
        others = {c.path: c.proposed for c in found.changes if c is not change}
        if works({**others, change.path: change.current}):
            found.changes.remove(change)
            found.solves += 1
            continue
        low, high = 0.0, 1.0  # shares of the change: low gives no plan, high does
        integer = float(change.current).is_integer() and float(change.proposed).is_integer()
        while high - low > PRECISION / 2 and not deadline.expired():
            middle = (low + high) / 2
            value_at = change.current + middle * change.change
            if integer:
                value_at = float(math.ceil(value_at) if change.change > 0 else math.floor(value_at))
            ok = works({**others, change.path: value_at})
            found.solves += 1
            low, high = (low, middle) if ok else (middle, high)
            if integer and abs(value_at - change.current) < 1:
                break
        proposed = change.current + high * change.change
        if integer:
            proposed = float(
                math.ceil(proposed - 1e-9) if change.change > 0 else math.floor(proposed + 1e-9)
            )
        change.proposed = proposed
    for change in found.changes:
        if change.path == QUALITY_FLOOR:
            continue
        others = {c.path: c.proposed for c in found.changes if c is not change}
        short = change.current + SHORT * change.change
        change.needed = not works({**others, change.path: short})
        found.solves += 1
    found.feasible = works(found.values())


def _confirm_floor(scenario: Scenario, question: Question, found: Found) -> None:
    """The quality floor's change is needed when the next floor up (the tier above its
    proposed value, or today's) gives no plan with the other changes."""
    floor = next((c for c in found.changes if c.path == QUALITY_FLOOR), None)
    if floor is None:
        return
    others = {c.path: c.proposed for c in found.changes if c is not floor}
    above = [f for f in _floors(scenario) if f > floor.proposed]
    nearest = min(above) if above else floor.current
    floor.needed = not _possible(scenario, question, {**others, QUALITY_FLOOR: nearest})
    found.solves += 1
