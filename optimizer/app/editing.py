"""The inputs a leader edits on the page, grouped by department, with their units.

Single numbers come from walking the schema (so every field, and its unit, is there
without a list to keep in step); the lists (paid channels with their price tiers,
conversation tiers, sales teams) are edited as tables. A monthly input given month by
month is a number a month in the form (``marketing.ad_budget_per_month[2027-03]``), and
in a table its months are written in one cell, separated by semicolons ("5; 6; 7.5"). ``apply_edits`` puts the edited
values back into the scenario and validates it like a file: a bad value comes back as a
``ScenarioError`` naming the field, never as a half-changed scenario.
"""

from __future__ import annotations

import math
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel

from optimizer.scenario.loading import set_path, validate
from optimizer.scenario.paths import unit_of
from optimizer.scenario.schema import Scenario, is_monthly

SECTIONS = {
    "calendar": "Calendar",
    "marketing": "Marketing",
    "sales": "Sales",
    "delivery": "Delivery",
    "support": "Support",
    "finance": "Finance",
    "current_targets": "Today's targets",
}
SKIPPED = {"calendar.start_month", "current_targets.weights"}


@dataclass(frozen=True)
class InputField:
    """One number (or choice) in the form: where it lives, what it is called, its unit."""

    path: str
    label: str
    unit: str
    value: Any
    kind: Literal["int", "float", "choice"]
    optional: bool = False
    options: tuple[str, ...] = ()


def form_fields(scenario: Scenario) -> dict[str, list[InputField]]:
    """The single-number inputs of each department present in the scenario."""
    out: dict[str, list[InputField]] = {}
    for section in SECTIONS:
        node = getattr(scenario, section)
        if node is None:
            continue
        fields = list(_walk(node, section, "", scenario.calendar.month_labels()))
        if section == "current_targets":
            fields += [
                InputField(
                    f"current_targets.reps[{t.name}]",
                    f"reps today: {t.name}",
                    "people",
                    node.reps.get(t.name),
                    "int",
                    optional=True,
                )
                for t in scenario.sales.teams
            ]
        out[section] = fields
    return out


def _walk(node: BaseModel, prefix: str, label: str, months: list[str]):
    for name, info in type(node).model_fields.items():
        path = f"{prefix}.{name}"
        if path in SKIPPED:
            continue
        value = getattr(node, name)
        words = f"{label}{name.replace('_', ' ')}"
        inner = _strip_optional(info.annotation)
        if isinstance(value, BaseModel):
            yield from _walk(value, path, f"{words}: ", months)
        elif is_monthly(info) and isinstance(value, list):  # a number a month
            unit = unit_of(type(node), name)
            for month, item in zip(months, value):
                yield InputField(f"{path}[{month}]", f"{words}, {month}", unit, item, "float")
        elif is_monthly(info):
            yield InputField(path, words, unit_of(type(node), name), value, "float")
        elif typing.get_origin(inner) is Literal:
            yield InputField(path, words, "", value, "choice", options=typing.get_args(inner))
        elif inner in (int, float):
            kind = "int" if inner is int else "float"
            optional = inner is not info.annotation
            yield InputField(path, words, unit_of(type(node), name), value, kind, optional)


def _strip_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


# ---- the lists, as tables ---------------------------------------------------------------

TABLES = {
    # table -> [(column, label, unit, kind)]
    "channels": [
        ("channel", "channel", "", "text"),
        ("leads_per_month", "leads in this tier", "leads/month", "monthly"),
        ("cost_per_lead", "cost per lead", "$/lead", "monthly"),
    ],
    "conversation_tiers": [
        ("minutes", "minutes", "minutes/conversation", "float"),
        ("conversion_rate", "conversion rate", "deals/conversation", "monthly"),
    ],
    "teams": [
        ("name", "team", "", "text"),
        ("reps_min", "reps min", "people", "int"),
        ("reps_max", "reps max", "people", "int"),
        ("cost_per_rep", "cost per rep", "$/person/month", "float"),
        ("travel", "travel", "hours/day", "float"),
        ("meetings", "meetings", "hours/day", "float"),
        ("follow_ups", "follow-ups", "hours/day", "float"),
        ("trade_shows", "trade shows", "hours/day", "float"),
        ("other", "other lost", "hours/day", "float"),
        ("admin_minutes", "admin", "minutes/conversation", "float"),
        ("deal_value", "average deal value", "$/deal", "float"),
    ],
}
TABLE_TITLES = {
    "channels": "Paid channels: price tiers, cheapest first (leave the last tier's volume "
    "empty for unlimited)",
    "conversation_tiers": "Conversation tiers, shortest first",
    "teams": "Sales teams: headcount, pay, hours lost a day, admin and deal size",
}
HOURS_LOST = ("travel", "meetings", "follow_ups", "trade_shows", "other")


