"""Seasons: a monthly input may be one number or a list of one value per month.

Each case is small enough to check on paper. The company below has one rep (held at one),
60-minute conversations that close 10 % at $1,000 a deal, one unlimited lead source at $10
a lead, every lead qualified, and no bills or pay. A conversation is worth 0.1 x $1,000 =
$100 for a $10 lead, so the plan talks as much as it can: one rep's selling minutes a month
(business days x 8 hours x 60) over 60 minutes, unless leads (budget / $10, or the market)
run out first.
"""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.analysis import check
from optimizer.analysis.diagnose.repairs import levers
from optimizer.analysis.explain import explain
from optimizer.analysis.solve import solve
from optimizer.model.chain import build_model
from optimizer.model.chain.sales import selling_minutes_per_rep
from optimizer.scenario import labels
from optimizer.scenario.inputs import input_specs, moved, numeric_inputs
from optimizer.scenario.loading import ScenarioError, apply_overrides, set_path, validate
from optimizer.scenario.paths import bounds_of
from optimizer.scenario.schema import per_month

FEB_BUDGET = "marketing.ad_budget_per_month[2027-02]"


def company(**changes) -> dict:
    """The raw scenario above over three months, with ``changes`` set (``--set`` paths)."""
    data = {
        "name": "Seasons",
        "calendar": {
            "start_month": "2027-01",
            "horizon_months": 3,
            "business_days_per_month": [20, 22, 18],
            "hours_per_day": 8,
        },
        "marketing": {
            "ad_budget_per_month": 100_000,
            "market_size_leads_per_month": 100_000,
            "qualified_lead_share": 1.0,
            "marketers": {"min": 0, "max": 1, "cost_per_person_per_month": 0},
            "channels": [{"name": "search", "tiers": [{"cost_per_lead": 10}]}],
        },
        "sales": {
            "min_minutes_per_quality_conversation": 0,
            "conversation_tiers": [{"minutes": 60, "conversion_rate": 0.1}],
            "teams": [
                {
                    "name": "field",
                    "reps": {"min": 1, "max": 1, "cost_per_person_per_month": 0},
                    "average_deal_value": 1000,
                }
            ],
        },
        "finance": {"fixed_bills_per_month": 0},
    }
    for path, value in changes.items():
        set_path(data, path, value)
    return data


def plan_of(data: dict):
    scenario = validate(data, "seasons")
    plan = solve(scenario)
    assert plan.solved and plan.verified.ok, plan.message
    return scenario, plan


def monthly(plan, metric: str, role: str) -> list[float]:
    t = plan.targets
    rows = t[(t["metric"] == metric) & (t["role"] == role)]
    return rows["value"].round(9).tolist()


def problems(data: dict) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        validate(data, "seasons.yaml")
    return [str(p) for p in caught.value.problems]


# ---- business days month by month -----------------------------------------------------------


def test_selling_minutes_and_deals_follow_the_business_days_of_each_month():
    """20, 22 and 18 days x 8 h x 60 = 9,600, 10,560 and 8,640 minutes: 160, 176 and 144
    one-hour conversations, 16, 17.6 and 14.4 deals, $14,400, $15,840 and $12,960 profit
    ($100 - $10 a conversation); calls a rep a day are 160/20 = 176/22 = 144/18 = 8."""
    scenario, plan = plan_of(company())
    team = scenario.sales.teams[0]
    assert selling_minutes_per_rep(scenario, team).tolist() == [9600, 10560, 8640]
    assert monthly(plan, "conversations_per_month", "field") == [160, 176, 144]
    assert monthly(plan, "deals_per_month", "field") == [16, 17.6, 14.4]
    assert monthly(plan, "calls_per_rep_per_day", "field") == [8, 8, 8]
    assert plan.objective == pytest.approx(90 * (160 + 176 + 144))
    assert plan.constraint("sales-selling_time[2027-02,field]")["limit"] == pytest.approx(10560)


