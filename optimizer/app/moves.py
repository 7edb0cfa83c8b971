"""What-ifs: one input moved, the plan solved again, and what changed.

The slider for an input spans half to one and a half times its value, kept inside the
range the schema allows (a share stays in [0, 1], a headcount is whole). A moved
scenario is validated like a file, so a value that breaks a rule across fields (more
hours lost than the day has) comes back as a ``ScenarioError`` for the page to show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from optimizer.analysis.result import Plan
from optimizer.scenario.inputs import numeric_inputs, with_values
from optimizer.scenario.names import Objective
from optimizer.scenario.paths import resolve
from optimizer.scenario.schema import Scenario


@dataclass(frozen=True)
class Slider:
    path: str
    unit: str
    value: float
    low: float
    high: float
    step: float
    integer: bool


def inputs(scenario: Scenario, plan: Plan | None = None) -> list[tuple[str, float, str]]:
    """(path, value, unit) of every numeric input, those worth most at 1 % first."""
    found = list(numeric_inputs(scenario, plan.objective_name if plan else scenario.objective))
    if plan is None or plan.parameters.empty:
        return found
    mv = dict(zip(plan.parameters["path"], plan.parameters["marginal_value"]))

    def worth(item: tuple[str, float, str]) -> float:
        value = mv.get(item[0], math.nan)
        return -abs(value * item[1]) if isinstance(value, float) and math.isfinite(value) else 0.0

    return sorted(found, key=worth)


def _nice_step(span: float) -> float:
    raw = span / 100
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def slider(scenario: Scenario, path: str) -> Slider:
    value, unit = next(
        (v, u) for p, v, u in numeric_inputs(scenario, Objective.closest_to_current) if p == path
    )
    spec = resolve(path)  # the schema's bounds and whole-number flag at the path
    integer, metadata = spec.whole, spec.constraints
    bound = {
        k: getattr(m, k)
        for m in metadata
        for k in ("ge", "gt", "le", "lt")
        if getattr(m, k, None) is not None
    }
    if integer:
        low, high = math.floor(value * 0.5), max(math.ceil(value * 1.5), int(value) + 2)
        low = max(low, bound.get("ge", -math.inf), bound.get("gt", -math.inf) + 1)
        high = min(high, bound.get("le", math.inf), bound.get("lt", math.inf) - 1)
        return Slider(path, unit, float(value), float(low), float(high), 1.0, True)
    if value == 0:
        low, high = 0.0, 1.0 if bound.get("le") == 1 else 100.0
    else:
        low, high = sorted((value * 0.5, value * 1.5))
    high = min(high, bound.get("le", math.inf), bound.get("lt", math.inf))
    floor = max(bound.get("ge", -math.inf), bound.get("gt", -math.inf))
    low = max(low, floor)
    step = _nice_step(high - low)
    snapped = math.floor(low / step) * step
    low = snapped if snapped >= floor else low
    if "gt" in bound and low <= bound["gt"]:
        low = bound["gt"] + step
    if "lt" in bound and high >= bound["lt"]:
        high = bound["lt"] - step
    return Slider(path, unit, float(value), float(low), float(high), float(step), False)


def with_value(scenario: Scenario, path: str, value: float) -> Scenario:
    """The scenario with one input set to ``value``, validated (ScenarioError)."""
    return with_values(scenario, {path: float(value)})


def _monthly(plan: Plan) -> pd.DataFrame:
    keys = ["department", "role", "metric", "unit"]
    return plan.targets.groupby(keys, sort=False, as_index=False)["value"].mean()


def difference(before: Plan, after: Plan) -> pd.DataFrame:
    """Targets that changed (monthly averages): before, after, change and change in %."""
    keys = ["department", "role", "metric", "unit"]
    merged = _monthly(before).merge(_monthly(after), on=keys, how="outer", suffixes=("_b", "_a"))
    merged = merged.rename(columns={"value_b": "before", "value_a": "after"})
    merged["change"] = merged["after"] - merged["before"]
    scale = merged["before"].abs().clip(lower=1.0)
    merged = merged[(merged["change"].abs() > 1e-6 * scale) | merged["change"].isna()]
    merged["change_pct"] = (
        100 * merged["change"] / merged["before"].abs().where(merged["before"].abs() > 1e-9)
    )
    merged["target"] = merged["metric"].str.replace("_", " ")
    columns = ["department", "role", "target", "before", "after", "change", "change_pct", "unit"]
    return merged[columns].reset_index(drop=True)


def binding_changes(before: Plan, after: Plan) -> tuple[list[str], list[str]]:
    """Limits that started binding, and limits that stopped binding."""
    old = set(before.binding()["name"]) if not before.constraints.empty else set()
    new = set(after.binding()["name"]) if not after.constraints.empty else set()
    return sorted(new - old), sorted(old - new)


def difference_table(before: Plan, after: Plan) -> pd.DataFrame:
    """``difference`` as a leader reads it: the target's label, numbers formatted."""
    from optimizer.app.headline import shown
    from optimizer.scenario import labels

    d = difference(before, after)
    units = list(d["unit"])
    return pd.DataFrame(
        {
            "role": d["role"],
            "target": [labels.metric_label(m.replace(" ", "_")) for m in d["target"]],
            "before": [shown(v, u) for v, u in zip(d["before"], units)],
            "after": [shown(v, u) for v, u in zip(d["after"], units)],
            "change": [shown(v, u) for v, u in zip(d["change"], units)],
            "change in %": ["" if v != v else f"{labels.number(v, 2)} %" for v in d["change_pct"]],
            "unit": units,
        }
    )


def binding_labels(before: Plan, after: Plan) -> tuple[list[str], list[str]]:
    """``binding_changes`` by the limits' labels."""
    started, stopped = binding_changes(before, after)
    label_of = {}
    for plan in (before, after):
        if not plan.constraints.empty:
            label_of.update(zip(plan.constraints["name"], plan.constraints["label"]))
    return [label_of.get(n, n) for n in started], [label_of.get(n, n) for n in stopped]
