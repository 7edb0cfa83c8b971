"""Plans over time, solved by hand: people flow, hiring lead time, ramp-up, the sales cycle
and the horizon end (``optimizer.model.chain.workforce``, ``chain/sales.py``).

Every case starts from the base company of ``tests/test_families.py`` (one team, one 30-minute
conversation tier at 10 %, $1,000 deals, leads at $25, reps at $4,000 a month):

    a fully productive rep holds 9 600 / 30 = 320 conversations a month,
    each worth 0.1 * $1,000 - $25 = $75, so $24,000 a month before the rep's $4,000 pay.

The profit goal is judged over the horizon, so a month spent ramping up may lose money.
"""

from __future__ import annotations

import pytest

from optimizer.analysis import check
from optimizer.analysis.solve import solve
from optimizer.model.chain import build_model
from optimizer.report.sentences import sentence
from optimizer.scenario.loading import ScenarioError, validate
from tests.test_families import base

REP_MONTH = 24_000.0  # a productive rep's conversations, net of leads, a month
PAY = 4_000.0


def plan_of(data: dict, **kwargs):
    plan = solve(validate(data, "inline"), **kwargs)
    assert plan.status.value == "optimal", plan.message
    assert plan.verified.ok, plan.verified
    return plan


def flowing(months: int, **reps) -> dict:
    data = base(**{"calendar.horizon_months": months, "finance.goal_period": "horizon"})
    data["sales"]["teams"][0]["reps"] = {
        "min": 0, "max": 10, "cost_per_person_per_month": PAY, **reps,
    }  # fmt: skip
    return data


def metric(plan, name: str, role: str = "team") -> list[float]:
    t = plan.targets
    rows = t[(t["metric"] == name) & (t["role"] == role)]
    return [round(float(x), 9) for x in rows["value"]]


def test_attrition_is_an_expected_share_and_the_headcount_is_in_fte():
    """10 reps, 10 % leave a month, no hires allowed: 9, 8.1, 7.29 full-time equivalents.

    Expected leavers are 10 % of last month's people: 1, 0.9, 0.81. Every rep is worth
    $24,000 - $4,000 a month, so none is let go; profit = 20 000 * (9 + 8.1 + 7.29).
    """
    plan = plan_of(flowing(3, opening=10, attrition_per_month=0.1, max_hires_per_month=0))
    assert metric(plan, "reps") == pytest.approx([9, 8.1, 7.29])
    assert metric(plan, "leavers_expected") == pytest.approx([1, 0.9, 0.81])
    assert metric(plan, "departures") == [0, 0, 0]
    assert plan.objective == pytest.approx(20_000 * (9 + 8.1 + 7.29))


def test_one_hire_ramps_up_and_selling_minutes_follow():
    """Lead time 1, ramp (0, 0.5, 1), at most one rep, none at the start.

    No one can start in month 1 (the lead time); the hire decided in month 1 starts in
    month 2 at 0 %, works at 50 % in month 3 and 100 % in month 4:
        productive reps 0, 0, 0.5, 1; conversations 0, 0, 160, 320.
    Profit: 1.5 * 24 000 - 3 * 4 000 = 24 000.
    """
    plan = plan_of(flowing(4, max=1, opening=0, hiring_lead_time_months=1, ramp=[0, 0.5, 1]))
    assert metric(plan, "starts") == [0, 1, 0, 0]
    assert metric(plan, "hires_decided") == [1, 0, 0, 0]
    assert metric(plan, "productive_people") == pytest.approx([0, 0, 0.5, 1])
    assert metric(plan, "conversations_per_month") == pytest.approx([0, 0, 160, 320])
    assert metric(plan, "reps") == [0, 1, 1, 1]
    assert plan.objective == pytest.approx(1.5 * REP_MONTH - 3 * PAY)


