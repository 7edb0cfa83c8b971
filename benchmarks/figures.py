"""The arithmetic every suite shares: medians, ratios, relative differences, phase names,
number formatting, and cProfile summaries.

A ratio or a difference with a missing side is NaN (shown as ``-``), never an error: a
size that did not finish still gets its column.
"""

from __future__ import annotations

import cProfile
import io
import math
import pstats
import statistics

PHASES = [
    "load",
    "validate",
    "build",
    "hand_over",
    "solve",
    "fixed_lp",
    "ranging",
    "check",
    "report",
    "json",
]
PHASE_WORDS = {
    "load": "read + YAML",
    "validate": "validate",
    "build": "build",
    "hand_over": "hand-over",
    "solve": "solve (HiGHS)",
    "fixed_lp": "duals (fixed LP)",
    "ranging": "ranging",
    "check": "check",
    "report": "report tables",
    "json": "JSON",
    "other": "other",
}


def median(values) -> float:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else math.nan


def ratio(a: float, b: float) -> float:
    return a / b if b and math.isfinite(a) and math.isfinite(b) else math.nan


def rel_diff(a: float | None, b: float | None) -> float:
    if a is None or b is None:
        return math.nan
    return abs(a - b) / max(1.0, abs(a), abs(b))


def fmt(value, digits: int = 2, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:,.{digits}f}{unit}"


def by_scenario(rows: list[dict], lines) -> list[str]:
    """A Markdown table with a column per row (its ``scenario``) and a line per
    ``(label, cell, digits)``: ``cell`` is the row's key, formatted with ``digits``, or a
    function of the row giving the cell's text."""
    out = [
        "",
        "| | " + " | ".join(row["scenario"] for row in rows) + " |",
        "|---|" + "---|" * len(rows),
    ]
    for label, cell, digits in lines:
        cells = [cell(row) if callable(cell) else fmt(row[cell], digits) for row in rows]
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    return out


def phases_line(phases: dict) -> str:
    return ", ".join(f"{PHASE_WORDS.get(k, k)} {v:.2f}" for k, v in phases.items())


def profile_text(fn, limit: int = 25) -> str:
    """cProfile of ``fn()``: the top functions by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    return stats_text(profiler, limit)


def stats_text(profiler, limit: int) -> str:
    buf = io.StringIO()
    stats = pstats.Stats(profiler, stream=buf).strip_dirs().sort_stats("cumulative")
    stats.print_stats(limit)
    text = buf.getvalue()
    start = text.find("   ncalls")
    return text[start:].rstrip() if start >= 0 else text.rstrip()
