"""The leader's words for every input and every limit, and the natural step of each: data.

Every surface (the command line, the JSON, the app, the workbook) takes its labels, steps and
number formats from here, so "Selling time, field team, Jan 2027" and "one hour a day" are
written once. Identifiers (``sales-selling_time[2027-01,field]``,
``sales.teams[field].average_deal_value``) stay in the JSON beside the labels.

An input's **natural step** is the change a leader thinks in: one person, one hour a day,
one business day, one minute a conversation, $1,000 of budget, one percentage point of a
rate or share, 100 leads. Explanations value that step, never a fraction of a person.
"""

from __future__ import annotations

import calendar
import functools
import math
import re
import string
from dataclasses import dataclass

from optimizer.scenario import families

MINUS = "\u2212"
ARROW = "\u2192"


@dataclass(frozen=True)
class Step:
    """A natural step of an input: ``size`` in the input's own unit, and its words."""

    size: float
    words: str  # "one hour a day", "$1,000 a month", "one percentage point"
    per_point: bool = False  # a rate or share, shown per percentage point


# ---- inputs: (path pattern, label, step size, step words) -----------------------------------
# Patterns are matched against the whole path; named groups fill the label.
_T = r"sales\.teams\[(?P<team>[^\]]+)\]"
_C = r"marketing\.channels\[(?P<channel>[^\]]+)\]\.tiers\[(?P<tier>\d+)\]"
_L = r"support\.live_channels\[(?P<line>[^\]]+)\]"
_CT = r"sales\.conversation_tiers\[(?P<ctier>\d+)\]"
_B = (
    r"support\.(?:live_channels\[(?P<bline>[^\]]+)\]|ticket_closure)"
    r"\.bands\[(?P<band>[^\]]+)\]"
)
PERSON = (1, "one person")
POINT = (0.01, "one percentage point")

_ROLES = [
    (r"marketing\.marketers", "marketers"),
    (_T + r"\.reps", "reps, {team} team"),
    (r"delivery\.workers", "delivery workers"),
    (r"support\.agents", "support agents"),
    (_L + r"\.agents", "agents, {line}"),
]
"""Every role with a headcount: its path pattern and its people in words."""


def _flow_inputs(role: str, who: str) -> list[tuple[str, str, float, str]]:
    """The workforce-flow inputs of one role (``Headcount``): labels and natural steps."""
    return [
        (role + r"\.opening", f"People employed at the start, {who}", *PERSON),
        (role + r"\.attrition_per_month", f"Monthly attrition, {who}", *POINT),
        (role + r"\.hiring_lead_time_months", f"Hiring lead time, {who}", 1, "one month"),
        (role + r"\.max_hires_per_month", f"Most hires a month, {who}", *PERSON),
        (role + r"\.max_departures_per_month", f"Most departures a month, {who}", *PERSON),
        (role + r"\.cost_per_hire", f"Cost of a hire, {who}", 1000, "$1,000 a hire"),
        (role + r"\.cost_per_departure", f"Cost of a departure, {who}", 1000,
         "$1,000 a departure"),
    ]  # fmt: skip


