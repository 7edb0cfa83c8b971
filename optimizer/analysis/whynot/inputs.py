"""The inputs a "what would have to be true" answer may move, their weights and patterns.

Every numeric input of the scenario is a candidate (facts of the market such as a
conversion rate or the qualified share, and leadership's levers such as a cap or the
working day), except:

- today's targets (what is being judged), a conversation tier's length (it names the
  option: ``OPTION_FIELDS``), the calendar's days and the opening balances
  (facts no plan changes), the goals (the question is what would let today's targets meet
  them), whole-number inputs other than the levers' caps, and any lever marked ``fixed``
  in the scenario's ``levers:`` (non-negotiable);
- inputs that change the model's shape rather than its numbers: the quality floor is
  searched tier by tier by the caller (``QUALITY_FLOOR``), a live channel's Erlang table
  steps and is left out.

A change is weighed as the repair levers' are (``optimizer.analysis.diagnose.repairs``):
a lever by its ``levers:`` weight or its own size; any other input by its share of its own
size, at least one natural step (a conversion rate of 0.5 % moved by one percentage point
costs as much as doubling a deal value of $3,500). A lever moves only the way that helps
(a cap up); a fact either way, within the range the schema accepts.

Each candidate's *pattern* is the slope of the question's model numbers per unit of the
input: the model built at the input's value and one step on, the difference divided by
the step (``Candidate.slopes``). The model is affine in each such input (the what-if engine
relies on the same, ``optimizer.analysis.patterns``); every answer is confirmed by a build
and a solve at the values it states, never by the slopes alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from optimizer.analysis.diagnose.repairs import levers
from optimizer.analysis.patterns import affine, same_shape
from optimizer.analysis.whynot.forced import Question
from optimizer.model.linear import ModelArrays
from optimizer.scenario import labels
from optimizer.scenario.inputs import is_int_field, is_structural, numeric_inputs, with_values
from optimizer.scenario.names import QUALITY_FLOOR
from optimizer.scenario.paths import bounds_of
from optimizer.scenario.schema import Scenario, lever_setting

LEFT_OUT = (
    "current_targets.",
    "calendar.business_days_per_month",
    "finance.cash.opening",
    "finance.profit_target_per_month",
    "finance.retained_earnings_per_month",
    "finance.cash.minimum",
    "finance.goals.",
    "customers.opening",
    "support.installed_base_customers",
)
"""Inputs no answer moves (see the module docstring): prefixes of their paths."""

OPTION_FIELDS = (".minutes",)
"""Fields that define an option rather than a fact about it: a conversation tier's length
names the option (a 20-minute conversation does not take 5.6 minutes)."""

FIELDS = ("c", "lb", "ub", "rhs", "vals")


@dataclass
class Candidate:
    """One input an answer may move."""

    path: str
    value: float
    unit: str
    words: str
    weight: float  # cost of a change of one unit
    low: float  # the range the answer may move it in (schema's, the lever's direction)
    high: float
    integer: bool
    slopes: dict[str, tuple[np.ndarray, np.ndarray]]  # field -> (index, per unit)

    def cost(self, change: float) -> float:
        return self.weight * abs(change)


def weigh(path: str, value: float, lever=None) -> float:
    """The cost of moving an input by one unit: a lever's (``repairs.Lever.weight``), or
    one over the input's size, at least one natural step (see the module docstring)."""
    if lever is not None:
        return lever.weight
    return 1.0 / max(abs(value), labels.natural_step(path).size)


def input_words(scenario: Scenario, path: str) -> str:
    """The input in a leader's words: 'the quality floor', 'Conversations per lead'."""
    return "the quality floor" if path == QUALITY_FLOOR else labels.input_label(path, scenario)


def changes(scenario: Scenario, values: dict[str, float]):
    """``values`` (path -> proposed) as ``feasible.Change``s, weighed as candidates are."""
    from optimizer.analysis.whynot.feasible import Change

    lever_of = {lever.path: lever for lever in levers(scenario)}
    current = {p: (v, u) for p, v, u in numeric_inputs(scenario, scenario.objective)}
    return [
        Change(path, input_words(scenario, path), current[path][1], current[path][0], proposed,
               weigh(path, current[path][0], lever_of.get(path)))
        for path, proposed in values.items()
    ]  # fmt: skip


def candidates(scenario: Scenario, question: Question, base: ModelArrays) -> list[Candidate]:
    """The inputs an answer may move, with their patterns on ``question``'s model."""
    lever_of = {lever.path: lever for lever in levers(scenario)}
    out = []
    for path, value, unit in numeric_inputs(scenario, scenario.objective):
        if path.startswith(LEFT_OUT) or is_structural(path) or not affine(path):
            continue
        if path.startswith("sales.conversation_tiers[") and path.endswith(OPTION_FIELDS):
            continue
        if path == QUALITY_FLOOR:
            continue
        setting = lever_setting(scenario, path)
        if setting is not None and setting.fixed:
            continue
        whole = is_int_field(scenario, path)
        lever = lever_of.get(path)
        if whole and lever is None:
            continue
        low, high = bounds_of(path)
        if lever is not None:
            low, high = (value, high) if lever.direction > 0 else (low, value)
        weight = weigh(path, value, lever)
        slopes = _slopes(scenario, question, base, path, value, low, high, whole)
        if slopes is None:
            continue
        words = input_words(scenario, path)
        out.append(Candidate(path, value, unit, words, weight, low, high, whole, slopes))
    return out


def _slopes(scenario, question, base, path, value, low, high, whole):
    """The question's model numbers per unit of the input, or None (no move possible, the
    schema refuses the step, or the model changes shape)."""
    reach = max(abs(value), 1.0)
    for share in (0.1, 0.01):
        step = max(1.0, round(share * reach)) if whole else share * reach
        for h in (step, -step):
            if not (low <= value + h <= high):
                continue
            try:
                moved = with_values(scenario, {path: value + h})
            except Exception:  # noqa: BLE001 - the schema refuses this value: try another
                continue
            other = question.model(moved)[2]
            if not same_shape(base, other):
                continue
            slopes = {}
            for name in FIELDS:
                a, b = getattr(base, name), getattr(other, name)
                finite = np.isfinite(a) & np.isfinite(b)
                if not np.array_equal(np.isfinite(a), np.isfinite(b)):
                    break
                delta = np.where(finite, b - np.where(finite, a, 0.0), 0.0)
                idx = np.flatnonzero(delta)
                slopes[name] = (idx, delta[idx] / h)
            else:
                if any(len(i) for i, _ in slopes.values()):
                    return slopes
                return None  # the input does not touch this model
    return None


def moved_arrays(base: ModelArrays, moves: list[tuple[Candidate, float]]) -> ModelArrays:
    """``base``'s numbers with each candidate moved by its change (its pattern)."""
    from dataclasses import replace

    changed = {name: getattr(base, name).copy() for name in FIELDS}
    for cand, change in moves:
        for name, (idx, slope) in cand.slopes.items():
            if len(idx):
                changed[name][idx] += change * slope
    rhs = changed["rhs"]
    changed["row_lower"] = np.where(np.isfinite(base.row_lower), rhs, -np.inf)
    changed["row_upper"] = np.where(np.isfinite(base.row_upper), rhs, np.inf)
    return replace(base, **changed)


def rounded(cand: Candidate, change: float) -> float:
    """A whole-number input's change, rounded the way that helps (away from today's)."""
    if not cand.integer:
        return change
    return float(math.ceil(change - 1e-9)) if change > 0 else float(math.floor(change + 1e-9))
