"""Where jobs run: a local process pool (one process for one worker), or a Dask cluster.

No job runs in the batch's own process, so no job (a native crash included) can end the
batch: a chunk lost with its process is solved again a job at a time, locally each in a
fresh process (``processes``), on Dask as single tasks; a job lost again is its crash row.

Jobs travel in chunks. A Dask task costs about 1.5 ms of scheduling, a solve 0.1 s to a
few seconds; chunks are guided (each takes a quarter of a worker's share of what is
left, at most ``LARGEST_CHUNK`` jobs), so early chunks are big and the last ones are
single jobs that keep every worker busy to the end. Results come back to this process,
which writes them, so a cluster needs no shared folder.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed

import optimizer.batch.processes as processes
import optimizer.batch.worker as worker
from optimizer.batch.jobs import Job
from optimizer.batch.worker import Outcome

LARGEST_CHUNK = 16
Deliver = Callable[[Outcome], None]


def chunked(jobs: list[Job], workers: int) -> list[list[Job]]:
    chunks, start = [], 0
    while start < len(jobs):
        size = max(1, min(LARGEST_CHUNK, (len(jobs) - start) // (4 * max(1, workers))))
        chunks.append(jobs[start : start + size])
        start += size
    return chunks


def run_local(
    jobs: list[Job], workers: int, deliver: Deliver, ready: Callable[[], None] = lambda: None
) -> None:
    """A pool of worker processes (one for ``--jobs 1``), so that no job can take this
    process down; ``ready()`` once they are started (threads may start after that, see
    ``processes.context``).

    Chunks whose worker died (a native crash breaks the whole pool) or whose results could
    not come back are solved again one job per fresh process (``processes.solve_alone``):
    only the job that crashes gets a crash row.
    """
    pool = ProcessPoolExecutor(
        max_workers=max(1, workers),
        mp_context=processes.context(),
        initializer=processes.start_worker,
        initargs=(os.getpid(),),
    )
    before, left = worker.BEFORE_JOB, []
    try:
        futures = {
            pool.submit(worker.solve_chunk, chunk, before): chunk
            for chunk in chunked(jobs, workers)
        }
        ready()
        for future in as_completed(futures):
            try:
                outcomes = future.result()
            except Exception:  # noqa: BLE001 - BrokenProcessPool, a result that could not travel
                left += futures[future]
                continue
            for outcome in outcomes:
                deliver(outcome)
    finally:
        # on Ctrl-C: drop the queued chunks instead of waiting for them
        pool.shutdown(wait=True, cancel_futures=True)
    if left:
        order = {job.name: i for i, job in enumerate(jobs)}
        processes.solve_alone(sorted(left, key=lambda job: order[job.name]), workers, deliver)


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
        before = worker.BEFORE_JOB
        futures = client.map(worker.solve_chunk, chunks, before=before, pure=False)
        tasks = dict(zip(futures, chunks))
        alone: set = set()  # tasks of one job, sent again after their chunk was lost
        done = dask_completed(futures)
        try:
            for future in done:
                try:
                    outcomes = future.result()
                except Exception as exc:  # noqa: BLE001 - KilledWorker: a worker died solving it
                    if future not in alone:
                        for job in tasks[future]:
                            single = client.submit(worker.solve_chunk, [job], before, pure=False)
                            tasks[single] = [job]
                            alone.add(single)
                            done.add(single)
                        continue
                    lost = f"was lost on a Dask worker ({type(exc).__name__})"
                    outcomes = [worker.died(tasks[future][0], None, lost)]
                for outcome in outcomes:
                    deliver(outcome)
        finally:
            client.cancel(list(tasks))
