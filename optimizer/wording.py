"""Plain sentences for broken limits, built from each constraint family's metadata.

A generic sentence says what the limit is, what today's targets need and by how much
they break it, in the limit's unit. Some families add a detail a manager recognises
(the quality floor speaks in minutes a call, not in conversations below a tier).
"""

from __future__ import annotations

import pandas as pd

from optimizer.implied import minutes_and_seconds
from optimizer.model import RowBlock
from optimizer.schema import Scenario


def violation_sentence(record: dict, block: RowBlock, scenario: Scenario, now: pd.DataFrame) -> str:
    unit = record["unit"]
    over = "short" if record["implied"] < record["limit"] else "over"
    period = record["period"]
    when = "over the horizon" if period == "horizon" else f"in {period}"
    text = (
        f"{block.description} Today's targets break it {when}: "
        f"{record['implied']:,.1f} against a limit of {record['limit']:,.1f} {unit} "
        f"({record['shortfall']:,.1f} {over})."
    )
    detail = DETAILS.get(block.name.split("-", 1)[1])
    return text + (" " + detail(record, scenario, now) if detail else "")


def _team(record: dict) -> str | None:
    inside = record["constraint"].split("[", 1)[1].rstrip("]").split(",")
    return inside[1] if len(inside) > 1 else None


def _value(now: pd.DataFrame, metric: str, role: str, period: str) -> float:
    rows = now[(now["metric"] == metric) & (now["role"] == role) & (now["period"] == period)]
    return float(rows["value"].iloc[0]) if len(rows) else float("nan")


def _quality_floor(record: dict, scenario: Scenario, now: pd.DataFrame) -> str:
    team_name = _team(record)
    team = next(t for t in scenario.sales.teams if t.name == team_name)
    cal = scenario.calendar
    calls = _value(now, "calls_per_rep_per_day", team_name, record["period"])
    if not calls > 0:
        return ""
    floor = scenario.sales.min_minutes_per_quality_conversation
    working = cal.hours_per_day * 60.0 / calls
    lost = team.hours_lost_per_day.total()
    talking = (cal.hours_per_day - lost) * 60.0 / calls - team.admin_minutes_per_conversation
    after = f"after {lost:g} h lost to other work and {team.admin_minutes_per_conversation:g} min of admin"
    talk = (
        f"{talking:.1f} min of conversation {after}" if talking > 0 else f"no time to talk {after}"
    )
    return (
        f"The quality floor is {floor:g} min a conversation; {calls:,.3g} calls a day leave "
        f"{working:.1f} min ({minutes_and_seconds(working)}) a call in a working day of "
        f"{cal.hours_per_day:g} hours, and {talk}."
    )


def _lead_supply(record: dict, scenario: Scenario, now: pd.DataFrame) -> str:
    sa, mk = scenario.sales, scenario.marketing
    needed = record["implied"] / (sa.touches_per_lead * mk.qualified_lead_share)
    return (
        f"The calls need {needed:,.0f} new leads a month ({mk.qualified_lead_share:.0%} of "
        f"leads qualify); marketing's plan gives "
        f"{record['limit'] / (sa.touches_per_lead * mk.qualified_lead_share):,.0f}."
    )


def _selling_time(record: dict, scenario: Scenario, now: pd.DataFrame) -> str:
    team_name = _team(record)
    reps = _value(now, "reps", team_name, record["period"])
    days = scenario.calendar.business_days_per_month
    if not reps > 0:
        return ""
    per_day = record["shortfall"] / (reps * days * 60.0)
    return f"Each rep would need {per_day:.2f} more selling hours a day."


def _profit_goal(record: dict, scenario: Scenario, now: pd.DataFrame) -> str:
    fi = scenario.finance
    return (
        f"The goal is retained earnings of ${fi.retained_earnings_per_month:,.0f} plus a profit "
        f"target of ${fi.profit_target_per_month:,.0f} a month."
    )


DETAILS = {
    "quality_floor": _quality_floor,
    "lead_supply": _lead_supply,
    "selling_time": _selling_time,
    "profit_goal": _profit_goal,
}
