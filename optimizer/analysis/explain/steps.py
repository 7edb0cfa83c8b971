"""Steps: the value of each input's natural step, with the plan's people held and free.

Each numeric input moves by its natural step (``labels.natural_step``: one hour a day, one
person, $1,000, one percentage point...) in the direction that helps: the sign of its
marginal value with the plan's people held, or, where that is zero or unknown, the
direction ``LOWER_HELPS`` names (costs, losses, minimums and goals down; the rest up).
Inputs held in whole numbers move by at least one. The step is valued twice:

- ``value_people_held``: every headcount (and staffing choice) stays at the plan's, an LP.
  Where the step provably keeps the LP's optimal basis, the rate gives it exactly (method
  ``rate``): the input moves only limits and the costs or coefficients of held columns, so

      value = step x (dc . x + dc0 + y . (db - dA x)),

  with y the shadow prices and dc, dc0, db and dA the slopes, per unit of the input, of
  the model's costs, constant, limits and coefficients; and the moved limits pass the
  100 % rule of ranging: sum over moved rows of |move| / (allowable increase or decrease)
  <= 1. ``valid_range`` is the input's interval where that holds (within the values the
  model's linear dependence on the input was verified between). A moved row on held
  columns only is never priced by its rate (``_has_free_column``). Otherwise the held LP
  is re-solved (``re-solved``).
- ``value_hiring_free``: the whole-number model solved again with every headcount free:
  one whole-number re-solve per input, so only with ``hiring_free`` (the command line's
  ``--hiring-free``, the app), and always for a headcount limit (below).

``value`` is the people-held value: the same question for every input (this input alone,
the plan as staffed), exact, and the same whether or not the hiring-free values were
computed, so there is one ranking. The exception is an input that is itself a headcount
limit (``HEADCOUNT_LIMIT``: a role's most or fewest people): people are what it moves, and
with the plan's people held its step is worth nothing by construction, so its ``value`` is
the hiring-free one (``basis`` says which). ``ranking`` orders the subjects by ``value``,
most valuable first (ties by path; unvalued last).
An input is a subject; the binding limits it moves (``limits``) are priced through it (a
limit's ``parameter`` is its input). People are valued per whole person, rates and shares
per percentage point.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from optimizer.analysis.explain.resolves import gain_of, ran_out, resolve_seconds
from optimizer.analysis.result import Plan
from optimizer.scenario import labels
from optimizer.scenario.inputs import input_specs

LOWER_HELPS = re.compile(
    r"(cost|unit_cost|hours_lost_per_day\..*|admin_minutes_per_conversation|handle_.*|"
    r"shrinkage|\.min|fixed_bills_per_month|retained_earnings_per_month|"
    r"profit_target_per_month|min_minutes_per_quality_conversation|units_per_deal|"
    r"tickets_per_customer_per_month|contacts_per_customer_per_month|peak_factor|"
    r"service_level|minutes)$"
)
"""Inputs where less helps, for the direction of a step when the marginal value is zero."""

HEADCOUNT_LIMIT = re.compile(r"\.(min|max|max_hires_per_month|max_departures_per_month)$")
"""With the unit "people": a role's fewest or most people, or most hires or departures a
month where people flow, valued hiring free (with the plan's hires held, worth nothing)."""

PEOPLE_HELD = "people held"
HIRING_FREE = "hiring free"


def is_headcount_limit(path: str, unit: str) -> bool:
    """A role's fewest or most people: its step is valued with hiring free."""
    return unit == "people" and bool(HEADCOUNT_LIMIT.search(path))


@dataclass(frozen=True)
class StepValue:
    subject: str  # the input's path
    label: str
    step: float  # signed, in the input's unit (a percentage point is 0.01)
    step_unit: str
    step_words: str  # "one hour a day more"
    value: float | None
    value_people_held: float | None
    value_hiring_free: float | None
    method: str  # of the people-held value: "rate" or "re-solved"
    valid_range: tuple[float, float] | None  # input values where the rate holds
    limits: tuple[str, ...] = ()  # the binding limits this input moves
    note: str = ""
    basis: str = PEOPLE_HELD  # which value ``value`` is: PEOPLE_HELD or HIRING_FREE


@dataclass(frozen=True)
class _Limits:
    """The plan's columns every step reads, taken from its tables once."""

    marginal: dict[str, object]  # input -> marginal value (the first row of its path)
    names: np.ndarray
    binding: np.ndarray  # a binding limit or goal (never a definition)
    by_parameter: dict[str, set[str]]  # input -> the binding rows it is the parameter of
    shadow: np.ndarray
    up: np.ndarray
    down: np.ndarray

    @classmethod
    def of(cls, plan: Plan) -> _Limits:
        marginal = {}
        if not plan.parameters.empty:
            for path, value in zip(plan.parameters["path"], plan.parameters["marginal_value"]):
                marginal.setdefault(path, value)
        c = plan.constraints
        binding = c["binding"].astype(bool).to_numpy()
        by_parameter: dict[str, set[str]] = {}
        for name, parameter in zip(c.loc[binding, "name"], c.loc[binding, "parameter"]):
            if isinstance(parameter, str):
                by_parameter.setdefault(parameter, set()).add(name)
        return cls(
            marginal, c["name"].to_numpy(), binding & (c["kind"] != "definition").to_numpy(),
            by_parameter, c["shadow_price"].to_numpy(dtype=float),
            c["allowable_increase"].to_numpy(dtype=float),
            c["allowable_decrease"].to_numpy(dtype=float),
        )  # fmt: skip


def _direction_sign(path: str, plan: Plan, limits: _Limits) -> float:
    marginal = float(limits.marginal[path]) if path in limits.marginal else np.nan
    helps = 1.0 if plan.objective_sense == "max" else -1.0
    if np.isfinite(marginal) and abs(marginal) > 1e-9:
        return 1.0 if helps * marginal > 0 else -1.0
    return -1.0 if LOWER_HELPS.search(labels.split_month(path)[0]) else 1.0


def _rate(held, limits: _Limits, path: str, value: float, step: float, free_rows: np.ndarray):
    """(value of the step, valid range) by the rate, or None where the rate is not proven."""
    line = held.direction(path)
    if line is None or len(limits.names) != held.base.num_rows or held.base_result.x is None:
        return None
    fixed = held.base.integer
    x = held.base_result.x
    idx_c, slope_c = line.slopes["c"]
    for name in ("c", "lb", "ub"):
        if np.any(~fixed[line.slopes[name][0]]):
            return None  # moves a free column's cost or bound: the basis may change
    idx_v, slope_v = line.slopes["vals"]
    if np.any(~fixed[held.base.cols[idx_v]]):
        return None  # moves a coefficient of a free column
    shift = np.zeros(held.base.num_rows)
    idx_r, slope_r = line.slopes["rhs"]
    np.add.at(shift, idx_r, slope_r)
    np.add.at(shift, held.base.rows[idx_v], -slope_v * x[held.base.cols[idx_v]])
    y = limits.shadow
    moved = np.flatnonzero(np.abs(shift) > 1e-12)
    if np.any(~np.isfinite(y[moved])):
        return None
    if np.any(~free_rows[moved]):
        return None  # a row on held columns only: its dual is not a rate (see the docstring)
    per_unit = float(slope_c @ x[idx_c] + line.c0 + y[moved] @ shift[moved])
    up, down = limits.up, limits.down
    reach = {}
    for sign in (1.0, -1.0):  # the 100 % rule, per unit of the input moved this way
        rows_up = sign * shift[moved] > 0
        room = np.where(rows_up, up[moved], down[moved])
        if np.any(np.isnan(room)):
            return None
        used = np.sum(np.abs(shift[moved]) / np.where(room > 0, room, 1e-300))
        reach[sign] = np.inf if used == 0 else 1.0 / used
    low = max(value - reach[-1.0], line.low)
    high = min(value + reach[1.0], line.high)
    low, high = (0.0 if abs(end) <= 1e-9 * max(1.0, abs(value)) else end for end in (low, high))
    if not (low - 1e-9 <= value + step <= high + 1e-9):
        return None
    return per_unit * step, (low, high)


def _has_free_column(base, fixed: np.ndarray) -> np.ndarray:
    """Per row: whether it has a nonzero coefficient on a column the held model leaves free.

    A row on held columns only (a headcount's own minimum, with the headcount held) has a
    constant activity: moving its limit changes nothing until the held plan breaks it,
    yet the fixed LP may report a shadow price on it (the dual shared between the row and
    the column's fixed bounds, a degenerate vertex). Its rate is no value.
    """
    free = np.zeros(base.num_rows, dtype=bool)
    on_free = ~fixed[base.cols] & (base.vals != 0)
    free[base.rows[on_free]] = True
    return free


def _binding_moved(held, limits: _Limits, path: str) -> tuple[str, ...]:
    names = set(limits.by_parameter.get(path, ()))
    line = held.direction(path) if held is not None else None
    if line is not None and len(limits.names) == held.base.num_rows:
        rows = np.concatenate([line.slopes["rhs"][0], held.base.rows[line.slopes["vals"][0]]])
        mask = np.zeros(len(limits.names), dtype=bool)
        mask[rows] = True
        mask &= limits.binding
        names |= set(limits.names[mask])
    return tuple(sorted(names))


def _step_words(step_info, step: float) -> str:
    more = "more" if step > 0 else "less"
    return f"{step_info.words} {more}"


def step_values(
    scenario, plan, objective, free, held, deadline, rates_only=False, notes=None,
    hiring_free=True,
):  # fmt: skip
    """Every input's step (``StepValue``), in ``input_specs`` order. ``free`` re-solves
    with hiring free: every step when ``hiring_free``, else only headcount limits."""
    steps = []
    skipped = 0
    limits = _Limits.of(plan)
    free_rows = _has_free_column(held.base, held.base.integer) if held is not None else None
    for spec in input_specs(scenario, objective):
        path, value, unit, info, label = spec.path, spec.value, spec.unit, spec.step, spec.label
        step = _direction_sign(path, plan, limits) * spec.step_size
        if not spec.low <= value + step <= spec.high and spec.low <= value - step <= spec.high:
            step = -step  # at its edge (no commission, every minute bookable): the other way
        headcount = is_headcount_limit(path, unit)
        basis = HIRING_FREE if headcount else PEOPLE_HELD
        moves = _binding_moved(held, limits, path) if held is not None else ()
        common = dict(subject=path, label=label, step=step, step_unit=unit,
                      step_words=_step_words(info, step), limits=moves,
                      basis=basis)  # fmt: skip
        rate = _rate(held, limits, path, value, step, free_rows) if held is not None else None
        if rate is None and rates_only:
            steps.append(StepValue(**common, value=None, value_people_held=None,
                                   value_hiring_free=None, method="none", valid_range=None,
                                   note="not valued: above the size limit only rates are given"))  # fmt: skip
            continue
        if deadline.expired():
            skipped += 1
            steps.append(StepValue(**common, value=None, value_people_held=None,
                                   value_hiring_free=None, method="none", valid_range=None,
                                   note="not valued: the time limit ran out"))  # fmt: skip
            continue
        note = ""
        try:
            if rate is not None:
                people_held, valid, method = rate[0], rate[1], "rate"
            else:
                people_held = gain_of(
                    plan,
                    held.resolve(
                        {path: value + step}, time_limit=resolve_seconds(deadline)
                    ).objective,
                )
                valid, method = None, "re-solved"
            free_gain = None
            if not rates_only and free is not None and (hiring_free or headcount):
                result = free.resolve({path: value + step}, time_limit=resolve_seconds(deadline))
                free_gain = gain_of(plan, result.objective if result.solved else None)
                if ran_out(result):
                    note = "not valued with hiring free: the re-solve ran out of time"
                elif free_gain is None:
                    note = "no plan with hiring free: " + (result.message or result.status.value)
            if people_held is None and not note and not headcount:
                note = "not valued: no plan with the plan's people held"
        except Exception:  # noqa: BLE001 - a step the schema refuses is no value
            people_held = free_gain = valid = None
            method = "none"
            low, high = spec.low, spec.high
            edge = "lowest" if value + step < low else "highest" if value + step > high else ""
            note = (
                f"not valued: already at its {edge} ({labels.number(value)})"
                if edge
                else f"not valued: {labels.number(value + step)} is not accepted there"
            )
        best = free_gain if headcount else people_held
        steps.append(StepValue(**common, value=best, value_people_held=people_held,
                               value_hiring_free=free_gain, method=method, valid_range=valid,
                               note=note))  # fmt: skip
    if skipped and notes is not None:
        notes.append(f"{skipped} of {len(steps)} steps not valued: the time limit ran out")
    return steps


def ranking(steps: list[StepValue]) -> list[str]:
    """Subjects by the money value of their step (``value``: people held, hiring free for
    a headcount limit), largest first; values equal to the cent (a rate and a re-solve of
    the same money differ in the last bits) by path."""
    valued = [s for s in steps if s.value is not None]
    order = sorted(valued, key=lambda s: (-round(s.value, 2), s.subject))
    return [s.subject for s in order] + [s.subject for s in steps if s.value is None]
