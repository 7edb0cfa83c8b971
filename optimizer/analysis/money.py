"""Money over time, read for a leader: customers and churn, recurring revenue, bookings,
collections, receivables, days sales outstanding, cash by month and its lowest point, and the
service band each month ran at.

Every number is recomputed from the scenario and the plan's decisions
(``optimizer.analysis.check_money``), the same arithmetic the independent check uses.
"""

from __future__ import annotations

import numpy as np

from optimizer.analysis import check_money
from optimizer.scenario import labels
from optimizer.scenario.schema import Scenario

DAYS_PER_MONTH = 30.0
"""Days sales outstanding count a month as 30 days: receivables / revenue x 30."""


def rows(add, scenario: Scenario, q: dict) -> None:
    """The money's target rows (``targets._Rows.add``), month by month."""
    rr, fi = scenario.recurring_revenue, scenario.finance
    n = len(q["revenue"])
    line = scenario.banded_line()
    band = check_money.chosen_band(scenario, q)
    if band is not None:
        levels = [np.nan if b.service_level is None else b.service_level for b in line[2]]
        add("support", line[0], "service_band", band + 1, "band")  # 1: the first band listed
        add("support", line[0], "service_band_level", [levels[b] for b in band], "share")
    if rr is not None:
        c = check_money.customers(scenario, q)
        base = rr.revenue_per_customer_per_month
        deals = np.asarray(q["deals"], float).reshape(n, -1)
        value = np.array([t.average_deal_value for t in scenario.sales.teams])
        add("customers", "customers", "customers", c["customers"], "customers")
        add("customers", "customers", "new_customers", c["new"], "customers")
        add("customers", "customers", "churned_customers", c["churned"], "customers")
        add("customers", "customers", "churn_rate", c["churn"], "share")
        add("customers", "customers", "recurring_revenue", c["recurring"], "$/month")
        add("customers", "customers", "expansion_revenue", c["recurring"] - base * c["customers"],
            "$/month")  # fmt: skip
        bookings = deals @ value + c["new"] * base * rr.contract_months
        add("customers", "customers", "bookings", bookings, "$/month")
        if "customer_base_value" in q:  # one number, shown in the last month
            credit = np.zeros(n)
            credit[-1] = float(np.asarray(q["customer_base_value"]).sum())
            add("customers", "customers", "customer_base_value", credit, "$")
    if fi.cash is not None:
        revenue = np.asarray(q["revenue"], float)
        collected = check_money.collections(scenario, q, revenue)
        receivables = sum(fi.cash.opening_receivables) + np.cumsum(revenue - collected)
        add("finance", "cash", "invoiced", revenue, "$/month")
        add("finance", "cash", "collected", collected, "$/month")
        add("finance", "cash", "receivables", receivables, "$")
        dso = np.divide(receivables * DAYS_PER_MONTH, revenue, out=np.zeros(n),
                        where=revenue > 1e-9)  # fmt: skip
        add("finance", "cash", "days_sales_outstanding", dso, "days")
        add("finance", "cash", "cash", q["cash"], "$")
        if fi.cash.minimum is not None:
            add("finance", "cash", "minimum_cash", fi.cash.minimum, "$")


def notes(scenario: Scenario, targets) -> list[str]:
    """Sentences on the money: the lowest cash point, and the band support ran at."""
    out = []
    t = targets
    cash = t[(t["role"] == "cash") & (t["metric"] == "cash")]
    if len(cash):
        i = int(np.argmin(cash["value"].to_numpy(float)))
        low, month = float(cash["value"].iloc[i]), labels.month_label(str(cash["period"].iloc[i]))
        floor = scenario.finance.cash.minimum
        tail = f", against a minimum of {labels.money(floor)}" if floor is not None else ""
        out.append(f"Cash is lowest at the end of {month}: {labels.money(low)}{tail}.")
    line = scenario.banded_line()
    if line is not None:
        band = t[(t["role"] == line[0]) & (t["metric"] == "service_band")]
        names = [labels.name_words(line[2][int(round(b)) - 1].name) for b in band["value"]]
        runs = _runs(names, [labels.month_label(str(p)) for p in band["period"]])
        what = "; ".join(f"{name!r} in {span}" for name, span in runs)
        out.append(f"The {labels.line_name(line[0])} runs at service band {what}.")
    return out


def _runs(names: list[str], months: list[str]) -> list[tuple[str, str]]:
    """Consecutive months at one band: ('basic', 'Apr 2027 to Jun 2027')."""
    out: list[tuple[str, list[str]]] = []
    for name, month in zip(names, months):
        if out and out[-1][0] == name:
            out[-1][1].append(month)
        else:
            out.append((name, [month]))
    return [(n, m[0] if len(m) == 1 else f"{m[0]} to {m[-1]}") for n, m in out]
