"""Adapters that hand the solver-neutral model to a solver and return plain arrays.

``REGISTRY`` is the one list of backends: their names, aliases and capabilities; the
command line's choices and ``backend()`` both read it. This module imports no solver
library and not numpy, so the command line can read it and stay quick to start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


class Status(str, Enum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # a plan within a stated gap of the best possible, not proven best
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    ERROR = "error"


@dataclass
class SolverOutput:
    """What a backend returns, in the model's own sense and sign conventions.

    ``row_shadow`` and ``col_shadow`` are already in the product's convention: the
    change of the objective (in its own sense, max or min) per unit increase of the
    row's constant limit or of the variable's bound.
    """

    status: Status
    solver_status: str
    x: np.ndarray | None = None
    objective: float | None = None
    row_shadow: np.ndarray | None = None
    col_shadow: np.ndarray | None = None
    range_up: np.ndarray | None = None  # how far each row's limit can rise, same basis
    range_down: np.ndarray | None = None  # how far it can fall
    lp_lb: np.ndarray | None = None  # the bounds of the LP that gave the duals
    lp_ub: np.ndarray | None = None
    mip_gap: float | None = None
    message: str = ""
    times: dict[str, float] = field(default_factory=dict)
    fixed_lp: FixedLP | None = None
    notes: tuple[str, ...] = ()  # what a later stage left undone (see ``optimizer.analysis.ties``)
    settled: bool = False  # chosen among equally good plans (``optimizer.analysis.ties.settle``)


class FixedLP:
    """The LP with the plan's integers fixed, kept warm for what-if re-solves.

    ``objective_with(rows, cols)`` and ``objective_for(arrays)`` return the optimal
    objective after moving some row limits and variable bounds, or the whole model's
    data, holding the plan's headcounts. Used for one-sided shadow prices and
    marginal values. ``None`` means the moved LP has no solution.
    """

    def objective_with(
        self,
        rows: dict[int, tuple[float, float]],
        cols: dict[int, tuple[float, float]] | None = None,
    ) -> float | None:
        raise NotImplementedError

    def objective_for(self, arrays) -> float | None:
        raise NotImplementedError


# ---- backends ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackendSpec:
    """A backend's entry in ``REGISTRY``: what it is, what else it answers to, what it gives."""

    description: str
    aliases: tuple[str, ...] = ()
    ranging: bool = False  # allowable increase and decrease of each limit (others: NaN)
    takes_mip_gap: bool = False  # a relative gap for the whole-number model (``mip_gap``)


REGISTRY = {
    "highs": BackendSpec(
        "HiGHS (highspy): MILP, then the LP with the integers fixed for duals and ranging",
        ranging=True, takes_mip_gap=True,
    ),
    "cbc": BackendSpec(
        "CBC through PuLP: branch and cut, then CBC's simplex for the fixed LP",
        aliases=("pulp",),
    ),
    "ortools": BackendSpec(
        "OR-Tools MathOpt: SCIP for the integer model, GLOP (simplex) for the fixed LP",
        aliases=("glop", "scip", "mathopt"),
    ),
    "pdlp": BackendSpec(
        "OR-Tools MathOpt: SCIP for the integer model, PDLP (first-order) for the fixed LP",
    ),
}  # fmt: skip
"""Every backend by name (README "Solvers"), the default first."""

BACKENDS = {name: spec.description for name, spec in REGISTRY.items()}
ALIASES = {alias: name for name, spec in REGISTRY.items() for alias in spec.aliases}
NAMES = (*BACKENDS, *ALIASES)
"""Every name ``backend()`` accepts: the backends, then their aliases."""


@dataclass(frozen=True)
class Backend:
    """A solver backend: ``solve(arrays, *, time_limit, ranging, duals) -> SolverOutput``.

    Every backend returns the same shape in the same conventions; only HiGHS gives
    ranging (allowable increase and decrease), the others return NaN there.
    """

    name: str
    description: str
    solve: Callable[..., SolverOutput]
    ranging: bool
    takes_mip_gap: bool = False


def backend(name: str | Backend | None = None) -> Backend:
    """The backend called ``name`` (see ``BACKENDS`` and ``ALIASES``); default HiGHS."""
    if isinstance(name, Backend):
        return name
    key = (name or "highs").strip().lower()
    key = ALIASES.get(key, key)
    if key not in BACKENDS:
        known = ", ".join(NAMES)
        raise ValueError(f"unknown backend {name!r}: expected one of {known}")
    if key == "highs":
        from optimizer.solvers import highs as module

        solve = module.solve
    elif key == "cbc":
        from optimizer.solvers import pulp_cbc as module

        solve = module.solve
    else:
        from optimizer.solvers import ortools as module

        solve = module.solve if key == "ortools" else module.solve_pdlp
    spec = REGISTRY[key]
    return Backend(key, spec.description, solve, spec.ranging, spec.takes_mip_gap)
