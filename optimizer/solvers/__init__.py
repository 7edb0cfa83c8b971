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

    from optimizer.solvers.twostage import Engine


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
    cost_up: np.ndarray | None = None  # how far each variable's objective coefficient can
    cost_down: np.ndarray | None = None  # rise or fall with the same basis (NaN: unknown)
    lp_lb: np.ndarray | None = None  # the bounds of the LP that gave the duals
    lp_ub: np.ndarray | None = None
    mip_gap: float | None = None
    mip_bound: float | None = None  # the best bound the solver proved on the objective
    message: str = ""
    times: dict[str, float] = field(default_factory=dict)
    fixed_lp: FixedLP | None = None
    notes: tuple[str, ...] = ()  # what a later stage left undone (see ``optimizer.analysis.ties``)
    settled: bool = False  # chosen among equally good plans (``optimizer.analysis.ties.settle``)


@dataclass(frozen=True)
class GapStep:
    """One step of ``GAP_POLICY``: integer models with at most ``up_to`` whole-number
    columns (None: any number) are solved to the relative gap ``gap``, for ``why``."""

    up_to: int | None
    gap: float
    why: str


GAP_POLICY = (
    GapStep(
        150,
        1e-7,
        "exact: the bundled scenarios (4 to 105 whole-number columns) close the gap at or "
        "near HiGHS's first node in milliseconds, and the value of one more whole person is "
        "the difference of two plans, which must be exact",
    ),
    GapStep(
        1_000,
        1e-4,
        "within 0.01 % of the best possible, the usual default of MIP solvers: proving more "
        "digits costs seconds to minutes here (20 teams x 12 months, 276 columns: 10 s; "
        "50 x 12, 636 columns: 22 s at 1e-4; measured on this project's 2-core machine)",
    ),
    GapStep(
        None,
        5e-3,
        "within 0.5 %: companies of hundreds of teams take minutes to prove even 0.01 % "
        "(200 teams x 12 months, 2 436 columns: 33 s for 0.007 %, 84 s at 1e-7; 100 x 12 "
        "did not finish in 600 s at 1e-7) but 4.5 s for 0.42 %; a leader's decision does "
        "not turn on the third digit, and the plan's gap and the best bound are stated",
    ),
)
"""The default relative MIP gap by model size, the one place it is stated. The size is the number of whole-number decisions, which is what makes a model
hard to prove: a column each, except that a staffing choice (one binary per roster, one
chosen a month; 3 service bands x 9 rosters are 27 binaries) counts once a month; ``--mip-gap`` (``mip_gap=``) overrides it. A plan is called optimal only
when its proven gap is at most ``analysis.result.OPTIMAL_GAP``; above it, feasible within
the gap."""


def default_gap(integers: int) -> float:
    """The relative MIP gap ``GAP_POLICY`` gives a model with ``integers`` whole-number
    columns."""
    for step in GAP_POLICY:
        if step.up_to is None or integers <= step.up_to:
            return step.gap
    return GAP_POLICY[-1].gap


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
    duals: bool = True  # shadow prices: row and column duals of the LP with the integers fixed
    iis: bool = False  # an irreducible infeasible subset of the LP relaxation's rows
    warm_start: bool = False  # a session changes the held model in place and re-solves warm
    integer: bool = True  # whole-number variables (a MILP), not only LPs

    @property
    def capabilities(self) -> dict[str, bool]:
        """Each capability flag by name (see ``CAPABILITIES``)."""
        return {name: getattr(self, name) for name in CAPABILITIES}


CAPABILITIES = ("duals", "ranging", "iis", "warm_start", "integer")
"""The capability flags of a backend. What a backend lacks is done another way, and said:
without ranging each binding limit's dual is tested by a re-solve (``analysis.solve``);
without an IIS a diagnosis runs the deletion filter over every limit
(``analysis.diagnose``); without a warm start a what-if session re-solves from scratch
(``solvers.session.RebuildSession``)."""

