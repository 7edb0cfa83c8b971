"""One tiny scenario per constraint family, solved by hand.

Every case starts from ``base()``: one month, one paid channel with one price tier, one
sales team, one conversation tier, no delivery or support, and caps that do not bind.
Each test changes only what it needs, works out the optimum and the shadow prices from
first principles in its docstring, and checks the plan against that arithmetic.

Every case runs on every backend (``optimizer.solvers.BACKENDS``: HiGHS, CBC through PuLP,
OR-Tools with SCIP and GLOP, and with PDLP): the objective, the plan, the independent check,
the shadow prices and the marginal values must agree with the hand arithmetic on each. Only
HiGHS ranges its limits; elsewhere a binding limit's allowable increase and decrease must
be NaN (no claim) rather than a number (``assert_room``).

Shadow prices follow the product's convention: the change of the objective per unit
INCREASE of a constraint's limit, holding the plan's whole-number headcounts fixed (the
LP after fixing the integers). A headcount at its cap is the exception the adapter makes
on purpose: its cap row stays in charge, so the cap's price is the worth of one more
(fractional) person.

The base company, in numbers used throughout:

    selling minutes per rep  = 20 days * (8 h - 0 h lost) * 60       = 9 600 min/month
    conversations per rep    = 9 600 / 30 min                       = 320 /month
    deals per rep            = 320 * 0.1                            = 32 /month
    revenue per conversation = 0.1 * $1 000                         = $100
    lead per conversation    = 1 / (1 touch * 1.0 qualified share)  = 1 lead at $25
    margin per conversation  = $100 - $25                           = $75
    margin per selling minute = $75 / 30                            = $2.50
    a fully used rep         = 320 * $75 - $4 000 payroll           = $20 000 /month

No marketer is needed (they cost $1 000 and nothing requires one), so marketers = 0. A
minimum of 0 is the variable's own bound and gets no row, so idle roles add no binding limit.
"""

from __future__ import annotations

import copy
import importlib.util
import math

import pytest

from optimizer.analysis.solve import solve
from optimizer.model import implied
from optimizer.scenario.loading import set_path, validate
from optimizer.solvers import BACKENDS as SOLVER_BACKENDS
from optimizer.solvers import backend as solver_backend

M1, M2 = "2027-01", "2027-02"
REL = 1e-6

BASE = {
    "name": "family case",
    "calendar": {
        "start_month": "2027-01",
        "horizon_months": 1,
        "business_days_per_month": 20,
        "hours_per_day": 8,
    },
    "marketing": {
        "ad_budget_per_month": 1_000_000,
        "market_size_leads_per_month": 100_000,
        "organic_leads_per_month": 0,
        "qualified_lead_share": 1.0,
        "channels": [{"name": "web", "tiers": [{"cost_per_lead": 25}]}],
        "marketers": {"min": 0, "max": 10, "cost_per_person_per_month": 1000},
    },
    "sales": {
        "min_minutes_per_quality_conversation": 0,
        "touches_per_lead": 1,
        "conversation_tiers": [{"minutes": 30, "conversion_rate": 0.1}],
        "teams": [
            {
                "name": "team",
                "reps": {"min": 0, "max": 10, "cost_per_person_per_month": 4000},
                "average_deal_value": 1000,
            }
        ],
    },
    "finance": {"fixed_bills_per_month": 0},
}


def base(**changes) -> dict:
    """The base scenario as a dict, with ``changes`` applied by path (``a.b[0].c``)."""
    data = copy.deepcopy(BASE)
    for path, value in changes.items():
        set_path(data, path.replace("__", "."), value)
    return data


def _installed(name: str) -> bool:
    """Whether a backend's solver library is importable here (pulp for CBC, ortools)."""
    module = {"cbc": "pulp", "ortools": "ortools", "pdlp": "ortools"}.get(name)
    return module is None or importlib.util.find_spec(module) is not None


BACKENDS = [
    pytest.param(
        name, marks=() if _installed(name) else pytest.mark.skip(reason=f"{name} not installed")
    )
    for name in SOLVER_BACKENDS
]


@pytest.fixture(params=BACKENDS)
def solved(request):
    """``solved(data, objective)``: the plan, on each backend in turn, optimal and checked."""

    def run(data: dict, objective: str | None = None):
        plan = solve(validate(data, "inline"), objective, backend=request.param)
        assert plan.backend == request.param
        assert plan.status.value == "optimal", plan.message
        assert plan.verified.ok, plan.verified
        return plan

    return run


def backends(**xfail: str):
    """Every backend for one test, the named ones expected to fail (strictly) for the reason."""
    marked = []
    for param in BACKENDS:
        (name,) = param.values
        marks = [*param.marks]
        if name in xfail:
            marks.append(pytest.mark.xfail(strict=True, raises=AssertionError, reason=xfail[name]))
        marked.append(pytest.param(name, marks=marks, id=name))
    return pytest.mark.parametrize("solved", marked, indirect=True)


def ranged(plan) -> bool:
    """Whether the plan's backend ranges its limits (HiGHS only)."""
    return solver_backend(plan.backend).ranging


def assert_room(plan, row, *, increase: float | None = None, decrease: float | None = None):
    """A binding limit's allowable increase and decrease. HiGHS ranges them; a backend that
    does not claims no number there (NaN) rather than a wrong one."""
    if isinstance(row, str):
        row = plan.constraint(row)
    for side, value in (("increase", increase), ("decrease", decrease)):
        if value is None:
            continue
        room = row[f"allowable_{side}"]
        if ranged(plan):
            assert room == approx(value), (row["name"], side)
        else:
            assert row["binding"] and math.isnan(room), (row["name"], side, room)


def binding(plan) -> set[str]:
    return set(plan.constraints.loc[plan.constraints["binding"], "name"])


def var(plan, name: str) -> float:
    rows = plan.variables[plan.variables["name"] == name]
    assert len(rows) == 1, name
    return float(rows["value"].iloc[0])


def shadow(plan, name: str) -> float:
    return float(plan.constraint(name)["shadow_price"])


def approx(value: float):
    return pytest.approx(value, rel=REL, abs=1e-9)


