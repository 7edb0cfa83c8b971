"""The odds of the plan in the app (the Odds tab, on request) and the workbook's ``Odds`` sheet.

The numbers are ``optimizer.analysis.risk``'s (tests/test_risk.py checks them by hand: on
the seed company the goal of $25,000 is met with probability Phi(0.6154) = 73.08 %); here
the page and the sheet are checked to show them as the command line computes them, with
few draws: the same draws and seed give the same odds.
"""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from optimizer.analysis.risk import risk
from optimizer.analysis.solve import solve
from optimizer.app import risk as odds_view
from optimizer.app.workbook import MONEY, PERCENT, plan_workbook
from optimizer.report.risk import odds_words, sentences
from optimizer.scenario.loading import load_scenario, validate

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
SEED = ROOT / "scenarios" / "seed_company.yaml"
REGIONAL = ROOT / "scenarios" / "regional_sales.yaml"
DRAWS = 400
GOAL = 25_000.0


@pytest.fixture(scope="module")
def seed():
    return load_scenario(SEED)


@pytest.fixture(scope="module")
def odds(seed):
    return odds_view.compute(seed, DRAWS)


@pytest.fixture(scope="module")
def regional():
    return odds_view.compute(load_scenario(REGIONAL), 60)


# ---- the figures and tables -----------------------------------------------------------------


def test_the_odds_are_the_commands(seed, odds):
    """The page's computation is ``risk``'s: the same draws and seed, the same numbers."""
    r = risk(seed, draws=DRAWS)
    assert odds.risk.draws == DRAWS and odds.risk.seed == seed.uncertainty.seed == 2027
    pd.testing.assert_frame_equal(odds.risk.goals, r.goals)
    pd.testing.assert_frame_equal(odds.risk.money, r.money)
    assert odds.profit.shape == (DRAWS,)
    assert np.percentile(odds.profit, 50) == pytest.approx(r.money["p50"].iloc[-1])
    # 73.08 % by hand (tests/test_risk.py), within three standard errors of 400 draws
    p = float(r.goals["probability"].iloc[0])
    assert abs(p - 0.7308) < 3 * np.sqrt(0.7308 * 0.2692 / DRAWS)


def test_each_goal_is_a_probability_with_its_error(odds):
    (card,) = odds_view.goal_cards(odds.risk)
    p = float(odds.risk.goals["probability"].iloc[0])
    assert card.label == "Profit goal, Jan 2027: $25,000"
    assert card.value == odds_words(p) and card.value.endswith(" %")
    assert float(card.value.removesuffix(" %")) == pytest.approx(100 * p, abs=0.05)
    error = np.sqrt(p * (1 - p) / DRAWS)
    assert card.error == f"± {100 * error:.1f} percentage points"
    assert odds_view.error(p, DRAWS) == pytest.approx(odds.risk.error)  # one goal: all goals


def test_one_month_is_a_histogram_with_the_goal_line(odds):
    r = odds.risk
    assert odds_view.months(r) == ["2027-01"] and odds_view.histogram_period(r) == "2027-01"
    assert odds_view.goal_lines(r, "profit") == {"2027-01": GOAL}
    figure = odds_view.histogram(odds)
    (bars,) = figure.data
    assert int(sum(bars.y)) == DRAWS  # every draw has a plan: the held people keep every limit
    lines = {s.x0 for s in figure.layout.shapes}
    assert lines == {GOAL, r.plan_profit}
    green = sum(y for y, c in zip(bars.y, bars.marker.color) if c == odds_view.COLORS["met"])
    p = float(r.goals["probability"].iloc[0])
    assert green == round(p * DRAWS)  # the goal is a bin edge: green bars are the goal met
    words = odds_view.histogram_takeaway(odds)
    assert words.startswith("Profit in Jan 2027: $")
    assert f"{odds_words(p)} of the draws earn the goal of $25,000 or more" in words


