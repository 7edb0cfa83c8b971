"""Binding limits worth nothing: what a step of the input that sets them would do.

A binding limit with a shadow price of zero (and an input behind it with no priced binding
row: that input is priced there) says nothing by its rate. Its input is raised one natural
step and the plan re-solved with hiring free:

- the objective changes: the rate was zero with the people held, a whole step is not;
- no plan: the step leaves no plan;
- the objective does not change: whether the plan itself moves, and which targets, the
  largest relative change |after - before| / max(1, |before|) first (changes within 1e-6
  of that scale are no change; ``MOVES_SHOWN`` are named, the rest counted).
"""

from __future__ import annotations

import numpy as np

from optimizer.analysis.explain.resolves import gain_of, resolve_seconds
from optimizer.analysis.result import Plan
from optimizer.scenario import labels
from optimizer.scenario.inputs import is_int_field, numeric_inputs
from optimizer.scenario.labels import signed_money
from optimizer.scenario.names import Objective

MOVES_SHOWN = 3
"""Targets named in a 'what moves' sentence; the rest are counted."""


def unpriced_limits(scenario, plan, free, deadline) -> list[dict]:
    """Binding limits with a shadow price of zero, by the input that sets them (an input
    with a priced binding row is priced there, not here): raising the input one natural
    step, re-solved with hiring free, confirms whether the objective changes. Where the
    plan itself would move, say what moves: the targets that change, largest change
    first; else say that nothing moves.

    Returns ``{parameter, label, limits, step, step_words, value, moves, sentence}`` each.
    """
    b = plan.binding()
    if b.empty:
        return []
    b = b[(b["row_kind"] != "identity") & (b["parameter"].fillna("").astype(str) != "")]
    priced = set(b.loc[~(b["shadow_price"].abs() < 1e-9), "parameter"])
    zero = b[(b["shadow_price"].abs() < 1e-9) & ~b["parameter"].isin(priced)]
    values = {p: v for p, v, _ in numeric_inputs(scenario, plan.objective_name)}
    horizon = sorted(set(plan.targets["period"]) - {"horizon"}) if not plan.targets.empty else []
    months = max(1, scenario.calendar.horizon_months)
    period = "a month" if months == 1 else f"over {months} months"
    whole = "total profit" if plan.objective_name == Objective.max_profit else "the objective"
    out = []
    for parameter, rows in zero.groupby("parameter", sort=False):
        if parameter not in values or deadline.expired():
            continue
        info = labels.natural_step(parameter)
        step = info.size if not is_int_field(scenario, parameter) else max(1.0, round(info.size))
        try:
            result = free.resolve(
                {parameter: values[parameter] + step}, time_limit=resolve_seconds(deadline)
            )
        except Exception:  # noqa: BLE001 - a step the schema refuses: nothing to say
            continue
        gain = gain_of(plan, result.objective if result.solved else None)
        family = labels.family_label(str(rows["family"].iloc[0]))
        when = labels.months_phrase(list(rows["period"].astype(str)), horizon)
        label = f"{family}, {when}" if len(rows) > 1 else str(rows["label"].iloc[0])
        words = f"{info.words} more"
        moves = _moves(plan, result) if gain == 0 else []
        if gain is None:
            tail = "would leave no plan."
        elif gain != 0:  # the rate was zero with people held; a whole step hiring free is not
            tail = (f"would change {whole} by {signed_money(gain)} {period} once hiring is "
                    "free (re-solved), though with the plan's people held it is worth nothing.")  # fmt: skip
        elif moves:
            shown = "; ".join(m["words"] for m in moves[:MOVES_SHOWN])
            more = len(moves) - MOVES_SHOWN
            tail = (f"would not change {whole}, but the plan would move: {shown}"
                    + (f"; and {more} more targets." if more > 0 else "."))  # fmt: skip
        else:
            tail = f"would not change {whole}, and nothing in the plan would move."
        sentence = (f"{label} binds at a price of zero: raising it "
                    f"({labels.input_label(parameter, scenario).lower()}, {words}) {tail}")  # fmt: skip
        out.append({
            "parameter": parameter, "label": label, "limits": list(rows["name"]),
            "step": step, "step_words": words, "value": gain, "moves": moves,
            "sentence": sentence,
        })  # fmt: skip
    return out


def _moves(plan: Plan, result) -> list[dict]:
    """Targets that differ between the plan and a re-solved plan, largest relative change first."""
    if result.x is None or result._parts is None:
        return []
    moved = result.plan(marginals=False, whole_steps=False).targets
    keys = ["department", "role", "metric", "period"]
    both = plan.targets.merge(moved, on=keys, suffixes=("", "_moved"))
    change = (both["value_moved"] - both["value"]).abs().to_numpy()
    scale = np.maximum(1.0, both["value"].abs().to_numpy())
    both = both.assign(relative=change / scale)[change > 1e-6 * scale]
    both = both.sort_values("relative", ascending=False, kind="stable")
    out = []
    for _, r in both.iterrows():
        who = "" if r["role"] in (r["department"], "company") else f", {r['role']}"
        when = "" if r["period"] == "horizon" else f", {labels.month_label(r['period'])}"
        words = (f"{labels.metric_label(r['metric'])}{who}{when} "
                 f"{labels.figure(r['value'], r['unit'])} {labels.ARROW} "
                 f"{labels.figure(r['value_moved'], r['unit'])}")  # fmt: skip
        out.append({"metric": r["metric"], "role": r["role"], "period": r["period"],
                    "before": float(r["value"]), "after": float(r["value_moved"]),
                    "words": words})  # fmt: skip
    return out
