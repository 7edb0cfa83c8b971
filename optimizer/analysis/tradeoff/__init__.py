"""Trade-off curves: profit against one other thing a leader cares about (epsilon-constraint).

``tradeoff(scenario, axis)`` solves the scenario again at a series of values of the axis and
returns a ``Front``: one point per value (each a verified whole-people plan, or "no plan"
with the reason), where the scenario's own plan sits on it, and what each step along the
curve costs. The axes (``AXES``):

- ``quality_floor``: the quality floor (``QUALITY_FLOOR``) at each conversation tier's
  length and the scenario's own; each point is ``solve(moved(scenario, floor, f))``.
- ``service_level``: the service-level target of the live channels (each channel's own, or
  its best band's), moved together from 50 % to 95 % in even steps, and the scenario's own;
  each point is ``solve(moved(...))``.
- ``long_share``, ``headcount``, ``disruption``: a row the model does not have, added to
  the built model (``limits``: each limit's equation and measure, stated once): from the
  plan's own value to 100 % long conversations, one person fewer at a time down to the
  fewest with a plan, and from the plan's month-to-month headcount changes down to none.

Every point is checked twice: the plan against the scenario (``solve.checked`` inside
``assemble``) and the epsilon row against the plan's own numbers (``limits.measure``
recomputed from its values); a point passes only when both hold and the plan is optimal or
feasible. A solver status alone is never trusted.
"""

from __future__ import annotations

import time

import numpy as np

from optimizer.analysis.solve import solve
from optimizer.analysis.tradeoff import limits
from optimizer.analysis.tradeoff.front import Front, Point, Step
from optimizer.analysis.tradeoff.points import Solver
from optimizer.analysis.tradeoff.words import AXIS_UNITS, axis_label, axis_words, channels, steps
from optimizer.model.chain import build_model
from optimizer.scenario.names import QUALITY_FLOOR
from optimizer.scenario.schema import Scenario

__all__ = ["AXES", "Front", "Point", "Step", "axis_words", "tradeoff"]

AXES = ("quality_floor", "long_share", "headcount", "service_level", "disruption")
"""The axes a front can be drawn against, in the order the front ends offer them."""

DEFAULT_POINTS = 7
"""Points of an evenly stepped axis (long share, service level, disruption) by default."""

MOST_HEADCOUNT_STEPS = 40
"""The headcount curve stops after this many people fewer when ``points`` is not given."""

SERVICE_LOW, SERVICE_HIGH = 0.5, 0.95
"""The service-level targets a ``service_level`` front spans (with the scenario's own)."""


