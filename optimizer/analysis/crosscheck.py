"""A second opinion: the same scenario solved by two backends, every disagreement named.

``cross_check`` compares the objective, every target and every limit's shadow price.
Two solvers can disagree legitimately in two ways, and both are explained, not hidden:

- **Alternative optima.** Both plans reach the same objective (within tolerance) but
  choose different headcounts or volumes. Both are optimal; the targets that differ are
  listed. Shadow prices are then compared on the first backend's whole-number plan (the
  second backend re-prices that plan), so like is compared with like.
- **Degenerate limits.** When several limits bind at once, the LP has more than one
  optimal dual solution: a solver's dual for such a limit is one of many valid values.
  Where the two solvers' duals differ, each dual vector is checked to be an optimal dual
  of the same LP: dual feasible (reduced costs of the right sign for every variable at a
  bound, zero for a variable between its bounds) and complementary (no price on a limit
  with slack). If both pass, the difference is degeneracy. The reported shadow price is
  the rate for an *increase* of the limit, which is unique, so the reported prices must
  still agree; a difference there is a real disagreement.

Tolerances: objective 1e-6 relative; targets 1e-6 x max(1, |value|); shadow prices
1e-5 x max(1, |price|) + 1e-9 x max(1, |objective|); dual feasibility 1e-6 x the size of
the terms involved.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from optimizer.analysis.result import Plan
from optimizer.scenario.schema import Scenario

OBJECTIVE_TOL = 1e-6
TARGET_TOL = 1e-6
PRICE_TOL = 1e-5
PRICE_NOISE = 1e-9
"""Prices also agree within PRICE_NOISE x max(1, |objective|) per unit: re-solved rates
carry the objective's rounding divided by a small step (a $0.002 on a $2M objective)."""
DUAL_TOL = 1e-6
TARGET_KEYS = ["department", "role", "metric", "period", "unit"]
PRICE_COLUMNS = [
    "name",
    "kind",
    "binding",
    "price_a",
    "price_b",
    "dual_a",
    "dual_b",
    "degenerate",
    "duals_optimal",
    "verdict",
]


@dataclass(frozen=True)
class DualCheck:
    """Whether a dual vector is an optimal dual of an LP, given an optimal primal x."""

    ok: bool
    worst: float  # largest scaled violation of dual feasibility or complementarity
    where: str


def dual_check(a, lb: np.ndarray, ub: np.ndarray, x: np.ndarray, y: np.ndarray, tol=DUAL_TOL):
    """Check y (product convention) against the LP ``a`` with bounds lb, ub at primal x.

    In the maximisation form (a min problem's cost and duals are negated): a row's dual may
    be positive only if the row is at its upper limit and negative only at its lower; each
    reduced cost d = c - A'y may be positive only at the variable's upper bound and
    negative only at its lower. With x feasible, that makes y an optimal dual (LP duality).
    """
    s = 1.0 if a.sense == "max" else -1.0
    c, ym = s * a.solver_cost(), s * np.asarray(y, float)
    act = a.row_activity(x)

    def at(value, limit):
        return np.isfinite(limit) & (
            np.abs(value - limit) <= 1e-6 * np.maximum(1.0, np.abs(np.nan_to_num(limit)))
        )

    row_scale = np.maximum(1.0, np.abs(ym))
    bad_row = np.where(ym > 0, ~at(act, a.row_upper), ~at(act, a.row_lower)) & (ym != 0)
    row_violation = np.where(bad_row, np.abs(ym) / row_scale, 0.0)
    aty = np.zeros(a.num_vars)
    np.add.at(aty, a.cols, a.vals * ym[a.rows])
    size = np.zeros(a.num_vars)
    np.add.at(size, a.cols, np.abs(a.vals * ym[a.rows]))
    d = c - aty
    d_scale = np.maximum(1.0, np.maximum(np.abs(c), size))
    bad_col = np.where(d > 0, ~at(x, ub), ~at(x, lb))
    col_violation = np.where(bad_col, np.abs(d) / d_scale, 0.0)
    # a row's dual is allowed wherever the row is active; only a clear violation counts
    row_violation = np.where(row_violation > tol, row_violation, 0.0)
    worst_row = float(row_violation.max(initial=0.0))
    worst_col = float(col_violation.max(initial=0.0))
    if worst_row >= worst_col:
        where = f"row {int(np.argmax(row_violation))}" if worst_row > 0 else ""
    else:
        where = f"column {int(np.argmax(col_violation))}"
    worst = max(worst_row, worst_col)
    return DualCheck(worst <= tol, worst, where)


