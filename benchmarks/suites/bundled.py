"""Target 1: a bundled scenario in full, in-process, against HiGHS alone on its MPS.

In full: read and validate the file, ``solve(scenario, marginals=False,
whole_steps=False)`` (build, hand-over, HiGHS, duals with the headcounts fixed, ranging,
check, report tables), ``to_json`` and ``json.dumps``, timed by phase. Against: a new
``Highs()``, ``readModel`` of the product's own model as MPS, ``run`` (``highs_alone``),
alternated with the product's runs. Targets: the seed scenario's median <= 20 ms and
<= 4x HiGHS's ``run``. The extras the CLI adds by default (marginal values of every input,
whole-person re-solves) are measured apart, against the answer in full.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from figures import PHASE_WORDS, PHASES, fmt, median, profile_text, ratio, rel_diff
from highs_alone import product_highs_settings, raw_highs

ROOT = Path(__file__).resolve().parent.parent.parent
TITLE = "1. bundled scenarios in full"
KEY = "bundled"
BUNDLED = ["seed_company", "software_company", "regional_sales"]
LIMITS = {"t1_ms": 20.0, "t1_ratio": 4.0}


def full_answer(path: Path, marginals: bool = False, whole_steps: bool = False):
    """One answer in full, timed by phase: read, validate, solve (its own phases), JSON."""
    from optimizer.analysis.solve import solve
    from optimizer.report.payload import to_json
    from optimizer.scenario.loading import read_scenario_file, validate, without_variants

    times = {}
    t0 = time.perf_counter()
    data = without_variants(read_scenario_file(path))
    times["load"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    scenario = validate(data, str(path))
    times["validate"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    plan = solve(scenario, marginals=marginals, whole_steps=whole_steps, source=str(path))
    wall = time.perf_counter() - t0
    times.update(plan.times)
    times["other"] = max(0.0, wall - sum(plan.times.values()))
    t0 = time.perf_counter()
    json.dumps(to_json(plan))
    times["json"] = time.perf_counter() - t0
    times["total"] = times["load"] + times["validate"] + wall + times["json"]
    return plan, times


def measure(args, tmp: Path) -> list[dict]:
    quick = args.quick
    return bench_bundled(
        reps=2 if quick else 31,
        extra_reps=1 if quick else 5,
        extra_names=["seed_company"] if quick else BUNDLED,
        tmp=tmp,
    )


def bench_bundled(reps: int, extra_reps: int, extra_names: list[str], tmp: Path) -> list[dict]:
    import numpy as np

    from optimizer.analysis.export import model_text
    from optimizer.model.chain import build_model
    from optimizer.scenario.loading import load_scenario

    settings = product_highs_settings()
    rows = []
    for name in BUNDLED:
        path = ROOT / "scenarios" / f"{name}.yaml"
        scenario = load_scenario(path)
        model, _ = build_model(scenario)
        arrays = model.arrays()
        mps = tmp / f"{name}.mps"
        mps.write_text(model_text(model, "mps"), encoding="utf-8")
        full_answer(path)  # warm-up: imports, first HiGHS
        raw_highs(mps, settings)
        product, raw = [], []
        for _ in range(reps):  # alternate, so both sides see the same machine
            plan, times = full_answer(path)
            product.append(times)
            raw.append(raw_highs(mps, settings))
        last = raw[-1]
        raw_reported = arrays.objective(np.array(last["x"])) if last["x"] is not None else None
        row = {
            "scenario": name,
            "reps": reps,
            "status": plan.status.value,
            "verified": bool(plan.verified.ok),
            "objective": plan.objective,
            "raw_status": last["status"],
            "raw_objective": last["objective"],
            "raw_objective_reported": raw_reported,
            "objective_rel_diff": rel_diff(plan.objective, raw_reported),
            "phases_ms": {k: 1000 * median(t.get(k) for t in product) for k in [*PHASES, "other"]},
            "phases_present": sorted(set().union(*(t.keys() for t in product))),
            "total_ms": 1000 * median(t["total"] for t in product),
            "raw_read_ms": 1000 * median(r["read"] for r in raw),
            "raw_run_ms": 1000 * median(r["run"] for r in raw),
            "size": {
                "rows": arrays.num_rows,
                "vars": arrays.num_vars,
                "integers": int(arrays.integer.sum()),
            },
        }
        row["ratio_run"] = ratio(row["total_ms"], row["raw_run_ms"])
        row["ratio_read_run"] = ratio(row["total_ms"], row["raw_read_ms"] + row["raw_run_ms"])
        if name in extra_names:
            row["extras"] = bench_extras(path, extra_reps, row["total_ms"])
        rows.append(row)
        print(
            f"  {name}: {row['total_ms']:.1f} ms in full, raw HiGHS run "
            f"{row['raw_run_ms']:.1f} ms, {row['ratio_run']:.2f}x",
            flush=True,
        )
    return rows


def bench_extras(path: Path, reps: int, base_ms: float) -> dict:
    """The CLI's defaults on top: marginal values, whole-person re-solves, both."""
    configs = {
        "marginals": (True, False),
        "whole_steps": (False, True),
        "cli_default": (True, True),
    }
    out = {}
    for key, (marginals, whole) in configs.items():
        totals, parts = [], []
        for _ in range(reps):
            _, times = full_answer(path, marginals=marginals, whole_steps=whole)
            totals.append(times["total"])
            parts.append(times)
        total = 1000 * median(totals)
        out[key] = {
            "total_ms": total,
            "extra_ms": total - base_ms,
            "marginal_values_ms": 1000 * median(t.get("marginal_values") for t in parts),
            "report_ms": 1000 * median(t.get("report") for t in parts),
        }
    return out


