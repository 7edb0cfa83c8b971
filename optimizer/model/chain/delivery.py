"""Delivery or manufacturing: what sales sells must be built, on time, by the workers.

Per month t, with lead time L months:

    units_sold[t]                 = units per deal * sum_s deals[t,s]
    production[t]                <= units per worker * workers[t]
    sum_{u<=t} production[u]     >= sum_{u<=t-L} units_sold[u]   (sold in u, delivered by u+L)
    sum_{u<=T} production[u]     >= sum_{u<=T} units_sold[u]     (all built by the horizon's end)
    sum_{u<=t} production[u]     <= sum_{u<=t} units_sold[u]     (built to order, never ahead; t < T)

Units sold in the last L months are due after the horizon, but they are built (and
paid for) within it, so a lead time shifts work without making it free. With no lead
time, on_time is an equality: each month builds exactly what it sells.
"""

from __future__ import annotations

import numpy as np

from optimizer.model.chain.common import Vars, add_headcount
from optimizer.model.linear import LinearModel
from optimizer.scenario.schema import Scenario

DEPT = "delivery"


def add(model: LinearModel, scenario: Scenario, v: Vars) -> None:
    de = scenario.delivery
    if de is None:
        return
    months = v.months
    n = len(months)
    axes = [("month", months)]
    workers = add_headcount(
        model,
        v,
        var="workers",
        department=DEPT,
        role="delivery workers",
        axes=axes,
        minimum=de.workers.min,
        maximum=de.workers.max,
        path="delivery.workers",
    )
    sold = model.add_vars("units_sold", axes, unit="units")
    made = model.add_vars("production", axes, unit="units")
    v["units_sold"], v["production"] = sold, made

    model.add_rows(
        "units_total",
        department=DEPT,
        kind="definition",
        unit="units/month",
        description="Units sold are deals times the units in a deal.",
        axes=axes,
        lhs=[(1.0, sold)],
        sense="==",
        rhs_terms=[(de.units_per_deal, v["deals"])],
    )
    model.add_rows(
        "capacity",
        department=DEPT,
        unit="units/month",
        description="Production cannot exceed what the delivery workers can build in a month.",
        axes=axes,
        lhs=[(1.0, made)],
        sense="<=",
        rhs_terms=[(de.units_per_worker_per_month, workers)],
        nature="capacity",
    )
    lead = de.lead_time_months
    made_by = np.tril(np.ones((n, n)))  # made_by[t, u] = 1 when u <= t
    due_by = np.tril(np.ones((n, n)), k=-lead)  # sold in u, due by t
    due_by[-1, :] = 1.0  # everything sold is built by the end of the horizon
    # With no lead time the row only says "build what was sold": an identity nobody can
    # move. Its description says so, and the report reads it as one (labels.row_kind);
    # the model keeps it a limit so that compare can still break it elastically.
    model.add_rows(
        "on_time",
        department=DEPT,
        unit="units",
        description=(
            "Each month builds exactly the units it sells (no lead time)."
            if lead == 0
            else "Every unit sold is delivered within the promised lead time."
        ),
        axes=axes,
        lhs=[(made_by, np.broadcast_to(made, (n, n)))],
        sense="==" if lead == 0 else ">=",
        rhs_terms=[(due_by, np.broadcast_to(sold, (n, n)))],
        parameter="delivery.lead_time_months",
    )
    if lead > 0 and n > 1:
        early = months[:-1]
        model.add_rows(
            "build_to_order",
            department=DEPT,
            unit="units",
            description="Units are built to order: production never runs ahead of sales.",
            axes=[("month", early)],
            lhs=[(made_by[:-1], np.broadcast_to(made, (n - 1, n)))],
            sense="<=",
            rhs_terms=[(made_by[:-1], np.broadcast_to(sold, (n - 1, n)))],
        )