@dataclass(frozen=True)
class CrossCheck:
    """Two backends' answers to one scenario, compared: numbers, identifiers and verdicts.

    ``objective``: a, b, difference, relative, agree. ``headcounts``: the whole-number
    variables that differ (name, a, b). ``targets``: the targets that differ, each with a
    verdict ("alternative optimum" or "disagree"). ``shadow_prices``: the limits whose duals
    or reported prices differ, each with a verdict ("degenerate", "dual_invalid" or
    "disagree"). ``limits``: how many limits were compared; ``repriced``: the second
    backend priced the first's whole-number plan; ``fixed_lp_failed``: both solvers'
    statuses when the fixed LP did not solve. The findings in words, and each price's
    explanation, are the report's (``optimizer.report.crosscheck``).
    """

    backends: tuple[str, str]
    plans: tuple[Plan, Plan]
    objective: dict
    same_whole_numbers: bool
    headcounts: pd.DataFrame
    targets: pd.DataFrame
    shadow_prices: pd.DataFrame
    dual_checks: tuple[DualCheck | None, DualCheck | None]
    ok: bool = True
    limits: int = 0
    repriced: bool = False
    fixed_lp_failed: tuple[str, str] | None = None


def _close(x: float, y: float, tol: float, floor: float = 0.0) -> bool:
    if x is None or y is None or (isinstance(x, float) and math.isnan(x)):
        return x is y or (
            isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y)
        )
    if math.isinf(x) or math.isinf(y):
        return x == y
    return abs(x - y) <= tol * max(1.0, abs(x), abs(y)) + floor


def cross_check(
    scenario: Scenario,
    objective: str | None = None,
    backends: tuple[str, str] = ("highs", "ortools"),
    *,
    time_limit: float | None = None,
    plan_a: Plan | None = None,
) -> CrossCheck:
    """Solve with two backends and report every disagreement beyond tolerance.

    ``plan_a`` may be the first backend's plan already solved (the CLI passes it).
    """
    from optimizer.analysis.solve import constraint_table, solve
    from optimizer.model.chain import build_model
    from optimizer.solvers import Status
    from optimizer.solvers import backend as solver_backend
    from optimizer.solvers.twostage import fixed_bounds

    engine_a, engine_b = (solver_backend(name) for name in backends)
    if engine_a.name == engine_b.name:
        raise ValueError(f"cross-check needs two different backends, got {engine_a.name} twice")
    names = (engine_a.name, engine_b.name)
    objective = objective or scenario.objective
    if plan_a is None:
        plan_a = solve(scenario, objective, time_limit=time_limit, backend=engine_a)
    plan_b = solve(
        scenario,
        objective,
        time_limit=time_limit,
        backend=engine_b,
        marginals=False,
        whole_steps=False,
    )
    empty_targets = pd.DataFrame(columns=[*TARGET_KEYS, "a", "b", "difference", "verdict"])
    empty_prices = pd.DataFrame(columns=PRICE_COLUMNS)
    empty_heads = pd.DataFrame(columns=["name", "a", "b"])
    value_a, value_b = plan_a.objective, plan_b.objective
    objective_row = {"a": value_a, "b": value_b, "difference": None, "relative": None}
    if not (plan_a.solved and plan_b.solved):
        same = plan_a.status is plan_b.status and not plan_a.solved and not plan_b.solved
        objective_row["agree"] = same
        return CrossCheck(
            names,
            (plan_a, plan_b),
            objective_row,
            False,
            empty_heads,
            empty_targets,
            empty_prices,
            (None, None),
            same,
        )

    difference = value_b - value_a
    relative = abs(difference) / max(1.0, abs(value_a))
    objective_agrees = relative <= OBJECTIVE_TOL
    objective_row.update(difference=difference, relative=relative, agree=objective_agrees)

    model, _ = build_model(scenario, objective)
    arrays = model.arrays()
    x_a = plan_a.variables["value"].to_numpy(dtype=float)
    x_b = plan_b.variables["value"].to_numpy(dtype=float)
    # whole people: a role's choices (an Erlang roster, a month's way of hiring or letting
    # go) follow from them, and a choice between no moves either way is no difference
    people = np.zeros(arrays.integer.size, dtype=bool)
    for block in model.var_blocks.values():
        if block.unit == "people":
            people[block.start : block.start + block.size] = True
    ints = np.flatnonzero(arrays.integer & people)
    differs = ints[np.round(x_a[ints]) != np.round(x_b[ints])]
    same_whole = differs.size == 0
    var_names = np.array(model.var_names(), dtype=object)
    headcounts = pd.DataFrame(
        {"name": var_names[differs], "a": np.round(x_a[differs]), "b": np.round(x_b[differs])}
    )
    targets = _compare_targets(plan_a, plan_b, objective_agrees)

    # Shadow prices, on the first backend's whole-number plan for both backends: the LP
    # with those whole numbers fixed (``Backend.solve_fixed``), each backend solving it as
    # it solves an LP model ("model": HiGHS's dual simplex, not its fixed-LP primal simplex).
    lb, ub = fixed_bounds(arrays, x_a)
    fixed = replace(arrays, lb=lb, ub=ub, integer=np.zeros_like(arrays.integer))
    raw_a = engine_a.solve_fixed(fixed, lb, ub, settings="model")
    raw_b = engine_b.solve_fixed(fixed, lb, ub, settings="model")
    if raw_a.status is not Status.OPTIMAL or raw_b.status is not Status.OPTIMAL:
        return CrossCheck(
            names,
            (plan_a, plan_b),
            objective_row,
            same_whole,
            headcounts,
            targets,
            empty_prices,
            (None, None),
            False,
            fixed_lp_failed=(raw_a.solver_status, raw_b.solver_status),
        )
    table_a = plan_a.constraints
    if same_whole:
        table_b = plan_b.constraints
    else:  # the second backend prices the first's plan: the same LP for both
        table_b = constraint_table(model, fixed, raw_b, whole_steps=False, engine=engine_b)
    check_a = dual_check(fixed, lb, ub, raw_a.x, raw_a.row_shadow)
    check_b = dual_check(fixed, lb, ub, raw_a.x, raw_b.row_shadow)
    prices = _compare_prices(table_a, table_b, raw_a, raw_b, check_a.ok and check_b.ok)
    limits = int((table_a["kind"] != "definition").sum())
    disagreements = int((prices["verdict"] == "disagree").sum())
    ok = (
        objective_agrees
        and disagreements == 0
        and check_a.ok
        and check_b.ok
        and (targets.empty or (targets["verdict"] == "alternative optimum").all())
    )
    return CrossCheck(
        names,
        (plan_a, plan_b),
        objective_row,
        same_whole,
        headcounts,
        targets,
        prices,
        (check_a, check_b),
        ok,
        limits,
        repriced=not same_whole,
    )


