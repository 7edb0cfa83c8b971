"""What the "why not my plan" answers cost, against the bare solve, in one run (issue 18).

    python benchmarks/whynot_bench.py [--reps 5] [--out benchmarks/RESULTS.md]

For each bundled scenario, alternated in one process (medians of ``--reps`` runs):

- the bare solve: ``solve(scenario, marginals=False, whole_steps=False)``, which now
  includes the variable report ranged at the plan's own point (``analysis.ranging``);
- the ranging alone: ``plan_ranges`` on the plan's LP (two small LPs per variable);
- the entering thresholds: ``entering.entering`` (lines learnt per input, re-solves either
  side of each threshold), with the scenario's patterns learnt afresh each run;
- what would make today's targets right: ``whynot.today_right`` (not judged: it is a
  search within a time budget; its seconds and solves are shown);
- why not: ``whynot.why_not`` for the first headcount forced one person below the plan.

Targets, ratios to the bare solve in the same run: ranging <= 1x, entering thresholds <= 10x.
The section between the markers in RESULTS.md is replaced.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from sections import timed, write_section  # noqa: E402

START, END = "<!-- whynot-bench:start -->", "<!-- whynot-bench:end -->"
BUNDLED = ["seed_company", "software_company", "regional_sales", "growth_plan"]
LIMITS = {"ranging": 1.0, "entering": 10.0}


def bench(name: str, reps: int) -> dict:
    from optimizer.analysis.entering import entering
    from optimizer.analysis.patterns import Patterns
    from optimizer.analysis.ranging import plan_ranges
    from optimizer.analysis.solve import solve
    from optimizer.analysis.whynot import today_right, why_not
    from optimizer.model.chain import build_model
    from optimizer.scenario.loading import load_scenario
    from optimizer.solvers.twostage import fixed_bounds

    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    plan = solve(scenario, marginals=False, whole_steps=False)  # warm-up
    bare, ranging, enter = [], [], []
    arrays = build_model(scenario, scenario.objective)[0].arrays()
    x = plan.variables["value"].to_numpy(float)
    lb, ub = fixed_bounds(arrays, x)
    found = []
    for _ in range(reps):
        seconds, plan = timed(lambda: solve(scenario, marginals=False, whole_steps=False))
        bare.append(seconds)
        ranging.append(timed(lambda: plan_ranges(arrays, x, lb, ub))[0])
        seconds, (found, _) = timed(
            lambda plan=plan: entering(plan, Patterns(scenario, scenario.objective))
        )
        enter.append(seconds)
    row = {
        "scenario": name,
        "variables": len(x),
        "bare_ms": 1000 * statistics.median(bare),
        "ranging_ms": 1000 * statistics.median(ranging),
        "entering_ms": 1000 * statistics.median(enter),
        "thresholds": len({e.variable for e in found}),
    }
    if scenario.current_targets is not None:
        seconds, right = timed(lambda: today_right(scenario))
        row["today_s"] = seconds
        row["today"] = (
            "possible: " + ("found" if right.possible.feasible else "not found")
            + ("; best: found" if right.best and right.best.feasible else "; best: not found")
        )  # fmt: skip
    v = plan.variables
    people = v[(v["at"] == "held") & (v["value"] >= 2)]
    if len(people):
        spec = f"{people['name'].iloc[0]}={int(round(people['value'].iloc[0])) - 1}"
        seconds, _ = timed(lambda: why_not(scenario, [spec]))
        row["why_not"] = spec
        row["why_not_s"] = seconds
    row["ranging_x"] = row["ranging_ms"] / row["bare_ms"]
    row["entering_x"] = row["entering_ms"] / row["bare_ms"]
    print(
        f"  {name}: bare {row['bare_ms']:.1f} ms, ranging {row['ranging_x']:.2f}x, "
        f"entering {row['entering_x']:.2f}x",
        flush=True,
    )
    return row


def markdown(rows: list[dict], reps: int) -> str:
    import os
    import platform

    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    out = [
        START,
        "## Why not my plan: the variable report, entering thresholds, what would make "
        "today's targets right (`benchmarks/whynot_bench.py`)",
        "",
        f"Run {when}, {reps} alternated runs each (medians); {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average {load} at the end (a shared machine: "
        "ratios are the figures to read).",
        "",
        "| scenario | variables | bare solve ms | ranging ms | ranging / solve | entering ms "
        "| entering / solve | options with a threshold | today's targets right s | why not s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        today = f"{r['today_s']:.1f} ({r['today']})" if "today_s" in r else "no targets"
        why = f"{r['why_not_s']:.1f} (`{r['why_not']}`)" if "why_not_s" in r else "—"
        out.append(
            f"| {r['scenario']} | {r['variables']} | {r['bare_ms']:.1f} | {r['ranging_ms']:.1f} "
            f"| {r['ranging_x']:.2f}x | {r['entering_ms']:.1f} | {r['entering_x']:.2f}x "
            f"| {r['thresholds']} | {today} | {why} |"
        )
    out += ["", "| target | worst measured | limit | verdict |", "|---|---|---|---|"]
    for key, limit in LIMITS.items():
        worst = max(r[f"{key}_x"] for r in rows)
        verdict = "met" if worst <= limit else "**not met**"
        out.append(f"| {key} / bare solve | {worst:.2f}x | <= {limit:g}x | {verdict} |")
    out += [
        "",
        "The bare solve includes the variable report at the plan's own point, so the ranging "
        "column is also inside it. What would make today's targets right and why-not are "
        "searches by re-solving within a time budget (`whynot.BUDGET_SECONDS`): their seconds "
        "are shown, not judged.",
        END,
    ]
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    parser.add_argument("--scenarios", nargs="*", default=BUNDLED)
    args = parser.parse_args()
    rows = [bench(name, args.reps) for name in args.scenarios]
    section = markdown(rows, args.reps)
    write_section(args.out, START, END, section)
    print(section)


if __name__ == "__main__":
    main()
