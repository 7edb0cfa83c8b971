"""Marketing: paid leads bought in price tiers, organic leads, budget and market size.

Per month t, channel c and price tier k:

    leads[t]       = organic + sum_{c,k} paid[t, c:k]
    ad_spend[t]    = sum_{c,k} cost_per_lead[c,k] * paid[t, c:k]
    paid[t, c:k]  <= tier width[c,k]             (tiers fill cheapest first: costs rise)
    ad_spend[t]   <= ad budget
    leads[t]      <= market size                   (reachable new prospects a month)
    sum_t leads[t] <= total addressable market     (optional, over the horizon)
    ad_spend[t]   <= spend per marketer * marketers[t]   (optional)
"""

from __future__ import annotations

import numpy as np

from optimizer.model.chain.common import Vars, add_headcount
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
    marketers = add_headcount(
        model, v, var="marketers", department=DEPT, role="marketers",
        axes=[("month", months)], minimum=mk.marketers.min, maximum=mk.marketers.max,
        path="marketing.marketers",
    )  # fmt: skip

    model.add_rows(
        "lead_total", department=DEPT, kind="definition", unit="leads/month",
        description="New leads are the organic leads plus the paid leads of every channel.",
        axes=[("month", months)], lhs=[(1.0, leads)], sense="==",
        rhs_terms=[(1.0, paid)], rhs=mk.organic_leads_per_month,
        parameter="marketing.organic_leads_per_month",
    )  # fmt: skip
    model.add_rows(
        "spend_total", department=DEPT, kind="definition", unit="$/month",
        description="Ad spend is each paid lead at its channel's tier price.",
        axes=[("month", months)], lhs=[(1.0, spend)], sense="==", rhs_terms=[(cost, paid)],
    )  # fmt: skip
    finite = np.isfinite(width)
    if finite.any():
        tier_paths = [
            f"marketing.channels[{c.name}].tiers[{k}].leads_per_month" for c, k, _ in tiers
        ]
        model.add_rows(
            "tier_volume", department=DEPT, unit="leads/month",
            description="A price tier sells only so many leads a month before the next, dearer tier.",
            axes=[("month", months), ("tier", [x for x, f in zip(labels, finite) if f])],
            lhs=[(1.0, paid[:, finite])], sense="<=", rhs=np.broadcast_to(width[finite], paid[:, finite].shape),
            parameter=[p for _ in months for p, f in zip(tier_paths, finite) if f],
            nature="fact",
        )  # fmt: skip
    model.add_rows(
        "ad_budget", department=DEPT, unit="$/month",
        description="Ad spend stays within the monthly ad budget.",
        axes=[("month", months)], lhs=[(1.0, spend)], sense="<=", rhs=mk.ad_budget_per_month,
        parameter="marketing.ad_budget_per_month",
    )  # fmt: skip
    model.add_rows(
        "market_size", department=DEPT, unit="leads/month",
        description="New leads cannot exceed the prospects the market can reach in a month.",
        axes=[("month", months)], lhs=[(1.0, leads)], sense="<=", rhs=mk.market_size_leads_per_month,
        parameter="marketing.market_size_leads_per_month",
        nature="fact",
    )  # fmt: skip
    if mk.total_addressable_market_leads is not None:
        model.add_rows(
            "addressable_market", department=DEPT, unit="leads",
            description="Over the whole horizon, leads cannot exceed the total addressable market.",
            axes=[], lhs=[(1.0, leads)], sense="<=", rhs=mk.total_addressable_market_leads,
            parameter="marketing.total_addressable_market_leads",
            nature="fact",
        )  # fmt: skip
    if mk.ad_spend_per_marketer_per_month is not None:
        model.add_rows(
            "spend_per_marketer", department=DEPT, unit="$/month",
            description="Each marketer can run only so much ad spend a month.",
            axes=[("month", months)], lhs=[(1.0, spend)], sense="<=",
            rhs_terms=[(mk.ad_spend_per_marketer_per_month, marketers)],
        )  # fmt: skip
