"""The plan as an Excel workbook, laid out like a spreadsheet solver's reports.

Every sheet a leader reads speaks in labels (``optimizer.scenario.labels``: "Selling time, field team,
Jan 2027", "Calls a rep a day", "Deal value, field team") with Excel number formats (money
with thousands separators and a true minus sign, percentages for rates and shares); the
identifiers programs use stay in a grey right-hand ``identifier`` column.

- ``Summary`` (the answer report): scenario, objective and its value, status, the
  independent check, the headcounts the plan decides, and the binding limits, the most
  valuable step first;
- ``Targets``: every department's targets, one column per month;
- ``Constraints`` (the sensitivity report): each limit's final value, status (binding or
  not), limit, slack, shadow price, allowable increase and decrease, its natural step and
  the step's value;
- ``Variables`` (the sensitivity report's other half, Excel Solver's "Variable Cells"): each
  decision's cell (its identifier), name (its label), final value, reduced cost, objective
  coefficient and allowable increase and decrease, then the variables that follow from the
  decisions, alike;
- ``Inputs``: every numeric input with its natural step, marginal value and the value of a
  1 % rise;
- ``Funnel``, when the sales teams dial, find their own leads or run stages after the first
  conversation: each team's dials, conversations, later stages and deals by month, a month
  and a rep (a day, a week, a month), the share of the stage before; the team's targets
  beside the funnel (reps, self-found leads, booked selling time, revenue, commission,
  quota) by month; and each team's sentences;
- ``People``, when people flow month to month: each role's headcount, productive people,
  hires decided, hires starting, departures and expected leavers by month;
- ``Pipeline``, when deals close after they are won: each team's deals won, closing and
  open at each month's end, and what the open deals are worth;
- ``Money``, when the plan has cash, recurring revenue or a service band: by month,
  customers, new, leaving, churn, recurring revenue (MRR), expansion, bookings, invoiced,
  collected, receivables, days sales outstanding, cash, the minimum cash and the service
  band's name; then the plan's sentences on cash and the band, and, with the explanation,
  why the band (each other band held every month and one more agent, re-solved);
- ``Comparison``: today's targets against the plan, the limits they break, what suffers
  and the money;
- ``Today right``, once the page has computed it (``optimizer.analysis.whynot.TodayRight``):
  each input change that would make today's targets right, with its label, today's value,
  what it would have to be (rounded so it is enough), whether it was confirmed needed and
  what it is for; then the answer's sentences and notes;
- ``Odds``, once the page has computed it (``optimizer.app.risk``): how likely the plan
  is, in sentences, each goal's probability, profit and cash by month (P10, P50, P90),
  what drives profit and each target's P10, P50 and P90;
- ``Explanation``, once the page has computed it: each input's natural step valued hiring
  free and people held, in the one ranking; the headcount and quality-floor sentences;
- ``Diagnosis``, when no plan exists: the conflicting limits and the repairs.

"No limit" stands where a spreadsheet solver writes 1E+30, except on ``Variables``, laid
out as Solver's own report: 1E+30 there (``SOLVER_INFINITY``).
"""

from __future__ import annotations

import io
import math
from datetime import datetime
from functools import cache

import pandas as pd

from optimizer.analysis.result import Plan
from optimizer.app import funnel as sales_funnel
from optimizer.app import money as money_over_time
from optimizer.app import people as flows_over_time
from optimizer.app import today as today_words
from optimizer.app.diagnosis import changes_table, conflict_table
from optimizer.app.headline import PEOPLE, status_line
from optimizer.report.diagnosis import repair_sentence
from optimizer.report.payload import targets_wide
from optimizer.report.sentences import sentence
from optimizer.report.tables import ENTERING_COLUMN, target_labels
from optimizer.scenario import labels
from optimizer.scenario.names import Objective
from optimizer.scenario.schema import Scenario

# openpyxl is imported when a workbook is written, not with the page: it is 0.2 to 0.5 s of
# the page's first render otherwise (issue 20). Its fills and fonts are made then too; as
# module attributes (``workbook.BINDING_FILL``) they are made on first access.
FILLS = {"HEADER_FILL": "DDE4EE", "BINDING_FILL": "FFF2CC", "BROKEN_FILL": "F8D7DA"}
FONTS = {"ID_FONT": {"color": "808080"}, "BOLD": {"bold": True}}


@cache
def style(name: str):
    """The openpyxl fill or font named in ``FILLS`` or ``FONTS``."""
    from openpyxl.styles import Font, PatternFill

    return PatternFill("solid", fgColor=FILLS[name]) if name in FILLS else Font(**FONTS[name])


