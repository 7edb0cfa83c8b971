"""The plan's decisions as Excel Solver's "Variable Cells", for the Limits tab.

The variable half of the sensitivity report (``plan.variables``): each decision
leadership makes (leads bought by tier, conversations by length, people) with its final
value, reduced cost, objective coefficient and how far that coefficient can move before
the plan changes. The table and its takeaway are the command line's
(``optimizer.report.tables.variable_cells`` and ``closest_to_entering``): labels and
formatted numbers, no identifiers (they stay in the JSON and the workbook).
"""

from __future__ import annotations

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

__all__ = [
    "ENTERING", "VARIABLE_COLUMNS", "caption", "has_decisions", "table", "takeaway", "widths",
]  # fmt: skip

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