def assert_clean_binding(plan, name: str, price: float) -> None:
    """A binding limit with the given shadow price and room to rise (not degenerate)."""
    row = plan.constraint(name)
    assert row["binding"], name
    assert not row["degenerate"], name
    room = row["allowable_increase"]
    assert room > 0 if ranged(plan) else math.isnan(room), name
    assert row["shadow_price"] == approx(price), name


# ---------------------------------------------------------------------------------------
# marketing
# ---------------------------------------------------------------------------------------


def test_tier_volume_binds_when_the_next_tier_loses_money(solved):
    """Tier 1: 1 200 leads at $25; tier 2: unlimited at $105 ($100 - $105 = -$5 a lead).

    Only tier 1 is worth buying, so at most 1 200 conversations. Whole reps:
        3 reps: 960 conv  -> 960 * 75 - 12 000   = 60 000
        4 reps: 1 200 conv -> 1 200 * 75 - 16 000 = 74 000   <- optimum
        5 reps: 1 200 conv -> 90 000 - 20 000    = 70 000
    With 4 reps (1 280 conversations of room) the tier-1 width binds.
    Shadow price of the width: one more $25 lead feeds a conversation worth $100 -> $75.
    Allowable increase: until the 4 reps are full, 1 280 - 1 200 = 80 leads.
    Lead supply binds too (every lead is used); one more conversation without a lead
    would be worth its $100 revenue (time is spare), so its price is $100.
    """
    plan = solved(
        base(
            **{
                "marketing.channels[0].tiers": [
                    {"leads_per_month": 1200, "cost_per_lead": 25},
                    {"cost_per_lead": 105},
                ]
            }
        )
    )
    assert plan.objective == approx(74_000)
    assert plan.target("reps", M1, "team") == 4
    assert plan.target("paid_leads_per_month", M1, "web") == approx(1200)
    assert plan.target("ad_spend_per_month", M1, "web") == approx(30_000)
    assert var(plan, f"paid_leads[{M1},web:2]") == approx(0)
    tier = f"marketing-tier_volume[{M1},web:1]"
    assert binding(plan) == {tier, f"sales-lead_supply[{M1}]"}
    assert_clean_binding(plan, tier, 75.0)
    assert_room(plan, tier, increase=80)
    assert shadow(plan, f"sales-lead_supply[{M1}]") == approx(100)
    assert shadow(plan, f"sales-selling_time[{M1},team]") == 0


def test_tier_volume_with_a_dearer_tier_in_use_is_worth_the_price_gap(solved):
    """Tier 1: 400 leads at $25, tier 2 unlimited at $60; 2 reps (the cap) = 640 conversations.

    A tier-2 conversation still earns $100 - $60 = $40 > 0, and a third rep would earn
    320 * 40 - 4 000 = $8 800, so reps sit at the cap of 2 and buy 400 + 240 leads.
        profit = 640 * 100 - (400 * 25 + 240 * 60) - 2 * 4 000
               = 64 000 - 24 400 - 8 000 = 31 600
    Shadow of the tier-1 width: one more cheap lead replaces a dear one: 60 - 25 = $35,
    until no dear lead is left: allowable increase 240.
    Selling time: one more minute = 1/30 conversation on a $60 lead: 40 / 30 = $1.333.
    Reps cap: 9 600 min * 40/30 - 4 000 = $8 800.
    Lead supply (time binds): a conversation needing no lead saves a $60 lead.
    """
    plan = solved(
        base(
            **{
                "marketing.channels[0].tiers": [
                    {"leads_per_month": 400, "cost_per_lead": 25},
                    {"cost_per_lead": 60},
                ],
                "sales.teams[0].reps.max": 2,
            }
        )
    )
    assert plan.objective == approx(31_600)
    assert plan.target("ad_spend_per_month", M1, "marketing") == approx(24_400)
    assert var(plan, f"paid_leads[{M1},web:2]") == approx(240)
    tier = f"marketing-tier_volume[{M1},web:1]"
    assert binding(plan) == {
        tier,
        f"sales-reps_max[{M1},team]",
        f"sales-selling_time[{M1},team]",
        f"sales-lead_supply[{M1}]",
    }
    assert_clean_binding(plan, tier, 35.0)
    assert_room(plan, tier, increase=240)
    assert shadow(plan, f"sales-selling_time[{M1},team]") == approx(40 / 30)
    assert shadow(plan, f"sales-reps_max[{M1},team]") == approx(8800)
    assert shadow(plan, f"sales-lead_supply[{M1}]") == approx(60)


def test_ad_budget(solved):
    """Budget $30 000 at $25 a lead = 1 200 leads; reps as in the tier case: 4 (74 000).

    Shadow: $1 more buys 1/25 lead -> 75 / 25 = $3 of profit per budget dollar.
    Allowable increase: 80 more leads fill the 4 reps (1 280): 80 * 25 = $2 000.
    Allowable decrease: profit = 3 * budget - 16 000 stays >= 0 (the profit goal) down to
    a budget of 16 000 / 3, so 30 000 - 5 333.33 = 24 666.67.
    """
    plan = solved(base(**{"marketing.ad_budget_per_month": 30_000}))
    assert plan.objective == approx(74_000)
    assert plan.target("reps", M1, "team") == 4
    assert plan.target("leads_per_month", M1) == approx(1200)
    name = f"marketing-ad_budget[{M1}]"
    assert binding(plan) == {name, f"sales-lead_supply[{M1}]"}
    assert_clean_binding(plan, name, 3.0)
    assert_room(plan, name, increase=2000)
    assert_room(plan, name, decrease=30_000 - 16_000 / 3)
    assert plan.parameter("marketing.ad_budget_per_month")["marginal_value"] == approx(3.0)


