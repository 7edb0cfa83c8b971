"""The sentences that analysis results carry, each built from a result's numbers and labels.

Words for people are otherwise the report stage's (``optimizer.report``); these are here
because callers read them off the result objects themselves: a comparison's broken limits
(``Comparison.violations``), a repair (``Repair.sentence``) and a cross-check's findings
(``CrossCheck.notes``, ``lines`` and each price's explanation).

A broken limit's sentence names the row (its label: "Selling time, inside team, Apr
2027"), says what the limit is, what today's targets need and by how much they break it,
with money and counts as a leader reads them (``optimizer.scenario.labels``). Some
families add a detail a manager recognises (the quality floor speaks in minutes a call,
not in conversations below a tier). Rows of one family that break in several months or
for several teams are also said once, as a group (``group_sentence``), with the worst
row's figures.
"""

from __future__ import annotations

import pandas as pd

from optimizer.model.implied import minutes_and_seconds, team_talk_minutes
from optimizer.model.linear import RowBlock
from optimizer.scenario import labels
from optimizer.scenario.schema import Scenario


def figures(record: dict) -> str:
    """'80,407 against a limit of 63,000 minutes a month (17,407 over)'."""
    unit = record["unit"]
    over = "short" if record["implied"] < record["limit"] else "over"
    word = "goal" if record.get("kind") == "goal" else "limit"
    return (
        f"{labels.bare(record['implied'], unit)} against a {word} of "
        f"{labels.amount(record['limit'], unit)} ({labels.bare(record['shortfall'], unit)} {over})"
    )


def detail(record: dict, block: RowBlock, scenario: Scenario, now: pd.DataFrame) -> str:
    """A family's own words about a broken row ('' when it has none)."""
    words = DETAILS.get(block.name.split("-", 1)[1])
    return words(record, scenario, now) if words else ""


def violation_sentence(record: dict, block: RowBlock, scenario: Scenario, now: pd.DataFrame) -> str:
    """'Selling time, inside team, Apr 2027: <what the limit is> Today's targets break it:
    80,407 against a limit of 63,000 minutes a month (17,407 over). <detail>'"""
    extra = detail(record, block, scenario, now)
    return (
        f"{record['label']}: {block.description} Today's targets break it: {figures(record)}."
        + (" " + extra if extra else "")
    )


def _team(record: dict) -> str | None:
    inside = record["constraint"].split("[", 1)[1].rstrip("]").split(",")
    return inside[1] if len(inside) > 1 else None


def _value(now: pd.DataFrame, metric: str, role: str, period: str) -> float:
    rows = now[(now["metric"] == metric) & (now["role"] == role) & (now["period"] == period)]
    return float(rows["value"].iloc[0]) if len(rows) else float("nan")


def talk_words(minutes: float) -> str:
    """'20.0 min of conversation', or 'no time to talk': how both the quality floor's
    sentence and "what suffers" say ``implied.team_talk_minutes``."""
    return f"{minutes:.1f} min of conversation" if minutes > 0 else "no time to talk"


def _quality_floor(record: dict, scenario: Scenario, now: pd.DataFrame) -> str:
    team_name = _team(record)
    team = next(t for t in scenario.sales.teams if t.name == team_name)
    cal = scenario.calendar
    calls = _value(now, "calls_per_rep_per_day", team_name, record["period"])
    if not calls > 0:
        return ""
    floor = scenario.sales.min_minutes_per_quality_conversation
    working = cal.hours_per_day * 60.0 / calls
    lost = team.hours_lost_per_day.total()
    talking = team_talk_minutes(scenario, team_name, calls)
    after = f"after {lost:g} h lost to other work and {team.admin_minutes_per_conversation:g} min of admin"
    return (
        f"The quality floor is {floor:g} min a conversation; {calls:,.3g} calls a day leave "
        f"{working:.1f} min ({minutes_and_seconds(working)}) a call in a working day of "
        f"{cal.hours_per_day:g} hours, and {talk_words(talking)} {after}."
    )


