"""Target 5: the command line's default answer within 3x the bare solve (issue 14).

The default answer is what ``kpi-optimizer solve SCENARIO`` computes: the plan with the
marginal value of every input and the whole-person value of each binding headcount limit,
and the explanation with the plan's people held (every input's natural step, by the rate
of the held model or a warm re-solve; a headcount limit's with hiring free):
``answers.answer(scenario, explain=True, hiring_free=False)``. The bare solve is
``solve(scenario, marginals=False, whole_steps=False)`` (build, HiGHS, duals, ranging,
check, report tables). Two ratios per bundled scenario, both judged at 3x:

- in-process: the two alternated in one process (median of runs), the computation alone;
- whole process: ``solve --format json`` against ``solve --format json --no-explain
  --no-marginals --no-whole-steps``, each in its own interpreter (median CPU seconds of
  the process and its children: what the user waits for, imports included).

The full explanation (``--hiring-free``: every step re-solved with hiring free, the
headcounts, the quality floor, unpriced limits) is shown beside it, not judged.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

from figures import by_scenario, fmt, median, profile_text, ratio

ROOT = Path(__file__).resolve().parent.parent.parent
TITLE = "5. the default answer"
KEY = "explain"
LIMITS = {"t5_default": 3.0, "t5_process": 3.0}
BUNDLED = ["seed_company", "software_company", "regional_sales"]
BARE_FLAGS = ("--no-explain", "--no-marginals", "--no-whole-steps")


def measure(args, tmp: Path) -> list[dict]:
    quick = args.quick
    names = ["seed_company"] if quick else BUNDLED
    return [bench_answer(name, reps=1 if quick else 5, process_reps=1 if quick else 3)
            for name in names]  # fmt: skip


def _load(name: str):
    from optimizer.scenario.loading import load_scenario

    return load_scenario(ROOT / "scenarios" / f"{name}.yaml")


def bench_answer(name: str, reps: int, process_reps: int) -> dict:
    from optimizer.analysis.answers import answer
    from optimizer.analysis.solve import solve

    scenario = _load(name)
    answer(scenario, explain=True, hiring_free=False)  # warm-up: imports, first HiGHS
    bare, default, full = [], [], []
    for rep in range(reps):
        t0 = time.perf_counter()
        solve(scenario, marginals=False, whole_steps=False)
        bare.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        found = answer(scenario, explain=True, hiring_free=False)
        default.append(time.perf_counter() - t0)
        if rep < 2:  # the full explanation is slow: two runs
            t0 = time.perf_counter()
            answer(scenario, explain=True, hiring_free=True)
            full.append(time.perf_counter() - t0)
    steps = found.explanation.steps
    row = {
        "scenario": name,
        "reps": reps,
        "bare_solve_ms": 1000 * median(bare),
        "default_ms": 1000 * median(default),
        "full_ms": 1000 * median(full),
        "inputs": len(steps),
        "steps_by_rate": sum(s.method == "rate" for s in steps),
        "steps_re_solved": sum(s.method == "re-solved" for s in steps),
        "steps_hiring_free": sum(s.basis == "hiring free" for s in steps),
        "steps_valued": sum(s.value is not None for s in steps),
    }
    row["ratio"] = ratio(row["default_ms"], row["bare_solve_ms"])
    row["full_ratio"] = ratio(row["full_ms"], row["bare_solve_ms"])
    path = str(ROOT / "scenarios" / f"{name}.yaml")
    cpu_default, cpu_bare, wall_default, wall_bare = [], [], [], []
    for _ in range(process_reps):  # alternated, each in its own interpreter
        for flags, cpu, wall in (((), cpu_default, wall_default),
                                 (BARE_FLAGS, cpu_bare, wall_bare)):  # fmt: skip
            seconds, elapsed = process_cpu([sys.executable, "-m", "optimizer.cli", "solve",
                                            path, "--format", "json", *flags])  # fmt: skip
            cpu.append(seconds)
            wall.append(elapsed)
    row.update(
        process_default_cpu_s=median(cpu_default),
        process_bare_cpu_s=median(cpu_bare),
        process_default_wall_s=median(wall_default),
        process_bare_wall_s=median(wall_bare),
    )
    row["process_ratio"] = ratio(row["process_default_cpu_s"], row["process_bare_cpu_s"])
    print(
        f"  {name}: default answer {row['default_ms']:.0f} ms, {row['ratio']:.1f}x the bare "
        f"solve ({row['bare_solve_ms']:.1f} ms); whole process {row['process_ratio']:.2f}x "
        f"CPU; full explanation {row['full_ratio']:.1f}x",
        flush=True,
    )
    return row


def process_cpu(command: list[str]) -> tuple[float, float]:
    """CPU seconds (user + system, the process and its children) and wall seconds of one
    run of ``command`` (exit 0 or 1: a plan or none)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def targets(results: dict, judged) -> None:
    for row in results[KEY]:
        name = row["scenario"]
        judged.add(
            f"t5_default_{name}",
            f"{name}: default answer / bare solve, in-process",
            row["ratio"],
            LIMITS["t5_default"],
            "x",
        )
        judged.add(
            f"t5_process_{name}",
            f"{name}: `solve` default / bare, whole process CPU",
            row["process_ratio"],
            LIMITS["t5_process"],
            "x",
        )


