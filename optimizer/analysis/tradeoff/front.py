"""A trade-off curve's parts: its points, the steps between them, the front itself."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from optimizer.analysis.result import Plan
from optimizer.analysis.tradeoff.words import axis_words


@dataclass(frozen=True)
class Point:
    """One plan on the curve: the axis at ``epsilon`` (the limit) and at ``value`` (the
    plan's own, recomputed from its numbers), its objective and key numbers."""

    epsilon: float
    value: float | None
    objective: float | None
    profit: float | None
    status: str
    verified: bool
    worst_violation: float
    worst: str
    reason: str
    headcount: float | None
    long_share: float | None
    quality_floor: float
    own: bool = False
    plan: Plan | None = field(default=None, repr=False, compare=False)

    @property
    def solved(self) -> bool:
        return self.objective is not None

    def to_json(self) -> dict:
        return {
            k: _clean(getattr(self, k))
            for k in (
                "epsilon", "value", "objective", "profit", "status", "verified",
                "worst_violation", "worst", "reason", "headcount", "long_share",
                "quality_floor", "own",
            )
        }  # fmt: skip


@dataclass(frozen=True)
class Step:
    """From one point to the next: the objective's change and the sentence saying it."""

    start: float
    end: float
    change: float | None
    words: str

    def to_json(self) -> dict:
        return {"from": self.start, "to": self.end, "change": _clean(self.change),
                "words": self.words}  # fmt: skip


@dataclass
class Front:
    """A trade-off curve: its axis, the points in the order the axis is pushed, where the
    scenario's own plan is (``own``: index into ``points``) and what each step costs."""

    axis: str
    label: str
    unit: str
    scenario: str
    objective: str
    objective_unit: str
    points: list[Point]
    own: int | None
    steps: list[Step]
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    long_minutes: float | None = None
    paths: list[str] = field(default_factory=list)
    credit: bool = False  # the objective counts more than the horizon's profit

    def value_words(self, value: float | None) -> str:
        return axis_words(self.axis, value)

    def without_plans(self) -> Front:
        """The same front without each point's plan (small to send between processes)."""
        return replace(self, points=[replace(p, plan=None) for p in self.points])

    def frame(self) -> pd.DataFrame:
        """One row per point, raw numbers (the front ends format them)."""
        return pd.DataFrame([p.to_json() for p in self.points])

    def to_json(self) -> dict:
        return {
            "axis": self.axis,
            "label": self.label,
            "unit": self.unit,
            "scenario": self.scenario,
            "objective": self.objective,
            "objective_unit": self.objective_unit,
            "long_minutes": self.long_minutes,
            "paths": self.paths,
            "credit": self.credit,
            "own": self.own,
            "points": [p.to_json() for p in self.points],
            "steps": [s.to_json() for s in self.steps],
            "notes": self.notes,
            "seconds": round(self.seconds, 3),
        }


def _clean(value):
    if isinstance(value, (np.floating, np.integer)):
        value = value.item()
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    return value
