"""Marketing: paid leads bought in price tiers, organic leads, budget and market size.

Rows, with their equations in ``optimizer.scenario.families``: marketing-lead_total,
-spend_total, -tier_volume (tiers fill cheapest first, as their prices rise), -ad_budget,
-market_size (reachable new prospects a month), -addressable_market (optional, over the
horizon), -spend_per_marketer (optional) and the marketers' headcount.

Budget, market size, organic leads and each tier's price and volume may differ month by
month (a list in the scenario): a month's row then names that month's input as its
parameter (``marketing.ad_budget_per_month[2027-03]``), an input for every month the input.
"""

from __future__ import annotations

import numpy as np

from optimizer.model.chain.common import Vars, add_family, add_headcount
from optimizer.model.linear import LinearModel
from optimizer.scenario.schema import Scenario, per_month

DEPT = "marketing"


def tier_labels(scenario: Scenario) -> list[str]:
    return [f"{c.name}:{k + 1}" for c in scenario.marketing.channels for k in range(len(c.tiers))]


def monthly_parameter(path: str, value) -> str:
    """The input behind a month's row: the month of a list, or the one number of every month."""
    return f"{path}[{{month}}]" if isinstance(value, list) else path


def tier_prices(scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Every tier's cost per lead and volume (inf: unlimited) in each month, (month, tier)."""
    n = scenario.calendar.horizon_months
    tiers = [tier for c in scenario.marketing.channels for tier in c.tiers]
    if not tiers:
        return np.zeros((n, 0)), np.zeros((n, 0))
    cost = np.stack([per_month(t.cost_per_lead, n) for t in tiers], axis=1)
    width = np.stack([per_month(t.leads_per_month, n) for t in tiers], axis=1)
    return cost, np.where(np.isnan(width), np.inf, width)


def add(model: LinearModel, scenario: Scenario, v: Vars) -> None:
    mk = scenario.marketing
    months = v.months
    tiers = [(c, k, tier) for c in mk.channels for k, tier in enumerate(c.tiers)]
    labels = tier_labels(scenario)
    cost, width = tier_prices(scenario)

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
        rhs=scenario.per_month(mk.organic_leads_per_month),
        parameter=monthly_parameter(
            "marketing.organic_leads_per_month", mk.organic_leads_per_month
        ),
    )
    add_family(
        model,
        f"{DEPT}-spend_total",
        axes=[("month", months)],
        lhs=[(1.0, spend)],
        sense="==",
        rhs_terms=[(cost, paid)],
    )
    finite = np.isfinite(width[0])  # a tier is limited in every month or in none
    if finite.any():
        tier_paths = [
            f"marketing.channels[{c.name}].tiers[{k}].leads_per_month" for c, k, _ in tiers
        ]
        seasonal = [isinstance(tier.leads_per_month, list) for _, _, tier in tiers]
        add_family(
            model,
            f"{DEPT}-tier_volume",
            axes=[("month", months), ("tier", [x for x, f in zip(labels, finite) if f])],
            lhs=[(1.0, paid[:, finite])],
            sense="<=",
            rhs=width[:, finite],
            parameter=[
                f"{p}[{month}]" if s else p
                for month in months
                for p, f, s in zip(tier_paths, finite, seasonal)
                if f
            ],
        )
    add_family(
        model,
        f"{DEPT}-ad_budget",
        axes=[("month", months)],
        lhs=[(1.0, spend)],
        sense="<=",
        rhs=scenario.per_month(mk.ad_budget_per_month),
        parameter=monthly_parameter("marketing.ad_budget_per_month", mk.ad_budget_per_month),
    )
    add_family(
        model,
        f"{DEPT}-market_size",
        axes=[("month", months)],
        lhs=[(1.0, leads)],
        sense="<=",
        rhs=scenario.per_month(mk.market_size_leads_per_month),
        parameter=monthly_parameter(
            "marketing.market_size_leads_per_month", mk.market_size_leads_per_month
        ),
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
