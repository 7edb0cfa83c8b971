"""The sales funnel in the app and the workbook (issue 17): each team's dials, conversations,
later stages and deals a month and a rep, checked against the plan's own targets
(``optimizer.analysis.targets`` and ``optimizer.analysis.funnel`` write them).

The scenario is tests/scenarios/funnel_company.yaml: an inside team that dials and finds
its own leads, an enterprise team with an attainment distribution, both running a demo and
a proposal after the first conversation, over two months. The seed company has no funnel.
"""

from __future__ import annotations

import functools
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest

from optimizer.analysis.solve import solve
from optimizer.app import funnel
from optimizer.app.workbook import MONEY, NUMBER, PERCENT, plan_workbook
from optimizer.scenario import labels
from optimizer.scenario.loading import load_scenario, validate

ROOT = Path(__file__).resolve().parent.parent
FUNNEL = ROOT / "tests" / "scenarios" / "funnel_company.yaml"
SEED = ROOT / "scenarios" / "seed_company.yaml"
APP = str(ROOT / "app.py")
VIEW = "Funnel"
RAW = re.compile(r"\d\.\d{3,}|^\d{4,}")
"""A raw float or a number without thousands separators."""


@functools.cache
def funnel_company():
    scenario = load_scenario(FUNNEL)
    plan = solve(scenario)
    assert plan.solved, plan.message
    return scenario, plan


@functools.cache
def seed_company():
    scenario = load_scenario(SEED)
    return scenario, solve(scenario)


def target(plan, metric: str, team: str, period: str = "2027-01") -> float:
    t = plan.targets
    rows = t[(t["metric"] == metric) & (t["role"] == team) & (t["period"] == period)]
    assert len(rows) == 1, (metric, team, period)
    return float(rows["value"].iloc[0])


STEPS = {
    # team: the funnel's steps from the top (the scenario's stages are demo and proposal)
    "inside": ["dials", "conversations", "demo", "proposal", "deals"],
    "enterprise": ["conversations", "demo", "proposal", "deals"],
}
PER_REP = {
    # step: (a rep a day, a rep a week, a rep a month), the plan's targets
    "dials": ("dials_per_rep_per_day", None, None),
    "conversations": ("calls_per_rep_per_day", None, None),
    "demo": (None, "demo_per_rep_per_week", "demo_per_rep_per_month"),
    "proposal": (None, "proposal_per_rep_per_week", "proposal_per_rep_per_month"),
    "deals": (None, None, "deals_per_rep_per_month"),
}


def month_metric(step: str) -> str:
    return f"{step}_per_month"


# ---- the frame and the words behind the view ------------------------------------------------


def test_the_funnel_frame_is_the_plans_targets():
    scenario, plan = funnel_company()
    assert funnel.has_funnel(plan)
    assert funnel.stages(plan) == [s.name for s in scenario.sales.stages] == ["demo", "proposal"]
    assert funnel.teams(plan) == ["inside", "enterprise"]
    frame = funnel.funnel_frame(plan)
    assert list(dict.fromkeys(frame["period"])) == ["2027-01", "2027-02"]
    for team, steps in STEPS.items():
        for period in ("2027-01", "2027-02"):
            rows = frame[(frame["team"] == team) & (frame["period"] == period)]
            assert list(rows["stage"]) == steps
            assert set(rows["month"]) == {labels.month_label(period)}
            assert set(rows["who"]) == {f"{team.capitalize()} team"}
            volumes = [target(plan, month_metric(s), team, period) for s in steps]
            assert list(rows[funnel.PER_MONTH]) == pytest.approx(volumes)
            assert list(rows["metric"]) == [month_metric(s) for s in steps]
            shares = list(rows[funnel.SHARE])
            assert shares[0] != shares[0]  # the top has no stage before
            assert shares[1:] == pytest.approx([b / a for a, b in zip(volumes, volumes[1:])])
            for column, i in ((funnel.PER_DAY, 0), (funnel.PER_WEEK, 1),
                              (funnel.PER_REP_MONTH, 2)):  # fmt: skip
                for step, value in zip(steps, rows[column]):
                    metric = PER_REP[step][i]
                    if metric is None:
                        assert value != value, (team, step, column)  # blank: no such target
                    else:
                        assert value == pytest.approx(target(plan, metric, team, period))
    one = funnel.funnel_frame(plan, "2027-02")
    assert set(one["period"]) == {"2027-02"} and len(one) == 9


