"""The Trade-offs section: profit against one other thing, as a curve, a table and a sheet.

The curve is ``optimizer.analysis.tradeoff.tradeoff`` (each point a re-solved, checked plan),
computed on request in a child process (``compute``); this module draws it: the axes a
scenario offers (``axes``), the Plotly line with the plan marked (``figure``), the one-line
takeaway (``takeaway``), the leader's table (``table``) and the workbook's ``Trade-offs``
sheet (``write_sheet``).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from optimizer.analysis.tradeoff import AXES, Front, axis_words
from optimizer.analysis.tradeoff.words import axis_label, channels
from optimizer.report.tradeoff import rows
from optimizer.scenario import labels
from optimizer.scenario.schema import Scenario

STAGE = "the trade-off curve's re-solves"


def axes(scenario: Scenario) -> dict[str, str]:
    """The axes this scenario offers, each with its label: the service level only with a
    live channel's target, month-to-month changes only over several months."""
    offered = {}
    for axis in AXES:
        if axis == "service_level" and not any(
            c.service_level is not None or any(not b.best_effort for b in c.bands)
            for c in channels(scenario)
        ):
            continue
        if axis == "disruption" and len(scenario.calendar.month_labels()) < 2:
            continue
        long_minutes = max(t.minutes for t in scenario.sales.conversation_tiers)
        offered[axis] = axis_label(axis, scenario, long_minutes)
    return offered


def compute(scenario: Scenario, axis: str, objective: str | None = None) -> Front:
    """The curve, without its points' plans (what a child process sends back)."""
    from optimizer.analysis.tradeoff import tradeoff
    from optimizer.runtime.isolation import stage

    stage(STAGE)
    return tradeoff(scenario, axis, objective=objective).without_plans()


def _x(front: Front, value: float) -> float:
    return 100 * value if front.unit == "share" else value


def figure(front: Front) -> go.Figure:
    """The objective against the axis, one marker per plan, the scenario's own plan marked."""
    solved = [p for p in front.points if p.solved]
    money = front.objective_unit == "$"
    fig = go.Figure()
    fig.add_scatter(
        x=[_x(front, p.epsilon) for p in solved],
        y=[p.objective for p in solved],
        mode="lines+markers",
        name="best plan at each limit",
        text=[f"{axis_words(front.axis, p.epsilon)}: {_objective(front, p.objective)}"
              for p in solved],
        hovertemplate="%{text}<extra></extra>",
    )  # fmt: skip
    if front.own is not None and front.points[front.own].solved:
        own = front.points[front.own]
        fig.add_scatter(
            x=[_x(front, own.epsilon)],
            y=[own.objective],
            mode="markers+text",
            marker={"size": 14, "symbol": "star", "color": "#c0392b"},
            text=["the plan"],
            textposition="top center",
            name="the scenario's plan",
            hoverinfo="skip",
        )
    fig.update_layout(
        height=380,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis_title=front.label + (" (%)" if front.unit == "share" else f" ({front.unit})"),
        yaxis_title="Profit" if front.objective == "max_profit" else "Objective",
        yaxis_tickprefix="$" if money else "",
        yaxis_tickformat=",.0f",
        showlegend=False,
    )
    return fig


def _objective(front: Front, value: float | None) -> str:
    if value is None:
        return "no plan"
    return labels.money(value) if front.objective_unit == "$" else labels.number(value)


def takeaway(front: Front) -> str:
    """One line: what going from the plan to the far end of the curve costs, and where the
    curve ends."""
    if front.own is None or not front.points[front.own].solved:
        return "The scenario's own plan is not on this curve."
    own = front.points[front.own]
    after = [p for p in front.points[front.own + 1 :] if p.solved]
    if not after:
        before = [p for p in front.points[: front.own] if p.solved]
        if not before:
            return f"Only the plan itself: {axis_words(front.axis, own.epsilon)}."
        after = before[:1]
    far = after[-1]
    change = far.objective - own.objective
    what = "profit" if front.objective == "max_profit" and not front.credit else "the objective"
    if abs(change) < 0.5:
        cost = "costs nothing"
    else:
        amount = (
            labels.money(abs(change)) if front.objective_unit == "$" else labels.number(abs(change))
        )
        cost = f"{'adds' if change > 0 else 'costs'} {amount} of {what}"
    line = (
        f"From the plan's {axis_words(front.axis, own.epsilon)} to "
        f"{axis_words(front.axis, far.epsilon)} {cost}"
    )
    missing = [p for p in front.points if not p.solved]
    if missing:
        line += f"; no plan at {axis_words(front.axis, missing[0].epsilon)}"
    return line + "."


TABLE_COLUMNS = {
    "axis": None,
    "objective": "Profit",
    "step": "Step",
    "headcount": "People",
    "long": "Long conversations",
    "verified": "Verified",
    "own": "",
}


def table(front: Front) -> pd.DataFrame:
    """The leader's table: formatted values, one row a point."""
    frame = pd.DataFrame(rows(front))
    names = dict(TABLE_COLUMNS, axis=front.label)
    if front.objective != "max_profit":
        names["objective"] = "Objective"
    return frame[list(TABLE_COLUMNS)].rename(columns=names)


def write_sheet(ws, front: Front) -> None:
    """The workbook's ``Trade-offs`` sheet: the points with raw numbers in Excel formats,
    then what each step costs and any notes."""
    from optimizer.app.workbook import IDENTIFIER, MONEY, PERCENT, _note, _table, _title, _widths

    what = "Profit" if front.objective == "max_profit" else "Objective"
    row = _title(ws, 1, f"{what} against {front.label[0].lower()}{front.label[1:]}")
    share = front.unit == "share"
    frame = pd.DataFrame(
        {
            front.label: [p.epsilon for p in front.points],
            "objective": [p.objective for p in front.points],
            "profit": [p.profit for p in front.points],
            "people": [p.headcount for p in front.points],
            "long conversations": [p.long_share for p in front.points],
            "verified": ["yes" if p.verified else "no" for p in front.points],
            "the plan": ["the plan" if p.own else "" for p in front.points],
            "why no plan": [p.reason if not p.solved else "" for p in front.points],
            IDENTIFIER: [f"{front.axis}={p.epsilon:g}" for p in front.points],
        }
    )
    money = MONEY if front.objective_unit == "$" else None
    formats = {"objective": money, "profit": MONEY, "long conversations": PERCENT}
    if share:
        formats[front.label] = PERCENT
    row = _table(ws, row, frame, {k: f for k, f in formats.items() if f})
    row += 1
    for step in front.steps:
        ws.cell(row=row, column=1, value=step.words)
        row += 1
    for note in front.notes:
        _note(ws, row, f"Note: {note}.")
        row += 1
    _widths(ws, widest=60)