def test_market_size_with_organic_leads(solved):
    """Market 1 200 leads a month, 200 of them organic (free): 1 000 paid leads.

    Whole reps: 3 -> 960 conv (200 organic + 760 paid): 96 000 - 19 000 - 12 000 = 65 000;
                4 -> 1 200 conv: 120 000 - 25 000 - 16 000 = 79 000   <- optimum;
                5 -> same leads, 4 000 more payroll.
    Shadow of the market size: one more reachable lead is bought at $25 and earns $100: $75.
    Allowable increase: 80 (the 4 reps' room). One more organic lead, with the market
    full, replaces a paid one: marginal value $25.
    """
    plan = solved(
        base(
            **{
                "marketing.market_size_leads_per_month": 1200,
                "marketing.organic_leads_per_month": 200,
            }
        )
    )
    assert plan.objective == approx(79_000)
    assert plan.target("reps", M1, "team") == 4
    assert plan.target("leads_per_month", M1) == approx(1200)
    assert plan.target("paid_leads_per_month", M1, "web") == approx(1000)
    assert plan.target("ad_spend_per_month", M1, "marketing") == approx(25_000)
    name = f"marketing-market_size[{M1}]"
    assert binding(plan) == {name, f"sales-lead_supply[{M1}]"}
    assert_clean_binding(plan, name, 75.0)
    assert_room(plan, name, increase=80)
    assert plan.parameter("marketing.organic_leads_per_month")["marginal_value"] == approx(25)


def test_addressable_market_over_two_months(solved):
    """Two months, 1 200 leads a month reachable, 2 300 in the whole addressable market.

    Reps are chosen each month; n reps hold 320 n conversations. Totals:
        (4, 4): 1 200 + 1 100 fits (market <= 1 200 and reps <= 1 280 each month)
                -> 2 300 * 75 - 8 * 4 000 = 172 500 - 32 000 = 140 500   <- optimum
        (4, 3): at most 1 200 + 960 = 2 160 -> 162 000 - 28 000 = 134 000
        (5, 3): the same 2 160 leads, more payroll.
    Shadow of the addressable market: one more lead, bought in the month below 1 200: $75.
    Allowable increase: 100, until both months are at the 1 200 market size.
    Allowable decrease: the month below the market loses leads until its own profit goal
    binds, 75 * l = 16 000 -> l = 213.33, so 1 100 - 213.33 = 886.67.
    Which month takes 1 200 and which 1 100 was a tie (the months are identical); the tie
    order (``optimizer.analysis.ties``) now settles it: the steadiest volumes, 1 150 leads in each
    month (no change from month to month, the same profit), so no month's market size binds.
    The ranging is the leader's LP's (its basis has one month at the market size).
    """
    plan = solved(
        base(
            **{
                "calendar.horizon_months": 2,
                "marketing.market_size_leads_per_month": 1200,
                "marketing.total_addressable_market_leads": 2300,
            }
        )
    )
    assert plan.objective == approx(140_500)
    leads = [plan.target("leads_per_month", m) for m in (M1, M2)]
    assert sum(leads) == approx(2300)
    assert leads == [approx(1150), approx(1150)]
    assert [plan.target("reps", m, "team") for m in (M1, M2)] == [4, 4]
    name = "marketing-addressable_market"
    assert_clean_binding(plan, name, 75.0)
    row = plan.constraint(name)
    assert row["period"] == "horizon"
    assert_room(plan, row, increase=100)
    assert_room(plan, row, decrease=1100 - 16_000 / 75)
    markets = [f"marketing-market_size[{m}]" for m in (M1, M2)]
    assert sum(plan.constraint(m)["binding"] for m in markets) == 0
    assert all(shadow(plan, m) == 0 for m in markets)
    assert binding(plan) - set(markets) == {
        name,
        f"sales-lead_supply[{M1}]",
        f"sales-lead_supply[{M2}]",
    }


def test_spend_per_marketer(solved):
    """Each marketer runs $10 000 of ads (400 leads) and costs $8 000; market 1 300 leads.

        3 marketers, 4 reps: 1 200 leads -> 90 000 - 16 000 - 24 000 = 50 000   <- optimum
        4 marketers, 4 reps: 1 280 leads -> 96 000 - 16 000 - 32 000 = 48 000
        4 marketers, 5 reps: 1 300 leads -> 97 500 - 20 000 - 32 000 = 45 500
        2 marketers, 3 reps:   800 leads -> 60 000 - 12 000 - 16 000 = 32 000
    Spend = 30 000 = 3 * 10 000 binds. Shadow: $1 more spend room = 1/25 lead -> $3.
    Allowable increase: 80 leads to fill the 4 reps = $2 000.
    Marginal value of the spend a marketer can run: 3 marketers * $3 = $9 per dollar.
    """
    plan = solved(
        base(
            **{
                "marketing.ad_spend_per_marketer_per_month": 10_000,
                "marketing.marketers.cost_per_person_per_month": 8000,
                "marketing.market_size_leads_per_month": 1300,
            }
        )
    )
    assert plan.objective == approx(50_000)
    assert plan.target("marketers", M1) == 3
    assert plan.target("reps", M1, "team") == 4
    assert plan.target("ad_spend_per_month", M1, "marketing") == approx(30_000)
    name = f"marketing-spend_per_marketer[{M1}]"
    assert binding(plan) == {name, f"sales-lead_supply[{M1}]"}
    assert_clean_binding(plan, name, 3.0)
    assert plan.constraint(name)["limit"] == approx(30_000)
    assert_room(plan, name, increase=2000)
    path = "marketing.ad_spend_per_marketer_per_month"
    assert plan.parameter(path)["marginal_value"] == approx(9.0)


def test_marketers_max(solved):
    """At most 2 marketers ($3 000 each), each runs $10 000 of ads (400 leads).

        2 marketers: $20 000 -> 800 leads, 3 reps (960 room): 60 000 - 12 000 - 6 000 = 42 000
        1 marketer:  400 leads, 2 reps: 30 000 - 8 000 - 3 000 = 19 000
    Shadow of the cap (the marketer count may rise past 2 in the LP): one more marketer
    runs $10 000 more at $3 of profit per dollar, less $3 000 pay: 27 000.
    Allowable increase: the 3 reps have room for 160 more leads = $4 000 = 0.4 marketer.
    """
    plan = solved(
        base(
            **{
                "marketing.ad_spend_per_marketer_per_month": 10_000,
                "marketing.marketers.cost_per_person_per_month": 3000,
                "marketing.marketers.max": 2,
            }
        )
    )
    assert plan.objective == approx(42_000)
    assert plan.target("marketers", M1) == 2
    assert plan.target("reps", M1, "team") == 3
    assert plan.target("leads_per_month", M1) == approx(800)
    name = f"marketing-marketers_max[{M1}]"
    assert binding(plan) == {
        name,
        f"marketing-spend_per_marketer[{M1}]",
        f"sales-lead_supply[{M1}]",
    }
    assert_clean_binding(plan, name, 27_000.0)
    assert_room(plan, name, increase=0.4)
    assert shadow(plan, f"marketing-spend_per_marketer[{M1}]") == approx(3.0)
    assert plan.parameter("marketing.marketers.max")["marginal_value"] == approx(27_000)