INPUTS: list[tuple[str, str, float, str]] = [
    (r"calendar\.hours_per_day", "Working day", 1, "one hour a day"),
    (r"calendar\.business_days_per_month", "Business days a month", 1, "one business day"),
    (r"marketing\.ad_budget_per_month", "Ad budget", 1000, "$1,000 a month"),
    (r"marketing\.market_size_leads_per_month", "Market size", 100, "100 leads a month"),
    (r"marketing\.total_addressable_market_leads", "Total addressable market", 100, "100 leads"),
    (r"marketing\.organic_leads_per_month", "Organic leads", 100, "100 leads a month"),
    (r"marketing\.qualified_lead_share", "Share of leads that are qualified", *POINT),
    (r"marketing\.lead_grades\[(?P<grade>[^\]]+)\]\.share", "Share of qualified leads of grade "
     "{grade}", *POINT),
    (r"marketing\.lead_grades\[(?P<grade>[^\]]+)\]\.conversion_factor", "Conversion of grade "
     "{grade} leads (factor)", 0.1, "0.1"),
    (r"marketing\.marketers\.max", "Most marketers allowed", *PERSON),
    (r"marketing\.marketers\.min", "Fewest marketers kept", *PERSON),
    (r"marketing\.marketers\.cost_per_person_per_month", "Pay of a marketer", 100, "$100 a month"),
    (r"marketing\.ad_spend_per_marketer_per_month", "Ad spend one marketer can run", 1000,
     "$1,000 a month"),
    (_C + r"\.leads_per_month", "Leads in price tier {tier1}, {channel}", 100, "100 leads a month"),
    (_C + r"\.cost_per_lead", "Cost per lead, price tier {tier1}, {channel}", 1, "$1 a lead"),
    (r"sales\.min_minutes_per_quality_conversation", "Quality floor (shortest conversation)", 1,
     "one minute"),
    (r"sales\.touches_per_lead", "Conversations per lead", 0.1, "0.1 conversation a lead"),
    (_CT + r"\.minutes", "Length of {ctier_name} conversations", 1, "one minute"),
    (_CT + r"\.conversion_rate", "Conversion of {ctier_name} conversations", *POINT),
    (_T + r"\.reps\.max", "Most reps allowed, {team} team", *PERSON),
    (_T + r"\.reps\.min", "Fewest reps kept, {team} team", *PERSON),
    (_T + r"\.reps\.cost_per_person_per_month", "Pay of a rep, {team} team", 100, "$100 a month"),
    (_T + r"\.hours_lost_per_day\.(?P<what>\w+)", "Hours lost to {what}, {team} team", 0.25,
     "a quarter hour a day"),
    (_T + r"\.admin_minutes_per_conversation", "Admin minutes a conversation, {team} team", 1,
     "one minute"),
    (_T + r"\.average_deal_value", "Deal value, {team} team", 100, "$100 a deal"),
    (_T + r"\.follow_up_minutes_per_conversation", "Follow-up minutes a conversation, {team} "
     "team", 1, "one minute"),
    (_T + r"\.max_booked_share", "Share of selling time that can be booked, {team} team",
     *POINT),
    (_T + r"\.dials\.minutes_per_dial", "Minutes a dial, {team} team", 0.5, "half a minute"),
    (_T + r"\.dials\.connect_rate", "Connect rate of dials, {team} team", *POINT),
    (_T + r"\.prospecting\.minutes_per_lead", "Minutes to find a lead, {team} team", 1,
     "one minute"),
    (_T + r"\.prospecting\.dials\.minutes_per_dial", "Minutes a prospecting dial, {team} team",
     0.5, "half a minute"),
    (_T + r"\.prospecting\.dials\.connect_rate", "Connect rate of prospecting dials, {team} "
     "team", *POINT),
    (_T + r"\.prospecting\.qualified_share", "Qualified share of self-found leads, {team} team",
     *POINT),
    (_T + r"\.prospecting\.conversion_factor", "Conversion of self-found leads (factor), {team} "
     "team", 0.1, "0.1"),
    (_T + r"\.conversion_rates\[(?P<ctier>\d+)\]", "Conversion of {ctier_name} conversations, "
     "{team} team", *POINT),
    (_T + r"\.units_per_deal", "Units in a deal, {team} team", 0.1, "0.1 unit a deal"),
    (_T + r"\.commission_share", "Commission, {team} team", *POINT),
    (_T + r"\.attainment\.mean_per_rep_per_month", "Mean attainment of a rep, {team} team",
     1000, "$1,000 a month"),
    (_T + r"\.attainment\.spread_per_rep_per_month", "Spread of attainment, {team} team",
     1000, "$1,000 a month"),
    (_T + r"\.attainment\.share_reaching_quota", "Share of reps reaching quota, {team} team",
     *POINT),
    (r"sales\.stages\[(?P<stage>[^\]]+)\]\.minutes", "Minutes of a {stage}", 1, "one minute"),
    (r"sales\.stages\[(?P<stage>[^\]]+)\]\.admin_minutes", "Admin minutes of a {stage}", 1,
     "one minute"),
    (r"sales\.stages\[(?P<stage>[^\]]+)\]\.conversion_rate", "Conversion of a {stage}",
     *POINT),
    (r"delivery\.units_per_deal", "Units in a deal", 0.1, "0.1 unit a deal"),
    (r"delivery\.units_per_worker_per_month", "Units a worker builds a month", 1,
     "one unit a month"),
    (r"delivery\.workers\.max", "Most delivery workers allowed", *PERSON),
    (r"delivery\.workers\.min", "Fewest delivery workers kept", *PERSON),
    (r"delivery\.workers\.cost_per_person_per_month", "Pay of a delivery worker", 100,
     "$100 a month"),
    (r"delivery\.unit_cost", "Materials cost of a unit", 10, "$10 a unit"),
    (r"delivery\.lead_time_months", "Delivery lead time", 1, "one month"),
    (r"support\.installed_base_customers", "Customers already served", 100, "100 customers"),
    (r"support\.new_customers_per_deal", "New customers a deal", 0.1, "0.1 customer a deal"),
    (r"support\.tickets_per_customer_per_month", "Tickets a customer a month", 0.01,
     "0.01 ticket a customer"),
    (r"support\.handle_minutes_per_ticket", "Minutes to handle a ticket", 1, "one minute"),
    (r"support\.max_occupancy", "Most occupancy of ticket agents", *POINT),
    (r"support\.shrinkage", "Shrinkage of ticket agents", *POINT),
    (r"support\.agents\.max", "Most support agents allowed", *PERSON),
    (r"support\.agents\.min", "Fewest support agents kept", *PERSON),
    (r"support\.agents\.cost_per_person_per_month", "Pay of a support agent", 100, "$100 a month"),
    (r"support\.ticket_closure\.within_hours", "Tickets closed within (hours)", 1, "one hour"),
    (r"support\.ticket_closure\.share", "Share of tickets closed in time", *POINT),
    (_L + r"\.contacts_per_customer_per_month", "Contacts a customer a month, {line}", 0.01,
     "0.01 contact a customer"),
    (_L + r"\.handle_seconds", "Handle time, {line}", 10, "ten seconds"),
    (_L + r"\.answer_within_seconds", "Answer-time target, {line}", 10, "ten seconds"),
    (_L + r"\.service_level", "Service level, {line}", *POINT),
    (_L + r"\.max_occupancy", "Most occupancy, {line}", *POINT),
    (_L + r"\.max_asa_seconds", "Longest average wait, {line}", 10, "ten seconds"),
    (_L + r"\.interval_minutes", "Planning interval, {line}", 15, "15 minutes"),
    (_L + r"\.peak_factor", "Busiest interval over the average, {line}", 0.1, "0.1"),
    (_L + r"\.shrinkage", "Shrinkage, {line}", *POINT),
    (_L + r"\.agents\.max", "Most agents allowed, {line}", *PERSON),
    (_L + r"\.agents\.min", "Fewest agents kept, {line}", *PERSON),
    (_L + r"\.agents\.cost_per_person_per_month", "Pay of an agent, {line}", 100, "$100 a month"),
    *(row for role, who in _ROLES for row in _flow_inputs(role, who)),
    (r"horizon_end\.open_pipeline_value_share", "Credit for deals open at the end", *POINT),
    (r"horizon_end\.customer_months", "Credit for customers paying at the end", 1,
     "one month of their revenue"),
    (_B + r"\.service_level", "Service level, service band {band}", *POINT),
    (_B + r"\.answer_within_seconds", "Answer-time target, service band {band}", 10,
     "ten seconds"),
    (_B + r"\.within_hours", "Tickets closed within (hours), service band {band}", 1, "one hour"),
    (_B + r"\.churn_per_month", "Churn at service band {band}", 0.001, "0.1 percentage point"),
    (r"recurring_revenue\.opening_customers", "Paying customers at the start", 100,
     "100 customers"),
    (r"recurring_revenue\.new_customers_per_deal", "New customers a deal", 0.1,
     "0.1 customer a deal"),
    (r"recurring_revenue\.revenue_per_customer_per_month", "Monthly revenue a customer", 10,
     "$10 a month"),
    (r"recurring_revenue\.churn_per_month", "Monthly churn", 0.001, "0.1 percentage point"),
    (r"recurring_revenue\.expansion_per_month", "Monthly net expansion", 0.001,
     "0.1 percentage point"),
    (r"recurring_revenue\.contract_months", "Contract length", 1, "one month"),
    (r"finance\.cash\.opening", "Opening cash", 1000, "$1,000"),
    (r"finance\.cash\.minimum", "Minimum cash", 1000, "$1,000"),
    (r"finance\.goals\.customers\.at_least", "Goal on paying customers", 10, "10 customers"),
    (r"finance\.goals\.new_customers\.at_least", "Goal on new customers", 1, "one customer"),
    (r"finance\.goals\.deals\.at_least", "Goal on deals", 1, "one deal"),
    (r"finance\.goals\.(?P<measure>\w+)\.at_least", "Goal on {measure}", 1000, "$1,000"),
    (r"finance\.fixed_bills_per_month", "Fixed bills", 1000, "$1,000 a month"),
    (r"finance\.retained_earnings_per_month", "Retained earnings goal", 1000, "$1,000 a month"),
    (r"finance\.profit_target_per_month", "Profit target", 1000, "$1,000 a month"),
    (r"current_targets\.calls_per_rep_per_day", "Today's calls a rep a day", 1, "one call a day"),
    (r"current_targets\.dials_per_rep_per_day", "Today's dials a rep a day", 1, "one dial a day"),
    (r"current_targets\.stages_per_rep_per_week\[(?P<stage>[^\]]+)\]", "Today's {stage} a rep "
     "a week", 1, "one a week"),
    (r"current_targets\.reps\[(?P<team>[^\]]+)\]", "Today's reps, {team} team", *PERSON),
    (r"current_targets\.quota_per_rep_per_month", "Today's quota a rep", 1000, "$1,000 a month"),
    (r"current_targets\.leads_per_month", "Today's leads a month", 100, "100 leads a month"),
    (r"current_targets\.ad_spend_per_month", "Today's ad spend", 1000, "$1,000 a month"),
    (r"current_targets\.workers", "Today's delivery workers", *PERSON),
    (r"current_targets\.units_per_worker_per_month", "Today's units a worker", 1, "one unit"),
    (r"current_targets\.support_agents", "Today's support agents", *PERSON),
    (r"current_targets\.tickets_per_agent_per_day", "Today's tickets an agent a day", 1,
     "one ticket a day"),
]  # fmt: skip
_COMPILED = [(re.compile(p + r"$"), label, size, words) for p, label, size, words in INPUTS]

