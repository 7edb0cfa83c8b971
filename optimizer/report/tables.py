"""Rich tables for people: targets first, then the binding limits in plain words, then the
plan's decisions as Excel Solver's "Variable Cells" (``variable_cells``, shared with the app)."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from optimizer.analysis.explain.steps import HIRING_FREE
from optimizer.analysis.result import Plan
from optimizer.report.diagnosis import conflict_lines, repair_sentence
from optimizer.report.payload import targets_wide
from optimizer.report.sentences import effect, money, per_unit, rate_words, sentences
from optimizer.scenario import labels
from optimizer.scenario.names import Objective

WIDE = 160
"""A pipe or a file gets this many columns: rich would cut a table at 80."""


def wide_console(console: Console | None = None) -> Console:
    """The console to print on: a terminal as it is, a pipe or a file at ``WIDE`` columns."""
    console = console or Console()
    if not console.is_terminal and console.width < WIDE and console.file is not None:
        return Console(file=console.file, width=WIDE, force_terminal=False, color_system=None)
    return console


def _fmt(value: float, unit: str) -> str:
    """A value as a leader reads it (``labels.figure``); no money reads '$0.00'."""
    if value is not None and value == value and unit.startswith("$"):
        return labels.money(0.0) if abs(value) < 0.005 else money(value)
    return labels.figure(value, unit)


CLOSING = "Deals closing a month"
"""``deals_per_month`` of a plan with a sales cycle: the deals signed in the month, some won
earlier (``deals_won_per_month`` are the deals won in its conversations)."""


def target_labels(metrics) -> list[str]:
    """``labels.metric_label`` of each metric of one plan; where deals close after they are
    won (the plan has ``deals_won_per_month``), ``deals_per_month`` reads 'Deals closing a
    month'."""
    metrics = list(metrics)
    cycle = "deals_won_per_month" in metrics
    return [
        CLOSING if cycle and m == "deals_per_month" else labels.metric_label(m) for m in metrics
    ]


def _open_pipeline_credit(plan: Plan) -> float | None:
    """What a profit objective credits for the deals open at the end (objective - profit),
    or None where nothing is credited (no sales cycle, or another objective)."""
    t = plan.targets
    credited = t["metric"].isin(["pipeline_open_value", "customer_base_value"]).any()
    if plan.objective_name != "max_profit" or not credited:
        return None
    profit = float(t.loc[(t["role"] == "finance") & (t["metric"] == "profit"), "value"].sum())
    credit = plan.objective - profit
    return credit if abs(credit) >= 0.005 else None


def _credited(plan: Plan) -> str:
    """What the horizon-end credit is for, in words, naming its inputs."""
    metrics = set(plan.targets["metric"])
    parts = []
    if "pipeline_open_value" in metrics:
        parts.append("the deals still open at the end (horizon_end.open_pipeline_value_share "
                     "of their value)")  # fmt: skip
    if "customer_base_value" in metrics:
        parts.append("the customers still paying at the end (horizon_end.customer_months of "
                     "their monthly revenue)")  # fmt: skip
    return " and ".join(parts)