def test_marketers_min(solved):
    """At least 2 marketers at $1 000, with nothing for them to do: the base plan less $2 000.

    Base: 10 reps at the cap, 3 200 conversations: 3 200 * 75 - 40 000 = 200 000;
    with 2 idle marketers 198 000. Raising the minimum puts one more marketer on the
    payroll: -$1 000 per person. A binding minimum headcount is always reported as
    degenerate (the held count cannot rise in the fixed-headcount LP; see the report), so
    its price is the one-sided rate; lowering the minimum is worth +$1 000 down to 0.
    """
    plan = solved(base(**{"marketing.marketers.min": 2}))
    assert plan.objective == approx(198_000)
    assert plan.target("marketers", M1) == 2
    name = f"marketing-marketers_min[{M1}]"
    assert binding(plan) == {
        name,
        f"sales-reps_max[{M1},team]",
        f"sales-selling_time[{M1},team]",
        f"sales-lead_supply[{M1}]",
    }
    row = plan.constraint(name)
    assert row["shadow_price"] == approx(-1000)
    assert_room(plan, row, decrease=2)


# ---------------------------------------------------------------------------------------
# sales
# ---------------------------------------------------------------------------------------


def test_reps_max_in_the_base_plan(solved):
    """Base with the market at 4 000 leads; max_profit.

    Every rep earns $20 000 (see the module docstring), so all 10 are hired:
        profit = 10 * 20 000 = 200 000; 3 200 conversations, 3 200 leads, $80 000 of ads.
    Shadow of the cap: one more (fractional) rep = $20 000. Allowable increase: the market
    feeds 4 000 / 320 = 12.5 reps, so 2.5. Selling time: $75 / 30 min = $2.50 a minute.
    Lead supply (time binds): a conversation needing no lead saves its $25 lead.
    Per-rep targets: 320 / 20 = 16 calls a day, 2 an hour, quota 32 * 1 000 = $32 000.
    """
    plan = solved(base(**{"marketing.market_size_leads_per_month": 4000}))
    assert plan.objective == approx(200_000)
    assert plan.target("reps", M1, "team") == 10
    assert plan.target("conversations_per_month", M1, "team") == approx(3200)
    assert plan.target("calls_per_rep_per_day", M1, "team") == approx(16)
    assert plan.target("calls_per_rep_per_hour", M1, "team") == approx(2)
    assert plan.target("quota_per_rep_per_month", M1, "team") == approx(32_000)
    assert plan.target("ad_spend_per_month", M1, "marketing") == approx(80_000)
    name = f"sales-reps_max[{M1},team]"
    assert binding(plan) == {
        name,
        f"sales-selling_time[{M1},team]",
        f"sales-lead_supply[{M1}]",
    }
    assert_clean_binding(plan, name, 20_000.0)
    assert_room(plan, name, increase=2.5)
    assert shadow(plan, f"sales-selling_time[{M1},team]") == approx(2.5)
    assert shadow(plan, f"sales-lead_supply[{M1}]") == approx(25)


def test_reps_min_holds_unprofitable_reps(solved):
    """Reps cost $30 000 but earn 320 * 75 = $24 000: each loses $6 000; at least 2 stay.

    The plan keeps the minimum, 2 reps, busy (a conversation still earns $75):
        profit = 640 * 75 - 60 000 = -12 000   (profit target -100 000: the goal is slack)
    Shadow of the minimum: one more forced rep = -$6 000 (one-sided, the row is reported
    degenerate like every binding minimum headcount). Lowering the minimum frees a rep
    at a time, down to 0: allowable decrease 2.
    """
    plan = solved(
        base(
            **{
                "sales.teams[0].reps.min": 2,
                "sales.teams[0].reps.cost_per_person_per_month": 30_000,
                "finance.profit_target_per_month": -100_000,
                "marketing.market_size_leads_per_month": 4000,
            }
        )
    )
    assert plan.objective == approx(-12_000)
    assert plan.target("reps", M1, "team") == 2
    name = f"sales-reps_min[{M1},team]"
    assert binding(plan) == {
        name,
        f"sales-selling_time[{M1},team]",
        f"sales-lead_supply[{M1}]",
    }
    row = plan.constraint(name)
    assert row["shadow_price"] == approx(-6000)
    assert_room(plan, row, decrease=2)
    assert shadow(plan, f"sales-selling_time[{M1},team]") == approx(2.5)


def test_selling_time_with_lost_hours_and_admin(solved):
    """Reps lose 1 h to travel and 1 h to meetings; each conversation has 6 admin minutes.

        selling minutes per rep = 20 days * (8 - 1 - 1) h * 60 = 7 200
        minutes per conversation = 30 + 6 admin = 36 -> 200 conversations per rep
    Leads cost $28: margin 100 - 28 = $72 a conversation = 72 / 36 = $2 a selling minute.
    Reps capped at 3 (a rep earns 200 * 72 - 4 000 = 10 400 > 0); the market is 1 000 leads.
        profit = 600 * 72 - 12 000 = 31 200; 600 * 36 = 21 600 minutes used of 3 * 7 200.
    Shadow of selling time: $2 a minute. Allowable increase: the market allows 400 more
    conversations = 14 400 minutes. Allowable decrease: the profit goal 72 c - 12 000 >= 0
    holds down to c = 166.67 conversations, i.e. (600 - 166.67) * 36 = 15 600 minutes.
    Marginal values: an hour more travel a day costs 20 * 60 * 3 reps * $2 = $7 200; a
    minute more admin per conversation costs 600 * $2 = $1 200.
    Targets: 200 / 20 = 10 calls a rep a day, 1.25 an hour, 30 minutes a conversation.
    """
    plan = solved(
        base(
            **{
                "sales.teams[0].hours_lost_per_day": {"travel": 1, "meetings": 1},
                "sales.teams[0].admin_minutes_per_conversation": 6,
                "sales.teams[0].reps.max": 3,
                "marketing.channels[0].tiers[0].cost_per_lead": 28,
                "marketing.market_size_leads_per_month": 1000,
            }
        )
    )
    assert plan.objective == approx(31_200)
    assert plan.target("reps", M1, "team") == 3
    assert plan.target("calls_per_rep_per_day", M1, "team") == approx(10)
    assert plan.target("calls_per_rep_per_hour", M1, "team") == approx(1.25)
    assert plan.target("minutes_per_conversation", M1, "team") == approx(30)
    name = f"sales-selling_time[{M1},team]"
    row = plan.constraint(name)
    assert row["activity"] == approx(21_600)
    assert row["limit"] == approx(21_600)
    assert binding(plan) == {
        name,
        f"sales-reps_max[{M1},team]",
        f"sales-lead_supply[{M1}]",
    }
    assert_clean_binding(plan, name, 2.0)
    assert_room(plan, row, increase=14_400)
    assert_room(plan, row, decrease=15_600)
    assert shadow(plan, f"sales-reps_max[{M1},team]") == approx(10_400)
    assert shadow(plan, f"sales-lead_supply[{M1}]") == approx(28)
    team = "sales.teams[team]"
    assert plan.parameter(f"{team}.hours_lost_per_day.travel")["marginal_value"] == approx(-7200)
    assert plan.parameter(f"{team}.admin_minutes_per_conversation")["marginal_value"] == approx(
        -1200
    )