MONTH_OF_INPUT = re.compile(r"\[(?P<month>\d{4}-\d{2})\]$")
"""One month of a monthly input given month by month: ``marketing.ad_budget_per_month[2027-03]``
is labelled as its input with the month ("Ad budget, Mar 2027") and steps as it does."""


def split_month(path: str) -> tuple[str, str | None]:
    """(the input's path, the month) of one month of a monthly input; (path, None) otherwise."""
    found = MONTH_OF_INPUT.search(path)
    return (path[: found.start()], found["month"]) if found else (path, None)


def _match(path: str, scenario=None):
    path, month = split_month(path)
    found = _match_input(path, scenario)
    if found is None or month is None:
        return found
    label, size, words = found
    return f"{label}, {month_label(month)}", size, words


def _match_input(path: str, scenario=None):
    for pattern, label, size, words in _COMPILED:
        found = pattern.match(path)
        if found:
            groups = {k: v.replace("_", " ") for k, v in found.groupdict().items() if v is not None}
            for key in ("tier", "ctier"):  # people count tiers from one
                if key in groups:
                    groups[f"{key}1"] = str(int(groups[key]) + 1)
            if "ctier" in groups:  # "45-minute", or "tier 5" without the scenario
                tiers = scenario.sales.conversation_tiers if scenario is not None else []
                index = int(groups["ctier"])
                groups["ctier_name"] = (
                    f"{tiers[index].minutes:g}-minute"
                    if index < len(tiers)
                    else f"tier-{index + 1}"
                )
            if "what" in groups:
                groups["what"] = WHAT_WORDS.get(groups["what"], groups["what"].replace("_", " "))
            return label.format(**groups), size, words
    return None


