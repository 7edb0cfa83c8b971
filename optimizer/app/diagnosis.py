"""An impossible scenario for people: the conflicting limits and the repairs, in labels.

The diagnosis keeps its identifiers (``name``, ``parameter``, ``path``) for the JSON; the
page and the workbook show these tables instead, each limit and lever by its label and each
amount formatted by its unit.
"""

from __future__ import annotations

import pandas as pd

from optimizer.scenario import labels


def conflict_table(conflict: pd.DataFrame, scenario=None) -> pd.DataFrame:
    """One row per conflicting limit: its label, department, what it says, the input."""
    rows = []
    for name, department, description, parameter in zip(
        conflict["name"], conflict["department"], conflict["description"], conflict["parameter"]
    ):
        family = str(name).split("[", 1)[0]
        rows.append(
            {
                "limit": labels.row_label(family, labels.row_axes(str(name), family)),
                "department": department,
                "what it says": description,
                "set by": labels.input_label(parameter, scenario)
                if isinstance(parameter, str) and parameter
                else "",
            }
        )
    return pd.DataFrame(rows, columns=["limit", "department", "what it says", "set by"])


def changes_table(changes: pd.DataFrame, scenario=None) -> pd.DataFrame:
    """One row per lever a repair moves: its label, today, proposed and the change."""

    def amount(value: float, unit: str) -> str:
        if str(unit).startswith("$"):
            return labels.money(value)
        return f"{labels.number(value)} {labels.unit_words(unit)}".strip()

    rows = []
    for path, current, proposed, change, unit in zip(
        changes["path"],
        changes["current"],
        changes["proposed"],
        changes["change"],
        changes["unit"],
    ):
        rows.append(
            {
                "lever": labels.input_label(path, scenario),
                "today": amount(current, unit),
                "proposed": amount(proposed, unit),
                "change": ("+" if change > 0 else "") + amount(change, unit),
            }
        )
    return pd.DataFrame(rows, columns=["lever", "today", "proposed", "change"])
