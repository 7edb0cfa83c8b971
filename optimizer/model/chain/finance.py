"""Finance: revenue must cover cost of goods, payroll, ad spend, bills, retained earnings and profit.

Rows, with their equations in ``optimizer.scenario.families``: finance-revenue_total,
-payroll_total, -cogs_total, -profit_total and -profit_goal, per month or over the horizon
(``goal_period``).
"""

from __future__ import annotations

import numpy as np

from optimizer.model.chain import funnel
from optimizer.model.chain.common import Vars, add_family
from optimizer.model.linear import LinearModel
from optimizer.scenario.schema import Scenario

DEPT = "finance"


def payroll_terms(scenario: Scenario, v: Vars) -> list:
    """(cost per person, people) for every role in the model, and each team's commission:
    its share of the value of the deals it closes."""
    terms = [
        (np.array([t.reps.cost_per_person_per_month for t in scenario.sales.teams]), v["reps"]),
        (scenario.marketing.marketers.cost_per_person_per_month, v["marketers"]),
    ]
    commission = funnel.commission_shares(scenario)
    if commission.any():
        value = np.array([t.average_deal_value for t in scenario.sales.teams])
        terms.append(((commission * value)[None, :], v["deals"]))
    if scenario.delivery is not None:
        terms.append((scenario.delivery.workers.cost_per_person_per_month, v["workers"]))
    if scenario.support is not None:
        terms.append((scenario.support.agents.cost_per_person_per_month, v["agents"]))
        for channel in scenario.support.live_channels:
            terms.append((channel.agents.cost_per_person_per_month, v[f"{channel.name}_agents"]))
    return terms


def hiring_terms(scenario: Scenario, v: Vars) -> list:
    """(cost, people) of every hire and departure of the roles whose people flow."""
    terms = []
    for role in scenario.roles():
        var, flowing = role.var, [h for h in role.staff if h.flows]
        if not flowing:
            continue
        shape = v[f"{var}_starts"].shape
        terms.append(
            (np.array([h.cost_per_hire for h in flowing]).reshape(shape[1:]), v[f"{var}_starts"])
        )
        terms.append(
            (
                np.array([h.cost_per_departure for h in flowing]).reshape(shape[1:]),
                v[f"{var}_departures"],
            )
        )
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
    add_family(
        model,
        f"{DEPT}-revenue_total",
        axes=axes,
        variant="recurring" if "recurring_revenue" in v else "",
        lhs=[(1.0, revenue)],
        sense="==",
        rhs_terms=[(deal_value, v["deals"]),
                   *([(1.0, v["recurring_revenue"])] if "recurring_revenue" in v else [])],
    )  # fmt: skip
    add_family(
        model,
        f"{DEPT}-payroll_total",
        variant="commission" if funnel.commission_shares(scenario).any() else "",
        axes=axes,
        lhs=[(1.0, payroll)],
        sense="==",
        rhs_terms=payroll_terms(scenario, v),
    )
    unit_cost = scenario.delivery.unit_cost if scenario.delivery is not None else 0.0
    add_family(
        model,
        f"{DEPT}-cogs_total",
        axes=axes,
        lhs=[(1.0, cogs)],
        sense="==",
        rhs_terms=[(unit_cost, v["production"])] if "production" in v else [],
    )
    costs = []
    moves = hiring_terms(scenario, v)
    if moves:
        hiring = model.add_vars("hiring_costs", axes, unit="$")
        v["hiring_costs"] = hiring
        costs = [(-1.0, hiring)]
        add_family(
            model,
            f"{DEPT}-hiring_costs_total",
            axes=axes,
            lhs=[(1.0, hiring)],
            sense="==",
            rhs_terms=moves,
        )
    if "deals_won" in v:
        _add_open_pipeline(model, scenario, v, deal_value)
    add_family(
        model,
        f"{DEPT}-profit_total",
        variant="hiring" if moves else "",
        axes=axes,
        lhs=[(1.0, profit)],
        sense="==",
        rhs_terms=[(1.0, revenue), (-1.0, cogs), (-1.0, payroll), (-1.0, v["ad_spend"]), *costs],
        rhs=-fi.fixed_bills_per_month,
    )
    goal = fi.retained_earnings_per_month + fi.profit_target_per_month
    monthly = fi.goal_period == "month"
    add_family(
        model,
        f"{DEPT}-profit_goal",
        variant="" if monthly else "horizon",
        axes=axes if monthly else [],
        lhs=[(1.0, profit)],
        sense=">=",
        rhs=goal if monthly else goal * len(months),
        parameter="finance.profit_target_per_month",
    )


def _add_open_pipeline(model: LinearModel, scenario: Scenario, v: Vars, deal_value) -> None:
    """The deals still open when the plan ends, at their deal value times the horizon-end
    share (``HorizonEnd``): what the objective credits for selling in the last months."""
    from optimizer.model.chain.sales import open_at_end

    share = scenario.horizon_end.open_pipeline_value_share
    value = model.add_vars("open_pipeline_value", [], unit="$")
    v["open_pipeline_value"] = value
    add_family(
        model,
        f"{DEPT}-open_pipeline_total",
        axes=[],
        lhs=[(1.0, value)],
        sense="==",
        rhs_terms=[(share * open_at_end(scenario) * deal_value[None, :], v["deals_won"])],
        parameter="horizon_end.open_pipeline_value_share",
    )