WHAT_WORDS = {"follow ups": "follow-ups", "followups": "follow-ups"}
"""Hours-lost keys whose words need more than underscores turned to spaces."""


def input_label(path: str, scenario=None) -> str:
    """'Deal value, field team' for ``sales.teams[field].average_deal_value``; with the
    scenario, conversation tiers are named by their length ('45-minute conversations')."""
    found = _match(path, scenario)
    return found[0] if found else path


def natural_step(path: str) -> Step:
    """The step a leader thinks in for the input at ``path`` (one unit when none is known)."""
    found = _match(path)
    if found is None:
        return Step(1.0, "one unit")
    _, size, words = found
    return Step(float(size), words, per_point=words == "one percentage point")


# ---- limits: a label per family of rows, filled from the row's axes -----------------------

FAMILIES: dict[str, tuple[str, str]] = {
    f.key: (f.label, f.kind) for f in families.FAMILIES if f.label is not None
}
"""family: (label, kind), from ``optimizer.scenario.families`` where each family is declared."""
KINDS = families.KINDS


@functools.cache  # families are declared once; a constraint table asks per row
def _family(name: str) -> tuple[tuple[str, str] | None, dict]:
    found = families.lookup(name)
    if found is None or found[0].label is None:
        return None, {}
    family, star = found
    return (family.label, family.kind), ({} if star is None else {"line": star})


def family_kind(family: str, default: str = "capacity") -> str:
    """The kind of a family of rows (``KINDS``)."""
    words, _ = _family(family)
    return words[1] if words else default


def row_label(family: str, axes: dict[str, str]) -> str:
    """'Selling time, field team, Jan 2027' for family sales-selling_time at those axes.

    ``axes`` maps axis names (month, team, tier, ...) to the row's labels."""
    words, extra = _family(family)
    if words is None:  # a family without words: its own name, made readable
        return _readable(family, axes)
    values = {k: str(v).replace("_", " ") for k, v in {**extra, **axes}.items()}
    if "month" in values:
        values["month"] = month_label(values["month"])
    if "tier" in values:  # "search:1" -> "1, search" (the model counts tiers from one)
        channel, _, index = str(values["tier"]).rpartition(":")
        values["tier"] = f"{index}, {channel}" if index.isdigit() else values["tier"]
    values.setdefault("month", "whole plan")
    try:
        return words[0].format(**values)
    except KeyError:
        return words[0].split(",")[0]


