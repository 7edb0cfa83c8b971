"""The epsilon limits of the trade-off curves, each stated once: its row and its measure.

Each limit that the model does not have is added to the built model through its own API
(``LinearModel.add_vars`` / ``add_rows``, department ``tradeoff``), and each has a
``measure`` that recomputes the same quantity from a plan's values (``x``), so a point is
checked against its epsilon independently of the solver. T months, s team, k conversation
tier, r role; "people" are every role's employed headcount, as the plan's ``headcount``
target counts them (reps of each team, marketers, delivery workers, support agents and each
live channel's agents).

long_share   sum_{t,s,k long} conv[t,s,k] >= eps x sum_{t,s,k} conv[t,s,k]
             over the whole horizon, every team together; long = tiers of at least
             ``long_minutes`` minutes
headcount    sum_r people_r[t] <= eps                     for every month t
disruption   sum_r sum_{t>1} |people_r[t] - people_r[t-1]| <= eps   (each team's reps a
             series of their own); |d| is u >= d and u >= -d with u >= 0, so the row
             sum u <= eps holds exactly when the changes add up to at most eps
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from optimizer.analysis.ties.extension import series
from optimizer.model.chain.common import Vars
from optimizer.model.linear import LinearModel
from optimizer.scenario.schema import Scenario

DEPT = "tradeoff"


def people(scenario: Scenario, v: Vars) -> dict[str, np.ndarray]:
    """Each role's employed-headcount columns (month first), as the ``headcount`` target
    counts them (``optimizer.analysis.targets``)."""
    roles = ["reps", "marketers", "workers", "agents"]
    if scenario.support is not None:
        roles += [f"{c.name}_agents" for c in scenario.support.live_channels]
    return {role: np.asarray(v[role]) for role in roles if role in v}


def long_tiers(scenario: Scenario, long_minutes: float) -> np.ndarray:
    """Which conversation tiers are long: at least ``long_minutes`` minutes."""
    return np.array([t.minutes >= long_minutes for t in scenario.sales.conversation_tiers])


def default_long_minutes(scenario: Scenario) -> float:
    """Long by default: the longest tier."""
    return max(t.minutes for t in scenario.sales.conversation_tiers)


# ---- long share ---------------------------------------------------------------------------


def add_long_share(
    model: LinearModel, v: Vars, scenario: Scenario, eps: float, long_minutes: float
) -> None:
    """long conversations >= eps x all conversations, over the horizon, all teams together."""
    conv = np.asarray(v["conversations"])  # (month, team, tier)
    model.add_rows(
        "long_share",
        department=DEPT,
        description=(
            f"At least {eps:.4g} of all conversations over the horizon last {long_minutes:g} "
            "minutes or more (the trade-off curve's limit)."
        ),
        axes=[],
        lhs=[(1.0, conv[..., long_tiers(scenario, long_minutes)])],
        sense=">=",
        rhs_terms=[(eps, conv)],
        unit="conversations",
    )


def long_share(x: np.ndarray, v: Vars, scenario: Scenario, long_minutes: float) -> float:
    """The plan's share of conversations at long tiers, over the horizon (0 without any)."""
    conv = x[np.asarray(v["conversations"])]
    total = float(conv.sum())
    if total <= 0:
        return 0.0
    return float(conv[..., long_tiers(scenario, long_minutes)].sum()) / total


# ---- headcount ----------------------------------------------------------------------------


def add_headcount(model: LinearModel, v: Vars, scenario: Scenario, eps: float) -> None:
    """sum over roles of people[t] <= eps, each month."""
    model.add_rows(
        "headcount",
        department=DEPT,
        description=f"At most {eps:g} people on staff, all roles together, in any month.",
        axes=[("month", list(v.months))],
        lhs=[(1.0, idx) for idx in people(scenario, v).values()],
        sense="<=",
        rhs=float(eps),
        unit="people",
    )


def headcount(x: np.ndarray, v: Vars, scenario: Scenario) -> float:
    """The plan's largest monthly headcount, all roles together."""
    total = np.zeros(len(v.months))
    for idx in people(scenario, v).values():
        values = x[idx]
        total += values.reshape(len(v.months), -1).sum(axis=1)
    return float(total.max()) if len(total) else 0.0


# ---- disruption ---------------------------------------------------------------------------


def add_disruption(model: LinearModel, v: Vars, scenario: Scenario, eps: float) -> None:
    """u >= |people[t] - people[t-1]| for each role (and team) and month t > 1; sum u <= eps."""
    months = list(v.months)
    changes = []
    for role, idx in people(scenario, v).items():
        s = series(idx)  # (month, group, summed)
        groups = [str(g) for g in range(s.shape[1])]
        axes = [("month", months[1:]), ("group", groups)]
        u = model.add_vars(f"{DEPT}_change_{role}", axes, unit="people")
        now, before = s[1:], s[:-1]
        for name, sign in (("up", 1.0), ("down", -1.0)):
            model.add_rows(
                f"change_{role}_{name}",
                department=DEPT,
                description=f"The month-to-month change in {role} counted as a positive number.",
                axes=axes,
                lhs=[(1.0, u), (-sign, now), (sign, before)],
                sense=">=",
                kind="definition",
                unit="people",
            )
        changes.append(u)
    model.add_rows(
        "disruption",
        department=DEPT,
        description=(
            f"Headcount changes from month to month add up to at most {eps:g} people "
            "(the trade-off curve's limit)."
        ),
        axes=[],
        lhs=[(1.0, u.reshape(-1)) for u in changes],
        sense="<=",
        rhs=float(eps),
        unit="people",
    )


def disruption(x: np.ndarray, v: Vars, scenario: Scenario) -> float:
    """sum over roles (and teams) and months t > 1 of |people[t] - people[t-1]|."""
    total = 0.0
    for idx in people(scenario, v).values():
        s = x[series(idx)].sum(axis=-1)  # (month, group)
        total += float(np.abs(np.diff(s, axis=0)).sum())
    return total


# ---- one place for each axis's limit and measure ------------------------------------------

Adder = Callable[[LinearModel, Vars], None]


def adder(axis: str, scenario: Scenario, eps: float, long_minutes: float) -> Adder:
    """The function that adds ``axis``'s epsilon row at ``eps`` to a built model."""
    if axis == "long_share":
        return lambda model, v: add_long_share(model, v, scenario, eps, long_minutes)
    if axis == "headcount":
        return lambda model, v: add_headcount(model, v, scenario, eps)
    if axis == "disruption":
        return lambda model, v: add_disruption(model, v, scenario, eps)
    raise ValueError(f"{axis!r} has no epsilon row")


def measure(axis: str, x: np.ndarray, v: Vars, scenario: Scenario, long_minutes: float) -> float:
    """``axis``'s quantity at the plan ``x``, recomputed from the plan's values."""
    if axis == "long_share":
        return long_share(x, v, scenario, long_minutes)
    if axis == "headcount":
        return headcount(x, v, scenario)
    if axis == "disruption":
        return disruption(x, v, scenario)
    raise ValueError(f"{axis!r} has no measure")


def excess(axis: str, value: float, eps: float) -> float:
    """How far a plan's ``value`` breaks the limit at ``eps`` (0: it holds), relative to
    max(1, |eps|) as the independent check measures rows (a share relative to 1)."""
    short = eps - value if axis == "long_share" else value - eps
    return max(0.0, short) / max(1.0, abs(eps))
