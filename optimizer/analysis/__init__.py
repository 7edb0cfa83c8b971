"""Stage 4, analysis: the questions a leader asks, answered with the solvers.

``solve`` (the pipeline: build, solve, check, assemble a ``result.Plan``), ``check`` (the
independent check, from the scenario's inputs alone), ``targets`` (per-role targets from a
plan), ``marginal`` and ``ties`` (prices and a unique plan among equal ones), ``explain``
(what moves the plan), ``whatif`` and ``sweep`` (re-solves with inputs moved), ``compare``
and ``current`` (today's targets against the plan), ``diagnose`` (why no plan, and the
cheapest repair), ``crosscheck`` (a second solver), ``diff``, ``export``, ``records`` and
``wording`` (the sentences about broken limits).
"""
