"""Plotly figures for the page (value bars, sweeps), drawn from tables other modules compute."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from optimizer.app.funnel import PER_MONTH
from optimizer.app.funnel import hover as funnel_hover
from optimizer.scenario import labels

COLORS = {"limit": "#c0392b", "input": "#2e86c1", "positive": "#1e8449", "negative": "#c0392b"}


def value_bars(bars: pd.DataFrame, unit: str) -> go.Figure:
    """The binding limits' natural steps in money, most valuable at the top."""
    return _money_bars(
        bars, unit, f"value of one natural step of the limit ({unit})", COLORS["limit"]
    )


def step_bars(bars: pd.DataFrame, unit: str) -> go.Figure:
    """The value of each input's natural step (the ranking's: the plan's people held, a
    headcount limit's hiring free), most valuable at the top."""
    colors = [COLORS["positive"] if v >= 0 else COLORS["negative"] for v in bars["value"][::-1]]
    return _money_bars(bars, unit, f"value of the step ({unit})", colors)


def _money_bars(bars: pd.DataFrame, unit: str, title: str, colors) -> go.Figure:
    """Horizontal bars of ``bars`` (name, value, text), the first row at the top."""
    bars = bars.iloc[::-1]
    figure = go.Figure()
    figure.add_bar(
        y=bars["name"],
        x=bars["value"],
        orientation="h",
        marker_color=colors,
        text=bars["text"],
        textposition="auto",
        hovertemplate="%{y}<br>%{text}<extra></extra>",
    )
    figure.update_yaxes(categoryorder="array", categoryarray=list(bars["name"]))
    figure.update_layout(
        height=max(220, 30 * len(bars) + 80),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis_title=title,
        xaxis_tickprefix="$" if unit == "$" else "",
        xaxis_tickformat=",.0f",
        showlegend=False,
    )
    return figure


def sweep(
    table: pd.DataFrame, objective: pd.DataFrame, path: str, objective_label: str
) -> go.Figure:
    """The objective and each chosen target against the swept input, one panel each."""
    metrics = [m for m in dict.fromkeys(table["metric"]) if m]
    rows = 1 + len(metrics)
    figure = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06 if rows < 5 else 0.03,
        subplot_titles=[objective_label, *(labels.metric_label(m) for m in metrics)],
    )
    solved = objective[objective["status"] == "optimal"]
    figure.add_scatter(
        x=solved["value"],
        y=solved["objective"],
        mode="lines+markers",
        name="objective",
        row=1,
        col=1,
        line={"color": "#1e8449"},
    )
    failed = objective[objective["status"] != "optimal"]
    if not failed.empty:
        figure.add_scatter(
            x=failed["value"],
            y=[solved["objective"].min() if len(solved) else 0] * len(failed),
            mode="markers",
            marker={"symbol": "x", "color": "#c0392b", "size": 10},
            name="no plan",
            text=failed["status"],
            hovertemplate="%{x}: %{text}",
            row=1,
            col=1,
        )
    for i, metric in enumerate(metrics, start=2):
        part = table[table["metric"] == metric]
        for role, line in part.groupby("role", sort=False):
            figure.add_scatter(
                x=line["value"],
                y=line["target"],
                mode="lines+markers",
                name=f"{labels.metric_label(metric)}: {role}",
                row=i,
                col=1,
            )
    figure.update_layout(
        height=220 * rows,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        showlegend=True,
        legend={"orientation": "h", "y": -0.05},
    )
    figure.update_xaxes(title_text=path, row=rows, col=1)
    return figure


PEOPLE_SERIES = {
    # column: (legend, color, drawn as, sign)
    "headcount": ("headcount", "#34495e", "line", 1),
    "productive": ("productive", "#1e8449", "dash", 1),
    "hires decided": ("hires decided", "#aed6f1", "bar", 1),
    "hires starting": ("hires starting", "#2e86c1", "bar", 1),
    "departures": ("departures", "#c0392b", "bar", -1),
    "expected leavers": ("expected leavers", "#e67e22", "marker", -1),
}
PIPELINE_SERIES = {
    "won": ("deals won", "#2e86c1", "bar", 1),
    "closing": ("deals closing", "#1e8449", "bar", 1),
    "open at month end": ("open at month end", "#7f8c8d", "line", 1),
}