def print_plan(
    plan: Plan,
    *,
    all_constraints: bool = False,
    console: Console | None = None,
    explanation=None,
) -> None:
    console = wide_console(console)
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
    credit = _open_pipeline_credit(plan)
    if credit is not None:
        console.print(
            f"  = profit {money(plan.objective - credit)} + {money(credit)} for " + _credited(plan)
        )
    wide = targets_wide(plan)
    months = [c for c in wide.columns if c not in ("department", "role", "metric", "unit")]
    t = Table(title="Targets")
    for col in ["department", "role", "target", *[labels.month_label(m) for m in months], "unit"]:
        t.add_column(col, justify="right" if col[:1].isupper() and col[-1:].isdigit() else "left")
    for (_, row), target in zip(wide.iterrows(), target_labels(wide["metric"])):
        t.add_row(
            row["department"],
            escape(str(row["role"])),
            target,
            *[_fmt(row[m], row["unit"]) for m in months],
            row["unit"],
        )
    console.print(t)

    limits = plan.constraints[plan.constraints["kind"] != "definition"]
    shown = limits if all_constraints else plan.binding()
    title = "All limits" if all_constraints else "Binding limits, most valuable first"
    console.print(f"\n[bold]{title}[/bold] (ranked by the money of one natural step of each limit)")
    words = sentences(shown, plan.objective_name, plan.objective_unit)
    groups = [] if all_constraints else _month_groups(shown)
    horizon = sorted(set(plan.targets["period"]) - {"horizon"}) if not plan.targets.empty else []
    columns = ("shadow_price", "allowable_increase", "allowable_decrease", "unit")
    for group in [[i] for i in range(len(shown))] if all_constraints else groups:
        first = group[0]
        price, rise, fall, unit = (shown[c].iloc[first] for c in columns)
        text = words[first]
        if len(group) > 1:  # one line for a limit that binds alike in several months
            text = _grouped_sentence(shown.iloc[list(group)], text, horizon)
            rise = min(shown["allowable_increase"].iloc[list(group)])
            fall = min(shown["allowable_decrease"].iloc[list(group)])
        moves = (
            f"can rise by {labels.number(rise)}, fall by {labels.number(fall)}"
            + (" (the least of its months)" if len(group) > 1 else "")
            if not (math.isnan(rise) or math.isnan(fall))
            else "range not available (only the highs backend gives ranging)"
        )
        whole = shown["whole_step_value"].iloc[first] if "whole_step_value" in shown else None
        per_person = unit == "people" and whole is not None and math.isfinite(whole)
        shown_price = (
            rate_words(price, unit)
            if math.isfinite(price)
            else "none (degenerate: the limit cannot rise with the plan's people held)"
            if math.isinf(price)
            else "none (degenerate, not re-solved)"
        )
        console.print("- " + escape(text))
        if per_person:  # never a rate per fraction of a person
            short = 0 < rise < 1
            console.print(
                "   (valued per whole person by a re-solve"
                + (
                    f"; the shadow price holds for only {labels.number(rise)} of a person"
                    if short
                    else ""
                )
                + ")",
                style="dim",
            )
            continue
        console.print(f"   (shadow price {escape(shown_price)}; {moves})", style="dim")

    print_variables(plan, console, show_all=all_constraints)

    if explanation is not None:
        print_explanation(explanation, plan, console)
        return
    p = plan.parameters.dropna(subset=["marginal_value"])
    p = p[p["marginal_value"].abs() > 1e-9]
    if not p.empty:
        m = Table(
            title="Each input's rate today, per natural step (headcounts held; rates only: "
            "--explain values whole steps)"
        )
        for col in ("input", "value", "step", "at today's rate"):
            m.add_column(col, justify="left" if col in ("input", "step") else "right")
        p = p.assign(step_value=[_input_step_value(r) for _, r in p.iterrows()])
        for _, row in (
            p.reindex(p["step_value"].abs().sort_values(ascending=False).index).head(15).iterrows()
        ):
            step = labels.natural_step(row["path"])
            m.add_row(
                escape(row.get("label") or labels.input_label(row["path"])),
                _fmt(row["value"], row["unit"]),
                step.words,
                "per whole person: --explain"  # never a rate per fraction of a person
                if row["unit"] == "people"
                else labels.signed_money(row["step_value"])
                if math.isfinite(row["step_value"])
                else "cannot rise: no plan would be possible",
            )
        console.print(m)


