"""The headline of a plan: profit against the goal, revenue, payroll, people, status.

Money is summed over the horizon (a one-month scenario reads "a month"); people are the
monthly average, compared with today's stated headcounts (reps per team, workers, agents).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from optimizer.analysis.compare import finance_summary
from optimizer.analysis.result import Plan
from optimizer.app.analysis import Analysis
from optimizer.report.payload import targets_wide
from optimizer.report.sentences import money
from optimizer.report.tables import target_labels
from optimizer.scenario import labels
from optimizer.scenario.names import Objective
from optimizer.scenario.schema import Scenario
from optimizer.solvers import Status

PEOPLE = ("marketers", "reps", "workers", "agents")
NO_PLAN = {
    Status.INFEASIBLE: "impossible: no plan meets every limit and goal",
    Status.UNBOUNDED: "unbounded: the objective can grow without end (a limit is missing)",
    Status.TIME_LIMIT: "the solver stopped at its time limit before finding any plan",
    Status.ERROR: "the solver stopped with an error before finding any plan",
}


@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    delta: str | None = None
    delta_color: str = "normal"  # as st.metric: normal, inverse or off
    help: str = ""
    arrow: str = "auto"  # st.metric's delta_arrow: up, down or off (a true minus reads as "+")


def arrow(change: float) -> str:
    """st.metric's arrow for a change: it reads only an ASCII '-' as down, and the page
    writes a true minus sign, so the direction is given, not parsed."""
    return "up" if change > 0 else "down" if change < 0 else "off"


def signed_money(value: float) -> str:
    return labels.signed_money(value)


def span(months: int) -> str:
    return "a month" if months == 1 else f"over {months} months"


def status_line(plan: Plan) -> tuple[str, str]:
    """("success" | "warning" | "error", a sentence) about the plan's status and check.

    Only a plan that exists can fail the check; no plan says why, never with an empty reason.
    """
    v = plan.verified
    if plan.solved:
        checked = (
            f"checked independently against the scenario: {v.checked} checks, largest "
            f"violation {v.max_violation:.1g}."
        )
        goal = plan.objective_name.replace("_", " ")
        if plan.status is Status.FEASIBLE:  # proven only within a gap (policy, time limit)
            return "success", _sentences(f"Plan for {goal}, {plan.message}", checked[0].upper()
                                         + checked[1:])  # fmt: skip
        return "success", f"Optimal plan for {goal}, {checked}"
    reason = plan.message or (f"Solver status: {plan.solver_status}" if plan.solver_status else "")
    if plan.objective is None or plan.targets.empty:
        words = NO_PLAN.get(plan.status, f"the solver stopped ({plan.status.value})")
        if plan.status in (Status.INFEASIBLE, Status.UNBOUNDED):
            reason = plan.message  # the words say why; the solver's detail, if any, follows
        else:
            reason = reason or "The solver gave no reason"
        kind = "error" if plan.status is Status.INFEASIBLE else "warning"
        return kind, _sentences(f"No plan: {words}", reason)
    if not v.ok:
        found = f"{labels.check_label(v.worst)} is off by {v.max_violation:.3g} (relative)"
        return "error", _sentences(
            "Not trusted: the solver's plan failed the independent check against the scenario, "
            "so it is not shown",
            plan.message or found,
        )
    if plan.status is Status.TIME_LIMIT:
        why = "the solver stopped at its time limit before proving its best plan optimal"
    else:
        why = f"the solver stopped with an error after finding a plan ({plan.status.value})"
    return "warning", _sentences(f"No proven plan: {why}, so it is not shown", reason)


def _sentences(*parts: str) -> str:
    """The non-empty parts, each ending with one full stop."""
    return " ".join(p if p.endswith((".", "!", "?")) else f"{p}." for p in parts if p)


def headline(analysis: Analysis) -> list[Metric]:
    plan, scenario = analysis.plan, analysis.scenario
    if not plan.solved:
        return []
    months = scenario.calendar.horizon_months
    fin = finance_summary(scenario, plan.targets)
    gap = fin["profit"] - fin["goal"]
    out = [
        Metric(
            f"Profit {span(months)}",
            money(fin["profit"]),
            f"{signed_money(gap)} vs goal",
            help=f"The goal: {money(fin['goal'])}, retained earnings plus the profit target.",
            arrow=arrow(gap),
        ),
        Metric(f"Revenue {span(months)}", money(fin["revenue"])),
        Metric(f"Payroll {span(months)}", money(fin["payroll"])),
    ]
    open_deals = _open_pipeline(plan, scenario)
    if open_deals is not None:
        out.append(open_deals)
    paying = _customers_at_end(plan, scenario)
    if paying is not None:
        out.append(paying)
    people = headcount_changes(plan, scenario)
    stated = people.dropna(subset=["today"])
    delta, change = None, 0.0
    if not stated.empty:
        change = stated["plan"].sum() - stated["today"].sum()
        delta = f"{labels.signed_number(change)} vs today"
        roles = f" Today's targets state {', '.join(stated['role'])}."
    total = _mean(plan.targets, "headcount")
    out.append(
        Metric(
            "Headcount",
            f"{total:,.3g}",
            delta,
            "off",
            "People, monthly average." + (roles if delta else ""),
            arrow(change),
        )
    )
    if plan.objective_name == Objective.min_cost:
        out.append(Metric(f"Total cost {span(months)}", money(plan.objective)))
    elif plan.objective_name == Objective.closest_to_current:
        out.append(
            Metric(
                "Distance from today's targets",
                f"{plan.objective:.4g}",
                help="Weighted sum of relative deviations from today's targets.",
            )
        )
    return out


def _open_pipeline(plan: Plan, scenario: Scenario) -> Metric | None:
    """The deals still open when the plan ends, as the objective credits them (a share of
    their value, ``horizon_end.open_pipeline_value_share``): the most profit's objective is
    profit plus this credit. None without a sales cycle."""
    t = plan.targets
    rows = t[t["metric"] == "pipeline_open_value"]
    if rows.empty:
        return None
    last = rows["period"].iloc[-1]
    value = float(rows["value"].iloc[-1])
    deals = t[(t["metric"] == "pipeline_open_deals") & (t["period"] == last)]["value"].sum()
    share = scenario.horizon_end.open_pipeline_value_share
    month = labels.month_label(last)
    return Metric(
        f"Deals open at the end of {month}",
        money(share * value),
        f"{labels.number(deals)} deals worth {money(value)}",
        "off",
        f"Won, not yet closed when the plan ends; credited to the plan at "
        f"{labels.percent(share, 0)} of their value. Profit within the plan does not count them.",
        "off",
    )


def _customers_at_end(plan: Plan, scenario: Scenario) -> Metric | None:
    """The customers still paying when the plan ends, as the objective credits them
    (``horizon_end.customer_months`` of their revenue): the most profit's objective is profit
    plus this credit. None without recurring revenue or without the credit."""
    t = plan.targets
    rows = t[t["metric"] == "customer_base_value"]
    if rows.empty or scenario.recurring_revenue is None:
        return None
    credit = float(rows["value"].sum())
    customers = t[(t["metric"] == "customers") & (t["role"] == "customers")]
    last = customers["period"].iloc[-1]
    paying = float(customers["value"].iloc[-1])
    months = scenario.horizon_end.customer_months
    return Metric(
        f"Customers paying at the end of {labels.month_label(last)}",
        money(credit),
        f"{labels.number(paying)} customers",
        "off",
        f"Customers still paying when the plan ends, credited to the plan at "
        f"{labels.number(months)} months of their revenue. Profit within the plan does not "
        "count them.",
        "off",
    )


def _mean(table: pd.DataFrame, metric: str, role: str | None = None) -> float:
    rows = table[table["metric"] == metric]
    if role is not None:
        rows = rows[rows["role"] == role]
    return float(rows["value"].mean()) if len(rows) else 0.0


def headcount_changes(plan: Plan, scenario: Scenario) -> pd.DataFrame:
    """People per role (monthly average): today's stated targets, the plan, and the change."""
    ct = scenario.current_targets
    today = {"workers": ct.workers, "agents": ct.support_agents, **ct.reps}
    rows = []
    keys = plan.targets[plan.targets["metric"].isin(PEOPLE)][["metric", "role"]].drop_duplicates()
    for metric, role in keys.itertuples(index=False):
        label = role if metric == "reps" else metric
        if metric == "agents" and role != "support":
            label = f"{role} agents"  # a live channel's own agents
        planned = _mean(plan.targets, metric, role)
        now = today.get(label)
        now = float(now) if now is not None else float("nan")
        rows.append((label, now, planned, planned - now))
    return pd.DataFrame(rows, columns=["role", "today", "plan", "change"])


