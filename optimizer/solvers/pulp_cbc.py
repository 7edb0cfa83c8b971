"""CBC through PuLP: the model is built with PuLP from the arrays and solved by CBC.

Backend name ``cbc`` (alias ``pulp``). The integer model is solved by CBC's branch and cut;
the LP with the integers fixed is solved by CBC's simplex (Clp) for duals.

Three things PuLP would get wrong if trusted (each measured here, and each tested):

- **Status.** PuLP reports "Optimal" for a run that CBC stopped on its time limit with an
  incumbent. The adapter reads CBC's own status line (the first line of its solution file,
  e.g. ``Stopped on time - objective value 17``) and maps that instead.
- **Precision.** CBC's text solution has 8 significant digits, which breaks a $1.2M profit
  identity by cents. For LPs the adapter also has CBC write its binary solution
  (``saveSolution``: row activities, duals, column values and reduced costs as doubles) and
  reads that.
- **Signs.** CBC's duals (``constraint.pi``) are the objective's change per unit increase
  of the constraint's right-hand side in the problem's own sense, for ``<=``, ``>=`` and
  ``==`` rows and for max and min alike (measured: max 3x + 2y, x + y <= 4, x <= 3 gives
  pi = 2 and 1; written as -x - y >= -4 it gives -2). That is the product's convention, so
  no sign is flipped. (PuLP's HiGHS wrapper would need one on max problems; it is not used.)
"""

from __future__ import annotations

import os
import shutil
import tempfile

import numpy as np

from optimizer.model.linear import ModelArrays
from optimizer.solvers import SolverOutput, Status, twostage
from optimizer.solvers.twostage import Raw

MIP_REL_GAP = 1e-7
NAME = "cbc"


def cbc_path() -> str | None:
    """PuLP's bundled CBC binary, or ``cbc`` on the PATH."""
    import pulp

    bundled = getattr(pulp.PULP_CBC_CMD, "pulp_cbc_path", None)
    if bundled and os.path.isfile(bundled) and os.access(bundled, os.X_OK):
        return bundled
    return shutil.which("cbc")


def _command_class():
    import pulp

    class Cbc(pulp.COIN_CMD):
        """COIN_CMD that keeps CBC's own status line (PuLP's mapping loses the time limit)."""

        status_line = ""

        def get_status(self, filename):
            with open(filename) as f:
                self.status_line = f.readline().strip()
            return super().get_status(filename)

    return Cbc


def status_of(line: str) -> tuple[Status, bool]:
    """Map CBC's status line to a status, and whether it carries a solution."""
    has_objective = "objective value" in line
    if line.startswith("Optimal"):
        return Status.OPTIMAL, True
    if line.startswith(("Infeasible", "Integer infeasible")):
        return Status.INFEASIBLE, False
    if line.startswith("Unbounded"):
        return Status.UNBOUNDED, False
    if line.startswith(("Stopped on time", "Stopped on iterations", "Stopped on nodes",
                        "Stopped on solutions")):  # fmt: skip
        return Status.TIME_LIMIT, has_objective and "no integer solution" not in line
    return Status.ERROR, False


def _problem(a: ModelArrays, lb: np.ndarray, ub: np.ndarray, integer: np.ndarray):
    """The PuLP problem, its variables and constraints, and the model row of each constraint."""
    import pulp

    sense = pulp.LpMaximize if a.sense == "max" else pulp.LpMinimize
    prob = pulp.LpProblem("kpi_optimizer", sense)
    width = len(str(max(a.num_vars - 1, 0)))
    # zero-padded names: PuLP sorts columns by name, so the MPS keeps the model's order
    xs = [
        prob.add_variable(
            f"x{j:0{width}d}",
            None if np.isneginf(lb[j]) else float(lb[j]),
            None if np.isposinf(ub[j]) else float(ub[j]),
            pulp.LpInteger if integer[j] else pulp.LpContinuous,
        )
        for j in range(a.num_vars)
    ]
    # every variable is in the objective (zeros kept), so every one is written out
    prob.setObjective(pulp.LpAffineExpression(list(zip(xs, a.solver_cost().tolist()))))
    rows, cols, vals = twostage.merged_coo(a)
    start = twostage.row_starts(rows, a.num_rows)
    owner: list[int] = []
    constraints = []
    empty_conflict = None
    for i in range(a.num_rows):
        lo, up = float(a.row_lower[i]), float(a.row_upper[i])
        if not (np.isfinite(lo) or np.isfinite(up)):
            continue
        s, e = start[i], start[i + 1]
        if s == e:
            if lo > 1e-9 or up < -1e-9:
                empty_conflict = i
            continue
        terms = list(zip([xs[j] for j in cols[s:e]], vals[s:e].tolist()))
        if lo == up:
            parts = [(pulp.LpConstraintEQ, lo)]
        else:
            parts = [(pulp.LpConstraintGE, lo)] if np.isfinite(lo) else []
            parts += [(pulp.LpConstraintLE, up)] if np.isfinite(up) else []
        for k, (kind, rhs) in enumerate(parts):
            name = f"r{i}" if k == 0 else f"r{i}_{k}"
            constraint = pulp.LpConstraint(pulp.LpAffineExpression(terms), kind, name, rhs)
            prob.addConstraint(constraint)
            constraints.append(constraint)
            owner.append(i)
    return prob, xs, constraints, np.array(owner, dtype=int), empty_conflict