def print_explanation(explanation, plan: Plan, console: Console | None = None, top: int = 15):
    """What moves the plan: each input's natural step in money (the one ranking), why each
    headcount, the quality floor, the binding limits worth nothing, and the notes."""
    from optimizer.analysis.explain import FULL
    from optimizer.report import explanation as words

    console = wide_console(console)
    months = max(1, len(set(plan.targets["period"]) - {"horizon"})) if not plan.targets.empty else 1
    shown = words.shown_steps(explanation, top)
    console.print("\n[bold]What moves the plan[/bold]")
    if not explanation.steps:  # not explained (too large, or no plan): the notes say why
        for note in explanation.notes:
            console.print(f"note: {escape(note)}", style="yellow")
        return
    if shown:
        console.print(escape(words.takeaway(explanation, months)))
        t = Table(
            title=f"What one natural step of each input is worth ({words.period_words(months)}),"
            " most valuable first"
        )
        full = explanation.depth == FULL
        columns = ("input", "step", "value", "hiring free", "how")  # as words.STEP_COLUMNS
        money = {"value", "hiring free"}
        for col in columns if full else ("input", "step", "value", "how"):
            t.add_column(col, justify="right" if col in money else "left")
        for s in shown:
            cells = [escape(s.label), s.step_words, labels.signed_money(s.value)]
            if full:
                cells.append(labels.signed_money(s.value_hiring_free))
            t.add_row(*cells, _how(s))
        console.print(t)
        if not full:
            console.print(
                "Values hold the plan's people (a headcount limit's re-plan them). "
                "--hiring-free values every step with hiring free too, and says why each "
                "headcount and what the quality floor costs."
            )
    else:
        console.print("No natural step of any input would change the plan's value.")
    sentences = words.headcount_sentences(explanation)
    if sentences:
        console.print("[bold]Why this many people[/bold]")
        for text in sentences:
            console.print("- " + escape(text))
    floor = words.quality_sentence(explanation)
    if floor:
        console.print("[bold]The quality floor[/bold]")
        console.print(escape(floor))
    for entry in explanation.unpriced:
        console.print("- " + escape(entry["sentence"]))
    band = explanation.service_band
    if band:
        console.print("[bold]The service band, in customers and cash[/bold]")
        for text in band["sentences"]:
            console.print("- " + escape(text))
    entering = words.entering_sentences(explanation)
    if entering:
        console.print("[bold]What would bring an unused option into the plan[/bold]")
        for text in entering:
            console.print("- " + escape(text))
    for note in explanation.notes:
        console.print(f"note: {escape(note)}", style="yellow")


def _how(step) -> str:
    """'rate, valid 7.5 to 8.25', 're-solved' or 're-solved, hiring free': how the
    ranking's value was found."""
    if step.basis == HIRING_FREE:
        return "re-solved, hiring free" if step.value is not None else (step.note or "not valued")
    if step.method == "rate" and step.valid_range is not None:
        low, high = step.valid_range
        return f"rate, valid {labels.number(low)} to {labels.number(high)}"
    return step.method if step.method != "none" else (step.note or "not valued")


def _input_step_value(row) -> float:
    """Marginal value x natural step: a rate's value per percentage point, not per 1.0."""
    return float(row["marginal_value"]) * labels.natural_step(row["path"]).size


def print_diagnosis(d, console: Console | None = None) -> None:
    """Why no plan exists and what would fix it, for people."""
    console = wide_console(console)
    kind = "in whole people" if d.relaxation == "integer" else "outright"
    console.print(
        f"\n[bold red]No plan meets every limit and goal.[/bold red] These conflict {kind}:"
    )
    for line in conflict_lines(d.conflict):
        console.print("  - " + escape(line))
    for note in getattr(d, "notes", ()):
        console.print("note: " + escape(note), style="yellow")
    if d.cheapest is None:
        console.print(escape(d.message))
        return
    cheapest = repair_sentence(d.cheapest)
    console.print("\n[bold]Cheapest repair:[/bold] " + escape(cheapest))
    others = [text for text in map(repair_sentence, d.alternatives) if text != cheapest]
    if others:
        console.print("[bold]Or, one lever at a time:[/bold]")
        for text in others:
            console.print("  - " + escape(text))
    if d.repaired is not None and d.repaired.objective is not None:
        value = (
            money(d.repaired.objective)
            if d.repaired.objective_unit == "$"
            else labels.number(d.repaired.objective)
        )
        what = "profit" if d.repaired.objective_name == Objective.max_profit else "objective"
        console.print(
            f"With the cheapest repair the plan is {d.repaired.status.value}: {what} {value}."
        )


