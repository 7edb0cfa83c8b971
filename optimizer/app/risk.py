"""The Odds section: how likely the plan is, as numbers, figures, tables and a sheet.

The odds are ``optimizer.analysis.risk`` (the plan's people held, the uncertain inputs of
the scenario's ``uncertainty:`` section drawn, the rest re-solved for each draw), computed
on request in a child process (``compute``, which also keeps each draw's profit over the
plan for the histogram). This module shows them: the probability of each goal with its
error (``goal_cards``), a fan chart of profit and of cash by month (``fan``; one month is
a histogram of profit with the goal line instead, ``histogram``), the tornado of what
drives profit (``tornado``), the targets' P10/P50/P90 (``targets_table``), a one-line
takeaway above each figure, the hint for a scenario without ranges (``hint``) and the
workbook's ``Odds`` sheet (``write_sheet``). Labels and formatted numbers only; the
identifiers stay in the sheet's right-hand column.

On request too, the people chosen for their odds (``optimizer.analysis.risk.odds.choose``,
in a child: ``compute_choice``) beside the plan's: the side-by-side table with the people
that differ marked (``choice_table``, ``choice_changed``), a one-line takeaway
(``choice_takeaway``), both plans' chance of every goal with its error (``choice_figure``)
and a block of the sheet (``write_choice``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from optimizer.analysis.risk import Risk
from optimizer.analysis.risk.odds import OBJECTIVES, Chosen
from optimizer.app.headline import role_words
from optimizer.report.risk import (
    HORIZON,
    MEASURES,
    TARGET_COLUMNS,  # noqa: F401 - the page's tables are the report's
    choice_rows,
    choice_sentences,
    kept_words,
    money_table,  # noqa: F401
    odds_words,
    period_words,
    sentences,
    targets_table,  # noqa: F401
)
from optimizer.report.tables import target_labels
from optimizer.scenario import labels
from optimizer.scenario.schema import Scenario

STAGE = "the draws of the plan's odds"
MAX_DRAWS = 100_000
"""The page's largest number of draws (10,000 of the seed company take about 8 s)."""
COLORS = {
    "band": "rgba(46, 134, 193, 0.22)",
    "p50": "#1f618d",
    "plan": "#34495e",
    "goal": "#c0392b",
    "low": "#c0392b",
    "high": "#1e8449",
    "met": "#1e8449",
    "missed": "#e6b0aa",
}
TORNADO_ROWS = 10
_GOAL = re.compile(r"finance-(?P<measure>profit|cash)_goal(?:\[(?P<period>\d{4}-\d{2})\])?$")


@dataclass
class Odds:
    """The odds of the scenario's plan (``risk``) and each draw's profit over the plan
    (NaN where the held people found no plan): the histogram's data."""

    risk: Risk
    profit: np.ndarray


def compute(scenario: Scenario, draws: int | None = None, seed: int | None = None) -> Odds:
    """``optimizer.analysis.risk.risk`` of the scenario's own plan, keeping each draw's
    profit (what a child process sends back). ``ValueError`` without ranges or a plan."""
    from optimizer.analysis.risk import risk
    from optimizer.runtime.isolation import stage

    stage(STAGE)
    found = risk(scenario, draws=draws, seed=seed)
    return Odds(found, found.profit_draws)


def has_ranges(scenario: Scenario) -> bool:
    return scenario.uncertainty is not None


def hint(scenario: Scenario) -> str:
    """The YAML a scenario without ranges could add: its longest conversation's conversion
    rate, give or take a percentage point."""
    tier = len(scenario.sales.conversation_tiers) - 1
    return (
        "uncertainty:\n"
        "  draws: 10000\n"
        "  inputs:\n"
        f"    sales.conversation_tiers[{tier}].conversion_rate:\n"
        "      normal: {spread: 0.01}   # give or take a percentage point\n"
    )


# ---- the goals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """One headline number: a goal's probability, '72.6 %', and its error."""

    label: str
    value: str
    error: str
    help: str


