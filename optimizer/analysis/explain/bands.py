"""Why the support line runs at the service band it does, and what one more agent is worth in
customers and cash: two re-solves, in the leader's words.

A scenario lists a line's bands best first (``ServiceBand``). The plan's bands month by month
are compared with re-solved plans:

- **every month at one band**: for each band the plan does not run at every month, the plan
  re-solved with the line held to that band (its other bands removed). The difference says
  what the choice costs: staff, customers kept, customers leaving, profit, and cash at its
  lowest point. A band that cannot be staffed within the line's headcount cap has no plan,
  and the sentence says so.
- **one more agent**: the plan re-solved with the line's most agents one higher, with hiring
  free: what the extra person is worth, and through what (the band it buys, the customers it
  keeps, the invoices paid sooner).

Each number is the difference of two solved and checked plans, so it holds for exactly that
change; no rate is extrapolated.
"""

from __future__ import annotations

import numpy as np

from optimizer.scenario import labels
from optimizer.scenario.labels import money, signed_money


def _solve(data: dict, plan, objective, deadline):
    from optimizer.analysis.solve import solve
    from optimizer.scenario.loading import validate

    scenario = validate(data, "the plan with a service band held")
    return solve(scenario, objective, backend=plan.backend, marginals=False,
                 whole_steps=False, time_limit=deadline.remaining())  # fmt: skip


def _metric(plan, metric: str, role: str | None = None) -> np.ndarray:
    t = plan.targets
    rows = t[(t["metric"] == metric) & ((t["role"] == role) if role else True)]
    return rows["value"].to_numpy(float)


def summary(plan, line: str) -> dict:
    """The money of a plan, the numbers the band sentences compare."""
    customers = _metric(plan, "customers", "customers")
    cash = _metric(plan, "cash", "cash")
    payroll = _metric(plan, "payroll", "finance")
    return {
        "objective": float(plan.objective),
        "profit": float(_metric(plan, "profit", "finance").sum()),
        "payroll": float(payroll.sum()),
        "customers_at_end": float(customers[-1]) if len(customers) else None,
        "customers_leaving": float(_metric(plan, "churned_customers").sum()) if len(customers)
        else None,
        "lowest_cash": float(cash.min()) if len(cash) else None,
        "receivables_at_end": float(_metric(plan, "receivables")[-1]) if len(cash) else None,
        "bands": [int(round(b)) - 1 for b in _metric(plan, "service_band", line)],
    }  # fmt: skip


def _differences(base: dict, other: dict) -> list[str]:
    """What ``other`` changes against ``base``, in words, for the fields both have."""
    out = []
    if base["customers_at_end"] is not None:
        kept = other["customers_at_end"] - base["customers_at_end"]
        leaving = other["customers_leaving"] - base["customers_leaving"]
        out.append(f"{_more(kept, 'customer')} at the end ({_more(leaving, 'leaving')})")
    out.append(f"{signed_money(other['payroll'] - base['payroll'])} of payroll")
    out.append(f"{signed_money(other['profit'] - base['profit'])} of profit")
    if base["lowest_cash"] is not None:
        out.append(f"{signed_money(other['lowest_cash'] - base['lowest_cash'])} of cash at its "
                   f"lowest point ({money(other['lowest_cash'])})")  # fmt: skip
        unpaid = other["receivables_at_end"] - base["receivables_at_end"]
        out.append(f"{money(abs(unpaid))} {'more' if unpaid > 0 else 'less'} unpaid at the end")
    return out


def _more(value: float, what: str) -> str:
    """'about 53 more customers', 'about 36 fewer leaving' (expected counts, rounded)."""
    count = round(abs(value))
    if count == 0:
        return f"no more {what}s" if what == "customer" else f"no change in {what}"
    noun = f"{what}{'s' if count != 1 else ''}" if what == "customer" else what
    return f"about {count:,} {'more' if value > 0 else 'fewer'} {noun}"


def service_band(scenario, plan, objective, deadline) -> dict | None:
    """The band story of a solved plan (None: no line with bands, or no time left):
    ``{line, chosen, alternatives, one_more, sentences}``."""
    found = scenario.banded_line()
    if found is None or not plan.solved:
        return None
    key, path, bands = found
    base = summary(plan, key)
    months = base_months(plan)
    chosen = [labels.name_words(bands[b].name) for b in base["bands"]]
    where = labels.line_name(key)
    sentences = []
    alternatives = []
    for b, band in enumerate(bands):
        if all(c == b for c in base["bands"]) or deadline.expired():
            continue
        data = scenario.model_dump(mode="json", exclude_none=False)
        _line_of(data, key)["bands"] = [_line_of(data, key)["bands"][b]]
        other = _solve(data, plan, objective, deadline)
        entry = {"band": band.name, "feasible": other.solved}
        if other.solved:
            entry.update(summary(other, key))
            change = other.objective - plan.objective
            entry["objective_change"] = change
            total = (f"; {signed_money(change)} in all, with the customers still paying at the end"
                     if scenario.horizon_end.customer_months > 0 and base["customers_at_end"]
                     is not None else "")  # fmt: skip
            sentences.append(
                f"Running the {where} at '{labels.name_words(band.name)}' every month instead: "
                + ", ".join(_differences(base, entry))
                + total
                + "."
            )
        else:
            why = _no_plan_reason(scenario, data, plan, objective, deadline, where)
            sentences.append(
                f"Running the {where} at '{labels.name_words(band.name)}' every month has no plan: {why}."
            )
        alternatives.append(entry)
    one_more = _one_more_agent(scenario, plan, objective, deadline, key, path, base)
    if one_more is not None:
        sentences.append(one_more["sentence"])
    return {
        "line": key,
        "months": months,
        "chosen": chosen,
        "alternatives": alternatives,
        "one_more_agent": one_more,
        "sentences": sentences,
    }