def test_lead_supply_from_organic_leads_only(solved):
    """No paid channel: 1 000 organic leads, 50 % qualified, 3 touches per lead.

        conversations <= 3 * 0.5 * 1 000 = 1 500
    Whole reps: 5 reps (1 600 room): 1 500 * 100 - 20 000 = 130 000 (leads are free);
                4 reps (1 280):     1 280 * 100 - 16 000 = 112 000.
    Shadow of lead supply: one more conversation, time to spare, earns $100.
    Allowable increase: 100 (the 5 reps' room). Allowable decrease: the profit goal
    100 c - 20 000 >= 0 holds down to c = 200, so 1 300.
    Marginal values: an organic lead = 1.5 conversations = $150; the qualified share
    = 3 * 1 000 * $100 = $300 000 per unit; a touch per lead = 0.5 * 1 000 * $100 = $50 000.
    """
    plan = solved(
        base(
            **{
                "marketing.channels": [],
                "marketing.organic_leads_per_month": 1000,
                "marketing.market_size_leads_per_month": 2000,
                "marketing.qualified_lead_share": 0.5,
                "sales.touches_per_lead": 3,
            }
        )
    )
    assert plan.objective == approx(130_000)
    assert plan.target("reps", M1, "team") == 5
    assert plan.target("conversations_per_month", M1, "team") == approx(1500)
    assert plan.target("qualified_leads_per_month", M1) == approx(500)
    assert plan.target("ad_spend_per_month", M1, "marketing") == approx(0)
    # 1 500 conversations over 5 reps, each qualified lead touched 3 times: 300 / 1.5
    assert plan.target("leads_needed_per_rep_per_month", M1, "team") == approx(200)
    name = f"sales-lead_supply[{M1}]"
    assert binding(plan) == {name}
    assert_clean_binding(plan, name, 100.0)
    row = plan.constraint(name)
    assert row["limit"] == approx(1500)
    assert_room(plan, row, increase=100)
    assert_room(plan, row, decrease=1300)
    assert plan.parameter("marketing.organic_leads_per_month")["marginal_value"] == approx(150)
    assert plan.parameter("marketing.qualified_lead_share")["marginal_value"] == approx(300_000)
    assert plan.parameter("sales.touches_per_lead")["marginal_value"] == approx(50_000)


QUALITY = {
    "sales.min_minutes_per_quality_conversation": 20,
    "sales.teams[0].reps.max": 3,
    "marketing.channels[0].tiers[0].cost_per_lead": 10,
}


def test_quality_floor_prices_a_forbidden_profitable_short_tier(solved):
    """Tiers: 10 min at 5 % and 30 min at 10 %; the floor is 20 min; leads $10; 3 reps.

    Per selling minute: short (0.05 * 1 000 - 10) / 10 = $4; long (100 - 10) / 30 = $3.
    The short tier would pay better but is below the floor, so all time goes to the long:
        3 * 320 = 960 conversations: 96 000 - 9 600 - 12 000 = 74 400.
    Shadow of the floor row (short conversations <= 0): one short conversation earns
    $40 and takes 10 minutes from long ones worth $3 each: 40 - 30 = $10.
    Allowable increase: until short conversations fill all 28 800 minutes: 2 880.
    Selling time $3 a minute; reps cap 9 600 * 3 - 4 000 = $24 800; lead supply $10.
    """
    plan = solved(
        base(
            **QUALITY,
            **{
                "sales.conversation_tiers": [
                    {"minutes": 10, "conversion_rate": 0.05},
                    {"minutes": 30, "conversion_rate": 0.1},
                ]
            },
        )
    )
    assert plan.objective == approx(74_400)
    assert var(plan, f"conversations[{M1},team,10min]") == approx(0)
    assert var(plan, f"conversations[{M1},team,30min]") == approx(960)
    assert plan.target("minutes_per_conversation", M1, "team") == approx(30)
    assert plan.target("calls_per_rep_per_day", M1, "team") == approx(16)
    name = f"sales-quality_floor[{M1},team]"
    assert binding(plan) == {
        name,
        f"sales-selling_time[{M1},team]",
        f"sales-reps_max[{M1},team]",
        f"sales-lead_supply[{M1}]",
    }
    assert_clean_binding(plan, name, 10.0)
    assert_room(plan, name, increase=2880)
    assert shadow(plan, f"sales-selling_time[{M1},team]") == approx(3)
    assert shadow(plan, f"sales-reps_max[{M1},team]") == approx(24_800)
    assert shadow(plan, f"sales-lead_supply[{M1}]") == approx(10)


