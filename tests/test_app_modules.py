"""The modules behind the page: files, workbook, inputs, what-ifs, the chain and limits."""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import explained

from optimizer.app import editing, flows, headline, limits, moves, sankey, sensitivity
from optimizer.app.analysis import analyse, compare_today, held_model, plan_at
from optimizer.app.downloads import constraints_csv, plan_json, targets_csv
from optimizer.app.scenario_files import SaveError, free_name, read_upload, save_new, to_yaml
from optimizer.app.workbook import MONEY, MONEY_CENTS, NO_LIMIT, NUMBER, PERCENT, plan_workbook
from optimizer.report.diagnosis import repair_sentence
from optimizer.scenario.loading import MAX_SCENARIO_BYTES, ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "scenarios" / "seed_company.yaml"
BUNDLED = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def seed():
    scenario = load_scenario(SEED)
    return scenario, analyse(scenario).plan


# ---- scenario files -----------------------------------------------------------------------


def test_upload_checks_size_encoding_yaml_and_schema():
    with pytest.raises(ScenarioError, match=f"at most {MAX_SCENARIO_BYTES} bytes"):
        read_upload(b"#" * (MAX_SCENARIO_BYTES + 1), "big.yaml")
    with pytest.raises(ScenarioError, match="UTF-8"):
        read_upload(b"\xff\xfe\x00", "binary.yaml")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        read_upload(b"a: [1", "broken.yaml")
    with pytest.raises(ScenarioError, match="duplicate|twice"):
        read_upload(b"name: a\nname: b\n", "twice.yaml")
    bad = SEED.read_text().replace("qualified_lead_share: 0.55", "qualified_lead_share: 1.7")
    with pytest.raises(ScenarioError) as err:
        read_upload(bad.encode(), "bad.yaml")
    assert [str(p) for p in err.value.problems] == [
        "marketing.qualified_lead_share = 1.7: expected a number <= 1"
    ]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_saved_yaml_reads_back_to_the_same_scenario(path):
    scenario = load_scenario(path)
    assert read_upload(to_yaml(scenario).encode(), "saved.yaml") == scenario


def test_save_new_never_overwrites_and_leaves_no_temporary_file(tmp_path):
    first = save_new("a: 1\n", tmp_path, "plan")
    assert first == tmp_path / "plan.yaml" and first.read_text() == "a: 1\n"
    with pytest.raises(SaveError, match="already exists"):
        save_new("a: 2\n", tmp_path, "plan.yaml")
    (tmp_path / "other.yml").write_text("x")
    with pytest.raises(SaveError, match="already exists"):
        save_new("a: 3\n", tmp_path, "other")
    for name in ("", "../escape", "a b", ".hidden"):
        with pytest.raises(SaveError, match="not a usable file name"):
            save_new("a: 4\n", tmp_path, name)
    assert first.read_text() == "a: 1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.yml", "plan.yaml"]
    assert (
        free_name(tmp_path, "plan") == "plan_2" and free_name(tmp_path, "new plan!") == "new_plan"
    )


# ---- editing --------------------------------------------------------------------------------


def test_form_fields_cover_every_department_with_units(seed):
    scenario, _ = seed
    fields = editing.form_fields(scenario)
    assert set(fields) == set(editing.SECTIONS)
    by_path = {f.path: f for group in fields.values() for f in group}
    assert by_path["marketing.ad_budget_per_month"].unit == "$/month"
    assert by_path["sales.min_minutes_per_quality_conversation"].value == 20
    assert by_path["marketing.marketers.max"].kind == "int"
    assert by_path["finance.goal_period"].options == ("month", "horizon")
    assert by_path["current_targets.reps[field]"].value == 6


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_unchanged_form_gives_back_the_same_scenario(path):
    scenario = load_scenario(path)
    values = {f.path: f.value for group in editing.form_fields(scenario).values() for f in group}
    assert editing.apply_edits(scenario, values, editing.tables(scenario)) == scenario


def test_table_edits_are_applied_and_validated(seed):
    scenario, _ = seed
    tables = editing.tables(scenario)
    teams = editing.apply_table_edits(tables["teams"], {"edited_rows": {"0": {"reps_max": 9}}})
    tiers = editing.apply_table_edits(
        tables["channels"],
        {"deleted_rows": [4], "added_rows": [{"channel": "events", "cost_per_lead": 80.0}]},
    )
    edited = editing.apply_edits(scenario, {}, {"teams": teams, "channels": tiers})
    assert edited.sales.teams[0].reps.max == 9
    assert [c.name for c in edited.marketing.channels] == ["search", "social", "events"]
    assert len(edited.marketing.channels[1].tiers) == 1
    with pytest.raises(
        ScenarioError, match="reps.min.*must not exceed|min \\(2\\) must not exceed"
    ):
        bad = editing.apply_table_edits(tables["teams"], {"edited_rows": {0: {"reps_max": 1}}})
        editing.apply_edits(scenario, {}, {"teams": bad})
    with pytest.raises(ScenarioError, match="calendar.hours_per_day = 30"):
        editing.apply_edits(scenario, {"calendar.hours_per_day": 30.0})


