"""Peak memory per process: a side of a comparison run in its own process.

``run_child`` runs ``benchmarks/run.py --child ...`` through a small launcher and returns
the child's result with its wall time and peak resident memory (``ru_maxrss`` from
``wait4``); ``vm_hwm_kib`` is a process's own peak (``VmHWM``), read from inside it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENTRY = Path(__file__).resolve().parent / "run.py"
"""The script a child runs: ``run.py --child product|raw|idle``."""

LAUNCHER = """
import json, os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, *sys.argv[1:]])
_, status, usage = os.wait4(pid, 0)
print(json.dumps([os.waitstatus_to_exitcode(status), usage.ru_maxrss]))
"""
"""Runs a command and reports its exit code and peak resident memory (``ru_maxrss``, KiB).

A child's ``ru_maxrss`` counts the image it was forked from before ``exec``: spawned from
this (large) process it would report at least this process's size. This small launcher
(``python -S``, about 10 MiB) forks and execs the child instead, so the figure is the
child's own."""


def vm_hwm_kib() -> int | None:
    """This process's peak resident memory (KiB) from /proc/self/status."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def run_child(args: list[str]) -> dict:
    """Run ``run.py --child ...`` in its own process: its result, wall time and peak memory."""
    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as out:
        path = out.name
    try:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-S", "-c", LAUNCHER, str(ENTRY), "--child", *args, "--result", path],
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - start
        code, maxrss = json.loads(done.stdout.strip().splitlines()[-1])
        if code != 0:
            raise RuntimeError(f"child {args[0]} failed ({code}): {done.stderr[-2000:]}")
        result = json.loads(Path(path).read_text())
    finally:
        Path(path).unlink(missing_ok=True)
    result["wall"] = wall
    result["ru_maxrss_kib"] = maxrss  # KiB on Linux
    return result