def error(p: float, draws: int) -> float:
    """One standard error of a share ``p`` of ``draws``: sqrt(p (1 - p) / draws)."""
    return math.sqrt(max(0.0, p * (1 - p)) / draws) if draws else float("nan")


def goal_cards(risk: Risk) -> list[Card]:
    """Each goal's probability, then every goal at once when there are several."""
    cards = []
    for g in risk.goals.itertuples():
        cards.append(
            Card(
                f"{g.label}: {labels.money(g.goal)}",
                odds_words(g.probability),
                _give_or_take(g.probability, risk.draws),
                f"The share of {risk.draws:,} draws in which the plan, its people held and the "
                f"rest re-solved, meets the goal of {labels.money(g.goal)}.",
            )
        )
    if len(risk.goals) > 1:
        cards.append(
            Card(
                "Every goal at once",
                odds_words(risk.all_goals),
                _give_or_take(risk.all_goals, risk.draws),
                f"The share of {risk.draws:,} draws that meet every goal.",
            )
        )
    return cards


def _give_or_take(p: float, draws: int) -> str:
    return f"± {100 * error(p, draws):.1f} percentage points"


def goal_lines(risk: Risk, measure: str) -> dict[str, float]:
    """The goal of ``measure`` (profit or cash) by month, or ``{"horizon": goal}`` for a goal
    over the whole plan; {} without one."""
    found = {}
    for g in risk.goals.itertuples():
        m = _GOAL.match(str(g.name))
        if m and m["measure"] == measure:
            found[m["period"] or HORIZON] = float(g.goal)
    return found


# ---- profit and cash by month ---------------------------------------------------------------


def months(risk: Risk) -> list[str]:
    return list(dict.fromkeys(p for p in risk.money["period"] if p != HORIZON))


def _spread(risk: Risk, measure: str) -> pd.DataFrame:
    m = risk.money
    return m[(m["measure"] == measure) & (m["period"] != HORIZON)].reset_index(drop=True)


def _horizon(risk: Risk) -> pd.Series:
    m = risk.money
    return m[(m["measure"] == "profit") & (m["period"] == HORIZON)].iloc[0]


def measures(risk: Risk) -> list[str]:
    """The measures the draws have by month: profit, and cash when the plan keeps a bank."""
    return [m for m in MEASURES if len(_spread(risk, m))]


def fan(risk: Risk, measure: str) -> go.Figure:
    """P10 to P90 of ``measure`` by month as a band, P50 as a line, the plan with its
    single-number inputs dashed, and the month's goal where there is one."""
    frame = _spread(risk, measure)
    x = [labels.month_label(p) for p in frame["period"]]
    money = "$%{y:,.0f}"
    figure = go.Figure()
    figure.add_scatter(
        x=x, y=frame["p90"], mode="lines", line={"width": 0}, showlegend=False,
        name="P90", hovertemplate=f"P90 (best tenth): {money}<extra></extra>",
    )  # fmt: skip
    figure.add_scatter(
        x=x, y=frame["p10"], mode="lines", line={"width": 0}, fill="tonexty",
        fillcolor=COLORS["band"], name="P10 to P90 (eight draws in ten)",
        hovertemplate=f"P10 (worst tenth): {money}<extra></extra>",
    )  # fmt: skip
    figure.add_scatter(
        x=x, y=frame["p50"], mode="lines+markers", line={"color": COLORS["p50"], "width": 3},
        name="P50 (the middle draw)", hovertemplate=f"P50: {money}<extra></extra>",
    )  # fmt: skip
    figure.add_scatter(
        x=x, y=frame["plan"], mode="lines+markers",
        line={"color": COLORS["plan"], "dash": "dash"}, name="the plan (single-number inputs)",
        hovertemplate=f"the plan: {money}<extra></extra>",
    )  # fmt: skip
    goals = goal_lines(risk, measure)
    if any(p in goals for p in frame["period"]):
        figure.add_scatter(
            x=x, y=[goals.get(p) for p in frame["period"]], mode="lines+markers",
            line={"color": COLORS["goal"], "dash": "dot", "shape": "hv"},
            marker={"symbol": "line-ew-open", "size": 14}, name="the goal",
            hovertemplate=f"goal: {money}<extra></extra>",
        )  # fmt: skip
    figure.update_layout(
        height=360,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        yaxis_title=f"{MEASURES[measure].lower()} a month" if measure == "profit" else
        "cash at the month's end",
        yaxis_tickprefix="$",
        yaxis_tickformat=",.0f",
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.15},
    )  # fmt: skip
    return figure


