"""The plan's decisions as Excel Solver's "Variable Cells", for the Limits tab.

The variable half of the sensitivity report (``plan.variables``): each decision
leadership makes (leads bought by tier, conversations by length, people) with its final
value, reduced cost, objective coefficient and how far that coefficient can move before
the plan changes. The table and its takeaway are the command line's
(``optimizer.report.tables.variable_cells`` and ``closest_to_entering``): labels and
formatted numbers, no identifiers (they stay in the JSON and the workbook).

Beside them, "Why not this option?" (``optimizer.analysis.whynot.why_not``): the leader picks
a decision by its label and a value (exactly, or at least), and the page asks with the
plan's own name for it (``spec``: ``reps[2027-01,field]=4``). The pick starts at the unused
decision closest to entering the plan.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from optimizer.analysis.result import Plan
from optimizer.report.tables import (
    ENTERING,
    OBJECTIVE_WORDS,
    VARIABLE_COLUMNS,
    closest_to_entering,
    decisions,
    variable_cells,
)
from optimizer.scenario import labels

__all__ = [
    "ENTERING", "VARIABLE_COLUMNS", "caption", "closest_unused", "default_ask", "has_decisions",
    "options", "spec", "table", "takeaway", "widths",
]  # fmt: skip

OPS = {"=": "=", ">=": "at least"}
"""How the option is held: exactly at the value, or at least at it (the spec's ``=``, ``>=``)."""

WIDTHS = {
    "decision": 250,
    "Final value": 110,
    "Reduced cost": 120,
    "Objective coefficient": 100,
    "Allowable increase": 100,
    "Allowable decrease": 100,
}
"""Pixel widths of the table's columns: 780 in all, inside the app's 790 (no sideways
scrolling at 1280 px)."""

WIDTHS_WITH_WORDS = {
    "decision": 180,
    "Final value": 90,
    "Reduced cost": 100,
    "Objective coefficient": 80,
    "Allowable increase": 80,
    "Allowable decrease": 80,
    ENTERING: 170,
}
"""The same with the sentence saying when an unused decision would enter."""


def has_decisions(plan: Plan) -> bool:
    """Whether the plan has decisions to list (none without a plan)."""
    return plan.solved and not decisions(plan).empty


def table(plan: Plan, show_all: bool = False) -> tuple[pd.DataFrame, int]:
    """The decisions in a leader's words and formatted numbers, and the rows before the
    cap: every decision, one row each, with ``show_all``; otherwise a decision alike in
    several months is one row, and at most ``tables.VARIABLE_ROWS`` rows are shown."""
    return variable_cells(plan, show_all)


def takeaway(plan: Plan) -> str | None:
    """The unused decision closest to entering the plan, in one sentence (None: none)."""
    return closest_to_entering(plan)


def widths(frame: pd.DataFrame) -> dict[str, int]:
    """Column widths for ``frame`` (``table``'s), by whether it has the sentences."""
    return dict(WIDTHS_WITH_WORDS if ENTERING in frame.columns else WIDTHS)


def caption(plan: Plan, shown: int, total: int) -> str:
    """What the columns mean, and how many rows the table leaves out."""
    what = OBJECTIVE_WORDS.get(plan.objective_name, "the objective")
    text = (
        f"Per unit of each decision, in {what}. Reduced cost: what one more unit changes "
        f"{what} by (forcing an unused one in costs it). Objective coefficient: the "
        "decision's own term in the objective, 0 where it earns through revenue and costs. "
        "Allowable increase and decrease: how far that term can move before the plan "
        "changes. People are whole numbers, held at the plan's: 'Explain what moves the "
        "plan' values each whole person."
    )
    if total > shown:
        text += f" {shown} of {total} rows: show every decision to list them all."
    return text


def options(plan: Plan) -> dict[str, str]:
    """The options a leader can ask "why not?" about: the plan's name for each decision (a
    variable, or a block of alike decisions: every one of them, each held alike) and its
    label, in the model's order. A block of one decision is that decision."""
    d = decisions(plan)
    if d.empty:
        return {}
    out: dict[str, str] = {}
    for block, rows in d.groupby("block", sort=False):
        if len(rows) > 1:
            words = labels.variable_words(str(block))[0]
            out[str(block)] = f"{words}: all {len(rows)}, each held alike"
        out |= {str(n): str(w) for n, w in zip(rows["name"], rows["label"])}
    return out


def closest_unused(plan: Plan) -> str | None:
    """The plan's name for the unused decision closest to entering it: the least its
    objective coefficient would have to improve (the allowable increase for a maximum, the
    decrease for a minimum), as ``takeaway`` names it; None where none is."""
    d = decisions(plan)
    if d.empty or "allowable_increase" not in d.columns:
        return None
    room = d["allowable_increase" if plan.objective_sense == "max" else "allowable_decrease"]
    room = room.astype(float)
    unused = (d["at"] == "lower") & (d["value"].astype(float).abs() < 1e-9)
    usable = np.isfinite(d["reduced_cost"].astype(float))  # not barred from every plan
    found = room[unused & usable & np.isfinite(room)]
    return None if found.empty else str(d.loc[found.idxmin(), "name"])


def default_ask(plan: Plan, name: str) -> tuple[str, float]:
    """The question the pick starts with: an unused decision at least 1 ("why none?"), a
    headcount one more person, anything else at its value in the plan (a block: its first)."""
    d = decisions(plan)
    rows = d[(d["name"] == name) | (d["block"] == name)]
    if rows.empty:
        return "=", 0.0
    value = float(rows["value"].iloc[0])
    if abs(value) < 1e-9:
        return ">=", 1.0
    if str(rows["unit"].iloc[0]) == "people":
        return "=", float(round(value) + 1)
    return "=", float(round(value, 2))


def spec(name: str, op: str, value: float) -> str:
    """The option as ``why_not`` reads it: ``reps[2027-01,field]=4``, ``paid_leads>=1``."""
    if op not in OPS or value is None or not math.isfinite(float(value)):
        raise ValueError(f"{op} {value}: expected = or >= and a number")
    return f"{name}{op}{float(value):.10g}"
