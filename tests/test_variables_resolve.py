"""The variable half of the sensitivity report, every number confirmed by re-solving.

For every bundled scenario (and its declared variants), the plan's variable report
(``plan.variables``, ``optimizer.analysis.variables``) describes the LP with the plan's whole
numbers held: the model's rows and costs, every integer column fixed at round(plan value)
(``twostage.fixed_bounds``, which leaves a headcount at its cap to its cap row). That LP is
rebuilt here from ``build_model`` and solved with highspy directly, not through the
product's adapter, once per moved coefficient. Only ``c`` is moved; the solver optimises
``c + c_tiebreak`` (``ModelArrays.solver_cost``) and every optimum below is compared under
that same cost, the moved ``c`` plus the unmoved tie-break.

For every variable row that is not ``held`` (s = +1 for max, -1 for min; "better" means
larger for max, smaller for min), four checks, one test each, parametrized by scenario:

- "reduced cost": a variable at a bound with a nonzero finite reduced cost d. Its
  coefficient moved by (1 - EPS) |d| towards using it (up for a variable at its lower bound
  in a max model), the optimum with the variable held at its bound equals the free optimum
  (it is not needed; "within"); moved by (1 + EPS) |d|, the free optimum is better than the
  held one (it enters; "beyond"). The table's allowance on that side must be |d|.
- "range": every other allowance A of a coefficient (``allowable_increase`` /
  ``allowable_decrease``). Finite and positive: moved by (1 - EPS) A, the plan's x priced
  at the moved costs equals the re-solved optimum ("within"); moved by (1 + EPS) A, the
  re-solved optimum has left the line the optimum follows inside the allowance, the
  plan's value z0 + delta x_j extrapolated from the (1 - EPS) A re-solve ("beyond": the
  plan stops being optimal there). Infinite: moved by BIG x scale (scale = max(1, max|c|)),
  the plan's x is still optimal ("within"). Zero: moved by EPS x scale, the re-solved
  optimum is better than the plan's x ("beyond"); where that gain is below the plan's own
  resolution, moved by BIG x scale it must be.

Tolerances. EPS = 1e-3: a thousandth of the allowance on either side of it, small enough
that a threshold off by 0.1 % fails. Two optima of the same LP agree to Z_TOL x max(1, |z|),
Z_TOL = 1e-11 (|z| the largest objective compared): on the bundled LPs the re-solved optima
agree with the plans' objectives to 1.2e-7 absolute (1e-13 relative), 90 times below it,
while the smallest genuine improvement past an allowance is 1.8e-4 (regional sales, 8 times
above it). The plan's x comes from the tie stages' LPs, whose rows hold only to the
solver's feasibility tolerance: its values sit up to 1.5e-8 relative off the LP's vertex
(a conversation count 1.8e-6 off at 142.5, cost of goods 2.1e-4 off at 153 900), so the
plan's x priced under a coefficient moved by delta carries X_TOL x |delta| x max(1, |x_j|)
more, X_TOL = 1e-7. "Beyond" for a finite allowance compares re-solves only (no plan
value), so that noise does not hide a genuine change of the plan there.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, SCENARIOS, solved

from optimizer.analysis.solve import solve
from optimizer.model.chain import build_model
from optimizer.scenario.loading import read_scenario_file
from optimizer.scenario.variants import BASE, load_variant, split
from optimizer.solvers.twostage import fixed_bounds

pytestmark = pytest.mark.slow  # about 17 s: five plans (growth plan 10 s), 2 404 LP re-solves

EPS = 1e-3
Z_TOL = 1e-11
X_TOL = 1e-7
BIG = 1e3


def _cases() -> list[tuple[str, str]]:
    """(scenario file name, variant) for every bundled file and each variant it declares."""
    cases = []
    for path in SCENARIOS:
        _, variants = split(read_scenario_file(path), str(path))
        cases += [(path.name, name) for name in (BASE, *sorted(variants))]
    return cases


CASES = _cases()


class HeldLP:
    """The LP of ``arrays`` within ``lb``, ``ub`` in one highspy model, in the model's own
    sense; ``optimum`` moves one column's cost (and optionally fixes it) and puts it back."""

    def __init__(self, arrays, lb: np.ndarray, ub: np.ndarray):
        import highspy

        self.highspy = highspy
        n, m = arrays.num_vars, arrays.num_rows
        # duplicate (row, column) entries are summed, as the model means them
        key = arrays.cols.astype(np.int64) * max(m, 1) + arrays.rows
        unique, inverse = np.unique(key, return_inverse=True)
        values = np.bincount(inverse, weights=arrays.vals, minlength=len(unique))
        cols, rows = np.divmod(unique, max(m, 1))
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, m
        self.cost = np.asarray(arrays.solver_cost(), dtype=float)
        lp.col_cost_ = self.cost
        lp.col_lower_, lp.col_upper_ = lb, ub
        lp.row_lower_, lp.row_upper_ = arrays.row_lower, arrays.row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.searchsorted(cols, np.arange(n + 1)).astype(np.int32)
        lp.a_matrix_.index_ = rows.astype(np.int32)
        lp.a_matrix_.value_ = values
        self.maximize = arrays.sense == "max"
        lp.sense_ = highspy.ObjSense.kMaximize if self.maximize else highspy.ObjSense.kMinimize
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        self.h.passModel(lp)
        self.lb, self.ub = lb, ub

    def optimum(self, j: int, cost_j: float, fix: float | None = None) -> float:
        """The optimal objective (solver cost) with column j's cost ``cost_j`` (and the
        column fixed at ``fix``, if given); +-inf, in the model's sense, if unbounded."""
        h, status_of = self.h, self.highspy.HighsModelStatus
        h.changeColCost(j, cost_j)
        if fix is not None:
            h.changeColBounds(j, fix, fix)
        try:
            h.run()
            status = h.getModelStatus()
            if status == status_of.kUnbounded:
                return math.inf if self.maximize else -math.inf
            if status != status_of.kOptimal:
                raise AssertionError(f"re-solve of column {j}: {h.modelStatusToString(status)}")
            return float(h.getInfo().objective_function_value)
        finally:
            h.changeColCost(j, self.cost[j])
            if fix is not None:
                h.changeColBounds(j, self.lb[j], self.ub[j])