def font(**kwargs):
    from openpyxl.styles import Font

    return Font(**kwargs)


def __getattr__(name: str):
    if name in FILLS or name in FONTS:
        return style(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


MINUS = labels.MINUS
# Excel number formats: positive; negative (a true minus sign); zero
MONEY = f'"$"#,##0;"{MINUS}$"#,##0;"$"0'
MONEY_CENTS = f'"$"#,##0.00;"{MINUS}$"#,##0.00;"$"0.00'
NUMBER = f'#,##0.00;"{MINUS}"#,##0.00;0'
PERCENT = f'0.0%;"{MINUS}"0.0%;0%'
PERCENT_HUNDREDTHS = f'0.00%;"{MINUS}"0.00%;0%'
NO_LIMIT = "no limit"
CELL_LIMIT = 32_767
IDENTIFIER = "identifier"
"""The right-hand column of a leader's sheet: the name programs use (``sales-selling_time[...]``)."""
MARGINAL = "marginal value"
SOLVER_INFINITY = 1e30
"""Excel Solver's "no limit" in a sensitivity report's ranges (shown as 1E+30)."""
GENERAL = "General"
VARIABLE_CELLS = [
    "Cell", "Name", "Final Value", "Reduced Cost", "Objective Coefficient",
    "Allowable Increase", "Allowable Decrease",
]  # fmt: skip
"""The columns of Solver's "Variable Cells"; ``Unit`` (and ``In words``, where the plan says
when an unused decision would enter) follow."""
OBJECTIVES = {o.value: o.label for o in Objective}


def number_format(unit: str, rate: bool = False, cents: bool = False) -> str:
    """Money for a $ unit, a percentage for a rate or share, else a number."""
    if rate or unit == "share":
        return PERCENT
    if str(unit).startswith("$"):
        return MONEY_CENTS if cents else MONEY
    return NUMBER


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
            return NO_LIMIT if value > 0 else f"{MINUS}{NO_LIMIT}"
    if isinstance(value, str) and len(value) >= CELL_LIMIT:
        return value[: CELL_LIMIT - 2] + "…"
    return value


def _table(
    ws,
    row: int,
    frame: pd.DataFrame,
    formats: dict | None = None,
    fill_rows=None,
    fill=None,
) -> int:
    """Write ``frame`` with a bold header at ``row``; return the next free row.

    ``formats`` maps a column to a number format, or to a list of them (one a row); the
    ``identifier`` column is written grey, for programs."""
    formats = formats or {}
    fill = fill if fill is not None else style("BINDING_FILL")
    bold, header, grey = style("BOLD"), style("HEADER_FILL"), style("ID_FONT")
    for col, name in enumerate(frame.columns, start=1):
        cell = ws.cell(row=row, column=col, value=str(name))
        cell.font, cell.fill = bold, header
    for i, record in enumerate(frame.itertuples(index=False), start=1):
        for col, (name, value) in enumerate(zip(frame.columns, record), start=1):
            cell = ws.cell(row=row + i, column=col, value=_cell(value))
            shape = formats.get(name)
            shape = shape[i - 1] if isinstance(shape, list) else shape
            if shape and isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                cell.number_format = shape
            if name == IDENTIFIER:
                cell.font = grey
            if fill_rows is not None and fill_rows[i - 1]:
                cell.fill = fill
    return row + len(frame) + 2


def _title(ws, row: int, text: str) -> int:
    ws.cell(row=row, column=1, value=text).font = font(bold=True, size=12)
    return row + 1


def _note(ws, row: int, text: str, column: int = 1) -> None:
    """A sheet's note in italics: what its numbers mean."""
    ws.cell(row=row, column=column, value=text).font = font(italic=True)


def _widths(ws, widest: int = 60) -> None:
    from openpyxl.utils import get_column_letter

    for column in ws.columns:
        longest = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        ws.column_dimensions[get_column_letter(column[0].column)].width = min(
            widest, max(9, longest + 2)
        )


def _months(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in ("department", "role", "metric", "unit")]


def _people(plan: Plan) -> pd.DataFrame:
    wide = targets_wide(plan)
    wide = wide[wide["metric"].isin(PEOPLE)]
    months = _months(wide)
    out = pd.DataFrame(
        {
            "role": [_words(r) for r in wide["role"]],
            "target": wide["metric"].map(labels.metric_label),
        }
    )
    for m in months:
        out[labels.month_label(m)] = wide[m].to_numpy()
    out[IDENTIFIER] = wide["metric"].to_numpy()
    return out.reset_index(drop=True)


def _words(name) -> str:
    """'key accounts' for the team ``key_accounts``: a name as a leader reads it."""
    return str(name).replace("_", " ")


def _summary(ws, plan: Plan, scenario: Scenario) -> None:
    ws.cell(row=1, column=1, value="kpi-optimizer: plan report").font = font(bold=True, size=14)
    status = status_line(plan)[1]
    facts = [
        ("Scenario", scenario.name),
        ("Description", scenario.description.strip()),
        ("Objective", OBJECTIVES.get(plan.objective_name, plan.objective_name)),
        ("Objective value", plan.objective),
        ("Objective unit", plan.objective_unit),
        ("Status", plan.status.value),
        ("Independent check", status),
        ("Largest violation (relative)", plan.verified.max_violation),
        ("Checks", plan.verified.checked),
        ("Solver status", plan.solver_status),
        ("Overrides", "; ".join(plan.overrides) or "none"),
        ("Months", ", ".join(labels.month_label(m) for m in scenario.calendar.month_labels())),
        ("Created", datetime.now().isoformat(timespec="seconds")),
    ]
    for i, (key, value) in enumerate(facts, start=3):
        ws.cell(row=i, column=1, value=key).font = style("BOLD")
        cell = ws.cell(row=i, column=2, value=_cell(value))
        if key == "Objective value":
            cell.number_format = number_format(plan.objective_unit)
    row = len(facts) + 4
    if plan.solved:
        people = _people(plan)
        row = _title(ws, row, "Headcounts the plan decides (people)")
        row = _table(ws, row, people)
        row = _title(ws, row, "Binding limits, the most valuable step first")
        b = plan.binding()
        words = pd.DataFrame(
            {
                "limit": b["label"],
                "kind": b["row_kind"],
                "step": b["relax_words"] if "relax_words" in b else b["step_words"],
                "value of the step": b["step_value"],
                "sentence": [
                    sentence(r, plan.objective_name, plan.objective_unit) for _, r in b.iterrows()
                ],
                IDENTIFIER: b["name"],
            }
        )
        _table(ws, row, words, {"value of the step": number_format(plan.objective_unit)})
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 24
    ws.column_dimensions["E"].width = 100


def _targets(ws, plan: Plan) -> None:
    wide = targets_wide(plan)
    months = _months(wide)
    out = pd.DataFrame(
        {
            "department": wide["department"].str.capitalize(),
            "role": [_words(r) for r in wide["role"]],
            "target": target_labels(wide["metric"]),
            "unit": wide["unit"],
        }
    )
    if len(months) > 1:
        out["monthly average"] = wide[months].mean(axis=1)
    for m in months:
        out[labels.month_label(m)] = wide[m]
    out[IDENTIFIER] = wide["metric"]
    shapes = [number_format(u) for u in wide["unit"]]
    numbers = [
        c for c in out.columns if c not in ("department", "role", "target", "unit", IDENTIFIER)
    ]
    _table(ws, 1, out.reset_index(drop=True), {c: shapes for c in numbers})
    ws.freeze_panes = "E2"
    ws.auto_filter.ref = ws.dimensions
    _widths(ws)


def _constraints(ws, plan: Plan) -> None:
    c = plan.constraints
    status = [
        "Identity" if k == "identity" else ("Binding" if b else "Not binding")
        for k, b in zip(c["row_kind"], c["binding"])
    ]
    frame = pd.DataFrame(
        {
            "limit": c["label"],
            "kind": c["row_kind"],
            "department": c["department"].str.capitalize(),
            "final value": c["activity"],
            "status": status,
            "limit value": c["limit"],
            "slack": c["slack"].abs(),
            "shadow price": c["shadow_price"],
            "allowable increase": c["allowable_increase"],
            "allowable decrease": c["allowable_decrease"],
            "step": c["relax_words"] if "relax_words" in c else c["step_words"],
            "value of the step": c["step_value"],
            "one more whole person": c["whole_step_value"],
            "one fewer whole person": c["whole_fewer_value"]
            if "whole_fewer_value" in c
            else math.nan,
            "unit": c["unit"],
            "sentence": [
                sentence(r, plan.objective_name, plan.objective_unit) for _, r in c.iterrows()
            ],
            IDENTIFIER: c["name"],
            "input": c["parameter"],
        }
    )
    by_row = [number_format(u) for u in c["unit"]]
    money = number_format(plan.objective_unit)
    formats = {
        k: by_row
        for k in ("final value", "limit value", "slack", "allowable increase", "allowable decrease")
    }
    formats |= {
        "shadow price": number_format(plan.objective_unit, cents=True),
        "value of the step": money,
        "one more whole person": money,
    }
    _table(ws, 1, frame, formats, fill_rows=list(c["binding"]))
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions
    _widths(ws)


def _solver_number(value):
    """A number as Solver's report writes it: infinity as ±1E+30, NaN blank."""
    if value is None or value != value:
        return None
    value = float(value)
    if math.isinf(value):
        return SOLVER_INFINITY if value > 0 else -SOLVER_INFINITY
    return value


def _variable_rows(v: pd.DataFrame) -> pd.DataFrame:
    """``plan.variables`` rows in Solver's "Variable Cells" columns (``VARIABLE_CELLS``)."""
    out = pd.DataFrame(
        {
            "Cell": v["name"].astype(str),
            "Name": v["label"].astype(str),
            "Final Value": [_solver_number(x) for x in v["value"]],
            **{
                column: [_solver_number(x) for x in v[key]]
                for column, key in (
                    ("Reduced Cost", "reduced_cost"),
                    ("Objective Coefficient", "objective_coefficient"),
                    ("Allowable Increase", "allowable_increase"),
                    ("Allowable Decrease", "allowable_decrease"),
                )
            },
            "Unit": v["unit"].astype(str),
        }
    )
    if ENTERING_COLUMN in v.columns:
        words = ["" if not isinstance(w, str) else w.strip() for w in v[ENTERING_COLUMN]]
        if any(words):
            out["In words"] = words
    return out.reset_index(drop=True)


def _variable_formats(frame: pd.DataFrame, units, objective_unit: str) -> dict:
    """Each value in its variable's unit, each rate and range in the objective's per unit;
    1E+30 as Solver shows it (General)."""
    per_unit = number_format(objective_unit, cents=True)
    formats = {"Final Value": [number_format(u) for u in units]}
    for column in VARIABLE_CELLS[3:]:
        formats[column] = [
            GENERAL if x is not None and abs(x) >= SOLVER_INFINITY else per_unit
            for x in frame[column]
        ]
    return formats


def _variables(ws, plan: Plan) -> None:
    """The variable half of the sensitivity report, laid out as Excel Solver's "Variable
    Cells": the decisions first, then the variables that follow from them."""
    v = plan.variables
    objective = OBJECTIVES.get(plan.objective_name, plan.objective_name).lower()
    row = _title(ws, 1, "Variable Cells")
    _note(
        ws,
        row,
        (
            f"Reduced cost: the change of the objective ({objective}, {plan.objective_unit}) "
            "per unit increase of the variable (an unused decision: what forcing one in "
            "costs; ±1E+30: no plan has any). Objective coefficient: its own term in the "
            "objective (most earn through revenue and costs, so 0). Allowable increase and "
            "decrease: how far that coefficient can move with the plan unchanged; 1E+30: no "
            "limit. Whole numbers (people, hiring choices) are held at the plan's values: "
            "their reduced cost is the value of a fraction of a person (the Explanation values "
            "whole people) and they have no range."
        ),
    )
    row += 2
    decided = v["decision"].astype(bool).to_numpy()
    for title, rows in (
        (None, v[decided]),
        ("Other variables: they follow from the decisions", v[~decided]),
    ):
        if rows.empty:
            continue
        if title:
            row = _title(ws, row, title)
        frame = _variable_rows(rows)
        formats = _variable_formats(frame, rows["unit"], plan.objective_unit)
        row = _table(ws, row, frame, formats)
    ws.freeze_panes = "C5"  # the title, the note and the first header stay in view
    _widths(ws, widest=60)
    ws.column_dimensions["A"].width = 40


def _inputs(ws, plan: Plan) -> None:
    p = plan.parameters
    rates = [labels.natural_step(path).per_point for path in p["path"]]
    per_point = [0.01 if r else 1.0 for r in rates]  # rates and shares per percentage point
    frame = pd.DataFrame(
        {
            "input": p["label"] if "label" in p else labels.input_labels(p["path"], p["value"]),
            "value": p["value"],
            "unit": ["%" if r else u for r, u in zip(rates, p["unit"])],
            "natural step": [labels.natural_step(path).words for path in p["path"]],
            MARGINAL: p["marginal_value"] * per_point,
            "value of a 1 % increase": p["marginal_value"] * p["value"].abs() * 0.01,
            "note": p["note"].fillna("").str.replace("_", " "),
            IDENTIFIER: p["path"],
        }
    )
    objective = OBJECTIVES.get(plan.objective_name, plan.objective_name).lower()
    _note(
        ws,
        1,
        (
            f"Marginal value: change of the objective ({objective}, {plan.objective_unit}) per "
            "unit increase of the input (a rate or share: per percentage point), the plan's "
            "whole-number headcounts held."
        ),
    )
    money = number_format(plan.objective_unit)
    _table(
        ws,
        3,
        frame,
        {
            "value": [number_format(u, r) for u, r in zip(p["unit"], rates)],
            MARGINAL: number_format(plan.objective_unit, cents=True),
            "value of a 1 % increase": money,
        },
    )
    ws.freeze_panes = "B4"
    _widths(ws)


def _people_sheet(ws, plan: Plan) -> None:
    """Each flowing role by month; the identifier is the plan's ``metric[month,role]``."""
    frame = flows_over_time.people_frame(plan)
    out = pd.DataFrame(
        {
            "role": frame["metric"].map(labels.metric_label),
            "team": [_words(r) for r in frame["role"]],
            "month": frame["month"],
            **{c: frame[c] for c in flows_over_time.PEOPLE_COLUMNS},
            IDENTIFIER: [f"{m}[{p},{r}]" for m, p, r in
                         zip(frame["metric"], frame["period"], frame["role"])],
        }
    )  # fmt: skip
    _note(
        ws,
        1,
        (
            "People by month. Headcount is what payroll pays (with attrition, in full-time "
            "equivalents); productive people are those at full speed (new hires ramp up). A hire "
            "decided in one month starts after the hiring lead time."
        ),
    )
    numbers = dict.fromkeys(flows_over_time.PEOPLE_COLUMNS, NUMBER)
    _table(ws, 3, out.reset_index(drop=True), numbers)
    ws.freeze_panes = "D4"
    _widths(ws)


def _pipeline_sheet(ws, plan: Plan, scenario: Scenario) -> None:
    """Each team's deals by month; the identifier is the plan's ``team[month]``."""
    frame = flows_over_time.pipeline_frame(plan, scenario)
    out = pd.DataFrame(
        {
            "team": [_words(t) for t in frame["team"]],
            "month": frame["month"],
            **{c: frame[c] for c in flows_over_time.PIPELINE_COLUMNS},
            IDENTIFIER: [f"{t}[{p}]" for t, p in zip(frame["team"], frame["period"])],
        }
    )
    share = scenario.horizon_end.open_pipeline_value_share
    _note(
        ws,
        1,
        (
            "Deals by month: won in conversations, closing (signed, revenue booked) and still "
            "open at the month's end; open value at the team's deal value. Deals open when the "
            f"plan ends are credited at {labels.percent(share, 0)} of their value."
        ),
    )
    formats = {"won": NUMBER, "closing": NUMBER, "open at month end": NUMBER, "open value": MONEY}
    _table(ws, 3, out.reset_index(drop=True), formats)
    ws.freeze_panes = "C4"
    _widths(ws)


def _funnel_sheet(ws, plan: Plan) -> None:
    """Each team's funnel by month, from the top; the identifier is the plan's target for the
    step's volume, ``metric[month,team]``. Then the targets beside the funnel (one column per
    month, the identifier the metric) and the teams' sentences."""
    frame = sales_funnel.funnel_frame(plan)
    out = pd.DataFrame(
        {
            "team": frame["who"],
            "month": frame["month"],
            "stage": frame["label"],
            **{c: frame[c] for c in sales_funnel.NUMBERS},
            IDENTIFIER: [f"{m}[{p},{t}]" for m, p, t in
                         zip(frame["metric"], frame["period"], frame["team"])],
        }
    )  # fmt: skip
    _note(
        ws,
        1,
        (
            "The sales funnel by month: each team's volume a month at each step, the share of "
            "the step before, and each rep's targets (a day being a business day, a week five "
            "of them; per rep: the team's volume over the plan's reps)."
        ),
    )
    formats = dict.fromkeys(sales_funnel.NUMBERS, NUMBER) | {sales_funnel.SHARE: PERCENT}
    row = _table(ws, 3, out.reset_index(drop=True), formats)
    details = sales_funnel.details_frame(plan)
    months = sales_funnel.periods(plan)
    if not details.empty:
        row = _title(ws, row, "Beside the funnel")
        beside = pd.DataFrame(
            {
                "team": details["who"],
                "target": details["label"],
                "unit": details["unit"],
                **{labels.month_label(m): details[m] for m in months},
                IDENTIFIER: details["metric"],
            }
        )
        shapes = [number_format(u) for u in details["unit"]]
        columns = {labels.month_label(m): shapes for m in months}
        row = _table(ws, row, beside.reset_index(drop=True), columns)
    row = _title(ws, row, "In words")
    for team in sales_funnel.teams(plan):
        for when, lines in sales_funnel.lines_by_months(plan, team):
            ws.cell(row=row, column=1, value=f"{when[:1].upper()}{when[1:]}:").font = style("BOLD")
            row += 1
            for text in lines:
                ws.cell(row=row, column=1, value=text)
                row += 1
        row += 1
    ws.freeze_panes = "D4"
    _widths(ws, widest=24)


def _money_sheet(ws, plan: Plan, scenario: Scenario, story: dict | None = None) -> None:
    """Money by month, one row a month; the identifier is the plan's period."""
    frame = money_over_time.money_frame(plan, scenario)
    metrics = [m for m in money_over_time.MONTHLY if m in frame.columns]
    band = money_over_time.BAND in frame.columns
    out = pd.DataFrame({"month": frame["month"]})
    for m in metrics:
        out[money_over_time.column_label(m)] = frame[m]
    if band:
        out[money_over_time.column_label(money_over_time.BAND)] = [
            money_over_time.band_words(n) for n in frame[money_over_time.BAND]
        ]
    out[IDENTIFIER] = frame["period"]
    _note(
        ws,
        1,
        (
            "Money by month. Customers and recurring revenue at the month end; invoiced in the "
            "month, collected as customers pay; receivables: invoices unpaid at the month end; "
            "days sales outstanding: receivables / the month's invoices × 30 days; cash in the "
            "bank at the month end."
        ),
    )
    formats = {
        money_over_time.column_label(m): number_format(money_over_time.SERIES[m][2])
        for m in metrics
    }
    row = _table(ws, 3, out.reset_index(drop=True), formats)
    credit = money_over_time.customer_credit(plan)
    if credit:
        ws.cell(row=row, column=1, value=labels.metric_label("customer_base_value")).font = style(
            "BOLD"
        )
        ws.cell(row=row, column=2, value=credit).number_format = MONEY
        _note(
            ws,
            row,
            f"in the objective, not profit: customers still paying when the plan ends, at "
            f"{scenario.horizon_end.customer_months:g} months of their revenue",
            column=3,
        )
        row += 2
    notes = money_over_time.money_notes(plan, scenario)
    if notes:
        row = _title(ws, row, "Cash and the service band")
        for text in notes:
            ws.cell(row=row, column=1, value=text)
            row += 1
        row += 1
    sentences, re_solved = money_over_time.band_reasons(plan, scenario, story)
    if band and re_solved:
        row = _title(ws, row, "Why this band: each other band, and one more agent, re-solved")
        for text in sentences:
            ws.cell(row=row, column=1, value=text)
            row += 1
    ws.freeze_panes = "B4"
    _widths(ws, widest=24)


def _comparison(ws, comparison) -> None:
    if comparison is None:
        ws.cell(row=1, column=1, value="The scenario states no targets for today to compare.")
        return
    row = _title(ws, 1, "Today's targets against the recommended plan")
    side = comparison.side_by_side.sort_values("stated_target", ascending=False, kind="stable")
    frame = pd.DataFrame(
        {
            "department": side["department"].str.capitalize(),
            "role": side["role"],
            "target": side["metric"].map(labels.metric_label),
            "month": side["period"].map(labels.month_label),
            "stated": side["stated"],
            "today": side["current"],
            "recommended": side["recommended"],
            "difference": side["difference"],
            "unit": side["unit"],
            IDENTIFIER: side["metric"],
        }
    ).reset_index(drop=True)
    shapes = [number_format(u) for u in side["unit"]]
    row = _table(
        ws,
        row,
        frame,
        {k: shapes for k in ("stated", "today", "recommended", "difference")},
        fill_rows=list(side["stated_target"]),
    )
    row = _title(ws, row, "Limits today's targets break")
    v = comparison.violations
    if v.empty:
        ws.cell(row=row, column=1, value="none")
        row += 2
    else:
        names = v["constraint"].astype(str)
        families = [n.split("[", 1)[0] for n in names]
        broken = pd.DataFrame(
            {
                "limit": [
                    labels.row_label(f, labels.row_axes(n, f)) for n, f in zip(names, families)
                ],
                "limit value": v["limit"],
                "today's targets imply": v["implied"],
                "shortfall": v["shortfall"],
                "unit": v["unit"],
                "kind": v["nature"],
                "sentence": v["sentence"],
                IDENTIFIER: names,
            }
        )
        shapes = [number_format(u) for u in v["unit"]]
        row = _table(
            ws,
            row,
            broken,
            {k: shapes for k in ("limit value", "today's targets imply", "shortfall")},
            fill_rows=[True] * len(v),
            fill=style("BROKEN_FILL"),
        )
    row = _title(ws, row, "What suffers")
    for line in comparison.cascade or ["(no plan to compare with)"]:
        ws.cell(row=row, column=1, value=line)
        row += 1
    row = _title(ws, row + 1, "Money over the horizon")
    now, rec = comparison.finance["current"], comparison.finance.get("recommended")

    def shown(value):
        return ("yes" if value else "no") if isinstance(value, bool) else value

    money = pd.DataFrame(
        {
            "item": [labels.metric_label(k) for k in now],
            "today": [shown(x) for x in now.values()],
            "recommended": [shown(rec[k]) for k in now] if rec else [None] * len(now),
            IDENTIFIER: list(now),
        }
    )
    _table(ws, row, money, {"today": MONEY, "recommended": MONEY})
    _widths(ws, widest=80)


def _today_right(ws, right) -> None:
    """What would make today's targets right: the changes, then the sentences and notes."""
    row = _title(ws, 1, "What would make today's targets right")
    changes = today_words.right_changes(right)
    if changes:
        units = [c.unit for _, c in changes]
        frame = pd.DataFrame(
            {
                "input": [c.words[:1].upper() + c.words[1:] for _, c in changes],
                "today": [today_words.enough(c.current, c.unit, c.proposed < c.current)
                          for _, c in changes],
                "would have to be": [today_words.enough(c.proposed, c.unit, c.proposed > c.current)
                                     for _, c in changes],
                "unit": units,
                "needed": ["yes" if c.needed else "no" for _, c in changes],
                "for": [what for what, _ in changes],
                IDENTIFIER: [c.path for _, c in changes],
            }
        )  # fmt: skip
        shapes = [
            PERCENT_HUNDREDTHS if today_words.is_share(u) else number_format(u, cents=True)
            for u in units
        ]  # a hundredth of a percentage point, as the sentences round a share
        row = _table(ws, row, frame, {"today": shapes, "would have to be": shapes})
        _note(
            ws,
            row - 1,
            "Each value is rounded away from today's, so it is enough. Needed: re-solved just "
            "short of the change, with the others, there is no plan.",
        )
        row += 1
    for text in right.sentences:
        ws.cell(row=row, column=1, value=text)
        row += 1
    row += 1
    for note in right.notes:
        _note(ws, row, f"Note: {note}.")
        row += 1
    _widths(ws, widest=50)


def _explanation(ws, plan: Plan, scenario: Scenario, explanation) -> None:
    from optimizer.report import explanation as words

    months = max(1, scenario.calendar.horizon_months)
    row = _title(ws, 1, "What moves the plan")
    ws.cell(row=row, column=1, value=words.takeaway(explanation, months))
    row += 1
    _note(
        ws,
        row,
        f"Money {words.period_words(months)}. Value: the ranking's, people held (a "
        "headcount limit's hiring free). People held: the plan's people kept (by the rate "
        "where the step stays in its range, else solved again). Hiring free: the plan "
        "solved again with every headcount free.",
    )
    row += 2
    by_subject = {s.subject: s for s in explanation.steps}
    ordered = [by_subject[s] for s in explanation.ranking]
    frame = pd.DataFrame(
        {
            "rank": range(1, len(ordered) + 1),
            "input": [s.label for s in ordered],
            "step": [s.step_words for s in ordered],
            "value": [s.value for s in ordered],
            "value people held": [s.value_people_held for s in ordered],
            "value hiring free": [s.value_hiring_free for s in ordered],
            "people held by": [
                {"rate": "the rate", "re-solved": "solving again"}.get(s.method, "")
                for s in ordered
            ],
            "limits it moves": [words.limit_words(s.limits, plan) for s in ordered],
            "note": [s.note for s in ordered],
            IDENTIFIER: [s.subject for s in ordered],
        }
    )
    money = number_format(plan.objective_unit)
    row = _table(ws, row, frame, {"value": money, "value hiring free": money,
                                  "value people held": money})  # fmt: skip
    floor = words.quality_sentence(explanation)
    for title, texts in (
        ("Why this many people", words.headcount_sentences(explanation)),
        ("The quality floor", [floor] if floor else []),
        ("What would bring an unused option into the plan", words.entering_sentences(explanation)),
    ):
        if texts:
            row = _title(ws, row, title)
            for text in texts:
                ws.cell(row=row, column=1, value=text)
                row += 1
            row += 1
    for note in explanation.notes:
        _note(ws, row, note)
        row += 1
    _widths(ws, widest=50)
    ws.column_dimensions["A"].width = 8


def _diagnosis(ws, diagnosis) -> None:
    kind = "in whole people" if diagnosis.relaxation == "integer" else "outright"
    row = _title(ws, 1, f"No plan meets every limit and goal. These limits conflict {kind}:")
    conflict = conflict_table(diagnosis.conflict)
    conflict["identifier"] = list(diagnosis.conflict["name"])  # for programs, at the right
    row = _table(ws, row, conflict)
    row = _title(ws, row, "Cheapest repair")
    if diagnosis.cheapest is None:
        ws.cell(row=row, column=1, value=diagnosis.message)
        row += 2
    else:
        ws.cell(row=row, column=1, value=repair_sentence(diagnosis.cheapest))
        changes = changes_table(diagnosis.cheapest.changes)
        changes["identifier"] = list(diagnosis.cheapest.changes["path"])
        row = _table(ws, row + 1, changes)
    row = _title(ws, row, "Or, one lever at a time")
    for repair in diagnosis.alternatives:
        ws.cell(row=row, column=1, value=repair_sentence(repair))
        row += 1
    _widths(ws, widest=90)


def plan_workbook(
    plan: Plan,
    scenario: Scenario,
    comparison=None,
    diagnosis=None,
    explanation=None,
    band: dict | None = None,
    right=None,
    tradeoff=None,
    odds=None,
    chosen=None,
) -> bytes:
    """The workbook's bytes (.xlsx). ``band``: the service band's story re-solved on its own
    (``optimizer.app.analysis.explain_band``), for the Money sheet when ``explanation`` has
    none. ``right``: what would make today's targets right (``whynot.TodayRight``), once the
    page has computed it: a ``Today right`` sheet after the comparison (none without it).
    ``tradeoff``: a trade-off curve the page has computed: a ``Trade-offs`` sheet.
    ``odds``: the plan's odds the page has computed (``optimizer.app.risk.Odds``): an
    ``Odds`` sheet; ``chosen``: the people chosen for their odds
    (``optimizer.analysis.risk.odds.Chosen``), once computed: a block of that sheet."""
    from openpyxl import Workbook

    book = Workbook()
    _summary(book.active, plan, scenario)
    book.active.title = "Summary"
    if plan.solved:
        _targets(book.create_sheet("Targets"), plan)
        _constraints(book.create_sheet("Constraints"), plan)
        if "decision" in plan.variables.columns and len(plan.variables):
            _variables(book.create_sheet("Variables"), plan)
        _inputs(book.create_sheet("Inputs"), plan)
    if sales_funnel.has_funnel(plan):
        _funnel_sheet(book.create_sheet("Funnel"), plan)
    if flows_over_time.has_people_flow(plan):
        _people_sheet(book.create_sheet("People"), plan)
    if flows_over_time.has_pipeline(plan):
        _pipeline_sheet(book.create_sheet("Pipeline"), plan, scenario)
    if money_over_time.has_money(plan):
        story = money_over_time.band_story(explanation, band)
        _money_sheet(book.create_sheet("Money"), plan, scenario, story)
    _comparison(book.create_sheet("Comparison"), comparison)
    if right is not None:
        _today_right(book.create_sheet("Today right"), right)
    if tradeoff is not None:  # a trade-off curve (``analysis.tradeoff.Front``), once computed
        from optimizer.app.tradeoff import write_sheet

        write_sheet(book.create_sheet("Trade-offs"), tradeoff)
    if odds is not None:  # the plan's odds (``optimizer.app.risk``), once computed
        from optimizer.app.risk import write_sheet as odds_sheet

        odds_sheet(book.create_sheet("Odds"), odds, chosen=chosen)
    if explanation is not None and plan.solved:
        _explanation(book.create_sheet("Explanation"), plan, scenario, explanation)
    if diagnosis is not None:
        _diagnosis(book.create_sheet("Diagnosis"), diagnosis)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
