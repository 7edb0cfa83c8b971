"""Stage 2, the model: the scenario as a linear model, and the arithmetic it needs.

``linear`` (``LinearModel``: named variable and row blocks; ``ModelArrays``: its numbers),
``chain`` (one module per department; each constraint family's equation lives there, in
its docstring), ``erlang`` (service-level staffing tables), ``elastic`` (elastic rows for
evaluating today's targets) and ``implied`` (what a per-rep target implies). No solver.
"""
