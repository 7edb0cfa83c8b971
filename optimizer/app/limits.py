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

from optimizer import labels
from optimizer.report import sentence, sentences
from optimizer.result import Plan

LIMIT_COLUMNS = ["limit", "kind", "status", "worth a step", "sentence"]
"""A leader's columns: labels and formatted numbers, no identifiers (they stay in the JSON)."""
PER_UNIT, PER_PERCENT = "per unit", "per 1 % increase"


def limit_table(plan: Plan, show_all: bool = False) -> pd.DataFrame:
    """Binding limits first (most valuable first), then, with ``show_all``, the rest.

    Identities are never listed; a limit held at zero that is worth nothing (the quality
    floor the plan meets by itself) is listed with the rest, saying what it does."""
    c = plan.constraints
    if c.empty:
        return pd.DataFrame(columns=LIMIT_COLUMNS)
    binding = plan.binding()
    rows = binding
    if show_all:
        rest = c[~c.index.isin(binding.index) & (c["row_kind"] != "identity")]
        room = rest["slack"].abs() / np.maximum(1.0, rest["limit"].abs())
        rows = pd.concat([binding, rest.loc[room.sort_values().index]])
    status = np.where(
        rows["binding"] | rows["binds_in_whole_people"].astype(bool),
        "binds",
        np.where(rows["held_at_zero"], "met by the plan", "has room"),
    )
    worth = [
        step_worth(value, words) if bound else ""
        for value, words, bound in zip(rows["step_value"], rows["step_words"], status == "binds")
    ]
    out = pd.DataFrame(
        {
            "limit": rows["label"],
            "kind": rows["row_kind"],
            "status": status,
            "worth a step": worth,
            "sentence": sentences(rows, plan.objective_name, plan.objective_unit),
        }
    )
    return out.reset_index(drop=True)[LIMIT_COLUMNS]


def step_worth(value: float, words: str) -> str:
    """'$4,160 for one person-hour a day for a month'."""
    if value is None or value != value:
        return ""
    if math.isinf(value):
        return "cannot rise with the plan's people"
    if abs(value) < 1e-9:
        return "would not change the plan"
    return f"{labels.money(value)} for {words}"


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
        rows.append(("limit", r["label"], price, price * size if size else math.nan, r["unit"],
                     sentence(r, plan.objective_name, plan.objective_unit)))  # fmt: skip
    p = plan.parameters
    for _, r in p.iterrows():
        mv = r["marginal_value"]
        if not _usable(mv):
            continue
        size = abs(r["value"]) * 0.01
        name = r["label"] if "label" in r else labels.input_label(r["path"])
        rows.append(("input", name, mv, mv * size if size else math.nan, r["unit"],
                     r["note"] or f"{name} = {labels.number(r['value'])} {r['unit']}"))  # fmt: skip
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
    """A sentence naming the binding limit whose natural step is worth the most: the first
    of ``Plan.binding()``, the same limit the command line lists first."""
    b = plan.binding()
    b = b[b["step_value"].fillna(0).abs() > 1e-9]
    if b.empty:
        return None
    top = b.iloc[0]
    return (
        f"The limit most worth relaxing is {top['label']}: {top['step_words']} more would be "
        f"worth {labels.money(abs(top['step_value']))}."
    )


def broken_table(violations: pd.DataFrame) -> pd.DataFrame:
    """The limits today's targets break, for a leader: label, month, sentence."""
    names = violations["constraint"].astype(str)
    families = [n.split("[", 1)[0] for n in names]
    return pd.DataFrame(
        {
            "limit": [labels.row_label(f, labels.row_axes(n, f)) for n, f in zip(names, families)],
            "sentence": violations["sentence"],
        }
    )
