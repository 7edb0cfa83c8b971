"""Each input's pattern, and the model at moved inputs, each built once per answer.

An answer asks for the model at many input values: marginal values (one value either side
of each input), the what-if engine's straight lines (values either side of each input),
and the explanation's steps (each input one natural step on, held and hiring free, the
quality floor at each tier). :class:`Patterns` holds one scenario's model and builds
every moved model it is asked for once: the second caller of ``(input, value)`` gets the
first build. Marginal values, ``WhatIf`` (held and hiring free) and the explanation's
steps share one ``Patterns`` so that no input value is validated or built twice.

An input's pattern. Where the model is affine in the input ``p``,

    arrays(p + t) = arrays(p) + t * D,    for p + t in [low, high],

where ``arrays`` is every cost, constant, bound, limit and coefficient (entries an input
makes zero kept, so models at other values have the same entries in the same order) and
``D`` is the pattern: how each of them moves per unit of ``p`` (:class:`Pattern`, sparse).
``line(path)`` learns it as the what-if engine always has: built at values either side
(``SPANS``: half and one and a half times the value where the schema accepts them and the
model keeps its shape, else nearer), ``D`` the slope between them, accepted only where the
model at ``p`` itself lies on it (``_same_numbers``) and only between those two values.
``affine`` declares, as data, the inputs that never enter so (``NOT_AFFINE``: the quality
floor picks the tiers, Erlang tables step); an input that enters through a ratio (a
relative gap to today's target) fails the check and has no line. Tests hold every line to
builds at values inside it, on the bundled and generated companies
(``tests/test_input_patterns.py``).

Why builds at those values and not one derivative (a single build at ``p + h``): the
printed numbers are computed from these builds, bit for bit (a rate is ``D`` times the
shadow prices; ``valid_range`` ends at the line's ``low`` and ``high``), and a slope taken
elsewhere differs in its last digits, a range verified elsewhere in its ends. So the runtime
keeps the builds and caches them; nothing is built twice.

The store. A moved model is kept by its changes (``{path: value}``) as the entries where
its numbers differ from the base's, bit for bit, and rebuilt from them exactly; a model of
another shape (a minimum of 0 has no row) is kept whole. A value the schema refuses is kept
with its error, raised again for the next caller. The moved scenario (validated once, as a
file is) is kept for the independent check of a re-solved plan. Entries beyond ``limit``
(the least recently used) are dropped: a long sweep of what-ifs holds a bounded store.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from optimizer.model.chain import Vars, build_model
from optimizer.model.linear import LinearModel, ModelArrays
from optimizer.scenario.inputs import is_int_field, is_structural, numeric_inputs, with_values
from optimizer.scenario.names import QUALITY_FLOOR, Objective
from optimizer.scenario.schema import Scenario

NOT_AFFINE_PREFIXES = ("support.live_channels",)
NOT_AFFINE = {QUALITY_FLOOR}
"""Inputs whose effect on the model is a step or a table, never a straight line."""

SPANS = (0.5, 0.25, 0.1, 0.01)
"""How far either side of its value an input's straight line is looked for (share of the
value, at least 1): the widest that the schema accepts and that keeps the model's shape."""

_FIELDS = ("c", "c_tiebreak", "lb", "ub", "rhs", "vals")
_ARRAYS = ("c", "c_tiebreak", "lb", "ub", "integer", "rows", "cols", "vals", "lhs_mask",
           "row_lower", "row_upper", "rhs")  # fmt: skip


def affine(path: str) -> bool:
    """False for inputs known to enter the model through steps or tables."""
    return path not in NOT_AFFINE and not path.startswith(NOT_AFFINE_PREFIXES)


@dataclass(frozen=True)
class Pattern:
    """How the model's numbers move per unit of one input (sparse: index, slope), and the
    values it was verified between."""

    slopes: dict[str, tuple[np.ndarray, np.ndarray]]
    c0: float
    low: float
    high: float

    @classmethod
    def between(
        cls, base: ModelArrays, other: ModelArrays, h: float, low: float, high: float
    ) -> Pattern | None:
        """The slope from ``base`` to ``other`` (built h further on); None if the shape moved."""
        if not same_shape(base, other):
            return None
        slopes = {}
        for name in _FIELDS:
            a, b = getattr(base, name), getattr(other, name)
            finite = np.isfinite(a)
            if not np.array_equal(finite, np.isfinite(b)):
                return None  # a bound appeared or went away: not a straight line
            delta = b - a if finite.all() else np.where(finite, b - np.where(finite, a, 0.0), 0.0)
            idx = np.flatnonzero(delta)
            slopes[name] = (idx, delta[idx] / h)
        return cls(slopes, (other.c0 - base.c0) / h, low, high)

    def at(self, base: ModelArrays, step: float) -> ModelArrays:
        """The model's numbers with the input moved by ``step``."""
        changed = {}
        for name, (idx, slope) in self.slopes.items():
            if len(idx):
                values = getattr(base, name).copy()
                values[idx] += step * slope
                changed[name] = values
        if "rhs" in changed:
            rhs = changed["rhs"]
            changed["row_lower"] = np.where(np.isfinite(base.row_lower), rhs, -np.inf)
            changed["row_upper"] = np.where(np.isfinite(base.row_upper), rhs, np.inf)
        return replace(base, c0=base.c0 + step * self.c0, **changed)


