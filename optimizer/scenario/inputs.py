"""A scenario's numeric inputs: listing them by path, describing them, and moving them.

A path names one number in the scenario file the way ``--set`` does:
``marketing.ad_budget_per_month``, ``sales.teams[field].average_deal_value``,
``marketing.channels[search].tiers[1].cost_per_lead``. Each month of a monthly input given
as a list is its own input, named by the month: ``marketing.ad_budget_per_month[2027-03]``
(a monthly input given as one number is one input, its plain path, for every month).

``input_specs`` describes each input once, from the schema and the labels: its value and
unit, the leader's label, its natural step, whether it is a whole number, the values the
schema accepts, and whether leadership controls it (a lever a repair may move).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from pydantic import BaseModel

from optimizer.scenario.labels import Step
from optimizer.scenario.loading import set_path, validate
from optimizer.scenario.names import Objective
from optimizer.scenario.paths import unit_of
from optimizer.scenario.schema import Scenario

STRUCTURAL = {
    "calendar.horizon_months",
    "delivery.lead_time_months",
}
"""Inputs that change the model's shape (its months), not its numbers."""

STRUCTURAL_FIELDS = ("hiring_lead_time_months",)
"""Fields that change the model's shape wherever they are: a hiring lead time decides
which months' starts are the plan's hires (``optimizer.model.chain.workforce``)."""


NOT_INPUTS = ("uncertainty",)
"""Sections that describe the inputs rather than being inputs: the ranges on them."""


def is_structural(path: str) -> bool:
    """True when the input at ``path`` changes the model's shape, not its numbers."""
    return path in STRUCTURAL or path.rpartition(".")[2] in STRUCTURAL_FIELDS


def numeric_inputs(scenario: Scenario, objective: str) -> Iterator[tuple[str, float, str]]:
    """(path, value, unit) of every numeric input that can move the plan.

    A headcount's hiring, attrition and ramp inputs count only where its people flow
    (``Headcount.opening``); the horizon-end share only where some deal closes after the
    month it is won."""
    credit = any(any(share > 0 for share in t.close_profile[1:]) for t in scenario.sales.teams)
    for path, value, unit in _walk(scenario, "", scenario.calendar.month_labels()):
        if is_structural(path) or path.split(".")[0] in NOT_INPUTS:
            continue
        if path == "horizon_end.open_pipeline_value_share" and not credit:
            continue
        if path == "horizon_end.customer_months" and scenario.recurring_revenue is None:
            continue
        if path == "support.new_customers_per_deal" and scenario.recurring_revenue is not None:
            continue  # support serves the recurring customers
        if path.startswith("current_targets") and objective != Objective.closest_to_current:
            continue
        yield path, value, unit


@dataclass(frozen=True)
class InputSpec:
    """One numeric input of a scenario, described once (see the module docstring)."""

    path: str
    value: float
    unit: str
    label: str  # "Working day"
    step: Step  # the natural step: one hour a day, one person, one percentage point
    whole: bool  # a whole number by the schema (a headcount, months)
    low: float  # the lowest and highest value the schema accepts
    high: float
    lever: bool  # leadership controls it: a repair of an impossible plan may move it

    @property
    def step_size(self) -> float:
        """The natural step in the input's unit: whole numbers move by at least one."""
        return max(1.0, round(self.step.size)) if self.whole else self.step.size


def input_specs(scenario: Scenario, objective: str) -> list[InputSpec]:
    """Every input ``numeric_inputs`` lists, described (``InputSpec``), in the same order."""
    from optimizer.scenario import labels
    from optimizer.scenario.paths import bounds_of, holds_whole_number

    levers = set(scenario.lever_paths())
    return [
        InputSpec(
            path,
            value,
            unit,
            labels.input_label(path, scenario),
            labels.natural_step(path),
            holds_whole_number(path),
            *bounds_of(path),
            path in levers,
        )
        for path, value, unit in numeric_inputs(scenario, objective)
    ]


def _walk(node: BaseModel, prefix: str, months: list[str]) -> Iterator[tuple[str, float, str]]:
    from optimizer.scenario.schema import Headcount, is_monthly

    idle = Headcount.FLOW_FIELDS if isinstance(node, Headcount) and not node.flows else ()
    fields = type(node).model_fields
    for name in type(node).model_fields:
        if name in idle:
            continue
        value = getattr(node, name)
        path = f"{prefix}.{name}" if prefix else name
        if isinstance(value, BaseModel):
            yield from _walk(value, path, months)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    label = getattr(item, "name", None) or str(i)
                    yield from _walk(item, f"{path}[{label}]", months)
                elif is_monthly(fields[name]) and not isinstance(item, bool):
                    # a monthly input, month by month (the schema holds it to the horizon);
                    # other lists of numbers (a ramp, a close profile) are not inputs here
                    yield f"{path}[{months[i]}]", float(item), unit_of(type(node), name)
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, int | float) and not isinstance(item, bool):
                    yield f"{path}[{key}]", float(item), ""
        elif isinstance(value, int | float) and not isinstance(value, bool):
            yield path, float(value), unit_of(type(node), name)


def is_int_field(scenario: Scenario | dict, path: str) -> bool:
    """True when the input at ``path`` is a whole number (a headcount, months) by the
    schema; hours lost that default to ``0`` are hours, not whole numbers."""
    from optimizer.scenario.paths import holds_whole_number

    return holds_whole_number(path)


def with_values(scenario: Scenario, changes: Mapping[str, float], source: str = "") -> Scenario:
    """The scenario with each input at ``path`` set to its value, validated like a file.

    A whole-number input given a whole float (3.0) takes the int. A value the schema
    refuses (a share above 1, more hours lost than the day has) raises ``ScenarioError``
    naming the path, the value and what was expected.
    """
    data = scenario.model_dump()
    for path, value in changes.items():
        if isinstance(value, float) and value.is_integer() and is_int_field(data, path):
            value = int(value)
        set_path(data, path, value)
    label = ", ".join(f"{p} = {v:g}" for p, v in changes.items())
    return validate(data, source or f"what-if {label}", numbers_moved=True)


def moved(scenario: Scenario, path: str, value: float) -> Scenario:
    """The scenario with one input set to ``value`` (validated again)."""
    return with_values(scenario, {path: value})


def nearest_bounds(scenario: Scenario, overrides: list[str] | tuple[str, ...] = (), count=3):
    """Up to ``count`` inputs to suspect when a solver fails on a scenario: those moved by
    ``--set`` first, then money and counts largest relative to the most the schema accepts
    (``MAGNITUDES``, at least 1 % of it), as ``path = value`` texts."""
    from optimizer.scenario.schema import MAGNITUDES

    moved_paths = [item.partition("=")[0].strip() for item in overrides]
    ranked = []
    for path, value, unit in numeric_inputs(scenario, Objective.closest_to_current):
        high = MAGNITUDES.get(unit, (0, 1))[1]  # shares and days have natural bounds
        share = abs(value) / high if high > 1 else 0.0
        if path in moved_paths or share >= 0.01:
            ranked.append((path not in moved_paths, -share, path, value))
    return [f"{path} = {value:g}" for _, _, path, value in sorted(ranked)[:count]]
