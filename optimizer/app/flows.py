"""The connected numbers of a plan, as flows for Sankey diagrams and a one-line chain.

Two flows, one of volumes and one of money, so that no width mixes people's work with dollars:

- volumes a month: paid leads by channel and organic leads -> leads -> qualified leads
  -> the leads each team works (its conversations / touches per lead) -> deals, or no
  deal -> units to build and new customers -> support tickets (with the installed base,
  or with recurring revenue the customers kept from the month before);
- money a month: revenue by team (and recurring revenue) -> cost of goods, payroll by department, ad spend,
  fixed bills and profit -> retained earnings, profit target and what is left over.

Every value is read from the plan's targets (a month, or the monthly average), or is a
plan headcount times the scenario's cost per person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from optimizer.analysis.result import Plan
from optimizer.report.sentences import money
from optimizer.scenario.schema import Scenario

AVERAGE = "monthly average"


@dataclass
class Flow:
    title: str
    unit: str
    labels: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    sources: list[int] = field(default_factory=list)
    targets: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def node(self, key: str, label: str) -> int:
        if key not in self._index:
            self._index[key] = len(self.labels)
            self.labels.append(label)
            self.keys.append(key)
        return self._index[key]

    def link(self, source: int, target: int, value: float) -> None:
        if value > 1e-9:
            self.sources.append(source)
            self.targets.append(target)
            self.values.append(float(value))

    def value_into(self, label_start: str) -> float:
        """Total flowing into the first node whose label starts with ``label_start``."""
        node = next(i for i, lab in enumerate(self.labels) if lab.startswith(label_start))
        return sum(v for t, v in zip(self.targets, self.values) if t == node)


class _Month:
    """Target values for one month, or averaged over the months."""

    def __init__(self, targets: pd.DataFrame, period: str):
        self.t = targets if period == AVERAGE else targets[targets["period"] == period]
        self.months = max(1, self.t["period"].nunique())

    def get(self, metric: str, role: str | None = None) -> float:
        rows = self.t[self.t["metric"] == metric]
        if role is not None:
            rows = rows[rows["role"] == role]
        return float(rows["value"].sum()) / self.months


def periods(plan: Plan) -> list[str]:
    months = list(dict.fromkeys(plan.targets["period"]))
    return months if len(months) == 1 else [AVERAGE, *months]


def _in_period(scenario: Scenario, value, period: str) -> float:
    """A monthly input in one month of the plan, or its average over the months."""
    if not isinstance(value, list):
        return value
    months = scenario.calendar.month_labels()
    return value[months.index(period)] if period in months else sum(value) / len(value)


def _n(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.3g}"


def volume_flow(scenario: Scenario, plan: Plan, period: str = AVERAGE) -> Flow:
    m = _Month(plan.targets, period)
    f = Flow("From leads to deals, units and tickets (a month)", "count")
    leads_total = m.get("leads_per_month", "marketing")
    leads = f.node("leads", f"Leads {_n(leads_total)}")
    for channel in scenario.marketing.channels:
        paid = m.get("paid_leads_per_month", channel.name)
        spend = m.get("ad_spend_per_month", channel.name)
        f.link(
            f.node(f"ch:{channel.name}", f"{channel.name}: {_n(paid)} paid leads ({money(spend)})"),
            leads,
            paid,
        )
    organic = leads_total - m.get("paid_leads_per_month", "marketing")
    f.link(f.node("organic", f"Organic {_n(organic)}"), leads, organic)
    qualified_total = m.get("qualified_leads_per_month", "marketing")
    qualified = f.node("qualified", f"Qualified leads {_n(qualified_total)}")
    f.link(leads, qualified, qualified_total)
    f.link(
        leads,
        f.node("unqualified", f"Not qualified {_n(leads_total - qualified_total)}"),
        leads_total - qualified_total,
    )
    deals_total = m.get("deals_per_month")
    deals = f.node("deals", f"Deals {_n(deals_total)}")
    touches = scenario.sales.touches_per_lead
    teams = [
        (t.name, m.get("conversations_per_month", t.name), m.get("deals_per_month", t.name))
        for t in scenario.sales.teams
    ]
    # widths stay in leads down to the deals: a team works conversations / touches leads
    lost = sum(conv / touches - won for _, conv, won in teams)
    no_deal = f.node("no_deal", f"Leads without a deal {_n(lost)}")
    for name, conv, won in teams:
        label = f"{name}: {_n(conv)} conversations"
        if touches != 1:
            label += f" with {_n(conv / touches)} leads"
        node = f.node(f"team:{name}", label)
        f.link(qualified, node, conv / touches)
        f.link(node, deals, won)
        f.link(node, no_deal, conv / touches - won)
    unused = qualified_total - sum(conv for _, conv, _ in teams) / touches
    if unused > 1e-6 * max(1.0, qualified_total):
        f.link(qualified, f.node("unused", f"Qualified, not contacted {_n(unused)}"), unused)
    if scenario.delivery is not None:
        units = m.get("units_sold_per_month")
        f.link(deals, f.node("units", f"Units to build {_n(units)}"), units)
    if scenario.support is not None:
        su = scenario.support
        per_customer = _in_period(scenario, su.tickets_per_customer_per_month, period)
        if scenario.recurring_revenue is not None:
            # support serves the paying customers: those kept from the month before, and new
            new_customers = m.get("new_customers", "customers")
            kept = m.get("customers", "customers") - new_customers
            base_label = f"Customers kept {_n(kept)}"
        else:
            new_customers = deals_total * su.new_customers_per_deal
            kept = su.installed_base_customers or 0.0
            base_label = f"Installed base {_n(kept)} customers"
        customers = f.node("customers", f"New customers {_n(new_customers)}")
        f.link(deals, customers, new_customers)
        tickets_total = m.get("tickets_per_month")
        tickets = f.node("tickets", f"Support tickets {_n(tickets_total)}")
        from_base = per_customer * kept
        base = f.node("base", base_label)
        f.link(base, tickets, min(from_base, tickets_total))
        f.link(customers, tickets, tickets_total - from_base)
    return f


def payroll_by_department(scenario: Scenario, m: _Month) -> dict[str, float]:
    pay = {"marketing": m.get("marketers") * scenario.marketing.marketers.cost_per_person_per_month}
    pay["sales"] = sum(
        m.get("reps", t.name) * t.reps.cost_per_person_per_month for t in scenario.sales.teams
    )
    if scenario.delivery is not None:
        pay["delivery"] = m.get("workers") * scenario.delivery.workers.cost_per_person_per_month
    if scenario.support is not None:
        su = scenario.support
        pay["support"] = m.get("agents", "support") * su.agents.cost_per_person_per_month + sum(
            m.get("agents", c.name) * c.agents.cost_per_person_per_month
            for c in getattr(su, "live_channels", [])
        )
    return pay


def money_flow(scenario: Scenario, plan: Plan, period: str = AVERAGE) -> Flow:
    m = _Month(plan.targets, period)
    f = Flow("Where the money goes (a month)", "$")
    revenue_total = m.get("revenue", "finance")
    revenue = f.node("revenue", f"Revenue {money(revenue_total)}")
    for team in scenario.sales.teams:
        value = m.get("revenue_per_month", team.name)
        f.link(f.node(f"rev:{team.name}", f"{team.name} {money(value)}"), revenue, value)
    if scenario.recurring_revenue is not None:  # subscriptions: the paying customers' invoices
        value = m.get("recurring_revenue", "customers")
        f.link(f.node("rev:recurring", f"Recurring revenue {money(value)}"), revenue, value)
    profit_total = m.get("profit", "finance")
    if profit_total < 0:
        f.link(f.node("loss", f"Loss {money(-profit_total)}"), revenue, -profit_total)
    cogs = m.get("cost_of_goods", "finance")
    f.link(revenue, f.node("cogs", f"Cost of goods {money(cogs)}"), cogs)
    payroll_total = m.get("payroll", "finance")
    payroll = f.node("payroll", f"Payroll {money(payroll_total)}")
    f.link(revenue, payroll, payroll_total)
    for dept, value in payroll_by_department(scenario, m).items():
        f.link(payroll, f.node(f"pay:{dept}", f"{dept} pay {money(value)}"), value)
    ad = m.get("ad_spend", "finance")
    f.link(revenue, f.node("ads", f"Ad spend {money(ad)}"), ad)
    bills = m.get("fixed_bills", "finance")
    f.link(revenue, f.node("bills", f"Fixed bills {money(bills)}"), bills)
    if profit_total > 0:
        profit = f.node("profit", f"Profit {money(profit_total)}")
        f.link(revenue, profit, profit_total)
        fi = scenario.finance
        retained = min(profit_total, fi.retained_earnings_per_month)
        f.link(profit, f.node("retained", f"Retained earnings {money(retained)}"), retained)
        target = min(profit_total - retained, max(0.0, fi.profit_target_per_month))
        f.link(profit, f.node("target", f"Profit target {money(target)}"), target)
        rest = profit_total - retained - target
        f.link(profit, f.node("rest", f"Above the goal {money(rest)}"), rest)
    return f


def chain_steps(scenario: Scenario, plan: Plan, period: str = AVERAGE) -> list[tuple[str, str]]:
    """(step, value) from ad spend to profit, for a one-line summary of the chain."""
    m = _Month(plan.targets, period)
    steps = [
        ("ad spend", money(m.get("ad_spend", "finance"))),
        ("leads", _n(m.get("leads_per_month", "marketing"))),
        ("qualified leads", _n(m.get("qualified_leads_per_month", "marketing"))),
        ("conversations", _n(m.get("conversations_per_month"))),
        ("deals", _n(m.get("deals_per_month"))),
    ]
    if scenario.delivery is not None:
        steps.append(("units", _n(m.get("units_sold_per_month"))))
    if scenario.support is not None:
        steps.append(("tickets", _n(m.get("tickets_per_month"))))
    steps += [
        ("revenue", money(m.get("revenue", "finance"))),
        ("profit", money(m.get("profit", "finance"))),
    ]
    return steps
