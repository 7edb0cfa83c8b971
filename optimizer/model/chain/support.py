"""Customer support: every customer's tickets are handled within the agents' occupancy.

Rows, with their equations in ``optimizer.scenario.families``: support-ticket_total,
-capacity and the agents' headcount. An agent's productive minutes in a month are that
month's business days x hours a day x 60 x (1 - shrinkage) (``productive_minutes_per_agent``);
tickets per customer may differ month by month too.

Optionally, tickets are closed to a closure-time target (Erlang C over a working day),
and live channels (phone, chat) are staffed for their service level by Erlang C in the
busiest interval, in whole people (``optimizer.model.chain.service_levels``).
"""

from __future__ import annotations

import numpy as np

from optimizer.model.chain.common import Vars, add_family, add_headcount
from optimizer.model.chain.service_levels import add_service_level
from optimizer.model.linear import LinearModel
from optimizer.scenario.schema import Scenario

DEPT = "support"


def productive_minutes_per_agent(scenario: Scenario) -> np.ndarray:
    """Minutes an agent is available for tickets in each month, after shrinkage."""
    cal, su = scenario.calendar, scenario.support
    days = scenario.per_month(cal.business_days_per_month)
    return days * cal.hours_per_day * 60.0 * (1.0 - su.shrinkage)


def add(model: LinearModel, scenario: Scenario, v: Vars) -> None:
    su = scenario.support
    if su is None:
        return
    months = v.months
    n = len(months)
    axes = [("month", months)]
    add_headcount(
        model,
        v,
        var="agents",
        department=DEPT,
        role="support agents",
        axes=axes,
        minimum=su.agents.min,
        maximum=su.agents.max,
        path="support.agents",
        staff=su.agents,
    )
    tickets = model.add_vars("tickets", axes, unit="tickets")
    v["tickets"] = tickets
    per_customer = scenario.per_month(su.tickets_per_customer_per_month)
    terms, installed = _customers(scenario, v)
    add_family(
        model,
        f"{DEPT}-ticket_total",
        variant="recurring" if "customers" in v else "",
        axes=axes,
        lhs=[(1.0, tickets)],
        sense="==",
        rhs_terms=[
            (coef * per_customer.reshape((n,) + (1,) * (np.ndim(idx) - 1)), idx)
            for coef, idx in terms
        ],  # fmt: skip
        rhs=per_customer * installed,
    )
    add_family(
        model,
        f"{DEPT}-capacity",
        axes=axes,
        lhs=[(su.handle_minutes_per_ticket, tickets)],
        sense="<=",
        rhs_terms=[
            (productive_minutes_per_agent(scenario) * su.max_occupancy, v.working("agents"))
        ],
    )
    customers = _customers(scenario, v)
    if su.ticket_closure is not None:
        _add_ticket_closure(model, scenario, v, customers)
    for channel in su.live_channels:
        _add_live_channel(model, scenario, v, channel, customers)


def _customers(scenario: Scenario, v: Vars) -> tuple[list, float]:
    """The customers support serves each month, as (terms, constant): with recurring revenue
    the model's customers (``optimizer.model.chain.customers``), else the installed base +
    new customers per deal * deals closed up to t."""
    if "customers" in v:
        return [(1.0, v["customers"])], 0.0
    su, deals = scenario.support, v["deals"]
    n = len(v.months)
    won_by = np.tril(np.ones((n, n)))[:, :, None] * su.new_customers_per_deal
    return [(won_by, np.broadcast_to(deals, (n,) + deals.shape))], su.installed_base_customers


