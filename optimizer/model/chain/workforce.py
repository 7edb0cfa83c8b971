"""People over time: hires, departures, attrition, the hiring lead time and the ramp-up.

A role whose headcount states ``opening`` (``optimizer.scenario.schema.Headcount``) has its
people flow from month to month instead of being picked afresh each month. With a the
monthly attrition, L the hiring lead time, r_k the productivity of a new hire in their
(k + 1)-th month (full speed after the ramp), for each month t:

    people[t] = (1 - a) * people[t-1] + starts[t] - departures[t],  people[-1] = opening
    starts[t] <= already hired to start in t                 for t < L  (hiring lead time)
    starts[t] <= most hires a month                          for t >= L
    departures[t] <= most departures a month
    starts[t] <= M * (1 - going[t]),  going[t] <= departures[t] <= M * going[t]  (one way)
    ramping[t] >= sum_k (1 - r_k) * (1 - a)^k * starts[t-k]                    (ramp)
    productive[t] = people[t] - ramping[t]

Starts and departures are whole people. Attrition is the expected share who leave, so with
a > 0 the headcount is in full-time equivalents (10 people at 10 % a month: 9, 8.1, 7.29);
with a = 0 it stays whole. A hire decided in month t starts in t + L, so ``starts[t]`` for
t >= L is the hire decided L months earlier; starts before L are people hired before the
plan (``already_hired``). The ramp counts a cohort's expected survivors, (1 - a)^k of it
after k months; people employed at the start are at full speed. Payroll pays ``people``;
selling time, building, ticket and call capacity use ``productive`` (``Vars.working``).
Hiring costs ``cost_per_hire`` in the month a person starts, a departure
``cost_per_departure`` in the month they go (``optimizer.model.chain.finance``).
"""

from __future__ import annotations

import numpy as np

from optimizer.model.chain.common import Vars, add_family
from optimizer.model.linear import LinearModel
from optimizer.scenario.schema import Headcount

FLOW_BLOCKS = ("_starts", "_departures", "_going")
"""Suffixes of the variable blocks of hires starting, departures (whole people) and the
months that let people go."""


def flow_columns(model: LinearModel) -> np.ndarray:
    """The columns of every role's hires starting and departures."""
    blocks = [b for name, b in model.var_blocks.items() if name.endswith(FLOW_BLOCKS)]
    return np.concatenate([np.arange(b.start, b.start + b.size) for b in blocks] or [[]]).astype(
        np.int64
    )


def _shift(n: int, k: int) -> np.ndarray:
    """(n x n) matrix with ones where column u = row t - k: month t reads month t - k."""
    return np.eye(n, k=-k)


def add_flow(
    model: LinearModel,
    v: Vars,
    *,
    var: str,
    department: str,
    role: str,
    axes: list[tuple[str, list[str]]],
    staff: list[Headcount],
    people: np.ndarray,
    path: str,
) -> np.ndarray | None:
    """Add the flow rows of the elements of ``staff`` that flow; return the index array of
    the productive people (shaped like ``people``) when any element has a ramp, else None.

    ``people`` is the role's headcount, (month,) or (month, element); ``staff`` has one
    headcount per element; ``path`` is the headcount's input path (``{team}`` filled per
    element by the axis).
    """
    months = v.months
    n = len(months)
    grid = people.reshape(n, -1)
    flowing = [i for i, h in enumerate(staff) if h.flows]
    if not flowing:
        return None
    by_team = len(axes) > 1
    sub = np.array(flowing)
    hc = [staff[i] for i in flowing]
    sub_axes = [axes[0]] + ([(axes[1][0], [axes[1][1][i] for i in flowing])] if by_team else [])
    shape = (n, len(flowing)) if by_team else (n,)

    def shaped(arr) -> np.ndarray:
        """A (month, element) array as the rows' shape."""
        return np.asarray(arr, float).reshape(shape)

    starts = model.add_vars(f"{var}_starts", sub_axes, integer=True, unit="people")
    leaving = model.add_vars(f"{var}_departures", sub_axes, integer=True, unit="people")
    v[f"{var}_starts"], v[f"{var}_departures"] = starts, leaving
    mine = grid[:, sub].reshape(shape)
    keep = np.array([1.0 - h.attrition_per_month for h in hc])
    opening = np.array([float(h.opening) for h in hc])
    # people[t] - (1 - a) people[t-1] - starts[t] + departures[t] = (1 - a) opening if t == 0
    previous = np.broadcast_to(
        np.moveaxis(grid[:, sub][None, :, :], 1, 2).repeat(n, axis=0), (n, len(flowing), n)
    )  # previous[t, e, u] = people[u, e]
    carry = -_shift(n, 1)[:, None, :] * keep[None, :, None]
    first = np.zeros((n, len(flowing)))
    first[0] = keep * opening
    add_family(
        model,
        f"{department}-{var}_flow",
        fill={"role": role},
        axes=sub_axes,
        lhs=[
            (1.0, mine),
            (carry.reshape(shape + (n,)), previous.reshape(shape + (n,))),
            (-1.0, starts),
            (1.0, leaving),
        ],
        sense="==",
        rhs=shaped(first),
        parameter=f"{path}.opening",
    )
    lead = np.array([h.hiring_lead_time_months for h in hc])
    first_months = min(int(lead.max()), n)
    if first_months:  # starts before the lead time: only people hired before the plan
        ready = np.full((first_months, len(flowing)), np.inf)  # inf: past this one's lead time
        for e, h in enumerate(hc):
            ready[: min(h.hiring_lead_time_months, n), e] = 0.0
            ready[: len(h.already_hired), e] = h.already_hired[:first_months]
        add_family(
            model,
            f"{department}-{var}_hiring_lead_time",
            fill={"role": role},
            axes=[(axes[0][0], months[:first_months])] + sub_axes[1:],
            lhs=[(1.0, starts[:first_months])],
            sense="<=",
            rhs=ready.reshape((first_months,) + shape[1:]),
            parameter=f"{path}.hiring_lead_time_months",
        )
    most = np.array([h.max_hires_per_month if h.max_hires_per_month is not None else np.inf
                     for h in hc])  # fmt: skip
    after = min(int(lead.min()), n)  # the first month a hire decided in the plan starts
    if np.isfinite(most).any() and after < n:  # at most so many a month
        cap = np.where(np.arange(n)[:, None] < lead[None, :], np.inf, most[None, :])[after:]
        add_family(
            model,
            f"{department}-{var}_hires_max",
            fill={"role": role},
            axes=[(axes[0][0], months[after:])] + sub_axes[1:],
            lhs=[(1.0, starts[after:])],
            sense="<=",
            rhs=cap.reshape((n - after,) + shape[1:]),
            parameter=f"{path}.max_hires_per_month",
        )
    v[f"{var}_going"] = _add_one_way(
        model, var, department, role, sub_axes, hc, starts, leaving, shaped
    )
    out = np.array([h.max_departures_per_month if h.max_departures_per_month is not None
                    else np.inf for h in hc])  # fmt: skip
    if np.isfinite(out).any():
        add_family(
            model,
            f"{department}-{var}_departures_max",
            fill={"role": role},
            axes=sub_axes,
            lhs=[(1.0, leaving)],
            sense="<=",
            rhs=shaped(np.broadcast_to(out[None, :], (n, len(flowing)))),
            parameter=f"{path}.max_departures_per_month",
        )
    if not any(h.ramp for h in hc):
        return None
    return _add_ramp(model, v, var, department, role, axes, people, hc, sub, starts, path)


