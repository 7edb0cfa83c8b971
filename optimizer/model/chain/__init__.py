"""The chain of connected numbers, one module per department.

``build_model`` states the whole model for a scenario: marketing feeds sales, sales
feeds delivery, the customer base and support, and finance needs the money, in profit
and in cash. Each constraint family's
equation is written once, in its department's module, with a docstring that states it.
"""

from __future__ import annotations

from optimizer.model.chain import (
    cash,
    customers,
    delivery,
    finance,
    marketing,
    objectives,
    sales,
    support,
)
from optimizer.model.chain.common import Vars
from optimizer.model.linear import LinearModel
from optimizer.scenario.names import Objective
from optimizer.scenario.schema import Scenario

__all__ = ["Vars", "build_model"]


def build_model(scenario: Scenario, objective: str | None = None) -> tuple[LinearModel, Vars]:
    """State the model for ``scenario`` with the chosen objective (default: the scenario's)."""
    objective = objective or scenario.objective
    model = LinearModel(sense=Objective(objective).sense)
    v = Vars(months=scenario.calendar.month_labels())
    marketing.add(model, scenario, v)
    sales.add(model, scenario, v)
    delivery.add(model, scenario, v)
    customers.add(model, scenario, v)
    support.add(model, scenario, v)
    customers.add_churn(model, scenario, v)
    finance.add(model, scenario, v)
    cash.add(model, scenario, v)
    objectives.add(model, scenario, v, objective)
    return model, v
