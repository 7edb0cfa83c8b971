"""The variable half of the sensitivity report, presented: the JSON's ``variables``, the
command line's "Variable cells" table, the app's Variables tab and the workbook's
``Variables`` sheet (Excel Solver's "Variable Cells").

The seed company's 20-minute conversations are the running example: unused, reduced cost
about −$43.33 a conversation (forcing one in takes that off profit), and it would enter
if each earned $43.33 more. Expected text comes from the same formatting helpers the
product uses, and the key numbers are pinned as well.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from optimizer.analysis.solve import solve
from optimizer.app import variables as app_variables
from optimizer.app.workbook import SOLVER_INFINITY, VARIABLE_CELLS, plan_workbook
from optimizer.cli import app
from optimizer.report import tables
from optimizer.report.payload import to_json
from optimizer.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "scenarios" / "seed_company.yaml"
REGIONAL = ROOT / "scenarios" / "regional_sales.yaml"
TWENTY = "conversations[2027-01,field,20min]"
TWENTY_LABEL = "Conversations of 20 minutes, field team, Jan 2027"
REPS = "reps[2027-01,field]"
INFEASIBLE = "finance.profit_target_per_month=10000000"
VARIABLE_KEYS = {
    "name", "block", "label", "unit", "decision", "value", "at", "reduced_cost",
    "objective_coefficient", "allowable_increase", "allowable_decrease", "degenerate",
}  # fmt: skip


@pytest.fixture(scope="module")
def seed():
    return solve(load_scenario(SEED))


@pytest.fixture(scope="module")
def seed_json(seed) -> dict:
    # through text, as a program reads it: NaN or Infinity would not be JSON
    return json.loads(json.dumps(to_json(seed), allow_nan=False))


def row_of(plan, name: str) -> pd.Series:
    v = plan.variables
    return v[v["name"] == name].iloc[0]


def with_entering(plan, sentences: dict[str, str]):
    """The plan with an ``entering`` column (a later addition to ``plan.variables``)."""
    words = [sentences.get(n, "") for n in plan.variables["name"]]
    return dataclasses.replace(plan, variables=plan.variables.assign(entering=words))


# ---- JSON --------------------------------------------------------------------------------


def test_json_has_one_object_per_variable_with_its_numbers(seed, seed_json):
    rows = seed_json["variables"]
    assert [r["name"] for r in rows] == list(seed.variables["name"])
    for r in rows:
        assert VARIABLE_KEYS <= r.keys(), r
        assert isinstance(r["decision"], bool) and isinstance(r["degenerate"], bool)
    by_name = {r["name"]: r for r in rows}
    twenty = by_name[TWENTY]
    assert twenty["block"] == "conversations" and twenty["label"] == TWENTY_LABEL
    assert twenty["unit"] == "conversations" and twenty["decision"] is True
    assert twenty["value"] == pytest.approx(0.0, abs=1e-9) and twenty["at"] == "lower"
    assert twenty["reduced_cost"] == pytest.approx(-43.3333, abs=1e-3)
    assert twenty["objective_coefficient"] == 0.0
    assert twenty["allowable_increase"] == pytest.approx(43.3333, abs=1e-3)
    assert twenty["allowable_decrease"] is None  # no limit: null, as for constraints
    reps = by_name[REPS]
    assert reps["at"] == "held" and reps["value"] == 5.0
    assert reps["allowable_increase"] is None and reps["allowable_decrease"] is None
    profit = by_name["profit[2027-01]"]
    assert profit["decision"] is False and profit["value"] == pytest.approx(35_400)
    assert profit["objective_coefficient"] == 1.0


def test_json_of_the_command_line_carries_the_variables(seed_json):
    run = CliRunner().invoke(app, ["solve", str(SEED), "--format", "json", "--no-explain"])
    assert run.exit_code == 0, run.output
    shown = json.loads(run.stdout)
    assert shown["variables"] == seed_json["variables"]


def test_json_of_no_plan_has_no_variables():
    plan = solve(load_scenario(SEED, [INFEASIBLE]))
    out = json.loads(json.dumps(to_json(plan), allow_nan=False))
    assert out["status"] == "infeasible" and out["variables"] == []


# ---- command line ------------------------------------------------------------------------


def cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("│").split("│")]


def table_rows(text: str) -> dict[str, list[str]]:
    """The variable cells table's rows, by decision, from printed text."""
    start = text.index("Variable cells: the plan's decisions")
    rows = {}
    for line in text[start:].splitlines():
        if line.startswith("└"):
            break
        if line.startswith("│"):
            found = cells(line)
            rows[found[0]] = found[1:]
    return rows