def shown(value: float, unit: str = "") -> str:
    """A number as people read it: $ amounts as money, others to four significant digits."""
    if value is None or value != value:
        return ""
    if unit.startswith("$"):
        return money(value)
    if unit.startswith("deals/conversation") or unit == "share":
        return labels.percent(value)
    return labels.number(value)


role_words = labels.role_words  # the page's name for it


def department_tables(
    plan: Plan, text: bool = False, scenario: Scenario | None = None
) -> dict[str, pd.DataFrame]:
    """Each department's targets: one row per role and target, one column per month.

    ``text`` gives the numbers as shown on the page ($ amounts as money, shares as
    percentages, roles in words; with ``scenario``, a service band by its name, and no
    average of band numbers).
    """
    wide = targets_wide(plan)
    if wide.empty:
        return {}
    months = [c for c in wide.columns if c not in ("department", "role", "metric", "unit")]
    wide = wide.assign(target=target_labels(wide["metric"]))
    if len(months) > 1:
        wide["monthly average"] = wide[months].mean(axis=1)
        months = ["monthly average", *months]
    if text:
        line = scenario.banded_line() if scenario is not None else None
        for m in months:
            wide[m] = [
                _band_name(line, v) if line is not None and metric == "service_band"
                else shown(v, u)
                for v, u, metric in zip(wide[m], wide["unit"], wide["metric"])
            ]  # fmt: skip
        if line is not None and "monthly average" in wide.columns:
            wide.loc[wide["metric"] == "service_band", "monthly average"] = ""
        wide["role"] = [role_words(r) for r in wide["role"]]
    return {
        dept: group[["role", "target", *months, "unit"]].reset_index(drop=True)
        for dept, group in wide.groupby("department", sort=False)
    }


def _band_name(line, index) -> str:
    """A month's service band by its name, in words (the plan holds its 1-based index)."""
    if index is None or index != index:
        return ""
    return labels.name_words(line[2][int(round(index)) - 1].name)
