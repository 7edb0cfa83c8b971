"""The plan as an Excel workbook, laid out like a spreadsheet solver's reports.

- ``Summary`` (the answer report): scenario, objective and its value, status, the
  independent check, the headcounts the plan decides, and the binding limits in words;
- ``Targets``: every department's targets, one column per month;
- ``Constraints`` (the sensitivity report): each limit's final value, status (binding or
  not), limit, slack, shadow price and allowable increase and decrease;
- ``Inputs``: every numeric input with its marginal value and the value of a 1 % rise;
- ``Comparison``: today's targets against the plan, the limits they break, what suffers
  and the money;
- ``Diagnosis``, when no plan exists: the conflicting limits and the repairs.

"No limit" stands where a spreadsheet solver writes 1E+30.
"""

from __future__ import annotations

import io
import math
from datetime import datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from optimizer.app.headline import PEOPLE, status_line
from optimizer.report import sentence, targets_wide
from optimizer.result import Plan
from optimizer.schema import Scenario

HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
BINDING_FILL = PatternFill("solid", fgColor="FFF2CC")
BROKEN_FILL = PatternFill("solid", fgColor="F8D7DA")
BOLD = Font(bold=True)
MONEY = '"$"#,##0;-"$"#,##0'
NUMBER = "#,##0.00"
NO_LIMIT = "no limit"
CELL_LIMIT = 32_767