def fan_takeaway(risk: Risk, measure: str) -> str:
    """The fan's one line: the range of eight draws in ten where it is widest, and how the
    middle draw compares with the plan."""
    frame = _spread(risk, measure)
    if measure == "cash":
        low = frame.loc[frame["p10"].idxmin()]
        end = frame.iloc[-1]
        return (
            f"Cash at the end of {labels.month_label(end.period)}: {labels.money(end.p10)} to "
            f"{labels.money(end.p90)} in eight draws out of ten (the plan: "
            f"{labels.money(end.plan)}); at its lowest, in one draw in ten, "
            f"{labels.money(low.p10)} or less at the end of {labels.month_label(low.period)}."
        )
    wide = frame.loc[(frame["p90"] - frame["p10"]).idxmax()]
    under = int((frame["p50"] < frame["plan"] - 0.5).sum())
    line = (
        f"Profit a month, in eight draws out of ten: widest in {labels.month_label(wide.period)}"
        f" ({labels.money(wide.p10)} to {labels.money(wide.p90)}); the middle draw earns less "
        f"than the plan with single-number inputs in {under} of {len(frame)} months"
    )
    goals = goal_lines(risk, "profit")
    below = [p for p, g in goals.items() if p != HORIZON and _p50(frame, p) < g]
    if below:
        months_below = labels.and_list(labels.month_label(p) for p in below)
        line += f", and misses the month's goal in {months_below}"
    return line + "."


def _p50(frame: pd.DataFrame, period: str) -> float:
    return float(frame.loc[frame["period"] == period, "p50"].iloc[0])


def histogram_period(risk: Risk) -> str | None:
    """What the histogram shows: the one month of a one-month plan ('horizon' is the same
    profit), the whole plan when its profit goal is over the plan; else None (the fans)."""
    if len(months(risk)) == 1:
        return months(risk)[0]
    return HORIZON if HORIZON in goal_lines(risk, "profit") else None


def _profit_goal(risk: Risk) -> float | None:
    goals = goal_lines(risk, "profit")
    return goals.get(HORIZON, next(iter(goals.values()), None))


def histogram(odds: Odds, bins: int = 40) -> go.Figure:
    """How many draws earn each profit over the plan: the bars at or above the goal green,
    below it pale red; the goal and the plan as lines."""
    values = odds.profit[np.isfinite(odds.profit)]
    goal, plan = _profit_goal(odds.risk), float(odds.risk.plan_profit)
    low, high = (float(values.min()), float(values.max())) if len(values) else (0.0, 1.0)
    size = (high - low) / bins or 1.0
    start = low if goal is None else goal - math.ceil((goal - low) / size) * size
    edges = start + size * np.arange(int(math.ceil((high - start) / size)) + 2)
    counts, edges = np.histogram(values, bins=edges)
    centers = (edges[:-1] + edges[1:]) / 2
    met = [goal is None or c >= goal for c in centers]
    figure = go.Figure()
    figure.add_bar(
        x=centers,
        y=counts,
        width=size,
        marker_color=[COLORS["met"] if m else COLORS["missed"] for m in met],
        customdata=np.stack([edges[:-1], edges[1:]], axis=1),
        hovertemplate="$%{customdata[0]:,.0f} to $%{customdata[1]:,.0f}: %{y} draws<extra></extra>",
        showlegend=False,
    )
    lines = [(plan, "the plan", COLORS["plan"], "dash")]
    if goal is not None:
        lines.append((goal, "the goal", COLORS["goal"], "solid"))
    for value, name, color, dash in lines:
        figure.add_vline(
            x=value,
            line={"color": color, "dash": dash, "width": 2},
            annotation_text=f"{name}: {labels.money(value)}",
            annotation_position="top left" if name == "the goal" else "top right",
        )
    period = histogram_period(odds.risk)
    figure.update_layout(
        height=340,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        bargap=0.05,
        xaxis_title="profit over the plan"
        if period == HORIZON
        else f"profit in {labels.month_label(period)}",
        xaxis_tickprefix="$",
        xaxis_tickformat=",.0f",
        yaxis_title="draws",
    )
    return figure


