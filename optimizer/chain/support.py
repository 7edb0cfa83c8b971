"""Customer support: every customer's tickets are handled within the agents' occupancy.

Per month t:

    tickets[t] = tickets per customer * (installed base + new customers per deal * sum_{u<=t, s} deals[u,s])
    handle minutes * tickets[t] <= productive minutes per agent * max occupancy * agents[t]
    productive minutes per agent = business days * hours per day * 60 * (1 - shrinkage)
"""

from __future__ import annotations

import numpy as np

from optimizer.chain.common import Vars, add_headcount
from optimizer.model import LinearModel
from optimizer.schema import Scenario

DEPT = "support"


def productive_minutes_per_agent(scenario: Scenario) -> float:
    """Minutes an agent is available for tickets in a month, after shrinkage."""
    cal, su = scenario.calendar, scenario.support
    return cal.business_days_per_month * cal.hours_per_day * 60.0 * (1.0 - su.shrinkage)


def add(model: LinearModel, scenario: Scenario, v: Vars) -> None:
    su = scenario.support
    if su is None:
        return
    months = v.months
    n = len(months)
    axes = [("month", months)]
    agents = add_headcount(
        model,
        v,
        var="agents",
        department=DEPT,
        role="support agents",
        axes=axes,
        minimum=su.agents.min,
        maximum=su.agents.max,
        path="support.agents",
    )
    tickets = model.add_vars("tickets", axes, unit="tickets")
    v["tickets"] = tickets
    deals = v["deals"]  # (month, team)
    won_by = np.tril(np.ones((n, n)))[:, :, None]  # deals won in month u <= t are customers in t
    model.add_rows(
        "ticket_total",
        department=DEPT,
        kind="definition",
        unit="tickets/month",
        description="Tickets come from the installed base plus every customer won so far.",
        axes=axes,
        lhs=[(1.0, tickets)],
        sense="==",
        rhs_terms=[
            (
                won_by * su.tickets_per_customer_per_month * su.new_customers_per_deal,
                np.broadcast_to(deals, (n,) + deals.shape),
            )
        ],
        rhs=su.tickets_per_customer_per_month * su.installed_base_customers,
    )
    model.add_rows(
        "capacity",
        department=DEPT,
        unit="minutes/month",
        description="Handling every ticket keeps agents below the maximum occupancy.",
        axes=axes,
        lhs=[(su.handle_minutes_per_ticket, tickets)],
        sense="<=",
        rhs_terms=[(productive_minutes_per_agent(scenario) * su.max_occupancy, agents)],
    )
