"""Plans over time in the app, the workbook and the CLI: people month by month (workforce
flow) and deals by close month (sales cycle), checked against the plan's own targets.

The scenario is regional_sales with people who flow (an opening headcount, attrition, a
hiring lead time, a ramp-up) and a sales cycle on every team, written here, not bundled.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from optimizer.analysis.solve import solve
from optimizer.app import people
from optimizer.app.workbook import MONEY, NUMBER, plan_workbook
from optimizer.report.payload import to_json
from optimizer.report.tables import print_plan
from optimizer.scenario import labels
from optimizer.scenario.loading import load_scenario, validate

ROOT = Path(__file__).resolve().parent.parent
REGIONAL = ROOT / "scenarios" / "regional_sales.yaml"


def flowing_scenario():
    """regional_sales with flowing reps and technicians and a three-month close profile."""
    data = load_scenario(REGIONAL).model_dump()
    for team in data["sales"]["teams"]:
        team["reps"].update(
            opening=5,
            attrition_per_month=0.03,
            hiring_lead_time_months=1,
            max_hires_per_month=2,
            cost_per_hire=8000,
            ramp=[0.2, 0.6],
        )
        team["close_profile"] = [0.2, 0.5, 0.3]
        team["opening_pipeline"] = [6, 3]
    data["sales"]["teams"][3]["reps"]["opening"] = 2  # key accounts: at most 4
    data["delivery"]["workers"].update(
        opening=20, attrition_per_month=0.02, hiring_lead_time_months=1, ramp=[0.5]
    )
    data["finance"]["profit_target_per_month"] = 50000  # reachable while people ramp up
    return validate(data, "flowing regional sales")


@pytest.fixture(scope="module")
def flowing():
    scenario = flowing_scenario()
    plan = solve(scenario)
    assert plan.solved, plan.message
    return scenario, plan


def target(plan, metric: str, role: str, period: str) -> float:
    t = plan.targets
    rows = t[(t["metric"] == metric) & (t["role"] == role) & (t["period"] == period)]
    assert len(rows) == 1, (metric, role, period)
    return float(rows["value"].iloc[0])


# ---- the tables behind the view -------------------------------------------------------------


def test_people_frame_is_the_plans_flow_targets(flowing):
    scenario, plan = flowing
    frame = people.people_frame(plan)
    roles = list(dict.fromkeys(zip(frame["department"], frame["role"])))
    assert roles == [
        ("sales", "north"), ("sales", "south"), ("sales", "metro"), ("sales", "key_accounts"),
        ("delivery", "delivery"),
    ]  # fmt: skip
    assert len(frame) == 5 * 6
    assert set(frame["metric"]) == {"reps", "workers"}
    columns = {
        "productive": "productive_people", "hires decided": "hires_decided",
        "hires starting": "starts", "departures": "departures",
        "expected leavers": "leavers_expected",
    }  # fmt: skip
    for _, row in frame.iterrows():
        role, period = row["role"], row["period"]
        assert row["month"] == labels.month_label(period)
        assert row["headcount"] == pytest.approx(target(plan, row["metric"], role, period))
        for column, metric in columns.items():
            assert row[column] == pytest.approx(target(plan, metric, role, period)), column
    assert frame.loc[0, "headcount"] == pytest.approx(4.85)  # 5 people, 3 % leave in Jan
    # the flow adds up: people = (1 - a) people before + starts - departures
    north = frame[frame["role"] == "north"].reset_index(drop=True)
    before = [5.0, *north["headcount"][:-1]]
    for i in range(6):
        assert north["headcount"][i] == pytest.approx(
            0.97 * before[i] + north["hires starting"][i] - north["departures"][i]
        )
        assert north["expected leavers"][i] == pytest.approx(0.03 * before[i])
    # a hire decided in a month starts the next (a lead time of one month)
    assert list(north["hires decided"][:5]) == pytest.approx(list(north["hires starting"][1:]))
    assert "−" not in "".join(people.people_table(frame).stack())  # no −0 shown


def test_pipeline_frame_adds_up_to_the_plans_open_value(flowing):
    scenario, plan = flowing
    deals = people.pipeline_frame(plan, scenario)
    assert list(dict.fromkeys(deals["team"])) == [t.name for t in scenario.sales.teams]
    for row in deals.itertuples(index=False):
        assert row.won == pytest.approx(target(plan, "deals_won_per_month", row.team, row.period))
        assert row.closing == pytest.approx(target(plan, "deals_per_month", row.team, row.period))
        assert row[6] == pytest.approx(target(plan, "pipeline_open_deals", row.team, row.period))
    for period, month in deals.groupby("period"):
        assert month["open value"].sum() == pytest.approx(
            target(plan, "pipeline_open_value", "finance", period)
        )
    # opening pipeline + won - closed = open, team by team
    for team in scenario.sales.teams:
        rows = deals[deals["team"] == team.name]
        left = sum(team.opening_pipeline) + rows["won"].sum() - rows["closing"].sum()
        assert rows["open at month end"].iloc[-1] == pytest.approx(left)


def test_takeaways_name_the_hires_and_the_open_deals(flowing):
    scenario, plan = flowing
    frame = people.people_frame(plan)
    line = people.people_takeaway(frame)
    top = max(frame.groupby("who", sort=False)["hires decided"].sum().items(), key=lambda kv: kv[1])
    assert line.startswith(f"{top[0]}: {labels.number(top[1])} hires decided ")
    assert "to be productive by the " in line and " peak (" in line
    total = frame["hires decided"].sum()
    assert f"; {labels.number(total)} hires across " in line
    sentences = people.role_sentences(frame)
    assert len(sentences) == 5 and all(s.endswith(".") for s in sentences)
    assert "_" not in "".join(sentences)  # Key accounts team, not key_accounts
    deals = people.pipeline_frame(plan, scenario)
    last = deals[deals["period"] == "2027-06"]
    text = people.pipeline_takeaway(deals, scenario)
    assert text == (
        f"{labels.number(deals['won'].sum())} deals won over the plan, "
        f"{labels.number(deals['closing'].sum())} closing within it; "
        f"{labels.number(last['open at month end'].sum())} still open at the end of Jun 2027, "
        f"worth {labels.money(target(plan, 'pipeline_open_value', 'finance', '2027-06'))} "
        "(credited to the plan at 100 % of their value)."
    )


def test_a_plan_without_flow_has_no_months_view():
    plan = solve(load_scenario(REGIONAL))
    assert not people.has_people_flow(plan) and not people.has_pipeline(plan)
    assert (
        people.people_frame(plan).empty and people.people_takeaway(people.people_frame(plan)) == ""
    )


# ---- the workbook ---------------------------------------------------------------------------


def _identifier_column(sheet) -> int:
    """The first identifier column of a sheet, or past the end."""
    found = [c.column for r in sheet.iter_rows() for c in r if c.value == "identifier"]
    return min(found) if found else sheet.max_column + 1


def rows(sheet, header_row: int) -> list[dict]:
    header = [c.value for c in sheet[header_row]]
    return [dict(zip(header, r)) for r in sheet.iter_rows(min_row=header_row + 1) if r[0].value]


def test_workbook_people_and_pipeline_sheets_hold_the_plans_targets(flowing):
    scenario, plan = flowing
    book = openpyxl.load_workbook(io.BytesIO(plan_workbook(plan, scenario)))
    assert book.sheetnames == [
        "Summary", "Targets", "Constraints", "Variables", "Inputs", "People", "Pipeline",
        "Comparison",
    ]  # fmt: skip
    sheet = rows(book["People"], 3)
    assert [c.value for c in book["People"][3]] == [
        "role", "team", "month", "headcount", "productive", "hires decided", "hires starting",
        "departures", "expected leavers", "identifier",
    ]  # fmt: skip
    assert len(sheet) == 30
    columns = {
        "headcount": None, "productive": "productive_people", "hires decided": "hires_decided",
        "hires starting": "starts", "departures": "departures",
        "expected leavers": "leavers_expected",
    }  # fmt: skip
    for row in sheet:
        metric, period, role = re.fullmatch(
            r"(\w+)\[(.+),(\w+)\]", row["identifier"].value
        ).groups()
        assert row["month"].value == labels.month_label(period)
        assert row["team"].value == role.replace("_", " ")
        assert row["role"].value == labels.metric_label(metric)
        for column, name in columns.items():
            cell = row[column]
            assert cell.value == pytest.approx(target(plan, name or metric, role, period), abs=1e-9)
            assert cell.number_format == NUMBER
    key = next(r for r in sheet if r["identifier"].value == "reps[2027-01,key_accounts]")
    assert key["team"].value == "key accounts" and key["hires decided"].value == 2
    assert key["role"].value == "Reps" and key["headcount"].value == pytest.approx(1.94)
    work = next(r for r in sheet if r["identifier"].value == "workers[2027-01,delivery]")
    assert work["role"].value == "Delivery workers" and work["departures"].value == 1
    pipe = rows(book["Pipeline"], 3)
    assert [c.value for c in book["Pipeline"][3]] == [
        "team", "month", "won", "closing", "open at month end", "open value", "identifier"
    ]  # fmt: skip
    assert len(pipe) == 4 * 6
    deal_value = {t.name: t.average_deal_value for t in scenario.sales.teams}
    by_month: dict[str, float] = {}
    for row in pipe:
        team, period = re.fullmatch(r"(\w+)\[(.+)\]", row["identifier"].value).groups()
        assert row["team"].value == team.replace("_", " ")
        assert row["won"].value == pytest.approx(target(plan, "deals_won_per_month", team, period))
        assert row["closing"].value == pytest.approx(target(plan, "deals_per_month", team, period))
        opened = target(plan, "pipeline_open_deals", team, period)
        assert row["open at month end"].value == pytest.approx(opened)
        assert row["open value"].value == pytest.approx(opened * deal_value[team])
        assert row["open value"].number_format == MONEY
        by_month[period] = by_month.get(period, 0.0) + row["open value"].value
    for period, value in by_month.items():
        assert value == pytest.approx(target(plan, "pipeline_open_value", "finance", period))
    # a leader reads no identifier left of the identifier column (Inputs: see below;
    # Variables is laid out as Excel Solver's report, each variable's cell first)
    for name in set(book.sheetnames) - {"Inputs", "Variables"}:
        right = _identifier_column(book[name])
        for line in book[name].iter_rows(max_col=right - 1):
            for cell in line:
                if isinstance(cell.value, str):
                    assert not re.search(r"\[|\w_\w", cell.value), (name, cell.value)
    targets = rows(book["Targets"], 1)
    closing = next(
        r
        for r in targets
        if r["identifier"].value == "deals_per_month" and r["role"].value == "north"
    )
    assert closing["target"].value == "Deals closing a month"


def test_workbook_inputs_of_the_flow_are_labelled(flowing):
    """Every input the Inputs sheet lists has a leader's label (a ramp, a close profile and an
    opening pipeline are lists of the scenario, not inputs moved one by one)."""
    scenario, plan = flowing
    book = openpyxl.load_workbook(io.BytesIO(plan_workbook(plan, scenario)))
    sheet = book["Inputs"]
    right = _identifier_column(sheet)
    shown = [c.value for line in sheet.iter_rows(max_col=right - 1) for c in line]
    assert not [v for v in shown if isinstance(v, str) and re.search(r"\[|\w_\w", v)]


# ---- the CLI and JSON -----------------------------------------------------------------------


def test_cli_prints_the_flow_in_words_and_json_keeps_identifiers(flowing):
    from rich.console import Console

    scenario, plan = flowing
    out = io.StringIO()
    print_plan(plan, console=Console(file=out, width=200, color_system=None))
    text = out.getvalue()
    for words in (
        "Hires decided", "Hires starting", "Departures", "Expected leavers", "Productive people",
        "Deals won a month", "Deals closing a month", "Deals open at month end", "Hiring costs",
        "Value of the open deals",
    ):  # fmt: skip
        assert words in text, words
    hiring = next(line for line in text.splitlines() if "Hiring costs" in line)
    cells = [c.strip() for c in hiring.split("│") if c.strip()]
    months = [target(plan, "hiring_costs", "finance", f"2027-0{i}") for i in range(1, 7)]
    assert cells[3:9] == [labels.money(v) for v in months]  # '$0', never '$0.00'
    table = text.split("Binding limits")[0]  # the targets, before the limits' sentences
    assert "$0.00" not in table and "−0 " not in table
    data = json.loads(json.dumps(to_json(plan)))
    found = pd.DataFrame(data["targets"])
    for metric, unit in [
        ("hires_decided", "people"), ("starts", "people"), ("departures", "people"),
        ("leavers_expected", "people"), ("productive_people", "people"),
        ("deals_won_per_month", "deals/month"), ("pipeline_open_deals", "deals"),
        ("hiring_costs", "$/month"), ("pipeline_open_value", "$"),
    ]:  # fmt: skip
        rows_of = found[found["metric"] == metric]
        assert len(rows_of) and set(rows_of["unit"]) == {unit}, metric
    north = found[(found["metric"] == "hires_decided") & (found["role"] == "north")]
    assert list(north["value"]) == pytest.approx(
        [target(plan, "hires_decided", "north", p) for p in north["period"]]
    )


# ---- the page ---------------------------------------------------------------------------------

VIEW = "By month"


@pytest.fixture
def flowing_page(tmp_path, monkeypatch, flowing):
    """The page on a folder with the seed company and the flowing scenario."""
    pytest.importorskip("streamlit")
    from streamlit.testing.v1 import AppTest

    from optimizer.app.scenario_files import to_yaml

    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "seed_company.yaml").write_bytes(
        (ROOT / "scenarios" / "seed_company.yaml").read_bytes()
    )
    (folder / "flowing.yaml").write_text(to_yaml(flowing[0]))
    monkeypatch.setenv("KPI_OPTIMIZER_SCENARIOS", str(folder))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _traces(chart) -> list[dict]:
    return json.loads(chart.proto.spec)["data"]


@pytest.mark.slow  # the page run in AppTest, about 3 s: CI runs it
def test_the_months_view_shows_people_and_deals_of_the_plan(flowing_page, flowing):
    scenario, plan = flowing
    at = flowing_page
    assert VIEW not in [t.label for t in at.tabs]  # the seed company's people do not flow
    at.selectbox(key="scenario_file").set_value("flowing.yaml").run()
    assert not at.exception, [e.value for e in at.exception]
    assert VIEW in [t.label for t in at.tabs]
    at.session_state["section"] = VIEW
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    frame = people.people_frame(plan)
    deals = people.pipeline_frame(plan, scenario)
    shown = "\n".join(m.value for m in at.markdown)
    assert f"**{people.people_takeaway(frame)}**" in shown
    assert "**North team: 5 hires decided from Jan to Mar 2027, to be productive by the " in shown
    for line in people.role_sentences(frame):
        assert f"- {line}" in shown
    takeaway = people.pipeline_takeaway(deals, scenario).replace("$", r"\$")
    assert f"**{takeaway}**" in shown
    assert len(at.dataframe) == 2  # people, then deals
    table = at.dataframe[0].value
    pd.testing.assert_frame_equal(table.reset_index(drop=True), people.people_table(frame))
    assert list(table.columns) == [
        "role", "month", "headcount", "productive", "hires decided", "hires starting",
        "departures", "expected leavers",
    ]  # fmt: skip
    north = table[(table["role"] == "North team") & (table["month"] == "Feb 2027")].iloc[0]
    assert north["hires starting"] == labels.number(target(plan, "starts", "north", "2027-02"))
    assert north["headcount"] == labels.number(target(plan, "reps", "north", "2027-02"))
    for column in table.columns:  # words and formatted numbers, never a raw float
        assert all(isinstance(v, str) for v in table[column])
        assert not any(re.search(r"[a-z]_[a-z]|\d\.\d{6}", v) for v in table[column])
    pipe = at.dataframe[1].value
    pd.testing.assert_frame_equal(pipe.reset_index(drop=True), people.pipeline_table(deals))
    last = pipe[(pipe["team"] == "Key accounts team") & (pipe["month"] == "Jun 2027")].iloc[0]
    opened = target(plan, "pipeline_open_deals", "key_accounts", "2027-06")
    assert last["open value"] == labels.money(opened * 26000)
    credit = [m for m in at.metric if m.label == "Deals open at the end of Jun 2027"]
    worth = target(plan, "pipeline_open_value", "finance", "2027-06")  # credited at 100 %
    assert credit and credit[0].value == labels.money(worth)
    profit = [m for m in at.metric if m.label == "Profit over 6 months"][0]
    assert profit.value == labels.money(plan.objective - worth)  # the objective: both
    charts = at.get("plotly_chart")
    assert len(charts) == 3  # people, deals, then the sales teams side by side
    panels = _traces(charts[0])
    hires = [t for t in panels if t["name"] == "hires decided"]
    assert len(hires) == 5 and hires[0]["showlegend"] and not hires[1]["showlegend"]
    assert hires[0]["y"] == pytest.approx(
        [target(plan, "hires_decided", "north", f"2027-0{i}") for i in range(1, 7)]
    )
    assert hires[0]["x"] == [labels.month_label(f"2027-0{i}") for i in range(1, 7)]
    leaving = [t for t in panels if t["name"] == "departures"][4]  # delivery, below zero
    assert leaving["y"][0] == pytest.approx(-target(plan, "departures", "delivery", "2027-01"))
    assert leaving["customdata"][0] == labels.number(
        target(plan, "departures", "delivery", "2027-01")
    )
    titles = [a["text"] for a in json.loads(charts[0].proto.spec)["layout"]["annotations"]]
    assert titles == [
        "North team",
        "South team",
        "Metro team",
        "Key accounts team",
        "Delivery workers",
    ]
    open_lines = [t for t in _traces(charts[1]) if t["name"] == "open at month end"]
    assert open_lines[3]["y"][-1] == pytest.approx(opened)


def test_editing_the_teams_table_keeps_the_flow_and_the_sales_cycle(flowing):
    from optimizer.app import editing

    scenario, _ = flowing
    values = {f.path: f.value for group in editing.form_fields(scenario).values() for f in group}
    frames = editing.tables(scenario)
    assert editing.apply_edits(scenario, values, frames) == scenario
    frames["teams"].loc[0, "reps_max"] = 12
    edited = editing.apply_edits(scenario, values, frames)
    north = edited.sales.teams[0]
    assert north.reps.max == 12 and north.reps.opening == 5 and north.reps.ramp == [0.2, 0.6]
    assert north.close_profile == [0.2, 0.5, 0.3] and north.opening_pipeline == [6, 3]
