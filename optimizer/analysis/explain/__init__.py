"""What moves the plan: the value of each input's natural step, why each headcount is what
it is, and what the quality floor costs. Every figure is money in the objective's unit.

The parts, each its own module:

- ``steps``: each numeric input moved by its natural step in the direction that helps,
  valued with the plan's people held (by the rate where it provably holds, else
  re-solved, warm) and, in the full explanation, with hiring free (re-solved); ``ranking``
  orders the inputs by the people-held value (a headcount limit's by the hiring-free one);
- ``headcounts``: each role forced one person up and one down in every month, re-solved:
  the person's margin and pay;
- ``quality_floor``: the floor lowered to the tier below and raised to each tier above;
- ``unpriced``: binding limits worth nothing, and what a step of their input moves;
- ``resolves``: one re-solve's time limit and the money it gains against the plan.

``explain`` runs them within a time budget (``BUDGET_SECONDS`` by default, the command
line's and the app's); above ``solve.DETAIL_LIMIT`` variables only rates are given.

Two depths (``Explanation.depth``). The full one (``full=True``: the API's default, the
app's, ``solve --hiring-free``) is all of the above. The people-held one (``full=False``:
the command line's default answer) values every step with the plan's people held and
re-solves the whole-number model only for the steps of headcount limits: the rest costs
one whole-number re-solve per input (about 60 to 90 on the bundled scenarios), which no
default answer can afford (issue 14). Its ranking is the full one's: ``value`` does not
depend on the depth.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field

from optimizer.analysis.entering import entering
from optimizer.analysis.explain.headcounts import (
    ORDINAL,
    HeadcountChoice,
    headcount_choices,
    roles,
)
from optimizer.analysis.explain.quality_floor import QUALITY_FLOOR, quality_floor
from optimizer.analysis.explain.resolves import RESOLVE_SECONDS, TOL
from optimizer.analysis.explain.steps import (
    HIRING_FREE,
    LOWER_HELPS,
    PEOPLE_HELD,
    StepValue,
    ranking,
    step_values,
)
from optimizer.analysis.explain.unpriced import MOVES_SHOWN, _moves, unpriced_limits
from optimizer.analysis.patterns import Patterns
from optimizer.analysis.result import Plan
from optimizer.runtime.deadline import Deadline
from optimizer.scenario.labels import signed_money
from optimizer.scenario.schema import Scenario

__all__ = [
    "BUDGET_SECONDS", "FULL", "HIRING_FREE", "LOWER_HELPS", "PEOPLE_HELD", "PEOPLE_HELD_ONLY", "MOVES_SHOWN", "ORDINAL", "QUALITY_FLOOR",
    "RESOLVE_SECONDS", "TOL", "Explanation", "HeadcountChoice", "StepValue", "_moves",
    "explain", "headcount_choices", "quality_floor", "ranking", "roles", "step_values",
    "unpriced_limits",
]  # fmt: skip

FULL = "full"
PEOPLE_HELD_ONLY = "people held"

ENTERING_SHOWN = 3
"""Unused options whose entering threshold the short version states (nearest first)."""

BUDGET_SECONDS = 60.0
"""The explanation's default time budget (the command line's and the app's), within any
--time-limit; steps not valued by then say so."""


@dataclass
class Explanation:
    steps: list[StepValue] = field(default_factory=list)
    ranking: list[str] = field(default_factory=list)
    headcounts: list[HeadcountChoice] = field(default_factory=list)
    quality_floor: dict | None = None
    unpriced: list[dict] = field(default_factory=list)  # binding limits worth nothing
    service_band: dict | None = None  # why the band, what one more agent is worth (bands.py)
    entering: list[dict] = field(default_factory=list)  # unused options: what prices them in
    entering_notes: list[str] = field(default_factory=list)  # thresholds not stated, and why
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    depth: str = FULL  # FULL, or PEOPLE_HELD_ONLY (no hiring-free re-solves but headcounts')

    def step(self, subject: str) -> StepValue:
        return next(s for s in self.steps if s.subject == subject)

    def to_json(self) -> dict:
        def clean(v):
            if isinstance(v, float):
                return v if math.isfinite(v) else None
            if isinstance(v, (list, tuple)):
                return [clean(i) for i in v]
            if isinstance(v, dict):
                return {k: clean(i) for k, i in v.items()}
            return v

        return clean({
            "steps": [asdict(s) for s in self.steps],
            "ranking": list(self.ranking),
            "headcounts": [asdict(h) for h in self.headcounts],
            "quality_floor": self.quality_floor,
            "unpriced_limits": self.unpriced,
            "service_band": self.service_band,
            "entering": list(self.entering),
            "entering_notes": list(self.entering_notes),
            "notes": list(self.notes),
            "depth": self.depth,
            "seconds": self.seconds,
        })  # fmt: skip

    def lines(self, top: int = 5) -> list[str]:
        """The leader's short version: top steps, headcount sentences, the quality floor."""
        out = []
        by_subject = {s.subject: s for s in self.steps}
        shown = 0
        for subject in self.ranking:
            s = by_subject[subject]
            if shown >= top or s.value is None or abs(s.value) < 0.5:
                break
            other = (
                f" ({signed_money(s.value_hiring_free)} with hiring free)"
                if s.basis == PEOPLE_HELD
                and s.value_people_held is not None
                and s.value_hiring_free is not None
                and round(s.value_people_held) != round(s.value_hiring_free)
                else ""
            )
            out.append(f"{s.label}, {s.step_words}: {signed_money(s.value)}{other}")
            shown += 1
        for h in self.headcounts:
            out.extend(h.sentences)
        if self.quality_floor:
            out.append(self.quality_floor["sentence"])
        out.extend(u["sentence"] for u in self.unpriced)
        if self.service_band:
            out.extend(self.service_band["sentences"])
        seen = set()
        for entry in self.entering:  # the nearest input for each of the nearest options
            if entry["variable"] not in seen and len(seen) < ENTERING_SHOWN:
                seen.add(entry["variable"])
                out.append(entry["sentence"])
        out.extend(self.notes)
        return out