def histogram_takeaway(odds: Odds) -> str:
    risk = odds.risk
    total = _horizon(risk)
    period = histogram_period(risk)
    when = "over the plan" if period == HORIZON else f"in {labels.month_label(period)}"
    goal = _profit_goal(risk)
    reached = ""
    if goal is not None:
        values = odds.profit
        share = float(np.mean(np.nan_to_num(values, nan=-np.inf) >= goal - 1e-6))
        reached = (
            f"; {odds_words(share)} of the draws earn the goal of {labels.money(goal)} or more"
        )
    return (
        f"Profit {when}: {labels.money(total.p10)} to {labels.money(total.p90)} in eight draws "
        f"out of ten, {labels.money(total.p50)} in the middle against the plan's "
        f"{labels.money(total.plan)}{reached}."
    )


# ---- what drives the spread -----------------------------------------------------------------


def tornado(risk: Risk) -> go.Figure:
    """For each input (the widest at the top), the mean profit over the plan in its lowest
    and highest tenth of draws, as bars from the middle draw's profit (P50); beneath each
    input's label, its mean in those tenths."""
    middle = float(_horizon(risk).p50)
    rows = risk.tornado.head(TORNADO_ROWS).iloc[::-1]
    names = [
        f"{label}<br><span style='font-size:11px;color:#666'>{labels.input_amount(p, lo)} to "
        f"{labels.input_amount(p, hi)}</span>"
        for label, p, lo, hi in zip(rows["label"], rows["path"], rows["low"], rows["high"])
    ]  # the input's label, and the means of its lowest and highest tenth beneath
    figure = go.Figure()
    for side, words in (("low", "lowest"), ("high", "highest")):
        profit = rows[f"profit_{side}"].to_numpy(float)
        text = [f"about {labels.input_amount(p, v)}" for p, v in zip(rows["path"], rows[side])]
        figure.add_bar(
            y=names,
            x=profit - middle,
            base=middle,
            orientation="h",
            name=f"the input in its {words} tenth of draws",
            marker_color=COLORS[side],
            customdata=np.stack(
                [profit, [odds_words(o) for o in rows[f"odds_{side}"]], text], axis=1
            ),
            hovertemplate=(
                f"{words} tenth (%{{customdata[2]}}): profit $%{{customdata[0]:,.0f}}, "
                "every goal met in %{customdata[1]}<extra></extra>"
            ),
        )
    figure.add_vline(
        x=middle,
        line={"color": COLORS["plan"], "width": 1},
        annotation_text=f"P50: {labels.money(middle)}",
        annotation_position="top",
    )
    figure.update_yaxes(categoryorder="array", categoryarray=names)
    height, top, bottom = max(240, 44 * len(rows) + 150), 40, 100
    figure.update_layout(
        barmode="overlay",
        height=height,
        margin={"l": 10, "r": 10, "t": top, "b": bottom},
        xaxis_title="mean profit over the plan in those draws",
        xaxis_tickprefix="$",
        xaxis_tickformat=",.0f",
        # the legend below the axis title, whatever the number of bars (pixels as a fraction)
        legend={"orientation": "h", "yanchor": "top", "y": -70 / (height - top - bottom)},
    )
    return figure


