"""Batch solving of saved scenarios: parallel, resumable, locally or on a Dask cluster.

    from optimizer.batch import run_batch
    report = run_batch(["scenarios/"], "out", workers=2)
    report.rows, report.failed

``discovery`` finds the files, ``jobs`` makes one job per file and variant with its
content hash, ``worker`` solves a job into the JSON of ``solve``, ``executors`` runs
chunks of jobs in ``processes`` that die with the batch (a crashed one is its job's row),
``summary`` and ``workbook`` write the tables, ``files`` writes atomically, ``lock`` keeps
a second batch out of the output folder.
"""

from optimizer.batch.discovery import NoScenarios
from optimizer.batch.jobs import Settings
from optimizer.batch.lock import BatchLocked
from optimizer.batch.run import EXECUTORS, BatchReport, run_batch
from optimizer.runtime.files import OutputError

__all__ = [
    "EXECUTORS",
    "BatchLocked",
    "BatchReport",
    "NoScenarios",
    "OutputError",
    "Settings",
    "run_batch",
]
