"""A solver-neutral linear model: named variable blocks and named constraint blocks.

Variables and constraints are added a block at a time from numpy arrays (one block
is one family over its labelled axes, e.g. ``sales-selling_time`` over teams x
months), so building a large model costs no per-element Python work. Adapters in
``optimizer.solvers`` turn the finished model into a solver's own form.

A constraint reads ``lhs  <sense>  rhs_terms + rhs``. Keeping variable terms on the
right (such as ``selling_minutes * reps``) lets a report show the limit a manager
recognises ("6 600 minutes available") instead of a zero.
"""

from __future__ import annotations

import itertools
import math
import string
from dataclasses import dataclass, field, replace

import numpy as np

SENSES = ("<=", ">=", "==")
NATURES = ("fact", "capacity", "policy")
KINDS = ("limit", "goal", "definition")


@dataclass(frozen=True)
class Axis:
    name: str
    labels: tuple[str, ...]


@dataclass
class VarBlock:
    name: str
    unit: str
    start: int
    axes: tuple[Axis, ...]
    integer: bool

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(a.labels) for a in self.axes)

    @property
    def size(self) -> int:
        return math.prod(len(a.labels) for a in self.axes)


@dataclass
class RowBlock:
    """One constraint family. ``parameter`` is a template over the axis names.

    ``nature`` says what kind of limit it is, which matters when today's targets are
    evaluated: a ``fact`` of the market (lead prices, market size) never gives; a
    ``capacity`` (the minutes in a day, leads that exist, what workers can build) gives
    only when a target forces it; a ``policy`` (budget, caps, quality floor) gives first.
    """

    name: str
    department: str
    description: str
    sense: str
    kind: str
    unit: str
    start: int
    axes: tuple[Axis, ...]
    parameter: str | list[str] | None
    nature: str = "policy"
    step_down: list | None = None  # the limit with one person fewer (whole-people limits)

    @property
    def size(self) -> int:
        return math.prod(len(a.labels) for a in self.axes)

    @property
    def stop(self) -> int:
        return self.start + self.size

    def step_limit(self, x: np.ndarray) -> np.ndarray | None:
        """Each row's limit with one person fewer, at ``x`` (None for ordinary limits)."""
        if self.step_down is None:
            return None
        shape = tuple(len(a.labels) for a in self.axes)
        out = np.zeros(shape)
        for coef, idx in self.step_down:
            idx = np.asarray(idx)
            values = np.broadcast_to(np.asarray(coef, float), idx.shape) * x[idx]
            out += values.reshape(shape + (-1,)).sum(axis=-1)
        return out.ravel()

    def parameters(self) -> list[str | None]:
        """The scenario input behind each row's limit, with the axis labels filled in.

        The template is filled once per combination of the axes it names (once per team
        for ``sales.teams[{team}].reps.max``, not once per team and month).
        """
        if self.parameter is None:
            return [None] * self.size
        if isinstance(self.parameter, list):
            return list(self.parameter)
        names = [a.name for a in self.axes]
        used = _template_fields(self.parameter)
        if used is None or not used <= set(names) or len(set(names)) < len(names):
            combos = itertools.product(*(a.labels for a in self.axes))
            return [self.parameter.format(**dict(zip(names, combo))) for combo in combos]
        axes = [a for a in self.axes if a.name in used]
        filled = [
            self.parameter.format(**dict(zip([a.name for a in axes], combo)))
            for combo in itertools.product(*(a.labels for a in axes))
        ]
        shape = [len(a.labels) if a.name in used else 1 for a in self.axes]
        values = np.array(filled, dtype=object).reshape(shape)
        return np.broadcast_to(values, [len(a.labels) for a in self.axes]).ravel().tolist()


Term = tuple[np.ndarray | float, np.ndarray]


_MASK = 4096
_TRUE = np.ones(_MASK, dtype=bool)
_FALSE = np.zeros(_MASK, dtype=bool)
_TRUE.flags.writeable = _FALSE.flags.writeable = False
"""Read-only runs of True and False: a term's side of the equation, sliced (``arrays``
concatenates them into a new array)."""


