"""The modules behind the page: files, workbook, inputs, what-ifs, the chain and limits."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from optimizer.app import chain, editing, headline, limits, sankey, sensitivity, whatif
from optimizer.app.analysis import analyse, compare_today, held_model, plan_at
from optimizer.app.downloads import constraints_csv, plan_json, targets_csv
from optimizer.app.scenario_files import SaveError, free_name, read_upload, save_new, to_yaml
from optimizer.app.workbook import NO_LIMIT, plan_workbook
from optimizer.loading import MAX_SCENARIO_BYTES, ScenarioError, load_scenario

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
    for input_path, value, _ in whatif.inputs(scenario):
        spec = whatif.slider(scenario, input_path)
        assert spec.low <= value <= spec.high, spec
        assert spec.step > 0
        for end in (spec.low, spec.high):
            try:
                whatif.with_value(scenario, input_path, end)
            except ScenarioError as err:  # only rules across fields may refuse an end
                assert all("expected a number" not in str(p) for p in err.problems), err


def test_whatif_difference_and_binding_changes(seed):
    scenario, plan = seed
    moved = plan_at(held_model(scenario), "calendar.hours_per_day", 9.0)
    diff = whatif.difference(plan, moved)
    row = diff[diff["target"] == "minutes per conversation"].iloc[0]
    assert row["before"] == pytest.approx(43.0)
    assert row["change"] == pytest.approx(row["after"] - row["before"])
    started, stopped = whatif.binding_changes(plan, moved)
    assert set(started).isdisjoint(stopped)
    with pytest.raises(ScenarioError, match="hours_lost_per_day"):
        whatif.with_value(scenario, "calendar.hours_per_day", 2.0)


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
    flow = chain.money_flow(scenario, plan)
    m = chain._Month(plan.targets, chain.AVERAGE)
    assert flow.value_into("Revenue") == pytest.approx(m.get("revenue", "finance"))
    payroll = sum(chain.payroll_by_department(scenario, m).values())
    assert payroll == pytest.approx(m.get("payroll", "finance"))
    volumes = chain.volume_flow(scenario, plan)
    assert volumes.value_into("Leads") == pytest.approx(m.get("leads_per_month", "marketing"))
    assert volumes.value_into("Deals") == pytest.approx(m.get("deals_per_month"))
    picture = sankey.svg(volumes)
    assert picture.startswith("<svg") and "Qualified leads" in picture and "<script" not in picture


def test_limits_table_and_value_of_one_percent(seed):
    _, plan = seed
    table = limits.limit_table(plan)
    assert list(table["limit"]) == list(plan.binding()["label"])
    assert table["limit"].iloc[0] == "Qualified leads for conversations, Jan 2027"
    assert all(s.endswith(".") for s in table["sentence"])
    bars = limits.value_bars(plan)
    row = bars[bars["name"] == "Ad budget, Jan 2027"].iloc[0]
    assert row["per_percent"] == pytest.approx(row["per_unit"] * 400)
    assert limits.most_valuable(plan).startswith("The limit most worth relaxing is ")


def test_headline_reads_the_plan(seed):
    scenario, plan = seed
    from optimizer.app.analysis import Analysis

    metrics = {m.label: m for m in headline.headline(Analysis(scenario, plan, None))}
    assert metrics["Profit a month"].value == "$35,400"
    assert metrics["Profit a month"].delta == "+$10,400 over the goal"
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


def test_workbook_sheets_and_values(seed):
    scenario, plan = seed
    comparison, _ = compare_today(scenario)
    book = openpyxl.load_workbook(io.BytesIO(plan_workbook(plan, scenario, comparison)))
    assert book.sheetnames == ["Summary", "Targets", "Constraints", "Inputs", "Comparison"]
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary["Objective value"] == pytest.approx(35400) and summary["Status"] == "optimal"
    constraints = book["Constraints"]
    header = [c.value for c in constraints[1]]
    for column in ("status", "slack", "shadow price", "allowable increase", "allowable decrease"):
        assert column in header
    rows = [dict(zip(header, r)) for r in constraints.iter_rows(min_row=2, values_only=True)]
    budget = next(r for r in rows if r["name"] == "marketing-ad_budget[2027-01]")
    assert budget["status"] == "Binding" and budget["limit"] == 40000
    assert any(r["allowable increase"] == NO_LIMIT for r in rows)
    inputs = book["Inputs"]
    names = [c.value for c in inputs[3]]
    values = {r[0]: dict(zip(names, r)) for r in inputs.iter_rows(min_row=4, values_only=True)}
    assert values["calendar.hours_per_day"]["marginal value"] == pytest.approx(
        plan.parameter("calendar.hours_per_day")["marginal_value"]
    )
    text = "\n".join(str(c) for r in book["Comparison"].iter_rows(values_only=True) for c in r if c)
    assert "quality floor" in text
    targets = book["Targets"]
    found = [r for r in targets.iter_rows(values_only=True) if r[2] == "calls_per_rep_per_day"]
    assert found[0][4] == pytest.approx(7.5)


def test_workbook_of_an_impossible_scenario_has_the_diagnosis():
    scenario = load_scenario(SEED, ["finance.profit_target_per_month=60000"])
    a = analyse(scenario)
    assert a.diagnosis is not None
    book = openpyxl.load_workbook(io.BytesIO(plan_workbook(a.plan, scenario, None, a.diagnosis)))
    assert book.sheetnames == ["Summary", "Comparison", "Diagnosis"]
    text = "\n".join(str(c) for r in book["Diagnosis"].iter_rows(values_only=True) for c in r if c)
    assert "finance-profit_goal[2027-01]" in text and a.diagnosis.cheapest.sentence in text
    data = json.loads(plan_json(a.plan, a.diagnosis))
    assert data["status"] == "infeasible" and data["diagnosis"]["conflict"]
