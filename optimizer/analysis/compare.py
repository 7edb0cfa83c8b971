"""Today's targets against the recommended plan: what they imply, break and cost.

``compare(scenario)`` evaluates the plan today's targets imply (``optimizer.analysis.current``),
solves the recommended plan, and lines them up: each target's current and recommended
value, every limit today's targets break (by how much, in the limit's unit), the
cascade down the chain, and the finance outcome of both against the goals.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field

import numpy as np
import pandas as pd

from optimizer.analysis import current, targets
from optimizer.analysis.result import Plan
from optimizer.analysis.solve import solve
from optimizer.analysis.wording import (
    detail,
    figures,
    group_sentence,
    talk_words,
    violation_sentence,
)
from optimizer.model.chain import build_model
from optimizer.model.implied import team_talk_minutes
from optimizer.scenario import labels
from optimizer.scenario.labels import dollars as money
from optimizer.scenario.names import Objective
from optimizer.scenario.schema import Scenario

VIOLATION_COLUMNS = [
    "constraint",
    "department",
    "kind",
    "period",
    "limit",
    "implied",
    "shortfall",
    "unit",
    "nature",
    "sentence",
    "family",
    "label",
    "figures",
]
"""``family`` is the row's family (``sales-selling_time``, ``targets-reps``), ``label`` its
leader's label ("Selling time, inside team, Apr 2027"), ``figures`` the end of its sentence
(what a group quotes for its worst row)."""
TARGET_METRICS = {
    # current_targets field -> (targets metric, role or None for the department-wide role)
    "calls_per_rep_per_day": ("calls_per_rep_per_day", "team"),
    "dials_per_rep_per_day": ("dials_per_rep_per_day", "team"),
    "reps": ("reps", "team"),
    "quota_per_rep_per_month": ("quota_per_rep_per_month", "team"),
    "leads_per_month": ("leads_per_month", "marketing"),
    "ad_spend_per_month": ("ad_spend_per_month", "marketing"),
    "workers": ("workers", "delivery"),
    "units_per_worker_per_month": ("units_per_worker_per_month", "delivery"),
    "support_agents": ("agents", "support"),
    "tickets_per_agent_per_day": ("tickets_per_agent_per_day", "support"),
}


@dataclass(frozen=True)
class Comparison:
    scenario: str
    stated: pd.DataFrame  # today's targets as stated: target, role, value, unit
    current: pd.DataFrame  # every derived target of the plan today's targets imply
    recommended: pd.DataFrame
    side_by_side: pd.DataFrame
    violations: pd.DataFrame
    cascade: list[str]
    finance: dict
    binding: dict
    plan: Plan  # the recommended plan (its status may be infeasible)
    violation_groups: list[dict] = dataclass_field(default_factory=list)  # see ``group_violations``


def compare(scenario: Scenario, objective: str | None = None, backend: str = "highs") -> Comparison:
    """``backend`` solves the recommended plan and evaluates today's targets."""
    plan = solve(scenario, objective, backend=backend)
    evaluated = current.evaluate(scenario, backend=backend)
    months = scenario.calendar.month_labels()
    now = targets.derive(scenario, evaluated.quantities, months)
    stated = stated_targets(scenario)
    violations = pd.concat(
        [_broken_limits(scenario, evaluated, now), _unmet_targets(stated, now)], ignore_index=True
    )
    return Comparison(
        scenario=scenario.name,
        stated=stated,
        current=now,
        recommended=plan.targets,
        side_by_side=side_by_side(now, plan.targets, stated),
        violations=violations,
        cascade=cascade(scenario, now, plan.targets) if plan.solved else [],
        finance={
            "current": finance_summary(scenario, now),
            "recommended": finance_summary(scenario, plan.targets) if plan.solved else None,
        },
        binding={
            "current": _binding_names(evaluated),
            "recommended": list(plan.binding()["name"]) if plan.solved else [],
        },
        plan=plan,
        violation_groups=group_violations(
            violations, months, [t.name for t in scenario.sales.teams]
        ),
    )


