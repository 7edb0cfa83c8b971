"""The plan as files: targets and limits as CSV, everything as JSON (``report.to_json``)."""

from __future__ import annotations

import json

from optimizer.analysis.result import Plan
from optimizer.report.payload import comparison_json, to_json
from optimizer.report.sentences import sentence


def targets_csv(plan: Plan) -> bytes:
    """One row per department, role, target and month."""
    return plan.targets.to_csv(index=False).encode("utf-8")


def constraints_csv(plan: Plan) -> bytes:
    """Every named limit with its sentence, slack, shadow price and allowable range."""
    table = plan.constraints.copy()
    table["sentence"] = [
        sentence(r, plan.objective_name, plan.objective_unit) for _, r in table.iterrows()
    ]
    return table.to_csv(index=False).encode("utf-8")


def plan_json(plan: Plan, diagnosis=None, comparison=None) -> bytes:
    """The JSON of ``kpi-optimizer solve --format json``, with the comparison when there is one."""
    data = to_json(plan, diagnosis)
    if comparison is not None:
        data["comparison"] = comparison_json(comparison)
    return json.dumps(data, indent=2, allow_nan=False).encode("utf-8")