def _panels(frame: pd.DataFrame, key: str, series: dict, title: str, columns: int = 2):
    """Small multiples: one panel per ``key`` group (its ``who`` as the title), every
    panel the same series by month; values shown formatted on hover. Leavers and
    departures are drawn below zero."""
    groups = [g for _, g in frame.groupby(key, sort=False)]
    cols = 1 if len(groups) == 1 else columns
    rows = max(1, -(-len(groups) // cols))
    figure = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[g["who"].iloc[0] for g in groups],
        vertical_spacing=min(0.12, 0.5 / rows),
        horizontal_spacing=0.08,
    )
    for i, group in enumerate(groups):
        row, col = i // cols + 1, i % cols + 1
        for column, (name, color, kind, sign) in series.items():
            values = (group[column].to_numpy() * sign + 0.0).tolist()  # no −0, plain JSON
            shown = [labels.number(v) for v in group[column]]
            common = {
                "x": list(group["month"]),
                "y": values,
                "name": name,
                "legendgroup": name,
                "showlegend": i == 0,
                "customdata": shown,
                "hovertemplate": f"{name}, %{{x}}: %{{customdata}}<extra></extra>",
            }
            if kind == "bar":
                figure.add_bar(marker_color=color, **common, row=row, col=col)
            elif kind == "marker":
                figure.add_scatter(
                    mode="markers",
                    marker={"color": color, "symbol": "diamond", "size": 8},
                    **common,
                    row=row,
                    col=col,
                )
            else:
                figure.add_scatter(
                    mode="lines+markers",
                    line={"color": color, "dash": "dash" if kind == "dash" else "solid"},
                    **common,
                    row=row,
                    col=col,
                )
    height = 140 + 240 * rows
    figure.update_layout(
        title=title,
        height=height,
        margin={"l": 10, "r": 10, "t": 110, "b": 10},
        barmode="relative",
        # above the panels' titles (about 26 px of the plot's height), not over them
        legend={"orientation": "h", "y": 1 + 26 / (height - 120), "yanchor": "bottom", "x": 0},
    )
    figure.update_yaxes(tickformat=",.4~g", zeroline=True, zerolinecolor="#999")
    return figure


def people_months(frame: pd.DataFrame) -> go.Figure:
    """Each flowing role's people by month (``optimizer.app.people.people_frame``): headcount and
    productive people as lines, hires decided and starting as bars, departures and expected
    leavers below zero."""
    return _panels(
        frame, ["department", "role"], PEOPLE_SERIES, "People by month (departures below zero)"
    )


def pipeline_months(frame: pd.DataFrame) -> go.Figure:
    """Each team's deals by month (``optimizer.app.people.pipeline_frame``): won and closing
    as bars, the deals open at the month's end as a line."""
    figure = _panels(frame, "team", PIPELINE_SERIES, "Deals by month: won, closing and open")
    figure.update_layout(barmode="group")
    return figure


# ---- money over time (optimizer.app.money.money_frame) ------------------------------------

MONEY_AXIS = {"tickprefix": "$", "tickformat": ",.0f"}


def _money_hover(name: str, values) -> dict:
    """Hover text in money ('$250,102'), never a raw float."""
    return {
        "customdata": [labels.money(v) for v in values],
        "hovertemplate": f"{name}, %{{x}}: %{{customdata}}<extra></extra>",
    }


def cash_and_profit(frame: pd.DataFrame) -> go.Figure:
    """Cash in the bank at each month end (the minimum cash as a dashed line, the lowest
    point marked) beside profit by month (losses in red)."""
    has_profit = "profit" in frame.columns
    figure = make_subplots(
        rows=1,
        cols=2 if has_profit else 1,
        subplot_titles=["Cash in the bank at month end", "Profit by month"][: 1 + has_profit],
        horizontal_spacing=0.12,
    )
    months = list(frame["month"])
    cash = (frame["cash"].to_numpy(float) + 0.0).tolist()
    figure.add_scatter(x=months, y=cash, mode="lines+markers", name="cash",
                       line={"color": COLORS["input"]}, **_money_hover("cash", cash),
                       row=1, col=1)  # fmt: skip
    if "minimum_cash" in frame.columns:
        floor = (frame["minimum_cash"].to_numpy(float) + 0.0).tolist()
        figure.add_scatter(x=months, y=floor, mode="lines", name="minimum cash",
                           line={"color": COLORS["limit"], "dash": "dash"},
                           **_money_hover("minimum cash", floor), row=1, col=1)  # fmt: skip
    i = int(frame["cash"].to_numpy(float).argmin())
    low = cash[i]
    # the words lean inwards at either end, so the panel's edge does not cut them
    side = "bottom left" if i == len(months) - 1 else "bottom right" if i == 0 else "bottom center"
    figure.add_scatter(
        x=[months[i]], y=[low], mode="markers+text", name="lowest cash",
        marker={"symbol": "star", "size": 16, "color": COLORS["limit"]},
        text=[f"lowest: {labels.money(low)}"], textposition=side, cliponaxis=False,
        **_money_hover("lowest cash", [low]), row=1, col=1,
    )  # fmt: skip
    if has_profit:
        profit = (frame["profit"].to_numpy(float) + 0.0).tolist()
        figure.add_bar(
            x=months, y=profit, name="profit",
            marker_color=[COLORS["positive"] if v >= 0 else COLORS["negative"] for v in profit],
            **_money_hover("profit", profit), row=1, col=2,
        )  # fmt: skip
    figure.update_yaxes(**MONEY_AXIS)
    figure.update_layout(
        height=380,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "y": 1.12, "yanchor": "bottom", "x": 0},
    )
    return figure


