"""An impossible scenario for people: the conflicting limits of a diagnosis
(``optimizer.analysis.diagnose``) and its repairs in words (``repair_sentence``, each
lever's ``change_sentence``). Its JSON is ``payload.diagnosis_json``.
"""

from __future__ import annotations

import pandas as pd

from optimizer.analysis.wording import who_phrase
from optimizer.scenario import labels


def conflict_sentences(conflict: pd.DataFrame) -> list[str]:
    """'Profit goal, Jan 2027: <what it says> (set by the input 'Profit target')': each
    conflicting limit by its label, its family's description and the input that sets it."""
    out = []
    for label, description, parameter in zip(
        conflict["label"], conflict["description"], conflict["parameter"]
    ):
        named = isinstance(parameter, str) and parameter
        where = f" (set by the input {labels.input_label(parameter)!r})" if named else ""
        out.append(f"{label}: {description}{where}")
    return out


def conflict_lines(conflict: pd.DataFrame) -> list[str]:
    """The conflicting limits for people, one line per family: 'Profit goal, Jan 2027:
    <what it says>' for one row, 'Selling time from Jan to Mar 2027 for the north and
    south teams: <what it says>' for several; the names stay in the JSON."""
    lines = []
    if conflict.empty:
        return lines
    frame = conflict.assign(family=[str(n).split("[", 1)[0] for n in conflict["name"]])
    for family, rows in frame.groupby("family", sort=False):
        axes = [labels.row_axes(str(n), family) for n in rows["name"]]
        description = str(rows["description"].iloc[0])
        if len(rows) == 1:
            lines.append(f"{labels.row_label(family, axes[0])}: {description}")
            continue
        months = sorted({a["month"] for a in axes if "month" in a})
        when = " " + labels.months_phrase(months) if months else ""
        who = who_phrase(axes, [])
        lines.append(f"{labels.family_label(family)}{when}{who}: {description}")
    return lines


def change_sentence(lever, proposed: float) -> str:
    """'raise the ad budget from $40,000 to $52,000 a month (+$12,000)': one lever's change
    (a ``diagnose.Lever``: its words, unit, value today and whether it counts people)."""
    verb = "raise" if proposed > lever.value else "lower"
    if lever.unit.startswith("$"):
        return (
            f"{verb} {lever.words} from {labels.money(lever.value)} to "
            f"{labels.money(proposed)}{' a month' if lever.unit == '$/month' else ''} "
            f"({labels.signed_money(proposed - lever.value)})"
        )
    if lever.integer:  # people, or the months of a hiring lead time
        one = {"people": "person", "months": "month"}.get(lever.unit, lever.unit)
        unit = one if proposed == 1 else lever.unit
        return f"{verb} {lever.words} from {lever.value:g} to {proposed:g} {unit}"
    return (
        f"{verb} {lever.words} from {labels.number(lever.value, 4)} to "
        f"{labels.amount(proposed, lever.unit)}"
    )


def change_sentences(repair) -> list[str]:
    """``change_sentence`` for each lever a ``diagnose.Repair`` moves, in its order."""
    return [
        change_sentence(lever, proposed)
        for lever, proposed in zip(repair.levers, repair.changes["proposed"].tolist())
    ]


def repair_sentence(repair) -> str:
    """The changes of a repair, then its weighted cost."""
    return "; ".join(change_sentences(repair)) + f" (weighted cost {repair.cost:.4g})."
