"""The smallest change of one input that makes a forced plan the best plan.

A question's plan is *optimal* when forcing it costs nothing: the best plan with it forced
earns what the best plan without it earns (``gap`` = free optimum - forced optimum is 0,
to ``GAP_TOL`` of the objective; both solved in whole people). From a scenario where the
forced plan is possible, each input is moved alone to find the least change that closes
the gap:

1. every candidate input's first-order effect on the gap: the envelope theorem on both
   plans' LPs (whole numbers held), d gap/dp = dV_free/dp - dV_forced/dp with
   dV/dp = dc.x + y.(db - dA x) (``rate``), gives an estimate of the change needed;
2. every input is then searched by re-solving, each way it may move, cheapest estimate
   first: moves doubled from half the estimate (an input with none, such as a limit that
   does not bind yet, from ``FIRST_COST`` of its size) until the gap closes, within the
   input's range and below the cost of the best change found so far (``MAX_COST`` at
   first), then bisection to ``PRECISION`` of the change; the stated change is confirmed by
   re-solves at it (the gap is closed) and just short of it (``SHORT``: still open). So every
   input is tried up to the answer's cost, on a doubling grid.

The answer is the cheapest confirmed one, weighed as every change is
(``optimizer.analysis.whynot.inputs``). The gap need not shrink in a straight line or even
monotonically (a plan switches shape), which is why nothing is stated from the estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from optimizer.analysis.whynot.feasible import PRECISION, SHORT, Change
from optimizer.analysis.whynot.forced import Question, value
from optimizer.analysis.whynot.inputs import Candidate, candidates, changes
from optimizer.model.linear import ModelArrays
from optimizer.runtime.deadline import Deadline
from optimizer.scenario.inputs import with_values
from optimizer.scenario.schema import Scenario
from optimizer.solvers import Status
from optimizer.solvers import backend as solver_backend

GAP_TOL = 1e-7
"""Forcing costs nothing when the gap is at most GAP_TOL x max(1, |free optimum|): the
relative gap to which the bundled scenarios' whole-number plans are proven
(``optimizer.solvers.GAP_POLICY``). At 1e-6 one forced lead costing 3 cents more on the
seed company's $35,400 plan passed for free."""

FIRST_COST = 0.01
"""An input with no first-order effect is first moved by 1 % of its size (its weight)."""

MAX_COST = 20.0
"""No change beyond 20 times an input's size is searched (2,000 %)."""


@dataclass
class Gap:
    """The free and forced optima at some inputs (None: no plan)."""

    free: float | None
    forced: float | None

    @property
    def closed(self) -> bool:
        if self.free is None or self.forced is None:
            return False
        return self.free - self.forced <= GAP_TOL * max(1.0, abs(self.free))

    @property
    def cost(self) -> float | None:
        """What forcing costs (objective units), or None when the forced plan has none."""
        if self.free is None or self.forced is None:
            return None
        return self.free - self.forced


@dataclass
class Optimal:
    """The cheapest single change found that makes the forced plan the best, or none."""

    change: Change | None
    gap: Gap  # at the scenario the search started from
    searched: int = 0
    solves: int = 0
    notes: list[str] | None = None


def gap_at(scenario: Scenario, question: Question, values: dict[str, float]) -> Gap:
    """The free and forced optima with ``values`` set (None where the schema refuses)."""
    try:
        moved = with_values(scenario, values) if values else scenario
    except Exception:  # noqa: BLE001 - the schema refuses the values
        return Gap(None, None)
    plain = question.model(moved, forced=False)[2]
    sense = plain.sense
    solved = value(question.model(moved)[2])
    forced = solved.value
    if question.hold_people and solved.x is not None:  # the free plan with the forced people
        ints = plain.integer
        lb, ub = plain.lb.copy(), plain.ub.copy()
        lb[ints] = ub[ints] = np.round(solved.x[ints])
        plain = replace(plain, lb=lb, ub=ub, integer=np.zeros_like(ints))
    free = value(plain).value
    if sense == "min":  # the gap is always what forcing costs
        free = None if free is None else -free
        forced = None if forced is None else -forced
    return Gap(free, forced)