def test_quality_floor_costs_nothing_when_the_short_tier_pays_less(solved):
    """Same, but the short tier converts 2 %: (20 - 10) / 10 = $1 a minute < $3.

    Nothing is lost to the floor: the plan is the same 74 400 and the floor's price is 0.
    """
    plan = solved(
        base(
            **QUALITY,
            **{
                "sales.conversation_tiers": [
                    {"minutes": 10, "conversion_rate": 0.02},
                    {"minutes": 30, "conversion_rate": 0.1},
                ]
            },
        )
    )
    assert plan.objective == approx(74_400)
    assert var(plan, f"conversations[{M1},team,10min]") == approx(0)
    assert shadow(plan, f"sales-quality_floor[{M1},team]") == 0


def test_fifty_calls_a_day_in_a_plan(solved):
    """The seed's rep: 8-hour days, 20 days, 9.6-minute calls, no lost hours.

    9 600 minutes / 9.6 = 1 000 calls a rep a month = 50 a day = 6.25 an hour, each on a
    new lead: 1 000 leads per rep. At 1 % and $10 000 a deal a call earns $100 on a $25
    lead, so both reps (the cap) are full: 2 000 * 75 - 8 000 = 142 000.
    """
    plan = solved(
        base(
            **{
                "sales.conversation_tiers": [{"minutes": 9.6, "conversion_rate": 0.01}],
                "sales.teams[0].average_deal_value": 10_000,
                "sales.teams[0].reps.max": 2,
            }
        )
    )
    assert plan.objective == approx(142_000)
    assert plan.target("calls_per_rep_per_day", M1, "team") == approx(50)
    assert plan.target("calls_per_rep_per_hour", M1, "team") == approx(6.25)
    assert plan.target("minutes_per_conversation", M1, "team") == approx(9.6)
    assert plan.target("leads_needed_per_rep_per_month", M1, "team") == approx(1000)


def test_seed_article_arithmetic():
    """50 calls in an 8-hour day: 6.25 an hour, at most 9.6 min (9 min 36 s) a call;
    over 20 business days 1 000 new leads per rep a month when every call needs one."""
    assert implied.calls_per_hour(50, 8) == pytest.approx(6.25)
    minutes = implied.minutes_per_call(50, 8 * 60)
    assert minutes == pytest.approx(9.6)
    assert implied.minutes_and_seconds(minutes) == "9 min 36 s"
    assert implied.leads_per_rep_per_month(50, 20) == pytest.approx(1000)
    assert implied.leads_per_rep_per_month(50, 20, touches_per_lead=2) == pytest.approx(500)
    assert implied.minutes_and_seconds(10) == "10 min"
    assert implied.minutes_per_call(0, 480) == math.inf


# ---------------------------------------------------------------------------------------
# delivery
# ---------------------------------------------------------------------------------------

DELIVERY = {
    "units_per_deal": 10,
    "units_per_worker_per_month": 30,
    "workers": {"min": 0, "max": 100, "cost_per_person_per_month": 1000},
    "unit_cost": 10,
    "lead_time_months": 0,
}
"""A deal is 10 units; a worker builds 30 units (3 deals) a month for $1 000; $10 a unit.

Per deal: $1 000 revenue - 10 leads * $25 - 10 units * $10 = $650, so a worker's 3 deals
earn 3 * 650 - 1 000 = $950. One more unit of capacity is 0.1 deal: 0.1 * 750 - 10 = $65.
"""


def test_delivery_capacity(solved):
    """Market 1 000 leads = 100 deals at most; reps cost $100 (cheap: 4 reps hold 128 deals).

        33 workers: 990 units -> 99 deals: 99 * 650 - 4 * 100 - 33 000 = 30 950   <- optimum
        34 workers: 100 deals (the market): 65 000 - 400 - 34 000     = 30 600
        32 workers:  96 deals, 3 reps:      62 400 - 300 - 32 000     = 30 100
    The 34th worker would add only 1 deal ($650) for $1 000.
    Shadow of capacity: one more unit = 0.1 deal = $65. Allowable increase: 10 units
    (one more deal fills the market). On time (production >= units sold): forcing one
    unit more than is sold takes it from a sale: -0.1 * $750 = -$75 (the unit is built
    either way, so no saving on its cost).
    """
    plan = solved(
        base(
            **{
                "delivery": DELIVERY,
                "marketing.market_size_leads_per_month": 1000,
                "sales.teams[0].reps.cost_per_person_per_month": 100,
            }
        )
    )
    assert plan.objective == approx(30_950)
    assert plan.target("workers", M1) == 33
    assert plan.target("reps", M1, "team") == 4
    assert plan.target("deals_per_month", M1, "team") == approx(99)
    assert plan.target("units_built_per_month", M1) == approx(990)
    assert plan.target("units_per_worker_per_month", M1) == approx(30)
    assert plan.target("cost_of_goods", M1) == approx(9900)
    name = f"delivery-capacity[{M1}]"
    assert binding(plan) == {name, f"sales-lead_supply[{M1}]"}  # on time: an identity
    assert plan.constraint(f"delivery-on_time[{M1}]")["row_kind"] == "identity"
    assert_clean_binding(plan, name, 65.0)
    assert_room(plan, name, increase=10)
    assert shadow(plan, f"delivery-on_time[{M1}]") == approx(-75)


def test_delivery_workers_max(solved):
    """At most 5 workers: 150 units = 15 deals; one $1 000 rep holds 32 deals.

        profit = 15 * 650 - 1 000 - 5 * 1 000 = 3 750   (4 workers: 7 800 - 5 000 = 2 800)
    Shadow of the cap: one more worker = 3 deals * 650 - 1 000 = $950.
    Allowable increase: the rep has room for 32 deals = 320 units = 10.67 workers: 5.67.
    """
    delivery = copy.deepcopy(DELIVERY)
    delivery["workers"]["max"] = 5
    plan = solved(
        base(
            **{
                "delivery": delivery,
                "sales.teams[0].reps.cost_per_person_per_month": 1000,
            }
        )
    )
    assert plan.objective == approx(3750)
    assert plan.target("workers", M1) == 5
    assert plan.target("reps", M1, "team") == 1
    assert plan.target("units_sold_per_month", M1) == approx(150)
    name = f"delivery-workers_max[{M1}]"
    assert binding(plan) == {
        name,
        f"delivery-capacity[{M1}]",
        f"sales-lead_supply[{M1}]",
    }  # on time with no lead time is an identity, never binding
    assert_clean_binding(plan, name, 950.0)
    assert_room(plan, name, increase=320 / 30 - 5)
    assert shadow(plan, f"delivery-capacity[{M1}]") == approx(65)
    assert plan.parameter("delivery.workers.max")["marginal_value"] == approx(950)