def tables(scenario: Scenario) -> dict[str, pd.DataFrame]:
    mk, sa = scenario.marketing, scenario.sales
    channels = [
        (c.name, _monthly_cell(t.leads_per_month), _monthly_cell(t.cost_per_lead))
        for c in mk.channels
        for t in c.tiers
    ]
    teams = [
        (
            t.name,
            t.reps.min,
            t.reps.max,
            t.reps.cost_per_person_per_month,
            *(getattr(t.hours_lost_per_day, h) for h in HOURS_LOST),
            t.admin_minutes_per_conversation,
            t.average_deal_value,
        )
        for t in sa.teams
    ]
    tiers = [(t.minutes, _monthly_cell(t.conversion_rate)) for t in sa.conversation_tiers]
    frames = {"channels": channels, "conversation_tiers": tiers, "teams": teams}
    return {
        name: pd.DataFrame(rows, columns=[c[0] for c in TABLES[name]])
        for name, rows in frames.items()
    }


def apply_table_edits(frame: pd.DataFrame, delta: dict | None) -> pd.DataFrame:
    """A table with a data editor's recorded edits (edited, deleted and added rows) applied."""
    out = frame.copy().reset_index(drop=True).astype(object)
    if not delta:
        return out
    for row, changes in (delta.get("edited_rows") or {}).items():
        for column, value in changes.items():
            if column in out.columns:
                out.at[int(row), column] = value
    out = out.drop(index=[int(r) for r in delta.get("deleted_rows") or []], errors="ignore")
    added = [
        {k: v for k, v in row.items() if k in out.columns} for row in delta.get("added_rows") or []
    ]
    if added:
        out = pd.concat([out, pd.DataFrame(added, columns=out.columns)], ignore_index=True)
    return out.reset_index(drop=True)


MONTHS_APART = ";"
"""What separates the months of a monthly input in a table's cell ("5; 6; 7.5")."""


def _monthly_cell(value: Any) -> Any:
    """A monthly input in a table: its number, or its months in one text."""
    if isinstance(value, list):
        return f"{MONTHS_APART} ".join(f"{v:g}" for v in value)
    return value


def _cell(value: Any, kind: str) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if kind == "monthly" and isinstance(value, list):
        return [_cell(v, "float") for v in value]
    if kind == "monthly" and isinstance(value, str) and MONTHS_APART in value:
        return [_cell(v.strip(), "float") for v in value.split(MONTHS_APART) if v.strip()]
    if kind == "text":
        return str(value).strip()
    if isinstance(value, str):
        try:
            value = float(value.replace(",", ""))
        except ValueError:
            return value  # the schema names the field and says a number was expected
    if kind == "int" and float(value).is_integer():
        return int(value)
    return float(value) if kind in ("float", "monthly") else value


def _rows(frame: pd.DataFrame, name: str) -> list[dict]:
    kinds = {c[0]: c[3] for c in TABLES[name]}
    rows = []
    for record in frame.to_dict(orient="records"):
        row = {k: _cell(record.get(k), kind) for k, kind in kinds.items()}
        if all(v is None or v == "" for v in row.values()):
            continue  # an empty row the editor added and left blank
        rows.append(row)
    return rows


def _write_table(data: dict, name: str, frame: pd.DataFrame) -> None:
    rows = _rows(frame, name)
    if name == "channels":
        channels: dict[str, list] = {}
        for r in rows:
            tier = {"cost_per_lead": r["cost_per_lead"]}
            if r["leads_per_month"] is not None:
                tier["leads_per_month"] = r["leads_per_month"]
            channels.setdefault(r["channel"] or "", []).append(tier)
        data["marketing"]["channels"] = [{"name": n, "tiers": t} for n, t in channels.items()]
    elif name == "conversation_tiers":
        data["sales"]["conversation_tiers"] = rows
    elif name == "teams":
        # what the table does not show (workforce flow, sales cycle) stays with the team's name
        before = {t["name"]: t for t in data["sales"]["teams"]}
        data["sales"]["teams"] = [_team(before.get(r["name"] or "", {}), r) for r in rows]


def _team(before: dict, r: dict) -> dict:
    """A team from a row of the teams table, over the fields of the team of that name."""
    reps = {
        **before.get("reps", {}),
        "min": r["reps_min"],
        "max": r["reps_max"],
        "cost_per_person_per_month": r["cost_per_rep"],
    }
    return {
        **before,
        "name": r["name"] or "",
        "reps": reps,
        "hours_lost_per_day": {h: r[h] if r[h] is not None else 0.0 for h in HOURS_LOST},
        "admin_minutes_per_conversation": r["admin_minutes"] or 0.0,
        "average_deal_value": r["deal_value"],
    }


def apply_edits(
    scenario: Scenario,
    values: dict[str, Any] | None = None,
    edited_tables: dict[str, pd.DataFrame] | None = None,
) -> Scenario:
    """The scenario with the form's values and tables put back, validated (ScenarioError)."""
    data = scenario.model_dump()
    kinds = {f.path: f.kind for fields in form_fields(scenario).values() for f in fields}
    for path, value in (values or {}).items():
        if path.startswith("current_targets.reps[") and value is None:
            data["current_targets"]["reps"].pop(path.split("[", 1)[1].rstrip("]"), None)
            continue
        if kinds.get(path) == "int" and isinstance(value, float) and value.is_integer():
            value = int(value)
        set_path(data, path, value)
    for name, frame in (edited_tables or {}).items():
        _write_table(data, name, frame)
    return validate(data, "the edited inputs")
