"""The answer: the product's own result objects, with pandas tables inside."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from optimizer.solvers import Status

BINDING_TOL = 1e-6
"""A limit binds when its slack is at most BINDING_TOL * max(1, |limit|)."""

OPTIMAL_GAP = 1e-6
"""A whole-number plan is called optimal only when the solver proved it within this
relative gap of the best possible; above it the plan is ``feasible``, with its gap."""

VERIFY_TOL = 1e-6
"""A plan passes the independent check when no constraint is violated by more than
VERIFY_TOL * max(1, |limit|)."""


@dataclass(frozen=True)
class Verification:
    """The independent check of a plan against the scenario's constraints."""

    ok: bool
    max_violation: float
    worst: str = ""
    checked: int = 0
    violations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """One solved (or unsolved) scenario.

    ``constraints`` has one row per named constraint with activity, limit, slack,
    binding, shadow_price (objective change per unit increase of the limit, in the
    objective's own sense), allowable_increase/decrease and the input's path.
    ``parameters`` has the marginal value of every numeric scenario input.
    """

    scenario: str
    source: str
    objective_name: str
    objective_sense: str
    objective_unit: str
    status: Status
    solver_status: str
    objective: float | None
    verified: Verification
    targets: pd.DataFrame
    constraints: pd.DataFrame
    parameters: pd.DataFrame
    variables: pd.DataFrame
    overrides: tuple[str, ...] = ()
    mip_gap: float | None = None
    times: dict[str, float] = field(default_factory=dict)
    message: str = ""
    backend: str = "highs"
    notes: tuple[str, ...] = ()  # what was left out and why (large models)

    @property
    def solved(self) -> bool:
        """True for a plan that passed the independent check and is optimal, or feasible
        within the gap the caller asked for (``message`` says how close)."""
        return self.status in (Status.OPTIMAL, Status.FEASIBLE) and self.verified.ok

    def binding(self) -> pd.DataFrame:
        """Binding limits and goals (in whole people too), the most valuable first."""
        c = self.constraints
        if c.empty:
            return c
        b = c[c["binding"] | c["binds_in_whole_people"].astype(bool)].copy()
        return b.reindex(b["shadow_price"].abs().sort_values(ascending=False).index)

    def target(self, metric: str, period: str | None = None, role: str | None = None) -> float:
        """One target's value, e.g. ``plan.target("calls_per_rep_per_day", role="field")``."""
        t = self.targets[self.targets["metric"] == metric]
        if period is not None:
            t = t[t["period"] == period]
        if role is not None:
            t = t[t["role"] == role]
        if len(t) != 1:
            raise KeyError(f"{len(t)} targets match {metric!r} {period!r} {role!r}")
        return float(t["value"].iloc[0])

    def constraint(self, name: str) -> pd.Series:
        rows = self.constraints[self.constraints["name"] == name]
        if len(rows) != 1:
            raise KeyError(f"no constraint named {name!r}")
        return rows.iloc[0]

    def parameter(self, path: str) -> pd.Series:
        rows = self.parameters[self.parameters["path"] == path]
        if len(rows) != 1:
            raise KeyError(f"no parameter {path!r}")
        return rows.iloc[0]