def _fit(value, shape: tuple[int, ...]) -> np.ndarray:
    """``value`` as floats of ``shape``: broadcast as ``np.broadcast_to`` does (a read-only
    view; the caller copies what it keeps), without its overhead for a scalar or an array
    of the shape already (most terms of a build)."""
    if isinstance(value, (int, float)):
        return np.full(shape, float(value))
    array = np.asarray(value, dtype=float)
    if array.shape == shape:
        return array
    return np.broadcast_to(array, shape)


@dataclass
class LinearModel:
    """The model: arrays a solver needs plus the names and meaning of every row."""

    sense: str = "max"
    var_blocks: dict[str, VarBlock] = field(default_factory=dict)
    row_blocks: dict[str, RowBlock] = field(default_factory=dict)
    num_vars: int = 0
    num_rows: int = 0
    _lb: list[np.ndarray] = field(default_factory=list)
    _ub: list[np.ndarray] = field(default_factory=list)
    _int: list[np.ndarray] = field(default_factory=list)
    _rows: list[np.ndarray] = field(default_factory=list)
    _cols: list[np.ndarray] = field(default_factory=list)
    _vals: list[np.ndarray] = field(default_factory=list)
    _lhs_mask: list[np.ndarray] = field(default_factory=list)
    _rhs: list[np.ndarray] = field(default_factory=list)
    objective_terms: list[Term] = field(default_factory=list)
    tiebreak_terms: list[Term] = field(default_factory=list)
    objective_constant: float = 0.0
    objective_name: str = ""
    objective_unit: str = "$"

    # ---- building -------------------------------------------------------------------
    def add_vars(
        self,
        name: str,
        axes: list[tuple[str, list[str]]],
        *,
        lb: float | np.ndarray = 0.0,
        ub: float | np.ndarray = np.inf,
        integer: bool | np.ndarray = False,
        unit: str = "",
    ) -> np.ndarray:
        """Add a block of variables; return their indices shaped like the axes.

        ``integer`` is one flag for the block or one per variable (broadcast to the axes);
        the block counts as integer when any of its variables is."""
        if name in self.var_blocks:
            raise ValueError(f"variable block {name!r} already exists")
        block_axes = tuple(Axis(n, tuple(labels)) for n, labels in axes)
        block = VarBlock(name, unit, self.num_vars, block_axes, bool(np.any(integer)))
        shape = block.shape
        size = math.prod(shape)
        self._lb.append(_fit(lb, shape).ravel())
        self._ub.append(_fit(ub, shape).ravel())
        if isinstance(integer, bool):
            self._int.append(np.full(size, integer))
        else:
            self._int.append(np.broadcast_to(np.asarray(integer, bool), shape).ravel().copy())
        self.var_blocks[name] = block
        self.num_vars += size
        return np.arange(block.start, block.start + size).reshape(shape)

    def add_rows(
        self,
        name: str,
        *,
        department: str,
        description: str,
        axes: list[tuple[str, list[str]]],
        lhs: list[Term],
        sense: str,
        rhs: float | np.ndarray = 0.0,
        rhs_terms: list[Term] | None = None,
        kind: str = "limit",
        unit: str = "",
        parameter: str | list[str] | None = None,
        nature: str = "policy",
        step_down: list[Term] | None = None,
    ) -> None:
        """Add one constraint family: ``sum(lhs) sense sum(rhs_terms) + rhs`` per row.

        Each term is ``(coefficient, variable indices)``. The indices have the row
        shape, optionally followed by trailing axes that are summed over; the
        coefficient broadcasts to the indices' shape.
        """
        key = f"{department}-{name}"
        if key in self.row_blocks:
            raise ValueError(f"constraint family {key!r} already exists")
        if sense not in SENSES or kind not in KINDS or nature not in NATURES:
            raise ValueError(f"bad sense {sense!r}, kind {kind!r} or nature {nature!r} for {key!r}")
        if not description:
            raise ValueError(f"constraint family {key!r} needs a description")
        block_axes = tuple(Axis(n, tuple(labels)) for n, labels in axes)
        block = RowBlock(
            key, department, description, sense, kind, unit, self.num_rows, block_axes, parameter,
            nature, step_down,
        )  # fmt: skip
        shape = tuple(len(a.labels) for a in block_axes)
        size = math.prod(shape)
        row_ids = np.arange(block.start, block.start + size).reshape(shape)
        for terms, sign, on_lhs in ((lhs, 1.0, True), (rhs_terms or [], -1.0, False)):
            for coef, idx in terms:
                idx = np.asarray(idx)
                extra = idx.ndim - len(shape)
                if extra < 0 or idx.shape[: len(shape)] != shape:
                    raise ValueError(f"{key}: term of shape {idx.shape} does not fit rows {shape}")
                rows = (
                    row_ids
                    if not extra
                    else np.broadcast_to(row_ids.reshape(shape + (1,) * extra), idx.shape)
                )
                self._rows.append(rows.ravel())
                self._cols.append(idx.ravel())
                if isinstance(coef, (int, float)):  # most terms: one number for every entry
                    self._vals.append(np.full(idx.size, sign * float(coef)))
                else:
                    self._vals.append(sign * _fit(coef, idx.shape).ravel())
                self._lhs_mask.append((_TRUE if on_lhs else _FALSE)[: idx.size]
                                      if idx.size <= _MASK else np.full(idx.size, on_lhs))  # fmt: skip
        self._rhs.append(np.array(_fit(rhs, shape), dtype=float).ravel())
        self.row_blocks[key] = block
        self.num_rows += size

    def add_row_terms(self, rows: np.ndarray, cols: np.ndarray, coefs: np.ndarray) -> None:
        """Add entries to rows that already exist (elastic and lever columns), on the left side."""
        rows, cols, coefs = np.broadcast_arrays(
            np.asarray(rows), np.asarray(cols), np.asarray(coefs, float)
        )
        self._rows.append(rows.ravel())
        self._cols.append(cols.ravel())
        self._vals.append(coefs.ravel())
        self._lhs_mask.append(np.full(rows.size, True))

    def set_limit(self, key: str, value: float | np.ndarray) -> None:
        """Move the right-hand side of every row of the block ``key`` to ``value`` (a
        stage held at its best value, loosened by a tolerance)."""
        index = list(self.row_blocks).index(key)
        self._rhs[index][...] = value

    def clear_objective(self) -> None:
        self.objective_terms, self.tiebreak_terms, self.objective_constant = [], [], 0.0

    def add_objective(self, terms: list[Term], constant: float = 0.0) -> None:
        self.objective_terms.extend(terms)
        self.objective_constant += constant

    def add_tiebreak(self, terms: list[Term]) -> None:
        """Tiny terms the solver sees but the reported objective leaves out."""
        self.tiebreak_terms.extend(terms)

    # ---- finished arrays ---------------------------------------------------------------
    def arrays(self, drop_zeros: bool = True) -> ModelArrays:
        """The model as flat arrays: c, bounds, integrality, COO matrix and row bounds.

        ``drop_zeros=False`` keeps the entries an input made zero, so that models built
        from the same scenario at other input values have the same entries in the same
        order (what-ifs compare them entry by entry).
        """
        c = _dense(self.objective_terms, self.num_vars)
        tiebreak = _dense(self.tiebreak_terms, self.num_vars)
        rhs = _cat(self._rhs)
        lower = np.full(self.num_rows, -np.inf)
        upper = np.full(self.num_rows, np.inf)
        for block in self.row_blocks.values():
            sl = slice(block.start, block.start + block.size)
            if block.sense in ("<=", "=="):
                upper[sl] = rhs[sl]
            if block.sense in (">=", "=="):
                lower[sl] = rhs[sl]
        vals = _cat(self._vals)
        # a coefficient that an input made zero is no entry at all
        keep = vals != 0.0 if drop_zeros else np.ones(len(vals), dtype=bool)
        return ModelArrays(
            c=c,
            c0=self.objective_constant,
            c_tiebreak=tiebreak,
            lb=_cat(self._lb),
            ub=_cat(self._ub),
            integer=_cat(self._int).astype(bool),
            rows=_cat(self._rows).astype(np.int64)[keep],
            cols=_cat(self._cols).astype(np.int64)[keep],
            vals=vals[keep],
            lhs_mask=_cat(self._lhs_mask).astype(bool)[keep],
            row_lower=lower,
            row_upper=upper,
            rhs=rhs,
            sense=self.sense,
            decisions=self.whole_number_decisions(),
        )

    def whole_number_decisions(self) -> int:
        """Whole-number columns, counting a one-of-many choice (a block of unit ``choice``:
        one binary per roster, one chosen a month) once per month: what makes a model hard
        to prove (``optimizer.solvers.GAP_POLICY``)."""
        count = 0
        for block, integer in zip(self.var_blocks.values(), self._int):
            if block.integer:
                choice = block.unit == "choice"
                count += len(block.axes[0].labels) if choice else int(np.count_nonzero(integer))
        return count

    # ---- names -----------------------------------------------------------------------
    def row_names(self) -> list[str]:
        return [
            name for block in self.row_blocks.values() for name in _names(block.name, block.axes)
        ]

    def var_names(self) -> list[str]:
        return [
            name for block in self.var_blocks.values() for name in _names(block.name, block.axes)
        ]


