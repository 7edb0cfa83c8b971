"""A trade-off curve in a leader's words: its axis, its values, what each step costs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from optimizer.scenario import labels
from optimizer.scenario.names import QUALITY_FLOOR
from optimizer.scenario.schema import Scenario

if TYPE_CHECKING:
    from optimizer.analysis.tradeoff.front import Front, Point, Step

AXIS_UNITS = {
    "quality_floor": "minutes",
    "long_share": "share",
    "headcount": "people",
    "service_level": "share",
    "disruption": "people",
}


def axis_label(axis: str, scenario: Scenario, long_minutes: float | None = None) -> str:
    """The axis in a leader's words."""
    if axis == "quality_floor":
        return labels.input_label(QUALITY_FLOOR)
    if axis == "long_share":
        return f"Share of conversations of {long_minutes:g} minutes or more"
    if axis == "headcount":
        return "People on staff, all roles (busiest month)"
    if axis == "service_level":
        names = [c.name for c in channels(scenario)]
        return f"Service level target, {labels.and_list(names)}" if names else "Service level"
    return "Month-to-month headcount changes (people, all months)"


def axis_words(axis: str, value: float | None) -> str:
    """'20 minutes', '86.7 %', '13 people': a value of the axis as a leader reads it."""
    if value is None or value != value:
        return "—"
    if AXIS_UNITS[axis] == "share":
        return labels.percent(value)
    return labels.amount(value, AXIS_UNITS[axis])


def channels(scenario: Scenario) -> list:
    """The live support channels (phone, chat) of the scenario."""
    return list(scenario.support.live_channels) if scenario.support is not None else []


PUSH = {
    "quality_floor": ("Raising the quality floor", "Lowering the quality floor"),
    "long_share": (
        "Raising the share of long conversations",
        "Lowering the share of long conversations",
    ),
    "headcount": ("Cutting the headcount", "Raising the headcount"),
    "service_level": ("Raising the service level target", "Lowering the service level target"),
    "disruption": (
        "Cutting month-to-month headcount changes",
        "Allowing more month-to-month headcount changes",
    ),
}
"""How a step along each axis is said: (the usual direction, the other)."""

RAISED = ("quality_floor", "long_share", "service_level")
"""The axes pushed upwards; headcount and disruption are pushed down."""


def steps(front: Front) -> list[Step]:
    """Each step between neighbouring points: the objective's change, in money words."""
    from optimizer.analysis.tradeoff.front import Step

    out = []
    for a, b in zip(front.points, front.points[1:]):
        change = b.objective - a.objective if a.solved and b.solved else None
        out.append(Step(a.epsilon, b.epsilon, change, step_words(front, a, b, change)))
    return out


def step_words(front: Front, a: Point, b: Point, change: float | None) -> str:
    """'Raising the quality floor from 20 minutes to 30 minutes costs $1,234 of profit.'"""
    up = b.epsilon >= a.epsilon
    verb = PUSH[front.axis][0 if up == (front.axis in RAISED) else 1]
    span = f"from {front.value_words(a.epsilon)} to {front.value_words(b.epsilon)}"
    what = "profit" if front.objective == "max_profit" and not front.credit else "the objective"
    if change is None:
        missing = b if not b.solved else a
        return f"{verb} {span}: no plan at {front.value_words(missing.epsilon)}."
    sign = 1.0 if front.objective_unit == "$" else 0.0
    amount = labels.money(abs(change)) if sign else labels.number(abs(change))
    if abs(change) < 0.5 * (1 if sign else 1e-6):
        return f"{verb} {span} costs nothing."
    better = change > 0 if _maximised(front) else change < 0
    return f"{verb} {span} {'adds' if better else 'costs'} {amount} of {what}."


def _maximised(front: Front) -> bool:
    return front.objective == "max_profit"