def _line_of(data: dict, key: str) -> dict:
    """The banded line's section of a dumped scenario."""
    if key == "ticket_closure":
        return data["support"]["ticket_closure"]
    return next(c for c in data["support"]["live_channels"] if c["name"] == key)


def _no_plan_reason(scenario, data: dict, plan, objective, deadline, where: str) -> str:
    """Why a band held every month has no plan: re-solved without the minimum cash, the
    month cash would fall below it; else the line's headcount cap; else no plan at all."""
    cash = scenario.finance.cash
    if cash is not None and cash.minimum is not None and not deadline.expired():
        data["finance"]["cash"]["minimum"] = None
        other = _solve(data, plan, objective, deadline)
        if other.solved:
            low = _metric(other, "cash", "cash")
            months = base_months(other)
            i = int(np.argmin(low))
            return (f"cash would fall to {money(low[i])} at the end of {months[i]}, below the "
                    f"minimum of {money(cash.minimum)} (customers would hold more invoices)")  # fmt: skip
    return f"the {where} cannot be staffed for it, or no plan meets every limit and goal"


def _one_more_agent(scenario, plan, objective, deadline, key, path, base) -> dict | None:
    """One more agent allowed on the banded line, re-solved with hiring free."""
    if deadline.expired():
        return None
    data = scenario.model_dump(mode="json", exclude_none=False)
    staff = data["support"]["agents"] if key == "ticket_closure" else _line_of(data, key)["agents"]
    staff["max"] += 1
    other = _solve(data, plan, objective, deadline)
    if not other.solved:
        return None
    after = summary(other, key)
    value = other.objective - plan.objective
    bands = scenario.banded_line()[2]
    runs: dict[tuple[int, int], list[str]] = {}
    for a, b, m in zip(after["bands"], base["bands"], base_months(plan)):
        if a != b:
            runs.setdefault((a, b), []).append(m)
    moved = [
        f"'{labels.name_words(bands[a].name)}' instead of '{labels.name_words(bands[b].name)}' "
        f"in {_span(months)}"
        for (a, b), months in runs.items()
    ]
    who = "support agent" if key == "ticket_closure" else f"{key} agent"
    path = f"{'support.agents' if key == 'ticket_closure' else path + '.agents'}.max"
    if abs(value) < 0.5 and not moved:
        return {"path": path, "value": value, **after,
                "sentence": f"One more {who} allowed would change nothing: the "
                            f"{labels.line_name(key)} is not short of people."}  # fmt: skip
    through = (
        f"the {labels.line_name(key)} runs at " + labels.and_list(moved)
        if moved
        else (f"the {labels.line_name(key)} keeps its bands")
    )
    profit = after["profit"] - base["profit"]
    credit = (f" ({signed_money(profit)} of profit within the plan, the rest the customers still "
              "paying at the end)" if abs(value - profit) >= 0.5 else "")  # fmt: skip
    sentence = (
        f"One more {who} allowed is worth {signed_money(value)}{credit}, re-solved with hiring "
        f"free: {through}; " + ", ".join(_differences(base, after)) + "."
    )
    return {"path": path, "value": value, **after, "sentence": sentence}


def _span(months: list[str]) -> str:
    """'May 2027', 'May 2027 to Sep 2027' (months in order; a gap lists them)."""
    return (
        months[0]
        if len(months) == 1
        else f"{months[0]} to {months[-1]}"
        if len(months) == _consecutive(months)
        else labels.and_list(months)
    )


def _consecutive(months: list[str]) -> int:
    import datetime as dt

    parsed = [dt.datetime.strptime(m, "%b %Y") for m in months]
    steps = [(b.year - a.year) * 12 + b.month - a.month for a, b in zip(parsed, parsed[1:])]
    return len(months) if all(s == 1 for s in steps) else -1


def base_months(plan) -> list[str]:
    return [labels.month_label(str(p)) for p in sorted(set(plan.targets["period"]))
            if p != "horizon"]  # fmt: skip
