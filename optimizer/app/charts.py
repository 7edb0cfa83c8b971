"""Plotly figures for the page (value bars, sweeps), drawn from tables other modules compute."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

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
