"""Why not my plan? What would make today's targets right, and why not a named option.

Two questions leaders ask once they have seen the plan beside today's targets:

- **What would make today's targets right?** (``today_right``) First, the smallest change
  of the inputs with which today's targets can be met exactly, every limit kept and every
  goal reached (``feasible.smallest_change``: several inputs at once, by sequential linear
  programming, each change then cut back alone and confirmed needed by a re-solve just
  short of it). Then, from there, the smallest further change that makes them the *best*
  plan with today's people: forcing them costs nothing against the best plan with the same
  people (``optimal.smallest_changes``: one input if one suffices, else a few greedy rounds;
  confirmed the same way). Either may not be found; the answer then says so and what
  forcing the targets still costs.
- **Why not this option?** (``why_not``) "Why not 8 reps?", "why no leads from social tier
  2?": the option forced (``forced.Force``: a variable or a block of them held at a value
  or at least at one), re-solved in whole people: what it costs against the plan, which
  limits would bind instead and which would stop binding, which goal it would miss, and the
  cheapest single input change that would make it part of the best plan
  (``optimal.smallest_single_change``).

Changes are weighed as the repair levers' are (``inputs``); inputs marked ``fixed`` in the
scenario's ``levers:`` never move. Every number stated is the re-solved model's.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from optimizer.analysis.whynot import feasible, forced, optimal
from optimizer.analysis.whynot.feasible import Change, Found
from optimizer.analysis.whynot.forced import Force, Question
from optimizer.analysis.whynot.optimal import Gap
from optimizer.model.chain import build_model
from optimizer.runtime.deadline import Deadline
from optimizer.scenario import labels
from optimizer.scenario.schema import Scenario

BUDGET_SECONDS = 20.0
"""The default time budget of one answer; what is left undone is said. Measured on this
machine: 7 s for the seed company's today's targets, 42 s for regional sales' unbounded."""


def change_words(change: Change) -> str:
    """'conversations per lead from 1 to 4.37 conversations a lead': the value stated is
    rounded away from today's, so it is always enough (``entering.moved_words``)."""
    from optimizer.analysis.entering import moved_words

    return moved_words(change.words, change.unit, change.current, change.proposed)


def _changes_json(found: Found | None) -> list[dict]:
    if found is None:
        return []
    return [
        {
            "path": c.path,
            "label": c.words,
            "unit": c.unit,
            "current": c.current,
            "proposed": c.proposed,
            "change": c.change,
            "cost": c.cost,
            "needed": c.needed,
            "words": change_words(c),
        }
        for c in found.changes
    ]


