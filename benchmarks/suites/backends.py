"""Figure 6: the other backends against HiGHS, the whole command, one model per answer.

For each bundled scenario, alternated: ``kpi-optimizer solve SCENARIO --backend B
--no-explain --format json`` in a fresh interpreter (``python -m optimizer.cli``: start-up,
imports, the isolated child, the solve with its tie stages, prices, whole-person and
marginal values, JSON) for B = HiGHS, CBC and OR-Tools. The figure is each backend's median
wall time as a ratio to HiGHS's in the same run. Beside it, counted in this process on one
``answer`` each: the solver models CBC and OR-Tools built (``SHELF.builds``, see
``optimizer.solvers.held``: the plan's model once, each tie stage's once) and the LP
re-solves behind their prices (``pricing.Forward``: one per binding limit the LP's own
answer does not decide). No target is judged: the figure is for reading, and for the next
change to compare against.

Registered in ``suites/__init__.py`` (``SUITES``) it runs with ``benchmarks/run.py``; alone:
``python benchmarks/suites/backends.py [--quick]`` prints its table.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

if __name__ == "__main__":  # run alone: the suites' shared modules are a folder up
    sys.path[:0] = [str(Path(__file__).resolve().parents[1])]

from figures import by_scenario, median, ratio  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent
TITLE = "6. other backends"
KEY = "backends"
LIMITS: dict[str, float] = {}
BUNDLED = ["seed_company", "software_company", "regional_sales"]
BACKENDS = ["highs", "cbc", "ortools"]


def measure(args, tmp: Path) -> list[dict]:
    quick = args.quick
    names = ["seed_company"] if quick else BUNDLED
    return [bench_backends(name, reps=1 if quick else 5) for name in names]


def command_seconds(name: str, backend: str) -> float:
    """One ``solve --backend`` in a fresh interpreter, wall clock."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable, "-m", "optimizer.cli", "solve", f"scenarios/{name}.yaml",
            "--backend", backend, "--no-explain", "--format", "json",
        ],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"solve {name} --backend {backend}: {done.stderr[-1000:]}")
    return seconds


def counts(name: str, backend: str) -> dict:
    """Models built and price re-solves of one answer on ``backend``, in this process."""
    from optimizer.analysis import pricing
    from optimizer.analysis.answers import answer
    from optimizer.scenario.loading import load_scenario
    from optimizer.solvers import held, ortools, pulp_cbc

    module = {"cbc": pulp_cbc, "ortools": ortools}[backend]
    made: list = []

    class Counting(pricing.Forward):
        def __init__(self, *args):
            super().__init__(*args)
            made.append(self)

    saved_shelf, saved_forward = module.SHELF, pricing.Forward
    module.SHELF = shelf = held.Shelf(saved_shelf.build)  # empty: every model is counted
    pricing.Forward = Counting
    try:
        answer(load_scenario(ROOT / "scenarios" / f"{name}.yaml"), backend=backend)
    finally:
        module.SHELF, pricing.Forward = saved_shelf, saved_forward
    return {
        "models_built": shelf.builds,
        "price_resolves": sum(f.resolves for f in made),
        "resolves_decided": sum(len(f.skipped) for f in made),
    }


def bench_backends(name: str, reps: int) -> dict:
    seconds: dict[str, list[float]] = {b: [] for b in BACKENDS}
    command_seconds(name, "highs")  # warm-up: the file cache, the first interpreter
    for _ in range(reps):
        for backend in BACKENDS:
            seconds[backend].append(command_seconds(name, backend))
    row: dict = {"scenario": name, "reps": reps}
    for backend in BACKENDS:
        row[f"{backend}_s"] = median(seconds[backend])
    for backend in BACKENDS[1:]:
        row[f"{backend}_ratio"] = ratio(row[f"{backend}_s"], row["highs_s"])
        for key, value in counts(name, backend).items():
            row[f"{backend}_{key}"] = value
    print(
        f"  {name}: HiGHS {row['highs_s']:.2f} s, CBC {row['cbc_ratio']:.2f}x, "
        f"OR-Tools {row['ortools_ratio']:.2f}x",
        flush=True,
    )
    return row


def targets(results: dict, judged) -> None:
    """No target: the figure is shown, not judged."""


def profile(results: dict, quick: bool, missed: set[str], profiles: dict) -> None:
    """No target, so no profile of a miss."""


def markdown(r: dict) -> list[str]:
    rows = r["backends"]
    out = ["", "### 6. Other backends, against HiGHS", ""]
    out.append(
        f"Median of {rows[0]['reps']} runs each, alternated: `kpi-optimizer solve SCENARIO "
        "--backend B --no-explain --format json` in a fresh interpreter, as a ratio to the "
        "same command on HiGHS; with, for one answer each, the solver models built (the "
        "plan's once, each tie stage's once) and the LP re-solves behind the prices. Not "
        "judged:"
    )
    return out + by_scenario(
        rows,
        [
            ("HiGHS, s", "highs_s", 2),
            ("**CBC / HiGHS**", "cbc_ratio", 2),
            ("**OR-Tools / HiGHS**", "ortools_ratio", 2),
            ("CBC models built", "cbc_models_built", 0),
            ("OR-Tools models built", "ortools_models_built", 0),
            ("CBC price re-solves (decided without one)",
             lambda row: f"{row['cbc_price_resolves']} ({row['cbc_resolves_decided']})", 0),
        ],
    )  # fmt: skip


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    quick = "--quick" in sys.argv
    results = {"backends": measure(type("Args", (), {"quick": quick})(), Path("."))}
    print("\n".join(markdown(results)))
