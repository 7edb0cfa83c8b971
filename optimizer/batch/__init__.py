"""Batch solving of saved scenarios: parallel, resumable, locally or on a Dask cluster.

    from optimizer.batch import run_batch
    report = run_batch(["scenarios/"], "out", workers=2)
    report.rows, report.failed

``discovery`` finds the files, ``jobs`` makes one job per file and variant with its
content hash, ``worker`` solves a job into the JSON of ``solve``, ``executors`` runs
chunks of jobs, ``summary`` and ``workbook`` write the tables, ``files`` writes atomically.
"""

from optimizer.batch.discovery import NoScenarios
from optimizer.batch.jobs import Settings
from optimizer.batch.run import EXECUTORS, BatchReport, run_batch

__all__ = ["EXECUTORS", "BatchReport", "NoScenarios", "Settings", "run_batch"]
