"""How likely the plan is: its month under drawn inputs (``uncertainty:`` in a scenario).

``risk(scenario)`` solves the plan, holds what it commits before the month (people; ads
when asked), draws the uncertain inputs (``draws``) and re-solves the rest for each draw
(``recourse``), then summarises (``summary``): the probability of meeting each goal, the
P10/P50/P90 of profit, cash and each target, and which inputs drive the spread.
"""

from __future__ import annotations

from optimizer.analysis.risk.draws import Drawn, draw
from optimizer.analysis.risk.recourse import Outcomes, Recourse
from optimizer.analysis.risk.summary import Risk, summarise

__all__ = ["Drawn", "Outcomes", "Recourse", "Risk", "draw", "held_plan", "risk"]


def risk(
    scenario, *, draws: int | None = None, seed: int | None = None, plan=None, progress=None
) -> Risk:
    """The odds of the scenario's plan (or of ``plan``, a solved plan of it) over ``draws``
    draws with ``seed`` (the scenario's ``uncertainty`` by default)."""
    from optimizer.analysis.solve import solve

    if scenario.uncertainty is None:
        raise ValueError("the scenario has no uncertainty: section (ranges on its inputs)")
    if plan is None:
        plan = solve(scenario, marginals=False, whole_steps=False)
    if not plan.solved:
        raise ValueError(f"the scenario has no plan to hold: {plan.message or plan.status}")
    drawn = draw(scenario, draws, seed)
    recourse = held_plan(scenario, plan)
    out = recourse.run(drawn, progress=progress)
    return summarise(scenario, plan, recourse, out)


def held_plan(scenario, plan) -> Recourse:
    """The recourse of ``plan`` (a solved plan of ``scenario``): its people held, and its paid
    leads too when the scenario's ``uncertainty.hold`` says ``ads``."""
    values = dict(zip(plan.variables["name"], plan.variables["value"]))
    hold = tuple(scenario.uncertainty.hold) if scenario.uncertainty else ("people",)
    return Recourse(scenario, values, hold=hold, plan_values=values)
