"""A batch never dies of one file (issue 11): each failure's smallest reproducer.

1. a 400-deep nested map, RecursionError, MemoryError: the job's own row, the rest solved;
2. a YAML alias bomb in ``variants:``: refused without being expanded, messages short;
3. a killed batch leaves no worker process behind;
4. a second batch on the same output folder stops at once (exit 2, one line);
5. file-system errors: one line with the path, the system's words and the right advice;
6. a worker killed by a native crash (SIGSEGV): only that job's row, kind ``crash``;
7. ``validate`` checks every declared variant;
8. a variant name with a control character, or too long, is refused with a short excerpt.

Crashes and errors are injected with ``worker.BEFORE_JOB``, a module-level hook this test
sets in its own process; the executors carry it to the worker processes (a scenario file
cannot reach it).
"""

from __future__ import annotations

import ctypes
import errno
import functools
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
from typer.testing import CliRunner

from optimizer.batch import processes, run_batch, worker
from optimizer.batch.lock import locked
from optimizer.cli import app
from optimizer.scenario.loading import ScenarioError, read_scenario_file
from optimizer.scenario.variants import EXCERPT, MAX_ITEMS, Variant, excerpt, split

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "scenarios" / "seed_company.yaml"
SEED_BASE = SEED.read_text().split("\nvariants:")[0] + "\n"
"""The seed's text without its own variant (fifty_dials): these tests count and name jobs."""
runner = CliRunner()


# ---- hooks run in the worker processes (module level, so they travel by name) ----------
def crash_on(name: str, job) -> None:
    """A native crash (SIGSEGV) while solving the job named ``name``."""
    if job.name == name:
        ctypes.string_at(0)


def raise_on(name: str, error: type[BaseException], job) -> None:
    if job.name == name:
        raise error("raised by the test")


