"""The objectives a user can pick (``optimizer.scenario.names.Objective``: their names,
senses and units).

max_profit          maximise sum_t profit[t]
min_cost            minimise sum_t (payroll + ad spend + cost of goods + fixed bills)[t]
                    while the finance goals still hold
closest_to_current  minimise sum_i weight_i * |plan metric_i - current target_i| / scale_i,
                    each deviation split into over + under >= 0 and measured per month
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.model.chain.common import Vars, add_family
from optimizer.model.linear import LinearModel
from optimizer.scenario.names import Objective
from optimizer.scenario.schema import Scenario


def add(model: LinearModel, scenario: Scenario, v: Vars, objective: str) -> None:
    model.objective_name = objective
    model.objective_unit = Objective(objective).unit
    if objective == Objective.max_profit:
        model.add_objective([(1.0, v["profit"])])
        if "open_pipeline_value" in v:  # the horizon-end credit (``HorizonEnd``)
            model.add_objective([(1.0, v["open_pipeline_value"])])
        if "customer_base_value" in v:  # the customers still paying at the end
            model.add_objective([(1.0, v["customer_base_value"])])
    elif objective == Objective.min_cost:
        months = len(v.months)
        model.add_objective(
            [(1.0, v["payroll"]), (1.0, v["ad_spend"]), (1.0, v["cogs"])]
            + ([(1.0, v["hiring_costs"])] if "hiring_costs" in v else []),
            constant=months * scenario.finance.fixed_bills_per_month,
        )
    elif objective == Objective.closest_to_current:
        _add_deviations(model, scenario, v)
    else:
        raise ValueError(f"unknown objective {objective!r}")


@dataclass
class Gap:
    """A current target as a linear gap ``sum(terms) - target``, per month (and team)."""

    name: str
    terms: list
    target: np.ndarray | float
    scale: np.ndarray | float
    unit: str
    by_team: list[str] | None = None


def target_gaps(scenario: Scenario, v: Vars) -> list[Gap]:
    """Each current target as a linear gap.

    A ratio target such as calls per rep per day c becomes the linear gap
    ``conversations - c * days * reps`` and is scaled by the volume it implies at the
    target (or maximum) headcount, so every gap is a share of its own target.
    """
    ct, cal = scenario.current_targets, scenario.calendar
    teams = scenario.sales.teams
    names = [t.name for t in teams]
    ref_reps = np.array([ct.reps.get(t.name, t.reps.max) or 1 for t in teams], dtype=float)
    gaps = []
    if ct.calls_per_rep_per_day is not None:
        c = ct.calls_per_rep_per_day * scenario.per_month(cal.business_days_per_month)[:, None]
        terms = [(1.0, v["conversations"]), (-c, v["reps"])]
        gaps.append(
            Gap(
                "calls_per_rep_per_day",
                terms,
                0.0,
                np.maximum(c, 1.0) * ref_reps,
                "conversations/month",
                names,
            )
        )
    if ct.dials_per_rep_per_day is not None:
        gaps.append(_dials_gap(scenario, v, ct.dials_per_rep_per_day, ref_reps))
    stage_names = [st.name for st in scenario.sales.stages]
    for name, per_week in ct.stages_per_rep_per_week.items():  # a week: five business days
        c = per_week * scenario.per_month(cal.business_days_per_month)[:, None] / 5.0
        terms = [(1.0, v["stage_volume"][:, :, stage_names.index(name)]), (-c, v["reps"])]
        gaps.append(Gap(f"{name}_per_rep_per_week", terms, 0.0, np.maximum(c, 1.0) * ref_reps,
                        "meetings/month", names))  # fmt: skip
    if ct.quota_per_rep_per_month is not None:
        value = np.array([t.average_deal_value for t in teams])
        q = ct.quota_per_rep_per_month
        terms = [(value, v["deals"]), (-q, v["reps"])]
        gaps.append(
            Gap("quota_per_rep_per_month", terms, 0.0, max(q, 1.0) * ref_reps, "$/month", names)
        )
    if ct.reps:
        mask = np.array([t.name in ct.reps for t in teams])
        target = np.array([ct.reps.get(t.name, 0) for t in teams], dtype=float)[mask]
        chosen = [n for n, m in zip(names, mask) if m]
        gaps.append(
            Gap(
                "reps",
                [(1.0, v["reps"][:, mask])],
                target,
                np.maximum(target, 1.0),
                "people",
                chosen,
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
            gaps.append(Gap(name, [(1.0, v[var])], float(target), max(float(target), 1.0), unit))
    if ct.units_per_worker_per_month is not None and "production" in v:
        u = ct.units_per_worker_per_month
        ref = float(ct.workers or scenario.delivery.workers.max or 1)
        terms = [(1.0, v["production"]), (-u, v["workers"])]
        gaps.append(Gap("units_per_worker_per_month", terms, 0.0, max(u, 1.0) * ref, "units/month"))
    if ct.tickets_per_agent_per_day is not None and "tickets" in v:
        k = ct.tickets_per_agent_per_day * scenario.per_month(cal.business_days_per_month)
        ref = float(ct.support_agents or scenario.support.agents.max or 1)
        terms = [(1.0, v["tickets"]), (-k, v["agents"])]
        gaps.append(
            Gap("tickets_per_agent_per_day", terms, 0.0, np.maximum(k, 1.0) * ref, "tickets/month")
        )
    return gaps


def _dials_gap(scenario: Scenario, v: Vars, dials: float, ref_reps: np.ndarray) -> Gap:
    """Dials a rep a day d, for the teams that dial: ``sum_k conversations / connect rate +
    leads found / prospecting connect rate - d * days * reps``."""
    teams = scenario.sales.teams
    idx = [s for s, t in enumerate(teams) if t.dials or (t.prospecting and t.prospecting.dials)]
    per_conv = np.array([1.0 / teams[s].dials.connect_rate if teams[s].dials else 0.0
                         for s in idx])  # fmt: skip
    per_found = np.array([
        1.0 / teams[s].prospecting.dials.connect_rate
        if teams[s].prospecting and teams[s].prospecting.dials else 0.0 for s in idx
    ])  # fmt: skip
    c = dials * scenario.per_month(scenario.calendar.business_days_per_month)[:, None]
    terms = [(per_conv[None, :, None], v["conversations"][:, idx]), (-c, v["reps"][:, idx])]
    if "leads_found" in v:
        terms.append((per_found[None, :], v["leads_found"][:, idx]))
    return Gap("dials_per_rep_per_day", terms, 0.0, np.maximum(c, 1.0) * ref_reps[idx],
               "dials/month", [teams[s].name for s in idx])  # fmt: skip


class NoCurrentTargets(ValueError):
    """closest_to_current was asked for a scenario that states no current target."""


def add_gap_rows(model: LinearModel, v: Vars, gaps: list[Gap], weights: dict) -> list:
    """Each target as ``gap - over + under = target``; returns the weighted deviation terms

    ``weight * (over + under) / scale`` per target, month (and team).
    """
    terms = []
    for gap in gaps:
        axes = [("month", v.months)] + ([("team", gap.by_team)] if gap.by_team is not None else [])
        shape = tuple(len(labels) for _, labels in axes)
        over = model.add_vars(f"over_{gap.name}", axes, unit=gap.unit)
        under = model.add_vars(f"under_{gap.name}", axes, unit=gap.unit)
        add_family(
            model,
            f"targets-gap_{gap.name}",
            fill={"target": gap.name.replace("_", " ")},
            unit=gap.unit,
            axes=axes,
            lhs=gap.terms + [(-1.0, over), (1.0, under)],
            sense="==",
            rhs=np.broadcast_to(gap.target, shape),
        )
        w = weights.get(gap.name, 1.0) / np.broadcast_to(gap.scale, shape)
        terms += [(w, over), (w, under)]
    return terms


def _add_deviations(model: LinearModel, scenario: Scenario, v: Vars) -> None:
    """The closest_to_current objective: the weighted deviations, and a cost tie-break."""
    gaps = target_gaps(scenario, v)
    if not gaps:
        raise NoCurrentTargets(
            "current_targets: the closest_to_current objective needs at least one current target"
        )
    model.add_objective(add_gap_rows(model, v, gaps, scenario.current_targets.weights))
    # Among plans equally close to today's targets, prefer the cheapest: without this a
    # plan may buy leads nobody needs. The weight is far below any target's resolution.
    per_dollar = TIEBREAK_PER_DOLLAR / max(1.0, _money_scale(scenario))
    model.add_tiebreak(
        [(per_dollar, v["payroll"]), (per_dollar, v["ad_spend"]), (per_dollar, v["cogs"])]
    )


TIEBREAK_PER_DOLLAR = 1e-7
"""Tie-break weight of a dollar of cost, relative to one month's budget and bills."""


def _money_scale(scenario: Scenario) -> float:
    budget = scenario.per_month(scenario.marketing.ad_budget_per_month).max()
    return float(budget) + scenario.finance.fixed_bills_per_month
