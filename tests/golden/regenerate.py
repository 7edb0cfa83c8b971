"""Write the golden files: the CLI's JSON for every bundled scenario, normalised.

    python tests/golden/regenerate.py [growth_plan.solve-hiring-free ...]

run from anywhere (it works from the repository root), rewrites
``tests/golden/<scenario>.<command>.json`` for every bundled scenario
(``scenarios/*.yaml``) and every command in ``COMMANDS``, and deletes golden files that
no longer belong to a scenario or command (given case names, only those are written).
``tests/test_golden.py`` runs the same commands and asserts the output is byte for byte
the file: it pins the behaviour of the whole command line before a restructure that should change none of it. Regenerate only
when a change in behaviour is intended, and read the diff of the golden files.

Each command runs in a fresh interpreter (``python -m optimizer.cli``), the way a user
runs it, two at a time.

Normalisation (``normalise``), and why:

* Timings are blanked to ``"<timing>"``, their keys kept: ``timings_seconds`` (seconds
  per stage of the solve) and ``explanation.seconds`` (the explain re-solves' wall
  clock) are the only fields that differed between runs; the rule is by key name
  (``seconds``, ``*_seconds``, ``elapsed*``, ``timing*``, ``time``, ``timestamp``,
  ``duration``) so a timing added later is blanked too. The set of stages timed is
  kept, since it is behaviour.
* The repository's absolute path is replaced by ``<root>`` in strings. The commands are
  given relative paths, so no output holds it today; this keeps the files independent
  of the checkout's location if that changes.
* Floats are kept at full precision (``json`` writes the shortest repr that round-trips).
  Five runs of every command on one machine, three of them at once, gave the same bits
  in every float, round-off residues such as ``verified.max_violation``,
  ``constraints[].slack`` or ``cross_check.dual_checks[].worst`` (1e-16 .. 1e-10)
  included, so nothing is rounded. Those residues depend on the order of floating-point
  operations: a change that reorders a sum changes them, which is the point on one
  machine, but another machine or solver build may differ in their last digits.
* Written with ``json.dumps(obj, indent=1, sort_keys=True)`` and a newline, so a diff
  of two golden files reads field by field.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent
SCENARIOS = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))

COMMANDS: dict[str, tuple[str, ...]] = {
    # Explain both ways by an explicit flag, so a change of the default changes no file.
    "solve": ("solve", "--format", "json", "--no-explain"),
    # The explanation's default budget (60 s) would make what it covers depend on the
    # machine: the growth plan's hiring-free one takes about 120 s. 500 s lets every one
    # finish (one that ran out would fail its golden file: its notes would say so).
    "solve-explain": ("solve", "--format", "json", "--explain", "--explain-seconds", "500"),
    "solve-hiring-free": (
        "solve",
        "--format",
        "json",
        "--hiring-free",
        "--explain-seconds",
        "500",
    ),
    # What would make today's targets right runs within a time budget (whynot.BUDGET_SECONDS),
    # so where it stops depends on the machine: tests/test_whynot.py pins it instead.
    "compare": ("compare", "--format", "json", "--no-why"),
    # --cross-check's second backend is OR-Tools by default; CBC (PuLP) separately.
    "cross-check": ("solve", "--format", "json", "--no-explain", "--cross-check"),
    "cross-check-cbc": (
        "solve",
        "--format",
        "json",
        "--no-explain",
        "--cross-check",
        "--check-backend",
        "cbc",
    ),
}
"""Golden file name part -> the CLI's arguments after the scenario's subcommand."""

UNPINNED: dict[tuple[str, str], str] = {}
"""Cases left out of the golden files, and why (none: the growth plan's hiring-free
explanation, once left out for outrunning the default budget, has its own)."""

CASES = [
    (scenario, command)
    for scenario in SCENARIOS
    for command in COMMANDS
    if (scenario, command) not in UNPINNED
]

TIMING_KEY = re.compile(r"seconds|.*_seconds|elapsed.*|timings?.*|time|timestamp|duration")
TIMING = "<timing>"
TIMEOUT = 600


def golden_path(scenario: str, command: str) -> Path:
    return GOLDEN / f"{scenario}.{command}.json"


def run(scenario: str, command: str) -> subprocess.CompletedProcess:
    """The command on the scenario, in a fresh interpreter, from the repository root."""
    subcommand, *options = COMMANDS[command]
    return subprocess.run(
        [sys.executable, "-m", "optimizer.cli", subcommand, f"scenarios/{scenario}.yaml", *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env={**os.environ, "COLUMNS": "200"},
    )


def _blank(value):
    if isinstance(value, dict):
        return {k: _blank(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_blank(v) for v in value]
    return TIMING


def _normalised(value):
    if isinstance(value, dict):
        return {
            k: _blank(v) if TIMING_KEY.fullmatch(k) else _normalised(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    if isinstance(value, str):
        return value.replace(str(ROOT), "<root>")
    return value


def normalise(stdout: str) -> str:
    """The golden text of a command's JSON output (see the module's docstring)."""
    return json.dumps(_normalised(json.loads(stdout)), indent=1, sort_keys=True) + "\n"


def output(scenario: str, command: str) -> tuple[str | None, str]:
    """(normalised output, or None if the command failed; what went wrong, or "")."""
    done = run(scenario, command)
    problem = ""
    if done.returncode != 0:
        problem = f"exit code {done.returncode}"
    elif not done.stdout.strip():
        problem = "no output"
    if done.stderr.strip():
        problem = "; ".join(filter(None, [problem, f"stderr:\n{done.stderr.strip()}"]))
    if done.returncode != 0 or not done.stdout.strip():
        return None, problem
    return normalise(done.stdout), problem


def main(only: list[str]) -> int:
    """Regenerate every golden file, or only those named (``growth_plan.solve-hiring-free``)."""
    chosen = [case for case in CASES if not only or ".".join(case) in only]
    unknown = set(only) - {".".join(case) for case in CASES}
    if unknown:
        print(f"no such case: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    # The explain runs are the longest: start them first so the two workers finish together.
    order = sorted(chosen, key=lambda case: not case[1].startswith("solve-"))
    with ThreadPoolExecutor(max_workers=2) as pool:  # the work is in the child processes
        results = dict(zip(order, pool.map(lambda case: output(*case), order)))
    failed = 0
    for (scenario, command), (text, problem) in sorted(results.items()):
        path = golden_path(scenario, command)
        if problem:
            print(f"{path.name}: {problem}", file=sys.stderr)
        if text is None:
            failed += 1
            continue
        changed = not path.exists() or path.read_text() != text
        path.write_text(text)
        print(f"{path.name}: {'written' if changed else 'unchanged'}")
    wanted = {golden_path(*case) for case in CASES}
    for stale in sorted(set(GOLDEN.glob("*.json")) - wanted if not only else ()):
        stale.unlink()
        print(f"{stale.name}: deleted (no such scenario or command)")
    if failed:
        print(
            f"{failed} command(s) failed; their golden files were left as they were",
            file=sys.stderr,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
