"""Recurring revenue: customers who pay every month, and the churn that service drives.

With ``recurring_revenue`` stated (``RecurringRevenue``), per month t:

    new_customers[t] = new customers per deal * sum_s deals[t, s]
    customers[t]     = customers[t-1] - churned[t] + new_customers[t],  customers[-1] = opening
    churned[t]       = churn * customers[t-1]
    recurring[t]     = revenue per customer * (1 + expansion)^t * customers[t]

so 1,000 customers at 2 % churn with 50 new a month are 1,030, 1,059.4 and 1,088.2, and at
$800 a month bring $824,000, $847,520 and $870,568 (``tests/test_money.py``).

The customers still paying at the end count towards the objective at
``horizon_end.customer_months`` months of their last monthly revenue (``base_value``).

Where a support line runs at one of its service bands (``ServiceBand``), each band has its
own churn. The month's band is a binary choice (``band[t, b] = sum_N chosen[t, b, N]``,
``optimizer.model.chain.service_levels``), and churn x customers is linearised exactly by
splitting last month's customers by band:

    sum_b at_risk[t, b] = customers[t-1],   at_risk[t, b] <= most customers * band[t, b],
    churned[t] = sum_b churn_b * at_risk[t, b]

(most customers: ``BOUND_ROOM`` times the opening customers plus every deal the market
could bring so far, month by month, ``most_customers``). Support's tickets and contacts follow ``customers``.
"""

from __future__ import annotations

import numpy as np

from optimizer.model.chain.common import Vars, add_family
from optimizer.model.linear import LinearModel
from optimizer.scenario.schema import Scenario

DEPT = "customers"


def revenue_per_customer(scenario: Scenario) -> np.ndarray:
    """Monthly revenue per customer in each month: grows by the net expansion rate."""
    rr = scenario.recurring_revenue
    n = scenario.calendar.horizon_months
    return rr.revenue_per_customer_per_month * (1.0 + rr.expansion_per_month) ** np.arange(n)


def band_churn(scenario: Scenario) -> np.ndarray | None:
    """Monthly churn under each service band of the banded line (None: no bands)."""
    line = scenario.banded_line()
    if line is None or scenario.recurring_revenue is None:
        return None
    base = scenario.recurring_revenue.churn_per_month
    return np.array([base if b.churn_per_month is None else b.churn_per_month for b in line[2]])


def most_deals(scenario: Scenario) -> np.ndarray:
    """An upper bound on each month's deals: every reachable lead qualified, talked to as
    often as it can be, at the best conversion rate, plus the opening pipeline due (with a
    sales cycle, everything won so far may close in the month)."""
    mk, sa = scenario.marketing, scenario.sales
    n = scenario.calendar.horizon_months
    market = scenario.per_month(mk.market_size_leads_per_month)
    best = np.max([scenario.per_month(k.conversion_rate) for k in sa.conversation_tiers], axis=0)
    won = market * mk.qualified_lead_share * sa.touches_per_lead * best
    pipeline = np.zeros(n)
    for team in sa.teams:
        pipeline[: len(team.opening_pipeline)] += team.opening_pipeline
    cycle = any(any(x > 0 for x in t.close_profile[1:]) for t in sa.teams)
    return (np.cumsum(won) if cycle else won) + pipeline


BOUND_ROOM = 1.0
"""The band-split rows' bound is this many times the most the market allows
(``most_customers``, ``cash.most_revenue``): the tightest the scenario gives. A looser bound
makes the integer model's numbers coarser: at 100x the software company's tie stages could
not hold its optimum to their tolerance (HiGHS and CBC answered 'infeasible'). The price of
tight: a diagnosis that sets the market's limits aside to find what conflicts meets this
bound as a definition, and may name a goal far beyond the market alone."""


def most_customers(scenario: Scenario) -> np.ndarray:
    """An upper bound on each month's customers, ``BOUND_ROOM`` times the opening ones never
    churning plus every deal the market could bring so far."""
    rr = scenario.recurring_revenue
    deals = np.cumsum(most_deals(scenario))
    return BOUND_ROOM * (rr.opening_customers + rr.new_customers_per_deal * deals)