def test_a_list_of_equal_values_is_the_same_model_as_one_number():
    """[20, 20, 20] days and 20 days: the same numbers in every array, bit for bit."""
    listed = validate(company(**{"calendar.business_days_per_month": [20, 20, 20]}), "a")
    single = validate(company(**{"calendar.business_days_per_month": 20}), "b")
    a, b = build_model(listed)[0].arrays(), build_model(single)[0].arrays()
    for name in ("c", "lb", "ub", "rows", "cols", "vals", "rhs"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert per_month(20, 3).tolist() == per_month([20, 20, 20], 3).tolist() == [20, 20, 20]


# ---- the length rule and the checks month by month ----------------------------------------


def test_a_list_of_the_wrong_length_names_the_path_the_length_and_the_months():
    found = problems(company(**{"marketing.ad_budget_per_month": [1000, 2000]}))
    assert found == [
        "marketing.ad_budget_per_month = a list of 2 item(s): expected one number, or a list "
        "of 3 values, one per month 2027-01..2027-03 (calendar.horizon_months is 3); the list "
        "has 2"
    ]
    tier = "marketing.channels[search].tiers[0].cost_per_lead"
    assert problems(company(**{tier: [10, 11, 12, 13]}))[0].startswith(
        f"{tier} = a list of 4 item(s): expected one number, or a list of 3 values"
    )


def test_each_value_of_a_list_meets_the_fields_bounds_at_its_month():
    assert problems(company(**{"calendar.business_days_per_month": [20, 40, 18]})) == [
        "calendar.business_days_per_month[2027-02] = 40: expected a number <= 31"
    ]
    assert problems(company(**{"sales.conversation_tiers[0].conversion_rate": [0.1, 0.2, 1.5]}))[
        0
    ] == ("sales.conversation_tiers[0].conversion_rate[2027-03] = 1.5: expected a number <= 1")
    speck = problems(company(**{"marketing.ad_budget_per_month": [1000, 0.001, 1000]}))
    assert speck[0].startswith("marketing.ad_budget_per_month[2027-02] = 0.001: expected 0 or")
    assert problems(company(**{"marketing.ad_budget_per_month": "lots"})) == [
        "marketing.ad_budget_per_month = 'lots': expected a number, or a list of one number "
        "per month"
    ]


def test_organic_leads_and_tier_prices_are_checked_month_by_month():
    organic = company(
        **{
            "marketing.market_size_leads_per_month": [500, 200, 500],
            "marketing.organic_leads_per_month": 300,
        }
    )
    assert problems(organic) == [
        "marketing.organic_leads_per_month = 300: expected at most "
        "market_size_leads_per_month (200) in 2027-02"
    ]
    tiers = company()
    tiers["marketing"]["channels"][0]["tiers"] = [
        {"leads_per_month": 100, "cost_per_lead": [10, 12, 10]},
        {"cost_per_lead": [11, 11, 11]},
    ]
    assert problems(tiers) == [
        "marketing.channels[search].tiers[1].cost_per_lead[2027-02] = 11: expected more than "
        "tier 0 ($12/lead) in 2027-02; list tiers from cheapest to dearest in every month"
    ]


# ---- the market, conversion and budget month by month ------------------------------------


def test_a_seasonal_market_caps_leads_month_by_month():
    """A market of 100, 50 and 200 leads: conversations 100, 50 and min(200, 144) = 144."""
    _, plan = plan_of(company(**{"marketing.market_size_leads_per_month": [100, 50, 200]}))
    assert monthly(plan, "leads_per_month", "marketing") == [100, 50, 144]
    assert monthly(plan, "conversations_per_month", "field") == [100, 50, 144]
    assert plan.constraint("marketing-market_size[2027-02]")["parameter"] == (
        "marketing.market_size_leads_per_month[2027-02]"
    )


def test_conversion_rates_month_by_month_give_each_months_deals():
    """10 %, 20 % and 5 % of 160, 176 and 144 conversations: 16, 35.2 and 7.2 deals."""
    data = company(**{"sales.conversation_tiers[0].conversion_rate": [0.1, 0.2, 0.05]})
    _, plan = plan_of(data)
    assert monthly(plan, "deals_per_month", "field") == [16, 35.2, 7.2]


def test_a_seasonal_ad_budget_limits_spend_month_by_month():
    """$10,000, $500 and $10,000: February buys 50 leads at $10 (so 50 conversations)."""
    _, plan = plan_of(company(**{"marketing.ad_budget_per_month": [10_000, 500, 10_000]}))
    assert monthly(plan, "ad_spend_per_month", "marketing") == [1600, 500, 1440]
    assert monthly(plan, "conversations_per_month", "field") == [160, 50, 144]


def test_tier_prices_and_volumes_month_by_month():
    """Tier 1 sells 100, 50 and 100 leads at $10, $20 and $10; the rest cost $30."""
    data = company()
    data["marketing"]["channels"][0]["tiers"] = [
        {"leads_per_month": [100, 50, 100], "cost_per_lead": [10, 20, 10]},
        {"cost_per_lead": 30},
    ]
    _, plan = plan_of(data)
    assert monthly(plan, "ad_spend_per_month", "search") == [
        100 * 10 + 60 * 30,
        50 * 20 + 126 * 30,
        100 * 10 + 44 * 30,
    ]


def test_tickets_a_customer_month_by_month():
    """100 customers, no new ones: 0.1, 0.2 and 0.3 tickets each make 10, 20 and 30."""
    data = company()
    data["support"] = {
        "installed_base_customers": 100,
        "new_customers_per_deal": 0,
        "tickets_per_customer_per_month": [0.1, 0.2, 0.3],
        "handle_minutes_per_ticket": 10,
        "max_occupancy": 0.8,
        "agents": {"min": 0, "max": 5, "cost_per_person_per_month": 100},
    }
    scenario, plan = plan_of(data)
    assert monthly(plan, "tickets_per_month", "support") == [10, 20, 30]
    from optimizer.app import flows

    for period, tickets in (("2027-02", 20), (flows.AVERAGE, 20), ("2027-03", 30)):
        flow = flows.volume_flow(scenario, plan, period)
        assert flow.value_into("Support tickets") == pytest.approx(tickets), period


# ---- the independent check -------------------------------------------------------------------


def test_the_independent_check_catches_a_tampered_plan_on_a_seasonal_input():
    """Spend $600 in February, within the single budget but over February's $500."""
    scenario = validate(company(**{"marketing.ad_budget_per_month": [10_000, 500, 10_000]}), "s")
    plan = solve(scenario, marginals=False, whole_steps=False)
    _, v = build_model(scenario)
    x = plan.variables["value"].to_numpy(dtype=float)
    q = {name: np.array(x[idx], dtype=float) for name, idx in v.index.items()}
    assert check.verify(scenario, q).ok
    q["paid_leads"][1] += 10  # 60 leads, $600
    q["leads"][1] += 10
    q["ad_spend"][1] += 100
    q["profit"][1] -= 100
    found = check.verify(scenario, q)
    assert not found.ok and found.violations == ("marketing-ad_budget",)
    assert found.max_violation == pytest.approx(100 / 500)
    # a tier price month by month: February's leads at January's price break the spend
    priced = company()
    priced["marketing"]["channels"][0]["tiers"][0]["cost_per_lead"] = [10, 20, 10]
    scenario = validate(priced, "s")
    plan = solve(scenario, marginals=False, whole_steps=False)
    x = plan.variables["value"].to_numpy(dtype=float)
    q = {
        name: np.array(x[idx], dtype=float) for name, idx in build_model(scenario)[1].index.items()
    }
    assert check.verify(scenario, q).ok
    q["ad_spend"][1] = 10 * q["paid_leads"][1].sum()
    assert "marketing-spend_total" in check.verify(scenario, q).violations


# ---- one month's input: its path, label, value and step -------------------------------------


def test_each_month_of_a_list_is_an_input_with_its_path_label_and_step():
    scenario = validate(company(**{"marketing.ad_budget_per_month": [10_000, 500, 10_000]}), "s")
    specs = {s.path: s for s in input_specs(scenario, scenario.objective)}
    assert "marketing.ad_budget_per_month" not in specs
    feb = specs[FEB_BUDGET]
    assert (feb.value, feb.unit, feb.label) == (500, "$/month", "Ad budget, Feb 2027")
    assert feb.step.size == 1000 and feb.lever
    assert specs["calendar.business_days_per_month[2027-03]"].value == 18
    assert bounds_of(FEB_BUDGET) == (0, 1e10)
    assert labels.input_label("sales.conversation_tiers[0].conversion_rate[2027-12]") == (
        "Conversion of tier-1 conversations, Dec 2027"
    )
    assert moved(scenario, FEB_BUDGET, 700).marketing.ad_budget_per_month == [10_000, 700, 10_000]
    words = {lever.path: lever.words for lever in levers(scenario)}
    assert words[FEB_BUDGET] == "the ad budget in Feb 2027"


def test_set_takes_a_month_by_label_or_index_and_spreads_one_number_over_the_months():
    data = company()
    out = apply_overrides(
        data,
        [
            "marketing.ad_budget_per_month[2027-02]=500",
            "calendar.business_days_per_month[0]=21",
        ],
        "s",
    )
    assert out["marketing"]["ad_budget_per_month"] == [100_000, 500, 100_000]
    assert out["calendar"]["business_days_per_month"] == [21, 22, 18]
    with pytest.raises(ScenarioError, match=r"no month '2027-05' in the horizon"):
        apply_overrides(data, ["marketing.ad_budget_per_month[2027-05]=1"], "s")
    whole = apply_overrides(data, ["marketing.ad_budget_per_month=[1, 2, 3]"], "s")
    assert whole["marketing"]["ad_budget_per_month"] == [1, 2, 3]


def test_one_months_budget_is_worth_its_finite_difference():
    """February's budget binds: a dollar buys 0.1 lead, 0.1 conversation, 0.01 deal: $10 of
    revenue for $1 of spend, +$9. Its shadow price, its marginal value and the value of its
    natural step ($1,000 more: +$9,000, still below 176 conversations) agree with re-solves;
    January's budget does not bind and is worth nothing."""
    scenario, plan = plan_of(company(**{"marketing.ad_budget_per_month": [10_000, 500, 10_000]}))
    limit = plan.constraint("marketing-ad_budget[2027-02]")
    assert limit["parameter"] == FEB_BUDGET
    assert limit["shadow_price"] == pytest.approx(9)
    values = dict(zip(plan.parameters["path"], plan.parameters["marginal_value"]))
    assert values[FEB_BUDGET] == pytest.approx(9)
    assert values["marketing.ad_budget_per_month[2027-01]"] == pytest.approx(0, abs=1e-9)
    for step in (1.0, 1000.0):
        again = solve(moved(scenario, FEB_BUDGET, 500 + step), marginals=False)
        assert (again.objective - plan.objective) / step == pytest.approx(9)
    found = explain(scenario, plan).step(FEB_BUDGET)
    assert found.label == "Ad budget, Feb 2027" and found.step == 1000
    assert found.value_people_held == pytest.approx(9000)
    assert "marketing-ad_budget[2027-02]" in found.limits


def test_numeric_inputs_keep_one_path_for_an_input_given_as_one_number():
    scenario = validate(company(), "s")
    paths = [p for p, _, _ in numeric_inputs(scenario, scenario.objective)]
    assert "marketing.ad_budget_per_month" in paths
    assert [p for p in paths if p.startswith("calendar.business_days")] == [
        "calendar.business_days_per_month[2027-01]",
        "calendar.business_days_per_month[2027-02]",
        "calendar.business_days_per_month[2027-03]",
    ]


def test_the_apps_form_and_tables_edit_each_month():
    from optimizer.app import editing

    data = company(**{"marketing.ad_budget_per_month": [10_000, 500, 10_000]})
    data["marketing"]["channels"][0]["tiers"][0]["cost_per_lead"] = [10, 20, 10]
    scenario = validate(data, "s")
    fields = {f.path: f for f in editing.form_fields(scenario)["marketing"]}
    assert fields[FEB_BUDGET].value == 500 and fields[FEB_BUDGET].kind == "float"
    frames = editing.tables(scenario)
    assert frames["channels"]["cost_per_lead"].tolist() == ["10; 20; 10"]
    frames["channels"].loc[0, "cost_per_lead"] = "10; 25; 10"
    edited = editing.apply_edits(scenario, {FEB_BUDGET: 700.0}, {"channels": frames["channels"]})
    assert edited.marketing.ad_budget_per_month == [10_000, 700, 10_000]
    assert edited.marketing.channels[0].tiers[0].cost_per_lead == [10, 25, 10]


def test_a_repair_moves_the_one_months_budget_that_falls_short():
    """A $10,000 profit target each month: February's $500 buys 50 conversations, $4,500.
    Profit is $9 a budget dollar, so February needs $10,000 / 9 = $1,111.11; that month of the
    budget is the cheapest lever ($611 against a $10,000 budget), not the profit target."""
    from optimizer.analysis.diagnose.repairs import repairs

    data = company(
        **{
            "marketing.ad_budget_per_month": [10_000, 500, 10_000],
            "finance.profit_target_per_month": 10_000,
        }
    )
    joint, alternatives = repairs(validate(data, "s"))
    assert joint.changes["path"].tolist() == [FEB_BUDGET]
    assert joint.changes["proposed"].iloc[0] == pytest.approx(10_000 / 9, rel=1e-6)
    assert alternatives[-1].changes["path"].tolist() == ["finance.profit_target_per_month"]