def _add_one_way(model, var, department, role, sub_axes, hc, starts, leaving, shaped):
    """A month hires or lets people go, not both, with ``going[t]`` in {0, 1} marking a
    month that lets people go:

        starts[t] <= M * (1 - going[t]),   going[t] <= departures[t] <= M * going[t],

    M = most people + opening (more than either can be in a month). ``going`` is 1 exactly
    when someone is let go, so the plan's whole numbers decide it and the LP with them
    fixed still prices a start in any month that lets no one go.

    Hiring and letting go in one month only churns people: netting them keeps the headcount
    and never costs more (new hires ramp up and cost a hire). Without these rows a plan
    indifferent to cost (closest_to_current) has countless equal ways to move people, and
    the 12-month growth plan's search had not closed a 0.05 % gap in 60 s.
    """
    n = starts.shape[0]
    going = model.add_vars(f"{var}_going", sub_axes, ub=1.0, integer=True, unit="choice")
    big = np.array([float(h.max + (h.opening or 0)) for h in hc])
    room = shaped(np.broadcast_to(big[None, :], (n, len(hc))))
    fill = {"role": role}
    add_family(model, f"{department}-{var}_hiring_month", fill=fill, axes=sub_axes,
               lhs=[(1.0, starts), (room, going)], sense="<=", rhs=room)  # fmt: skip
    add_family(model, f"{department}-{var}_leaving_month", fill=fill, axes=sub_axes,
               lhs=[(1.0, leaving)], sense="<=", rhs_terms=[(room, going)])  # fmt: skip
    add_family(model, f"{department}-{var}_leaving_marked", fill=fill, axes=sub_axes,
               lhs=[(1.0, going)], sense="<=", rhs_terms=[(1.0, leaving)])  # fmt: skip
    return going


def _add_ramp(model, v, var, department, role, axes, people, hc, sub, starts, path) -> np.ndarray:
    """ramping[t] >= sum_k (1 - r_k) (1 - a)^k starts[t-k] and productive[t] = people[t] -
    ramping[t], every element.

    The limit is the shortfall itself, so a month with no one ramping has a limit of 0 the
    plan meets at 0 (not binding: ``result.describe_constraints``), and a binding month's
    price is what one person's shortfall costs."""
    n = len(v.months)
    grid = people.reshape(n, -1)
    productive = model.add_vars(f"{var}_productive", axes, unit="people")
    ramping = model.add_vars(f"{var}_ramping", axes, unit="people")
    v[f"{var}_productive"], v[f"{var}_ramping"] = productive, ramping
    elements = grid.shape[1]
    # deficit[t, e, u]: the share of a person short in month t per start of month u
    deficit = np.zeros((n, len(hc), n))
    for e, h in enumerate(hc):
        for k, r in enumerate(h.ramp):
            deficit[:, e, :] += _shift(n, k) * (1.0 - r) * (1.0 - h.attrition_per_month) ** k
    start_grid = starts.reshape(n, -1)
    full = np.zeros((n, elements, n))
    full[:, sub, :] = deficit
    cols = np.zeros((n, elements, n), dtype=np.int64)
    cols[:, sub, :] = np.moveaxis(start_grid[None, :, :].repeat(n, axis=0), 1, 2)
    shape = people.shape
    add_family(
        model,
        f"{department}-{var}_ramp",
        fill={"role": role},
        axes=axes,
        lhs=[(1.0, ramping)],
        sense=">=",
        rhs_terms=[(full.reshape(shape + (n,)), cols.reshape(shape + (n,)))],
        parameter=None,
    )
    add_family(
        model,
        f"{department}-{var}_productive_total",
        fill={"role": role},
        axes=axes,
        lhs=[(1.0, productive)],
        sense="==",
        rhs_terms=[(1.0, people), (-1.0, ramping)],
    )
    return productive