def targets(results: dict, judged) -> None:
    seed = next(r for r in results["bundled"] if r["scenario"] == "seed_company")
    judged.add("t1_ms", "seed scenario in full, median", seed["total_ms"], LIMITS["t1_ms"], "ms")
    judged.add(
        "t1_ratio",
        "seed scenario in full / HiGHS run of its MPS",
        seed["ratio_run"],
        LIMITS["t1_ratio"],
        "x",
    )


def profile(results: dict, quick: bool, missed: set[str], profiles: dict) -> None:
    if missed & {"t1_ms", "t1_ratio"}:
        path = ROOT / "scenarios" / "seed_company.yaml"
        reps = 2 if quick else 50
        profiles["t1: seed scenario in full"] = profile_text(
            lambda: [full_answer(path) for _ in range(reps)]
        )


def markdown(r: dict) -> list[str]:
    out = ["", "### 1. A bundled scenario in full, in-process", ""]
    out.append(
        f"Median of {r['bundled'][0]['reps']} runs each (phases are medians; they need not add up "
        "to the total's median). In full: read and validate the file, `solve(scenario, "
        "marginals=False, whole_steps=False)` (build, hand-over, HiGHS, duals of the LP with "
        "the headcounts fixed, ranging, check, report tables), `to_json` and `json.dumps`. "
        "HiGHS alone: a new `Highs()`, `readModel` of the MPS, `run`, alternated with the "
        "product's runs. ms:"
    )
    out += [
        "",
        "| phase | " + " | ".join(b["scenario"] for b in r["bundled"]) + " |",
        "|---|" + "---|" * len(r["bundled"]),
    ]
    for key in [*PHASES, "other"]:
        out.append(
            f"| {PHASE_WORDS[key]} | "
            + " | ".join(fmt(b["phases_ms"].get(key), 2) for b in r["bundled"])
            + " |"
        )
    for label, key, digits in [
        ("**total (median)**", "total_ms", 2),
        ("HiGHS alone: readModel", "raw_read_ms", 2),
        ("HiGHS alone: run", "raw_run_ms", 2),
        ("**total / HiGHS run**", "ratio_run", 2),
        ("total / HiGHS read + run", "ratio_read_run", 2),
    ]:
        out.append(f"| {label} | " + " | ".join(fmt(b[key], digits) for b in r["bundled"]) + " |")
    out.append(
        "| plan | "
        + " | ".join(f"{b['status']}, verified {b['verified']}" for b in r["bundled"])
        + " |"
    )
    out.append(
        "| objective, HiGHS alone against the product (relative) | "
        + " | ".join(f"{b['objective_rel_diff']:.1e}" for b in r["bundled"])
        + " |"
    )
    out.append(
        "| model rows / columns / integers | "
        + " | ".join(
            f"{b['size']['rows']} / {b['size']['vars']} / {b['size']['integers']}"
            for b in r["bundled"]
        )
        + " |"
    )
    extras = [b for b in r["bundled"] if "extras" in b]
    if extras:
        out += [
            "",
            "The extras the CLI adds by default, apart (median total ms, and what they "
            "add to the answer in full):",
            "",
            "| scenario | + marginal values | + whole-person re-solves | CLI default (both) |",
            "|---|---|---|---|",
        ]
        for b in extras:
            e = b["extras"]
            out.append(
                f"| {b['scenario']} | "
                + " | ".join(
                    f"{fmt(e[k]['total_ms'], 1)} ({e[k]['extra_ms']:+.1f})"
                    for k in ("marginals", "whole_steps", "cli_default")
                )
                + " |"
            )
    return out