def test_solve_prints_the_variable_cells_in_leader_words():
    run = CliRunner().invoke(app, ["solve", str(SEED), "--no-explain"], env={"COLUMNS": "200"})
    assert run.exit_code == 0, run.output
    text = run.stdout
    header = next(line for line in text.splitlines() if "Final value" in line)
    assert [c.strip() for c in header.strip("┃ ").split("┃")] == tables.VARIABLE_COLUMNS
    rows = table_rows(text)
    assert len(rows) == 15  # the seed's decisions, every one: leads, people, conversations
    assert rows[TWENTY_LABEL] == ["0 conversations", "−$43.33", "$0", "$43.33", "no limit"]
    assert rows["Leads bought, search tier 1, Jan 2027"] == [
        "400 leads", "$0", "$0", "no limit", "$15.08"
    ]  # fmt: skip
    assert rows["Reps, field team, Jan 2027"] == ["5 people", tables.HELD, "$0", "—", "—"]
    assert rows["Conversations of 45 minutes, field team, Jan 2027"][0] == "650 conversations"
    # the limits first, then the decisions, then the inputs' rates
    assert text.index("Binding limits") < text.index("Variable cells") < text.index("rate today")
    assert (
        "Of the unused decisions, Leads bought, search tier 2, Jan 2027 is closest to "
        "entering the plan: it would enter if each lead earned $10.05 more; forcing one in "
        "would take $10.05 off profit."
    ) in " ".join(text.split())


def test_readme_example_is_the_products_output():
    """The README's variable cells example, as `solve` prints it (regenerate, never edit)."""
    run = CliRunner().invoke(app, ["solve", str(SEED)])
    assert run.exit_code == 0, run.output
    shown = "\n".join(line.rstrip() for line in run.stdout.splitlines())
    readme = (ROOT / "README.md").read_text()
    marker = readme.index("### The variable cells")
    start = readme.index("```\n", marker) + 4
    block = "\n".join(
        line.rstrip() for line in readme[start : readme.index("```", start)].splitlines()
    )
    assert block.startswith("Variable cells: the plan's decisions") and block in shown
    assert "│ Conversations of 20 minutes, field team, Jan 2027 │" in block


def test_a_long_plan_groups_alike_months_and_is_capped_until_all():
    plan = solve(load_scenario(REGIONAL))
    table, total = tables.variable_cells(plan)
    assert len(table) == tables.VARIABLE_ROWS < total < len(tables.decisions(plan))
    first = table.iloc[0]
    assert first["decision"] == "Leads bought, search tier 1, every month from Jan to Jun 2027"
    assert list(first)[1:] == ["500 leads", "$0", "$0", "no limit", "$30.00"]
    every, count = tables.variable_cells(plan, show_all=True)
    assert len(every) == count == len(tables.decisions(plan))
    assert every.iloc[0]["decision"] == "Leads bought, search tier 1, Jan 2027"
    out = io.StringIO()
    tables.print_variables(plan, Console(file=out, width=200))
    assert f"({tables.VARIABLE_ROWS} of {total} rows; --all lists every decision" in out.getvalue()


def test_formatting_of_rates_values_and_limits():
    assert tables.rate_cell(-43.3333, "$") == "−$43.33"
    assert tables.rate_cell(15_880.0, "$") == "+$15,880"
    assert tables.rate_cell(-0.0, "$") == "$0" and tables.rate_cell(0.001, "$") == "$0"
    assert tables.rate_cell(math.inf, "$", signed=False) == "no limit"
    assert tables.rate_cell(math.nan, "$", signed=False) == "—"
    assert tables.rate_cell(1_234_567.0, "$", signed=False) == "$1,234,567"
    assert tables.final_value(163.636, "leads") == "164 leads"
    assert tables.final_value(1e-12, "conversations") == "0 conversations"
    assert tables.final_value(1.0, "choice") == "yes" and tables.final_value(0.0, "choice") == "no"


def test_an_entering_sentence_is_shown_when_present(seed):
    words = "not used; it would be if a 20-minute conversation converted 6.9 % of the time"
    plan = with_entering(seed, {TWENTY: words})
    table, _ = tables.variable_cells(plan)
    assert table.columns[-1] == tables.ENTERING
    assert table.set_index("decision").loc[TWENTY_LABEL, tables.ENTERING] == words
    out = io.StringIO()
    tables.print_variables(plan, Console(file=out, width=200))
    assert f"- {TWENTY_LABEL}: {words}" in out.getvalue()
    # empty sentences: no column
    blank, _ = tables.variable_cells(with_entering(seed, {}))
    assert tables.ENTERING not in blank.columns


def test_no_plan_prints_no_variable_cells():
    plan = solve(load_scenario(SEED, [INFEASIBLE]))
    out = io.StringIO()
    tables.print_variables(plan, Console(file=out, width=200))
    assert out.getvalue() == "" and tables.closest_to_entering(plan) is None


