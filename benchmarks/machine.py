"""The machine the figures were taken on, and how busy it was: the control.

Absolute times on a shared machine are noise. Before and after a run the load average is
read and a control measures the speed-up two processes get over one on a pure-Python loop
(``control.py``; 2.0 on two idle cores), so a slow figure can be told from a busy machine.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path


def machine(load_key: str, info: dict, control_loops: int) -> None:
    info[f"load_{load_key}"] = list(os.getloadavg())
    info[f"control_{load_key}"] = control(control_loops)


def machine_info() -> dict:
    from importlib.metadata import version

    model = ""
    if shutil.which("lscpu"):
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model = next(
            (ln.split(":", 1)[1].strip() for ln in out.splitlines() if ln.startswith("Model name")),
            "",
        )
    memory = ""
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{kib / 2**20:.1f} GiB"
    except (OSError, AttributeError):
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model or platform.processor(),
        "memory": memory,
        "python": platform.python_version(),
        "highspy": version("highspy"),
        "platform": platform.platform(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def control(loops: int) -> float:
    """Speed-up of two processes over one on a pure-Python loop (2.0 on two idle cores)."""
    from control import speedup

    return speedup(loops)