def _add_ticket_closure(model: LinearModel, scenario: Scenario, v: Vars, customers) -> None:
    """Tickets of a working day are closed within the target hours, by Erlang C over a day."""
    su, cal = scenario.support, scenario.calendar
    closure = su.ticket_closure
    levels = closure.levels()
    per_day = model.add_vars("tickets_per_day", [("month", v.months)], unit="tickets")
    add_family(
        model,
        f"{DEPT}-tickets_per_day_total",
        axes=[("month", v.months)],
        lhs=[(scenario.per_month(cal.business_days_per_month), per_day)],
        sense="==",
        rhs_terms=[(1.0, v["tickets"])],
    )
    add_service_level(
        model,
        v,
        key="ticket_closure",
        contacts=per_day,
        agents=v.working("agents"),
        max_agents=su.agents.max,
        whole=not su.agents.flows,
        table=dict(
            interval_minutes=cal.hours_per_day * 60.0,
            aht_seconds=su.handle_minutes_per_ticket * 60.0,
            answer_within_seconds=(levels[0].within_hours or 1.0) * 3600.0,
            service_level=levels[0].service_level,
            max_occupancy=su.max_occupancy,
            shrinkage=su.shrinkage,
            max_asa_seconds=None,
        ),
        variant="ticket closure" if not closure.bands else "closure bands",
        fill={"share": closure.share, "hours": closure.within_hours, "line": "ticket desk",
              "bands": _band_names(closure.bands)},
        parameter="support.ticket_closure.share" if not closure.bands else None,
        bands=[(b.name, {"service_level": b.service_level,
                         "answer_within_seconds": (b.within_hours or 1.0) * 3600.0})
               for b in closure.bands],
    )  # fmt: skip


def _band_names(bands) -> str:
    return ", ".join(b.name for b in bands)


def _add_live_channel(model: LinearModel, scenario: Scenario, v: Vars, channel, customers) -> None:
    """A phone or chat channel: contacts in the busiest interval, answered to its service level.

    contacts[t] = contacts per customer * customers[t] * peak factor / intervals a month,
    intervals a month = that month's business days * hours per day * 60 / interval minutes.
    """
    cal = scenario.calendar
    axes = [("month", v.months)]
    key = channel.name
    path = f"support.live_channels[{key}]"
    add_headcount(
        model,
        v,
        var=f"{key}_agents",
        department=DEPT,
        role=f"{key} agents",
        axes=axes,
        minimum=channel.agents.min,
        maximum=channel.agents.max,
        path=f"{path}.agents",
        staff=channel.agents,
    )
    contacts = model.add_vars(f"{key}_contacts", axes, unit="contacts")
    v[f"{key}_contacts"] = contacts
    days = scenario.per_month(cal.business_days_per_month)
    intervals = days * cal.hours_per_day * 60.0 / channel.interval_minutes
    per_customer = channel.contacts_per_customer_per_month * channel.peak_factor / intervals
    terms, installed = customers
    add_family(
        model,
        f"{DEPT}-{key}_contacts_total",
        fill={"Line": key.capitalize(), "interval": f"{channel.interval_minutes:g}"},
        axes=axes,
        lhs=[(1.0, contacts)],
        sense="==",
        rhs_terms=[
            (coef * per_customer.reshape((-1,) + (1,) * (np.ndim(idx) - 1)), idx)
            for coef, idx in terms
        ],  # fmt: skip
        rhs=installed * per_customer,
    )
    add_service_level(
        model,
        v,
        key=key,
        contacts=contacts,
        agents=v.working(f"{key}_agents"),
        max_agents=channel.agents.max,
        whole=not channel.agents.flows,
        table=dict(
            interval_minutes=channel.interval_minutes,
            aht_seconds=channel.handle_seconds,
            answer_within_seconds=channel.levels()[0].answer_within_seconds or 1.0,
            service_level=channel.levels()[0].service_level,
            max_occupancy=channel.max_occupancy,
            shrinkage=channel.shrinkage,
            max_asa_seconds=channel.max_asa_seconds,
        ),
        variant="" if not channel.bands else "bands",
        fill={
            "level": (channel.service_level or 0) * 100,
            "within": channel.answer_within_seconds,
            "line": key,
            "share": channel.service_level,
            "occupancy": channel.max_occupancy,
            "bands": _band_names(channel.bands),
        },
        parameter=f"{path}.service_level" if not channel.bands else None,
        bands=[(b.name, {"service_level": b.service_level,
                         "answer_within_seconds": b.answer_within_seconds or 1.0})
               for b in channel.bands],
    )  # fmt: skip
