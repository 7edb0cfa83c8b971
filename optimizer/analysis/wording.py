"""The sentences about a comparison's broken limits (``optimizer.analysis.compare``), built
from each row's numbers and labels into ``Comparison.violations`` and its groups.

Words for people are otherwise the report stage's (``optimizer.report``: a repair's in
``report.diagnosis``, a cross-check's in ``report.crosscheck``); these are here because the
comparison's table carries them, and ``who_phrase`` is shared with ``report.diagnosis``.

A broken limit's sentence names the row (its label: "Selling time, inside team, Apr
2027"), says what the limit is, what today's targets need and by how much they break it,
with money and counts as a leader reads them (``optimizer.scenario.labels``). Some
families add a detail a manager recognises (the quality floor speaks in minutes a call,
not in conversations below a tier). Rows of one family that break in several months or
for several teams are also said once, as a group (``group_sentence``), with the worst
row's figures.
"""

from __future__ import annotations

import pandas as pd

from optimizer.model.implied import minutes_and_seconds, team_talk_minutes
from optimizer.model.linear import RowBlock
from optimizer.scenario import labels
from optimizer.scenario.schema import Scenario


def figures(record: dict) -> str:
    """'80,407 against a limit of 63,000 minutes a month (17,407 over)'."""
    unit = record["unit"]
    over = "short" if record["implied"] < record["limit"] else "over"
    word = "goal" if record.get("kind") == "goal" else "limit"
    return (
        f"{labels.bare(record['implied'], unit)} against a {word} of "
        f"{labels.amount(record['limit'], unit)} ({labels.bare(record['shortfall'], unit)} {over})"
    )


def detail(record: dict, block: RowBlock, scenario: Scenario, now: pd.DataFrame) -> str:
    """A family's own words about a broken row ('' when it has none)."""
    words = DETAILS.get(block.name.split("-", 1)[1])
    return words(record, scenario, now) if words else ""


def violation_sentence(record: dict, block: RowBlock, scenario: Scenario, now: pd.DataFrame) -> str:
    """'Selling time, inside team, Apr 2027: <what the limit is> Today's targets break it:
    80,407 against a limit of 63,000 minutes a month (17,407 over). <detail>'"""
    extra = detail(record, block, scenario, now)
    return (
        f"{record['label']}: {block.description} Today's targets break it: {figures(record)}."
        + (" " + extra if extra else "")
    )


def _team(record: dict) -> str | None:
    inside = record["constraint"].split("[", 1)[1].rstrip("]").split(",")
    return inside[1] if len(inside) > 1 else None


def _value(now: pd.DataFrame, metric: str, role: str, period: str) -> float:
    rows = now[(now["metric"] == metric) & (now["role"] == role) & (now["period"] == period)]
    return float(rows["value"].iloc[0]) if len(rows) else float("nan")


def talk_words(minutes: float) -> str:
    """'20.0 min of conversation', or 'no time to talk': how both the quality floor's
    sentence and "what suffers" say ``implied.team_talk_minutes``."""
    return f"{minutes:.1f} min of conversation" if minutes > 0 else "no time to talk"


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
    talking = team_talk_minutes(scenario, team_name, calls)
    after = f"after {lost:g} h lost to other work and {team.admin_minutes_per_conversation:g} min of admin"
    return (
        f"The quality floor is {floor:g} min a conversation; {calls:,.3g} calls a day leave "
        f"{working:.1f} min ({minutes_and_seconds(working)}) a call in a working day of "
        f"{cal.hours_per_day:g} hours, and {talk_words(talking)} {after}."
    )


def _lead_supply(record: dict, scenario: Scenario, now: pd.DataFrame) -> str:
    sa, mk = scenario.sales, scenario.marketing
    if mk.qualified_lead_share <= 0:  # no lead qualifies: no number of leads is enough
        return (
            f"The calls need {record['implied']:,.0f} qualified leads a month, and no lead "
            "qualifies (marketing.qualified_lead_share is 0)."
        )
    needed = record["implied"] / (sa.touches_per_lead * mk.qualified_lead_share)
    return (
        f"The calls need {needed:,.0f} new leads a month ({mk.qualified_lead_share:.0%} of "
        f"leads qualify); marketing's plan gives "
        f"{record['limit'] / (sa.touches_per_lead * mk.qualified_lead_share):,.0f}."
    )