def _clean(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass
class TodayRight:
    """What would make today's targets right (see the module docstring)."""

    cost_today: Gap  # the best plan and today's targets' best, at today's inputs
    possible: Found  # changes that make today's targets possible (none: they already are)
    best: Found | None  # further changes that make them the best plan with today's people
    best_gap: Gap | None  # forcing them, after the changes that make them possible
    instead: list[dict] = field(default_factory=list)  # what the best plan does there
    sentences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict:
        return {
            "possible_already": self.cost_today.forced is not None,
            "possible": {
                "found": self.possible.feasible,
                "changes": _changes_json(self.possible),
                "profit_with_changes": _clean(self.possible.value),
                "notes": list(self.possible.notes),
            },
            "best": {
                "found": bool(self.best and self.best.feasible),
                "changes": _changes_json(self.best),
                "cost_of_targets_before": _clean(self.best_gap.cost if self.best_gap else None),
                "notes": list(self.best.notes) if self.best else [],
                "best_plan_instead": [
                    {k: _clean(v) for k, v in row.items()} for row in self.instead
                ],
            },
            "sentences": list(self.sentences),
            "notes": list(self.notes),
            "seconds": self.seconds,
        }


def today_right(scenario: Scenario, time_limit: float | None = BUDGET_SECONDS) -> TodayRight:
    """What would make the scenario's current targets right (see the module docstring).

    Raises ``NoCurrentTargets`` when the scenario states none."""
    from optimizer.analysis.current import evaluate
    from optimizer.model.chain import build_model
    from optimizer.model.chain.objectives import NoCurrentTargets, target_gaps

    t0 = time.perf_counter()
    deadline = Deadline.of(time_limit)
    model, v = build_model(scenario, forced.objective_of(scenario))
    if not target_gaps(scenario, v):
        raise NoCurrentTargets("current_targets: the scenario states no current target")
    question = Question("today's targets", condition=forced.today, hold_people=True)
    cost_today = optimal.gap_at(scenario, question, {})
    start = None
    if cost_today.forced is None:
        try:
            start = evaluate(scenario).x
        except Exception:  # noqa: BLE001 - the unforced plan is the start then
            start = None
    possible = feasible.smallest_change(scenario, question, start=start, deadline=deadline)
    best, best_gap = None, None
    if possible.feasible:
        best_gap = optimal.gap_at(scenario, question, possible.values())
        best = optimal.smallest_changes(scenario, question, possible.values(), deadline)
    answer = TodayRight(cost_today, possible, best, best_gap)
    if best is not None and not best.feasible and not best_gap.closed:
        answer.instead = instead(scenario, question, possible.values())
    answer.sentences = _today_sentences(answer)
    if deadline.expired():
        answer.notes.append("the time limit ran out: the search stopped where it was")
    answer.seconds = time.perf_counter() - t0
    return answer


DIFFERS = 5e-3
"""A target the best plan differs from by more than this share of it is named."""


def instead(scenario: Scenario, question: Question, values: dict[str, float]) -> list[dict]:
    """What the best plan with the forced plan's people does with each of today's targets,
    with ``values`` set: one row per stated target it does not meet (the month's mean)."""
    from dataclasses import replace as with_fields

    import numpy as np

    from optimizer.analysis import targets
    from optimizer.analysis.compare import stated_targets
    from optimizer.scenario.inputs import with_values

    moved = with_values(scenario, values)
    _, v, plain = question.model(moved, forced=False)
    people = forced.value(question.model(moved)[2]).x
    if people is None:
        return []
    lb, ub = plain.lb.copy(), plain.ub.copy()
    lb[plain.integer] = ub[plain.integer] = np.round(people[plain.integer])
    best = forced.value(with_fields(plain, lb=lb, ub=ub, integer=np.zeros_like(plain.integer)))
    if best.x is None:
        return []
    table = targets.derive(moved, {n: best.x[i] for n, i in v.index.items()}, v.months)
    out = []
    for _, row in stated_targets(scenario).iterrows():
        found = table[(table["metric"] == row["metric"]) & (table["role"] == row["role"])]
        if found.empty:
            continue
        reached = float(found["value"].mean())
        if abs(reached - row["value"]) > DIFFERS * max(1.0, abs(row["value"])):
            out.append({"metric": row["metric"], "role": row["role"], "today": float(row["value"]),
                        "best": reached, "unit": str(found["unit"].iloc[0])})  # fmt: skip
    return out


def _instead_words(rows: list[dict]) -> str:
    return labels.and_list(
        f"{labels.metric_label(r['metric']).lower()} {labels.figure(r['best'], r['unit'])} "
        f"(not {labels.figure(r['today'], r['unit'])})"
        for r in rows
    )


def _today_sentences(answer: TodayRight) -> list[str]:
    out = []
    possible, best = answer.possible, answer.best
    if answer.cost_today.forced is not None:
        out.append(
            "Today's targets are possible as they stand: met exactly, they keep every limit "
            f"and reach every goal, for a profit of {labels.money(answer.cost_today.forced)}."
        )
    elif possible.feasible:
        words = labels.and_list(change_words(c) for c in possible.changes)
        out.append(
            f"For today's targets to be met exactly, every limit kept and every goal reached, "
            f"it would take: {words} (the smallest change found; re-solved: with these, "
            f"profit is {labels.money(possible.value)}, and each change made smaller alone "
            "leaves no plan)."
        )
    else:
        out.append(
            "No change of the inputs found makes today's targets possible together with "
            "every limit and goal" + (f" ({'; '.join(possible.notes)})." if possible.notes else ".")
        )
    if possible.feasible and best is not None:
        gap = answer.best_gap
        if gap is not None and gap.closed:
            out.append("With those changes they are also the best plan with today's people.")
        elif best.feasible:
            extra = [c for c in best.changes if c.path not in possible.values()
                     or c.proposed != possible.values()[c.path]]  # fmt: skip
            words = labels.and_list(change_words(c) for c in extra) or "nothing more"
            out.append(
                f"To be the best plan with today's people, not only a possible one, it would "
                f"also take: {words} (re-solved: forcing the targets then costs nothing)."
            )
        elif gap is not None and gap.cost is not None:
            instead_of = (
                f": it would have {_instead_words(answer.instead)}" if answer.instead else ""
            )
            out.append(
                f"Even then they are not the best plan with today's people: the best plan "
                f"with the same people earns {labels.money(gap.cost)} more{instead_of}. No "
                "change of one input at a time found makes today's targets best; it would "
                "take several facts changing together."
            )
    return out


@dataclass
class WhyNot:
    """Why not the named option (see the module docstring)."""

    asked: list[str]
    gap: Gap
    start_binding: dict[str, str] = field(default_factory=dict)  # row name -> words
    stop_binding: dict[str, str] = field(default_factory=dict)
    goals_missed: list[tuple[str, float, float]] = field(default_factory=list)
    possible: Found | None = None  # when the option leaves no plan: what would allow it
    best: optimal.Optimal | None = None
    sentences: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict:
        best = self.best.change if self.best is not None else None
        return {
            "asked": list(self.asked),
            "best_plan": _clean(self.gap.free),
            "with_it": _clean(self.gap.forced),
            "cost": _clean(self.gap.cost),
            "limits_that_would_bind": [
                {"name": k, "label": w} for k, w in self.start_binding.items()
            ],
            "limits_that_would_stop_binding": [
                {"name": k, "label": w} for k, w in self.stop_binding.items()
            ],
            "goals_missed": [
                {"label": w, "reached": r, "goal": g} for w, r, g in self.goals_missed
            ],
            "possible_with": _changes_json(self.possible),
            "best_with": _changes_json(Found(changes=[best])) if best is not None else [],
            "sentences": list(self.sentences),
            "seconds": self.seconds,
        }


def why_not(
    scenario: Scenario, asked: list[str], time_limit: float | None = BUDGET_SECONDS
) -> WhyNot:
    """Why not the option ``asked`` (``Force`` specs such as ``reps=8``)?"""
    t0 = time.perf_counter()
    deadline = Deadline.of(time_limit)
    forces = [Force.parse(text) for text in asked]
    named = forced.named(forces, scenario)  # raises KeyError for a name the plan lacks
    plain_model, _ = build_model(scenario, forced.objective_of(scenario))
    question = Question(labels.and_list(f.words(plain_model) for f in forces), bounds=named)
    gap = optimal.gap_at(scenario, question, {})
    answer = WhyNot(asked=list(asked), gap=gap)
    model, _, free_arrays = question.model(scenario, forced=False)
    forced_arrays = question.model(scenario)[2]
    base = forced.value(free_arrays)
    was = forced.binding(model, free_arrays, base.x) if base.x is not None else {}
    if gap.forced is not None:
        solved = forced.value(forced_arrays)
        now = forced.binding(model, forced_arrays, solved.x)
        answer.start_binding = {k: w for k, w in now.items() if k not in was}
        answer.stop_binding = {k: w for k, w in was.items() if k not in now}
        answer.best = optimal.smallest_single_change(scenario, question, {}, deadline)
    else:
        lifted = forced.value(forced.without_goals(model, forced_arrays))
        if lifted.x is not None:
            answer.goals_missed = forced.goal_shortfalls(model, forced_arrays, lifted.x)
            now = forced.binding(model, forced_arrays, lifted.x)
            answer.start_binding = {k: w for k, w in now.items() if k not in was}
            answer.stop_binding = {k: w for k, w in was.items() if k not in now}
        answer.possible = feasible.smallest_change(scenario, question, deadline=deadline)
    answer.sentences = _why_not_sentences(answer, question.words, free_arrays.sense)
    answer.seconds = time.perf_counter() - t0
    return answer


def _money(value: float) -> str:
    return labels.money(value, cents=abs(value) < 100 and value != round(value))


def _why_not_sentences(answer: WhyNot, words: str, sense: str = "max") -> list[str]:
    out = []
    gap = answer.gap
    if gap.forced is not None:
        if gap.closed:
            out.append(
                f"With {words} the plan is as good as the best: it is one of the best plans."
            )
        elif sense == "max":
            out.append(
                f"With {words} the best plan earns {_money(gap.forced)}, "
                f"{_money(gap.cost)} less than the plan ({_money(gap.free)})."
            )
        else:  # a min objective: the gap is what forcing it adds to the cost
            out.append(
                f"With {words} the cheapest plan costs {_money(-gap.forced)}, "
                f"{_money(gap.cost)} more than the plan ({_money(-gap.free)})."
            )
    elif answer.goals_missed:
        missed = "; ".join(
            f"{w}: {labels.money(r)} against {labels.money(g)}" for w, r, g in answer.goals_missed
        )
        out.append(f"With {words} no plan reaches every goal ({missed}).")
    else:
        out.append(f"With {words} no plan keeps every limit.")
    if answer.start_binding:
        out.append(
            "Limits that would bind instead: "
            + labels.and_list(answer.start_binding.values())
            + "."
        )
    if answer.stop_binding:
        out.append(
            "Limits that would stop binding: " + labels.and_list(answer.stop_binding.values()) + "."
        )
    best = answer.best.change if answer.best is not None else None
    if best is not None:
        out.append(
            f"It would be part of the best plan if {change_words(best)} (re-solved; just short "
            "of that it is not)."
        )
    elif answer.best is not None and not gap.closed:
        out.append(
            "No change of one input (up to 20 times its size) makes it part of the best plan."
        )
    if answer.possible is not None:
        if answer.possible.feasible:
            out.append(
                "It would be possible with every goal reached if "
                + labels.and_list(change_words(c) for c in answer.possible.changes)
                + " (re-solved)."
            )
        else:
            out.append("No change of the inputs found makes it possible with every goal reached.")
    return out


__all__ = ["TodayRight", "WhyNot", "change_words", "today_right", "why_not"]
