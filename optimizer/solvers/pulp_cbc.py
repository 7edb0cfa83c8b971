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

import contextlib
import os
import shutil
import tempfile
import threading

import numpy as np

from optimizer.model.linear import ModelArrays
from optimizer.solvers import SolverOutput, Status, held, twostage
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


def _kind(lower: float, upper: float, empty: bool) -> str:
    """How a row enters the PuLP problem: "" not at all (no finite limit), "empty" not at
    all but checked (no terms), "E" one equality, else "G" and/or "L" (one constraint per
    finite side)."""
    if not (np.isfinite(lower) or np.isfinite(upper)):
        return ""
    if empty:
        return "empty"
    if lower == upper:
        return "E"
    return ("G" if np.isfinite(lower) else "") + ("L" if np.isfinite(upper) else "")


def _bound(value: float, missing: float) -> float | None:
    return None if value == missing else float(value)


class Problem:
    """The PuLP problem of one model shape, held (``optimizer.solvers.held``): built once,
    then each solve changes its objective, variable bounds and categories, constraint
    constants and coefficients in place, where they differ from the numbers it holds. The
    MPS PuLP writes for CBC is then the text a fresh build would write (tested), so CBC
    gets the same model and gives the same answer; only its process is new each time.

    Columns are named ``x0..`` zero-padded (PuLP sorts columns by name, so the MPS keeps
    the model's order); every column is in the objective, zeros kept, so every one is
    written out. A row is one constraint per finite side (``_kind``), an equality one;
    a row without terms is left out and checked here (it excludes 0 or not).
    """

    def __init__(self, a: ModelArrays, lb: np.ndarray, ub: np.ndarray, integer: np.ndarray):
        import pulp

        self.lock = threading.Lock()
        self.shape = held.Shape(a)
        self.sense = a.sense
        prob = pulp.LpProblem(
            "kpi_optimizer", pulp.LpMaximize if a.sense == "max" else pulp.LpMinimize
        )
        width = len(str(max(a.num_vars - 1, 0)))
        self.xs = [
            prob.add_variable(
                f"x{j:0{width}d}",
                _bound(lb[j], -np.inf),
                _bound(ub[j], np.inf),
                pulp.LpInteger if integer[j] else pulp.LpContinuous,
            )
            for j in range(a.num_vars)
        ]
        self.cost = a.solver_cost().copy()
        prob.setObjective(pulp.LpAffineExpression(list(zip(self.xs, self.cost.tolist()))))
        rows, cols, vals = self.shape.rows, self.shape.cols, self.shape.vals
        start = twostage.row_starts(rows, a.num_rows)
        self.empty = np.flatnonzero(start[1:] == start[:-1])
        self.kinds: list[str] = []
        self.sides: list[list[tuple[object, int]]] = []  # per row: (constraint, 0 lower / 1 upper)
        owner: list[int] = []
        for i in range(a.num_rows):
            lo, up = float(a.row_lower[i]), float(a.row_upper[i])
            s, e = start[i], start[i + 1]
            kind = _kind(lo, up, s == e)
            self.kinds.append(kind)
            sides: list[tuple[object, int]] = []
            if kind == "E":
                parts = [(pulp.LpConstraintEQ, lo, 0)]
            else:
                parts = [(pulp.LpConstraintGE, lo, 0)] if "G" in kind else []
                parts += [(pulp.LpConstraintLE, up, 1)] if "L" in kind else []
            terms = list(zip([self.xs[j] for j in cols[s:e]], vals[s:e].tolist())) if parts else []
            for k, (sense, rhs, side) in enumerate(parts):
                name = f"r{i}" if k == 0 else f"r{i}_{k}"
                constraint = pulp.LpConstraint(pulp.LpAffineExpression(terms), sense, name, rhs)
                prob.addConstraint(constraint)
                sides.append((constraint, side))
                owner.append(i)
            self.sides.append(sides)
        self.prob = prob
        self.owner = np.array(owner, dtype=int)
        self.lb, self.ub, self.integer = lb.copy(), ub.copy(), integer.copy()
        self.row_lower, self.row_upper = a.row_lower.copy(), a.row_upper.copy()

    def load(self, a: ModelArrays, lb: np.ndarray, ub: np.ndarray, integer: np.ndarray) -> bool:
        """Hold ``a``'s numbers with these column bounds and categories; False (nothing
        changed) for another shape or a row whose limits change kind (``_kind``)."""
        import pulp

        vals = self.shape.coefficients(a)
        if vals is None:
            return False
        moved = np.union1d(
            held.changed(a.row_lower, self.row_lower), held.changed(a.row_upper, self.row_upper)
        )
        empty = set(self.empty.tolist())
        for i in moved.tolist():
            if _kind(a.row_lower[i], a.row_upper[i], i in empty) != self.kinds[i]:
                return False
        if a.sense != self.sense:
            self.prob.sense = pulp.LpMaximize if a.sense == "max" else pulp.LpMinimize
            self.sense = a.sense
        cost = a.solver_cost()
        for j in held.changed(cost, self.cost).tolist():
            self.prob.objective[self.xs[j]] = float(cost[j])
        for j in held.changed(lb, self.lb).tolist():
            self.xs[j].lowBound = _bound(lb[j], -np.inf)
        for j in held.changed(ub, self.ub).tolist():
            self.xs[j].upBound = _bound(ub[j], np.inf)
        for j in np.flatnonzero(integer != self.integer).tolist():
            self.xs[j].cat = pulp.LpInteger if integer[j] else pulp.LpContinuous
        for i in moved.tolist():
            lo, up = float(a.row_lower[i]), float(a.row_upper[i])
            for constraint, side in self.sides[i]:
                constraint.constant = constraint.expr.constant - (up if side else lo)
        for k in held.changed(vals, self.shape.vals).tolist():
            var, value = self.xs[self.shape.cols[k]], float(vals[k])
            for constraint, _ in self.sides[self.shape.rows[k]]:
                constraint.expr[var] = value
        self.shape.hold(a, vals)
        self.cost, self.lb, self.ub = cost.copy(), lb.copy(), ub.copy()
        self.integer = integer.copy()
        self.row_lower, self.row_upper = a.row_lower.copy(), a.row_upper.copy()
        return True

    def empty_conflict(self) -> int | None:
        """The last row without terms whose limits exclude 0, if any."""
        lo, up = self.row_lower[self.empty], self.row_upper[self.empty]
        bad = self.empty[(lo > 1e-9) | (up < -1e-9)]
        return int(bad[-1]) if len(bad) else None

    def run(self, path: str, time_limit: float | None, want_duals: bool) -> Raw:
        """CBC on the problem as it stands (a new CBC process, as PuLP runs it)."""
        import pulp

        empty_conflict = self.empty_conflict()
        if empty_conflict is not None:
            return Raw(Status.INFEASIBLE, f"row {empty_conflict} has no terms and excludes 0")
        if np.any(self.lb > self.ub):
            return Raw(Status.INFEASIBLE, "a variable's lower bound is above its upper bound")
        xs, constraints = self.xs, [c for sides in self.sides for c, _ in sides]
        is_mip = bool(self.integer.any())
        binary = None
        if not is_mip:  # the LP's solution as doubles, written by CBC (``_read_binary``)
            fd, binary = tempfile.mkstemp(prefix="kpi-cbc-", suffix=".bin")
            os.close(fd)
        use_binary = binary is not None and " " not in binary
        options = ["initialSolve", f"saveSolution {binary}"] if use_binary else []
        # PuLP runs CBC's actions in order: the first solve is saved at full precision, the
        # solve PuLP appends after the options starts from that optimum (no iterations).
        Cbc = _command_class()
        cmd = Cbc(
            path=path, msg=False, mip=is_mip, timeLimit=time_limit,
            gapRel=MIP_REL_GAP if is_mip else None, options=options,
        )  # fmt: skip
        try:
            self.prob.solve(cmd)
        except pulp.PulpSolverError as exc:
            return Raw(Status.ERROR, "CBC failed", message=str(exc))
        finally:
            full = _read_binary(binary, len(self.owner), len(xs)) if use_binary else None
            if binary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(binary)
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
        if want_duals and not is_mip and len(duals) == len(self.owner):
            row_dual = np.zeros(len(self.row_lower))
            np.add.at(row_dual, self.owner, duals)  # a ranged row is two constraints; one is active
            out.row_dual, out.col_dual = row_dual, reduced
        elif want_duals and not is_mip:
            return Raw(Status.ERROR, f"{text}; CBC returned no duals")
        return out


