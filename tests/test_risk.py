"""The odds of a plan (``optimizer.analysis.risk``), checked against hand calculations.

The seed company, by hand. Five reps have 5 x 20 days x (8 - 2.5) h x 60 = 33,000 selling
minutes; a conversation takes its length plus 1 admin minute. The $40,000 ad budget buys
400 search leads at $40, 500 social at $30 and 9,000 / 55 = 163.64 social at $55; with 300
organic leads that is 1,363.64 leads, 55 % qualified: 750. Both bind, so the plan holds
c30 + c45 = 750 and 31 c30 + 46 c45 = 33,000: c45 = 650 and c30 = 100, 73 deals at the
45-minute rate p = 10 %, and a deal's margin is $3,500 - $900 = $2,600. Profit:

    profit(p) = 35,400 + 650 x 2,600 x (p - 0.10)

The recourse (conversation lengths and leads re-solved with the people held) keeps this mix
for every p from 8 % up to 10.01 %. In it a selling minute is worth s = (2,600 p - 208) / 15
and a qualified lead L = 208 - 31 s; the mix stays the best while 0 <= s and L >= $100, the
price of a qualified lead from the marginal $55 social tier (55 / 0.55). L = $100 at
p1 = 0.100099. So below the mean the recourse changes nothing and the goal's closed form is
the line's: profit >= $25,000 when p >= p* = 0.10 - 10,400 / 1,690,000 = 9.3846 %, and

    P(meet $25,000) = 1 - Phi((p* - 0.10) / 0.01) = Phi(0.6154) = 73.08 %.

Above p1 the recourse drops the 30-minute calls and buys fewer leads: 33,000 / 46 = 717.39
conversations of 45 minutes from 1,304.35 leads; ad spend $36,739.13 and

    profit(p) = 717.39 x 2,600 x p - 74,400 - 40,000 - 36,739.13   (up to 80 deals)

so the upper tail is fatter than the line's: profit >= $50,000 needs p >= 10.7837 % with the
recourse, 10.8639 % without (leads held, ``hold: [people, ads]``): 21.66 % against 19.38 %.
"""

from __future__ import annotations

import json
from statistics import NormalDist

import numpy as np
import pytest
from typer.testing import CliRunner

from optimizer.analysis.risk import draw, held_plan, risk
from optimizer.analysis.solve import solve
from optimizer.cli import app
from optimizer.scenario.inputs import with_values
from optimizer.scenario.loading import ScenarioError, load_scenario, validate

SEED = "scenarios/seed_company.yaml"
RATE = "sales.conversation_tiers[4].conversion_rate"
PHI = NormalDist().cdf


def _with_uncertainty(scenario, uncertainty: dict):
    data = scenario.model_dump()
    data["uncertainty"] = uncertainty
    return validate(data, "test")


@pytest.fixture(scope="module")
def seed():
    return load_scenario(SEED)


@pytest.fixture(scope="module")
def seed_plan(seed):
    return solve(seed, marginals=False, whole_steps=False)


def _closed_form_line():
    minutes = 5 * 20 * (8 - 2.5) * 60
    leads = 300 + 400 + 500 + (40_000 - 400 * 40 - 500 * 30) / 55
    qualified = 0.55 * leads
    c45 = (minutes - 31 * qualified) / 15
    margin = 3_500 - 900
    return minutes, qualified, c45, margin


def test_the_hand_calculation_is_the_plan(seed_plan):
    minutes, qualified, c45, margin = _closed_form_line()
    assert minutes == 33_000 and qualified == pytest.approx(750) and c45 == pytest.approx(650)
    x = dict(zip(seed_plan.variables["name"], seed_plan.variables["value"]))
    assert x["conversations[2027-01,field,45min]"] == pytest.approx(650)
    assert x["conversations[2027-01,field,30min]"] == pytest.approx(100)
    assert seed_plan.objective == pytest.approx(35_400)


