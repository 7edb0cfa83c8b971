"""One time limit for a whole answer: the solve, its prices and the diagnosis of no plan.

``--time-limit 20`` means the user wants an answer in about 20 seconds, not a solve of
20 seconds followed by minutes of re-solves. Every stage asks its ``Deadline`` how long
it may still run, hands that to the solver, and stops early when it has run out; what a
stage did not finish is said in the answer's notes, never left out silently.
"""

from __future__ import annotations

import math
import time

SMALLEST_LIMIT = 1e-6
"""Seconds a solver is given once time has run out, so it stops at once with its own
time-limit status instead of running on without a limit."""


class Deadline:
    """A wall-clock budget started when it is made; ``None`` seconds means no limit."""

    def __init__(self, seconds: float | None = None):
        if seconds is not None and not (math.isfinite(seconds) and seconds > 0):
            raise ValueError(f"a time limit is a number of seconds above 0, not {seconds!r}")
        self.seconds = seconds
        self.end = None if seconds is None else time.monotonic() + seconds

    @classmethod
    def of(cls, limit: Deadline | float | None) -> Deadline:
        """The deadline itself, or a new one of ``limit`` seconds (None: no limit)."""
        return limit if isinstance(limit, Deadline) else cls(limit)

    def remaining(self) -> float | None:
        """Seconds left (at least ``SMALLEST_LIMIT``), or None without a limit."""
        if self.end is None:
            return None
        return max(SMALLEST_LIMIT, self.end - time.monotonic())

    def expired(self) -> bool:
        return self.end is not None and time.monotonic() >= self.end

    def capped(self, seconds: float) -> float:
        """The smaller of ``seconds`` and the time left."""
        left = self.remaining()
        return seconds if left is None else min(seconds, left)

    def __repr__(self) -> str:
        return "Deadline(no limit)" if self.seconds is None else f"Deadline({self.seconds:g} s)"