def check_label(name: str) -> str:
    """A finding of the independent check in words: 'Selling time, field team' for
    ``sales-selling_time[field]`` (the worst month), 'Delivery on time, Jan 2027' for
    ``delivery-on_time[2027-01]``; a rule on a quantity ('reps whole') as it is."""
    family = families.family_of(name)
    words, _ = _family(family)
    if words is None:
        quantity, _, rule = name.partition(" ")
        quantity = quantity.replace("_", " ").capitalize()
        return {"whole": f"{quantity} in whole people", ">= 0": f"{quantity} not below zero"}.get(
            rule, name.replace("_", " ")
        )
    axes = row_axes(name, family) if "[" in name else {}
    label = row_label(family, axes)
    return label if "month" in axes else label.removesuffix(", whole plan")


def _readable(family: str, axes: dict[str, str]) -> str:
    """'Gap calls per rep per day, Jan 2027' for an unlabelled family ``targets-gap_calls...``."""
    words = family.split("-", 1)[-1].replace("_", " ").strip().capitalize()
    extra = [month_label(v) if k == "month" else str(v).replace("_", " ") for k, v in axes.items()]
    return ", ".join([words, *extra]) if extra else words


_MONTH = re.compile(r"\d{4}-\d{2}$")


def row_axes(name: str, family: str) -> dict[str, str]:
    """The axes of row ``name`` of ``family`` by the names its label uses.

    ``sales-selling_time[2027-01,field]`` -> ``{"month": "2027-01", "team": "field"}``: a
    ``YYYY-MM`` label is the month, the others fill the label's other fields in order.
    """
    if not name.startswith(family + "[") or not name.endswith("]"):
        return {}
    parts = name[len(family) + 1 : -1].split(",")
    months = [p for p in parts if _MONTH.match(p)]
    others = [p for p in parts if not _MONTH.match(p)]
    words, extra = _family(family)
    fields = [f for f in _fields(words[0]) if f != "month" and f not in extra] if words else []
    axes = dict(zip(fields, others))
    if words is None:
        axes = {f"axis{i}": p for i, p in enumerate(others)}
    if months:
        axes["month"] = months[0]
    return axes


@functools.cache
def _fields(template: str) -> tuple[str, ...]:
    return tuple(f for _, f, _, _ in string.Formatter().parse(template) if f)


def row_kind(family: str, model_kind: str) -> str:
    """One of ``KINDS`` for a row: a model definition is an identity, a goal a goal; the
    rest take their family's kind (``FAMILIES``)."""
    if model_kind == "definition":
        return "identity"
    if model_kind == "goal":
        return "goal"
    kind = family_kind(family)
    return "policy" if kind == "identity" else kind  # a family's limit rows stay limits


IDENTITY_WHEN = {"delivery-on_time": "(no lead time)"}
"""Families that are an identity when their description says so: on time with no lead
time is "build what was sold" (``chain/delivery.py``)."""


def constraint_words(
    names, families, model_kinds, descriptions=None
) -> tuple[list[str], list[str]]:
    """(label, kind) of every row of a constraint table; each family's words found once."""
    labels_out, kinds_out = [], []
    kind_of: dict[tuple[str, str], str] = {}
    names, families, model_kinds = _plain(names), _plain(families), _plain(model_kinds)
    descriptions = _plain(descriptions) if descriptions is not None else [""] * len(names)
    for name, family, model_kind, text in zip(names, families, model_kinds, descriptions):
        labels_out.append(row_label(family, row_axes(name, family)))
        key = (family, model_kind)
        if family in IDENTITY_WHEN and IDENTITY_WHEN[family] in str(text):
            key = (family, "definition")
        if key not in kind_of:
            kind_of[key] = row_kind(family, key[1])
        kinds_out.append(kind_of[key])
    return labels_out, kinds_out


def _plain(values) -> list:
    """A column as a Python list, read at once (a pandas string column read element by
    element costs more than the labels made from it)."""
    return values.tolist() if hasattr(values, "tolist") else list(values)


def input_labels(paths, values=None) -> list[str]:
    """``input_label`` for every path of a parameter table; conversation tiers are named by
    their length, read from the table's own ``sales.conversation_tiers[i].minutes`` rows."""
    paths = list(paths)
    minutes = {}
    if values is not None:
        for path, value in zip(paths, values):
            found = re.fullmatch(r"sales\.conversation_tiers\[(\d+)\]\.minutes", str(path))
            if found:
                minutes[int(found.group(1))] = value
    tiers = [_Tier(minutes[i]) for i in range(len(minutes))] if minutes else []
    holder = _Holder(_Sales(tiers)) if tiers and set(minutes) == set(range(len(tiers))) else None
    return [input_label(str(p), holder) for p in paths]


@dataclass(frozen=True)
class _Tier:
    minutes: float


@dataclass(frozen=True)
class _Sales:
    conversation_tiers: list


@dataclass(frozen=True)
class _Holder:
    sales: _Sales


