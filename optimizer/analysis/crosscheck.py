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
from dataclasses import dataclass, field, replace

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
    "name", "kind", "binding", "price_a", "price_b", "dual_a", "dual_b", "degenerate",
    "duals_optimal", "verdict", "explanation",
]  # fmt: skip


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
    backends: tuple[str, str]
    plans: tuple[Plan, Plan]
    objective: dict
    same_whole_numbers: bool
    headcounts: pd.DataFrame  # integer variables that differ: name, a, b
    targets: pd.DataFrame  # targets that differ, with a verdict
    shadow_prices: pd.DataFrame  # limits whose duals or reported prices differ
    dual_checks: tuple[DualCheck | None, DualCheck | None]
    notes: list[str] = field(default_factory=list)
    ok: bool = True

    def lines(self, limit: int = 12) -> list[str]:
        """The report in words: each finding, then its details (at most ``limit`` each)."""
        a, b = self.backends
        out = [f"Cross-check: {a} against {b}"]
        details = {
            "whole-number plan": [
                f"{row['name']}: {row['a']:g} ({a}) against {row['b']:g} ({b})"
                for _, row in self.headcounts.iterrows()
            ],
            "targets": [
                f"{row['metric']} [{row['role']}, {row['period']}]: {row['a']:,.6g} against "
                f"{row['b']:,.6g} ({row['verdict']})"
                for _, row in self.targets.iterrows()
            ],
            "shadow prices": list(self.shadow_prices["explanation"]),
        }
        for note in self.notes:
            out.append(f"  {note}")
            for key, lines in details.items():
                if note.startswith(key + ":"):
                    out += [f"    {line}" for line in lines[:limit]]
                    if len(lines) > limit:
                        out.append(f"    ... and {len(lines) - limit} more")
                    details[key] = []
        out.append(
            "Verdict: the backends agree."
            if self.ok
            else "Verdict: the backends DISAGREE beyond tolerance; see above."
        )
        return out

    def to_json(self) -> dict:
        from optimizer.analysis.records import _records

        return {
            "backends": list(self.backends),
            "ok": bool(self.ok),
            "objective": {k: _clean(v) for k, v in self.objective.items()},
            "same_whole_numbers": bool(self.same_whole_numbers),
            "headcount_differences": _records(self.headcounts),
            "target_differences": _records(self.targets),
            "shadow_price_differences": _records(self.shadow_prices),
            "dual_checks": [
                None
                if c is None
                else {"ok": bool(c.ok), "worst": _clean(c.worst), "where": c.where}
                for c in self.dual_checks
            ],
            "notes": list(self.notes),
        }