def seeds(folder: Path, *names: str, extra: dict[str, str] | None = None) -> Path:
    """Copies of the seed scenario (fast to solve), ``extra`` texts appended by name."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / f"{name}.yaml").write_text(SEED_BASE + (extra or {}).get(name, ""))
    return folder


def seed_with_block(block) -> dict:
    data = read_scenario_file(SEED)
    data["variants"] = block  # in place of the seed's own
    return data


def summary(out: Path) -> dict[str, dict]:
    table = pd.read_csv(out / "summary.csv")
    table = table.astype(object).where(table.notna(), None)
    return {
        r["scenario"] if r["variant"] == "base" else f"{r['scenario']}@{r['variant']}": r
        for r in table.to_dict("records")
    }


def batch(*args: str):
    return runner.invoke(app, ["batch", *args])


# ---- 1. one bad file: its own row -------------------------------------------------------
def deep_description(depth: int = 400) -> str:
    lines = SEED_BASE.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("description:"))
    lines[at : at + 3] = ["description: " + "{a: " * depth + "1" + "}" * depth]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_400_deep_file_is_its_own_row_and_the_others_are_solved(tmp_path, jobs):
    folder = seeds(tmp_path / "in", "a", "c")
    (folder / "b.yaml").write_text(deep_description())
    out = tmp_path / "out"
    for _ in range(2):  # and a rerun the same way
        result = batch(str(folder), "--out", str(out), "-j", jobs)
        assert result.exit_code == 1, result.output
        assert "2 solved, 1 failed" in result.output and "Traceback" not in result.output
        rows = summary(out)
        assert list(rows) == ["a", "b", "c"]
        assert rows["a"]["status"] == rows["c"]["status"] == "optimal"
        assert rows["b"]["status"] == "error"
        # RecursionError as an internal row today; refused as bad input by a nesting budget
        assert rows["b"]["error_kind"] in ("internal", "bad_input")
        assert sorted(p.name for p in (out / "results").iterdir()) == ["a.json", "b.json", "c.json"]


@pytest.mark.parametrize("error", [RecursionError, MemoryError])
def test_recursion_and_memory_errors_in_a_job_become_its_row(tmp_path, monkeypatch, error):
    folder = seeds(tmp_path / "in", "a", "b", "c")
    monkeypatch.setattr(worker, "BEFORE_JOB", functools.partial(raise_on, "b", error))
    report = run_batch([folder], tmp_path / "out", workers=1, progress=False)
    rows = {r["scenario"]: r for r in report.rows}
    assert (report.solved, report.failed) == (2, 1)
    assert rows["b"]["error_kind"] == "internal"
    assert rows["b"]["error"] == f"{error.__name__}: raised by the test"
    assert rows["a"]["error"] is None and rows["c"]["error"] is None
    assert summary(tmp_path / "out")["b"]["error"] == f"{error.__name__}: raised by the test"


# ---- 2. an alias bomb in variants --------------------------------------------------------
def bomb(levels: int = 9) -> list:
    """What YAML aliases build: 9**levels strings from a few lists shared by reference."""
    value: list = ["lol"] * 9
    for _ in range(levels - 1):
        value = [value] * 9
    return value


def test_an_alias_bomb_in_a_variant_is_refused_without_being_expanded():
    started = time.perf_counter()
    with pytest.raises(ScenarioError) as caught:
        split(seed_with_block({"bomb": {"description": bomb()}}), "seed.yaml")
    message = str(caught.value)
    assert f"values of at most {MAX_ITEMS} items" in message
    assert "variants.bomb" in message and len(message) < 400
    long = Variant("v", (("description", bomb()),)).overrides[0]
    assert long.startswith('description=[[[[[[[[["lol", "lol"') and long.endswith("...")
    assert len(long) <= len("description=") + 1000
    deep: dict = {}
    for _ in range(400):
        deep = {"a": deep}
    assert len(excerpt(deep)) == EXCERPT
    assert time.perf_counter() - started < 1


def test_a_yaml_alias_bomb_in_variants_does_not_hang_the_batch(tmp_path):
    levels = ["  l1: {description: &a1 [lol, lol, lol, lol, lol, lol, lol, lol, lol]}"]
    for i in range(2, 10):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        levels.append(f"  l{i}: {{description: &a{i} [{refs}]}}")
    folder = seeds(tmp_path / "in", "bomb", extra={"bomb": "\nvariants:\n" + "\n".join(levels)})
    started = time.perf_counter()
    result = batch(str(folder), "--out", str(tmp_path / "out"), "-j", "1")
    assert time.perf_counter() - started < 15
    assert result.exit_code == 1, result.output
    rows = summary(tmp_path / "out")
    assert list(rows) == ["bomb"]  # a broken variants block: the file's one row
    assert rows["bomb"]["error_kind"] == "bad_input"
    assert max(len(line) for line in rows["bomb"]["error"].splitlines()) <= worker.MESSAGE_LINE


# ---- 3. workers die with the batch -------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("start", ["fork", "forkserver"])
def test_a_killed_batch_leaves_no_worker_behind(tmp_path, start):
    folder = seeds(tmp_path / "in", *(f"s{i:02d}" for i in range(60)))
    out = tmp_path / "out"
    # HiGHS loaded first: the batch may not copy itself and starts a forkserver instead
    first = "import highspy; " if start == "forkserver" else ""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"{first}from optimizer.cli import main; main()",
            "batch",
            str(folder),
            "--out",
            str(out),
            "-j",
            "2",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not list((out / "results").glob("*.json")):
            time.sleep(0.05)
        batch_process = psutil.Process(proc.pid)
        family = batch_process.children(recursive=True)
        if start == "fork":  # copies of the batch's process
            workers = [
                p for p in batch_process.children() if p.cmdline() == batch_process.cmdline()
            ]
        else:  # children of the forkserver
            (server,) = [
                p for p in batch_process.children() if "forkserver" in " ".join(p.cmdline())
            ]
            workers = server.children()
        assert len(workers) == 2, family
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        killed = time.monotonic()
        while time.monotonic() - killed < 5 and [p for p in family if _running(p)]:
            time.sleep(0.05)
        assert [p for p in family if _running(p)] == []
        assert time.monotonic() - killed < 5
    finally:
        proc.kill()


def wait_as_a_worker(batch_pid: int) -> None:
    processes.start_worker(batch_pid)
    time.sleep(30)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork and pidfds: Linux")
@pytest.mark.parametrize("pidfd", [True, False], ids=["pidfd", "polling"])
def test_a_worker_exits_once_the_batch_process_is_gone(monkeypatch, pidfd):
    """The watcher thread alone (the worker's parent here lives on): a stand-in batch."""
    if not pidfd:
        monkeypatch.delattr(os, "pidfd_open")  # as on an old kernel: the thread polls
    stand_in = subprocess.Popen(["sleep", "30"])
    child = multiprocessing.get_context("fork").Process(
        target=wait_as_a_worker, args=(stand_in.pid,)
    )
    child.start()
    try:
        time.sleep(0.3)
        assert child.is_alive()
        stand_in.kill()
        stand_in.wait()
        child.join(timeout=3)
        assert child.exitcode == 1  # os._exit(1) from the watcher, not the 30 s sleep
    finally:
        child.kill()
        stand_in.kill()


def _running(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


# ---- 4. one batch per output folder ------------------------------------------------------
def test_a_second_batch_on_the_same_folder_exits_2_naming_it(tmp_path):
    folder = seeds(tmp_path / "in", "a")
    out = tmp_path / "out"
    out.mkdir()
    with locked(out):  # what a running batch holds
        second = batch(str(folder), "--out", str(out), "-j", "1")
        assert second.exit_code == 2
        assert second.stderr.splitlines() == [
            f"{out}: another batch is writing there (process {os.getpid()}); "
            "wait for it to finish, or choose another --out folder"
        ]
        assert not (out / "results").exists()
    assert batch(str(folder), "--out", str(out), "-j", "1").exit_code == 0  # released


# ---- 5. file-system errors: the right advice ---------------------------------------------
def test_out_naming_a_file_is_one_line_of_advice(tmp_path):
    folder = seeds(tmp_path / "in", "a")
    taken = tmp_path / "taken.csv"
    taken.write_text("x")
    for out in (taken, taken / "sub"):
        result = batch(str(folder), "--out", str(out))
        assert result.exit_code == 2, result.output
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"cannot write {out}: ")
        assert line.endswith("; --out must be a folder, not a file or a path through one")
        assert "resume" not in line and "internal" not in line


@pytest.mark.parametrize(
    ("code", "advice"),
    [
        (errno.EROFS, "choose an --out folder on a disk that can be written"),
        (errno.EACCES, "choose an --out folder you can write to"),
        (errno.ENOSPC, "free disk space, or choose an --out folder on another disk"),
    ],
)
def test_a_folder_that_cannot_be_written_is_one_line_of_advice(tmp_path, monkeypatch, code, advice):
    folder = seeds(tmp_path / "in", "a")
    out = tmp_path / "out"

    def refuse(source, target):  # the system's answer to renaming a result into place
        raise OSError(code, os.strerror(code), str(source))

    monkeypatch.setattr(os, "replace", refuse)
    result = batch(str(folder), "--out", str(out), "-j", "1")
    monkeypatch.undo()
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[-1] == (
        f"cannot write {out / 'results' / 'a.json'}: {os.strerror(code)}; {advice}"
    )
    assert "resume" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_read_only_folder_is_one_line_of_advice(tmp_path):
    folder = seeds(tmp_path / "in", "a")
    out = tmp_path / "out"
    out.mkdir(mode=0o555)
    try:
        result = batch(str(folder), "--out", str(out))
    finally:
        out.chmod(0o755)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"cannot write {out / '.lock'}: Permission denied; choose an --out folder you can write to"
    ]


