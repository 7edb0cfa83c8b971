from __future__ import annotations

import functools
from pathlib import Path

import pytest

from optimizer.loading import load_scenario
from optimizer.solve import solve

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@functools.cache
def solved(path: str, objective: str | None = None):
    """Each bundled scenario is solved once per session and objective."""
    scenario = load_scenario(path)
    return scenario, solve(scenario, objective)


@pytest.fixture(params=[p.name for p in SCENARIOS])
def bundled(request):
    return solved(str(ROOT / "scenarios" / request.param))
