"""Adapters that hand the solver-neutral model to a solver and return plain arrays."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import numpy as np


class Status(str, Enum):
    OPTIMAL = "optimal"
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