def same_shape(a: ModelArrays, b: ModelArrays) -> bool:
    """The same variables, rows, entries and whole-number columns, and the same rows bounded."""
    return (
        a.num_rows == b.num_rows
        and a.num_vars == b.num_vars
        and np.array_equal(a.rows, b.rows)
        and np.array_equal(a.cols, b.cols)
        and np.array_equal(a.integer, b.integer)
        and np.array_equal(np.isfinite(a.row_lower), np.isfinite(b.row_lower))
        and np.array_equal(np.isfinite(a.row_upper), np.isfinite(b.row_upper))
    )


def same_numbers(a: ModelArrays, b: ModelArrays, tol: float = 1e-9) -> bool:
    """Equal up to rounding: what a straight-line prediction must meet."""
    if not same_shape(a, b) or not np.isclose(a.c0, b.c0, rtol=tol, atol=tol):
        return False
    for name in (*_FIELDS, "row_lower", "row_upper"):
        x, y = getattr(a, name), getattr(b, name)
        scale = max(1.0, float(np.max(np.abs(np.nan_to_num(x, posinf=0, neginf=0)), initial=0.0)))
        if not np.allclose(x, y, rtol=tol, atol=tol * scale):
            return False
    return True


Changes = tuple[tuple[str, float], ...]


def _key(changes: Mapping[str, float]) -> Changes:
    return tuple(sorted((path, float(value)) for path, value in changes.items()))


@dataclass
class _Moved:
    """One moved scenario (validated once) and, once asked for, its model: a patch on the
    base's numbers (the same shape) or the model itself (another shape)."""

    scenario: Scenario
    built: bool = False
    patch: dict[str, tuple[np.ndarray, np.ndarray]] | None = None  # field -> (index, values)
    c0: float = 0.0
    model: tuple[LinearModel, Vars] | None = None  # kept whole: another shape


