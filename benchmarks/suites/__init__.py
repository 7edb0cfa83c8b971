"""The suites of ``benchmarks/run.py``, in the order they run and are reported.

Each module measures one target against a baseline taken in the same run, and has:
``TITLE`` (its progress line and key in ``section_s``), ``KEY`` (its key in the results),
``LIMITS``, ``measure(args, tmp)``, ``targets(results, judged)`` (its rows of the targets
table), ``profile(results, quick, missed, profiles)`` (a cProfile of what dominates a
target missed) and ``markdown(results)`` (its section of RESULTS.md, as lines).
"""

from __future__ import annotations

from suites import backends, batch, bundled, explain, large, startup, whatif

SUITES = [bundled, whatif, large, startup, explain, backends, batch]
