"""HiGHS alone: the baseline every ratio is taken against.

The product's own model, written to MPS by its exporter, read by a new ``highspy.Highs()``
and solved with ``run``, with the HiGHS settings the product's adapter
(``optimizer/solvers/highs.py``) solves with, so both sides solve the same model the same
way. ``read`` and ``run`` are timed apart.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def quiet_fd1():
    """HiGHS prints a banner on fd 1 at its first ``Highs()``: keep it out of the output."""
    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def product_highs_settings() -> dict:
    """The HiGHS settings the product's adapter (``optimizer/solvers/highs.py``) solves with.

    ``options`` are set on every solve, ``mip_rel_gap`` on integer models, ``threads`` is
    the process's thread count (0: HiGHS's own choice). HiGHS alone gets the same, so the
    two sides solve the same model the same way.
    """
    from optimizer.solvers import highs

    return {
        "options": dict(getattr(highs, "OPTIONS", {})),
        "mip_rel_gap": float(getattr(highs, "MIP_GAP", 1e-7)),
        "threads": int(highs.threads()) if hasattr(highs, "threads") else 0,
    }


def use_threads(count: int | None) -> None:
    """Make this process's product solves use ``count`` HiGHS threads (None: its default)."""
    from optimizer.solvers import highs

    if hasattr(highs, "use_threads"):
        highs.use_threads(count)
    elif count is not None:
        raise RuntimeError("this version of the product has no HiGHS thread setting")


def raw_highs(mps: Path, settings: dict, time_limit: float | None = None) -> dict:
    """HiGHS alone: a new ``Highs()`` with ``settings``, ``readModel`` of the MPS, ``run``.

    The product's MPS export minimises a maximising model's negative and says so in its
    first line (``optimizer.analysis.export``); the objective and bound are given back in
    the model's own sense, to compare with the product's."""
    import highspy

    with open(mps, encoding="utf-8") as f:
        sign = -1.0 if "minimises its negative" in f.readline() else 1.0

    with quiet_fd1():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", int(settings["threads"]))
    for key, value in settings["options"].items():
        h.setOptionValue(key, value)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    t0 = time.perf_counter()
    h.readModel(str(mps))
    read = time.perf_counter() - t0
    mip = any(t != highspy.HighsVarType.kContinuous for t in h.getLp().integrality_)
    if mip:
        h.setOptionValue("mip_rel_gap", float(settings["mip_rel_gap"]))
    t0 = time.perf_counter()
    h.run()
    run = time.perf_counter() - t0
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    x = list(h.getSolution().col_value) if status == "Optimal" else None
    return {
        "read": read,
        "run": run,
        "status": status,
        "x": x,
        "objective": sign * info.objective_function_value if status == "Optimal" else None,
        "primal_bound": sign * info.objective_function_value if mip else None,
        "mip_gap": info.mip_gap if mip else None,
        "mip_nodes": info.mip_node_count if mip else None,
    }
