"""Sensitivity: one input swept over a range, the objective and key targets at each value.

The page solves each point through a cache shared with the what-if slider, so moving
back over a range, or sweeping the value a what-if already tried, costs nothing.
Targets are monthly averages, summed over teams or channels where a metric has several.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.analysis.result import Plan

KEY_TARGETS = (
    "profit",
    "revenue",
    "payroll",
    "headcount",
    "reps",
    "calls_per_rep_per_day",
    "minutes_per_conversation",
    "leads_per_month",
    "ad_spend_per_month",
    "deals_per_month",
    "workers",
    "agents",
)
DEFAULT_TARGETS = ("profit", "reps", "calls_per_rep_per_day", "leads_per_month")
MAX_POINTS = 41


def grid(low: float, high: float, points: int, integer: bool = False) -> list[float]:
    """``points`` values from ``low`` to ``high``; whole numbers, without repeats, if ``integer``."""
    points = max(2, min(MAX_POINTS, int(points)))
    values = np.linspace(low, high, points)
    if integer:
        return sorted({float(round(v)) for v in values})
    return [float(v) for v in values]


def available_targets(plan: Plan) -> list[str]:
    present = set(plan.targets["metric"])
    return [m for m in KEY_TARGETS if m in present]


def sweep_table(points: list[tuple[float, Plan | None, str]], metrics: list[str]) -> pd.DataFrame:
    """One row per value and target: value, status, objective, metric, role, target.

    ``points`` holds (input value, plan or None, error) for each value swept.
    """
    rows = []
    for value, plan, error in points:
        if plan is None or not plan.solved:
            status = error or (plan.status.value if plan is not None else "error")
            rows.append((value, status, np.nan, "", "", np.nan))
            continue
        t = plan.targets[plan.targets["metric"].isin(metrics)]
        t = t[~t["role"].isin(["company"]) | (t["metric"] == "headcount")]
        t = t[(t["role"] != "finance") | t["metric"].isin(["profit", "revenue", "payroll"])]
        monthly = t.groupby(["metric", "role"], sort=False)["value"].mean()
        for (metric, role), target in monthly.items():
            rows.append((value, "optimal", plan.objective, metric, role, target))
        if monthly.empty:
            rows.append((value, "optimal", plan.objective, "", "", np.nan))
    return pd.DataFrame(rows, columns=["value", "status", "objective", "metric", "role", "target"])


def objective_curve(table: pd.DataFrame) -> pd.DataFrame:
    """Value, objective and status once per swept value."""
    return table.drop_duplicates("value")[["value", "objective", "status"]].reset_index(drop=True)


def curve_table(curve: pd.DataFrame, unit: str, objective_unit: str) -> pd.DataFrame:
    """``objective_curve`` as a leader reads it: the input's value, the objective, the status."""
    from optimizer.app.headline import shown

    return pd.DataFrame(
        {
            "input": [shown(v, unit) for v in curve["value"]],
            "objective": [shown(v, objective_unit) for v in curve["objective"]],
            "plan": [
                "found" if s == "optimal" else str(s).replace("_", " ") for s in curve["status"]
            ],
        }
    )


def takeaway(curve: pd.DataFrame, input_words: str, unit: str, objective_unit: str) -> str:
    """The sweep in one sentence: the objective at the ends of the values with a plan, the
    best value swept, and the values without a plan (counted)."""
    from optimizer.app.headline import shown

    def amount(value: float) -> str:
        return shown(value, unit) if unit.startswith("$") else f"{shown(value)} {unit}".strip()

    found = curve[curve["status"] == "optimal"].dropna(subset=["objective"])
    missing = len(curve) - len(found)
    none = f"; {missing} of {len(curve)} values have no plan" if missing else ""
    if found.empty:
        return f"No value of {input_words} swept has a plan."
    first, last = found.iloc[0], found.iloc[-1]
    best = found.loc[found["objective"].idxmax()]
    return (
        f"From {amount(first['value'])} to {amount(last['value'])} of {input_words}, "
        f"the objective goes from {shown(first['objective'], objective_unit)} to "
        f"{shown(last['objective'], objective_unit)}; the highest is "
        f"{shown(best['objective'], objective_unit)} at {amount(best['value'])}{none}."
    )
