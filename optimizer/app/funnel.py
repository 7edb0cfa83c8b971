"""The sales funnel, for the page and the workbook: each team's dials, conversations, later
stages (demos, proposals...) and deals a month, with what each rep does a day, a week and a
month, the team's prospecting, booked selling time, commission and published quota.

Read from the plan's targets (``optimizer.analysis.targets`` and ``optimizer.analysis.funnel``
write them), department ``sales``, one role a team:

- ``dials_per_month``, ``dials_per_rep_per_day``: a team that dials;
- ``conversations_per_month``, ``calls_per_rep_per_day``: every team;
- ``{stage}_per_month``, ``{stage}_per_rep_per_week``, ``{stage}_per_rep_per_month``: each
  stage after the first conversation (``sales.stages``), in the scenario's order;
- ``deals_per_month`` (``deals_won_per_month`` with a sales cycle: the deals the month's
  proposals win, not those closing), ``deals_per_rep_per_month``;
- beside the funnel (``DETAILS``): reps, self-found leads, the booked share of selling time,
  revenue, commission and, with an attainment distribution, the published quota.

A plan whose scenario has no stages, dials or prospecting has no funnel view
(``has_funnel``), and the page and the workbook show nothing of it. A week is five business
days, a day a business day.
"""

from __future__ import annotations

import math

import pandas as pd

from optimizer.analysis.result import Plan
from optimizer.app.people import who
from optimizer.scenario import labels

WEEK = "_per_rep_per_week"
"""A later stage's weekly target ends so: ``demo_per_rep_per_week``."""
WON = "deals_won_per_month"
"""With a sales cycle, the funnel ends in the deals won (``deals_per_month`` are those closing)."""
MARKERS = ("dials_per_month", "leads_found_per_month")
"""With a stage's weekly target, what a plan with a funnel view has."""
PROSPECTING_DIALS = "prospecting_dials_per_month"
"""Of a team's dials, those made to find its own leads (``SalesTeam.prospecting.dials``)."""
PER_MONTH, SHARE = "a month", "of the stage before"
PER_DAY, PER_WEEK, PER_REP_MONTH = "a rep a day", "a rep a week", "a rep a month"
NUMBERS = [PER_MONTH, SHARE, PER_DAY, PER_WEEK, PER_REP_MONTH]
"""The frame's numeric columns: the team's volume a month, the share of the stage before,
and the per-rep targets (blank where the plan sets none)."""
COLUMNS = ["team", "who", "period", "month", "stage", "label", *NUMBERS, "metric"]
DETAILS = (
    "reps",
    "leads_found_per_month",
    "leads_found_per_rep_per_month",
    "own_lead_conversations_per_month",
    "bought_lead_conversations_per_month",
    "prospecting_minutes_per_rep_per_day",
    "booked_share_of_selling_time",
    "revenue_per_month",
    "commission_per_month",
    "attainment_capacity_per_month",
    "published_quota_per_rep_per_month",
    "share_expected_to_reach_quota",
    "quota_over_assignment",
)
"""The team's targets beside the funnel, in the order a leader reads them."""
DETAIL_LABELS = {
    "own_lead_conversations_per_month": "Conversations from self-found leads a month",
    "bought_lead_conversations_per_month": "Conversations from marketing's leads a month",
    "booked_share_of_selling_time": "Selling time booked",
    "revenue_per_month": "Revenue a month",
    "quota_over_assignment": "Quotas over the planned revenue",
}
"""Labels clearer than ``labels.metric_label``'s for a few of them."""


def has_funnel(plan: Plan) -> bool:
    """A solved plan whose teams dial, find their own leads or run stages after the first
    conversation."""
    if not plan.solved:
        return False
    metrics = plan.targets.loc[plan.targets["department"] == "sales", "metric"].astype(str)
    return bool(metrics.isin(MARKERS).any() or metrics.str.endswith(WEEK).any())


def _sales(plan: Plan) -> pd.DataFrame:
    t = plan.targets
    return t[t["department"] == "sales"]


