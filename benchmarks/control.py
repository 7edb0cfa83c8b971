"""How much two processes get from this machine right now: the benchmarks' control.

Two processes run a pure-Python loop against one; two idle cores give 2.0. On a shared
machine it says how far a two-worker figure can be trusted.
"""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor


def _spin(n: int) -> float:
    start = time.perf_counter()
    total = 0
    for i in range(n):
        total += i * i
    return time.perf_counter() - start


def speedup(loops: int = 10_000_000) -> float:
    """Speed-up of two processes over one on ``loops`` iterations each."""
    one = _spin(loops)
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_spin, [1, 1]))  # start both workers first
        start = time.perf_counter()
        list(pool.map(_spin, [loops, loops]))
        two = time.perf_counter() - start
    return 2 * one / two