def customers_and_revenue(frame: pd.DataFrame) -> go.Figure:
    """Paying customers by month: those kept from the month before, the new ones, and those
    leaving (below zero); beside the recurring revenue a month (MRR) and its expansion."""
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=["Paying customers: kept, new and leaving", "Recurring revenue a month"],
        horizontal_spacing=0.12,
    )
    months = list(frame["month"])
    kept = frame["customers"] - frame["new_customers"]
    for name, values, color, sign in (
        ("kept", kept, "#1e8449", 1),
        ("new", frame["new_customers"], "#2e86c1", 1),
        ("leaving", frame["churned_customers"], COLORS["negative"], -1),
    ):
        figure.add_bar(
            x=months, y=(values.to_numpy(float) * sign + 0.0).tolist(), name=name,
            marker_color=color, customdata=[labels.number(v) for v in values],
            hovertemplate=f"{name}, %{{x}}: %{{customdata}} customers<extra></extra>",
            row=1, col=1,
        )  # fmt: skip
    mrr = (frame["recurring_revenue"].to_numpy(float) + 0.0).tolist()
    figure.add_scatter(x=months, y=mrr, mode="lines+markers", name="recurring revenue (MRR)",
                       line={"color": "#34495e"}, **_money_hover("MRR", mrr),
                       row=1, col=2)  # fmt: skip
    if "expansion_revenue" in frame.columns:
        grown = (frame["expansion_revenue"].to_numpy(float) + 0.0).tolist()
        figure.add_bar(x=months, y=grown, name="of which expansion", marker_color="#aed6f1",
                       **_money_hover("expansion", grown), row=1, col=2)  # fmt: skip
    figure.update_yaxes(tickformat=",.0f", zeroline=True, zerolinecolor="#999", row=1, col=1)
    figure.update_yaxes(**MONEY_AXIS, row=1, col=2)
    figure.update_layout(
        height=380,
        barmode="relative",
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "y": 1.12, "yanchor": "bottom", "x": 0},
    )
    return figure


def receivables_and_dso(frame: pd.DataFrame) -> go.Figure:
    """Invoiced against collected by month, beside the receivables at each month end (bars)
    and days sales outstanding (a line, on its own axis)."""
    figure = make_subplots(
        rows=1,
        cols=2,
        specs=[[{}, {"secondary_y": True}]],
        subplot_titles=["Invoiced and collected", "Receivables and days sales outstanding"],
        horizontal_spacing=0.14,
    )
    months = list(frame["month"])
    for name, column, color in (
        ("invoiced", "invoiced", "#aed6f1"),
        ("collected", "collected", "#1e8449"),
    ):
        values = (frame[column].to_numpy(float) + 0.0).tolist()
        figure.add_bar(x=months, y=values, name=name, marker_color=color,
                       **_money_hover(name, values), row=1, col=1)  # fmt: skip
    owed = (frame["receivables"].to_numpy(float) + 0.0).tolist()
    figure.add_bar(x=months, y=owed, name="receivables", marker_color="#e67e22",
                   **_money_hover("receivables", owed), row=1, col=2,
                   secondary_y=False)  # fmt: skip
    dso = (frame["days_sales_outstanding"].to_numpy(float) + 0.0).tolist()
    figure.add_scatter(
        x=months, y=dso, mode="lines+markers", name="days sales outstanding",
        line={"color": "#34495e"}, customdata=[f"{labels.number(v)} days" for v in dso],
        hovertemplate="DSO, %{x}: %{customdata}<extra></extra>", row=1, col=2,
        secondary_y=True,
    )  # fmt: skip
    figure.update_yaxes(**MONEY_AXIS, row=1, col=1)
    figure.update_yaxes(**MONEY_AXIS, row=1, col=2, secondary_y=False)
    figure.update_yaxes(title_text="days", tickformat=",.0f", rangemode="tozero", row=1, col=2,
                        secondary_y=True)  # fmt: skip
    figure.update_layout(
        height=380,
        barmode="group",
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "y": 1.12, "yanchor": "bottom", "x": 0},
    )
    return figure


# ---- the sales funnel (optimizer.app.funnel.funnel_frame) ----------------------------------

FUNNEL_COLORS = ["#aed6f1", "#85c1e9", "#5dade2", "#3498db", "#2e86c1", "#2874a6", "#1f618d"]


def funnel_chart(rows: pd.DataFrame, title: str) -> go.Figure:
    """One team's funnel in one month (``rows``: its steps from the top): each step's volume
    a month, labelled formatted ('2,152'), the share of the step before and what each rep does
    on hover; deals in green."""
    volumes = (rows[PER_MONTH].to_numpy(float) + 0.0).tolist()
    shades = [FUNNEL_COLORS[min(i, len(FUNNEL_COLORS) - 1)] for i in range(len(rows) - 1)]
    figure = go.Figure(
        go.Funnel(
            y=list(rows["label"]),
            x=volumes,
            text=[labels.number(v) for v in volumes],
            textinfo="text",
            textposition="auto",
            customdata=funnel_hover(rows),
            hovertemplate="%{y}: %{customdata}<extra></extra>",
            marker={"color": [*shades, COLORS["positive"]]},
            connector={"fillcolor": "#eaf2f8", "line": {"color": "#d5dbdb", "width": 1}},
        )
    )
    figure.update_layout(
        title=title,
        height=max(220, 55 * len(rows) + 90),
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        showlegend=False,
    )
    return figure