@pytest.mark.slow
def test_seed_odds_of_the_goal_match_the_closed_form(seed, seed_plan):
    """Done-when of issue 19: 45-minute conversion ~ N(10 %, 1 pp), people held, 10,000
    draws: P(profit >= $25,000) within 1 percentage point of the closed form."""
    _, _, c45, margin = _closed_form_line()
    p_star = 0.10 - (35_400 - 25_000) / (c45 * margin)
    assert p_star == pytest.approx(0.0938462, abs=1e-7)
    closed = 1 - PHI((p_star - 0.10) / 0.01)
    assert closed == pytest.approx(0.7308, abs=1e-4)
    found = risk(seed, draws=10_000)
    assert found.draws == 10_000 and found.no_plan == 0
    assert abs(found.all_goals - closed) < 0.01
    assert found.goals["probability"].iloc[0] == found.all_goals
    assert found.goals["goal"].iloc[0] == pytest.approx(25_000)
    # the draws' own rate: the estimate is the sample's share above p*, exactly
    rates = draw(seed, 10_000).values[:, 0]
    assert found.all_goals == pytest.approx(np.mean(rates >= p_star - 1e-9), abs=1e-4)
    # the median profit is the line's at the median rate (the recourse changes nothing there)
    median = found.money.query("measure == 'profit' and period == '2027-01'").iloc[0]
    assert median.p50 == pytest.approx(35_400 + c45 * margin * (np.median(rates) - 0.10), rel=1e-6)
    assert median.plan == pytest.approx(35_400)


def _upper_tail(seed, hold):
    scenario = _with_uncertainty(
        seed,
        {"draws": 10_000, "seed": 11, "hold": hold,
         "inputs": {RATE: {"normal": {"mean": 0.10, "spread": 0.01}}}},
    )  # fmt: skip
    plan = solve(scenario, marginals=False, whole_steps=False)
    recourse = held_plan(scenario, plan)
    drawn = draw(scenario)
    return recourse.run(drawn, sample=5), drawn.values[:, 0]


@pytest.mark.slow
def test_the_recourse_fattens_the_upper_tail_as_calculated(seed):
    """Above p1 = 10.01 % the recourse buys fewer leads for all-45-minute days; with the ads
    held it cannot, and profit follows the plan's line (module docstring)."""
    _, _, c45, margin = _closed_form_line()
    spend = 400 * 40 + 500 * 30 + (33_000 / 46 / 0.55 - 300 - 900) * 55
    assert spend == pytest.approx(36_739.13, abs=0.01)
    p_recourse = (50_000 + 74_400 + 40_000 + spend) / (33_000 / 46 * margin)
    p_line = 0.10 + (50_000 - 35_400) / (c45 * margin)
    assert p_recourse == pytest.approx(0.107837, abs=1e-6)
    assert p_line == pytest.approx(0.108639, abs=1e-6)
    free, rates = _upper_tail(seed, ["people"])
    held, rates_held = _upper_tail(seed, ["people", "ads"])
    assert np.array_equal(rates, rates_held)  # the same draws
    assert np.mean(free.profit[:, 0] >= 50_000) == pytest.approx(
        np.mean(rates >= p_recourse), abs=2e-4
    )
    assert np.mean(held.profit[:, 0] >= 50_000) == pytest.approx(np.mean(rates >= p_line), abs=2e-4)
    assert abs(np.mean(free.profit[:, 0] >= 50_000) - (1 - PHI((p_recourse - 0.1) / 0.01))) < 0.01
    assert abs(np.mean(held.profit[:, 0] >= 50_000) - (1 - PHI((p_line - 0.1) / 0.01))) < 0.01
    # below the mean the two agree: the recourse keeps the mix there
    low = rates < 0.10
    assert np.allclose(free.profit[low, 0], held.profit[low, 0], rtol=1e-9, atol=1e-6)
    # the held leads stay at the plan's in every draw
    assert "paid_leads[2027-01,social:2]" in held.held and len(free.held) == 4


def test_one_draw_is_the_hand_line(seed, seed_plan):
    """A few draws re-solved: profit on the hand line below p1, the upper line above."""
    scenario = _with_uncertainty(
        seed, {"draws": 3, "inputs": {RATE: {"uniform": {"low": 0.085, "high": 0.105}}}}
    )
    recourse = held_plan(scenario, seed_plan)
    drawn = draw(scenario)
    drawn.values[:, 0] = [0.09, 0.095, 0.104]  # chosen, not drawn
    out = recourse.run(drawn, sample=3)
    assert out.profit[0, 0] == pytest.approx(35_400 - 1_690_000 * 0.01)
    assert out.profit[1, 0] == pytest.approx(35_400 - 1_690_000 * 0.005)
    assert out.profit[2, 0] == pytest.approx(33_000 / 46 * 2_600 * 0.104 - 151_139.13, abs=0.01)
    assert list(out.all_met) == [False, True, True]
    assert out.checked == 3 and out.worst < 1e-9


