"""Money over time, for the page and the workbook: cash against profit, customers and
recurring revenue, receivables and days sales outstanding, and the service band each month.

Read from the plan's targets (``optimizer.analysis.money`` writes them):

- ``customers``/``customers``: paying customers, new, leaving, churn, recurring revenue
  (MRR), expansion, bookings, and the horizon-end credit for customers still paying;
- ``finance``/``cash``: invoiced, collected, receivables, days sales outstanding, cash in
  the bank and the minimum cash;
- ``support``/the banded line's key: the service band (a 1-based index into the line's
  bands, shown by name) and its service level.

A plan without these rows gives an empty frame, and the page and the workbook show nothing
of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.analysis import money as analysis_money
from optimizer.analysis.result import Plan
from optimizer.scenario import labels
from optimizer.scenario.schema import Scenario, ServiceBand

SERIES = {
    # column (the plan's metric): (department, role; None: the banded line's key), unit
    "customers": ("customers", "customers", "customers"),
    "new_customers": ("customers", "customers", "customers"),
    "churned_customers": ("customers", "customers", "customers"),
    "churn_rate": ("customers", "customers", "share"),
    "recurring_revenue": ("customers", "customers", "$/month"),
    "expansion_revenue": ("customers", "customers", "$/month"),
    "bookings": ("customers", "customers", "$/month"),
    "invoiced": ("finance", "cash", "$/month"),
    "collected": ("finance", "cash", "$/month"),
    "receivables": ("finance", "cash", "$"),
    "days_sales_outstanding": ("finance", "cash", "days"),
    "cash": ("finance", "cash", "$"),
    "minimum_cash": ("finance", "cash", "$"),
    "service_band_level": ("support", None, "share"),
    "profit": ("finance", "finance", "$/month"),
}
"""The month-by-month metrics of the money view, in the order a leader reads them."""
MONTHLY = [m for m in SERIES if m not in ("service_band_level", "profit")]
"""The metrics the month-by-month table and the workbook's Money sheet list (then the band)."""
BAND = "service_band"
"""The frame's column of band names (the plan's metric holds the band's 1-based index)."""
MARKERS = ("cash", "recurring_revenue", "service_band")
"""A plan has a money view when it has one of these metrics."""


def has_money(plan: Plan) -> bool:
    """A solved plan with cash, recurring revenue or a service band chosen month by month."""
    return plan.solved and bool(plan.targets["metric"].isin(MARKERS).any())


def _rows(targets: pd.DataFrame, department: str, role: str, metric: str) -> pd.Series:
    t = targets
    rows = t[(t["department"] == department) & (t["role"] == role) & (t["metric"] == metric)]
    return pd.Series(rows["value"].to_numpy(float), index=rows["period"].astype(str))


def money_frame(plan: Plan, scenario: Scenario) -> pd.DataFrame:
    """One row per month: period, month (words), each ``SERIES`` metric the plan has
    (numbers, without negative zeros), and ``service_band``: the band's name. Empty
    without money rows."""
    if not has_money(plan):
        return pd.DataFrame(columns=["period", "month"])
    t = plan.targets
    line = scenario.banded_line()
    found: dict[str, pd.Series] = {}
    for metric, (department, role, _) in SERIES.items():
        role = role if role is not None else (line[0] if line else None)
        if role is None:
            continue
        rows = _rows(t, department, role, metric)
        if len(rows):
            found[metric] = rows
    band = _rows(t, "support", line[0], BAND) if line else pd.Series(dtype=float)
    anchor = [found[m] for m in ("cash", "customers", "service_band_level") if m in found]
    periods = list((anchor[0] if anchor else band).index)
    out = pd.DataFrame({"period": periods, "month": [labels.month_label(p) for p in periods]})
    for metric, values in found.items():
        out[metric] = values.reindex(periods).to_numpy(float) + 0.0
    if len(band):
        out[BAND] = [band_name(line[2], band.get(p)) for p in periods]
    return out


def band_name(bands: list[ServiceBand], index) -> str:
    """The name of the band a 1-based index stands for ('' for none)."""
    if index is None or index != index:
        return ""
    return bands[int(round(index)) - 1].name


def band_words(name: str) -> str:
    """'best effort' for the band ``best_effort``: a band's name as a leader reads it (the
    scenario's name, its underscores as spaces)."""
    return labels.name_words(name)


def column_label(metric: str) -> str:
    """'Paying customers', 'Cash in the bank', 'Service band': the metric's label."""
    return labels.metric_label(metric)


def shown(metric: str, value) -> str:
    """A month's value as a leader reads it: money with its sign and separators, churn as a
    percentage, days sales outstanding in days, customers rounded; a band by its name."""
    if metric == BAND:
        return band_words(value)
    unit = SERIES[metric][2]
    if value is None or value != value:
        return "—"
    if unit == "days":
        return f"{labels.number(value)} days"
    if unit.startswith("$"):
        return labels.money(value)
    return labels.figure(value, unit)


