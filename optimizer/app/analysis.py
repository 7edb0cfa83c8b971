"""What the page shows about one scenario and objective: the plan first, the rest on demand.

``analyse`` solves the plan (shadow prices, ranging, marginal values) and diagnoses a
scenario that has no plan. ``compare_today`` evaluates today's targets against the plan;
it costs more than the plan (a staged solve of today's targets), so the page asks for it
only where it is shown. A scenario without today's targets has no comparison, with the
reason. ``explain_plan`` values each input's natural step and each headcount, on request
(1 to 6 s on the bundled scenarios); ``explain_band`` re-solves only the service band's
story (each other band held every month, one more agent), with its own time limit: the
full explanation reaches it last and may spend its budget before. ``today_right`` says
what would make today's targets right and ``ask_why_not`` why the plan leaves out an option
the leader names (``optimizer.analysis.whynot``; seconds each, on request; both asked under
the scenario's own objective, as the command line asks them). The page caches each on the
scenario's JSON (and the objective, or the option asked), and runs them in a child process
(``optimizer.app.guard``): each reports its stage, which a crash names.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.analysis.answers import COMPARING, EXPLAINING, answer
from optimizer.analysis.compare import Comparison, compare
from optimizer.analysis.current import CurrentPlanError
from optimizer.analysis.diagnose import Diagnosis
from optimizer.analysis.explain import BUDGET_SECONDS, Explanation, explain
from optimizer.analysis.result import Plan
from optimizer.analysis.whatif import WhatIf
from optimizer.analysis.whynot import BUDGET_SECONDS as WHY_SECONDS
from optimizer.analysis.whynot import TodayRight, WhyNot, today_right, why_not
from optimizer.model.chain.objectives import NoCurrentTargets
from optimizer.runtime.deadline import Deadline
from optimizer.runtime.isolation import stage
from optimizer.scenario.schema import Scenario


@dataclass(frozen=True)
class Analysis:
    scenario: Scenario
    plan: Plan
    diagnosis: Diagnosis | None  # only when no plan meets every limit and goal


ANSWER_SECONDS = 60.0
"""The page's time limit for the plan and the diagnosis of no plan together; what it cuts
short is said in the notes (the child process is stopped only at the guard's wall limit)."""


def analyse(scenario: Scenario, objective: str | None = None) -> Analysis:
    found = answer(scenario, objective, time_limit=Deadline(ANSWER_SECONDS))
    return Analysis(scenario, found.plan, found.diagnosis)


EXPLAIN_SECONDS = BUDGET_SECONDS
"""The explanation's time limit: steps it has no time for are listed as not valued."""


def explain_plan(scenario: Scenario, plan: Plan, objective: str | None = None) -> Explanation:
    """What moves the plan (``optimizer.analysis.explain``): steps, headcounts, the quality floor."""
    stage(EXPLAINING)
    return explain(scenario, plan, objective, deadline=Deadline(EXPLAIN_SECONDS))


BAND_SECONDS = 60.0
"""The band story's own time limit (a few re-solves: seconds on the bundled scenarios)."""
EXPLAINING_BAND = "the re-solves of the service band"


def explain_band(scenario: Scenario, plan: Plan, objective: str | None = None) -> dict | None:
    """Why the banded line runs at its bands (``optimizer.analysis.explain.bands``), or None
    without a banded line: each other band held every month and one more agent, re-solved."""
    from optimizer.analysis.explain.bands import service_band

    stage(EXPLAINING_BAND)
    return service_band(scenario, plan, objective or plan.objective_name, Deadline(BAND_SECONDS))


def compare_today(
    scenario: Scenario, objective: str | None = None
) -> tuple[Comparison | None, str]:
    """Today's targets against the plan, or None and why there is nothing to compare."""
    stage(COMPARING)
    try:
        return compare(scenario, objective), ""
    except NoCurrentTargets:
        return (
            None,
            "The scenario states no targets for today (current_targets): nothing to compare.",
        )
    except CurrentPlanError as exc:
        return None, f"Today's targets could not be evaluated: {exc}"


RIGHTING = "the search for what would make today's targets right"
ASKING_WHY_NOT = "the re-solves of why not this option"
RIGHT_SECONDS = WHY_SECONDS
"""The time limit of each why-not answer (``whynot.BUDGET_SECONDS``): what it leaves undone
is said in its notes; 7 s for the seed company's today's targets."""


def make_right(scenario: Scenario) -> TodayRight:
    """What would make today's targets right (``optimizer.analysis.whynot.today_right``):
    the smallest change of the inputs that makes them possible, then the best plan with
    today's people. ``NoCurrentTargets`` when the scenario states none."""
    stage(RIGHTING)
    return today_right(scenario, time_limit=RIGHT_SECONDS)


def ask_why_not(scenario: Scenario, asked: list[str]) -> WhyNot:
    """Why not the option ``asked`` (``optimizer.analysis.whynot.why_not``: specs such as
    ``reps[2027-01,field]=4``, ``paid_leads[2027-01,search:2]>=1``); ``ValueError`` for a
    spec it cannot read, ``KeyError`` for a name the plan lacks."""
    stage(ASKING_WHY_NOT)
    return why_not(scenario, list(asked), time_limit=RIGHT_SECONDS)


RANGING = "the re-solves of how far each price can move"


def price_ranges(scenario: Scenario, objective: str | None = None) -> list:
    """How far each price can move before the plan's decisions change, with the plan's
    people (``optimizer.analysis.holding.holding_ranges``); [] without a plan."""
    from optimizer.analysis.holding import holding_ranges
    from optimizer.analysis.patterns import Patterns
    from optimizer.analysis.solve import solve

    stage(RANGING)
    objective = objective or scenario.objective
    plan = solve(scenario, objective, marginals=False, whole_steps=False)
    if not plan.solved:
        return []
    return holding_ranges(plan, Patterns(scenario, objective))


def held_model(
    scenario: Scenario, objective: str | None = None, hold_people: bool = False
) -> WhatIf:
    """The scenario's model held in HiGHS, for what-ifs and sweeps (``optimizer.analysis.whatif``).

    ``hold_people`` keeps the plan's headcounts in every what-if (the short-term question).
    """
    return WhatIf(scenario, objective, hold_headcounts=hold_people)


def plan_at(held: WhatIf, path: str, value: float) -> Plan:
    """The plan with one input moved, re-solved in the held model (ScenarioError if invalid).

    Without marginal values or whole-person re-solves: the page shows what changed.
    """
    return held.resolve({path: value}).plan()