def profile(results: dict, quick: bool, missed: set[str], profiles: dict) -> None:
    """The default answer of the first scenario whose in-process target was missed."""
    name = next((r["scenario"] for r in results[KEY] if f"t5_default_{r['scenario']}" in missed),
                None)  # fmt: skip
    if name is None:
        return
    from optimizer.analysis.answers import answer

    scenario = _load(name)
    profiles[f"t5: {name}, the default answer (answer(explain=True, hiring_free=False))"] = (
        profile_text(lambda: answer(scenario, explain=True, hiring_free=False))
    )


def markdown(r: dict) -> list[str]:
    rows = r[KEY]
    out = ["", "### 5. The default answer, against the bare solve", ""]
    out.append(
        f"In-process: median of {rows[0]['reps']} runs each, alternated: the bare solve "
        "(`solve(scenario, marginals=False, whole_steps=False)`) and the command line's "
        "default answer (`answer(scenario, explain=True, hiring_free=False)`: marginal values, "
        "whole-person values, every input's step with the plan's people held, a headcount "
        "limit's with hiring free); the full explanation (`--hiring-free`) beside it, not "
        "judged. Whole process: CPU seconds (user + system, with children) of `kpi-optimizer "
        "solve SCENARIO --format json` against the same with `--no-explain --no-marginals "
        "--no-whole-steps`, each in its own interpreter, median of alternated runs."
    )
    return out + by_scenario(
        rows,
        [
            ("bare solve, ms", "bare_solve_ms", 1),
            ("default answer, ms", "default_ms", 0),
            ("**default answer / bare solve**", "ratio", 1),
            ("full explanation (`--hiring-free`), ms", "full_ms", 0),
            ("full explanation / bare solve", "full_ratio", 1),
            ("process CPU s: default / bare", lambda row: f"{fmt(row['process_default_cpu_s'], 2)}"
             f" / {fmt(row['process_bare_cpu_s'], 2)}", 2),
            ("**process CPU, default / bare**", "process_ratio", 2),
            ("process wall s: default / bare", lambda row: f"{fmt(row['process_default_wall_s'], 2)}"
             f" / {fmt(row['process_bare_wall_s'], 2)}", 2),
            ("inputs; steps by the rate / re-solved held / hiring free (headcount limits)",
             lambda row: f"{row['inputs']}; {row['steps_by_rate']} / {row['steps_re_solved']} / "
             f"{row['steps_hiring_free']}", 0),
        ],
    )  # fmt: skip
