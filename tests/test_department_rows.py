"""Each department's rows, built and read without solving: coefficients and limits by hand.

The seed company (``scenarios/seed_company.yaml``: one month, one team, 20 business days of
8 hours) is built and every row of every department is read back as ``{variable:
coefficient}`` with its lower and upper limit, against numbers worked out on paper from the
scenario file. A row that is written ``lhs <= rhs_terms + rhs`` in the department's module
is stored as ``lhs - rhs_terms <= rhs``, so a right-hand term shows with its sign flipped.
"""

from __future__ import annotations

import math

import pytest

from optimizer.model.chain import build_model
from optimizer.scenario.loading import load_scenario

SEED = "scenarios/seed_company.yaml"
M = "2027-01"
INF = math.inf


@pytest.fixture(scope="module")
def rows():
    """``rows(name)``: (coefficients by variable name, lower, upper) of the row ``name``."""
    model, _ = build_model(load_scenario(SEED))
    a = model.arrays()
    names, columns = model.row_names(), model.var_names()
    index = {name: i for i, name in enumerate(names)}

    def get(name: str):
        row = index[name]
        mask = a.rows == row
        coefs: dict[str, float] = {}
        for col, val in zip(a.cols[mask], a.vals[mask]):
            coefs[columns[col]] = coefs.get(columns[col], 0.0) + float(val)
        return {k: v for k, v in coefs.items() if v != 0}, a.row_lower[row], a.row_upper[row]

    get.names = names
    return get


def conv(minutes: int) -> str:
    return f"conversations[{M},field,{minutes}min]"


TIERS = (5, 10, 20, 30, 45)


# ---- marketing ---------------------------------------------------------------------------


def test_marketing_rows(rows):
    paid = [
        f"paid_leads[{M},{t}]" for t in ("search:1", "search:2", "search:3", "social:1", "social:2")
    ]
    # leads = 300 organic + every paid lead
    assert rows(f"marketing-lead_total[{M}]") == (
        {f"leads[{M}]": 1, **dict.fromkeys(paid, -1.0)},
        300,
        300,
    )
    # ad spend = $40, $65, $110, $30 and $55 a lead
    price = dict(zip(paid, (-40.0, -65.0, -110.0, -30.0, -55.0)))
    assert rows(f"marketing-spend_total[{M}]") == ({f"ad_spend[{M}]": 1, **price}, 0, 0)
    # four tiers have a volume (the third search tier is unlimited)
    for tier, width in (
        ("search:1", 400),
        ("search:2", 600),
        ("social:1", 500),
        ("social:2", 1000),
    ):
        assert rows(f"marketing-tier_volume[{M},{tier}]") == (
            {f"paid_leads[{M},{tier}]": 1},
            -INF,
            width,
        )
    assert f"marketing-tier_volume[{M},search:3]" not in rows.names
    assert rows(f"marketing-ad_budget[{M}]") == ({f"ad_spend[{M}]": 1}, -INF, 40000)
    assert rows(f"marketing-market_size[{M}]") == ({f"leads[{M}]": 1}, -INF, 6000)
    # one marketer runs $25,000 of spend: spend - 25,000 marketers <= 0
    assert rows(f"marketing-spend_per_marketer[{M}]") == (
        {f"ad_spend[{M}]": 1, f"marketers[{M}]": -25000},
        -INF,
        0,
    )
    assert rows(f"marketing-marketers_max[{M}]") == ({f"marketers[{M}]": 1}, -INF, 3)
    assert rows(f"marketing-marketers_min[{M}]") == ({f"marketers[{M}]": 1}, 1, INF)


# ---- sales -------------------------------------------------------------------------------