def metric_label(metric: str) -> str:
    """'Calls a rep a day' for ``calls_per_rep_per_day``: a target's name in words."""
    if metric in METRICS:
        return METRICS[metric]
    words = metric.replace("_per_", " a ").replace("_", " ")
    words = re.sub(r" a (?=[aeiou]|hour)", " an ", words)
    return words[:1].upper() + words[1:]


METRICS = {
    "reps": "Reps", "marketers": "Marketers", "workers": "Delivery workers", "agents": "Agents",
    "headcount": "Headcount", "profit_goal": "Profit goal", "cost_of_goods": "Cost of goods",
    "deals_per_conversation": "Deals a conversation", "quota_per_rep_per_month":
    "Quota a rep a month", "minutes_per_conversation": "Minutes a conversation",
    "working_minutes_per_call": "Working minutes a call",
    "hires_decided": "Hires decided", "starts": "Hires starting", "departures": "Departures",
    "leavers_expected": "Expected leavers", "productive_people": "Productive people",
    "deals_won_per_month": "Deals won a month", "pipeline_open_deals":
    "Deals open at month end", "hiring_costs": "Hiring costs", "pipeline_open_value":
    "Value of the open deals", "customers": "Paying customers", "new_customers":
    "New customers", "churned_customers": "Customers leaving", "churn_rate": "Churn",
    "recurring_revenue": "Recurring revenue (MRR)", "expansion_revenue": "Expansion revenue",
    "bookings": "Bookings", "invoiced": "Invoiced", "collected": "Collected", "receivables":
    "Receivables", "days_sales_outstanding": "Days sales outstanding (DSO)", "cash":
    "Cash in the bank", "minimum_cash": "Minimum cash", "service_band": "Service band",
    "service_band_level": "Service level of the band", "customer_base_value":
    "Customers paying at the end, credited",
}  # fmt: skip


def name_words(name: str) -> str:
    """A name a scenario gave (a service band, 'best_effort') as words: 'best effort'."""
    return str(name).replace("_", " ")


def line_name(key: str) -> str:
    """'phone line' for a live channel's key, 'ticket desk' for ticket closure."""
    return "ticket desk" if key == "ticket_closure" else f"{key} line"


def month_label(month: str) -> str:
    """'Jan 2027' for '2027-01'; anything else unchanged."""
    return _month_label(str(month))


@functools.lru_cache(maxsize=4096)  # a table repeats a few dozen months on every row
def _month_label(month: str) -> str:
    found = re.fullmatch(r"(\d{4})-(\d{2})", month)
    if not found:
        return str(month)
    return f"{calendar.month_abbr[int(found.group(2))]} {found.group(1)}"


# ---- numbers ------------------------------------------------------------------------------


def money(value: float, cents: bool = False) -> str:
    """'$12,300', '−$31,100' (a true minus sign), '$12.50' with ``cents``; '—' for none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if math.isinf(value):
        return "unbounded"
    text = f"${abs(value):,.2f}" if cents else f"${abs(round(value)):,.0f}"
    return (MINUS + text) if round(value, 2 if cents else 0) < 0 else text


def dollars(value: float) -> str:
    """'$3.47', '$12,300', '−$31,100': money in sentences (a true minus sign; cents below $100)."""
    return money(value, cents=value is not None and abs(value) < 100)


def signed_money(value: float) -> str:
    """'+$5,200' or '−$1,800': a change of money."""
    text = money(value)
    return text if text.startswith(MINUS) or text in ("$0", "—") else "+" + text


def number(value: float, digits: int = 3) -> str:
    """A count rounded sensibly: '1,500', '7.5', '0.0017'; '—' for none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if math.isinf(value):
        return "unbounded"
    if value == 0:
        return "0"
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    else:
        text = f"{value:,.{digits}g}" if abs(value) < 1 else f"{value:,.{max(1, digits - 2)}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
    return text.replace("-", MINUS)


def signed_number(value: float, digits: int = 3) -> str:
    """'+2', '−1.5', '0': a change in a count, with a true minus sign ('' for no value)."""
    if value is None or value != value:
        return ""
    return ("+" if value > 0 else "") + number(value, digits)


def percent(share: float, digits: int = 1) -> str:
    """'5.0 %' for 0.05."""
    return number(100 * share, digits + 2).replace(MINUS, "-").replace("-", MINUS) + " %"


# ---- the natural step of a limit, by the row's unit -----------------------------------------

LIMIT_STEPS: dict[str, tuple[float, str]] = {
    # unit: (step in that unit, words); minutes/month is one hour a day, set by the calendar
    "people": (1, "one person"),
    "$/month": (1000, "$1,000 a month"),
    "$": (1000, "$1,000"),
    "customers": (10, "10 customers"),
    "leads/month": (100, "100 leads a month"),
    "leads": (100, "100 leads"),
    "conversations/month": (100, "100 conversations a month"),
    "deals/month": (1, "one deal a month"),
    "units/month": (10, "10 units a month"),
    "units": (10, "10 units"),
    "tickets/month": (100, "100 tickets a month"),
    "contacts/interval": (1, "one contact an interval"),
    "tickets/day": (1, "one ticket a day"),
}


