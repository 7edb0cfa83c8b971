"""Rich tables for people: targets first, then the binding limits in plain words."""

from __future__ import annotations

import math

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from optimizer.report import money, sentences, targets_wide
from optimizer.result import Plan


def _fmt(value: float, unit: str) -> str:
    if value != value:  # NaN
        return "-"
    if unit.startswith("$"):
        return money(value)
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def print_plan(
    plan: Plan, *, all_constraints: bool = False, console: Console | None = None
) -> None:
    console = console or Console()
    status = plan.status.value + ("" if plan.verified.ok else " (NOT verified)")
    console.print(f"[bold]{plan.scenario}[/bold]  status: {status}")
    if plan.message:
        console.print(plan.message, style="red")
    for note in plan.notes:
        console.print(f"note: {note}", style="yellow")
    if plan.objective is None:
        return
    unit = plan.objective_unit
    value = money(plan.objective) if unit == "$" else f"{plan.objective:.4g} {unit}"
    console.print(
        f"objective {plan.objective_name} ({plan.objective_sense}): {value}; independent check: "
        f"max violation {plan.verified.max_violation:.2g} over {plan.verified.checked} checks"
    )
    wide = targets_wide(plan)
    months = [c for c in wide.columns if c not in ("department", "role", "metric", "unit")]
    t = Table(title="Targets")
    for col in ["department", "role", "metric", *months, "unit"]:
        t.add_column(col, justify="right" if col in months else "left", no_wrap=col == "metric")
    for _, row in wide.iterrows():
        t.add_row(row["department"], row["role"], row["metric"],
                  *[_fmt(row[m], row["unit"]) for m in months], row["unit"])  # fmt: skip
    console.print(t)

    limits = plan.constraints[plan.constraints["kind"] != "definition"]
    shown = limits if all_constraints else plan.binding()
    title = "All limits" if all_constraints else "Binding limits, most valuable first"
    console.print(
        f"\n[bold]{title}[/bold] (shadow price: objective change per unit the limit rises)"
    )
    words = sentences(shown, plan.objective_name, plan.objective_unit)
    columns = ("name", "shadow_price", "allowable_increase", "allowable_decrease")
    for (name, price, rise, fall), text in zip(zip(*(shown[c] for c in columns)), words):
        moves = (
            f"can rise by {rise:,.4g}, fall by {fall:,.4g}"
            if not (math.isnan(rise) or math.isnan(fall))
            else "range not available (only the highs backend gives ranging)"
        )
        shown_price = (
            f"{price:,.4g}"
            if math.isfinite(price)
            else "none (degenerate: the limit cannot rise with the plan's people held)"
            if math.isinf(price)
            else "none (degenerate, not re-solved)"
        )
        console.print(f"[bold]{escape(name)}[/bold] shadow price {shown_price}; {moves}")
        console.print("   " + escape(text))

    p = plan.parameters.dropna(subset=["marginal_value"])
    p = p[p["marginal_value"].abs() > 1e-9]
    if not p.empty:
        m = Table(title="What one more unit of each input is worth (headcounts held)")
        for col in ("input", "value", "unit", "marginal value"):
            m.add_column(col)
        for _, row in (
            p.reindex(p["marginal_value"].abs().sort_values(ascending=False).index)
            .head(15)
            .iterrows()
        ):
            m.add_row(
                escape(row["path"]),
                f"{row['value']:,.4g}",
                row["unit"],
                f"{row['marginal_value']:,.4g}"
                if math.isfinite(row["marginal_value"])
                else "cannot rise: no plan would be possible",
            )
        console.print(m)


def print_diagnosis(d, console: Console | None = None) -> None:
    """Why no plan exists and what would fix it, for people."""
    console = console or Console()
    kind = "in whole people" if d.relaxation == "integer" else "outright"
    console.print(
        f"\n[bold red]No plan meets every limit and goal.[/bold red] These conflict {kind}:"
    )
    for line in d.conflict["sentence"]:
        console.print("  - " + escape(line))
    for note in getattr(d, "notes", ()):
        console.print("note: " + escape(note), style="yellow")
    if d.cheapest is None:
        console.print(escape(d.message))
        return
    console.print("\n[bold]Cheapest repair:[/bold] " + escape(d.cheapest.sentence))
    others = [r for r in d.alternatives if r.sentence != d.cheapest.sentence]
    if others:
        console.print("[bold]Or, one lever at a time:[/bold]")
        for repair in others:
            console.print("  - " + escape(repair.sentence))
    if d.repaired is not None and d.repaired.objective is not None:
        console.print(
            f"With the cheapest repair the plan is {d.repaired.status.value}: objective "
            f"{d.repaired.objective_name} = {d.repaired.objective:,.2f}."
        )


def print_comparison(c, console: Console | None = None) -> None:
    """Today's targets and the recommended plan, side by side, for people."""
    console = console or Console()
    console.print(f"[bold]{escape(c.scenario)}[/bold]: today's targets against the plan")
    t = Table(title="Today's targets: as stated, what they reach, and recommended")
    for col in ("metric", "role", "period", "stated", "reached", "recommended", "unit"):
        t.add_column(
            col, justify="left" if col in ("metric", "role", "period", "unit") else "right"
        )
    rows = c.side_by_side[c.side_by_side["stated_target"]]
    for _, r in rows.iterrows():
        t.add_row(r["metric"], r["role"], r["period"], _fmt(r["stated"], r["unit"]),
                  _fmt(r["current"], r["unit"]), _fmt(r["recommended"], r["unit"]), r["unit"])  # fmt: skip
    console.print(t)
    implied = c.side_by_side[
        c.side_by_side["metric"].isin(
            ["working_minutes_per_call", "minutes_per_conversation", "calls_per_rep_per_hour",
             "leads_contacted_per_rep_per_month", "leads_needed_per_rep_per_month",
             "leads_per_month", "ad_spend_per_month", "deals_per_month", "units_built_per_month",
             "tickets_per_month", "payroll", "profit"]
        ) & ~c.side_by_side["stated_target"]
    ]  # fmt: skip
    i = Table(title="What the targets imply, against the plan")
    for col in ("metric", "role", "period", "today", "recommended", "unit"):
        i.add_column(col, justify="right" if col in ("today", "recommended") else "left")
    for _, r in implied.iterrows():
        i.add_row(r["metric"], r["role"], r["period"], _fmt(r["current"], r["unit"]),
                  _fmt(r["recommended"], r["unit"]), r["unit"])  # fmt: skip
    console.print(i)
    if len(c.violations):
        console.print("\n[bold red]Limits today's targets break[/bold red]")
        for line in c.violations["sentence"]:
            console.print("  - " + escape(line))
    else:
        console.print("\nToday's targets break no limit.")
    if c.cascade:
        console.print("\n[bold]What suffers[/bold]")
        for line in c.cascade:
            console.print("  - " + escape(line))