from optimizer.analysis.explain.bands import service_band  # noqa: E402


def explain(
    scenario: Scenario,
    plan: Plan,
    objective: str | None = None,
    deadline=None,
    patterns: Patterns | None = None,
    full: bool = True,
) -> Explanation:
    """The explanation of a solved plan (an empty one, with a note, for no plan).

    ``patterns`` (``optimizer.analysis.patterns``) is the answer's store of built models
    and input patterns, shared with the plan's marginal values where the caller has one;
    by default the explanation has its own, shared by its held and hiring-free models.
    ``full=False`` gives the people-held explanation (see the module docstring).
    """
    from optimizer.analysis.solve import DETAIL_LIMIT
    from optimizer.analysis.whatif import WhatIf

    t0 = time.perf_counter()
    objective = objective or plan.objective_name
    deadline = Deadline.of(deadline)
    result = Explanation(depth=FULL if full else PEOPLE_HELD_ONLY)
    if not plan.solved:
        result.notes.append("no explanation: there is no checked plan")
        return result
    large = len(plan.variables) > DETAIL_LIMIT
    headcounts = {
        n: v for n, v in zip(plan.variables["name"], plan.variables["value"])
    }  # the held model takes the integer columns it needs
    if patterns is None:
        patterns = Patterns(scenario, objective)
    held = WhatIf(
        scenario, objective, hold_headcounts=True, headcounts=headcounts, patterns=patterns
    )
    free = None if large else WhatIf(scenario, objective, patterns=patterns)
    if large:
        result.notes.append(
            f"only rates: the model has {len(plan.variables):,} variables (more than "
            f"{DETAIL_LIMIT:,}); steps outside their rate's range and headcounts not re-solved"
        )
    result.steps = step_values(scenario, plan, objective, free, held, deadline,
                               rates_only=large, notes=result.notes, hiring_free=full)  # fmt: skip
    result.ranking = ranking(result.steps)
    if free is not None and full:
        result.headcounts = headcount_choices(scenario, plan, free, deadline, result.notes)
        if not deadline.expired():
            result.quality_floor = quality_floor(scenario, plan, free, held, deadline)
        else:
            result.notes.append("quality floor not re-solved: the time limit ran out")
        result.unpriced = unpriced_limits(scenario, plan, free, deadline)
    if not large and not deadline.expired():
        result.service_band = service_band(scenario, plan, objective, deadline)
    if not large and not deadline.expired():
        found, notes = entering(plan, patterns)
        result.entering = [asdict(e) for e in found]
        result.entering_notes = notes  # for programs: the leader's words state only what holds
    elif not large:  # said, so that a slow machine's shorter answer is not mistaken for none
        result.notes.append(
            "what would bring an unused option into the plan was not searched: the time "
            "limit ran out"
        )
    loose = _loose_gap_note(plan, result.steps)
    if loose:
        result.notes.append(loose)
    result.seconds = time.perf_counter() - t0
    return result


def _loose_gap_note(plan: Plan, steps: list[StepValue]) -> str:
    """What a step re-solved as a whole-number model is worth when the plan (and so each
    re-solve, at the same gap policy) is proven only within a gap looser than
    ``OPTIMAL_GAP``: a difference of two plans each within ``gap`` of its best."""
    from optimizer.analysis.result import OPTIMAL_GAP

    gap = plan.mip_gap
    if gap is None or not math.isfinite(gap) or gap <= OPTIMAL_GAP or plan.objective is None:
        return ""
    if not any(s.value_hiring_free is not None for s in steps):
        return ""
    spread = 2 * gap * max(1.0, abs(plan.objective))
    return (
        f"values re-solved with hiring free compare two plans, each proven only within "
        f"{gap:.3%} of its best: each may be off by up to {signed_money(spread).lstrip('+')}"
    )
