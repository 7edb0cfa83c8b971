"""The gap between a plan and today's targets (``current_targets``), target by target.

For each target the company states today, the plan's value is taken per month and
averaged over the horizon, then compared: ``difference = plan - current`` and
``relative = difference / current`` (null when today's target is 0). Company-wide
ratios are computed from totals:

    calls per rep per day = conversations of all teams / (reps of all teams x business days)
    quota per rep         = revenue of all teams / reps of all teams

``total_gap`` weighs each |relative| by ``current_targets.weights`` (1 when not given), the
measure of the ``closest_to_current`` objective taken on monthly averages.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from optimizer.scenario.schema import Scenario

ROLE_OF = {
    "leads_per_month": ("marketing", "leads_per_month"),
    "ad_spend_per_month": ("marketing", "ad_spend_per_month"),
    "workers": ("delivery", "workers"),
    "units_per_worker_per_month": ("delivery", "units_per_worker_per_month"),
    "support_agents": ("support", "agents"),
    "tickets_per_agent_per_day": ("support", "tickets_per_agent_per_day"),
}


def gap_to_current(scenario: Scenario, targets: pd.DataFrame) -> list[dict]:
    """One entry per stated current target that the plan has a number for."""
    ct = scenario.current_targets
    if targets.empty:
        return []
    monthly: dict[tuple[str, str], list[float]] = {}  # in month order, as targets lists them
    for role, metric, value in zip(targets["role"], targets["metric"], targets["value"]):
        monthly.setdefault((role, metric), []).append(value)
    teams = [t.name for t in scenario.sales.teams]

    def col(role: str, metric: str) -> np.ndarray | None:
        values = monthly.get((role, metric))
        return None if values is None else np.asarray(values, dtype=float)

    def total(metric: str) -> np.ndarray:
        return sum(col(team, metric) for team in teams)

    def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return num / den  # no reps: not finite, and left out below

    days = scenario.per_month(scenario.calendar.business_days_per_month)  # each month's
    stated: list[tuple[str, str | None, float, np.ndarray | None]] = []
    if ct.calls_per_rep_per_day is not None:
        per_day = ratio(total("conversations_per_month"), total("reps") * days)
        stated.append(("calls_per_rep_per_day", None, ct.calls_per_rep_per_day, per_day))
    if ct.dials_per_rep_per_day is not None:  # over the teams that dial
        dialing = [t for t in teams if col(t, "dials_per_month") is not None]
        if dialing:
            made = sum(col(t, "dials_per_month") for t in dialing)
            per_day = ratio(made, sum(col(t, "reps") for t in dialing) * days)
            stated.append(("dials_per_rep_per_day", None, ct.dials_per_rep_per_day, per_day))
    for name, per_week in ct.stages_per_rep_per_week.items():  # five business days a week
        held = total(f"{name}_per_month") * 5.0
        stated.append(
            (f"{name}_per_rep_per_week", None, per_week, ratio(held, total("reps") * days))
        )
    for team, reps in ct.reps.items():
        stated.append(("reps", team, reps, col(team, "reps")))
    if ct.quota_per_rep_per_month is not None:
        quota = ratio(total("revenue_per_month"), total("reps"))
        stated.append(("quota_per_rep_per_month", None, ct.quota_per_rep_per_month, quota))
    for name, (role, metric) in ROLE_OF.items():
        current = getattr(ct, name)
        if current is not None:
            stated.append((name, None, current, col(role, metric)))

    gaps = []
    for target, role, current, series in stated:
        if series is None:
            continue
        plan = float(np.mean(series))
        if not math.isfinite(plan):
            continue
        difference = plan - current
        relative = difference / current if current else (0.0 if difference == 0 else None)
        gaps.append(
            {
                "target": target,
                "role": role,
                "current": float(current),
                "plan": plan,
                "difference": difference,
                "relative": relative,
                "weight": float(ct.weights.get(target, 1.0)),
            }
        )
    return gaps


def total_gap(gaps: list[dict]) -> float | None:
    """Weighted sum of |relative| gaps; None when no current target was stated."""
    terms = [g["weight"] * abs(g["relative"]) for g in gaps if g["relative"] is not None]
    return float(sum(terms)) if terms else None
