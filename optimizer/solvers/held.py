"""One solver model per model: built once, its numbers changed in place between solves.

CBC (a PuLP ``LpProblem``) and OR-Tools (a MathOpt ``Model``) are handed a model object the
adapter builds from the arrays. An answer solves the same model many times with a few
numbers moved: the fixed LP after the MILP (bounds and integrality), the "unbounded" check
(costs), every re-solve behind a price (``twostage.ResolvingFixedLP``: a row limit or a
bound), every whole-person MILP (a row limit), every what-if of a session. Building the
solver's model anew for each of those was most of the adapter's own time; instead each
backend keeps one model per model shape and, before each solve, changes only the numbers
that differ from the ones it holds (costs, column bounds, integrality, row limits,
coefficients). The solver then gets exactly the model a fresh build would give it
(``export_model`` / the MPS text are equal; tests/test_backend_reuse.py), so every answer
is the same to the bit.

Where a model is found (:class:`Shelf`):

- the engine's own last model (``last``): a session's engine and a fixed LP's re-solves
  keep theirs, whatever arrays the next solve brings, as long as its shape fits;
- else the model held for the arrays' coefficient array ``a.rows`` (the same object: the
  plan's arrays, ``dataclasses.replace`` copies of them with limits, bounds or costs moved,
  as the pricing and the whole-person steps make), or for arrays with the same
  coefficient positions (the same model built again by the caller: the cross-check). It
  lives as long as such an array (the shelf holds no reference to the arrays and drops the
  model when the last of them is collected), or while it is one of the ``KEEP_RECENT``
  models used last;
- else one is built (and shelved for those arrays).

A model is used by one solve at a time (its ``lock``); a solve that finds it busy (another
thread) builds its own. A model of another shape (a tie stage's extended model, another
scenario) is another model. "Shape" is the merged coefficient pattern (the rows and
columns of the nonzero entries, ``twostage.merged_coo``) and the model's size; a model
that cannot take a change in place (CBC: a row whose limits change kind, e.g. from one
side to both) is built afresh for that solve.
"""

from __future__ import annotations

import collections
import threading
import weakref
from collections.abc import Callable
from typing import Protocol

import numpy as np

from optimizer.model.linear import ModelArrays
from optimizer.solvers import twostage


class Held(Protocol):
    """A solver's model that ``Shelf`` keeps and changes in place."""

    lock: threading.Lock

    def load(self, a: ModelArrays, lb, ub, integer) -> bool:
        """Hold ``a``'s numbers with the columns' ``lb``, ``ub`` and ``integer``; False
        (nothing changed) if ``a`` has another shape or the change cannot be made in place."""
        ...


