"""The conflict set: a fewest set of limits that cannot all hold (see ``optimizer.analysis.diagnose``).

The LP relaxation decides first: when it is infeasible, an IIS (HiGHS's, or proposed by
HiGHS to a backend without one) is confirmed and filtered; when only whole people make
the model infeasible, CP-SAT proposes a set that the backend confirms on the MILP. A
deletion filter then drops each limit the rest do not need. Every question is asked of
the diagnosis's held model (``optimizer.analysis.diagnose.held``): a limit is dropped by
setting its bounds to -inf and +inf, never by building the model again.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from optimizer.analysis.diagnose.held import HeldDiagnosis, keep_only, limit_rows, plain
from optimizer.model.linear import LinearModel, ModelArrays
from optimizer.runtime.deadline import Deadline
from optimizer.scenario import labels
from optimizer.scenario.schema import Scenario
from optimizer.solvers import Backend, Status
from optimizer.solvers import backend as solver_backend

__all__ = ["CONFLICT_COLUMNS", "conflict_set", "feasible", "keep_only", "limit_rows"]

CONFLICT_COLUMNS = ["name", "department", "kind", "description", "unit", "parameter", "label"]
CPSAT_SECONDS = 5.0  # CP-SAT's time to propose a whole-number conflict set


def feasible(
    a: ModelArrays,
    integer: bool,
    deadline: Deadline | None = None,
    engine: Backend | None = None,
) -> bool | None:
    """One feasibility question on a fresh solve (the diagnosis asks its own of held models,
    ``HeldDiagnosis.feasible``): True or False; None when the time limit stopped the solve
    before it could tell. ``engine`` answers (default HiGHS)."""
    limit = deadline.remaining() if deadline is not None else None
    engine = engine or solver_backend("highs")
    status = engine.solve(plain(a, integer), ranging=False, duals=False, time_limit=limit).status
    if status is Status.TIME_LIMIT:
        return None
    return status is Status.OPTIMAL


def conflict_set(
    scenario: Scenario,
    deadline: Deadline | None = None,
    notes: list[str] | None = None,
    backend: str | Backend | None = "highs",
    held: HeldDiagnosis | None = None,
) -> tuple[pd.DataFrame, str]:
    """The conflicting limits and whether they conflict outright ("lp") or only in whole
    people ("integer"). A limit the deletion filter could not test in time stays in.

    ``backend`` answers every feasibility question; its IIS proposes the set when it has
    one (``iis``), otherwise the deletion filter runs over every limit, and ``notes`` say so.
    ``held`` is the diagnosis's model (built here if not given; ``backend`` is then its
    engine's): every question is asked of it (``HeldDiagnosis.feasible``).
    """
    deadline = deadline or Deadline()
    held = held or HeldDiagnosis(scenario, backend)
    engine = held.engine
    model, a, limit, definitions = held.model, held.arrays, held.limit, held.definitions
    if held.feasible(integer=False):
        relaxation, integer, candidates = "integer", True, limit
        proposed = _cpsat_proposal(held, deadline)
        if proposed is not None:
            candidates = proposed  # confirmed by the backend; the filter makes it irreducible
    else:
        relaxation, integer = "lp", False
        proposer = engine if engine.iis and engine.iis_rows is not None else _iis_backend()
        candidates = np.zeros(a.num_rows, bool)
        if proposer is not None:
            held.work["iis"] += 1
            candidates[proposer.iis_rows(a, time_limit=deadline.remaining())] = True
        candidates &= limit
        confirmed = not held.feasible(candidates | definitions, integer=False)
        if not confirmed:
            candidates = limit  # the IIS was not usable on its own: filter everything
        if proposer is not engine and notes is not None:
            notes.append(_proposal_note(engine, proposer, confirmed, int(candidates.sum())))
    keep = candidates | definitions
    rows = np.flatnonzero(candidates)
    untested = 0
    for row in rows:
        if deadline.expired():
            untested += 1
            continue
        keep[row] = False
        # in the integer case every LP here is feasible (the relaxation with every limit
        # is), so the MILP is asked directly
        if held.feasible(keep, integer, deadline, lp_first=False) is not False:
            keep[row] = True  # needed (or not shown unneeded in time): it stays
    if untested and notes is not None:
        notes.append(
            f"the conflicting limits may not be the fewest: the time limit stopped the search "
            f"with {untested} of {len(rows)} limits untested (they are listed)"
        )
    members = np.flatnonzero(keep & limit)
    return _conflict_table(model, members), relaxation


def _proposal_note(engine: Backend, proposer: Backend | None, confirmed: bool, count: int) -> str:
    """What a backend without an IIS did instead (``conflict_set``)."""
    lacks = f"{engine.name} computes no irreducible infeasible subset (IIS): "
    if confirmed:
        return lacks + (
            f"the {proposer.name} backend's IIS was used only as a proposal; {engine.name} "
            f"confirmed that its {count} limits conflict and tested each in turn (a deletion "
            "filter)"
        )
    why = (
        f", as the {proposer.name} backend's IIS did not conflict there"
        if proposer is not None
        else ""
    )
    return lacks + f"each of the {count} limits was tested in turn on {engine.name}{why}"


def _iis_backend() -> Backend | None:
    """The first backend in the registry that computes an IIS (HiGHS), or None."""
    from optimizer.solvers import REGISTRY

    name = next((name for name, spec in REGISTRY.items() if spec.iis), None)
    return solver_backend(name) if name is not None else None


def _cpsat_proposal(held: HeldDiagnosis, deadline: Deadline):
    """The limits CP-SAT's assumptions name (``optimizer.solvers.cpsat``), as a row mask,
    if the backend confirms on the MILP that they conflict; otherwise None."""
    from optimizer.solvers.cpsat import propose_conflict

    a, engine = held.arrays, held.engine
    # the LP relaxation's values (with the objective) size CP-SAT's grid
    held.work["lp"] += 1
    relaxed = engine.solve(
        replace(a, integer=np.zeros_like(a.integer)),
        ranging=False,
        duals=False,
        time_limit=deadline.remaining(),
    )
    if deadline.expired():
        return None
    held.work["cpsat"] += 1
    try:
        proposal = propose_conflict(
            a, held.limit, x_relaxed=relaxed.x, time_limit=deadline.capped(CPSAT_SECONDS)
        )
    except Exception:  # noqa: BLE001 - CP-SAT only speeds the filter up; it may fail
        return None
    if proposal.status != "infeasible":
        return None
    rows = np.zeros(a.num_rows, bool)
    rows[proposal.rows] = True
    rows &= held.limit
    # some limits of a model whose LP relaxation is feasible: so is theirs; the MILP decides
    if held.feasible(rows | held.definitions, True, deadline, lp_first=False) is not False:
        return None  # not a conflict of the MILP itself (see the cpsat module), or no time
    return rows


def _conflict_table(model: LinearModel, members: np.ndarray) -> pd.DataFrame:
    """The rows ``members``: identifier, the family's words, the input that sets it, label."""
    names = model.row_names()
    rows = []
    for family, block in model.row_blocks.items():
        params = block.parameters()
        for row in members[(members >= block.start) & (members < block.stop)]:
            rows.append(
                {
                    "name": names[row],
                    "department": block.department,
                    "kind": block.kind,
                    "description": block.description,
                    "unit": block.unit,
                    "parameter": params[row - block.start],
                    "label": labels.row_label(family, labels.row_axes(names[row], family)),
                }
            )
    return pd.DataFrame(rows, columns=CONFLICT_COLUMNS)
