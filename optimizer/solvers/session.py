"""A model held by a backend for what-ifs: loaded once, changed, re-solved.

The persistent session of the solver boundary: ``optimizer.analysis.whatif`` holds one per
scenario and hands it each what-if's numbers. ``open_session(backend, arrays)`` gives one
for any backend, with one shape (:class:`Session`):

- ``load(arrays)``: the model's new numbers (same shape as the first);
- ``solve(duals, ranging, time_limit=None) -> SolverOutput``: in the conventions of the
  backend's own ``solve`` (shadow prices in the objective's sense; ranging NaN or None on a
  backend without it);
- ``backend`` (its name) and ``warm_start`` (whether a re-solve starts from the last one).

Every solve is the two-stage solve (``optimizer.solvers.twostage.solve``). HiGHS
(``warm_start``) gets :class:`HighsSession`: its engine holds the model in one Highs
(``highs.HeldModel``), changed in place (costs, bounds, limits, coefficients) and re-solved
warm; an LP restarts from its last basis. Every other backend gets :class:`ColdSession`:
one engine of the backend for the session, whose solver model (CBC's PuLP problem,
MathOpt's model; ``optimizer.solvers.held``) is built once and has each what-if's numbers
changed in place, then is solved cold (CBC is a new process each time; MathOpt's solvers
start afresh), so its answers are the backend's cold answers, polished (``polish``, see
there). Nothing outside ``optimizer.solvers`` touches a solver.
"""

from __future__ import annotations

from typing import Protocol

from optimizer.model.linear import ModelArrays
from optimizer.solvers import Backend, SolverOutput, backend, twostage
from optimizer.solvers.highs import HeldModel


class Session(Protocol):
    """A model held by one backend: ``load`` new numbers, ``solve`` again."""

    backend: str
    warm_start: bool

    def load(self, new: ModelArrays) -> None: ...

    def solve(
        self, duals: bool, ranging: bool, time_limit: float | None = None
    ) -> SolverOutput: ...


def open_session(name: str | Backend | None, arrays: ModelArrays) -> Session:
    """A session holding ``arrays`` on the backend ``name`` (default HiGHS): warm where the
    backend has ``warm_start`` (HiGHS), otherwise a :class:`ColdSession`."""
    engine = backend(name)
    if engine.warm_start and engine.name == "highs":
        return HighsSession(arrays)
    return ColdSession(engine, arrays)


def solve_fresh(
    name: str | Backend | None,
    arrays: ModelArrays,
    *,
    duals: bool = False,
    ranging: bool = False,
    time_limit: float | None = None,
) -> SolverOutput:
    """One cold solve of ``arrays`` on the backend ``name``, as its session would give it:
    HiGHS's own ``solve``; on a backend without a warm start, a :class:`ColdSession`'s
    (whole-number values that break a row polished, see there)."""
    engine = backend(name)
    if engine.warm_start and engine.name == "highs":
        return engine.solve(arrays, time_limit=time_limit, ranging=ranging, duals=duals)
    return ColdSession(engine, arrays).solve(duals, ranging, time_limit)


class ColdSession:
    """A model for a backend without a warm start: each solve is the backend's own, cold.

    The session keeps one engine of the backend (``Backend.make_engine``), so its solver
    model is built once, at the first solve, and later solves change its numbers in place
    (``optimizer.solvers.held``; a what-if of another shape gets a model of its own).
    ``load`` only keeps the new numbers; ``solve`` is ``twostage.solve(engine, arrays,
    time_limit=..., ranging=..., duals=..., polish=True)``, so the output is what a fresh
    solve on that backend gives, to the bit (the solver gets the same model; nothing of a
    previous solve is kept but the model), with one addition. Without ``duals`` an integer
    model's values are the integer solver's own, and CBC's are read from its text solution
    (8 significant digits). With ``polish``, values that break a row by more than
    ``twostage.POLISH_TOL`` are replaced by those of the LP with the plan's whole numbers
    fixed, solved by the same backend (CBC reads that one as doubles): the headcounts are
    unchanged (``times["polish"]``). With ``duals`` the backend's fixed LP already gives
    the values, as in every plan. A backend made from a bare ``solve`` (no engine) is
    called through it.
    """

    warm_start = False

    def __init__(self, engine: str | Backend, a: ModelArrays):
        self.engine = backend(engine)
        self.backend = self.engine.name
        self.solver = self.engine.make_engine() if self.engine.make_engine else None
        self.loaded = a

    def load(self, new: ModelArrays) -> None:
        self.loaded = new

    def solve(self, duals: bool, ranging: bool, time_limit: float | None = None) -> SolverOutput:
        limit = None if time_limit is None else max(0.0, time_limit)
        if self.solver is None:
            return self.engine.solve(
                self.loaded, time_limit=limit, ranging=ranging, duals=duals, polish=True
            )
        return twostage.solve(
            self.solver, self.loaded, time_limit=limit, ranging=ranging, duals=duals, polish=True
        )


RebuildSession = ColdSession
"""The name :class:`ColdSession` had while it built the solver's model for every solve."""


class HighsSession:
    """One model in HiGHS, changed in place; an LP restarts from its last basis."""

    backend = "highs"
    warm_start = True

    def __init__(self, a: ModelArrays):
        self.held = HeldModel(a)

    @property
    def h(self):
        """The Highs holding the model."""
        return self.held.h

    def load(self, new: ModelArrays) -> None:
        """Change the held model's numbers to ``new``'s (same shape), only where they differ."""
        self.held.load(new)

    def solve(self, duals: bool, ranging: bool, time_limit: float | None = None) -> SolverOutput:
        return twostage.solve(
            self.held, self.held.loaded, time_limit=time_limit, ranging=ranging, duals=duals
        )
