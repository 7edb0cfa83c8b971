"""How far an input can move before the plan's decisions change ("the deal value can fall
by $410 before the plan changes").

With the plan's people held, the plan's decisions (``plan.variables``' ``decision`` columns
that are not held: leads bought by tier, conversations by length, units built) stay the
best ones at a moved input exactly when the best plan with them fixed earns what the best
plan earns: V_fixed(p) = V_free(p), each an LP of the moved model (what follows from the
decisions, such as revenue and cash, is free to follow). Starting at the input's value,
the move is doubled from one natural step until the decisions stop being best (or the
schema's range ends), then bisected to ``PRECISION`` of the move; both ends of the last
bracket are re-solves, so the range stated is confirmed: the decisions are best at its end
and not just past it. The moved models come from the input's straight line
(``optimizer.analysis.patterns``) where it was verified, and from builds beyond it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from optimizer.analysis.patterns import Patterns, affine
from optimizer.analysis.result import Plan
from optimizer.model.linear import ModelArrays
from optimizer.runtime.deadline import Deadline
from optimizer.scenario import labels
from optimizer.scenario.inputs import is_int_field, numeric_inputs
from optimizer.scenario.paths import bounds_of
from optimizer.solvers import Status
from optimizer.solvers import backend as solver_backend

PRECISION = 1e-3
"""A range's end is found to within this share of the move."""

TOL = 1e-7
"""The decisions are best when V_fixed >= V_free - TOL x max(1, |V_free|)."""

DOUBLINGS = 40


@dataclass(frozen=True)
class Holding:
    """The values of one input between which the plan's decisions stay the best."""

    path: str
    label: str
    unit: str
    value: float
    low: float  # -inf / the schema's lowest: no limit that way
    high: float
    low_limited: bool  # the decisions change just below ``low``
    high_limited: bool
    sentence: str


def holding_ranges(
    plan: Plan,
    patterns: Patterns,
    paths: list[str] | None = None,
    deadline: Deadline | None = None,
) -> list[Holding]:
    """For each input (default: every money input, a price or a cost), the range in which
    the plan's decisions stay the best, with the plan's people (see the module docstring)."""
    deadline = deadline or Deadline()
    v = plan.variables
    if v.empty or plan.objective is None or "at" not in v:
        return []
    x = v["value"].to_numpy(dtype=float)
    held = v["at"].to_numpy() == "held"
    decision = v["decision"].to_numpy(dtype=bool) & ~held
    units = {p: (value, u) for p, value, u in numeric_inputs(patterns.scenario, patterns.objective)}
    if paths is None:  # the prices: money inputs that move no limit (a budget, a goal)
        paths = [p for p, (_, u) in units.items() if str(u).startswith("$") and _price(patterns, p)]
    judge = _Judge(patterns, x, held, decision)
    out = []
    for path in paths:
        if deadline.expired() or path not in units or not affine(path):
            continue
        if is_int_field(patterns.scenario, path):
            continue
        value, unit = units[path]
        ends = []
        for direction in (-1.0, 1.0):
            ends.append(_end(judge, path, value, unit, direction, deadline))
        (low, low_limited), (high, high_limited) = ends
        if low is None or high is None:
            continue
        label = labels.input_label(path, patterns.scenario)
        out.append(Holding(path, label, unit, value, low, high, low_limited, high_limited,
                           _sentence(path, label, unit, value, low, high, low_limited, high_limited)))  # fmt: skip
    return out


def _price(patterns: Patterns, path: str) -> bool:
    """An input that moves the model's costs or coefficients, never a limit or a bound."""
    line = patterns.line(path)
    if line is None:
        return False
    moved = {name for name, (idx, _) in line.slopes.items() if len(idx)}
    return bool(moved) and moved <= {"c", "c_tiebreak", "vals"}


class _Judge:
    """Whether the plan's decisions are still the best at an input's moved value."""

    def __init__(self, patterns: Patterns, x, held, decision):
        self.patterns, self.x, self.held, self.decision = patterns, x, held, decision
        self.engine = solver_backend("highs")

    def arrays(self, path: str, value: float) -> ModelArrays | None:
        line = self.patterns.line(path)
        base = self.patterns.base
        if line is not None and line.low <= value <= line.high:
            return line.at(base, value - self.patterns.values[path])
        try:
            if not self.patterns.keeps_shape({path: value}):
                return None
            return self.patterns.arrays_at({path: value})
        except Exception:  # noqa: BLE001 - the schema refuses the value
            return None

    def best(self, path: str, value: float) -> bool | None:
        """True: the decisions are still best; False: not; None: no model or no plan."""
        a = self.arrays(path, value)
        if a is None:
            return None
        lb, ub = a.lb.copy(), a.ub.copy()
        lb[self.held] = ub[self.held] = np.round(self.x[self.held])
        lp = replace(a, lb=lb, ub=ub, integer=np.zeros_like(a.integer))
        free = self.engine.solve(lp, duals=False, ranging=False)
        if free.status is not Status.OPTIMAL:
            return None
        lb2, ub2 = lb.copy(), ub.copy()
        lb2[self.decision] = ub2[self.decision] = self.x[self.decision]
        fixed = self.engine.solve(replace(lp, lb=lb2, ub=ub2), duals=False, ranging=False)
        if fixed.status is not Status.OPTIMAL:
            return False
        sign = 1.0 if a.sense == "max" else -1.0
        return sign * (fixed.objective - free.objective) >= -TOL * max(1.0, abs(free.objective))


def _end(judge: _Judge, path: str, value: float, unit: str, direction: float, deadline):
    """(the range's end that way, whether the decisions change just past it)."""
    low, high = bounds_of(path)
    room = (high - value) if direction > 0 else (value - low)
    if room <= 0:
        return value, False
    step = labels.natural_step(path).size
    inside, move = 0.0, min(step, room)
    for _ in range(DOUBLINGS):
        if deadline.expired():
            return None, False
        verdict = judge.best(path, value + direction * move)
        if verdict is None:  # no model there: the range ends where the schema's rules do
            return value + direction * inside, False
        if not verdict:
            break
        inside = move
        if move >= room:
            return value + direction * room, False
        move = min(move * 2, room)
    else:
        return value + direction * inside, False
    outside = move
    while outside - inside > PRECISION * outside and not deadline.expired():
        middle = (inside + outside) / 2
        verdict = judge.best(path, value + direction * middle)
        if verdict:
            inside = middle
        else:
            outside = middle
    return value + direction * inside, True


def _sentence(path, label, unit, value, low, high, low_limited, high_limited) -> str:
    from optimizer.analysis.entering import shown

    words = label[:1].upper() + label[1:]
    step = labels.natural_step(path).size
    if (low_limited and value - low < PRECISION * step) or (
        high_limited and high - value < PRECISION * step
    ):
        return (
            f"{words}: any change moves the plan's amounts (they follow it), with the plan's "
            "people."
        )
    parts = []
    if low_limited:
        parts.append(f"fall by {shown(value - low, unit, False)} (to {shown(low, unit, True)})")
    if high_limited:
        parts.append(f"rise by {shown(high - value, unit, False)} (to {shown(high, unit, False)})")
    if not parts:
        return f"{words}: the plan's decisions stay the best at any value, with the plan's people."
    moves = " or ".join(parts)
    return f"{words} can {moves} before the plan's decisions change, with the plan's people."


__all__ = ["Holding", "holding_ranges"]