def _month_groups(shown) -> list[list[int]]:
    """Positions of binding rows grouped by limit (family and team, tier or channel) where
    they are worth the same in every month they bind, in rank order of the first."""
    keys: dict[tuple, list[int]] = {}
    for i, (name, family, price) in enumerate(
        zip(shown["name"], shown["family"], shown["shadow_price"])
    ):
        axes = labels.row_axes(str(name), str(family))
        who = tuple(sorted((k, v) for k, v in axes.items() if k != "month"))
        worth = round(float(price), 6) if math.isfinite(price) else str(price)
        keys.setdefault((family, who, worth, "month" in axes), []).append(i)
    return sorted(keys.values(), key=lambda group: group[0])


def _grouped_sentence(rows, text: str, horizon: list[str]) -> str:
    """The first (most valuable) row's sentence under the group's label: 'Cap on reps, key
    accounts team, every month from Jan to Jun 2027: ...'."""
    first = rows.iloc[0]
    axes = labels.row_axes(str(first["name"]), str(first["family"]))
    label = str(first["label"])
    if "month" in axes:
        label = label.replace(", " + labels.month_label(axes["month"]), "")
    months = [labels.row_axes(str(n), str(first["family"])).get("month") for n in rows["name"]]
    phrase = labels.months_phrase([m for m in months if m], horizon)
    rest = text.split(": ", 1)[1] if text.startswith(str(first["label"]) + ":") else text
    return f"{label}, {phrase}: {rest}"


IMPLIED_METRICS = (
    "working_minutes_per_call",
    "minutes_per_conversation",
    "calls_per_rep_per_day",
    "calls_per_rep_per_hour",
    "booked_share_of_selling_time",
    # the funnel's, where the team has them: dials, self-found leads
    "dials_per_rep_per_day",
    "dialing_minutes_per_rep_per_day",
    "leads_found_per_rep_per_month",
    "own_lead_conversations_per_month",
    "leads_contacted_per_rep_per_month",
    "leads_needed_per_rep_per_month",
    "leads_per_month",
    "ad_spend_per_month",
    "deals_per_month",
    "units_built_per_month",
    "tickets_per_month",
    "payroll",
    "profit",
)


def _role(role: str, teams: set[str]) -> str:
    """'key accounts team' for a team, 'marketing' for a department."""
    words = str(role).replace("_", " ")
    return f"{words} team" if role in teams else words


def _unit(unit: str) -> str:
    """A table's unit column: '$ a rep a month', 'conversations a rep a day'."""
    return labels.unit_words(unit)


def print_right(right, console: Console | None = None) -> None:
    """What would make today's targets right (``optimizer.analysis.whynot.TodayRight``)."""
    console = wide_console(console)
    console.print("\n[bold]What would make today's targets right[/bold]")
    for sentence in right.sentences:
        console.print(f"  - {escape(sentence)}")
    for note in right.notes:
        console.print(f"  note: {escape(note)}")