def add(model: LinearModel, scenario: Scenario, v: Vars) -> None:
    """Customers, new customers and recurring revenue; churn comes with ``add_churn``, once
    support has chosen its service band."""
    rr = scenario.recurring_revenue
    if rr is None:
        return
    axes = [("month", v.months)]
    n = len(v.months)
    for name, unit in (("customers", "customers"), ("new_customers", "customers"),
                       ("churned", "customers"), ("recurring_revenue", "$")):  # fmt: skip
        v[name] = model.add_vars(name, axes, unit=unit)
    add_family(model, f"{DEPT}-new_total", axes=axes, lhs=[(1.0, v["new_customers"])],
               sense="==", rhs_terms=[(rr.new_customers_per_deal, v["deals"])])  # fmt: skip
    opening = np.zeros(n)
    opening[0] = rr.opening_customers
    before = _last_month(v["customers"])
    add_family(
        model,
        f"{DEPT}-customers_total",
        axes=axes,
        lhs=[(1.0, v["customers"]), (1.0, v["churned"])],
        sense="==",
        rhs_terms=[(1.0, v["new_customers"]), (np.arange(n) > 0, before)],
        rhs=opening,
        parameter="recurring_revenue.opening_customers",
    )
    add_family(
        model,
        f"{DEPT}-recurring_total",
        axes=axes,
        lhs=[(1.0, v["recurring_revenue"])],
        sense="==",
        rhs_terms=[(revenue_per_customer(scenario), v["customers"])],
    )
    _add_base_value(model, scenario, v)


def _add_base_value(model: LinearModel, scenario: Scenario, v: Vars) -> None:
    """The customers still paying at the end, at ``horizon_end.customer_months`` months of
    their last monthly revenue: what the objective credits for keeping and winning
    customers in the last months."""
    months = scenario.horizon_end.customer_months
    if months <= 0:
        return
    value = model.add_vars("customer_base_value", [], unit="$")
    v["customer_base_value"] = value
    last = v["customers"][-1:]
    add_family(model, f"{DEPT}-base_value_total", axes=[], lhs=[(1.0, value)], sense="==",
               rhs_terms=[(months * revenue_per_customer(scenario)[-1], last)],
               parameter="horizon_end.customer_months")  # fmt: skip


def add_churn(model: LinearModel, scenario: Scenario, v: Vars) -> None:
    """churned[t] = churn x customers[t-1], at the churn of the month's service band."""
    rr = scenario.recurring_revenue
    if rr is None:
        return
    axes = [("month", v.months)]
    n = len(v.months)
    opening = np.zeros(n)
    opening[0] = rr.opening_customers
    before = _last_month(v["customers"])
    later = (np.arange(n) > 0).astype(float)
    churn = band_churn(scenario)
    if churn is None or "service_band" not in v:
        add_family(
            model,
            f"{DEPT}-churn_total",
            axes=axes,
            lhs=[(1.0, v["churned"])],
            sense="==",
            rhs_terms=[(rr.churn_per_month * later, before)],
            rhs=rr.churn_per_month * opening,
            parameter="recurring_revenue.churn_per_month",
        )
        return
    band = v["service_band"]  # (month, band, agents)
    names = scenario.banded_line()[2]
    band_axes = [*axes, ("band", [b.name for b in names])]
    at_risk = model.add_vars("customers_at_risk", band_axes, unit="customers")
    v["customers_at_risk"] = at_risk
    add_family(model, f"{DEPT}-at_risk_split", axes=axes, lhs=[(1.0, at_risk)], sense="==",
               rhs_terms=[(later, before)], rhs=opening)  # fmt: skip
    # last month's customers are at most the most customers of last month (the opening ones
    # in the first), with BOUND_ROOM
    most = np.concatenate([[BOUND_ROOM * rr.opening_customers], most_customers(scenario)[:-1]])
    add_family(model, f"{DEPT}-at_risk_band", axes=band_axes, lhs=[(1.0, at_risk)],
               sense="<=", rhs_terms=[(most[:, None, None], band)])  # fmt: skip
    add_family(model, f"{DEPT}-churn_total", variant="bands", axes=axes,
               lhs=[(1.0, v["churned"])], sense="==",
               rhs_terms=[(churn, at_risk)])  # fmt: skip


def _last_month(x: np.ndarray) -> np.ndarray:
    """x[t-1] for each month t (month 0 points at itself; its coefficient is 0)."""
    return np.concatenate([x[:1], x[:-1]])