def smallest_single_change(
    scenario: Scenario,
    question: Question,
    held: dict[str, float] | None = None,
    deadline: Deadline | None = None,
) -> Optimal:
    """The cheapest single input change (beyond ``held``, changes already made) that makes
    ``question``'s forced plan the best plan (see the module docstring)."""
    deadline = deadline or Deadline()
    held = dict(held or {})
    start = with_values(scenario, held) if held else scenario
    here = gap_at(scenario, question, held)
    result = Optimal(None, here, notes=[])
    result.solves += 2
    if here.closed:
        return result
    if here.forced is None:
        result.notes.append("the forced plan is not possible here: make it possible first")
        return result
    model, v, forced = question.model(start)
    free = question.model(start, forced=False)[2]
    cands = [c for c in candidates(start, question, forced) if c.path not in held]
    rates = _rates(free, forced, cands)
    plans = []  # (estimated cost, candidate, direction, first move to try)
    for cand, rate in zip(cands, rates):
        for direction in (1.0, -1.0):
            room = (cand.high if direction > 0 else cand.low) - cand.value
            if abs(room) < 1e-12:
                continue
            first = FIRST_COST / cand.weight
            estimate = math.inf
            if rate is not None and abs(rate) > 1e-12 and (-here.cost / rate) * direction > 0:
                t = abs(here.cost / rate)  # first order: where the gap would close
                estimate = cand.weight * t
                first = max(first, t / 2)
            plans.append((estimate, cand, direction, min(first, abs(room))))
    plans.sort(key=lambda p: p[0])
    best: Change | None = None
    for _, cand, direction, first in plans:
        if deadline.expired():
            result.notes.append("the time limit ran out")
            break
        ceiling = MAX_COST if best is None else best.cost
        if cand.weight * first >= ceiling:
            continue
        found, solves = _search(
            scenario, question, held, cand, direction * first, ceiling, deadline
        )
        result.searched += 1
        result.solves += solves
        if found is not None and (best is None or found.cost < best.cost):
            best = found
    result.change = best
    return result


def _rates(free: ModelArrays, forced: ModelArrays, cands: list[Candidate]) -> list[float | None]:
    """d(free optimum - forced optimum)/dp of each candidate, by the envelope theorem on
    each plan's LP with its whole numbers held (None where either has no duals)."""
    sides = []
    for a in (free, forced):
        out = solver_backend("highs").solve(a, ranging=False)
        if out.status is not Status.OPTIMAL or out.row_shadow is None:
            return [None] * len(cands)
        sides.append((a, out.x, out.row_shadow))
    rates = []
    for cand in cands:
        total = 0.0
        for sign, (a, x, y) in zip((1.0, -1.0), sides):
            total += sign * _rate(a, x, y, cand)
        rates.append(total if free.sense == "max" else -total)
    return rates


def _rate(a: ModelArrays, x: np.ndarray, y: np.ndarray, cand: Candidate) -> float:
    """dV/dp = dc.x + y.(db - dA x) for ``a`` (a prefix of the question's model: entries and
    rows beyond it are the question's own and left out)."""
    rate = 0.0
    idx, slope = cand.slopes.get("c", (np.zeros(0, dtype=np.int64), np.zeros(0)))
    keep = idx < a.num_vars
    rate += float(slope[keep] @ x[idx[keep]])
    idx, slope = cand.slopes.get("rhs", (np.zeros(0, dtype=np.int64), np.zeros(0)))
    keep = idx < a.num_rows
    rate += float(y[idx[keep]] @ slope[keep])
    idx, slope = cand.slopes.get("vals", (np.zeros(0, dtype=np.int64), np.zeros(0)))
    keep = idx < len(a.vals)
    idx, slope = idx[keep], slope[keep]
    rate -= float(np.sum(y[a.rows[idx]] * slope * x[a.cols[idx]]))
    return rate


def _search(scenario, question, held, cand: Candidate, t: float, ceiling: float, deadline):
    """The least move of ``cand`` in ``t``'s direction that closes the gap: moves doubled
    from ``t`` while their cost stays below ``ceiling`` and within the input's range, then
    bisection; confirmed just short of it. (Change, solves) or (None, solves)."""
    solves = 0
    room = (cand.high if t > 0 else cand.low) - cand.value

    def closed(move: float) -> bool:
        nonlocal solves
        solves += 2
        values = {**held, cand.path: _whole(cand, cand.value + move)}
        return gap_at(scenario, question, values).closed

    low, high = 0.0, t
    while not closed(high):
        if deadline.expired() or abs(high) >= abs(room):
            return None, solves
        low, high = high, high * 2 if abs(high * 2) < abs(room) else room
        if cand.weight * abs(high) >= ceiling:
            return None, solves
    while abs(high - low) > PRECISION * abs(high) / 2 and not deadline.expired():
        middle = (low + high) / 2
        if (
            cand.integer
            and abs(_whole(cand, cand.value + middle) - _whole(cand, cand.value + low)) < 1
        ):
            break
        low, high = (low, middle) if closed(middle) else (middle, high)
    proposed = _whole(cand, cand.value + high)
    if closed(SHORT * (proposed - cand.value)) or not closed(proposed - cand.value):
        return None, solves  # not confirmed: the gap does not close there, or is closed short
    change = Change(cand.path, cand.words, cand.unit, cand.value, proposed, cand.weight, True)
    return change, solves


