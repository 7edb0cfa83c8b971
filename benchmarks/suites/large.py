"""Target 3: a large generated company end to end, against HiGHS alone, each side in its
own process.

The scenario is made by ``scale.py`` (T teams x M months x C channels, seed 0) and exported
to MPS by the CLI. The product (``large_sides.child_product``: load YAML, validate, build,
hand over, solve, duals, ranging, check, JSON) against HiGHS alone
(``large_sides.child_raw``: ``readModel`` and ``run``), both with the same HiGHS settings.
Targets on the 1 000 x 24 company: end to end <= 1.3x HiGHS's read + run, peak memory
(``ru_maxrss`` of each process) <= 2x, the LP with the whole numbers fixed (for the shadow
prices) <= 0.5x the integer solve, the report tables and JSON <= 0.10x the integer solve.
A size without ``@GAP`` runs both sides at the product's default gap for its model size
(``optimizer.solvers.GAP_POLICY``): the 200 x 12 company is answered end to end in <= 60 s
there, with the plan's proven gap shown.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import shutil
import subprocess
import sys
import time
from pathlib import Path

from figures import PHASE_WORDS, PHASES, fmt, ratio, rel_diff
from highs_alone import product_highs_settings
from processes import run_child

from suites.large_sides import policy_gap

TITLE = "3. large model"
KEY = "large"
LIMITS = {
    "t3_ratio": 1.3,
    "t3_memory": 2.0,
    "t3_fixed_lp": 0.5,
    "t3_report": 0.10,
    "t3_policy": 60.0,
}
POLICY_SIZE = (200, 12)
"""The company answered within ``LIMITS["t3_policy"]`` seconds at the default gap policy."""
REPORT_TEAMS = 1_000
"""Teams from which the report tables and JSON are judged against the integer solve."""
FULL_SIZES = [(1000, 24, 6, None), (1000, 24, 6, 1e-3), (200, 12, 6, None)]
"""The target's size at the product's default gap for its size (``GAP_POLICY``), the same at
1e-3 (both sides; the issue's setting), and the 200 x 12 company at the default policy
(84 s at the former default of 1e-7; 100 x 12 and 100 x 24 did not finish in 600 s there)."""
QUICK_SIZES = [(5, 3, 2, None), (3, 2, 2, 1e-3)]


def parse_size(text: str) -> tuple[int, int, int, float | None]:
    """``TxMxC`` or ``TxMxC@GAP``: teams, months, channels, and a MIP gap for both sides."""
    size, _, gap = text.lower().partition("@")
    parts = [int(p) for p in size.split("x")]
    if len(parts) == 2:
        parts.append(6)
    if len(parts) != 3:
        raise argparse.ArgumentTypeError(f"{text!r}: expected TEAMSxMONTHSxCHANNELS[@GAP]")
    return parts[0], parts[1], parts[2], float(gap) if gap else None


@functools.cache
def idle_memory(side: str) -> int:
    """Peak memory (KiB) of a process that only imports what ``side`` needs."""
    return run_child(["idle", side])["ru_maxrss_kib"]


def measure(args, tmp: Path) -> list[dict]:
    sizes = args.large or (QUICK_SIZES if args.quick else FULL_SIZES)
    return [bench_large(s, tmp, args.threads, args.time_limit, not args.no_profile) for s in sizes]


def bench_large(size, tmp: Path, threads, time_limit, profile: bool) -> dict:
    import scale

    teams, months, channels, gap = size
    label = f"{teams}x{months}x{channels}" + (f"@{gap:g}" if gap is not None else "")
    name = label.replace("@", "_gap")
    yaml_path = scale.write(tmp / f"scale_{name}.yaml", teams, months, channels, seed=0)
    mps = tmp / f"scale_{name}.mps"
    cli = shutil.which("kpi-optimizer")
    command = [cli] if cli else [sys.executable, "-c", "from optimizer.cli import main; main()"]
    t0 = time.perf_counter()
    subprocess.run(
        [*command, "export", str(yaml_path), "--format", "mps", "--out", str(mps)],
        check=True,
        capture_output=True,
    )
    export_s = time.perf_counter() - t0
    settings = product_highs_settings()  # the product's defaults, then this run's choices
    settings["threads"] = settings["threads"] if threads is None else threads
    settings["mip_rel_gap"] = policy_gap(yaml_path, settings) if gap is None else gap
    common = ["--time-limit", str(time_limit)] if time_limit else []
    product_args = [*common, "--threads", str(settings["threads"])]
    product_args += ["--mip-gap", str(gap)] if gap is not None else []
    raw_x = tmp / f"raw_x_{name}.npy"
    print(f"  {label}: HiGHS alone ...", flush=True)
    raw = run_child(
        ["raw", str(mps), "--settings", json.dumps(settings), "--raw-x", str(raw_x), *common]
    )
    out = {
        "size": label,
        "teams": teams,
        "months": months,
        "channels": channels,
        "yaml_bytes": yaml_path.stat().st_size,
        "mps_bytes": mps.stat().st_size,
        "export_s": export_s,
        "raw": raw,
        "settings": settings,
        "time_limit": time_limit,
        "gap_override": gap,
    }
    if raw["status"] != "Optimal":
        out["finished"] = False
        print(
            f"  {label}: HiGHS alone stopped: {raw['status']} after {raw['run']:.0f} s", flush=True
        )
        return out
    print(
        f"  {label}: HiGHS alone {raw['read']:.2f} s read + {raw['run']:.2f} s run; product ...",
        flush=True,
    )
    product = run_child(["product", str(yaml_path), "--raw-x", str(raw_x), *product_args])
    out["product"] = product
    out["settings_match"] = product["settings"] == settings
    out["finished"] = product["status"] in ("optimal", "feasible")  # feasible: within the gap
    t = product["total"]
    out["ratio_read_run"] = ratio(t, raw["read"] + raw["run"])
    out["ratio_run"] = ratio(t, raw["run"])
    out["memory_ratio"] = ratio(product["ru_maxrss_kib"], raw["ru_maxrss_kib"])
    out["memory_ratio_hwm"] = ratio(product["vm_hwm_kib"], raw["vm_hwm_kib"])
    out["objective_rel_diff"] = rel_diff(
        product["objective"], product.get("raw_objective_reported")
    )
    out["idle"] = {side: idle_memory(side) for side in ("raw", "product")}
    print(
        f"  {label}: product {t:.2f} s, {out['ratio_read_run']:.2f}x HiGHS read+run; memory "
        f"{out['memory_ratio']:.2f}x",
        flush=True,
    )
    met = out["ratio_read_run"] <= LIMITS["t3_ratio"] and out["memory_ratio"] <= LIMITS["t3_memory"]
    if profile and not met:
        print(f"  {label}: profiling the product ...", flush=True)
        out["profile"] = run_child(["product", str(yaml_path), "--profile", *product_args])[
            "profile"
        ]
    return out


def targets(results: dict, judged) -> None:
    unfinished = [r["size"] for r in results["large"] if not r.get("finished")]
    note = f"did not finish: {', '.join(unfinished)}" if unfinished else ""
    for r in results["large"]:
        if r.get("finished"):
            judged.add(
                "t3_ratio",
                f"{r['size']} end to end / HiGHS read+run",
                r["ratio_read_run"],
                LIMITS["t3_ratio"],
                "x",
                note,
            )
            judged.add(
                "t3_memory",
                f"{r['size']} peak memory / HiGHS process",
                r["memory_ratio"],
                LIMITS["t3_memory"],
                "x",
                note,
            )
    for r in results["large"]:
        if not r.get("finished"):
            continue
        times = r["product"]["times"]
        judged.add(
            "t3_fixed_lp",
            f"{r['size']} duals: fixed LP / integer solve",
            ratio(times.get("fixed_lp", math.nan), times.get("solve", math.nan)),
            LIMITS["t3_fixed_lp"],
            "x",
        )
        if r["teams"] >= REPORT_TEAMS or judged.quick:
            judged.add(
                "t3_report",
                f"{r['size']} report tables + JSON / integer solve",
                ratio(report_seconds(times), times.get("solve", math.nan)),
                LIMITS["t3_report"],
                "x",
                "tables: the constraint, target and variable tables with their words; JSON: "
                "to_json and json.dumps",
            )
        policy = r["gap_override"] is None
        if policy and ((r["teams"], r["months"]) == POLICY_SIZE or judged.quick):
            p = r["product"]
            judged.add(
                "t3_policy",
                f"{r['size']} at the default gap policy ({r['settings']['mip_rel_gap']:g}), end "
                "to end s",
                p["total"],
                LIMITS["t3_policy"],
                "s",
                f"{p['status']}, plan within {p['mip_gap']:.3%} of the best bound"
                if p.get("mip_gap") is not None
                else p["status"],
            )
    if not any(r.get("finished") for r in results["large"]):
        judged.unmeasured("t3", "large model", note)


def report_seconds(times: dict) -> float:
    """The report tables and JSON of a plan: the tables (``report``), the words added to
    them and the plan assembled (``other``: what the solve's own phases leave), the JSON."""
    parts = [times.get(k) for k in ("report", "json")]
    if any(p is None for p in parts):
        return math.nan
    return sum(parts) + times.get("other", 0.0)


def profile(results: dict, quick: bool, missed: set[str], profiles: dict) -> None:
    """The product's profile, taken in its own process by ``bench_large`` where missed."""
    for r in results["large"]:
        if "profile" in r:
            profiles[f"t3: {r['size']} end to end (product process)"] = r.pop("profile")


def markdown(r: dict) -> list[str]:
    out = ["", "### 3. A large company, end to end, each side in its own process", ""]
    out.append(
        "The scenario is made by `python benchmarks/scale.py OUT --teams T --months M "
        "--channels C` (seed 0) and exported with `kpi-optimizer export OUT --format mps`. "
        "Product: a process that reads the YAML, validates, solves (`marginals=False, "
        "whole_steps=False`), and writes the JSON. HiGHS alone: a process with `import "
        "highspy`, `Highs()`, `readModel`, `run`. Times exclude each interpreter's start-up "
        "and imports (shown apart). Peak memory: `ru_maxrss` of each child from `wait4` "
        "(and the child's own `VmHWM`, read before it exits; `ru_maxrss` comes through a "
        "small launcher process, since a child forked from this large process would count "
        "this one's pages). Both sides solve with the same HiGHS settings (the product's, "
        "above, with the `mip_rel_gap` its default policy gives the model's size, "
        "`optimizer.solvers.GAP_POLICY`; a size marked `@GAP` runs both sides at that gap); each side's "
        "settings are in the JSON (`--json`) and checked equal."
    )
    out += [
        "",
        "| | " + " | ".join(x["size"] for x in r["large"]) + " |",
        "|---|" + "---|" * len(r["large"]),
    ]
    return out + _large_rows(r["large"])


def _phase_cell(key: str):
    return lambda x: fmt(x["product"]["times"].get(key), 2)


def _large_rows(large: list[dict]) -> list[str]:
    def cell(x, fn):
        try:
            return fn(x)
        except (KeyError, TypeError):
            return "-"

    def mib(kib):
        return f"{kib / 1024:,.0f} MiB"

    rows = [
        (
            "model rows / columns / integers",
            lambda x: "{rows:,} / {vars:,} / {integers:,}".format(**x["product"]["size"]),
        ),
        (
            "YAML / MPS",
            lambda x: f"{x['yaml_bytes'] / 2**20:.1f} / {x['mps_bytes'] / 2**20:.1f} MiB",
        ),
        ("MIP gap asked (both sides)", lambda x: f"{x['settings']['mip_rel_gap']:g}"),
        ("HiGHS alone: status", lambda x: x["raw"]["status"]),
        (
            "HiGHS alone: MIP gap / nodes",
            lambda x: f"{x['raw']['mip_gap']:.1e} / {x['raw']['mip_nodes']:,}",
        ),
        ("HiGHS alone: readModel s", lambda x: fmt(x["raw"]["read"], 2)),
        ("HiGHS alone: run s", lambda x: fmt(x["raw"]["run"], 2)),
        (
            "product: plan",
            lambda x: f"{x['product']['status']}, verified {x['product']['verified']}",
        ),
        *[(f"product: {PHASE_WORDS[k]} s", _phase_cell(k)) for k in [*PHASES, "other"]],
        (
            "product: choice among equal plans (ties) s",
            lambda x: fmt(x["product"]["times"]["ties"], 2),
        ),
        (
            "product: plan's gap / best bound",
            lambda x: f"{x['product']['mip_gap']:.2e} / {x['product']['mip_bound']:,.0f}",
        ),
        (
            "fixed LP / integer solve",
            lambda x: (
                fmt(ratio(x["product"]["times"]["fixed_lp"], x["product"]["times"]["solve"]), 3)
                + "x"
            ),
        ),
        (
            "report tables + JSON / integer solve",
            lambda x: (
                fmt(ratio(report_seconds(x["product"]["times"]), x["product"]["times"]["solve"]), 3)
                + "x"
            ),
        ),
        ("**product end to end s**", lambda x: fmt(x["product"]["total"], 2)),
        ("**end to end / HiGHS read + run**", lambda x: fmt(x["ratio_read_run"], 3) + "x"),
        ("end to end / HiGHS run", lambda x: fmt(x["ratio_run"], 3) + "x"),
        (
            "objective, HiGHS alone against the product (relative)",
            lambda x: f"{x['objective_rel_diff']:.1e}",
        ),
        (
            "peak memory: HiGHS alone / product",
            lambda x: f"{mib(x['raw']['ru_maxrss_kib'])} / {mib(x['product']['ru_maxrss_kib'])}",
        ),
        ("**peak memory, product / HiGHS alone**", lambda x: fmt(x["memory_ratio"], 2) + "x"),
        (
            "VmHWM in the child: HiGHS alone / product",
            lambda x: f"{mib(x['raw']['vm_hwm_kib'])} / {mib(x['product']['vm_hwm_kib'])}",
        ),
        (
            "imports only (peak): HiGHS alone / product",
            lambda x: f"{mib(x['idle']['raw'])} / {mib(x['idle']['product'])}",
        ),
        (
            "imports s: HiGHS alone / product",
            lambda x: f"{x['raw']['imports']:.2f} / {x['product']['imports']:.2f}",
        ),
        ("export to MPS (CLI, own process) s", lambda x: fmt(x["export_s"], 2)),
    ]
    return [f"| {label} | " + " | ".join(cell(x, fn) for x in large) + " |" for label, fn in rows]
