"""Worker processes: they die with the batch, and a job that kills its process is a row.

Workers are forked from the batch's process while it is safe to copy (``context``), else
from a forkserver that has already imported the solver. Each one asks the kernel to kill
it when its parent dies (``prctl(PR_SET_PDEATHSIG, SIGKILL)`` on Linux; a forkserver
exits when the batch does), and a daemon thread ends it once the batch's own process is
gone. A killed batch leaves no worker solving on.

A native crash (SIGSEGV inside HiGHS) kills its worker, and in a process pool breaks
the whole pool. ``solve_alone`` then solves each job that was not delivered in a fresh
process of its own, ``workers`` at a time, so only the job that crashes gets an error
row (kind ``crash``) naming the signal, the scenario file and the variant.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import wait

import optimizer.batch.worker as worker
from optimizer.batch.jobs import Job

PRELOAD = ["optimizer.batch.worker", "optimizer.analysis.solve"]
SOLVERS = ("highspy", "ortools")
"""Native solvers whose threads a forked copy would inherit broken (HiGHS's scheduler)."""
PR_SET_PDEATHSIG = 1
POLL_SECONDS = 0.5
"""How often a worker without pidfds looks for the batch's process."""


def context():
    """How to start workers: on Linux ``fork`` (a copy of this process, free) while this
    process has loaded no solver and runs no other thread, whose state a copy would inherit
    broken; else ``forkserver`` (a clean server that imports the solver once, about 0.8 s
    the first time), else ``spawn``."""
    methods = multiprocessing.get_all_start_methods()
    alone = threading.active_count() == 1 and not any(name in sys.modules for name in SOLVERS)
    if sys.platform.startswith("linux") and alone:  # macOS cannot fork safely
        return multiprocessing.get_context("fork")
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    forkserver = multiprocessing.get_context("forkserver")
    forkserver.set_forkserver_preload(PRELOAD)
    return forkserver


def start_worker(batch_pid: int) -> None:
    """A worker's initializer: end this process when the batch's process is gone."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.name == "posix":  # on Windows, os.kill(pid, 0) would end the batch
        threading.Thread(target=_watch, args=(batch_pid,), name="batch-watch", daemon=True).start()


def _watch(batch_pid: int) -> None:
    """Wait for the batch's process to end (a pidfd, else polling), then exit at once."""
    try:
        handle = os.pidfd_open(batch_pid)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):  # no pidfds (not Linux, an old kernel, a sandbox)
        while _alive(batch_pid):
            time.sleep(POLL_SECONDS)
        os._exit(1)
    select.select([handle], [], [])  # readable once the process has ended
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def solve_alone(jobs: list[Job], workers: int, deliver: Callable[[worker.Outcome], None]) -> None:
    """Each job in a fresh process of its own, ``workers`` at a time; a process that dies
    (a signal, an exit) delivers its job's crash row instead of a result."""
    forkserver, batch_pid, before = context(), os.getpid(), worker.BEFORE_JOB
    waiting, running = list(jobs), {}
    try:
        while waiting or running:
            while waiting and len(running) < max(1, workers):
                job = waiting.pop(0)
                reader, writer = forkserver.Pipe(duplex=False)
                process = forkserver.Process(
                    target=_solve_one, args=(job, writer, batch_pid, before), daemon=True
                )
                process.start()
                writer.close()
                running[reader] = (process, job)
            for reader in wait(list(running)):
                process, job = running.pop(reader)
                try:
                    outcome = reader.recv()
                except (EOFError, OSError):  # the process died before it sent its result
                    outcome = None
                reader.close()
                process.join()
                deliver(outcome if outcome is not None else worker.died(job, process.exitcode))
    finally:
        for process, _ in running.values():
            process.kill()
            process.join()


def _solve_one(job: Job, writer, batch_pid: int, before) -> None:
    start_worker(batch_pid)
    writer.send(worker.solve_chunk([job], before)[0])
    writer.close()