def test_delivery_on_time_with_a_one_month_lead_time(solved):
    """Two months, lead time 1, one $100 worker a month at most (30 units), one $1 000 rep.

    With lead time 1 the delivery rows are
        on_time  month 1: production[1]                 >= 0
        on_time  month 2: production[1] + production[2] >= sold[1] + sold[2]  (all built
                          by the horizon's end: a lead time shifts work, it is not free)
        build_to_order month 1: production[1] <= sold[1]
    so at most 60 units = 6 deals over both months, and month 1 may sell all 6 because
    month 2 still builds for it. The profit goal (0) is over the horizon: with a monthly
    goal, month 2 would need sales of its own to pay its worker and materials. Each deal nets 1 000 - 10 leads * 25 - 10 units * 10 = 650.
        all 6 deals in month 1, rep in month 1 only: 3 900 - 1 000 - 2 * 100 = 2 700 <- optimum
        3 deals a month, a rep each month:        3 900 - 2 000 - 200      = 1 700
    Shadows: each month's capacity +1 unit -> +0.1 month-1 deal: $65;
    on_time[month 2] +1 unit owed -> one unit fewer sold: -0.1 * (1 000 - 250) = -$75
    (the unit is still built and paid for); each worker cap: 30 * 65 - 100 = $1 850,
    with room for 40 / 30 more workers before month 1 hits its market of 10 deals.
    """
    delivery = copy.deepcopy(DELIVERY)
    delivery.update(lead_time_months=1, workers={"max": 1, "cost_per_person_per_month": 100})
    plan = solved(
        base(
            **{
                "calendar.horizon_months": 2,
                "delivery": delivery,
                "finance.goal_period": "horizon",
                "marketing.market_size_leads_per_month": 100,
                "sales.teams[0].reps.cost_per_person_per_month": 1000,
            }
        )
    )
    assert plan.objective == approx(2700)
    assert plan.target("deals_per_month", M1, "team") == approx(6)
    assert abs(plan.target("deals_per_month", M2, "team")) < 1e-9
    assert plan.target("reps", M2, "team") == 0
    assert plan.target("units_built_per_month", M1) == approx(30)
    assert plan.target("units_built_per_month", M2) == approx(30)
    assert plan.target("cost_of_goods", M2) == approx(300)
    on_time = f"delivery-on_time[{M2}]"
    row = plan.constraint(on_time)
    assert row["activity"] == approx(60)
    assert row["limit"] == approx(60)
    assert not plan.constraint(f"delivery-build_to_order[{M1}]")["binding"]
    assert shadow(plan, on_time) == approx(-75)
    for m in (M1, M2):
        assert shadow(plan, f"delivery-capacity[{m}]") == approx(65.0)
        assert shadow(plan, f"delivery-workers_max[{m}]") == approx(1850.0)
        assert_room(plan, f"delivery-workers_max[{m}]", increase=40 / 30)


def test_nothing_sold_is_left_unbuilt_at_the_end_of_the_horizon(solved):
    """With no workers at all nothing can be built, so nothing may be sold, lead time or not."""
    delivery = copy.deepcopy(DELIVERY)
    delivery.update(lead_time_months=1, workers={"max": 0, "cost_per_person_per_month": 1000})
    plan = solved(base(**{"calendar.horizon_months": 2, "delivery": delivery}))
    deals = plan.targets[plan.targets["metric"] == "deals_per_month"]["value"]
    assert deals.abs().max() < 1e-9
    assert abs(plan.objective) < 1e-6


# ---------------------------------------------------------------------------------------
# support
# ---------------------------------------------------------------------------------------


SUPPORT = {
    "installed_base_customers": 850,
    "new_customers_per_deal": 1,
    "tickets_per_customer_per_month": 0.5,
    "handle_minutes_per_ticket": 12,
    "max_occupancy": 0.8,
    "shrinkage": 0.25,
    "agents": {"min": 0, "max": 1, "cost_per_person_per_month": 3000},
}


def test_support_capacity(solved):
    """One agent (the cap, $3 000) with 25 % shrinkage and 80 % maximum occupancy.

        minutes per agent = 20 days * 8 h * 60 * (1 - 0.25) * 0.8 = 5 760
        tickets per agent = 5 760 / 12 min = 480
        tickets           = 0.5 * (850 installed + 1 per deal * deals) = 425 + 0.5 deals
    so deals <= (480 - 425) / 0.5 = 110. Whole reps: 4 hold 128 deals:
        110 * 750 - 16 000 - 3 000 = 63 500;  3 reps (96 deals): 72 000 - 12 000 - 3 000.
    Shadow of support capacity: one more minute = 1/12 ticket = 1/6 deal = 750 / 6 = $125.
    Allowable increase: the 4 reps have room for 18 more deals = 9 tickets = 108 minutes.
    Agents cap: 5 760 * 125 - 3 000 = $717 000. Marginal value of one more installed
    customer: 0.5 ticket = 6 minutes = -$750 (one deal fewer).
    Targets: 480 tickets, 480 / 20 = 24 tickets an agent a day.
    """
    plan = solved(base(support=SUPPORT))
    assert plan.objective == approx(63_500)
    assert plan.target("agents", M1) == 1
    assert plan.target("reps", M1, "team") == 4
    assert plan.target("deals_per_month", M1, "team") == approx(110)
    assert plan.target("tickets_per_month", M1) == approx(480)
    assert plan.target("tickets_per_agent_per_day", M1) == approx(24)
    name = f"support-capacity[{M1}]"
    row = plan.constraint(name)
    assert row["activity"] == approx(5760)
    assert row["limit"] == approx(5760)
    assert binding(plan) == {
        name,
        f"support-agents_max[{M1}]",
        f"sales-lead_supply[{M1}]",
    }
    assert_clean_binding(plan, name, 125.0)
    assert_room(plan, row, increase=108)
    assert shadow(plan, f"support-agents_max[{M1}]") == approx(717_000)
    assert plan.parameter("support.installed_base_customers")["marginal_value"] == approx(-750)