def test_draws_are_reproducible_and_seeded(seed):
    a, b, c = draw(seed, 500), draw(seed, 500), draw(seed, 500, seed=3)
    assert np.array_equal(a.values, b.values)
    assert not np.array_equal(a.values, c.values)
    assert a.paths == [RATE] and a.base[0] == 0.10


def test_factors_correlate_inputs_as_stated(seed):
    scenario = _with_uncertainty(
        seed,
        {
            "draws": 40_000,
            "factors": {"market": "Demand"},
            "inputs": {
                "marketing.market_size_leads_per_month": {
                    "normal": {"spread": 300}, "factors": {"market": 0.8}},
                "marketing.organic_leads_per_month": {
                    "normal": {"spread": 30}, "factors": {"market": 0.6}},
                "sales.teams[field].average_deal_value": {"normal": {"spread": 100}},
            },
        },
    )  # fmt: skip
    d = draw(scenario)
    corr = np.corrcoef(d.values.T)
    assert corr[0, 1] == pytest.approx(0.8 * 0.6, abs=0.015)
    assert corr[0, 2] == pytest.approx(0.0, abs=0.015)
    assert d.values[:, 0].mean() == pytest.approx(6_000, abs=5)
    assert d.values[:, 0].std() == pytest.approx(300, rel=0.02)


def test_triangular_and_uniform_quantiles(seed):
    scenario = _with_uncertainty(
        seed,
        {
            "draws": 40_000,
            "inputs": {
                "marketing.market_size_leads_per_month": {
                    "triangular": {"low": 5000, "high": 6500}
                },
                "marketing.organic_leads_per_month": {"uniform": {"low": 200, "high": 400}},
            },
        },
    )
    d = draw(scenario)
    tri, uni = d.values[:, 0], d.values[:, 1]
    assert tri.min() >= 5000 and tri.max() <= 6500
    assert tri.mean() == pytest.approx((5000 + 6000 + 6500) / 3, abs=8)  # mode: the value
    assert np.mean(tri <= 6000) == pytest.approx((6000 - 5000) / 1500, abs=0.01)  # F(mode)
    assert uni.mean() == pytest.approx(300, abs=1.5) and np.mean(uni <= 250) == pytest.approx(
        0.25, abs=0.01
    )


def test_draws_outside_the_schema_are_clipped_and_counted(seed):
    scenario = _with_uncertainty(
        seed, {"draws": 2_000, "inputs": {RATE: {"normal": {"mean": 0.02, "spread": 0.02}}}}
    )
    d = draw(scenario)
    assert d.values.min() == 0.0
    assert d.clipped[0] == int(np.sum(d.values[:, 0] == 0.0)) > 200  # about 16 %


def test_line_sums_equal_models_built_from_the_moved_scenario():
    """The regional draws move four inputs at once along their lines; each draw's model
    equals the model built from the moved scenario (held), number for number."""
    scenario = load_scenario("scenarios/regional_sales.yaml")
    plan = solve(scenario, marginals=False, whole_steps=False)
    recourse = held_plan(scenario, plan)
    drawn = draw(scenario, 12)
    assert recourse.prepare(drawn)
    routes = []
    for d in range(drawn.count):
        a, route = recourse.arrays(drawn, d, True)
        routes.append(route)
        built = recourse._holding(recourse.patterns.arrays_at(drawn.changes(d)))
        for name in ("c", "lb", "ub", "rhs", "vals", "row_lower", "row_upper"):
            assert np.allclose(getattr(a, name), getattr(built, name), rtol=1e-12, atol=1e-9), name
    # beyond a line's verified span (the market's lines hold from -10 % to +1 %) a draw is built
    assert "line" in routes and "built" in routes


def test_monthly_means_draw_each_month():
    scenario = load_scenario("scenarios/growth_plan.yaml")
    months = scenario.calendar.month_labels()
    means = [100.0 + 10 * i for i in range(len(months))]
    moved = _with_uncertainty(
        scenario,
        {"draws": 4000, "inputs": {"marketing.organic_leads_per_month": {
            "normal": {"mean": means, "spread": 5}}}},
    )  # fmt: skip
    d = draw(moved)
    assert d.paths == [f"marketing.organic_leads_per_month[{m}]" for m in months]
    assert np.allclose(d.values.mean(axis=0), means, atol=0.4)
    assert abs(np.corrcoef(d.values[:, 0], d.values[:, 1])[0, 1]) < 0.05  # months drawn apart
    # and a draw is a scenario the schema accepts, month by month
    assert with_values(scenario, d.changes(0)).marketing.organic_leads_per_month[
        1
    ] == pytest.approx(d.values[0, 1])