# ---- workbook ----------------------------------------------------------------------------


def sheet_rows(ws, header_row: int) -> dict[str, dict]:
    header = [c.value for c in ws[header_row]]
    out = {}
    for values in ws.iter_rows(min_row=header_row + 1, values_only=True):
        if values[0] is None:
            break
        out[values[0]] = dict(zip(header, values))
    return out


def test_the_workbook_has_solvers_variable_cells(seed):
    scenario = load_scenario(SEED)
    book = openpyxl.load_workbook(io.BytesIO(plan_workbook(seed, scenario)))
    assert book.sheetnames.index("Variables") == book.sheetnames.index("Constraints") + 1
    ws = book["Variables"]
    assert ws["A1"].value == "Variable Cells"
    header = [c.value for c in ws[4]]
    assert header[: len(VARIABLE_CELLS)] == VARIABLE_CELLS == [
        "Cell", "Name", "Final Value", "Reduced Cost", "Objective Coefficient",
        "Allowable Increase", "Allowable Decrease",
    ]  # fmt: skip
    rows = sheet_rows(ws, 4)
    decided = seed.variables[seed.variables["decision"]]
    assert list(rows) == list(decided["name"])  # the decisions first, in the model's order
    twenty = rows[TWENTY]
    assert twenty["Name"] == TWENTY_LABEL and twenty["Final Value"] == pytest.approx(0.0)
    assert twenty["Reduced Cost"] == pytest.approx(-43.33, abs=0.01)
    assert twenty["Objective Coefficient"] == 0
    assert twenty["Allowable Increase"] == pytest.approx(43.33, abs=0.01)
    assert twenty["Allowable Decrease"] == SOLVER_INFINITY  # Solver's 1E+30
    assert twenty["Unit"] == "conversations"
    reps = rows[REPS]
    assert reps["Final Value"] == 5 and reps["Allowable Increase"] is None
    # formats: money with cents per unit; 1E+30 as Solver shows it
    line = next(r for r in ws.iter_rows(min_row=5) if r[0].value == TWENTY)
    cell = dict(zip(header, line))
    assert cell["Reduced Cost"].number_format.startswith('"$"#,##0.00')
    assert cell["Allowable Decrease"].number_format == "General"
    # then the variables that follow from the decisions
    below = [r[0].value for r in ws.iter_rows(min_row=5)]
    title = below.index("Other variables: they follow from the decisions")
    rest = sheet_rows(ws, 5 + title + 1)
    assert rest["profit[2027-01]"]["Final Value"] == pytest.approx(35_400)
    assert ws.cell(row=5 + title + 1, column=1).value == "Cell"


# ---- app ---------------------------------------------------------------------------------

LEADER_TABLE_NO = re.compile(r"\[|[a-z]_[a-z]|\d\.\d{6}")
"""In a leader's table: no bracket, no word_word identifier, no six-decimal float."""


def test_the_app_module_gives_the_command_lines_table(seed):
    frame, total = app_variables.table(seed)
    assert frame.equals(tables.variable_cells(seed)[0]) and total == 15
    assert sum(app_variables.widths(frame).values()) <= 790
    assert set(app_variables.widths(frame)) == set(frame.columns)
    entering = with_entering(seed, {TWENTY: "not used; it would be if ..."})
    with_words, _ = app_variables.table(entering)
    assert set(app_variables.widths(with_words)) == set(with_words.columns)
    assert sum(app_variables.widths(with_words).values()) <= 790


def test_the_app_shows_the_seeds_decisions_formatted():
    pytest.importorskip("streamlit")
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["section"] = "Variables"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Variables" in [t.label for t in at.tabs]
    assert (
        at.info[0]
        .value.replace(r"\$", "$")
        .startswith(
            "Of the unused decisions, Leads bought, search tier 2, Jan 2027 is closest to "
            "entering the plan: it would enter if each lead earned $10.05 more"
        )
    )
    table = at.dataframe[0].value
    assert list(table.columns) == tables.VARIABLE_COLUMNS
    assert len(table) == 15
    for column in table.columns:
        for value in table[column]:
            assert isinstance(value, str), (column, value)  # formatted, never a raw float
            assert not LEADER_TABLE_NO.search(value), (column, value)
    twenty = table.set_index("decision").loc[TWENTY_LABEL]
    assert list(twenty) == ["0 conversations", "−$43.33", "$0", "$43.33", "no limit"]
    reps = table.set_index("decision").loc["Reps, field team, Jan 2027"]
    assert list(reps) == ["5 people", tables.HELD, "$0", "—", "—"]
    at.toggle(key="variables_show_all").set_value(True).run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 15  # one month: every decision is already shown