@dataclass
class Resolved:
    """One scenario's re-solves: what was checked, and what did not hold."""

    name: str
    objective: float
    checked: dict[str, int] = field(default_factory=dict)
    failures: dict[str, list[str]] = field(default_factory=dict)
    variables: set[str] = field(default_factory=set)  # every variable with a check
    failed: dict[str, set[str]] = field(default_factory=dict)  # check -> its failing variables
    gaps: dict[str, list[float]] = field(default_factory=dict)  # check -> (gap, tolerance)

    def record(self, check: str, variable: str, ok: bool, text: str, gap=(0.0, 0.0)) -> None:
        self.checked[check] = self.checked.get(check, 0) + 1
        self.gaps.setdefault(check, []).append(gap)
        self.variables.add(variable)
        if not ok:
            self.failures.setdefault(check, []).append(text)
            self.failed.setdefault(check, set()).add(variable)


CHECKS = ("reduced cost, within", "reduced cost, beyond", "range, within", "range, beyond")


@functools.cache
def resolved(file_name: str, variant: str) -> Resolved:
    """Every check of one scenario's variable report (see the module docstring)."""
    path = ROOT / "scenarios" / file_name
    if variant == BASE:
        scenario, plan = solved(str(path))
    else:
        scenario, _ = load_variant(str(path), variant)
        plan = solve(scenario)
    model, _ = build_model(scenario, plan.objective_name)
    arrays = model.arrays()
    table = plan.variables
    x = table["value"].to_numpy(dtype=float)
    lb, ub = fixed_bounds(arrays, x)
    lp = HeldLP(arrays, lb, ub)
    s = 1.0 if arrays.sense == "max" else -1.0
    cost = lp.cost
    z_plan = float(cost @ x)
    scale = max(1.0, float(np.max(np.abs(arrays.c), initial=0.0)))
    out = Resolved(f"{Path(file_name).stem}/{variant}", z_plan)

    def z_tol(*values: float) -> float:
        finite = [abs(v) for v in values if math.isfinite(v)]
        return Z_TOL * max([1.0, abs(z_plan), *finite])

    z0 = lp.optimum(0, cost[0])
    assert abs(z0 - z_plan) <= z_tol(z0), (out.name, "the plan is not the held LP's optimum", z0)

    def moved(j: int, delta: float) -> float:
        return lp.optimum(j, cost[j] + delta)

    def x_tol(j: int, delta: float) -> float:
        return X_TOL * abs(delta) * max(1.0, abs(x[j]))

    for j in np.flatnonzero(table["at"].to_numpy() != "held"):
        row = table.iloc[j]
        at, d, name = row["at"], float(row["reduced_cost"]), row["name"]
        allowance = {+1: float(row["allowable_increase"]), -1: float(row["allowable_decrease"])}
        where = f"{name} ({at}, x={x[j]:.6g}, d={d:.6g}, c={cost[j]:.6g})"
        towards = None
        if at in ("lower", "upper") and math.isfinite(d) and d != 0:
            towards = int(s) if at == "lower" else -int(s)  # the move that makes it wanted
            bound = lb[j] if at == "lower" else ub[j]
            gaps, tols = [], []
            for k in (1 - EPS, 1 + EPS):
                cost_j = cost[j] + towards * k * abs(d)
                free, held = lp.optimum(j, cost_j), lp.optimum(j, cost_j, fix=bound)
                gaps.append(s * (free - held))
                tols.append(z_tol(free, held))
            out.record(
                "reduced cost, within",
                name,
                abs(gaps[0]) <= tols[0] and allowance[towards] == pytest.approx(abs(d), rel=1e-12),
                f"{where}: coefficient moved by (1-eps)|d| towards using it, the free optimum "
                f"beats the one held at its bound by {gaps[0]:.6g}; allowance "
                f"{allowance[towards]:.6g}",
                (gaps[0], tols[0]),
            )
            out.record(
                "reduced cost, beyond",
                name,
                gaps[1] > tols[1],
                f"{where}: coefficient moved by (1+eps)|d| = {(1 + EPS) * abs(d):.6g} towards "
                f"using it, it still does not enter (free - held = {gaps[1]:.3g})",
                (gaps[1], tols[1]),
            )
        for direction, allow in allowance.items():
            if direction == towards or math.isnan(allow):
                continue
            side = "increase" if direction > 0 else "decrease"
            if math.isinf(allow):
                delta = direction * BIG * scale
                z = moved(j, delta)
                gap, tol = s * (z - z_plan - delta * x[j]), z_tol(z) + x_tol(j, delta)
                out.record(
                    "range, within",
                    name,
                    gap <= tol,
                    f"{where}: allowable {side} inf, but moved by {BIG * scale:g} the plan's "
                    f"x is {gap:.6g} worse than the optimum",
                    (gap, tol),
                )
            elif allow == 0:
                # the plan sits where moving this way leaves it at once; the gain of a small
                # move can be below the plan's own resolution (it is chosen on its LP's
                # optimal face to ~1e-8), so a move of BIG x scale must show it beaten
                delta = direction * EPS * scale
                z = moved(j, delta)
                gap, tol = s * (z - z_plan - delta * x[j]), z_tol(z) + x_tol(j, delta)
                if gap <= tol:
                    delta = direction * BIG * scale
                    z = moved(j, delta)
                    gap, tol = s * (z - z_plan - delta * x[j]), z_tol(z) + x_tol(j, delta)
                out.record(
                    "range, beyond",
                    name,
                    gap > tol,
                    f"{where}: allowable {side} 0, but moved by {EPS * scale:g} the plan's x "
                    f"is still optimal (optimum - plan = {gap:.3g})",
                    (gap, tol),
                )
            else:
                inside, outside = direction * (1 - EPS) * allow, direction * (1 + EPS) * allow
                z_in, z_out = moved(j, inside), moved(j, outside)
                gap, tol = s * (z_in - z_plan - inside * x[j]), z_tol(z_in) + x_tol(j, inside)
                out.record(
                    "range, within",
                    name,
                    gap <= tol,
                    f"{where}: allowable {side} {allow:.6g}, but moved by (1-eps) of it the "
                    f"plan's x is {gap:.6g} worse than the optimum",
                    (gap, tol),
                )
                # past the allowance, the optimum leaves the line it followed inside it
                line = z0 + (z_in - z0) * (1 + EPS) / (1 - EPS)
                kink, tol = s * (z_out - line), z_tol(z_in, z_out)
                out.record(
                    "range, beyond",
                    name,
                    kink > tol,
                    f"{where}: allowable {side} {allow:.6g}, but moved by (1+eps) of it the "
                    f"plan's x is still optimal (optimum - plan's line = {kink:.3g})",
                    (kink, tol),
                )
    return out