def _patch(base: ModelArrays, other: ModelArrays) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Where ``other``'s arrays differ from ``base``'s, bit for bit (a -0.0 is kept)."""
    patch = {}
    for name in _ARRAYS:
        a, b = getattr(base, name), getattr(other, name)
        differ = a.view(np.int64) != b.view(np.int64) if a.dtype == np.float64 else a != b
        idx = np.flatnonzero(differ)
        if len(idx):
            patch[name] = (idx, b[idx].copy())
    return patch


class Patterns:
    """One scenario's model (``model``, ``vars``, ``base``: its arrays, zeros kept), every
    moved model built at most once, and each input's :class:`Pattern`.

    ``built`` hands over a model already built from ``scenario`` and ``objective`` (the
    plan's own), so that the base is not built again. ``builds`` counts the models built.
    Safe to share between threads (one lock around the store).
    """

    def __init__(
        self,
        scenario: Scenario,
        objective: str | None = None,
        *,
        built: tuple[LinearModel, Vars] | None = None,
        limit: int | None = None,
    ):
        self.scenario = scenario
        self.objective = objective or scenario.objective
        self.builds = 0
        if built is None:
            built = self._build(scenario)
        self.model, self.vars = built
        self.model.objective_name = self.objective
        self.base = self.model.arrays(drop_zeros=False)
        self.values = {p: v for p, v, _ in numeric_inputs(scenario, Objective.closest_to_current)}
        self.limit = limit if limit is not None else max(256, 8 * len(self.values))
        self._store: OrderedDict[Changes, _Moved | Exception] = OrderedDict()
        self._lines: dict[str, Pattern | None] = {}
        self._lock = threading.RLock()

    @property
    def held(self) -> int:
        """How many moved scenarios (and their models, once built) the store holds."""
        return len(self._store)

    # ---- the model at moved inputs ---------------------------------------------------------
    def scenario_at(self, changes: Mapping[str, float]) -> Scenario:
        """The scenario with ``changes`` applied, validated once; raises what ``with_values``
        raised (``ScenarioError``) for a value the schema refuses."""
        return self._moved(changes, build=False).scenario

    def arrays_at(self, changes: Mapping[str, float]) -> ModelArrays:
        """The model's numbers at ``changes`` (zeros kept), as a build gives them, bit for
        bit; raises as ``scenario_at`` for a refused value."""
        moved = self._moved(changes)
        if moved.model is not None:
            return moved.model[0].arrays(drop_zeros=False)
        changed = {}
        for name, (idx, values) in moved.patch.items():
            array = getattr(self.base, name).copy()
            array[idx] = values
            changed[name] = array
        return replace(self.base, c0=moved.c0, **changed)

    def keeps_shape(self, changes: Mapping[str, float]) -> bool:
        """Whether the model at ``changes`` has the base's shape (``same_shape``)."""
        return self._moved(changes).model is None

    def model_at(self, changes: Mapping[str, float]) -> tuple[LinearModel, Vars]:
        """The model built at ``changes`` when its shape differs from the base's (a row or
        tier came or went); the base's model (names, rows) when it keeps the shape."""
        moved = self._moved(changes)
        return moved.model if moved.model is not None else (self.model, self.vars)

    def _moved(self, changes: Mapping[str, float], build: bool = True) -> _Moved:
        key = _key(changes)
        with self._lock:
            moved = self._store.get(key)
            if moved is None:
                moved = self._store[key] = self._validated(dict(key))
                while len(self._store) > self.limit:
                    self._store.popitem(last=False)
            else:
                self._store.move_to_end(key)
            if isinstance(moved, Exception):
                raise moved.with_traceback(None)
            if build and not moved.built:
                self._build_moved(moved, bool(key))
        return moved

    def _validated(self, changes: dict[str, float]) -> _Moved | Exception:
        if not changes:
            return _Moved(self.scenario)
        try:
            return _Moved(with_values(self.scenario, changes))
        except Exception as refused:  # noqa: BLE001 - outside the input's valid range
            return refused

    def _build_moved(self, moved: _Moved, changed: bool) -> None:
        if not changed:  # the base itself
            moved.patch, moved.c0 = {}, self.base.c0
        else:
            model, v = self._build(moved.scenario)
            arrays = model.arrays(drop_zeros=False)
            moved.c0 = arrays.c0
            if same_shape(self.base, arrays):
                moved.patch = _patch(self.base, arrays)
            else:
                model.objective_name = self.objective
                moved.model = (model, v)
        moved.built = True

    def _build(self, scenario: Scenario) -> tuple[LinearModel, Vars]:
        self.builds += 1
        return build_model(scenario, self.objective)

    # ---- each input's pattern --------------------------------------------------------------
    def line(self, path: str) -> Pattern | None:
        """The input's straight line, verified on three values; None if it has none (see the
        module docstring). Learnt once per input; ``affine`` is the caller's to ask."""
        with self._lock:
            if path not in self._lines:
                self._lines[path] = (
                    None if is_structural(path) or path not in self.values else self._find(path)
                )
            return self._lines[path]

    def _find(self, path: str) -> Pattern | None:
        value = self.values[path]
        whole = is_int_field(self.scenario, path)
        reach = max(abs(value), 1.0)
        sides = {}
        for sign in (-1.0, 1.0):
            for share in SPANS:
                step = sign * (max(1.0, round(share * reach)) if whole else share * reach)
                arrays = self._same_shape_at(path, value + step)
                if arrays is not None:
                    sides[sign] = (value + step, arrays)
                    break
        if len(sides) == 2:
            (low, a_low), (high, a_high) = sides[-1.0], sides[1.0]
            check_at, check = value, self.base
        elif len(sides) == 1:  # one side only (a share near 1): check half way to it
            ((far, a_far),) = sides.values()
            middle = value + (far - value) / 2
            if whole and not float(middle).is_integer():
                return None
            low, high = sorted((value, far))
            a_low, a_high = (self.base, a_far) if far > value else (a_far, self.base)
            check_at, check = middle, self._same_shape_at(path, middle)
            if check is None:
                return None
        else:
            return None
        line = Pattern.between(a_low, a_high, high - low, low, high)
        if line is None or not same_numbers(line.at(a_low, check_at - low), check):
            return None
        return line

    def _same_shape_at(self, path: str, value: float) -> ModelArrays | None:
        """The model's numbers with one input moved, or None (refused, or another shape)."""
        try:
            if not self.keeps_shape({path: value}):
                return None
        except Exception:  # noqa: BLE001 - outside the input's valid range
            return None
        return self.arrays_at({path: value})