def relax_words(words: str, up: bool) -> str:
    """A step in the way a limit relaxes: 'one person more', 'one person fewer', '$1,000 a
    month less', 'one person-hour a day more for a month'."""
    uncounted = words.removeprefix("the first ").startswith("$") or "minute" in words
    way = "more" if up else "less" if uncounted or "hour" in words else "fewer"
    head, sep, tail = words.partition(" for a month")
    return f"{head} {way}{sep}{tail}"


def limit_step(unit: str, business_days: float = 20.0) -> tuple[float, str]:
    """(size, words) of a limit's natural step in its own unit: one hour a day of selling or
    handling time is 60 x business days minutes a month; one unit when none is known."""
    if unit == "minutes/month":
        return 60.0 * business_days, "one person-hour a day for a month"
    return LIMIT_STEPS.get(unit, (1.0, f"one {unit}" if unit else "one unit"))


# ---- amounts in a unit, months and names in sentences ---------------------------------------


@functools.lru_cache(maxsize=1024)
def unit_words(unit: str) -> str:
    """'minutes a month' for 'minutes/month', '$ a rep a month' for '$/rep/month',
    'conversations a rep an hour' for 'conversations/rep/hour'."""
    head, *rest = str(unit).split("/")
    return " ".join([head, *(("an " if r[:1] in "aeiou" or r == "hour" else "a ") + r
                             for r in rest)])  # fmt: skip


def role_words(role: str) -> str:
    """'ticket desk' for ``ticket_closure``, 'key accounts' for ``key_accounts``: a role as a
    leader reads it."""
    return line_name(role) if role == "ticket_closure" else str(role).replace("_", " ")


def figure(value: float, unit: str) -> str:
    """A target's value as a leader reads it: money with its sign and separators (cents
    below $100), shares and conversion per percentage point, counts rounded; '—' for none."""
    if value is None or value != value:
        return "—"
    if str(unit).startswith("$"):
        return money(value, cents=abs(value) < 100 and value != round(value))
    if unit in ("share", "%") or str(unit).startswith("deals/conversation"):
        return percent(value)
    return number(value)


def bare(value: float, unit: str) -> str:
    """A value without its unit: '−$127,770' for money, '17,407' for a count."""
    return money(value) if str(unit).startswith("$") else number(value)


def amount(value: float, unit: str) -> str:
    """A value with its unit in words: '$25,000 a month', '63,000 minutes a month', '12 people',
    '1 person'."""
    words = unit_words(unit)
    if str(unit).startswith("$"):
        tail = words[1:].strip()
        return money(value) + (f" {tail}" if tail else "")
    shown = number(value)
    if shown == "1" and words.startswith("people"):
        words = "person" + words[len("people") :]
    return f"{shown} {words}".rstrip()


def input_amount(path: str, value: float) -> str:
    """An input's value in words: '8.2 %' for a rate or share, else ``amount`` in its unit
    ('$3,500', '6,000 leads a month')."""
    from optimizer.scenario.paths import resolve

    if natural_step(path).per_point:
        return percent(value)
    return amount(value, resolve(path).unit)


def months_phrase(months, horizon=None) -> str:
    """When a family of rows holds: 'in Apr 2027', 'every month from Jan to Jun 2027',
    'from Feb to Apr 2027', 'in Jan, Mar and Jun 2027'; 'over the whole plan' for rows
    without a month. ``horizon`` is the scenario's months in order (none: the months
    given, and never 'every month')."""
    given = horizon is None
    horizon = sorted(set(months)) if given else list(horizon)
    chosen = [m for m in horizon if m in set(months)]
    if not chosen:
        return "over the whole plan"
    if len(chosen) == 1:
        return f"in {month_label(chosen[0])}"
    first, last = month_label(chosen[0]), month_label(chosen[-1])
    year_first, year_last = first[-4:], last[-4:]
    start = first[:-5] if year_first == year_last else first
    positions = [horizon.index(m) for m in chosen]
    run = positions == list(range(positions[0], positions[0] + len(positions)))
    if run:
        every = "every month " if len(chosen) == len(horizon) and not given else ""
        return f"{every}from {start} to {last}"
    if year_first == year_last:
        return "in " + and_list([month_label(m)[:-5] for m in chosen]) + f" {year_first}"
    return "in " + and_list([month_label(m) for m in chosen])


def and_list(words) -> str:
    """'metro', 'metro and coastal', 'north, south and metro'."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def family_label(family: str) -> str:
    """'Selling time' for sales-selling_time: a family's label without its axes."""
    words, _ = _family(family)
    if words is None:
        return _readable(family, {})
    kept = [part for part in words[0].split(", ") if "{" not in part]
    if kept:
        return ", ".join(kept)
    return re.sub(r"\s*\{\w+\}", "", words[0].split(", ")[0]).strip()


