"""The sales teams side by side: reps, deals closing, revenue and selling time booked, one
small panel per team, by month (or, for a one-month plan, one panel per measure with a bar
per team), and the one line a leader reads above them.

Read from the plan's targets (the sales department's rows): ``reps``, ``deals_per_month``
(deals closing in the month, revenue booked then), ``revenue_per_month`` and
``booked_share_of_selling_time``. Every team shares one y-axis per measure, so that panels
compare at a glance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from optimizer.analysis.result import Plan
from optimizer.app.people import who
from optimizer.scenario import labels
from optimizer.scenario.schema import Scenario

MEASURES = {
    # column: (the plan's metric, the panel's title, the hover's unit, colour)
    "reps": ("reps", "Reps", "reps", "#34495e"),
    "deals": ("deals_per_month", "Deals a month", "deals", "#1e8449"),
    "revenue": ("revenue_per_month", "Revenue a month", "$", "#1f618d"),
    "booked": ("booked_share_of_selling_time", "Selling time booked", "share", "#e67e22"),
}
COLUMNS = 4
"""Team panels side by side before they wrap to a new row: 4 fit the page at 1280 px."""
MOVED = 0.5
"""A team's reps change when their range is more than half a person."""
FULL = 0.995
"""Selling time counts as all booked above this share."""


def has_teams(plan: Plan) -> bool:
    """A solved plan with something to compare: several teams, or one team over months."""
    if not plan.solved:
        return False
    t = plan.targets
    reps = t[(t["department"] == "sales") & (t["metric"] == "reps")]
    return reps["role"].nunique() > 1 or reps["period"].nunique() > 1


def team_frame(plan: Plan, scenario: Scenario) -> pd.DataFrame:
    """One row per team and month, in the scenario's order: team (the plan's), who (words),
    period, month (words), then ``MEASURES``' columns as numbers (0 where a team has none)."""
    columns = ["team", "who", "period", "month", *MEASURES]
    if not plan.solved:
        return pd.DataFrame(columns=columns)
    t = plan.targets
    names = [team.name for team in scenario.sales.teams]
    metric = {m: column for column, (m, *_) in MEASURES.items()}
    rows = t[(t["department"] == "sales") & t["role"].isin(names) & t["metric"].isin(metric)]
    wide = rows.pivot_table(
        index=["role", "period"], columns="metric", values="value", sort=False
    ).reset_index()
    wide = wide.rename(columns={"role": "team", **metric})
    for column in MEASURES:
        values = wide[column] if column in wide.columns else 0.0
        wide[column] = np.asarray(pd.Series(values).fillna(0.0), float) + 0.0
    wide["team"] = pd.Categorical(wide["team"], names, ordered=True)
    wide = wide.sort_values(["team", "period"], kind="stable")
    wide["team"] = wide["team"].astype(str)
    wide["who"] = [who("reps", team) for team in wide["team"]]
    wide["month"] = wide["period"].map(labels.month_label)
    return wide[columns].reset_index(drop=True)


def heading(frame: pd.DataFrame) -> str:
    """'Sales teams by month', 'Field team by month', 'Sales teams side by side'."""
    if frame["period"].nunique() <= 1:
        return "Sales teams side by side"
    if frame["team"].nunique() == 1:
        return f"{frame['who'].iloc[0]} by month"
    return "Sales teams by month"


def shown(column: str, value: float) -> str:
    """A measure's value as a leader reads it: '$367,200', '100 %', '45.9'."""
    unit = MEASURES[column][2]
    if unit == "$":
        return labels.money(value)
    if unit == "share":
        return labels.percent(value, 0)
    return labels.number(value)


def _axis(figure: go.Figure, column: str, row: int, col: int, first: str | None) -> str:
    """Format one panel's y-axis for ``column`` and tie it to the measure's first axis."""
    unit = MEASURES[column][2]
    style = {"tickformat": ",.0%" if unit == "share" else ",.4~g", "rangemode": "tozero"}
    if unit == "$":
        style = {"tickprefix": "$", "tickformat": "~s", "rangemode": "tozero"}
    if unit == "share":
        style["range"] = [0, 1.05]
    axis = figure.get_subplot(row, col).yaxis
    figure.update_yaxes(**style, matches=first, row=row, col=col)
    return axis.plotly_name.replace("axis", "")