def test_sales_rows(rows):
    # a rep sells 20 days x (8 - 0.5 - 0.75 - 1 - 0.25 hours) x 60 = 6,600 minutes a month;
    # a conversation takes its minutes plus 1 admin minute
    coefs, low, high = rows(f"sales-selling_time[{M},field]")
    assert coefs == {**{conv(t): t + 1.0 for t in TIERS}, f"reps[{M},field]": -6600}
    assert (low, high) == (-INF, 0)
    # one conversation per lead, 55 % of leads qualified
    assert rows(f"sales-lead_supply[{M}]") == (
        {**{conv(t): 1.0 for t in TIERS}, f"leads[{M}]": -0.55},
        -INF,
        0,
    )
    # below the 20-minute floor: the 5- and 10-minute conversations
    assert rows(f"sales-quality_floor[{M},field]") == ({conv(5): 1, conv(10): 1}, -INF, 0)
    rates = dict(zip(TIERS, (0.005, 0.015, 0.05, 0.08, 0.10)))
    assert rows(f"sales-deal_total[{M},field]") == (
        {f"deals[{M},field]": 1, **{conv(t): -r for t, r in rates.items()}},
        0,
        0,
    )
    assert rows(f"sales-reps_max[{M},field]") == ({f"reps[{M},field]": 1}, -INF, 12)
    assert rows(f"sales-reps_min[{M},field]") == ({f"reps[{M},field]": 1}, 2, INF)


# ---- delivery ----------------------------------------------------------------------------


def test_delivery_rows(rows):
    assert rows(f"delivery-units_total[{M}]") == (
        {f"units_sold[{M}]": 1, f"deals[{M},field]": -1},
        0,
        0,
    )
    # a worker builds 20 units a month
    assert rows(f"delivery-capacity[{M}]") == (
        {f"production[{M}]": 1, f"workers[{M}]": -20},
        -INF,
        0,
    )
    # no lead time: the month builds exactly what it sells
    assert rows(f"delivery-on_time[{M}]") == (
        {f"production[{M}]": 1, f"units_sold[{M}]": -1},
        0,
        0,
    )
    assert f"delivery-build_to_order[{M}]" not in rows.names  # only with a lead time
    assert rows(f"delivery-workers_max[{M}]") == ({f"workers[{M}]": 1}, -INF, 10)


# ---- support -----------------------------------------------------------------------------


def test_support_rows(rows):
    # tickets = 0.4 a customer x (600 customers + 1 new customer a deal)
    assert rows(f"support-ticket_total[{M}]") == (
        {f"tickets[{M}]": 1, f"deals[{M},field]": -0.4},
        pytest.approx(240),
        pytest.approx(240),
    )
    # an agent has 20 x 8 x 60 x (1 - 0.3) = 6,720 minutes, at most 85 % busy: 5,712;
    # a ticket takes 30 minutes
    coefs, low, high = rows(f"support-capacity[{M}]")
    assert coefs == {f"tickets[{M}]": 30, f"agents[{M}]": pytest.approx(-5712)}
    assert (low, high) == (-INF, 0)
    assert rows(f"support-agents_max[{M}]") == ({f"agents[{M}]": 1}, -INF, 8)
    assert rows(f"support-agents_min[{M}]") == ({f"agents[{M}]": 1}, 1, INF)


# ---- finance -----------------------------------------------------------------------------


def test_finance_rows(rows):
    assert rows(f"finance-revenue_total[{M}]") == (
        {f"revenue[{M}]": 1, f"deals[{M},field]": -3500},
        0,
        0,
    )
    pay = {f"reps[{M},field]": -7000, f"marketers[{M}]": -6500, f"workers[{M}]": -4500}
    assert rows(f"finance-payroll_total[{M}]") == (
        {f"payroll[{M}]": 1, **pay, f"agents[{M}]": -4200},
        0,
        0,
    )
    assert rows(f"finance-cogs_total[{M}]") == (
        {f"cogs[{M}]": 1, f"production[{M}]": -900},
        0,
        0,
    )
    # profit = revenue - cost of goods - payroll - ad spend - $40,000 of bills
    money = {f"revenue[{M}]": -1, f"cogs[{M}]": 1, f"payroll[{M}]": 1, f"ad_spend[{M}]": 1}
    assert rows(f"finance-profit_total[{M}]") == ({f"profit[{M}]": 1, **money}, -40000, -40000)
    # the goal: $10,000 retained + $15,000 profit target
    assert rows(f"finance-profit_goal[{M}]") == ({f"profit[{M}]": 1}, 25000, INF)
