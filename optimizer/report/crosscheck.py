"""A second solver's view for people: a cross-check (``optimizer.analysis.crosscheck``) in
words, built from its numbers and verdicts. ``cross_check_notes``: each finding in a line;
``price_explanations``: why each limit's prices or duals differ (``explained_prices`` adds
them to the shadow-price table as its ``explanation`` column, as the JSON carries it);
``cross_check_lines``: the findings with their details and the verdict.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.analysis.crosscheck import OBJECTIVE_TOL


def cross_check_notes(cc, objective_tol: float = OBJECTIVE_TOL) -> list[str]:
    """Each finding of a ``CrossCheck`` in a line: the statuses, or the objective, the
    whole numbers, the targets, then the shadow prices and any dual vector that fails."""
    plan_a, plan_b = cc.plans
    a, b = cc.backends
    if not (plan_a.solved and plan_b.solved):
        return [
            f"status: {plan_a.status.value} ({a}) and {plan_b.status.value} ({b})"
            + (": they agree there is no plan" if cc.objective["agree"] else ": they disagree")
        ]
    objective = cc.objective
    notes = [
        f"objective ({plan_a.objective_name}): {objective['a']:,.6f} and {objective['b']:,.6f}, "
        f"relative difference {objective['relative']:.2g}: "
        + ("agree" if objective["agree"] else f"DISAGREE (tolerance {objective_tol:g})")
    ]
    if cc.same_whole_numbers:
        notes.append("whole-number plan: the same headcounts")
    else:
        notes.append(
            f"whole-number plan: {len(cc.headcounts)} headcounts differ"
            + (" (an alternative optimum: the objective is the same)" if objective["agree"] else "")
        )
    if cc.targets.empty:
        notes.append(f"targets: all {len(plan_a.targets)} agree")
    else:
        alternative = (cc.targets["verdict"] == "alternative optimum").all()
        notes.append(
            f"targets: {len(cc.targets)} of {len(plan_a.targets)} differ"
            + (
                "; both plans reach the same objective, so both are optimal: the optimum is "
                "not unique and the solvers picked different ones"
                if alternative
                else ""
            )
        )
    if cc.fixed_lp_failed is not None:
        return notes + ["the fixed LP did not solve: {} / {}".format(*cc.fixed_lp_failed)]
    if cc.repriced:
        notes.append(
            f"re-pricing: {b} priced {a}'s whole-number plan, so the shadow "
            "prices below are both prices of the same LP"
        )
    prices, limits = cc.shadow_prices, cc.limits
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
    for name, check in zip(cc.backends, cc.dual_checks):
        if not check.ok:
            notes.append(
                f"{name}'s duals are NOT an optimal dual solution of the LP: worst violation "
                f"{check.worst:.2g} at {check.where}"
            )
    return notes


def price_explanations(prices: pd.DataFrame, backends: tuple[str, str], a_ok: bool) -> list[str]:
    """Why each limit's prices or duals differ, by its verdict (``analysis.crosscheck``);
    ``a_ok``: the first backend's duals pass the optimality check."""
    a_name, b_name = backends
    out = []
    for row in prices.itertuples(index=False):
        name, pa, pb, da, db = row.name, row.price_a, row.price_b, row.dual_a, row.dual_b
        if row.verdict == "degenerate":
            out.append(
                f"{name}: the solvers' duals differ ({da:,.6g} from {a_name}, {db:,.6g} from "
                f"{b_name}), and both dual vectors are optimal for the same LP (dual feasible "
                "and complementary with the plan). This limit is degenerate: it binds together "
                "with other limits, so its dual is not unique; any value between the rate for "
                "a decrease and the rate for an increase is a valid dual. The reported shadow "
                f"price is the rate for an increase, measured by re-solving: {pa:,.6g} from "
                f"both."
            )
        elif row.verdict == "dual_invalid":
            bad = a_name if not a_ok else b_name
            out.append(
                f"{name}: the reported shadow prices agree ({pa:,.6g}), but the duals differ "
                f"({da:,.6g} / {db:,.6g}) and {bad}'s duals fail the optimality check."
            )
        else:
            why = (
                " The limit is degenerate and both dual vectors are optimal, yet the rates "
                "for an increase differ: a breakpoint may lie within the re-solve's step."
                if row.degenerate and row.duals_optimal
                else ""
            )
            out.append(
                f"{name}: shadow price {pa:,.6g} from {a_name} against {pb:,.6g} from "
                f"{b_name} (duals {da:,.6g} / {db:,.6g}).{why}"
            )
    return out


def price_explanations_of(cc) -> list[str]:
    """``price_explanations`` for each row of a ``CrossCheck``'s shadow-price table."""
    first = cc.dual_checks[0]
    return price_explanations(cc.shadow_prices, cc.backends, first is None or first.ok)


def explained_prices(cc) -> pd.DataFrame:
    """A ``CrossCheck``'s shadow-price table with its ``explanation`` column last."""
    words = np.array(price_explanations_of(cc), dtype=object)  # text, even when empty
    return cc.shadow_prices.assign(explanation=words)


def cross_check_lines(cc, limit: int = 12) -> list[str]:
    """The cross-check in words: each finding, then its details (at most ``limit`` each)."""
    a, b = cc.backends
    out = [f"Cross-check: {a} against {b}"]
    details = {
        "whole-number plan": [
            f"{row['name']}: {row['a']:g} ({a}) against {row['b']:g} ({b})"
            for _, row in cc.headcounts.iterrows()
        ],
        "targets": [
            f"{row['metric']} [{row['role']}, {row['period']}]: {row['a']:,.6g} against "
            f"{row['b']:,.6g} ({row['verdict']})"
            for _, row in cc.targets.iterrows()
        ],
        "shadow prices": price_explanations_of(cc),
    }
    for note in cross_check_notes(cc):
        out.append(f"  {note}")
        for key, lines in details.items():
            if note.startswith(key + ":"):
                out += [f"    {line}" for line in lines[:limit]]
                if len(lines) > limit:
                    out.append(f"    ... and {len(lines) - limit} more")
                details[key] = []
    out.append(
        "Verdict: the backends agree."
        if cc.ok
        else "Verdict: the backends DISAGREE beyond tolerance; see above."
    )
    return out