def _cell(value):
    """Excel has no NaN or infinity: blank for not available, 'no limit' for infinite."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return NO_LIMIT if value > 0 else f"-{NO_LIMIT}"
    if isinstance(value, str) and len(value) >= CELL_LIMIT:
        return value[: CELL_LIMIT - 2] + "…"
    return value


def _table(ws, row: int, frame: pd.DataFrame, formats: dict[str, str] | None = None,
           fill_rows=None, fill=BINDING_FILL) -> int:  # fmt: skip
    """Write ``frame`` with a bold header at ``row``; return the next free row."""
    formats = formats or {}
    for col, name in enumerate(frame.columns, start=1):
        cell = ws.cell(row=row, column=col, value=str(name))
        cell.font, cell.fill = BOLD, HEADER_FILL
    for i, record in enumerate(frame.itertuples(index=False), start=1):
        for col, (name, value) in enumerate(zip(frame.columns, record), start=1):
            cell = ws.cell(row=row + i, column=col, value=_cell(value))
            if name in formats and isinstance(cell.value, int | float):
                cell.number_format = formats[name]
            if fill_rows is not None and fill_rows[i - 1]:
                cell.fill = fill
    return row + len(frame) + 2


def _title(ws, row: int, text: str) -> int:
    ws.cell(row=row, column=1, value=text).font = Font(bold=True, size=12)
    return row + 1


def _widths(ws, widest: int = 60) -> None:
    for column in ws.columns:
        longest = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        ws.column_dimensions[get_column_letter(column[0].column)].width = min(
            widest, max(9, longest + 2)
        )


def _summary(ws, plan: Plan, scenario: Scenario) -> None:
    ws.cell(row=1, column=1, value="kpi-optimizer: plan report").font = Font(bold=True, size=14)
    status = status_line(plan)[1]
    facts = [
        ("Scenario", scenario.name),
        ("Description", scenario.description.strip()),
        ("Objective", f"{plan.objective_name} ({plan.objective_sense})"),
        ("Objective value", plan.objective),
        ("Objective unit", plan.objective_unit),
        ("Status", plan.status.value),
        ("Independent check", status),
        ("Largest violation (relative)", plan.verified.max_violation),
        ("Checks", plan.verified.checked),
        ("Solver status", plan.solver_status),
        ("Overrides", "; ".join(plan.overrides) or "none"),
        ("Months", ", ".join(scenario.calendar.month_labels())),
        ("Created", datetime.now().isoformat(timespec="seconds")),
    ]
    for i, (key, value) in enumerate(facts, start=3):
        ws.cell(row=i, column=1, value=key).font = BOLD
        cell = ws.cell(row=i, column=2, value=_cell(value))
        if key == "Objective value" and plan.objective_unit == "$":
            cell.number_format = MONEY
    row = len(facts) + 4
    if plan.solved:
        people = targets_wide(plan)
        people = people[people["metric"].isin(PEOPLE)].drop(columns=["department", "unit"])
        row = _title(ws, row, "Headcounts the plan decides (people)")
        row = _table(ws, row, people)
        row = _title(ws, row, "Binding limits, most valuable first")
        binding = plan.binding()
        words = pd.DataFrame({
            "limit": binding["name"],
            "shadow price": binding["shadow_price"],
            "sentence": [sentence(r, plan.objective_name, plan.objective_unit)
                         for _, r in binding.iterrows()],
        })  # fmt: skip
        _table(ws, row, words)
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 100


def _targets(ws, plan: Plan) -> None:
    wide = targets_wide(plan)
    months = [c for c in wide.columns if c not in ("department", "role", "metric", "unit")]
    wide = wide.rename(columns={"metric": "target"})[
        ["department", "role", "target", "unit", *months]
    ]
    if len(months) > 1:
        wide.insert(4, "monthly average", wide[months].mean(axis=1))
    _table(ws, 1, wide, {m: NUMBER for m in [*months, "monthly average"]})
    ws.freeze_panes = "E2"
    ws.auto_filter.ref = ws.dimensions
    _widths(ws)


def _constraints(ws, plan: Plan) -> None:
    c = plan.constraints
    status = [
        "definition" if k == "definition" else ("Binding" if b else "Not binding")
        for k, b in zip(c["kind"], c["binding"])
    ]
    frame = pd.DataFrame({
        "name": c["name"], "department": c["department"], "kind": c["kind"],
        "period": c["period"], "final value": c["activity"], "status": status,
        "limit": c["limit"], "slack": c["slack"].abs(), "shadow price": c["shadow_price"],
        "allowable increase": c["allowable_increase"],
        "allowable decrease": c["allowable_decrease"],
        "one more whole person": c["whole_step_value"], "input": c["parameter"],
        "unit": c["unit"], "description": c["description"],
        "sentence": [sentence(r, plan.objective_name, plan.objective_unit) for _, r in c.iterrows()],
    })  # fmt: skip
    numbers = {k: NUMBER for k in ("final value", "limit", "slack")}
    _table(ws, 1, frame, numbers, fill_rows=list(c["binding"]))
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions
    _widths(ws)


def _inputs(ws, plan: Plan) -> None:
    p = plan.parameters
    frame = pd.DataFrame({
        "input": p["path"], "value": p["value"], "unit": p["unit"],
        "marginal value": p["marginal_value"],
        "value of a 1 % increase": p["marginal_value"] * p["value"].abs() * 0.01,
        "note": p["note"],
    })  # fmt: skip
    ws.cell(row=1, column=1, value=(
        f"Marginal value: change of {plan.objective_name} ({plan.objective_unit}) per unit "
        "increase of the input, the plan's whole-number headcounts held."
    )).font = Font(italic=True)  # fmt: skip
    _table(ws, 3, frame, {"value": NUMBER})
    ws.freeze_panes = "B4"
    _widths(ws)


def _comparison(ws, comparison) -> None:
    if comparison is None:
        ws.cell(row=1, column=1, value="The scenario states no targets for today to compare.")
        return
    row = _title(ws, 1, "Today's targets against the recommended plan")
    side = comparison.side_by_side.rename(columns={"metric": "target", "current": "today"})
    side = side.sort_values("stated_target", ascending=False, kind="stable")
    row = _table(ws, row, side.drop(columns=["stated_target"]),
                 {k: NUMBER for k in ("stated", "today", "recommended", "difference")},
                 fill_rows=list(side["stated_target"]))  # fmt: skip
    row = _title(ws, row, "Limits today's targets break")
    v = comparison.violations
    if v.empty:
        ws.cell(row=row, column=1, value="none")
        row += 2
    else:
        row = _table(ws, row, v, {k: NUMBER for k in ("limit", "implied", "shortfall")},
                     fill_rows=[True] * len(v), fill=BROKEN_FILL)  # fmt: skip
    row = _title(ws, row, "What suffers")
    for line in comparison.cascade or ["(no plan to compare with)"]:
        ws.cell(row=row, column=1, value=line)
        row += 1
    row = _title(ws, row + 1, "Money over the horizon")
    now, rec = comparison.finance["current"], comparison.finance.get("recommended")
    money = pd.DataFrame({
        "item": list(now),
        "today": list(now.values()),
        "recommended": [rec[k] for k in now] if rec else [None] * len(now),
    })  # fmt: skip
    _table(ws, row, money, {"today": MONEY, "recommended": MONEY})
    _widths(ws, widest=80)


def _diagnosis(ws, diagnosis) -> None:
    kind = "in whole people" if diagnosis.relaxation == "integer" else "outright"
    row = _title(ws, 1, f"No plan meets every limit and goal. These limits conflict {kind}:")
    row = _table(ws, row, diagnosis.conflict)
    row = _title(ws, row, "Cheapest repair")
    if diagnosis.cheapest is None:
        ws.cell(row=row, column=1, value=diagnosis.message)
        row += 2
    else:
        ws.cell(row=row, column=1, value=diagnosis.cheapest.sentence)
        row = _table(ws, row + 1, diagnosis.cheapest.changes)
    row = _title(ws, row, "Or, one lever at a time")
    for repair in diagnosis.alternatives:
        ws.cell(row=row, column=1, value=repair.sentence)
        row += 1
    _widths(ws, widest=90)


def plan_workbook(
    plan: Plan, scenario: Scenario, comparison=None, diagnosis=None, explanation=None
) -> bytes:
    """The workbook's bytes (.xlsx)."""
    book = Workbook()
    _summary(book.active, plan, scenario)
    book.active.title = "Summary"
    if plan.solved:
        _targets(book.create_sheet("Targets"), plan)
        _constraints(book.create_sheet("Constraints"), plan)
        _inputs(book.create_sheet("Inputs"), plan)
    _comparison(book.create_sheet("Comparison"), comparison)
    if diagnosis is not None:
        _diagnosis(book.create_sheet("Diagnosis"), diagnosis)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
