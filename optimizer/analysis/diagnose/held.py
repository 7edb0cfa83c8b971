"""The diagnosis's model: built once, its feasibility questions asked of held solver models.

A diagnosis asks one question many times: is this model, with some limits dropped or a
lever moved, feasible? (the deletion filter, the checks of a proposed conflict, the search
of the working day and of the quality floor). :class:`HeldDiagnosis` builds the scenario's
model once and answers each question on a model the backend holds
(``optimizer.solvers.session``): on HiGHS one LP and one MILP, each handed over once, a
question loading only the numbers that differ (a dropped limit is a row whose bounds become
-inf and +inf; the shape never changes) and re-solving warm (an LP from its last basis).

The LP decides first where it can: an infeasible LP relaxation proves the MILP infeasible,
so a whole-number question (``integer=True``) asks the MILP only when the LP is feasible
(``lp_first``; the deletion filter over the integer model skips it: there every LP is
feasible). A backend without a warm start (CBC, OR-Tools, PDLP) answers each question with
its own ``solve``, whose solver model is already held per shape (``optimizer.solvers.held``).

``work`` counts what the diagnosis did: models built, LP and MILP solves (held or fresh),
CP-SAT calls; tests read it to show that nothing is built or solved twice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np

from optimizer.model.chain import build_model
from optimizer.model.linear import LinearModel, ModelArrays
from optimizer.runtime.deadline import Deadline
from optimizer.scenario.schema import Scenario
from optimizer.solvers import Backend, Status
from optimizer.solvers import backend as solver_backend


def limit_rows(model: LinearModel) -> np.ndarray:
    """The rows that are limits or goals (a diagnosis may drop them), not definitions."""
    limit = np.zeros(model.num_rows, bool)
    for block in model.row_blocks.values():
        if block.kind != "definition":
            limit[block.start : block.stop] = True
    return limit


def plain(a: ModelArrays, integer: bool = True) -> ModelArrays:
    """The model without its objective (a feasibility question), as an LP if not ``integer``,
    without zero entries: a model built keeping them (a repair's moved model) and the
    scenario's own (built without) then ask the same held model. The zeros are the
    structural ones too (month 0's 'last month' in a recursion such as cash or receivables),
    not only those an input made."""
    return replace(
        a,
        c=np.zeros_like(a.c),
        c_tiebreak=np.zeros_like(a.c),
        integer=a.integer if integer else np.zeros_like(a.integer),
    ).without_zeros()


def keep_only(a: ModelArrays, keep: np.ndarray) -> ModelArrays:
    """The model with every limit not in ``keep`` removed (its bounds -inf and +inf)."""
    lower, upper = a.row_lower.copy(), a.row_upper.copy()
    lower[~keep], upper[~keep] = -np.inf, np.inf
    return replace(a, row_lower=lower, row_upper=upper)


def answer(status: Status) -> bool | None:
    """A feasibility answer from a solve's status: None when a time limit stopped it."""
    if status is Status.TIME_LIMIT:
        return None
    return status is Status.OPTIMAL


class HeldDiagnosis:
    """One scenario's model for a diagnosis (``model``, ``vars``, ``arrays``, ``limit``),
    built once, and the held solver models that answer its feasibility questions."""

    def __init__(
        self,
        scenario: Scenario,
        engine: str | Backend | None = "highs",
        built: tuple | None = None,
    ):
        self.scenario = scenario
        self.engine = solver_backend(engine)
        self.work: Counter = Counter()
        if built is None:
            built = self.build(scenario)
        self.model, self.vars = built
        self.arrays = self.model.arrays()
        self.limit = limit_rows(self.model)
        self.definitions = ~self.limit
        self._moved: dict[tuple[str, float], tuple | Exception] = {}
        self._held: list[tuple] = []  # (integer, rows, cols, session) per shape held

    @property
    def warm(self) -> bool:
        """Whether questions are asked of held models (HiGHS) or of the backend's solve."""
        return self.engine.warm_start and self.engine.name == "highs"

    def build(self, scenario: Scenario) -> tuple:
        """A model built for ``scenario`` (counted in ``work["builds"]``)."""
        self.work["builds"] += 1
        return build_model(scenario)

    def model_at(self, path: str, value: float) -> tuple:
        """The model with one input moved to ``value``: validated and built once per
        diagnosis (a lever's step and a day of the bisection can be the same value); a
        value the schema refuses raises its error again for the next caller."""
        from optimizer.scenario.inputs import moved

        key = (path, float(value))
        if key not in self._moved:
            try:
                self._moved[key] = self.build(moved(self.scenario, path, value))
            except Exception as refused:  # noqa: BLE001 - outside the input's valid range
                self._moved[key] = refused
        found = self._moved[key]
        if isinstance(found, Exception):
            raise found.with_traceback(None)
        return found

    def feasible(
        self,
        keep: np.ndarray | None = None,
        integer: bool = True,
        deadline: Deadline | None = None,
        arrays: ModelArrays | None = None,
        lp_first: bool = True,
    ) -> bool | None:
        """Whether the model (``arrays``, default the scenario's) with only the limits in
        ``keep`` (default all) has a plan: in whole people if ``integer``, else as an LP.
        None when the time limit stopped the solve before it could tell.

        With ``integer`` and ``lp_first`` the LP relaxation is asked first; its "infeasible"
        is the answer (no MILP can be feasible where its relaxation is not)."""
        a = self.arrays if arrays is None else arrays
        if keep is not None:
            a = keep_only(a, keep)
        if integer and lp_first and a.integer.any():
            relaxed = self._ask(a, False, deadline)
            if relaxed is not True:
                return relaxed
        return self._ask(a, integer, deadline)

    def _ask(self, a: ModelArrays, integer: bool, deadline: Deadline | None) -> bool | None:
        question = plain(a, integer)
        is_mip = bool(question.integer.any())
        self.work["milp" if is_mip else "lp"] += 1
        limit = deadline.remaining() if deadline is not None else None
        if not self.warm:
            status = self.engine.solve(
                question, ranging=False, duals=False, time_limit=limit
            ).status
            return answer(status)
        session = self._session(question, is_mip)
        out = session.solve(duals=False, ranging=False, time_limit=limit)
        return answer(out.status)

    def _session(self, question: ModelArrays, is_mip: bool):
        """The held model of ``question``'s shape (LP or MILP), its numbers loaded: the
        same entries (rows and columns of the coefficients) as a model held before, or a
        new held model."""
        from optimizer.solvers.session import open_session

        for held_mip, rows, cols, session in self._held:
            if held_mip == is_mip and _same_entries(question, rows, cols):
                session.load(question)
                return session
        session = open_session(self.engine, question)
        self._held.append((is_mip, question.rows, question.cols, session))
        self.work["held_models"] += 1
        return session


def _same_entries(a: ModelArrays, rows: np.ndarray, cols: np.ndarray) -> bool:
    if a.rows is rows and a.cols is cols:
        return True
    return (
        len(a.rows) == len(rows) and np.array_equal(a.rows, rows) and np.array_equal(a.cols, cols)
    )
