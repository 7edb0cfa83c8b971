"""The odds of a plan in a leader's words (``optimizer.analysis.risk.Risk``), and as JSON.

``sentences`` gives the lines the CLI prints and the app and workbook show: how likely each
goal is and how precisely that is known, the spread of profit and cash, what is held and
what the recourse may change, what drives the spread, and how the plans were checked.
``payload`` keeps the identifiers and raw numbers for programs.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from optimizer.report.tables import target_labels
from optimizer.scenario import labels

HOLD_WORDS = {
    "people": "every headcount",
    "ads": "the leads bought in each ad tier",
}
HORIZON = "horizon"
MEASURES = {"profit": "Profit", "cash": "Cash in the bank"}
TARGET_COLUMNS = ["department", "role", "target", "plan", "P10", "P50", "P90", "unit"]
RECOURSE_WORDS = (
    "re-solved for each draw: conversations at each length, leads, units built and shipped"
)


def odds_words(p: float) -> str:
    """'72.6 %', '< 0.1 %', '> 99.9 %'."""
    if 0 < p < 0.001:
        return "< 0.1 %"
    if 0.999 < p < 1:
        return "> 99.9 %"
    return labels.percent(p)


def held_words(risk, variables: pd.DataFrame | None = None) -> str:
    """'Marketers 2; Reps, field team 5; Delivery workers 19 to 20': each held column's
    label without its month, with the values it is held at over the months."""
    names = dict(zip(variables["name"], variables["label"])) if variables is not None else {}
    groups: dict[str, list[float]] = {}
    for name, value in risk.held.items():
        label = re.sub(r", [A-Z][a-z]{2} \d{4}$", "", names.get(name, name))
        groups.setdefault(label, []).append(value)
    parts = []
    for label, values in groups.items():
        low, high = min(values), max(values)
        held = (
            labels.number(low) if low == high else f"{labels.number(low)} to {labels.number(high)}"
        )
        parts.append(f"{label} {held}")
    return "; ".join(parts)


def sentences(risk, variables: pd.DataFrame | None = None) -> list[str]:
    """The odds of the plan as a leader reads them."""
    held = ", ".join(HOLD_WORDS[h] for h in risk.hold)
    out = [
        f"Held at the plan's values: {held} ({held_words(risk, variables)}); the rest "
        f"{RECOURSE_WORDS}."
    ]
    error = 100 * risk.error
    if len(risk.goals):
        for goal in risk.goals.itertuples():
            out.append(
                f"{goal.label} ({labels.money(goal.goal)}): met in {odds_words(goal.probability)}"
                f" of {risk.draws:,} draws."
            )
        if len(risk.goals) > 1:
            out.append(f"Every goal at once: {odds_words(risk.all_goals)}.")
        out[-1] = out[-1][:-1] + f" (give or take {error:.1f} percentage points: the draws' error)."
    else:
        out.append("The scenario states no finance goal; the spread of profit is below.")
    total = risk.money[(risk.money["measure"] == "profit") & (risk.money["period"] == "horizon")]
    if len(total) and total.iloc[0].p50 != total.iloc[0].p50:  # NaN: no draw has a plan
        out.append("No draw has a plan, so profit has no spread to show.")
    elif len(total):
        t = total.iloc[0]
        out.append(
            f"Profit over the plan: {labels.money(t.p10)} in the worst tenth of draws (P10), "
            f"{labels.money(t.p50)} in the middle (P50), {labels.money(t.p90)} in the best tenth "
            f"(P90); the plan with single-number inputs earns {labels.money(t.plan)}."
        )
    if risk.no_plan:
        out.append(
            f"In {risk.no_plan:,} draws ({odds_words(risk.no_plan / risk.draws)}) the held people "
            "cannot keep every limit: no plan, and no goal met."
        )
        if len(risk.giving):
            g = risk.giving
            shown = "; ".join(f"{row.label} ({row.draws})" for row in g.head(4).itertuples())
            more = f" and {len(g) - 4} more" if len(g) > 4 else ""
            out[-1] = out[-1][:-1] + (
                f". The limits that give, in the first {int(g['examined'].iloc[0])} of them: "
                f"{shown}{more}."
            )
    for row in risk.tornado[risk.tornado["clear"]].head(3).itertuples():
        out.append(
            f"{row.label}: in its lowest tenth of draws (about {labels.input_amount(row.path, row.low)}) "
            f"profit averages {_average(row.profit_low)} and every goal is met in "
            f"{odds_words(row.odds_low)}; in its highest tenth (about "
            f"{labels.input_amount(row.path, row.high)}) {_average(row.profit_high)} and "
            f"{odds_words(row.odds_high)}; from its P10 to its P90, the others held, it moves "
            f"profit {labels.signed_money(row.effect)} ({labels.percent(row.share, 0)} of the "
            "spread)."
        )
    quiet = risk.tornado[~risk.tornado["clear"]]
    if len(quiet):
        out.append(
            f"No clear effect of its own over these draws: {', '.join(quiet['label'].head(6))}"
            + (f" and {len(quiet) - 6} more" if len(quiet) > 6 else "")
            + "."
        )
    v = risk.verified
    out.append(
        f"Checked: each of the {v['draws']:,} draws' plans against its own model's rows "
        f"(largest excess {v['worst_row_excess']:.1g}), and {v['checked_against_scenario']} "
        "of them against the moved scenario itself."
        + (
            f" {v['failed_check']:,} draws' plans broke a row and count as no plan."
            if v.get("failed_check")
            else ""
        )
    )
    return out


def targets_table(risk, month: str | None = None) -> pd.DataFrame:
    """The targets' plan and P10/P50/P90 in one month (the first by default), formatted:
    department, role and target in words, money with $ and separators, shares as %."""
    t = risk.targets
    month = month or (t["period"].iloc[0] if len(t) else None)
    t = t[t["period"] == month].reset_index(drop=True)
    names = target_labels(risk.targets["metric"])
    names = dict(zip(risk.targets["metric"], names))

    def shown(column: str) -> list[str]:
        return [labels.figure(v, u) for v, u in zip(t[column], t["unit"])]

    return pd.DataFrame(
        {
            "department": t["department"].str.capitalize(),
            "role": [labels.role_words(r) for r in t["role"]],
            "target": [names[m] for m in t["metric"]],
            "plan": shown("plan"),
            "P10": shown("p10"),
            "P50": shown("p50"),
            "P90": shown("p90"),
            "unit": [unit_words(u) for u in t["unit"]],
        },
        columns=TARGET_COLUMNS,
    )


unit_words = labels.unit_words


def money_table(risk) -> pd.DataFrame:
    """Profit and cash by month and profit over the plan: P10, P50, P90 and the plan."""
    m = risk.money
    return pd.DataFrame(
        {
            "": [MEASURES[x] for x in m["measure"]],
            "month": [period_words(p) for p in m["period"]],
            "P10": m["p10"].map(labels.money),
            "P50": m["p50"].map(labels.money),
            "P90": m["p90"].map(labels.money),
            "plan": m["plan"].map(labels.money),
        }
    )


def period_words(period: str) -> str:
    return "whole plan" if period == HORIZON else labels.month_label(period)


def _average(value: float) -> str:
    """A mean profit, or why there is none: no draw in that tenth has a plan."""
    return "nothing (no plan in any of them)" if value != value else labels.money(value)


def kept_words(risk) -> str:
    """'over 200 of the 10,000 draws, each with its own plan'."""
    kept = risk.targets["kept"].iloc[0] if "kept" in risk.targets and len(risk.targets) else 0
    return f"over {int(kept):,} of the {risk.draws:,} draws, each with its own plan"


def payload(risk) -> dict:
    """The risk as JSON-ready data: identifiers and raw numbers."""
    return _clean(
        {
            "scenario": risk.scenario,
            "draws": risk.draws,
            "seed": risk.seed,
            "hold": list(risk.hold),
            "held": risk.held,
            "plan_profit": risk.plan_profit,
            "probability_all_goals": risk.all_goals,
            "standard_error": risk.error,
            "draws_without_plan": risk.no_plan,
            "goals": risk.goals.to_dict(orient="records"),
            "money": risk.money.to_dict(orient="records"),
            "targets": risk.targets.to_dict(orient="records"),
            "tornado": risk.tornado.to_dict(orient="records"),
            "inputs": risk.inputs.to_dict(orient="records"),
            "limits_without_plan": risk.giving.to_dict(orient="records"),
            "verified": risk.verified,
            "seconds": risk.times.get("total"),
        }
    )


def _clean(value):
    """NaN and infinities as null; numpy numbers as Python's."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def choice_rows(chosen, variables: pd.DataFrame | None = None) -> pd.DataFrame:
    """The single-number plan and the plan chosen for its odds, side by side: the people
    that differ, then each plan's odds and profit on the fresh draws."""
    names = dict(zip(variables["name"], variables["label"])) if variables is not None else {}
    rows = [
        {"measure": names.get(n, n), "single_number_plan": labels.number(a),
         "chosen_for_odds": labels.number(b)}
        for n, (a, b) in chosen.changed.items()
    ]  # fmt: skip
    s, c = chosen.single, chosen.chosen
    rows += [
        {"measure": "Every goal met (fresh draws)",
         "single_number_plan": f"{odds_words(s.probability)} ± {100 * s.error:.1f} pp",
         "chosen_for_odds": f"{odds_words(c.probability)} ± {100 * c.error:.1f} pp"},
        {"measure": "Mean profit (fresh draws)", "single_number_plan": labels.money(s.mean_profit),
         "chosen_for_odds": labels.money(c.mean_profit)},
        {"measure": "Profit P10 / P50 / P90",
         "single_number_plan": " / ".join(labels.money(v) for v in (s.p10, s.p50, s.p90)),
         "chosen_for_odds": " / ".join(labels.money(v) for v in (c.p10, c.p50, c.p90))},
        {"measure": "Draws without a plan", "single_number_plan": f"{s.no_plan:,}",
         "chosen_for_odds": f"{c.no_plan:,}"},
    ]  # fmt: skip
    return pd.DataFrame(rows)