# ---- what-ifs and sweeps ------------------------------------------------------------------


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_every_slider_stays_inside_what_the_schema_allows(path):
    scenario = load_scenario(path)
    for input_path, value, _ in moves.inputs(scenario):
        spec = moves.slider(scenario, input_path)
        assert spec.low <= value <= spec.high, spec
        assert spec.step > 0
        for end in (spec.low, spec.high):
            try:
                moves.with_value(scenario, input_path, end)
            except ScenarioError as err:  # only rules across fields may refuse an end
                assert all("expected a number" not in str(p) for p in err.problems), err


def test_whatif_difference_and_binding_changes(seed):
    scenario, plan = seed
    moved = plan_at(held_model(scenario), "calendar.hours_per_day", 9.0)
    diff = moves.difference(plan, moved)
    row = diff[diff["target"] == "minutes per conversation"].iloc[0]
    assert row["before"] == pytest.approx(43.0)
    assert row["change"] == pytest.approx(row["after"] - row["before"])
    started, stopped = moves.binding_changes(plan, moved)
    assert set(started).isdisjoint(stopped)
    with pytest.raises(ScenarioError, match="hours_lost_per_day"):
        moves.with_value(scenario, "calendar.hours_per_day", 2.0)


def test_sweep_grid_and_table(seed):
    scenario, _ = seed
    assert sensitivity.grid(1, 5, 9, integer=True) == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert sensitivity.grid(0, 1, 500)[-1] == 1 and len(sensitivity.grid(0, 1, 500)) == 41
    held = held_model(scenario)
    points = [(h, plan_at(held, "calendar.hours_per_day", h), "") for h in (7.0, 8.0)]
    points.append((3.0, None, "not valid"))
    table = sensitivity.sweep_table(points, ["profit", "reps"])
    curve = sensitivity.objective_curve(table)
    assert list(curve["status"]) == ["optimal", "optimal", "not valid"]
    assert curve["objective"].iloc[1] == pytest.approx(35400)
    assert set(table["metric"].dropna()) >= {"profit", "reps"}


# ---- the chain, limits, headline ------------------------------------------------------------


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_money_flow_balances_and_payroll_adds_up(path):
    scenario = load_scenario(path)
    plan = held_model(scenario).base_result.plan()
    flow = flows.money_flow(scenario, plan)
    m = flows._Month(plan.targets, flows.AVERAGE)
    assert flow.value_into("Revenue") == pytest.approx(m.get("revenue", "finance"))
    payroll = sum(flows.payroll_by_department(scenario, m).values())
    assert payroll == pytest.approx(m.get("payroll", "finance"))
    volumes = flows.volume_flow(scenario, plan)
    assert volumes.value_into("Leads") == pytest.approx(m.get("leads_per_month", "marketing"))
    assert volumes.value_into("Deals") == pytest.approx(m.get("deals_per_month"))
    picture = sankey.svg(volumes)
    assert picture.startswith("<svg") and "Qualified leads" in picture and "<script" not in picture


def test_limits_table_and_value_of_one_step(seed):
    _, plan = seed
    table = limits.limit_table(plan)
    assert list(table["limit"]) == list(plan.binding()["label"])
    assert table["limit"].iloc[0] == "Qualified leads for conversations, Jan 2027"
    assert all(s.endswith(".") for s in table["sentence"])
    bars = limits.value_bars(plan)
    assert list(bars["name"]) == list(plan.binding()["label"])  # the one ranking
    row = bars[bars["name"] == "Selling time, field team, Jan 2027"].iloc[0]
    assert row["value"] == pytest.approx(4160, abs=1)
    assert row["text"] == "$4,160 for one person-hour a day more for a month"
    assert bars[bars["name"] == "Ad budget, Jan 2027"]["text"].iloc[0].startswith("$5.33 for ")
    assert limits.most_valuable(plan).startswith("The limit most worth relaxing is ")


