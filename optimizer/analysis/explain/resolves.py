"""One re-solve for the explanation: how long it may take, and the money it gains.

Every figure of the explanation compares a re-solved plan with the plan explained. The
change is money gained, the objective's sense folded in:

    gain = objective' - objective      (maximising)
    gain = objective - objective'      (minimising)

and a change within TOL x max(1, |objective|) is no change (solver rounding). A re-solve
may take ``RESOLVE_SECONDS``, or less when the explanation's budget ends first; one that
stops at its limit values nothing, and says so.
"""

from __future__ import annotations

from optimizer.analysis.result import Plan
from optimizer.runtime.deadline import Deadline

RESOLVE_SECONDS = 10.0
"""The most one re-solve may take: a step whose whole-number re-solve runs longer (a far
harder model, for example every conversation forced long) is not valued, and says so."""
TOL = 1e-6
"""Money below TOL x max(1, |objective|) is no change (solver rounding)."""


def resolve_seconds(deadline: Deadline) -> float:
    """Seconds one re-solve may take: ``RESOLVE_SECONDS``, or less when the budget ends first."""
    return deadline.capped(RESOLVE_SECONDS)


def ran_out(result) -> bool:
    return result.status.value == "time_limit"


def gain_of(plan: Plan, objective: float | None) -> float | None:
    """The objective's change from the plan's, as money gained (its sense folded in)."""
    if objective is None or plan.objective is None:
        return None
    change = objective - plan.objective
    change = change if plan.objective_sense == "max" else -change
    return 0.0 if abs(change) <= TOL * max(1.0, abs(plan.objective)) else change
