"""Cash: invoices, the receivables customers hold, and money in the bank every month.

With ``finance.cash`` stated (``Cash``), per month t:

    collected[t]   = opening receivables paid in t + sum_{u<=t} p[t-u] * revenue[u]
    receivables[t] = receivables[t-1] + revenue[t] - collected[t],
                     receivables[-1] = the opening receivables
    cash[t]        = cash[t-1] + collected[t] - payroll[t] - ad_spend[t] - cogs[t]
                     - hiring_costs[t] - fixed bills,  cash[-1] = opening cash
    cash[t]       >= minimum cash                      (finance-minimum_cash)

A month's revenue is invoiced that month; ``p`` is the collection profile, the share paid
that month, one month later, ... With $100,000 invoiced a month, a profile paying 100 % one
month later leaves $100,000 receivable after month 3, one paying 50 % and 50 % over the next
two months $150,000: $50,000 less in the bank (``tests/test_money.py``).

Where a support line runs at one of its service bands, each band has its own profile
(dissatisfied customers hold their invoices), applied to the invoices of the months run at
that band. Band x revenue is linearised exactly by splitting each month's invoices by band:

    sum_b invoiced[t, b] = revenue[t],   invoiced[t, b] <= most revenue * band[t, b],
    collected[t] = opening receivables paid in t + sum_{u<=t, b} p_b[t-u] * invoiced[u, b]

(most revenue: the month's most deals at the best deal value plus its most customers at
their monthly revenue, ``most_revenue``; ``customers.BOUND_ROOM`` says why no looser).

Finance goals beside profit (``Goals``) are rows here too: revenue, cash, recurring revenue
and customers, each month, over the plan or at its end.
"""

from __future__ import annotations

import numpy as np

from optimizer.model.chain import customers as customer_base
from optimizer.model.chain.common import Vars, add_family
from optimizer.model.linear import LinearModel
from optimizer.scenario.schema import Scenario

DEPT = "finance"


def profiles(scenario: Scenario) -> np.ndarray:
    """(band, months): the share of a month's invoices paid 0, 1, ... months later, per
    service band of the banded line (one row when no line has bands)."""
    cash = scenario.finance.cash
    n = scenario.calendar.horizon_months
    line = scenario.banded_line()
    rows = [b.collection or cash.collection for b in line[2]] if line else [cash.collection]
    out = np.zeros((len(rows), n))
    for i, row in enumerate(rows):
        k = min(len(row), n)
        out[i, :k] = row[:k]
    return out


def opening_collected(scenario: Scenario) -> np.ndarray:
    """The opening receivables paid in each month of the plan."""
    cash = scenario.finance.cash
    out = np.zeros(scenario.calendar.horizon_months)
    out[: len(cash.opening_receivables)] = cash.opening_receivables
    return out


def most_revenue(scenario: Scenario) -> np.ndarray:
    """An upper bound on each month's revenue, ``customers.BOUND_ROOM`` times every deal the
    market could bring at the best deal value, plus (with recurring revenue) the most
    customers (``BOUND_ROOM`` included) at their revenue."""
    best = max(t.average_deal_value for t in scenario.sales.teams)
    top = customer_base.BOUND_ROOM * customer_base.most_deals(scenario) * best
    if scenario.recurring_revenue is not None:
        top = top + customer_base.most_customers(scenario) * customer_base.revenue_per_customer(
            scenario
        )
    return top


def add(model: LinearModel, scenario: Scenario, v: Vars) -> None:
    cash = scenario.finance.cash
    if cash is not None:
        _add_cash(model, scenario, v)
    _add_goals(model, scenario, v)