def tornado_takeaway(risk: Risk) -> str:
    t = risk.tornado
    if t.empty:
        return ""
    first = t.iloc[0]
    line = (
        f"{first.label} moves profit most: {labels.money(first.profit_low)} when it is at its "
        f"lowest (about {labels.input_amount(first.path, first.low)}), "
        f"{labels.money(first.profit_high)} at its highest (about "
        f"{labels.input_amount(first.path, first.high)})"
    )
    if len(t) > 1:
        line += f"; then {labels.and_list(_lower(x) for x in t['label'].iloc[1:3])}"
    return line + "."


def _lower(label: str) -> str:
    return label[:1].lower() + label[1:]


def tornado_table(risk: Risk) -> pd.DataFrame:
    """The tornado in words: each input's lowest and highest tenth, profit and odds."""
    t = risk.tornado
    return pd.DataFrame(
        {
            "input": t["label"],
            "lowest tenth": [labels.input_amount(p, v) for p, v in zip(t["path"], t["low"])],
            "profit then": t["profit_low"].map(labels.money),
            "every goal then": t["odds_low"].map(odds_words),
            "highest tenth": [labels.input_amount(p, v) for p, v in zip(t["path"], t["high"])],
            "profit there": t["profit_high"].map(labels.money),
            "every goal there": t["odds_high"].map(odds_words),
        }
    )


# ---- tables ---------------------------------------------------------------------------------


def kept_caption(risk: Risk) -> str:
    return (
        f"P10, P50 and P90 of each target {kept_words(risk)}; held headcounts do not move. "
        "Plan: with the single-number inputs."
    )


# ---- the plan chosen for its odds -----------------------------------------------------------

CHOICE_STAGE = "choosing people for their odds"
CHOICE_OBJECTIVES = {
    "probability": "the chance of every goal",
    "expected_profit": "the expected profit",
}
"""What the people may be chosen for (``optimizer.analysis.risk.odds.OBJECTIVES``), in words."""
assert tuple(CHOICE_OBJECTIVES) == OBJECTIVES
CHOOSING_DRAWS = 200
MAX_CHOOSING_DRAWS = 1_000
"""The page's most choosing draws: 1,000 of the seed company take about 35 s (one model of
1,000 months)."""
MAX_FRESH_DRAWS = 20_000
"""The page's most fresh draws: each plan is re-solved for each, within the child's limit."""
CHOICE_SECONDS = 45.0
"""The choice's solve on the page stops after this (its best people so far, and how far from
proven), leaving the measuring on fresh draws time within the child's wall limit."""
CHOICE_COLUMNS = ["measure", "single-number plan", "chosen for its odds"]
WHOLE = "#,##0"
"""The sheet's format of a whole number of people or draws."""


def compute_choice(
    scenario: Scenario, objective: str, draws: int, fresh: int, seed: int | None = None
) -> Chosen:
    """The people chosen for ``objective`` over ``draws`` choosing draws of ``seed`` (the
    odds' seed), measured beside the scenario's own plan on ``fresh`` draws of the next seed
    (what a child process sends back). ``ValueError`` without a plan or with no people that
    keep every limit in every choosing draw."""
    from optimizer.analysis.risk.odds import choose
    from optimizer.analysis.solve import solve
    from optimizer.runtime.isolation import stage

    if scenario.uncertainty is None:
        raise ValueError("the scenario has no uncertainty: section (ranges on its inputs)")
    plan = solve(scenario, marginals=False, whole_steps=False)
    if not plan.solved:
        raise ValueError(f"the scenario has no plan to compare: {plan.message or plan.status}")
    stage(CHOICE_STAGE)
    return choose(
        scenario, plan, objective=objective, draws=draws, seed=seed, fresh=fresh,
        time_limit=CHOICE_SECONDS,
    )  # fmt: skip