# ---- 6. a native crash -------------------------------------------------------------------
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_segfault_is_only_the_crashing_jobs_row(tmp_path, monkeypatch, jobs):
    variants = "\nvariants:\n  long: {calendar.hours_per_day: 9}\n"
    folder = seeds(tmp_path / "in", "a", "b", "c", "d", extra={"b": variants})
    monkeypatch.setattr(worker, "BEFORE_JOB", functools.partial(crash_on, "b@long"))
    out = tmp_path / "out"
    result = batch(str(folder), "--out", str(out), "-j", str(jobs))
    assert result.exit_code == 1, result.output
    assert "4 solved, 1 failed" in result.output
    rows = summary(out)
    assert list(rows) == ["a", "b", "b@long", "c", "d"]
    assert [r["status"] for r in rows.values()] == ["optimal"] * 2 + ["error"] + ["optimal"] * 2
    crash = rows["b@long"]
    assert crash["error_kind"] == "crash"
    assert crash["error"] == (
        "the solver process died of SIGSEGV (Segmentation fault) while solving "
        f"{folder / 'b.yaml'}, variant long"
    )
    stored = json.loads((out / "results" / "b@long.json").read_text())
    assert stored["error"] == {"kind": "crash", "message": crash["error"]}
    monkeypatch.undo()  # a crash is retried by the next run, and now solves
    again = run_batch([folder], out, workers=jobs, progress=False)
    assert again.ok and again.reused == 4