def month_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The page's table: one row per metric (its label), one column per month, formatted
    text only (money with $ and separators, never a raw float)."""
    metrics = [m for m in (*MONTHLY, BAND) if m in frame.columns]
    out = pd.DataFrame({"": [column_label(m) for m in metrics]})
    for i, month in enumerate(frame["month"]):
        out[month] = [shown(m, frame[m].iloc[i]) for m in metrics]
    return out


# ---- the service band --------------------------------------------------------------------


def band_level_words(band: ServiceBand, line: str) -> str:
    """'80 % of calls answered within 30 s', '80 % of tickets closed within 1 hour', 'no
    service-level target (only the occupancy cap)'."""
    if band.service_level is None:
        return "no service-level target (only the occupancy cap)"
    share = labels.percent(band.service_level, 0)
    if line == "ticket_closure":
        hours = band.within_hours
        within = f"within {labels.number(hours)} hour{'' if hours == 1 else 's'}" if hours else ""
        return f"{share} of tickets closed {within}".rstrip()
    seconds = band.answer_within_seconds
    within = f" within {labels.number(seconds)} s" if seconds else ""
    return f"{share} of {'calls' if line == 'phone' else 'contacts'} answered{within}"


def collection_words(profile: list[float]) -> str:
    """'70 % in the month, 30 % a month later', '30 % in the month, 40 % a month later,
    30 % two months later'."""
    later = ["in the month", "a month later"]
    parts = []
    for i, share in enumerate(profile):
        if share <= 0:
            continue
        when = later[i] if i < len(later) else f"{_ordinal_months(i)} later"
        parts.append(f"{labels.percent(share, 0)} {when}")
    return ", ".join(parts)


def _ordinal_months(i: int) -> str:
    words = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
    return f"{words.get(i, str(i))} months"