def _lead_supply(record: dict, scenario: Scenario, now: pd.DataFrame) -> str:
    sa, mk = scenario.sales, scenario.marketing
    needed = record["implied"] / (sa.touches_per_lead * mk.qualified_lead_share)
    return (
        f"The calls need {needed:,.0f} new leads a month ({mk.qualified_lead_share:.0%} of "
        f"leads qualify); marketing's plan gives "
        f"{record['limit'] / (sa.touches_per_lead * mk.qualified_lead_share):,.0f}."
    )


def _selling_time(record: dict, scenario: Scenario, now: pd.DataFrame) -> str:
    team_name = _team(record)
    reps = _value(now, "reps", team_name, record["period"])
    days = scenario.calendar.business_days_per_month
    if not reps > 0:
        return ""
    per_day = record["shortfall"] / (reps * days * 60.0)
    return f"Each rep would need {per_day:.2f} more selling hours a day."


def _profit_goal(record: dict, scenario: Scenario, now: pd.DataFrame) -> str:
    fi = scenario.finance
    return (
        f"The goal is retained earnings of {labels.money(fi.retained_earnings_per_month)} plus "
        f"a profit target of {labels.money(fi.profit_target_per_month)} a month."
    )


DETAILS = {
    "quality_floor": _quality_floor,
    "lead_supply": _lead_supply,
    "selling_time": _selling_time,
    "profit_goal": _profit_goal,
}


# ---- groups: one sentence per family ---------------------------------------------------------


def _axis_words(key: str, value: str) -> str:
    if key == "tier":  # "search:1" -> "price tier 1, search"
        channel, _, index = str(value).rpartition(":")
        return f"price tier {index}, {channel}" if index.isdigit() else str(value)
    return str(value).replace("_", " ")


def who_phrase(axes: list[dict], teams: list[str]) -> str:
    """' for the metro and north teams', ' for every team', ' for phone' ('' for none)."""
    team_names = list(dict.fromkeys(a["team"] for a in axes if a.get("team")))
    if team_names:
        if len(teams) > 1 and set(team_names) == set(teams):
            return " for every team"
        words = labels.and_list([n.replace("_", " ") for n in team_names])
        return f" for the {words} team" + ("s" if len(team_names) > 1 else "")
    others = [_axis_words(k, v) for a in axes for k, v in a.items() if k not in ("month", "team")]
    others = list(dict.fromkeys(others))
    return f" for {labels.and_list(others)}" if others else ""


def _spread(values, unit: str) -> str:
    """'17,407 minutes a month' or '3,122 to 6,694 minutes a month'."""
    low, high = min(values), max(values)
    if labels.bare(low, unit) == labels.bare(high, unit):
        return labels.amount(high, unit)
    return f"{labels.bare(low, unit)} to {labels.amount(high, unit)}"


def group_sentence(rows: pd.DataFrame, horizon: list[str], teams: list[str]) -> str:
    """One sentence for the broken rows of one family, naming who and when, with the
    worst row's figures: 'Selling time is broken every month from Apr to Jun 2027 for the
    inside team: by 17,407 minutes a month. Worst: Selling time, inside team, Apr 2027: ...'
    A family broken in one row only keeps that row's sentence."""
    if len(rows) == 1:
        return str(rows["sentence"].iloc[0])
    first = rows.iloc[0]
    unit, family = first["unit"], first["family"]
    when = labels.months_phrase([p for p in rows["period"] if p != "horizon"], horizon)
    who = who_phrase(list(rows["axes"]), teams)
    if first["kind"] == "target":
        worst = rows.loc[rows["shortfall"].idxmax()]
        stated = set(labels.bare(v, unit) for v in rows["limit"])
        of = f" of {labels.amount(first['limit'], unit)}" if len(stated) == 1 else "s"
        metric = labels.metric_label(family.removeprefix("targets-")).lower()
        text = (
            f"Today's {metric} target{of} cannot be met {when}{who} together with the other "
            f"targets: the closest they allow is {_spread(rows['implied'], unit)}."
        )
        if len(stated) > 1 or labels.bare(min(rows["implied"]), unit) != labels.bare(
            max(rows["implied"]), unit
        ):
            text += f" Furthest: {worst['label']}: {worst['figures']}"
        return text
    worst = rows.loc[rows["shortfall"].idxmax()]
    return (
        f"{labels.family_label(family)} is broken {when}{who}: by "
        f"{_spread(rows['shortfall'], unit)}. Worst: {worst['label']}: {worst['figures']}"
    )