def team_months(frame: pd.DataFrame) -> go.Figure:
    """Small multiples: one column of panels per team (``COLUMNS`` teams a row, then they
    wrap), one row per measure, months on x; each measure's panels share their y-axis.
    One team, or a one-month plan: ``measure_panels``."""
    if frame["period"].nunique() <= 1 or frame["team"].nunique() <= 1:
        return measure_panels(frame)
    teams = list(dict.fromkeys(frame["team"]))
    cols = min(COLUMNS, len(teams))
    blocks = -(-len(teams) // cols)
    rows = blocks * len(MEASURES)
    titles = [""] * (rows * cols)
    for k, team in enumerate(teams):
        block, col = divmod(k, cols)
        titles[block * len(MEASURES) * cols + col] = frame.loc[frame["team"] == team, "who"].iloc[0]
    figure = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=titles,
        vertical_spacing=min(0.06, 0.5 / rows),
        horizontal_spacing=0.04 if cols > 2 else 0.08,
        shared_xaxes=False,
    )
    first: dict[str, str] = {}
    for k, team in enumerate(teams):
        block, c = divmod(k, cols)
        group = frame[frame["team"] == team]
        for m, (column, (_, title, _, color)) in enumerate(MEASURES.items()):
            r = block * len(MEASURES) + m + 1
            values = (group[column].to_numpy(float) + 0.0).tolist()
            trace = {
                "x": list(group["month"]),
                "y": values,
                "name": title,
                "legendgroup": title,
                "showlegend": k == 0,
                "marker_color": color,
                "customdata": [shown(column, v) for v in group[column]],
                "hovertemplate": f"{title}, %{{x}}: %{{customdata}}<extra></extra>",
            }
            if column in ("deals", "revenue"):
                figure.add_bar(**trace, row=r, col=c + 1)
            else:
                figure.add_scatter(mode="lines+markers", line={"color": color}, **trace,
                                   row=r, col=c + 1)  # fmt: skip
            name = _axis(figure, column, r, c + 1, first.get(column))
            first.setdefault(column, name)
            if c == 0:
                figure.update_yaxes(title_text=title, title_font_size=11, row=r, col=1)
            figure.update_xaxes(showticklabels=m == len(MEASURES) - 1, row=r, col=c + 1)
            if c > 0:  # the axis is the first column's: its numbers once, at the left
                figure.update_yaxes(showticklabels=False, row=r, col=c + 1)
    figure.update_xaxes(tickangle=-45, tickfont_size=10)
    figure.update_layout(
        height=80 + 150 * rows,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        showlegend=False,
        bargap=0.2,
    )
    return figure


