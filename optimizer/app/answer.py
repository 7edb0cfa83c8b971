"""The answer first: can the company hit its goal, by how much, and the sentences that matter.

What the page opens with, above the tabs, in at most three sentences:

1. the verdict: every goal met (a plan exists) or not, and the profit against the goal,
   ``profit − (retained earnings + profit target)`` over the horizon;
2. the binding limit whose natural step is worth the most (``limits.most_valuable``, the
   limit the command line lists first);
3. the people the plan needs against today's stated headcounts.

Without a plan: the limits that conflict, and the cheapest repair when there is one.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.analysis.compare import finance_summary
from optimizer.app import limits
from optimizer.app.analysis import Analysis
from optimizer.app.diagnosis import conflict_table
from optimizer.app.headline import headcount_changes, span, status_line
from optimizer.report.diagnosis import change_sentences
from optimizer.scenario import labels
from optimizer.scenario.names import Objective

NAMED = 3  # the conflicting limits named in the sentence; the rest are counted


@dataclass(frozen=True)
class Answer:
    met: bool  # a plan meets every limit and goal
    verdict: str  # "Yes: …" / "No: …", one sentence
    sentences: tuple[str, ...]  # at most two more


def answer(a: Analysis) -> Answer:
    if not a.plan.solved:
        return _no_plan(a)
    plan, scenario = a.plan, a.scenario
    months = scenario.calendar.horizon_months
    fin = finance_summary(scenario, plan.targets)
    gap = fin["profit"] - fin["goal"]
    when = span(months)
    how = {
        Objective.min_cost: "at the least cost",
        Objective.closest_to_current: "closest to today's targets",
    }.get(plan.objective_name, "")
    plan_words = f"The plan {how} makes" if how else "The plan makes"
    made = f"{plan_words[0].lower()}{plan_words[1:]} {labels.money(fin['profit'])} profit {when}"
    goal = labels.money(fin["goal"])
    if not fin["goal_met"]:  # every limit kept, the profit goal short: a goal left soft
        verdict = f"No, the goal is out of reach: {made}, {labels.money(-gap)} short of {goal}."
    elif abs(gap) < 0.5:
        verdict = f"Yes, the goal can be hit: {made}, exactly the {goal} goal."
    else:
        verdict = f"Yes, the goal can be hit: {made}, {labels.money(gap)} over the {goal} goal."
    more = []
    worth = limits.most_valuable(plan) if plan.objective_unit == "$" else None
    if worth:
        more.append(worth)
    people = _people(a)
    if people:
        more.append(people)
    return Answer(bool(fin["goal_met"]), verdict, tuple(more[:2]))


def _people(a: Analysis) -> str | None:
    table = headcount_changes(a.plan, a.scenario)
    if table.empty:
        return None
    total = float(table["plan"].sum())
    average = " on average" if a.scenario.calendar.horizon_months > 1 else ""
    stated = table.dropna(subset=["today"])
    if stated.empty:
        return f"It needs {labels.number(total)} people{average}."
    now, planned = float(stated["today"].sum()), float(stated["plan"].sum())
    change = planned - now
    if abs(change) < 0.05:
        against = "as many as today's targets state"
    else:
        against = f"{labels.number(abs(change))} {'more' if change > 0 else 'fewer'}"
        against = f"{labels.number(planned)} against today's {labels.number(now)} ({against})"
    if abs(total - planned) < 0.05:
        return f"It needs {labels.number(total)} people{average}, {against}."
    return (
        f"It needs {labels.number(total)} people{average}; in the roles today's targets "
        f"state, {against}."
    )


def _no_plan(a: Analysis) -> Answer:
    d = a.diagnosis
    if d is None or d.conflict.empty:
        return Answer(False, f"No plan: {status_line(a.plan)[1].removeprefix('No plan: ')}", ())
    verdict = (
        f"No, the goal cannot be hit as the scenario stands: {len(d.conflict)} limits "
        f"conflict ({_conflict_words(d, a)})."
    )
    more = []
    if d.cheapest is not None:
        more.append(f"The cheapest repair: {'; '.join(change_sentences(d.cheapest))}.")
    return Answer(False, verdict, tuple(more))


def _conflict_words(d, a: Analysis) -> str:
    table = conflict_table(d.conflict, a.scenario)
    words = [str(w) for w in table["limit"].head(NAMED)]
    rest = len(table) - len(words)
    return "; ".join(words) + (f"; and {rest} more" if rest > 0 else "")
