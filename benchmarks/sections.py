"""What the standalone benchmarks (``whynot_bench.py``, ``risk_bench.py``) share: timing a
call, and writing their own section of RESULTS.md between its markers, atomically, keeping
the rest of the file as it is."""

from __future__ import annotations

import time
from pathlib import Path


def timed(fn):
    """(seconds, answer) of ``fn()``."""
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def write_section(path: Path, start: str, end: str, section: str) -> None:
    """``section`` (which begins with ``start`` and ends with ``end``) in place of the one
    between those markers in ``path``, or appended when there is none."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + section + rest.split(end, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
