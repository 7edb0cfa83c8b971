"""What the odds and the trade-off curves cost, against one warm what-if, in one run (issue 19).

    python benchmarks/risk_bench.py [--reps 3] [--out benchmarks/RESULTS.md]

For each bundled scenario with an ``uncertainty:`` section (and the seed's ``least_cost``
variant for the choice), alternated in one process (medians of ``--reps`` runs):

- the bare solve: ``solve(scenario, marginals=False, whole_steps=False)``;
- one warm what-if with the plan's people held (``WhatIf(..., hold_headcounts=True)``,
  its first uncertain input moved about 1 %, a new value each time, so validated, solved
  and checked each time): what one draw would cost the one-at-a-time way;
- the odds: ``risk(scenario)`` with the file's draws (the seed: 10,000), and the cost of a
  draw: its seconds over the draws, validation of each drawn company included;
- the choice for odds (the seed's ``least_cost``): ``odds.choose`` over 200 choosing draws,
  measured on 2,000 fresh ones (not judged: a MILP and 4 x 2,000 re-solves; seconds shown);
- the trade-off curves of the seed (quality floor, headcount): seconds per point over the
  bare solve.

Target, a ratio in the same run: a draw costs at most one warm what-if (the odds re-solve
the recourse in one held model, so 10,000 draws take seconds, not minutes). The section
between the markers in RESULTS.md is replaced.
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

START, END = "<!-- risk-bench:start -->", "<!-- risk-bench:end -->"
BUNDLED = ["seed_company", "regional_sales"]
LIMIT = 1.0  # a draw / one warm what-if


def bench(name: str, reps: int) -> dict:
    from optimizer.analysis.risk import risk
    from optimizer.analysis.solve import solve
    from optimizer.analysis.whatif import WhatIf
    from optimizer.scenario.loading import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    plan = solve(scenario, marginals=False, whole_steps=False)  # warm-up
    path = next(iter(scenario.uncertainty.inputs))
    whatif = WhatIf(scenario, hold_headcounts=True)
    value = next(v for p, v, _ in whatif.inputs() if p == path)
    bare, one, odds = [], [], []
    found = None
    for rep in range(reps):
        bare.append(timed(lambda: solve(scenario, marginals=False, whole_steps=False))[0])
        moves = [value * (1.01 + 0.0001 * (k + 20 * rep)) for k in range(20)]
        one.append(statistics.median(
            timed(lambda v=v: whatif.resolve({path: v}))[0] for v in moves
        ))  # fmt: skip
        seconds, found = timed(lambda: risk(scenario, plan=plan))
        odds.append(seconds)
    row = {
        "scenario": name,
        "draws": found.draws,
        "bare_ms": 1000 * statistics.median(bare),
        "whatif_ms": 1000 * statistics.median(one),
        "odds_s": statistics.median(odds),
        "probability": found.all_goals,
    }
    row["draw_ms"] = 1000 * row["odds_s"] / row["draws"]
    row["draw_x"] = row["draw_ms"] / row["whatif_ms"]
    print(
        f"  {name}: bare {row['bare_ms']:.1f} ms, what-if {row['whatif_ms']:.2f} ms, "
        f"{row['draws']} draws {row['odds_s']:.1f} s ({row['draw_x']:.2f}x a what-if)",
        flush=True,
    )
    return row


def bench_choice() -> dict:
    from optimizer.analysis.risk.odds import choose
    from optimizer.analysis.solve import solve
    from optimizer.scenario.variants import load_variant

    scenario, _ = load_variant(str(ROOT / "scenarios" / "seed_company.yaml"), "least_cost")
    plan = solve(scenario, marginals=False, whole_steps=False)
    seconds, chosen = timed(lambda: choose(scenario, plan, draws=200, fresh=2000))
    return {"seconds": seconds, "single": chosen.single.probability,
            "chosen": chosen.chosen.probability}  # fmt: skip


def bench_tradeoff() -> list[dict]:
    from optimizer.analysis.solve import solve
    from optimizer.analysis.tradeoff import tradeoff
    from optimizer.scenario.loading import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / "seed_company.yaml")
    bare = statistics.median(
        timed(lambda: solve(scenario, marginals=False, whole_steps=False))[0] for _ in range(3)
    )
    rows = []
    for axis in ("quality_floor", "headcount", "long_share"):
        seconds, front = timed(lambda axis=axis: tradeoff(scenario, axis))
        points = len(front.points)
        rows.append({"axis": axis, "points": points, "seconds": seconds,
                     "per_point_x": seconds / points / bare})  # fmt: skip
    return rows


def markdown(rows, choice, fronts, reps) -> str:
    import os
    import platform

    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    out = [
        START,
        "## How likely is the plan, and what does quality cost (`benchmarks/risk_bench.py`)",
        "",
        f"Run {when}, {reps} alternated runs each (medians); {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average {load} at the end (a shared machine: "
        "ratios are the figures to read).",
        "",
        "| scenario | draws | bare solve ms | one warm what-if ms | odds s | a draw ms "
        "| a draw / a what-if | every goal met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['scenario']} | {r['draws']:,} | {r['bare_ms']:.1f} | {r['whatif_ms']:.2f} "
            f"| {r['odds_s']:.1f} | {r['draw_ms']:.2f} | {r['draw_x']:.2f}x "
            f"| {100 * r['probability']:.1f} % |"
        )
    worst = max(r["draw_x"] for r in rows)
    verdict = "met" if worst <= LIMIT else "**not met**"
    out += [
        "",
        "| target | worst measured | limit | verdict |",
        "|---|---|---|---|",
        f"| a draw / one warm what-if | {worst:.2f}x | <= {LIMIT:g}x | {verdict} |",
        "",
        f"The choice for odds (seed, `least_cost`; 200 choosing draws, 2,000 fresh): "
        f"{choice['seconds']:.1f} s; every goal met on the fresh draws "
        f"{100 * choice['single']:.1f} % with the single-number plan, "
        f"{100 * choice['chosen']:.1f} % with the people chosen for their odds.",
        "",
        "| trade-off curve (seed) | points | seconds | a point / the bare solve |",
        "|---|---|---|---|",
    ]
    for f in fronts:
        out.append(
            f"| {f['axis']} | {f['points']} | {f['seconds']:.2f} | {f['per_point_x']:.2f}x |"
        )
    out += [
        "",
        "A draw includes validating the drawn company as a file would be (about half its "
        "cost on the seed), re-solving the recourse warm in the held model and checking the "
        "plan against the model's rows; 200 draws are also checked against their scenario.",
        END,
    ]
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    parser.add_argument("--scenarios", nargs="*", default=BUNDLED)
    args = parser.parse_args()
    rows = [bench(name, args.reps) for name in args.scenarios]
    choice = bench_choice()
    fronts = bench_tradeoff()
    section = markdown(rows, choice, fronts, args.reps)
    write_section(args.out, START, END, section)
    print(section)


if __name__ == "__main__":
    main()
