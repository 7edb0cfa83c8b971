"""Today's targets against the plan, as a leader reads them: labels and formatted numbers.

The comparison (``optimizer.analysis.compare``) keeps identifiers (``calls_per_rep_per_day``) and
raw floats for programs; these tables give the target's label, the month in words and each
number as people read it (money with a true minus sign, counts rounded sensibly).

What would make today's targets right (``optimizer.analysis.whynot.TodayRight``) is shown
the same way: each input change with its label, today's value and what it would have to be,
rounded away from today's as the sentences round it, so the value stated is always enough.
"""

from __future__ import annotations

import pandas as pd

from optimizer.analysis.entering import enough, is_share
from optimizer.analysis.whynot import TodayRight
from optimizer.analysis.whynot.feasible import Change
from optimizer.app.headline import role_words, shown
from optimizer.scenario import labels

STATED_COLUMNS = ["role", "target", "month", "stated", "reached", "plan", "unit"]
IMPLIED_COLUMNS = ["role", "target", "month", "today", "plan", "difference", "unit"]
RIGHT_COLUMNS = ["input", "today", "would have to be", "for"]
POSSIBLE = "to be possible"
BEST = "to be the best plan"
"""What a change is for: today's targets met with every limit and goal, or also the best
plan with today's people (the ``for`` column)."""


def _common(side: pd.DataFrame) -> dict:
    return {
        "role": [role_words(r) for r in side["role"]],
        "target": [labels.metric_label(m) for m in side["metric"]],
        "month": [labels.month_label(p) for p in side["period"]],
    }


def stated_table(side: pd.DataFrame) -> pd.DataFrame:
    """Today's stated targets: what is stated, what the other targets let it reach, the plan."""
    units = list(side["unit"])
    return pd.DataFrame(
        {
            **_common(side),
            "stated": [shown(v, u) for v, u in zip(side["stated"], units)],
            "reached": [shown(v, u) for v, u in zip(side["current"], units)],
            "plan": [shown(v, u) for v, u in zip(side["recommended"], units)],
            "unit": units,
        },
        columns=STATED_COLUMNS,
    )


def unmet(side: pd.DataFrame) -> list[bool]:
    """Stated targets today's other targets make impossible (reached is not stated)."""
    gap = (side["current"] - side["stated"]).abs()
    return list(gap > 1e-6 * side["stated"].abs().clip(lower=1))


def implied_table(side: pd.DataFrame) -> pd.DataFrame:
    """Everything today's targets imply, against the plan."""
    units = list(side["unit"])
    return pd.DataFrame(
        {
            **_common(side),
            "today": [shown(v, u) for v, u in zip(side["current"], units)],
            "plan": [shown(v, u) for v, u in zip(side["recommended"], units)],
            "difference": [
                shown(_noise_free(d, a, b), u)
                for d, a, b, u in zip(
                    side["difference"], side["current"], side["recommended"], units
                )
            ],
            "unit": units,
        },
        columns=IMPLIED_COLUMNS,
    )


def _noise_free(difference: float, today: float, plan: float) -> float:
    """A difference that is the arithmetic's rounding noise ('7.11e−15 days') is 0."""
    scale = max(1.0, abs(today or 0.0), abs(plan or 0.0))
    return 0.0 if difference == difference and abs(difference) < 1e-9 * scale else difference


def money_table(finance: dict) -> pd.DataFrame:
    """Money over the horizon, today and in the plan; a goal met or not in words."""
    now, rec = finance["current"], finance.get("recommended") or {}

    def cell(value) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        return "" if value is None else labels.money(value)

    return pd.DataFrame(
        {
            "item": [labels.metric_label(k) for k in now],
            "today": [cell(v) for v in now.values()],
            "plan": [cell(rec.get(k)) for k in now],
        }
    )


def right_changes(right: TodayRight) -> list[tuple[str, Change]]:
    """The changes the answer's sentences state, each with what it is for (``POSSIBLE`` or
    ``BEST``): those that make today's targets possible, when found, then those that would
    also make them the best plan, when found (only what differs from the first)."""
    possible, best = right.possible, right.best
    if not possible.feasible:
        return []
    out = [(POSSIBLE, c) for c in possible.changes]
    if best is not None and best.feasible and not (right.best_gap and right.best_gap.closed):
        before = possible.values()
        out += [
            (BEST, c) for c in best.changes if c.path not in before or c.proposed != before[c.path]
        ]
    return out


def _with_unit(value: float, unit: str) -> str:
    """'9.51 hours a day', '$3,516 a deal', '0.91 %': a value as a leader reads it."""
    if is_share(unit):
        return labels.percent(value, digits=2)
    if str(unit).startswith("$"):
        tail = labels.unit_words(unit)[1:].strip()
        text = labels.money(value, cents=abs(value) < 100 and value != round(value))
        return f"{text} {tail}".rstrip()
    words = labels.unit_words(unit)
    if value == 1:  # '1 conversation a lead', '1 person'
        head, _, rest = words.partition(" ")
        head = "person" if head == "people" else head.removesuffix("s")
        words = f"{head} {rest}"
    return f"{labels.number(value, 4)} {words}".rstrip()


def right_table(right: TodayRight) -> pd.DataFrame:
    """The changes the sentences state, one row each: the input's label, today's value and
    what it would have to be (rounded so it is enough), and what it is for."""
    rows = right_changes(right)
    label = [c.words[:1].upper() + c.words[1:] for _, c in rows]
    return pd.DataFrame(
        {
            "input": label,
            "today": [_with_unit(enough(c.current, c.unit, c.proposed < c.current), c.unit)
                      for _, c in rows],
            "would have to be": [_with_unit(enough(c.proposed, c.unit, c.proposed > c.current),
                                            c.unit) for _, c in rows],
            "for": [stage for stage, _ in rows],
        },
        columns=RIGHT_COLUMNS,
    )  # fmt: skip