SHELF = held.Shelf(Problem)
"""CBC's held problems (``optimizer.solvers.held``): one per model shape."""


def _read_binary(path: str, num_rows: int, num_cols: int):
    """CBC's ``saveSolution`` file: rows, columns, objective, activities, duals, x, reduced costs."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8 or (len(raw) - 8) % 8:  # not written (an empty file), or cut short
        return None
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


class CbcEngine(twostage.Engine):
    """CBC in the two-stage solve: branch and cut, then Clp for the fixed LP; no ranging,
    what-if re-solves cold (``twostage.ResolvingFixedLP``). Every solve is on the held
    problem of the model's shape (``SHELF``; ``held`` is this engine's last one)."""

    name = NAME

    def __init__(self):
        self.held: Problem | None = None

    def _run(self, a: ModelArrays, lb, ub, integer, time_limit, want_duals) -> Raw:
        path = cbc_path()
        if path is None:
            return Raw(Status.ERROR, "CBC not found", message="no CBC binary: pip install pulp")
        raw, self.held = SHELF.solve(
            a, lb, ub, integer, lambda p: p.run(path, time_limit, want_duals), last=self.held
        )
        return raw

    def mip(self, a: ModelArrays, time_limit: float | None) -> Raw:
        return self._run(a, a.lb, a.ub, a.integer, time_limit, False)

    def lp(self, a, lb, ub, time_limit=None, duals=True) -> Raw:
        return self._run(a, lb, ub, np.zeros(a.num_vars, bool), time_limit, duals)


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
