"""The end of the horizon: does the plan starve its last month?

A plan over months can look good by spending nothing at its end: in the last months,
advertising and conversations only fill a pipeline that closes after the plan. The
horizon-end credit (``Scenario.horizon_end``: deals still open at the end count at a share
of their value) keeps that from paying; ``starved_last_month`` says in words when a plan
still cuts its last month's ad spend, and why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.scenario import labels
from optimizer.scenario.schema import Scenario

STARVED_SHARE = 0.5
"""The last month is starved when its ad spend is below this share of the months' before."""


def starved_last_month(scenario: Scenario, targets: pd.DataFrame) -> str | None:
    """A sentence when the last month's ad spend is below ``STARVED_SHARE`` of the average
    of the months before it, naming the horizon-end setting behind it; else None."""
    spend = targets[(targets["role"] == "finance") & (targets["metric"] == "ad_spend")]
    values = spend["value"].to_numpy(dtype=float)
    if len(values) < 2:
        return None
    before, last = float(np.mean(values[:-1])), float(values[-1])
    if before <= 0 or last >= STARVED_SHARE * before:
        return None
    month = labels.month_label(str(spend["period"].iloc[-1]))
    cycle = any(any(s > 0 for s in t.close_profile[1:]) for t in scenario.sales.teams)
    share = scenario.horizon_end.open_pipeline_value_share
    if cycle and share < 1:
        why = (
            "deals from its conversations close after the plan ends, and they count at only "
            f"{share:.0%} of their value (horizon_end.open_pipeline_value_share)"
        )
    elif cycle:
        why = "what it would sell costs more to deliver and support within the plan than it earns"
    else:
        why = "its sales would cost more within the plan than they earn before it ends"
    return (
        f"The plan cuts ad spend in its last month, {month}: {labels.money(last)} against "
        f"{labels.money(before)} a month before; {why}. A longer horizon, or crediting the "
        "open pipeline, plans the last month as a going concern."
    )