def _compare_targets(plan_a: Plan, plan_b: Plan, objective_agrees: bool) -> pd.DataFrame:
    merged = plan_a.targets.merge(
        plan_b.targets, on=TARGET_KEYS, how="outer", suffixes=("_a", "_b"), indicator=True
    )
    rows = []
    for _, row in merged.iterrows():
        va, vb = row.get("value_a"), row.get("value_b")
        va = float("nan") if va is None else float(va)
        vb = float("nan") if vb is None else float(vb)
        if row["_merge"] == "both" and _close(va, vb, TARGET_TOL):
            continue
        rows.append(
            {
                **{k: row[k] for k in TARGET_KEYS},
                "a": va,
                "b": vb,
                "difference": vb - va,
                "verdict": "alternative optimum"
                if objective_agrees and row["_merge"] == "both" and plan_a.solved and plan_b.solved
                else "disagree",
            }
        )
    return pd.DataFrame(rows, columns=[*TARGET_KEYS, "a", "b", "difference", "verdict"])


def _compare_prices(table_a, table_b, raw_a, raw_b, both_optimal: bool) -> pd.DataFrame:
    """The limits whose reported prices or duals differ beyond tolerance, with a verdict:
    "degenerate" (prices agree, duals differ, both dual vectors optimal), "dual_invalid"
    (prices agree, a dual vector fails ``dual_check``) or "disagree" (the prices differ);
    why, in words, is ``optimizer.report.crosscheck.price_explanations``."""
    rows = []
    noise = PRICE_NOISE * max(1.0, abs(raw_a.objective))
    for i in range(len(table_a)):
        ra, rb = table_a.iloc[i], table_b.iloc[i]
        if ra["kind"] == "definition":
            continue
        pa, pb = float(ra["shadow_price"]), float(rb["shadow_price"])
        da, db = float(raw_a.row_shadow[i]), float(raw_b.row_shadow[i])
        prices_agree = _close(pa, pb, PRICE_TOL, noise)
        if prices_agree and _close(da, db, PRICE_TOL, noise):
            continue
        if prices_agree:
            verdict = "degenerate" if both_optimal else "dual_invalid"
        else:
            verdict = "disagree"
        rows.append(
            {
                "name": ra["name"],
                "kind": ra["kind"],
                "binding": bool(ra["binding"]),
                "price_a": pa,
                "price_b": pb,
                "dual_a": da,
                "dual_b": db,
                "degenerate": bool(ra["degenerate"] or rb["degenerate"]) or _zero_range(ra),
                "duals_optimal": both_optimal,
                "verdict": verdict,
            }
        )
    return pd.DataFrame(rows, columns=PRICE_COLUMNS)


def _zero_range(row) -> bool:
    up, down = row["allowable_increase"], row["allowable_decrease"]
    return bool(row["binding"]) and (
        (isinstance(up, float) and up <= 1e-9) or (isinstance(down, float) and down <= 1e-9)
    )
