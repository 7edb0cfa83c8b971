"""What each binding limit is worth, where the solver's dual alone cannot say: the extra
solves behind the constraint table's prices. The pipeline (``solve.assemble``) calls
``prices`` and hands the result to the table, which only assembles it.

- **Degenerate limits.** A binding limit that cannot rise without changing the plan's
  shape (allowable increase 0), or whose dual has the sign of a decrease (raising a
  ``<=`` limit can only help, a ``>=`` limit only hurt), is degenerate: its dual prices a
  decrease. The rate for an increase is re-solved as a forward difference in the LP with
  the plan's whole numbers held: (objective(limit + h) - objective) / h, with
  h = FORWARD_STEP x max(1, |limit|). Backends without ranging test every binding dual the
  same way. At most ``FORWARD_LIMIT`` limits (largest dual first) are re-solved.

Each limit's rate for an increase is re-solved once (``Forward`` keeps it: the dual test
and the degenerate limit's price are the same re-solve), a second time at a twentieth of
the step only where the first disagrees with the dual. Two kinds of re-solve are not made:
the LP's own answer already decides them (``Forward.decided``, ``_excluded``):

- **A ``<=`` limit whose dual is 0** (below ``ZERO_PRICE``): the rate is the dual, so the
  dual test passes. Raising the limit keeps the plan's LP solution feasible, so the
  objective cannot get worse: the rate is 0 or on the helping side. The LP's duals (row
  duals and reduced costs) stay feasible for the LP with the limit raised (a limit is not
  in the dual's constraints), so by weak duality the objective cannot improve by more than
  h x dual. The rate lies between 0 and the dual, within ``ZERO_PRICE`` of it, far inside
  the test's tolerance (``DUAL_CHECK_TOL``). Not for ``>=`` or ``==`` limits: raising those
  cuts the plan off, and the rate can be anything below the dual.
- **A one-variable limit past its variable's held bounds** (a minimum headcount raised
  above the held whole number): the LP with only the limit moved has no solution, since
  the limit then excludes every value the bounds allow (by at least half the step, far
  above any solver's feasibility tolerance); the re-solve with the person moved too is made
  directly, as it was after that one.

On the bundled scenarios that is 85 LP re-solves instead of 132 for regional sales, 14
instead of 22 for the software company and 6 instead of 7 for the seed company, on CBC
and OR-Tools, with every price unchanged (``tests/test_backend_reuse.py`` makes the
skipped re-solves and finds the same answers).
- **Whole people.** A shadow price is a rate for a fraction of a person; a binding
  headcount limit is also valued for one whole person more by re-solving the integer
  model with the limit one higher (``whole_steps``, at most ``WHOLE_STEP_LIMIT``). Where
  one more is a cost (a floor: "fewest marketers kept"), the way it relaxes is one person
  fewer, re-solved too (``whole_fewer``): a floor the plan would keep anyway is worth
  nothing to relax, however much raising it costs.

Inputs' marginal values are in ``optimizer.analysis.marginal``; natural steps of inputs, in
``optimizer.analysis.explain``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from optimizer.model.linear import ModelArrays
from optimizer.runtime.deadline import Deadline
from optimizer.solvers import Backend, SolverOutput, Status, highs

WHOLE_STEP_LIMIT = 8
"""At most this many binding headcount limits get a whole-person re-solve, largest first."""

FORWARD_STEP = 1e-4
"""Relative step for the one-sided shadow price of a degenerate binding limit."""

DUAL_CHECK_TOL = 1e-5
OBJECTIVE_NOISE = 1e-12
"""Backends without ranging: a binding limit's dual counts as the rate for an increase when
a re-solve agrees with it to DUAL_CHECK_TOL * max(1, |dual|), plus the objective's rounding
(OBJECTIVE_NOISE * max(1, |objective|)) divided by the step."""


FORWARD_LIMIT = 200
FORWARD_LIMIT_LARGE = 5
"""At most this many degenerate binding limits get a re-solved rate for an increase,
largest dual first (the second figure above ``DETAIL_LIMIT`` variables, where one LP
re-solve took 0.2 s on a 1 000-team model); the others show no shadow price (their dual
prices a decrease)."""


ZERO_PRICE = 1e-9
"""A price smaller than this in size is shown as 0 (a solver's round-off, not a value)."""


@dataclass(frozen=True)
class Prices:
    """What each row of the model is worth, one entry per row."""

    shadow: np.ndarray
    """Objective change per unit increase of the limit: the solver's dual, or for a
    degenerate binding limit the re-solved rate for an increase (``row_prices``); NaN where
    it was not re-solved; 0 below ``ZERO_PRICE``."""
    degenerate: np.ndarray
    """Binding rows whose dual prices a decrease, not an increase (``row_prices``)."""
    whole_step: np.ndarray
    """Objective change for one whole person more at a binding headcount limit, re-solved
    in whole numbers (``whole_steps``); NaN where not re-solved or not asked for."""
    whole_fewer: np.ndarray
    """Objective change for one whole person fewer, re-solved, where one more is a cost
    (a floor that relaxes downwards); NaN elsewhere."""


def prices(
    a: ModelArrays,
    out: SolverOutput,
    binding: np.ndarray,
    inc: np.ndarray,
    sense: np.ndarray,
    limit: np.ndarray,
    *,
    most: int,
    whole: bool,
    engine: Backend | None = None,
    deadline: Deadline | None = None,
    notes: list[str] | None = None,
) -> Prices:
    """Every row's price, with the re-solves it takes: up to ``most`` LP re-solves for
    degenerate limits (``row_prices``) and, when ``whole``, up to ``WHOLE_STEP_LIMIT``
    integer re-solves for one more person (``whole_steps``). ``binding``, ``inc`` (the
    allowable increase), ``sense`` and ``limit`` are the plan's positions of the rows."""
    shadow, degenerate = row_prices(a, out, binding, inc, sense, limit, most, notes)
    shadow = np.where(np.abs(shadow) < ZERO_PRICE, 0.0, shadow)
    if whole:
        more, fewer = whole_steps(a, out, binding, shadow, engine, deadline, notes)
    else:
        more, fewer = np.full(a.num_rows, np.nan), np.full(a.num_rows, np.nan)
    return Prices(shadow, degenerate, more, fewer)


def row_prices(
    a: ModelArrays,
    out: SolverOutput,
    binding: np.ndarray,
    inc: np.ndarray,
    sense: np.ndarray,
    limit: np.ndarray,
    most: int,
    notes: list[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(shadow price of every row, which binding rows are degenerate): the solver's duals,
    with each degenerate binding limit's rate for an increase re-solved (at most ``most``,
    the largest first; the rest show none, with a note)."""
    shadow = out.row_shadow.copy() if out.row_shadow is not None else np.full(a.num_rows, np.nan)
    # A binding limit that cannot rise without changing the plan's shape is degenerate:
    # the dual then describes a decrease, so the rate for an increase is re-solved.
    degenerate = binding & (inc <= 1e-9)
    # Raising a "<=" limit can only help the objective and raising a ">=" limit only hurt
    # it; a dual of the other sign prices a decrease (a degenerate vertex), whichever
    # solver gave it, so it is re-solved too.
    helps = 1.0 if a.sense == "max" else -1.0
    signed = np.where(sense == "<=", helps, np.where(sense == ">=", -helps, 0.0))
    wrong_sign = signed * np.nan_to_num(shadow) < -1e-9 * np.maximum(1.0, np.abs(shadow))
    degenerate |= binding & wrong_sign
    if out.fixed_lp is not None:
        forward = Forward(out, a, limit, sense)
        # Without ranging (backends other than HiGHS) a binding limit's dual is tested
        # against a re-solve: where they differ, the limit is degenerate.
        for row in _largest(binding & np.isnan(inc), shadow, most):
            degenerate[row] = _dual_fails_forward(forward, row, shadow)
        rows = _largest(degenerate, shadow, most)
        for row in rows:
            shadow[row] = forward(row)
        unpriced = np.flatnonzero(degenerate)
        unpriced = unpriced[~np.isin(unpriced, rows)]
        shadow[unpriced] = np.nan
        if len(unpriced) and notes is not None:
            notes.append(
                f"{len(unpriced):,} degenerate binding limits show no shadow price: only the "
                f"{most} with the largest duals were re-solved for the rate of an increase"
            )
    return shadow, degenerate


def _largest(mask: np.ndarray, price: np.ndarray, count: int) -> np.ndarray:
    """Up to ``count`` rows of ``mask``, the largest |price| first."""
    rows = np.flatnonzero(mask)
    if len(rows) <= count:
        return rows
    size = np.abs(np.nan_to_num(price[rows], nan=0.0, posinf=1e300, neginf=1e300))
    return rows[np.argsort(-size, kind="stable")[:count]]


def whole_steps(
    a: ModelArrays,
    out: SolverOutput,
    binding: np.ndarray,
    price: np.ndarray,
    engine: Backend | None = None,
    deadline: Deadline | None = None,
    notes: list[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Objective change when a binding headcount limit rises by one whole person, and,
    where that is a cost, when it falls by one (one array each, NaN where not re-solved).

    A shadow price is a rate for a fraction of a person; leaders decide in whole people,
    so the integer model is re-solved with the limit one higher. A limit where one more
    person makes the objective worse is a floor: it relaxes downwards, so it is re-solved
    one lower too. Each re-solve gets the time left on ``deadline``; one it stops before
    the end gives no value.
    """
    deadline = deadline or Deadline()
    more, fewer = np.full(a.num_rows, np.nan), np.full(a.num_rows, np.nan)
    if not a.integer.any() or out.objective is None:
        return more, fewer
    nnz = np.bincount(a.rows, minlength=a.num_rows)
    single = (nnz[a.rows] == 1) & a.integer[a.cols]
    rows = np.intersect1d(a.rows[single], np.flatnonzero(binding))
    rows = rows[np.argsort(-np.abs(np.nan_to_num(price[rows], posinf=1e300, neginf=1e300)))]
    rows = rows[:WHOLE_STEP_LIMIT]
    better = 1.0 if a.sense == "max" else -1.0
    for done, row in enumerate(rows):
        if deadline.expired():
            if notes is not None:
                notes.append(
                    f"whole-person values: {done} of {len(rows)} re-solved before the time "
                    "limit ran out; the others show none"
                )
            break
        more[row] = _moved(a, out, row, 1.0, engine, deadline)
        if better * more[row] < -1e-9 * max(1.0, abs(out.objective)) and not deadline.expired():
            fewer[row] = _moved(a, out, row, -1.0, engine, deadline)
    return more, fewer


def _moved(a, out, row, direction, engine, deadline) -> float:
    """Objective change with the row's limit moved one person (``direction`` +1 or -1),
    re-solved in whole numbers; NaN when that leaves no plan or the time ran out; 0 within
    the two solves' round-off (1e-9 of the objective: $0.003 on a $2.8M plan)."""
    coef = a.vals[np.flatnonzero(a.rows == row)[0]]
    shift = direction * abs(coef)
    lower, upper = a.row_lower.copy(), a.row_upper.copy()
    lower[row] += shift if np.isfinite(lower[row]) else 0.0
    upper[row] += shift if np.isfinite(upper[row]) else 0.0
    moved = (engine.solve if engine is not None else highs.solve)(
        replace(a, row_lower=lower, row_upper=upper),
        ranging=False,
        duals=False,
        time_limit=deadline.remaining(),
    )
    if moved.status is not Status.OPTIMAL:
        return np.nan  # one person that leaves no plan at all has no value, not -inf
    change = moved.objective - out.objective
    return 0.0 if abs(change) <= OBJECTIVE_NOISE * 1e3 * max(1.0, abs(out.objective)) else change


def _dual_fails_forward(forward: Forward, row: int, shadow: np.ndarray) -> bool:
    """True when the row's dual is not the rate for an increase (a degenerate limit).

    The forward difference is taken at the usual step and, if that disagrees, at a step
    twenty times smaller, so that a breakpoint just past the limit is not mistaken for
    degeneracy. Not smaller: a step of 1e-7 relative lies inside GLOP's feasibility
    tolerance, which let a minimum headcount held at its cap look free to rise. A test the
    LP's own answer decides (``Forward.decided``) is not re-solved.
    """
    if forward.decided(row, shadow[row]):
        return False
    out, limit = forward.out, forward.limit[row]
    for scale in (1.0, 0.05):
        rate = forward(row, scale)
        step = scale * FORWARD_STEP * max(1.0, abs(limit))
        noise = OBJECTIVE_NOISE * max(1.0, abs(out.objective)) / step
        tol = DUAL_CHECK_TOL * max(1.0, abs(shadow[row])) + noise
        if np.isfinite(rate) and abs(rate - shadow[row]) <= tol:
            return False
    return True


class Forward:
    """Each row's rate for an increase of its limit, re-solved in the plan's fixed LP once
    per row and step (``__call__``), and the answers its own solution already gives
    (``decided``); see the module docstring.

    ``resolves`` counts the LP re-solves made; ``skipped`` the ones decided without one
    (what the tests check against the re-solves themselves).
    """

    def __init__(self, out: SolverOutput, a: ModelArrays, limit: np.ndarray, sense: np.ndarray):
        self.out, self.a, self.limit, self.sense = out, a, limit, sense
        self.rates: dict[tuple[int, float], float] = {}
        self.resolves = 0
        self.skipped: list[tuple[str, int]] = []

    def decided(self, row: int, dual: float) -> bool:
        """The dual test passes without a re-solve: a binding ``<=`` limit with a zero dual
        (see the module docstring)."""
        if self.sense[row] == "<=" and abs(dual) < ZERO_PRICE:
            self.skipped.append(("zero dual", row))
            return True
        return False

    def __call__(self, row: int, scale: float = 1.0) -> float:
        """(objective with the limit raised by a small step - objective) / step.

        Raising a minimum headcount past the plan's whole number needs the person too:
        for a one-variable row the held variable moves with its limit.
        """
        key = (row, scale)
        if key not in self.rates:
            self.rates[key] = self._rate(row, scale)
        return self.rates[key]

    def _moved(self, rows, cols=None) -> float | None:
        self.resolves += 1
        return self.out.fixed_lp.objective_with(rows, cols)

    def _rate(self, row: int, scale: float) -> float:
        out, a = self.out, self.a
        step = scale * FORWARD_STEP * max(1.0, abs(self.limit[row]))
        lower, upper = a.row_lower[row], a.row_upper[row]
        sense = self.sense[row]
        if sense in ("<=", "=="):  # an equality's limit is both of its sides
            upper = upper + step
        if sense in (">=", "=="):
            lower = lower + step
        entries = np.flatnonzero(a.rows == row)
        single = len(entries) == 1
        if single and _excluded(lower, upper, a.vals[entries[0]], out, a.cols[entries[0]], step):
            self.skipped.append(("past the held bounds", row))
            moved = None
        else:
            moved = self._moved({row: (lower, upper)})
        if moved is None and single:
            col, coef = a.cols[entries[0]], a.vals[entries[0]]
            shift = step / coef
            moved = self._moved(
                {row: (lower, upper)},
                {col: (out.lp_lb[col] + shift, out.lp_ub[col] + shift)},
            )
        if moved is None:
            return -np.inf if a.sense == "max" else np.inf
        return (moved - out.objective) / step


def _excluded(lower: float, upper: float, coef: float, out: SolverOutput, col: int, step: float):
    """A one-variable row ``lower <= coef x <= upper`` that no ``x`` within the fixed LP's
    bounds meets, by more than half the step: the LP with it has no solution."""
    if coef == 0.0 or out.lp_lb is None or out.lp_ub is None:
        return False
    low, high = sorted((coef * out.lp_lb[col], coef * out.lp_ub[col]))
    return bool(lower > high + step / 2 or upper < low - step / 2)