def stated_targets(scenario: Scenario) -> pd.DataFrame:
    """Today's targets as stated in the scenario, one row per target and role."""
    ct = scenario.current_targets
    rows = []
    for field, (metric, role) in TARGET_METRICS.items():
        value = getattr(ct, field)
        if value is None or value == {}:
            continue
        unit = targets_unit(metric)
        if field == "reps":
            rows += [(field, metric, team, float(n), unit) for team, n in value.items()]
        elif field == "dials_per_rep_per_day":  # the teams that dial
            rows += [(field, metric, t.name, float(value), unit) for t in scenario.sales.teams
                     if t.dials or (t.prospecting and t.prospecting.dials)]  # fmt: skip
        elif role == "team":
            rows += [(field, metric, t.name, float(value), unit) for t in scenario.sales.teams]
        elif (role == "delivery" and scenario.delivery is None) or (
            role == "support" and scenario.support is None
        ):
            continue
        else:
            rows.append((field, metric, role, float(value), unit))
    for name, per_week in ct.stages_per_rep_per_week.items():  # each later stage's own target
        metric = f"{name}_per_rep_per_week"
        rows += [(metric, metric, t.name, float(per_week), "meetings/rep/week")
                 for t in scenario.sales.teams]  # fmt: skip
    return pd.DataFrame(rows, columns=["target", "metric", "role", "value", "unit"])


def targets_unit(metric: str) -> str:
    units = {
        "calls_per_rep_per_day": "conversations/rep/day",
        "dials_per_rep_per_day": "dials/rep/day",
        "reps": "people",
        "workers": "people",
        "agents": "people",
        "quota_per_rep_per_month": "$/rep/month",
        "leads_per_month": "leads/month",
        "ad_spend_per_month": "$/month",
        "units_per_worker_per_month": "units/person/month",
        "tickets_per_agent_per_day": "tickets/person/day",
    }
    return units[metric]


def side_by_side(now: pd.DataFrame, rec: pd.DataFrame, stated: pd.DataFrame) -> pd.DataFrame:
    keys = ["department", "role", "metric", "period", "unit"]
    merged = now.merge(rec, on=keys, how="outer", suffixes=("_current", "_recommended"))
    merged = merged.rename(columns={"value_current": "current", "value_recommended": "recommended"})
    merged["difference"] = merged["recommended"] - merged["current"]
    stated_value = {(m, r): v for m, r, v in zip(stated["metric"], stated["role"], stated["value"])}
    pairs = list(zip(merged["metric"], merged["role"]))
    merged["stated_target"] = [p in stated_value for p in pairs]
    merged["stated"] = [stated_value.get(p, np.nan) for p in pairs]
    columns = ["stated", "current", "recommended", "difference", "unit", "stated_target"]
    return merged[keys[:4] + columns]


def _broken_limits(scenario: Scenario, evaluated, now: pd.DataFrame) -> pd.DataFrame:
    model, _ = build_model(scenario, Objective.max_profit.value)
    names = model.row_names()
    activity, limit = evaluated.arrays.sides(evaluated.x[: evaluated.arrays.num_vars])
    rows = []
    for block in model.row_blocks.values():
        periods = _periods(block)
        for k, row in enumerate(range(block.start, block.stop)):
            if evaluated.broken[row] <= 0:
                continue
            gap = activity[row] - limit[row]
            shortfall = {"<=": gap, ">=": -gap}.get(block.sense, abs(gap))
            record = {
                "constraint": names[row],
                "department": block.department,
                "kind": block.kind,
                "period": periods[k],
                "limit": float(limit[row]),
                "implied": float(activity[row]),
                "shortfall": float(shortfall),
                "unit": block.unit,
                "nature": block.nature,
            }
            family = names[row].split("[", 1)[0]
            record["family"] = family
            record["label"] = labels.row_label(family, labels.row_axes(names[row], family))
            extra = detail(record, block, scenario, now)
            record["figures"] = figures(record) + "." + (" " + extra if extra else "")
            record["sentence"] = violation_sentence(record, block, scenario, now)
            rows.append(record)
    return pd.DataFrame(rows, columns=VIOLATION_COLUMNS)


def _unmet_targets(stated: pd.DataFrame, now: pd.DataFrame) -> pd.DataFrame:
    """Targets the others make impossible (they conflict through lead prices or the market)."""
    rows = []
    teams = set(stated_teams(stated))
    for _, t in stated.iterrows():
        reached = now[(now["metric"] == t["metric"]) & (now["role"] == t["role"])]
        for _, r in reached.iterrows():
            gap = r["value"] - t["value"]
            if abs(gap) <= 1e-6 * max(1.0, abs(t["value"])):
                continue
            label = target_label(t["metric"], t["role"], r["period"], t["role"] in teams)
            closest = f"the closest they allow is {labels.amount(r['value'], t['unit'])}."
            sentence = (
                f"{label}: today's target of {labels.amount(t['value'], t['unit'])} cannot be "
                f"met together with the other targets: {closest}"
            )
            rows.append(
                {
                    "constraint": f"targets-{t['target']}[{r['period']},{t['role']}]",
                    "department": "targets",
                    "kind": "target",
                    "period": r["period"],
                    "limit": float(t["value"]),
                    "implied": float(r["value"]),
                    "shortfall": abs(gap),
                    "unit": t["unit"],
                    "nature": "target",
                    "sentence": sentence,
                    "family": f"targets-{t['target']}",
                    "label": label,
                    "figures": closest,
                }
            )
    return pd.DataFrame(rows, columns=VIOLATION_COLUMNS)