def print_comparison(c, console: Console | None = None) -> None:
    """Today's targets and the recommended plan, side by side, for people: labels for
    targets, teams and months, money and counts formatted (``optimizer.scenario.labels``), and the
    broken limits one family at a time (``Comparison.violation_groups``)."""
    console = wide_console(console)
    console.print(f"[bold]{escape(c.scenario)}[/bold]: today's targets against the plan")
    sbs = c.side_by_side
    teams = {r for r in c.stated["role"] if r not in ("marketing", "delivery", "support")}
    teams |= set(sbs.loc[sbs["metric"] == "calls_per_rep_per_day", "role"])
    t = Table(title="Today's targets: as stated, what they reach, and recommended")
    for col in ("target", "who", "month", "stated", "reached", "recommended", "unit"):
        t.add_column(col, justify="left" if col in ("target", "who", "month", "unit") else "right")
    for _, r in sbs[sbs["stated_target"]].iterrows():
        t.add_row(
            escape(labels.metric_label(r["metric"])),
            escape(_role(r["role"], teams)),
            labels.month_label(r["period"]),
            _fmt(r["stated"], r["unit"]),
            _fmt(r["current"], r["unit"]),
            _fmt(r["recommended"], r["unit"]),
            escape(_unit(r["unit"])),
        )
    console.print(t)
    weekly = sbs["metric"].str.endswith("_per_rep_per_week")  # each later stage a rep a week
    implied = sbs[(sbs["metric"].isin(IMPLIED_METRICS) | weekly) & ~sbs["stated_target"]]
    i = Table(title="What the targets imply, against the plan")
    for col in ("what", "who", "month", "today", "recommended", "unit"):
        i.add_column(col, justify="right" if col in ("today", "recommended") else "left")
    for _, r in implied.iterrows():
        i.add_row(
            escape(labels.metric_label(r["metric"])),
            escape(_role(r["role"], teams)),
            labels.month_label(r["period"]),
            _fmt(r["current"], r["unit"]),
            _fmt(r["recommended"], r["unit"]),
            escape(_unit(r["unit"])),
        )
    console.print(i)
    groups = getattr(c, "violation_groups", None) or []
    if len(c.violations):
        console.print("\n[bold red]Limits today's targets break[/bold red]")
        lines = [g["sentence"] for g in groups] if groups else list(c.violations["sentence"])
        for line in lines:
            console.print("  - " + escape(line))
    else:
        console.print("\nToday's targets break no limit.")
    if c.cascade:
        console.print("\n[bold]What suffers[/bold]")
        for line in c.cascade:
            console.print("  - " + escape(line))


# ---- the variable cells: the plan's decisions, as Excel Solver reports them ----------------

VARIABLE_ROWS = 15
"""Rows of the variable cells table without ``--all`` (as the inputs' rates table's 15)."""

VARIABLE_COLUMNS = [
    "decision", "Final value", "Reduced cost", "Objective coefficient",
    "Allowable increase", "Allowable decrease",
]  # fmt: skip
"""Solver's "Variable Cells" columns, the decision in a leader's words in place of a cell."""

ENTERING_COLUMN = "entering"
"""``plan.variables``' optional sentence: when an unused decision would enter the plan."""
ENTERING = "in words"
"""The leader table's column of that sentence, where ``plan.variables`` has one."""

NO_LIMIT = "no limit"
NOT_RANGED = "—"
HELD = "whole number, held"
"""A held whole number's reduced cost: never a rate per fraction of a person."""
NEVER = "cannot be used"
"""An unused decision's infinite reduced cost: no plan has any of it (a quality floor forbids
it); one at a bound above 0 'cannot rise' (or at its upper bound 'cannot fall')."""

_MONTH_AXIS = re.compile(r"[\[,](\d{4}-\d{2})[,\]]")

OBJECTIVE_WORDS = {
    Objective.max_profit: "profit",
    Objective.min_cost: "cost",
    Objective.closest_to_current: "the deviation from today's targets",
}


def decisions(plan: Plan) -> pd.DataFrame:
    """The rows of ``plan.variables`` that are decisions (Solver's variable cells), in the
    model's order; empty without a plan."""
    v = plan.variables
    if v is None or v.empty or "decision" not in v.columns:
        return pd.DataFrame(columns=v.columns if v is not None else [])
    return v[v["decision"].astype(bool)]


def final_value(value: float, unit: str) -> str:
    """'164 leads', '5 people', 'yes' for a yes-or-no choice; a solver's speck is 0."""
    if value is None or value != value:
        return NOT_RANGED
    value = 0.0 if abs(value) < 1e-9 else float(value)
    if unit == "choice":
        return "yes" if value > 0.5 else "no"
    return labels.amount(value, unit)


def rate_cell(value: float, objective_unit: str, signed: bool = True) -> str:
    """A change of the objective per unit of a decision: '−$43.33', '+$15,880', '$0'; a
    range's size unsigned; 'no limit' for an infinite one, '—' for none."""
    if value is None or value != value:
        return NOT_RANGED
    if math.isinf(value):
        return NO_LIMIT
    if objective_unit != "$":
        if abs(value) < 1e-9:
            return "0"
        return labels.signed_number(value, 4) if signed else labels.number(abs(value), 4)
    if abs(value) < 0.005:
        return labels.money(0.0)
    text = labels.dollars(value if signed else abs(value))
    return "+" + text if signed and value > 0 else text


