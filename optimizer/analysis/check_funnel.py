"""Independent check of the sales funnel: every sales limit recomputed from the scenario.

Restated from the scenario's own fields, never from the model (``optimizer.model.chain.funnel``
states the same arithmetic for the model): a rep's bookable minutes, what each first
conversation costs (its length, admin, follow-up and dialing minutes), self-found leads and
their conversations, the later stages, the deals they produce, and what reps close on average.
"""

from __future__ import annotations

import numpy as np

from optimizer.scenario.schema import Scenario


def _in_month(value, month: int):
    return value[month] if isinstance(value, list) else value


def tier_rates(scenario: Scenario) -> np.ndarray:
    """(month, team, tier) from the scenario: the team's own rates, else the tier's."""
    n = scenario.calendar.horizon_months
    tiers = scenario.sales.conversation_tiers
    out = np.zeros((n, len(scenario.sales.teams), len(tiers)))
    for s, team in enumerate(scenario.sales.teams):
        rates = team.conversion_rates or [t.conversion_rate for t in tiers]
        for k, rate in enumerate(rates):
            out[:, s, k] = [_in_month(rate, m) for m in range(n)]
    return out


def verify_sales(scenario: Scenario, q: dict, per_team, at_most, equal) -> np.ndarray:
    """Check every sales rule of the plan; returns the deals won each month by team (the
    deals the conversations produce, before any sales cycle)."""
    cal, sa = scenario.calendar, scenario.sales
    n = cal.horizon_months
    days = np.array([_in_month(cal.business_days_per_month, m) for m in range(n)], float)
    conv, reps = q["conversations"], q["reps"]
    working = q.get("reps_productive", reps)
    lost = np.array([t.hours_lost_per_day.total() for t in sa.teams])
    booked = np.array([t.max_booked_share for t in sa.teams])
    available = days[:, None] * (cal.hours_per_day - lost) * 60.0 * booked * working
    own = q.get("own_lead_conversations", np.zeros_like(conv))
    found = q.get("leads_found", np.zeros(conv.shape[:2]))
    rates = tier_rates(scenario)

    used = np.zeros(conv.shape[:2])
    moving_on = np.zeros(conv.shape[:2])  # what first conversations send on
    for s, team in enumerate(sa.teams):
        dial = team.dials.minutes_per_dial / team.dials.connect_rate if team.dials else 0.0
        extra = team.admin_minutes_per_conversation + team.follow_up_minutes_per_conversation
        p = team.prospecting
        factor = p.conversion_factor if p is not None else 1.0
        for k, tier in enumerate(sa.conversation_tiers):
            used[:, s] += (tier.minutes + extra + dial) * conv[:, s, k]
            moving_on[:, s] += rates[:, s, k] * (conv[:, s, k] + (factor - 1.0) * own[:, s, k])
        if p is not None:
            per_lead = (
                p.dials.minutes_per_dial / p.dials.connect_rate if p.dials else p.minutes_per_lead
            )
            used[:, s] += per_lead * found[:, s]
    grades = scenario.marketing.lead_grades
    if grades:  # a graded lead's conversation converts at its grade's factor
        graded = q["graded_conversations"]  # (month, team, tier, grade)
        for g, grade in enumerate(grades):
            moving_on = moving_on + (grade.conversion_factor - 1.0) * (
                rates * graded[:, :, :, g]
            ).sum(axis=2)
    won = moving_on
    stages = []  # each stage's volume is what enters it (both ways), by team and stage
    if sa.stages:
        stage = q["stage_volume"]
        entering = moving_on
        for j, st in enumerate(sa.stages):
            if j == 0:
                stages += [("sales-stage_entry[{team}]", stage[:, :, j], entering),
                           ("sales-stage_entry[{team}]", entering, stage[:, :, j])]  # fmt: skip
            else:
                stages += [(f"sales-stage_flow[{{team}},{st.name}]", stage[:, :, j], entering),
                           (f"sales-stage_flow[{{team}},{st.name}]", entering, stage[:, :, j])]  # fmt: skip
            used = used + (st.minutes + st.admin_minutes) * stage[:, :, j]
            rate = np.array([_in_month(st.conversion_rate, m) for m in range(n)])
            entering = rate[:, None] * stage[:, :, j]
        won = entering
    floors = [
        ("sales-quality_floor[{team}]", conv[:, :, k], 0.0)
        for k, tier in enumerate(sa.conversation_tiers)
        if tier.minutes < sa.min_minutes_per_quality_conversation
    ]
    attainment = [
        ("sales-attainment[{team}]",
         np.array([t.average_deal_value if t.attainment else 0.0 for t in sa.teams])
         * q.get("deals_won", q["deals"]),
         np.array([t.attainment.mean_per_rep_per_month if t.attainment else 0.0
                   for t in sa.teams]) * working)  # a team without one: 0 <= 0
    ] if any(t.attainment for t in sa.teams) else []  # fmt: skip
    own_supply = [
        ("sales-own_leads[{team}]", own.sum(axis=2),
         sa.touches_per_lead * np.array([t.prospecting.qualified_share if t.prospecting else 0.0
                                         for t in sa.teams]) * found)
    ] if "own_lead_conversations" in q else []  # fmt: skip
    per_team(
        [
            ("sales-selling_time[{team}]", used, available),
            ("sales-reps_max[{team}]", reps, np.array([t.reps.max for t in sa.teams])),
            ("sales-reps_min[{team}]", np.array([t.reps.min for t in sa.teams]), reps),
            *floors,
            *stages,
            *attainment,
            *own_supply,
            ("sales-deal_total[{team}]", q.get("deals_won", q["deals"]), won),
            ("sales-deal_total[{team}]", won, q.get("deals_won", q["deals"])),
        ]
    )
    qualified = sa.touches_per_lead * scenario.marketing.qualified_lead_share * q["leads"]
    if grades:
        graded = q["graded_conversations"]
        equal("sales-grade_split", graded.sum(axis=3) + own, conv)
        for g, grade in enumerate(grades):
            at_most(f"sales-grade_supply[{grade.name}]", graded[:, :, :, g].sum(axis=(1, 2)),
                    grade.share * qualified)  # fmt: skip
        return won
    if "own_lead_conversations" in q:
        at_most("sales-own_within", own, conv)
    bought = conv.sum(axis=(1, 2)) - own.sum(axis=(1, 2))
    at_most("sales-lead_supply", bought, qualified)
    return won


