"""The targets: each figure against its limit, met or not (``None``, not judged, in quick
mode, where nothing is timed). Each suite adds the rows for its own targets."""

from __future__ import annotations

import math

AT_LEAST = frozenset({"t2_speedup"})
"""Targets that are met at or above their limit (the others: at or below)."""


class Targets:
    def __init__(self, quick: bool):
        self.quick = quick
        self.rows: list[dict] = []

    def add(self, key, what, value, limit, unit, note=""):
        quick = self.quick
        met = None if quick or value is None or not math.isfinite(value) else value <= limit
        if key in AT_LEAST and met is not None:
            met = value >= limit
        self.rows.append(
            {
                "key": key,
                "target": what,
                "measured": value,
                "limit": limit,
                "unit": unit,
                "met": met,
                "note": note,
            }
        )

    def unmeasured(self, key, what, note):
        """A target with no figure (its suite was skipped, or nothing finished)."""
        self.rows.append(
            {
                "key": key,
                "target": what,
                "measured": None,
                "limit": None,
                "unit": "",
                "met": None,
                "note": note,
            }
        )


def missed(rows: list[dict], quick: bool) -> set[str]:
    """The keys of the targets not met (every one in quick mode)."""
    return {r["key"] for r in rows if r["met"] is False or quick}
