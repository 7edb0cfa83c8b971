"""The answer: the product's own result objects, with pandas tables inside."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimizer.scenario import labels
from optimizer.solvers import Status

BINDING_TOL = 1e-6
"""A limit binds when its slack is at most BINDING_TOL * max(1, |limit|)."""

OPTIMAL_GAP = 1e-6
"""A whole-number plan is called optimal only when the solver proved it within this
relative gap of the best possible; above it (a looser gap from the default policy by
model size, ``optimizer.solvers.GAP_POLICY``, or ``--mip-gap``), or when a time limit
stopped the search with a plan in hand, the plan is ``feasible``, with its proven gap and
the solver's best bound (``mip_gap``, ``mip_bound``)."""

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

    Beside the solver's columns, every constraint gets the leader's words
    (``describe_constraints``): ``label``, ``row_kind`` (one of ``labels.KINDS``; ``kind``
    keeps the model's limit/goal/definition), ``held_at_zero``, and the value of one
    natural step (``step``, ``step_words``, ``step_value``); every parameter a ``label``.
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
    mip_bound: float | None = None  # the solver's best bound on the objective (a MILP)
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
        """Binding limits and goals (in whole people too), the most valuable first.

        Identities are never listed. "Most valuable" is the money of one natural step of
        the limit (``step_value``), so limits of different units rank on one scale."""
        c = self.constraints
        if c.empty:
            return c
        b = c[c["binding"] | c["binds_in_whole_people"].astype(bool)]
        if "row_kind" in b:
            b = b[b["row_kind"] != "identity"]
        b = b.copy()
        key = b["step_value"] if "step_value" in b else b["shadow_price"].abs()
        return b.reindex(key.fillna(-1.0).sort_values(ascending=False, kind="stable").index)

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


def describe(constraints: pd.DataFrame, parameters: pd.DataFrame, sense: str = "max") -> None:
    """The leader's words beside the numbers, added in place when a plan is assembled: the
    constraints' labels, kinds and steps (``describe_constraints``) and the inputs' labels.
    ``sense`` is the objective's ("max" or "min"): it says which way a limit relaxes."""
    describe_constraints(constraints, parameters, sense)
    if "path" in parameters and "label" not in parameters:
        values = parameters["value"] if "value" in parameters else None
        parameters["label"] = labels.input_labels(parameters["path"], values)


def describe_constraints(
    c: pd.DataFrame, parameters: pd.DataFrame | None = None, sense: str = "max"
) -> None:
    """Add the leader's columns to a constraint table, in place (once).

    - ``label``: "Selling time, field team, Jan 2027" (``labels.row_label``);
    - ``row_kind``: capacity, budget, market, policy, goal or identity (``labels.KINDS``);
    - ``held_at_zero``: a limit at zero against a limit of zero that is worth nothing (a
      quality floor the plan meets by itself): not binding, and ``binding`` says so;
    - ``step``, ``step_words``, ``step_value``: one natural step of the limit in its unit
      and its money, |shadow price| x the step, never past the allowable range the way
      the limit relaxes; one whole person more (or fewer, for a floor) where that was
      re-solved;
    - ``relax_words``: the step the way the limit relaxes, as ``step_value`` prices it
      ("one person fewer", "100 leads a month more", "the first 84.6 conversations a month
      more" where the range cuts the step).
    """
    if c.empty or "label" in c or not {"name", "family", "kind"} <= set(c.columns):
        return
    words = c["description"] if "description" in c else None
    label, kind = labels.constraint_words(c["name"], c["family"], c["kind"], words)
    c["label"] = label
    c["row_kind"] = kind
    identity = (c["row_kind"] == "identity").to_numpy() & c["binding"].to_numpy(dtype=bool)
    if identity.any():  # an identity holds; it never binds (on time with no lead time)
        c.loc[identity, "binding"] = False
    price = c["shadow_price"].to_numpy(dtype=float)
    zero = (
        (c["activity"].abs().to_numpy() <= 1e-9)
        & (c["limit"].abs().to_numpy() <= 1e-9)
        & ~(np.abs(np.nan_to_num(price)) > 1e-9)
    )
    # a ramp-up with no one ramping (a shortfall of 0 the plan meets at 0) does not bind
    ramp = c["family"].str.endswith("_ramp").to_numpy() & (c["limit"].abs().to_numpy() <= 1e-9)
    held = (zero | ramp) & c["binding"].to_numpy(dtype=bool)
    c["held_at_zero"] = held
    if held.any():
        c.loc[held, "binding"] = False
    days, by_month = 20.0, {}  # one hour a day of a month's time: that month's business days
    if parameters is not None and "path" in parameters and len(parameters):
        for path, value in zip(parameters["path"].tolist(), parameters["value"].tolist()):
            whole, month = labels.split_month(str(path))
            if whole == "calendar.business_days_per_month":
                if month is None:
                    days = float(value)
                else:
                    by_month[month] = float(value)
    periods = c["period"].tolist() if by_month and "period" in c else [None] * len(c)
    days = next(iter(by_month.values())) if by_month else days  # a row of no month: the first
    steps = [
        labels.limit_step(u, by_month.get(p, days) if by_month else days)
        for u, p in zip(c["unit"].tolist(), periods)
    ]
    size = np.array([s for s, _ in steps], dtype=float)
    c["step"] = size
    c["step_words"] = [w for _, w in steps]
    c["step_value"] = _step_values(c, size, price, sense)
    c["relax_words"] = _relax_words(c, size, price, sense)


def helps_to_raise(price, sense: str):
    """True where raising the limit helps the objective: a price (objective change per unit
    increase) above 0 when maximising, below 0 when minimising (a cost that falls)."""
    return np.asarray(price) >= 0 if sense == "max" else np.asarray(price) <= 0


def _step_values(
    c: pd.DataFrame, size: np.ndarray, price: np.ndarray, sense: str = "max"
) -> np.ndarray:
    """|price| x the step, the step cut to the range the limit can relax by, in the
    direction that helps the objective (``helps_to_raise``: up, or down for a floor that
    costs); a whole person's re-solved value where there is one."""
    if "allowable_increase" in c:
        up = c["allowable_increase"].to_numpy(dtype=float)
        down = c["allowable_decrease"].to_numpy(dtype=float)
        room = np.where(helps_to_raise(price, sense), up, down)
        room = np.where(np.isnan(room), np.inf, room)
        room = np.where(room <= 1e-9, size, room)  # degenerate: the re-solved rate, one step
    else:
        room = np.full(len(c), np.inf)
    value = np.abs(price) * np.minimum(size, room)
    up, relaxed = _whole_relaxing(c, sense)
    value = np.where(np.isfinite(relaxed), np.abs(np.nan_to_num(relaxed)), value)
    value = np.where(np.isinf(price), np.inf, value)
    return np.where(c["row_kind"].to_numpy() == "identity", math.nan, value)


def _whole_relaxing(c: pd.DataFrame, sense: str) -> tuple[np.ndarray, np.ndarray]:
    """(one more person relaxes it, the objective change of the whole person that relaxes
    it) for each headcount limit re-solved in whole people; NaN where none was. One more
    person relaxes a limit unless it is a cost (a floor); a floor relaxes by one fewer,
    which is worth at least nothing (the plan could keep the person)."""
    n = len(c)
    more = c["whole_step_value"].to_numpy(dtype=float) if "whole_step_value" in c else None
    fewer = c["whole_fewer_value"].to_numpy(dtype=float) if "whole_fewer_value" in c else None
    if more is None:
        return np.ones(n, bool), np.full(n, np.nan)
    people = (c["unit"] == "people").to_numpy()
    better = 1.0 if sense == "max" else -1.0
    costs = np.isfinite(more) & (better * np.nan_to_num(more) < 0)
    fewer = np.full(n, np.nan) if fewer is None else fewer
    up = ~(costs & np.isfinite(fewer))
    relaxed = np.where(up, np.where(costs, np.nan, more), np.maximum(better * fewer, 0.0))
    return up, np.where(people, relaxed, np.nan)


def _relax_words(c: pd.DataFrame, size: np.ndarray, price: np.ndarray, sense: str) -> list:
    """The step ``step_value`` prices, in the way the limit relaxes (see
    ``describe_constraints``)."""
    up_whole, relaxed = _whole_relaxing(c, sense)
    whole = np.isfinite(relaxed)
    up = np.where(whole, up_whole, helps_to_raise(np.nan_to_num(price), sense))
    value = c["step_value"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        room = np.where(whole, size, value / np.abs(price))
    words = []
    for w, unit, s, r, u in zip(c["step_words"], c["unit"], size, room, up):
        if not isinstance(w, str):
            words.append(w)
            continue
        if np.isfinite(r) and 1e-9 < r < s - 1e-9 * max(1.0, s):  # the range cuts the step
            w = "the first " + labels.amount(float(r), str(unit))
        words.append(labels.relax_words(w, bool(u)))
    return words
