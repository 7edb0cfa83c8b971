"""Marketing: paid leads bought in price tiers, organic leads, budget and market size.

Rows, with their equations in ``optimizer.scenario.families``: marketing-lead_total,
-spend_total, -tier_volume (tiers fill cheapest first, as their prices rise), -ad_budget,
-market_size (reachable new prospects a month), -addressable_market (optional, over the
horizon), -spend_per_marketer (optional) and the marketers' headcount.
"""

from __future__ import annotations

import numpy as np

from optimizer.model.chain.common import Vars, add_family, add_headcount
from optimizer.model.linear import LinearModel
from optimizer.scenario.schema import Scenario

DEPT = "marketing"


def tier_labels(scenario: Scenario) -> list[str]:
    return [f"{c.name}:{k + 1}" for c in scenario.marketing.channels for k in range(len(c.tiers))]


def add(model: LinearModel, scenario: Scenario, v: Vars) -> None:
    mk = scenario.marketing
    months = v.months
    tiers = [(c, k, tier) for c in mk.channels for k, tier in enumerate(c.tiers)]
    labels = tier_labels(scenario)
    cost = np.array([tier.cost_per_lead for _, _, tier in tiers])
    width = np.array([tier.leads_per_month or np.inf for _, _, tier in tiers])

    paid = model.add_vars("paid_leads", [("month", months), ("tier", labels)], unit="leads")
    leads = model.add_vars("leads", [("month", months)], unit="leads")
    spend = model.add_vars("ad_spend", [("month", months)], unit="$")
    v["paid_leads"], v["leads"], v["ad_spend"] = paid, leads, spend
    add_headcount(
        model,
        v,
        var="marketers",
        department=DEPT,
        role="marketers",
        axes=[("month", months)],
        minimum=mk.marketers.min,
        maximum=mk.marketers.max,
        path="marketing.marketers",
        staff=mk.marketers,
    )

    add_family(
        model,
        f"{DEPT}-lead_total",
        axes=[("month", months)],
        lhs=[(1.0, leads)],
        sense="==",
        rhs_terms=[(1.0, paid)],
        rhs=mk.organic_leads_per_month,
        parameter="marketing.organic_leads_per_month",
    )
    add_family(
        model,
        f"{DEPT}-spend_total",
        axes=[("month", months)],
        lhs=[(1.0, spend)],
        sense="==",
        rhs_terms=[(cost, paid)],
    )
    finite = np.isfinite(width)
    if finite.any():
        tier_paths = [
            f"marketing.channels[{c.name}].tiers[{k}].leads_per_month" for c, k, _ in tiers
        ]
        add_family(
            model,
            f"{DEPT}-tier_volume",
            axes=[("month", months), ("tier", [x for x, f in zip(labels, finite) if f])],
            lhs=[(1.0, paid[:, finite])],
            sense="<=",
            rhs=np.broadcast_to(width[finite], paid[:, finite].shape),
            parameter=[p for _ in months for p, f in zip(tier_paths, finite) if f],
        )
    add_family(
        model,
        f"{DEPT}-ad_budget",
        axes=[("month", months)],
        lhs=[(1.0, spend)],
        sense="<=",
        rhs=mk.ad_budget_per_month,
        parameter="marketing.ad_budget_per_month",
    )
    add_family(
        model,
        f"{DEPT}-market_size",
        axes=[("month", months)],
        lhs=[(1.0, leads)],
        sense="<=",
        rhs=mk.market_size_leads_per_month,
        parameter="marketing.market_size_leads_per_month",
    )
    if mk.total_addressable_market_leads is not None:
        add_family(
            model,
            f"{DEPT}-addressable_market",
            axes=[],
            lhs=[(1.0, leads)],
            sense="<=",
            rhs=mk.total_addressable_market_leads,
            parameter="marketing.total_addressable_market_leads",
        )
    if mk.ad_spend_per_marketer_per_month is not None:
        add_family(
            model,
            f"{DEPT}-spend_per_marketer",
            axes=[("month", months)],
            lhs=[(1.0, spend)],
            sense="<=",
            rhs_terms=[(mk.ad_spend_per_marketer_per_month, v.working("marketers"))],
        )
