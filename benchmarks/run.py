"""The benchmark suite: speed and memory of the product against HiGHS on the same model.

    python benchmarks/run.py            # full: writes its section of benchmarks/RESULTS.md
    python benchmarks/run.py --quick    # CI: tiny sizes, few repetitions, every path, not timed

Absolute times on a shared machine are noise, so each comparison is made in the same run
against the raw solver: the product's own model written to MPS by its exporter
(``optimizer/analysis/export.py``) and solved by ``highspy`` directly, with the HiGHS options
the product's adapter sets (``mip_rel_gap``; ``highs_alone.py``). Ratios are the primary
figures. Targets, one suite each (``suites/``):

1. ``bundled``: a bundled scenario in full (read and validated, built, handed over, solved,
   duals with the headcounts fixed, ranging, checked, reported as JSON) in a median
   <= 20 ms in-process, and <= 4x HiGHS's own solve (``run``) of the same model. The extras
   the CLI adds by default (marginal values of every input, whole-person re-solves) are
   shown apart.
2. ``whatif``: 10 000 one-input what-ifs of the seed scenario
   (``optimizer.analysis.sweep.sweep``, two jobs) in under 20 s, each re-solve
   (``WhatIf.resolve``) >= 5x faster than rebuilding it (``WhatIf.rebuild``), measured on
   the same sample in one process, objectives equal.
3. ``large``: a 1 000-team x 24-month company (``benchmarks/scale.py``) end to end (load
   YAML, validate, build, hand over, solve, duals, ranging, check, JSON) <= 1.3x HiGHS
   reading and solving its MPS, with peak memory <= 2x; each side in its own process
   (``large_sides``), peak resident memory from ``wait4`` (``ru_maxrss``) and the child's
   own ``VmHWM`` (``processes.py``).
4. ``startup``: ``kpi-optimizer --help`` in under 1 s (median of subprocess runs), with
   the modules it imports at start-up (``python -X importtime``); and ``solve --format
   json`` on the seed within 2.5x the CPU of a process solving its MPS with highspy.
5. ``explain``: the command line's default answer (marginal values, whole-person values,
   every input's step with the plan's people held) within 3x the bare solve, in-process
   and as whole processes, on every bundled scenario; the full explanation beside it.

The harness (``harness.py``) runs them in turn between two readings of the machine's load
and control (``machine.py``), judges the targets (``targets.py``) and writes the section
of RESULTS.md (``results_md.py``).

Options: ``--out FILE`` (the markdown file whose section is replaced; default
benchmarks/RESULTS.md), ``--json FILE`` (every figure, for programs and tests),
``--large TxMxC[@GAP] ...`` (scale sizes, default 1000x24x6 1000x24x6@0.001 200x12x6, in
``suites/large.py``; the target is judged on every size that finishes within the time limit),
``--threads N`` (HiGHS threads for the large model, both sides; default HiGHS's own choice,
as ``solve`` makes), ``--time-limit S`` (per large solve), ``--no-profile``.
Where a target is not met, a cProfile of what dominates it is written into the results.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import harness  # noqa: E402

if __name__ == "__main__":
    harness.main(__doc__.splitlines()[0])
