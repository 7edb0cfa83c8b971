"""Delivery or manufacturing: what sales sells must be built, on time, by the workers.

Rows, with their equations in ``optimizer.scenario.families``: delivery-units_total,
-capacity, -on_time, -build_to_order and the workers' headcount.

With a lead time of L months, units sold in month u are delivered by u + L, and all are
built by the horizon's end: units sold in the last L months are due after the horizon but
built (and paid for) within it, so a lead time shifts work without making it free. With no
lead time, on_time is an equality: each month builds exactly what it sells.
"""

from __future__ import annotations

import numpy as np

from optimizer.model.chain import funnel
from optimizer.model.chain.common import Vars, add_family, add_headcount
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
    add_headcount(
        model,
        v,
        var="workers",
        department=DEPT,
        role="delivery workers",
        axes=axes,
        minimum=de.workers.min,
        maximum=de.workers.max,
        path="delivery.workers",
        staff=de.workers,
    )
    sold = model.add_vars("units_sold", axes, unit="units")
    made = model.add_vars("production", axes, unit="units")
    v["units_sold"], v["production"] = sold, made

    add_family(
        model,
        f"{DEPT}-units_total",
        axes=axes,
        lhs=[(1.0, sold)],
        sense="==",
        rhs_terms=[(funnel.units_per_deal(scenario)[None, :], v["deals"])],
    )
    add_family(
        model,
        f"{DEPT}-capacity",
        axes=axes,
        lhs=[(1.0, made)],
        sense="<=",
        rhs_terms=[(de.units_per_worker_per_month, v.working("workers"))],
    )
    lead = de.lead_time_months
    made_by = np.tril(np.ones((n, n)))  # made_by[t, u] = 1 when u <= t
    due_by = np.tril(np.ones((n, n)), k=-lead)  # sold in u, due by t
    due_by[-1, :] = 1.0  # everything sold is built by the end of the horizon
    # With no lead time the row only says "build what was sold": an identity nobody can
    # move. Its sentence says so, and the report reads it as one (labels.row_kind); the
    # model keeps it a limit so that compare can still break it elastically.
    add_family(
        model,
        f"{DEPT}-on_time",
        variant="no lead time" if lead == 0 else "",
        axes=axes,
        lhs=[(made_by, np.broadcast_to(made, (n, n)))],
        sense="==" if lead == 0 else ">=",
        rhs_terms=[(due_by, np.broadcast_to(sold, (n, n)))],
        parameter="delivery.lead_time_months",
    )
    if lead > 0 and n > 1:
        early = months[:-1]
        add_family(
            model,
            f"{DEPT}-build_to_order",
            axes=[("month", early)],
            lhs=[(made_by[:-1], np.broadcast_to(made, (n - 1, n)))],
            sense="<=",
            rhs_terms=[(made_by[:-1], np.broadcast_to(sold, (n - 1, n)))],
        )
