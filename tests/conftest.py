from __future__ import annotations

import functools
import importlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent

SLOW_MODULES = {
    "test_app_browser",  # a real Streamlit server and Chromium
    "test_benchmarks",  # the benchmark suite's quick mode, in child processes
    "test_batch",  # process pools and Dask clusters
    "test_batch_hardening",  # killed batches, crashing workers
    "test_backends",  # CBC, OR-Tools and PDLP on every scenario
}
"""Modules of the slow tier. ``pytest -m "not slow"`` (the inner loop, under a minute)
leaves them and every test marked ``slow`` out; CI runs everything."""

settings.register_profile("inner_loop", max_examples=30)
"""The inner loop's Hypothesis profile: property tests draw ``examples(n)``, a third of the
``n`` examples CI draws (``pytest`` without ``-m "not slow"`` keeps Hypothesis's default)."""


def pytest_configure(config):
    if "not slow" in (config.getoption("markexpr", "") or ""):
        settings.load_profile("inner_loop")


def examples(full: int) -> int:
    """``full`` examples when the whole suite runs, a third of them (at least 5) in the inner
    loop, whose Hypothesis profile draws 30 where the default draws 100."""
    return max(5, full * settings.default.max_examples // 100)


SLOW_SCENARIOS = ("growth_plan", "software_company")
"""Bundled scenarios whose cases run in the slow tier only: the 12-month growth plan's
every answer takes 5 to 20 s (three tie stages of whole-number solves, a hundred inputs),
the subscription software company's 1 s a solve and 8 s an answer (its phone line chooses
among three service bands and nine rosters every month, with churn and cash tied to the
band), which would each triple the inner loop. Their hand-solved features are in
tests/test_workforce.py, tests/test_seasons.py and tests/test_money.py, which stay in the
inner loop."""


def pytest_collection_modifyitems(items):
    for item in items:
        if item.module.__name__.rpartition(".")[2] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
        elif any(name in item.nodeid for name in SLOW_SCENARIOS):
            item.add_marker(pytest.mark.slow)


def pytest_ignore_collect(collection_path, config):
    """The inner loop does not import the slow tier's modules (Playwright, Dask, the
    benchmarks): every test in them would be deselected."""
    if collection_path.stem in SLOW_MODULES and "not slow" in (config.getoption("markexpr") or ""):
        return True
    return None


SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@functools.cache
def solved(path: str, objective: str | None = None):
    """Each bundled scenario is solved once per session and objective."""
    from optimizer.analysis.solve import solve  # imported here: pytest-xdist's controller,
    from optimizer.scenario.loading import load_scenario  # which runs no test, starts sooner

    scenario = load_scenario(path)
    return scenario, solve(scenario, objective)


@functools.cache
def explained(path: str):
    """A bundled scenario's plan (``solved``) and its explanation, once per session."""
    from optimizer.analysis.explain import explain

    scenario, plan = solved(path)
    return scenario, plan, explain(scenario, plan)


@pytest.fixture(params=[p.name for p in SCENARIOS])
def bundled(request):
    return solved(str(ROOT / "scenarios" / request.param))


# ---- the command line, in this process or in its own --------------------------------------
@dataclass(frozen=True)
class Ran:
    """A command's exit code and its two streams, however it was run."""

    returncode: int
    stdout: str
    stderr: str


def in_process(*args: str | Path) -> Ran:
    """``kpi-optimizer ARGS`` in this process (typer's CliRunner, 200 columns): what it
    prints and its exit code, without a fresh interpreter's start (0.3 to 1 s). An exception
    that escapes the command fails the test: in a real process it would be a traceback."""
    from typer.testing import CliRunner

    from optimizer.cli import app

    result = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args} raised {result.exception!r}") from result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)


def own_process(*args: str | Path, timeout: float = 300) -> Ran:
    """``kpi-optimizer ARGS`` as a user runs it: the real entry point in a fresh interpreter
    from the repository root (stdout is exactly what a user sees: no solver banner, no
    traceback, nothing imported eagerly)."""
    done = subprocess.run(
        [sys.executable, "-m", "optimizer.cli", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "200"},
    )
    return Ran(done.returncode, done.stdout, done.stderr)


shared_in_process = functools.cache(in_process)
"""``in_process``, each command once per session: for tests that read the same answer
(never with a monkeypatch in force)."""
shared_own_process = functools.cache(own_process)
"""``own_process``, each command once per session."""

RUNS = {"in-process": shared_in_process, "own process": shared_own_process}


@pytest.fixture(params=["in-process", pytest.param("own process", marks=pytest.mark.slow)])
def run(request):
    """A test of what a command prints and its exit code, where a fresh interpreter is not
    what is under test: in this process in the inner loop, and in CI also in its own
    process, as a user runs it."""
    return RUNS[request.param]


# ---- Streamlit's AppTest ------------------------------------------------------------------
@pytest.fixture(autouse=True, scope="session")
def _page_harness_once():
    """Work AppTest repeats for each new page, done once per session, as a Streamlit server
    does it once: the scan of every installed distribution for components (a quarter of a
    second, 300-odd packages, none found; the installed packages do not change during a
    run) and the compilation of the page script (a third of a page's run; its bytecode is
    kept by path, as the server's script cache keeps it for every session)."""
    if "streamlit.testing.v1" not in sys.modules:  # no page test was collected
        yield
        return
    try:
        scanner = importlib.import_module("streamlit.components.v2.manifest_scanner")
        runner = importlib.import_module("streamlit.testing.v1.local_script_runner")
        scan, script_cache = scanner.scan_component_manifests, runner.ScriptCache
    except (ImportError, AttributeError):  # another Streamlit: its own ways
        yield
        return
    found = functools.cache(scan)
    shared = script_cache()
    patched = [
        (scanner, "scan_component_manifests", scan, lambda *a, **k: list(found(*a, **k))),
        (runner, "ScriptCache", script_cache, lambda: shared),
    ]
    for module, name, _, stand_in in patched:
        setattr(module, name, stand_in)
    try:
        yield
    finally:
        for module, name, original, _ in patched:
            setattr(module, name, original)


@pytest.fixture
def media(monkeypatch):
    """The bytes behind each download button of an AppTest page: the media stores AppTest
    creates, kept (``read(button) -> bytes``)."""
    from streamlit.testing.v1 import app_test as app_test_module

    stores = []
    base = app_test_module.MemoryMediaFileStorage

    class Kept(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            stores.append(self)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Kept)

    def read(button) -> bytes:
        name = button.proto.url.rsplit("/", 1)[-1]
        return stores[-1].get_file(name).content

    return read