@pytest.mark.parametrize(
    ("uncertainty", "where", "expected"),
    [
        ({"inputs": {"sales.nope": {"normal": {"spread": 1}}}}, "sales.nope",
         "the path of a numeric input"),
        ({"inputs": {RATE: {"normal": {"spread": 0.01}, "factors": {"m": 0.5}}}}, "factors",
         "a declared factor"),
        ({"factors": {"m": "x"}, "inputs": {RATE: {"normal": {"spread": 0.01},
          "factors": {"m": 0.9}, }}, "draws": 0}, "uncertainty.draws", "a number >= 1"),
        ({"factors": {"a": "", "b": ""}, "inputs": {RATE: {"normal": {"spread": 0.01},
          "factors": {"a": 0.8, "b": 0.8}}}}, RATE, "add up to at most 1"),
        ({"inputs": {RATE: {"uniform": {"low": 0.2, "high": 0.1}}}}, "uniform", "low < high"),
        ({"inputs": {RATE: {"normal": {"spread": 0.01}, "uniform": {"low": 0, "high": 1}}}},
         RATE, "exactly one distribution"),
        ({"inputs": {RATE: {"uniform": {"low": 0.5, "high": 1.5}}}}, "high",
         "a value from 0 to 1"),
        ({"inputs": {RATE: {"normal": {"spread": 0.01}}}, "hold": ["hires"]}, "hold", "people"),
        ({"inputs": {"current_targets.leads_per_month": {"normal": {"spread": 1}}}},
         "current_targets", "not one of today's targets"),
    ],
)  # fmt: skip
def test_bad_ranges_are_refused_at_their_path(seed, uncertainty, where, expected):
    with pytest.raises(ScenarioError) as caught:
        _with_uncertainty(seed, uncertainty)
    text = str(caught.value)
    assert "uncertainty" in text and where in text and expected in text, text


def test_risk_command_json_and_words(tmp_path):
    runner = CliRunner()
    found = runner.invoke(app, ["risk", SEED, "--draws", "400", "-f", "json"])
    assert found.exit_code == 0, found.output
    data = json.loads(found.stdout)
    assert data["draws"] == 400 and data["seed"] == 2027
    assert data["held"]["reps[2027-01,field]"] == 5
    assert 0.6 < data["probability_all_goals"] < 0.85
    assert data["goals"][0]["name"] == "finance-profit_goal[2027-01]"
    assert data["verified"]["checked_against_scenario"] == 200
    words = runner.invoke(app, ["risk", SEED, "--draws", "400"])
    assert words.exit_code == 0
    assert "Profit goal, Jan 2027 ($25,000): met in" in words.stdout
    assert "of 400 draws" in words.stdout and "P10" in words.stdout


def test_risk_without_ranges_is_a_clear_error(tmp_path):
    import yaml

    data = yaml.safe_load(open(SEED, encoding="utf-8"))
    data.pop("uncertainty")
    path = tmp_path / "certain.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    found = CliRunner().invoke(app, ["risk", str(path)])
    assert found.exit_code == 2
    assert "no uncertainty: section" in found.output and "Traceback" not in found.output


def test_a_draw_the_schema_refuses_stops_the_run_with_its_rule(seed, seed_plan):
    """Organic leads drawn above the market size break a rule across sections: the run
    stops and says which draw and which rule, rather than solve an impossible company."""
    scenario = _with_uncertainty(
        seed,
        {"draws": 50, "inputs": {"marketing.organic_leads_per_month": {
            "uniform": {"low": 100, "high": 9000}}}},
    )  # fmt: skip
    with pytest.raises(ValueError, match=r"draws are scenarios the schema refuses .*draw \d+"):
        held_plan(scenario, seed_plan).run(draw(scenario), sample=2)


def test_a_what_if_may_move_an_input_beyond_its_range(seed):
    """The ranges describe the inputs, they do not bind them: moving the 45-minute rate
    beyond its triangular range is still a scenario, and its mode is the range's nearer end."""
    scenario = _with_uncertainty(
        seed, {"draws": 4000, "inputs": {RATE: {"triangular": {"low": 0.08, "high": 0.12}}}}
    )
    moved = with_values(scenario, {RATE: 0.2})
    d = draw(moved)
    assert d.values.max() <= 0.12 and d.values.mean() == pytest.approx(
        (0.08 + 0.12 + 0.12) / 3, abs=2e-3
    )