def target_label(metric: str, role: str, period: str, team: bool) -> str:
    """'Quota a rep a month, north team, Jan 2027'; 'Leads a month, marketing, Apr 2027'."""
    who = role.replace("_", " ") + (" team" if team else "")
    return f"{labels.metric_label(metric)}, {who}, {labels.month_label(period)}"


def group_violations(violations: pd.DataFrame, horizon: list[str], teams: list[str]) -> list[dict]:
    """The broken rows one family at a time, in the order they first appear: ``{family,
    label, rows, teams, months, worst, sentence}``. ``rows`` are the constraint names,
    ``teams`` the teams (or channels, lines) named, ``months`` the months in order,
    ``worst`` the row broken furthest (its name, label and numbers)."""
    if violations.empty:
        return []
    frame = violations.assign(axes=[_axes(r, teams) for _, r in violations.iterrows()])
    out = []
    for family, rows in frame.groupby("family", sort=False):
        worst = rows.loc[rows["shortfall"].idxmax()]
        axes = list(rows["axes"])
        who = [v for a in axes for k, v in a.items() if k != "month"]
        out.append(
            {
                "family": family,
                "label": labels.family_label(family)
                if worst["kind"] != "target"
                else labels.metric_label(family.removeprefix("targets-")),
                "rows": list(rows["constraint"]),
                "teams": list(dict.fromkeys(who)),
                "months": [m for m in horizon if m in set(rows["period"])],
                "worst": {
                    k: worst[k]
                    for k in ("constraint", "label", "limit", "implied", "shortfall", "unit")
                },
                "sentence": group_sentence(rows, horizon, teams),
            }
        )
    return out


def _axes(row, teams: list[str]) -> dict:
    """The row's axes by name: ``{"month": "2027-01", "team": "north"}``."""
    if row["kind"] == "target":
        role = row["constraint"].split("[", 1)[1].rstrip("]").split(",")[-1]
        return {"month": row["period"], **({"team": role} if role in teams else {})}
    return labels.row_axes(row["constraint"], row["family"])


def stated_teams(stated: pd.DataFrame) -> list[str]:
    return [r for r in stated["role"] if r not in ("marketing", "delivery", "support")]


def _periods(block) -> list[str]:
    month_axis = [i for i, a in enumerate(block.axes) if a.name == "month"]
    if not month_axis:
        return ["horizon"] * block.size
    labels = [a.labels for a in block.axes]
    shape = [len(x) for x in labels]
    index = np.unravel_index(np.arange(block.size), shape) if shape else ()
    return [labels[month_axis[0]][i] for i in index[month_axis[0]]]


def _binding_names(evaluated) -> list[str]:
    a = evaluated.arrays
    model_names = evaluated.model.row_names()[: a.num_rows]
    activity, limit = a.sides(evaluated.x[: a.num_vars])
    tight = np.abs(activity - limit) <= 1e-6 * np.maximum(1.0, np.abs(limit))
    limits = np.isfinite(a.row_upper) != np.isfinite(a.row_lower)  # one-sided rows: limits
    goals_and_limits = [n for n, t, lim in zip(model_names, tight, limits) if t and lim]
    broken = [n for n, b in zip(model_names, evaluated.broken) if b > 0]
    return sorted(set(goals_and_limits) | set(broken))


def _total(table: pd.DataFrame, metric: str, role: str | None = None) -> float:
    rows = table[table["metric"] == metric]
    if role is not None:
        rows = rows[rows["role"] == role]
    return float(rows["value"].sum())


def finance_summary(scenario: Scenario, table: pd.DataFrame) -> dict:
    """Money over the horizon, and how far it covers retained earnings and the profit target."""
    fi = scenario.finance
    months = scenario.calendar.horizon_months
    profit = _total(table, "profit")
    retained = fi.retained_earnings_per_month * months
    target = fi.profit_target_per_month * months
    return {
        "revenue": _total(table, "revenue"),
        "cost_of_goods": _total(table, "cost_of_goods"),
        "payroll": _total(table, "payroll"),
        "ad_spend": _total(table, "ad_spend", "finance"),
        "fixed_bills": fi.fixed_bills_per_month * months,
        "profit": profit,
        "retained_earnings_goal": retained,
        "retained_earnings_covered": max(0.0, min(profit, retained)),
        "profit_target": target,
        "profit_after_retained_earnings": profit - retained,
        "goal": retained + target,
        "shortfall": max(0.0, retained + target - profit),
        "goal_met": profit >= retained + target - 1e-6 * max(1.0, abs(retained + target)),
    }