def stages(plan: Plan) -> list[str]:
    """The later stages' names, in the scenario's order (the order the plan writes them)."""
    metrics = dict.fromkeys(_sales(plan)["metric"].astype(str))
    return [m[: -len(WEEK)] for m in metrics if m.endswith(WEEK)]


def teams(plan: Plan) -> list[str]:
    """The sales teams, in the plan's order."""
    t = _sales(plan)
    return list(dict.fromkeys(t.loc[t["metric"] == "reps", "role"].astype(str)))


def periods(plan: Plan) -> list[str]:
    """The plan's months ('2027-01', …), in order."""
    t = _sales(plan)
    return list(dict.fromkeys(t.loc[t["metric"] == "reps", "period"].astype(str)))


def _values(plan: Plan) -> dict[tuple[str, str, str], float]:
    """(team, metric, period): value, for every sales target."""
    t = _sales(plan)
    return {
        (str(r), str(m), str(p)): float(v) + 0.0
        for r, m, p, v in zip(t["role"], t["metric"], t["period"], t["value"])
    }


def stage_label(stage: str) -> str:
    """'Dials', 'Conversations', 'Deals'; 'Demos' for the stage ``demo``, 'Discovery calls'
    for ``discovery_call``: a step of the funnel, counted."""
    if stage in ("dials", "conversations", "deals"):
        return labels.metric_label(stage)
    words = plural(labels.name_words(stage))
    return words[:1].upper() + words[1:]


def plural(words: str) -> str:
    """'demos', 'discovery calls', 'deliveries': the last word counted."""
    head, _, last = words.rpartition(" ")
    if not last or last.endswith("s"):
        more = last
    elif last.endswith("y") and last[-2:-1] not in tuple("aeiou"):
        more = last[:-1] + "ies"
    elif last.endswith(("ch", "sh", "x", "z")):
        more = last + "es"
    else:
        more = last + "s"
    return f"{head} {more}" if head else more


def _steps(plan: Plan, values: dict, team: str, period: str):
    """(stage, the month's metric, a month, a rep a day, a rep a week, a rep a month) of one
    team's funnel in one month, from the top."""

    def get(metric):
        return values.get((team, metric, period), math.nan)

    out = []
    # the dials that reach the conversations: prospecting's dials find leads, and are told
    # beside the funnel (``prospecting_line``), not at its top
    prospecting = get(PROSPECTING_DIALS) if (team, PROSPECTING_DIALS, period) in values else 0.0
    dials = get("dials_per_month") - prospecting
    if (team, "dials_per_month", period) in values and dials > 1e-9:
        total = get("dials_per_month")
        per_day = get("dials_per_rep_per_day") * dials / total if total > 1e-12 else 0.0
        out.append(("dials", "dials_per_month", dials, per_day, math.nan, math.nan))
    out.append(("conversations", "conversations_per_month", get("conversations_per_month"),
                get("calls_per_rep_per_day"), math.nan, math.nan))  # fmt: skip
    for stage in stages(plan):
        metric = f"{stage}_per_month"
        if (team, metric, period) in values:
            out.append((stage, metric, get(metric), math.nan, get(f"{stage}{WEEK}"),
                        get(f"{stage}_per_rep_per_month")))  # fmt: skip
    if (team, WON, period) in values:  # a sales cycle: the deals won, not those closing
        won, reps = get(WON), get("reps")
        per_rep = won / reps if reps > 1e-12 else 0.0
        out.append(("deals", WON, won, math.nan, math.nan, per_rep))
    else:
        out.append(("deals", "deals_per_month", get("deals_per_month"), math.nan, math.nan,
                    get("deals_per_rep_per_month")))  # fmt: skip
    return out


