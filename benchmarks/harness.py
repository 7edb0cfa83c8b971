"""The harness: command-line options, the run (each suite in turn, timed, between two
readings of the machine's load and control), the targets judged, the profiles of those
missed, and the outputs (the section of RESULTS.md, the JSON of every figure).

What each suite measures, and against what, is in its module under ``suites/``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from highs_alone import product_highs_settings
from machine import machine, machine_info
from results_md import markdown, write_section
from suites import SUITES
from suites.large import parse_size
from suites.large_sides import CHILDREN
from targets import Targets, missed

HERE = Path(__file__).resolve().parent


def parse_args(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="tiny sizes; every path, not timed")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--json", type=Path, help="also write every figure as JSON")
    parser.add_argument("--large", type=parse_size, nargs="+", metavar="TxMxC")
    parser.add_argument("--threads", type=int, help="HiGHS threads, large model (both sides)")
    parser.add_argument(
        "--time-limit", type=float, help="per large solve, s (default 600; quick 60)"
    )
    parser.add_argument("--no-profile", action="store_true")
    # a child process of this script (one side of the large-model comparison)
    parser.add_argument("--child", choices=["product", "raw", "idle"], help=argparse.SUPPRESS)
    parser.add_argument("path", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--settings", default="{}", help=argparse.SUPPRESS)
    parser.add_argument("--mip-gap", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--raw-x", help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def main(description: str) -> None:
    args = parse_args(description)
    if args.child:  # one side of a comparison, in its own process: its result as JSON
        result = CHILDREN[args.child](args)
        Path(args.result).write_text(json.dumps(to_jsonable(result)), encoding="utf-8")
        return
    if args.time_limit is None:
        args.time_limit = 60.0 if args.quick else 600.0
    results = run(args)
    section = markdown(results, SUITES)
    write_section(args.out, section)
    if args.json:
        args.json.write_text(json.dumps(to_jsonable(results), indent=1), encoding="utf-8")
    print()
    print(section)


def run(args) -> dict:
    quick = args.quick
    results: dict = {
        "mode": "quick" if quick else "full",
        "machine": machine_info(),
        "command": " ".join(["python benchmarks/run.py", *sys.argv[1:]]),
        "highs": product_highs_settings(),
    }
    m = results["machine"]
    machine("before", m, 200_000 if quick else 10_000_000)
    started = time.perf_counter()
    sections = results["section_s"] = {}

    @contextmanager
    def section(title: str):
        print(title, flush=True)
        t0 = time.perf_counter()
        yield
        sections[title] = time.perf_counter() - t0

    with tempfile.TemporaryDirectory(prefix="kpi-bench-") as tmpdir:
        tmp = Path(tmpdir)
        for suite in SUITES:
            with section(suite.TITLE):
                results[suite.KEY] = suite.measure(args, tmp)
        results["targets"] = judge(results)
        if not args.no_profile:
            with section("profiles"):
                add_profiles(results, quick)
    results["wall_s"] = time.perf_counter() - started
    machine("after", m, 200_000 if quick else 10_000_000)
    for suite in SUITES:  # what a suite kept for its profile is not a figure
        if isinstance(results[suite.KEY], dict):
            results[suite.KEY].pop("profile_target", None)
    return results


def judge(results: dict) -> list[dict]:
    """Each target: measured, limit, met (None in quick mode: it is not timed)."""
    judged = Targets(quick=results["mode"] == "quick")
    for suite in SUITES:
        suite.targets(results, judged)
    return judged.rows


def add_profiles(results: dict, quick: bool) -> None:
    """cProfile of what dominates each target that is not met (every one in quick mode)."""
    keys = missed(results["targets"], quick)
    profiles = results.setdefault("profiles", {})
    for suite in SUITES:
        suite.profile(results, quick, keys, profiles)


def to_jsonable(value):
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value