# ---- repairs of an impossible scenario (``optimizer.analysis.diagnose``) ---------------------


def change_sentence(lever, proposed: float) -> str:
    """'raise the ad budget from $40,000 to $52,000 a month (+$12,000)': one lever's change
    (a ``diagnose.Lever``: its words, unit, value today and whether it counts people)."""
    verb = "raise" if proposed > lever.value else "lower"
    if lever.unit.startswith("$"):
        return (
            f"{verb} {lever.words} from {labels.money(lever.value)} to "
            f"{labels.money(proposed)} a month ({labels.signed_money(proposed - lever.value)})"
        )
    if lever.integer:
        return f"{verb} {lever.words} from {lever.value:g} to {proposed:g} people"
    return (
        f"{verb} {lever.words} from {labels.number(lever.value, 4)} to "
        f"{labels.amount(proposed, lever.unit)}"
    )


def change_sentences(repair) -> list[str]:
    """``change_sentence`` for each lever a ``diagnose.Repair`` moves, in its order."""
    return [
        change_sentence(lever, proposed)
        for lever, proposed in zip(repair.levers, repair.changes["proposed"].tolist())
    ]


def repair_sentence(repair) -> str:
    """The changes of a repair, then its weighted cost."""
    return "; ".join(change_sentences(repair)) + f" (weighted cost {repair.cost:.4g})."


# ---- a second solver's view (``optimizer.analysis.crosscheck``) ------------------------------


def cross_check_notes(cc, objective_tol: float) -> list[str]:
    """Each finding of a ``CrossCheck`` in a line: the statuses, or the objective, the
    whole numbers, the targets, then the shadow prices and any dual vector that fails."""
    plan_a, plan_b = cc.plans
    a, b = cc.backends
    if not (plan_a.solved and plan_b.solved):
        return [
            f"status: {plan_a.status.value} ({a}) and {plan_b.status.value} ({b})"
            + (": they agree there is no plan" if cc.objective["agree"] else ": they disagree")
        ]
    objective = cc.objective
    notes = [
        f"objective ({plan_a.objective_name}): {objective['a']:,.6f} and {objective['b']:,.6f}, "
        f"relative difference {objective['relative']:.2g}: "
        + ("agree" if objective["agree"] else f"DISAGREE (tolerance {objective_tol:g})")
    ]
    if cc.same_whole_numbers:
        notes.append("whole-number plan: the same headcounts")
    else:
        notes.append(
            f"whole-number plan: {len(cc.headcounts)} headcounts differ"
            + (" (an alternative optimum: the objective is the same)" if objective["agree"] else "")
        )
    if cc.targets.empty:
        notes.append(f"targets: all {len(plan_a.targets)} agree")
    else:
        alternative = (cc.targets["verdict"] == "alternative optimum").all()
        notes.append(
            f"targets: {len(cc.targets)} of {len(plan_a.targets)} differ"
            + (
                "; both plans reach the same objective, so both are optimal: the optimum is "
                "not unique and the solvers picked different ones"
                if alternative
                else ""
            )
        )
    if cc.fixed_lp_failed is not None:
        return notes + ["the fixed LP did not solve: {} / {}".format(*cc.fixed_lp_failed)]
    if cc.repriced:
        notes.append(
            f"re-pricing: {b} priced {a}'s whole-number plan, so the shadow "
            "prices below are both prices of the same LP"
        )
    prices, limits = cc.shadow_prices, cc.limits
    disagreements = int((prices["verdict"] == "disagree").sum()) if len(prices) else 0
    degenerate = int((prices["verdict"] == "degenerate").sum()) if len(prices) else 0
    if prices.empty:
        notes.append(f"shadow prices: all {limits} limits agree, and so do the solvers' duals")
    else:
        notes.append(
            f"shadow prices: {limits - disagreements} of {limits} limits agree"
            + (
                f"; on {degenerate} degenerate limits the solvers' duals differ but both are "
                "optimal duals of the same LP, and the reported rate for an increase agrees"
                if degenerate
                else ""
            )
        )
    for name, check in zip(cc.backends, cc.dual_checks):
        if not check.ok:
            notes.append(
                f"{name}'s duals are NOT an optimal dual solution of the LP: worst violation "
                f"{check.worst:.2g} at {check.where}"
            )
    return notes


