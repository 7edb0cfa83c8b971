"""Headcounts: why each role's headcount is what it is, one person more and one fewer.

Each role's headcount (reps of each team, marketers, delivery workers, support agents,
live-channel agents) is forced one person up, and one down, in every month, everything
else free, and the plan solved again. With ``gain`` the objective's change as money
gained and ``pay`` the pay of the people added (negative when removed) over the horizon,

    margin = gain + pay,

so "a sixth rep: margin - pay = gain". A move below zero people is not tried; one that
leaves no plan says so. Objectives not in money report the objective's change only.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.analysis.explain.resolves import gain_of, resolve_seconds
from optimizer.scenario import labels
from optimizer.scenario.labels import money, signed_money
from optimizer.scenario.schema import Scenario


@dataclass(frozen=True)
class HeadcountChoice:
    role: str  # "reps[field]", "marketers", ...
    label: str  # "field team reps"
    people: tuple[float, ...]  # the plan's headcount by month
    pay: float  # per person per month
    up: dict | None  # {people, change, pay, margin} for one more in every month
    down: dict | None
    sentences: tuple[str, ...]


def roles(scenario: Scenario, model) -> list[tuple[str, str, str, float, list[str]]]:
    """(role, label, the word for one person, pay a month, variable names) of each headcount."""
    names = model.var_names()
    found = []

    def columns(prefix: str, suffix: str = "]") -> list[str]:
        return [n for n in names if n.startswith(prefix) and n.endswith(suffix)]

    for team in scenario.sales.teams:
        cols = [n for n in columns("reps[") if n.endswith(f",{team.name}]")]
        found.append((f"reps[{team.name}]", f"{team.name} team", "rep",
                      team.reps.cost_per_person_per_month, cols))  # fmt: skip
    m = scenario.marketing.marketers
    found.append(("marketers", "marketing", "marketer", m.cost_per_person_per_month,
                  columns("marketers[")))  # fmt: skip
    if scenario.delivery is not None:
        w = scenario.delivery.workers
        found.append(("workers", "delivery", "delivery worker", w.cost_per_person_per_month,
                      columns("workers[")))  # fmt: skip
    if scenario.support is not None:
        a = scenario.support.agents
        found.append(("agents", "support", "support agent", a.cost_per_person_per_month,
                      columns("agents[")))  # fmt: skip
        for line in scenario.support.live_channels or []:
            found.append((f"{line.name}_agents", line.name, f"{line.name} agent",
                          line.agents.cost_per_person_per_month,
                          columns(f"{line.name}_agents[")))  # fmt: skip
    return [r for r in found if r[4]]


def _flowing(scenario: Scenario) -> set[str]:
    """The roles (as ``roles`` names them) whose people flow (``Headcount.opening``)."""
    return {
        f"reps[{name}]" if role.var == "reps" else role.var
        for role in scenario.roles()
        for name, staff in zip(role.names, role.staff)
        if staff.flows
    }


ORDINAL = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth",
           7: "seventh", 8: "eighth", 9: "ninth", 10: "tenth", 11: "eleventh", 12: "twelfth"}  # fmt: skip


def _nth(n: float) -> str:
    n = int(round(n))
    return ORDINAL.get(n, f"{n}th")


def headcount_choices(scenario, plan, free, deadline, notes=None) -> list[HeadcountChoice]:
    values = dict(zip(plan.variables["name"], plan.variables["value"]))
    months = max(1, scenario.calendar.horizon_months)
    money_objective = plan.objective_unit == "$"
    out = []
    flowing = _flowing(scenario)
    for role, where, person, pay, cols in roles(scenario, free.model):
        if role in flowing:  # people from hires and departures: not forced month by month
            if notes is not None:
                notes.append(
                    f"the headcount of {_who(person, where, plural=True)} follows its hires and "
                    "departures (people flow): one more hire is valued by 'Most hires a month' "
                    "and 'Hiring lead time', not by forcing one more person every month"
                )
            continue
        people = tuple(float(round(values[n])) for n in cols)
        ways = {}
        for delta in (1, -1):
            if deadline.expired():
                if notes is not None:
                    notes.append(
                        f"the headcount of {_who(person, where, plural=True)} is not "
                        "explained: out of time"
                    )
                break
            moved = {n: round(values[n]) + delta for n in cols}
            if any(v < 0 for v in moved.values()):
                continue
            result = free.forced(moved, time_limit=resolve_seconds(deadline))
            change = gain_of(plan, result.objective if result.solved else None)
            if change is None:
                ways[delta] = None
                continue
            pay_change = delta * pay * len(cols)
            ways[delta] = {
                "people": [v + delta for v in people], "change": change, "pay": pay_change,
                "margin": change + pay_change if money_objective else None,
            }  # fmt: skip
        out.append(HeadcountChoice(role, where, people, pay, ways.get(1), ways.get(-1),
                                   _sentences(person, where, people, ways, months,
                                              money_objective)))  # fmt: skip
    return out


def _who(person: str, where: str, plural: bool = False) -> str:
    """One person of a headcount in words: "marketer", "rep (field team)"; the place is
    left out where the word already says it ("delivery worker", "phone agent")."""
    words = f"{person}s" if plural else person
    if where in ("marketing", "delivery", "support") or where in person:
        return words
    return f"{words} ({where})"


def _sentences(person, where, people, ways, months, money_objective) -> tuple[str, ...]:
    same = len(set(people)) == 1
    who = _who(person, where)
    texts = []
    for delta in (1, -1):
        if delta not in ways:
            continue
        w = ways[delta]
        if same:
            n = people[0] + 1 if delta > 0 else people[0]
            article = "An" if _nth(n)[0] in "ae" else "A"
            head = (f"{article} {_nth(n)} {who}" if delta > 0
                    else f"Without the {_nth(n)} {who}")  # fmt: skip
        else:
            head = f"One {who} {'more' if delta > 0 else 'fewer'} every month"
        if w is None:
            texts.append(f"{head}: no plan meets every limit.")
            continue
        if not money_objective:
            texts.append(f"{head}: the objective changes by {w['change']:+.4g}.")
            continue
        period = "" if months == 1 else f" over {months} months"
        if delta > 0:
            texts.append(f"{head}: {signed_money(w['margin'])} of margin {_minus()} "
                         f"{money(abs(w['pay']))} of pay = {signed_money(w['change'])}{period}.")  # fmt: skip
        else:
            texts.append(f"{head}: {signed_money(w['margin'])} of margin + "
                         f"{money(abs(w['pay']))} of pay saved = {signed_money(w['change'])}"
                         f"{period}.")  # fmt: skip
    return tuple(texts)


def _minus() -> str:
    return labels.MINUS
