"""The independent check of the money over time: customers and churn, recurring revenue,
collections, receivables, cash, the minimum cash and the finance goals.

Everything is recomputed from the scenario and the plan's decisions (its deals, the service
band each month ran at, its payroll and spend), never read from the model's rows: the band
is the one the plan's staffing choice picked, and each month's churn and collection profile
are that band's (``optimizer.model.chain.customers``, ``optimizer.model.chain.cash``).
"""

from __future__ import annotations

import numpy as np

from optimizer.analysis import check_funnel
from optimizer.scenario.schema import Scenario


def chosen_band(scenario: Scenario, q: dict) -> np.ndarray | None:
    """The index of the service band each month ran at (None: no line has bands)."""
    line = scenario.banded_line()
    if line is None:
        return None
    staffing = np.asarray(q[f"{line[0]}_staffing"], float)  # (month, band, agents)
    return np.argmax(staffing.sum(axis=2), axis=1)


def customers(scenario: Scenario, q: dict) -> dict[str, np.ndarray]:
    """New, churned and paying customers and recurring revenue, month by month, recomputed."""
    rr = scenario.recurring_revenue
    n = len(q["deals"])
    new = rr.new_customers_per_deal * np.asarray(q["deals"], float).reshape(n, -1).sum(axis=1)
    churn = churn_rates(scenario, q)
    count, before = np.zeros(n), rr.opening_customers
    churned = np.zeros(n)
    for t in range(n):
        churned[t] = churn[t] * before
        count[t] = before - churned[t] + new[t]
        before = count[t]
    price = rr.revenue_per_customer_per_month * (1.0 + rr.expansion_per_month) ** np.arange(n)
    return {"new": new, "churned": churned, "customers": count, "recurring": price * count,
            "churn": churn}  # fmt: skip


def churn_rates(scenario: Scenario, q: dict) -> np.ndarray:
    """Each month's churn: the band's where the month ran at a service band that states one."""
    rr = scenario.recurring_revenue
    n = len(q["revenue"])
    band, line = chosen_band(scenario, q), scenario.banded_line()
    if band is None:
        return np.full(n, rr.churn_per_month)
    rates = [rr.churn_per_month if b.churn_per_month is None else b.churn_per_month
             for b in line[2]]  # fmt: skip
    return np.array([rates[b] for b in band])


def collections(scenario: Scenario, q: dict, revenue: np.ndarray) -> np.ndarray:
    """Each month's collections: the opening receivables due, plus every earlier month's
    invoices by the collection profile of the band that month ran at."""
    cash = scenario.finance.cash
    n = len(revenue)
    line, band = scenario.banded_line(), chosen_band(scenario, q)
    out = np.zeros(n)
    out[: len(cash.opening_receivables)] += cash.opening_receivables
    for u in range(n):
        profile = cash.collection
        if band is not None and line[2][band[u]].collection:
            profile = line[2][band[u]].collection
        for k, share in enumerate(profile):
            if u + k < n:
                out[u + k] += share * revenue[u]
    return out


def verify_money(scenario: Scenario, q: dict, at_most, equal) -> None:
    """The money rules. Each recomputes one of the plan's quantities from the scenario and
    the plan quantities it is made of (the band each month ran at, the deals, revenue,
    payroll and spend), so that a wrong number breaks its own rule."""
    fi, rr = scenario.finance, scenario.recurring_revenue
    n = len(q["revenue"])
    if rr is not None:
        new = rr.new_customers_per_deal * np.asarray(q["deals"], float).reshape(n, -1).sum(axis=1)
        equal("customers-new_total", q["new_customers"], new)
        before = np.concatenate([[rr.opening_customers], q["customers"][:-1]])
        equal("customers-churn_total", q["churned"], churn_rates(scenario, q) * before)
        equal(
            "customers-customers_total", q["customers"], before - q["churned"] + q["new_customers"]
        )
        price = rr.revenue_per_customer_per_month * (1 + rr.expansion_per_month) ** np.arange(n)
        equal("customers-recurring_total", q["recurring_revenue"], price * q["customers"])
        if "customer_base_value" in q:
            months = scenario.horizon_end.customer_months
            equal("customers-base_value_total", q["customer_base_value"],
                  months * price[-1] * q["customers"][-1])  # fmt: skip
    if fi.cash is not None:
        collected = collections(scenario, q, np.asarray(q["revenue"], float))
        equal("finance-collected_total", q["collected"], collected)
        receivables = sum(fi.cash.opening_receivables) + np.cumsum(q["revenue"] - q["collected"])
        equal("finance-receivables_total", q["receivables"], receivables)
        paid = q["payroll"] + q["ad_spend"] + q["cogs"] + fi.fixed_bills_per_month
        paid = paid + q.get("hiring_costs", 0.0)
        equal("finance-cash_total", q["cash"], fi.cash.opening + np.cumsum(q["collected"] - paid))
        if fi.cash.minimum is not None:
            at_most("finance-minimum_cash", fi.cash.minimum, q["cash"])
    for measure, goal in fi.goals.stated():
        value = check_funnel.goal_measure(scenario, q, measure)
        reached = {"month": value, "horizon": value.sum(), "end": value[n - 1]}[goal.period]
        at_most(f"finance-{measure}_goal", goal.at_least, reached)