def test_headline_reads_the_plan(seed):
    scenario, plan = seed
    from optimizer.app.analysis import Analysis

    metrics = {m.label: m for m in headline.headline(Analysis(scenario, plan, None))}
    assert metrics["Profit a month"].value == "$35,400"
    assert metrics["Profit a month"].delta == "+$10,400 vs goal"
    assert metrics["Profit a month"].arrow == "up"
    assert metrics["Headcount"].delta == "\u22122 vs today"  # a true minus sign,
    assert metrics["Headcount"].arrow == "down"  # so the arrow is given, not parsed
    assert "$25,000" in metrics["Profit a month"].help
    people = headline.headcount_changes(plan, scenario).set_index("role")
    assert people.loc["field", "today"] == 6 and math.isnan(people.loc["marketers", "today"])
    assert headline.shown(51100, "$/rep/month") == "$51,100" and headline.shown(0.09733) == "0.0973"


# ---- files ------------------------------------------------------------------------------------


def test_csv_and_json_downloads(seed):
    _, plan = seed
    targets = pd.read_csv(io.BytesIO(targets_csv(plan)))
    assert list(targets.columns) == ["department", "role", "metric", "period", "value", "unit"]
    limits_table = pd.read_csv(io.BytesIO(constraints_csv(plan)))
    assert "sentence" in limits_table.columns and limits_table["binding"].any()
    data = json.loads(plan_json(plan))
    assert data["objective"]["value"] == pytest.approx(35400)


def sheet_rows(sheet, header_row: int = 1) -> list[dict]:
    """Each row of ``sheet`` below its header as {column: cell} (the cells, for formats)."""
    header = [c.value for c in sheet[header_row]]
    return [dict(zip(header, r)) for r in sheet.iter_rows(min_row=header_row + 1) if r[0].value]


def by_identifier(rows: list[dict]) -> dict:
    return {r["identifier"].value: r for r in rows if r.get("identifier") is not None}


def test_workbook_sheets_and_values(seed):
    scenario, plan = seed
    comparison, _ = compare_today(scenario)
    book = openpyxl.load_workbook(io.BytesIO(plan_workbook(plan, scenario, comparison)))
    assert book.sheetnames == [
        "Summary", "Targets", "Constraints", "Variables", "Inputs", "Money", "Comparison"
    ]  # fmt: skip
    # Money: the seed company has cash and a ticket desk at one of two bands (test_app_money)
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary["Objective value"] == pytest.approx(35400) and summary["Status"] == "optimal"
    assert summary["Objective"] == "Most profit" and summary["Months"] == "Jan 2027"
    constraints = by_identifier(sheet_rows(book["Constraints"]))
    header = [c.value for c in book["Constraints"][1]]
    assert header[:10] == [
        "limit", "kind", "department", "final value", "status", "limit value", "slack",
        "shadow price", "allowable increase", "allowable decrease",
    ]  # fmt: skip
    assert {"step", "value of the step"} <= set(header) and header[-2:] == ["identifier", "input"]
    budget = constraints["marketing-ad_budget[2027-01]"]
    assert budget["limit"].value == "Ad budget, Jan 2027" and budget["kind"].value == "budget"
    assert budget["status"].value == "Binding" and budget["limit value"].value == 40000
    assert budget["limit value"].number_format == MONEY  # a $ row: currency, true minus
    selling = constraints["sales-selling_time[2027-01,field]"]
    assert selling["limit"].value == "Selling time, field team, Jan 2027"
    assert selling["step"].value == "one person-hour a day more for a month"
    assert selling["value of the step"].value == pytest.approx(4160)
    assert selling["value of the step"].number_format == MONEY
    assert selling["shadow price"].value == pytest.approx(3.4666, abs=1e-3)
    assert selling["shadow price"].number_format == MONEY_CENTS
    assert selling["final value"].number_format == NUMBER
    assert any(r["allowable increase"].value == NO_LIMIT for r in constraints.values())
    assert {r["status"].value for r in constraints.values()} == {
        "Binding", "Not binding", "Identity"
    }  # fmt: skip
    inputs = by_identifier(sheet_rows(book["Inputs"], 3))
    day = inputs["calendar.hours_per_day"]
    assert day["input"].value == "Working day" and day["natural step"].value == "one hour a day"
    assert day["marginal value"].value == pytest.approx(
        plan.parameter("calendar.hours_per_day")["marginal_value"]
    )
    share = inputs["marketing.qualified_lead_share"]  # a share: a percentage, per point
    assert share["value"].value == pytest.approx(0.55) and share["value"].number_format == PERCENT
    assert share["unit"].value == "%"
    assert share["marginal value"].value == pytest.approx(
        plan.parameter("marketing.qualified_lead_share")["marginal_value"] / 100
    )
    assert inputs["marketing.ad_budget_per_month"]["value"].number_format == MONEY
    assert "quality floor" in inputs["sales.min_minutes_per_quality_conversation"]["note"].value
    targets = by_identifier(sheet_rows(book["Targets"]))
    calls = sheet_rows(book["Targets"])
    calls = next(r for r in calls if r["identifier"].value == "calls_per_rep_per_day")
    assert calls["target"].value == "Calls a rep a day" and calls["Jan 2027"].value == 7.5
    assert targets["ad_spend_per_month"]["Jan 2027"].number_format == MONEY
    compared = by_identifier(sheet_rows(book["Comparison"], 2))
    assert compared["calls_per_rep_per_day"]["target"].value == "Calls a rep a day"
    assert compared["calls_per_rep_per_day"]["stated"].value == 50
    assert compared["profit"]["today"].number_format == MONEY
    text = "\n".join(str(c) for r in book["Comparison"].iter_rows(values_only=True) for c in r if c)
    assert "quality floor" in text and "Qualified leads for conversations, Jan 2027" in text
    # a leader reads no identifier left of the identifier column, and money has a true minus
    for name in ("Summary", "Targets", "Constraints", "Inputs", "Comparison"):
        right = _identifier_column(book[name])
        for row in book[name].iter_rows(max_col=right - 1):
            for cell in row:
                if isinstance(cell.value, str):
                    assert not re.search(r"\[|\w_\w", cell.value), (name, cell.value)
    assert "\u2212" in MONEY and "\u2212" in PERCENT


