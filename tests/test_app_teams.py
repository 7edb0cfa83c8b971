"""The sales teams side by side (``optimizer.app.teams``): one small panel per team and
measure by month, each measure's panels on one scale, and the line over them, whose numbers
are the plan's own.

The small cases are regional_sales (four teams, six months: every team keeps its reps, the
metro team has selling time to spare) and frames written here by hand; the page runs on
regional_sales with flowing people (tests/test_app_flows.py), which shows the months tab.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import ROOT, solved

from optimizer.app import teams
from optimizer.scenario import labels

REGIONAL = str(ROOT / "scenarios" / "regional_sales.yaml")
VIEW = "By month"


def target(plan, metric: str, role: str, period: str) -> float:
    t = plan.targets
    rows = t[(t["metric"] == metric) & (t["role"] == role) & (t["period"] == period)]
    assert len(rows) == 1, (metric, role, period)
    return float(rows["value"].iloc[0])


@pytest.fixture(scope="module")
def regional():
    scenario, plan = solved(REGIONAL)
    assert plan.solved
    return scenario, plan, teams.team_frame(plan, scenario)


def test_the_frame_is_the_plans_team_targets(regional):
    scenario, plan, frame = regional
    assert teams.has_teams(plan)
    assert list(dict.fromkeys(frame["team"])) == ["north", "south", "metro", "key_accounts"]
    assert list(dict.fromkeys(frame["who"]))[-1] == "Key accounts team"
    assert len(frame) == 4 * 6 and list(frame["month"][:2]) == ["Jan 2027", "Feb 2027"]
    row = frame[(frame["team"] == "metro") & (frame["period"] == "2027-03")].iloc[0]
    assert row["reps"] == target(plan, "reps", "metro", "2027-03")
    assert row["deals"] == target(plan, "deals_per_month", "metro", "2027-03")
    assert row["revenue"] == target(plan, "revenue_per_month", "metro", "2027-03")
    assert row["booked"] == target(plan, "booked_share_of_selling_time", "metro", "2027-03")


def test_one_panel_per_team_and_measure_on_one_scale(regional):
    *_, frame = regional
    figure = teams.team_months(frame)
    assert teams.facets(figure) == 4 * len(teams.MEASURES)  # four teams, four measures
    layout = figure.layout
    # the second row (deals) of every team is tied to the first team's deals axis
    deals = [t for t in figure.data if t.name == "Deals a month"]
    assert len(deals) == 4 and all(len(t.x) == 6 for t in deals)
    first = deals[0].yaxis.replace("y", "yaxis")
    for trace in deals[1:]:
        assert layout[trace.yaxis.replace("y", "yaxis")].matches == deals[0].yaxis
    assert layout[first].matches is None
    titles = [a.text for a in layout.annotations]
    assert titles == ["North team", "South team", "Metro team", "Key accounts team"]
    assert figure.layout.height <= 80 + 150 * 4  # four rows of small panels
    # fewer teams than the column count: one team is one panel per measure
    north = frame[frame["team"] == "north"]
    assert teams.facets(teams.team_months(north)) == len(teams.MEASURES)
    assert teams.heading(frame) == "Sales teams by month"
    assert teams.heading(north) == "North team by month"
    assert teams.heading(frame[frame["period"] == "2027-01"]) == "Sales teams side by side"


def test_the_takeaway_is_the_plans_numbers(regional):
    _, plan, frame = regional
    months = [f"2027-0{k}" for k in range(1, 7)]
    revenue = {
        team: sum(target(plan, "revenue_per_month", team, m) for m in months) / 6
        for team in ("north", "south", "metro", "key_accounts")
    }
    assert max(revenue, key=revenue.get) == "north"
    share = revenue["north"] / sum(revenue.values())
    metro = sum(target(plan, "booked_share_of_selling_time", "metro", m) for m in months) / 6
    assert metro < teams.FULL
    assert teams.team_takeaway(frame) == (
        f"North team brings the most revenue: {labels.money(revenue['north'])} a month, "
        f"{labels.percent(share, 0)} of the teams'; every team keeps its reps every month; "
        f"the metro team books {labels.percent(metro, 0)} of its selling time."
    )
    assert labels.money(revenue["north"]) == "$367,200"  # 10 reps' 45.9 deals at $8,000


def test_the_growth_plans_takeaway_is_its_field_teams_numbers():
    scenario, plan = solved(str(ROOT / "scenarios" / "growth_plan.yaml"))
    frame = teams.team_frame(plan, scenario)
    months = [f"2027-{k:02d}" for k in range(1, 13)]
    reps = [target(plan, "reps", "field", m) for m in months]
    deals = [target(plan, "deals_per_month", "field", m) for m in months]
    top, best = reps.index(max(reps)), deals.index(max(deals))
    assert max(reps) - reps[0] > reps[0] - min(reps)  # it grows first
    revenue = target(plan, "revenue_per_month", "field", months[best])
    line = teams.team_takeaway(frame)
    assert line.startswith(
        f"The field team grows from {labels.number(reps[0])} reps in Jan 2027 to "
        f"{labels.number(reps[top])} by {labels.month_label(months[top])}, then "
        f"{labels.number(reps[-1])} in Dec 2027; deals peak in "
        f"{labels.month_label(months[best])} at {labels.number(deals[best])} a month "
        f"({labels.money(revenue)} of revenue)"
    ), line
    assert teams.facets(teams.team_months(frame)) == len(teams.MEASURES)  # one team


def hand_frame(reps: list[float], deals: list[float], team: str = "field") -> pd.DataFrame:
    periods = [f"2027-0{k + 1}" for k in range(len(reps))]
    return pd.DataFrame(
        {
            "team": team,
            "who": f"{team.capitalize()} team",
            "period": periods,
            "month": [labels.month_label(p) for p in periods],
            "reps": reps,
            "deals": deals,
            "revenue": [d * 1000 for d in deals],
            "booked": 1.0,
        }
    )


def test_one_team_over_months_by_hand():
    frame = hand_frame([5, 6, 8, 7], [40, 50, 62, 55])
    assert teams.team_takeaway(frame) == (
        "The field team grows from 5 reps in Jan 2027 to 8 by Mar 2027, then 7 in Apr 2027; "
        "deals peak in Mar 2027 at 62 a month ($62,000 of revenue); all selling time is "
        "booked every month."
    )
    shrinking = hand_frame([6, 5, 4], [30, 25, 20])
    assert teams.team_takeaway(shrinking).startswith(
        "The field team shrinks from 6 reps in Jan 2027 to 4 by Mar 2027; deals peak in "
        "Jan 2027 at 30 a month ($30,000 of revenue)"
    )
    steady = hand_frame([5, 5.2], [10, 12])
    assert teams.team_takeaway(steady).startswith("The field team keeps 5 reps every month;")


def test_one_month_several_teams_by_hand():
    frame = pd.concat(
        [hand_frame([4], [20], "north"), hand_frame([2], [16], "metro")], ignore_index=True
    )
    frame.loc[1, "booked"] = 0.5
    # north: $20,000 of $36,000 (55.6 %); metro closes 8 deals a rep, north 5
    assert teams.team_takeaway(frame) == (
        "North team brings the most revenue: $20,000 a month, 55.6 % of the teams'; the "
        "metro team closes the most a rep: 8 deals; the metro team books 50 % of its "
        "selling time."
    )
    figure = teams.team_months(frame)
    assert teams.facets(figure) == len(teams.MEASURES)  # a panel per measure, a bar per team
    assert all(list(t.x) == ["North team", "Metro team"] for t in figure.data)
    assert list(figure.data[2].text) == ["$20,000", "$16,000"]  # money with $ and separators


def test_a_one_team_one_month_plan_has_nothing_to_compare():
    _, plan = solved(str(ROOT / "scenarios" / "seed_company.yaml"))
    assert not teams.has_teams(plan)


@pytest.mark.slow  # the page run in AppTest, a few seconds: CI runs it
def test_the_months_view_shows_the_teams_with_their_takeaway(tmp_path, monkeypatch):
    pytest.importorskip("streamlit")
    from streamlit.testing.v1 import AppTest
    from test_app_flows import flowing_scenario

    from optimizer.analysis.solve import solve
    from optimizer.app.scenario_files import to_yaml

    scenario = flowing_scenario()
    plan = solve(scenario)
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "flowing.yaml").write_text(to_yaml(scenario))
    monkeypatch.setenv("KPI_OPTIMIZER_SCENARIOS", str(folder))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["section"] = VIEW
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert VIEW in [t.label for t in at.tabs]
    frame = teams.team_frame(plan, scenario)
    line = teams.team_takeaway(frame).replace("$", r"\$")
    shown = "\n".join(m.value for m in at.markdown)
    assert f"**{line}**" in shown
    assert "Sales teams by month" in [h.value for h in at.subheader]
    charts = [c for c in at.get("plotly_chart") if "months_teams_chart" in str(c.proto.id)]
    assert len(charts) == 1