def test_the_tornado_tells_a_shared_factor_from_an_effect_of_its_own(seed, seed_plan):
    """Tickets a customer move with the 45-minute rate through one factor (scores correlated
    0.8 x 0.8 = 0.64) but change nothing in the seed's profit (2 agents answer 269 tickets
    with room to spare): their tenths' mean profits differ (the factor), their own effect is
    not clear (the slope with the rate held), and the rate's effect is near the profit
    line's slope, 1,690,000 per unit, times its P10-P90 width."""
    scenario = _with_uncertainty(
        seed,
        {
            "draws": 3000,
            "seed": 4,
            "factors": {"f": "shared"},
            "inputs": {
                RATE: {"normal": {"spread": 0.01}, "factors": {"f": 0.8}},
                "support.tickets_per_customer_per_month": {
                    "normal": {"spread": 0.02}, "factors": {"f": 0.8}},
            },
        },
    )  # fmt: skip
    found = risk(scenario, plan=seed_plan)
    rows = found.tornado.set_index("path")
    tickets, rate = rows.loc["support.tickets_per_customer_per_month"], rows.loc[RATE]
    assert tickets.profit_high - tickets.profit_low > 15_000  # the factor shows in the tenths
    assert not tickets.clear and abs(tickets.effect) < 1_000
    assert rate.clear and rate.share > 0.95
    width = float(np.diff(np.percentile(draw(scenario).values[:, 0], [10, 90]))[0])
    # the line through a kinked profit: 1,690,000 a unit on most of the draws, 1,865,217
    # above 10.01 %, flat past the 80-deal delivery cap (11.15 %): a slope between
    assert 0.85 * 1_690_000 * width < rate.effect < 1_865_218 * width
    assert list(found.tornado["path"])[0] == RATE


def test_draws_without_a_plan_say_which_limit_gives(seed, seed_plan):
    """Two held agents answer 2 x 20 days x 8 h x 60 x (1 - 0.3) x 0.85 = 11,424 minutes of
    tickets a month. At 0.7 tickets a customer or more, the 600 customers and the plan's
    new ones bring at least 673 x 0.7 x 30 = 14,133 minutes: no draw has a plan, and the
    limit that gives is the support desk's capacity, in every draw examined."""
    scenario = _with_uncertainty(
        seed,
        {"draws": 30, "inputs": {"support.tickets_per_customer_per_month": {
            "uniform": {"low": 0.7, "high": 0.8}}}},
    )  # fmt: skip
    found = risk(scenario, plan=seed_plan)
    assert found.no_plan == 30 and found.all_goals == 0.0
    assert list(found.giving["name"]) == ["support-capacity[2027-01]"]
    assert int(found.giving["draws"].iloc[0]) == 20 == int(found.giving["examined"].iloc[0])
    from optimizer.report.risk import payload, sentences

    words = " ".join(sentences(found, found.plan_variables))
    assert "In 30 draws (100 %) the held people cannot keep every limit" in words
    assert "The limits that give, in the first 20 of them: " in words
    assert "No draw has a plan, so profit has no spread to show." in words
    assert payload(found)["limits_without_plan"][0]["draws"] == 20


def test_ranges_are_checked_once_the_company_is_sound(seed):
    """A monthly list longer than the horizon is the problem reported; the ranges (whose
    inputs are listed month by month) are not checked against the broken company."""
    data = seed.model_dump()
    data["marketing"]["channels"][1]["tiers"][0]["leads_per_month"] = [1, 2]
    with pytest.raises(ScenarioError) as caught:
        validate(data, "broken")
    assert "leads_per_month" in str(caught.value) and "uncertainty" not in str(caught.value)


def test_a_draw_whose_plan_breaks_a_row_is_no_plan_not_a_crash(seed, seed_plan, monkeypatch):
    """The solver's word is not taken: with a check no plan can pass, every draw is counted
    as failing it (no plan, no goal met), and the run still answers."""
    import optimizer.analysis.risk.recourse as recourse_module

    monkeypatch.setattr(recourse_module, "VERIFY_TOL", -1.0)
    scenario = _with_uncertainty(seed, {"draws": 5, "inputs": {RATE: {"normal": {"spread": 0.01}}}})
    found = risk(scenario, plan=seed_plan)
    assert found.verified["failed_check"] == 5 and found.no_plan == 0 and found.all_goals == 0
    from optimizer.report.risk import sentences

    assert "5 draws' plans broke a row and count as no plan." in " ".join(sentences(found))
