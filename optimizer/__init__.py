"""kpi-optimizer: one consistent set of per-role targets that meets the finance goals.

The public API (imported on first use, so ``import optimizer`` stays cheap)::

    from optimizer import load_scenario, solve, explain, compare, diagnose, WhatIf

    scenario = load_scenario("scenarios/seed_company.yaml")   # validated, or ScenarioError
    plan = solve(scenario)                                    # a checked Plan
    plan.targets, plan.binding()                              # targets; limits that bind
    why = explain(scenario, plan)                             # what moves the plan
    today = compare(scenario)                                 # today's targets against it
    if not plan.solved:
        diagnosis = diagnose(scenario)                        # why not, and the cheapest repair
    what_if = WhatIf(scenario).resolve({"calendar.hours_per_day": 9})

Stages, lowest first: ``runtime``, ``scenario``, ``model``, ``solvers``, ``analysis``,
``report``, then the front ends ``cli``, ``app`` and ``batch`` (README "Architecture";
``tests/test_layers.py`` holds every import to that order).
"""

from __future__ import annotations

import importlib

PUBLIC = {
    "load_scenario": "optimizer.scenario.loading",
    "ScenarioError": "optimizer.scenario.loading",
    "Scenario": "optimizer.scenario.schema",
    "solve": "optimizer.analysis.solve",
    "Plan": "optimizer.analysis.result",
    "explain": "optimizer.analysis.explain",
    "compare": "optimizer.analysis.compare",
    "diagnose": "optimizer.analysis.diagnose",
    "WhatIf": "optimizer.analysis.whatif",
    "sweep": "optimizer.analysis.sweep",
    "cross_check": "optimizer.analysis.crosscheck",
    "Deadline": "optimizer.runtime.deadline",
}
"""Each public name and the module that defines it."""

__all__ = sorted(PUBLIC)


def __getattr__(name: str):
    if name not in PUBLIC:
        raise AttributeError(f"module 'optimizer' has no attribute {name!r}")
    value = getattr(importlib.import_module(PUBLIC[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(PUBLIC))
