"""Sales: reps hold conversations of chosen length with qualified leads; some become deals.

Rows, with their equations in ``optimizer.scenario.families``: sales-selling_time,
-lead_supply, -quality_floor (no conversation shorter than the floor), -deal_total and each
team's reps. A rep's selling minutes in a month are that month's business days x (hours a
day - hours lost) x 60 (``selling_minutes_per_rep``); a conversation tier's conversion rate
may differ month by month.
"""

from __future__ import annotations

import numpy as np

from optimizer.model.chain.common import Vars, add_family, add_headcount, headcount_arrays
from optimizer.model.linear import LinearModel
from optimizer.scenario.names import QUALITY_FLOOR
from optimizer.scenario.schema import SalesTeam, Scenario

DEPT = "sales"


def selling_minutes_per_rep(scenario: Scenario, team: SalesTeam) -> np.ndarray:
    """Selling minutes per rep in each month: days x (hours a day - hours lost) x 60."""
    cal = scenario.calendar
    days = scenario.per_month(cal.business_days_per_month)
    return days * (cal.hours_per_day - team.hours_lost_per_day.total()) * 60.0


def conversion_rates(scenario: Scenario) -> np.ndarray:
    """Each conversation tier's conversion rate in each month, (month, tier)."""
    tiers = scenario.sales.conversation_tiers
    return np.stack([scenario.per_month(t.conversion_rate) for t in tiers], axis=1)


def tier_labels(scenario: Scenario) -> list[str]:
    return [f"{t.minutes:g}min" for t in scenario.sales.conversation_tiers]


def add(model: LinearModel, scenario: Scenario, v: Vars) -> None:
    sa = scenario.sales
    months = v.months
    teams = [t.name for t in sa.teams]
    minutes = np.array([t.minutes for t in sa.conversation_tiers])
    rate = conversion_rates(scenario)[:, None, :]  # (month, team, tier)
    admin = np.array([t.admin_minutes_per_conversation for t in sa.teams])
    selling = np.stack([selling_minutes_per_rep(scenario, t) for t in sa.teams], axis=1)
    lo, hi, _ = headcount_arrays([t.reps for t in sa.teams])
    axes = [("month", months), ("team", teams)]

    add_headcount(
        model,
        v,
        var="reps",
        department=DEPT,
        role="sales reps",
        axes=axes,
        minimum=lo,
        maximum=hi,
        path="sales.teams[{team}].reps",
        staff=[t.reps for t in sa.teams],
    )
    conv = model.add_vars(
        "conversations", axes + [("tier", tier_labels(scenario))], unit="conversations"
    )
    deals = model.add_vars("deals", axes, unit="deals")
    v["conversations"], v["deals"] = conv, deals

    add_family(
        model,
        f"{DEPT}-selling_time",
        axes=axes,
        lhs=[(minutes[None, None, :] + admin[None, :, None], conv)],
        sense="<=",
        rhs_terms=[(selling, v.working("reps"))],
    )
    add_family(
        model,
        f"{DEPT}-lead_supply",
        axes=[("month", months)],
        lhs=[(1.0, conv.reshape(len(months), -1))],
        sense="<=",
        rhs_terms=[(sa.touches_per_lead * scenario.marketing.qualified_lead_share, v["leads"])],
    )
    below = minutes < sa.min_minutes_per_quality_conversation
    if below.any():
        add_family(
            model,
            f"{DEPT}-quality_floor",
            axes=axes,
            lhs=[(1.0, conv[:, :, below])],
            sense="<=",
            rhs=0.0,
            parameter=QUALITY_FLOOR,
        )
    if not has_sales_cycle(scenario):
        add_family(
            model,
            f"{DEPT}-deal_total",
            axes=axes,
            lhs=[(1.0, deals)],
            sense="==",
            rhs_terms=[(rate, conv)],
        )
        return
    won = model.add_vars("deals_won", axes, unit="deals")
    v["deals_won"] = won
    add_family(
        model,
        f"{DEPT}-deal_total",
        variant="sales cycle",
        axes=axes,
        lhs=[(1.0, won)],
        sense="==",
        rhs_terms=[(rate, conv)],
    )
    n = len(months)
    share, pipeline = close_shares(scenario), opening_pipeline(scenario)
    # deals[t, s] = sum_u share[t - u, s] * won[u, s] + opening pipeline[t, s]
    closing = np.zeros((n, len(teams), n))
    for u in range(n):
        for t in range(u, n):
            closing[t, :, u] = share[t - u]
    add_family(
        model,
        f"{DEPT}-deal_closing",
        axes=axes,
        lhs=[(1.0, deals)],
        sense="==",
        rhs_terms=[(closing, np.moveaxis(np.broadcast_to(won, (n, n, len(teams))), 1, 2))],
        rhs=pipeline,
    )


def has_sales_cycle(scenario: Scenario) -> bool:
    """True when some team's deals close after the month they are won, or some team has
    an opening pipeline (``SalesTeam.close_profile``, ``opening_pipeline``)."""
    return any(
        len(t.close_profile) > 1
        or t.opening_pipeline
        or (t.close_profile and t.close_profile[0] < 1)
        for t in scenario.sales.teams
    )


def close_shares(scenario: Scenario) -> np.ndarray:
    """(months, teams): the share of a month's won deals closing k = 0, 1, ... months later
    (a team without a profile closes every deal in the month it is won)."""
    n = scenario.calendar.horizon_months
    out = np.zeros((n, len(scenario.sales.teams)))
    for s, team in enumerate(scenario.sales.teams):
        profile = team.close_profile or [1.0]
        out[: min(len(profile), n), s] = profile[:n]
    return out


def opening_pipeline(scenario: Scenario) -> np.ndarray:
    """(months, teams): deals won before the plan expected to close in each month."""
    n = scenario.calendar.horizon_months
    out = np.zeros((n, len(scenario.sales.teams)))
    for s, team in enumerate(scenario.sales.teams):
        out[: len(team.opening_pipeline), s] = team.opening_pipeline
    return out


def open_at_end(scenario: Scenario) -> np.ndarray:
    """(months, teams): the share of a month's won deals still open when the plan ends
    (closing after its last month)."""
    n = scenario.calendar.horizon_months
    out = np.zeros((n, len(scenario.sales.teams)))
    for s, team in enumerate(scenario.sales.teams):
        profile = np.asarray(team.close_profile or [1.0])
        for u in range(n):
            out[u, s] = profile[n - u :].sum() if n - u < len(profile) else 0.0
    return out
