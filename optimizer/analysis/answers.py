"""The questions a leader asks, one function each: the use-case layer.

The command line, the app and the batch worker are thin callers of these; each question's
rules live here once:

- ``answer``: the plan; why there is none (``diagnose_no_plan``); a second solver's view
  (``--cross-check``); what moves it (the explanation), all within one time limit.
- ``diagnose_no_plan``: a scenario is diagnosed when, and only when, the solver proved that
  no plan meets every limit and goal (not when it ran out of time or failed), on the
  backend that solved it.
- ``compare_today``: today's targets against the recommended plan, with the diagnosis of a
  scenario that has no plan.

Each reports its stage (``optimizer.runtime.isolation.stage``) so that a crash in a child
process names what it was doing. Heavy modules are imported inside the functions: a
command imports only what it needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.runtime.deadline import Deadline
from optimizer.runtime.isolation import stage

SOLVING = "the solve"
DIAGNOSING = "the diagnosis of why there is no plan"
CROSS_CHECKING = "the cross-check with a second solver"
EXPLAINING = "the explanation of what moves the plan"
COMPARING = "the comparison with today's targets"


@dataclass
class Answer:
    """The plan, and what comes with it: the diagnosis of no plan, a cross-check, the
    explanation (each None where not asked for or not applicable)."""

    plan: object  # optimizer.analysis.result.Plan
    diagnosis: object | None = None  # optimizer.analysis.diagnose.Diagnosis
    cross_check: object | None = None  # optimizer.analysis.crosscheck.CrossCheck
    explanation: object | None = None  # optimizer.analysis.explain.Explanation

    @property
    def ok(self) -> bool:
        """A checked plan, and a cross-check (if any) that agrees."""
        return self.plan.solved and (self.cross_check is None or self.cross_check.ok)


@dataclass
class TodayAnswer:
    """Today's targets against the plan, and the diagnosis when the scenario has no plan."""

    comparison: object  # optimizer.analysis.compare.Comparison
    diagnosis: object | None = None
    right: object | None = None  # optimizer.analysis.whynot.TodayRight: what would make them right


def diagnose_no_plan(scenario, objective: str | None, plan, deadline=None):
    """The conflict set and cheapest repair when the solver proved there is no plan; None
    otherwise (a plan, a time limit, a solver error: nothing to diagnose)."""
    if plan.status.value != "infeasible":
        return None
    from optimizer.analysis.diagnose import diagnose

    stage(DIAGNOSING)
    return diagnose(scenario, objective, time_limit=deadline, backend=plan.backend)


def answer(
    scenario,
    objective: str | None = None,
    *,
    time_limit: Deadline | float | None = None,
    explain: bool | None = False,
    hiring_free: bool = True,
    explain_seconds: float | None = None,
    backends: tuple[str, str] | None = None,
    plan=None,
    **solve_options,
) -> Answer:
    """Solve ``scenario`` (or take ``plan``, already solved), diagnose no plan, cross-check
    with ``backends`` (first, second) when given, and explain a solved plan when asked,
    all within ``time_limit``. The explanation has its own budget inside the time limit,
    ``explain_seconds`` (default ``explain.BUDGET_SECONDS``); ``hiring_free=False`` asks for the
    people-held explanation (the command line's default answer: no whole-number re-solve
    per input), True for the full one. ``explain=None`` (the command line's default)
    explains a model of at most ``solve.DETAIL_LIMIT`` variables and, above that, says so
    in the explanation's notes: its steps would cost a build of the whole model per input
    (a 200-team company: 93 s after a 26 s solve)."""
    deadline = Deadline.of(time_limit)
    patterns = None
    left_out = ""
    if explain or explain is None:
        # one store of moved models and input lines for the values and the steps
        from optimizer.analysis.patterns import Patterns
        from optimizer.analysis.solve import DETAIL_LIMIT

        patterns = Patterns(scenario, objective)
        size = patterns.model.num_vars
        if explain is None and size > DETAIL_LIMIT:
            patterns, left_out = (
                None,
                (
                    f"not explained: the model has {size:,} variables (more than "
                    f"{DETAIL_LIMIT:,}), and each input's step would need a build of the whole "
                    "model; ask for it explicitly (--explain)"
                ),
            )
        explain = not left_out
    if plan is None:
        from optimizer.analysis.solve import solve

        stage(SOLVING)
        plan = solve(scenario, objective, time_limit=deadline, patterns=patterns,
                     **solve_options)  # fmt: skip
    found = Answer(plan, diagnose_no_plan(scenario, objective, plan, deadline))
    if backends is not None:
        from optimizer.analysis.crosscheck import cross_check

        stage(CROSS_CHECKING)
        found.cross_check = cross_check(
            scenario, objective, backends, time_limit=deadline.remaining(), plan_a=plan
        )
    if explain and plan.solved:
        from optimizer.analysis.explain import BUDGET_SECONDS
        from optimizer.analysis.explain import explain as run_explain

        stage(EXPLAINING)
        budget = Deadline(
            deadline.capped(BUDGET_SECONDS if explain_seconds is None else explain_seconds)
        )
        found.explanation = run_explain(
            scenario, plan, objective, deadline=budget, full=hiring_free, patterns=patterns
        )
    elif left_out and plan.solved:
        from optimizer.analysis.explain import FULL, PEOPLE_HELD_ONLY, Explanation

        found.explanation = Explanation(
            depth=FULL if hiring_free else PEOPLE_HELD_ONLY, notes=[left_out]
        )
    return found


def compare_today(
    scenario,
    objective: str | None = None,
    backend: str = "highs",
    time_limit=None,
    why: bool = False,
) -> TodayAnswer:
    """Today's targets against the recommended plan (``NoCurrentTargets`` when the scenario
    states none), with the diagnosis of a scenario that has no plan, within ``time_limit``
    (seconds or a ``Deadline``; none by default: a 120-month company without a plan took
    over 100 s to diagnose). ``why`` adds what would make today's targets right
    (``optimizer.analysis.whynot.today_right``, within its own budget)."""
    from optimizer.analysis.compare import compare

    stage(COMPARING)
    comparison = compare(scenario, objective, backend=backend)
    deadline = Deadline.of(time_limit)
    diagnosis = diagnose_no_plan(scenario, objective, comparison.plan, deadline)
    right = None
    if why and comparison.plan.solved:
        from optimizer.analysis.whynot import BUDGET_SECONDS, today_right

        stage("what would make today's targets right")
        budget = BUDGET_SECONDS if deadline.remaining() is None else deadline.remaining()
        right = today_right(scenario, time_limit=min(BUDGET_SECONDS, budget))
    return TodayAnswer(comparison, diagnosis, right)
