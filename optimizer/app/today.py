"""Today's targets against the plan, as a leader reads them: labels and formatted numbers.

The comparison (``optimizer.analysis.compare``) keeps identifiers (``calls_per_rep_per_day``) and
raw floats for programs; these tables give the target's label, the month in words and each
number as people read it (money with a true minus sign, counts rounded sensibly).
"""

from __future__ import annotations

import pandas as pd

from optimizer.app.headline import role_words, shown
from optimizer.scenario import labels

STATED_COLUMNS = ["role", "target", "month", "stated", "reached", "plan", "unit"]
IMPLIED_COLUMNS = ["role", "target", "month", "today", "plan", "difference", "unit"]


def _common(side: pd.DataFrame) -> dict:
    return {
        "role": [role_words(r) for r in side["role"]],
        "target": [labels.metric_label(m) for m in side["metric"]],
        "month": [labels.month_label(p) for p in side["period"]],
    }


def stated_table(side: pd.DataFrame) -> pd.DataFrame:
    """Today's stated targets: what is stated, what the other targets let it reach, the plan."""
    units = list(side["unit"])
    return pd.DataFrame(
        {
            **_common(side),
            "stated": [shown(v, u) for v, u in zip(side["stated"], units)],
            "reached": [shown(v, u) for v, u in zip(side["current"], units)],
            "plan": [shown(v, u) for v, u in zip(side["recommended"], units)],
            "unit": units,
        },
        columns=STATED_COLUMNS,
    )


def unmet(side: pd.DataFrame) -> list[bool]:
    """Stated targets today's other targets make impossible (reached is not stated)."""
    gap = (side["current"] - side["stated"]).abs()
    return list(gap > 1e-6 * side["stated"].abs().clip(lower=1))


def implied_table(side: pd.DataFrame) -> pd.DataFrame:
    """Everything today's targets imply, against the plan."""
    units = list(side["unit"])
    return pd.DataFrame(
        {
            **_common(side),
            "today": [shown(v, u) for v, u in zip(side["current"], units)],
            "plan": [shown(v, u) for v, u in zip(side["recommended"], units)],
            "difference": [shown(v, u) for v, u in zip(side["difference"], units)],
            "unit": units,
        },
        columns=IMPLIED_COLUMNS,
    )


def money_table(finance: dict) -> pd.DataFrame:
    """Money over the horizon, today and in the plan; a goal met or not in words."""
    now, rec = finance["current"], finance.get("recommended") or {}

    def cell(value) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        return "" if value is None else labels.money(value)

    return pd.DataFrame(
        {
            "item": [labels.metric_label(k) for k in now],
            "today": [cell(v) for v in now.values()],
            "plan": [cell(rec.get(k)) for k in now],
        }
    )
