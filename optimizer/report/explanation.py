"""What moves the plan, for a leader: the explanation (``optimizer.analysis.explain``) as tables and words.

Each input's natural step (one hour a day, one person, $1,000, one percentage point) is
valued with the plan's people held (a headcount limit's with hiring free) and, in the full
explanation, with hiring free too, and listed in the one ranking the command line, the
JSON and the workbook use. The binding limits a step moves are named by their labels,
never by their identifiers; every figure is formatted money (a true minus sign).
"""

from __future__ import annotations

import pandas as pd

from optimizer.analysis.explain import HIRING_FREE, Explanation
from optimizer.analysis.result import Plan
from optimizer.scenario import labels

STEP_COLUMNS = ["input", "step", "value", "hiring free", "limits it moves"]
"""``value`` is the ranking's (people held; a headcount limit's hiring free), so a column of
the people-held values would repeat it but for the headcount limits, whose people-held
value is nothing by construction."""
SHOWN_LIMITS = 3
"""Limits named in a row; the rest are counted ('…and 5 more')."""
TOP = 8


def shown_steps(explanation: Explanation, top: int = TOP) -> list:
    """The steps worth money (at least half a dollar), in the ranking's order, at most ``top``."""
    by_subject = {s.subject: s for s in explanation.steps}
    out = []
    for subject in explanation.ranking:
        s = by_subject[subject]
        if s.value is None or abs(s.value) < 0.5:
            continue
        out.append(s)
        if len(out) == top:
            break
    return out


def limit_words(names, plan: Plan) -> str:
    """The labels of the limits ``names``, the first few, then how many more."""
    label_of = dict(zip(plan.constraints["name"], plan.constraints["label"]))
    found = list(dict.fromkeys(label_of.get(n, "") for n in names if n in label_of))
    found = [f for f in found if f]
    if not found:
        return ""
    text = "; ".join(found[:SHOWN_LIMITS])
    more = len(found) - SHOWN_LIMITS
    return text + (f"; and {more} more" if more > 0 else "")


def step_table(explanation: Explanation, plan: Plan, top: int = TOP) -> pd.DataFrame:
    """The top steps: input, step, its value (the ranking's), hiring free, the limits it
    moves."""
    rows = [
        {
            "input": s.label,
            "step": s.step_words,
            "value": labels.signed_money(s.value),
            "hiring free": labels.signed_money(s.value_hiring_free),
            "limits it moves": limit_words(s.limits, plan),
        }
        for s in shown_steps(explanation, top)
    ]
    return pd.DataFrame(rows, columns=STEP_COLUMNS)


def bars(explanation: Explanation, top: int = TOP) -> pd.DataFrame:
    """name ('Working day: one hour a day more'), value (the ranking's), text."""
    rows = [
        (f"{s.label}: {s.step_words}", float(s.value), labels.signed_money(s.value))
        for s in shown_steps(explanation, top)
    ]
    return pd.DataFrame(rows, columns=["name", "value", "text"])


def period_words(months: int) -> str:
    return "a month" if months <= 1 else f"over {months} months"


def takeaway(explanation: Explanation, months: int = 1) -> str:
    """One line: the step worth most, and what the next is worth."""
    steps = shown_steps(explanation, 2)
    if not steps:
        return "No natural step of any input would change the plan's value."
    first = steps[0]
    text = (
        f"{first.label}, {first.step_words}, is worth the most: "
        f"{labels.signed_money(first.value)} {period_words(months)} {basis_words(first)}"
    )
    if len(steps) > 1:
        text += (
            f"; next, {steps[1].label.lower()}, {steps[1].step_words}: "
            f"{labels.signed_money(steps[1].value)}"
        )
    return text + "."


def basis_words(step) -> str:
    """'with the plan's people held' or 'with hiring free': what ``step.value`` assumes."""
    return "with hiring free" if step.basis == HIRING_FREE else "with the plan's people held"


def headcount_sentences(explanation: Explanation) -> list[str]:
    return [text for h in explanation.headcounts for text in h.sentences]


def quality_sentence(explanation: Explanation) -> str | None:
    return explanation.quality_floor["sentence"] if explanation.quality_floor else None


ENTERING_SHOWN = 5
"""Unused options the words name, nearest to entering first (one input each)."""


def entering_sentences(explanation: Explanation, top: int = ENTERING_SHOWN) -> list[str]:
    """'Conversations of 20 minutes, ...: not used (...); it would enter the plan if ...':
    for each of the unused options nearest to entering, the nearest input that prices it in
    (``optimizer.analysis.entering``; re-solved either side of the threshold)."""
    out, seen = [], set()
    for entry in getattr(explanation, "entering", []) or []:
        if entry["variable"] in seen:
            continue
        seen.add(entry["variable"])
        out.append(entry["sentence"])
        if len(out) >= top:
            break
    return out