def _selling_time(record: dict, scenario: Scenario, now: pd.DataFrame) -> str:
    team_name = _team(record)
    reps = _value(now, "reps", team_name, record["period"])
    days = _business_days(scenario, record["period"])
    if not reps > 0:
        return ""
    per_day = record["shortfall"] / (reps * days * 60.0)
    return f"Each rep would need {per_day:.2f} more selling hours a day."


def _business_days(scenario: Scenario, period: str) -> float:
    """The business days of a month of the plan (of its first month for a row without one)."""
    days = scenario.per_month(scenario.calendar.business_days_per_month)
    months = scenario.calendar.month_labels()
    return float(days[months.index(period)] if period in months else days[0])


def _profit_goal(record: dict, scenario: Scenario, now: pd.DataFrame) -> str:
    fi = scenario.finance
    return (
        f"The goal is retained earnings of {labels.money(fi.retained_earnings_per_month)} plus "
        f"a profit target of {labels.money(fi.profit_target_per_month)} a month."
    )


DETAILS = {
    "quality_floor": _quality_floor,
    "lead_supply": _lead_supply,
    "selling_time": _selling_time,
    "profit_goal": _profit_goal,
}


# ---- groups: one sentence per family ---------------------------------------------------------


def _axis_words(key: str, value: str) -> str:
    if key == "tier":  # "search:1" -> "price tier 1, search"
        channel, _, index = str(value).rpartition(":")
        return f"price tier {index}, {channel}" if index.isdigit() else str(value)
    return str(value).replace("_", " ")


def who_phrase(axes: list[dict], teams: list[str]) -> str:
    """' for the metro and north teams', ' for every team', ' for phone' ('' for none)."""
    team_names = list(dict.fromkeys(a["team"] for a in axes if a.get("team")))
    if team_names:
        if len(teams) > 1 and set(team_names) == set(teams):
            return " for every team"
        words = labels.and_list([n.replace("_", " ") for n in team_names])
        return f" for the {words} team" + ("s" if len(team_names) > 1 else "")
    others = [_axis_words(k, v) for a in axes for k, v in a.items() if k not in ("month", "team")]
    others = list(dict.fromkeys(others))
    return f" for {labels.and_list(others)}" if others else ""


def _spread(values, unit: str) -> str:
    """'17,407 minutes a month' or '3,122 to 6,694 minutes a month'."""
    low, high = min(values), max(values)
    if labels.bare(low, unit) == labels.bare(high, unit):
        return labels.amount(high, unit)
    return f"{labels.bare(low, unit)} to {labels.amount(high, unit)}"


def group_sentence(rows: pd.DataFrame, horizon: list[str], teams: list[str]) -> str:
    """One sentence for the broken rows of one family, naming who and when, with the
    worst row's figures: 'Selling time is broken every month from Apr to Jun 2027 for the
    inside team: by 17,407 minutes a month. Worst: Selling time, inside team, Apr 2027: ...'
    A family broken in one row only keeps that row's sentence."""
    if len(rows) == 1:
        return str(rows["sentence"].iloc[0])
    first = rows.iloc[0]
    unit, family = first["unit"], first["family"]
    when = labels.months_phrase([p for p in rows["period"] if p != "horizon"], horizon)
    who = who_phrase(list(rows["axes"]), teams)
    if first["kind"] == "target":
        worst = rows.loc[rows["shortfall"].idxmax()]
        stated = set(labels.bare(v, unit) for v in rows["limit"])
        of = f" of {labels.amount(first['limit'], unit)}" if len(stated) == 1 else "s"
        metric = labels.metric_label(family.removeprefix("targets-")).lower()
        text = (
            f"Today's {metric} target{of} cannot be met {when}{who} together with the other "
            f"targets: the closest they allow is {_spread(rows['implied'], unit)}."
        )
        if len(stated) > 1 or labels.bare(min(rows["implied"]), unit) != labels.bare(
            max(rows["implied"]), unit
        ):
            text += f" Furthest: {worst['label']}: {worst['figures']}"
        return text
    worst = rows.loc[rows["shortfall"].idxmax()]
    return (
        f"{labels.family_label(family)} is broken {when}{who}: by "
        f"{_spread(rows['shortfall'], unit)}. Worst: {worst['label']}: {worst['figures']}"
    )