def test_several_months_are_fans_and_a_goal_over_the_plan_a_histogram(regional):
    r = regional.risk
    assert len(odds_view.months(r)) == 6 and odds_view.measures(r) == ["profit"]
    assert odds_view.goal_lines(r, "profit") == {"horizon": 1_800_000.0}
    assert odds_view.histogram_period(r) == "horizon"
    assert odds_view.histogram_takeaway(regional).startswith("Profit over the plan: $")
    figure = odds_view.fan(r, "profit")
    names = [t.name for t in figure.data]
    assert names == [
        "P90", "P10 to P90 (eight draws in ten)", "P50 (the middle draw)",
        "the plan (single-number inputs)",
    ]  # fmt: skip
    spread = r.money[(r.money["measure"] == "profit") & (r.money["period"] != "horizon")]
    assert list(figure.data[0].x) == ["Jan 2027", "Feb 2027", "Mar 2027", "Apr 2027",
                                      "May 2027", "Jun 2027"]  # fmt: skip
    assert list(figure.data[0].y) == list(spread["p90"]) and list(figure.data[1].y) == list(
        spread["p10"]
    )
    assert odds_view.fan_takeaway(r, "profit").startswith("Profit a month, in eight draws")
    # a month's goal is drawn where the scenario has one
    goals = pd.DataFrame(
        {
            "name": [f"finance-profit_goal[2027-0{m}]" for m in range(1, 7)],
            "label": [f"Profit goal, month {m}" for m in range(1, 7)],
            "goal": [400_000.0] * 6,
            "probability": [0.1] * 6,
        }
    )
    monthly = dataclasses.replace(r, goals=goals)
    figure = odds_view.fan(monthly, "profit")
    assert figure.data[-1].name == "the goal" and list(figure.data[-1].y) == [400_000.0] * 6
    assert "misses the month's goal in Jan 2027, " in odds_view.fan_takeaway(monthly, "profit")
    assert odds_view.histogram_period(monthly) is None  # six fans of months, no histogram
    assert [c.label for c in odds_view.goal_cards(monthly)][-1] == "Every goal at once"


def test_the_tornado_is_profit_around_the_middle_draw(regional):
    r = regional.risk
    figure = odds_view.tornado(r)
    middle = float(r.money["p50"].iloc[-1])
    low, high = figure.data
    top = r.tornado.iloc[::-1]
    assert [y.split("<br>")[0] for y in low.y] == list(top["label"])
    assert low.y[-1].startswith(r.tornado["label"].iloc[0] + "<br>")  # the widest at the top
    assert low.base == high.base == middle
    assert np.allclose(np.array(low.x) + middle, top["profit_low"])
    assert np.allclose(np.array(high.x) + middle, top["profit_high"])
    first = r.tornado.iloc[0]
    rate = f"{odds_view.labels.percent(first.low)} to {odds_view.labels.percent(first.high)}"
    assert rate in low.y[-1]  # the rate's tenths in percent beneath its label
    words = odds_view.tornado_takeaway(r)
    assert words.startswith(f"{r.tornado['label'].iloc[0]} moves profit most: $")
    table = odds_view.tornado_table(r)
    assert table["profit then"].iloc[0] == odds_view.labels.money(r.tornado["profit_low"].iloc[0])


def test_the_targets_are_words_and_formatted_numbers(odds, regional):
    table = odds_view.targets_table(odds.risk)
    assert list(table.columns) == odds_view.TARGET_COLUMNS
    assert all(isinstance(v, str) for v in table.to_numpy().ravel())
    rows = {(r.role, r.target): r for r in table.itertuples()}
    reps = rows[("field", "Reps")]
    assert (reps.plan, reps.P10, reps.P50, reps.P90) == ("5", "5", "5", "5")  # held
    revenue = rows[("field", "Revenue a month")]
    assert revenue.plan == "$255,500" and revenue.P10.startswith("$") and "," in revenue.P90
    assert rows[("field", "Deals a conversation")].P50.endswith(" %")
    assert rows[("field", "Calls a rep an hour")].unit == "conversations a rep an hour"
    # several months: one month at a time
    months = odds_view.months(regional.risk)
    feb = odds_view.targets_table(regional.risk, months[1])
    assert len(feb) == (regional.risk.targets["period"] == months[1]).sum()
    assert "key accounts" in set(feb["role"])


def test_the_hint_is_a_section_the_scenario_accepts(seed):
    data = seed.model_dump()
    data.pop("uncertainty")
    plain = validate(data, "plain")
    assert plain.uncertainty is None and not odds_view.has_ranges(plain)
    import yaml

    data["uncertainty"] = yaml.safe_load(odds_view.hint(plain))["uncertainty"]
    ranged = validate(data, "hinted")
    assert ranged.uncertainty.inputs["sales.conversation_tiers[4].conversion_rate"].normal
    assert odds_view.compute(ranged, 20).risk.draws == 20


