"""Which limits bind, in plain words, and what relaxing each limit or input is worth.

Shadow prices and marginal values keep the core's convention: the change of the
objective, in its own units and sense, per unit increase. Per-unit values of different
units do not compare (a dollar of budget against an hour of the day), so the chart can
also show the value of a 1 % increase: the price times 1 % of the limit or input.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from optimizer.report import effect, sentence
from optimizer.result import Plan

LIMIT_COLUMNS = [
    "limit", "department", "status", "sentence", "activity", "limit_value", "slack",
    "shadow_price", "one_more_whole_person", "can_rise_by", "can_fall_by", "unit", "input",
]  # fmt: skip
PER_UNIT, PER_PERCENT = "per unit", "per 1 % increase"


def limit_table(plan: Plan, show_all: bool = False) -> pd.DataFrame:
    """Binding limits first (most valuable first), then, with ``show_all``, the rest."""
    c = plan.constraints
    if c.empty:
        return pd.DataFrame(columns=LIMIT_COLUMNS)
    binding = plan.binding()
    rows = binding
    if show_all:
        rest = c[~c["binding"] & (c["kind"] != "definition")]
        room = rest["slack"].abs() / np.maximum(1.0, rest["limit"].abs())
        rows = pd.concat([binding, rest.loc[room.sort_values().index]])
    out = pd.DataFrame(
        {
            "limit": rows["name"],
            "department": rows["department"],
            "status": np.where(rows["binding"], "binds", "has room"),
            "sentence": [
                sentence(r, plan.objective_name, plan.objective_unit) for _, r in rows.iterrows()
            ],
            "activity": rows["activity"],
            "limit_value": rows["limit"],
            "slack": rows["slack"].abs(),
            "shadow_price": rows["shadow_price"],
            "one_more_whole_person": rows["whole_step_value"],
            "can_rise_by": rows["allowable_increase"],
            "can_fall_by": rows["allowable_decrease"],
            "unit": rows["unit"],
            "input": rows["parameter"].fillna(""),
        }
    )
    return out.reset_index(drop=True)[LIMIT_COLUMNS]


def value_bars(plan: Plan, scale: str = PER_PERCENT, top: int = 12) -> pd.DataFrame:
    """Binding limits' shadow prices and inputs' marginal values, largest first.

    Columns: kind ("limit" or "input"), name, value (on ``scale``), per_unit, unit, note.
    """
    rows = []
    b = plan.binding()
    for _, r in b.iterrows():
        price = r["shadow_price"]
        if not _usable(price):
            continue
        size = abs(r["limit"]) * 0.01
        rows.append(("limit", r["name"], price, price * size if size else math.nan, r["unit"],
                     sentence(r, plan.objective_name, plan.objective_unit)))  # fmt: skip
    p = plan.parameters
    for _, r in p.iterrows():
        mv = r["marginal_value"]
        if not _usable(mv):
            continue
        size = abs(r["value"]) * 0.01
        rows.append(("input", r["path"], mv, mv * size if size else math.nan, r["unit"],
                     r["note"] or f"{r['path']} = {r['value']:,.4g} {r['unit']}"))  # fmt: skip
    frame = pd.DataFrame(rows, columns=["kind", "name", "per_unit", "per_percent", "unit", "note"])
    frame["value"] = frame["per_unit"] if scale == PER_UNIT else frame["per_percent"]
    frame = frame.dropna(subset=["value"])
    frame = frame[frame["value"].abs() > 1e-9]
    order = frame["value"].abs().sort_values(ascending=False).index
    return frame.loc[order].groupby("kind", sort=False).head(top).reset_index(drop=True)


def _usable(value) -> bool:
    return (
        value is not None
        and isinstance(value, int | float)
        and math.isfinite(value)
        and (abs(value) > 1e-9)
    )


def most_valuable(plan: Plan) -> str | None:
    """A sentence naming the binding limit whose relaxation by 1 % is worth the most.

    Relaxing a binding limit never hurts: whichever way it points, the gain is the size of
    its price times 1 % of the limit.
    """
    bars = value_bars(plan, PER_PERCENT)
    limits = bars[bars["kind"] == "limit"]
    if limits.empty:
        return None
    top = limits.iloc[0]
    gain = abs(top["value"]) * (1 if plan.objective_sense == "max" else -1)
    return (
        f"The limit most worth relaxing is {top['name']}: loosening it by 1 % would "
        f"{effect(gain, plan.objective_name, plan.objective_unit)}."
    )
