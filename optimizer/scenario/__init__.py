"""Stage 1, the scenario: what leadership writes, validated, and what each input is called.

``schema`` (pydantic models, units and ranges), ``loading`` (safe YAML with budgets, clear
errors), ``inputs`` (every numeric input by path: list, move, validate), ``variants``
(named changes of one file) and ``labels`` (labels, units and natural steps, defined once
as data). Imports only ``optimizer.runtime``.
"""