# ---- the plan's variables ------------------------------------------------------------------

VARIABLES = {
    # block: (words, unit of one, a decision leadership makes: Solver's "variable cell")
    "paid_leads": ("Leads bought", "leads", True),
    "leads": ("Leads", "leads", False),
    "ad_spend": ("Ad spend", "$", False),
    "marketers": ("Marketers", "people", True),
    "reps": ("Reps", "people", True),
    "reps_starts": ("Reps starting", "people", True),
    "reps_departures": ("Reps leaving by choice", "people", True),
    "reps_going": ("Reps' hiring choice", "choice", True),
    "reps_productive": ("Productive reps", "people", False),
    "reps_ramping": ("Reps ramping up", "people", False),
    "conversations": ("Conversations", "conversations", True),
    "own_lead_conversations": ("Conversations with self-found leads", "conversations", True),
    "graded_conversations": ("Conversations by lead grade", "conversations", True),
    "leads_found": ("Leads found by reps", "leads", True),
    "stage_volume": ("Stage meetings", "meetings", False),
    "deals": ("Deals", "deals", False),
    "deals_won": ("Deals won", "deals", False),
    "workers": ("Delivery workers", "people", True),
    "workers_starts": ("Delivery workers starting", "people", True),
    "workers_departures": ("Delivery workers leaving by choice", "people", True),
    "workers_going": ("Delivery workers' hiring choice", "choice", True),
    "workers_productive": ("Productive delivery workers", "people", False),
    "workers_ramping": ("Delivery workers ramping up", "people", False),
    "units_sold": ("Units sold", "units", False),
    "production": ("Units built", "units", True),
    "agents": ("Support agents", "people", True),
    "tickets": ("Tickets", "tickets", False),
    "revenue": ("Revenue", "$", False),
    "payroll": ("Payroll", "$", False),
    "cogs": ("Cost of goods", "$", False),
    "profit": ("Profit", "$", False),
    "hiring_costs": ("Hiring costs", "$", False),
    "open_pipeline_value": ("Value of the open deals", "$", False),
    "customers": ("Paying customers", "customers", False),
    "new_customers": ("New customers", "customers", False),
    "churned": ("Customers leaving", "customers", False),
    "recurring_revenue": ("Recurring revenue (MRR)", "$", False),
    "customer_base_value": ("Customers paying at the end, credited", "$", False),
    "customers_at_risk": ("Customers at risk", "customers", False),
    "collected": ("Collected", "$", False),
    "receivables": ("Receivables", "$", False),
    "cash": ("Cash in the bank", "$", False),
    "invoiced": ("Invoiced", "$", False),
}
"""Each block of the model's variables in words, by its name: the label, the unit of one,
and whether it is a decision (what Excel Solver calls a variable cell: leads bought, the
length of conversations, people) or follows from the decisions (revenue, cash, deals)."""

LINE_VARIABLES = {
    "_agents": ("Agents", "people", True),
    "_staffing": ("Staffing choice", "choice", True),
    "_contacts": ("Contacts answered", "contacts", False),
}
"""A live channel's blocks, named ``{line}_agents`` and so on: the line's name comes first."""


def variable_words(block: str) -> tuple[str, str, bool]:
    """(words, unit, decision) of a block of the model's variables (``VARIABLES``)."""
    if block in VARIABLES:
        return VARIABLES[block]
    for suffix, (words, unit, decision) in LINE_VARIABLES.items():
        if block.endswith(suffix):
            return f"{words}, {line_name(block.removesuffix(suffix))}", unit, decision
    return block.replace("_", " ").capitalize(), "", False


def variable_label(block: str, axes: dict[str, str]) -> str:
    """'Conversations of 20 minutes, field team, Jan 2027' for the variable
    ``conversations[2027-01,field,20min]`` (``axes``: its axis names and labels)."""
    words = variable_words(block)[0]
    parts = []
    for axis, value in axes.items():
        value = str(value)
        if axis == "month":
            continue
        if axis == "tier" and value.endswith("min") and value[:-3].replace(".", "").isdigit():
            words = f"{words} of {value[:-3]} minutes"
        elif axis == "tier" and ":" in value:
            channel, _, index = value.rpartition(":")
            parts.append(f"{name_words(channel)} tier {index}")
        elif axis == "team":
            parts.append(f"{name_words(value)} team")
        elif axis == "band":
            parts.append(f"{name_words(value)} band")
        elif axis == "agents":
            parts.append(f"{value} agents")
        else:
            parts.append(name_words(value))
    if "month" in axes:
        parts.append(month_label(axes["month"]))
    return ", ".join([words, *parts])