def test_demos_a_rep_a_week_by_hand():
    """The enterprise team's 80 demos a month among 4 reps, a week being 5 of the month's
    20 business days: 80 x 5 / (4 x 20) = 5 demos a rep a week, 20 a rep a month."""
    scenario, plan = funnel_company()
    frame = funnel.funnel_frame(plan, "2027-01")
    demo = frame[(frame["team"] == "enterprise") & (frame["stage"] == "demo")].iloc[0]
    demos, reps = target(plan, "demo_per_month", "enterprise"), target(plan, "reps", "enterprise")
    days = scenario.calendar.business_days_per_month
    assert (demos, reps, days) == (80, 4, 20)
    assert demo[funnel.PER_WEEK] == pytest.approx(demos * 5 / (reps * days)) == 5
    assert demo[funnel.PER_REP_MONTH] == pytest.approx(demos / reps) == 20
    assert demo[funnel.SHARE] == pytest.approx(80 / 160)  # of the 160 conversations


def test_the_page_tables_are_formatted():
    _, plan = funnel_company()
    frame = funnel.funnel_frame(plan, "2027-01")
    table = funnel.funnel_table(frame, "inside", "2027-01")
    assert list(table.columns) == ["stage", *funnel.NUMBERS]
    assert list(table["stage"]) == ["Dials", "Conversations", "Demos", "Proposals", "Deals"]
    rows = table.set_index("stage")
    assert rows.loc["Dials", funnel.PER_MONTH] == labels.number(
        target(plan, "dials_per_month", "inside")
    )
    assert rows.loc["Dials", funnel.PER_MONTH].count(",") == 1  # 2,152: a thousands separator
    assert rows.loc["Conversations", funnel.SHARE] == "25 %"  # the connect rate
    assert rows.loc["Demos", funnel.PER_WEEK] == labels.number(
        target(plan, "demo_per_rep_per_week", "inside")
    )
    assert rows.loc["Dials", funnel.PER_WEEK] == ""  # no such target
    details = funnel.details_table(plan, "2027-01").set_index("")
    assert list(details.columns) == ["Inside team", "Enterprise team"]
    assert details.loc["Reps", "Enterprise team"] == "4"
    assert details.loc["Published quota a rep a month", "Enterprise team"] == labels.money(
        target(plan, "published_quota_per_rep_per_month", "enterprise")
    )
    assert details.loc["Published quota a rep a month", "Inside team"] == "—"
    assert details.loc["Commission a month", "Inside team"] == labels.money(
        target(plan, "commission_per_month", "inside")
    )
    assert details.loc["Selling time booked", "Inside team"] == "85 %"
    for shown in (table, details):
        for column in shown.columns[1:]:
            assert all(isinstance(v, str) and not RAW.search(v) for v in shown[column]), column