@dataclass
class ModelArrays:
    c: np.ndarray
    c0: float
    c_tiebreak: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    integer: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    lhs_mask: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    rhs: np.ndarray
    sense: str
    decisions: int | None = None  # whole-number decisions (LinearModel.whole_number_decisions)

    @property
    def num_rows(self) -> int:
        return len(self.row_lower)

    @property
    def num_vars(self) -> int:
        return len(self.c)

    def row_activity(self, x: np.ndarray) -> np.ndarray:
        """A @ x, computed here from the model's own arrays, not read from a solver."""
        out = np.zeros(self.num_rows)
        np.add.at(out, self.rows, self.vals * x[self.cols])
        return out

    def sides(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Split each row into its left side and its right side (variables on the right)."""
        left = np.zeros(self.num_rows)
        right_vars = np.zeros(self.num_rows)
        products = self.vals * x[self.cols]
        np.add.at(left, self.rows[self.lhs_mask], products[self.lhs_mask])
        np.add.at(right_vars, self.rows[~self.lhs_mask], -products[~self.lhs_mask])
        return left, right_vars + self.rhs

    def without_zeros(self) -> ModelArrays:
        """The same numbers without the entries that are zero: what
        ``LinearModel.arrays()`` gives where ``arrays(drop_zeros=False)`` gave these."""
        keep = self.vals != 0.0
        if keep.all():
            return self
        return replace(
            self, rows=self.rows[keep], cols=self.cols[keep], vals=self.vals[keep],
            lhs_mask=self.lhs_mask[keep],
        )  # fmt: skip

    def objective(self, x: np.ndarray) -> float:
        """The reported objective (without tie-break terms)."""
        return float(self.c @ x + self.c0)

    def solver_cost(self) -> np.ndarray:
        """The cost vector the solver optimises: the objective plus any tie-break."""
        return self.c + self.c_tiebreak


def _dense(terms: list[Term], size: int) -> np.ndarray:
    out = np.zeros(size)
    for coef, idx in terms:
        idx = np.asarray(idx)
        np.add.at(out, idx.ravel(), np.broadcast_to(np.asarray(coef, float), idx.shape).ravel())
    return out


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0)


def _names(prefix: str, axes: tuple[Axis, ...]) -> list[str]:
    """``prefix[label,label]`` for every combination of the axes' labels, the last fastest."""
    if not axes:
        return [prefix]
    heads = [prefix + "["]
    for axis in axes[:-1]:
        heads = [head + label + "," for head in heads for label in axis.labels]
    tails = [label + "]" for label in axes[-1].labels]
    return [head + tail for head in heads for tail in tails]


def _template_fields(template: str) -> set[str] | None:
    """The names a ``str.format`` template fills (None for anything but plain names)."""
    fields = set()
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:  # a malformed template fails as str.format has it fail
        return None
    for _, name, spec, _ in parsed:
        if name is None:
            continue
        if not name.isidentifier() or (spec and "{" in spec):
            return None
        fields.add(name)
    return fields