# ---- the workbook -----------------------------------------------------------------------------


def test_the_odds_sheet(seed, odds):
    plan = solve(seed, marginals=False, whole_steps=False)
    assert "Odds" not in openpyxl.load_workbook(io.BytesIO(plan_workbook(plan, seed))).sheetnames
    book = openpyxl.load_workbook(io.BytesIO(plan_workbook(plan, seed, odds=odds)))
    assert book.sheetnames[-1] == "Odds"
    sheet = book["Odds"]
    r = odds.risk
    assert sheet["A1"].value == f"How likely the plan is: {seed.name} (400 draws, seed 2027)"
    column = [c.value for c in sheet["A"]]
    for line in sentences(r, r.plan_variables):
        assert line in column
    cells = {
        c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)
    }  # header and label cells by their text
    goal = cells["Profit goal, Jan 2027"]
    header = [c.value for c in sheet[goal.row - 1] if c.value is not None]
    assert header == ["goal", "amount", "probability", "give or take", "identifier"]
    values = [c.value for c in sheet[goal.row]][:5]
    p = float(r.goals["probability"].iloc[0])
    assert values[:3] == [goal.value, GOAL, pytest.approx(p)]
    assert values[3] == pytest.approx(np.sqrt(p * (1 - p) / DRAWS))
    assert values[4] == "finance-profit_goal[2027-01]"
    assert sheet.cell(goal.row, 2).number_format == MONEY
    assert sheet.cell(goal.row, 3).number_format == PERCENT
    # profit and cash by month, then the whole plan
    money = [
        [c.value for c in row[:8]]
        for row in sheet.iter_rows()
        if str(row[7].value).startswith(("profit[", "cash["))
    ]
    assert [m[0] for m in money] == ["Profit", "Cash in the bank", "Profit"]
    assert [m[1] for m in money] == ["Jan 2027", "Jan 2027", "whole plan"]
    horizon = r.money.iloc[-1]
    assert money[-1][2:7] == pytest.approx(
        [horizon.p10, horizon.p50, horizon.p90, horizon["mean"], horizon.plan]
    )
    # the tornado: the input's tenths in its own format (a rate as a percentage)
    driver = cells["Conversion of 45-minute conversations"]
    row = [c for c in sheet[driver.row]]
    assert row[1].number_format == PERCENT and row[2].number_format == MONEY
    assert row[8].value == "sales.conversation_tiers[4].conversion_rate"
    assert row[2].value == pytest.approx(r.tornado["profit_low"].iloc[0])
    # the targets: labels, months, raw numbers in money formats, the metric at the right
    reps = next(row for row in sheet.iter_rows() if row[2].value == "Revenue a month")
    assert [c.value for c in reps[:4]] == ["Sales", "field", "Revenue a month", "Jan 2027"]
    assert reps[4].value == pytest.approx(255_500) and reps[4].number_format == MONEY
    assert reps[9].value == "revenue_per_month"


# ---- the page -----------------------------------------------------------------------------------


def _open(section: str = "Odds", at: AppTest | None = None) -> AppTest:
    at = at or AppTest.from_file(APP, default_timeout=120)
    at.session_state["section"] = section
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown).replace(r"\$", "$")


@pytest.fixture
def clean_cache():
    import streamlit as st

    st.cache_data.clear()
    yield
    st.cache_data.clear()


