"""The model a tie stage solves: the plan's model with columns and rows added.

Each stage measures something the leader's objective does not see, mostly absolute values.
An absolute value is a column ``u`` with two rows,

    u - sum(a x)  >= 0   and   u + sum(a x) >= 0,   so   u >= |sum(a x)|,

and minimising ``u`` makes it equal. A change between months is the same with
``sum(a x) = x[t] - x[t-1]`` (trailing axes of the index array summed: all tiers of a
month's conversations, for example). A stage's cost is a vector over every column so far
(the model's and the added ones); ``Extension.arrays`` returns the extended model with that
cost and the rows that hold earlier stages (``holding``), always as a minimisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from optimizer.model.linear import ModelArrays, Term


@dataclass
class Extension:
    """Columns and rows added to a model, kept as lists until ``arrays``."""

    base: ModelArrays
    lb: list[float] = field(default_factory=list)
    ub: list[float] = field(default_factory=list)
    rows: list[np.ndarray] = field(default_factory=list)
    cols: list[np.ndarray] = field(default_factory=list)
    vals: list[np.ndarray] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)

    @property
    def num_vars(self) -> int:
        return self.base.num_vars + len(self.lb)

    @property
    def num_rows(self) -> int:
        return self.base.num_rows + len(self.lower)

    def add_cols(self, count: int, lb: float = 0.0, ub: float = np.inf) -> np.ndarray:
        start = self.num_vars
        self.lb += [lb] * count
        self.ub += [ub] * count
        return np.arange(start, start + count)

    def add_rows(self, cols: np.ndarray, vals: np.ndarray, lower, upper) -> None:
        """Many rows at once: ``cols`` and ``vals`` shaped (rows, entries)."""
        cols, vals = np.broadcast_arrays(np.asarray(cols), np.asarray(vals, float))
        count = cols.shape[0]
        ids = np.arange(self.num_rows, self.num_rows + count)
        self.rows.append(np.repeat(ids, cols.shape[1]).astype(np.int64))
        self.cols.append(cols.reshape(count, -1).ravel().astype(np.int64))
        self.vals.append(vals.reshape(count, -1).ravel())
        self.lower += list(np.broadcast_to(np.asarray(lower, float), (count,)))
        self.upper += list(np.broadcast_to(np.asarray(upper, float), (count,)))

    def add_abs(self, cols: np.ndarray, vals: np.ndarray) -> np.ndarray:
        """u >= |sum(vals x x[cols])| per row of (rows, entries); returns the u columns."""
        cols, vals = np.broadcast_arrays(np.asarray(cols), np.asarray(vals, float))
        u = self.add_cols(cols.shape[0])
        for sign in (1.0, -1.0):
            self.add_rows(
                np.column_stack([u, cols]),
                np.column_stack([np.ones(len(u)), sign * vals]),
                0.0,
                np.inf,
            )
        return u

    def arrays(self, cost, held, lb=None, ub=None, integer=None) -> ModelArrays:
        """The extended model with ``cost`` and the ``held`` rows (cols, vals, upper)."""
        a, n = self.base, self.num_vars
        extra = len(self.lb)
        first = self.num_rows
        held_rows = [np.full(len(c), first + k, dtype=np.int64) for k, (c, _, _) in enumerate(held)]
        rows = np.concatenate([a.rows, *self.rows, *held_rows])
        cols = np.concatenate([a.cols, *self.cols, *[c for c, _, _ in held]]).astype(np.int64)
        vals = np.concatenate([a.vals, *self.vals, *[w for _, w, _ in held]])
        lower = np.concatenate([a.row_lower, self.lower, np.full(len(held), -np.inf)])
        upper = np.concatenate([a.row_upper, self.upper, [u for _, _, u in held]])
        return ModelArrays(
            c=cost,
            c0=0.0,
            c_tiebreak=np.zeros(n),
            lb=np.concatenate([a.lb if lb is None else lb, self.lb]),
            ub=np.concatenate([a.ub if ub is None else ub, self.ub]),
            integer=np.concatenate(
                [a.integer if integer is None else integer, np.zeros(extra, bool)]
            ),
            rows=rows,
            cols=cols,
            vals=vals,
            lhs_mask=np.concatenate([a.lhs_mask, np.ones(len(vals) - len(a.vals), bool)]),
            row_lower=lower,
            row_upper=upper,
            rhs=np.where(np.isfinite(lower), lower, np.where(np.isfinite(upper), upper, 0.0)),
            sense="min",
        )


def series(idx: np.ndarray) -> np.ndarray:
    """Index array (months, ...) as (months, groups, summed): trailing axes are summed."""
    idx = np.asarray(idx)
    return idx.reshape(idx.shape[0], -1, 1) if idx.ndim <= 2 else idx.reshape(*idx.shape[:2], -1)


def changes(ext: Extension, idx: np.ndarray, weight: float = 1.0) -> tuple[np.ndarray, float]:
    """Columns u >= |x[t] - x[t-1]| for each month t > 1 and group; returns (u, weight)."""
    s = series(idx)
    months, groups, summed = s.shape
    if months < 2:
        return np.zeros(0, dtype=np.int64), weight
    now = s[1:].reshape(-1, summed)
    before = s[:-1].reshape(-1, summed)
    cols = np.hstack([now, before])
    vals = np.hstack([np.ones(now.shape), -np.ones(before.shape)])
    return ext.add_abs(cols, vals), weight


def stage_cost(ext: Extension, parts: list[tuple[np.ndarray, float | np.ndarray]]) -> np.ndarray:
    """The cost vector over every column so far: each part's weight on its columns, summed."""
    out = np.zeros(ext.num_vars)
    for cols, weight in parts:
        np.add.at(out, cols, np.broadcast_to(np.asarray(weight, float), np.shape(cols)))
    return out


def pad(cost: np.ndarray, size: int) -> np.ndarray:
    """A cost vector extended with zeros over columns added after it."""
    return np.concatenate([cost, np.zeros(size - len(cost))])


def term_matrix(terms: list[Term]) -> tuple[np.ndarray, np.ndarray, tuple]:
    """Linear terms over a row shape (the shape of the first term's leading axes, with
    trailing axes summed, as ``LinearModel.add_rows``) as (rows, entries) arrays."""
    shape = None
    cols, vals = [], []
    for coef, idx in terms:
        idx = np.asarray(idx)
        if shape is None:
            shape = idx.shape if idx.ndim <= 2 else idx.shape[:2]
        count = int(np.prod(shape, dtype=np.int64))
        values = np.broadcast_to(np.asarray(coef, float), idx.shape)
        cols.append(idx.reshape(count, -1))
        vals.append(values.reshape(count, -1))
    return np.hstack(cols), np.hstack(vals), shape