def test_hiring_limits_have_prices_a_re_solve_confirms():
    """Lead time 1, ramp (0, 0.5, 1), at most one hire a month, up to 10 reps.

    Starts in months 2 and 3 pay (4 months: a month-2 start is worth 1.5 * 24 000 - 3 * 4 000
    = 24 000, a month-3 start 0.5 * 24 000 - 2 * 4 000 = 4 000, a month-4 start loses 4 000):
    objective 28 000. Prices, the plan's other hires held:
        hiring lead time, month 1: a person able to start in month 1 works 0, 0.5, 1, 1:
            2.5 * 24 000 - 4 * 4 000 = 44 000;
        most hires, month 2: 24 000; month 3: 4 000; month 4: not binding.
    Re-solves: one person already hired to start in month 1 adds 44 000; a cap of 2 hires a
    month adds 24 000 + 4 000 = 28 000 (each month's price, the caps moving together).
    """
    reps = dict(opening=0, hiring_lead_time_months=1, ramp=[0, 0.5, 1], max_hires_per_month=1)
    plan = plan_of(flowing(4, **reps))
    assert plan.objective == pytest.approx(28_000)
    lead = plan.constraint("sales-reps_hiring_lead_time[2027-01,team]")
    assert lead["binding"] and lead["shadow_price"] == pytest.approx(44_000)
    prices = [plan.constraint(f"sales-reps_hires_max[2027-0{m},team]") for m in (2, 3, 4)]
    assert [p["shadow_price"] for p in prices] == pytest.approx([24_000, 4_000, 0])
    earlier = plan_of(flowing(4, **reps, already_hired=[1]))
    assert earlier.objective - plan.objective == pytest.approx(44_000)
    more = plan_of(flowing(4, **{**reps, "max_hires_per_month": 2}))
    assert more.objective - plan.objective == pytest.approx(24_000 + 4_000)
    words = sentence(lead, plan.objective_name, plan.objective_unit)
    assert "Hiring lead time, reps, team team, Jan 2027" in words, words
    assert "$44,000" in words and "hiring lead time" in words, words


def test_costs_of_hiring_and_departures_are_paid_in_their_month():
    """Opening 3 reps, no work for them after month 1 (the market closes: a price tier
    that loses money), a $5,000 severance and a $2,000 hire: letting 3 go in month 2 saves
    3 * 4 000 a month for 2 months (24 000) for 15 000 of severance."""
    data = flowing(3, opening=3, cost_per_departure=5000, cost_per_hire=2000, max=3)
    data["marketing"]["channels"][0]["tiers"][0]["cost_per_lead"] = 150  # each lead loses $50
    data["finance"]["profit_target_per_month"] = -100_000  # a losing quarter is allowed
    plan = plan_of(data)
    assert metric(plan, "departures") == [3, 0, 0]
    assert metric(plan, "hiring_costs", "finance") == [15_000, 0, 0]
    assert plan.objective == pytest.approx(-15_000)


def test_sales_cycle_moves_deals_revenue_units_and_tickets_to_the_close_month():
    """Close profile (0, 0.5, 0.5): one rep at full use, 320 conversations a month at 10 %,
    32 deals won a month. Deals closing: 0, 16, 32; revenue 0, $16,000, $32,000; with 2 units
    a deal, units 0, 32, 64; with 0.1 ticket a customer a month and 1 customer a deal,
    tickets 0, 1.6, 4.8 (customers 0, 16, 48). At the end, 16 of month 2's and 32 of month
    3's deals are open: 48 deals, $48,000, credited in full by default."""
    data = base(**{"calendar.horizon_months": 3, "finance.goal_period": "horizon"})
    data["sales"]["teams"][0]["reps"].update(min=1, max=1)
    data["sales"]["teams"][0]["close_profile"] = [0, 0.5, 0.5]
    data["delivery"] = {
        "units_per_deal": 2, "units_per_worker_per_month": 1000,
        "workers": {"min": 1, "max": 1, "cost_per_person_per_month": 0},
    }  # fmt: skip
    data["support"] = {
        "installed_base_customers": 0, "tickets_per_customer_per_month": 0.1,
        "handle_minutes_per_ticket": 1, "max_occupancy": 1,
        "agents": {"min": 1, "max": 1, "cost_per_person_per_month": 0},
    }  # fmt: skip
    plan = plan_of(data)
    assert metric(plan, "deals_won_per_month") == pytest.approx([32, 32, 32])
    assert metric(plan, "deals_per_month") == pytest.approx([0, 16, 32])
    assert metric(plan, "revenue", "finance") == pytest.approx([0, 16_000, 32_000])
    assert metric(plan, "units_sold_per_month", "delivery") == pytest.approx([0, 32, 64])
    assert metric(plan, "tickets_per_month", "support") == pytest.approx([0, 1.6, 4.8])
    assert metric(plan, "pipeline_open_deals") == pytest.approx([32, 48, 48])
    assert metric(plan, "pipeline_open_value", "finance")[-1] == pytest.approx(48_000)
    profit = sum(metric(plan, "profit", "finance"))
    assert plan.objective == pytest.approx(profit + 48_000)