def changed(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    """Indices where two float arrays differ to the bit (so -0.0 differs from 0.0, as it
    does in a solver's input; NaN equals the same NaN)."""
    new = np.ascontiguousarray(new, dtype=np.float64)
    old = np.ascontiguousarray(old, dtype=np.float64)
    return np.flatnonzero(new.view(np.int64) != old.view(np.int64))


class Shape:
    """The shape a held model was built for, and its coefficients: the model's size, the
    merged pattern of nonzero entries and their values, with a weak reference to the
    arrays' own ``rows``, ``cols`` and ``vals`` (the same objects need no comparison)."""

    def __init__(self, a: ModelArrays):
        self.num_vars, self.num_rows = a.num_vars, a.num_rows
        self.rows, self.cols, self.vals = twostage.merged_coo(a)
        self._refs = self._refs_of(a)

    @staticmethod
    def _refs_of(a: ModelArrays):
        try:
            return tuple(weakref.ref(v) for v in (a.rows, a.cols, a.vals))
        except TypeError:  # not weakly referable: compared by value every time
            return None

    def same_objects(self, a: ModelArrays) -> bool:
        refs = self._refs
        return refs is not None and all(r() is v for r, v in zip(refs, (a.rows, a.cols, a.vals)))

    def coefficients(self, a: ModelArrays) -> np.ndarray | None:
        """``a``'s merged coefficients in this pattern's order, or None if ``a`` has
        another shape. The same arrays as last time give the values held."""
        if a.num_vars != self.num_vars or a.num_rows != self.num_rows:
            return None
        if self.same_objects(a):
            return self.vals
        rows, cols, vals = twostage.merged_coo(a)
        if not (np.array_equal(rows, self.rows) and np.array_equal(cols, self.cols)):
            return None
        return vals

    def hold(self, a: ModelArrays, vals: np.ndarray) -> None:
        """Remember ``vals`` as the coefficients held, and ``a``'s arrays as their source."""
        self.vals = vals
        self._refs = self._refs_of(a)


KEEP_RECENT = 2
"""The models a shelf keeps after their arrays are gone: the last ones used, so that an
answer that builds the same model again (the cross-check builds the scenario's model for
its re-pricing after the plan's arrays are gone) finds it. Two: the plan's model is the
last one used after its tie stages' models."""


class Shelf:
    """The held models of one backend, each kept as long as a coefficient array it serves
    (see the module docstring). ``builds`` counts the models built."""

    def __init__(self, build: Callable[[ModelArrays, np.ndarray, np.ndarray, np.ndarray], Held]):
        self.build = build
        self.builds = 0
        self._models: dict[int, Held] = {}  # id(a.rows) -> model, while a.rows lives
        self._shapes: dict[tuple, weakref.ref] = {}  # fingerprint -> model, while it lives
        self._recent: collections.deque = collections.deque(maxlen=KEEP_RECENT)
        # re-entrant: the collector can drop a model (and call back here) at any allocation
        self._lock = threading.RLock()

    @staticmethod
    def _fingerprint(a: ModelArrays) -> tuple:
        rows, cols = np.ascontiguousarray(a.rows), np.ascontiguousarray(a.cols)
        return (a.num_vars, a.num_rows, len(rows), hash(rows.tobytes()), hash(cols.tobytes()))

    def _shelved(self, a: ModelArrays) -> Held | None:
        """The model kept for ``a.rows``, or for equal coefficient positions in other arrays
        (the same model built again elsewhere, as the cross-check does); then kept for
        ``a.rows`` too."""
        with self._lock:
            model = self._models.get(id(a.rows))
        if model is not None:
            return model
        with self._lock:
            ref = self._shapes.get(self._fingerprint(a))
        model = ref() if ref is not None else None
        if model is not None:
            self._shelve(a, model)
        return model

    def _shelve(self, a: ModelArrays, model: Held) -> None:
        key = id(a.rows)
        try:
            weakref.finalize(a.rows, self._drop, key, weakref.ref(model))
        except TypeError:
            return  # not weakly referable: not shelved (it would outlive its arrays)
        shape = self._fingerprint(a)
        with self._lock:
            self._models.setdefault(key, model)
            self._shapes[shape] = weakref.ref(model, lambda ref: self._forget(shape, ref))

    def _drop(self, key: int, ref) -> None:
        with self._lock:
            if self._models.get(key) is ref():
                del self._models[key]

    def _forget(self, shape: tuple, ref) -> None:
        with self._lock:
            if self._shapes.get(shape) is ref:
                del self._shapes[shape]

    def _used(self, model: Held) -> None:
        with self._lock:
            if model in self._recent:
                self._recent.remove(model)
            self._recent.appendleft(model)

    def solve(self, a: ModelArrays, lb, ub, integer, run: Callable[[Held], object], last=None):
        """``run(model)`` on a model holding ``a``'s numbers with ``lb``, ``ub``,
        ``integer``, locked for the call; returns (run's answer, the model used)."""
        for model in (last, self._shelved(a)):
            if model is None or not model.lock.acquire(blocking=False):
                continue
            try:
                if model.load(a, lb, ub, integer):
                    self._used(model)
                    return run(model), model
            finally:
                model.lock.release()
        model = self.build(a, lb, ub, integer)
        self.builds += 1
        if self._shelved(a) is None:
            self._shelve(a, model)
        self._used(model)
        with model.lock:
            return run(model), model
