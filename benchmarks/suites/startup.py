"""Target 4: start-up, ``kpi-optimizer --help`` in under 1 s (median of subprocess runs);
and a fast start (issue 14): ``solve --format json`` on the seed company within 2.5x the
CPU of a process that imports highspy and solves the same model's MPS.

Against ``python -c pass`` alone (the interpreter's own start-up), with the modules the
command imports at start-up read from ``python -X importtime``: heavy libraries (``HEAVY``)
should be imported inside the commands, not at start-up. The solve's own imports are
read the same way (``solve_imports_ms``: the largest, cumulative).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from figures import fmt, median

TITLE = "4. start-up"
KEY = "help"
LIMITS = {"t4_seconds": 1.0, "t4_solve_cpu": 2.5}
SEED = Path(__file__).resolve().parent.parent.parent / "scenarios" / "seed_company.yaml"
HIGHS_ALONE = (
    "import sys, highspy; h = highspy.Highs(); h.setOptionValue('output_flag', False); "
    "h.readModel(sys.argv[1]); h.run()"
)
HEAVY = (
    "numpy",
    "pandas",
    "highspy",
    "pydantic",
    "pydantic_core",
    "scipy",
    "pulp",
    "ortools",
    "streamlit",
    "dask",
    "distributed",
    "plotly",
    "pyarrow",
    "openpyxl",
    "yaml",
)


def entry_point() -> list[str]:
    """The installed ``kpi-optimizer`` script beside this interpreter (no shell shims)."""
    script = Path(sys.executable).parent / "kpi-optimizer"
    if script.is_file():
        return [sys.executable, str(script)]
    return [sys.executable, "-c", "from optimizer.cli import main; main()"]


def time_help(command: list[str], reps: int) -> list[float]:
    times = []
    for _ in range(reps + 1):  # the first run warms the file cache; it is not counted
        t0 = time.perf_counter()
        done = subprocess.run([*command, "--help"], capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        if done.returncode != 0 or "Usage" not in done.stdout:
            raise RuntimeError(f"{' '.join(command)} --help failed: {done.stderr[-500:]}")
    return times[1:]


def measure(args, tmp: Path) -> dict:
    found = bench_help(2 if args.quick else 9)
    found.update(bench_solve_start(tmp, 1 if args.quick else 5))
    return found


def bench_solve_start(tmp: Path, reps: int) -> dict:
    """CPU of ``solve --format json`` on the seed (the default answer, a process of its
    own) against a process importing highspy and solving the seed's MPS, alternated."""
    from suites.explain import process_cpu

    mps = tmp / "seed_company.mps"
    subprocess.run([sys.executable, "-m", "optimizer.cli", "export", str(SEED), "--format",
                    "mps", "--out", str(mps)], check=True, capture_output=True)  # fmt: skip
    solve_cpu, highs_cpu = [], []
    for _ in range(reps + 1):  # the first pair warms the file cache; it is not counted
        solve_cpu.append(process_cpu([sys.executable, "-m", "optimizer.cli", "solve",
                                      str(SEED), "--format", "json"])[0])  # fmt: skip
        highs_cpu.append(process_cpu([sys.executable, "-c", HIGHS_ALONE, str(mps)])[0])
    trace = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "optimizer.cli", "solve", str(SEED),
         "--format", "json"], capture_output=True, text=True,
    ).stderr  # fmt: skip
    tops: dict[str, float] = {}
    for line in trace.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            top = m.group(4).split(".")[0]
            tops[top] = max(tops.get(top, 0.0), int(m.group(2)) / 1000)
    largest = sorted(tops.items(), key=lambda kv: -kv[1])[:8]
    return {
        "solve_cpu_s": median(solve_cpu[1:]),
        "highs_alone_cpu_s": median(highs_cpu[1:]),
        "solve_cpu_ratio": median(solve_cpu[1:]) / median(highs_cpu[1:]),
        "solve_imports_ms": [[k, round(v, 1)] for k, v in largest],
    }