def reduced_cost_cell(row, objective_unit: str) -> str:
    """The reduced cost of one decision; a held whole number says so (its rate is the value
    of a fraction of a person); one confirmed by a re-solve says that too."""
    if row["at"] == "held":
        return HELD
    if _never(row["reduced_cost"]):
        if row["at"] == "upper":
            return "cannot fall"
        unused = row["at"] == "lower" and abs(float(row["value"])) < 1e-9
        return NEVER if unused else "cannot rise"
    text = rate_cell(row["reduced_cost"], objective_unit)
    return text + " (re-solved)" if bool(row.get("degenerate", False)) else text


def _never(value) -> bool:
    """An infinite reduced cost: pushing the decision off its bound leaves no plan."""
    return value is not None and value == value and math.isinf(value)


def _month(name: str) -> str | None:
    found = _MONTH_AXIS.search(str(name))
    return found.group(1) if found else None


def _key(value: float) -> object:
    """A number as a grouping key: equal to six significant digits."""
    if value is None or value != value:
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return float(f"{value:.6g}") + 0.0  # no -0.0


def _variable_groups(d: pd.DataFrame, horizon: list[str]) -> list[tuple[list[int], str]]:
    """Positions of decisions grouped where a decision reads alike in several months (the
    same value, bound, reduced cost and ranges), each with its label: 'Leads bought, search
    tier 1, every month from Jan to Jun 2027'; in the model's order of the first."""
    entering = d[ENTERING_COLUMN] if ENTERING_COLUMN in d.columns else [""] * len(d)
    groups: dict[tuple, list[int]] = {}
    months: list[str | None] = []
    for i, (name, label, row_at, words) in enumerate(zip(d["name"], d["label"], d["at"], entering)):
        month = _month(name)
        months.append(month)
        base = str(label)
        if month is not None:
            base = base.replace(", " + labels.month_label(month), "")
        numbers = tuple(
            _key(d[c].iloc[i])
            for c in ("value", "reduced_cost", "allowable_increase", "allowable_decrease")
        )
        key = (base, str(row_at), numbers, str(words) if isinstance(words, str) else "")
        groups.setdefault(key if month is not None else (i,), []).append(i)
    out = []
    for key, group in sorted(groups.items(), key=lambda item: item[1][0]):
        label = str(d["label"].iloc[group[0]])
        if len(group) > 1:
            phrase = labels.months_phrase([months[i] for i in group], horizon)
            label = f"{key[0]}, {phrase}"
        out.append((group, label))
    return out


def variable_cells(
    plan: Plan, show_all: bool = False, top: int = VARIABLE_ROWS
) -> tuple[pd.DataFrame, int]:
    """The plan's decisions as Solver's "Variable Cells", in a leader's words and formatted
    numbers (``VARIABLE_COLUMNS``, and ``ENTERING`` where ``plan.variables`` says when a
    decision would enter), with the number of rows before any cap.

    With ``show_all`` every decision, one row each, in the model's order. Otherwise a
    decision that reads alike in several months is one row ('every month from Jan to Jun
    2027', as the binding limits are grouped), and at most ``top`` rows are kept."""
    d = decisions(plan)
    if d.empty:
        return pd.DataFrame(columns=VARIABLE_COLUMNS), 0
    d = d.reset_index(drop=True)
    if show_all:
        groups = [([i], str(label)) for i, label in enumerate(d["label"])]
    else:
        horizon = sorted(set(plan.targets["period"]) - {"horizon"}) if len(plan.targets) else []
        groups = _variable_groups(d, horizon)
    total = len(groups)
    if not show_all:
        groups = groups[:top]
    first = d.iloc[[g[0] for g, _ in groups]]
    unit = plan.objective_unit
    out = pd.DataFrame(
        {
            "decision": [label for _, label in groups],
            "Final value": [final_value(v, u) for v, u in zip(first["value"], first["unit"])],
            "Reduced cost": [reduced_cost_cell(r, unit) for _, r in first.iterrows()],
            "Objective coefficient": [rate_cell(c, unit) for c in first["objective_coefficient"]],
            "Allowable increase": [
                rate_cell(c, unit, signed=False) for c in first["allowable_increase"]
            ],
            "Allowable decrease": [
                rate_cell(c, unit, signed=False) for c in first["allowable_decrease"]
            ],
        },
        columns=VARIABLE_COLUMNS,
    )
    if ENTERING_COLUMN in first.columns:
        words = ["" if not isinstance(w, str) else w.strip() for w in first[ENTERING_COLUMN]]
        if any(words):
            out[ENTERING] = words
    return out, total