def test_the_odds_tab_on_request(seed, clean_cache, media):
    expected = risk(seed, draws=300)
    at = _open()
    assert "How likely is the plan?" in [s.value for s in at.subheader]
    assert at.number_input(key="odds_draws").value == 10_000  # the file's
    assert at.number_input(key="odds_seed").value == 2027
    assert not at.get("plotly_chart") and not [m for m in at.metric if "goal," in m.label]
    at.number_input(key="odds_draws").set_value(300)
    at.button(key="odds_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    (card,) = [m for m in at.metric if m.label.startswith("Profit goal")]
    p = float(expected.goals["probability"].iloc[0])
    assert card.value == odds_words(p) and card.label == r"Profit goal, Jan 2027: \$25,000"
    assert card.delta == f"± {100 * np.sqrt(p * (1 - p) / 300):.1f} percentage points"
    charts = {c.proto.id.split("-")[-1]: c for c in at.get("plotly_chart")}
    assert len(charts) == 2
    traces = [json.loads(c.proto.spec)["data"] for c in at.get("plotly_chart")]
    assert traces[0][0]["type"] == "bar" and "orientation" not in traces[0][0]  # the histogram
    assert [t.get("orientation") for t in traces[1]] == ["h", "h"]  # the tornado
    text = _markdown(at)
    assert "of the draws earn the goal of $25,000 or more" in text
    assert f"- Profit goal, Jan 2027 ($25,000): met in {odds_words(p)} of 300 draws" in text
    assert "**Conversion of 45-minute conversations moves profit most: $" in text
    table = next(d.value for d in at.dataframe if list(d.value.columns) == odds_view.TARGET_COLUMNS)
    assert all(isinstance(v, str) for v in table.to_numpy().ravel())
    assert "$255,500" in set(table["plan"])
    # another number of draws is another answer: asked again, not shown stale
    at.number_input(key="odds_draws").set_value(200).run()
    assert not [m for m in at.metric if m.label.startswith("Profit goal")]
    at.number_input(key="odds_draws").set_value(300).run()  # the one asked: cached, shown
    assert [m for m in at.metric if m.label.startswith("Profit goal")]
    # the workbook gains the sheet
    at = _open("Downloads", at)
    book = openpyxl.load_workbook(io.BytesIO(media(at.download_button(key="download_xlsx"))))
    assert "Odds" in book.sheetnames
    assert book["Odds"]["A1"].value.endswith("(300 draws, seed 2027)")


def test_without_ranges_the_tab_shows_the_yaml_to_add(seed, tmp_path, monkeypatch, clean_cache):
    from optimizer.app.scenario_files import to_yaml

    data = seed.model_dump()
    data.pop("uncertainty")
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "plain.yaml").write_text(to_yaml(validate(data, "plain")))
    monkeypatch.setenv("KPI_OPTIMIZER_SCENARIOS", str(folder))
    at = _open()
    (code,) = at.code
    assert code.value == odds_view.hint(seed).rstrip() and code.language == "yaml"
    assert "add to its file" in "\n".join(c.value for c in at.caption)
    assert not [b for b in at.button if b.key == "odds_run"]


# ---- the plan chosen for its odds --------------------------------------------------------------
# The least-cost seed (1 marketer, 4 reps, 3 workers) reaches $25,000 only when the 45-minute
# conversion is 10 % or more, about half the draws; the people chosen for their odds (2, 5, 4)
# reach it for 9.385 % or more: Phi(0.6154) = 73.08 % (tests/test_risk_odds.py, by hand).
CHOOSING, FRESH = 30, 300


@pytest.fixture(scope="module")
def least_cost():
    from optimizer.scenario.variants import load_variant

    return load_variant(str(SEED), "least_cost")[0]


@pytest.fixture(scope="module")
def chosen(least_cost):
    return odds_view.compute_choice(least_cost, "probability", CHOOSING, FRESH)


@pytest.fixture(scope="module")
def least_odds(least_cost):
    return odds_view.compute(least_cost, FRESH)


def test_the_choice_is_the_commands(least_cost, chosen):
    """The page's choice is ``choose``'s for the scenario's own plan, the odds' seed first."""
    from optimizer.analysis.risk.odds import choose

    plan = solve(least_cost, marginals=False, whole_steps=False)
    direct = choose(least_cost, plan, objective="probability", draws=CHOOSING, fresh=FRESH)
    assert (chosen.choosing_seed, chosen.fresh_seed) == (2027, 2028)
    assert chosen.single == direct.single and chosen.chosen == direct.chosen
    assert chosen.changed == {
        "marketers[2027-01]": (1.0, 2.0), "reps[2027-01,field]": (4.0, 5.0),
        "workers[2027-01]": (3.0, 4.0),
    }  # fmt: skip
    # within three standard errors of the closed forms: 73.08 %, and about a half
    assert abs(chosen.chosen.probability - 0.7308) < 3 * chosen.chosen.error
    assert abs(chosen.single.probability - 0.55) < 0.1