def bench_help(reps: int) -> dict:
    command = entry_point()
    times = time_help(command, reps)
    on_path = shutil.which("kpi-optimizer")
    path_times = None
    if on_path and Path(on_path).resolve() != Path(command[-1]).resolve():
        path_times = time_help([on_path], reps)  # a wrapper on PATH (pyenv's shim, say)
    trace = subprocess.run(
        [command[0], "-X", "importtime", *command[1:], "--help"], capture_output=True, text=True
    ).stderr
    modules, heavy = {}, {}
    for line in trace.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if not m:
            continue
        top, cumulative = m.group(4).split(".")[0], int(m.group(2)) / 1000
        if len(m.group(3)) <= 1:  # imported by the script itself (not by another module)
            modules[top] = modules.get(top, 0.0) + cumulative
        if top in HEAVY:
            heavy[top] = max(heavy.get(top, 0.0), round(cumulative, 1))
    if not modules:
        raise RuntimeError(f"python -X importtime gave no trace: {trace[-500:]}")
    top = sorted(modules.items(), key=lambda kv: -kv[1])[:8]
    python_only = []
    for _ in range(max(2, reps // 2)):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        python_only.append(time.perf_counter() - t0)
    return {
        "command": " ".join(Path(c).name if i == 0 else c for i, c in enumerate(command)),
        "median_s": median(times),
        "runs": times,
        "heavy_imported": heavy,
        "top_imports_ms": [[k, round(v, 1)] for k, v in top],
        "modules": len(modules),
        "python_startup_s": median(python_only),
        "on_path": on_path,
        "on_path_median_s": median(path_times) if path_times else None,
    }


def targets(results: dict, judged) -> None:
    judged.add(
        "t4_seconds",
        "kpi-optimizer --help, median",
        results["help"]["median_s"],
        LIMITS["t4_seconds"],
        "s",
    )
    judged.add(
        "t4_solve_cpu",
        "seed `solve --format json` / highspy solving its MPS, process CPU",
        results["help"]["solve_cpu_ratio"],
        LIMITS["t4_solve_cpu"],
        "x",
    )


def profile(results: dict, quick: bool, missed: set[str], profiles: dict) -> None:
    """No profile: start-up is read from the import trace instead."""


def markdown(r: dict) -> list[str]:
    out = ["", "### 4. Start-up", ""]
    h = r["help"]
    out += [
        f"`kpi-optimizer --help` (the installed entry point, `{h['command']}`): median "
        f"**{fmt(h['median_s'], 3)} s** of {len(h['runs'])} runs (`python -c pass` alone: "
        f"{fmt(h['python_startup_s'], 3)} s)"
        + (
            f"; through `{h['on_path']}` on PATH (a wrapper) {fmt(h['on_path_median_s'], 3)} s"
            if h["on_path_median_s"]
            else ""
        )
        + ". Modules counted as heavy ("
        + ", ".join(HEAVY)
        + ") imported at start-up "
        "(`python -X importtime`, cumulative ms): "
        + (
            ", ".join(
                f"{k} {v}" for k, v in sorted(h["heavy_imported"].items(), key=lambda kv: -kv[1])
            )
            or "none"
        )
        + ". Largest top-level imports, ms: "
        + ", ".join(f"{k} {v}" for k, v in h["top_imports_ms"])
        + ".",
        "",
        f"A fast start: `kpi-optimizer solve scenarios/seed_company.yaml --format json` (the "
        f"default answer, its own process) used **{fmt(h['solve_cpu_s'], 2)} s** of CPU (user "
        f"+ system, median), a process importing highspy and solving the same model's MPS "
        f"{fmt(h['highs_alone_cpu_s'], 2)} s: **{fmt(h['solve_cpu_ratio'], 2)}x**. The "
        "solve's largest imports (`python -X importtime`, cumulative ms, by top-level "
        "package): " + ", ".join(f"{k} {v}" for k, v in h["solve_imports_ms"]) + ".",
    ]
    return out