def _identifier_column(sheet) -> int:
    """The first identifier column of a sheet (every header row is looked at), or past the end."""
    found = [c.column for r in sheet.iter_rows() for c in r if c.value == "identifier"]
    return min(found) if found else sheet.max_column + 1


def test_workbook_explanation_sheet():
    scenario, plan, why = explained(str(SEED))  # the plan and its explanation, once a session
    book = openpyxl.load_workbook(io.BytesIO(plan_workbook(plan, scenario, None, None, why)))
    assert book.sheetnames[-1] == "Explanation"
    sheet = book["Explanation"]
    header_row = next(r[0].row for r in sheet.iter_rows() if r[0].value == "rank")
    steps = by_identifier(sheet_rows(sheet, header_row))
    day = steps["calendar.hours_per_day"]
    assert day["input"].value == "Working day" and day["step"].value == "one hour a day more"
    assert day["value hiring free"].value == pytest.approx(5200)
    assert day["value hiring free"].number_format == MONEY
    assert day["limits it moves"].value == "Selling time, field team, Jan 2027"
    assert steps["sales.conversation_tiers[4].conversion_rate"]["rank"].value == 1
    text = [str(c) for r in sheet.iter_rows(values_only=True) for c in r if c]
    assert "A sixth rep (field team): +$5,200 of margin − $7,000 of pay = −$1,800." in text
    assert any(t.startswith("The quality floor (20 minutes) does not limit the plan") for t in text)


def test_workbook_of_an_impossible_scenario_has_the_diagnosis():
    scenario = load_scenario(SEED, ["finance.profit_target_per_month=60000"])
    a = analyse(scenario)
    assert a.diagnosis is not None
    book = openpyxl.load_workbook(io.BytesIO(plan_workbook(a.plan, scenario, None, a.diagnosis)))
    assert book.sheetnames == ["Summary", "Comparison", "Diagnosis"]
    text = "\n".join(str(c) for r in book["Diagnosis"].iter_rows(values_only=True) for c in r if c)
    assert "finance-profit_goal[2027-01]" in text and repair_sentence(a.diagnosis.cheapest) in text
    data = json.loads(plan_json(a.plan, a.diagnosis))
    assert data["status"] == "infeasible" and data["diagnosis"]["conflict"]


def test_the_diagnosis_sheet_shows_labels_and_keeps_identifiers_at_the_right():
    impossible = load_scenario(SEED, ["finance.profit_target_per_month=60000"])
    a = analyse(impossible)
    book = openpyxl.load_workbook(io.BytesIO(plan_workbook(a.plan, impossible, None, a.diagnosis)))
    rows = [
        [c for c in row if c is not None] for row in book["Diagnosis"].iter_rows(values_only=True)
    ]
    header = next(r for r in rows if r and r[0] == "limit")
    assert header == ["limit", "department", "what it says", "set by", "identifier"]
    goal = next(r for r in rows if r and r[0] == "Profit goal, Jan 2027")
    assert goal[-1] == "finance-profit_goal[2027-01]" and "Profit target" in goal
    lever = next(r for r in rows if r and r[0] == "lever")
    assert lever == ["lever", "today", "proposed", "change", "identifier"]
