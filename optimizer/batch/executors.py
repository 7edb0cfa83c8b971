"""Where jobs run: this process, a local process pool, or a Dask cluster.

Jobs travel in chunks. A Dask task costs about 1.5 ms of scheduling, a solve 0.1 s to a
few seconds; chunks are guided (each takes a quarter of a worker's share of what is
left, at most ``LARGEST_CHUNK`` jobs), so early chunks are big and the last ones are
single jobs that keep every worker busy to the end. Results come back to this process,
which writes them, so a cluster needs no shared folder.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed

from optimizer.batch.jobs import Job
from optimizer.batch.worker import Outcome, solve_chunk, solver_threads

LARGEST_CHUNK = 16
Deliver = Callable[[Outcome], None]


def chunked(jobs: list[Job], workers: int) -> list[list[Job]]:
    chunks, start = [], 0
    while start < len(jobs):
        size = max(1, min(LARGEST_CHUNK, (len(jobs) - start) // (4 * max(1, workers))))
        chunks.append(jobs[start : start + size])
        start += size
    return chunks


def run_here(jobs: list[Job], deliver: Deliver) -> None:
    """One worker: solve in this process, no pool to start or feed."""
    try:
        for chunk in chunked(jobs, 1):
            for outcome in solve_chunk(chunk):
                deliver(outcome)
    finally:
        solver_threads(None)  # leave this process's later solves as they were


def run_local(jobs: list[Job], workers: int, deliver: Deliver) -> None:
    """A pool of worker processes, forked from a server that has already imported the solver."""
    if workers <= 1:
        return run_here(jobs, deliver)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        context.set_forkserver_preload(["optimizer.batch.worker", "optimizer.solve"])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    try:
        futures = [pool.submit(solve_chunk, chunk) for chunk in chunked(jobs, workers)]
        for future in as_completed(futures):
            for outcome in future.result():
                deliver(outcome)
    finally:
        # on Ctrl-C: drop the queued chunks instead of waiting for them
        pool.shutdown(wait=True, cancel_futures=True)


def run_dask(jobs: list[Job], workers: int, scheduler: str | None, deliver: Deliver) -> None:
    """A Dask cluster: the scheduler at ``scheduler``, or a LocalCluster of ``workers``."""
    from dask.distributed import Client, LocalCluster
    from dask.distributed import as_completed as dask_completed

    with contextlib.ExitStack() as stack:
        if scheduler:
            client = stack.enter_context(Client(scheduler))
        else:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            )
            client = stack.enter_context(Client(cluster))
        slots = sum(client.nthreads().values()) or workers
        chunks = chunked(jobs, slots)
        futures = client.map(solve_chunk, chunks, pure=False)
        try:
            for future in dask_completed(futures):
                for outcome in future.result():
                    deliver(outcome)
        finally:
            client.cancel(futures)