def tradeoff(
    scenario: Scenario,
    axis: str,
    *,
    points: int | None = None,
    objective: str | None = None,
    long_minutes: float | None = None,
) -> Front:
    """The trade-off curve of ``scenario``'s objective against ``axis`` (see ``AXES``).

    ``points``: how many points an evenly stepped axis gets (default ``DEFAULT_POINTS``),
    or how many people fewer the headcount curve goes at most. ``long_minutes``: the
    shortest tier that counts as long (``long_share``; default the longest tier).
    """
    if axis not in AXES:
        raise ValueError(f"unknown axis {axis!r}; expected one of {', '.join(AXES)}")
    if points is not None and points < 2:
        raise ValueError(f"points is {points}; expected at least 2")
    t0 = time.perf_counter()
    objective = objective or scenario.objective
    base = solve(scenario, objective, marginals=False, whole_steps=False)
    if not base.solved:
        raise ValueError(f"the scenario has no plan to start the curve from: {base.message}")
    _, base_v = build_model(scenario, objective)
    x0 = base.variables["value"].to_numpy()
    if long_minutes is None:
        long_minutes = limits.default_long_minutes(scenario)
    elif not limits.long_tiers(scenario, long_minutes).any():
        raise ValueError(
            f"no conversation tier lasts {long_minutes:g} minutes or more; expected at most "
            f"{limits.default_long_minutes(scenario):g}"
        )
    front = Front(
        axis=axis,
        label=axis_label(axis, scenario, long_minutes),
        unit=AXIS_UNITS[axis],
        scenario=scenario.name,
        objective=objective,
        objective_unit=base.objective_unit,
        points=[],
        own=None,
        steps=[],
        long_minutes=long_minutes if axis == "long_share" else None,
    )
    context = Solver(scenario, objective, long_minutes)
    if axis in ("quality_floor", "service_level"):
        paths, values, own_value = _input_axis(axis, scenario, points)
        front.paths = paths
        for value in values:
            moved_to = {path: value for path in paths}
            front.points.append(context.moved(moved_to, value, own=value == own_value))
    else:
        own_value = limits.measure(axis, x0, base_v, scenario, long_minutes)
        for k, eps in enumerate(_epsilons(axis, scenario, own_value, points)):
            point = context.limited(axis, eps, own=k == 0)
            front.points.append(point)
            if axis == "headcount" and not point.solved:
                break  # one person fewer than the fewest with a plan: the curve's end
        if axis == "headcount" and front.points[-1].solved and points is None:
            front.notes.append(
                f"stopped after {MOST_HEADCOUNT_STEPS} people fewer; ask for more points"
            )
    front.own = next((i for i, p in enumerate(front.points) if p.own), None)
    front.credit = any(
        p.solved and p.profit is not None and abs(p.objective - p.profit) > 0.5
        for p in front.points
    )
    if front.credit and objective == "max_profit":
        front.notes.append(
            "the objective is the horizon's profit plus what the scenario credits for what is "
            "still open at its end (customers still paying, the pipeline); each step's cost is "
            "in the objective, the profit column the horizon's profit alone"
        )
    front.steps = steps(front)
    front.seconds = time.perf_counter() - t0
    return front


# ---- the values of each axis ---------------------------------------------------------------


def _input_axis(axis: str, scenario: Scenario, points: int | None):
    """The input paths moved together, their values in order, and the scenario's own."""
    if axis == "quality_floor":
        own = float(scenario.sales.min_minutes_per_quality_conversation)
        tiers = {float(t.minutes) for t in scenario.sales.conversation_tiers}
        return [QUALITY_FLOOR], sorted(tiers | {own}), own
    paths, owns = [], []
    for c in channels(scenario):
        if c.bands:
            band = next((b for b in c.bands if not b.best_effort), None)
            if band is not None:
                path = f"support.live_channels[{c.name}].bands[{band.name}].service_level"
                paths.append(path)
                owns.append(float(band.service_level))
        elif c.service_level is not None:
            paths.append(f"support.live_channels[{c.name}].service_level")
            owns.append(float(c.service_level))
    if not paths:
        raise ValueError(
            "the scenario has no live support channel with a service level target; "
            "expected one (support.live_channels)"
        )
    own = owns[0]
    count = points or DEFAULT_POINTS
    values = {round(float(s), 6) for s in np.linspace(SERVICE_LOW, SERVICE_HIGH, count)}
    return paths, sorted(values | {own}), own


def _epsilons(axis: str, scenario: Scenario, own: float, points: int | None) -> list[float]:
    """The limits an epsilon axis is solved at, from the plan's own value outwards."""
    if axis == "long_share":
        count = points or DEFAULT_POINTS
        return [float(e) for e in np.linspace(own, 1.0, count)] if own < 1 - 1e-9 else [own]
    if axis == "headcount":
        most = (points - 1) if points else MOST_HEADCOUNT_STEPS
        start = float(np.ceil(own - 1e-9))
        return [start - k for k in range(most + 1) if start - k >= 0]
    if len(scenario.calendar.month_labels()) < 2:
        raise ValueError(
            "the disruption curve needs a scenario of at least two months; this one has one"
        )
    count = points or DEFAULT_POINTS
    return [float(e) for e in np.linspace(own, 0.0, count)] if own > 1e-9 else [own]
