"""Which limits bind, in plain words, and what relaxing each limit or input is worth.

Shadow prices keep the core's convention: the change of the objective, in its own units
and sense, per unit increase. Per-unit values of different units do not compare (a dollar
of budget against an hour of the day), so limits are ranked and charted by the money of
one natural step each (one person-hour a day, $1,000, 100 leads), as everywhere else.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from optimizer.analysis.result import Plan
from optimizer.report.sentences import sentences
from optimizer.scenario import labels

LIMIT_COLUMNS = ["limit", "kind", "status", "worth a step", "sentence"]
"""A leader's columns: labels and formatted numbers, no identifiers (they stay in the JSON)."""


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
        step_worth(value, _relaxed(row)) if bound else ""
        for (_, row), value, bound in zip(rows.iterrows(), rows["step_value"], status == "binds")
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
    """'$4,160 for one person-hour a day for a month more', '$6,000 for one person fewer'."""
    if value is None or value != value:
        return ""
    if math.isinf(value):
        return "cannot rise with the plan's people"
    if abs(value) < 1e-9:
        return "would not change the plan"
    return f"{labels.money(value, cents=abs(value) < 100)} for {words}"


def value_bars(plan: Plan, top: int = 12) -> pd.DataFrame:
    """The binding limits by the money of one natural step, in ``Plan.binding()``'s order
    (the ranking the command line, the JSON and the workbook use). Inputs are valued in
    the explanation (``optimizer.analysis.explain``), by whole steps, not here by rates.

    Columns: name (the limit's label), value (the step's money), text ('$4,160 for one
    person-hour a day for a month more'), note (its sentence).
    """
    b = plan.binding()
    b = b[[_usable(v) for v in b["step_value"]]].head(top)
    return pd.DataFrame(
        {
            "name": b["label"].astype(str).tolist(),
            "value": b["step_value"].astype(float).tolist(),
            "text": [
                step_worth(v, _relaxed(row)) for v, (_, row) in zip(b["step_value"], b.iterrows())
            ],
            "note": sentences(b, plan.objective_name, plan.objective_unit) if len(b) else [],
        },
        columns=["name", "value", "text", "note"],
    )


def _usable(value) -> bool:
    return (
        value is not None
        and isinstance(value, int | float)
        and math.isfinite(value)
        and (abs(value) > 1e-9)
    )


def most_valuable(plan: Plan) -> str | None:
    """A sentence naming the binding limit whose natural step is worth the most: the first
    of ``Plan.binding()``, the same limit the command line lists first, with its step the
    way it relaxes (``relax_words``: one more of a cap, one fewer of a floor, only as far
    as its rate holds)."""
    b = plan.binding()
    b = b[b["step_value"].fillna(0).abs() > 1e-9]
    if b.empty:
        return None
    top = b.iloc[0]
    worth = labels.money(abs(top["step_value"]))
    return (
        f"The limit most worth relaxing is {top['label']}: {_relaxed(top)} would be worth {worth}."
    )


def _relaxed(row) -> str:
    """The row's step the way it relaxes ('one person fewer'); a plan assembled before
    ``relax_words`` existed says 'more'."""
    words = row.get("relax_words")
    return words if isinstance(words, str) and words else f"{row['step_words']} more"


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


def bars_takeaway(bars: pd.DataFrame) -> str:
    """The bars in one sentence: how many binding limits are worth money, from the most to
    the least valuable step."""
    if bars.empty:
        return "No binding limit is worth money at the margin."
    top, low = bars.iloc[0], bars.iloc[-1]
    if len(bars) == 1:
        return f"One binding limit is worth money at the margin: {top['name']}, {top['text']}."
    return (
        f"{len(bars)} binding limits are worth money at the margin, from {top['name']} "
        f"({top['text']}) down to {low['name']} ({low['text']})."
    )