def funnel_frame(plan: Plan, period: str | None = None) -> pd.DataFrame:
    """One row per team, month (only ``period``'s when given) and step of the funnel, from
    the top: team (the plan's), who ('Inside team'), period, month (words), stage (dials,
    conversations, each later stage's name, deals), label ('Demos'), then ``NUMBERS``
    (NaN where the plan sets no such target) and metric: the plan's target for the month's
    volume. Numbers, not text; empty without a funnel."""
    if not has_funnel(plan):
        return pd.DataFrame(columns=COLUMNS)
    values = _values(plan)
    rows = []
    for team in teams(plan):
        for p in periods(plan) if period is None else [str(period)]:
            before = math.nan
            for stage, metric, month, day, week, rep_month in _steps(plan, values, team, p):
                share = month / before if before == before and before > 1e-12 else math.nan
                name = (team, who("reps", team), p, labels.month_label(p), stage)
                label = "Deals won" if metric == WON else stage_label(stage)
                rows.append((*name, label, month, share, day, week, rep_month, metric))
                before = month
    out = pd.DataFrame(rows, columns=COLUMNS)
    for c in NUMBERS:
        out[c] = out[c].to_numpy(float) + 0.0  # no negative zeros
    return out


def _shown(value, share: bool = False) -> str:
    if value is None or value != value:
        return ""
    return labels.percent(value) if share else labels.number(value)


def funnel_table(frame: pd.DataFrame, team: str, period: str) -> pd.DataFrame:
    """The page's table of one team's funnel in one month: the step (its label), then
    ``NUMBERS`` as text (separators, a sensible number of decimals, shares in per cent;
    blank where the plan sets no such target)."""
    rows = frame[(frame["team"] == team) & (frame["period"] == str(period))]
    out = pd.DataFrame({"stage": list(rows["label"])})
    for c in NUMBERS:
        out[c] = [_shown(v, share=c == SHARE) for v in rows[c]]
    return out


def details_frame(plan: Plan) -> pd.DataFrame:
    """One row per team and ``DETAILS`` metric the plan has: team, who, metric, label, unit,
    then one column per month (numbers)."""
    months = periods(plan)
    columns = ["team", "who", "metric", "label", "unit", *months]
    if not has_funnel(plan):
        return pd.DataFrame(columns=columns)
    t = _sales(plan)
    rows = []
    for team in teams(plan):
        mine = t[t["role"] == team]
        for metric in DETAILS:
            found = mine[mine["metric"] == metric]
            if found.empty:
                continue
            by_month = dict(zip(found["period"].astype(str), found["value"].astype(float)))
            rows.append([team, who("reps", team), metric, detail_label(metric),
                         str(found["unit"].iloc[0]),
                         *(by_month.get(m, math.nan) + 0.0 for m in months)])  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def detail_label(metric: str) -> str:
    return DETAIL_LABELS.get(metric) or labels.metric_label(metric)


def details_table(plan: Plan, period: str) -> pd.DataFrame:
    """The page's table beside the funnels: one row per target (its label), one column per
    team, formatted text ('—' where a team has no such target)."""
    frame = details_frame(plan)
    if frame.empty or str(period) not in frame.columns:
        return pd.DataFrame(columns=[""])
    order = list(dict.fromkeys(frame["metric"]))
    order.sort(key=DETAILS.index)
    out = pd.DataFrame({"": [detail_label(m) for m in order]})
    for _, rows in frame.groupby("team", sort=False):
        found = {m: (v, u) for m, v, u in zip(rows["metric"], rows[str(period)], rows["unit"])}
        out[rows["who"].iloc[0]] = [labels.figure(*found[m]) if m in found else "—" for m in order]
    return out


# ---- in words --------------------------------------------------------------------------------


def _count(value: float, stage: str) -> str:
    """'2,152 dials', '1 deal', '95.4 proposals'."""
    shown = labels.number(value)
    words = stage_label(stage).lower()
    if shown == "1":
        words = {"dials": "dial", "conversations": "conversation", "deals": "deal"}.get(
            stage, labels.name_words(stage)
        )
    return f"{shown} {words}"