def _clean(value):
    from optimizer.analysis.records import _clean as clean

    return clean(value)


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
    from optimizer.solvers.highs import fixed_bounds

    engine_a, engine_b = (solver_backend(name) for name in backends)
    if engine_a.name == engine_b.name:
        raise ValueError(f"cross-check needs two different backends, got {engine_a.name} twice")
    names = (engine_a.name, engine_b.name)
    objective = objective or scenario.objective
    if plan_a is None:
        plan_a = solve(scenario, objective, time_limit=time_limit, backend=engine_a)
    plan_b = solve(
        scenario, objective, time_limit=time_limit, backend=engine_b, marginals=False,
        whole_steps=False,
    )  # fmt: skip
    notes: list[str] = []
    empty_targets = pd.DataFrame(columns=[*TARGET_KEYS, "a", "b", "difference", "verdict"])
    empty_prices = pd.DataFrame(columns=PRICE_COLUMNS)
    empty_heads = pd.DataFrame(columns=["name", "a", "b"])
    value_a, value_b = plan_a.objective, plan_b.objective
    objective_row = {"a": value_a, "b": value_b, "difference": None, "relative": None}
    if not (plan_a.solved and plan_b.solved):
        same = plan_a.status is plan_b.status and not plan_a.solved and not plan_b.solved
        notes.append(
            f"status: {plan_a.status.value} ({names[0]}) and {plan_b.status.value} ({names[1]})"
            + (": they agree there is no plan" if same else ": they disagree")
        )
        objective_row["agree"] = same
        return CrossCheck(
            names, (plan_a, plan_b), objective_row, False, empty_heads, empty_targets,
            empty_prices, (None, None), notes, same,
        )  # fmt: skip

    difference = value_b - value_a
    relative = abs(difference) / max(1.0, abs(value_a))
    objective_agrees = relative <= OBJECTIVE_TOL
    objective_row.update(difference=difference, relative=relative, agree=objective_agrees)
    notes.append(
        f"objective ({plan_a.objective_name}): {value_a:,.6f} and {value_b:,.6f}, "
        f"relative difference {relative:.2g}: "
        + ("agree" if objective_agrees else f"DISAGREE (tolerance {OBJECTIVE_TOL:g})")
    )

    model, _ = build_model(scenario, objective)
    arrays = model.arrays()
    x_a = plan_a.variables["value"].to_numpy(dtype=float)
    x_b = plan_b.variables["value"].to_numpy(dtype=float)
    ints = np.flatnonzero(arrays.integer)
    differs = ints[np.round(x_a[ints]) != np.round(x_b[ints])]
    same_whole = differs.size == 0
    var_names = np.array(model.var_names(), dtype=object)
    headcounts = pd.DataFrame(
        {"name": var_names[differs], "a": np.round(x_a[differs]), "b": np.round(x_b[differs])}
    )
    if same_whole:
        notes.append("whole-number plan: the same headcounts")
    else:
        notes.append(
            f"whole-number plan: {differs.size} headcounts differ"
            + (" (an alternative optimum: the objective is the same)" if objective_agrees else "")
        )

    targets = _compare_targets(plan_a, plan_b, objective_agrees)
    if targets.empty:
        notes.append(f"targets: all {len(plan_a.targets)} agree")
    else:
        alternative = (targets["verdict"] == "alternative optimum").all()
        notes.append(
            f"targets: {len(targets)} of {len(plan_a.targets)} differ"
            + (
                "; both plans reach the same objective, so both are optimal: the optimum is "
                "not unique and the solvers picked different ones"
                if alternative
                else ""
            )
        )

    # Shadow prices, on the first backend's whole-number plan for both backends.
    lb, ub = fixed_bounds(arrays, x_a)
    fixed = replace(arrays, lb=lb, ub=ub, integer=np.zeros_like(arrays.integer))
    raw_a = engine_a.solve(fixed)
    raw_b = engine_b.solve(fixed)
    if raw_a.status is not Status.OPTIMAL or raw_b.status is not Status.OPTIMAL:
        notes.append(f"the fixed LP did not solve: {raw_a.solver_status} / {raw_b.solver_status}")
        return CrossCheck(
            names, (plan_a, plan_b), objective_row, same_whole, headcounts, targets,
            empty_prices, (None, None), notes, False,
        )  # fmt: skip
    table_a = plan_a.constraints
    if same_whole:
        table_b = plan_b.constraints
    else:
        table_b = constraint_table(model, fixed, raw_b, whole_steps=False, engine=engine_b)
        notes.append(
            f"re-pricing: {names[1]} priced {names[0]}'s whole-number plan, so the shadow "
            "prices below are both prices of the same LP"
        )
    check_a = dual_check(fixed, lb, ub, raw_a.x, raw_a.row_shadow)
    check_b = dual_check(fixed, lb, ub, raw_a.x, raw_b.row_shadow)
    prices = _compare_prices(model, table_a, table_b, raw_a, raw_b, check_a, check_b, names)
    limits = int((table_a["kind"] != "definition").sum())
    disagreements = int((prices["verdict"] == "disagree").sum()) if len(prices) else 0
    degenerate = int((prices["verdict"] == "degenerate").sum()) if len(prices) else 0
    if prices.empty:
        notes.append(f"shadow prices: all {limits} limits agree, and so do the solvers' duals")
    else:
        notes.append(
            f"shadow prices: {limits - disagreements} of {limits} limits agree"
            + (
                f"; on {degenerate} degenerate limits the solvers' duals differ but both are "
                "optimal duals of the same LP, and the reported rate for an increase agrees"
                if degenerate
                else ""
            )
        )
    for label, check in zip(names, (check_a, check_b)):
        if not check.ok:
            notes.append(
                f"{label}'s duals are NOT an optimal dual solution of the LP: worst violation "
                f"{check.worst:.2g} at {check.where}"
            )
    ok = (
        objective_agrees
        and disagreements == 0
        and check_a.ok
        and check_b.ok
        and (targets.empty or (targets["verdict"] == "alternative optimum").all())
    )
    return CrossCheck(
        names, (plan_a, plan_b), objective_row, same_whole, headcounts, targets, prices,
        (check_a, check_b), notes, ok,
    )  # fmt: skip


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
        rows.append({
            **{k: row[k] for k in TARGET_KEYS}, "a": va, "b": vb,
            "difference": vb - va,
            "verdict": "alternative optimum"
            if objective_agrees and row["_merge"] == "both" and plan_a.solved and plan_b.solved
            else "disagree",
        })  # fmt: skip
    return pd.DataFrame(rows, columns=[*TARGET_KEYS, "a", "b", "difference", "verdict"])