def _whole(cand: Candidate, value: float) -> float:
    if not cand.integer:
        return value
    return float(math.ceil(value - 1e-9) if value > cand.value else math.floor(value + 1e-9))


__all__ = ["GAP_TOL", "Gap", "Optimal", "gap_at", "smallest_changes", "smallest_single_change"]


ROUNDS = 3
"""Greedy rounds at most when no single change closes the gap."""

STEP_COST = 2.0
"""A greedy round moves an input by at most twice its size (its first-order estimate)."""


def smallest_changes(
    scenario: Scenario,
    question: Question,
    held: dict[str, float] | None = None,
    deadline: Deadline | None = None,
):
    """Changes that make ``question``'s forced plan the best plan, starting from ``held``
    (changes that make it possible), as a ``feasible.Found``: one input if one suffices
    (``smallest_single_change``); else greedily, each round moving the input that closes
    most of the gap per unit of cost at its first-order estimate (re-solved), until a single
    change closes the rest. Every change is then cut back alone to the least that still
    closes the gap, and marked needed when just short of it the gap is open (re-solved)."""
    from optimizer.analysis.whynot.feasible import Found, cut_back

    deadline = deadline or Deadline()
    values = dict(held or {})
    found = Found()
    for _ in range(ROUNDS):
        single = smallest_single_change(scenario, question, values, deadline)
        found.solves += single.solves
        if single.gap.closed:
            break
        if single.change is not None:
            values[single.change.path] = single.change.proposed
            break
        step = _greedy_step(scenario, question, values, single.gap, deadline)
        found.solves += 2 * len(step[1]) if step else 0
        if step is None or step[0] is None:
            found.notes.append("no change of one input narrows the gap further")
            break
        values[step[0][0]] = step[0][1]
    gap = gap_at(scenario, question, values)
    found.solves += 2
    if not gap.closed:
        found.notes.append(f"not found within {ROUNDS} rounds")
        found.changes = changes(scenario, values)
        found.feasible = False
        return found
    found.changes = changes(scenario, values)
    cut_back(found, lambda v: gap_at(scenario, question, v).closed, deadline)
    found.value = gap_at(scenario, question, found.values()).forced
    return found


def _greedy_step(scenario, question, values, here: Gap, deadline):
    """The input (path, value) whose move at its first-order estimate (at most
    ``STEP_COST``) narrows the gap most per unit of cost, re-solved; and the tries."""
    start = with_values(scenario, values) if values else scenario
    forced = question.model(start)[2]
    free = question.model(start, forced=False)[2]
    cands = [c for c in candidates(start, question, forced) if c.path not in values]
    rates = _rates(free, forced, cands)
    best, tries = None, []
    for cand, rate in zip(cands, rates):
        if deadline.expired():
            break
        for direction in (1.0, -1.0):
            room = (cand.high if direction > 0 else cand.low) - cand.value
            if abs(room) < 1e-12:
                continue
            move = STEP_COST / cand.weight / 4
            if rate is not None and abs(rate) > 1e-12 and (-here.cost / rate) * direction > 0:
                move = min(abs(here.cost / rate), STEP_COST / cand.weight)
            move = direction * min(move, abs(room))
            proposed = _whole(cand, cand.value + move)
            gap = gap_at(scenario, question, {**values, cand.path: proposed})
            tries.append(cand.path)
            if gap.cost is None:
                continue
            gain = (here.cost - gap.cost) / max(cand.weight * abs(proposed - cand.value), 1e-12)
            if gain > 0 and (best is None or gain > best[0]):
                best = (gain, cand.path, proposed)
    return (None if best is None else (best[1], best[2])), tries
