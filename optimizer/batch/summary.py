"""The summary: one row per scenario and variant, built from its result JSON alone.

Because a row is a function of the result file, a result reused by a resumed run gives
the same row as a fresh solve. Target columns are monthly values averaged over the
horizon; per-team sales targets are named ``metric[team]``. ``profit_total`` is profit
summed over the horizon; where the plan has money over time, ``lowest_cash``,
``cash_at_end``, ``customers_at_end`` and the like (``MONEY_COLUMNS``). ``gap.<target>`` is plan minus today's target (see ``gap``).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pandas as pd

from optimizer.batch.gap import total_gap
from optimizer.runtime.files import write_with

SALES_METRICS = (
    "reps",
    "calls_per_rep_per_day",
    "minutes_per_conversation",
    "quota_per_rep_per_month",
    # the funnel's, where a team has them (dials, self-found leads, an attainment)
    "booked_share_of_selling_time",
    "dials_per_rep_per_day",
    "leads_found_per_rep_per_month",
    "published_quota_per_rep_per_month",
)
COMPANY_METRICS = {
    ("marketing", "leads_per_month"): "leads_per_month",
    ("marketing", "ad_spend_per_month"): "ad_spend_per_month",
    ("marketing", "marketers"): "marketers",
    ("delivery", "workers"): "workers",
    ("delivery", "units_per_worker_per_month"): "units_per_worker_per_month",
    ("support", "agents"): "support_agents",
    ("support", "tickets_per_agent_per_day"): "tickets_per_agent_per_day",
    ("finance", "revenue"): "revenue_per_month",
    ("finance", "payroll"): "payroll_per_month",
    ("finance", "profit"): "profit_per_month",
}
FIRST = [
    "scenario",
    "variant",
    "name",
    "status",
    "verified",
    "objective_name",
    "objective",
    "profit_total",
]
TAIL = [
    "binding_constraints",
    "binding_count",
    "gap_total",
    "solve_seconds",
    "error_kind",
    "error",
    "source",
    "content_hash",
]
TIMING_COLUMNS = ("solve_seconds",)
"""Columns that differ between two runs of the same jobs."""


def summary_row(result: dict, key: str) -> dict:
    objective = result.get("objective") or {}
    error = result.get("error") or {}
    row = {
        "scenario": key,
        "variant": result.get("variant"),
        "name": result.get("scenario"),
        "status": result.get("status"),
        "verified": (result.get("verified") or {}).get("ok"),
        "objective_name": objective.get("name"),
        "objective": objective.get("value"),
        "profit_total": None,
    }
    columns: dict[str, list[float]] = defaultdict(list)
    profit = []
    for t in result.get("targets", []):
        if t["department"] == "sales" and t["metric"] in SALES_METRICS:
            columns[f"{t['metric']}[{t['role']}]"].append(t["value"])
        elif (t["role"], t["metric"]) in COMPANY_METRICS:
            columns[COMPANY_METRICS[t["role"], t["metric"]]].append(t["value"])
        if (t["role"], t["metric"]) == ("finance", "profit"):
            profit.append(t["value"])
    row["profit_total"] = sum(profit) if profit else None
    row.update({name: _mean(values) for name, values in columns.items()})
    row.update(_money(result.get("targets", [])))
    binding = [
        c["name"]
        for c in result.get("constraints", [])
        if c["binding"] and c.get("kind") != "definition"
    ]
    row["binding_constraints"] = "; ".join(binding)
    row["binding_count"] = len(binding)
    gaps = result.get("gap_to_current") or []
    for g in gaps:
        target = g["target"] if g["role"] is None else f"{g['target']}[{g['role']}]"
        row[f"gap.{target}"] = g["difference"]
    row["gap_total"] = total_gap(gaps)
    row.update(
        {
            "solve_seconds": result.get("solve_seconds"),
            "error_kind": error.get("kind"),
            "error": error.get("message"),
            "source": result.get("source"),
            "content_hash": result.get("content_hash"),
        }
    )
    return row


MONEY_COLUMNS = {
    # column: (role, metric, how the months become one number)
    "lowest_cash": ("cash", "cash", min),
    "cash_at_end": ("cash", "cash", lambda v: v[-1]),
    "receivables_at_end": ("cash", "receivables", lambda v: v[-1]),
    "customers_at_end": ("customers", "customers", lambda v: v[-1]),
    "customers_leaving_total": ("customers", "churned_customers", sum),
    "recurring_revenue_at_end": ("customers", "recurring_revenue", lambda v: v[-1]),
}
"""The money over time in one number a scenario, where the plan has it: cash at its lowest
and at the end, receivables, customers and recurring revenue at the end, customers lost."""


def _money(targets: list[dict]) -> dict:
    out = {}
    for column, (role, metric, reduce) in MONEY_COLUMNS.items():
        values = [t["value"] for t in targets if (t["role"], t["metric"]) == (role, metric)]
        if values and all(v is not None for v in values):
            out[column] = reduce(values)
    return out


def _column_order(name: str) -> tuple[int, int]:
    """Marketing, then each team's sales targets (in first-seen order), then the rest."""
    company = list(COMPANY_METRICS.values())
    if "[" in name:
        return (1, 0)
    position = company.index(name) if name in company else len(company)
    return (0 if position < 3 else 2, position)


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def summary_table(rows: list[dict]) -> pd.DataFrame:
    """Rows in the given order; targets in first-seen order, then binding limits and gaps."""
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    gaps = [n for n in names if n.startswith("gap.")]
    targets = [n for n in names if n not in gaps and n not in TAIL and n not in FIRST]
    targets.sort(key=_column_order)
    return pd.DataFrame(rows, columns=FIRST + targets + TAIL[:2] + gaps + TAIL[2:])


def write_summary(table: pd.DataFrame, out: Path) -> list[Path]:
    """summary.csv, summary.parquet and summary.xlsx, each written atomically."""
    from optimizer.batch.summary_workbook import write_workbook

    paths = [out / "summary.csv", out / "summary.parquet", out / "summary.xlsx"]
    write_with(paths[0], lambda p: table.to_csv(p, index=False))
    write_with(paths[1], lambda p: table.to_parquet(p, index=False, engine="pyarrow"))
    write_with(paths[2], lambda p: write_workbook(table, p))
    return paths