def test_support_customers_won_stay_customers(solved):
    """The same support over two months: a customer won in month 1 still files tickets in 2.

        month 1 tickets: 425 + 0.5 * D1        <= 480
        month 2 tickets: 425 + 0.5 * (D1 + D2) <= 480  ->  D1 + D2 <= 110
    So the two months share the 110 deals the one agent can serve (not 110 each). They
    need 110 / 32 = 3.4 -> 4 rep-months in all (how they split is a tie), and the agent
    is needed both months for the installed base:
        profit = 110 * 750 - 4 * 4 000 - 2 * 3 000 = 82 500 - 16 000 - 6 000 = 60 500
    """
    plan = solved(base(support=SUPPORT, **{"calendar.horizon_months": 2}))
    assert plan.objective == approx(60_500)
    deals = [plan.target("deals_per_month", m, "team") for m in (M1, M2)]
    assert sum(deals) == approx(110)
    assert sum(plan.target("reps", m, "team") for m in (M1, M2)) == 4
    assert [plan.target("agents", m) for m in (M1, M2)] == [1, 1]
    assert plan.target("tickets_per_month", M1) == approx(425 + 0.5 * deals[0])
    assert plan.target("tickets_per_month", M2) == approx(480)
    assert plan.constraint(f"support-capacity[{M2}]")["binding"]


# ---------------------------------------------------------------------------------------
# finance and the objectives
# ---------------------------------------------------------------------------------------

GOAL = {
    "finance.fixed_bills_per_month": 10_000,
    "finance.retained_earnings_per_month": 8000,
    "finance.profit_target_per_month": 30_000,
}


def test_profit_goal_under_min_cost_prices_profit_at_its_marginal_cost(solved):
    """min_cost: the cheapest plan that still makes 8 000 + 30 000 = $38 000 of profit.

    A deal earns $1 000 for 10 leads ($250): $750 of profit at $250 of cost. With n reps
        profit = 750 D - 4 000 n - 10 000 >= 38 000, D <= 32 n
        n = 2: D <= 64 -> at most 48 000 - 18 000 = 30 000 < 38 000: not enough
        n = 3: D = (38 000 + 12 000 + 10 000) / 750 = 80 <= 96
               cost = 80 * 250 + 12 000 + 10 000 = 42 000          <- optimum
        n = 4: D = 85.33, cost = 21 333 + 16 000 + 10 000 = 47 333
    Shadow of the goal: $1 more profit needs 1/750 deal costing 250/750 = $0.3333.
    Allowable increase: 16 more deals fill the 3 reps: 16 * 750 = $12 000.
    Marginal values: the profit target and the retained earnings $0.3333 each; a fixed
    bill dollar costs itself and a third more to earn back: $1.3333.
    Under max_profit the same company hires all 10 reps instead:
        3 200 * 75 - 40 000 - 10 000 = 190 000.
    """
    data = base(**GOAL)
    plan = solved(data, "min_cost")
    assert plan.objective_name == "min_cost"
    assert plan.objective == approx(42_000)
    assert plan.target("reps", M1, "team") == 3
    assert plan.target("deals_per_month", M1, "team") == approx(80)
    assert plan.target("profit", M1) == approx(38_000)
    assert plan.target("ad_spend_per_month", M1, "marketing") == approx(20_000)
    name = f"finance-profit_goal[{M1}]"
    assert binding(plan) == {name, f"sales-lead_supply[{M1}]"}
    assert_clean_binding(plan, name, 1 / 3)
    assert_room(plan, name, increase=12_000)
    for path in ("finance.profit_target_per_month", "finance.retained_earnings_per_month"):
        assert plan.parameter(path)["marginal_value"] == approx(1 / 3)
    assert plan.parameter("finance.fixed_bills_per_month")["marginal_value"] == approx(4 / 3)

    best = solved(data, "max_profit")
    assert best.objective == approx(190_000)
    assert best.target("reps", M1, "team") == 10
    assert not best.constraint(name)["binding"]


def test_closest_to_current_reaches_feasible_targets_exactly(solved):
    """Today: 3 reps at 10 calls a day = 10 * 20 * 3 = 600 conversations a month.

    3 reps hold 960, so both targets are met exactly and the deviation is 0.
    """
    data = base(current_targets={"reps": {"team": 3}, "calls_per_rep_per_day": 10})
    plan = solved(data, "closest_to_current")
    assert plan.objective_name == "closest_to_current"
    assert plan.objective == approx(0)
    assert plan.target("reps", M1, "team") == 3
    assert plan.target("calls_per_rep_per_day", M1, "team") == approx(10)
    assert plan.target("conversations_per_month", M1, "team") == approx(600)
    assert not plan.constraint(f"sales-selling_time[{M1},team]")["binding"]


def test_closest_to_current_with_impossible_targets(solved):
    """Today: 4 reps at 20 calls a day, but 30-minute calls in an 8-hour day allow 16.

    Deviations, each a share of its own target (weights 1):
        calls: |conversations - 20 * 20 * reps| / (400 * 4 reps) = |c - 400 r| / 1 600
        reps:  |reps - 4| / 4
    With c <= 320 r the calls gap is at least 80 r, so the deviation is r / 20 + |r - 4| / 4:
        r = 4: 0.2 + 0     = 0.2   <- optimum (16 calls a day, 1 280 conversations)
        r = 3: 0.15 + 0.25 = 0.4;  r = 5: 0.25 + 0.25 = 0.5;  r = 0: 0 + 1 = 1
    Shadow of selling time: a minute more is 1/30 conversation, cutting the calls
    deviation by 1 / (30 * 1 600) = 1/48 000. Allowable increase: 320 more conversations
    would meet 20 a day: 320 * 30 = 9 600 minutes.
    """
    data = base(current_targets={"reps": {"team": 4}, "calls_per_rep_per_day": 20})
    plan = solved(data, "closest_to_current")
    assert plan.objective == approx(0.2)
    assert plan.target("reps", M1, "team") == 4
    assert plan.target("calls_per_rep_per_day", M1, "team") == approx(16)
    assert plan.target("conversations_per_month", M1, "team") == approx(1280)
    name = f"sales-selling_time[{M1},team]"
    assert_clean_binding(plan, name, -1 / 48_000)
    assert_room(plan, name, increase=9600)
    assert var(plan, f"under_calls_per_rep_per_day[{M1},team]") == approx(320)
