"""Turning a plan into words, JSON and tables. Nothing here solves anything."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from optimizer.result import Plan


def effect(price: float, objective_name: str, objective_unit: str) -> str:
    """'add $260 to profit', 'cut cost by $1.60', ... for a change of ``price``."""
    amount = money(abs(price)) if objective_unit == "$" else f"{abs(price):.4g}"
    if objective_name == "max_profit":
        return f"add {amount} to profit" if price > 0 else f"take {amount} off profit"
    if objective_name == "min_cost":
        return f"raise cost by {amount}" if price > 0 else f"cut cost by {amount}"
    what = "the deviation from today's targets"
    return f"raise {what} by {amount}" if price > 0 else f"cut {what} by {amount}"


def _clean(value: Any) -> Any:
    """JSON has no inf or NaN: both become null (no limit, or not available)."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "item"):
        return _clean(value.item())
    return value


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def money(value: float) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}" if abs(value) < 100 else f"{sign}${abs(value):,.0f}"


def per_unit(unit: str) -> str:
    """'minutes/month' -> 'minute a month' for 'one more ...'."""
    singular = {"minutes": "minute", "leads": "lead", "conversations": "conversation",
                "people": "person", "units": "unit", "tickets": "ticket", "$": "dollar",
                "deals": "deal"}  # fmt: skip
    head, _, tail = unit.partition("/")
    head = singular.get(head, head)
    return f"{head} a {tail}" if tail else head


def sentence(row: pd.Series | dict, objective_name: str, objective_unit: str) -> str:
    """One plain sentence for a constraint: what it says, where it stands, what it is worth."""
    unit = row["unit"]
    if row["kind"] == "definition":
        return f"{row['description']} It holds: {row['activity']:,.1f} {unit}."
    if row.get("binds_in_whole_people") and not row["binding"]:
        return (
            f"{row['description']} It binds in whole people: {row['activity']:,.1f} {unit} "
            f"against {row['limit']:,.1f} for the agents planned; one agent fewer would handle "
            f"only {row['step_limit']:,.1f}."
        )
    state = "binds" if row["binding"] else "has room"
    text = (
        f"{row['description']} It {state}: {row['activity']:,.1f} against a limit of "
        f"{row['limit']:,.1f} {unit}."
    )
    price = row["shadow_price"]
    if not row["binding"] or price is None or math.isnan(price):
        return text
    if math.isinf(price):
        return text + " It cannot rise without more staff than the plan has."
    if abs(price) < 1e-9:
        return text + " Raising this limit alone would not change the plan."
    whole = row.get("whole_step_value")
    if whole is not None and math.isfinite(whole):
        text += (
            f" One more {per_unit(unit)} would {effect(whole, objective_name, objective_unit)}"
            " (re-solved in whole people)"
        )
        room = row["allowable_increase"]
        if 0 < room < 1 and abs(price - whole) > 1e-6 * max(1.0, abs(whole)):
            rate = effect(price, objective_name, objective_unit)
            return text + (f"; the first {room:.3g} of a person would {rate} per person.")
        return text + "."
    rate = effect(price, objective_name, objective_unit)
    return text + f" One more {per_unit(unit)} would {rate}."


def to_json(plan: Plan, diagnosis=None) -> dict:
    constraints = plan.constraints.copy()
    constraints["sentence"] = [
        sentence(row, plan.objective_name, plan.objective_unit) for _, row in constraints.iterrows()
    ]
    return {
        "scenario": plan.scenario,
        "source": plan.source,
        "overrides": list(plan.overrides),
        "status": plan.status.value,
        "backend": plan.backend,
        "solver_status": plan.solver_status,
        "message": plan.message,
        "objective": {
            "name": plan.objective_name,
            "sense": plan.objective_sense,
            "value": _clean(plan.objective),
            "unit": plan.objective_unit,
        },
        "verified": {
            "ok": plan.verified.ok,
            "max_violation": _clean(plan.verified.max_violation),
            "worst": plan.verified.worst,
            "violations": list(plan.verified.violations),
            "checks": plan.verified.checked,
        },
        "mip_gap": _clean(plan.mip_gap),
        "targets": _records(plan.targets),
        "constraints": _records(constraints),
        "parameters": _records(plan.parameters),
        "timings_seconds": {k: round(v, 6) for k, v in plan.times.items()},
        **({"diagnosis": diagnosis_json(diagnosis)} if diagnosis is not None else {}),
    }


def _repair_json(repair) -> dict | None:
    if repair is None:
        return None
    return {
        "kind": repair.kind,
        "cost": _clean(repair.cost),
        "sentence": repair.sentence,
        "changes": _records(repair.changes),
    }


def diagnosis_json(d) -> dict:
    """The conflict set and repairs of an impossible scenario."""
    repaired = None
    if d.repaired is not None:
        repaired = {
            "status": d.repaired.status.value,
            "objective": _clean(d.repaired.objective),
            "verified": d.repaired.verified.ok,
            "targets": _records(d.repaired.targets),
        }
    return {
        "relaxation": d.relaxation,
        "conflict": _records(d.conflict),
        "cheapest_repair": _repair_json(d.cheapest),
        "alternatives": [_repair_json(r) for r in d.alternatives],
        "repaired_plan": repaired,
        "message": d.message,
    }


def comparison_json(c, diagnosis=None) -> dict:
    """Today's targets against the recommended plan, for programs."""
    out = {
        "scenario": c.scenario,
        "stated_targets": _records(c.stated),
        "current": _records(c.current),
        "recommended": _records(c.recommended),
        "side_by_side": _records(c.side_by_side),
        "violations": _records(c.violations),
        "cascade": list(c.cascade),
        "finance": {
            k: ({n: _clean(x) for n, x in v.items()} if v else None) for k, v in c.finance.items()
        },
        "binding": c.binding,
        "recommended_status": c.plan.status.value,
        "recommended_objective": {
            "name": c.plan.objective_name,
            "sense": c.plan.objective_sense,
            "value": _clean(c.plan.objective),
            "unit": c.plan.objective_unit,
        },
    }
    if c.finance.get("recommended"):
        now, rec = c.finance["current"], c.finance["recommended"]
        out["finance"]["change"] = {
            k: _clean(rec[k] - now[k]) for k in ("revenue", "payroll", "profit", "shortfall")
        }
    if diagnosis is not None:
        out["diagnosis"] = diagnosis_json(diagnosis)
    return out


def targets_wide(plan: Plan) -> pd.DataFrame:
    """Targets with one column per month, for people."""
    t = plan.targets
    if t.empty:
        return t
    wide = t.pivot_table(
        index=["department", "role", "metric", "unit"], columns="period", values="value", sort=False
    )
    return wide.reset_index()