REGISTRY = {
    "highs": BackendSpec(
        "HiGHS (highspy): MILP, then the LP with the integers fixed for duals and ranging",
        ranging=True, takes_mip_gap=True, iis=True, warm_start=True,
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
    ranging (allowable increase and decrease), the others return NaN there. The flags are
    the registry's (``BackendSpec``); ``iis_rows(arrays, time_limit=None)`` is the backend's IIS of the LP
    relaxation (None without ``iis``); ``solve_fixed(arrays, lb, ub)`` is the LP with the
    whole numbers fixed at given bounds, solved with the backend's own fixed-LP settings
    (``make_engine`` gives its ``twostage.Engine``); ``open_session(arrays)`` holds a model
    for re-solves (``optimizer.solvers.session``).
    """

    name: str
    description: str
    solve: Callable[..., SolverOutput]
    ranging: bool
    takes_mip_gap: bool = False
    duals: bool = True
    iis: bool = False
    warm_start: bool = False
    integer: bool = True
    iis_rows: Callable[..., np.ndarray] | None = None
    make_engine: Callable[[], Engine] | None = None  # a new engine of ``twostage.solve``

    @property
    def capabilities(self) -> dict[str, bool]:
        """Each capability flag by name (see ``CAPABILITIES``)."""
        return {name: getattr(self, name) for name in CAPABILITIES}

    def solve_fixed(
        self,
        arrays,
        lb: np.ndarray,
        ub: np.ndarray,
        *,
        ranging: bool = True,
        settings: str = "fixed",
    ) -> SolverOutput:
        """The LP over ``arrays``' rows and costs with every column within ``lb``, ``ub``
        (the whole numbers fixed there, e.g. by ``twostage.fixed_bounds``), for its duals.

        The step a plan's solve takes after its integer model (``twostage.solve_fixed``),
        on this backend's engine and with its own fixed-LP settings (HiGHS: the primal
        simplex, ``highs.FIXED_LP_OPTIONS``; the others: their LP's defaults), or with
        ``settings="model"`` as the backend solves an LP model (HiGHS: its dual simplex):
        the LP's values, row and column duals in the product's convention, ranging where
        the backend has it, ``lp_lb``, ``lp_ub`` = ``lb``, ``ub`` and its ``FixedLP``. An LP
        that is not optimal gives its own status and words. A backend built from a bare
        ``solve`` (no ``make_engine``) solves the LP through that ``solve``, with duals.
        """
        if self.make_engine is not None:
            from optimizer.solvers import twostage

            return twostage.solve_fixed(
                self.make_engine(), arrays, lb, ub, ranging=ranging, settings=settings
            )
        from dataclasses import replace

        import numpy as np

        fixed = replace(arrays, lb=lb, ub=ub, integer=np.zeros_like(arrays.integer))
        out = self.solve(fixed, ranging=ranging, duals=True)
        if out.status is Status.OPTIMAL:
            out.lp_lb, out.lp_ub = lb, ub
        return out

    def open_session(self, arrays):
        """A session holding ``arrays`` on this backend (``optimizer.solvers.session``)."""
        from optimizer.solvers.session import open_session

        return open_session(self, arrays)


def backend(name: str | Backend | None = None) -> Backend:
    """The backend called ``name`` (see ``BACKENDS`` and ``ALIASES``); default HiGHS."""
    if isinstance(name, Backend):
        return name
    key = (name or "highs").strip().lower()
    key = ALIASES.get(key, key)
    if key not in BACKENDS:
        known = ", ".join(NAMES)
        raise ValueError(f"unknown backend {name!r}: expected one of {known}")
    iis_rows = None
    if key == "highs":
        from optimizer.solvers import highs as module

        solve, iis_rows, make_engine = module.solve, module.iis_rows, module.HighsEngine
    elif key == "cbc":
        from optimizer.solvers import pulp_cbc as module

        solve, make_engine = module.solve, module.CbcEngine
    else:
        from optimizer.solvers import ortools as module

        if key == "ortools":
            solve, make_engine = module.solve, module.MathOptEngine
        else:
            solve, make_engine = module.solve_pdlp, module.pdlp_engine
    spec = REGISTRY[key]
    return Backend(
        key, spec.description, solve, spec.ranging, spec.takes_mip_gap, duals=spec.duals,
        iis=spec.iis, warm_start=spec.warm_start, integer=spec.integer,
        iis_rows=iis_rows if spec.iis else None, make_engine=make_engine,
    )  # fmt: skip