def commission(scenario: Scenario, q: dict) -> np.ndarray:
    """Each month's commission: every team's share of the value of the deals it closes."""
    share = np.array([t.commission_share * t.average_deal_value for t in scenario.sales.teams])
    return q["deals"] @ share


def units_sold(scenario: Scenario, q: dict) -> np.ndarray:
    """Each month's units sold: every team's deals times its units a deal."""
    de = scenario.delivery
    per = np.array([t.units_per_deal or de.units_per_deal for t in scenario.sales.teams])
    return q["deals"] @ per


def goal_measure(scenario: Scenario, q: dict, measure: str) -> np.ndarray:
    """A goal's measure each month, recomputed: deals, new customers and bookings from the
    deals; the others as the plan states them (their own rules check them)."""
    rr, su = scenario.recurring_revenue, scenario.support
    deals = q["deals"].sum(axis=1)
    if measure == "deals":
        return deals
    if measure == "new_customers":
        if rr is not None:
            return rr.new_customers_per_deal * deals
        return (su.new_customers_per_deal if su is not None else 1.0) * deals
    if measure == "bookings":
        value = q["deals"] @ np.array([t.average_deal_value for t in scenario.sales.teams])
        if rr is not None:
            value = value + rr.revenue_per_customer_per_month * rr.contract_months * (
                rr.new_customers_per_deal * deals
            )
        return value
    return np.asarray(q[measure], float)
