"""Why no plan exists: a minimal set of conflicting limits, and the cheapest repair.

The conflict set is irreducible: the limits in it cannot all hold, and dropping any one
of them makes the rest possible. When the LP relaxation is already infeasible, HiGHS
computes it (``iis_strategy`` 6; HiGHS's default strategy returned an empty set on
these models) and a deletion filter confirms it; when only whole headcounts make it
infeasible, a deletion filter over the integer model finds it.

Every solve that decides anything runs on one backend (``diagnose(..., backend="cbc")``;
default HiGHS): each feasibility question of the deletion filter, the repair model and its
polish, the bisection of the working day and the repaired plan. A backend without an IIS
(the ``iis`` capability: CBC, OR-Tools, PDLP) is handed HiGHS's IIS as a proposal only, as
CP-SAT's whole-number proposal is: the chosen backend must find the proposed limits
infeasible together (otherwise it tests every limit), and its own deletion filter then
tests each one, so every member is one the chosen backend cannot drop. The proposal
matters: an infeasible model can have several irreducible sets (the seed company with a
$10M profit target has at least two: with the delivery or with the support department),
and the filter alone, over every limit, can end at another one. The repair model is
solved with HiGHS's ``EXACT`` options on HiGHS and with its costs scaled (``COST_FLOOR``)
elsewhere. On a backend other than HiGHS the notes say which backend answered and what it
did instead of the capabilities it lacks; HiGHS's notes are as they were
(``Diagnosis.backend`` names it).

Nothing is built or solved twice (:class:`HeldDiagnosis`, ``held.py``): the scenario's
model is built once for the conflict set and the repairs, and each moved model (a lever one
step on, a working day off its straight line, a quality floor) at most once; every
feasibility question is asked of an LP and a MILP that HiGHS holds (loaded with the numbers
that differ, re-solved warm), the LP relaxation first where its "infeasible" decides; the
repaired plan is solved once, without the marginal and whole-person values nothing here
shows (``price_repaired`` asks for them). ``Diagnosis.work`` counts the builds and solves.

The cheapest repair moves the levers leadership controls (``Scenario.lever_paths``)
by the least weighted total change. Levers that only move limits (ad budget, headcount
caps, finance goals) enter one integer model together:

    min sum_k weight_k * change_k   s.t.  every limit moved by its levers' changes holds

Hours per day (a coefficient) and the quality floor (a step between conversation tiers)
are searched one at a time. The default weight of a lever is 1 / |its value|, so a
change costs its relative size: raising the budget 10 % costs as much as a 10 % longer day.
(A lever at zero is measured against a typical month's money, or one person.)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from optimizer.analysis.diagnose.conflicts import CONFLICT_COLUMNS, conflict_set
from optimizer.analysis.diagnose.held import HeldDiagnosis
from optimizer.analysis.diagnose.repairs import LOWER, WORDS, Lever, Repair, levers, repairs
from optimizer.analysis.result import Plan
from optimizer.runtime.deadline import Deadline
from optimizer.scenario.schema import Scenario
from optimizer.solvers import Backend
from optimizer.solvers import backend as solver_backend

__all__ = [
    "CONFLICT_COLUMNS",
    "LOWER",
    "WORDS",
    "Diagnosis",
    "HeldDiagnosis",
    "Lever",
    "Repair",
    "conflict_set",
    "diagnose",
    "levers",
    "repairs",
]


@dataclass(frozen=True)
class Diagnosis:
    """Why a scenario has no plan, and what would make one possible."""

    conflict: pd.DataFrame  # CONFLICT_COLUMNS: each conflicting limit, its words and input
    relaxation: str  # "lp": the limits conflict outright; "integer": only in whole people
    cheapest: Repair | None
    alternatives: list[Repair]
    repaired: Plan | None
    message: str
    notes: tuple[str, ...] = ()  # what the time limit left unfinished; on a backend other
    # than HiGHS, which backend answered and what it did instead of a missing capability
    backend: str = "highs"  # the backend every solve of the diagnosis ran on
    work: Counter = field(default_factory=Counter, compare=False)  # what it built and solved
    # (``HeldDiagnosis.work``: builds, lp, milp, held_models, iis, cpsat, repair_models,
    # repair_polish, repaired_plan), for tests and benchmarks


def diagnose(
    scenario: Scenario,
    objective: str | None = None,
    time_limit: Deadline | float | None = None,
    backend: str | Backend | None = "highs",
    price_repaired: bool = False,
) -> Diagnosis:
    """Conflict set, cheapest repair, one-lever alternatives, and the repaired plan.

    ``time_limit`` (seconds, or the ``Deadline`` of the solve that found no plan) bounds
    every solve here; what it stops is said in ``notes``, and what was found stays valid:
    a conflict set the filter did not finish still conflicts (it may not be minimal), and
    a repair the search did not finish still works (it may not be the cheapest).

    ``backend`` answers every solve (see the module docstring); without an IIS it confirms
    and filters another backend's IIS, and the notes say so.

    The scenario's model is built once (:class:`HeldDiagnosis`) and every feasibility
    question is asked of it. The repaired plan is solved once, with its shadow prices but
    without the marginal values of its inputs or the whole-person values of its limits
    (what a diagnosis shows of it is its status, objective, check and targets);
    ``price_repaired`` asks for those too, as ``solve`` gives them.
    """
    from optimizer.analysis.solve import solve
    from optimizer.runtime.isolation import stage
    from optimizer.scenario.loading import ScenarioError

    engine = solver_backend(backend)
    deadline = Deadline.of(time_limit)
    notes: list[str] = []
    if engine.name != "highs":
        notes.append(
            f"every feasibility test, repair and repaired plan of this diagnosis was solved on "
            f"{engine.name} ({engine.description})"
        )
    stage("the search for conflicting limits")
    held = HeldDiagnosis(scenario, engine)
    conflict, relaxation = conflict_set(scenario, deadline, notes, held=held)
    stage("the repair search")
    cheapest, alternatives = repairs(scenario, deadline, notes, held=held)
    repaired = None
    message = ""
    if cheapest is None:
        message = "no change to the levers makes a plan possible"
        if deadline.expired():
            message = "the time limit ran out before a repair was found"
    elif deadline.expired():
        notes.append("the repaired plan was not solved: the time limit ran out")
    else:
        stage("the repaired plan")
        detail = None if price_repaired else False  # None: as ``solve`` decides
        held.work["repaired_plan"] += 1
        try:
            repaired = solve(
                cheapest.apply(scenario),
                objective,
                time_limit=deadline,
                backend=engine,
                marginals=detail,
                whole_steps=detail,
            )
        except ScenarioError as exc:  # a repair past a bound the schema sets
            message = f"the repaired scenario is not valid: {exc.problems[0]}"
        else:
            if not repaired.solved:
                message = f"the repaired scenario did not solve: {repaired.status.value}"
    return Diagnosis(
        conflict,
        relaxation,
        cheapest,
        alternatives,
        repaired,
        message,
        tuple(notes),
        engine.name,
        held.work,
    )
