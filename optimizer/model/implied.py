"""What a calls-per-day target implies, the seed article's arithmetic.

    calls per hour            = calls per day / hours per day
    minutes per call (at most) = hours per day * 60 / calls per day
    new leads per rep a month  = calls per day * business days / touches per lead

50 calls in an 8-hour day is 6.25 calls an hour and at most 9 min 36 s a call; at 20
business days that is 1 000 new leads per rep a month when every call needs a new lead.
"""

from __future__ import annotations


def calls_per_hour(calls_per_day: float, hours_per_day: float) -> float:
    return calls_per_day / hours_per_day


def minutes_per_call(calls_per_day: float, minutes_per_day: float) -> float:
    """The most minutes each call can take when ``minutes_per_day`` go to calls."""
    return minutes_per_day / calls_per_day if calls_per_day > 0 else float("inf")


def leads_per_rep_per_month(
    calls_per_day: float, business_days: float, touches_per_lead: float = 1.0
) -> float:
    return calls_per_day * business_days / touches_per_lead


def minutes_and_seconds(minutes: float) -> str:
    """9.6 -> '9 min 36 s'."""
    total = round(minutes * 60)
    m, s = divmod(total, 60)
    return f"{m} min {s} s" if s else f"{m} min"


def talk_minutes_per_call(
    calls_per_day: float, hours_per_day: float, hours_lost: float, admin_minutes: float
) -> float:
    """Minutes of conversation each call gets when a rep makes ``calls_per_day`` calls:

        (hours per day - hours lost) x 60 / calls per day - admin minutes a conversation

    The one figure "what suffers" and the quality floor's sentence both quote. Negative:
    the calls do not fit in the selling time at all (no time to talk).
    """
    if not calls_per_day > 0:
        return float("inf")
    return (hours_per_day - hours_lost) * 60.0 / calls_per_day - admin_minutes


def team_talk_minutes(scenario, team_name: str, calls_per_day: float) -> float:
    """``talk_minutes_per_call`` for one sales team of ``scenario``."""
    team = next(t for t in scenario.sales.teams if t.name == team_name)
    return talk_minutes_per_call(
        calls_per_day,
        scenario.calendar.hours_per_day,
        team.hours_lost_per_day.total(),
        team.admin_minutes_per_conversation,
    )