def test_the_takeaways_are_the_plans_numbers():
    _, plan = funnel_company()

    def n(metric, team):
        return labels.number(target(plan, metric, team))

    assert funnel.takeaway(plan, "inside", "2027-01") == (
        f"Inside team: {n('dials_per_month', 'inside')} dials make "
        f"{n('conversations_per_month', 'inside')} conversations, "
        f"{n('demo_per_month', 'inside')} demos, {n('proposal_per_month', 'inside')} proposals "
        f"and {n('deals_per_month', 'inside')} deals a month; each rep books 85 % of the "
        "selling time."
    )
    assert funnel.takeaway(plan, "enterprise", "2027-01") == (
        "Enterprise team: 160 conversations make 80 demos, 40 proposals and 16 deals a month; "
        "each rep books 45.8 % of the selling time."
    )  # 160 x 40 min + 80 x 60 min + 40 x 30 min over 4 reps' 20 days of 6 hours: 45.8 %
    quota = target(plan, "published_quota_per_rep_per_month", "enterprise")
    over = quota * 4 / target(plan, "revenue_per_month", "enterprise")
    assert over == pytest.approx(target(plan, "quota_over_assignment", "enterprise"))
    assert funnel.quota_line(plan, "enterprise", "2027-01") == (
        f"Published quota {labels.money(quota)} a rep a month: 60 % of reps are expected to "
        f"reach it; quotas sum to {labels.percent(over, 0)} of the planned revenue."
    )
    assert labels.money(quota) == "$56,200"
    assert funnel.quota_line(plan, "inside", "2027-01") == ""  # no attainment distribution
    assert funnel.prospecting_line(plan, "inside", "2027-01").startswith(
        f"Reps find {n('leads_found_per_month', 'inside')} leads a month themselves "
    )
    assert funnel.prospecting_line(plan, "enterprise", "2027-01") == ""
    assert funnel.team_lines(plan, "enterprise", "2027-01") == [
        funnel.takeaway(plan, "enterprise", "2027-01"),
        funnel.quota_line(plan, "enterprise", "2027-01"),
    ]
    assert funnel.lines_by_months(plan, "enterprise") == [
        ("every month from Jan to Feb 2027", funnel.team_lines(plan, "enterprise", "2027-01"))
    ]


def test_a_sales_cycle_ends_the_funnel_in_the_deals_won():
    """With a close profile, the month's proposals win deals that close later: the funnel
    ends in the deals won (``deals_per_month`` are those closing)."""
    data = load_scenario(FUNNEL).model_dump(mode="json")
    for team in data["sales"]["teams"]:
        team["close_profile"] = [0.5, 0.5]
    # half of January's deals close in February: the fixture's 25 new customers in January
    # are out of reach once the enterprise team wins at most its attainment (16 deals)
    data["finance"]["goals"].pop("new_customers")
    plan = solve(validate(data, "the funnel company with a two-month close"))
    assert plan.solved, plan.message
    frame = funnel.funnel_frame(plan, "2027-01")
    deals = frame[(frame["team"] == "inside") & (frame["stage"] == "deals")].iloc[0]
    won = target(plan, "deals_won_per_month", "inside")
    assert deals["label"] == "Deals won" and deals["metric"] == "deals_won_per_month"
    assert deals[funnel.PER_MONTH] == pytest.approx(won)
    assert won == pytest.approx(0.4 * target(plan, "proposal_per_month", "inside"))
    assert deals[funnel.PER_REP_MONTH] == pytest.approx(won / target(plan, "reps", "inside"))
    assert (
        funnel.takeaway(plan, "inside", "2027-01")
        .split(";")[0]
        .endswith(f"and {labels.number(won)} deals won a month")
    )


def test_stage_labels():
    assert funnel.stage_label("demo") == "Demos"
    assert funnel.stage_label("discovery_call") == "Discovery calls"
    assert funnel.stage_label("delivery") == "Deliveries"
    assert funnel.stage_label("pitch") == "Pitches"
    assert funnel.stage_label("conversations") == "Conversations"
    assert funnel.plural("meetings") == "meetings"


def test_the_seed_company_has_no_funnel():
    scenario, plan = seed_company()
    assert not funnel.has_funnel(plan)
    assert funnel.funnel_frame(plan).empty
    assert funnel.details_frame(plan).empty
    book = openpyxl.load_workbook(io.BytesIO(plan_workbook(plan, scenario)))
    assert "Funnel" not in book.sheetnames


# ---- the workbook ----------------------------------------------------------------------------


def table_rows(sheet, header_row: int) -> list[dict]:
    header = [c.value for c in sheet[header_row]]
    out = []
    for row in sheet.iter_rows(min_row=header_row + 1):
        if not row[0].value:
            break
        out.append({h: c for h, c in zip(header, row) if h})
    return out