def choice_sentences(chosen, variables: pd.DataFrame | None = None) -> list[str]:
    """The choice in words: how it was chosen, what it changes, how it fares on fresh draws."""
    goal = "the share of draws meeting every goal" if chosen.objective == "probability" else (
        "the mean profit")  # fmt: skip
    out = [
        f"Chosen for its odds: the people that maximise {goal} over {chosen.choosing_draws:,} "
        f"draws (seed {chosen.choosing_seed}), every draw's month re-solved with them; measured "
        f"on {chosen.fresh_draws:,} fresh draws (seed {chosen.fresh_seed}) not used to choose."
    ]
    if chosen.status != "optimal":
        out.append(
            f"The choice stopped at its time limit ({chosen.status}), within "
            f"{labels.percent(chosen.gap or 0)} of the best possible on the choosing draws."
        )
    if not chosen.changed:
        out.append("The plan for the single-number inputs is also the plan chosen for its odds.")
        return out
    names = dict(zip(variables["name"], variables["label"])) if variables is not None else {}
    moves = "; ".join(
        f"{names.get(n, n)} {labels.number(a)} → {labels.number(b)}"
        for n, (a, b) in chosen.changed.items()
    )
    s, c = chosen.single, chosen.chosen
    out.append(f"It changes: {moves}.")
    out.append(
        f"On the fresh draws every goal is met in {odds_words(c.probability)} of them against "
        f"{odds_words(s.probability)} for the single-number plan (each ± "
        f"{100 * max(s.error, c.error):.1f} pp); mean profit {labels.money(c.mean_profit)} "
        f"against {labels.money(s.mean_profit)}."
    )
    return out


def choice_payload(chosen) -> dict:
    """The choice as JSON-ready data."""

    def measured(m):
        return {**m.__dict__, "standard_error": m.error}

    return _clean(
        {
            "objective": chosen.objective,
            "choosing_draws": chosen.choosing_draws,
            "choosing_seed": chosen.choosing_seed,
            "fresh_draws": chosen.fresh_draws,
            "fresh_seed": chosen.fresh_seed,
            "changed": {
                n: {"single_number_plan": a, "chosen": b} for n, (a, b) in chosen.changed.items()
            },  # fmt: skip
            "single_number_plan": measured(chosen.single),
            "chosen": measured(chosen.chosen),
            "on_choosing_draws": {
                "single_number_plan": measured(chosen.single_fit),
                "chosen": measured(chosen.chosen_fit),
            },  # fmt: skip
            "model_value": chosen.model_value,
            "gap": chosen.gap,
            "status": chosen.status,
            "seconds": chosen.times.get("total"),
        }
    )