def _compare_prices(model, table_a, table_b, raw_a, raw_b, check_a, check_b, names):
    rows = []
    noise = PRICE_NOISE * max(1.0, abs(raw_a.objective))
    a_name, b_name = names
    for i in range(len(table_a)):
        ra, rb = table_a.iloc[i], table_b.iloc[i]
        if ra["kind"] == "definition":
            continue
        pa, pb = float(ra["shadow_price"]), float(rb["shadow_price"])
        da, db = float(raw_a.row_shadow[i]), float(raw_b.row_shadow[i])
        prices_agree = _close(pa, pb, PRICE_TOL, noise)
        duals_agree = _close(da, db, PRICE_TOL, noise)
        if prices_agree and duals_agree:
            continue
        degenerate = bool(ra["degenerate"] or rb["degenerate"]) or _zero_range(ra)
        both_optimal = check_a.ok and check_b.ok
        name = ra["name"]
        if prices_agree and both_optimal:
            verdict = "degenerate"
            explanation = (
                f"{name}: the solvers' duals differ ({da:,.6g} from {a_name}, {db:,.6g} from "
                f"{b_name}), and both dual vectors are optimal for the same LP (dual feasible "
                "and complementary with the plan). This limit is degenerate: it binds together "
                "with other limits, so its dual is not unique; any value between the rate for "
                "a decrease and the rate for an increase is a valid dual. The reported shadow "
                f"price is the rate for an increase, measured by re-solving: {pa:,.6g} from "
                f"both."
            )
        elif prices_agree:
            verdict = "dual_invalid"
            bad = a_name if not check_a.ok else b_name
            explanation = (
                f"{name}: the reported shadow prices agree ({pa:,.6g}), but the duals differ "
                f"({da:,.6g} / {db:,.6g}) and {bad}'s duals fail the optimality check."
            )
        else:
            verdict = "disagree"
            why = (
                " The limit is degenerate and both dual vectors are optimal, yet the rates "
                "for an increase differ: a breakpoint may lie within the re-solve's step."
                if degenerate and both_optimal
                else ""
            )
            explanation = (
                f"{name}: shadow price {pa:,.6g} from {a_name} against {pb:,.6g} from "
                f"{b_name} (duals {da:,.6g} / {db:,.6g}).{why}"
            )
        rows.append({
            "name": name, "kind": ra["kind"], "binding": bool(ra["binding"]), "price_a": pa,
            "price_b": pb, "dual_a": da, "dual_b": db, "degenerate": degenerate,
            "duals_optimal": both_optimal, "verdict": verdict, "explanation": explanation,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=PRICE_COLUMNS)


def _zero_range(row) -> bool:
    up, down = row["allowable_increase"], row["allowable_decrease"]
    return bool(row["binding"]) and (
        (isinstance(up, float) and up <= 1e-9) or (isinstance(down, float) and down <= 1e-9)
    )