def test_the_choice_side_by_side(chosen, least_odds):
    variables = least_odds.risk.plan_variables
    table = odds_view.choice_table(chosen, variables)
    assert list(table.columns) == odds_view.CHOICE_COLUMNS
    assert all(isinstance(v, str) for v in table.to_numpy().ravel())
    rows = {m: (a, b) for m, a, b in table.itertuples(index=False)}
    assert rows["Reps, field team, Jan 2027"] == ("4", "5")
    assert rows["Marketers, Jan 2027"] == ("1", "2")
    assert rows["Delivery workers, Jan 2027"] == ("3", "4")
    s, c = chosen.single, chosen.chosen
    assert rows["Every goal met (fresh draws)"] == (
        f"{odds_words(s.probability)} ± {100 * np.sqrt(s.probability * (1 - s.probability) / FRESH):.1f} pp",
        f"{odds_words(c.probability)} ± {100 * np.sqrt(c.probability * (1 - c.probability) / FRESH):.1f} pp",
    )  # fmt: skip
    assert rows["Every goal met (fresh draws)"] == ("54.3 % ± 2.9 pp", "72.7 % ± 2.6 pp")
    assert rows["Mean profit (fresh draws)"] == ("$25,187", "$34,449")
    assert rows["Draws without a plan"] == ("0", "0")
    # the people the choice moves are the rows marked, and only they
    assert odds_view.choice_changed(chosen) == [True] * 3 + [False] * 4
    assert odds_view.choice_takeaway(chosen) == (
        "Choosing for the odds: 54.3 % → 72.7 % of 300 fresh draws meet every goal, at "
        "$34,449 mean profit (the single-number plan's: $25,187)."
    )
    assert odds_view.choice_takeaway(chosen, goals=False) == (
        "Choosing for the odds: $25,187 → $34,449 mean profit over 300 fresh draws."
    )


def test_the_choice_figure_has_each_plans_odds_and_error(chosen):
    fresh, fitting = odds_view.choice_figure(chosen).data
    assert list(fresh.x) == ["single-number plan", "chosen for its odds"]
    assert list(fresh.y) == [chosen.single.probability, chosen.chosen.probability]
    assert list(fresh.error_y.array) == pytest.approx(
        [np.sqrt(p * (1 - p) / FRESH) for p in fresh.y]
    )
    # on the draws that chose, the choice looks at least as good as on fresh ones
    assert list(fitting.y) == [chosen.single_fit.probability, chosen.chosen_fit.probability]
    assert chosen.chosen_fit.probability >= chosen.single_fit.probability


def test_an_unchanged_choice_says_so(chosen):
    same = dataclasses.replace(chosen, chosen=chosen.single, chosen_fit=chosen.single_fit)
    assert same.changed == {}
    assert odds_view.choice_changed(same) == [False] * 4
    assert odds_view.choice_takeaway(same) == (
        "Choosing for the odds keeps the single-number plan's people: every goal met in "
        "54.3 % of 300 fresh draws."
    )
    assert len(odds_view.choice_table(same)) == 4


def test_the_choice_block_of_the_odds_sheet(least_cost, least_odds, chosen):
    from optimizer.app.workbook import BINDING_FILL, PERCENT_HUNDREDTHS
    from optimizer.report.risk import choice_sentences

    plan = solve(least_cost, marginals=False, whole_steps=False)
    without = openpyxl.load_workbook(io.BytesIO(plan_workbook(plan, least_cost, odds=least_odds)))
    assert "Chosen for its odds" not in [c.value for c in without["Odds"]["A"]]
    book = openpyxl.load_workbook(
        io.BytesIO(plan_workbook(plan, least_cost, odds=least_odds, chosen=chosen))
    )
    sheet = book["Odds"]
    column = [c.value for c in sheet["A"]]
    title = column.index("Chosen for its odds")
    lines = choice_sentences(chosen, least_odds.risk.plan_variables)
    assert column[title + 1 : title + 1 + len(lines)] == lines
    assert (
        column.index("The goals") < title < column.index("Profit and cash by month: P10, P50, P90")
    )  # after the goals it is about
    rows = {
        r[0].value: r for r in sheet.iter_rows(min_row=title + 1) if isinstance(r[0].value, str)
    }
    header = [c.value for c in sheet[title + len(lines) + 3] if c.value is not None]
    assert header == [*odds_view.CHOICE_COLUMNS, "identifier"]
    reps = rows["Reps, field team, Jan 2027"]
    assert [c.value for c in reps[:4]] == [
        "Reps, field team, Jan 2027", 4, 5, "reps[2027-01,field]"
    ]  # fmt: skip
    assert reps[1].number_format == "#,##0" and reps[1].fill.fgColor.rgb == BINDING_FILL.fgColor.rgb
    odds_row = rows["Every goal met (300 fresh draws)"]
    assert [c.value for c in odds_row[1:4]] == [
        pytest.approx(chosen.single.probability), pytest.approx(chosen.chosen.probability),
        "probability_all_goals",
    ]  # fmt: skip
    assert odds_row[1].number_format == PERCENT and odds_row[1].fill.fgColor.rgb != (
        BINDING_FILL.fgColor.rgb
    )  # fmt: skip
    error = rows["Give or take (one standard error)"]
    assert error[2].value == pytest.approx(chosen.chosen.error)
    assert error[2].number_format == PERCENT_HUNDREDTHS
    profit = rows["Mean profit (300 fresh draws)"]
    assert profit[1].value == pytest.approx(chosen.single.mean_profit)
    assert profit[2].number_format == MONEY
    fit = rows["Every goal met (30 choosing draws)"]
    assert fit[2].value == pytest.approx(chosen.chosen_fit.probability)