def _add_cash(model: LinearModel, scenario: Scenario, v: Vars) -> None:
    cash = scenario.finance.cash
    n = len(v.months)
    axes = [("month", v.months)]
    collected = model.add_vars("collected", axes, unit="$")
    receivables = model.add_vars("receivables", axes, unit="$")
    balance = model.add_vars("cash", axes, lb=-np.inf, unit="$")
    v["collected"], v["receivables"], v["cash"] = collected, receivables, balance
    p = profiles(scenario)
    lag = np.subtract.outer(np.arange(n), np.arange(n))  # t - u
    due = np.where(lag >= 0, p[:, np.clip(lag, 0, n - 1)], 0.0)  # (band, t, u)
    banded = "service_band" in v and p.shape[0] > 1
    if banded:
        line = scenario.banded_line()
        band_axes = [*axes, ("band", [b.name for b in line[2]])]
        split = model.add_vars("invoiced", band_axes, unit="$")
        v["invoiced"] = split
        add_family(model, f"{DEPT}-invoiced_split", axes=axes, lhs=[(1.0, split)], sense="==",
                   rhs_terms=[(1.0, v["revenue"])])  # fmt: skip
        add_family(model, f"{DEPT}-invoiced_band", axes=band_axes, lhs=[(1.0, split)],
                   sense="<=", rhs_terms=[(most_revenue(scenario)[:, None, None], v["service_band"])])  # fmt: skip
        # collected[t] = sum_{u, b} due[b, t, u] * invoiced[u, b]
        terms = [(due.transpose(1, 2, 0), np.broadcast_to(split, (n,) + split.shape))]
    else:
        terms = [(due[0], np.broadcast_to(v["revenue"], (n, n)))]
    add_family(
        model,
        f"{DEPT}-collected_total",
        variant="bands" if banded else "",
        axes=axes,
        lhs=[(1.0, collected)],
        sense="==",
        rhs_terms=terms,
        rhs=opening_collected(scenario),
    )
    before = np.concatenate([receivables[:1], receivables[:-1]])
    later = (np.arange(n) > 0).astype(float)
    first = np.zeros(n)
    first[0] = sum(cash.opening_receivables)
    add_family(
        model,
        f"{DEPT}-receivables_total",
        axes=axes,
        lhs=[(1.0, receivables)],
        sense="==",
        rhs_terms=[(later, before), (1.0, v["revenue"]), (-1.0, collected)],
        rhs=first,
    )
    opening = np.zeros(n)
    opening[0] = cash.opening
    spent = [
        (-1.0, v[name]) for name in ("payroll", "ad_spend", "cogs", "hiring_costs") if name in v
    ]
    add_family(
        model,
        f"{DEPT}-cash_total",
        axes=axes,
        lhs=[(1.0, balance)],
        sense="==",
        rhs_terms=[(later, np.concatenate([balance[:1], balance[:-1]])), (1.0, collected), *spent],
        rhs=opening - scenario.finance.fixed_bills_per_month,
        parameter="finance.cash.opening",
    )
    if cash.minimum is not None:
        add_family(
            model,
            f"{DEPT}-minimum_cash",
            axes=axes,
            lhs=[(1.0, balance)],
            sense=">=",
            rhs=cash.minimum,
            parameter="finance.cash.minimum",
        )


def goal_terms(scenario: Scenario, v: Vars, measure: str) -> list:
    """The goal's measure as (coefficient, variable) terms, month first: revenue, cash,
    recurring revenue and customers are variables; deals are every team's closed deals; new
    customers are deals times the new customers a deal brings (recurring revenue's, else
    support's, else one); bookings are the deals' value plus the new subscriptions' contract
    months of revenue."""
    if measure in ("revenue", "cash", "recurring_revenue", "customers"):
        return [(1.0, v[measure])]
    deals = v["deals"]
    rr, su = scenario.recurring_revenue, scenario.support
    if measure == "deals":
        return [(1.0, deals)]
    if measure == "new_customers":
        if rr is not None:
            return [(1.0, v["new_customers"])]
        return [(su.new_customers_per_deal if su is not None else 1.0, deals)]
    value = np.array([t.average_deal_value for t in scenario.sales.teams])[None, :]
    terms = [(value, deals)]  # bookings
    if rr is not None:
        terms.append((rr.revenue_per_customer_per_month * rr.contract_months, v["new_customers"]))
    return terms


def _add_goals(model: LinearModel, scenario: Scenario, v: Vars) -> None:
    """Each stated goal: its measure >= at least, each month, summed over the plan, or in the
    last month."""
    n = len(v.months)
    for measure, goal in scenario.finance.goals.stated():
        monthly = goal.period == "month"
        lhs = []
        for coef, x in goal_terms(scenario, v, measure):
            coef = np.broadcast_to(coef, (n, *x.shape[1:])) if np.ndim(coef) else coef
            lhs.append((coef[n - 1 :] if goal.period == "end" and np.ndim(coef) else coef,
                        x[n - 1 :] if goal.period == "end" else x))  # fmt: skip
        add_family(
            model,
            f"{DEPT}-{measure}_goal",
            variant="" if monthly else goal.period,
            axes=[("month", v.months)] if monthly else [],
            lhs=lhs,
            sense=">=",
            rhs=goal.at_least,
            parameter=f"finance.goals.{measure}.at_least",
        )
