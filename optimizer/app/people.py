"""People and deals month by month, for plans over time (workforce flow and sales cycle).

Read from the plan's targets (``optimizer.analysis.targets``):

- every role whose people flow (``Headcount.opening``): its headcount, productive people,
  hires decided, hires starting, departures and expected leavers by month;
- every team when some team has a sales cycle (``SalesTeam.close_profile``): deals won,
  deals closing and the deals still open at each month's end, and what the open deals are
  worth at the team's deal value.

A plan without these metrics gives empty tables, and the page shows nothing of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.analysis.result import Plan
from optimizer.scenario import labels
from optimizer.scenario.schema import Scenario

HEADCOUNT = ("marketers", "reps", "workers", "agents")
FLOW = {
    "productive_people": "productive",
    "hires_decided": "hires decided",
    "starts": "hires starting",
    "departures": "departures",
    "leavers_expected": "expected leavers",
}
"""The flow metrics of a role and their columns."""
PEOPLE_COLUMNS = ["headcount", *FLOW.values()]
PIPELINE = {
    "deals_won_per_month": "won",
    "deals_per_month": "closing",
    "pipeline_open_deals": "open at month end",
}
PIPELINE_COLUMNS = [*PIPELINE.values(), "open value"]
WHOLE = 0.5
"""Starts, departures and hires are whole people: a value above this counts."""


def _clean(values) -> np.ndarray:
    """Floats without negative zeros (a solver's −0.0 is 0)."""
    return np.asarray(values, float) + 0.0


def who(metric: str, role: str) -> str:
    """'North team', 'Key accounts team', 'Delivery workers', 'Chat agents': a role in words."""
    words = str(role).replace("_", " ")
    if metric == "reps":
        text = f"{words} team"
    elif metric == "agents" and role != "support":
        text = f"{words} agents"  # a live channel's own agents
    elif metric == "agents":
        text = "Support agents"
    else:
        text = labels.metric_label(metric)
    return text[:1].upper() + text[1:]


def has_people_flow(plan: Plan) -> bool:
    return plan.solved and bool((plan.targets["metric"] == "hires_decided").any())


def has_pipeline(plan: Plan) -> bool:
    return plan.solved and bool((plan.targets["metric"] == "deals_won_per_month").any())


def _wide(targets: pd.DataFrame, metrics) -> pd.DataFrame:
    """(department, role, period) rows, one column per metric, in the plan's order."""
    t = targets[targets["metric"].isin(list(metrics))]
    wide = t.pivot_table(
        index=["department", "role", "period"], columns="metric", values="value", sort=False
    )
    return wide.reset_index()


def people_frame(plan: Plan) -> pd.DataFrame:
    """One row per flowing role and month: department, role (the plan's), metric (its
    headcount's: reps, workers...), who (words), period, month (words), headcount, then
    ``FLOW``'s columns. Numbers, not text."""
    columns = ["department", "role", "metric", "who", "period", "month", *PEOPLE_COLUMNS]
    if not has_people_flow(plan):
        return pd.DataFrame(columns=columns)
    t = plan.targets
    flow = _wide(t, FLOW)
    heads = t[t["metric"].isin(HEADCOUNT)]
    key = ["department", "role", "period"]
    heads = heads[key + ["metric", "value"]].rename(columns={"value": "headcount"})
    out = flow.merge(heads, on=key, how="left")
    out["who"] = [who(m, r) for m, r in zip(out["metric"], out["role"])]
    out["month"] = out["period"].map(labels.month_label)
    out = out.rename(columns=FLOW)
    for c in PEOPLE_COLUMNS:
        out[c] = _clean(out[c])
    return out[columns].reset_index(drop=True)


def pipeline_frame(plan: Plan, scenario: Scenario) -> pd.DataFrame:
    """One row per team and month: team (the plan's), who, period, month, deals won,
    closing and open at the month's end, and the open deals' value at the team's deal value."""
    columns = ["team", "who", "period", "month", *PIPELINE_COLUMNS]
    if not has_pipeline(plan):
        return pd.DataFrame(columns=columns)
    t = plan.targets
    wide = _wide(t[t["department"] == "sales"], PIPELINE).rename(columns={"role": "team"})
    value = {team.name: team.average_deal_value for team in scenario.sales.teams}
    wide = wide[wide["team"].isin(list(value))].rename(columns=PIPELINE)
    wide["who"] = [who("reps", team) for team in wide["team"]]
    wide["month"] = wide["period"].map(labels.month_label)
    for c in PIPELINE.values():
        wide[c] = _clean(wide[c])
    wide["open value"] = _clean(wide["open at month end"] * wide["team"].map(value))
    return wide[columns].reset_index(drop=True)


def _count(value: float, one: str, many: str) -> str:
    n = round(value) if abs(value - round(value)) < 1e-6 else value
    return f"{labels.number(n)} {one if n == 1 else many}"


def _when(group: pd.DataFrame, column: str, horizon: list[str]) -> str:
    chosen = list(group.loc[group[column] > WHOLE, "period"])
    return labels.months_phrase(chosen, horizon)


def role_sentence(group: pd.DataFrame, horizon: list[str]) -> str:
    """One role's months in a line: 'North team: 5 hires decided from Jan to Mar 2027, to be
    productive by the Jun 2027 peak (8.7 productive people)'."""
    name = group["who"].iloc[0]
    hires, leaving = group["hires decided"].sum(), group["departures"].sum()
    parts = []
    if hires > WHOLE:
        peak = group.loc[group["productive"].idxmax()]
        parts.append(
            f"{_count(hires, 'hire', 'hires')} decided {_when(group, 'hires decided', horizon)},"
            f" to be productive by the {peak['month']} peak "
            f"({labels.number(peak['productive'])} productive people)"
        )
    if leaving > WHOLE:
        parts.append(
            f"{_count(leaving, 'departure', 'departures')} {_when(group, 'departures', horizon)}"
        )
    if not parts:
        parts.append("no hires or departures")
    expected = group["expected leavers"].sum()
    tail = f"; about {labels.number(expected)} expected to leave over the plan" if expected else ""
    return f"{name}: {'; '.join(parts)}{tail}."


def role_sentences(frame: pd.DataFrame) -> list[str]:
    """``role_sentence`` of every role, in the plan's order."""
    horizon = list(dict.fromkeys(frame["period"]))
    return [
        role_sentence(group, horizon)
        for _, group in frame.groupby(["department", "role"], sort=False)
    ]


def people_takeaway(frame: pd.DataFrame) -> str:
    """The one line over the chart: the role that hires most (else the one losing most
    people), with the company's hires and departures in all."""
    if frame.empty:
        return ""
    horizon = list(dict.fromkeys(frame["period"]))
    groups = [g for _, g in frame.groupby(["department", "role"], sort=False)]
    hires = [g["hires decided"].sum() for g in groups]
    leaving = [g["departures"].sum() for g in groups]
    total_hires, total_leaving = sum(hires), sum(leaving)
    if total_hires <= WHOLE and total_leaving <= WHOLE:
        expected = frame["expected leavers"].sum()
        return (
            "No hires or departures in the plan: the people employed at the start carry it, "
            f"less about {labels.number(expected)} expected to leave."
        )
    key = hires if total_hires > WHOLE else leaving
    top = groups[int(np.argmax(key))]
    line = role_sentence(top, horizon).rstrip(".")
    line = line.split("; about ")[0]
    roles = sum(1 for h in hires if h > WHOLE)
    if roles > 1:
        line += f"; {_count(total_hires, 'hire', 'hires')} across {roles} roles in all"
    return line + "."


def pipeline_takeaway(frame: pd.DataFrame, scenario: Scenario) -> str:
    """'420 deals won over the plan, 390 closing within it; 168 still open at the end of
    Jun 2027, worth $3,200,000 (credited at 100 % of their value)'."""
    if frame.empty:
        return ""
    last = frame["period"].iloc[-1]
    end = frame[frame["period"] == last]
    share = scenario.horizon_end.open_pipeline_value_share
    credit = (
        "not credited to the plan"
        if share == 0
        else f"credited to the plan at {labels.percent(share, 0)} of their value"
    )
    return (
        f"{labels.number(frame['won'].sum())} deals won over the plan, "
        f"{labels.number(frame['closing'].sum())} closing within it; "
        f"{labels.number(end['open at month end'].sum())} still open at the end of "
        f"{labels.month_label(last)}, worth {labels.money(end['open value'].sum())} "
        f"({credit})."
    )


def people_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The page's table: words and formatted numbers only."""
    out = frame[["who", "month"]].rename(columns={"who": "role"})
    for c in PEOPLE_COLUMNS:
        out[c] = [labels.number(v) for v in frame[c]]
    return out.reset_index(drop=True)


def pipeline_table(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[["who", "month"]].rename(columns={"who": "team"})
    for c in PIPELINE:
        out[PIPELINE[c]] = [labels.number(v) for v in frame[PIPELINE[c]]]
    out["open value"] = [labels.money(v) for v in frame["open value"]]
    return out.reset_index(drop=True)
