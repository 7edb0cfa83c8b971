"""Per-role targets derived from a plan's totals, the numbers people are given.

calls per rep per day = conversations / reps / business days; minutes per conversation
is the plan's average conversation length; quota per rep = revenue / reps; and so on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.schema import Scenario

COLUMNS = ["department", "role", "metric", "period", "value", "unit"]


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num, den = np.broadcast_arrays(np.asarray(num, float), np.asarray(den, float))
    out = np.zeros(num.shape)
    np.divide(num, den, out=out, where=np.abs(den) > 1e-12)
    return out


def _live_channel(add, channel, q: dict, cal) -> None:
    """Agents, busiest-interval contacts and the service level the plan reaches (Erlang C)."""
    from optimizer import erlang

    name = channel.name
    agents = q[f"{name}_agents"]
    contacts = q[f"{name}_contacts"]
    reached, asa, occupancy, required = [], [], [], []
    for n, volume in zip(np.round(agents).astype(int), contacts):
        on = erlang.answering(int(n), channel.shrinkage)
        volume = max(float(volume), 0.0)
        if on >= 1:
            r = erlang.service_with_agents(
                volume, channel.interval_minutes, channel.handle_seconds,
                channel.answer_within_seconds, on,
            )  # fmt: skip
            reached.append(r.service_level)
            asa.append(r.asa_seconds)
            occupancy.append(r.occupancy)
        else:
            reached.append(1.0 if volume == 0 else 0.0)
            asa.append(0.0 if volume == 0 else np.inf)
            occupancy.append(0.0)
        need = erlang.agents_required(
            volume, channel.interval_minutes, channel.handle_seconds,
            channel.answer_within_seconds, channel.service_level, channel.max_occupancy,
            channel.shrinkage, channel.max_asa_seconds,
        )  # fmt: skip
        required.append(need.agents_scheduled)
    intervals = cal.business_days_per_month * cal.hours_per_day * 60.0 / channel.interval_minutes
    add("support", name, "agents", agents, "people")
    add("support", name, "agents_required", required, "people")
    add("support", name, "busiest_interval_contacts", contacts, "contacts/interval")
    per_month = contacts * intervals / channel.peak_factor
    add("support", name, "contacts_per_month", per_month, "contacts/month")
    add("support", name, "service_level_reached", reached, "share")
    add("support", name, "asa_seconds", asa, "seconds")
    add("support", name, "occupancy", occupancy, "share")


def derive(scenario: Scenario, q: dict[str, np.ndarray], months: list[str]) -> pd.DataFrame:
    cal, mk, sa = scenario.calendar, scenario.marketing, scenario.sales
    days = cal.business_days_per_month
    rows: list[tuple] = []

    def add(dept: str, role: str, metric: str, values, unit: str) -> None:
        for period, value in zip(
            months, np.broadcast_to(np.asarray(values, float), (len(months),))
        ):
            rows.append((dept, role, metric, period, float(value), unit))

    # marketing
    add("marketing", "marketing", "leads_per_month", q["leads"], "leads/month")
    add(
        "marketing",
        "marketing",
        "paid_leads_per_month",
        q["leads"] - mk.organic_leads_per_month,
        "leads/month",
    )
    add(
        "marketing",
        "marketing",
        "qualified_leads_per_month",
        mk.qualified_lead_share * q["leads"],
        "leads/month",
    )
    add("marketing", "marketing", "ad_spend_per_month", q["ad_spend"], "$/month")
    start = 0
    for channel in mk.channels:
        k = len(channel.tiers)
        cost = np.array([t.cost_per_lead for t in channel.tiers])
        paid = q["paid_leads"][:, start : start + k]
        add("marketing", channel.name, "ad_spend_per_month", paid @ cost, "$/month")
        add("marketing", channel.name, "paid_leads_per_month", paid.sum(axis=1), "leads/month")
        start += k
    add("marketing", "marketing", "marketers", q["marketers"], "people")

    # sales, per team
    minutes = np.array([t.minutes for t in sa.conversation_tiers])
    value = np.array([t.average_deal_value for t in sa.teams])
    for s, team in enumerate(sa.teams):
        reps = q["reps"][:, s]
        conv = q["conversations"][:, s, :]
        total = conv.sum(axis=1)
        deals = q["deals"][:, s]
        add("sales", team.name, "reps", reps, "people")
        add("sales", team.name, "conversations_per_month", total, "conversations/month")
        add(
            "sales",
            team.name,
            "calls_per_rep_per_day",
            _ratio(total, reps * days),
            "conversations/rep/day",
        )
        add(
            "sales",
            team.name,
            "calls_per_rep_per_hour",
            _ratio(total, reps * days * cal.hours_per_day),
            "conversations/rep/hour",
        )
        add(
            "sales", team.name, "minutes_per_conversation", _ratio(conv @ minutes, total), "minutes"
        )
        calls_per_day = _ratio(total, reps * days)
        add(
            "sales", team.name, "working_minutes_per_call",
            _ratio(np.full_like(total, cal.hours_per_day * 60.0), calls_per_day), "minutes",
        )  # fmt: skip
        add(
            "sales", team.name, "leads_contacted_per_rep_per_month",
            _ratio(total, reps * sa.touches_per_lead), "leads/rep/month",
        )  # fmt: skip
        add(
            "sales", team.name, "deals_per_conversation", _ratio(deals, total), "deals/conversation"
        )
        add(
            "sales", team.name, "leads_needed_per_rep_per_month",
            _ratio(total, reps * sa.touches_per_lead * mk.qualified_lead_share), "leads/rep/month",
        )  # fmt: skip
        add("sales", team.name, "deals_per_month", deals, "deals/month")
        add("sales", team.name, "deals_per_rep_per_month", _ratio(deals, reps), "deals/rep/month")
        add(
            "sales",
            team.name,
            "quota_per_rep_per_month",
            _ratio(deals * value[s], reps),
            "$/rep/month",
        )
        add("sales", team.name, "revenue_per_month", deals * value[s], "$/month")

    # delivery
    if scenario.delivery is not None:
        add("delivery", "delivery", "workers", q["workers"], "people")
        add("delivery", "delivery", "units_sold_per_month", q["units_sold"], "units/month")
        add("delivery", "delivery", "units_built_per_month", q["production"], "units/month")
        add(
            "delivery",
            "delivery",
            "units_per_worker_per_month",
            _ratio(q["production"], q["workers"]),
            "units/person/month",
        )

    # support
    if scenario.support is not None:
        add("support", "support", "agents", q["agents"], "people")
        add("support", "support", "tickets_per_month", q["tickets"], "tickets/month")
        add(
            "support",
            "support",
            "tickets_per_agent_per_day",
            _ratio(q["tickets"], q["agents"] * days),
            "tickets/person/day",
        )
        for channel in scenario.support.live_channels:
            _live_channel(add, channel, q, cal)

    # finance
    fi = scenario.finance
    add("finance", "finance", "revenue", q["revenue"], "$/month")
    add("finance", "finance", "payroll", q["payroll"], "$/month")
    add("finance", "finance", "cost_of_goods", q["cogs"], "$/month")
    add("finance", "finance", "ad_spend", q["ad_spend"], "$/month")
    add("finance", "finance", "fixed_bills", fi.fixed_bills_per_month, "$/month")
    add("finance", "finance", "profit", q["profit"], "$/month")
    add(
        "finance",
        "finance",
        "profit_goal",
        fi.retained_earnings_per_month + fi.profit_target_per_month,
        "$/month",
    )
    headcount = q["reps"].sum(axis=1) + q["marketers"]
    roles = ["workers", "agents"]
    if scenario.support is not None:
        roles += [f"{c.name}_agents" for c in scenario.support.live_channels]
    for role in roles:
        if role in q:
            headcount = headcount + q[role]
    add("finance", "company", "headcount", headcount, "people")
    return pd.DataFrame(rows, columns=COLUMNS)