def choice_table(chosen: Chosen, variables: pd.DataFrame | None = None) -> pd.DataFrame:
    """``choice_rows`` under the page's headers: the people that differ, then each plan's
    odds and profit on the fresh draws, as formatted text."""
    table = choice_rows(chosen, variables)
    table.columns = CHOICE_COLUMNS
    return table


def choice_changed(chosen: Chosen) -> list[bool]:
    """Which rows of ``choice_table`` are people the choice moves (the first ones)."""
    moved = len(chosen.changed)
    return [i < moved for i in range(moved + 4)]


def choice_takeaway(chosen: Chosen, goals: bool = True) -> str:
    """'Choosing for the odds: 58.2 % → 73.2 % of fresh draws meet every goal, at $35,313
    mean profit (the single-number plan's: $24,899).' Without goals, the profit alone."""
    s, c = chosen.single, chosen.chosen
    fresh = f"{chosen.fresh_draws:,} fresh draws"
    what = "the odds" if chosen.objective == "probability" else "the expected profit"
    if not chosen.changed:
        line = f"Choosing for {what} keeps the single-number plan's people"
        if goals:
            return f"{line}: every goal met in {odds_words(s.probability)} of {fresh}."
        return f"{line}: {labels.money(s.mean_profit)} mean profit over {fresh}."
    if not goals:
        return (
            f"Choosing for {what}: {labels.money(s.mean_profit)} → "
            f"{labels.money(c.mean_profit)} mean profit over {fresh}."
        )
    return (
        f"Choosing for {what}: {odds_words(s.probability)} → {odds_words(c.probability)} of "
        f"{fresh} meet every goal, at {labels.money(c.mean_profit)} mean profit (the "
        f"single-number plan's: {labels.money(s.mean_profit)})."
    )


def choice_figure(chosen: Chosen) -> go.Figure:
    """Each plan's chance of every goal on the fresh draws, give or take one standard error
    (the bars), and on the choosing draws (hollow: a choice looks better on the draws that
    chose it)."""
    plans = ["single-number plan", "chosen for its odds"]
    colors = [COLORS["plan"], COLORS["met"]]
    fresh = [chosen.single, chosen.chosen]
    fit = [chosen.single_fit, chosen.chosen_fit]
    figure = go.Figure()
    figure.add_scatter(
        x=plans,
        y=[m.probability for m in fresh],
        error_y={"type": "data", "array": [m.error for m in fresh], "thickness": 2, "width": 8},
        mode="markers",
        marker={"size": 14, "color": colors},
        name=f"{chosen.fresh_draws:,} fresh draws (± one standard error)",
        customdata=[[odds_words(m.probability), f"{100 * m.error:.1f}"] for m in fresh],
        hovertemplate="%{x}: every goal met in %{customdata[0]} ± %{customdata[1]} pp of the "
        "fresh draws<extra></extra>",
    )
    figure.add_scatter(
        x=plans,
        y=[m.probability for m in fit],
        mode="markers",
        marker={"size": 12, "color": colors, "symbol": "circle-open", "line": {"width": 2}},
        name=f"the {chosen.choosing_draws:,} draws that chose",
        customdata=[odds_words(m.probability) for m in fit],
        hovertemplate="%{x}: every goal met in %{customdata} of the choosing draws"
        "<extra></extra>",
    )  # fmt: skip
    figure.update_layout(
        height=300,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        scattermode="group",  # each plan's two dots side by side, not on top of each other
        scattergap=0.6,
        xaxis_range=[-0.6, 1.6],
        yaxis_title="every goal met",
        yaxis_tickformat=".0%",
        yaxis_range=[0, 1.02],
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0},
    )
    return figure


# ---- the workbook ---------------------------------------------------------------------------