def measure_panels(frame: pd.DataFrame) -> go.Figure:
    """One panel per measure, two a row: a bar per team in a one-month plan, else one
    team's months (deals and revenue as bars, reps and selling time as lines)."""
    cols = 2
    one_month = frame["period"].nunique() <= 1
    x = "who" if one_month else "month"
    figure = make_subplots(
        rows=-(-len(MEASURES) // cols),
        cols=cols,
        subplot_titles=[title for _, title, _, _ in MEASURES.values()],
        vertical_spacing=0.2,
        horizontal_spacing=0.12,
    )
    for m, (column, (_, title, _, color)) in enumerate(MEASURES.items()):
        r, c = m // cols + 1, m % cols + 1
        values = (frame[column].to_numpy(float) + 0.0).tolist()
        trace = {
            "x": list(frame[x]), "y": values, "marker_color": color, "name": title,
            "customdata": [shown(column, v) for v in frame[column]],
            "hovertemplate": f"{title}, %{{x}}: %{{customdata}}<extra></extra>",
        }  # fmt: skip
        if one_month:
            figure.add_bar(**trace, text=trace["customdata"], textposition="auto", row=r, col=c)
        elif column in ("deals", "revenue"):
            figure.add_bar(**trace, row=r, col=c)
        else:
            figure.add_scatter(mode="lines+markers", line={"color": color}, **trace, row=r, col=c)
        _axis(figure, column, r, c, None)
    figure.update_xaxes(tickfont_size=10)
    figure.update_layout(height=480, margin={"l": 10, "r": 10, "t": 40, "b": 10}, showlegend=False)
    return figure


def facets(figure: go.Figure) -> int:
    """The panels a figure draws (its subplots with a trace)."""
    return len({(trace.xaxis, trace.yaxis) for trace in figure.data})


def _reps_clause(frame: pd.DataFrame) -> str:
    """The team whose reps move most: 'the field team grows from 5.9 reps in Jan 2027 to
    8.5 by Apr 2027'; none moving: 'every team keeps its reps every month'."""
    spans = []
    for _, group in frame.groupby("team", sort=False):
        reps = group["reps"].to_numpy(float)
        spans.append((reps.max() - reps.min(), group))
    moved, group = max(spans, key=lambda s: s[0])
    name = group["who"].iloc[0]
    name = name[:1].lower() + name[1:]
    if moved <= MOVED:
        if len(spans) == 1:
            return f"the {name} keeps {labels.number(group['reps'].iloc[0])} reps every month"
        return "every team keeps its reps every month"
    reps = group["reps"].to_numpy(float)
    start, month0 = reps[0], group["month"].iloc[0]
    top, low = int(reps.argmax()), int(reps.argmin())
    if reps[top] - start > start - reps[low]:
        peak, verb = top, "grows"
    else:
        peak, verb = low, "shrinks"
    text = (
        f"the {name} {verb} from {labels.number(start)} reps in {month0} to "
        f"{labels.number(reps[peak])} by {group['month'].iloc[peak]}"
    )
    end = reps[-1]
    if peak < len(reps) - 1 and abs(end - reps[peak]) > MOVED:
        text += f", then {labels.number(end)} in {group['month'].iloc[-1]}"
    return text


def team_takeaway(frame: pd.DataFrame) -> str:
    """The line over the panels, from the plan's numbers: the team that brings the most
    revenue (one team: its deals' peak month), whose reps move most, and whether the
    teams use all their selling time.

    'North team brings the most revenue: $367,200 a month, 35.9 % of the teams';
    every team keeps its reps every month; the metro team books 54 % of its
    selling time.'"""
    if frame.empty:
        return ""
    months = frame["period"].nunique()
    a_month = " a month"
    by_team = frame.groupby("team", sort=False)
    revenue = by_team["revenue"].sum() / months
    if len(revenue) > 1:
        top = revenue.idxmax()
        name = frame.loc[frame["team"] == top, "who"].iloc[0]
        share = revenue[top] / revenue.sum() if revenue.sum() > 0 else 0.0
        first = (
            f"{name} brings the most revenue: {labels.money(revenue[top])}{a_month}, "
            f"{labels.percent(share, 0)} of the teams'"
        )
        second = _reps_clause(frame) if months > 1 else _per_rep_clause(frame)
    else:
        group = frame
        peak = int(group["deals"].to_numpy(float).argmax())
        row = group.iloc[peak]
        clause = _reps_clause(frame)
        first = clause[:1].upper() + clause[1:]
        second = (
            f"deals peak in {row['month']} at {labels.number(row['deals'])} a month "
            f"({labels.money(row['revenue'])} of revenue)"
            if months > 1
            else f"{labels.number(row['deals'])} deals, {labels.money(row['revenue'])}"
        )
    return f"{first}; {second}; {_booked_clause(frame, months)}."


def _booked_clause(frame: pd.DataFrame, months: int) -> str:
    """'all selling time is booked every month', or the teams with time to spare: 'the
    metro team books 54 % of its selling time' (the average over the months)."""
    booked = frame.groupby("team", sort=False)["booked"].mean()
    spare = booked[booked < FULL]
    if spare.empty:
        return "all selling time is booked " + ("every month" if months > 1 else "in the month")
    named = {team: frame.loc[frame["team"] == team, "who"].iloc[0] for team in spare.index}
    parts = [
        f"the {named[team][:1].lower()}{named[team][1:]} books {labels.percent(share, 0)}"
        for team, share in spare.sort_values().items()
    ]
    return labels.and_list(parts[:2]) + (
        " of its selling time" if len(parts) == 1 else " of their selling time"
    )


def _per_rep_clause(frame: pd.DataFrame) -> str:
    """One month: the team that closes most deals a rep ('key accounts team closes the most
    a rep: 5.2 deals')."""
    rate = frame["deals"] / frame["reps"].where(frame["reps"] > 0)
    if rate.isna().all():
        return "no team has reps"
    best = frame.loc[rate.idxmax()]
    name = best["who"][:1].lower() + best["who"][1:]
    return f"the {name} closes the most a rep: {labels.number(rate.max())} deals"