@pytest.mark.slow
def test_a_worker_lost_on_dask_is_only_its_jobs_row(tmp_path, monkeypatch):
    import dask

    folder = seeds(tmp_path / "in", "a", "b", "c")
    monkeypatch.setattr(worker, "BEFORE_JOB", functools.partial(crash_on, "b"))
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        report = run_batch([folder], tmp_path / "out", workers=2, executor="dask", progress=False)
    rows = {r["scenario"]: r for r in report.rows}
    assert [rows[n]["status"] for n in "abc"] == ["optimal", "error", "optimal"]
    assert rows["b"]["error_kind"] == "crash"
    assert rows["b"]["error"] == (
        "the solver process was lost on a Dask worker (KilledWorker) while solving "
        f"{folder / 'b.yaml'}, variant base"
    )


# ---- 7. validate checks the variants -----------------------------------------------------
def test_validate_checks_every_variant(tmp_path):
    good = seeds(
        tmp_path, "good", extra={"good": "\nvariants:\n  long: {calendar.hours_per_day: 9}\n"}
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        SEED_BASE + "\nvariants:\n  long: {calendar.hours_per_day: 9}\n"
        "  typo: {calendar.hours_per_dy: 9}\n  huge: {calendar.hours_per_day: 25}\n"
    )
    result = runner.invoke(app, ["validate", str(good / "good.yaml"), str(bad)])
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [f"{good / 'good.yaml'}: ok (variants: long)"]
    assert f"{bad} (variant typo): calendar.hours_per_dy = 9: expected a path" in result.stderr
    assert f"{bad} (variant huge): calendar.hours_per_day = 25: expected a number <= 24" in (
        result.stderr
    )
    assert "(variant long)" not in result.stderr


# ---- 8. variant names --------------------------------------------------------------------
@pytest.mark.parametrize("name", ["two\\nlines", "tab\\there", "v" * 65, "x" * 5000])
def test_a_variant_name_with_a_control_character_or_too_long_is_refused(tmp_path, name):
    folder = seeds(
        tmp_path / "in", "seed", extra={"seed": f'\nvariants:\n  ? "{name}"\n  : {{a: 1}}\n'}
    )
    report = run_batch([folder], tmp_path / "out", workers=1, progress=False)
    (row,) = report.rows
    assert row["variant"] == "base" and row["error_kind"] == "bad_input"
    problem = row["error"].splitlines()[1]
    assert problem.startswith(f'  {folder / "seed.yaml"}: variants = "')
    assert "a variant name" in problem
    shown = problem.split(" = ", 1)[1].split(": expected")[0]
    assert len(shown) <= EXCERPT
    assert os.listdir(tmp_path / "out" / "results") == ["seed.json"]


def test_a_64_character_variant_name_is_accepted():
    _, variants = split(seed_with_block({"v" * 64: {"calendar.hours_per_day": 9}}), "seed.yaml")
    assert list(variants) == ["v" * 64]


def test_the_batch_summary_is_written_whatever_failed(tmp_path, monkeypatch):
    """A crash, an exception, a broken file and a good one: one summary with all four."""
    folder = seeds(tmp_path / "in", "crash", "error", "good")
    (folder / "broken.yaml").write_text("name: [1, 2\n")
    hooks = [functools.partial(crash_on, "crash"), functools.partial(raise_on, "error", OSError)]
    monkeypatch.setattr(worker, "BEFORE_JOB", functools.partial(_both, hooks))
    report = run_batch([folder], tmp_path / "out", workers=2, progress=False)
    kinds = {r["scenario"]: r["error_kind"] for r in report.rows}
    assert kinds == {"broken": "bad_input", "crash": "crash", "error": "internal", "good": None}
    assert list(summary(tmp_path / "out")) == ["broken", "crash", "error", "good"]


def _both(hooks, job) -> None:
    for hook in hooks:
        hook(job)
