"""The objectives a user can pick.

max_profit          maximise sum_t profit[t]
min_cost            minimise sum_t (payroll + ad spend + cost of goods + fixed bills)[t]
                    while the finance goals still hold
closest_to_current  minimise sum_i weight_i * |plan metric_i - current target_i| / scale_i,
                    each deviation split into over + under >= 0 and measured per month
"""

from __future__ import annotations

import numpy as np

from optimizer.chain.common import Vars
from optimizer.model import LinearModel
from optimizer.schema import Scenario

SENSE = {"max_profit": "max", "min_cost": "min", "closest_to_current": "min"}
UNIT = {"max_profit": "$", "min_cost": "$", "closest_to_current": "weighted relative deviation"}


def add(model: LinearModel, scenario: Scenario, v: Vars, objective: str) -> None:
    model.objective_name = objective
    model.objective_unit = UNIT[objective]
    if objective == "max_profit":
        model.add_objective([(1.0, v["profit"])])
    elif objective == "min_cost":
        months = len(v.months)
        model.add_objective(
            [(1.0, v["payroll"]), (1.0, v["ad_spend"]), (1.0, v["cogs"])],
            constant=months * scenario.finance.fixed_bills_per_month,
        )
    elif objective == "closest_to_current":
        _add_deviations(model, scenario, v)
    else:
        raise ValueError(f"unknown objective {objective!r}")


def target_gaps(scenario: Scenario, v: Vars) -> list[tuple[str, list, float, float, str]]:
    """Each current target as a linear gap: (name, terms, target, scale, unit).

    A ratio target such as calls per rep per day c becomes the linear gap
    ``conversations - c * days * reps`` and is scaled by the volume it implies at the
    target (or maximum) headcount, so every gap is a share of its own target.
    """
    ct, cal = scenario.current_targets, scenario.calendar
    teams = scenario.sales.teams
    ref_reps = np.array([ct.reps.get(t.name, t.reps.max) or 1 for t in teams], dtype=float)
    gaps = []
    if ct.calls_per_rep_per_day is not None:
        c = ct.calls_per_rep_per_day * cal.business_days_per_month
        conv = v["conversations"]
        gaps.append((
            "calls_per_rep_per_day",
            [(1.0, conv.reshape(conv.shape[:2] + (-1,))), (-c, v["reps"][..., None])],
            0.0, max(c, 1.0) * ref_reps, "conversations/month",
        ))  # fmt: skip
    if ct.quota_per_rep_per_month is not None:
        value = np.array([t.average_deal_value for t in teams])
        q = ct.quota_per_rep_per_month
        gaps.append((
            "quota_per_rep_per_month",
            [(value, v["deals"]), (-q, v["reps"])],
            0.0, max(q, 1.0) * ref_reps, "$/month",
        ))  # fmt: skip
    if ct.reps:
        mask = np.array([t.name in ct.reps for t in teams])
        target = np.array([ct.reps.get(t.name, 0) for t in teams], dtype=float)
        gaps.append(
            (
                "reps",
                [(1.0, v["reps"][:, mask])],
                target[mask],
                np.maximum(target[mask], 1.0),
                "people",
            )
        )
    simple = [
        ("leads_per_month", "leads", ct.leads_per_month, "leads/month"),
        ("ad_spend_per_month", "ad_spend", ct.ad_spend_per_month, "$/month"),
        ("workers", "workers", ct.workers, "people"),
        ("support_agents", "agents", ct.support_agents, "people"),
    ]
    for name, var, target, unit in simple:
        if target is not None and var in v:
            gaps.append((name, [(1.0, v[var])], float(target), max(float(target), 1.0), unit))
    if ct.units_per_worker_per_month is not None and "production" in v:
        u = ct.units_per_worker_per_month
        ref = float(ct.workers or scenario.delivery.workers.max or 1)
        gaps.append((
            "units_per_worker_per_month",
            [(1.0, v["production"]), (-u, v["workers"])], 0.0, max(u, 1.0) * ref, "units/month",
        ))  # fmt: skip
    if ct.tickets_per_agent_per_day is not None and "tickets" in v:
        k = ct.tickets_per_agent_per_day * cal.business_days_per_month
        ref = float(ct.support_agents or scenario.support.agents.max or 1)
        gaps.append((
            "tickets_per_agent_per_day",
            [(1.0, v["tickets"]), (-k, v["agents"])], 0.0, max(k, 1.0) * ref, "tickets/month",
        ))  # fmt: skip
    return gaps


def _add_deviations(model: LinearModel, scenario: Scenario, v: Vars) -> None:
    """gap = over - under; objective adds weight * (over + under) / scale."""
    weights = scenario.current_targets.weights
    gaps = target_gaps(scenario, v)
    if not gaps:
        raise ValueError("closest_to_current needs at least one current target in the scenario")
    for name, terms, target, scale, unit in gaps:
        shape = np.asarray(terms[0][1]).shape[: _row_ndim(terms)]
        labels = _axes_for(shape, v, scenario, name)
        over = model.add_vars(f"over_{name}", labels, unit=unit)
        under = model.add_vars(f"under_{name}", labels, unit=unit)
        model.add_rows(
            f"gap_{name}", department="targets", kind="definition", unit=unit,
            description=f"How far the plan is from today's {name.replace('_', ' ')} target.",
            axes=labels, lhs=terms + [(-1.0, over), (1.0, under)], sense="==",
            rhs=np.broadcast_to(target, shape),
        )  # fmt: skip
        w = weights.get(name, 1.0) / np.broadcast_to(scale, shape)
        model.add_objective([(w, over), (w, under)])


def _row_ndim(terms: list) -> int:
    return min(np.asarray(idx).ndim for _, idx in terms)


def _axes_for(shape: tuple, v: Vars, scenario: Scenario, name: str) -> list:
    axes = [("month", v.months)]
    if len(shape) == 2:
        teams = [t.name for t in scenario.sales.teams]
        if name == "reps":
            teams = [t for t in teams if t in scenario.current_targets.reps]
        axes.append(("team", teams))
    return axes