def write_sheet(
    ws, odds: Odds, variables: pd.DataFrame | None = None, chosen: Chosen | None = None
) -> None:
    """The workbook's ``Odds`` sheet: the sentences, the goals' probabilities, the people
    chosen for their odds once the page has chosen them (``chosen``, ``write_choice``),
    profit and cash by month, the tornado and the targets' percentiles, raw numbers in Excel
    formats, the identifiers at the right."""
    from optimizer.app.workbook import (
        IDENTIFIER,
        MONEY,
        NUMBER,
        PERCENT,
        _note,
        _table,
        _title,
        _widths,
        number_format,
    )

    risk = odds.risk
    row = _title(
        ws, 1, f"How likely the plan is: {risk.scenario} ({risk.draws:,} draws, seed {risk.seed})"
    )
    for text in sentences(risk, variables if variables is not None else risk.plan_variables):
        ws.cell(row=row, column=1, value=text)
        row += 1
    row = _title(ws, row + 1, "The goals")
    goals = risk.goals
    frame = pd.DataFrame(
        {
            "goal": list(goals["label"]),
            "amount": list(goals["goal"]),
            "probability": list(goals["probability"]),
            "give or take": [error(p, risk.draws) for p in goals["probability"]],
            IDENTIFIER: list(goals["name"]),
        }
    )
    if len(goals) > 1:
        frame.loc[len(frame)] = ["Every goal at once", None, risk.all_goals, risk.error, "all"]
    if frame.empty:
        ws.cell(row=row, column=1, value="The scenario states no finance goal.")
        row += 2
    else:
        precise = f'0.00%;"{labels.MINUS}"0.00%;0%'
        row = _table(
            ws, row, frame, {"amount": MONEY, "probability": PERCENT, "give or take": precise}
        )
        _note(
            ws, row - 1, "Give or take: one standard error of the share, sqrt(p (1 − p) / draws)."
        )
        row += 1
    if chosen is not None:
        row = write_choice(ws, row, chosen, variables if variables is not None else (
            risk.plan_variables))  # fmt: skip
    row = _title(ws, row, "Profit and cash by month: P10, P50, P90")
    m = risk.money
    money = pd.DataFrame(
        {
            "measure": [MEASURES[x] for x in m["measure"]],
            "month": [period_words(p) for p in m["period"]],
            "P10": m["p10"],
            "P50": m["p50"],
            "P90": m["p90"],
            "mean": m["mean"],
            "plan": m["plan"],
            IDENTIFIER: [f"{x}[{p}]" for x, p in zip(m["measure"], m["period"])],
        }
    )
    row = _table(ws, row, money, dict.fromkeys(("P10", "P50", "P90", "mean", "plan"), MONEY))
    row = _title(ws, row, "What drives profit: each input's lowest and highest tenth of draws")
    t = risk.tornado
    if t.empty:
        ws.cell(row=row, column=1, value="No input moves.")
        row += 2
    else:
        units = dict(zip(risk.inputs["path"], risk.inputs["unit"]))
        shapes = [
            number_format(units.get(p, ""), rate=labels.natural_step(p).per_point)
            for p in t["path"]
        ]
        drivers = pd.DataFrame(
            {
                "input": t["label"],
                "lowest tenth": t["low"],
                "profit in its lowest tenth": t["profit_low"],
                "every goal met, lowest tenth": t["odds_low"],
                "highest tenth": t["high"],
                "profit in its highest tenth": t["profit_high"],
                "every goal met, highest tenth": t["odds_high"],
                "rank correlation with profit": t["rank_correlation"],
                IDENTIFIER: t["path"],
            }
        )
        row = _table(
            ws,
            row,
            drivers,
            {
                "lowest tenth": shapes,
                "highest tenth": shapes,
                "profit in its lowest tenth": MONEY,
                "profit in its highest tenth": MONEY,
                "every goal met, lowest tenth": PERCENT,
                "every goal met, highest tenth": PERCENT,
                "rank correlation with profit": NUMBER,
            },
        )
    row = _title(ws, row, "The targets: P10, P50, P90")
    tg = risk.targets
    names = dict(zip(tg["metric"], target_labels(tg["metric"])))
    targets = pd.DataFrame(
        {
            "department": tg["department"].str.capitalize(),
            "role": [role_words(r) for r in tg["role"]],
            "target": [names[x] for x in tg["metric"]],
            "month": tg["period"].map(labels.month_label),
            "plan": tg["plan"],
            "P10": tg["p10"],
            "P50": tg["p50"],
            "P90": tg["p90"],
            "unit": tg["unit"],
            IDENTIFIER: tg["metric"],
        }
    )
    shapes = [number_format(u) for u in tg["unit"]]
    row = _table(ws, row, targets, dict.fromkeys(("plan", "P10", "P50", "P90"), shapes))
    _note(ws, row - 1, kept_caption(risk))
    _widths(ws, widest=40)


