"""A batch: find the scenarios, skip the unchanged, solve the rest, write every file.

    OUT/results/<scenario>.json            the base scenario of a file
    OUT/results/<scenario>@<variant>.json  each variant
    OUT/summary.csv, .parquet, .xlsx       one row per scenario and variant

A result whose content hash (scenario text, variant, solver settings, versions) matches
its job is reused unless ``force``; a result of an internal error or a crash is always
redone. Every job ends in a result (a failed or crashed one as its error row), so the
summary is always written. An interrupted run keeps the results it finished and writes no
summary: run it again. One batch at a time writes in a folder (``lock``); a folder that
cannot be written raises ``OutputError``, with advice.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from optimizer.batch.discovery import NoScenarios, find_scenarios
from optimizer.batch.executors import run_dask, run_local
from optimizer.batch.jobs import Job, Settings, plan_jobs
from optimizer.batch.lock import locked
from optimizer.batch.summary import summary_row, summary_table, write_summary
from optimizer.batch.worker import RETRIED, Outcome
from optimizer.runtime.files import make_folder, sweep_temporaries, write_text

EXECUTORS = ("local", "dask")


@dataclass
class BatchReport:
    rows: list[dict]
    solved: int
    failed: int
    reused: int
    out: Path
    files: list[Path] = field(default_factory=list)
    times: dict[str, float] = field(default_factory=dict)  # where the wall time went

    @property
    def ok(self) -> bool:
        return self.failed == 0


def run_batch(
    paths: list[str | Path],
    out: str | Path,
    *,
    workers: int | None = None,
    settings: Settings | None = None,
    variants: list[str] | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    force: bool = False,
    progress: bool = True,
) -> BatchReport:
    """Solve every scenario and variant under ``paths`` into ``out``; see the module doc."""
    if executor not in EXECUTORS:
        raise ValueError(f"executor {executor!r}: expected one of {', '.join(EXECUTORS)}")
    started = time.perf_counter()
    out = Path(out)
    workers = workers or os.cpu_count() or 1
    jobs = plan_jobs(find_scenarios(paths), settings or Settings(), variants)
    if not jobs:
        wanted = f" with variant {', '.join(variants)}" if variants else ""
        raise NoScenarios(f"no scenario{wanted} to solve in {', '.join(map(str, paths))}")
    make_folder(out)
    with locked(out):
        return _run(jobs, out, workers, executor, scheduler, force, progress, started)


def _run(jobs, out, workers, executor, scheduler, force, progress, started) -> BatchReport:
    results = out / "results"
    sweep_temporaries(out)
    rows: dict[str, dict] = {}
    todo = []
    for job in jobs:
        kept = None if force else kept_row(results / f"{job.name}.json", job)
        if kept is None:
            todo.append(job)
        else:
            rows[job.name] = kept
    times = {"plan": time.perf_counter() - started, "write_results": 0.0, "worker_seconds": 0.0}

    with _progress(len(todo), len(jobs) - len(todo), progress) as bar:

        def deliver(outcome: Outcome) -> None:
            t0 = time.perf_counter()
            write_text(results / f"{outcome.job.name}.json", outcome.text)
            times["write_results"] += time.perf_counter() - t0
            times["worker_seconds"] += outcome.seconds
            rows[outcome.job.name] = outcome.row
            bar.advance(outcome.row["error"] is not None)

        t0 = time.perf_counter()
        if executor == "dask":
            bar.start()
            run_dask(todo, workers, scheduler, deliver)
        elif todo:  # the bar's thread starts once the workers are (see processes.context)
            run_local(todo, workers, deliver, ready=bar.start)
        times["execute"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    ordered = [rows[job.name] for job in jobs]
    files = write_summary(summary_table(ordered), out)
    times["summary"] = time.perf_counter() - t0
    times["total"] = time.perf_counter() - started
    failed = sum(row["error"] is not None for row in ordered)
    return BatchReport(
        ordered, len(ordered) - failed, failed, len(jobs) - len(todo), out, files, times
    )


def reusable(path: Path, job: Job) -> dict | None:
    """The stored result of an unchanged job, or None if it must be solved."""
    try:
        result = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(result, dict):
        return None
    error = result.get("error") or {}
    if result.get("content_hash") != job.content_hash or error.get("kind") in RETRIED:
        return None
    return result


def kept_row(path: Path, job: Job) -> dict | None:
    """The summary row of an unchanged job's stored result; None: solve it (again)."""
    result = reusable(path, job)
    try:
        return None if result is None else summary_row(result, job.key)
    except Exception:  # noqa: BLE001 - a result file not in our shape: solve the job again
        return None


class _progress:
    """A rich progress bar on stderr with counts and an ETA: ``start()``, then
    ``advance(failed)`` per job."""

    def __init__(self, total: int, reused: int, show: bool):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.failed = 0
        self.reused = reused
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            disable=not show or total == 0,
        )
        self.task = self.bar.add_task(self._label(), total=total)

    def _label(self) -> str:
        reused = f", {self.reused} unchanged" if self.reused else ""
        return f"solving ({self.failed} failed{reused})"

    def __enter__(self):
        return self

    def start(self) -> None:
        self.bar.start()  # again: nothing

    def advance(self, failed: bool) -> None:
        self.failed += failed
        self.bar.update(self.task, advance=1, description=self._label())

    def __exit__(self, *exc) -> None:
        self.bar.stop()
