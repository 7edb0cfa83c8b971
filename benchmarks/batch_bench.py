"""Batch benchmark: generated scenarios solved by one worker, by two, and on Dask.

    python benchmarks/batch_bench.py [--count 500] [--workers 1 2] [--solver-threads 0 1]
                                     [--dask] [--profile N]

For every run it reports the wall time, the seconds spent inside ``solve()`` summed over
the jobs, and the orchestration share, everything that is not a solve:

    orchestration = 1 - sum(solve seconds) / (workers x wall seconds)

which charges reading and hashing files, building the JSON, moving results between
processes, writing them, the summary files, pool start-up, and workers left idle at the
end. It checks that every run gives the same summary (timings aside). ``--profile N``
profiles the first N jobs with cProfile instead, solved in this process as a worker solves
them (``worker.solve_chunk``: parse, solve, diagnose, JSON), with the diagnoses' work
(models built, LP and MILP solves, CP-SAT calls: ``Diagnosis.work``) summed.

The machine may be shared: before and after the runs, a control measures the speed-up two
processes get on a pure-Python loop (2.00x on two idle cores), and the load average is
printed, so a speed-up below the target can be told apart from a busy machine.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from control import speedup  # noqa: E402
from generate_scenarios import generate  # noqa: E402

from optimizer.batch import Settings, run_batch  # noqa: E402
from optimizer.batch.summary import TIMING_COLUMNS, summary_table  # noqa: E402


def measure(scenarios: Path, out: Path, workers: int, executor: str, threads: int | None) -> dict:
    start = time.perf_counter()
    report = run_batch(
        [scenarios],
        out,
        workers=workers,
        executor=executor,
        force=True,
        settings=Settings(solver_threads=threads),
        progress=False,
    )
    wall = time.perf_counter() - start
    solve = sum(row["solve_seconds"] or 0.0 for row in report.rows)
    table = summary_table(report.rows).drop(columns=list(TIMING_COLUMNS))
    return {
        "run": f"{executor}, {workers} worker(s)",
        "workers": workers,
        "wall": wall,
        "threads": "HiGHS default" if threads is None else str(threads),
        "solve": solve,
        "orchestration": 1 - solve / (workers * wall),
        "failed": report.failed,
        "jobs": len(report.rows),
        "times": report.times,
        "table": table,
    }


def control(loops: int = 10_000_000) -> str:
    """Speed-up of two processes over one on a pure-Python loop: what the machine offers now."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"control: two processes {speedup(loops):.2f}x faster than one; load average {load}"


