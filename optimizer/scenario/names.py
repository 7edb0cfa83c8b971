"""Names a scenario file, the API and every front end share, each defined once.

``Objective``: the objectives a scenario can name, each with its sense, the unit of its
value and its words for a leader. ``QUALITY_FLOOR``: the input path of the quality floor.

Standard library only, so that the command line can build its choices from it without
loading pydantic or numpy (``tests/test_cli.py`` holds ``--help`` to that).
"""

from __future__ import annotations

from enum import StrEnum


class Objective(StrEnum):
    """What a plan is best at (``optimizer.model.chain.objectives`` states each one).

    A member is the plain ``str`` a scenario file writes: ``Objective.max_profit ==
    "max_profit"``, and JSON, f-strings and dict keys see only that name.
    """

    sense: str  # "max" or "min"
    unit: str  # the unit of the objective's value
    label: str  # a leader's words

    def __new__(cls, value: str, sense: str, unit: str, label: str) -> Objective:
        member = str.__new__(cls, value)
        member._value_ = value
        member.sense, member.unit, member.label = sense, unit, label
        return member

    max_profit = ("max_profit", "max", "$", "Most profit")
    min_cost = ("min_cost", "min", "$", "Least cost that meets the goals")
    closest_to_current = (
        "closest_to_current",
        "min",
        "weighted relative deviation",
        "Closest to today's targets",
    )


OBJECTIVES: tuple[str, ...] = tuple(o.value for o in Objective)
"""Every objective's name, in the order the front ends offer them."""

QUALITY_FLOOR = "sales.min_minutes_per_quality_conversation"
"""The input path of the quality floor: no conversation shorter than this many minutes."""
