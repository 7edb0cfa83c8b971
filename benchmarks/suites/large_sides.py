"""Target 3's two sides, each run in its own process (``run.py --child product|raw|idle``).

``product``: the product end to end on the scale scenario's YAML (read, validate, solve
with ``marginals=False, whole_steps=False``, JSON), timed by phase, imports apart.
``raw``: HiGHS alone on the product's MPS (``highs_alone.raw_highs``), imports apart.
``idle``: the interpreter with only the modules a side imports, for the memory floor.
Each reports its own peak memory (``VmHWM``); ``processes.run_child`` adds ``ru_maxrss``.
"""

from __future__ import annotations

import cProfile
import json
import time
from pathlib import Path

from figures import stats_text
from highs_alone import product_highs_settings, quiet_fd1, raw_highs, use_threads
from processes import vm_hwm_kib


def child_product(args) -> dict:
    """The product end to end on a scenario file, in this (child) process."""
    start = time.perf_counter()
    from optimizer.analysis.solve import solve
    from optimizer.report.payload import to_json
    from optimizer.scenario.loading import read_scenario_file, validate, without_variants

    imports = time.perf_counter() - start
    hwm_imports = vm_hwm_kib()
    use_threads(args.threads)
    gap = {}
    if args.mip_gap is not None:
        import inspect

        if "mip_gap" in inspect.signature(solve).parameters:
            gap["mip_gap"] = float(args.mip_gap)
        else:  # an older product: the adapter's named default, read at each solve
            from optimizer.solvers import highs

            highs.MIP_GAP = float(args.mip_gap)
    settings = product_highs_settings()
    if args.mip_gap is not None:
        settings["mip_rel_gap"] = float(args.mip_gap)
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    times = {}
    t_all = time.perf_counter()
    t0 = time.perf_counter()
    data = without_variants(read_scenario_file(args.path))
    times["load"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    scenario = validate(data, args.path)
    times["validate"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    plan = solve(scenario, marginals=False, whole_steps=False, time_limit=args.time_limit, **gap)
    wall = time.perf_counter() - t0
    times.update(plan.times)
    times["other"] = max(0.0, wall - sum(plan.times.values()))
    t0 = time.perf_counter()
    text = json.dumps(to_json(plan))
    times["json"] = time.perf_counter() - t0
    total = time.perf_counter() - t_all
    if profiler:
        profiler.disable()
    hwm = vm_hwm_kib()
    if args.mip_gap is None:  # the default policy by model size (after the peak is read)
        settings["mip_rel_gap"] = policy_gap(args.path, settings)
    result = {
        "imports": imports,
        "times": times,
        "total": total,
        "status": plan.status.value,
        "verified": bool(plan.verified.ok),
        "objective": plan.objective,
        "json_bytes": len(text),
        "vm_hwm_kib": hwm,
        "vm_hwm_after_imports_kib": hwm_imports,
        "settings": settings,
        "mip_gap": plan.mip_gap,
        "mip_bound": getattr(plan, "mip_bound", None),
        "teams": len(scenario.sales.teams),
        "months": scenario.calendar.horizon_months,
        "channels": len(scenario.marketing.channels),
    }
    if profiler:
        result["profile"] = stats_text(profiler, 30)
    if args.raw_x:  # the raw solver's plan, valued by the product's model: same objective?
        import numpy as np

        from optimizer.model.chain import build_model

        x = np.load(args.raw_x)
        arrays = build_model(scenario)[0].arrays()
        result["raw_objective_reported"] = float(arrays.objective(x)) if len(x) else None
        result["size"] = {
            "rows": arrays.num_rows,
            "vars": arrays.num_vars,
            "integers": int(arrays.integer.sum()),
        }
    return result


def policy_gap(scenario_path: str, fallback: dict) -> float:
    """The MIP gap the product's default policy gives the scenario's model
    (``optimizer.solvers.GAP_POLICY``), or ``fallback``'s for a product without one."""
    try:
        from optimizer.solvers.highs import mip_gap
    except ImportError:
        return float(fallback["mip_rel_gap"])
    from optimizer.model.chain import build_model
    from optimizer.scenario.loading import read_scenario_file, validate, without_variants

    data = without_variants(read_scenario_file(scenario_path))
    return float(mip_gap(build_model(validate(data, scenario_path))[0].arrays()))


def child_raw(args) -> dict:
    """HiGHS alone on the MPS file, in this (child) process."""
    start = time.perf_counter()
    import highspy  # noqa: F401

    imports = time.perf_counter() - start
    hwm_imports = vm_hwm_kib()
    raw = raw_highs(Path(args.path), json.loads(args.settings), args.time_limit)
    if args.raw_x and raw["x"] is not None:
        import numpy as np

        np.save(args.raw_x, np.array(raw.pop("x")))
    raw.pop("x", None)
    return {
        **raw,
        "imports": imports,
        "vm_hwm_kib": vm_hwm_kib(),
        "vm_hwm_after_imports_kib": hwm_imports,
    }


def child_idle(args) -> dict:
    """Peak memory of the interpreter with the modules each side imports, doing nothing."""
    if args.path == "raw":
        import highspy

        with quiet_fd1():
            highspy.Highs()
    else:
        import optimizer.analysis.solve  # noqa: F401
        import optimizer.report  # noqa: F401
        import optimizer.scenario.loading  # noqa: F401
    return {"vm_hwm_kib": vm_hwm_kib()}


CHILDREN = {"product": child_product, "raw": child_raw, "idle": child_idle}