def markdown(runs: list[dict]) -> str:
    """Speed-up against the one-worker local run with the same solver threads."""
    one = {r["threads"]: r["wall"] for r in runs if r["workers"] == 1}
    lines = [
        "| run | HiGHS threads | jobs | failed | wall s | sum of solve() s | speed-up "
        "| orchestration |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        speed = f"{one[r['threads']] / r['wall']:.2f}x" if r["threads"] in one else "-"
        lines.append(
            f"| {r['run']} | {r['threads']} | {r['jobs']} | {r['failed']} | {r['wall']:.1f} "
            f"| {r['solve']:.1f} | {speed} | {100 * r['orchestration']:.1f} % |"
        )
    return "\n".join(lines)


def profile_sample(scenarios: Path, count: int, limit: int = 35) -> dict:
    """The first ``count`` jobs solved in this process as a worker solves them, under
    cProfile: the seconds of jobs with a plan and without, the diagnoses' work summed
    (``Diagnosis.work``), and the profile's top ``limit`` functions by cumulative time."""
    import collections
    import io

    import optimizer.analysis.diagnose as diagnose_module
    from optimizer.batch import worker
    from optimizer.batch.discovery import find_scenarios
    from optimizer.batch.jobs import plan_jobs

    files = sorted(scenarios.glob("*.yaml"))[:count]
    jobs = plan_jobs(find_scenarios(files), Settings(solver_threads=1), None)
    worker.solve_chunk(jobs[:1])  # imports and the first HiGHS, outside the profile
    work: collections.Counter = collections.Counter()
    diagnose = diagnose_module.diagnose

    def counted(*args, **kwargs):
        found = diagnose(*args, **kwargs)
        work.update(found.work)
        work["diagnoses"] += 1
        return found

    diagnose_module.diagnose = counted  # answers imports it at each call
    profiler = cProfile.Profile()
    try:
        start = time.perf_counter()
        profiler.enable()
        outcomes = worker.solve_chunk(jobs)
        profiler.disable()
        wall = time.perf_counter() - start
    finally:
        diagnose_module.diagnose = diagnose
    planned = [o.seconds for o in outcomes if o.row["error"] is None]
    unplanned = [o.seconds for o in outcomes if o.row["error"] is not None]
    buf = io.StringIO()
    pstats.Stats(profiler, stream=buf).strip_dirs().sort_stats("cumulative").print_stats(limit)
    text = buf.getvalue()
    return {
        "jobs": len(outcomes),
        "wall_s": wall,
        "planned": len(planned),
        "planned_s": sum(planned),
        "unplanned": len(unplanned),
        "unplanned_s": sum(unplanned),
        "diagnosis_work": dict(work),
        "profile": text[max(0, text.find("   ncalls")) :].rstrip(),
    }


def sample_line(p: dict) -> str:
    """The profiled sample in one line."""
    work = ", ".join(f"{k} {v}" for k, v in sorted(p["diagnosis_work"].items()))
    return (
        f"{p['jobs']} jobs in one process, {p['wall_s']:.1f} s: {p['planned']} with a plan "
        f"{p['planned_s']:.1f} s, {p['unplanned']} without (diagnosed) {p['unplanned_s']:.1f} s; "
        f"the diagnoses' work: {work or 'none'}"
    )


def profile(scenarios: Path, count: int) -> None:
    p = profile_sample(scenarios, count)
    print(sample_line(p))
    print(p["profile"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--solver-threads",
        type=int,
        nargs="+",
        default=[0, 1],
        help="HiGHS threads per worker; 0 for HiGHS's default (as solve)",
    )
    parser.add_argument("--dask", action="store_true", help="also run on a Dask LocalCluster")
    parser.add_argument("--profile", type=int, metavar="N", help="profile N scenarios instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scenarios = Path(tmp) / "scenarios"
        generate(scenarios, args.count)
        if args.profile:
            return profile(scenarios, args.profile)
        print(control(), flush=True)
        threads = [t or None for t in args.solver_threads]
        configs = [(w, "local", t) for t in threads for w in args.workers]
        configs += [(max(args.workers), "dask", threads[-1])] if args.dask else []
        runs = []
        for workers, executor, count in configs:
            out = Path(tmp) / f"out-{executor}-{workers}-{count}"
            runs.append(measure(scenarios, out, workers, executor, count))
            r = runs[-1]
            times = {k: round(v, 2) for k, v in r["times"].items()}
            print(
                f"{r['run']}: wall {r['wall']:.1f} s, solve {r['solve']:.1f} s, {times}", flush=True
            )
        print(control(), flush=True)
    print()
    print(markdown(runs))
    for setting in {r["threads"] for r in runs}:
        same = [r for r in runs if r["threads"] == setting]
        identical = all(r["table"].equals(same[0]["table"]) for r in same)
        print(
            f"\nHiGHS threads {setting}: summaries identical across runs (timings aside): "
            f"{'yes' if identical else 'NO'}"
        )
        for r in same[1:]:
            print_differences(same[0], r)


def print_differences(a: dict, b: dict, limit: int = 10) -> None:
    """The cells where two runs' summaries differ, so a difference can be traced."""
    x, y = a["table"], b["table"]
    differ = (x != y) & ~(x.isna() & y.isna())
    for row, column in list(zip(*differ.to_numpy().nonzero()))[:limit]:
        name = x.columns[column]
        print(
            f"  {a['run']} vs {b['run']}: {x['scenario'][row]}@{x['variant'][row]} {name}: "
            f"{str(x.iloc[row, column])[:200]!r} vs {str(y.iloc[row, column])[:200]!r}"
        )


if __name__ == "__main__":
    main()