def cascade(scenario: Scenario, now: pd.DataFrame, rec: pd.DataFrame) -> list[str]:
    """What suffers, step by step down the chain, in plain words with numbers (monthly averages)."""
    lines = []
    months = scenario.calendar.horizon_months
    a_month = "a month" if months == 1 else "a month on average"
    floor = scenario.sales.min_minutes_per_quality_conversation

    def mean(table: pd.DataFrame, metric: str, role: str | None = None) -> float:
        return _total(table, metric, role) / months

    for team in scenario.sales.teams:
        name = team.name
        who = name.replace("_", " ")
        cur_calls, rec_calls = (
            mean(now, "calls_per_rep_per_day", name),
            mean(rec, "calls_per_rep_per_day", name),
        )
        # today: the minutes each call gets in the rep's day (the quality floor's sentence
        # quotes the same figure); the plan: the length it chooses, which fits the day
        cur_min = team_talk_minutes(scenario, name, cur_calls)
        rec_min = mean(rec, "minutes_per_conversation", name)
        if cur_min < rec_min - 1e-6:
            below = f", below the quality floor of {floor:g} min" if cur_min < floor else ""
            leave = (
                f"leave {cur_min:.1f} min a conversation{below}"
                if cur_min > 0
                else f"leave {talk_words(cur_min)}{below}"
            )
            lines.append(
                f"{who}: {labels.number(cur_calls)} calls a rep a day {leave} (the plan: "
                f"{labels.number(rec_calls)} calls of {rec_min:.1f} min)."
            )
        cur_deals, rec_deals = (
            mean(now, "deals_per_month", name),
            mean(rec, "deals_per_month", name),
        )
        if abs(cur_deals - rec_deals) > 1e-6 * max(1.0, rec_deals):
            cur_rate = mean(now, "deals_per_conversation", name)
            rec_rate = mean(rec, "deals_per_conversation", name)
            lines.append(
                f"{who}: {cur_rate:.2%} of calls close instead of {rec_rate:.2%}, so "
                f"{cur_deals:,.1f} deals {a_month} instead of {rec_deals:,.1f} and revenue "
                f"{money(mean(now, 'revenue_per_month', name))} instead of "
                f"{money(mean(rec, 'revenue_per_month', name))}."
            )
    cur_leads, rec_leads = mean(now, "leads_per_month"), mean(rec, "leads_per_month")
    conversations = mean(now, "conversations_per_month")
    qualified = mean(now, "qualified_leads_per_month") * scenario.sales.touches_per_lead
    if conversations > qualified + 1e-6 * max(1.0, qualified):
        touches = scenario.sales.touches_per_lead
        need = f"{conversations:,.0f} conversations with qualified leads {a_month}"
        if touches != 1:
            need += f" ({conversations / touches:,.0f} leads at {touches:g} calls each)"
        lines.append(
            f"marketing: the calls need {need}, but {cur_leads:,.0f} leads allow only "
            f"{qualified:,.0f} (the plan buys {rec_leads:,.0f} leads)."
        )
    for metric, words in (
        ("units_built_per_month", "units to build"),
        ("tickets_per_month", "tickets"),
    ):
        cur, rec_value = mean(now, metric), mean(rec, metric)
        if round(cur) != round(rec_value):
            lines.append(f"{words}: {cur:,.0f} {a_month} instead of {rec_value:,.0f}.")
    f_now, f_rec = finance_summary(scenario, now), finance_summary(scenario, rec)
    verdict = (
        "meets the goal"
        if f_now["goal_met"]
        else f"short of the goal by {money(f_now['shortfall'])}"
    )
    gain = f_rec["profit"] - f_now["profit"]
    if abs(gain) <= 1e-6 * max(1.0, abs(f_rec["profit"])):
        compared = "the same as the plan"
    elif gain > 0:
        compared = f"the plan makes {money(f_rec['profit'])}, {money(gain)} more"
    else:
        compared = (
            f"the plan makes {money(f_rec['profit'])}, {money(-gain)} less, because today's "
            "targets break limits the plan keeps"
        )
    over = "" if months == 1 else f" over {months} months"
    lines.append(
        f"finance: profit{over} {money(f_now['profit'])} against a goal of {money(f_now['goal'])} "
        f"(retained earnings plus profit target): {verdict}; {compared}."
    )
    return lines