def band_table(frame: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """The band each month, by name (in words), with what it means: its service level, the
    churn it brings (with recurring revenue) and how customers pay their invoices at it
    (with cash)."""
    line = scenario.banded_line()
    if line is None or BAND not in frame.columns:
        return pd.DataFrame(columns=["month", "band"])
    key, _, bands = line
    by_name = {b.name: b for b in bands}
    chosen = [by_name[n] for n in frame[BAND]]
    out = pd.DataFrame({"month": frame["month"], "band": [band_words(n) for n in frame[BAND]]})
    out["service level"] = [band_level_words(b, key) for b in chosen]
    rr = scenario.recurring_revenue
    if rr is not None:
        out["churn a month"] = [
            labels.percent(b.churn_per_month if b.churn_per_month is not None
                           else rr.churn_per_month, 1)
            for b in chosen
        ]  # fmt: skip
    cash = scenario.finance.cash
    if cash is not None:
        out["invoices paid"] = [collection_words(b.collection or cash.collection) for b in chosen]
    return out.reset_index(drop=True)


def band_runs(frame: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """Consecutive months at one band, in words: [('fast', ['Apr 2027']), ('best effort',
    ['May 2027', …])]."""
    out: list[tuple[str, list[str]]] = []
    for name, month in zip(map(band_words, frame.get(BAND, [])), frame["month"]):
        if out and out[-1][0] == name:
            out[-1][1].append(month)
        else:
            out.append((name, [month]))
    return out


def band_takeaway(frame: pd.DataFrame, scenario: Scenario) -> str:
    """'The phone line runs at 'fast' in Apr 2027, then 'standard' from May 2027 to Sep 2027.'"""
    line = scenario.banded_line()
    if line is None or BAND not in frame.columns:
        return ""
    runs = band_runs(frame)
    if len(runs) == 1:
        when = "every month" if len(frame) > 1 else f"in {runs[0][1][0]}"
        return f"The {labels.line_name(line[0])} runs at '{runs[0][0]}' {when}."
    parts = [
        f"'{name}' " + (f"in {months[0]}" if len(months) == 1
                        else f"from {months[0]} to {months[-1]}")
        for name, months in runs
    ]  # fmt: skip
    return (
        f"The {labels.line_name(line[0])} runs at {parts[0]}, then "
        + ", then ".join(parts[1:])
        + "."
    )


def money_notes(plan: Plan, scenario: Scenario) -> list[str]:
    """The plan's sentences on the money (``optimizer.analysis.money.notes``): where cash is
    lowest, and the band the line runs at month by month."""
    if not has_money(plan):
        return []
    return list(analysis_money.notes(scenario, plan.targets))


def band_story(explanation=None, story: dict | None = None) -> dict | None:
    """The band's story: the full explanation's (``Explanation.service_band``), else the one
    re-solved on its own (``optimizer.app.analysis.explain_band``); None without either."""
    found = getattr(explanation, "service_band", None) if explanation is not None else None
    return found or story or None


def band_reasons(plan: Plan, scenario: Scenario, story: dict | None = None):
    """Why the band: the band story's sentences (re-solved: what every other band and one
    more agent would change), and True; without them, the plan's own sentence on the band,
    and False."""
    if story and story.get("sentences"):
        return list(story["sentences"]), True
    notes = money_notes(plan, scenario)
    return (notes[-1:] if scenario.banded_line() is not None else []), False


# ---- takeaways: one line over each chart ---------------------------------------------------


def lowest_cash(frame: pd.DataFrame) -> tuple[str, float] | None:
    """(month, cash) at the month end where cash is lowest (the first such month)."""
    if "cash" not in frame.columns or frame.empty:
        return None
    i = int(np.argmin(frame["cash"].to_numpy(float)))
    return str(frame["month"].iloc[i]), float(frame["cash"].iloc[i])


def cash_takeaway(frame: pd.DataFrame, scenario: Scenario) -> str:
    """'Cash is lowest at the end of Jun 2027: $250,102, $102 above the minimum of
    $250,000; over the plan, profit is $606,265 and cash rises $246,189 (from $300,000 to
    $546,189) while unpaid invoices grow $360,076.'"""
    low = lowest_cash(frame)
    if low is None:
        return ""
    month, value = low
    cash = scenario.finance.cash
    text = f"Cash is lowest at the end of {month}: {labels.money(value)}"
    if cash.minimum is not None:
        room = value - cash.minimum
        if abs(room) < 0.5:
            text += f", exactly the minimum of {labels.money(cash.minimum)}"
        else:
            side = "above" if room > 0 else "below"
            text += (
                f", {labels.money(abs(room))} {side} the minimum of {labels.money(cash.minimum)}"
            )
    end = float(frame["cash"].iloc[-1])
    moved = end - cash.opening
    parts = []
    if "profit" in frame.columns:
        parts.append(f"profit is {labels.money(frame['profit'].sum())}")
    verb = "rises" if moved > 0.5 else "falls" if moved < -0.5 else "ends where it started"
    change = f" {labels.money(abs(moved))}" if verb != "ends where it started" else ""
    parts.append(f"cash {verb}{change} (from {labels.money(cash.opening)} to {labels.money(end)})")
    tail = " and ".join(parts)
    if "receivables" in frame.columns:
        grew = float(frame["receivables"].iloc[-1]) - sum(cash.opening_receivables)
        if abs(grew) >= 0.5:
            tail += (f" while unpaid invoices {'grow' if grew > 0 else 'shrink'} "
                     f"{labels.money(abs(grew))}")  # fmt: skip
    span = "over the plan" if len(frame) > 1 else f"in {frame['month'].iloc[0]}"
    return f"{text}; {span}, {tail}."


def customers_takeaway(frame: pd.DataFrame, scenario: Scenario) -> str:
    """'Paying customers grow from 1,400 to 1,604: 330 new, 126 leaving (churn 1.0 % to
    1.5 % a month); recurring revenue from $1,144,800 to $1,296,047 a month.'"""
    rr = scenario.recurring_revenue
    if rr is None or "customers" not in frame.columns:
        return ""
    start, end = float(rr.opening_customers), float(frame["customers"].iloc[-1])
    verb = "grow" if end > start + 0.5 else "fall" if end < start - 0.5 else "hold"
    churn = frame["churn_rate"]
    low, high = churn.min(), churn.max()
    rate = (labels.percent(low) if abs(high - low) < 1e-9
            else f"{labels.percent(low)} to {labels.percent(high)}")  # fmt: skip
    mrr = frame["recurring_revenue"]
    return (
        f"Paying customers {verb} from {labels.number(start)} to {labels.number(end)}: "
        f"{labels.number(frame['new_customers'].sum())} new, "
        f"{labels.number(frame['churned_customers'].sum())} leaving (churn {rate} a month); "
        f"recurring revenue from {labels.money(mrr.iloc[0])} to {labels.money(mrr.iloc[-1])} "
        "a month."
    )


def receivables_takeaway(frame: pd.DataFrame, scenario: Scenario) -> str:
    """'Unpaid invoices grow from $470,000 to $830,076 at the end of Sep 2027: $7,941,878
    invoiced, $7,433,804 collected; days sales outstanding 11.2 to 17.9 days.'"""
    cash = scenario.finance.cash
    if cash is None or "receivables" not in frame.columns:
        return ""
    start, end = sum(cash.opening_receivables), float(frame["receivables"].iloc[-1])
    verb = "grow" if end > start + 0.5 else "shrink" if end < start - 0.5 else "stay"
    dso = frame["days_sales_outstanding"]
    days = (f"{labels.number(dso.iloc[0])} days" if len(frame) == 1
            else f"{labels.number(dso.min())} to {labels.number(dso.max())} days")  # fmt: skip
    return (
        f"Unpaid invoices {verb} from {labels.money(start)} to {labels.money(end)} at the end "
        f"of {frame['month'].iloc[-1]}: {labels.money(frame['invoiced'].sum())} invoiced, "
        f"{labels.money(frame['collected'].sum())} collected; days sales outstanding {days}."
    )


def customer_credit(plan: Plan) -> float | None:
    """The horizon-end credit for customers still paying (in the objective), or None."""
    rows = plan.targets[plan.targets["metric"] == "customer_base_value"]
    return float(rows["value"].sum()) if len(rows) else None