def test_the_workbook_funnel_sheet_holds_the_plans_funnel():
    scenario, plan = funnel_company()
    book = openpyxl.load_workbook(io.BytesIO(plan_workbook(plan, scenario)))
    assert book.sheetnames == ["Summary", "Targets", "Constraints", "Variables", "Inputs",
                               "Funnel", "Comparison"]  # fmt: skip
    sheet = book["Funnel"]
    header = [c.value for c in sheet[3]]
    assert header == ["team", "month", "stage", *funnel.NUMBERS, "identifier"]
    rows = table_rows(sheet, 3)
    assert len(rows) == 2 * (5 + 4)  # two months of each team's steps
    for row in rows:
        metric, where = row["identifier"].value.split("[")
        period, team = where.rstrip("]").split(",")
        assert row["team"].value == f"{team.capitalize()} team"
        assert row["month"].value == labels.month_label(period)
        assert row[funnel.PER_MONTH].value == pytest.approx(target(plan, metric, team, period))
        assert row[funnel.PER_MONTH].number_format == NUMBER
        step = metric.removesuffix("_per_month")
        assert row["stage"].value == funnel.stage_label(step)
        for column, name in zip((funnel.PER_DAY, funnel.PER_WEEK, funnel.PER_REP_MONTH),
                                PER_REP[step]):  # fmt: skip
            cell = row[column]
            if name is None:
                assert cell.value is None
            else:
                assert cell.value == pytest.approx(target(plan, name, team, period))
                assert cell.number_format == NUMBER
        if row[funnel.SHARE].value is not None:
            assert row[funnel.SHARE].number_format == PERCENT
    demo = next(r for r in rows if r["identifier"].value == "demo_per_month[2027-01,enterprise]")
    assert demo[funnel.PER_WEEK].value == pytest.approx(5)
    # beside the funnel: the team's other targets by month, money as currency
    start = next(r[0].row for r in sheet.iter_rows() if r[0].value == "Beside the funnel")
    beside = {(r["team"].value, r["identifier"].value): r for r in table_rows(sheet, start + 1)}
    quota = beside[("Enterprise team", "published_quota_per_rep_per_month")]
    assert quota["Jan 2027"].value == pytest.approx(
        target(plan, "published_quota_per_rep_per_month", "enterprise")
    )
    assert quota["Jan 2027"].number_format == MONEY
    assert beside[("Inside team", "booked_share_of_selling_time")]["Feb 2027"].number_format == (
        PERCENT
    )
    assert beside[("Inside team", "reps")]["Jan 2027"].value == target(plan, "reps", "inside")
    assert beside[("Inside team", "reps")]["target"].value == "Reps"
    words = [r[0].value for r in sheet.iter_rows() if isinstance(r[0].value, str)]
    for team in ("inside", "enterprise"):
        for line in funnel.team_lines(plan, team, "2027-01"):
            assert line in words
    assert "Every month from Jan to Feb 2027:" in words


# ---- the page ---------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """The page's scenarios: the seed company (opened first) and the funnel company."""
    pytest.importorskip("streamlit")
    where = tmp_path / "scenarios"
    where.mkdir()
    (where / "seed_company.yaml").write_bytes(SEED.read_bytes())
    (where / "funnel_company.yaml").write_bytes(FUNNEL.read_bytes())
    monkeypatch.setenv("KPI_OPTIMIZER_SCENARIOS", str(where))
    return where


def ran(at):
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def traces(chart) -> list[dict]:
    return json.loads(chart.proto.spec)["data"]


