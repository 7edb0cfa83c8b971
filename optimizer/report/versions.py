"""Versions side by side in words (``optimizer.analysis.versions``): the tables and the
takeaway that ``kpi-optimizer diff`` prints and the app's "Side by side" tab shows.

A cell is a figure as a leader reads it (``labels.figure``: money with $ and separators);
a money cell after the base carries its change, ``$25,000 (−$10,400)``. ``solved`` is the
result of one scenario as ``solve --format json --no-explain`` gives it.
"""

from __future__ import annotations

import pandas as pd

from optimizer.analysis.versions import Versions
from optimizer.scenario import labels
from optimizer.scenario.names import Objective

TARGET = "target"
MONEY = "money"
OVER = {"horizon": "over the horizon", "end": "at the end"}


def solved(scenario, objective: str | None = None, source: str = "", overrides=()) -> dict:
    """The result of ``scenario`` as ``solve --format json --no-explain`` writes it."""
    from optimizer.analysis.answers import answer
    from optimizer.report.payload import answer_json

    return answer_json(answer(scenario, objective, source=source, overrides=tuple(overrides)))


def target_label(row: dict) -> str:
    """'Reps, field, Jan 2027'; the role left out where it is its department ('Profit, Jan 2027')."""
    parts = [labels.metric_label(row["metric"])]
    if row["role"] != row["department"]:
        parts.append(labels.role_words(row["role"]))
    return ", ".join([*parts, labels.month_label(row["period"])])


def money_label(row: dict) -> str:
    return f"{labels.metric_label(row['metric'])} {OVER[row['over']]}"


def targets_table(v: Versions, only_changed: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the targets in words, one column a version; True where a cell differs from the base)."""
    rows = [t for t in v.targets if t["changed"] or not only_changed]
    table = pd.DataFrame(
        [[target_label(t), *(_cell(x, t["unit"]) for x in t["values"])] for t in rows],
        columns=[TARGET, *v.labels],
    )
    flags = pd.DataFrame([[False, *t["differs"]] for t in rows], columns=table.columns, dtype=bool)
    return table, flags


def money_table(v: Versions) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(money in words, a cell after the base with its change; True where it changed)."""
    rows, flags = [], []
    for m in v.money:
        cells = [_cell(m["values"][0], m["unit"])]
        marks = [False, False]
        for value, change in zip(m["values"][1:], m["changes"][1:]):
            text = _cell(value, m["unit"])
            moved = change is not None and abs(change) >= 0.5
            cells.append(f"{text} ({labels.signed_money(change)})" if moved else text)
            marks.append(moved)
        rows.append([money_label(m), *cells])
        flags.append(marks)
    columns = [MONEY, *v.labels]
    return pd.DataFrame(rows, columns=columns), pd.DataFrame(flags, columns=columns, dtype=bool)


def limits_table(v: Versions) -> pd.DataFrame:
    """One row a limit that starts or stops binding in a version against the base."""
    rows = [
        {"version": version.label, "change": change, "limit": label}
        for version in v.versions[1:]
        for change, found in (
            ("starts binding", version.starts_binding),
            ("stops binding", version.stops_binding),
        )
        for label in found.values()
    ]
    return pd.DataFrame(rows, columns=["version", "change", "limit"])


def status_line(v: Versions, index: int) -> str:
    """'least_cost: optimal, least cost' or 'x: no plan (infeasible): why'."""
    version = v.versions[index]
    goal = {o.value: o for o in Objective}.get(version.objective_name or "")
    if not version.has_plan:
        return f"{version.label}: no plan ({version.status}): {version.message}"
    return f"{version.label}: {version.status}" + (f", {goal.label.lower()}" if goal else "")


def takeaway(v: Versions, index: int, base: str = "the base", name: str | None = None) -> str:
    """'least cost: profit $25,000, $10,400 less than the base; 3 targets differ; 1 limit
    starts binding' for version ``index`` (from 1) against the base; ``name`` for the
    version's label."""
    version = v.versions[index]
    name = version.label if name is None else name
    if not version.has_plan:
        return f"{name}: no plan ({version.status}), nothing to compare"
    if not v.versions[0].has_plan:
        return f"{name}: {base} has no plan, nothing to compare"
    parts = []
    profit, change = v.profit[index], v.profit_change[index]
    if profit is not None:
        words = "the same as" if change is None or abs(change) < 0.5 else ""
        if not words:
            words = f"{labels.money(abs(change))} {'more' if change > 0 else 'less'} than"
        parts.append(f"profit {labels.money(profit)}, {words} {base}")
    parts.append(_count(v.differing(index), "target differs", "targets differ"))
    starts, stops = len(version.starts_binding), len(version.stops_binding)
    if starts or not stops:
        parts.append(_count(starts, "limit starts binding", "limits start binding"))
    if stops:
        parts.append(_count(stops, "limit stops binding", "limits stop binding"))
    return f"{name}: " + "; ".join(parts)


def print_versions(v: Versions, console=None, show_all: bool = False) -> None:
    """The comparison for people: each version, money, the targets that differ (all with
    ``show_all``), differing cells in bold yellow, then the limits that start or stop binding."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    letters = [_letter(i) for i in range(len(v.versions))]
    for i, letter in enumerate(letters):
        tail = " (the base)" if i == 0 else ""
        console.print(f"{letter} = {status_line(v, i)}{tail}", highlight=False)
    for i in range(1, len(v.versions)):
        console.print(takeaway(v, i, letters[0], letters[i]), highlight=False)
    for title, (table, flags) in (
        ("Money", money_table(v)),
        (_targets_title(v, show_all), targets_table(v, only_changed=not show_all)),
    ):
        if table.empty:
            continue
        shown = Table(title=title, title_justify="left")
        shown.add_column(table.columns[0])
        for letter in letters:
            shown.add_column(letter, justify="right")
        for (_, row), (_, marks) in zip(table.iterrows(), flags.iterrows()):
            shown.add_row(
                *(f"[bold yellow]{cell}[/]" if mark else cell for cell, mark in zip(row, marks))
            )
        console.print(shown)
    for i, version in enumerate(v.versions[1:], start=1):
        for words, found in (
            ("start binding", version.starts_binding),
            ("stop binding", version.stops_binding),
        ):
            if found:
                console.print(f"limits that {words} in {letters[i]}:", highlight=False)
                for name, label in found.items():
                    console.print(f"  {label} ({name})", highlight=False, markup=False)


def _targets_title(v: Versions, show_all: bool) -> str:
    changed = sum(t["changed"] for t in v.targets)
    if show_all:
        return f"Targets: {len(v.targets)}, {changed} differing"
    return f"Targets that differ: {changed} of {len(v.targets)}"


def _cell(value: float | None, unit: str) -> str:
    return "—" if value is None else labels.figure(value, unit)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _letter(i: int) -> str:
    return chr(ord("A") + i) if i < 26 else f"V{i + 1}"