def _read_binary(path: str, num_rows: int, num_cols: int):
    """CBC's ``saveSolution`` file: rows, columns, objective, activities, duals, x, reduced costs."""
    with open(path, "rb") as f:
        raw = f.read()
    header = np.frombuffer(raw[:8], dtype=np.int32)
    if header.size != 2 or int(header[0]) != num_rows or int(header[1]) != num_cols:
        return None
    values = np.frombuffer(raw[8:], dtype=np.float64)
    if values.size != 1 + 2 * num_rows + 2 * num_cols:
        return None
    r, c = num_rows, num_cols
    duals = values[1 + r : 1 + 2 * r]
    x = values[1 + 2 * r : 1 + 2 * r + c]
    reduced = values[1 + 2 * r + c :]
    return x.copy(), duals.copy(), reduced.copy()


def _run(a, lb, ub, integer, time_limit, want_duals) -> Raw:
    import pulp

    path = cbc_path()
    if path is None:
        return Raw(Status.ERROR, "CBC not found", message="no CBC binary: pip install pulp")
    prob, xs, constraints, owner, empty_conflict = _problem(a, lb, ub, integer)
    if empty_conflict is not None:
        return Raw(Status.INFEASIBLE, f"row {empty_conflict} has no terms and excludes 0")
    if np.any(lb > ub):
        return Raw(Status.INFEASIBLE, "a variable's lower bound is above its upper bound")
    is_mip = bool(integer.any())
    tmp = tempfile.mkdtemp(prefix="kpi-cbc-")
    binary = os.path.join(tmp, "solution.bin")
    use_binary = not is_mip and " " not in binary
    options = ["initialSolve", f"saveSolution {binary}"] if use_binary else []
    # PuLP runs CBC's actions in order: the first solve is saved at full precision, the
    # solve PuLP appends after the options starts from that optimum (no iterations).
    Cbc = _command_class()
    cmd = Cbc(
        path=path, msg=False, mip=is_mip, timeLimit=time_limit,
        gapRel=MIP_REL_GAP if is_mip else None, options=options,
    )  # fmt: skip
    try:
        prob.solve(cmd)
    except pulp.PulpSolverError as exc:
        return Raw(Status.ERROR, "CBC failed", message=str(exc))
    finally:
        full = _read_binary(binary, len(owner), a.num_vars) if os.path.exists(binary) else None
        shutil.rmtree(tmp, ignore_errors=True)
    line = cmd.status_line
    status, has_solution = status_of(line)
    text = f"CBC: {line}"
    if not has_solution:
        return Raw(status, text)
    if full is not None:
        x, duals, reduced = full
    else:
        x = np.array([v.varValue if v.varValue is not None else 0.0 for v in xs], dtype=float)
        duals = np.array([c.pi if c.pi is not None else 0.0 for c in constraints], dtype=float)
        reduced = np.array([v.dj if v.dj is not None else 0.0 for v in xs], dtype=float)
    out = Raw(status, text, x=x)
    if want_duals and not is_mip and len(duals) == len(owner):
        row_dual = np.zeros(a.num_rows)
        np.add.at(row_dual, owner, duals)  # a ranged row is two constraints; one is active
        out.row_dual, out.col_dual = row_dual, reduced
    elif want_duals and not is_mip:
        return Raw(Status.ERROR, f"{text}; CBC returned no duals")
    return out


class CbcEngine(twostage.Engine):
    """CBC in the two-stage solve: branch and cut, then Clp for the fixed LP; no ranging,
    what-if re-solves cold (``twostage.ResolvingFixedLP``)."""

    name = NAME

    def mip(self, a: ModelArrays, time_limit: float | None) -> Raw:
        return _run(a, a.lb, a.ub, a.integer, time_limit, False)

    def lp(self, a, lb, ub, time_limit=None, duals=True) -> Raw:
        return _run(a, lb, ub, np.zeros(a.num_vars, bool), time_limit, duals)


def solve(
    a: ModelArrays,
    *,
    time_limit: float | None = None,
    ranging: bool = True,
    duals: bool = True,
    polish: bool = False,
) -> SolverOutput:
    """``twostage.solve`` on CBC; ``ranging`` is accepted for the common signature (NaN)."""
    return twostage.solve(
        CbcEngine(), a, time_limit=time_limit, ranging=ranging, duals=duals, polish=polish
    )