def price_explanations(prices: pd.DataFrame, backends: tuple[str, str], a_ok: bool) -> list[str]:
    """Why each limit's prices or duals differ, by its verdict (``crosscheck._compare_prices``);
    ``a_ok``: the first backend's duals pass the optimality check."""
    a_name, b_name = backends
    out = []
    for row in prices.itertuples(index=False):
        name, pa, pb, da, db = row.name, row.price_a, row.price_b, row.dual_a, row.dual_b
        if row.verdict == "degenerate":
            out.append(
                f"{name}: the solvers' duals differ ({da:,.6g} from {a_name}, {db:,.6g} from "
                f"{b_name}), and both dual vectors are optimal for the same LP (dual feasible "
                "and complementary with the plan). This limit is degenerate: it binds together "
                "with other limits, so its dual is not unique; any value between the rate for "
                "a decrease and the rate for an increase is a valid dual. The reported shadow "
                f"price is the rate for an increase, measured by re-solving: {pa:,.6g} from "
                f"both."
            )
        elif row.verdict == "dual_invalid":
            bad = a_name if not a_ok else b_name
            out.append(
                f"{name}: the reported shadow prices agree ({pa:,.6g}), but the duals differ "
                f"({da:,.6g} / {db:,.6g}) and {bad}'s duals fail the optimality check."
            )
        else:
            why = (
                " The limit is degenerate and both dual vectors are optimal, yet the rates "
                "for an increase differ: a breakpoint may lie within the re-solve's step."
                if row.degenerate and row.duals_optimal
                else ""
            )
            out.append(
                f"{name}: shadow price {pa:,.6g} from {a_name} against {pb:,.6g} from "
                f"{b_name} (duals {da:,.6g} / {db:,.6g}).{why}"
            )
    return out


def cross_check_lines(cc, limit: int = 12) -> list[str]:
    """The cross-check in words: each finding, then its details (at most ``limit`` each)."""
    a, b = cc.backends
    out = [f"Cross-check: {a} against {b}"]
    details = {
        "whole-number plan": [
            f"{row['name']}: {row['a']:g} ({a}) against {row['b']:g} ({b})"
            for _, row in cc.headcounts.iterrows()
        ],
        "targets": [
            f"{row['metric']} [{row['role']}, {row['period']}]: {row['a']:,.6g} against "
            f"{row['b']:,.6g} ({row['verdict']})"
            for _, row in cc.targets.iterrows()
        ],
        "shadow prices": list(cc.shadow_prices["explanation"]),
    }
    for note in cc.notes:
        out.append(f"  {note}")
        for key, lines in details.items():
            if note.startswith(key + ":"):
                out += [f"    {line}" for line in lines[:limit]]
                if len(lines) > limit:
                    out.append(f"    ... and {len(lines) - limit} more")
                details[key] = []
    out.append(
        "Verdict: the backends agree."
        if cc.ok
        else "Verdict: the backends DISAGREE beyond tolerance; see above."
    )
    return out
