from __future__ import annotations

import functools
from pathlib import Path

import pytest

from optimizer.analysis.solve import solve
from optimizer.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parent.parent

SLOW_MODULES = {
    "test_app_browser",  # a real Streamlit server and Chromium
    "test_benchmarks",  # the benchmark suite's quick mode, in child processes
    "test_batch",  # process pools and Dask clusters
    "test_batch_hardening",  # killed batches, crashing workers
    "test_backends",  # CBC, OR-Tools and PDLP on every scenario
}
"""Modules of the slow tier. ``pytest -m "not slow"`` (the inner loop, about a minute)
leaves them and every test marked ``slow`` out; CI runs everything."""


def pytest_collection_modifyitems(items):
    for item in items:
        if item.module.__name__.rpartition(".")[2] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@functools.cache
def solved(path: str, objective: str | None = None):
    """Each bundled scenario is solved once per session and objective."""
    scenario = load_scenario(path)
    return scenario, solve(scenario, objective)


@pytest.fixture(params=[p.name for p in SCENARIOS])
def bundled(request):
    return solved(str(ROOT / "scenarios" / request.param))
