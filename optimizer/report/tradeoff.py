"""A trade-off curve on the terminal (``kpi-optimizer tradeoff``): one row per point."""

from __future__ import annotations

from optimizer.analysis.tradeoff import Front
from optimizer.scenario import labels


def rows(front: Front) -> list[dict[str, str]]:
    """Each point in a leader's words: the axis value, profit, the step that led to it,
    whether it passed the check, and which is the scenario's own plan."""
    out = []
    for k, p in enumerate(front.points):
        step = front.steps[k - 1] if k else None
        change = "" if step is None else _change(front, step.change)
        out.append(
            {
                "axis": front.value_words(p.epsilon),
                "objective": _objective(front, p.objective),
                "step": change,
                "headcount": labels.number(p.headcount) if p.solved else "—",
                "long": labels.percent(p.long_share) if p.long_share is not None else "—",
                "verified": "yes" if p.verified else ("no plan" if not p.solved else "NO"),
                "own": "◀ the plan" if p.own else "",
                "reason": p.reason if not p.verified else "",
            }
        )
    return out


def _objective(front: Front, value: float | None) -> str:
    if value is None:
        return "no plan"
    return labels.money(value) if front.objective_unit == "$" else labels.number(value)


def _change(front: Front, change: float | None) -> str:
    if change is None:
        return "—"
    if front.objective_unit == "$":
        return labels.signed_money(change)
    return labels.signed_number(change)


def print_front(front: Front) -> None:
    """The front as a rich table, then what each step costs and any notes."""
    from rich.console import Console
    from rich.table import Table

    what = "Profit" if front.objective == "max_profit" else "Objective"
    table = Table(title=f"{what} against {front.label[0].lower()}{front.label[1:]}")
    table.add_column(front.label)
    table.add_column(what, justify="right")
    table.add_column("Step", justify="right")
    table.add_column("People", justify="right")
    table.add_column("Long conversations", justify="right")
    table.add_column("Verified")
    table.add_column("")
    found = rows(front)
    for row in found:
        table.add_row(
            row["axis"], row["objective"], row["step"], row["headcount"], row["long"],
            row["verified"], row["own"],
        )  # fmt: skip
    console = Console(width=max(100, Console().width))
    console.print(table)
    for step in front.steps:
        console.print(f"- {step.words}", highlight=False)
    for row in found:
        if row["reason"]:
            console.print(f"No plan at {row['axis']}: {row['reason']}", highlight=False)
    for note in front.notes:
        console.print(f"Note: {note}", highlight=False)