def test_opening_pipeline_closes_in_the_first_months():
    """An opening pipeline of 5 and 3 deals closes in months 1 and 2 whatever the plan does:
    revenue rises by $5,000 and $3,000 against the same plan without it."""
    data = base(**{"calendar.horizon_months": 2, "finance.goal_period": "horizon"})
    data["sales"]["teams"][0]["close_profile"] = [1]
    plain = plan_of(data)
    data["sales"]["teams"][0]["opening_pipeline"] = [5, 3]
    opened = plan_of(data)
    gain = [
        a - b
        for a, b in zip(metric(opened, "revenue", "finance"), metric(plain, "revenue", "finance"))
    ]
    assert gain == pytest.approx([5_000, 3_000])


def test_the_horizon_end_keeps_the_last_month_selling_and_says_so_when_it_does_not():
    """Close profile (0, 1): a month's deals close the month after. Over 3 months, month 3's
    conversations close after the plan: with the open pipeline credited (the default) the
    plan still buys leads in month 3; with the credit at 0 it buys none, and its notes say
    why. 3 reps at most (one rep's month costs $4,000 however it is used)."""
    data = base(**{"calendar.horizon_months": 3, "finance.goal_period": "horizon"})
    data["sales"]["teams"][0]["close_profile"] = [0, 1]
    credited = plan_of(data)
    spend = metric(credited, "ad_spend", "finance")
    assert spend[-1] == pytest.approx(spend[0]) and spend[0] > 0
    assert not any("last month" in n for n in credited.notes)
    data["horizon_end"] = {"open_pipeline_value_share": 0}
    starved = plan_of(data)
    assert metric(starved, "ad_spend", "finance")[-1] == 0
    note = next(n for n in starved.notes if "last month" in n)
    assert "Mar 2027" in note and "open_pipeline_value_share" in note, note


def test_the_independent_check_recomputes_the_flow():
    """A plan whose headcount does not follow its hires is caught by the flow rule."""
    data = flowing(3, opening=2, hiring_lead_time_months=1, ramp=[0.5])
    plan = plan_of(data)
    scenario = validate(data, "inline")
    _, v = build_model(scenario)
    x = plan.variables["value"].to_numpy()
    q = {name: x[idx] for name, idx in v.index.items()}
    assert check.verify(scenario, q).ok
    q["reps"] = q["reps"] + 1.0
    found = check.verify(scenario, q)
    assert "sales-reps_flow" in found.violations


@pytest.mark.parametrize(
    ("change", "where", "expected"),
    [
        ({"ramp": [0.5]}, "ramp", "unless `opening`"),
        ({"opening": 2, "already_hired": [1, 1]}, "already_hired", "at most 0 value"),
    ],
)
def test_flow_inputs_are_validated(change, where, expected):
    data = base()
    data["sales"]["teams"][0]["reps"].update(change)
    with pytest.raises(ScenarioError) as err:
        validate(data, "inline.yaml")
    text = str(err.value)
    assert "inline.yaml" in text and where in text and expected in text, text


def test_a_close_profile_must_add_up_to_one():
    data = base()
    data["sales"]["teams"][0]["close_profile"] = [0.5, 0.4]
    with pytest.raises(ScenarioError) as err:
        validate(data, "inline.yaml")
    assert "close_profile" in str(err.value) and "adds up to 0.9" in str(err.value)


def test_a_seasonal_peak_is_hired_for_two_months_ahead_and_the_lead_time_binds():
    """Qualified leads a month: 320, 640, 640, 640 (seasons); one rep employed; a hire starts
    two months after it is decided; no ramp. One rep holds 320 conversations a month.

    The peak starts in month 2 but no hire can start before month 3: the plan decides a hire
    in month 1 that starts in month 3, two months ahead. The hiring lead time binds in
    month 2. Its price, the plan's hires held: a person starting in month 2 sells 320 more
    conversations there ($24,000) for three months' pay ($12,000) -> $12,000. Re-planned
    (one person already hired to start in month 2, the month-3 hire then not needed): only
    month 2 gains, $24,000 - $4,000 = $20,000.
    """
    data = flowing(4, opening=1, hiring_lead_time_months=2)
    data["marketing"]["market_size_leads_per_month"] = [320, 640, 640, 640]
    plan = plan_of(data)
    assert metric(plan, "hires_decided") == [1, 0, 0, 0]
    assert metric(plan, "starts") == [0, 0, 1, 0]
    assert metric(plan, "reps") == [1, 1, 2, 2]
    lead = plan.constraint("sales-reps_hiring_lead_time[2027-02,team]")
    assert lead["binding"] and lead["shadow_price"] == pytest.approx(12_000)
    earlier = plan_of({**data, "sales": {**data["sales"], "teams": [
        {**data["sales"]["teams"][0],
         "reps": {**data["sales"]["teams"][0]["reps"], "already_hired": [0, 1]}}]}})  # fmt: skip
    assert earlier.objective - plan.objective == pytest.approx(20_000)
    assert metric(earlier, "starts") == [0, 1, 0, 0]


