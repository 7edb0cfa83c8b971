"""Finance: revenue must cover cost of goods, payroll, ad spend, bills, retained earnings and profit.

Per month t:

    revenue[t] = sum_s average deal value_s * deals[t,s]
    payroll[t] = sum over roles of cost per person * people[t]
    cogs[t]    = unit cost * production[t]
    profit[t]  = revenue[t] - cogs[t] - payroll[t] - ad_spend[t] - fixed bills
    profit[t] >= retained earnings + profit target          (goal_period: month)
    sum_t profit[t] >= months * (retained earnings + profit target)   (goal_period: horizon)
"""

from __future__ import annotations

import numpy as np

from optimizer.model.chain.common import Vars
from optimizer.model.linear import LinearModel
from optimizer.scenario.schema import Scenario

DEPT = "finance"


def payroll_terms(scenario: Scenario, v: Vars) -> list:
    """(cost per person, people) for every role in the model."""
    terms = [
        (np.array([t.reps.cost_per_person_per_month for t in scenario.sales.teams]), v["reps"]),
        (scenario.marketing.marketers.cost_per_person_per_month, v["marketers"]),
    ]
    if scenario.delivery is not None:
        terms.append((scenario.delivery.workers.cost_per_person_per_month, v["workers"]))
    if scenario.support is not None:
        terms.append((scenario.support.agents.cost_per_person_per_month, v["agents"]))
        for channel in scenario.support.live_channels:
            terms.append((channel.agents.cost_per_person_per_month, v[f"{channel.name}_agents"]))
    return terms


def add(model: LinearModel, scenario: Scenario, v: Vars) -> None:
    fi = scenario.finance
    months = v.months
    axes = [("month", months)]
    revenue = model.add_vars("revenue", axes, unit="$")
    payroll = model.add_vars("payroll", axes, unit="$")
    cogs = model.add_vars("cogs", axes, unit="$")
    profit = model.add_vars("profit", axes, lb=-np.inf, unit="$")
    v["revenue"], v["payroll"], v["cogs"], v["profit"] = revenue, payroll, cogs, profit

    deal_value = np.array([t.average_deal_value for t in scenario.sales.teams])
    model.add_rows(
        "revenue_total",
        department=DEPT,
        kind="definition",
        unit="$/month",
        description="Revenue is every team's deals at its average deal value.",
        axes=axes,
        lhs=[(1.0, revenue)],
        sense="==",
        rhs_terms=[(deal_value, v["deals"])],
    )
    model.add_rows(
        "payroll_total",
        department=DEPT,
        kind="definition",
        unit="$/month",
        description="Payroll is every role's headcount at its monthly cost.",
        axes=axes,
        lhs=[(1.0, payroll)],
        sense="==",
        rhs_terms=payroll_terms(scenario, v),
    )
    unit_cost = scenario.delivery.unit_cost if scenario.delivery is not None else 0.0
    model.add_rows(
        "cogs_total",
        department=DEPT,
        kind="definition",
        unit="$/month",
        description="Cost of goods is every unit built at its unit cost.",
        axes=axes,
        lhs=[(1.0, cogs)],
        sense="==",
        rhs_terms=[(unit_cost, v["production"])] if "production" in v else [],
    )
    model.add_rows(
        "profit_total",
        department=DEPT,
        kind="definition",
        unit="$/month",
        description="Profit is revenue less cost of goods, payroll, ad spend and fixed bills.",
        axes=axes,
        lhs=[(1.0, profit)],
        sense="==",
        rhs_terms=[(1.0, revenue), (-1.0, cogs), (-1.0, payroll), (-1.0, v["ad_spend"])],
        rhs=-fi.fixed_bills_per_month,
    )
    goal = fi.retained_earnings_per_month + fi.profit_target_per_month
    if fi.goal_period == "month":
        model.add_rows(
            "profit_goal",
            department=DEPT,
            kind="goal",
            unit="$/month",
            description="Each month's profit covers the retained earnings and the profit target.",
            axes=axes,
            lhs=[(1.0, profit)],
            sense=">=",
            rhs=goal,
            parameter="finance.profit_target_per_month",
        )
    else:
        model.add_rows(
            "profit_goal",
            department=DEPT,
            kind="goal",
            unit="$",
            description="Profit over the horizon covers the retained earnings and the profit target.",
            axes=[],
            lhs=[(1.0, profit)],
            sense=">=",
            rhs=goal * len(months),
            parameter="finance.profit_target_per_month",
        )