def write_choice(ws, row: int, chosen: Chosen, variables: pd.DataFrame | None = None) -> int:
    """The sheet's ``Chosen for its odds`` block at ``row``: the sentences, then the
    single-number plan and the chosen one side by side (the people that differ, filled; each
    plan's odds and profit on the fresh draws, then on the choosing draws), raw numbers in
    Excel formats, the identifiers (``choice_payload``'s) at the right. The next free row."""
    from optimizer.app.workbook import (
        IDENTIFIER,
        MONEY,
        NUMBER,
        PERCENT,
        PERCENT_HUNDREDTHS,
        _note,
        _table,
        _title,
    )

    row = _title(ws, row, "Chosen for its odds")
    for text in choice_sentences(chosen, variables):
        ws.cell(row=row, column=1, value=text)
        row += 1
    row += 1
    names = dict(zip(variables["name"], variables["label"])) if variables is not None else {}
    people = [(names.get(n, n), a, b, n) for n, (a, b) in chosen.changed.items()]
    s, c, sf, cf = chosen.single, chosen.chosen, chosen.single_fit, chosen.chosen_fit
    fresh, fitting = (
        f"{chosen.fresh_draws:,} fresh draws",
        f"{chosen.choosing_draws:,} choosing draws",
    )
    measures = [
        (f"Every goal met ({fresh})", s.probability, c.probability, "probability_all_goals", PERCENT),
        ("Give or take (one standard error)", s.error, c.error, "standard_error", PERCENT_HUNDREDTHS),
        (f"Mean profit ({fresh})", s.mean_profit, c.mean_profit, "mean_profit", MONEY),
        ("Profit P10", s.p10, c.p10, "p10", MONEY),
        ("Profit P50", s.p50, c.p50, "p50", MONEY),
        ("Profit P90", s.p90, c.p90, "p90", MONEY),
        ("Draws without a plan", s.no_plan, c.no_plan, "no_plan", WHOLE),
        (f"Every goal met ({fitting})", sf.probability, cf.probability,
         "on_choosing_draws.probability_all_goals", PERCENT),
        (f"Mean profit ({fitting})", sf.mean_profit, cf.mean_profit,
         "on_choosing_draws.mean_profit", MONEY),
    ]  # fmt: skip
    frame = pd.DataFrame(
        [(label, a, b, n) for label, a, b, n in people]
        + [(label, a, b, n) for label, a, b, n, _ in measures],
        columns=[*CHOICE_COLUMNS, IDENTIFIER],
    )
    shapes = [WHOLE if float(a).is_integer() and float(b).is_integer() else NUMBER
              for _, a, b, _ in people] + [shape for *_, shape in measures]  # fmt: skip
    row = _table(
        ws, row, frame, dict.fromkeys(CHOICE_COLUMNS[1:], shapes),
        fill_rows=[i < len(people) for i in range(len(frame))],
    )  # fmt: skip
    _note(
        ws, row - 1, "Filled: the people the choice moves. On the draws that chose them the "
        "chosen people look better than they are; the fresh draws are the fair comparison.",
    )  # fmt: skip
    return row + 1