def test_the_funnel_tab_shows_each_teams_funnel(folder):
    from streamlit.testing.v1 import AppTest

    _, plan = funnel_company()
    at = ran(AppTest.from_file(APP, default_timeout=120))
    assert VIEW not in [t.label for t in at.tabs]  # the seed company has no funnel
    at.selectbox(key="scenario_file").set_value("funnel_company.yaml")
    ran(at)
    labels_now = [t.label for t in at.tabs]
    assert labels_now[:2] == ["Plan", VIEW]  # beside the plan's targets
    at.session_state["section"] = VIEW
    ran(at)
    assert [s.value for s in at.subheader] == ["Inside team", "Enterprise team",
                                               "Beside the funnel"]  # fmt: skip
    text = [m.value for m in at.markdown]
    for team in ("inside", "enterprise"):
        first, *rest = funnel.team_lines(plan, team, "2027-01")
        assert f"**{first}**" in text
        for line in rest:
            assert line.replace("$", r"\$") in text
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    for chart, team in zip(charts, ("inside", "enterprise")):
        (trace,) = traces(chart)
        assert trace["type"] == "funnel"
        steps = STEPS[team]
        assert trace["y"] == [funnel.stage_label(s) for s in steps]
        volumes = [target(plan, month_metric(s), team) for s in steps]
        assert trace["x"] == pytest.approx(volumes)
        assert trace["text"] == [labels.number(v) for v in volumes]
        assert all(not RAW.search(t) for t in trace["customdata"])
    tables = [d.value for d in at.dataframe]
    assert len(tables) == 3
    inside = tables[0].set_index("stage")
    assert inside.loc["Dials", funnel.PER_MONTH] == labels.number(
        target(plan, "dials_per_month", "inside")
    )
    enterprise = tables[1].set_index("stage")
    assert enterprise.loc["Demos", funnel.PER_WEEK] == "5"
    for table in tables:
        for column in table.columns:
            assert all(isinstance(v, str) and not RAW.search(v) for v in table[column]), column
    # the second month, from the month selector
    assert at.selectbox(key="funnel_month").options == ["Jan 2027", "Feb 2027"]
    at.selectbox(key="funnel_month").set_value("2027-02")
    ran(at)
    assert len(at.get("plotly_chart")) == 2
    assert f"**{funnel.takeaway(plan, 'inside', '2027-02')}**" in [m.value for m in at.markdown]


def test_a_variant_of_the_file_is_picked_in_the_sidebar(folder):
    """The seed declares fifty_dials: picking it puts the variant's plan on the page (its
    reps dial, so the Funnel tab shows); the funnel company declares none (no variant box)."""
    from streamlit.testing.v1 import AppTest

    at = ran(AppTest.from_file(APP, default_timeout=120))
    box = at.selectbox(key="scenario_variant")
    assert box.options == ["the file itself", "fifty dials", "least cost"]
    assert VIEW not in [t.label for t in at.tabs]
    box.set_value("fifty_dials")
    ran(at)
    assert VIEW in [t.label for t in at.tabs]
    assert at.session_state["scenario_label"] == "seed_company.yaml [fifty_dials]"
    at.selectbox(key="scenario_file").set_value("funnel_company.yaml")
    ran(at)
    assert not [b for b in at.selectbox if b.key == "scenario_variant"]


def test_prospecting_dials_find_leads_beside_the_funnel_not_at_its_top():
    """The seed's fifty_dials plan: its dials find leads (8 % of 2,417 = 193), they do not
    reach the 847 conversations, so the funnel starts at the conversations and the dials are
    told with the leads found."""
    from optimizer.scenario.variants import load_variant

    scenario, _ = load_variant(str(SEED), "fifty_dials")
    plan = solve(scenario)
    frame = funnel.funnel_frame(plan, "2027-01")
    assert list(frame["stage"]) == ["conversations", "deals"]
    dials = target(plan, "prospecting_dials_per_month", "field")
    assert dials == pytest.approx(target(plan, "dials_per_month", "field"))
    assert target(plan, "leads_found_per_month", "field") == pytest.approx(0.08 * dials)
    line = funnel.prospecting_line(plan, "field", "2027-01")
    assert line.startswith(f"Reps find {labels.number(0.08 * dials)} leads a month themselves "
                           f"with {labels.number(dials)} dials")  # fmt: skip