def test_diagnosis_offers_hiring_sooner_as_a_repair():
    """Two months, no reps at the start, a hire starts a month after it is decided, at most
    one a month: one rep can start in month 2 and earns $20,000 in all. A goal of $15,000 a
    month ($30,000 over the plan) cannot be met. With a hiring lead time of 0 months a rep
    starts in month 1 and another in month 2: $20,000 + $40,000 = $60,000, a repair; so is a
    second hire a month (two starts in month 2: $40,000)."""
    from optimizer.analysis.diagnose import diagnose

    data = flowing(2, opening=0, hiring_lead_time_months=1, max_hires_per_month=1)
    data["finance"]["profit_target_per_month"] = 15_000
    scenario = validate(data, "inline")
    assert solve(scenario, marginals=False).status.value == "infeasible"
    found = diagnose(scenario)
    single = {r.changes["path"].iloc[0]: r for r in found.alternatives}
    lead = single["sales.teams[team].reps.hiring_lead_time_months"]
    assert lead.changes["proposed"].iloc[0] == 0
    assert "hiring lead time" in lead.levers[0].words
    hires = single["sales.teams[team].reps.max_hires_per_month"]
    assert hires.changes["proposed"].iloc[0] == 2
    for repair, profit in ((lead, 60_000), (hires, 40_000)):
        assert plan_of(repair.apply(scenario).model_dump()).objective == pytest.approx(profit)


def test_most_hires_a_month_is_valued_with_hiring_free():
    """The step of 'most hires a month' (one person more) is worth nothing with the plan's
    hires held, so it is valued hiring free, as a headcount cap is: +$28,000 (the re-solve
    of ``test_hiring_limits_have_prices_a_re_solve_confirms``)."""
    from optimizer.analysis.explain import explain

    reps = dict(opening=0, hiring_lead_time_months=1, ramp=[0, 0.5, 1], max_hires_per_month=1)
    scenario = validate(flowing(4, **reps), "inline")
    plan = plan_of(scenario.model_dump())
    found = explain(scenario, plan, full=False)
    step = next(s for s in found.steps if s.subject.endswith("max_hires_per_month"))
    assert step.basis == "hiring free"
    assert step.value == pytest.approx(28_000)
    assert step.label == "Most hires a month, reps, team team"


def test_the_full_explanation_does_not_force_a_flowing_headcount():
    """Forcing one more rep every month means nothing where people flow (full-time
    equivalents under attrition, starts after a lead time): the headcount section leaves the
    team out and says where one more hire is valued."""
    from optimizer.analysis.explain import explain

    data = flowing(3, opening=2, hiring_lead_time_months=1, max_hires_per_month=1,
                   attrition_per_month=0.1)  # fmt: skip
    scenario = validate(data, "inline")
    found = explain(scenario, plan_of(data))
    assert [h.role for h in found.headcounts] == ["marketers"]
    assert any(
        "Most hires a month" in n and "the headcount of reps (team team)" in n for n in found.notes
    )


def test_the_command_line_splits_the_objective_into_profit_and_the_open_pipeline():
    """Close profile (0, 1) over 3 months with one rep: 32 deals ($32,000) won a month close
    a month later, so profit is 2 months of revenue less 3 months of costs ($12,000 each:
    leads and pay), and the objective adds month 3's $32,000 of open deals. The CLI says
    which part is which."""
    import io

    from rich.console import Console

    from optimizer.report.tables import print_plan

    data = base(**{"calendar.horizon_months": 3, "finance.goal_period": "horizon"})
    data["sales"]["teams"][0]["reps"].update(min=1, max=1)
    data["sales"]["teams"][0]["close_profile"] = [0, 1]
    plan = plan_of(data)
    out = io.StringIO()
    print_plan(plan, console=Console(file=out, width=200, color_system=None))
    # won 32 deals a month ($32,000); closing 0, 32, 32: revenue $64,000; costs 3 x $12,000
    assert plan.objective == pytest.approx(64_000 - 36_000 + 32_000)
    assert "= profit $28,000 + $32,000 for the deals still open at the end" in out.getvalue()
