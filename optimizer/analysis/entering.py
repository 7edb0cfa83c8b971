"""When an unused option would enter the plan: the input change that prices it in.

An unused decision (a conversation length, a price tier of leads) sits at its bound with a
reduced cost d < 0 (in a profit plan: each one forced in loses |d|). An input p that moves
only the numbers of unused columns (their objective coefficients and their entries in the
rows: the conversion rate of that conversation length, the price of that tier) leaves the
LP's basis primal feasible and its duals y unchanged, so each touched column k's reduced
cost moves in a straight line with p:

    d_k(p + t) = d_k + t * g_k,    g_k = dc_k/dp - sum_i y_i dA_ik/dp

(``dc``, ``dA``: the input's pattern, ``optimizer.analysis.patterns``). The basis stays
optimal until the first touched reduced cost reaches 0: at

    t* = min over touched k with d_k + t g_k reaching 0 of  -d_k / g_k

that column enters. This is exact for the LP of the plan with its whole numbers held, and
stated so ("with the plan's people"). An input that also moves a used column, a limit or a
bound changes the duals: no threshold is stated for it.

Every threshold stated is confirmed by re-solving that LP with the input just short of it
(``CONFIRM``: the option is still not worth using: the optimum with it held at its bound
equals the free optimum) and just past it (the free optimum is strictly better than with
it held at its bound); one that fails is dropped and counted in ``notes``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from optimizer.analysis.patterns import Pattern, Patterns, affine
from optimizer.analysis.result import Plan
from optimizer.model.linear import ModelArrays
from optimizer.scenario import labels
from optimizer.scenario.inputs import is_int_field, numeric_inputs
from optimizer.scenario.paths import bounds_of
from optimizer.solvers import Status
from optimizer.solvers import backend as solver_backend

CONFIRM = 1e-3
"""A threshold is confirmed at (1 - CONFIRM) and (1 + CONFIRM) of the change it states."""

GAIN_TOL = 1e-7
"""The free optimum is 'strictly better' when above the held one by GAIN_TOL x max(1, |V|)."""

SHOWN = 3
"""Inputs stated per unused option: the smallest relative changes first."""


@dataclass(frozen=True)
class Entry:
    """One unused decision and one input that would bring it into the plan."""

    variable: str  # the model's name, e.g. conversations[2027-01,field,20min]
    label: str  # "Conversations of 20 minutes, field team, Jan 2027"
    reduced_cost: float  # objective change per unit forced in (negative: a loss)
    path: str  # the input
    input_label: str
    unit: str
    current: float
    threshold: float  # the input's value at which the option enters
    enters: str  # the variable that enters first there (this one or a sibling)
    relative_change: float  # |threshold - current| / |current|
    confirmed: bool
    sentence: str


def entering(
    plan: Plan,
    patterns: Patterns,
    *,
    inputs: list[str] | None = None,
    confirm: bool = True,
) -> tuple[list[Entry], list[str]]:
    """For each unused decision of ``plan`` (of ``patterns``' scenario), the inputs that
    would bring it into the plan, nearest first (at most ``SHOWN`` each), and notes.

    ``inputs`` limits the inputs tried (default: every numeric input with a straight line)."""
    v = plan.variables
    c = plan.constraints
    notes: list[str] = []
    if v.empty or "reduced_cost" not in v or "lp_dual" not in c or plan.objective is None:
        return [], notes
    base = patterns.base
    if base.num_vars != len(v) or base.num_rows != len(c):
        return [], ["entering thresholds left out: the plan is not this scenario's model"]
    y = c["lp_dual"].to_numpy(dtype=float)
    d = v["reduced_cost"].to_numpy(dtype=float)
    at = v["at"].to_numpy()
    degenerate = v["degenerate"].to_numpy(dtype=bool)
    value = v["value"].to_numpy(dtype=float)
    if not np.isfinite(y).all():
        return [], ["entering thresholds left out: the plan has no duals"]
    sense = 1.0 if base.sense == "max" else -1.0
    unused = (at == "lower") & v["decision"].to_numpy(dtype=bool) & (sense * d < -1e-9)
    unused &= ~degenerate & np.isfinite(d)
    if not unused.any():
        return [], notes
    nonbasic = (at == "lower") | (at == "upper")
    units = {p: u for p, _, u in numeric_inputs(patterns.scenario, patterns.objective)}
    paths = inputs if inputs is not None else list(units)
    found: dict[int, list[Entry]] = {}
    held = _held(base, value, at)
    checker = _Checker(held, plan.objective) if confirm else None
    dropped = 0
    for path in paths:
        if path not in units or not affine(path):
            continue
        line = patterns.line(path)
        if line is None:
            continue
        touched = _touched_columns(line, base)
        if touched is None or not len(touched) or not nonbasic[touched].all():
            continue
        if not unused[touched].any():
            continue
        g = _slopes(line, base, y, touched)
        current = patterns.values[path]
        result = _threshold(d[touched], g, sense, current, path, line)
        if result is None:
            continue
        t, first = result
        k = int(touched[first])
        if is_int_field(patterns.scenario, path):
            continue  # a whole-number input moves in steps: no exact threshold to state
        ok = True
        if checker is not None:
            t = checker.locate(line, t, k, _room(path, current, t))
            if t is None or not _on_line(patterns, line, path, current + t):
                dropped += 1
                continue
        threshold = current + t
        for j in touched[unused[touched]]:
            entry = _entry(
                v,
                int(j),
                k,
                path,
                units[path],
                current,
                threshold,
                d[int(j)],
                ok,
                patterns.scenario,
            )
            found.setdefault(int(j), []).append(entry)
    if dropped:
        notes.append(
            f"{dropped} entering threshold(s) not stated: a re-solve found none, or it lies "
            "where the scenario's rules refuse the input or its effect is no longer a "
            "straight line"
        )
    out: list[Entry] = []
    for j in sorted(found, key=lambda j: abs(d[j])):  # nearest to entering first
        out += sorted(found[j], key=lambda e: e.relative_change)[:SHOWN]
    return out, notes


def table(entries: list[Entry]) -> pd.DataFrame:
    """The entries as a table (one row per option and input)."""
    return pd.DataFrame([e.__dict__ for e in entries])


def _held(base: ModelArrays, value: np.ndarray, at: np.ndarray) -> ModelArrays:
    """The plan's LP: its whole numbers held at the plan's values."""
    lb, ub = base.lb.copy(), base.ub.copy()
    held = at == "held"
    lb[held] = ub[held] = np.round(value[held])
    return replace(base, lb=lb, ub=ub, integer=np.zeros_like(base.integer))


def _touched_columns(line: Pattern, base: ModelArrays) -> np.ndarray | None:
    """The columns whose numbers the input moves, or None when it also moves a limit, a
    bound or a constant (then the duals move too)."""
    cols = []
    for name, (idx, _slope) in line.slopes.items():
        if not len(idx):
            continue
        if name in ("c", "c_tiebreak"):
            cols.append(idx)
        elif name == "vals":
            cols.append(base.cols[idx])
        else:
            return None
    if not cols:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate(cols))


def _slopes(line: Pattern, base: ModelArrays, y: np.ndarray, touched: np.ndarray) -> np.ndarray:
    """d(reduced cost)/dp of each touched column: dc - sum_i y_i dA_i (product convention)."""
    g = np.zeros(base.num_vars)
    idx, slope = line.slopes.get("c", (np.zeros(0, dtype=np.int64), np.zeros(0)))
    g[idx] += slope
    idx, slope = line.slopes.get("c_tiebreak", (np.zeros(0, dtype=np.int64), np.zeros(0)))
    g[idx] += slope
    idx, slope = line.slopes.get("vals", (np.zeros(0, dtype=np.int64), np.zeros(0)))
    if len(idx):
        np.add.at(g, base.cols[idx], -y[base.rows[idx]] * slope)  # vals are A's, signed
    return g[touched]


def _threshold(d, g, sense, current, path, line) -> tuple[float, int] | None:
    """The smallest move t of the input (either way) at which a touched reduced cost
    reaches 0 from the unprofitable side, within the input's line and the schema's range;
    (t, index among the touched) or None."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(np.abs(g) > 1e-15, -d / g, np.nan)
    # d is unprofitable (sense * d < 0); t moves it towards 0 in either direction
    ok = np.isfinite(t) & (np.abs(t) > 0) & (sense * d < 0)
    if not ok.any():
        return None
    low, high = bounds_of(path)
    best = None
    for direction in (1.0, -1.0):
        cand = ok & (np.sign(t) == direction)
        if not cand.any():
            continue
        first = int(np.flatnonzero(cand)[np.argmin(np.abs(t[cand]))])
        step = float(t[first])
        if not (low <= current + step <= high):
            continue
        if best is None or abs(step) < abs(best[0]):
            best = (step, first)
    return best


def _room(path: str, current: float, t: float) -> float:
    """How far the input may move in the direction of ``t`` within the schema's range."""
    low, high = bounds_of(path)
    return (high - current) if t > 0 else (low - current)


def _on_line(patterns: Patterns, line: Pattern, path: str, value: float) -> bool:
    """The input's straight line holds at ``value``: inside the values it was verified
    between, or a build there agrees with it (the line then covers the threshold)."""
    if line.low <= value <= line.high:
        return True
    from optimizer.analysis.patterns import same_numbers

    try:
        built = patterns.arrays_at({path: value})
    except Exception:  # noqa: BLE001 - the schema refuses the value
        return False
    predicted = line.at(patterns.base, value - patterns.values[path])
    return same_numbers(predicted, built)


class _Checker:
    """Re-solves the plan's LP with an input moved, to confirm a threshold."""

    def __init__(self, held: ModelArrays, objective: float):
        self.held = held
        self.engine = solver_backend("highs")
        self.scale = max(1.0, abs(objective))

    def _value(self, arrays: ModelArrays) -> float | None:
        out = self.engine.solve(arrays, duals=False, ranging=False)
        return out.objective if out.status is Status.OPTIMAL else None

    def gain(self, line: Pattern, t: float, k: int) -> float | None:
        """The free optimum less the optimum with column k held at its bound, at p + t."""
        moved = line.at(self.held, t)
        free = self._value(moved)
        ub = moved.ub.copy()
        ub[k] = moved.lb[k]
        kept = self._value(replace(moved, ub=ub))
        if free is None or kept is None:
            return None
        return free - kept if moved.sense == "max" else kept - free

    def locate(self, line: Pattern, t: float, k: int, room: float) -> float | None:
        """The move at which column k's option enters, confirmed by re-solves: ``t`` (from
        the duals) when confirmed; else further on (a degenerate vertex: another optimal
        dual prices the option higher), found by doubling then halving within ``room``
        until the gain starts within ``CONFIRM`` of the move; None when it never does."""
        if self.confirms(line, t, k):
            return t
        tol = GAIN_TOL * self.scale
        low = t * (1 + CONFIRM)  # re-solved: no gain yet
        high = low
        while True:
            high = high * 2
            if abs(high) >= abs(room):
                high = room
            gain = self.gain(line, high, k)
            if gain is None:
                return None
            if gain > tol:
                break
            if high == room:
                return None
            low = high
        for _ in range(60):
            if abs(high - low) <= CONFIRM * abs(high) / 2:
                break
            middle = (low + high) / 2
            gain = self.gain(line, middle, k)
            if gain is None:
                return None
            low, high = (low, middle) if gain > tol else (middle, high)
        return high if self.confirms(line, high, k) else None

    def confirms(self, line: Pattern, t: float, k: int) -> bool:
        short = self.gain(line, t * (1 - CONFIRM), k)
        past = self.gain(line, t * (1 + CONFIRM), k)
        if short is None or past is None:
            return False
        tol = GAIN_TOL * self.scale
        return short <= tol and past > tol


def is_share(unit: str) -> bool:
    """A rate or share, shown as a percentage: conversion, a share of leads."""
    unit = str(unit)
    return unit in ("share", "%") or unit.startswith("deals/conversation")


def enough(value: float, unit: str, up: bool) -> float:
    """``value`` rounded away from today's (up when the input must rise, down when it must
    fall) to what a leader reads: a hundredth of a percentage point for a share, a hundredth
    below 100, a whole number above. So the value stated is always enough."""
    step = 1e-4 if is_share(unit) else (0.01 if abs(value) < 100 else 1.0)
    rounded = (math.ceil if up else math.floor)(value / step - 1e-9 if up else value / step + 1e-9)
    return round(rounded * step, 10)


def shown(value: float, unit: str, up: bool, bare: bool = False) -> str:
    """``value`` as a leader reads it, rounded away from today's value (up when the input
    must rise, down when it must fall), so the value stated is always enough. ``bare``:
    a count without its unit (money and shares keep their signs)."""
    unit = str(unit)
    share = is_share(unit)
    value, digits = enough(value, unit, up), 3
    if share:
        return labels.percent(value, digits=2)
    if unit.startswith("$"):
        return labels.money(value, cents=abs(value) < 100 and value != round(value))
    if bare:
        return labels.number(value, digits + 1)
    head = unit.split("/")[0].strip()  # "45 minutes", not "45 minutes a conversation"
    return f"{labels.number(value, digits + 1)} {head}".rstrip()


def moved_words(words: str, unit: str, current: float, proposed: float) -> str:
    """'conversations per lead from 1 to 4.37 conversations a lead', 'deal value from
    $3,500 to $3,516': an input's change in words, the new value rounded so it is enough."""
    up = proposed > current
    unit = str(unit)
    plain = not (unit.startswith("$") or unit in ("share", "%") or unit.startswith("deals/conv"))
    tail = f" {labels.unit_words(unit)}" if plain and unit else ""
    words = words[:1].lower() + words[1:]
    return (
        f"{words} from {shown(current, unit, not up, bare=True)} to "
        f"{shown(proposed, unit, up, bare=True)}{tail}"
    )


def _entry(v, j, k, path, unit, current, threshold, d, ok, scenario) -> Entry:
    label = str(v["label"].iloc[j])
    words = labels.input_label(path, scenario)
    up = threshold > current
    change = abs(threshold - current) / max(abs(current), 1e-12)
    cost = labels.money(abs(d), cents=abs(d) < 100)
    unit_of = str(v["unit"].iloc[j]) or "unit"
    one = unit_of.rstrip("s") if unit_of.endswith("s") else unit_of
    sentence = (
        f"{label}: not used (each {one} forced in costs {cost}); it would enter the plan if "
        f"{words[:1].lower() + words[1:]} {'rose' if up else 'fell'} from "
        f"{shown(current, unit, up)} to {'above' if up else 'below'} "
        f"{shown(threshold, unit, up)}, with the plan's people."
    )
    if k != j:
        sentence += f" ({v['label'].iloc[k]} enters first there.)"
    return Entry(
        variable=str(v["name"].iloc[j]),
        label=label,
        reduced_cost=float(d),
        path=path,
        input_label=words,
        unit=unit,
        current=float(current),
        threshold=float(threshold),
        enters=str(v["name"].iloc[k]),
        relative_change=float(change) if math.isfinite(change) else math.inf,
        confirmed=bool(ok),
        sentence=sentence,
    )
