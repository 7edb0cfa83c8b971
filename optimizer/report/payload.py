"""The answer for programs: the JSON shapes of a plan, a diagnosis, a cross-check and a
comparison, and the wide targets table. Identifiers stay here beside the labels."""

from __future__ import annotations

import pandas as pd

from optimizer.analysis.records import _clean, _records
from optimizer.analysis.result import Plan
from optimizer.report.crosscheck import cross_check_notes, explained_prices
from optimizer.report.diagnosis import change_sentences, conflict_sentences, repair_sentence
from optimizer.report.sentences import sentences
from optimizer.solvers import Status


def to_json(plan: Plan, diagnosis=None) -> dict:
    """The plan for programs. ``variables`` is the variable half of the sensitivity report
    (``plan.variables``, Solver's "Variable Cells"): one object per variable of the model,
    with its identifiers (``name``, ``block``), its words (``label``, ``unit``) and numbers;
    ``null`` in an allowable range is no limit, as for ``constraints``, except where the
    variable is not ranged (``at`` is ``held``: a whole number held at the plan's value, or
    a backend without ranging), and ``null`` elsewhere is not available."""
    constraints = _records(plan.constraints)
    for record, text in zip(
        constraints, sentences(plan.constraints, plan.objective_name, plan.objective_unit)
    ):
        record["sentence"] = text
    return {
        "scenario": plan.scenario,
        "source": plan.source,
        "overrides": list(plan.overrides),
        "status": plan.status.value,
        "backend": plan.backend,
        "solver_status": plan.solver_status,
        "message": plan.message,
        "notes": list(plan.notes),
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
        **_bound(plan),
        "targets": _records(plan.targets),
        "constraints": constraints,
        "variables": _records(plan.variables),
        "parameters": _records(plan.parameters),
        "timings_seconds": {k: round(v, 6) for k, v in plan.times.items()},
        **({"diagnosis": diagnosis_json(diagnosis)} if diagnosis is not None else {}),
    }


def _bound(plan: Plan) -> dict:
    """``mip_bound``, the solver's best bound on the objective, for a plan not proven optimal
    (``feasible``: stopped at a looser gap or at a time limit); a proven plan's bound is its
    objective, and its JSON has no such field."""
    if plan.status is not Status.FEASIBLE or plan.mip_bound is None:
        return {}
    return {"mip_bound": _clean(plan.mip_bound)}


def answer_json(found) -> dict:
    """An answer (``analysis.answers.Answer``) for programs: the plan's JSON with its
    diagnosis, then ``cross_check`` and ``explanation`` where the answer has them."""
    out = to_json(found.plan, found.diagnosis)
    if found.cross_check is not None:
        out["cross_check"] = cross_check_json(found.cross_check)
    if found.explanation is not None:
        out["explanation"] = found.explanation.to_json()
    return out


def cross_check_json(cc) -> dict:
    """A cross-check (``analysis.crosscheck.CrossCheck``): backends, verdict, objective,
    every difference found, the dual checks and the findings in words."""
    return {
        "backends": list(cc.backends),
        "ok": bool(cc.ok),
        "objective": {k: _clean(v) for k, v in cc.objective.items()},
        "same_whole_numbers": bool(cc.same_whole_numbers),
        "headcount_differences": _records(cc.headcounts),
        "target_differences": _records(cc.targets),
        "shadow_price_differences": _records(explained_prices(cc)),
        "dual_checks": [
            None if c is None else {"ok": bool(c.ok), "worst": _clean(c.worst), "where": c.where}
            for c in cc.dual_checks
        ],
        "notes": cross_check_notes(cc),
    }


def _repair_json(repair) -> dict | None:
    if repair is None:
        return None
    return {
        "kind": repair.kind,
        "cost": _clean(repair.cost),
        "sentence": repair_sentence(repair),
        "changes": _records(repair.changes.assign(sentence=change_sentences(repair))),
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
        "conflict": _records(d.conflict.assign(sentence=conflict_sentences(d.conflict))),
        "cheapest_repair": _repair_json(d.cheapest),
        "alternatives": [_repair_json(r) for r in d.alternatives],
        "repaired_plan": repaired,
        "message": d.message,
        "notes": list(d.notes),
        "backend": getattr(d, "backend", "highs"),
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
        "violation_groups": [
            {**g, "worst": {k: _clean(v) for k, v in g["worst"].items()}}
            for g in getattr(c, "violation_groups", [])
        ],
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