def takeaway(plan: Plan, team: str, period: str) -> str:
    """'Inside team: 2,152 dials make 538 conversations, 191 demos, 95.4 proposals and 38.1
    deals a month; each rep books 85 % of the selling time.'"""
    values = _values(plan)
    steps = _steps(plan, values, team, str(period))
    counted = [_count(month, stage) for stage, _, month, *_ in steps]
    if steps[-1][1] == WON:
        counted[-1] += " won"
    first, *rest = counted
    text = f"{who('reps', team)}: {first} make {labels.and_list(rest)} a month"
    booked = values.get((team, "booked_share_of_selling_time", str(period)))
    if booked is not None:
        text += f"; each rep books {labels.percent(booked, 0)} of the selling time"
    return text + "."


def prospecting_line(plan: Plan, team: str, period: str) -> str:
    """'Reps find 613 leads a month themselves (61.3 a rep, 92 minutes a rep a day): 306
    conversations come from them, 232 from marketing's leads.' ('' without prospecting)."""
    values, p = _values(plan), str(period)
    found = values.get((team, "leads_found_per_month", p))
    if found is None:
        return ""

    def get(metric):
        return labels.number(values.get((team, metric, p), math.nan))

    dials = values.get((team, PROSPECTING_DIALS, p))
    how = f" with {labels.number(dials)} dials" if dials is not None else ""
    return (
        f"Reps find {labels.number(found)} leads a month themselves{how} "
        f"({get('leads_found_per_rep_per_month')} a rep, "
        f"{get('prospecting_minutes_per_rep_per_day')} minutes a rep a day): "
        f"{get('own_lead_conversations_per_month')} conversations come from them, "
        f"{get('bought_lead_conversations_per_month')} from marketing's leads."
    )


def quota_line(plan: Plan, team: str, period: str) -> str:
    """'Published quota $56,200 a rep a month: 60 % of reps are expected to reach it; quotas
    sum to 93.7 % of the planned revenue.' ('' without an attainment distribution)."""
    values, p = _values(plan), str(period)
    quota = values.get((team, "published_quota_per_rep_per_month", p))
    if quota is None:
        return ""
    text = f"Published quota {labels.money(quota)} a rep a month"
    share = values.get((team, "share_expected_to_reach_quota", p))
    if share is not None:
        text += f": {labels.percent(share, 0)} of reps are expected to reach it"
    over = values.get((team, "quota_over_assignment", p))
    if over is not None:
        text += f"; quotas sum to {labels.percent(over, 0)} of the planned revenue"
    return text + "."


def team_lines(plan: Plan, team: str, period: str) -> list[str]:
    """The team's sentences in one month: the takeaway, then prospecting and quota if any."""
    lines = [takeaway(plan, team, period), prospecting_line(plan, team, period),
             quota_line(plan, team, period)]  # fmt: skip
    return [line for line in lines if line]


def lines_by_months(plan: Plan, team: str) -> list[tuple[str, list[str]]]:
    """The team's sentences over the plan, months saying the same grouped: [('from Jan to
    Feb 2027', [...])], for the workbook."""
    horizon = periods(plan)
    groups: list[tuple[list[str], list[str]]] = []
    for p in horizon:
        lines = team_lines(plan, team, p)
        if groups and groups[-1][1] == lines:
            groups[-1][0].append(p)
        else:
            groups.append(([p], lines))
    return [(labels.months_phrase(months, horizon), lines) for months, lines in groups]


def hover(rows: pd.DataFrame) -> list[str]:
    """Each step's hover text: '191 demos a month, 35.4 % of the stage before; 4.8 a rep a
    week, 19.1 a rep a month'."""
    out = []
    for _, row in rows.iterrows():
        won = " won" if row["metric"] == WON else ""
        text = f"{_count(row[PER_MONTH], row['stage'])}{won} a month"
        if row[SHARE] == row[SHARE]:
            text += f", {labels.percent(row[SHARE])} of the stage before"
        per_rep = [f"{labels.number(row[c])} {c}" for c in (PER_DAY, PER_WEEK, PER_REP_MONTH)
                   if row[c] == row[c]]  # fmt: skip
        out.append(text + ("; " + ", ".join(per_rep) if per_rep else ""))
    return out