def _least_cost_folder(seed, tmp_path, monkeypatch) -> None:
    """A scenarios folder holding the seed at least cost (its ``least_cost`` variant)."""
    from optimizer.app.scenario_files import to_yaml

    data = seed.model_dump()
    data["objective"] = "min_cost"
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "least.yaml").write_text(to_yaml(validate(data, "least")))
    monkeypatch.setenv("KPI_OPTIMIZER_SCENARIOS", str(folder))


def test_choosing_people_for_their_odds_on_the_page(
    seed, chosen, least_odds, tmp_path, monkeypatch, clean_cache, media
):
    _least_cost_folder(seed, tmp_path, monkeypatch)
    at = _open()
    assert not [b for b in at.button if b.key == "odds_choice_run"]  # after the odds only
    at.number_input(key="odds_draws").set_value(FRESH)
    at.button(key="odds_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Choose people for their odds" in [s.value for s in at.subheader]
    assert at.number_input(key="odds_choice_draws").value == odds_view.CHOOSING_DRAWS
    assert at.number_input(key="odds_choice_fresh").value == FRESH  # the odds' draws
    assert at.selectbox(key="odds_choice_objective").value == "probability"
    assert not [d for d in at.dataframe if list(d.value.columns) == odds_view.CHOICE_COLUMNS]
    at.number_input(key="odds_choice_draws").set_value(CHOOSING)
    at.button(key="odds_choice_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    text = _markdown(at)
    assert f"**{odds_view.choice_takeaway(chosen)}**" in text
    assert "**Choosing for the odds: 54.3 % → 72.7 % of 300 fresh draws meet every goal" in text
    assert "- It changes: Marketers, Jan 2027 1 → 2; Reps, field team, Jan 2027 4 → 5;" in text
    (table,) = [d.value for d in at.dataframe if list(d.value.columns) == odds_view.CHOICE_COLUMNS]
    pd.testing.assert_frame_equal(
        table.reset_index(drop=True), odds_view.choice_table(chosen, least_odds.risk.plan_variables)
    )
    spec = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    dots = next(s["data"] for s in spec if s["data"][0].get("error_y"))
    assert dots[0]["y"] == pytest.approx([chosen.single.probability, chosen.chosen.probability])
    # another objective is another answer: asked again, not shown stale
    at.selectbox(key="odds_choice_objective").set_value("expected_profit").run()
    assert not [d for d in at.dataframe if list(d.value.columns) == odds_view.CHOICE_COLUMNS]
    at.selectbox(key="odds_choice_objective").set_value("probability").run()  # cached, shown
    assert [d for d in at.dataframe if list(d.value.columns) == odds_view.CHOICE_COLUMNS]
    # the workbook's Odds sheet gains the block
    at = _open("Downloads", at)
    book = openpyxl.load_workbook(io.BytesIO(media(at.download_button(key="download_xlsx"))))
    column = [c.value for c in book["Odds"]["A"]]
    assert "Chosen for its odds" in column and "Reps, field team, Jan 2027" in column
