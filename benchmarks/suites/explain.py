"""Figure 5: the explanation (what moves the plan), against the bare solve of the same scenario.

For each bundled scenario, alternated: the bare solve (``solve(scenario, marginals=False,
whole_steps=False)``: build, HiGHS, duals, ranging, check, report tables) and
``explain(scenario, plan)`` of the plan ``solve`` gives by default (every input's natural
step valued with the plan's people held and with hiring free, each headcount one up and one
down, the quality floor at each tier, unpriced limits). The explanation is shown as a ratio
to the bare solve, with the models it built (``Patterns.builds``: each input's straight
line and the values off it, each ``(input, value)`` once) and its inputs. No target is
judged: the figure is for reading, and for the next change to compare against.
"""

from __future__ import annotations

import time
from pathlib import Path

from figures import fmt, median, ratio

ROOT = Path(__file__).resolve().parent.parent.parent
TITLE = "5. the explanation"
KEY = "explain"
LIMITS: dict[str, float] = {}
BUNDLED = ["seed_company", "software_company", "regional_sales"]


def measure(args, tmp: Path) -> list[dict]:
    quick = args.quick
    names = ["seed_company"] if quick else BUNDLED
    return [bench_explain(name, reps=1 if quick else 5) for name in names]


def bench_explain(name: str, reps: int) -> dict:
    from optimizer.analysis.explain import explain
    from optimizer.analysis.patterns import Patterns
    from optimizer.analysis.solve import solve
    from optimizer.scenario.inputs import numeric_inputs
    from optimizer.scenario.loading import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    plan = solve(scenario)  # the plan the command line explains (marginal values and all)
    solve(scenario, marginals=False, whole_steps=False)  # warm-up: imports, first HiGHS
    bare, explained, builds = [], [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        solve(scenario, marginals=False, whole_steps=False)
        bare.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        patterns = Patterns(scenario)  # what ``explain`` makes when not handed one
        found = explain(scenario, plan, patterns=patterns)
        explained.append(time.perf_counter() - t0)
        builds.append(patterns.builds)
    steps = found.steps
    row = {
        "scenario": name,
        "reps": reps,
        "bare_solve_ms": 1000 * median(bare),
        "explain_ms": 1000 * median(explained),
        "builds": max(builds),
        "inputs": len(list(numeric_inputs(scenario, plan.objective_name))),
        "steps_by_rate": sum(s.method == "rate" for s in steps),
        "steps_re_solved": sum(s.method == "re-solved" for s in steps),
        "steps_valued": sum(s.value is not None for s in steps),
    }
    row["ratio"] = ratio(row["explain_ms"], row["bare_solve_ms"])
    print(
        f"  {name}: explain {row['explain_ms']:.0f} ms, {row['ratio']:.1f}x the bare solve "
        f"({row['bare_solve_ms']:.1f} ms), {row['builds']} models built",
        flush=True,
    )
    return row


def targets(results: dict, judged) -> None:
    """No target: the figure is shown, not judged."""


def profile(results: dict, quick: bool, missed: set[str], profiles: dict) -> None:
    """No target, so no profile of a miss."""


def markdown(r: dict) -> list[str]:
    rows = r["explain"]
    out = ["", "### 5. The explanation, against the bare solve", ""]
    out.append(
        f"Median of {rows[0]['reps']} runs each, alternated: the bare solve (`solve(scenario, "
        "marginals=False, whole_steps=False)`) and `explain(scenario, plan)` of the plan the "
        "command line explains (every step valued held and hiring free, headcounts, the "
        "quality floor, unpriced limits), with the models it built (each input's line and "
        "the values off it, each once). Not judged:"
    )
    out += [
        "",
        "| | " + " | ".join(row["scenario"] for row in rows) + " |",
        "|---|" + "---|" * len(rows),
    ]
    for label, key, digits in [
        ("bare solve, ms", "bare_solve_ms", 1),
        ("explanation, ms", "explain_ms", 0),
        ("**explanation / bare solve**", "ratio", 1),
        ("models built", "builds", 0),
        ("inputs", "inputs", 0),
        ("steps by the rate / re-solved / valued", None, 0),
    ]:
        if key is None:
            cells = [
                f"{row['steps_by_rate']} / {row['steps_re_solved']} / {row['steps_valued']}"
                for row in rows
            ]
        else:
            cells = [fmt(row[key], digits) for row in rows]
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    return out
