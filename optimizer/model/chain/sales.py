"""Sales: reps hold conversations of chosen length with qualified leads; some become deals.

Per team s, month t and conversation-length tier k (minutes m_k, conversion rate r_k):

    selling minutes per rep = business days * (hours per day - hours lost) * 60
    sum_k (m_k + admin_s) * conv[t,s,k] <= selling minutes per rep_s * reps[t,s]
    sum_{s,k} conv[t,s,k]               <= touches per lead * qualified share * leads[t]
    sum_{k: m_k < floor} conv[t,s,k]    <= 0          (no conversation below the quality floor)
    deals[t,s]                           = sum_k r_k * conv[t,s,k]
"""

from __future__ import annotations

import numpy as np

from optimizer.model.chain.common import Vars, add_headcount, headcount_arrays
from optimizer.model.linear import LinearModel
from optimizer.scenario.names import QUALITY_FLOOR
from optimizer.scenario.schema import SalesTeam, Scenario

DEPT = "sales"


def selling_minutes_per_rep(scenario: Scenario, team: SalesTeam) -> float:
    """Selling minutes per rep per month: days x (hours a day - hours lost) x 60."""
    cal = scenario.calendar
    return (
        cal.business_days_per_month * (cal.hours_per_day - team.hours_lost_per_day.total()) * 60.0
    )


def tier_labels(scenario: Scenario) -> list[str]:
    return [f"{t.minutes:g}min" for t in scenario.sales.conversation_tiers]


def add(model: LinearModel, scenario: Scenario, v: Vars) -> None:
    sa = scenario.sales
    months = v.months
    teams = [t.name for t in sa.teams]
    minutes = np.array([t.minutes for t in sa.conversation_tiers])
    rate = np.array([t.conversion_rate for t in sa.conversation_tiers])
    admin = np.array([t.admin_minutes_per_conversation for t in sa.teams])
    selling = np.array([selling_minutes_per_rep(scenario, t) for t in sa.teams])
    lo, hi, _ = headcount_arrays([t.reps for t in sa.teams])
    axes = [("month", months), ("team", teams)]

    reps = add_headcount(
        model,
        v,
        var="reps",
        department=DEPT,
        role="sales reps",
        axes=axes,
        minimum=lo,
        maximum=hi,
        path="sales.teams[{team}].reps",
    )
    conv = model.add_vars(
        "conversations", axes + [("tier", tier_labels(scenario))], unit="conversations"
    )
    deals = model.add_vars("deals", axes, unit="deals")
    v["conversations"], v["deals"] = conv, deals

    model.add_rows(
        "selling_time",
        department=DEPT,
        unit="minutes/month",
        description=(
            "Each team's conversations, with their admin minutes, fit in the selling time its "
            "reps have left after travel, meetings, follow-ups and trade shows."
        ),
        axes=axes,
        lhs=[(minutes[None, None, :] + admin[None, :, None], conv)],
        sense="<=",
        rhs_terms=[(selling[None, :], reps)],
        nature="capacity",
    )
    model.add_rows(
        "lead_supply",
        department=DEPT,
        unit="conversations/month",
        description="Every conversation needs a qualified lead: conversations cannot outrun the leads marketing supplies.",
        axes=[("month", months)],
        lhs=[(1.0, conv.reshape(len(months), -1))],
        sense="<=",
        rhs_terms=[(sa.touches_per_lead * scenario.marketing.qualified_lead_share, v["leads"])],
        nature="capacity",
    )
    below = minutes < sa.min_minutes_per_quality_conversation
    if below.any():
        model.add_rows(
            "quality_floor",
            department=DEPT,
            unit="conversations/month",
            description=(
                "No conversation is shorter than the minimum minutes a quality conversation needs."
            ),
            axes=axes,
            lhs=[(1.0, conv[:, :, below])],
            sense="<=",
            rhs=0.0,
            parameter=QUALITY_FLOOR,
        )
    model.add_rows(
        "deal_total",
        department=DEPT,
        kind="definition",
        unit="deals/month",
        description="Deals are conversations times the conversion rate of their length.",
        axes=axes,
        lhs=[(1.0, deals)],
        sense="==",
        rhs_terms=[(rate, conv)],
    )
