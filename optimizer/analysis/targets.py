"""Per-role targets derived from a plan's totals, the numbers people are given.

calls per rep per day = conversations / reps / that month's business days; minutes per conversation
is the plan's average conversation length; quota per rep = revenue / reps; and so on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.analysis import check_money, funnel, money
from optimizer.scenario.schema import Scenario

COLUMNS = ["department", "role", "metric", "period", "value", "unit"]


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num, den = np.broadcast_arrays(np.asarray(num, float), np.asarray(den, float))
    out = np.zeros(num.shape)
    np.divide(num, den, out=out, where=np.abs(den) > 1e-12)
    return out


class _Rows:
    """Target rows gathered a block at a time; each (role, metric) pair has a row per month."""

    def __init__(self, months: list[str]):
        self.months = months
        self.pairs: tuple[list[str], ...] = ([], [], [], [])  # department, role, metric, unit
        self.values: list[np.ndarray] = []

    def add(self, dept: str, role: str, metric: str, values, unit: str) -> None:
        """One metric of one role, a value per month (a number is every month's value)."""
        self.values.append(np.broadcast_to(np.asarray(values, float), (len(self.months),)))
        for column, word in zip(self.pairs, (dept, role, metric, unit)):
            column.append(word)

    def add_roles(self, dept: str, roles: list[str], metrics: dict[str, tuple]) -> None:
        """Several metrics of several roles: ``metrics[name] = (values, unit)``, the values
        by month and role. Rows run role by role, each role's metrics in order."""
        shape = (len(self.months), len(roles))
        values = [np.broadcast_to(np.asarray(v, float).T, shape[::-1]) for v, _ in metrics.values()]
        self.values.append(np.stack(values, axis=1).ravel())
        units = [unit for _, unit in metrics.values()]
        department, role, metric, unit = self.pairs
        department += [dept] * (len(roles) * len(metrics))
        role += [r for r in roles for _ in metrics]
        metric += list(metrics) * len(roles)
        unit += units * len(roles)

    def frame(self) -> pd.DataFrame:
        n = len(self.months)
        words = [np.repeat(np.array(column, dtype=object), n) for column in self.pairs]
        return pd.DataFrame(
            {
                "department": words[0],
                "role": words[1],
                "metric": words[2],
                "period": np.tile(np.array(self.months, dtype=object), len(self.pairs[0])),
                "value": np.concatenate(self.values),
                "unit": words[3],
            }
        )


def _live_channel(add, channel, q: dict, cal, days: np.ndarray, band) -> None:
    """Agents, busiest-interval contacts and the service level the plan reaches (Erlang C),
    against the target of the band each month ran at (``band``: None for the one target)."""
    from optimizer.model import erlang

    name = channel.name
    agents = q[f"{name}_agents"]
    contacts = q[f"{name}_contacts"]
    reached, asa, occupancy, required = [], [], [], []
    levels = channel.levels()
    for t, (n, volume) in enumerate(zip(np.round(agents).astype(int), contacts)):
        level = levels[0] if band is None else levels[band[t]]
        within = level.answer_within_seconds or 1.0
        on = erlang.answering(int(n), channel.shrinkage)
        volume = max(float(volume), 0.0)
        if on >= 1:
            r = erlang.service_with_agents(
                volume,
                channel.interval_minutes,
                channel.handle_seconds,
                within,
                on,
            )
            reached.append(r.service_level)
            asa.append(r.asa_seconds)
            occupancy.append(r.occupancy)
        else:
            reached.append(1.0 if volume == 0 else 0.0)
            asa.append(0.0 if volume == 0 else np.inf)
            occupancy.append(0.0)
        need = erlang.agents_required(
            volume,
            channel.interval_minutes,
            channel.handle_seconds,
            within,
            level.service_level or 0.0,
            channel.max_occupancy,
            channel.shrinkage,
            channel.max_asa_seconds,
        )
        required.append(need.agents_scheduled)
    intervals = days * cal.hours_per_day * 60.0 / channel.interval_minutes
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
    days = scenario.per_month(cal.business_days_per_month)  # business days of each month
    rows = _Rows(months)
    add = rows.add

    # marketing
    add("marketing", "marketing", "leads_per_month", q["leads"], "leads/month")
    add(
        "marketing",
        "marketing",
        "paid_leads_per_month",
        q["leads"] - scenario.per_month(mk.organic_leads_per_month),
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
        cost = np.stack([scenario.per_month(t.cost_per_lead) for t in channel.tiers], axis=1)
        paid = q["paid_leads"][:, start : start + k]
        seasonal = any(isinstance(t.cost_per_lead, list) for t in channel.tiers)
        spend = (paid * cost).sum(axis=1) if seasonal else paid @ cost[0]  # as it always was
        add("marketing", channel.name, "ad_spend_per_month", spend, "$/month")
        add("marketing", channel.name, "paid_leads_per_month", paid.sum(axis=1), "leads/month")
        start += k
    add("marketing", "marketing", "marketers", q["marketers"], "people")

    # sales: months x teams arrays, every team's metrics before the next team's
    reps, conv, deals = q["reps"], q["conversations"], q["deals"]
    total = conv.sum(axis=2)
    minutes = np.array([t.minutes for t in sa.conversation_tiers])
    # team by team, as (months x tiers) @ tiers: the same sums as one team at a time
    talk = np.matmul(conv.transpose(1, 0, 2), minutes).T
    revenue = deals * np.array([t.average_deal_value for t in sa.teams])
    calls_per_day = _ratio(total, reps * days[:, None])
    hours = cal.hours_per_day
    rows.add_roles(
        "sales",
        [t.name for t in sa.teams],
        {
            "reps": (reps, "people"),
            "conversations_per_month": (total, "conversations/month"),
            "calls_per_rep_per_day": (calls_per_day, "conversations/rep/day"),
            "calls_per_rep_per_hour": (
                _ratio(total, reps * days[:, None] * hours),
                "conversations/rep/hour",
            ),
            "minutes_per_conversation": (_ratio(talk, total), "minutes"),
            "working_minutes_per_call": (
                _ratio(np.full_like(total, hours * 60.0), calls_per_day),
                "minutes",
            ),
            "leads_contacted_per_rep_per_month": (
                _ratio(total, reps * sa.touches_per_lead),
                "leads/rep/month",
            ),
            "deals_per_conversation": (  # won in the month's conversations, not closing
                _ratio(q.get("deals_won", deals), total),
                "deals/conversation",
            ),
            "leads_needed_per_rep_per_month": (
                _ratio(total, reps * sa.touches_per_lead * mk.qualified_lead_share),
                "leads/rep/month",
            ),
            "deals_per_month": (deals, "deals/month"),
            "deals_per_rep_per_month": (_ratio(deals, reps), "deals/rep/month"),
            "quota_per_rep_per_month": (_ratio(revenue, reps), "$/rep/month"),
            "revenue_per_month": (revenue, "$/month"),
        },
    )

    for team, metric, values, unit in funnel.team_rows(scenario, q):
        add("sales", team, metric, values, unit)

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
            band = check_money.chosen_band(scenario, q) if channel.bands else None
            _live_channel(add, channel, q, cal, days, band)

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
    if "hiring_costs" in q:
        add("finance", "finance", "hiring_costs", q["hiring_costs"], "$/month")
    money.rows(add, scenario, q)
    if "deals_won" in q:
        _pipeline(rows, scenario, q)
    _people_flow(rows, scenario, q)
    headcount = q["reps"].sum(axis=1) + q["marketers"]
    roles = ["workers", "agents"]
    if scenario.support is not None:
        roles += [f"{c.name}_agents" for c in scenario.support.live_channels]
    for role in roles:
        if role in q:
            headcount = headcount + q[role]
    add("finance", "company", "headcount", headcount, "people")
    return _teams_together(rows.frame(), [t.name for t in sa.teams])


def _teams_together(frame: pd.DataFrame, teams: list[str]) -> pd.DataFrame:
    """Each sales team's rows in one run (the funnel's rows come after every team's
    common ones), teams in the scenario's order, each team's rows in their own order."""
    sales = frame.index[frame["department"] == "sales"]
    if not len(sales):
        return frame
    order = {name: i for i, name in enumerate(teams)}
    rank = np.argsort([order.get(r, len(teams)) for r in frame.loc[sales, "role"]], kind="stable")
    positions = np.arange(len(frame))
    positions[sales] = sales[rank]  # the sales rows' places, filled in team order
    return frame.iloc[positions].reset_index(drop=True)


def _people_flow(rows: _Rows, scenario: Scenario, q: dict) -> None:
    """Hires decided, starts, departures, expected leavers and productive people, per month,
    of every role whose people flow (``Headcount.opening``)."""
    n = len(rows.months)
    for r in scenario.roles():
        dept, var, heads = r.department, r.var, list(zip(r.names, r.staff))
        if f"{var}_starts" not in q:
            continue
        people = np.asarray(q[var], float).reshape(n, -1)
        starts = np.asarray(q[f"{var}_starts"], float).reshape(n, -1)
        leaving = np.asarray(q[f"{var}_departures"], float).reshape(n, -1)
        e = 0
        for i, (role, h) in enumerate(heads):
            if not h.flows:
                continue
            lead = h.hiring_lead_time_months
            decided = np.zeros(n)
            decided[: max(n - lead, 0)] = starts[lead:, e]
            before = np.concatenate([[float(h.opening)], people[:-1, i]])
            short = np.zeros(n)  # what recent hires lack of full speed (the ramp-up)
            for k, r in enumerate(h.ramp):
                short[k:] += (1.0 - r) * (1.0 - h.attrition_per_month) ** k * starts[: n - k, e]
            rows.add(dept, role, "hires_decided", decided, "people")
            rows.add(dept, role, "starts", starts[:, e], "people")
            rows.add(dept, role, "departures", leaving[:, e], "people")
            rows.add(dept, role, "leavers_expected", h.attrition_per_month * before, "people")
            rows.add(dept, role, "productive_people", people[:, i] - short, "people")
            e += 1


def _pipeline(rows: _Rows, scenario: Scenario, q: dict) -> None:
    """Deals won, deals closing and the deals still open at each month's end, per team, and
    the open pipeline's value (``SalesTeam.close_profile``)."""
    teams = scenario.sales.teams
    won, closing = np.asarray(q["deals_won"], float), np.asarray(q["deals"], float)
    opening = np.zeros_like(won)
    for s, team in enumerate(teams):
        opening[: len(team.opening_pipeline), s] = team.opening_pipeline
    total_opening = np.array([sum(t.opening_pipeline) for t in teams])
    still = total_opening + np.cumsum(won, axis=0) - np.cumsum(closing, axis=0)
    still = np.maximum(still, 0.0)
    value = np.array([t.average_deal_value for t in teams])
    for s, team in enumerate(teams):
        rows.add("sales", team.name, "deals_won_per_month", won[:, s], "deals/month")
        rows.add("sales", team.name, "pipeline_open_deals", still[:, s], "deals")
    rows.add("finance", "finance", "pipeline_open_value", still @ value, "$")