KNOWN: dict[tuple[str, str, str], str] = {}
"""(file, variant, check) -> why it fails, as an xfail(strict=True). Empty: the three findings
this test first made (ranges of the solver's basis, not of the tie-chosen plan; degenerate
ranges not tight; a finite reduced cost for a variable held by whole numbers) are fixed by
ranging the plan's own point (``optimizer.analysis.ranging``)."""


def _params(check: str):
    params = []
    for file_name, variant in CASES:
        reason = KNOWN.get((file_name, variant, check))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(
            pytest.param(file_name, variant, marks=marks, id=f"{Path(file_name).stem}-{variant}")
        )
    return params


def _assert_holds(file_name: str, variant: str, check: str) -> None:
    result = resolved(file_name, variant)
    failed = result.failures.get(check, [])
    assert result.checked.get(check, 0) > 0 or check == "range, beyond", (result.name, check)
    assert not failed, (
        f"{result.name}: {len(failed)} of {result.checked[check]} '{check}' checks failed:\n"
        + "\n".join(failed[:12])
    )


@pytest.mark.parametrize(("file_name", "variant"), _params("reduced cost, within"))
def test_unused_variable_is_not_needed_below_its_reduced_cost(file_name, variant):
    _assert_holds(file_name, variant, "reduced cost, within")


@pytest.mark.parametrize(("file_name", "variant"), _params("reduced cost, beyond"))
def test_unused_variable_enters_just_past_its_reduced_cost(file_name, variant):
    _assert_holds(file_name, variant, "reduced cost, beyond")


@pytest.mark.parametrize(("file_name", "variant"), _params("range, within"))
def test_plan_stays_optimal_within_each_allowance(file_name, variant):
    _assert_holds(file_name, variant, "range, within")


@pytest.mark.parametrize(("file_name", "variant"), _params("range, beyond"))
def test_plan_is_beaten_just_past_each_finite_allowance(file_name, variant):
    _assert_holds(file_name, variant, "range, beyond")