def closest_to_entering(plan: Plan) -> str | None:
    """A sentence naming the unused decision closest to entering the plan: the least its
    objective coefficient would have to improve (the allowable increase for a maximum, the
    decrease for a minimum); None where every decision is used or none is ranged."""
    d = decisions(plan)
    if d.empty or "allowable_increase" not in d.columns:
        return None
    maximum = plan.objective_sense == "max"
    room = d["allowable_increase" if maximum else "allowable_decrease"].astype(float)
    unused = (d["at"] == "lower") & (d["value"].astype(float).abs() < 1e-9)
    usable = np.isfinite(d["reduced_cost"].astype(float))  # not barred from every plan
    candidates = room[unused & usable & np.isfinite(room)]
    if candidates.empty:
        return None
    row = d.loc[candidates.idxmin()]
    gap = float(candidates.min())
    unit = plan.objective_unit
    one = per_unit(str(row["unit"])) if row["unit"] else "unit"
    what = OBJECTIVE_WORDS.get(plan.objective_name, "the objective")
    if gap < (0.005 if unit == "$" else 1e-9):
        return (
            f"Of the unused decisions, {row['label']} is closest to entering the plan: "
            f"another plan as good as this one uses it."
        )
    amount = rate_cell(gap, unit, signed=False)
    if plan.objective_name == Objective.max_profit:
        change = f"each {one} earned {amount} more"
    elif plan.objective_name == Objective.min_cost:
        change = f"each {one} cost {amount} less"
    else:
        change = f"each {one} moved {what} by {amount} less"
    forced = effect(float(row["reduced_cost"]), plan.objective_name, unit)
    return (
        f"Of the unused decisions, {row['label']} is closest to entering the plan: it would "
        f"enter if {change}; forcing one in would {forced}."
    )


def print_variables(plan: Plan, console: Console | None = None, show_all: bool = False) -> None:
    """The variable cells table (``variable_cells``), the takeaway above it and, where the
    plan has them, the sentences saying when each unused decision would enter."""
    console = wide_console(console)
    table, total = variable_cells(plan, show_all)
    if table.empty:
        return
    what = OBJECTIVE_WORDS.get(plan.objective_name, "the objective")
    console.print(
        "\n[bold]Variable cells: the plan's decisions[/bold] (Solver's sensitivity report)"
    )
    takeaway = closest_to_entering(plan)
    if takeaway:
        console.print(escape(takeaway))
    t = Table(title=f"Per unit of each decision, in {what}")
    for col in VARIABLE_COLUMNS:
        t.add_column(col, justify="left" if col == "decision" else "right")
    for row in table.itertuples(index=False):
        t.add_row(*(escape(str(cell)) for cell in row[: len(VARIABLE_COLUMNS)]))
    console.print(t)
    if ENTERING in table.columns:
        for label, words in zip(table["decision"], table[ENTERING]):
            if words:
                console.print("- " + escape(f"{label}: {words}"))
    console.print(
        f"   (reduced cost: what one more unit of the decision changes {what} by; objective "
        "coefficient: its own term in the objective, 0 where it earns through revenue and "
        "costs; allowable increase and decrease: how far that term can move before the plan "
        "changes; people are whole numbers, held: --hiring-free values each whole person)",
        style="dim",
    )
    if total > len(table):
        console.print(
            f"   ({len(table)} of {total} rows; --all lists every decision, one row each; the "
            "JSON (variables) and the workbook (Variables) have every variable)",
            style="dim",
        )
